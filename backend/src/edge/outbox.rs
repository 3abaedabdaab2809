//! A connection's bounded outbound queue.
//!
//! Rooms push events with [`Outbox::send`], which never waits: if the queue
//! is full the client has stopped reading the game, so it is *kicked* (its
//! connection task closes it) instead of stalling everyone. The session's
//! replies to the client's own commands use [`Outbox::reply`] and
//! [`Outbox::make_room`], which wait instead: a client that pipelines many
//! commands is slowed down (its socket is not read meanwhile), not dropped.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use parking_lot::{Mutex, MutexGuard};

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;
use wordguess_protocol::ServerEvent;

/// Why a connection is closed, for doors that can say so (WebSocket close
/// codes, RFC 6455 section 7.4.1); the TCP door just closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CloseReason {
    /// The conversation ended (after `/quit`, or the peer left).
    Normal = 0,
    /// The server is shutting down (1001).
    GoingAway = 1,
    /// The peer broke the WebSocket protocol (1002).
    Protocol = 2,
    /// A text frame was not UTF-8 (1007).
    InvalidData = 3,
    /// The peer broke a policy: flooding, not reading (1008).
    Policy = 4,
    /// A message was too long (1009).
    TooBig = 5,
}

impl CloseReason {
    /// The WebSocket close code and a short reason.
    pub fn websocket(self) -> (u16, &'static str) {
        match self {
            CloseReason::Normal => (1000, "bye"),
            CloseReason::GoingAway => (1001, "the server is shutting down"),
            CloseReason::Protocol => (1002, "websocket protocol error"),
            CloseReason::InvalidData => (1007, "text frames must be UTF-8"),
            CloseReason::Policy => (1008, "too many commands, or not reading"),
            CloseReason::TooBig => (1009, "message too long"),
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => CloseReason::GoingAway,
            2 => CloseReason::Protocol,
            3 => CloseReason::InvalidData,
            4 => CloseReason::Policy,
            5 => CloseReason::TooBig,
            _ => CloseReason::Normal,
        }
    }
}

/// Where the reader, the session and the writer agree on why the connection
/// closes (the first reason set wins).
#[derive(Debug, Clone, Default)]
pub struct Closing(Arc<AtomicU8>);

impl Closing {
    /// Records `reason` unless one was already recorded.
    pub fn set(&self, reason: CloseReason) {
        let _ = self
            .0
            .compare_exchange(0, reason as u8, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The reason recorded, or [`CloseReason::Normal`].
    pub fn reason(&self) -> CloseReason {
        CloseReason::from_u8(self.0.load(Ordering::Acquire))
    }
}

/// The sending side of one connection's queue.
#[derive(Debug)]
pub struct Outbox {
    /// Events for the connection's writer, shared: one event broadcast to a
    /// room is one allocation, and a queue slot is one pointer.
    queue: Arc<Queue>,
    /// Why the connection closes.
    pub closing: Closing,
}

/// One connection's queue of events, shared by its senders and its writer.
///
/// A `VecDeque` behind a lock rather than a channel: an idle connection's
/// queue is empty and holds no slots (a tokio channel keeps a cache-padded
/// state and blocks of 32 slots for good: about 1 KiB a connection).
#[derive(Debug)]
struct Queue {
    /// The events, and whether the writer is gone.
    state: Mutex<QueueState>,
    /// The most events the queue holds.
    capacity: usize,
    /// Live [`Outbox`] clones; the writer ends once none is left.
    senders: AtomicUsize,
    /// Events arrived, or the last sender left (the one writer waits).
    ready: AtomicWaker,
    /// The writer took events, or is gone (replies waiting for room).
    space: Notify,
    /// Set when the client is dropped for not reading.
    kicked: AtomicBool,
    /// Wakes the connection's task when `kicked` is set (its one waiter;
    /// 8 bytes of wait in every idle connection, where a `Notify`'s costs
    /// 64).
    kick: AtomicWaker,
}

/// What [`Queue::state`] guards.
#[derive(Debug, Default)]
struct QueueState {
    /// Waiting events, oldest first.
    events: VecDeque<Arc<ServerEvent>>,
    /// The writer has stopped: sending fails.
    writer_gone: bool,
}

/// A queue that holds more slots than this once empty gives them back.
const IDLE_SLOTS: usize = 8;

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock()
    }

    /// Waits until `wanted` more events fit, then runs `then` under the
    /// lock; `None` if the writer is gone.
    async fn when_room<T>(
        &self,
        wanted: usize,
        then: impl FnOnce(&mut QueueState) -> T,
    ) -> Option<T> {
        let wanted = wanted.clamp(1, self.capacity);
        let mut then = Some(then);
        wait_for(&self.space, || {
            let mut state = self.lock();
            if state.writer_gone {
                return Some(None);
            }
            let fits = state.events.len() + wanted <= self.capacity;
            fits.then(|| then.take().map(|then| then(&mut state)))
        })
        .await
    }
}

/// Waits on `notify` until `ready` gives a value. The wait is registered
/// before each check, so a wake-up (`notify_waiters`) between the check and
/// the wait is not lost.
async fn wait_for<T>(notify: &Notify, mut ready: impl FnMut() -> Option<T>) -> T {
    loop {
        let woken = notify.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if let Some(value) = ready() {
            return value;
        }
        woken.await;
    }
}

/// The writer's side of one connection's queue.
#[derive(Debug)]
pub struct Events {
    queue: Arc<Queue>,
}

impl Events {
    /// Waits for events and moves at most `limit` of them into `batch`;
    /// returns how many, or 0 once every sender is gone and the queue is
    /// empty.
    pub fn recv_many<'a>(
        &'a mut self,
        batch: &'a mut Vec<Arc<ServerEvent>>,
        limit: usize,
    ) -> impl std::future::Future<Output = usize> + Send + 'a {
        debug_assert!(limit > 0, "0 would read as a closed queue");
        std::future::poll_fn(move |cx| {
            // Registered before the look, so an event queued after it
            // wakes this wait.
            self.queue.ready.register(cx.waker());
            let mut state = self.queue.lock();
            if !state.events.is_empty() {
                let taken = limit.min(state.events.len());
                batch.extend(state.events.drain(..taken));
                if state.events.is_empty() && state.events.capacity() > IDLE_SLOTS {
                    state.events = VecDeque::new();
                }
                drop(state);
                self.queue.space.notify_waiters();
                return Poll::Ready(taken);
            }
            // Read under the lock: a sender's last event is queued before
            // it counts itself out.
            if self.queue.senders.load(Ordering::Acquire) == 0 {
                return Poll::Ready(0);
            }
            Poll::Pending
        })
    }

    /// Whether no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.lock().events.is_empty()
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        state.writer_gone = true;
        state.events = VecDeque::new();
        drop(state);
        self.queue.space.notify_waiters();
    }
}

impl Clone for Outbox {
    fn clone(&self) -> Self {
        self.queue.senders.fetch_add(1, Ordering::AcqRel);
        Self {
            queue: self.queue.clone(),
            closing: self.closing.clone(),
        }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        // Every event this sender queued was pushed under the lock before
        // this: a writer that reads no sender left has seen them all.
        if self.queue.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.queue.ready.wake();
        }
    }
}

impl Outbox {
    /// A queue of `capacity` events and its receiving end.
    pub fn new(capacity: usize) -> (Self, Events) {
        let queue = Arc::new(Queue {
            state: Mutex::default(),
            capacity: capacity.max(1),
            senders: AtomicUsize::new(1),
            ready: AtomicWaker::new(),
            space: Notify::new(),
            kicked: AtomicBool::new(false),
            kick: AtomicWaker::new(),
        });
        let outbox = Self {
            queue: queue.clone(),
            closing: Closing::default(),
        };
        (outbox, Events { queue })
    }

    /// Queues an event. Returns `false` if the client is gone or was just
    /// kicked because its queue is full.
    pub fn send(&self, event: impl Into<Arc<ServerEvent>>) -> bool {
        let mut state = self.queue.lock();
        if state.writer_gone {
            return false;
        }
        if state.events.len() >= self.queue.capacity {
            drop(state);
            tracing::warn!("outbound queue full: dropping a client that does not read");
            self.closing.set(CloseReason::Policy);
            self.queue.kicked.store(true, Ordering::Release);
            self.queue.kick.wake();
            return false;
        }
        state.events.push_back(event.into());
        drop(state);
        self.queue.ready.wake();
        true
    }

    /// Queues a private error message.
    pub fn error(&self, message: impl Into<String>) -> bool {
        self.send(ServerEvent::Error {
            message: message.into(),
        })
    }

    /// Queues a reply to the client's own command, waiting while the queue
    /// is full (back-pressure on that client's reading); room broadcasts do
    /// not wait behind it. Returns `false` if the connection is gone.
    pub async fn reply(&self, event: ServerEvent) -> bool {
        let event = Arc::new(event);
        let queued = self
            .queue
            .when_room(1, |state| state.events.push_back(event))
            .await;
        if queued.is_some() {
            self.queue.ready.wake();
        }
        queued.is_some()
    }

    /// Waits until the queue has room for `slots` more events (the replies
    /// a command may cause), so a command is forwarded only when its reply
    /// will fit. Returns `false` if the connection is gone.
    pub async fn make_room(&self, slots: usize) -> bool {
        self.queue.when_room(slots, |_| ()).await.is_some()
    }

    /// Completes when the client has been kicked (for the one task that
    /// watches the connection: a wait from another task would take its
    /// wake-up).
    pub fn kicked(&self) -> impl std::future::Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| {
            let kicked = || self.queue.kicked.load(Ordering::Acquire);
            if kicked() {
                return Poll::Ready(());
            }
            // Registered before the second look, so a kick in between
            // wakes this wait.
            self.queue.kick.register(cx.waker());
            if kicked() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// Most events a writer renders into one write.
pub const BATCH: usize = 64;

/// Waits for the next batch of events (at most [`BATCH`]) into `batch`;
/// `false` once the queue is closed and empty. Both doors' writers use it.
/// When the queue is idle the batch's memory is released first, so an idle
/// connection holds none.
///
/// Not an `async fn`, which would keep its arguments beside the wait in
/// every idle connection's writer.
pub fn next_batch<'a>(
    events: &'a mut Events,
    batch: &'a mut Vec<Arc<ServerEvent>>,
) -> impl std::future::Future<Output = bool> + Send + 'a {
    batch.clear();
    if events.is_empty() {
        *batch = Vec::new();
    }
    futures_util::FutureExt::map(events.recv_many(batch, BATCH), |taken| taken > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(n: usize) -> ServerEvent {
        ServerEvent::Notice {
            message: format!("event {n}"),
        }
    }

    /// A task's result, or a failure if it hangs (a lost wake-up).
    async fn within<T>(task: tokio::task::JoinHandle<T>) -> T {
        tokio::time::timeout(std::time::Duration::from_secs(10), task)
            .await
            .expect("no wake-up was lost")
            .expect("task")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn senders_on_other_threads_lose_nothing_and_the_writer_ends() {
        for _ in 0..50 {
            let (outbox, mut events) = Outbox::new(16);
            let writer = tokio::spawn(async move {
                let mut batch = Vec::new();
                let mut seen = 0;
                while next_batch(&mut events, &mut batch).await {
                    seen += batch.len();
                }
                seen
            });
            let senders: Vec<_> = (0..4)
                .map(|_| {
                    let outbox = outbox.clone();
                    tokio::spawn(async move {
                        for n in 0..200 {
                            assert!(outbox.reply(notice(n)).await);
                        }
                    })
                })
                .collect();
            drop(outbox);
            for sender in senders {
                within(sender).await;
            }
            assert_eq!(within(writer).await, 800);
        }
    }

    #[tokio::test]
    async fn a_full_queue_kicks_instead_of_waiting_and_says_why() {
        let (outbox, mut events) = Outbox::new(2);
        assert!(outbox.send(notice(1)));
        assert!(outbox.send(notice(2)));
        assert!(!outbox.send(notice(3)), "the third does not fit");
        outbox.kicked().await;
        assert_eq!(outbox.closing.reason(), CloseReason::Policy);
        let mut batch = Vec::new();
        assert_eq!(events.recv_many(&mut batch, BATCH).await, 2);
        assert_eq!(*batch[1], notice(2));
    }

    #[tokio::test]
    async fn a_reply_waits_for_room_and_goes_out_in_order() {
        let (outbox, mut events) = Outbox::new(2);
        outbox.send(notice(1));
        outbox.send(notice(2));
        let replier = outbox.clone();
        let reply = tokio::spawn(async move { replier.reply(notice(3)).await });
        tokio::task::yield_now().await;
        assert!(!reply.is_finished(), "no room yet");
        let mut batch = Vec::new();
        assert_eq!(events.recv_many(&mut batch, 1).await, 1);
        assert!(within(reply).await, "queued once there was room");
        batch.clear();
        events.recv_many(&mut batch, BATCH).await;
        assert_eq!(batch, [Arc::new(notice(2)), Arc::new(notice(3))]);
        assert!(!outbox.queue.kicked.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn the_writer_gets_everything_sent_then_learns_the_senders_are_gone() {
        let (outbox, mut events) = Outbox::new(8);
        let other = outbox.clone();
        let writer = tokio::spawn(async move {
            let mut all = Vec::new();
            let mut batch = Vec::new();
            while next_batch(&mut events, &mut batch).await {
                all.append(&mut batch);
            }
            all.len()
        });
        for n in 0..5 {
            outbox.send(notice(n));
            tokio::task::yield_now().await;
        }
        drop(outbox);
        other.send(notice(5));
        drop(other);
        assert_eq!(within(writer).await, 6);
    }

    #[tokio::test]
    async fn once_the_writer_is_gone_sends_and_waiting_replies_fail() {
        let (outbox, events) = Outbox::new(1);
        outbox.send(notice(1));
        let replier = outbox.clone();
        let reply = tokio::spawn(async move { replier.reply(notice(2)).await });
        tokio::task::yield_now().await;
        drop(events);
        assert!(!within(reply).await);
        assert!(!outbox.send(notice(3)));
        assert!(!outbox.make_room(1).await);
    }

    #[test]
    fn an_emptied_queue_gives_its_slots_back() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let (outbox, mut events) = Outbox::new(256);
        for n in 0..100 {
            outbox.send(notice(n));
        }
        let mut batch = Vec::new();
        runtime.block_on(async {
            while !events.is_empty() {
                events.recv_many(&mut batch, BATCH).await;
            }
        });
        assert_eq!(outbox.queue.lock().events.capacity(), 0);
    }
}
