//! The in-process [`RoomDirectory`]: every room runs on this node.
//!
//! Its locks are held only to read, insert or remove one entry (and, when
//! a room opens, while `Launch` builds its first state, which does no IO),
//! never across a room's work, so rooms never wait on each other. Rooms are
//! started by the `Launch` function the server gives it (the directory
//! knows a room only by its messages), and keep it up to date through
//! [`RoomReports`].

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, MutexGuard};
use rand::Rng;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::command::ROOM_CODE_ALPHABET;
use wordguess_protocol::{ResumeToken, RoomCode};

use super::{Launch, RoomDirectory, RoomHandle, RoomStatus};
use crate::room::actor::RoomStart;
use crate::room::messages::{inbox as room_inbox, RoomKind, RoomReport, RoomReports};
use crate::room::saved::RoomSave;
use crate::support::ids::NodeId;
use crate::support::metrics::Metrics;
use crate::support::pending::{ready, Pending};

/// The quick-match room that is gathering, and how many entries it was
/// offered.
#[derive(Debug)]
struct QuickSlot {
    /// The room.
    handle: RoomHandle,
    /// Entries sent its way that have not been refused or left.
    offered: usize,
}

/// The rooms of this node.
pub struct LocalDirectory {
    /// This node.
    node: NodeId,
    /// Players a quick-match game waits for (entries offered per room).
    players_to_start: usize,
    /// Capacity of each room's inbox.
    inbox: usize,
    /// Starts rooms.
    launch: Launch,
    /// Open rooms by code (a handle also carries what its room shows
    /// sessions, which the reports update).
    rooms: Mutex<HashMap<RoomCode, RoomHandle>>,
    /// The quick-match room that is gathering, if one was made.
    quick: Mutex<Option<QuickSlot>>,
    /// Which room each live resume token belongs to.
    tokens: Mutex<HashMap<ResumeToken, RoomCode>>,
    /// The rooms gauge.
    metrics: Arc<Metrics>,
    /// The server's shutdown: each room's stop token is a child of it.
    shutdown: CancellationToken,
    /// Itself, as the rooms' report sink.
    me: Weak<LocalDirectory>,
}

impl std::fmt::Debug for LocalDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalDirectory")
            .field("node", &self.node)
            .field("rooms", &self.rooms.lock().len())
            .finish_non_exhaustive()
    }
}

impl LocalDirectory {
    /// A directory of `node`'s rooms, started by `launch`, whose quick
    /// matches wait for `players_to_start` and whose inboxes hold `inbox`;
    /// its rooms stop when `shutdown` is cancelled.
    pub fn new(
        node: NodeId,
        players_to_start: usize,
        inbox: usize,
        launch: Launch,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            node,
            players_to_start,
            inbox: inbox.max(1),
            launch,
            rooms: Mutex::default(),
            quick: Mutex::default(),
            tokens: Mutex::default(),
            metrics,
            shutdown,
            me: me.clone(),
        })
    }

    /// Claims a room saved before (a restart), with its code and the tokens
    /// of its seats, and starts it; `None` (logged) if a room with its code
    /// is open already. A quick-match room still gathering gathers again.
    /// Called before any connection is served.
    pub fn claim(&self, code: RoomCode, save: RoomSave) -> Option<RoomHandle> {
        let rooms = self.rooms.lock();
        if rooms.contains_key(&code) {
            tracing::error!(room = %code, "a saved room's code is taken; not restored");
            return None;
        }
        {
            let mut tokens = self.tokens.lock();
            for link in &save.seats {
                tokens.insert(link.token.clone(), code.clone());
            }
        }
        let gathering = save.is_quick_gathering();
        let offered = save.seats.len();
        tracing::info!(room = %code, kind = ?save.kind, seats = offered, "room restored");
        let handle = self.open(rooms, code, RoomStart::Restored(Box::new(save)), gathering);
        let mut quick = self.quick.lock();
        if gathering && quick.is_none() {
            *quick = Some(QuickSlot {
                handle: handle.clone(),
                offered,
            });
        }
        Some(handle)
    }

    /// A new room of `kind` with a fresh code (checked and taken under one
    /// lock, so no two rooms share a code).
    fn spawn(&self, kind: RoomKind) -> RoomHandle {
        let rooms = self.rooms.lock();
        let code = loop {
            let mut rng = rand::rng();
            let indexes = std::array::from_fn(|_| rng.random_range(0..ROOM_CODE_ALPHABET.len()));
            let code = RoomCode::from_indexes(indexes);
            if !rooms.contains_key(&code) {
                break code;
            }
        };
        tracing::info!(room = %code, ?kind, "room opened");
        self.open(
            rooms,
            code,
            RoomStart::Fresh(kind),
            kind == RoomKind::QuickMatch,
        )
    }

    /// Registers room `code` (under the lock its code was checked under)
    /// and starts its task.
    fn open(
        &self,
        mut rooms: MutexGuard<'_, HashMap<RoomCode, RoomHandle>>,
        code: RoomCode,
        start: RoomStart,
        gathering: bool,
    ) -> RoomHandle {
        let (inbox, receiver) = room_inbox(self.inbox);
        let status = Arc::new(RoomStatus::new(gathering));
        let handle = RoomHandle::new(code.clone(), self.node, inbox, status);
        rooms.insert(code.clone(), handle.clone());
        drop(rooms);
        self.metrics.rooms.inc();
        let reports: Arc<dyn RoomReports> =
            self.me.upgrade().expect("the directory outlives its calls");
        // A room of a single process is never lost to another node: it
        // stops only with the server.
        (self.launch)(code, start, receiver, reports, self.shutdown.child_token());
        handle
    }

    /// The open room with this code, now.
    fn get(&self, code: &RoomCode) -> Option<RoomHandle> {
        self.rooms
            .lock()
            .get(code)
            .filter(|handle| !handle.is_closed())
            .cloned()
    }

    /// The gathering quick-match room with a seat to offer, made if needed.
    fn quick_seat(&self) -> RoomHandle {
        let mut slot = self.quick.lock();
        if let Some(quick) = slot.as_mut().filter(|q| q.handle.is_gathering()) {
            if quick.offered < self.players_to_start {
                quick.offered += 1;
                return quick.handle.clone();
            }
        }
        let handle = self.spawn(RoomKind::QuickMatch);
        *slot = Some(QuickSlot {
            handle: handle.clone(),
            offered: 1,
        });
        handle
    }
}

impl RoomDirectory for LocalDirectory {
    fn find(&self, code: &RoomCode) -> Pending<'_, Option<RoomHandle>> {
        ready(self.get(code))
    }

    fn find_by_token(&self, token: &ResumeToken) -> Pending<'_, Option<RoomHandle>> {
        let code = self.tokens.lock().get(token).cloned();
        ready(code.and_then(|code| self.get(&code)))
    }

    fn quick_room(&self) -> Pending<'_, RoomHandle> {
        ready(self.quick_seat())
    }

    fn release_quick_seat(&self, code: &RoomCode) {
        if let Some(quick) = self
            .quick
            .lock()
            .as_mut()
            .filter(|q| q.handle.code == *code)
        {
            quick.offered = quick.offered.saturating_sub(1);
        }
    }

    fn create_private(&self) -> Pending<'_, RoomHandle> {
        ready(self.spawn(RoomKind::Private))
    }

    fn open_rooms(&self) -> usize {
        self.rooms.lock().len()
    }
}

impl RoomReports for LocalDirectory {
    fn report(&self, room: &RoomCode, report: RoomReport) {
        match report {
            RoomReport::TokenIssued(token) => {
                // 128 random bits: a token already in use is as good as
                // impossible, but it must never move another seat.
                match self.tokens.lock().entry(token) {
                    Entry::Occupied(_) => {
                        tracing::error!(room = %room, "a resume token came up twice; the first keeps it");
                    }
                    Entry::Vacant(free) => {
                        free.insert(room.clone());
                    }
                }
            }
            RoomReport::TokensRevoked(tokens) => {
                let mut map = self.tokens.lock();
                for token in &tokens {
                    map.remove(token);
                }
            }
            RoomReport::QuickSeatFreed => self.release_quick_seat(room),
            RoomReport::GatheringOver => {
                if let Some(handle) = self.rooms.lock().get(room) {
                    handle.status.end_gathering();
                }
            }
            RoomReport::Saving { works } => {
                if let Some(handle) = self.rooms.lock().get(room) {
                    handle.status.set_unsaved(!works);
                }
            }
            RoomReport::Closed | RoomReport::Lost { .. } => {
                if self.rooms.lock().remove(room).is_some() {
                    self.metrics.rooms.dec();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rooms a test directory started, with their inboxes.
    type Started = Arc<Mutex<Vec<(RoomCode, crate::room::messages::InboxReceiver)>>>;

    /// A directory whose rooms are only recorded (no task runs them), for
    /// quick matches of two.
    fn directory() -> (Arc<LocalDirectory>, Started, Arc<Metrics>) {
        let started = Started::default();
        let record = started.clone();
        let launch: Launch = Box::new(move |code, _start, inbox, _reports, _lost| {
            record.lock().push((code, inbox));
        });
        let metrics = Arc::new(Metrics::default());
        let directory = LocalDirectory::new(
            NodeId(3),
            2,
            8,
            launch,
            metrics.clone(),
            CancellationToken::new(),
        );
        (directory, started, metrics)
    }

    async fn quick(directory: &LocalDirectory) -> RoomCode {
        directory.quick_room().await.code
    }

    #[tokio::test]
    async fn a_quick_match_room_is_offered_as_many_times_as_its_game_needs() {
        let (directory, started, _) = directory();
        let first = quick(&directory).await;
        assert_eq!(quick(&directory).await, first);
        let next = quick(&directory).await;
        assert_ne!(next, first, "the third newcomer gathers in a new room");
        directory.release_quick_seat(&next);
        assert_eq!(
            quick(&directory).await,
            next,
            "a freed seat is offered again"
        );
        assert_eq!(started.lock().len(), 2);
        assert_eq!(directory.quick_room().await.node, NodeId(3));
    }

    #[tokio::test]
    async fn rooms_report_tokens_the_end_of_gathering_and_their_closing() {
        let (directory, _started, metrics) = directory();
        let room = directory.create_private().await;
        let code = room.code.clone();
        assert!(directory.find(&code).await.is_some());
        assert!(metrics.encode().contains("wordguess_rooms 1"));
        let token = ResumeToken::from_bits(5);
        directory.report(&code, RoomReport::TokenIssued(token.clone()));
        let found = directory
            .find_by_token(&token)
            .await
            .expect("the token's room");
        assert_eq!(found.code, code);
        directory.report(&code, RoomReport::Saving { works: false });
        assert!(room.is_unsaved());
        directory.report(&code, RoomReport::TokensRevoked(vec![token.clone()]));
        assert!(directory.find_by_token(&token).await.is_none());

        let gathering = directory.quick_room().await;
        directory.report(&gathering.code, RoomReport::GatheringOver);
        assert!(!gathering.is_gathering());
        assert_ne!(
            quick(&directory).await,
            gathering.code,
            "a started game takes no one"
        );

        directory.report(&code, RoomReport::Closed);
        assert!(directory.find(&code).await.is_none());
        assert_eq!(directory.open_rooms(), 2);
        assert!(metrics.encode().contains("wordguess_rooms 2"));
    }

    #[tokio::test]
    async fn a_claimed_room_brings_its_tokens_and_gathers_again() {
        let (directory, started, _) = directory();
        let json = r#"{"kind":"quick_match","words":"server","language":null,"turn_millis":null,"games_played":0,"wins":{},"next_seat":2,"game":{"word":"apple","shown":"00000","named":[],"ring":[{"id":1,"name":"alice","points":0}],"turn":0,"start":{"when_full":2},"turn_millis":null,"grace_millis":120000,"phase":"gathering","moves":0},"seats":[{"seat":1,"token":"0000000000000000000000000000002a","door":"tcp"}],"started_at":null}"#;
        let save: RoomSave = serde_json::from_str(json).expect("a saved room");
        let code = RoomCode::parse("H2W2S2").expect("a code");
        directory.claim(code.clone(), save).expect("a free code");
        let token = ResumeToken::from_bits(42);
        assert_eq!(
            directory.find_by_token(&token).await.map(|room| room.code),
            Some(code.clone())
        );
        assert_eq!(quick(&directory).await, code, "its free seat is offered");
        assert_ne!(quick(&directory).await, code, "one seat was kept for alice");
        assert_eq!(started.lock().len(), 2);
    }
}
