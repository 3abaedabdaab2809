//! A connection of this node as a room reaches it: its outbound queue, the
//! slot where its session finds phase changes, and the door it came
//! through.

use std::sync::Arc;
use std::task::Poll;

use futures_util::task::AtomicWaker;
use parking_lot::Mutex;

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
    /// Events for the connection were lost on their way from another node
    /// of the cluster: the session enters its room again, which sends it
    /// the whole picture.
    Missed,
}

/// The phase changes one session has not taken yet: at most one of each
/// kind matters (a slot and a waker cost far less per connection than a
/// channel).
///
/// - A replacement is final (the connection closes): once put, it is all
///   the slot gives, so nothing later (such as the room moving) can make
///   the session take the seat back from the connection that replaced it.
/// - An answer to an entry (seated, watching, refused): the latest wins.
/// - A request to enter the room again ([`Signal::Moved`],
///   [`Signal::Missed`]) is kept beside the answer, not overwritten by it,
///   and given after it: a room that moves while a session enters it is
///   still entered again where it is now.
#[derive(Debug, Default)]
pub struct SignalSlot {
    /// The signals not yet taken.
    pending: Mutex<Pending>,
    /// Wakes the session's task (the one that waits: what is pending is
    /// the state, so nothing put while it does not wait is lost). Not a
    /// `Notify`: every idle connection waits here, and a `Notify`'s wait
    /// costs about 80 bytes where this one costs 8.
    waker: AtomicWaker,
}

/// What a [`SignalSlot`] holds (kept small: every connection has one).
#[derive(Debug, Default)]
struct Pending {
    /// The seat moved to another connection.
    replaced: bool,
    /// The latest answer to an entry (boxed: rare, and large).
    answer: Option<Box<Signal>>,
    /// The latest request to enter the room again.
    reentry: Option<Reentry>,
}

/// A request to enter the room again, as kept.
#[derive(Debug)]
enum Reentry {
    /// [`Signal::Moved`].
    Moved(wordguess_protocol::RoomCode),
    /// [`Signal::Missed`].
    Missed,
}

impl SignalSlot {
    /// Leaves `signal` for the session and wakes it.
    pub fn put(&self, signal: Signal) {
        {
            let mut pending = self.pending.lock();
            match signal {
                Signal::Replaced => pending.replaced = true,
                Signal::Moved { room } => pending.reentry = Some(Reentry::Moved(room)),
                Signal::Missed => pending.reentry = Some(Reentry::Missed),
                answer => pending.answer = Some(Box::new(answer)),
            }
        }
        self.waker.wake();
    }

    /// Takes the next signal, if any: a replacement (kept: it stays the
    /// answer), else the answer, else a request to enter again.
    pub fn take(&self) -> Option<Signal> {
        let mut pending = self.pending.lock();
        if pending.replaced {
            return Some(Signal::Replaced);
        }
        if let Some(answer) = pending.answer.take() {
            return Some(*answer);
        }
        pending.reentry.take().map(|reentry| match reentry {
            Reentry::Moved(room) => Signal::Moved { room },
            Reentry::Missed => Signal::Missed,
        })
    }

    /// Forgets answers and requests to enter again not yet taken (before
    /// the session sends a new entry); a replacement stays.
    pub fn forget_stale(&self) {
        let mut pending = self.pending.lock();
        pending.answer = None;
        pending.reentry = None;
    }

    /// Waits for the next signal (for the session's own task: a wait from
    /// another task would take its wake-up).
    pub fn next(&self) -> impl std::future::Future<Output = Signal> + Send + '_ {
        std::future::poll_fn(move |cx| {
            if let Some(signal) = self.take() {
                return Poll::Ready(signal);
            }
            // Registered before the second look, so a signal put between
            // the two wakes this wait.
            self.waker.register(cx.waker());
            self.take().map_or(Poll::Pending, Poll::Ready)
        })
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
    fn a_request_to_enter_again_is_not_overwritten_by_an_answer() {
        let slot = SignalSlot::default();
        let code = wordguess_protocol::RoomCode::parse("H2W2S2").expect("a code");
        slot.put(Signal::Moved { room: code.clone() });
        slot.put(Signal::Refused { retry: true });
        slot.put(Signal::Watching { room: code.clone() });
        assert_eq!(
            slot.take(),
            Some(Signal::Watching { room: code.clone() }),
            "the latest answer first"
        );
        assert_eq!(
            slot.take(),
            Some(Signal::Moved { room: code }),
            "then the move"
        );
        assert_eq!(slot.take(), None);
        slot.put(Signal::Missed);
        slot.forget_stale();
        assert_eq!(slot.take(), None, "a new entry forgets what came before");
    }

    #[test]
    fn a_replacement_is_final() {
        let slot = SignalSlot::default();
        let code = wordguess_protocol::RoomCode::parse("H2W2S2").expect("a code");
        slot.put(Signal::Replaced);
        slot.put(Signal::Moved { room: code });
        slot.forget_stale();
        assert_eq!(slot.take(), Some(Signal::Replaced));
        assert_eq!(
            slot.take(),
            Some(Signal::Replaced),
            "the connection still closes"
        );
    }
}
