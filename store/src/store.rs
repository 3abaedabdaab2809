//! [`Store`]: opening the database, and reading history, the leaderboard and
//! saved rooms through a small pool of read-only connections.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, Row};

use crate::records::name_key;
use crate::schema::{self, BUSY_TIMEOUT};
use crate::{
    GameRecord, LoggedMove, OpenError, PlayerRecord, SavedRoom, Standing, StoreError, Writer,
};

/// How many idle read connections the pool keeps; more are opened when
/// needed and closed after use.
const IDLE_READERS: usize = 4;

/// The leaderboard's best lines (index `players_by_rank`).
pub(crate) const LEADERBOARD_SQL: &str = "SELECT name, games, wins, points FROM players
     ORDER BY wins DESC, points DESC, games ASC, name ASC LIMIT ?1";
/// One player's line (primary key of `players`).
pub(crate) const STANDING_SQL: &str =
    "SELECT name, games, wins, points FROM players WHERE name_key = ?1";
/// A room's games, newest first (index `games_by_room`).
pub(crate) const ROOM_HISTORY_SQL: &str =
    "SELECT id, room, word, language, winner, moves, started_at, ended_at FROM games
     WHERE room = ?1 ORDER BY ended_at DESC, id DESC LIMIT ?2";
/// Every room's games, newest first (index `games_by_end`).
pub(crate) const RECENT_GAMES_SQL: &str =
    "SELECT id, room, word, language, winner, moves, started_at, ended_at FROM games
     ORDER BY ended_at DESC, id DESC LIMIT ?1";
/// A game's seats in ring order (primary key of `game_players`).
pub(crate) const GAME_PLAYERS_SQL: &str =
    "SELECT name, door, points FROM game_players WHERE game = ?1 ORDER BY seat";
/// Every saved room (primary key of `rooms`).
pub(crate) const SAVED_ROOMS_SQL: &str = "SELECT code, state, log_after FROM rooms ORDER BY code";
/// One saved room.
pub(crate) const SAVED_ROOM_SQL: &str = "SELECT code, state, log_after FROM rooms WHERE code = ?1";
/// One room's moves logged after an id, oldest first.
pub(crate) const ROOM_LOGGED_MOVES_SQL: &str =
    "SELECT id, room, moves, mover, word, guess FROM room_moves WHERE room = ?1 AND id > ?2 ORDER BY id";
/// Every logged move, oldest first (primary key of `room_moves`).
pub(crate) const LOGGED_MOVES_SQL: &str =
    "SELECT id, room, moves, mover, word, guess FROM room_moves ORDER BY id";

/// Read access to the database. Cheap to clone; `Send` and `Sync`.
///
/// Every call blocks on SQLite: the server makes them from `spawn_blocking`.
#[derive(Clone)]
pub struct Store {
    shared: Arc<Readers>,
}

/// What every clone of a [`Store`] shares.
struct Readers {
    path: PathBuf,
    /// Read-only connections not in use.
    idle: Mutex<Vec<Connection>>,
}

impl Store {
    /// Opens (creating if missing) the database at `path`, applies
    /// migrations, sets WAL and `synchronous=NORMAL`, and starts the writer
    /// thread.
    ///
    /// Refuses, without changing it, a file that is damaged, not a database,
    /// another program's database, or written by a newer wordguess; and a
    /// path it cannot write.
    pub fn open(path: &Path) -> Result<(Store, Writer), OpenError> {
        let connection = schema::open_for_writing(path)?;
        let writer = Writer::start(connection, path)?;
        let store = Store {
            shared: Arc::new(Readers {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        };
        Ok((store, writer))
    }

    /// The best `limit` players: most wins first, then most points, then
    /// fewest games, then by name.
    pub fn leaderboard(&self, limit: usize) -> Result<Vec<Standing>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(LEADERBOARD_SQL)?
                .query_map([sql_limit(limit)], standing_from_row)?
                .collect()
        })
    }

    /// The line of the player called `name` (in any letter case), or `None`
    /// if they never finished a game.
    pub fn standing(&self, name: &str) -> Result<Option<Standing>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(STANDING_SQL)?;
            let mut rows = statement.query_map([name_key(name)], standing_from_row)?;
            rows.next().transpose()
        })
    }

    /// The last `limit` games of the room `room`, newest first.
    pub fn room_history(&self, room: &str, limit: usize) -> Result<Vec<GameRecord>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(ROOM_HISTORY_SQL)?;
            let rows = statement.query((room, sql_limit(limit)))?;
            games_from_rows(conn, rows)
        })
    }

    /// The last `limit` games of every room, newest first.
    pub fn recent_games(&self, limit: usize) -> Result<Vec<GameRecord>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(RECENT_GAMES_SQL)?;
            let rows = statement.query([sql_limit(limit)])?;
            games_from_rows(conn, rows)
        })
    }

    /// Every saved room, by code.
    pub fn saved_rooms(&self) -> Result<Vec<SavedRoom>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(SAVED_ROOMS_SQL)?
                .query_map([], saved_room_from_row)?
                .collect()
        })
    }

    /// The saved room `code`, if there is one.
    pub fn saved_room(&self, code: &str) -> Result<Option<SavedRoom>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(SAVED_ROOM_SQL)?
                .query_map([code], saved_room_from_row)?
                .next()
                .transpose()
        })
    }

    /// Every move logged after its room's saved state was written, with its
    /// id, oldest first. Moves of rooms that have been saved since are among
    /// them until the writer deletes them: a room's own moves are those with
    /// an id above its [`SavedRoom::log_after`].
    pub fn logged_moves(&self) -> Result<Vec<(i64, LoggedMove)>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(LOGGED_MOVES_SQL)?
                .query_map([], logged_move_from_row)?
                .collect()
        })
    }

    /// The moves of room `code` logged with an id above `after` (its saved
    /// state's [`SavedRoom::log_after`]), with their ids, oldest first. The
    /// log is kept short (rows no room needs are deleted), so it is scanned
    /// rather than indexed: an index would slow every append.
    pub fn logged_moves_of(
        &self,
        code: &str,
        after: i64,
    ) -> Result<Vec<(i64, LoggedMove)>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(ROOM_LOGGED_MOVES_SQL)?
                .query_map(rusqlite::params![code, after], logged_move_from_row)?
                .collect()
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Runs `query` on an idle read connection (opening one if none is idle)
    /// and puts the connection back.
    fn read<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let to_store_error = |cause| StoreError::from_sqlite(self.path(), cause);
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_reader(self.path()).map_err(to_store_error)?,
        };
        let result = query(&conn).map_err(to_store_error);
        let mut idle = self.idle();
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// The idle read connections.
    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.shared.idle.lock()
    }
}

/// A saved room from a row of [`SAVED_ROOMS_SQL`] or [`SAVED_ROOM_SQL`].
fn saved_room_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SavedRoom> {
    Ok(SavedRoom {
        code: row.get(0)?,
        state: row.get(1)?,
        log_after: row.get(2)?,
    })
}

/// A logged move and its id, from a row of [`LOGGED_MOVES_SQL`] or
/// [`ROOM_LOGGED_MOVES_SQL`].
fn logged_move_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, LoggedMove)> {
    let mover = u64::try_from(row.get::<_, i64>(3)?).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            3,
            rusqlite::types::Type::Integer,
            Box::new(error),
        )
    })?;
    Ok((
        row.get(0)?,
        LoggedMove {
            room: row.get(1)?,
            moves: row.get(2)?,
            mover,
            word: row.get(4)?,
            guess: row.get(5)?,
        },
    ))
}

impl fmt::Debug for Store {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Store")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

/// Opens a read-only connection to the database at `path`.
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// A row count for `LIMIT`; SQLite takes a signed 64-bit number.
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Reads a row of [`STANDING_SQL`] or [`LEADERBOARD_SQL`].
fn standing_from_row(row: &Row<'_>) -> rusqlite::Result<Standing> {
    let points: i64 = row.get(3)?;
    Ok(Standing {
        name: row.get(0)?,
        games: row.get(1)?,
        wins: row.get(2)?,
        points: u64::try_from(points)
            .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(3, points))?,
    })
}

/// Reads the games of [`ROOM_HISTORY_SQL`] or [`RECENT_GAMES_SQL`], each with
/// its players.
fn games_from_rows(
    conn: &Connection,
    mut rows: rusqlite::Rows<'_>,
) -> rusqlite::Result<Vec<GameRecord>> {
    let mut players = conn.prepare_cached(GAME_PLAYERS_SQL)?;
    let mut games = Vec::new();
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        games.push(GameRecord {
            room: row.get(1)?,
            word: row.get(2)?,
            language: row.get(3)?,
            winner: row.get(4)?,
            moves: row.get(5)?,
            started_at: row.get(6)?,
            ended_at: row.get(7)?,
            players: players
                .query_map([id], |row| {
                    Ok(PlayerRecord {
                        name: row.get(0)?,
                        door: row.get(1)?,
                        points: row.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?,
        });
    }
    Ok(games)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every read must use an index: no table scan, no sorting in memory.
    #[test]
    fn every_read_is_indexed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans.db");
        let (store, writer) = Store::open(&path).unwrap();
        writer.close();
        let conn = open_reader(store.path()).unwrap();
        for sql in [
            LEADERBOARD_SQL,
            STANDING_SQL,
            ROOM_HISTORY_SQL,
            RECENT_GAMES_SQL,
            GAME_PLAYERS_SQL,
            SAVED_ROOMS_SQL,
        ] {
            let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let parameters = statement.parameter_count();
            let plan: Vec<String> = statement
                .query_map(
                    rusqlite::params_from_iter(std::iter::repeat_n(1, parameters)),
                    |row| row.get(3),
                )
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for step in &plan {
                let scans_table = step.starts_with("SCAN") && !step.contains("USING");
                assert!(
                    !scans_table && !step.contains("TEMP B-TREE"),
                    "{sql}\nis not indexed: {plan:?}"
                );
            }
        }
    }
}
