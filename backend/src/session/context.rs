//! What every connection task shares: the limits, the seams a session
//! reaches the rest of the server through (room directory, delivery, the
//! room store's records), the metrics, admission, the shutdown signal, and
//! the source of connection ids.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::delivery::Delivery;
use crate::directory::RoomDirectory;
use crate::edge::admission::Gate;
use crate::edge::limits::Limits;
use crate::persistence::Records;
use crate::support::ids::{ConnId, ConnIds};
use crate::support::metrics::Metrics;

/// State shared by all connections of one server.
#[derive(Debug)]
pub struct ServerContext {
    /// The limits in force.
    pub limits: Limits,
    /// Where sessions find rooms.
    pub directory: Arc<dyn RoomDirectory>,
    /// Where connections register, for rooms to reach them.
    pub delivery: Arc<dyn Delivery>,
    /// The records (`/top`, `/history`).
    pub records: Arc<dyn Records>,
    /// Whether this server is a node of a cluster (its players' games go on
    /// on other nodes when it stops).
    pub clustered: bool,
    /// Whether rooms are kept (a restart then loses no game).
    pub keeps_rooms: bool,
    /// What an operator watches.
    pub metrics: Arc<Metrics>,
    /// How long a lost seat is kept (told at shutdown).
    pub resume_grace: Duration,
    /// Cancelled once, when the server shuts down.
    pub shutdown: CancellationToken,
    /// Every connection and room task, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// Who may connect ([`Limits::max_connections`], per address).
    pub gate: Arc<Gate>,
    /// Ids of this node's connections.
    pub conn_ids: ConnIds,
}

impl ServerContext {
    /// A fresh id for a new connection.
    pub fn next_conn_id(&self) -> ConnId {
        self.conn_ids.next()
    }
}
