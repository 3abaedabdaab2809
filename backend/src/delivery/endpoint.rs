//! A connection of this node as a room reaches it: its outbound queue, the
//! slot where its session finds phase changes, and the door it came
//! through.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::Notify;

use super::{Mailbox, Message};
use crate::edge::outbox::Outbox;
use crate::support::ids::Door;

/// What a room tells a connection's session about its phase (plain data:
/// in a cluster it may come from another process).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The room moved to another node of the cluster (taken over, or
    /// handed on): the session enters it again where it is now, with its
    /// seat's token or as a spectator, without the player reconnecting.
    Moved {
        /// The room's code.
        room: wordguess_protocol::RoomCode,
    },
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
    /// Leaves `signal` for the session and wakes it. A `Replaced` not yet
    /// taken stays: it is final (the connection closes), and a later
    /// signal, such as the room moving, must not make the session take the
    /// seat back from the connection that replaced it.
    pub fn put(&self, signal: Signal) {
        {
            let mut value = self.value.lock();
            if *value != Some(Signal::Replaced) {
                *value = Some(signal);
            }
        }
        self.notify.notify_one();
    }

    /// Takes the waiting signal, if any.
    pub fn take(&self) -> Option<Signal> {
        self.value.lock().take()
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

/// How a room reaches one connection of this node.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The connection's events (bounded; full means kicked).
    pub outbox: Outbox,
    /// The session's phase changes.
    pub signals: Arc<SignalSlot>,
    /// The door the connection came through.
    pub door: Door,
}

impl Mailbox for Endpoint {
    fn deliver(&self, message: Message) {
        match message {
            Message::Event(event) => {
                self.outbox.send(event);
            }
            Message::Signal(signal) => self.signals.put(signal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_not_yet_taken_is_not_overwritten() {
        let slot = SignalSlot::default();
        let code = wordguess_protocol::RoomCode::parse("H2W2S2").expect("a code");
        slot.put(Signal::Moved { room: code.clone() });
        slot.put(Signal::Refused { retry: true });
        assert_eq!(
            slot.take(),
            Some(Signal::Refused { retry: true }),
            "the latest wins"
        );
        slot.put(Signal::Replaced);
        slot.put(Signal::Moved { room: code });
        assert_eq!(
            slot.take(),
            Some(Signal::Replaced),
            "the connection still closes"
        );
        assert_eq!(slot.take(), None);
    }
}
