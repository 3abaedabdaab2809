//! The WebSocket door: the same commands as TCP, one line per text frame.
//!
//! A plain client (e.g. `websocat`) gets the seed's text lines, one per
//! frame. A client that negotiates [`JSON_SUBPROTOCOL`] (the browser app)
//! gets each [`ServerEvent`] as one JSON object instead. Buffers and message
//! sizes are set explicitly so idle sockets stay cheap and nobody can make
//! the server allocate without bound.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use wordguess_protocol::{LineError, ServerEvent, JSON_SUBPROTOCOL};

use crate::edge::admission::Admission;
use crate::edge::outbox::{next_batch, CloseReason, Closing, Events, Outbox};
use crate::session::spawn_connection;
use crate::session::ServerContext;
use crate::support::ids::Door;

/// Bytes tungstenite reads from the socket at a time; it zero-fills its read
/// buffer to this size and keeps it for the connection's life. Its default
/// is 128 KiB: 10,000 named idle players cost 1.47 GB of RSS with it. Lines
/// are short, and longer frames grow the buffer as they need.
const READ_BUFFER: usize = 256;
/// Bytes gathered before a write: the frames of a move (a few hundred
/// bytes) share a write. tungstenite never shrinks this buffer, so it stays
/// small: with 4 KiB, a greeting's frames grew it to 2 KiB for good.
const WRITE_BUFFER: usize = 512;
/// The most a slow peer can make the write buffer hold (default: unbounded).
const MAX_WRITE_BUFFER: usize = 64 * 1024;
/// The largest message accepted; longer lines are refused with an error
/// by the session, which only accepts [`crate::edge::limits::Limits::max_line_bytes`].
const MAX_MESSAGE: usize = 16 * 1024;
// tungstenite fails every write if the write buffer cannot hold its target
// size plus one message; keep that true whatever the constants become.
const _: () = assert!(MAX_WRITE_BUFFER > WRITE_BUFFER + MAX_MESSAGE);

/// `GET /ws`: upgrades to a game connection. The connection was counted
/// when it was accepted; the upgraded socket keeps that count until it
/// closes.
pub async fn upgrade(
    State(context): State<Arc<ServerContext>>,
    admission: Option<Extension<Arc<Admission>>>,
    peer: Option<Extension<SocketAddr>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let addr = peer.map_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)), |Extension(a)| a);
    upgrade
        .protocols([JSON_SUBPROTOCOL])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move { serve_player(socket, context, addr, admission) })
}

/// Starts serving one WebSocket player: splits the socket, spawns its
/// writer and its connection task ([`spawn_connection`]) and returns, so
/// the upgrade's state (the socket before the split, the handshake) is not
/// kept for the connection's life.
pub fn serve_player<A: Send + 'static>(
    socket: WebSocket,
    context: Arc<ServerContext>,
    addr: SocketAddr,
    admission: A,
) {
    let json = socket
        .protocol()
        .is_some_and(|protocol| protocol.as_bytes() == JSON_SUBPROTOCOL.as_bytes());
    tracing::debug!(json, "websocket player connected");
    let (sink, stream) = socket.split();
    let (outbox, events) = Outbox::new(context.limits.outbound_queue);
    let writer = tokio::spawn(write_frames(
        sink,
        events,
        json,
        context.limits.write_timeout,
        outbox.closing.clone(),
    ));
    let lines = Box::pin(read_lines(
        stream,
        context.limits.max_line_bytes,
        outbox.closing.clone(),
    ));
    let door = if json { Door::App } else { Door::Ws };
    spawn_connection(context, door, addr, outbox, writer, lines, admission);
}

/// The lines a WebSocket peer sends: each text frame is a line (a frame
/// holding several `\n`-separated lines is split). Ends on close or error;
/// an error that the peer should hear about (a text frame that is not
/// UTF-8, an over-long message) is yielded as a [`LineError`] first, and
/// the close reason is recorded in `closing` for the writer's close frame.
pub fn read_lines<S>(
    stream: S,
    max_line_bytes: usize,
    closing: Closing,
) -> impl Stream<Item = Result<String, LineError>>
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let stream =
        stream.take_while(|message| std::future::ready(!matches!(message, Ok(Message::Close(_)))));
    futures_util::stream::unfold(
        (stream, closing, false),
        move |(mut stream, closing, failed)| async move {
            loop {
                if failed {
                    return None;
                }
                let lines = match stream.next().await? {
                    Ok(Message::Text(text)) => split_lines(text.as_str(), max_line_bytes),
                    Ok(Message::Binary(bytes)) => match std::str::from_utf8(&bytes) {
                        Ok(text) => split_lines(text, max_line_bytes),
                        Err(_) => vec![Err(LineError::InvalidUtf8)],
                    },
                    Ok(_) => continue,
                    Err(error) => {
                        let (reason, line) = classify(error, max_line_bytes);
                        closing.set(reason);
                        let lines: Vec<Result<String, LineError>> =
                            line.map(Err).into_iter().collect();
                        return Some((futures_util::stream::iter(lines), (stream, closing, true)));
                    }
                };
                return Some((futures_util::stream::iter(lines), (stream, closing, false)));
            }
        },
    )
    .flatten()
}

/// Why a WebSocket read failed: the close reason, and the error to tell
/// the peer if it can still hear it.
fn classify(error: axum::Error, max_line_bytes: usize) -> (CloseReason, Option<LineError>) {
    use tokio_tungstenite::tungstenite::Error as WsError;
    match error.into_inner().downcast::<WsError>().map(|e| *e) {
        Ok(WsError::Utf8(_)) => (CloseReason::InvalidData, Some(LineError::InvalidUtf8)),
        Ok(WsError::Capacity(_)) => (
            CloseReason::TooBig,
            Some(LineError::TooLong {
                max: max_line_bytes,
            }),
        ),
        Ok(WsError::Protocol(error)) => {
            tracing::info!(%error, "websocket protocol error");
            (CloseReason::Protocol, None)
        }
        // The connection itself failed: nobody to tell.
        _ => (CloseReason::Normal, None),
    }
}

fn split_lines(text: &str, max_line_bytes: usize) -> Vec<Result<String, LineError>> {
    if text.len() > max_line_bytes {
        return vec![Err(LineError::TooLong {
            max: max_line_bytes,
        })];
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .map(|line| Ok(line.strip_suffix('\r').unwrap_or(line).to_owned()))
        .collect()
}

/// Sends queued events as frames (text lines or JSON), one flush per batch,
/// until `/quit` is sent, the queue closes, or a send fails or stalls.
pub async fn write_frames<S>(
    mut sink: S,
    mut events: Events,
    json: bool,
    write_timeout: Duration,
    closing: Closing,
) where
    S: Sink<Message> + Unpin,
{
    let mut batch = Vec::new();
    while next_batch(&mut events, &mut batch).await {
        let mut quit = false;
        let mut frames = Vec::new();
        // Per batch: kept across batches it would hold the longest text
        // ever rendered (a greeting's) in every idle connection.
        let mut text = String::new();
        for event in batch.drain(..) {
            if json {
                frames.push(Message::text(event.to_json()));
            } else {
                text.clear();
                event.write_text(&mut text);
                frames.extend(text.lines().map(|line| Message::text(line.to_owned())));
            }
            if *event == ServerEvent::Quit {
                quit = true;
                break;
            }
        }
        let send = async {
            for frame in frames {
                sink.feed(frame).await?;
            }
            sink.flush().await
        };
        // Boxed: the send and its clock would otherwise size the task of
        // every idle connection.
        if !matches!(
            Box::pin(tokio::time::timeout(write_timeout, send)).await,
            Ok(Ok(()))
        ) {
            tracing::info!("websocket send failed or timed out: closing");
            return;
        }
        if quit {
            break;
        }
    }
    // Say why, with an RFC 6455 close code, then close.
    let (code, reason) = closing.reason().websocket();
    let close = Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    let goodbye = async {
        let _ = sink.send(close).await;
        sink.close().await
    };
    let _ = Box::pin(tokio::time::timeout(write_timeout, goodbye)).await;
}
