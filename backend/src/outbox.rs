//! A connection's bounded outbound queue.
//!
//! The game and the session push events with [`Outbox::send`], which never
//! waits: if the queue is full the client has stopped reading, so it is
//! *kicked* (its connection task closes it) instead of stalling everyone.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::ServerEvent;

/// The sending side of one connection's queue.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// Events for the connection's writer.
    events: mpsc::Sender<ServerEvent>,
    /// Cancelled when the client is dropped for not reading.
    kicked: CancellationToken,
}

impl Outbox {
    /// A queue of `capacity` events and its receiving end.
    pub fn new(capacity: usize) -> (Self, mpsc::Receiver<ServerEvent>) {
        let (events, receiver) = mpsc::channel(capacity.max(1));
        let outbox = Self {
            events,
            kicked: CancellationToken::new(),
        };
        (outbox, receiver)
    }

    /// Queues an event. Returns `false` if the client is gone or was just
    /// kicked because its queue is full.
    pub fn send(&self, event: ServerEvent) -> bool {
        match self.events.try_send(event) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("outbound queue full: dropping a client that does not read");
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

    /// Completes when the client has been kicked.
    pub async fn kicked(&self) {
        self.kicked.cancelled().await;
    }
}
