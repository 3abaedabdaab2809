//! The TCP game door: the seed's line protocol over a raw socket.
//!
//! Bytes are split into bounded lines by the protocol's [`LineDecoder`];
//! events are rendered as text and written in batches, one `write` per
//! batch, with `TCP_NODELAY` set so a move's results reach every player at
//! once instead of waiting on Nagle's algorithm and delayed ACKs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use wordguess_protocol::{LineDecoder, LineError, ServerEvent};

use crate::edge::admission::Admission;
use crate::edge::outbox::{next_batch, Events, Outbox};
use crate::session::spawn_connection;
use crate::session::ServerContext;
use crate::support::ids::Door;

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 4096;

/// Starts serving one TCP player: spawns its writer and its connection
/// task ([`spawn_connection`]) and returns.
pub async fn serve_player(
    stream: TcpStream,
    addr: SocketAddr,
    context: Arc<ServerContext>,
    admission: Admission,
) {
    tracing::debug!(%addr, "tcp player connected");
    let _ = stream.set_nodelay(true);
    let (reader, writer) = stream.into_split();
    let (outbox, events) = Outbox::new(context.limits.outbound_queue);
    let writer = tokio::spawn(write_text(writer, events, context.limits.write_timeout));
    let limits = &context.limits;
    let decoder = LineDecoder::with_backlog(limits.max_line_bytes, limits.max_queued_lines);
    let lines = Box::pin(read_lines(reader, decoder, limits.max_unread_bytes));
    spawn_connection(context, Door::Tcp, addr, outbox, writer, lines, admission);
}

/// The lines a peer sends, split and bounded by `decoder`; ends at EOF or
/// on a read error. It reads from the socket only once every line already
/// read has been taken, so a client that sends faster than its lines are
/// served is held back by its own socket (back-pressure), and the lines
/// waiting are at most what one read brought. A read that fills its chunk
/// looks at what else waits unread: more than `max_unread` bytes is a
/// client that keeps sending far ahead of the rate ([`LineError::Ahead`]).
///
/// It waits for the socket to be readable and only then reads into a buffer
/// on the stack, so an idle connection holds no read buffer at all (the
/// decoder keeps only an unfinished line).
pub fn read_lines(
    reader: OwnedReadHalf,
    decoder: LineDecoder,
    max_unread: usize,
) -> impl Stream<Item = Result<String, LineError>> {
    let state = (reader, decoder);
    futures_util::stream::unfold(state, move |(mut reader, mut decoder)| async move {
        loop {
            if let Some(line) = decoder.next_line() {
                return Some((line, (reader, decoder)));
            }
            reader.readable().await.ok()?;
            let mut chunk = [0u8; READ_CHUNK];
            match reader.try_read(&mut chunk) {
                Ok(0) => return None,
                Ok(READ_CHUNK) if unread_beyond(&mut reader, max_unread) => {
                    let error = LineError::Ahead { max: max_unread };
                    return Some((Err(error), (reader, decoder)));
                }
                Ok(read) => decoder.push(&chunk[..read]),
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
    })
}

/// Whether more than `max` bytes wait unread in `reader`'s socket (looked
/// at without waiting, and without taking them).
fn unread_beyond(reader: &mut OwnedReadHalf, max: usize) -> bool {
    let mut waiting = vec![0u8; max + 1];
    let mut buffer = tokio::io::ReadBuf::new(&mut waiting);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    matches!(
        reader.poll_peek(&mut context, &mut buffer),
        std::task::Poll::Ready(Ok(peeked)) if peeked > max
    )
}

/// Writes queued events as text lines until `/quit` is written, the queue
/// closes, or a write fails or takes longer than `write_timeout`.
///
/// Not an `async fn`, which would hold its arguments twice in every idle
/// connection's writer task: the block uses what it captured in place.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn keeps its arguments twice"
)]
pub fn write_text<W>(
    mut writer: W,
    mut events: Events,
    write_timeout: Duration,
) -> impl std::future::Future<Output = ()>
where
    W: AsyncWrite + Unpin,
{
    async move {
        let mut batch = Vec::new();
        let mut text = String::new();
        while next_batch(&mut events, &mut batch).await {
            if events.is_empty() {
                // The last batch for now: hold no text buffer while idle.
                text = String::new();
            }
            text.clear();
            let mut quit = false;
            for event in batch.drain(..) {
                event.write_text(&mut text);
                if *event == ServerEvent::Quit {
                    quit = true;
                    break;
                }
            }
            // Boxed: the write and its clock would otherwise size the task of
            // every idle connection.
            let write = Box::pin(tokio::time::timeout(
                write_timeout,
                writer.write_all(text.as_bytes()),
            ))
            .await;
            if !matches!(write, Ok(Ok(()))) {
                tracing::info!("write failed or timed out: closing");
                return;
            }
            if quit {
                let _ = writer.shutdown().await;
                return;
            }
        }
        let _ = writer.shutdown().await;
    }
}
