//! The [`RoomDirectory`] of a node of a cluster: room codes, resume tokens
//! and the quick-match room are kept in Redis, so they mean the same on
//! every node; each room runs on one node, its owner; the others forward
//! their players' lines to it.
//!
//! - **Owning.** A room is created on the node that asks for it (a
//!   quick-match room: the node of its first player), claimed in Redis with
//!   a fresh owner token ([`Owner`]) in one script, so no two rooms share a
//!   code. This node's rooms run here as in a single process.
//! - **Forwarding.** A session on another node talks to the room through a
//!   [`RoomHandle`] whose inbox is a forwarding task: each input is
//!   published on the owner's rooms channel; if nobody hears it (the owner
//!   died) the task looks the owner up again and waits for a takeover
//!   before giving up. The room's events come back through delivery.
//! - **Taking over.** Every node watches the others' leases. When a lease
//!   has expired, each room of that node is taken over by the first live
//!   node to run the takeover script (which checks the lease is gone and
//!   changes the owner token, so the old owner's writes are refused from
//!   then on), restored from Redis with every saved move, and announced on
//!   the channel every node hears. Each node then tells its sessions in
//!   that room to enter it again ([`Signal::Moved`]): players on live nodes
//!   play on without reconnecting. Rooms with players on the dead node hear
//!   that its connections are gone ([`RoomInput::NodeLost`]).
//! - **Losing.** A room this node lost (its lease lapsed and another node
//!   took it, or its save was fenced off) stops without writing anything;
//!   its sessions here enter it again where it is now.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, LazyLock, Weak};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use parking_lot::Mutex;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wordguess_protocol::command::ROOM_CODE_ALPHABET;
use wordguess_protocol::{ResumeToken, RoomCode, ServerEvent};

use super::reports::{self, UnwrittenReports};
use super::{Launch, RoomDirectory, RoomHandle, RoomStatus};
use crate::cluster::bus::Inbound;
use crate::cluster::lease::LEASE;
use crate::cluster::{keys, Owner, Owners, RedisLink};
use crate::delivery::remote::ClusterDelivery;
use crate::delivery::{Delivery, Message, Signal};
use crate::persistence::RoomStore;
use crate::room::actor::RoomStart;
use crate::room::messages::{
    inbox as room_inbox, InboxReceiver, InboxSender, RoomInput, RoomKind, RoomReport, RoomReports,
};
use crate::room::saved;
use crate::support::backoff::Backoff;
use crate::support::ids::{ConnId, NodeId};
use crate::support::metrics::Metrics;
use crate::support::pending::Pending;

/// How often the other nodes' leases are checked.
const REAP_EVERY: Duration = Duration::from_millis(500);
/// How long a forwarded line waits for its room's owner (a takeover takes
/// up to the lease and a little more).
const FORWARD_PATIENCE: Duration = Duration::from_secs(10);
/// Rooms of a dead node one node takes over at once.
const TAKEOVERS_AT_ONCE: usize = 32;

/// Names for new codes a node tries before it gives up (a clash is rare:
/// 31^6 codes).
const CLAIM_ATTEMPTS: usize = 8;

/// The Lua every script that gives a room an owner starts with:
/// `own(room, counter, node)` takes the next epoch from the counter, makes
/// the room `node`'s under it (the owner token of [`Owner`]: `NODE:EPOCH`)
/// with its save numbers starting again, and returns the epoch.
macro_rules! own_lua {
    () => {
        r"
local function own(room, counter, node)
  local epoch = redis.call('INCR', counter)
  redis.call('HSET', room, 'owner', node .. ':' .. epoch, 'seq', 0)
  return epoch
end
"
    };
}

/// Takes a code for a new room, if it is free. KEYS: the room, this
/// node's room set, the epoch counter. ARGV: the code, this node. Returns
/// the epoch, or 0 if the code is taken.
const CLAIM: &str = concat!(
    own_lua!(),
    r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local epoch = own(KEYS[1], KEYS[3], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return epoch
"
);

/// A seat in the quick-match room that gathers, or a new one under the
/// candidate code. KEYS: the quick hash, the candidate's room, this
/// node's room set, the epoch counter. ARGV: players per game, the
/// candidate code, this node. Returns {code, epoch}: epoch 0 for a seat
/// in a room that exists, the new room's epoch, or {'', 0} if the
/// candidate code is taken.
const QUICK: &str = concat!(
    own_lua!(),
    r"
local code = redis.call('HGET', KEYS[1], 'code')
if code and redis.call('EXISTS', 'wg:room:' .. code) == 1 then
  local offered = tonumber(redis.call('HGET', KEYS[1], 'offered') or '0')
  if offered < tonumber(ARGV[1]) then
    redis.call('HINCRBY', KEYS[1], 'offered', 1)
    return {code, 0}
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'', 0} end
local epoch = own(KEYS[2], KEYS[4], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[1], 'code', ARGV[2], 'offered', 1)
return {ARGV[2], epoch}
"
);

/// Takes a room over from a node whose lease has expired. KEYS: the room,
/// the old node's lease, the old node's room set, this node's room set,
/// the epoch counter, this node's lease. ARGV: the code, the old node,
/// this node. Returns the new epoch, or 0 (the room is gone, the old node
/// lives, another node took it first, or this node has no lease itself).
const TAKE_OVER: &str = concat!(
    own_lua!(),
    r"
if redis.call('EXISTS', KEYS[6]) == 0 then return 0 end
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then
  redis.call('SREM', KEYS[3], ARGV[1])
  return 0
end
if string.sub(owner, 1, string.len(ARGV[2]) + 1) ~= ARGV[2] .. ':' then
  redis.call('SREM', KEYS[3], ARGV[1])
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local epoch = own(KEYS[1], KEYS[5], ARGV[3])
redis.call('SMOVE', KEYS[3], KEYS[4], ARGV[1])
return epoch
"
);

/// Strikes a dead node off the nodes once it owns no room, and notes when
/// it went (so nodes that did not reap it still hear that its connections
/// are gone). Nothing happens if its lease is back, or it was struck off
/// already. KEYS: the node's room
/// set, its lease, the node set, the gone set. ARGV: the node, now (ms
/// since the epoch).
const RETIRE: &str = r"
if redis.call('SCARD', KEYS[1]) > 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
return 1
";

/// Closed connections remembered as told to the rooms that wrote to them.
const TOLD_GONE_KEPT: usize = 4096;
/// A room that writes to a closed connection this long after it was told
/// is told again.
const TELL_GONE_AGAIN: Duration = Duration::from_secs(5);

/// How long a reaped node stays listed as gone.
const GONE_KEPT: Duration = Duration::from_secs(120);

/// An input for a room, as published to its owner.
#[derive(Debug, Serialize, Deserialize)]
struct RoomLine {
    /// The room.
    room: RoomCode,
    /// The input.
    input: RoomInput,
    /// A random number the line keeps when it is published again (after a
    /// reply that was lost, it may have been heard already).
    id: u64,
}

/// The numbers of the lines from other nodes heard lately, so a line
/// published again is taken once.
#[derive(Debug, Default)]
struct HeardLines {
    /// Oldest first.
    order: VecDeque<u64>,
    /// The same numbers.
    ids: HashSet<u64>,
}

impl HeardLines {
    /// Lines remembered (at thousands a second, the last several seconds:
    /// longer than a publish is retried for after a lost reply).
    const KEPT: usize = 65_536;

    /// Notes line `id`; `false` if it was heard already.
    fn first_time(&mut self, id: u64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > Self::KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.ids.remove(&oldest);
            }
        }
        true
    }
}

/// News every node hears.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum News {
    /// A room has a new owner.
    Moved {
        /// The room.
        room: RoomCode,
        /// Its new owner token.
        owner: String,
    },
    /// A node gave its lease up: its rooms are free to take now.
    Left {
        /// The node.
        node: NodeId,
    },
}

/// A room this node runs.
#[derive(Debug)]
struct Hosted {
    /// The owner token it runs under.
    owner: Owner,
    /// The way to it.
    handle: RoomHandle,
    /// Stops it when this node loses it.
    lost: CancellationToken,
    /// Inputs from other nodes waiting for room in its inbox, in order.
    backlog: Arc<Backlog>,
}

/// Inputs that came from other nodes while a room's inbox was full: they
/// wait here, in order, for one task to pass them on (the subscription
/// never waits for a room).
#[derive(Debug, Default)]
struct Backlog {
    /// The inputs, and whether a task is passing them on.
    queue: Mutex<(VecDeque<RoomInput>, bool)>,
}

/// Inputs a room's backlog holds at most; past that they are refused.
const BACKLOG_LIMIT: usize = 4096;

/// A room of another node that sessions here talk to.
#[derive(Debug)]
struct Remote {
    /// The owner last looked up.
    owner: Mutex<Option<Owner>>,
    /// This node's connections that entered it.
    conns: Mutex<HashSet<crate::support::ids::ConnId>>,
    /// The forwarding task's queue (weak: the task ends when the last
    /// session lets go of it).
    inbox: mpsc::WeakSender<Box<RoomInput>>,
    /// The handles' shared status.
    status: Arc<RoomStatus>,
}

/// The room directory of a cluster node.
pub struct ClusterDirectory {
    /// The link to Redis.
    link: Arc<RedisLink>,
    /// The rooms this node owns, with their tokens (shared with the store).
    owners: Arc<Owners>,
    /// Delivery (for connections of this node).
    delivery: Arc<ClusterDelivery>,
    /// Where rooms are read back from on a takeover.
    store: Arc<dyn RoomStore>,
    /// Players a quick-match game waits for.
    players_to_start: usize,
    /// Capacity of each room's inbox.
    inbox: usize,
    /// Starts rooms.
    launch: Launch,
    /// Rooms this node runs.
    hosted: Mutex<HashMap<RoomCode, Hosted>>,
    /// Rooms of other nodes that sessions here talk to.
    remote: Mutex<HashMap<RoomCode, Arc<Remote>>>,
    /// Nodes known dead (their connections were reported gone).
    dead: Mutex<HashSet<NodeId>>,
    /// When this node's own lease last lapsed (it does not reap others
    /// right after: they may have lapsed for the same reason).
    lapsed_at: Mutex<Option<Instant>>,
    /// Wakes the reaper early (a node left).
    reap_now: Notify,
    /// Reports on their way to Redis.
    reports: Arc<UnwrittenReports>,
    /// Lines from other nodes heard lately.
    heard_lines: Mutex<HeardLines>,
    /// Connections of this node that have closed, by the room of another
    /// node that last wrote to them, and when that room was told (again
    /// after a while: the word may have been lost).
    told_gone: Mutex<HashMap<(RoomCode, ConnId), Instant>>,
    /// Gauges and counters.
    metrics: Arc<Metrics>,
    /// Runs forwarding and takeover tasks.
    tasks: TaskTracker,
    /// Stops them.
    shutdown: CancellationToken,
    /// Itself, as the rooms' report sink.
    me: Weak<ClusterDirectory>,
}

impl std::fmt::Debug for ClusterDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterDirectory")
            .field("node", &self.link.name)
            .field("hosted", &self.hosted.lock().len())
            .finish_non_exhaustive()
    }
}

/// What a [`ClusterDirectory`] is built from.
pub struct ClusterParts {
    /// The link to Redis.
    pub link: Arc<RedisLink>,
    /// The rooms this node owns (shared with the store).
    pub owners: Arc<Owners>,
    /// Delivery.
    pub delivery: Arc<ClusterDelivery>,
    /// The room store in Redis.
    pub store: Arc<dyn RoomStore>,
    /// Players a quick-match game waits for.
    pub players_to_start: usize,
    /// Capacity of each room's inbox.
    pub inbox: usize,
    /// Starts rooms.
    pub launch: Launch,
    /// Gauges and counters.
    pub metrics: Arc<Metrics>,
    /// Runs the directory's tasks.
    pub tasks: TaskTracker,
    /// Stops them.
    pub shutdown: CancellationToken,
}

impl ClusterDirectory {
    /// The directory, with its report writer and reaper running.
    pub fn start(parts: ClusterParts) -> Arc<Self> {
        let reports = Arc::<UnwrittenReports>::default();
        let directory = Arc::new_cyclic(|me| Self {
            link: parts.link,
            owners: parts.owners,
            delivery: parts.delivery,
            store: parts.store,
            players_to_start: parts.players_to_start,
            inbox: parts.inbox.max(1),
            launch: parts.launch,
            hosted: Mutex::default(),
            remote: Mutex::default(),
            dead: Mutex::default(),
            lapsed_at: Mutex::default(),
            reap_now: Notify::new(),
            reports: reports.clone(),
            heard_lines: Mutex::default(),
            told_gone: Mutex::default(),
            metrics: parts.metrics,
            tasks: parts.tasks,
            shutdown: parts.shutdown,
            me: me.clone(),
        });
        directory.tasks.spawn(reports::write(
            directory.link.clone(),
            reports,
            directory.shutdown.clone(),
        ));
        directory.tasks.spawn(reap(Arc::downgrade(&directory)));
        directory
    }

    /// Itself, shared.
    fn arc(&self) -> Arc<Self> {
        self.me.upgrade().expect("the directory outlives its calls")
    }

    /// Starts room `code` here, owned with `owner`.
    /// A room this node still runs under an older token (it lost the room
    /// without hearing so, and takes it back now) is stopped first: one
    /// room, one task.
    fn host(&self, code: RoomCode, owner: Owner, start: RoomStart, gathering: bool) -> RoomHandle {
        self.evict(&code);
        self.owners.insert(code.as_str(), owner);
        let (inbox, receiver) = mpsc::channel(self.inbox);
        let status = Arc::new(RoomStatus::new(gathering));
        let handle = RoomHandle::new(code.clone(), self.link.node, inbox, status);
        let lost = self.shutdown.child_token();
        self.hosted.lock().insert(
            code.clone(),
            Hosted {
                owner,
                handle: handle.clone(),
                lost: lost.clone(),
                backlog: Arc::default(),
            },
        );
        self.metrics.rooms.inc();
        let reports: Arc<dyn RoomReports> = Arc::new(HostedReports {
            directory: self.arc(),
            owner,
        });
        (self.launch)(code, start, receiver, reports, lost);
        handle
    }

    /// Hands `input` from another node to room `code` of this node, in
    /// order, without waiting; `false` if the room is not here.
    fn deliver_hosted(&self, code: &RoomCode, input: RoomInput) -> bool {
        let Some((handle, backlog)) = self
            .hosted
            .lock()
            .get(code)
            .map(|hosted| (hosted.handle.clone(), hosted.backlog.clone()))
        else {
            return false;
        };
        let mut queue = backlog.queue.lock();
        let (waiting, draining) = &mut *queue;
        // Straight in only if nothing waits, nor is on its way in.
        let input = if waiting.is_empty() && !*draining {
            match handle.try_send(input) {
                Ok(()) => return true,
                Err(input) => input,
            }
        } else {
            input
        };
        if waiting.len() >= BACKLOG_LIMIT {
            drop(queue);
            tracing::warn!(room = %code, "the room is flooded; an input from another node is refused");
            self.room_gone(code, &input);
            return true;
        }
        waiting.push_back(input);
        if !*draining {
            *draining = true;
            let backlog = backlog.clone();
            let (directory, code) = (self.arc(), code.clone());
            self.tasks.spawn(async move {
                loop {
                    let next = {
                        let mut queue = backlog.queue.lock();
                        match queue.0.pop_front() {
                            Some(next) => next,
                            None => {
                                queue.1 = false;
                                return;
                            }
                        }
                    };
                    if handle.send(next.clone()).await.is_err() {
                        // The room stopped here (lost or closed): what
                        // waited goes on to wherever it is now, in order.
                        let mut left = vec![next];
                        {
                            let mut queue = backlog.queue.lock();
                            left.extend(queue.0.drain(..));
                            queue.1 = false;
                        }
                        directory.hand_on(&code, left).await;
                        return;
                    }
                }
            });
        }
        true
    }

    /// The room this node runs under `code`, if it is open.
    fn hosted_room(&self, code: &RoomCode) -> Option<RoomHandle> {
        self.hosted
            .lock()
            .get(code)
            .map(|hosted| hosted.handle.clone())
            .filter(|handle| !handle.is_closed())
    }

    /// Forgets a room this node ran. A closed room's owner token stays
    /// until the store has deleted the room with it; a lost room's goes.
    fn unhost(&self, code: &RoomCode, lost: bool) -> Option<Hosted> {
        if lost {
            self.owners.remove(code.as_str());
        }
        let hosted = self.hosted.lock().remove(code)?;
        self.metrics.rooms.dec();
        Some(hosted)
    }

    /// Forgets the run of room `room` under `owner`, if it is the one here
    /// (checked and removed under one lock: a newer run may start at any
    /// moment).
    fn unhost_run(&self, room: &RoomCode, owner: Owner, lost: bool) {
        let mut hosted = self.hosted.lock();
        if hosted.get(room).is_none_or(|run| run.owner != owner) {
            return;
        }
        hosted.remove(room);
        drop(hosted);
        if lost {
            self.owners.remove_if(room.as_str(), owner);
        }
        self.metrics.rooms.dec();
    }

    /// Stops a room this node runs but no longer owns.
    fn evict(&self, code: &RoomCode) {
        if let Some(hosted) = self.unhost(code, true) {
            tracing::warn!(room = %code, "this node lost the room to another node");
            hosted.lost.cancel();
        }
    }

    /// A fresh random room code.
    fn random_code() -> RoomCode {
        let mut rng = rand::rng();
        RoomCode::from_indexes(std::array::from_fn(|_| {
            rng.random_range(0..ROOM_CODE_ALPHABET.len())
        }))
    }

    /// A handle that refuses everything (Redis could not be reached to
    /// make a room): the session says the room is closed and the player
    /// tries again.
    fn unavailable(&self) -> RoomHandle {
        let (inbox, _) = mpsc::channel(1);
        RoomHandle::new(
            Self::random_code(),
            self.link.node,
            inbox,
            Arc::new(RoomStatus::new(false)),
        )
    }

    /// Claims a new private room's code and starts it here.
    async fn create(&self) -> Option<RoomHandle> {
        static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CLAIM));
        let script = &*SCRIPT;
        for _ in 0..CLAIM_ATTEMPTS {
            let code = Self::random_code();
            let mut invocation = script.prepare_invoke();
            invocation
                .key(keys::room(code.as_str()))
                .key(keys::node_rooms(self.link.node))
                .key(keys::EPOCH)
                .arg(code.as_str())
                .arg(self.link.node.to_string());
            let epoch: u64 = match self.link.script(&invocation).await {
                Ok(epoch) => epoch,
                Err(error) => {
                    tracing::warn!(%error, "cannot claim a room code in Redis");
                    return None;
                }
            };
            if epoch > 0 {
                return Some(self.open_claimed(code, epoch, RoomKind::Private));
            }
        }
        None
    }

    /// Opens a new room of `kind` here, claimed under `epoch`.
    fn open_claimed(&self, code: RoomCode, epoch: u64, kind: RoomKind) -> RoomHandle {
        tracing::info!(room = %code, ?kind, "room opened");
        let owner = Owner {
            node: self.link.node,
            epoch,
        };
        self.host(
            code,
            owner,
            RoomStart::Fresh(kind),
            kind == RoomKind::QuickMatch,
        )
    }

    /// A seat in the quick-match room that gathers, wherever it runs.
    async fn quick(&self) -> Option<RoomHandle> {
        static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(QUICK));
        let script = &*SCRIPT;
        for _ in 0..CLAIM_ATTEMPTS {
            let candidate = Self::random_code();
            let mut invocation = script.prepare_invoke();
            invocation
                .key(keys::QUICK)
                .key(keys::room(candidate.as_str()))
                .key(keys::node_rooms(self.link.node))
                .key(keys::EPOCH)
                .arg(self.players_to_start)
                .arg(candidate.as_str())
                .arg(self.link.node.to_string());
            let (code, epoch): (String, u64) = match self.link.script(&invocation).await {
                Ok(answer) => answer,
                Err(error) => {
                    tracing::warn!(%error, "cannot find a quick-match room in Redis");
                    return None;
                }
            };
            let Some(code) = keys::code(&code) else {
                continue;
            };
            if epoch > 0 {
                return Some(self.open_claimed(code, epoch, RoomKind::QuickMatch));
            }
            if let Some(room) = self.locate(&code).await {
                return Some(room);
            }
        }
        None
    }

    /// The room `code`, here or on its owner: `None` if it does not exist.
    async fn locate(&self, code: &RoomCode) -> Option<RoomHandle> {
        if let Some(handle) = self.hosted_room(code) {
            return Some(handle);
        }
        let owner = self.owner_of(code).await.ok()??;
        Some(self.forwarder(code, owner))
    }

    /// Who owns room `code` now, per Redis.
    async fn owner_of(&self, code: &RoomCode) -> redis::RedisResult<Option<Owner>> {
        // Patient while Redis loads its data after a restart, say: a room
        // not found sends its players away.
        let owner: Option<String> = self
            .link
            .query_patiently(
                redis::cmd("HGET")
                    .arg(keys::room(code.as_str()))
                    .arg("owner"),
                FORWARD_PATIENCE,
            )
            .await?;
        Ok(owner.as_deref().and_then(Owner::parse))
    }

    /// A handle on room `code` of another node: the forwarding task this
    /// node has for it, started if there is none.
    fn forwarder(&self, code: &RoomCode, owner: Owner) -> RoomHandle {
        let (inbox, status) = self.forwarding(code, Some(owner));
        RoomHandle::new(code.clone(), owner.node, inbox, status)
    }

    /// Sends `input` on to room `code` wherever it is now, in order with
    /// everything else this node sends it (through its forwarding task); an
    /// input its full queue cannot take is refused.
    fn relay(&self, code: &RoomCode, input: RoomInput) {
        let (inbox, status) = self.forwarding(code, None);
        let handle = RoomHandle::new(code.clone(), self.link.node, inbox, status);
        if let Err(input) = handle.try_send(input) {
            self.room_gone(code, &input);
        }
    }

    /// Hands `inputs` that a room of this node left unhandled when it
    /// stopped on to wherever it is now, in order, through its forwarding
    /// task (waiting for room in its queue).
    async fn hand_on(&self, code: &RoomCode, inputs: Vec<RoomInput>) {
        let (inbox, _) = self.forwarding(code, None);
        for input in inputs {
            if let Err(refused) = inbox.send(Box::new(input)).await {
                self.room_gone(code, &refused.0);
            }
        }
    }

    /// The inbox of room `code`'s forwarding task (started if there is
    /// none), and its handles' status; `owner`, if known, is where the
    /// room is.
    fn forwarding(&self, code: &RoomCode, owner: Option<Owner>) -> (InboxSender, Arc<RoomStatus>) {
        let mut remote = self.remote.lock();
        if let Some(entry) = remote.get(code) {
            if let Some(inbox) = entry.inbox.upgrade() {
                // A newer owner (epochs only grow) replaces one a missed
                // move left behind.
                let mut known = entry.owner.lock();
                if let Some(owner) = owner {
                    if known.is_none_or(|known| owner.epoch > known.epoch) {
                        *known = Some(owner);
                    }
                }
                return (inbox, entry.status.clone());
            }
        }
        let (inbox, queue) = room_inbox(self.inbox);
        let entry = Arc::new(Remote {
            owner: Mutex::new(owner),
            conns: Mutex::default(),
            inbox: inbox.downgrade(),
            status: Arc::new(RoomStatus::new(false)),
        });
        remote.insert(code.clone(), entry.clone());
        drop(remote);
        let status = entry.status.clone();
        self.tasks
            .spawn(forward(self.arc(), code.clone(), entry, queue));
        (inbox, status)
    }

    /// Sends `input` to room `code` on whichever node owns it now: here,
    /// or published to the owner. Waits for a takeover if the owner is
    /// gone, and for Redis while it is away; tells the connection if the
    /// room is gone.
    async fn send_to_owner(&self, code: &RoomCode, entry: Option<&Remote>, input: RoomInput) {
        let mut started = Instant::now();
        let mut backoff = Backoff::new(Duration::from_millis(25), Duration::from_millis(500));
        let Ok(payload) = serde_json::to_vec(&RoomLine {
            room: code.clone(),
            input: input.clone(),
            id: rand::rng().random(),
        }) else {
            return;
        };
        loop {
            let known = entry.and_then(|entry| *entry.owner.lock());
            let owner = match known {
                Some(owner) => Some(owner),
                None => self.owner_of(code).await.unwrap_or_default(),
            };
            match owner {
                None if self.link.is_reachable() => {
                    // Gone for good (closed), or never was.
                    self.room_gone(code, &input);
                    return;
                }
                // Owned here (a takeover just made): once it runs, in it goes.
                Some(owner)
                    if owner.node == self.link.node && self.deliver_hosted(code, input.clone()) =>
                {
                    return;
                }
                Some(owner) if owner.node == self.link.node => {
                    // Not running here (yet, or any more): looked up again.
                    if let Some(entry) = entry {
                        *entry.owner.lock() = None;
                    }
                }
                Some(owner) => {
                    let channel = keys::rooms_channel(owner.node);
                    if let Ok(heard) = self.link.publish(&channel, &payload).await {
                        if heard > 0 {
                            self.metrics.lines_forwarded.inc();
                            return;
                        }
                    }
                    // Nobody heard it: the owner died or left.
                    if let Some(entry) = entry {
                        *entry.owner.lock() = None;
                    }
                }
                None => {}
            }
            if !self.link.is_reachable() {
                // Kept while Redis is away, as players are told.
                started = Instant::now();
            }
            if started.elapsed() > FORWARD_PATIENCE {
                self.room_gone(code, &input);
                return;
            }
            tokio::select! {
                () = self.shutdown.cancelled() => return,
                () = tokio::time::sleep(backoff.next_wait()) => {}
            }
        }
    }

    /// Tells the connection behind `input` that room `code` is not there.
    fn room_gone(&self, code: &RoomCode, input: &RoomInput) {
        let Some(conn) = input.conn() else { return };
        if conn.node != self.link.node {
            // The connection's own node hears nothing back and gives up.
            return;
        }
        match input {
            RoomInput::Enter { .. } | RoomInput::Resume { .. } => {
                self.delivery
                    .send(conn, Message::Signal(Signal::Refused { retry: true }));
            }
            RoomInput::Command { .. } => {
                self.delivery.send(
                    conn,
                    Message::Event(Arc::new(ServerEvent::Error {
                        message: format!("room {code} cannot be reached; send the line again"),
                    })),
                );
            }
            RoomInput::Gone { .. } | RoomInput::NodeLost { .. } => {}
        }
    }

    /// Takes room `code` over from `old` (whose lease expired, or who left),
    /// if no other node does first; `true` if this node did.
    async fn take_over(&self, code: RoomCode, old: NodeId) -> bool {
        let epoch = match claim_from(&self.link, &code, old).await {
            Ok(epoch) => epoch,
            Err(error) => {
                tracing::warn!(room = %code, %error, "cannot take the room over");
                return false;
            }
        };
        if epoch == 0 {
            return false;
        }
        let owner = Owner {
            node: self.link.node,
            epoch,
        };
        self.owners.insert(code.as_str(), owner);
        let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(1));
        let save = loop {
            match saved::restore(&*self.store, &code).await {
                Ok(saved::Restored::Saved(save)) => break save,
                Ok(saved::Restored::Unreadable) => {
                    // Kept as it is (a newer server may read it); the room
                    // stays closed here.
                    tracing::error!(room = %code, "a room taken over cannot be read; left in Redis as it is");
                    self.owners.remove(code.as_str());
                    return false;
                }
                Ok(saved::Restored::NeverSaved) => {
                    // Taken before its first save: nothing to go on with.
                    tracing::warn!(room = %code, "a room taken over had no saved state; closed");
                    let delete = crate::persistence::Write::DeleteRoom {
                        code: code.to_string(),
                    };
                    let _ = self.store.save_now(vec![delete]).await;
                    self.owners.remove(code.as_str());
                    return false;
                }
                Err(error) => {
                    // The room is this node's now: it must come back here.
                    tracing::error!(room = %code, %error, "cannot read a room taken over; trying again");
                    tokio::select! {
                        () = self.shutdown.cancelled() => return false,
                        () = tokio::time::sleep(backoff.next_wait()) => {}
                    }
                }
            }
        };
        let mut tokens = redis::pipe();
        for link in &save.seats {
            tokens
                .cmd("SET")
                .arg(keys::token(&link.token))
                .arg(code.as_str())
                .ignore();
        }
        if let Err(error) = self.link.pipeline::<()>(&tokens).await {
            tracing::warn!(room = %code, %error, "cannot record the seats' tokens");
        }
        let gathering = save.is_quick_gathering();
        tracing::info!(room = %code, from = %old, seats = save.seats.len(), "took the room over");
        self.host(code.clone(), owner, RoomStart::Restored(save), gathering);
        self.metrics.takeovers.inc();
        let news = News::Moved {
            room: code,
            owner: owner.to_string(),
        };
        if let Ok(payload) = serde_json::to_vec(&news) {
            // The room's players on other nodes wait for this word (a node
            // that misses it finds the room when its next line goes astray).
            let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(500));
            let started = Instant::now();
            while let Err(error) = self.link.publish(keys::ALL, &payload).await {
                if started.elapsed() > LEASE || self.shutdown.is_cancelled() {
                    tracing::warn!(%error, "cannot announce a takeover");
                    break;
                }
                tokio::time::sleep(backoff.next_wait()).await;
            }
        }
        true
    }

    /// One pass over the other nodes: the rooms of those whose lease has
    /// expired are taken over, and this node's rooms hear that their
    /// connections are gone.
    async fn reap_once(&self) -> redis::RedisResult<()> {
        // Right after this node's own lease lapsed or its link to Redis came
        // back, the others' leases may have lapsed for the same reason
        // (Redis was away): they get time to renew first. And a node that
        // cannot keep its own lease takes no one's rooms.
        let settling = |at: Option<Instant>| at.is_some_and(|at| at.elapsed() < LEASE * 2);
        if settling(*self.lapsed_at.lock())
            || settling(self.link.recovered_at())
            || !self.link.renewed_within(LEASE)
        {
            return Ok(());
        }
        let now_ms = now_ms();
        let kept_since = now_ms.saturating_sub(millis(GONE_KEPT));
        let mut listing = redis::pipe();
        listing
            .cmd("SMEMBERS")
            .arg(keys::NODES)
            .cmd("ZRANGEBYSCORE")
            .arg(keys::GONE)
            .arg(kept_since)
            .arg("+inf")
            .cmd("ZREMRANGEBYSCORE")
            .arg(keys::GONE)
            .arg("-inf")
            .arg(format!("({kept_since}"))
            .ignore();
        let (listed, gone): (Vec<String>, Vec<String>) = self.link.pipeline(&listing).await?;
        // Nodes reaped lately are checked too: the node that reaped one
        // told its own rooms, and every other node must tell its own.
        let mut nodes: Vec<NodeId> = listed
            .iter()
            .chain(&gone)
            .filter_map(|node| u64::from_str_radix(node, 16).ok().map(NodeId))
            .filter(|node| *node != self.link.node)
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        // Nodes reaped for good are forgotten.
        self.dead.lock().retain(|node| nodes.contains(node));
        if nodes.is_empty() {
            return Ok(());
        }
        let mut alive = redis::pipe();
        for node in &nodes {
            alive.cmd("EXISTS").arg(keys::alive(*node));
        }
        let alive: Vec<bool> = self.link.pipeline(&alive).await?;
        for (node, alive) in nodes.into_iter().zip(alive) {
            if alive {
                self.dead.lock().remove(&node);
                continue;
            }
            if self.dead.lock().insert(node) {
                tracing::warn!(%node, "a node's lease expired; taking its rooms over");
                let hosted: Vec<RoomCode> = self.hosted.lock().keys().cloned().collect();
                for code in hosted {
                    self.deliver_hosted(&code, RoomInput::NodeLost { node });
                }
            }
            let mut rooms: Vec<String> = self
                .link
                .query(redis::cmd("SMEMBERS").arg(keys::node_rooms(node)))
                .await?;
            rooms.shuffle(&mut rand::rng());
            let codes: Vec<RoomCode> = rooms.iter().filter_map(|code| keys::code(code)).collect();
            // Some at a time: thousands of rooms move within the lease.
            for batch in codes.chunks(TAKEOVERS_AT_ONCE) {
                join_all(batch.iter().map(|code| self.take_over(code.clone(), node))).await;
            }
            static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RETIRE));
            let mut retire = SCRIPT.prepare_invoke();
            retire
                .key(keys::node_rooms(node))
                .key(keys::alive(node))
                .key(keys::NODES)
                .key(keys::GONE)
                .arg(node.to_string())
                .arg(now_ms);
            self.link.script::<()>(&retire).await?;
        }
        Ok(())
    }

    /// This node's lease had lapsed: the rooms taken meanwhile are lost,
    /// and the rooms of other nodes may have counted this node's
    /// connections gone, so its sessions there enter them again.
    pub fn lease_lapsed(&self) {
        *self.lapsed_at.lock() = Some(Instant::now());
        self.rehome_all();
        let directory = self.arc();
        self.tasks.spawn(async move {
            let mut unchecked: Vec<(RoomCode, Owner)> = directory
                .owners
                .all()
                .into_iter()
                .filter_map(|(code, owner)| Some((keys::code(&code)?, owner)))
                .collect();
            // Until every room is checked: one left running unchecked may
            // run beside its new owner's.
            let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
            while !unchecked.is_empty() {
                let mut failed = Vec::new();
                for (code, owner) in unchecked {
                    match directory.owner_of(&code).await {
                        Ok(Some(now)) if now == owner => {}
                        // (Unless this node took it again meanwhile.)
                        Ok(_) if directory.owners.get(code.as_str()) == Some(owner) => {
                            directory.evict(&code);
                        }
                        Ok(_) => {}
                        Err(error) => {
                            tracing::warn!(%error, "cannot check a room's owner; trying again");
                            failed.push((code, owner));
                        }
                    }
                }
                unchecked = failed;
                if !unchecked.is_empty() {
                    tokio::select! {
                        () = directory.shutdown.cancelled() => return,
                        () = tokio::time::sleep(backoff.next_wait()) => {}
                    }
                }
            }
        });
    }

    /// Tells this node's connections in every room of another node to enter
    /// it again.
    fn rehome_all(&self) {
        let remote: Vec<(RoomCode, Arc<Remote>)> = self
            .remote
            .lock()
            .iter()
            .map(|(code, entry)| (code.clone(), entry.clone()))
            .collect();
        for (code, entry) in remote {
            // What was known of its owner may be stale too.
            *entry.owner.lock() = None;
            self.rehome(&code, &entry);
        }
    }

    /// Tells this node's connections in room `code` of another node to
    /// enter it again (it moved, or what it sent may have been lost).
    fn rehome(&self, code: &RoomCode, entry: &Remote) {
        let conns: Vec<_> = entry.conns.lock().drain().collect();
        for conn in conns {
            self.delivery
                .send(conn, Message::Signal(Signal::Moved { room: code.clone() }));
        }
    }

    /// Gives this node's lease up and tells the others to take its rooms
    /// now (at shutdown, once every room has stopped).
    pub async fn leave(&self) {
        if let Err(error) = crate::cluster::lease::give_up(&self.link).await {
            tracing::warn!(%error, "cannot give the lease up; the rooms move once it expires");
            return;
        }
        let news = News::Left {
            node: self.link.node,
        };
        if let Ok(payload) = serde_json::to_vec(&news) {
            let _ = self.link.publish(keys::ALL, &payload).await;
        }
        tracing::info!(node = %self.link.name, "left the cluster; its rooms move to live nodes");
    }
}

/// Runs the takeover script: room `code` passes from `old` (whose lease
/// must be gone) to this node; the new epoch, or 0 if it did not.
async fn claim_from(link: &RedisLink, code: &RoomCode, old: NodeId) -> redis::RedisResult<u64> {
    static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(TAKE_OVER));
    let script = &*SCRIPT;
    let mut invocation = script.prepare_invoke();
    invocation
        .key(keys::room(code.as_str()))
        .key(keys::alive(old))
        .key(keys::node_rooms(old))
        .key(keys::node_rooms(link.node))
        .key(keys::EPOCH)
        .key(keys::alive(link.node))
        .arg(code.as_str())
        .arg(old.to_string())
        .arg(link.node.to_string());
    link.script(&invocation).await
}

/// The forwarding task of one room of another node: sends the inputs of
/// this node's sessions to its owner, in order, and keeps track of which
/// of this node's connections are in it.
async fn forward(
    directory: Arc<ClusterDirectory>,
    code: RoomCode,
    entry: Arc<Remote>,
    mut queue: InboxReceiver,
) {
    while let Some(input) = queue.recv().await {
        let input = *input;
        // (Inputs relayed for other nodes' connections are not theirs.)
        match &input {
            RoomInput::Enter { conn, .. } | RoomInput::Resume { conn, .. }
                if conn.node == directory.link.node =>
            {
                entry.conns.lock().insert(*conn);
            }
            RoomInput::Gone { conn } => {
                entry.conns.lock().remove(conn);
            }
            _ => {}
        }
        directory.send_to_owner(&code, Some(&entry), input).await;
    }
    let mut remote = directory.remote.lock();
    if remote
        .get(&code)
        .is_some_and(|known| Arc::ptr_eq(known, &entry))
    {
        remote.remove(&code);
    }
}

/// Milliseconds since the Unix epoch, by this node's clock.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, millis)
}

/// `duration` in whole milliseconds.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The reaper: checks the other nodes' leases until shutdown.
async fn reap(directory: Weak<ClusterDirectory>) {
    loop {
        let Some(strong) = directory.upgrade() else {
            return;
        };
        let shutdown = strong.shutdown.clone();
        if let Err(error) = strong.reap_once().await {
            tracing::debug!(%error, "cannot check the other nodes");
        }
        let wake = async {
            tokio::select! {
                () = strong.reap_now.notified() => {}
                () = tokio::time::sleep(REAP_EVERY) => {}
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = wake => {}
        }
    }
}

impl RoomDirectory for ClusterDirectory {
    fn find(&self, code: &RoomCode) -> Pending<'_, Option<RoomHandle>> {
        let code = code.clone();
        Box::pin(async move { self.locate(&code).await })
    }

    fn find_by_token(&self, token: &ResumeToken) -> Pending<'_, Option<RoomHandle>> {
        let key = keys::token(token);
        Box::pin(async move {
            let code: Option<String> = self
                .link
                .query_patiently(redis::cmd("GET").arg(key), FORWARD_PATIENCE)
                .await
                .ok()?;
            let code = keys::code(&code?)?;
            self.locate(&code).await
        })
    }

    fn quick_room(&self) -> Pending<'_, RoomHandle> {
        Box::pin(async move { self.quick().await.unwrap_or_else(|| self.unavailable()) })
    }

    fn release_quick_seat(&self, code: &RoomCode) {
        // From a session, maybe of another node than the room's.
        self.reports.add(code, None, RoomReport::QuickSeatFreed);
    }

    fn create_private(&self) -> Pending<'_, RoomHandle> {
        Box::pin(async move { self.create().await.unwrap_or_else(|| self.unavailable()) })
    }

    fn open_rooms(&self) -> usize {
        self.hosted.lock().len()
    }
}

/// Where one room of this node reports: the directory, with the owner
/// token the room runs under, so a report of a room that ran under an older
/// token changes nothing of the room that runs now.
#[derive(Debug)]
struct HostedReports {
    /// The directory.
    directory: Arc<ClusterDirectory>,
    /// The token the reporting room runs under.
    owner: Owner,
}

impl RoomReports for HostedReports {
    fn report(&self, room: &RoomCode, report: RoomReport) {
        self.directory.report_as(room, self.owner, report);
    }
}

impl ClusterDirectory {
    /// Room `room`, running under `owner`, reports `report`.
    fn report_as(&self, room: &RoomCode, owner: Owner, report: RoomReport) {
        let current = || {
            self.hosted
                .lock()
                .get(room)
                .filter(|hosted| hosted.owner == owner)
                .map(|hosted| hosted.handle.clone())
        };
        match report {
            RoomReport::Saving { works } => {
                if let Some(handle) = current() {
                    handle.status.set_unsaved(!works);
                }
                return;
            }
            RoomReport::Lost { unhandled } => {
                self.unhost_run(room, owner, true);
                if !unhandled.is_empty() {
                    // On to wherever the room is now, in order.
                    let (directory, room) = (self.arc(), room.clone());
                    self.tasks.spawn(async move {
                        directory.hand_on(&room, unhandled).await;
                    });
                }
                return;
            }
            RoomReport::GatheringOver => {
                if let Some(handle) = current() {
                    handle.status.end_gathering();
                }
            }
            RoomReport::Closed => {
                self.unhost_run(room, owner, false);
            }
            RoomReport::TokenIssued(_)
            | RoomReport::TokensRevoked(_)
            | RoomReport::QuickSeatFreed => {}
        }
        // Reports of a room this node does not own (any more), or owns
        // under another token, are not written: its owner's are.
        if self.owners.get(room.as_str()) != Some(owner) {
            return;
        }
        self.reports.add(room, Some(owner), report);
    }
}

impl Inbound for ClusterDirectory {
    fn deliver(&self, payload: &[u8]) {
        for (room, conn) in self.delivery.deliver_from_redis(payload) {
            let now = Instant::now();
            {
                let mut told = self.told_gone.lock();
                if told.len() >= TOLD_GONE_KEPT {
                    told.retain(|_, at| now.duration_since(*at) < TELL_GONE_AGAIN);
                }
                if told
                    .get(&(room.clone(), conn))
                    .is_some_and(|at| now.duration_since(*at) < TELL_GONE_AGAIN)
                {
                    continue;
                }
                told.insert((room.clone(), conn), now);
            }
            // (A full queue: the room writes again, and is told then.)
            self.relay(&room, RoomInput::Gone { conn });
        }
    }

    fn room_input(&self, payload: &[u8]) {
        let line: RoomLine = match serde_json::from_slice(payload) {
            Ok(line) => line,
            Err(error) => {
                tracing::error!(%error, "unreadable input from another node");
                return;
            }
        };
        let RoomLine { room, input, id } = line;
        if !self.heard_lines.lock().first_time(id) {
            return;
        }
        if self.hosted.lock().contains_key(&room) {
            self.deliver_hosted(&room, input);
            return;
        }
        // Not here (any more): on to wherever the room is now.
        self.relay(&room, input);
    }

    fn news(&self, payload: &[u8]) {
        let Ok(news) = serde_json::from_slice::<News>(payload) else {
            tracing::error!("unreadable news from another node");
            return;
        };
        match news {
            News::Left { node } => {
                tracing::info!(%node, "a node left; taking its rooms over");
                self.reap_now.notify_one();
            }
            News::Moved { room, owner } => {
                let Some(owner) = Owner::parse(&owner) else {
                    return;
                };
                // Only a newer owner evicts: a late word of an older move
                // must not stop the room's real owner.
                if self
                    .owners
                    .get(room.as_str())
                    .is_some_and(|mine| owner.epoch > mine.epoch)
                {
                    self.evict(&room);
                }
                let entry = self.remote.lock().get(&room).cloned();
                if let Some(entry) = entry {
                    {
                        let mut known = entry.owner.lock();
                        if known.is_some_and(|known| known.epoch > owner.epoch) {
                            return;
                        }
                        *known = Some(owner);
                    }
                    self.rehome(&room, &entry);
                }
            }
        }
    }

    fn resubscribed(&self) {
        self.rehome_all();
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::cluster::test_redis::RedisServer;
    use crate::persistence::redis::SAVE;

    /// Links of nodes 1..=`count` to `redis`.
    async fn links(redis: &RedisServer, count: u64) -> Vec<Arc<RedisLink>> {
        let mut links = Vec::new();
        for node in 1..=count {
            let metrics = Arc::new(Metrics::for_cluster());
            let link = RedisLink::connect(&redis.url(), NodeId(node), format!("n{node}"), metrics)
                .await
                .expect("Redis answers");
            links.push(link);
        }
        links
    }

    /// Room `code` as owned by `owner`, with no lease for its node.
    async fn owned_by(link: &RedisLink, code: &RoomCode, owner: Owner) {
        let mut setup = redis::pipe();
        setup
            .cmd("HSET")
            .arg(keys::room(code.as_str()))
            .arg("owner")
            .arg(owner.to_string())
            .arg("state")
            .arg("{}")
            .cmd("SADD")
            .arg(keys::node_rooms(owner.node))
            .arg(code.as_str());
        link.pipeline::<()>(&setup).await.expect("set up");
    }

    /// Runs the fenced save script: `owner` logs `entry`; 1, 0 or -1.
    async fn save(link: &RedisLink, code: &RoomCode, owner: Owner, seq: u64, entry: &str) -> i64 {
        let script = redis::Script::new(SAVE);
        let mut invocation = script.prepare_invoke();
        invocation
            .key(keys::room(code.as_str()))
            .key(keys::moves(code.as_str()))
            .key(keys::node_rooms(owner.node))
            .arg(owner.to_string())
            .arg(seq)
            .arg("log")
            .arg(entry);
        link.script(&invocation).await.expect("the script runs")
    }

    #[test]
    fn a_line_published_again_is_taken_once_and_old_lines_are_forgotten() {
        let mut heard = HeardLines::default();
        assert!(heard.first_time(7));
        assert!(!heard.first_time(7), "the same line, published again");
        for id in 100..100 + HeardLines::KEPT as u64 {
            assert!(heard.first_time(id));
        }
        assert_eq!(heard.ids.len(), HeardLines::KEPT, "bounded");
        assert!(heard.first_time(7), "forgotten once many came after it");
    }

    #[tokio::test]
    async fn of_nodes_racing_to_take_a_dead_nodes_room_exactly_one_wins_and_fences_the_old_owner() {
        let redis = RedisServer::start("race");
        let links = links(&redis, 8).await;
        let code = RoomCode::parse("H2W2S2").expect("a code");
        let dead = Owner {
            node: NodeId(99),
            epoch: 1,
        };
        owned_by(&links[0], &code, dead).await;
        assert_eq!(
            claim_from(&links[0], &code, dead.node).await.expect("runs"),
            0,
            "a node without a lease of its own takes nothing"
        );
        for link in &links {
            link.query::<()>(redis::cmd("SET").arg(keys::alive(link.node)).arg("alive"))
                .await
                .expect("a lease");
        }
        let epochs = futures_util::future::join_all(
            links
                .iter()
                .map(|link| async { claim_from(link, &code, dead.node).await.expect("runs") }),
        )
        .await;
        let winners: Vec<usize> = (0..epochs.len()).filter(|i| epochs[*i] > 0).collect();
        assert_eq!(
            winners.len(),
            1,
            "exactly one node takes the room: {epochs:?}"
        );
        let winner = Owner {
            node: links[winners[0]].node,
            epoch: epochs[winners[0]],
        };
        assert_eq!(
            save(&links[0], &code, dead, 1, "late").await,
            -1,
            "the old owner is fenced off"
        );
        assert_eq!(save(&links[0], &code, winner, 1, "first").await, 1);
        assert_eq!(
            save(&links[0], &code, winner, 1, "first").await,
            0,
            "a retried save lands once"
        );
        let moves = redis.cli(&["LRANGE", &keys::moves(code.as_str()), "0", "-1"]);
        assert_eq!(moves, "first");
        let rooms = redis.cli(&["SMEMBERS", &keys::node_rooms(winner.node)]);
        assert_eq!(
            rooms,
            code.as_str(),
            "the room is listed under its new owner"
        );
        // A node whose lease lives keeps its rooms.
        let other = &links[(winners[0] + 1) % links.len()];
        assert_eq!(
            claim_from(other, &code, winner.node).await.expect("runs"),
            0
        );
    }

    /// What happens to the room in one step of the property test.
    #[derive(Debug, Clone)]
    enum Step {
        /// A node saves with the token it took the room with.
        Save(usize),
        /// A node's lease expires (it paused, or lost Redis).
        Lapse(usize),
        /// A node renews its lease.
        Renew(usize),
        /// A node tries to take the room over from its owner.
        TakeOver(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (0..3usize).prop_map(Step::Save),
            1 => (0..3usize).prop_map(Step::Lapse),
            1 => (0..3usize).prop_map(Step::Renew),
            2 => (0..3usize).prop_map(Step::TakeOver),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Whatever the order of pauses, renewals, takeovers and saves, a
        /// save lands exactly when its node is the room's owner of record,
        /// a takeover only by a node with a lease from one whose lease is
        /// gone, and the room always has one owner.
        #[test]
        fn a_save_lands_only_from_the_owner_of_record(steps in proptest::collection::vec(step(), 1..40)) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let redis = RedisServer::start("fence-property");
                let links = links(&redis, 3).await;
                let code = RoomCode::parse("K7K7K7").expect("a code");
                let first = Owner { node: links[0].node, epoch: 1 };
                owned_by(&links[0], &code, first).await;
                let mut held: Vec<Option<Owner>> = vec![Some(first), None, None];
                let mut alive = [false; 3];
                let mut owner = first;
                let mut saves = [0u64; 3];
                let mut landed = Vec::new();
                for step in steps {
                    match step {
                        Step::Save(i) => {
                            let Some(token) = held[i] else { continue };
                            saves[i] += 1;
                            let entry = format!("{i}:{}", saves[i]);
                            let result = save(&links[i], &code, token, saves[i], &entry).await;
                            prop_assert_eq!(result == 1, token == owner, "save by {} with {}", i, token);
                            if result == 1 {
                                landed.push(entry);
                            }
                        }
                        Step::Lapse(i) => {
                            links[i].query::<()>(redis::cmd("DEL").arg(keys::alive(links[i].node))).await.expect("del");
                            alive[i] = false;
                        }
                        Step::Renew(i) => {
                            links[i].query::<()>(redis::cmd("SET").arg(keys::alive(links[i].node)).arg("n")).await.expect("set");
                            alive[i] = true;
                        }
                        Step::TakeOver(i) => {
                            let from = (0..3).find(|j| links[*j].node == owner.node).expect("an owner");
                            let epoch = claim_from(&links[i], &code, owner.node).await.expect("runs");
                            prop_assert_eq!(epoch > 0, !alive[from] && alive[i], "takeover by {} from {}", i, from);
                            if epoch > 0 {
                                owner = Owner { node: links[i].node, epoch };
                                held[i] = Some(owner);
                                saves[i] = 0;
                            }
                        }
                    }
                    let recorded = redis.cli(&["HGET", &keys::room(code.as_str()), "owner"]);
                    prop_assert_eq!(recorded, owner.to_string(), "one owner, the last to take the room");
                }
                let moves = redis.cli(&["LRANGE", &keys::moves(code.as_str()), "0", "-1"]);
                let moves: Vec<&str> = moves.lines().collect();
                prop_assert_eq!(moves, landed.iter().map(String::as_str).collect::<Vec<_>>());
                Ok(())
            })?;
        }
    }
}
