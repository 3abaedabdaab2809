//! The embedded default [`RoomStore`]: SQLite through `wordguess-store`.
//!
//! Writes go through the store's one [`Writer`] thread, which groups what
//! many rooms queue into one transaction and then runs each save's
//! continuation. Reads (a room by its code, every room at start, history
//! and the leaderboard) run off the async threads on the store's read
//! connections, at most `READERS` record reads at once.

use std::collections::HashMap;

use wordguess_protocol::{GameRecord, RoomCode, Standing};
use wordguess_store::{Store, Writer};

use super::{
    Pending, Records, RecordsError, RoomStore, SaveDone, StoreError, StoredRoom, StoredRooms, Write,
};

/// Record reads at once at most.
const READERS: usize = 4;

/// The database: reads, and the one writer.
pub struct SqliteStore {
    /// Reads.
    store: Store,
    /// The one writer.
    writer: Writer,
    /// Permits for record reads under way (one more is told the server is
    /// busy rather than queued without bound).
    readers: tokio::sync::Semaphore,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.store.path())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// The store of an opened database.
    pub fn new(store: Store, writer: Writer) -> Self {
        Self {
            store,
            writer,
            readers: tokio::sync::Semaphore::new(READERS),
        }
    }

    /// Runs `query` on the database off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || query(&store))
            .await
            .unwrap_or_else(|join| Err(StoreError::Interrupted(join.to_string())))
    }

    /// A record read: one of at most [`READERS`] at once.
    async fn read_records<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, RecordsError> {
        let _permit = self.readers.try_acquire().map_err(|_| RecordsError::Busy)?;
        self.read(query).await.map_err(|error| {
            tracing::error!(%error, "reading the records failed");
            RecordsError::Failed
        })
    }
}

impl Records for SqliteStore {
    fn leaderboard(&self, limit: usize) -> Pending<'_, Result<Vec<Standing>, RecordsError>> {
        Box::pin(self.read_records(move |store| store.leaderboard(limit)))
    }

    fn history(
        &self,
        room: &RoomCode,
        limit: usize,
    ) -> Pending<'_, Result<Vec<GameRecord>, RecordsError>> {
        let room = room.clone();
        Box::pin(self.read_records(move |store| store.room_history(room.as_str(), limit)))
    }
}

impl RoomStore for SqliteStore {
    fn keeps_rooms(&self) -> bool {
        true
    }

    fn save(&self, writes: Vec<Write>, done: SaveDone) -> Pending<'_, ()> {
        Box::pin(self.writer.submit_then(writes, done))
    }

    fn save_now(&self, writes: Vec<Write>) -> Pending<'_, Result<(), StoreError>> {
        Box::pin(self.writer.submit(writes))
    }

    fn restore_all(&self) -> Pending<'_, Result<StoredRooms, StoreError>> {
        Box::pin(self.read(|store| {
            let mut logged: HashMap<String, Vec<_>> = HashMap::new();
            let mut log_through = None;
            for (id, logged_move) in store.logged_moves()? {
                log_through = Some(id);
                logged
                    .entry(logged_move.room.clone())
                    .or_default()
                    .push((id, logged_move));
            }
            let rooms = store
                .saved_rooms()?
                .into_iter()
                .map(|saved| {
                    let mut moves = logged.remove(&saved.code).unwrap_or_default();
                    moves.retain(|(id, _)| *id > saved.log_after);
                    StoredRoom {
                        code: saved.code,
                        state: saved.state,
                        moves,
                    }
                })
                .collect();
            Ok(StoredRooms { rooms, log_through })
        }))
    }

    fn restore(&self, code: &RoomCode) -> Pending<'_, Result<Option<StoredRoom>, StoreError>> {
        let code = code.to_string();
        Box::pin(self.read(move |store| {
            let Some(saved) = store.saved_room(&code)? else {
                return Ok(None);
            };
            let moves = store.logged_moves_of(&code, saved.log_after)?;
            Ok(Some(StoredRoom {
                code: saved.code,
                state: saved.state,
                moves,
            }))
        }))
    }

    fn close(&self) -> Pending<'_, ()> {
        let writer = self.writer.clone();
        Box::pin(async move {
            let _ = tokio::task::spawn_blocking(move || writer.close()).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wordguess_store::LoggedMove;

    /// A database file of its own, removed afterwards.
    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let mut path = self.0.clone().into_os_string();
                path.push(suffix);
                let _ = std::fs::remove_file(path);
            }
        }
    }

    #[tokio::test]
    async fn one_room_is_restored_by_its_code_through_the_seam() {
        let file = TempFile(std::env::temp_dir().join(format!(
            "wordguess-sqlite-store-{}-{}.db",
            std::process::id(),
            rand::random::<u64>()
        )));
        let (store, writer) = Store::open(&file.0).expect("opens");
        let store: Box<dyn RoomStore> = Box::new(SqliteStore::new(store, writer));
        let logged = Write::LogMove(LoggedMove {
            room: "H2W2S2".to_owned(),
            moves: 1,
            mover: 1,
            word: false,
            guess: "p".to_owned(),
        });
        let save = Write::SaveRoom {
            code: "H2W2S2".to_owned(),
            state: "{}".to_owned(),
        };
        store.save_now(vec![save]).await.expect("saved");
        let (sender, committed) = tokio::sync::oneshot::channel();
        let done: SaveDone = Box::new(move |result| {
            let _ = sender.send(result);
        });
        store.save(vec![logged], done).await;
        committed.await.expect("answered").expect("committed");
        let code = RoomCode::parse("H2W2S2").expect("a code");
        let stored = store.restore(&code).await.expect("read").expect("saved");
        assert_eq!(stored.state, "{}");
        assert_eq!(stored.moves.len(), 1);
        assert_eq!(stored.moves[0].1.guess, "p");
        let other = RoomCode::parse("K7QXPM").expect("a code");
        assert_eq!(store.restore(&other).await.expect("read"), None);
        assert!(store.keeps_rooms());
        store.close().await;
    }
}
