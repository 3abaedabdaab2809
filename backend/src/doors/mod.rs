//! The doors: where bytes become lines and events become bytes.
//!
//! - [`tcp`]: the seed's line protocol over a raw socket (`nc`);
//! - [`ws`]: the same lines over WebSocket, as text or as JSON events;
//! - [`http`]: the HTTP server (the browser app's files, `/ws`, the records
//!   [`api`], `/metrics`, `/healthz`) on its own accept loop;
//! - [`palindrome`]: the lecture's first service.
//!
//! No game logic lives in a door: both game doors hand their lines to the
//! same [`crate::session`].

pub mod api;
pub mod http;
pub mod palindrome;
pub mod tcp;
pub mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::edge::admission::Admission;
use crate::edge::listen::accept;
use crate::session::ServerContext;

/// Accepts connections until shutdown, each served by its own task once
/// the [gate](crate::edge::admission::Gate) admits it; a refused client is
/// told why in one line.
pub async fn accept_loop<F, Fut>(listener: TcpListener, context: Arc<ServerContext>, serve: F)
where
    F: Fn(TcpStream, SocketAddr, Arc<ServerContext>, Admission) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let serve = Arc::new(serve);
    loop {
        let Some((mut stream, addr, slot)) =
            accept(&listener, &context.gate, &context.shutdown).await
        else {
            return;
        };
        let context = context.clone();
        let serve = serve.clone();
        let tasks = context.tasks.clone();
        tasks.spawn(async move {
            match context.gate.admit(addr.ip(), slot).await {
                // The connection holds its admission until it closes.
                Ok(admission) => serve(stream, addr, context, admission).await,
                // (The socket keeps its slot until it is told why.)
                Err(refused) => {
                    let refusal = refused.refusal;
                    context.metrics.dropped(refusal.reason());
                    tracing::warn!(%addr, ?refusal, "connection refused");
                    let line = format!("Error: {}.\n", refusal.message());
                    let _ = tokio::time::timeout(
                        Duration::from_secs(1),
                        stream.write_all(line.as_bytes()),
                    )
                    .await;
                }
            }
        });
    }
}
