//! A connection's bounded outbound queue.
//!
//! Rooms push events with [`Outbox::send`], which never waits: if the queue
//! is full the client has stopped reading the game, so it is *kicked* (its
//! connection task closes it) instead of stalling everyone. The session's
//! replies to the client's own commands use [`Outbox::reply`] and
//! [`Outbox::make_room`], which wait instead: a client that pipelines many
//! commands is slowed down (its socket is not read meanwhile), not dropped.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::ServerEvent;

/// Why a connection is closed, for doors that can say so (WebSocket close
/// codes, RFC 6455 section 7.4.1); the TCP door just closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseReason {
    /// The conversation ended (after `/quit`, or the peer left).
    Normal = 0,
    /// The server is shutting down (1001).
    GoingAway = 1,
    /// The peer broke the WebSocket protocol (1002).
    Protocol = 2,
    /// A text frame was not UTF-8 (1007).
    InvalidData = 3,
    /// The peer broke a policy: flooding, not reading (1008).
    Policy = 4,
    /// A message was too long (1009).
    TooBig = 5,
}

impl CloseReason {
    /// The WebSocket close code and a short reason.
    pub fn websocket(self) -> (u16, &'static str) {
        match self {
            CloseReason::Normal => (1000, "bye"),
            CloseReason::GoingAway => (1001, "the server is shutting down"),
            CloseReason::Protocol => (1002, "websocket protocol error"),
            CloseReason::InvalidData => (1007, "text frames must be UTF-8"),
            CloseReason::Policy => (1008, "too many commands, or not reading"),
            CloseReason::TooBig => (1009, "message too long"),
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => CloseReason::GoingAway,
            2 => CloseReason::Protocol,
            3 => CloseReason::InvalidData,
            4 => CloseReason::Policy,
            5 => CloseReason::TooBig,
            _ => CloseReason::Normal,
        }
    }
}

/// Where the reader, the session and the writer agree on why the connection
/// closes (the first reason set wins).
#[derive(Debug, Clone, Default)]
pub struct Closing(Arc<AtomicU8>);

impl Closing {
    /// Records `reason` unless one was already recorded.
    pub fn set(&self, reason: CloseReason) {
        let _ = self
            .0
            .compare_exchange(0, reason as u8, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The reason recorded, or [`CloseReason::Normal`].
    pub fn reason(&self) -> CloseReason {
        CloseReason::from_u8(self.0.load(Ordering::Acquire))
    }
}

/// The sending side of one connection's queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// Events for the connection's writer, shared: one event broadcast to a
    /// room is one allocation, and a queue slot is one pointer (the queue's
    /// first block of slots is allocated with the connection).
    events: mpsc::Sender<Arc<ServerEvent>>,
    /// Cancelled when the client is dropped for not reading.
    kicked: CancellationToken,
    /// Why the connection closes.
    pub closing: Closing,
}

impl Outbox {
    /// A queue of `capacity` events and its receiving end.
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<Arc<ServerEvent>>) {
        let (events, receiver) = mpsc::channel(capacity.max(1));
        let outbox = Self {
            events,
            kicked: CancellationToken::new(),
            closing: Closing::default(),
        };
        (outbox, receiver)
    }

    /// Queues an event. Returns `false` if the client is gone or was just
    /// kicked because its queue is full.
    pub fn send(&self, event: impl Into<Arc<ServerEvent>>) -> bool {
        match self.events.try_send(event.into()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("outbound queue full: dropping a client that does not read");
                self.closing.set(CloseReason::Policy);
                self.kicked.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queues a private error message.
    pub fn error(&self, message: impl Into<String>) -> bool {
        self.send(ServerEvent::Error {
            message: message.into(),
        })
    }

    /// Queues a reply to the client's own command, waiting while the queue
    /// is full (back-pressure on that client's reading). Returns `false` if
    /// the connection is gone.
    pub async fn reply(&self, event: ServerEvent) -> bool {
        self.events.send(Arc::new(event)).await.is_ok()
    }

    /// Waits until the queue has room for `slots` more events (the replies
    /// a command may cause), so a command is forwarded only when its reply
    /// will fit. Returns `false` if the connection is gone.
    pub async fn make_room(&self, slots: usize) -> bool {
        let slots = slots.min(self.events.max_capacity());
        self.events.reserve_many(slots).await.is_ok()
    }

    /// Completes when the client has been kicked.
    pub async fn kicked(&self) {
        self.kicked.cancelled().await;
    }
}

/// Most events a writer renders into one write.
pub const BATCH: usize = 64;

/// Waits for the next batch of events (at most [`BATCH`]) into `batch`;
/// `false` once the queue is closed and empty. Both doors' writers use it.
/// When the queue is idle the batch's memory is released first, so an idle
/// connection holds none.
pub async fn next_batch(
    events: &mut mpsc::Receiver<Arc<ServerEvent>>,
    batch: &mut Vec<Arc<ServerEvent>>,
) -> bool {
    batch.clear();
    if events.is_empty() {
        *batch = Vec::new();
    }
    events.recv_many(batch, BATCH).await > 0
}
