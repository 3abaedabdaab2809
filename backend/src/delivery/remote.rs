//! Delivery across a cluster: connections of this node go through the
//! in-process [`Switchboard`]; a connection of another node is reached
//! through Redis, on that node's delivery channel, where its node hands
//! the message to its own switchboard.
//!
//! A room never waits for Redis: a remote route only queues the message
//! (a bounded queue; when it is full, or Redis cannot be reached, the
//! message is dropped and logged; a node that loses its subscription has
//! its sessions enter their rooms again, which sends them the whole
//! picture). One task empties the queue in
//! batches: the messages of a batch for one node go in one publish, and a
//! broadcast (one event shared by many connections of that node) is
//! written once with the list of its connections. Order is kept per
//! node: one task, one connection.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::ServerEvent;

use super::{Delivery, Endpoint, Mailbox, Message, Route, Signal, Switchboard};
use crate::cluster::{keys, RedisLink};
use crate::support::ids::{ConnId, NodeId};

/// Messages a batch takes from the queue at most.
const BATCH: usize = 512;

/// Delivery for a node of a cluster.
#[derive(Debug)]
pub struct ClusterDelivery {
    /// This node.
    node: NodeId,
    /// This node's connections.
    local: Switchboard,
    /// Messages for other nodes' connections.
    outgoing: mpsc::Sender<(ConnId, Message)>,
}

/// The way to a connection of another node.
#[derive(Debug)]
struct RemoteRoute {
    /// The connection.
    conn: ConnId,
    /// The queue to Redis.
    outgoing: mpsc::Sender<(ConnId, Message)>,
}

impl Mailbox for RemoteRoute {
    fn deliver(&self, message: Message) {
        if self.outgoing.try_send((self.conn, message)).is_err() {
            tracing::warn!(conn = %self.conn, "the queue to other nodes is full; a message is dropped");
        }
    }
}

impl ClusterDelivery {
    /// Delivery for `node`, with the queue its sending task empties
    /// ([`send_remote`]) holding `capacity` messages.
    pub fn new(node: NodeId, capacity: usize) -> (Arc<Self>, mpsc::Receiver<(ConnId, Message)>) {
        let (outgoing, receiver) = mpsc::channel(capacity.max(1));
        let delivery = Arc::new(Self {
            node,
            local: Switchboard::default(),
            outgoing,
        });
        (delivery, receiver)
    }

    /// Hands what another node sent on this node's delivery channel to the
    /// connections it names (those that have closed meanwhile are skipped).
    pub fn deliver_from_redis(&self, payload: &[u8]) {
        let batch: Vec<Incoming> = match serde_json::from_slice(payload) {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "unreadable delivery from another node");
                return;
            }
        };
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
                self.local.send(conn, message.clone());
            }
        }
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
        Some(Arc::new(RemoteRoute {
            conn,
            outgoing: self.outgoing.clone(),
        }))
    }
}

/// One message for some connections of one node, as published.
#[derive(Debug, Serialize)]
struct Outgoing<'a> {
    /// The connections' numbers on their node.
    to: Vec<u64>,
    /// The message.
    message: WireMessageRef<'a>,
}

/// One message for some connections, as read.
#[derive(Debug, Deserialize)]
struct Incoming {
    /// The connections' numbers on this node.
    to: Vec<u64>,
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
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireMessage {
    /// An event.
    Event(ServerEvent),
    /// A signal.
    Signal(Signal),
}

/// The payload for each node that `batch` names, in order: consecutive
/// messages that are one shared event (a broadcast) are written once.
fn payloads(batch: &[(ConnId, Message)]) -> Vec<(NodeId, Vec<u8>)> {
    let mut by_node: Vec<(NodeId, Vec<Outgoing<'_>>)> = Vec::new();
    for (conn, message) in batch {
        let index = match by_node.iter().position(|(node, _)| *node == conn.node) {
            Some(index) => index,
            None => {
                by_node.push((conn.node, Vec::new()));
                by_node.len() - 1
            }
        };
        let list = &mut by_node[index].1;
        if let (Some(last), Message::Event(event)) = (list.last_mut(), message) {
            if matches!(last.message, WireMessageRef::Event(shared) if std::ptr::eq(shared, &**event))
            {
                last.to.push(conn.seq);
                continue;
            }
        }
        list.push(Outgoing {
            to: vec![conn.seq],
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
/// until `shutdown`.
pub async fn send_remote(
    link: Arc<RedisLink>,
    mut queue: mpsc::Receiver<(ConnId, Message)>,
    shutdown: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let received = tokio::select! {
            () = shutdown.cancelled() => return,
            received = queue.recv_many(&mut batch, BATCH) => received,
        };
        if received == 0 {
            return;
        }
        let mut pipeline = redis::pipe();
        for (node, payload) in payloads(&batch) {
            pipeline
                .cmd("PUBLISH")
                .arg(keys::deliver_channel(node))
                .arg(payload)
                .ignore();
        }
        batch.clear();
        if let Err(error) = link.pipeline::<()>(&pipeline).await {
            tracing::warn!(%error, "cannot send events to other nodes; they are lost");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broadcast_is_written_once_per_node_and_order_is_kept() {
        let (a, b) = (NodeId(1), NodeId(2));
        let shared = Arc::new(ServerEvent::YourTurn);
        let other = Arc::new(ServerEvent::Welcome);
        let batch = vec![
            (ConnId { node: a, seq: 1 }, Message::Event(shared.clone())),
            (ConnId { node: b, seq: 5 }, Message::Event(shared.clone())),
            (ConnId { node: a, seq: 2 }, Message::Event(shared.clone())),
            (
                ConnId { node: a, seq: 2 },
                Message::Signal(Signal::Replaced),
            ),
            (ConnId { node: a, seq: 3 }, Message::Event(other)),
        ];
        let payloads = payloads(&batch);
        assert_eq!(payloads.len(), 2);
        let read = |payload: &[u8]| -> Vec<Incoming> { serde_json::from_slice(payload).unwrap() };
        let for_a = read(&payloads[0].1);
        assert_eq!(payloads[0].0, a);
        assert_eq!(for_a.len(), 3, "one shared event, a signal, another event");
        assert_eq!(for_a[0].to, [1, 2]);
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
