//! Listening sockets: binding with a generous backlog, and accepting
//! without spinning when accept fails.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_util::sync::CancellationToken;

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

/// The next accepted connection, or `None` once `shutdown` is cancelled.
/// Accept errors (out of file descriptors and the like) are logged and
/// retried after a pause instead of spinning.
pub async fn accept(
    listener: &TcpListener,
    shutdown: &CancellationToken,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return None,
        };
        match accepted {
            Ok(accepted) => return Some(accepted),
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
