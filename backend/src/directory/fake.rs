//! A fake [`RoomDirectory`] for unit tests: rooms are inboxes the test
//! reads, so a test plays the room a session talks to.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use wordguess_protocol::{ResumeToken, RoomCode};

use super::{RoomDirectory, RoomHandle, RoomStatus};
use crate::room::messages::{InboxReceiver, RoomInput};
use crate::support::ids::NodeId;
use crate::support::pending::{ready, Pending};

/// A room's inbox as a test reads it.
#[derive(Debug)]
pub struct FakeInbox(InboxReceiver);

impl FakeInbox {
    /// The next input sent to the room.
    pub async fn recv(&mut self) -> Option<RoomInput> {
        self.0.recv().await.map(|input| *input)
    }
}

/// Rooms a test plays.
#[derive(Debug, Default)]
pub struct FakeDirectory {
    /// Open rooms.
    rooms: Mutex<HashMap<RoomCode, RoomHandle>>,
    /// Inboxes of the rooms, until the test takes them.
    inboxes: Mutex<HashMap<RoomCode, InboxReceiver>>,
    /// Tokens and the rooms they take a seat back in.
    tokens: Mutex<HashMap<ResumeToken, RoomHandle>>,
    /// The quick-match room, if the test opened one.
    quick: Mutex<Option<RoomCode>>,
    /// Quick-match seats given back, in order.
    released: Mutex<Vec<RoomCode>>,
    /// Private rooms created, in order.
    created: Mutex<Vec<RoomCode>>,
}

/// The room code a fake room `n` gets.
fn code(n: usize) -> RoomCode {
    let alphabet = wordguess_protocol::command::ROOM_CODE_ALPHABET.len();
    RoomCode::from_indexes(std::array::from_fn(|i| (n >> i) % alphabet))
}

impl FakeDirectory {
    /// Opens a room; its inbox waits for [`FakeDirectory::inbox`].
    pub fn open(&self) -> RoomCode {
        let code = code(self.rooms.lock().len() + 1);
        let (sender, receiver) = crate::room::messages::inbox(16);
        let status = Arc::new(RoomStatus::new(true));
        let handle = RoomHandle::new(code.clone(), NodeId(0), sender, status);
        self.rooms.lock().insert(code.clone(), handle);
        self.inboxes.lock().insert(code.clone(), receiver);
        code
    }

    /// Opens the quick-match room.
    pub fn open_quick(&self) -> RoomCode {
        let code = self.open();
        *self.quick.lock() = Some(code.clone());
        code
    }

    /// Takes room `code`'s inbox, to play the room.
    pub fn inbox(&self, code: &RoomCode) -> FakeInbox {
        FakeInbox(self.inboxes.lock().remove(code).expect("an open room"))
    }

    /// Gives `token` to a seat of room `code`.
    pub fn add_token(&self, token: ResumeToken, code: &RoomCode) {
        let room = self.get(code).expect("an open room");
        self.tokens.lock().insert(token, room);
    }

    /// Quick-match seats given back.
    pub fn released(&self) -> Vec<RoomCode> {
        self.released.lock().clone()
    }

    /// Private rooms created.
    pub fn created(&self) -> Vec<RoomCode> {
        self.created.lock().clone()
    }

    fn get(&self, code: &RoomCode) -> Option<RoomHandle> {
        self.rooms.lock().get(code).cloned()
    }
}

impl RoomDirectory for FakeDirectory {
    fn find(&self, code: &RoomCode) -> Pending<'_, Option<RoomHandle>> {
        ready(self.get(code))
    }

    fn find_by_token(&self, token: &ResumeToken) -> Pending<'_, Option<RoomHandle>> {
        ready(self.tokens.lock().get(token).cloned())
    }

    fn quick_room(&self) -> Pending<'_, RoomHandle> {
        let code = self
            .quick
            .lock()
            .clone()
            .expect("the test opened a quick room");
        ready(self.get(&code).expect("open"))
    }

    fn release_quick_seat(&self, code: &RoomCode) {
        self.released.lock().push(code.clone());
    }

    fn create_private(&self) -> Pending<'_, RoomHandle> {
        let code = self.open();
        self.created.lock().push(code.clone());
        ready(self.get(&code).expect("open"))
    }

    fn open_rooms(&self) -> usize {
        self.rooms.lock().len()
    }
}
