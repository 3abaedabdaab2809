//! The HTTP side: the browser app's files, the WebSocket door and `/healthz`.

use std::path::PathBuf;
use std::sync::Arc;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::context::ServerContext;
use crate::ws;

/// Shown at `/` when the browser app has not been built into `web_root`.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>wordguess</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
<h1>wordguess</h1><p>The server is running, but the browser app has not been built.</p>\
<p>Start the server with <code>./run</code> (it builds the app), or build it with \
<code>trunk build --release</code> and pass <code>--web-root dist</code>.</p>\
<p>Terminal players can join now: <code>nc HOST PORT</code>.</p></body></html>";

/// The router: `/ws`, `/healthz`, and the app's static files from `web_root`
/// (any unknown path serves `index.html`, so the app owns its routes). With
/// no `web_root`, or one without `index.html`, `/` explains how to build it.
pub fn app(context: Arc<ServerContext>, web_root: Option<PathBuf>) -> Router {
    let router = Router::new()
        .route("/ws", get(ws::upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(context);
    let Some(root) = web_root else {
        return router.fallback(|| async { Html(NOT_BUILT) });
    };
    let index = root.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %root.display(), "browser app not built: serving a notice at /");
        return router.fallback(|| async { Html(NOT_BUILT) });
    }
    router.fallback_service(ServeDir::new(root).fallback(ServeFile::new(index)))
}
