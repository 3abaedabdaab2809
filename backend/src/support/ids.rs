//! Names for things that cross a room's or a connection's boundary: the
//! node (server process) they live on, connections, and doors.
//!
//! A connection id carries its node's id, so an id is unique across every
//! process of a cluster and says where its connection lives: a room that
//! holds it can reach the connection wherever it is (the delivery
//! layer). A player is a seat, not a connection: the seat
//! outlives every connection that holds it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// One server process. Random at start (64 bits), so two processes, or a
/// process and its restart, never share one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct NodeId(pub u64);

impl NodeId {
    /// A fresh, random node id.
    pub fn random() -> Self {
        Self(rand::random())
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Identifies one connection (not a player: a player's seat outlives it):
/// the node it is open on and its number there. Ordered by node, then by
/// age on that node.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ConnId {
    /// The node the connection is open on.
    pub node: NodeId,
    /// Its number on that node (they only grow).
    pub seq: u64,
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.node, self.seq)
    }
}

/// Hands out the ids of one node's connections.
#[derive(Debug)]
pub struct ConnIds {
    /// The node.
    node: NodeId,
    /// The next number.
    next: AtomicU64,
}

impl ConnIds {
    /// Ids of connections on `node`, from 1.
    pub fn new(node: NodeId) -> Self {
        Self {
            node,
            next: AtomicU64::new(1),
        }
    }

    /// A fresh id.
    pub fn next(&self) -> ConnId {
        ConnId {
            node: self.node,
            seq: self.next.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// The door a connection came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Door {
    /// The TCP game port (`nc`, the terminal client).
    Tcp,
    /// WebSocket with text lines (`websocat` and the like).
    Ws,
    /// WebSocket with JSON events (the browser app).
    App,
}

impl Door {
    /// The door's name in history, metrics and logs: `tcp`, `ws` or `app`.
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Tcp => "tcp",
            Door::Ws => "ws",
            Door::App => "app",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_of_two_nodes_never_meet() {
        let (a, b) = (ConnIds::new(NodeId(1)), ConnIds::new(NodeId(2)));
        let (first_a, first_b) = (a.next(), b.next());
        assert_eq!(first_a.seq, first_b.seq, "both count from one");
        assert_ne!(first_a, first_b, "the node tells them apart");
        assert!(a.next() > first_a, "ids of one node grow");
        assert_eq!(first_a.to_string(), "0000000000000001-1");
    }
}
