//! Persistence: the room store seam, its SQLite implementation, and the
//! release of events that wait for their saves.
//!
//! A room reaches the database only through [`RoomStore`]: it hands over
//! the writes of a step (a whole saved state, a logged move, a finished
//! game, a closed room) with a continuation that runs once they are
//! committed; it reads one room back by its code; and sessions and the HTTP
//! API read the records (history, leaderboard) through it. What crosses
//! the seam is plain data: [`Write`]s, opaque saved states and logged
//! moves, and the protocol's record types. The store knows nothing of a
//! room's insides: the room layer turns its state into text and back
//! (`room::saved`).
//!
//! Implementations: [`SqliteStore`] (the embedded default, one writer
//! thread with group commit), [`NoStore`] (`--db none`: nothing is kept)
//! [`redis::RedisStore`] (a node of a cluster: fenced writes in Redis)
//! and, for unit tests, a store in memory that can be told to fail.
//! [`release`] holds each room's events until their saves are committed.

#[cfg(test)]
pub mod memory;
pub mod redis;
pub mod release;
pub mod sqlite;

use std::fmt;

use wordguess_protocol::{GameRecord, RoomCode, Standing};
pub use wordguess_store::{LoggedMove, StoreError, Write};

pub use sqlite::SqliteStore;

use crate::support::pending::ready;
pub use crate::support::pending::Pending;

/// What runs once a save is committed or has failed. It runs on the store's
/// own thread, in the order saves were queued, so it must be quick.
pub type SaveDone = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// Lines on the leaderboard `/top` shows.
pub const TOP_LINES: usize = 10;
/// Games `/history` shows.
pub const HISTORY_GAMES: usize = 10;

/// A room as it was saved: its state (opaque text) and the moves logged
/// after it, oldest first, with their ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    /// The room's code, as saved.
    pub code: String,
    /// Its last whole state.
    pub state: String,
    /// The moves logged after that state.
    pub moves: Vec<(i64, LoggedMove)>,
}

/// Every saved room, as read back at start.
#[derive(Debug, Default)]
pub struct StoredRooms {
    /// The rooms.
    pub rooms: Vec<StoredRoom>,
    /// The id of the last logged move read, if any: once the moves are
    /// folded into the rooms' states, [`Write::FoldLog`] through it deletes
    /// them.
    pub log_through: Option<i64>,
}

/// Why the records could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The server runs with `--db none`.
    #[error("this server keeps no history or leaderboard (it runs without a database)")]
    NoDatabase,
    /// The database failed.
    #[error("the history cannot be read right now; try again later")]
    Failed,
    /// As many reads as the server allows are under way.
    #[error("the server is busy reading the records; try again in a moment")]
    Busy,
}

/// The records: what sessions and the HTTP API read (history, the
/// leaderboard). Every [`RoomStore`] is one.
pub trait Records: Send + Sync + fmt::Debug {
    /// The best `limit` players.
    fn leaderboard(&self, limit: usize) -> Pending<'_, Result<Vec<Standing>, RecordsError>>;

    /// The last `limit` games of `room`, newest first.
    fn history(
        &self,
        room: &RoomCode,
        limit: usize,
    ) -> Pending<'_, Result<Vec<GameRecord>, RecordsError>>;

    /// Whether the store can be reached now (a shared store can be away
    /// for a while: moves wait for it).
    fn is_reachable(&self) -> bool {
        true
    }
}

/// The room store seam.
pub trait RoomStore: Records {
    /// Whether rooms are kept. Without a store that keeps them (`--db
    /// none`) a room sends each step's events at once and never saves.
    fn keeps_rooms(&self) -> bool;

    /// Queues a step's writes, waiting only for room in the store's queue
    /// (not for the commit); `done` runs once they are committed or failed.
    /// An empty `writes` only orders `done` behind the saves queued before.
    fn save(&self, writes: Vec<Write>, done: SaveDone) -> Pending<'_, ()>;

    /// Writes and waits for the commit.
    fn save_now(&self, writes: Vec<Write>) -> Pending<'_, Result<(), StoreError>>;

    /// Every saved room, with the moves logged after its state.
    fn restore_all(&self) -> Pending<'_, Result<StoredRooms, StoreError>>;

    /// The saved room `code` with the moves logged after its state, if it
    /// was saved.
    fn restore(&self, code: &RoomCode) -> Pending<'_, Result<Option<StoredRoom>, StoreError>>;

    /// Commits what is queued and stops taking writes (at shutdown, once
    /// every room has stopped).
    fn close(&self) -> Pending<'_, ()>;
}

/// The store of a server without a database (`--db none`): it keeps
/// nothing, and says so when asked for records.
#[derive(Debug, Default)]
pub struct NoStore;

impl Records for NoStore {
    fn leaderboard(&self, _limit: usize) -> Pending<'_, Result<Vec<Standing>, RecordsError>> {
        ready(Err(RecordsError::NoDatabase))
    }

    fn history(
        &self,
        _room: &RoomCode,
        _limit: usize,
    ) -> Pending<'_, Result<Vec<GameRecord>, RecordsError>> {
        ready(Err(RecordsError::NoDatabase))
    }
}

impl RoomStore for NoStore {
    fn keeps_rooms(&self) -> bool {
        false
    }

    fn save(&self, _writes: Vec<Write>, done: SaveDone) -> Pending<'_, ()> {
        // Nothing is kept, so there is nothing to fail.
        done(Ok(()));
        ready(())
    }

    fn save_now(&self, _writes: Vec<Write>) -> Pending<'_, Result<(), StoreError>> {
        ready(Ok(()))
    }

    fn restore_all(&self) -> Pending<'_, Result<StoredRooms, StoreError>> {
        ready(Ok(StoredRooms::default()))
    }

    fn restore(&self, _code: &RoomCode) -> Pending<'_, Result<Option<StoredRoom>, StoreError>> {
        ready(Ok(None))
    }

    fn close(&self) -> Pending<'_, ()> {
        ready(())
    }
}
