//! A [`RoomStore`] in memory for unit tests: it keeps saved states, logged
//! moves and finished games in maps, commits every save at once (or holds
//! the commits until the test lets them through), and can be told to fail
//! as a full disk would.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use wordguess_protocol::{GameRecord, RoomCode, Standing};

use super::{
    LoggedMove, Pending, Records, RecordsError, RoomStore, SaveDone, StoreError, StoredRoom,
    StoredRooms, Write,
};
use crate::support::pending::ready;

/// What the store holds.
#[derive(Debug, Default)]
pub struct Kept {
    /// Saved states by code, with the id of the last move each includes.
    pub rooms: BTreeMap<String, (String, i64)>,
    /// Logged moves by id.
    pub log: BTreeMap<i64, LoggedMove>,
    /// Finished games, oldest first.
    pub games: Vec<GameRecord>,
    /// The last log id handed out.
    last_id: i64,
}

/// A save waiting for its commit: its writes and what runs after.
type HeldSave = (Vec<Write>, SaveDone);

/// A store in memory.
#[derive(Default)]
pub struct MemoryStore {
    /// What is kept.
    pub kept: Mutex<Kept>,
    /// Whether writes fail (as on a full disk).
    pub failing: AtomicBool,
    /// While `Some`, saves wait here instead of committing.
    held: Mutex<Option<Vec<HeldSave>>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("kept", &self.kept)
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// From now on, saves wait until [`MemoryStore::commit_held`].
    pub fn hold_commits(&self) {
        self.held.lock().get_or_insert_with(Vec::new);
    }

    /// Commits the saves that waited, in order, and stops holding them.
    /// Returns how many there were.
    pub fn commit_held(&self) -> usize {
        let held = self.held.lock().take().unwrap_or_default();
        let count = held.len();
        for (writes, done) in held {
            done(self.apply(writes));
        }
        count
    }

    /// Applies `writes` as one transaction, or fails them all.
    fn apply(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if self.failing.load(Ordering::Relaxed) {
            return Err(StoreError::Full {
                path: PathBuf::from("memory"),
            });
        }
        let mut kept = self.kept.lock();
        for write in writes {
            match write {
                Write::SaveRoom { code, state } => {
                    let last = kept.last_id;
                    kept.rooms.insert(code, (state, last));
                }
                Write::DeleteRoom { code } => {
                    kept.rooms.remove(&code);
                }
                Write::RecordGame(record) => kept.games.push(record),
                Write::LogMove(logged) => {
                    kept.last_id += 1;
                    let id = kept.last_id;
                    kept.log.insert(id, logged);
                }
                Write::FoldLog { through } => kept.log.retain(|id, _| *id > through),
            }
        }
        Ok(())
    }

    /// Room `code` as saved, with its moves logged after its state.
    fn stored(kept: &Kept, code: &str) -> Option<StoredRoom> {
        let (state, after) = kept.rooms.get(code)?;
        let moves = kept
            .log
            .iter()
            .filter(|(id, logged)| **id > *after && logged.room == code)
            .map(|(id, logged)| (*id, logged.clone()))
            .collect();
        Some(StoredRoom {
            code: code.to_owned(),
            state: state.clone(),
            moves,
        })
    }
}

impl Records for MemoryStore {
    fn leaderboard(&self, _limit: usize) -> Pending<'_, Result<Vec<Standing>, RecordsError>> {
        ready(Ok(Vec::new()))
    }

    fn history(
        &self,
        room: &RoomCode,
        limit: usize,
    ) -> Pending<'_, Result<Vec<GameRecord>, RecordsError>> {
        let games = self
            .kept
            .lock()
            .games
            .iter()
            .rev()
            .filter(|game| game.room == room.as_str())
            .take(limit)
            .cloned()
            .collect();
        ready(Ok(games))
    }
}

impl RoomStore for MemoryStore {
    fn keeps_rooms(&self) -> bool {
        true
    }

    fn save(&self, writes: Vec<Write>, done: SaveDone) -> Pending<'_, ()> {
        if let Some(held) = self.held.lock().as_mut() {
            held.push((writes, done));
            return ready(());
        }
        done(self.apply(writes));
        ready(())
    }

    fn save_now(&self, writes: Vec<Write>) -> Pending<'_, Result<(), StoreError>> {
        ready(self.apply(writes))
    }

    fn restore_all(&self) -> Pending<'_, Result<StoredRooms, StoreError>> {
        let kept = self.kept.lock();
        let rooms = kept
            .rooms
            .keys()
            .filter_map(|code| Self::stored(&kept, code))
            .collect();
        let log_through = kept.log.keys().next_back().copied();
        ready(Ok(StoredRooms { rooms, log_through }))
    }

    fn restore(&self, code: &RoomCode) -> Pending<'_, Result<Option<StoredRoom>, StoreError>> {
        let stored = Self::stored(&self.kept.lock(), code.as_str());
        ready(Ok(stored))
    }

    fn close(&self) -> Pending<'_, ()> {
        ready(())
    }
}
