//! Where sessions find rooms: room code → room handle, the quick-match
//! room that is gathering, and resume token → room.
//!
//! The registry never touches a room's state. Its locks are held only to
//! read, insert or remove one entry, never across a room's work, so rooms
//! never wait on each other. A [`RoomHandle`] is a code and an inbox of
//! plain-data messages ([`RoomInput`]): nothing in it assumes the room runs
//! in this process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::Rng;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wordguess_protocol::command::{ROOM_CODE_ALPHABET, ROOM_CODE_LEN};
use wordguess_protocol::{Language, ResumeToken, RoomCode};

use crate::persist::{Persistence, RoomSave};
use crate::room::{self, RoomInput, RoomKind, RoomStart};
use crate::switchboard::Switchboard;
use crate::words::WordList;

/// What every new room starts with.
#[derive(Debug, Clone)]
pub struct RoomDefaults {
    /// The server's words (built-in lists or `--words`).
    pub words: WordList,
    /// The language the server's words are in, as rooms show it.
    pub language: Language,
    /// Whether the server's words come from a `--words` file.
    pub words_from_file: bool,
    /// Players a quick-match game waits for before it starts.
    pub players_to_start: usize,
    /// Time per turn; `None` for no limit.
    pub turn_time: Option<Duration>,
    /// How long a lost seat is kept.
    pub resume_grace: Duration,
    /// How long a room with nobody in it stays open.
    pub idle_close: Duration,
    /// Capacity of each room's inbox.
    pub inbox: usize,
    /// The web app's address for invite links (`http://host:port`), or
    /// empty if unknown.
    pub public_url: String,
    /// The TCP game door's port, for `nc HOST PORT`.
    pub tcp_port: u16,
}

/// What a room shows the sessions without a message (it alone writes them).
#[derive(Debug, Default)]
pub struct RoomFlags {
    /// A quick-match room still takes players (cleared when its game
    /// stops gathering).
    pub gathering: AtomicBool,
    /// The room's state cannot be saved now (its database writes fail).
    pub unsaved: AtomicBool,
}

/// A way to talk to one room's owner task.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    /// The room's code.
    pub code: RoomCode,
    /// The room's inbox.
    pub inbox: mpsc::Sender<RoomInput>,
    /// What the room shows the sessions without a message.
    pub flags: Arc<RoomFlags>,
}

impl RoomHandle {
    /// Whether a quick-match room still takes players.
    fn is_gathering(&self) -> bool {
        self.flags.gathering.load(Ordering::Acquire) && !self.inbox.is_closed()
    }
}

/// The quick-match room that is gathering, and how many entries it was
/// offered.
#[derive(Debug)]
struct QuickSlot {
    /// The room.
    handle: RoomHandle,
    /// Entries sent its way that have not been refused or left.
    offered: usize,
}

/// The rooms of this server.
#[derive(Debug)]
pub struct Registry {
    /// What new rooms start with.
    pub defaults: RoomDefaults,
    /// Open rooms by code.
    rooms: Mutex<HashMap<RoomCode, RoomHandle>>,
    /// The quick-match room that is gathering, if one was made.
    quick: Mutex<Option<QuickSlot>>,
    /// Which room each live resume token belongs to.
    tokens: Mutex<HashMap<ResumeToken, RoomCode>>,
    /// Where connections are found.
    pub switchboard: Arc<Switchboard>,
    /// The database's one writer, if there is a database.
    pub writer: Option<wordguess_store::Writer>,
    /// Reads from the database (history, leaderboard), if there is one.
    pub records: Option<crate::persist::Records>,
    /// Saves that are over, for the release task to send what waited.
    pub releases: Arc<crate::release::Releases>,
    /// What an operator watches.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where room tasks are spawned, so shutdown waits for them.
    tasks: TaskTracker,
    /// Stops every room when the server shuts down.
    shutdown: CancellationToken,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    /// A registry making rooms with `defaults`, spawning them on `tasks`.
    pub fn new(
        defaults: RoomDefaults,
        switchboard: Arc<Switchboard>,
        persistence: Option<&Persistence>,
        tasks: TaskTracker,
        shutdown: CancellationToken,
    ) -> Self {
        let releases = Arc::<crate::release::Releases>::default();
        if persistence.is_some() {
            tasks.spawn(crate::release::run(releases.clone(), shutdown.clone()));
        }
        Self {
            releases,
            metrics: Arc::default(),
            writer: persistence.map(|p| p.writer.clone()),
            records: persistence.map(|p| crate::persist::Records::new(p.store.clone())),
            defaults,
            rooms: Mutex::default(),
            quick: Mutex::default(),
            tokens: Mutex::default(),
            switchboard,
            tasks,
            shutdown,
        }
    }

    /// A seat in the quick-match room that is gathering, made now if
    /// needed. Each room is offered only as many entries as its game needs,
    /// so a crowd arriving at once fills one room after another instead of
    /// all knocking at the same door and being turned away together.
    pub fn quick_room(self: &Arc<Self>) -> RoomHandle {
        let mut slot = lock(&self.quick);
        if let Some(quick) = slot.as_mut().filter(|q| q.handle.is_gathering()) {
            if quick.offered < self.defaults.players_to_start {
                quick.offered += 1;
                return quick.handle.clone();
            }
        }
        let handle = self.spawn_room(RoomKind::QuickMatch);
        *slot = Some(QuickSlot {
            handle: handle.clone(),
            offered: 1,
        });
        handle
    }

    /// A seat offered in quick-match room `code` is free again (the entry
    /// was refused, or the player left before the start).
    pub fn release_quick_seat(&self, code: &RoomCode) {
        if let Some(quick) = lock(&self.quick)
            .as_mut()
            .filter(|q| q.handle.code == *code)
        {
            quick.offered = quick.offered.saturating_sub(1);
        }
    }

    /// A new private room.
    pub fn create_private(self: &Arc<Self>) -> RoomHandle {
        self.spawn_room(RoomKind::Private)
    }

    /// The open room with this code.
    pub fn get(&self, code: &RoomCode) -> Option<RoomHandle> {
        lock(&self.rooms)
            .get(code)
            .filter(|h| !h.inbox.is_closed())
            .cloned()
    }

    /// The room holding the seat of this token.
    pub fn room_of_token(&self, token: &ResumeToken) -> Option<RoomHandle> {
        let code = lock(&self.tokens).get(token).cloned()?;
        self.get(&code)
    }

    /// A fresh resume token (128 random bits) for a seat in room `code`.
    pub fn issue_token(&self, code: &RoomCode) -> ResumeToken {
        let mut tokens = lock(&self.tokens);
        loop {
            let token = ResumeToken::from_bits(rand::rng().random());
            if !tokens.contains_key(&token) {
                tokens.insert(token.clone(), code.clone());
                return token;
            }
        }
    }

    /// Reopens rooms saved before a restart, with their codes and the
    /// tokens of their seats, before any connection is served.
    pub fn restore(self: &Arc<Self>, saved: Vec<(RoomCode, RoomSave)>) {
        for (code, save) in saved {
            {
                let mut tokens = lock(&self.tokens);
                for link in &save.seats {
                    tokens.insert(link.token.clone(), code.clone());
                }
            }
            let quick_gathering = save.is_quick_gathering();
            let offered = save.seats.len();
            let handle =
                self.open_room(lock(&self.rooms), code, RoomStart::Restored(Box::new(save)));
            let mut quick = lock(&self.quick);
            if quick_gathering && quick.is_none() {
                *quick = Some(QuickSlot { handle, offered });
            }
        }
    }

    /// Forgets tokens whose seats are gone.
    pub fn revoke_tokens<'a>(&self, tokens: impl IntoIterator<Item = &'a ResumeToken>) {
        let mut map = lock(&self.tokens);
        for token in tokens {
            map.remove(token);
        }
    }

    /// Forgets a room that has closed.
    pub fn remove_room(&self, code: &RoomCode) {
        if lock(&self.rooms).remove(code).is_some() {
            self.metrics.rooms.dec();
        }
    }

    /// How many rooms are open.
    pub fn open_rooms(&self) -> usize {
        lock(&self.rooms).len()
    }

    /// A new room with a fresh code.
    fn spawn_room(self: &Arc<Self>, kind: RoomKind) -> RoomHandle {
        let rooms = lock(&self.rooms);
        let code = loop {
            let mut rng = rand::rng();
            let indexes = std::array::from_fn(|_| rng.random_range(0..ROOM_CODE_ALPHABET.len()));
            let code = RoomCode::from_indexes(indexes);
            if !rooms.contains_key(&code) {
                break code;
            }
        };
        debug_assert_eq!(code.as_str().len(), ROOM_CODE_LEN);
        self.open_room(rooms, code, RoomStart::Fresh(kind))
    }

    /// Registers room `code` (under the lock its code was checked under)
    /// and starts its owner task.
    fn open_room(
        self: &Arc<Self>,
        mut rooms: MutexGuard<'_, HashMap<RoomCode, RoomHandle>>,
        code: RoomCode,
        start: RoomStart,
    ) -> RoomHandle {
        let (inbox, receiver) = mpsc::channel(self.defaults.inbox.max(1));
        let quick_gathering = match &start {
            RoomStart::Fresh(kind) => *kind == RoomKind::QuickMatch,
            RoomStart::Restored(save) => save.is_quick_gathering(),
        };
        let flags = Arc::new(RoomFlags {
            gathering: AtomicBool::new(quick_gathering),
            unsaved: AtomicBool::new(false),
        });
        let handle = RoomHandle {
            code: code.clone(),
            inbox,
            flags: flags.clone(),
        };
        rooms.insert(code.clone(), handle.clone());
        drop(rooms);
        self.metrics.rooms.inc();
        match &start {
            RoomStart::Fresh(kind) => tracing::info!(room = %code, ?kind, "room opened"),
            RoomStart::Restored(save) => {
                tracing::info!(room = %code, kind = ?save.kind, seats = save.seats.len(), "room restored");
            }
        }
        self.tasks.spawn(room::run(
            code,
            start,
            receiver,
            flags,
            self.clone(),
            self.shutdown.clone(),
        ));
        handle
    }
}
