//! The room store of a cluster node: rooms' state, their logged moves,
//! history and the leaderboard in Redis, so any node can take a room over
//! and every node reads the same records.
//!
//! Each save of a room runs one Lua script, atomically, that first checks
//! the room is still owned with this node's token (the fence): a node that
//! lost a room (it was paused past its lease, or cut off) can never write
//! over its new owner; its save fails with [`StoreError::Fenced`] and the
//! room stops there. Saves are numbered per owner, and the script skips a
//! number it has applied, so a save retried after a lost reply is applied
//! once.
//!
//! While Redis cannot be reached a save is retried, with backoff, until it
//! is applied or refused: the room's events wait for it ("saved, then
//! sent"), so no player hears of a move Redis does not have. Sessions tell
//! players to wait ([`Records::is_reachable`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use redis::Script;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use wordguess_protocol::{GameRecord, RoomCode, Standing};
use wordguess_store::results_by_player;

use super::{
    LoggedMove, Pending, Records, RecordsError, RoomStore, SaveDone, StoreError, StoredRoom,
    StoredRooms, Write,
};
use crate::cluster::{keys, Owners, RedisLink};
use crate::support::backoff::Backoff;

/// Saves the writer takes from its queue at once.
const BATCH: usize = 256;

/// Applies one save of one room if its writer still owns it. KEYS: the
/// room's hash, its moves, the owner's room set. ARGV: the owner token,
/// the save's number, then operations: `save STATE`, `log MOVE`,
/// `delete CODE`, `game HISTORY_KEY RECORD N (KEY NAME WON POINTS)*N`.
/// Returns 1 (applied), 0 (applied before) or -1 (not the owner).
pub(crate) const SAVE: &str = r"
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner ~= ARGV[1] then return -1 end
local seq = tonumber(ARGV[2])
local applied = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if seq <= applied then return 0 end
redis.call('HSET', KEYS[1], 'seq', seq)
local i = 3
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'save' then
    redis.call('HSET', KEYS[1], 'state', ARGV[i + 1])
    redis.call('DEL', KEYS[2])
    i = i + 2
  elseif op == 'log' then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
    i = i + 2
  elseif op == 'delete' then
    redis.call('DEL', KEYS[1], KEYS[2])
    redis.call('SREM', KEYS[3], ARGV[i + 1])
    i = i + 2
  elseif op == 'game' then
    redis.call('LPUSH', ARGV[i + 1], ARGV[i + 2])
    redis.call('LTRIM', ARGV[i + 1], 0, tonumber(ARGV[i + 3]) - 1)
    local players = tonumber(ARGV[i + 4])
    i = i + 5
    for _ = 1, players do
      local line = 'wg:player:' .. ARGV[i]
      redis.call('HSET', line, 'name', ARGV[i + 1])
      redis.call('HINCRBY', line, 'games', 1)
      local wins = redis.call('HINCRBY', line, 'wins', tonumber(ARGV[i + 2]))
      local points = redis.call('HINCRBY', line, 'points', tonumber(ARGV[i + 3]))
      redis.call('ZADD', 'wg:top', wins * 67108864 + math.min(points, 67108863), ARGV[i])
      i = i + 4
    end
  else
    return redis.error_reply('unknown operation ' .. op)
  end
end
return 1
";

/// [`SAVE`], loaded once.
static SAVE_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| Script::new(SAVE));

/// A save's script runs, fenced with the tokens its rooms were owned with
/// when it was made; `Err` names a room this node did not own then.
type Runs = Result<Vec<Fenced>, String>;

/// Who hears how a save went.
enum Answer {
    /// A continuation.
    Done(SaveDone),
    /// A waiting caller.
    Reply(oneshot::Sender<Result<(), StoreError>>),
}

/// What the writer is asked.
enum Job {
    /// Saves, then runs `done`.
    Save(Runs, SaveDone),
    /// Saves, then answers.
    SaveNow(Runs, oneshot::Sender<Result<(), StoreError>>),
}

/// The room store in Redis.
#[derive(Debug)]
pub struct RedisStore {
    /// The link.
    link: Arc<RedisLink>,
    /// The rooms this node owns, with their tokens.
    owners: Arc<Owners>,
    /// The writer's queue.
    jobs: mpsc::Sender<Job>,
}

impl Job {
    /// The save's runs.
    fn runs(&self) -> &Runs {
        match self {
            Job::Save(runs, _) | Job::SaveNow(runs, _) => runs,
        }
    }

    /// The room the save changes (its first), if any.
    fn room(&self) -> Option<String> {
        self.runs()
            .as_ref()
            .ok()?
            .first()
            .map(|run| run.code.clone())
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl RedisStore {
    /// A store on `link`, fencing with `owners`' tokens; its writer task
    /// runs until `shutdown` and its queue holds `capacity` saves.
    pub fn start(
        link: Arc<RedisLink>,
        owners: Arc<Owners>,
        capacity: usize,
        shutdown: CancellationToken,
        tasks: &tokio_util::task::TaskTracker,
    ) -> Arc<Self> {
        let (jobs, queue) = mpsc::channel(capacity.max(1));
        tasks.spawn(write(link.clone(), owners.clone(), queue, shutdown));
        Arc::new(Self { link, owners, jobs })
    }
}

/// One script run: a room's part of a save.
struct Fenced {
    /// The room.
    code: String,
    /// Whether it deletes the room (its owner token is then forgotten).
    deletes: bool,
    /// Keys, then arguments.
    keys: [String; 3],
    /// The token, the number, the operations.
    args: Vec<Vec<u8>>,
}

/// Turns a save's writes into one fenced script run per room, in order;
/// `Err` names a room this node does not own.
fn fenced_runs(link: &RedisLink, owners: &Owners, writes: &[Write]) -> Result<Vec<Fenced>, String> {
    let mut runs: Vec<Fenced> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for write in writes {
        // Folding the log is how SQLite forgets replayed moves; here a
        // saved state drops them.
        let Some(code) = room_of(write).map(str::to_owned) else {
            continue;
        };
        let at = match index.get(&code) {
            Some(at) => *at,
            None => {
                let (owner, seq) = owners.next_save(&code).ok_or_else(|| code.clone())?;
                runs.push(Fenced {
                    keys: [
                        keys::room(&code),
                        keys::moves(&code),
                        keys::node_rooms(link.node),
                    ],
                    args: vec![owner.to_string().into_bytes(), seq.to_string().into_bytes()],
                    code: code.clone(),
                    deletes: false,
                });
                index.insert(code, runs.len() - 1);
                runs.len() - 1
            }
        };
        runs[at].deletes |= matches!(write, Write::DeleteRoom { .. });
        operations(write, &mut runs[at].args);
    }
    Ok(runs)
}

/// Appends a write's operations to a script run's arguments.
fn operations(write: &Write, args: &mut Vec<Vec<u8>>) {
    let mut push = |text: &str| args.push(text.as_bytes().to_vec());
    match write {
        Write::SaveRoom { state, .. } => {
            push("save");
            push(state);
        }
        Write::LogMove(logged) => {
            push("log");
            push(&logged_json(logged));
        }
        Write::DeleteRoom { code } => {
            push("delete");
            push(code);
        }
        Write::RecordGame(game) => {
            let results = results_by_player(game);
            push("game");
            push(&keys::history(&game.room));
            push(&serde_json::to_string(game).unwrap_or_default());
            push(&keys::HISTORY_KEPT.to_string());
            push(&results.len().to_string());
            for result in results {
                push(&result.key);
                push(result.name);
                push(if result.won { "1" } else { "0" });
                push(&result.points.to_string());
            }
        }
        Write::FoldLog { .. } => {}
    }
}

/// A logged move as kept in Redis.
fn logged_json(logged: &LoggedMove) -> String {
    serde_json::json!({
        "moves": logged.moves,
        "mover": logged.mover,
        "word": logged.word,
        "guess": logged.guess,
    })
    .to_string()
}

/// A logged move read back.
fn logged_from_json(room: &str, text: &str) -> Option<LoggedMove> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(LoggedMove {
        room: room.to_owned(),
        moves: u32::try_from(value.get("moves")?.as_u64()?).ok()?,
        mover: value.get("mover")?.as_u64()?,
        word: value.get("word")?.as_bool()?,
        guess: value.get("guess")?.as_str()?.to_owned(),
    })
}

/// How one save ended.
fn outcome(results: &[redis::RedisResult<i64>], runs: &[Fenced]) -> Option<Result<(), StoreError>> {
    for (result, run) in results.iter().zip(runs) {
        match result {
            Ok(-1) => {
                return Some(Err(StoreError::Fenced {
                    room: run.code.clone(),
                }))
            }
            Ok(_) => {}
            // Redis answered with an error that says no more than that the
            // save is refused: retrying cannot help.
            Err(error) if !crate::cluster::link::is_unavailable(error) => {
                return Some(Err(StoreError::Shared(error.to_string())))
            }
            Err(_) => return None,
        }
    }
    Some(Ok(()))
}

/// Runs `runs` until each is applied or refused; `None` if `shutdown`
/// came first.
async fn apply(
    link: &RedisLink,
    script: &Script,
    runs: &[Fenced],
    shutdown: &CancellationToken,
) -> Option<Result<(), StoreError>> {
    let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(1));
    let mut warned = false;
    loop {
        let results = join_all(runs.iter().map(|run| {
            let mut invocation = script.prepare_invoke();
            for key in &run.keys {
                invocation.key(key);
            }
            for arg in &run.args {
                invocation.arg(arg.as_slice());
            }
            async move { link.script::<i64>(&invocation).await }
        }))
        .await;
        if let Some(outcome) = outcome(&results, runs) {
            return Some(outcome);
        }
        if !warned {
            warned = true;
            tracing::warn!("Redis does not answer; saves wait for it");
        }
        tokio::select! {
            () = shutdown.cancelled() => return None,
            () = tokio::time::sleep(backoff.next_wait()) => {}
        }
    }
}

/// The writer: applies saves a batch at a time. A room's saves go one
/// after another (the next is sent only once the one before is applied:
/// after a lost connection, a later save must not land before an earlier
/// one), different rooms' saves at once, in waves.
async fn write(
    link: Arc<RedisLink>,
    owners: Arc<Owners>,
    mut queue: mpsc::Receiver<Job>,
    shutdown: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        // At shutdown, what is queued is still written (the rooms' last
        // saves, then `close`); the task ends once the queue is empty.
        let received = tokio::select! {
            biased;
            received = queue.recv_many(&mut batch, BATCH) => received,
            () = shutdown.cancelled() => {
                while batch.len() < BATCH {
                    match queue.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                if batch.is_empty() {
                    return;
                }
                batch.len()
            }
        };
        if received == 0 {
            return;
        }
        for wave in waves(batch.drain(..), Job::room) {
            // The answers stay out of the futures (they need not be Sync).
            let (runs, answers): (Vec<Runs>, Vec<Answer>) = wave
                .into_iter()
                .map(|job| match job {
                    Job::Save(runs, done) => (runs, Answer::Done(done)),
                    Job::SaveNow(runs, reply) => (runs, Answer::Reply(reply)),
                })
                .unzip();
            let outcomes = join_all(runs.iter().map(|runs| {
                let (link, owners, shutdown) = (&link, &owners, &shutdown);
                async move {
                    match runs {
                        Err(room) => Err(StoreError::Fenced { room: room.clone() }),
                        Ok(runs) => {
                            let result = apply(link, &SAVE_SCRIPT, runs, shutdown)
                                .await
                                .unwrap_or(Err(StoreError::Closed));
                            // A deleted room is no one's any more.
                            for run in runs.iter().filter(|run| run.deletes) {
                                owners.remove(&run.code);
                            }
                            result
                        }
                    }
                }
            }))
            .await;
            for (answer, result) in answers.into_iter().zip(outcomes) {
                match answer {
                    Answer::Done(done) => done(result),
                    Answer::Reply(reply) => {
                        let _ = reply.send(result);
                    }
                }
            }
        }
    }
}

/// The room a write changes (none for folding the log).
fn room_of(write: &Write) -> Option<&str> {
    match write {
        Write::SaveRoom { code, .. } | Write::DeleteRoom { code } => Some(code),
        Write::LogMove(logged) => Some(&logged.room),
        Write::RecordGame(game) => Some(&game.room),
        Write::FoldLog { .. } => None,
    }
}

/// Splits `jobs` into waves: the first job of each room, then the second,
/// and so on. A job that changes no room (`close` waiting for the queue)
/// goes in a wave after every job before it.
fn waves<J>(jobs: impl Iterator<Item = J>, room: impl Fn(&J) -> Option<String>) -> Vec<Vec<J>> {
    let mut waves: Vec<Vec<J>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for job in jobs {
        let wave = match room(&job) {
            Some(code) => {
                let count = seen.entry(code).or_insert(0);
                *count += 1;
                *count - 1
            }
            None => waves.len(),
        };
        if waves.len() <= wave {
            waves.resize_with(wave + 1, Vec::new);
        }
        waves[wave].push(job);
    }
    waves
}

impl Records for RedisStore {
    fn leaderboard(&self, limit: usize) -> Pending<'_, Result<Vec<Standing>, RecordsError>> {
        Box::pin(async move {
            leaderboard(&self.link, limit).await.map_err(|error| {
                tracing::warn!(%error, "cannot read the leaderboard from Redis");
                RecordsError::Failed
            })
        })
    }

    fn history(
        &self,
        room: &RoomCode,
        limit: usize,
    ) -> Pending<'_, Result<Vec<GameRecord>, RecordsError>> {
        let key = keys::history(room.as_str());
        Box::pin(async move {
            let stop = isize::try_from(limit).unwrap_or(isize::MAX) - 1;
            let lines: Vec<String> = self
                .link
                .query(redis::cmd("LRANGE").arg(key).arg(0).arg(stop))
                .await
                .map_err(|error| {
                    tracing::warn!(%error, "cannot read history from Redis");
                    RecordsError::Failed
                })?;
            Ok(lines
                .iter()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect())
        })
    }

    fn is_reachable(&self) -> bool {
        self.link.is_reachable()
    }
}

/// One leaderboard line as read: name, games, wins, points.
type StandingFields = (Option<String>, Option<u32>, Option<u32>, Option<u64>);

/// The best `limit` players: the `limit` best by wins and points, with
/// every player tied with the last of them, ordered in full (wins, points,
/// fewer games, name) as the SQLite store orders them.
async fn leaderboard(link: &RedisLink, limit: usize) -> redis::RedisResult<Vec<Standing>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let stop = isize::try_from(limit).unwrap_or(isize::MAX) - 1;
    let best: Vec<(String, f64)> = link
        .query(
            redis::cmd("ZREVRANGE")
                .arg(keys::TOP)
                .arg(0)
                .arg(stop)
                .arg("WITHSCORES"),
        )
        .await?;
    let mut names: Vec<String> = best.iter().map(|(key, _)| key.clone()).collect();
    if let (true, Some((_, last))) = (best.len() == limit, best.last()) {
        let tied: Vec<String> = link
            .query(
                redis::cmd("ZRANGEBYSCORE")
                    .arg(keys::TOP)
                    .arg(*last)
                    .arg(*last),
            )
            .await?;
        for key in tied {
            if !names.contains(&key) {
                names.push(key);
            }
        }
    }
    let mut pipeline = redis::pipe();
    for key in &names {
        pipeline
            .cmd("HMGET")
            .arg(keys::player(key))
            .arg(&["name", "games", "wins", "points"]);
    }
    let lines: Vec<StandingFields> = link.pipeline(&pipeline).await?;
    let mut standings: Vec<Standing> = lines
        .into_iter()
        .filter_map(|(name, games, wins, points)| {
            Some(Standing {
                name: name?,
                games: games.unwrap_or(0),
                wins: wins.unwrap_or(0),
                points: points.unwrap_or(0),
            })
        })
        .collect();
    standings.sort_by(|a, b| {
        b.wins
            .cmp(&a.wins)
            .then(b.points.cmp(&a.points))
            .then(a.games.cmp(&b.games))
            .then(a.name.cmp(&b.name))
    });
    standings.truncate(limit);
    Ok(standings)
}

impl RoomStore for RedisStore {
    fn keeps_rooms(&self) -> bool {
        true
    }

    fn save(&self, writes: Vec<Write>, done: SaveDone) -> Pending<'_, ()> {
        // Fenced now, with the tokens the rooms are owned with now.
        let runs = fenced_runs(&self.link, &self.owners, &writes);
        Box::pin(async move {
            if let Err(mpsc::error::SendError(Job::Save(_, done))) =
                self.jobs.send(Job::Save(runs, done)).await
            {
                done(Err(StoreError::Closed));
            }
        })
    }

    fn save_now(&self, writes: Vec<Write>) -> Pending<'_, Result<(), StoreError>> {
        let runs = fenced_runs(&self.link, &self.owners, &writes);
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            if self.jobs.send(Job::SaveNow(runs, reply)).await.is_err() {
                return Err(StoreError::Closed);
            }
            answer.await.unwrap_or(Err(StoreError::Closed))
        })
    }

    fn restore_all(&self) -> Pending<'_, Result<StoredRooms, StoreError>> {
        // A node restores no room at start: live nodes' rooms are theirs,
        // and a dead node's are taken over one by one.
        Box::pin(async { Ok(StoredRooms::default()) })
    }

    fn restore(&self, code: &RoomCode) -> Pending<'_, Result<Option<StoredRoom>, StoreError>> {
        let code = code.to_string();
        Box::pin(async move {
            let mut pipeline = redis::pipe();
            pipeline
                .cmd("HGET")
                .arg(keys::room(&code))
                .arg("state")
                .cmd("LRANGE")
                .arg(keys::moves(&code))
                .arg(0)
                .arg(-1);
            let (state, moves): (Option<String>, Vec<String>) = self
                .link
                .pipeline(&pipeline)
                .await
                .map_err(|error| StoreError::Shared(error.to_string()))?;
            let Some(state) = state else {
                return Ok(None);
            };
            let moves = (1..)
                .zip(moves)
                .filter_map(|(id, text)| Some((id, logged_from_json(&code, &text)?)))
                .collect();
            Ok(Some(StoredRoom { code, state, moves }))
        })
    }

    fn close(&self) -> Pending<'_, ()> {
        Box::pin(async move {
            // Everything queued before is applied (or refused) first.
            let _ = self.save_now(Vec::new()).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_redis::RedisServer;
    use crate::cluster::Owner;
    use crate::support::ids::NodeId;
    use crate::support::metrics::Metrics;

    #[tokio::test]
    async fn a_room_is_saved_while_owned_fenced_off_once_taken_and_forgotten_once_deleted() {
        let redis = RedisServer::start("store");
        let metrics = Arc::new(Metrics::for_cluster());
        let link = RedisLink::connect(&redis.url(), NodeId(7), "n7".to_owned(), metrics)
            .await
            .expect("Redis answers");
        let owners = Arc::new(Owners::default());
        let shutdown = CancellationToken::new();
        let tasks = tokio_util::task::TaskTracker::new();
        let store = RedisStore::start(link.clone(), owners.clone(), 16, shutdown.clone(), &tasks);
        let mine = Owner {
            node: NodeId(7),
            epoch: 3,
        };
        for (code, epoch) in [("H2W2S2", 3), ("K7K7K7", 4)] {
            owners.insert(code, Owner { epoch, ..mine });
            redis.cli(&[
                "HSET",
                &keys::room(code),
                "owner",
                &Owner { epoch, ..mine }.to_string(),
            ]);
            redis.cli(&["SADD", &keys::node_rooms(NodeId(7)), code]);
        }
        let save = |code: &str, state: &str| Write::SaveRoom {
            code: code.to_owned(),
            state: state.to_owned(),
        };
        store
            .save_now(vec![save("H2W2S2", "one")])
            .await
            .expect("saved");
        assert_eq!(redis.cli(&["HGET", &keys::room("H2W2S2"), "state"]), "one");
        // Another node takes the room: this one's save is refused.
        redis.cli(&["HSET", &keys::room("H2W2S2"), "owner", "0000000000000009:5"]);
        let fenced = store.save_now(vec![save("H2W2S2", "stale")]).await;
        assert!(
            matches!(fenced, Err(StoreError::Fenced { .. })),
            "{fenced:?}"
        );
        assert_eq!(redis.cli(&["HGET", &keys::room("H2W2S2"), "state"]), "one");
        // A closed room is deleted, and its token forgotten.
        let delete = Write::DeleteRoom {
            code: "K7K7K7".to_owned(),
        };
        store
            .save_now(vec![save("K7K7K7", "two"), delete])
            .await
            .expect("deleted");
        assert_eq!(redis.cli(&["EXISTS", &keys::room("K7K7K7")]), "0");
        assert_eq!(
            redis.cli(&["SISMEMBER", &keys::node_rooms(NodeId(7)), "K7K7K7"]),
            "0"
        );
        assert!(owners.get("K7K7K7").is_none());
        store.close().await;
        shutdown.cancel();
        tasks.close();
        tasks.wait().await;
    }
}
