//! The browser app's files as a browser gets them: compressed when it
//! accepts brotli or gzip (and the build wrote the compressed copy), with
//! the right type either way, and cached as their names promise: a file
//! named by its content for a year, `index.html` and the app's routes
//! asked for again each time.

mod common;

use common::TempDir;
use wordguess_backend::testkit::{http_request, start, HttpResponse, TestOptions};

const WASM: &str = "wordguess-frontend-0123456789abcdef_bg.wasm";
const CSS: &str = "style-fedcba9876543210.css";
const INDEX: &str = "<!doctype html><title>wordguess</title>";

/// A built app's folder: each file with a brotli and a gzip copy whose
/// bytes say which they are.
fn web_root(test: &str) -> TempDir {
    let root = TempDir::new(test);
    for (name, body) in [
        ("index.html", INDEX.as_bytes()),
        (WASM, b"\0asm\x01\0\0\0".as_slice()),
        (CSS, b"body{margin:0}".as_slice()),
    ] {
        std::fs::write(root.join(name), body).expect("write");
        std::fs::write(root.join(&format!("{name}.br")), format!("br:{name}")).expect("write");
        std::fs::write(root.join(&format!("{name}.gz")), format!("gz:{name}")).expect("write");
    }
    root
}

async fn get(http: std::net::SocketAddr, path: &str, accept: Option<&str>) -> HttpResponse {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept-Encoding", a)).into_iter().collect();
    let response = http_request(http, path, &headers).await;
    assert_eq!(response.status, 200, "{path}: {response:?}");
    assert_eq!(
        response
            .header("vary")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("accept-encoding"),
        "{path}"
    );
    response
}

#[tokio::test]
async fn files_go_out_compressed_when_the_browser_accepts_it_with_their_own_type() {
    let root = web_root("compressed");
    let mut options = TestOptions::new("apple", 2);
    options.web_root = Some(root.0.clone());
    let server = start(options).await;

    let wasm = format!("/{WASM}");
    let brotli = get(server.http, &wasm, Some("gzip, deflate, br")).await;
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(brotli.header("content-type"), Some("application/wasm"));
    assert_eq!(brotli.body, format!("br:{WASM}").as_bytes());

    let gzip = get(server.http, &wasm, Some("gzip")).await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gzip.header("content-type"), Some("application/wasm"));
    assert_eq!(gzip.body, format!("gz:{WASM}").as_bytes());

    let plain = get(server.http, &wasm, None).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.body, b"\0asm\x01\0\0\0");

    let css = get(server.http, &format!("/{CSS}"), Some("br")).await;
    assert_eq!(css.header("content-encoding"), Some("br"));
    assert!(
        css.header("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "{css:?}"
    );

    // The page itself, and an app route that serves it.
    for path in ["/", "/room/ABCDEF"] {
        let page = get(server.http, path, Some("br")).await;
        assert_eq!(page.header("content-encoding"), Some("br"), "{path}");
        assert!(
            page.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}: {page:?}"
        );
        let plain = get(server.http, path, None).await;
        assert_eq!(plain.body, INDEX.as_bytes(), "{path}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn files_named_by_content_are_kept_a_year_and_the_page_is_asked_for_each_time() {
    let root = web_root("cached");
    let mut options = TestOptions::new("apple", 2);
    options.web_root = Some(root.0.clone());
    let server = start(options).await;

    for asset in [WASM, CSS] {
        let response = get(server.http, &format!("/{asset}"), Some("br")).await;
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{asset}"
        );
    }
    for page in ["/", "/index.html", "/room/ABCDEF"] {
        let response = get(server.http, page, Some("br")).await;
        assert_eq!(response.header("cache-control"), Some("no-cache"), "{page}");
    }
    // A file that is not there is not the page, and is not kept.
    for missing in [
        "/wordguess-frontend-ffffffffffffffff_bg.wasm",
        "/style-ffffffffffffffff.css",
        "/favicon.ico",
    ] {
        let response = http_request(server.http, missing, &[("Accept-Encoding", "br")]).await;
        assert_eq!(response.status, 404, "{missing}: {response:?}");
        assert_eq!(
            response.header("cache-control"),
            Some("no-store"),
            "{missing}"
        );
    }
    // Asked again, an unchanged page costs no body.
    let page = get(server.http, "/", None).await;
    let modified = page.header("last-modified").expect("a Last-Modified date");
    let again = http_request(server.http, "/", &[("If-Modified-Since", modified)]).await;
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.body.is_empty());
    server.shutdown().await;
}
