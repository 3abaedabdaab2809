//! The HTTP side: the browser app's files, the WebSocket door, the records
//! API ([`super::api`]), `/metrics` and `/healthz`,
//! served by our own accept loop so every connection is counted from accept,
//! has `TCP_NODELAY`, a header deadline and a bounded request head.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tower_http::services::{ServeDir, ServeFile};

use super::ws;
use crate::edge::admission::{OperatorPass, Refusal, Refused, SocketSlot};
use crate::session::ServerContext;
use crate::support::metrics::{DropReason, Metrics};

/// `ok`, or 503 while the node of a cluster cannot reach Redis (so a load
/// balancer sends players to the nodes that can).
async fn healthz(State(context): State<Arc<ServerContext>>) -> Response {
    if context.records.is_reachable() {
        "ok".into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "this node cannot reach Redis; moves cannot be saved\n",
        )
            .into_response()
    }
}

/// Shown at `/` when the browser app has not been built into `web_root`.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>wordguess</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
<h1>wordguess</h1><p>The server is running, but the browser app has not been built.</p>\
<p>Start the server with <code>./run</code> (it builds the app), or build it with \
<code>trunk build --release</code> and pass <code>--web-root dist</code>.</p>\
<p>Terminal players can join now: <code>nc HOST PORT</code>.</p></body></html>";

/// The router: `/ws` (only for the server's own pages, clients without an
/// `Origin` such as terminal tools, and `allowed_origins`), `/healthz`, and
/// the app's static files from `web_root` (any unknown path serves
/// `index.html`, so the app owns its routes). With no `web_root`, or one
/// without `index.html`, `/` explains how to build it.
pub fn app(
    context: Arc<ServerContext>,
    web_root: Option<PathBuf>,
    allowed_origins: Vec<String>,
) -> Router {
    let origins = (Arc::new(allowed_origins), context.metrics.clone());
    let router = Router::new()
        .route(
            "/ws",
            get(ws::upgrade).layer(axum::middleware::from_fn_with_state(origins, check_origin)),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(super::api::routes())
        .with_state(context);
    let Some(root) = web_root else {
        return router.fallback(|| async { Html(NOT_BUILT) });
    };
    let index = root.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %root.display(), "browser app not built: serving a notice at /");
        return router.fallback(|| async { Html(NOT_BUILT) });
    }
    // Each file is sent brotli- or gzip-compressed when the browser accepts
    // it and the build wrote the compressed copy beside it (`.br`, `.gz`).
    let files = ServeDir::new(root)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        );
    router.fallback_service(
        tower::ServiceBuilder::new()
            .layer(axum::middleware::from_fn(cache_policy))
            .service(files),
    )
}

/// The app's files are cached by what their names promise: those trunk
/// names by their content (`name-<16 hex digits>.ext`) never change, so a
/// browser keeps them for a year without asking; everything else
/// (`index.html`, which names them, and the app's routes that serve it) is
/// asked for again each time (`no-cache`: a new version is picked up at
/// once, an unchanged one costs a `304`). Every answer varies by
/// `Accept-Encoding`, as a file is sent compressed when the browser accepts
/// it.
///
/// A file that is not there is a `404` (never cached): the page answers
/// only the app's routes, which name no file. Served in a file's place, it
/// would be kept for a year under a name the browser expects wasm at (an
/// old page asking a newer server, say).
async fn cache_policy(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let lasting = is_content_named(path);
    let names_file = path
        .rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.') && !name.ends_with(".html"));
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if names_file && is_page {
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "no such file\n",
        )
            .into_response();
    }
    let status = response.status();
    let headers = response.headers_mut();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let policy = if lasting {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the last part of `path` carries a content hash the way trunk
/// writes one: `-` and 16 hex digits before the extension (or `_bg`).
fn is_content_named(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default().as_bytes();
    name.windows(18).any(|window| {
        window[0] == b'-'
            && window[1..17].iter().all(u8::is_ascii_hexdigit)
            && matches!(window[17], b'.' | b'_')
    })
}

/// Lets a WebSocket request through if it has no `Origin` (terminal tools),
/// comes from a page of this server (the origin's host is the request's
/// `Host`), or from an allowed origin; refuses others with 403, so no other
/// web site can make its visitors' browsers play here.
async fn check_origin(
    State((allowed, metrics)): State<(Arc<Vec<String>>, Arc<Metrics>)>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let Some(origin) = headers.get(header::ORIGIN) else {
        return next.run(request).await;
    };
    let origin = origin.to_str().unwrap_or_default();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let own = ["http://", "https://"]
        .iter()
        .any(|scheme| origin.strip_prefix(scheme) == Some(host) && !host.is_empty());
    let allowed = allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if own || allowed {
        return next.run(request).await;
    }
    tracing::info!(origin, "websocket from a foreign origin refused");
    metrics.dropped(DropReason::origin);
    (
        StatusCode::FORBIDDEN,
        "pages from other sites may not open a game connection here (see --allow-origin)",
    )
        .into_response()
}

/// `GET /metrics`: the server's metrics in the OpenMetrics text format.
async fn metrics(State(context): State<Arc<ServerContext>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        context.metrics.encode(),
    )
        .into_response()
}

/// What operators ask a full server for.
const OPERATOR_PATHS: [&str; 2] = ["/healthz", "/metrics"];

/// Serves HTTP on `listener` until shutdown: each connection is admitted by
/// the gate (a refusal gets a 503; until its first request head is in, it
/// may itself be evicted to make room, as a nameless game connection may;
/// when the server is full, a few connections at once are still served
/// `/healthz` and `/metrics`, and a 503 for anything else),
/// gets `TCP_NODELAY` (without it Nagle's
/// algorithm and delayed ACKs hold WebSocket frames ~40 ms), must send its
/// request head within [`crate::edge::limits::Limits::header_timeout`] and in at most
/// [`crate::edge::limits::Limits::max_header_bytes`], and is closed when idle between
/// requests for as long.
///
/// # Errors
///
/// Never fails today; the result leaves room for listener errors.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    context: Arc<ServerContext>,
) -> io::Result<()> {
    while let Some((mut stream, addr, slot)) =
        crate::edge::listen::accept(&listener, &context.gate, &context.shutdown).await
    {
        let context = context.clone();
        let router = router.clone();
        let tasks = context.tasks.clone();
        tasks.spawn(async move {
            // Admitted, or (the server being full) let in for operators'
            // paths only; the pass is held until the connection closes.
            let (admission, _operator) = match context.gate.admit(addr.ip(), slot).await {
                Ok(admission) => (Some(Arc::new(admission)), None),
                Err(refused) => match operator_pass(&context, refused) {
                    Ok(pass) => (None, Some(pass)),
                    // (The socket keeps its slot until it is told why.)
                    Err((refusal, _socket)) => {
                        context.metrics.dropped(refusal.reason());
                        let body = refusal.message();
                        let response = format!(
                            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let write = stream.write_all(response.as_bytes());
                        let _ = tokio::time::timeout(context.limits.linger, write).await;
                        return;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            // Until its first request head is in, an admitted connection is
            // as evictable as a game connection without a name: a half-sent
            // request must not keep a player out of a full server.
            let conn = context.next_conn_id();
            let evict = match admission {
                Some(_) => context.gate.register_unnamed(conn),
                None => tokio_util::sync::CancellationToken::new(),
            };
            let gate = context.gate.clone();
            // Each request carries the admission; the WebSocket handler keeps
            // a clone, so an upgraded socket stays counted until it closes.
            let service = TowerToHyperService::new(tower::service_fn(
                move |mut request: Request<hyper::body::Incoming>| {
                    gate.forget_unnamed(conn);
                    let router = router.clone();
                    let admission = admission.clone();
                    async move {
                        match admission {
                            Some(admission) => {
                                request.extensions_mut().insert(admission);
                            }
                            None if !OPERATOR_PATHS.contains(&request.uri().path()) => {
                                let full = Refusal::Full.message();
                                return Ok((StatusCode::SERVICE_UNAVAILABLE, full).into_response());
                            }
                            None => {}
                        }
                        request.extensions_mut().insert(addr);
                        tower::ServiceExt::oneshot(router, request).await
                    }
                },
            ));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(context.limits.header_timeout)
                .max_buf_size(context.limits.max_header_bytes.max(8192));
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%addr, %error, "http connection ended");
                    }
                }
                () = evict.cancelled() => {
                    // Closed before hyper has a request to answer.
                    context.metrics.dropped(DropReason::evicted);
                    tracing::info!(%addr, "server full: a half-sent HTTP request made room");
                }
                () = context.shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(context.limits.linger, connection).await;
                }
            }
            context.gate.forget_unnamed(conn);
        });
    }
    Ok(())
}

/// A pass for a connection the full server still serves `/healthz` and
/// `/metrics` (while the operators' lane has room), or why it is refused,
/// with its socket's slot.
fn operator_pass(
    context: &ServerContext,
    refused: Refused,
) -> Result<OperatorPass, (Refusal, SocketSlot)> {
    let refusal = refused.refusal;
    let socket = refused.into_socket();
    match refusal {
        Refusal::Full => context
            .gate
            .operator_pass(socket)
            .map_err(|socket| (refusal, socket)),
        Refusal::TooManyFromAddress => Err((refusal, socket)),
    }
}

#[cfg(test)]
mod tests {
    use super::is_content_named;

    #[test]
    fn only_names_trunk_hashed_count_as_named_by_content() {
        for lasting in [
            "/wordguess-frontend-e553948aad22412e_bg.wasm",
            "/wordguess-frontend-e553948aad22412e.js",
            "/style-aa93b98d40370f32.css",
            "/style-aa93b98d40370f32.css.br",
        ] {
            assert!(is_content_named(lasting), "{lasting}");
        }
        for asked_each_time in [
            "/",
            "/index.html",
            "/room/ABCDEF",
            "/style.css",
            "/style-aa93b98d.css",
            "/style-aa93b98d40370f32x.css",
            "/style-aa93b98d40370g32.css",
            "/a-aa93b98d40370f32.css/index.html",
        ] {
            assert!(!is_content_named(asked_each_time), "{asked_each_time}");
        }
    }
}
