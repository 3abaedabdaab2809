//! Delivery: how a room reaches a connection by its id, wherever that
//! connection is.
//!
//! A room names connections only by [`ConnId`]. When one enters, the room
//! asks the [`Delivery`] seam for its [`Route`] once and keeps it; every
//! event or [`Signal`] for that connection then goes through the route,
//! which never waits (a full queue drops the connection, not the room).
//! The in-process [`Switchboard`] reaches this node's connections;
//! [`remote::ClusterDelivery`] adds routes, through Redis, to connections
//! of the cluster's other nodes, behind the same trait.
//!
//! What crosses this seam is plain data: an id in, an [`Arc<ServerEvent>`]
//! or a [`Signal`] out.

pub mod endpoint;
#[cfg(test)]
pub mod fake;
pub mod remote;
pub mod switchboard;

use std::fmt;
use std::sync::Arc;

use wordguess_protocol::{RoomCode, ServerEvent};

pub use endpoint::{Endpoint, Signal, SignalSlot};
pub use switchboard::Switchboard;

use crate::support::ids::ConnId;

/// What a room sends a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// An event for the player (shared by every recipient of a broadcast).
    Event(Arc<ServerEvent>),
    /// A phase change for the connection's session.
    Signal(Signal),
}

/// Where one connection's messages go, resolved once when it enters a room.
pub trait Mailbox: Send + Sync + fmt::Debug {
    /// Hands `message` on without waiting. A connection whose queue is full
    /// is dropped by its own side; the room never waits for it.
    fn deliver(&self, message: Message);
}

/// A resolved way to one connection.
pub type Route = Arc<dyn Mailbox>;

/// The delivery seam: connections of this node register here, and a room
/// reaches any connection by its id.
pub trait Delivery: Send + Sync + fmt::Debug {
    /// Registers a connection of this node, with the queue and signal slot
    /// its session reads.
    fn attach(&self, conn: ConnId, endpoint: Endpoint);

    /// Forgets a connection of this node that has closed.
    fn detach(&self, conn: ConnId);

    /// Where `conn`'s messages go, or `None` if it has closed.
    fn route(&self, conn: ConnId) -> Option<Route>;

    /// Where the messages of room `room` to `conn` go (what a room
    /// resolves when a connection enters it). A connection of another node
    /// that has closed can then be reported gone to the room by its node.
    fn route_from(&self, _room: &RoomCode, conn: ConnId) -> Option<Route> {
        self.route(conn)
    }

    /// Sends one message to `conn`; `false` if it has closed. (A room that
    /// sends many resolves the route once instead.)
    fn send(&self, conn: ConnId, message: Message) -> bool {
        match self.route(conn) {
            Some(route) => {
                route.deliver(message);
                true
            }
            None => false,
        }
    }
}
