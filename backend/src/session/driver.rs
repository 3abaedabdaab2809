//! The connection driver: the one task per connection (of either door)
//! that feeds its lines to its [`Session`] and stops it when the peer
//! leaves, the writer finishes, the client is kicked for not reading, the
//! seat moves elsewhere, the name does not come in time, or the server
//! shuts down.
//!
//! Doors hand it a stream of lines and the outbox their writer drains, so
//! a test drives a whole conversation through channels, with no socket.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;
use wordguess_protocol::{LineError, ServerEvent};

use super::{Flow, ServerContext, Session};
use crate::delivery::Signal;
use crate::edge::outbox::{CloseReason, Outbox};
use crate::support::ids::Door;
use crate::support::metrics::DropReason;

/// Starts one connection's conversation (of either door) in its own
/// tracked task, so shutdown waits for it, and returns at once: the task
/// that accepted or upgraded the socket ends instead of living as long as
/// the connection. `admission` is held until the connection closes, so the
/// connection stays counted that long.
pub fn spawn_connection<L, A>(
    context: Arc<ServerContext>,
    door: Door,
    addr: std::net::SocketAddr,
    outbox: Outbox,
    writer: tokio::task::JoinHandle<()>,
    lines: L,
    admission: A,
) where
    L: futures_util::Stream<Item = Result<String, LineError>> + Unpin + Send + 'static,
    A: Send + 'static,
{
    let tasks = context.tasks.clone();
    let open = context.metrics.connections(door).clone();
    open.inc();
    let session = Session::new(
        context.clone(),
        context.next_conn_id(),
        outbox.clone(),
        door,
    );
    let parts = Parts {
        context,
        label: Label { addr },
        outbox,
        writer,
        lines,
    };
    tasks.spawn(run_connection(session, parts, (open, admission)));
}

/// What a connection's task drives besides its [`Session`].
struct Parts<L> {
    /// Shared server state.
    context: Arc<ServerContext>,
    /// Its log context.
    label: Label,
    /// Its outbound queue (the writer drains it).
    outbox: Outbox,
    /// Its writer task.
    writer: tokio::task::JoinHandle<()>,
    /// The lines its peer sends.
    lines: L,
}

/// What every log line of a connection carries: its id, door and address,
/// and its player's name once it has one. A span is made for each piece of
/// work (a line, a signal, the close), not held for the connection's life:
/// a live span costs about 400 bytes, and most connections are idle.
struct Label {
    /// The peer's address (the session knows the rest).
    addr: std::net::SocketAddr,
}

impl Label {
    /// The span for a piece of `session`'s work.
    fn span(&self, session: &Session) -> tracing::Span {
        let span = tracing::info_span!(
            "conn",
            id = session.conn().seq,
            door = %session.door().as_str(),
            addr = %self.addr,
            player = tracing::field::Empty
        );
        if let Some(name) = session.name() {
            span.record("player", tracing::field::display(name));
        }
        span
    }
}

/// Drives one connection of either door until it ends: feeds its lines to
/// its [`Session`], and stops when the peer leaves, the writer finishes
/// (after `/quit` or a failed write), the client is kicked for not reading,
/// the seat moves to another connection, or the server shuts down. Then the
/// room learns the connection is gone and the writer gets a moment to flush
/// what is queued; `held` (its gauge and its admission) goes last.
///
/// Not an `async fn`: an async fn keeps its arguments twice (as passed,
/// and moved into its body), and this task's size is paid by every idle
/// connection. The block below uses what it captured in place.
fn run_connection<L>(
    mut session: Session,
    parts: Parts<L>,
    held: (
        prometheus_client::metrics::gauge::Gauge,
        impl Send + 'static,
    ),
) -> impl std::future::Future<Output = ()> + Send + 'static
where
    L: futures_util::Stream<Item = Result<String, LineError>> + Unpin + Send + 'static,
{
    let Parts {
        context,
        label,
        outbox,
        mut writer,
        mut lines,
    } = parts;
    async move {
        use futures_util::{FutureExt as _, StreamExt as _};

        let conn = session.conn().seq;
        let mut writer_done = false;
        let mut closed_by_us = false;
        let name_deadline = tokio::time::Instant::now() + context.limits.name_timeout;
        // Boxed, and dropped once the player is in a room: the clock and the
        // eviction wait would otherwise sit in every idle connection.
        let mut unnamed = Some(Box::pin(unnamed_ends(name_deadline, session.evict.clone())));
        let reading = async {
            loop {
                if session.has_joined() {
                    unnamed = None;
                }
                // Decided first, waited on after, and boxed: handling a
                // line or a move waits on a room, and that wait (or a signal
                // held across it) would otherwise sit in every idle
                // connection.
                let work: Work<'_> = tokio::select! {
                    line = lines.next() => {
                        let Some(line) = line else { return false };
                        let span = label.span(&session);
                        Box::pin(session.on_line(line).instrument(span))
                    }
                    signal = session.signals.next() => {
                        let room = match signal {
                            Signal::Replaced => {
                                label.span(&session).in_scope(|| {
                                    tracing::debug!(conn, "seat moved to another connection");
                                });
                                return true;
                            }
                            Signal::Moved { room } => room,
                            Signal::Missed => match session.room_code() {
                                Some(room) => room,
                                None => continue,
                            },
                            _ => continue,
                        };
                        let span = label.span(&session);
                        Box::pin(session.rehome(room).instrument(span).map(|()| Flow::Continue))
                    }
                    end = until_done(&mut unnamed) => {
                        if end == Unnamed::TooSlow {
                            context.metrics.dropped(DropReason::no_name);
                            session
                                .outbox
                                .error("no name was given in time; closing the connection");
                            return true;
                        }
                        context.metrics.dropped(DropReason::evicted);
                        session.outbox.closing.set(CloseReason::Policy);
                        session.outbox.error(
                            "the server is full and this connection has not sent a name; \
                             closing it to make room",
                        );
                        return true;
                    }
                };
                if work.await == Flow::Close {
                    return true;
                }
            }
        };
        tokio::select! {
            close = reading => closed_by_us = close,
            _ = &mut writer => writer_done = true,
            () = outbox.kicked() => {
                context.metrics.dropped(DropReason::slow_reader);
                label.span(&session).in_scope(|| tracing::info!("dropped: not reading"));
            }
            () = context.shutdown.cancelled() => {
                outbox.closing.set(CloseReason::GoingAway);
                match session.seat_saved() {
                    // The game is not over: the connection only closes.
                    Some(message) => outbox.send(ServerEvent::Notice { message }),
                    None => {
                        outbox.send(ServerEvent::Notice {
                            message: "The server is shutting down. Goodbye!".to_owned(),
                        });
                        outbox.send(ServerEvent::Quit)
                    }
                };
            }
        }
        // Boxed: the closing steps would otherwise size every idle connection.
        let span = label.span(&session);
        Box::pin(
            async move {
                session.close().await;
                drop(session);
                drop(outbox);
                if !writer_done
                    && tokio::time::timeout(context.limits.linger, &mut writer)
                        .await
                        .is_err()
                {
                    writer.abort();
                }
                if closed_by_us {
                    // Read what the peer still sends for a moment, so closing with
                    // unread data does not reset the connection before it reads our
                    // error message.
                    let drain = async { while lines.next().await.is_some() {} };
                    let _ = tokio::time::timeout(context.limits.linger / 4, drain).await;
                }
                tracing::debug!(conn, "connection closed");
            }
            .instrument(span),
        )
        .await;
        let (open, admission) = held;
        open.dec();
        drop(admission);
    }
}

/// A line or a move being handled, boxed (see [`run_connection`]).
type Work<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Flow> + Send + 'a>>;

/// How the wait for a connection's name ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unnamed {
    /// The name deadline passed.
    TooSlow,
    /// The server is full and this connection must make room.
    Evicted,
}

/// Completes when a connection without a name must go: its deadline has
/// passed, or `evict` was cancelled.
async fn unnamed_ends(deadline: tokio::time::Instant, evict: Option<CancellationToken>) -> Unnamed {
    let evicted = async {
        match evict {
            Some(token) => token.cancelled_owned().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = tokio::time::sleep_until(deadline) => Unnamed::TooSlow,
        () = evicted => Unnamed::Evicted,
    }
}

/// Completes with `future`'s output; never without one.
async fn until_done<F: std::future::Future + Unpin>(future: &mut Option<F>) -> F::Output {
    match future {
        Some(future) => future.await,
        None => std::future::pending().await,
    }
}
