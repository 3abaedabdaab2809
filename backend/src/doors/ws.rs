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
/// are short (a command fits in one read), and longer frames grow the
/// buffer as they need.
const READ_BUFFER: usize = 128;
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
        context.limits.max_queued_lines,
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
/// The next frame is read only once the lines of the last one have been
/// taken; a frame of more than `max_queued_lines` lines is refused with
/// [`LineError::Backlog`].
pub fn read_lines<S>(
    stream: S,
    max_line_bytes: usize,
    max_queued_lines: usize,
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
                    Ok(Message::Text(text)) => {
                        split_lines(text.as_str(), max_line_bytes, max_queued_lines)
                    }
                    Ok(Message::Binary(bytes)) => match std::str::from_utf8(&bytes) {
                        Ok(text) => split_lines(text, max_line_bytes, max_queued_lines),
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

fn split_lines(
    text: &str,
    max_line_bytes: usize,
    max_queued_lines: usize,
) -> Vec<Result<String, LineError>> {
    if text.len() > max_line_bytes {
        return vec![Err(LineError::TooLong {
            max: max_line_bytes,
        })];
    }
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.split('\n').count() > max_queued_lines {
        return vec![Err(LineError::Backlog {
            max: max_queued_lines,
        })];
    }
    text.split('\n')
        .map(|line| Ok(line.strip_suffix('\r').unwrap_or(line).to_owned()))
        .collect()
}

/// The frames of `batch` (which it empties), text lines or JSON, and
/// whether they end with `/quit` (nothing after it is sent).
fn frames_of(batch: &mut Vec<Arc<ServerEvent>>, json: bool) -> (Vec<Message>, bool) {
    let mut frames = Vec::new();
    // Per batch: kept across batches it would hold the longest text ever
    // rendered (a greeting's) in every idle connection.
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
            return (frames, true);
        }
    }
    (frames, false)
}

/// Sends queued events as frames (text lines or JSON), one flush per batch,
/// until `/quit` is sent, the queue closes, or a send fails or stalls.
///
/// Not an `async fn`, which would hold its arguments twice in every idle
/// connection's writer task: the block uses what it captured in place.
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn keeps its arguments twice"
)]
pub fn write_frames<S>(
    mut sink: S,
    mut events: Events,
    json: bool,
    write_timeout: Duration,
    closing: Closing,
) -> impl std::future::Future<Output = ()>
where
    S: Sink<Message> + Unpin,
{
    async move {
        let mut batch = Vec::new();
        while next_batch(&mut events, &mut batch).await {
            // Rendered before the send, and moved into it: nothing of the
            // batch stays in the task while it waits.
            let (frames, quit) = frames_of(&mut batch, json);
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
}

#[cfg(test)]
mod tests {
    //! The door driven through channels instead of a socket, as axum's
    //! `examples/testing-websockets` drives its handler: frames in, lines
    //! out; events in, frames out.

    use std::sync::Arc;

    use tokio::sync::mpsc;

    use super::*;

    /// A sink that hands every frame to `frames`.
    fn recording_sink(
        frames: mpsc::UnboundedSender<Message>,
    ) -> impl Sink<Message, Error = axum::Error> + Unpin {
        Box::pin(futures_util::sink::unfold(
            frames,
            |frames, frame: Message| async move {
                let _ = frames.send(frame);
                Ok::<_, axum::Error>(frames)
            },
        ))
    }

    /// Writes `events` through `write_frames` and returns the frames sent.
    async fn frames_for(events: Vec<ServerEvent>, json: bool) -> Vec<Message> {
        let (outbox, queue) = Outbox::new(16);
        for event in events {
            outbox.send(Arc::new(event));
        }
        drop(outbox);
        let (frames, mut sent) = mpsc::unbounded_channel();
        let closing = Closing::default();
        write_frames(
            recording_sink(frames),
            queue,
            json,
            Duration::from_secs(1),
            closing,
        )
        .await;
        let mut out = Vec::new();
        while let Ok(frame) = sent.try_recv() {
            out.push(frame);
        }
        out
    }

    #[tokio::test]
    async fn each_text_frame_is_a_line_and_a_frame_of_several_lines_is_split() {
        let frames: Vec<Result<Message, axum::Error>> = vec![
            Ok(Message::text("alice")),
            Ok(Message::text("/letter a\n/word apple\n")),
            Ok(Message::Binary(vec![0xff, 0xfe].into())),
            Ok(Message::Close(None)),
            Ok(Message::text("after the close")),
        ];
        let lines: Vec<Result<String, LineError>> = read_lines(
            futures_util::stream::iter(frames),
            1024,
            1000,
            Closing::default(),
        )
        .collect()
        .await;
        assert_eq!(
            lines,
            [
                Ok("alice".to_owned()),
                Ok("/letter a".to_owned()),
                Ok("/word apple".to_owned()),
                Err(LineError::InvalidUtf8),
            ],
            "nothing is read after the close"
        );
    }

    #[tokio::test]
    async fn an_over_long_frame_is_refused_as_a_line_error() {
        let long = "x".repeat(2000);
        let lines: Vec<Result<String, LineError>> = read_lines(
            futures_util::stream::iter([Ok(Message::text(long))]),
            1024,
            1000,
            Closing::default(),
        )
        .collect()
        .await;
        assert_eq!(lines, [Err(LineError::TooLong { max: 1024 })]);
    }

    #[tokio::test]
    async fn a_frame_of_more_lines_than_may_wait_is_refused_as_a_backlog() {
        let lines: Vec<Result<String, LineError>> = read_lines(
            futures_util::stream::iter([
                Ok(Message::text("/help\n/help\n/help")),
                Ok(Message::text("/help\n/help\n/help\n/help")),
            ]),
            1024,
            3,
            Closing::default(),
        )
        .collect()
        .await;
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[3], Err(LineError::Backlog { max: 3 }));
    }

    #[tokio::test]
    async fn events_go_out_as_text_lines_or_json_and_quit_closes_with_a_reason() {
        let events = vec![
            ServerEvent::Notice {
                message: "hello".to_owned(),
            },
            ServerEvent::Quit,
        ];
        let text = frames_for(events.clone(), false).await;
        assert_eq!(text[0], Message::text("hello"));
        assert_eq!(text[1], Message::text("/quit"));
        assert!(
            matches!(&text[2], Message::Close(Some(close)) if close.code == 1000),
            "{text:?}"
        );
        let json = frames_for(events, true).await;
        let Message::Text(first) = &json[0] else {
            panic!("{json:?}");
        };
        let event: ServerEvent = serde_json::from_str(first.as_str()).expect("JSON");
        assert_eq!(
            event,
            ServerEvent::Notice {
                message: "hello".to_owned()
            }
        );
        assert!(matches!(json.last(), Some(Message::Close(Some(_)))));
    }
}
