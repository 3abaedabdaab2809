//! Listening sockets: binding with a generous backlog, and accepting only
//! with a socket slot in hand (so the files are there), without spinning
//! when accept fails anyway.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_util::sync::CancellationToken;

use super::admission::{Gate, SocketSlot};

/// Pending connections the kernel queues per listener (std's default, 128,
/// drops SYNs when many players join at once).
const LISTEN_BACKLOG: u32 = 1024;

/// Binds a listener on `addr` (`host:port`) with a generous backlog.
///
/// # Errors
///
/// Returns an IO error if the address does not resolve or cannot be bound.
pub async fn bind(addr: &str) -> io::Result<TcpListener> {
    let mut last_error = io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{addr} resolves to nothing"),
    );
    for candidate in tokio::net::lookup_host(addr).await? {
        let socket = if candidate.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket
            .bind(candidate)
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// The next accepted connection with its socket slot, or `None` once
/// `shutdown` is cancelled. While every slot is taken, nothing is accepted
/// (newcomers wait in the kernel's queue). Accept errors (files taken by
/// something else, and the like) are retried after a pause instead of
/// spinning, and logged at most once in [`ACCEPT_ERRORS_LOGGED_EVERY`].
pub async fn accept(
    listener: &TcpListener,
    gate: &Gate,
    shutdown: &CancellationToken,
) -> Option<(TcpStream, SocketAddr, SocketSlot)> {
    let slot = tokio::select! {
        slot = gate.socket_slot() => slot,
        () = shutdown.cancelled() => return None,
    };
    let mut failed = 0u64;
    let mut logged: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return None,
        };
        match accepted {
            Ok((stream, addr)) => return Some((stream, addr, slot)),
            Err(error) => {
                failed += 1;
                if logged.is_none_or(|at| at.elapsed() >= ACCEPT_ERRORS_LOGGED_EVERY) {
                    tracing::warn!(%error, failed, "accept failed");
                    logged = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// How often a run of failing accepts is logged.
pub const ACCEPT_ERRORS_LOGGED_EVERY: Duration = Duration::from_secs(10);
