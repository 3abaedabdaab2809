//! Holding a room's events until the save they wait for is committed, and
//! letting them go as soon as it is.
//!
//! A room step that changed the room's state hands its save to the store's
//! writer and leaves its events in the room's [`Commits`], numbered by that
//! save. When a commit is over, the writer thread runs each save's
//! continuation, which only queues the save's number in the server's one
//! [`Releases`]; the release task ([`run`]) then sends every room's events up
//! to that number, on the async runtime. So the writer wakes one task a
//! commit (however many rooms the commit served) instead of every room, and
//! the rooms are not woken at all: a room hears from the writer only when a
//! save failed or works again.
//!
//! Order is kept: a room's events go out in the order of its steps. A step
//! that saved nothing is held behind the steps before it while any is held;
//! the release task sends a room's events while it holds the room's lock,
//! so a later step cannot overtake them.
//!
//! [`Releases`] holds at most one entry per save queued to the writer, so
//! it is bounded by the writer's own queue.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::task::AtomicWaker;
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::GameRecord;

use crate::delivery::{Message, Route};

/// A message held for one connection.
pub type Outgoing = (Route, Message);

/// Sends what a step held back, in order. A connection whose queue is full
/// is dropped by its outbox (its session then tells the room it is gone).
pub fn send_all(outgoing: Vec<Outgoing>) {
    for (route, message) in outgoing {
        route.deliver(message);
    }
}

/// How a save went, when the room must hear of it.
#[derive(Debug)]
pub enum SaveReport {
    /// The save failed; the finished games it carried come back.
    Failed {
        /// Why.
        error: String,
        /// The finished games of the save.
        records: Vec<GameRecord>,
    },
    /// A save worked after failures.
    Recovered,
    /// The room belongs to another node now (its save was fenced off), or
    /// the store closed before saving: nothing it holds goes out, and it
    /// stops.
    Lost,
}

/// What a room holds back until its saves are committed, and what the
/// writer reports to it.
#[derive(Debug, Default)]
pub struct Commits {
    /// Held events, and how far the room's saves are committed.
    held: Mutex<Held>,
    /// Failures and recoveries, in order.
    reports: Mutex<Vec<SaveReport>>,
    /// Wakes the room's task for a report (its one waiter; 8 bytes of
    /// wait in every room, where a `Notify`'s costs 64).
    waker: AtomicWaker,
}

/// A room's events held for its saves.
#[derive(Debug, Default)]
struct Held {
    /// The number of the last save committed (or failed).
    committed: u64,
    /// What steps sent, by the number of the save each waits for.
    steps: VecDeque<(u64, Vec<Outgoing>)>,
    /// The room was lost to another node: nothing more goes out.
    lost: bool,
}

impl Commits {
    /// Holds `outgoing` until save number `seq` is committed.
    pub fn hold(&self, seq: u64, outgoing: Vec<Outgoing>) {
        self.held.lock().steps.push_back((seq, outgoing));
    }

    /// Whether any step's events are held (only the room adds to them, so
    /// `false` stays true until it holds another).
    pub fn is_holding(&self) -> bool {
        !self.held.lock().steps.is_empty()
    }

    /// Sends `outgoing` (a step that saved nothing) once what is held
    /// before it has gone out: now, if nothing is held.
    pub fn send_after_held(&self, outgoing: Vec<Outgoing>) {
        let mut held = self.held.lock();
        if held.lost {
            return;
        }
        match held.steps.back_mut() {
            Some((_, waiting)) => waiting.extend(outgoing),
            None => {
                drop(held);
                // Only the room adds to what is held, so nothing can be
                // held before these now.
                send_all(outgoing);
            }
        }
    }

    /// Save number `seq` is over: what waited for it goes out, and a report
    /// wakes the room.
    fn done(&self, seq: u64, report: Option<SaveReport>) {
        if matches!(report, Some(SaveReport::Lost)) {
            // What waited was never saved where the new owner reads: no
            // player may hear of it.
            let mut held = self.held.lock();
            held.lost = true;
            held.steps.clear();
        }
        if let Some(report) = report {
            self.reports.lock().push(report);
            self.waker.wake();
        }
        let mut held = self.held.lock();
        if held.lost {
            held.steps.clear();
            return;
        }
        held.committed = held.committed.max(seq);
        let committed = held.committed;
        while held.steps.front().is_some_and(|(seq, _)| *seq <= committed) {
            if let Some((_, outgoing)) = held.steps.pop_front() {
                send_all(outgoing);
            }
        }
    }

    /// The reports not yet taken, in order.
    pub fn take_reports(&self) -> Vec<SaveReport> {
        std::mem::take(&mut *self.reports.lock())
    }

    /// Completes once a report waits (for the room's own task: a wait from
    /// another task would take its wake-up).
    pub fn reported(&self) -> impl std::future::Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| {
            let waiting = || !self.reports.lock().is_empty();
            if waiting() {
                return std::task::Poll::Ready(());
            }
            // Registered before the second look, so a report in between
            // wakes this wait.
            self.waker.register(cx.waker());
            if waiting() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
    }
}

/// One save that is over.
struct Release {
    /// The room's holdings.
    commits: Arc<Commits>,
    /// The save's number.
    seq: u64,
    /// What the room must hear, if anything.
    report: Option<SaveReport>,
}

/// Saves that are over, waiting for the release task.
#[derive(Default)]
pub struct Releases {
    /// In the order their commits ended.
    queue: Mutex<Vec<Release>>,
    /// Wakes the release task.
    notify: Notify,
}

impl std::fmt::Debug for Releases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Releases")
            .field("queued", &self.queue.lock().len())
            .finish()
    }
}

impl Releases {
    /// Save number `seq` of the room holding `commits` is over (called on
    /// the writer's thread, once per save).
    pub fn push(&self, commits: Arc<Commits>, seq: u64, report: Option<SaveReport>) {
        self.queue.lock().push(Release {
            commits,
            seq,
            report,
        });
        // A task already woken is not woken again: one wake serves every
        // save of a commit.
        self.notify.notify_one();
    }
}

/// The release task: sends what waited for saves that are over, until the
/// server shuts down.
pub async fn run(releases: Arc<Releases>, shutdown: CancellationToken) {
    let mut batch = Vec::new();
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            () = releases.notify.notified() => {}
        }
        std::mem::swap(&mut batch, &mut *releases.queue.lock());
        for release in batch.drain(..) {
            // A panic here must not end the task: every room's events
            // would be held for good.
            let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                release.commits.done(release.seq, release.report);
            }));
            if sent.is_err() {
                tracing::error!("sending what waited for a save panicked");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wordguess_protocol::ServerEvent;

    use super::*;
    use crate::delivery::fake::FakeDelivery;
    use crate::delivery::Delivery;
    use crate::support::ids::{ConnId, ConnIds, NodeId};

    fn notice(text: &str) -> Message {
        Message::Event(Arc::new(ServerEvent::Notice {
            message: text.to_owned(),
        }))
    }

    /// A connection that records, and a way to make messages for it.
    fn connection() -> (FakeDelivery, ConnId, impl Fn(&str) -> Outgoing) {
        let delivery = FakeDelivery::default();
        let conn = ConnIds::new(NodeId(1)).next();
        delivery.open(conn);
        let route = delivery.route(conn).expect("open");
        (delivery, conn, move |text| (route.clone(), notice(text)))
    }

    fn texts(delivery: &FakeDelivery, conn: ConnId) -> Vec<String> {
        delivery
            .events(conn)
            .into_iter()
            .map(|event| match event {
                ServerEvent::Notice { message } => message,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn held_events_wait_for_their_save_and_later_steps_wait_behind_them() {
        let (delivery, conn, out) = connection();
        let commits = Commits::default();
        commits.hold(1, vec![out("move")]);
        commits.send_after_held(vec![out("chat")]);
        commits.hold(2, vec![out("next move")]);
        assert!(
            texts(&delivery, conn).is_empty(),
            "nothing before the commit"
        );
        commits.done(1, None);
        assert_eq!(texts(&delivery, conn), ["move", "chat"]);
        commits.done(2, None);
        assert_eq!(texts(&delivery, conn), ["next move"]);
        commits.send_after_held(vec![out("now")]);
        assert_eq!(texts(&delivery, conn), ["now"], "nothing held: at once");
    }

    #[test]
    fn a_failed_save_still_lets_its_events_go_and_reports_to_the_room() {
        let (delivery, conn, out) = connection();
        let commits = Commits::default();
        commits.hold(1, vec![out("move")]);
        let report = SaveReport::Failed {
            error: "disk full".to_owned(),
            records: Vec::new(),
        };
        commits.done(1, Some(report));
        assert_eq!(texts(&delivery, conn), ["move"]);
        assert!(matches!(
            &commits.take_reports()[..],
            [SaveReport::Failed { .. }]
        ));
        assert!(commits.take_reports().is_empty());
    }

    #[tokio::test]
    async fn the_release_task_sends_what_each_commit_freed_in_order() {
        let (delivery, conn, out) = connection();
        let releases = Arc::new(Releases::default());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(run(releases.clone(), shutdown.clone()));
        let commits = Arc::new(Commits::default());
        commits.hold(1, vec![out("one")]);
        commits.hold(2, vec![out("two")]);
        // The store finished both saves in one commit.
        releases.push(commits.clone(), 1, None);
        releases.push(commits.clone(), 2, Some(SaveReport::Recovered));
        commits.reported().await;
        while !commits.held.lock().steps.is_empty() {
            tokio::task::yield_now().await;
        }
        assert_eq!(texts(&delivery, conn), ["one", "two"]);
        assert!(matches!(
            &commits.take_reports()[..],
            [SaveReport::Recovered]
        ));
        shutdown.cancel();
        task.await.expect("the task ends");
    }
}
