//! [`Writer`]: the one thread that owns the database's write connection.
//!
//! Writes reach the thread through a bounded channel. The thread waits for
//! one job, takes every job already queued behind it, applies them all in a
//! single transaction and commits once (group commit), then tells each job's
//! sender how the commit went — by answering a waiting task, or by running
//! the job's own continuation right there ([`Writer::submit_then`]), so a
//! game can hand over what must wait for the commit and move on. Under load,
//! one commit serves many games.
//!
//! Between saves of a room's whole state, its moves are appended to a log
//! of small rows ([`Write::LogMove`]) that many rooms share a page of. The
//! thread keeps the log short: it knows which rooms have moves logged since
//! their last save, and deletes every row older than the oldest of those.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use crate::records::{name_key, results_by_player, won};
use crate::{GameRecord, LoggedMove, OpenError, StoreError, Write};

/// How many jobs may wait for the writer thread.
const QUEUE_CAPACITY: usize = 4096;

/// The most jobs one transaction takes.
const MAX_BATCH: usize = 1024;

/// Saves a room's state, replacing the state saved before.
const SAVE_ROOM_SQL: &str = "INSERT INTO rooms (code, state, saved_at, log_after)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (code) DO UPDATE SET
         state = excluded.state, saved_at = excluded.saved_at, log_after = excluded.log_after";
/// Replaces a saved room's state.
const REPLACE_ROOM_SQL: &str =
    "UPDATE rooms SET state = ?2, saved_at = ?3, log_after = ?4 WHERE code = ?1";
/// Appends a move to the log.
const LOG_MOVE_SQL: &str = "INSERT INTO room_moves (id, room, moves, mover, word, guess)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/// Deletes the logged moves older than an id.
const DELETE_LOG_BEFORE_SQL: &str = "DELETE FROM room_moves WHERE id < ?1";
/// The highest log id used at start (by a row, or by a saved state that
/// included it).
const LAST_LOG_ID_SQL: &str = "SELECT
     max(coalesce((SELECT max(id) FROM room_moves), 0),
         coalesce((SELECT max(log_after) FROM rooms), 0))";
/// Each saved room's first move logged after its state, at start.
const PENDING_AT_START_SQL: &str = "SELECT moves.room, min(moves.id)
     FROM room_moves AS moves JOIN rooms ON rooms.code = moves.room
     WHERE moves.id > rooms.log_after GROUP BY moves.room";

/// How many moves are logged between two looks for rows to delete.
const COMPACT_EVERY: i64 = 1024;
/// Forgets a room's saved state.
const DELETE_ROOM_SQL: &str = "DELETE FROM rooms WHERE code = ?1";
/// Adds a finished game.
const INSERT_GAME_SQL: &str =
    "INSERT INTO games (room, word, language, winner, moves, started_at, ended_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/// Adds a seat of a finished game.
const INSERT_GAME_PLAYER_SQL: &str =
    "INSERT INTO game_players (game, seat, name, name_key, door, points, won)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/// Adds a finished game to a player's leaderboard line, keeping the spelling
/// of the player's latest game.
const ADD_TO_STANDING_SQL: &str =
    "INSERT INTO players (name_key, name, games, wins, points, last_ended_at)
     VALUES (?1, ?2, 1, ?3, ?4, ?5)
     ON CONFLICT (name_key) DO UPDATE SET
         games = games + 1,
         wins = wins + excluded.wins,
         points = points + excluded.points,
         name = CASE WHEN excluded.last_ended_at >= last_ended_at THEN excluded.name ELSE name END,
         last_ended_at = max(last_ended_at, excluded.last_ended_at)";

/// The one writer of the database: a dedicated thread fed by a bounded
/// channel. Cheap to clone; every clone feeds the same thread.
///
/// The thread ends when [`Writer::close`] is called or when every clone is
/// dropped, after committing what was queued.
#[derive(Clone)]
pub struct Writer {
    shared: Arc<WriterShared>,
}

/// What every clone of a [`Writer`] shares.
struct WriterShared {
    path: PathBuf,
    /// The way to the thread; `None` once closed.
    queue: Mutex<Option<mpsc::Sender<Job>>>,
    /// The thread, until [`Writer::close`] has waited for it.
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// Who is told how a job's transaction went.
type Reply = oneshot::Sender<Result<(), StoreError>>;

/// What runs on the writer thread once a job's transaction is over.
type Then = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// What happens once a job's transaction is over.
enum Done {
    /// Nothing (errors are logged).
    Nothing,
    /// A task waits for the answer.
    Reply(Reply),
    /// The job's continuation runs on the writer thread.
    Then(Then),
}

/// One request to the writer thread.
enum Job {
    /// Apply these writes, then `done`.
    Apply { writes: Vec<Write>, done: Done },
    /// Let the database grow by at most `extra_pages` more pages.
    LimitGrowth { extra_pages: u32, reply: Reply },
}

impl Writer {
    /// Starts the writer thread on the write connection `connection` to the
    /// database at `path`.
    pub(crate) fn start(connection: Connection, path: &Path) -> Result<Writer, OpenError> {
        let log =
            MoveLog::at_start(&connection).map_err(|cause| OpenError::from_sqlite(path, cause))?;
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let thread_path = path.to_owned();
        let thread = std::thread::Builder::new()
            .name("wordguess-store-writer".to_owned())
            .spawn(move || run(connection, &thread_path, receiver, log))
            .map_err(|cause| OpenError::WriterThread {
                path: path.to_owned(),
                cause,
            })?;
        Ok(Writer {
            shared: Arc::new(WriterShared {
                path: path.to_owned(),
                queue: Mutex::new(Some(sender)),
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// Queues `writes` and waits until the transaction that contains them has
    /// committed (or failed). Waits for room in the queue if it is full;
    /// never blocks the async runtime's thread.
    pub async fn submit(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let (reply, committed) = oneshot::channel();
        let job = Job::Apply {
            writes,
            done: Done::Reply(reply),
        };
        self.send(job, committed).await
    }

    /// Queues `writes` and returns once they are queued (waiting only for
    /// room in the queue, not for the commit). `then` runs on the writer
    /// thread right after the transaction that contains them commits or
    /// fails, in the order jobs were queued; it must be quick (it holds up
    /// the next commit). If the writer is closed, `then` runs at once with
    /// [`StoreError::Closed`]. An empty `writes` only orders `then` behind
    /// the jobs queued before it.
    pub async fn submit_then(
        &self,
        writes: Vec<Write>,
        then: impl FnOnce(Result<(), StoreError>) + Send + 'static,
    ) {
        let Some(queue) = self.queue() else {
            then(Err(StoreError::Closed));
            return;
        };
        let job = Job::Apply {
            writes,
            done: Done::Then(Box::new(then)),
        };
        if let Err(mpsc::error::SendError(Job::Apply {
            done: Done::Then(then),
            ..
        })) = queue.send(job).await
        {
            then(Err(StoreError::Closed));
        }
    }

    /// Queues `writes` without waiting for the commit; a failure is only
    /// logged. Returns `false`, dropping the writes, if the queue is full or
    /// the writer is closed.
    pub fn submit_later(&self, writes: Vec<Write>) -> bool {
        let Some(queue) = self.queue() else {
            return false;
        };
        let job = Job::Apply {
            writes,
            done: Done::Nothing,
        };
        queue.try_send(job).is_ok()
    }

    /// Makes the database refuse to grow beyond its current size plus
    /// `extra_pages` pages (`PRAGMA max_page_count`), until it is reopened.
    /// Writes that need more room then fail with [`StoreError::is_full`]:
    /// this simulates a full disk in tests.
    pub async fn limit_growth(&self, extra_pages: u32) -> Result<(), StoreError> {
        let (reply, done) = oneshot::channel();
        self.send(Job::LimitGrowth { extra_pages, reply }, done)
            .await
    }

    /// Stops accepting writes, commits what is queued, and waits for the
    /// thread to end. Blocks: call it from `spawn_blocking` or at exit.
    /// Calling it again (from any clone) does nothing more.
    pub fn close(&self) {
        let mut thread = self.shared.thread.lock();
        // Dropping the last sender lets the thread drain the queue and end.
        self.shared.queue.lock().take();
        if let Some(thread) = thread.take() {
            if thread.join().is_err() {
                tracing::error!(path = %self.shared.path.display(), "the database writer thread panicked");
            }
        }
    }

    /// Sends `job` and waits for its answer on `answer`.
    async fn send(
        &self,
        job: Job,
        answer: oneshot::Receiver<Result<(), StoreError>>,
    ) -> Result<(), StoreError> {
        let queue = self.queue().ok_or(StoreError::Closed)?;
        queue.send(job).await.map_err(|_| StoreError::Closed)?;
        drop(queue);
        answer.await.unwrap_or(Err(StoreError::Closed))
    }

    /// A sender to the thread, unless the writer is closed.
    fn queue(&self) -> Option<mpsc::Sender<Job>> {
        self.shared.queue.lock().clone()
    }
}

impl fmt::Debug for Writer {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Writer")
            .field("path", &self.shared.path)
            .field("closed", &self.queue().is_none())
            .finish_non_exhaustive()
    }
}

/// What the writer knows of the log of moves, kept in step with what is
/// committed.
#[derive(Debug)]
struct MoveLog {
    /// The id the next logged move gets (ids only grow, across restarts
    /// too: a saved state's `log_after` must never cover a later move).
    next_id: i64,
    /// Each room with moves logged since its state was last saved, and the
    /// id of the first of them (from before this start too).
    pending: HashMap<String, i64>,
    /// Rooms whose last save failed: their moves are not logged (a restart
    /// would replay them on an older state) until a save works again.
    stale: HashSet<String>,
    /// Rows with smaller ids are deleted.
    deleted_below: i64,
    /// The next id at which to look for rows to delete.
    compact_at: i64,
}

/// What a committed batch did to the log, in order.
enum LogChange<'batch> {
    /// A move of `room` was logged with this id.
    Logged(&'batch str, i64),
    /// `room`'s whole state was saved (or the room deleted).
    Saved(&'batch str),
    /// The moves up to this id were folded into saved states and deleted.
    Folded(i64),
}

impl MoveLog {
    /// The log as the database holds it.
    fn at_start(connection: &Connection) -> rusqlite::Result<MoveLog> {
        let last_id: i64 = connection.query_row(LAST_LOG_ID_SQL, [], |row| row.get(0))?;
        let pending = connection
            .prepare(PENDING_AT_START_SQL)?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<String, i64>>>()?;
        let next_id = last_id + 1;
        Ok(MoveLog {
            next_id,
            pending,
            stale: HashSet::new(),
            deleted_below: 0,
            compact_at: next_id + COMPACT_EVERY,
        })
    }

    /// A batch failed: the rooms it would have saved (or logged moves of)
    /// are stale until a save of theirs commits.
    fn failed(&mut self, batch: &[Job]) {
        for job in batch {
            if let Job::Apply { writes, .. } = job {
                self.stale.extend(
                    writes
                        .iter()
                        .filter_map(Write::room_code)
                        .map(str::to_owned),
                );
            }
        }
    }

    /// Takes in what a committed batch did.
    fn apply(&mut self, changes: &[LogChange<'_>], next_id: i64) {
        self.next_id = next_id;
        for change in changes {
            match *change {
                LogChange::Logged(room, id) => {
                    if !self.pending.contains_key(room) {
                        self.pending.insert(room.to_owned(), id);
                    }
                }
                LogChange::Saved(room) => {
                    self.pending.remove(room);
                    self.stale.remove(room);
                }
                LogChange::Folded(through) => {
                    // Those rows are gone, whoever waited for them.
                    self.pending.retain(|_, first| *first > through);
                    self.deleted_below = self.deleted_below.max(through + 1);
                }
            }
        }
    }

    /// Every so often, deletes the rows no room needs any more: those older
    /// than the first move still waiting for its room's next save.
    fn compact(&mut self, connection: &Connection) {
        if self.next_id < self.compact_at {
            return;
        }
        self.compact_at = self.next_id + COMPACT_EVERY;
        let needed_from = self.pending.values().copied().min().unwrap_or(self.next_id);
        if needed_from <= self.deleted_below {
            return;
        }
        match connection
            .prepare_cached(DELETE_LOG_BEFORE_SQL)
            .and_then(|mut statement| statement.execute([needed_from]))
        {
            Ok(_) => self.deleted_below = needed_from,
            Err(error) => {
                tracing::warn!(%error, "cannot delete old logged moves; tried again later")
            }
        }
    }
}

/// The writer thread: commits batches of jobs until every sender is gone and
/// the queue is empty.
fn run(mut connection: Connection, path: &Path, mut queue: mpsc::Receiver<Job>, mut log: MoveLog) {
    let mut batch = Vec::new();
    // Whether jobs came faster than one a commit: then the next is near.
    let mut busy = false;
    while let Some(first) = next_job(&mut queue, busy) {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        busy = batch.len() > 1;
        // A panic inside SQLite's wrapper must not end the thread: the
        // rooms waiting on these jobs would hold their events for good.
        // Dropping the transaction while unwinding rolls it back.
        let committed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut next_id = log.next_id;
            let changes = commit(&mut connection, &batch, &mut next_id, &log.stale)?;
            log.apply(&changes, next_id);
            Ok(())
        }))
        .unwrap_or_else(|_| Err(rusqlite::Error::UnwindingPanic));
        if committed.is_ok() {
            log.compact(&connection);
        } else {
            log.failed(&batch);
        }
        let result = committed.map_err(|cause| {
            let error = StoreError::from_sqlite(path, cause);
            tracing::error!(jobs = batch.len(), %error, "database writes rolled back");
            error
        });
        for job in batch.drain(..) {
            let done = match job {
                Job::Apply { done, .. } => done,
                Job::LimitGrowth { reply, .. } => Done::Reply(reply),
            };
            match done {
                Done::Nothing => {}
                // The submitter may have stopped waiting; that is its choice.
                Done::Reply(reply) => {
                    let _ = reply.send(result.clone());
                }
                Done::Then(then) => {
                    let result = result.clone();
                    // A continuation's panic must not end the thread either.
                    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        then(result);
                    }));
                    if ran.is_err() {
                        tracing::error!("a commit's continuation panicked");
                    }
                }
            }
        }
    }
}

/// How long the writer keeps looking for the next job before it sleeps.
const LINGER: std::time::Duration = std::time::Duration::from_micros(50);

/// The next job, `None` once every sender is gone. When `busy` (under load)
/// the next job comes within microseconds: the writer yields its core for a
/// moment before it sleeps, so neither it nor the rooms pay for waking it
/// each time (measured: 3 jobs a commit became 25, and the server's CPU per
/// move fell by a sixth). At human pace it sleeps at once.
fn next_job(queue: &mut mpsc::Receiver<Job>, busy: bool) -> Option<Job> {
    let since = std::time::Instant::now();
    loop {
        match queue.try_recv() {
            Ok(job) => return Some(job),
            Err(mpsc::error::TryRecvError::Disconnected) => return None,
            Err(mpsc::error::TryRecvError::Empty) if busy && since.elapsed() < LINGER => {
                std::thread::yield_now();
            }
            Err(mpsc::error::TryRecvError::Empty) => return queue.blocking_recv(),
        }
    }
}

/// Applies every job of `batch` in one transaction and commits it, giving
/// logged moves ids from `next_id` on; on an error nothing of the batch is
/// kept. Returns what the batch did to the log.
///
/// A move of a room in `stale` is not logged unless a save of the room comes
/// before it in the batch: a restart would replay it on a state older than
/// the one it followed.
fn commit<'batch>(
    connection: &mut Connection,
    batch: &'batch [Job],
    next_id: &mut i64,
    stale: &HashSet<String>,
) -> rusqlite::Result<Vec<LogChange<'batch>>> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut changes = Vec::new();
    let mut saved_here: HashSet<&str> = HashSet::new();
    let writes: Vec<&Write> = batch
        .iter()
        .flat_map(|job| match job {
            Job::Apply { writes, .. } => writes.as_slice(),
            Job::LimitGrowth { .. } => &[],
        })
        .collect();
    let superseded = superseded_room_writes(&writes);
    let mut next_write = 0;
    for job in batch {
        match job {
            Job::Apply { writes, .. } => {
                for write in writes {
                    let on_stale_state = matches!(write, Write::LogMove(logged)
                        if stale.contains(&logged.room) && !saved_here.contains(logged.room.as_str()));
                    if !superseded[next_write] && !on_stale_state {
                        if let Some(change) = apply(&transaction, write, next_id)? {
                            changes.push(change);
                        }
                    }
                    if let Some(code) = write.saved_room_code() {
                        saved_here.insert(code);
                    }
                    next_write += 1;
                }
            }
            Job::LimitGrowth { extra_pages, .. } => limit_growth(&transaction, *extra_pages)?,
        }
    }
    transaction.commit()?;
    Ok(changes)
}

/// Marks the room writes that a later write of the same room makes
/// pointless: the last save or delete of a room decides what is kept, and
/// includes every move logged before it.
fn superseded_room_writes(writes: &[&Write]) -> Vec<bool> {
    let mut last_save = HashMap::new();
    for (index, write) in writes.iter().enumerate() {
        if let Some(code) = write.saved_room_code() {
            last_save.insert(code, index);
        }
    }
    writes
        .iter()
        .enumerate()
        .map(|(index, write)| {
            write
                .room_code()
                .and_then(|code| last_save.get(code))
                .is_some_and(|&last| last > index)
        })
        .collect()
}

/// Applies one write inside the batch's transaction; a logged move takes
/// the id `next_id` (which moves on). Returns what it did to the log.
fn apply<'batch>(
    connection: &Connection,
    write: &'batch Write,
    next_id: &mut i64,
) -> rusqlite::Result<Option<LogChange<'batch>>> {
    Ok(match write {
        Write::SaveRoom { code, state } => {
            // The state includes every move logged so far.
            let log_after = *next_id - 1;
            let now = unix_millis();
            // Most saves replace a room's state: try that first.
            let replaced = connection
                .prepare_cached(REPLACE_ROOM_SQL)?
                .execute((code, state, now, log_after))?;
            if replaced == 0 {
                connection
                    .prepare_cached(SAVE_ROOM_SQL)?
                    .execute((code, state, now, log_after))?;
            }
            Some(LogChange::Saved(code))
        }
        Write::DeleteRoom { code } => {
            connection
                .prepare_cached(DELETE_ROOM_SQL)?
                .execute([code])?;
            Some(LogChange::Saved(code))
        }
        Write::RecordGame(game) => {
            record_game(connection, game)?;
            None
        }
        Write::LogMove(logged) => {
            let id = *next_id;
            log_move(connection, id, logged)?;
            *next_id += 1;
            Some(LogChange::Logged(&logged.room, id))
        }
        Write::FoldLog { through } => {
            connection
                .prepare_cached(DELETE_LOG_BEFORE_SQL)?
                .execute([through + 1])?;
            Some(LogChange::Folded(*through))
        }
    })
}

/// Appends `logged` to the log with the id `id`.
fn log_move(connection: &Connection, id: i64, logged: &LoggedMove) -> rusqlite::Result<()> {
    let mover = i64::try_from(logged.mover)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
    connection.prepare_cached(LOG_MOVE_SQL)?.execute((
        id,
        &logged.room,
        logged.moves,
        mover,
        logged.word,
        &logged.guess,
    ))?;
    Ok(())
}

/// Adds `game` to history, and each of its players' results to the
/// leaderboard.
fn record_game(connection: &Connection, game: &GameRecord) -> rusqlite::Result<()> {
    connection.prepare_cached(INSERT_GAME_SQL)?.execute((
        &game.room,
        &game.word,
        &game.language,
        &game.winner,
        game.moves,
        game.started_at,
        game.ended_at,
    ))?;
    let id = connection.last_insert_rowid();
    let mut insert_player = connection.prepare_cached(INSERT_GAME_PLAYER_SQL)?;
    for (seat, player) in (0u32..).zip(&game.players) {
        insert_player.execute((
            id,
            seat,
            &player.name,
            name_key(&player.name),
            &player.door,
            player.points,
            won(game, &player.name),
        ))?;
    }
    let mut add_to_standing = connection.prepare_cached(ADD_TO_STANDING_SQL)?;
    for result in results_by_player(game) {
        add_to_standing.execute((
            &result.key,
            result.name,
            result.won,
            result.points,
            game.ended_at,
        ))?;
    }
    Ok(())
}

/// Lets the database grow by at most `extra_pages` pages beyond its size now.
fn limit_growth(connection: &Connection, extra_pages: u32) -> rusqlite::Result<()> {
    let pages: i64 = connection.pragma_query_value(None, "page_count", |row| row.get(0))?;
    connection.pragma_update(None, "max_page_count", pages + i64::from(extra_pages))
}

/// The time now, in unix milliseconds.
pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since_epoch| {
            i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
        })
}
