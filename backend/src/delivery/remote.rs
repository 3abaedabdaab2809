//! Delivery across a cluster: connections of this node go through the
//! in-process [`Switchboard`]; a connection of another node is reached
//! through Redis, on that node's delivery channel, where its node hands
//! the message to its own switchboard.
//!
//! A room never waits for Redis: a remote route only queues the message
//! (a bounded queue). A message that cannot go (the queue is full, or
//! Redis cannot be reached) is dropped, and its connection is noted as
//! having missed something: as soon as it can, the sending task sends it
//! [`Signal::Missed`], and its session enters its room again, which sends
//! it the whole picture. (A node that loses its subscription does the same
//! for all its sessions.) One task empties the queue in
//! batches: the messages of a batch for one node go in one publish, and a
//! broadcast (one event shared by many connections of that node) is
//! written once with the list of its connections. Order is kept per
//! node: one task, one connection.
//!
//! A room's messages carry its code: a node that gets one for a
//! connection that has closed tells the room the connection is gone (in
//! case the connection's own word of it was lost on the way), so no room
//! keeps a player of another node present for ever.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use wordguess_protocol::{RoomCode, ServerEvent};

use super::{Delivery, Endpoint, Mailbox, Message, Route, Signal, Switchboard};
use crate::cluster::{keys, RedisLink};
use crate::support::backoff::Backoff;
use crate::support::ids::{ConnId, NodeId};

/// Messages a batch takes from the queue at most.
const BATCH: usize = 512;

/// A message on its way to another node's connection, with the room that
/// sends it (none for a signal from the directory).
type Queued = (ConnId, Option<Arc<RoomCode>>, Message);

/// Delivery for a node of a cluster.
#[derive(Debug)]
pub struct ClusterDelivery {
    /// This node.
    node: NodeId,
    /// This node's connections.
    local: Switchboard,
    /// Messages for other nodes' connections.
    outgoing: mpsc::Sender<Queued>,
    /// Connections of other nodes that missed a message.
    gaps: Arc<Gaps>,
}

/// Connections of other nodes that missed a message and are owed a
/// [`Signal::Missed`]. (A set: one signal each, however much was missed;
/// at most one entry per connection some room of this node has reached.)
#[derive(Debug, Default)]
pub struct Gaps {
    /// The connections.
    conns: Mutex<HashSet<ConnId>>,
    /// Wakes the sending task.
    notify: Notify,
}

impl Gaps {
    /// Notes that `conns` missed a message.
    fn note(&self, conns: impl IntoIterator<Item = ConnId>) {
        self.conns.lock().extend(conns);
        self.notify.notify_one();
    }

    /// Takes the connections owed a signal.
    fn take(&self) -> Vec<ConnId> {
        self.conns.lock().drain().collect()
    }
}

/// What the sending task ([`send_remote`]) empties.
#[derive(Debug)]
pub struct RemoteQueue {
    /// Messages for other nodes' connections.
    messages: mpsc::Receiver<Queued>,
    /// Connections owed a [`Signal::Missed`].
    gaps: Arc<Gaps>,
}

/// The way to a connection of another node.
#[derive(Debug)]
struct RemoteRoute {
    /// The connection.
    conn: ConnId,
    /// The room whose route it is, if a room's.
    room: Option<Arc<RoomCode>>,
    /// The queue to Redis.
    outgoing: mpsc::Sender<Queued>,
    /// Where a dropped message is noted.
    gaps: Arc<Gaps>,
}

impl Mailbox for RemoteRoute {
    fn deliver(&self, message: Message) {
        if self
            .outgoing
            .try_send((self.conn, self.room.clone(), message))
            .is_err()
        {
            tracing::warn!(conn = %self.conn, "the queue to other nodes is full; a message is dropped");
            self.gaps.note([self.conn]);
        }
    }
}

impl ClusterDelivery {
    /// Delivery for `node`, with the queue its sending task empties
    /// ([`send_remote`]) holding `capacity` messages.
    pub fn new(node: NodeId, capacity: usize) -> (Arc<Self>, RemoteQueue) {
        let (outgoing, messages) = mpsc::channel(capacity.max(1));
        let gaps = Arc::<Gaps>::default();
        let delivery = Arc::new(Self {
            node,
            local: Switchboard::default(),
            outgoing,
            gaps: gaps.clone(),
        });
        (delivery, RemoteQueue { messages, gaps })
    }

    /// Hands what another node sent on this node's delivery channel to the
    /// connections it names, and returns those that have closed, each with
    /// the room that wrote to it (it may not know yet).
    pub fn deliver_from_redis(&self, payload: &[u8]) -> Vec<(RoomCode, ConnId)> {
        let batch: Vec<Incoming> = match serde_json::from_slice(payload) {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "unreadable delivery from another node");
                return Vec::new();
            }
        };
        let mut closed = Vec::new();
        for incoming in batch {
            let message = match incoming.message {
                WireMessage::Event(event) => Message::Event(Arc::new(event)),
                WireMessage::Signal(signal) => Message::Signal(signal),
            };
            for seq in incoming.to {
                let conn = ConnId {
                    node: self.node,
                    seq,
                };
                if !self.local.send(conn, message.clone()) {
                    if let Some(room) = &incoming.room {
                        closed.push((room.clone(), conn));
                    }
                }
            }
        }
        closed
    }

    /// The route of `conn`, for `room` if a room's.
    fn remote_route(&self, conn: ConnId, room: Option<&RoomCode>) -> Route {
        Arc::new(RemoteRoute {
            conn,
            room: room.map(|room| Arc::new(room.clone())),
            outgoing: self.outgoing.clone(),
            gaps: self.gaps.clone(),
        })
    }
}

impl Delivery for ClusterDelivery {
    fn attach(&self, conn: ConnId, endpoint: Endpoint) {
        self.local.attach(conn, endpoint);
    }

    fn detach(&self, conn: ConnId) {
        self.local.detach(conn);
    }

    fn route(&self, conn: ConnId) -> Option<Route> {
        if conn.node == self.node {
            return self.local.route(conn);
        }
        Some(self.remote_route(conn, None))
    }

    fn route_from(&self, room: &RoomCode, conn: ConnId) -> Option<Route> {
        if conn.node == self.node {
            return self.local.route(conn);
        }
        Some(self.remote_route(conn, Some(room)))
    }
}

/// One message for some connections of one node, as published.
#[derive(Debug, Serialize)]
struct Outgoing<'a> {
    /// The connections' numbers on their node.
    to: Vec<u64>,
    /// The room that sends it, if a room.
    #[serde(skip_serializing_if = "Option::is_none")]
    room: Option<&'a RoomCode>,
    /// The message.
    message: WireMessageRef<'a>,
}

/// One message for some connections, as read.
#[derive(Debug, Deserialize)]
struct Incoming {
    /// The connections' numbers on this node.
    to: Vec<u64>,
    /// The room that sends it, if a room.
    #[serde(default)]
    room: Option<RoomCode>,
    /// The message.
    message: WireMessage,
}

/// A message as written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum WireMessageRef<'a> {
    /// An event.
    Event(&'a ServerEvent),
    /// A signal.
    Signal(&'a Signal),
}

/// A message as read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireMessage {
    /// An event.
    Event(ServerEvent),
    /// A signal.
    Signal(Signal),
}

/// The payload for each node that `batch` names, in order: consecutive
/// messages that are one shared event (a broadcast) are written once.
fn payloads(batch: &[Queued]) -> Vec<(NodeId, Vec<u8>)> {
    let mut by_node: Vec<(NodeId, Vec<Outgoing<'_>>)> = Vec::new();
    for (conn, room, message) in batch {
        let room = room.as_deref();
        let index = match by_node.iter().position(|(node, _)| *node == conn.node) {
            Some(index) => index,
            None => {
                by_node.push((conn.node, Vec::new()));
                by_node.len() - 1
            }
        };
        let list = &mut by_node[index].1;
        if let (Some(last), Message::Event(event)) = (list.last_mut(), message) {
            if last.room == room
                && matches!(last.message, WireMessageRef::Event(shared) if std::ptr::eq(shared, &**event))
            {
                last.to.push(conn.seq);
                continue;
            }
        }
        list.push(Outgoing {
            to: vec![conn.seq],
            room,
            message: match message {
                Message::Event(event) => WireMessageRef::Event(event),
                Message::Signal(signal) => WireMessageRef::Signal(signal),
            },
        });
    }
    by_node
        .into_iter()
        .map(|(node, list)| {
            let payload = serde_json::to_vec(&list).unwrap_or_default();
            (node, payload)
        })
        .collect()
}

/// Publishes what rooms of this node send to other nodes' connections,
/// until `shutdown`; then tells connections that missed a message so.
pub async fn send_remote(link: Arc<RedisLink>, queue: RemoteQueue, shutdown: CancellationToken) {
    let RemoteQueue { mut messages, gaps } = queue;
    let mut batch = Vec::with_capacity(BATCH);
    let mut backoff = fresh_backoff();
    loop {
        // Queued messages first: a signal goes after what was queued
        // before it. (Order matters little: the picture a session is sent
        // when it enters again comes through this same queue, after all.)
        let received = tokio::select! {
            biased;
            () = shutdown.cancelled() => return,
            received = messages.recv_many(&mut batch, BATCH) => received,
            () = gaps.notify.notified() => 0,
        };
        if received == 0 && messages.is_closed() && messages.is_empty() {
            return;
        }
        if !batch.is_empty() {
            if let Err(error) = publish(&link, &batch).await {
                tracing::warn!(%error, "cannot send events to other nodes; their sessions will be told");
                gaps.note(batch.iter().map(|(conn, _, _)| *conn));
            }
            batch.clear();
        }
        let owed = gaps.take();
        if owed.is_empty() {
            backoff = fresh_backoff();
            continue;
        }
        let missed: Vec<_> = owed
            .iter()
            .map(|conn| (*conn, None, Message::Signal(Signal::Missed)))
            .collect();
        if let Err(error) = publish(&link, &missed).await {
            tracing::warn!(%error, "cannot tell other nodes' sessions that they missed events");
            gaps.note(owed);
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(backoff.next_wait()) => {}
            }
        }
    }
}

/// Waits between attempts to tell sessions that they missed events.
fn fresh_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(100), Duration::from_secs(2))
}

/// Publishes `batch`, one message per node named.
async fn publish(link: &RedisLink, batch: &[Queued]) -> redis::RedisResult<()> {
    let mut pipeline = redis::pipe();
    for (node, payload) in payloads(batch) {
        pipeline
            .cmd("PUBLISH")
            .arg(keys::deliver_channel(node))
            .arg(payload)
            .ignore();
    }
    link.pipeline::<()>(&pipeline).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_redis::RedisServer;
    use crate::support::metrics::Metrics;
    use futures_util::StreamExt;

    /// What node 2 is sent, in order, as (connection, message) pairs.
    type Received = Vec<(u64, WireMessage)>;

    /// Node 1's delivery (its queue to Redis holding one message) and its
    /// sending task's queue, with node 2's subscription.
    async fn node_one_and_two(
        redis: &RedisServer,
    ) -> (
        Arc<ClusterDelivery>,
        RemoteQueue,
        Arc<RedisLink>,
        redis::aio::PubSub,
    ) {
        let metrics = Arc::new(Metrics::for_cluster());
        let link = RedisLink::connect(&redis.url(), NodeId(1), "n1".to_owned(), metrics)
            .await
            .expect("Redis answers");
        let mut node_two = link.pubsub().await.expect("a subscription");
        node_two
            .subscribe(keys::deliver_channel(NodeId(2)))
            .await
            .expect("subscribed");
        let (delivery, queue) = ClusterDelivery::new(NodeId(1), 1);
        (delivery, queue, link, node_two)
    }

    /// Reads node 2's messages until connection 7 is told it missed events.
    async fn until_missed(node_two: redis::aio::PubSub) -> Received {
        let mut messages = node_two.into_on_message();
        let mut received = Received::new();
        let read = async {
            while let Some(message) = messages.next().await {
                let batch: Vec<Incoming> =
                    serde_json::from_slice(message.get_payload_bytes()).expect("readable");
                for incoming in batch {
                    let missed = matches!(incoming.message, WireMessage::Signal(Signal::Missed));
                    received.extend(
                        incoming
                            .to
                            .iter()
                            .map(|seq| (*seq, incoming.message.clone())),
                    );
                    if missed {
                        return;
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("connection 7 is told it missed events");
        received
    }

    #[test]
    fn a_message_for_a_connection_that_has_closed_names_it_and_its_room() {
        let code = RoomCode::parse("H2W2S2").expect("a code");
        let (sender, mut queue) = ClusterDelivery::new(NodeId(1), 8);
        let (receiver, _) = ClusterDelivery::new(NodeId(2), 8);
        let closed = ConnId {
            node: NodeId(2),
            seq: 7,
        };
        sender
            .route_from(&code, closed)
            .expect("a route")
            .deliver(Message::Event(Arc::new(ServerEvent::YourTurn)));
        let queued = queue.messages.try_recv().expect("queued");
        let payload = payloads(&[queued]).remove(0).1;
        assert_eq!(receiver.deliver_from_redis(&payload), [(code, closed)]);
    }

    #[tokio::test]
    async fn a_connection_whose_message_could_not_be_queued_is_told_it_missed_events() {
        let redis = RedisServer::start("gaps-full");
        let (delivery, queue, link, node_two) = node_one_and_two(&redis).await;
        let route = delivery
            .route(ConnId {
                node: NodeId(2),
                seq: 7,
            })
            .expect("a route");
        route.deliver(Message::Event(Arc::new(ServerEvent::Welcome)));
        // The queue holds one: these two are dropped.
        route.deliver(Message::Event(Arc::new(ServerEvent::YourTurn)));
        route.deliver(Message::Event(Arc::new(ServerEvent::YourTurn)));
        let shutdown = CancellationToken::new();
        let sending = tokio::spawn(send_remote(link, queue, shutdown.clone()));
        let received = until_missed(node_two).await;
        assert!(
            matches!(
                received[..],
                [
                    (7, WireMessage::Event(ServerEvent::Welcome)),
                    (7, WireMessage::Signal(Signal::Missed))
                ]
            ),
            "the queued event, then one signal for the two dropped: {received:?}"
        );
        shutdown.cancel();
        sending.await.expect("stops");
    }

    #[tokio::test]
    async fn a_connection_whose_message_redis_did_not_take_is_told_once_redis_is_back() {
        let mut redis = RedisServer::start("gaps-away");
        let (delivery, queue, link, _) = node_one_and_two(&redis).await;
        redis.kill();
        let shutdown = CancellationToken::new();
        let sending = tokio::spawn(send_remote(link.clone(), queue, shutdown.clone()));
        let seven = ConnId {
            node: NodeId(2),
            seq: 7,
        };
        delivery.send(seven, Message::Event(Arc::new(ServerEvent::Welcome)));
        // Lost with Redis away, and its connection noted.
        let noted = async {
            while !delivery.gaps.conns.lock().contains(&seven) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), noted)
            .await
            .expect("the connection is noted");
        // The sending task stops (while it would only retry), and one
        // starts again once node 2 listens on a Redis that is back.
        shutdown.cancel();
        sending.await.expect("stops");
        redis.start_again();
        let mut node_two = link.pubsub().await.expect("a subscription");
        node_two
            .subscribe(keys::deliver_channel(NodeId(2)))
            .await
            .expect("subscribed");
        let (_open, messages) = mpsc::channel(1);
        let queue = RemoteQueue {
            messages,
            gaps: delivery.gaps.clone(),
        };
        delivery.gaps.notify.notify_one();
        let shutdown = CancellationToken::new();
        let sending = tokio::spawn(send_remote(link, queue, shutdown.clone()));
        let received = until_missed(node_two).await;
        assert!(
            matches!(received[..], [(7, WireMessage::Signal(Signal::Missed))]),
            "{received:?}"
        );
        shutdown.cancel();
        sending.await.expect("stops");
    }

    #[test]
    fn a_broadcast_is_written_once_per_node_and_order_is_kept() {
        let (a, b) = (NodeId(1), NodeId(2));
        let shared = Arc::new(ServerEvent::YourTurn);
        let other = Arc::new(ServerEvent::Welcome);
        let room = Some(Arc::new(RoomCode::parse("H2W2S2").expect("a code")));
        let batch = vec![
            (
                ConnId { node: a, seq: 1 },
                room.clone(),
                Message::Event(shared.clone()),
            ),
            (
                ConnId { node: b, seq: 5 },
                room.clone(),
                Message::Event(shared.clone()),
            ),
            (
                ConnId { node: a, seq: 2 },
                room.clone(),
                Message::Event(shared.clone()),
            ),
            (
                ConnId { node: a, seq: 2 },
                None,
                Message::Signal(Signal::Replaced),
            ),
            (ConnId { node: a, seq: 3 }, room, Message::Event(other)),
        ];
        let payloads = payloads(&batch);
        assert_eq!(payloads.len(), 2);
        let read = |payload: &[u8]| -> Vec<Incoming> { serde_json::from_slice(payload).unwrap() };
        let for_a = read(&payloads[0].1);
        assert_eq!(payloads[0].0, a);
        assert_eq!(for_a.len(), 3, "one shared event, a signal, another event");
        assert_eq!(for_a[0].to, [1, 2]);
        assert_eq!(
            for_a[0].room.as_ref().map(RoomCode::as_str),
            Some("H2W2S2"),
            "a room's message names the room"
        );
        assert_eq!(for_a[1].room, None);
        assert!(matches!(
            for_a[1].message,
            WireMessage::Signal(Signal::Replaced)
        ));
        assert!(matches!(
            for_a[2].message,
            WireMessage::Event(ServerEvent::Welcome)
        ));
        assert_eq!(read(&payloads[1].1)[0].to, [5]);
    }
}
