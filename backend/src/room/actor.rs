//! The room's driver: the one task that owns a [`RoomCore`]. It only
//! receives inputs, sleeps until the core's deadline, and carries out the
//! core's effects through the room's seams.
//!
//! - **Delivery**: a connection's route is resolved once, when it enters
//!   ([`Delivery::route`]); an entry from a connection that has already
//!   closed is dropped. Messages go out through the routes and never wait.
//! - **Store**: a step's messages are held until its writes are committed
//!   ("saved, then sent"): the driver hands the writes to the
//!   [`RoomStore`] and leaves the messages in the room's [`Commits`],
//!   numbered by that save, and goes on with its next input; the release
//!   task sends them once the commit is over. A step that saved nothing
//!   waits behind the ones held before it. Without a store that keeps
//!   rooms, messages go out at once.
//! - **Directory**: the core's reports go to [`RoomReports`] as they come.
//! - **Metrics**: the room's share of the gauges follows the core's
//!   [`Gauges`] after every step.
//!
//! The driver reads the clock once per step and hands it to the core.

use std::collections::BTreeMap;

use futures_util::future::Either;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use wordguess_protocol::{ResumeToken, RoomCode};

use crate::delivery::{Delivery, Message, Route, Signal};
use crate::persistence::release::{Commits, Outgoing, Releases, SaveReport};
use crate::persistence::{RoomStore, StoreError, Write};
use crate::room::core::{Effects, Gauges, RoomCore, TokenSource};
use crate::room::messages::{
    InboxReceiver, RoomDefaults, RoomInput, RoomKind, RoomReport, RoomReports,
};
use crate::room::saved::RoomSave;
use crate::support::clock::Now;
use crate::support::ids::{ConnId, NodeId};
use crate::support::metrics::Metrics;
use crate::support::pending::Pending;

/// How a room begins.
#[derive(Debug)]
pub enum RoomStart {
    /// A new room.
    Fresh(RoomKind),
    /// A room saved before a restart (or by another node).
    Restored(Box<RoomSave>),
}

/// What a room reaches the rest of the server through.
#[derive(Debug, Clone)]
pub struct RoomSeams {
    /// Connections, wherever they are.
    pub delivery: Arc<dyn Delivery>,
    /// Where rooms are saved.
    pub store: Arc<dyn RoomStore>,
    /// Saves that are over, for the release task.
    pub releases: Arc<Releases>,
    /// What an operator watches.
    pub metrics: Arc<Metrics>,
    /// What every room starts with (shared by all of them).
    pub defaults: Arc<RoomDefaults>,
    /// Stops every room when the server shuts down.
    pub shutdown: CancellationToken,
    /// This node (a room that moves away tells this node's connections).
    pub node: NodeId,
}

/// One room's driver.
struct Actor {
    /// The room.
    core: RoomCore,
    /// Its seams (one set, shared by every room).
    seams: Arc<RoomSeams>,
    /// Where its reports go.
    reports: Arc<dyn RoomReports>,
    /// The routes of the connections in the room.
    routes: BTreeMap<ConnId, Route>,
    /// What steps sent, held until their saves are committed, and what the
    /// store says back.
    commits: Arc<Commits>,
    /// The number of the last save handed to the store.
    submitted: u64,
    /// The room's share of the metrics.
    counted: Gauges,
}

/// Runs a room until it has been empty for the idle time or the server
/// shuts down (connections say goodbye themselves). A room that closes
/// forgets its saved state; one stopped by a shutdown keeps it, to be
/// restored when the server starts again. In a cluster, a room this node
/// lost (`stop` cancelled by the directory while the server runs, or a
/// save fenced off) stops at once, writes nothing, and tells this node's
/// connections where to look. `stop` must be a child of the server's
/// shutdown token: one wait serves both (every room pays for its waits).
///
/// Not an `async fn`: one would hold its arguments twice for the room's
/// life (as passed, and moved into the room), and every room pays for its
/// task's size. The room is made here; the block uses it in place.
pub fn run(
    code: RoomCode,
    start: RoomStart,
    mut inbox: InboxReceiver,
    seams: Arc<RoomSeams>,
    reports: Arc<dyn RoomReports>,
    stop: CancellationToken,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let (mut actor, effects) = Actor::new(code, start, seams, reports);
    // Boxed: carried out once, it would otherwise keep its place for the
    // room's life.
    let effects = Box::new(effects);
    async move {
        if let Some(saving) = actor.carry_out(*effects) {
            saving.await;
        }
        loop {
            let wake = actor.core.poll_timeout();
            let effects = tokio::select! {
                // Shutdown first: once it is under way, connections closing
                // must not mark seats away or pass turns in the saved state.
                biased;
                () = stop.cancelled() => {
                    if actor.seams.shutdown.is_cancelled() {
                        return;
                    }
                    return actor.lose(inbox);
                }
                () = actor.commits.reported() => {
                    let reports = actor.take_reports();
                    if reports.iter().any(|report| matches!(report, SaveReport::Lost)) {
                        return actor.lose(inbox);
                    }
                    if reports.is_empty() {
                        continue;
                    }
                    actor.core.handle_reports(reports, Now::read())
                }
                input = inbox.recv() => match input {
                    Some(input) => match actor.admit(*input) {
                        Some(input) => {
                            let conn = input.conn();
                            let mut effects = actor.core.handle(input, Now::read());
                            // A refused entry's route goes once its answer has.
                            effects.left.extend(conn);
                            effects
                        }
                        None => continue,
                    },
                    None => break,
                },
                () = sleep_until(wake.map(tokio::time::Instant::from_std)) => {
                    actor.core.handle_timeout(Now::read())
                }
            };
            if let Some(saving) = actor.carry_out(effects) {
                saving.await;
            }
            if actor.core.is_idle() {
                break;
            }
        }
        // What the store has reported (finished games of a failed save come
        // back) is taken in before the room says goodbye to it.
        let reports = actor.take_reports();
        let mut writes = Vec::new();
        if !reports.is_empty() {
            let effects = actor.core.handle_reports(reports, Now::read());
            actor.report(effects.reports);
            writes = effects.writes;
        }
        let effects = actor.core.close();
        actor.report(effects.reports);
        actor.count();
        writes.extend(effects.writes);
        if !writes.is_empty() {
            if let Err(error) = actor.seams.store.save_now(writes).await {
                tracing::error!(room = %actor.core.code(), %error, "cannot forget the closed room");
            }
        }
        let _ = actor.take_reports();
        tracing::info!(room = %actor.core.code(), games = actor.counted.games_played, "room closed");
    }
}

/// Sleeps until `deadline`; never completes without one. Not an `async
/// fn`, which would keep the deadline beside its clock in every room.
fn sleep_until(deadline: Option<tokio::time::Instant>) -> impl std::future::Future<Output = ()> {
    match deadline {
        Some(deadline) => Either::Left(tokio::time::sleep_until(deadline)),
        None => Either::Right(std::future::pending()),
    }
}

impl Actor {
    /// The driver of a room that begins as `start` says, and what its start
    /// asks to be done (a restored game that cannot go on revokes its
    /// seats). Not async: a room's task holds one copy of it.
    fn new(
        code: RoomCode,
        start: RoomStart,
        seams: Arc<RoomSeams>,
        reports: Arc<dyn RoomReports>,
    ) -> (Self, Effects) {
        let now = Now::read();
        let persistent = seams.store.keeps_rooms();
        let defaults = seams.defaults.clone();
        // 128 bits each from the thread's cryptographic generator, as
        // unguessable as before the room had a core of its own.
        let tokens = TokenSource::new(|| ResumeToken::from_bits(rand::random()));
        let (core, effects) = match start {
            RoomStart::Fresh(kind) => (
                RoomCore::fresh(code, kind, defaults, persistent, tokens, now),
                Effects::default(),
            ),
            RoomStart::Restored(save) => {
                RoomCore::restored(code, *save, defaults, persistent, tokens, now)
            }
        };
        // A restored room's moves and games were counted before the restart.
        let counted = Gauges {
            playing: false,
            seats: 0,
            ..core.gauges()
        };
        let actor = Self {
            core,
            seams,
            reports,
            routes: BTreeMap::new(),
            commits: Arc::default(),
            submitted: 0,
            counted,
        };
        (actor, effects)
    }

    /// Resolves the route of a connection that enters; an entry from a
    /// connection that has closed already is dropped (its session is gone).
    fn admit(&mut self, input: RoomInput) -> Option<RoomInput> {
        match &input {
            RoomInput::Enter { conn, .. } | RoomInput::Resume { conn, .. } => {
                let route = self.seams.delivery.route_from(self.core.code(), *conn)?;
                self.routes.insert(*conn, route);
            }
            // A stranger's command is answered (with a refusal).
            RoomInput::Command { conn, .. } if !self.routes.contains_key(conn) => {
                if let Some(route) = self.seams.delivery.route_from(self.core.code(), *conn) {
                    self.routes.insert(*conn, route);
                }
            }
            RoomInput::Command { .. } | RoomInput::Gone { .. } | RoomInput::NodeLost { .. } => {}
        }
        Some(input)
    }

    /// The room was lost to another node (or the store closed under it): it
    /// says so to the directory first, with the inputs still in its inbox
    /// (so this node's sessions find the room where it is now, and those
    /// inputs follow it), then tells this node's connections in it to enter
    /// it again there. The connections of other nodes hear of the move from
    /// the new owner.
    fn lose(self, mut inbox: InboxReceiver) {
        tracing::warn!(room = %self.core.code(), "the room moved to another node; stopped here");
        // What waited in the inbox goes on to the room where it is now.
        let mut unhandled = Vec::new();
        inbox.close();
        while let Ok(input) = inbox.try_recv() {
            unhandled.push(*input);
        }
        self.reports
            .report(self.core.code(), RoomReport::Lost { unhandled });
        let moved = Signal::Moved {
            room: self.core.code().clone(),
        };
        for (conn, route) in &self.routes {
            if conn.node == self.seams.node {
                route.deliver(Message::Signal(moved.clone()));
            }
        }
        // The room's share of the gauges goes with it (its new owner
        // counts it).
        let metrics = &self.seams.metrics;
        if self.counted.playing {
            metrics.games_running.dec();
        }
        metrics
            .players_seated
            .dec_by(i64::try_from(self.counted.seats).unwrap_or(i64::MAX));
    }

    /// What the store reported, counting failures.
    fn take_reports(&mut self) -> Vec<SaveReport> {
        let reports = self.commits.take_reports();
        for report in &reports {
            if matches!(report, SaveReport::Failed { .. }) {
                self.seams.metrics.save_failures.inc();
            }
        }
        reports
    }

    /// Carries out a step's effects: reports to the directory at once,
    /// metrics, then the messages (after the step's save is committed).
    /// What it returns, if anything, queues the save: the room waits for it
    /// (for room in the store's queue, not for the commit). Not async: the
    /// room's task would keep room for this step's state for its life.
    fn carry_out(&mut self, effects: Effects) -> Option<Pending<'_, ()>> {
        let Effects {
            messages,
            writes,
            reports,
            left,
        } = effects;
        self.report(reports);
        self.count();
        let keeps_rooms = self.seams.store.keeps_rooms();
        if !keeps_rooms || (writes.is_empty() && !self.commits.is_holding()) {
            // Nothing to wait for: straight to the connections.
            for (route, message) in self.routed(messages) {
                route.deliver(message);
            }
            self.forget_routes(left);
            return None;
        }
        let mut outgoing: Vec<Outgoing> = Vec::with_capacity(messages.len());
        outgoing.extend(
            self.routed(messages)
                .map(|(route, message)| (route.clone(), message)),
        );
        self.forget_routes(left);
        self.settle(outgoing, writes)
    }

    /// Each message with the route of its connection (a connection the
    /// room holds no route for is gone, and its messages with it).
    fn routed(
        &self,
        messages: Vec<(ConnId, Message)>,
    ) -> impl Iterator<Item = (&Route, Message)> + '_ {
        messages
            .into_iter()
            .filter_map(|(conn, message)| Some((self.routes.get(&conn)?, message)))
    }

    /// Forgets the routes of connections no longer in the room.
    fn forget_routes(&mut self, left: Vec<ConnId>) {
        for conn in left {
            if !self.core.is_member(conn) {
                self.routes.remove(&conn);
            }
        }
    }

    /// Tells the directory what the room reports.
    fn report(&self, reports: Vec<RoomReport>) {
        for report in reports {
            self.reports.report(self.core.code(), report);
        }
    }

    /// Brings the room's share of the metrics up to date: whether its game
    /// runs, its seats, moves played and games finished since the last
    /// count.
    fn count(&mut self) {
        let metrics = &self.seams.metrics;
        let now = self.core.gauges();
        let counted = &mut self.counted;
        if now.playing != counted.playing {
            if now.playing {
                metrics.games_running.inc();
            } else {
                metrics.games_running.dec();
            }
        }
        // The gauges are shared by every room: only changes touch them.
        let seats = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        if now.seats != counted.seats {
            metrics
                .players_seated
                .inc_by(seats(now.seats) - seats(counted.seats));
        }
        // A new game starts counting from zero.
        if now.moves > counted.moves {
            metrics.moves.inc_by(u64::from(now.moves - counted.moves));
        }
        if now.games_played > counted.games_played {
            metrics
                .games_finished
                .inc_by(u64::from(now.games_played - counted.games_played));
        }
        *counted = now;
    }

    /// Sends `outgoing` once `writes` are committed: the writes go to the
    /// store and the messages wait in the room's [`Commits`] (a step that
    /// saved nothing waits behind the steps held before it, so messages
    /// never overtake each other). What it returns queues the save.
    fn settle(&mut self, outgoing: Vec<Outgoing>, writes: Vec<Write>) -> Option<Pending<'_, ()>> {
        if writes.is_empty() {
            self.commits.send_after_held(outgoing);
            return None;
        }
        self.submitted += 1;
        let seq = self.submitted;
        self.commits.hold(seq, outgoing);
        let records = writes
            .iter()
            .filter_map(|write| match write {
                Write::RecordGame(record) => Some(record.clone()),
                _ => None,
            })
            .collect();
        let commits = self.commits.clone();
        let releases = self.seams.releases.clone();
        let was_unsaved = self.core.is_unsaved();
        let done = Box::new(move |result: Result<(), StoreError>| {
            let report = match result {
                Ok(()) => was_unsaved.then_some(SaveReport::Recovered),
                // Not saved where the room's next owner (or this node after
                // a restart) reads it: what waited must not go out.
                Err(StoreError::Fenced { .. } | StoreError::Closed) => Some(SaveReport::Lost),
                Err(error) => Some(SaveReport::Failed {
                    error: error.to_string(),
                    records,
                }),
            };
            releases.push(commits, seq, report);
        });
        Some(self.seams.store.save(writes, done))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use parking_lot::Mutex;
    use tokio_util::task::TaskTracker;
    use wordguess_game::Move;
    use wordguess_protocol::{Language, ServerEvent};

    use super::*;
    use crate::delivery::fake::FakeDelivery;
    use crate::persistence::memory::MemoryStore;
    use crate::persistence::release;
    use crate::room::messages::RoomCommand;
    use crate::support::ids::NodeId;
    use crate::support::words::WordList;

    /// What rooms reported, in order.
    #[derive(Debug, Default)]
    struct Heard(Mutex<Vec<RoomReport>>);

    impl RoomReports for Heard {
        fn report(&self, _room: &RoomCode, report: RoomReport) {
            self.0.lock().push(report);
        }
    }

    /// One room actor on fake seams, with the release task.
    struct Harness {
        delivery: Arc<FakeDelivery>,
        store: Arc<MemoryStore>,
        heard: Arc<Heard>,
        metrics: Arc<Metrics>,
        inbox: crate::room::messages::InboxSender,
        shutdown: CancellationToken,
        tasks: TaskTracker,
        code: RoomCode,
    }

    fn harness(kind: RoomKind) -> Harness {
        let delivery = Arc::new(FakeDelivery::default());
        let store = Arc::new(MemoryStore::default());
        let heard = Arc::new(Heard::default());
        let metrics = Arc::new(Metrics::default());
        let shutdown = CancellationToken::new();
        let releases = Arc::new(Releases::default());
        let tasks = TaskTracker::new();
        tasks.spawn(release::run(releases.clone(), shutdown.clone()));
        let seams = Arc::new(RoomSeams {
            delivery: delivery.clone(),
            store: store.clone(),
            releases,
            metrics: metrics.clone(),
            defaults: Arc::new(RoomDefaults {
                words: WordList::parse("apple", "test").expect("a word"),
                language: Language::Both,
                words_from_file: false,
                players_to_start: 2,
                turn_time: None,
                resume_grace: Duration::from_secs(60),
                idle_close: Duration::from_secs(600),
                public_url: String::new(),
                tcp_port: 4000,
                bot_after: None,
            }),
            shutdown: shutdown.clone(),
            node: NodeId(1),
        });
        let (inbox, receiver) = crate::room::messages::inbox(16);
        let code = RoomCode::parse("H2W2S2").expect("a code");
        tasks.spawn(run(
            code.clone(),
            RoomStart::Fresh(kind),
            receiver,
            seams,
            heard.clone(),
            shutdown.child_token(),
        ));
        Harness {
            delivery,
            store,
            heard,
            metrics,
            inbox,
            shutdown,
            tasks,
            code,
        }
    }

    /// Waits (in simulated time) until `done` holds.
    async fn until(mut done: impl FnMut() -> bool) {
        for _ in 0..1000 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("never happened");
    }

    impl Harness {
        /// Opens two connections and seats alice and bob.
        async fn seat_two(&self) -> (ConnId, ConnId) {
            let ids = crate::support::ids::ConnIds::new(NodeId(1));
            let (alice, bob) = (ids.next(), ids.next());
            for (conn, name) in [(alice, "alice"), (bob, "bob")] {
                self.delivery.open(conn);
                self.inbox
                    .send(Box::new(RoomInput::player(conn, name)))
                    .await
                    .expect("open");
            }
            (alice, bob)
        }

        /// Waits until `conn` has been sent a notice saying `text`, keeping
        /// what it was sent in `got`.
        async fn until_notice(&self, conn: ConnId, got: &mut Vec<ServerEvent>, text: &str) {
            until(|| {
                got.extend(self.delivery.events(conn));
                got.iter().any(|event| {
                    matches!(event, ServerEvent::Notice { message } if message.contains(text))
                })
            })
            .await;
        }

        /// Whether the directory heard `report`.
        fn heard(&self, report: &RoomReport) -> bool {
            self.heard.0.lock().contains(report)
        }

        fn saved(&self) -> bool {
            self.store
                .kept
                .lock()
                .rooms
                .contains_key(self.code.as_str())
        }

        async fn stop(self) {
            self.shutdown.cancel();
            self.tasks.close();
            self.tasks.wait().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn players_hear_a_step_only_once_it_is_saved_and_the_directory_hears_the_room() {
        let room = harness(RoomKind::QuickMatch);
        room.store.hold_commits();
        let (alice, bob) = room.seat_two().await;
        // The directory hears of both tokens at once, before any commit.
        until(|| {
            room.heard
                .0
                .lock()
                .iter()
                .filter(|report| matches!(report, RoomReport::TokenIssued(_)))
                .count()
                == 2
        })
        .await;
        assert!(room.heard(&RoomReport::GatheringOver));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            room.delivery.take(alice).is_empty() && room.delivery.take(bob).is_empty(),
            "nothing goes out before its save is committed"
        );
        assert!(!room.saved());
        assert!(room.store.commit_held() > 0);
        let mut got = Vec::new();
        until(|| {
            got.extend(room.delivery.events(bob));
            got.iter()
                .any(|event| matches!(event, ServerEvent::Started { .. }))
        })
        .await;
        assert!(room.saved());
        let play = RoomCommand::Play(Move::Letter("p".to_owned()));
        room.inbox
            .send(Box::new(RoomInput::Command {
                conn: alice,
                command: play,
            }))
            .await
            .expect("open");
        until(|| !room.store.kept.lock().log.is_empty()).await;
        until(|| room.metrics.encode().contains("wordguess_moves_total 1")).await;
        room.stop().await;
    }

    #[tokio::test(start_paused = true)]
    async fn an_entry_from_a_connection_that_already_closed_is_dropped() {
        let room = harness(RoomKind::Private);
        let ghost = crate::support::ids::ConnIds::new(NodeId(2)).next();
        room.inbox
            .send(Box::new(RoomInput::player(ghost, "ghost")))
            .await
            .expect("open");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(room.heard.0.lock().is_empty(), "no seat, no token");
        room.stop().await;
    }

    #[tokio::test(start_paused = true)]
    async fn when_saves_fail_the_game_goes_on_the_players_are_told_and_the_room_recovers() {
        let room = harness(RoomKind::QuickMatch);
        let (alice, bob) = room.seat_two().await;
        until(|| room.saved()).await;
        room.store.failing.store(true, Ordering::Relaxed);
        let play = |letter: &str| RoomInput::Command {
            conn: alice,
            command: RoomCommand::Play(Move::Word(letter.to_owned())),
        };
        room.inbox
            .send(Box::new(play("melon")))
            .await
            .expect("open");
        let mut got = Vec::new();
        room.until_notice(bob, &mut got, "cannot save").await;
        assert!(
            got.iter()
                .any(|event| matches!(event, ServerEvent::WordNamed { .. })),
            "the move itself reached bob: {got:?}"
        );
        assert!(room.heard(&RoomReport::Saving { works: false }));
        assert!(room
            .metrics
            .encode()
            .contains("wordguess_save_failures_total 1"));
        room.store.failing.store(false, Ordering::Relaxed);
        room.until_notice(bob, &mut got, "saved again").await;
        assert!(room.heard(&RoomReport::Saving { works: true }));
        room.stop().await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_room_left_empty_closes_and_forgets_its_saved_state() {
        let room = harness(RoomKind::Private);
        let (alice, bob) = room.seat_two().await;
        until(|| room.saved()).await;
        for conn in [alice, bob] {
            room.inbox
                .send(Box::new(RoomInput::Gone { conn }))
                .await
                .expect("open");
        }
        // The away seats' grace (60 s), then the idle time (600 s).
        tokio::time::sleep(Duration::from_secs(660)).await;
        until(|| room.heard(&RoomReport::Closed)).await;
        assert!(!room.saved(), "a closed room is forgotten");
        assert!(room.inbox.is_closed());
        room.stop().await;
    }
}
