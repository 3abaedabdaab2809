//! Where a room finds a connection: connection id → its endpoint.
//!
//! Messages to a room carry only a [`ConnId`], never a channel end, so a
//! room could live in another process (rooms will later be shared through
//! Redis). The room resolves the id here once, when the connection enters,
//! and keeps the [`Endpoint`]; the lock is held only for that lookup and for
//! registering or removing a connection, never across a room's work.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::outbox::Outbox;

/// Identifies one connection (not a player: a player's seat outlives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// What a room tells a connection's session about its phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The connection now holds a seat in the room.
    Seated {
        /// The room's code.
        room: wordguess_protocol::RoomCode,
        /// The seat's resume token.
        token: wordguess_protocol::ResumeToken,
        /// The player's name.
        name: String,
    },
    /// The connection now watches the room.
    Watching {
        /// The room's code.
        room: wordguess_protocol::RoomCode,
    },
    /// The room refused (the error went to the outbox); `retry` says a
    /// quick-match player should try the next gathering room.
    Refused {
        /// Whether another room may accept.
        retry: bool,
    },
    /// The seat moved to a newer connection; this one closes.
    Replaced,
}

/// The latest phase change for one session: only one matters at a time
/// (the answer to an entry, or a replacement). A slot and a `Notify` cost
/// far less per connection than a channel.
#[derive(Debug, Default)]
pub struct SignalSlot {
    /// The signal not yet taken.
    value: Mutex<Option<Signal>>,
    /// Wakes the session (a notification sent while nobody waits is kept).
    notify: Notify,
}

impl SignalSlot {
    /// Leaves `signal` for the session and wakes it.
    pub fn put(&self, signal: Signal) {
        *self.value.lock().unwrap_or_else(|e| e.into_inner()) = Some(signal);
        self.notify.notify_one();
    }

    /// Takes the waiting signal, if any.
    pub fn take(&self) -> Option<Signal> {
        self.value.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Waits for the next signal.
    pub async fn next(&self) -> Signal {
        loop {
            if let Some(signal) = self.take() {
                return signal;
            }
            self.notify.notified().await;
        }
    }
}

/// The door a connection came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// The TCP game port (`nc`, the terminal client).
    Tcp,
    /// WebSocket with text lines (`websocat` and the like).
    Ws,
    /// WebSocket with JSON events (the browser app).
    App,
}

impl Door {
    /// The door's name in history, metrics and logs: `tcp`, `ws` or `app`.
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Tcp => "tcp",
            Door::Ws => "ws",
            Door::App => "app",
        }
    }
}

/// How a room reaches one connection.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The connection's events (bounded; full means kicked).
    pub outbox: Outbox,
    /// The session's phase changes.
    pub signals: Arc<SignalSlot>,
    /// The door the connection came through.
    pub door: Door,
}

impl Endpoint {
    /// Tells the session about a phase change; a session that is gone or
    /// not listening loses nothing it would act on.
    pub fn signal(&self, signal: Signal) {
        self.signals.put(signal);
    }
}

/// The endpoints of this process's connections.
#[derive(Debug, Default)]
pub struct Switchboard {
    /// Open connections.
    endpoints: Mutex<HashMap<ConnId, Arc<Endpoint>>>,
}

impl Switchboard {
    /// Registers a connection.
    pub fn register(&self, id: ConnId, endpoint: Endpoint) {
        self.lock().insert(id, Arc::new(endpoint));
    }

    /// Removes a closed connection.
    pub fn remove(&self, id: ConnId) {
        self.lock().remove(&id);
    }

    /// The endpoint of an open connection.
    pub fn endpoint(&self, id: ConnId) -> Option<Arc<Endpoint>> {
        self.lock().get(&id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnId, Arc<Endpoint>>> {
        self.endpoints.lock().unwrap_or_else(|e| e.into_inner())
    }
}
