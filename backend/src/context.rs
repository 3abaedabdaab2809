//! What every connection task shares: limits, the room registry, the
//! switchboard, the shutdown signal, and the connection id counter.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::admission::Gate;
use crate::registry::Registry;
use crate::switchboard::{ConnId, Switchboard};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The bounds that keep one client from hurting the others.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest line (TCP) or text message (WebSocket) a client may send.
    pub max_line_bytes: usize,
    /// Events queued for one client before it counts as not reading and is
    /// dropped; the game never waits for a slow client.
    pub outbound_queue: usize,
    /// Commands queued for one game before senders wait (backpressure on
    /// the flooding client's own reader only).
    pub game_inbox: usize,
    /// Open connections (every door, counted from accept) at most; at the
    /// cap the oldest connection without a name makes room, else newcomers
    /// are refused.
    pub max_connections: usize,
    /// Open connections from one address at most.
    pub max_per_ip: usize,
    /// How long an HTTP client may take to send a request's headers, and
    /// how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// The largest HTTP request head accepted (the app needs little).
    pub max_header_bytes: usize,
    /// Commands a connection may send at once (token bucket burst)...
    pub command_burst: u32,
    /// ...and per second, sustained; faster commands are refused.
    pub commands_per_second: f64,
    /// Refused commands in a row after which a flooding client is dropped.
    pub flood_strikes: u32,
    /// How long one write to a client may take before it is dropped.
    pub write_timeout: Duration,
    /// How long a closing connection may take to flush its last lines.
    pub linger: Duration,
    /// How long a new connection may take to send an acceptable name.
    pub name_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_bytes: wordguess_protocol::MAX_LINE_BYTES,
            outbound_queue: 256,
            game_inbox: 64,
            max_connections: 10_000,
            max_per_ip: 64,
            header_timeout: Duration::from_secs(5),
            max_header_bytes: 16 * 1024,
            command_burst: 40,
            commands_per_second: 20.0,
            flood_strikes: 200,
            write_timeout: Duration::from_secs(10),
            linger: Duration::from_secs(2),
            name_timeout: Duration::from_secs(300),
        }
    }
}

/// State shared by all connections of one server.
#[derive(Debug)]
pub struct ServerContext {
    /// The limits in force.
    pub limits: Limits,
    /// Where sessions find rooms.
    pub registry: Arc<Registry>,
    /// Where rooms find connections.
    pub switchboard: Arc<Switchboard>,
    /// Cancelled once, when the server shuts down.
    pub shutdown: CancellationToken,
    /// Every connection and game task, so shutdown can wait for them.
    pub tasks: TaskTracker,
    /// Who may connect ([`Limits::max_connections`], per address).
    pub gate: Arc<Gate>,
    /// Source of unique connection ids.
    next_conn: AtomicU64,
}

impl ServerContext {
    /// A context for a server with these limits and this registry.
    pub fn new(
        limits: Limits,
        registry: Arc<Registry>,
        shutdown: CancellationToken,
        tasks: TaskTracker,
    ) -> Self {
        Self {
            gate: Gate::new(limits.max_connections, limits.max_per_ip),
            limits,
            switchboard: registry.switchboard.clone(),
            registry,
            shutdown,
            tasks,
            next_conn: AtomicU64::new(1),
        }
    }

    /// A fresh id for a new connection.
    pub fn next_conn_id(&self) -> ConnId {
        ConnId(self.next_conn.fetch_add(1, Ordering::Relaxed))
    }
}
