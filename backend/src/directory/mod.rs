//! The room directory: which room a code names, which room a resume token
//! belongs to, the quick-match room that is gathering, and which rooms are
//! open here (claimed when they open, released when they report closed).
//!
//! Sessions find rooms only through [`RoomDirectory`] and talk to them
//! through a [`RoomHandle`] (a code, the node the room lives on, and an
//! inbox of plain-data [`RoomInput`]s). Rooms keep the directory up to date
//! by reporting ([`crate::room::RoomReport`]: a token issued or revoked, a
//! quick-match seat freed, the gathering over, saving failing or working,
//! the room closed); they never call into it. [`LocalDirectory`] runs
//! every room on this node; [`ClusterDirectory`] keeps the same maps in
//! Redis, runs this node's rooms and forwards to the others', and takes
//! over the rooms of nodes that die.

pub mod cluster;
#[cfg(test)]
pub mod fake;
pub mod local;
pub mod reports;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::{ResumeToken, RoomCode};

pub use cluster::ClusterDirectory;
pub use local::LocalDirectory;

use crate::room::actor::RoomStart;
use crate::room::messages::{InboxReceiver, InboxSender, RoomInput, RoomReports};
use crate::support::ids::NodeId;
use crate::support::pending::Pending;

/// Starts a room's task: its code, how it begins, its inbox, where it
/// reports, and the token that stops it: a child of the server's shutdown
/// token, also cancelled when this node loses the room (never, in a single
/// process).
pub type Launch = Box<
    dyn Fn(RoomCode, RoomStart, InboxReceiver, Arc<dyn RoomReports>, CancellationToken)
        + Send
        + Sync,
>;

/// What a room shows sessions without a message (the directory writes it
/// from the room's reports).
#[derive(Debug, Default)]
pub struct RoomStatus {
    /// A quick-match room still takes players.
    gathering: AtomicBool,
    /// The room's state cannot be saved now.
    unsaved: AtomicBool,
}

impl RoomStatus {
    /// A status; `gathering` for a quick-match room that takes players.
    pub fn new(gathering: bool) -> Self {
        Self {
            gathering: AtomicBool::new(gathering),
            unsaved: AtomicBool::new(false),
        }
    }

    /// The quick-match room takes no more players.
    pub fn end_gathering(&self) {
        self.gathering.store(false, Ordering::Release);
    }

    /// Whether the room's saves fail.
    pub fn set_unsaved(&self, unsaved: bool) {
        self.unsaved.store(unsaved, Ordering::Release);
    }
}

/// The room's inbox was closed: the room has closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the room has closed")]
pub struct RoomClosed;

/// A way to talk to one room, wherever it runs.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    /// The room's code.
    pub code: RoomCode,
    /// The node the room lives on.
    pub node: NodeId,
    /// The room's inbox (bounded: a sender waits while it is full).
    inbox: InboxSender,
    /// What the room shows without a message.
    status: Arc<RoomStatus>,
}

impl RoomHandle {
    /// A handle on room `code` of `node`, reached through `inbox`.
    pub fn new(code: RoomCode, node: NodeId, inbox: InboxSender, status: Arc<RoomStatus>) -> Self {
        Self {
            code,
            node,
            inbox,
            status,
        }
    }

    /// Sends the room an input, waiting while its inbox is full.
    ///
    /// # Errors
    ///
    /// [`RoomClosed`] if the room has closed.
    pub async fn send(&self, input: RoomInput) -> Result<(), RoomClosed> {
        self.inbox
            .send(Box::new(input))
            .await
            .map_err(|_| RoomClosed)
    }

    /// Sends the room an input if its inbox has room now; gives the input
    /// back if not.
    ///
    /// # Errors
    ///
    /// The input, if the inbox is full or closed.
    pub fn try_send(&self, input: RoomInput) -> Result<(), RoomInput> {
        self.inbox
            .try_send(Box::new(input))
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(input)
                | mpsc::error::TrySendError::Closed(input) => *input,
            })
    }

    /// Whether the room has closed.
    pub fn is_closed(&self) -> bool {
        self.inbox.is_closed()
    }

    /// Whether a quick-match room still takes players.
    pub fn is_gathering(&self) -> bool {
        self.status.gathering.load(Ordering::Acquire) && !self.is_closed()
    }

    /// Whether the room's state cannot be saved now.
    pub fn is_unsaved(&self) -> bool {
        self.status.unsaved.load(Ordering::Acquire)
    }
}

/// The room directory seam.
pub trait RoomDirectory: Send + Sync + fmt::Debug {
    /// The open room with this code.
    fn find(&self, code: &RoomCode) -> Pending<'_, Option<RoomHandle>>;

    /// The room holding the seat of this token.
    fn find_by_token(&self, token: &ResumeToken) -> Pending<'_, Option<RoomHandle>>;

    /// A seat in the quick-match room that is gathering, made now if
    /// needed. Each room is offered only as many entries as its game needs,
    /// so a crowd arriving at once fills one room after another.
    fn quick_room(&self) -> Pending<'_, RoomHandle>;

    /// A seat offered in quick-match room `code` is free again (the entry
    /// was refused).
    fn release_quick_seat(&self, code: &RoomCode);

    /// A new private room, claimed by this node.
    fn create_private(&self) -> Pending<'_, RoomHandle>;

    /// How many rooms are open.
    fn open_rooms(&self) -> usize;
}
