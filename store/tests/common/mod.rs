//! Helpers shared by the store's integration tests: temporary databases,
//! made-up games, and a runtime to wait for writes.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use tempfile::TempDir;
use wordguess_store::{GameRecord, PlayerRecord, Store, Write, Writer};

/// A database path in a temporary directory that is removed on drop.
pub struct TempDb {
    dir: TempDir,
    path: PathBuf,
}

impl TempDb {
    /// A path to a database that does not exist yet.
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("wordguess.db");
        TempDb { dir, path }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary directory holding the database.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Opens the database, which must succeed.
    pub fn open(&self) -> (Store, Writer) {
        Store::open(&self.path).expect("open the database")
    }
}

/// A runtime to drive the writer's async calls from plain tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Submits `writes` and waits for their commit, which must succeed.
pub fn submit(writer: &Writer, writes: Vec<Write>) {
    runtime()
        .block_on(writer.submit(writes))
        .expect("writes committed");
}

/// A finished game in `room` that ended at `ended_at` (and started a minute
/// before), with `seats` as (name, door, points) in ring order.
pub fn game(
    room: &str,
    ended_at: i64,
    seats: &[(&str, &str, u32)],
    winner: Option<&str>,
) -> GameRecord {
    GameRecord {
        room: room.to_owned(),
        word: "паляниця".to_owned(),
        language: "uk".to_owned(),
        players: seats
            .iter()
            .map(|&(name, door, points)| PlayerRecord {
                name: name.to_owned(),
                door: door.to_owned(),
                points,
            })
            .collect(),
        winner: winner.map(str::to_owned),
        moves: 12,
        started_at: ended_at - 60_000,
        ended_at,
    }
}

/// Records each of `games` in a transaction of its own, in order.
pub fn record(writer: &Writer, games: &[GameRecord]) {
    for game in games {
        submit(writer, vec![Write::RecordGame(game.clone())]);
    }
}

/// A write that saves `state` for the room `code`.
pub fn save_room(code: &str, state: &str) -> Write {
    Write::SaveRoom {
        code: code.to_owned(),
        state: state.to_owned(),
    }
}
