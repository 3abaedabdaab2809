//! What an operator watches: counts of connections, rooms, games, players,
//! moves and dropped connections, served at `GET /metrics` in the
//! Prometheus (OpenMetrics) text format.
//!
//! Every metric is an atomic handle taken once (no lock on the hot path);
//! rooms and sessions update them as things happen, and the registry is
//! encoded only when `/metrics` is read.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::support::ids::Door;

/// Why the server closed or refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum DropReason {
    /// It did not read what the server sent (its queue filled up).
    slow_reader,
    /// It kept sending commands faster than the rate limit.
    rate_limit,
    /// The server was full.
    full,
    /// Too many connections from its address.
    per_address,
    /// Evicted, nameless, to make room for a newcomer.
    evicted,
    /// A WebSocket from a page of another site.
    origin,
    /// A line or message over the size limit.
    too_long,
    /// No name within the deadline.
    no_name,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct DoorLabel {
    door: DoorName,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum DoorName {
    tcp,
    ws,
    app,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabel {
    reason: DropReason,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    connections: [Gauge; 3],
    drops: Family<ReasonLabel, Counter>,
    /// Rooms open.
    pub rooms: Gauge,
    /// Games being played.
    pub games_running: Gauge,
    /// Seats held in games (present or away).
    pub players_seated: Gauge,
    /// Moves played.
    pub moves: Counter,
    /// Games finished.
    pub games_finished: Counter,
    /// Room saves the database refused.
    pub save_failures: Counter,
    /// Rooms this node took over from a node that died or left (cluster).
    pub takeovers: Counter,
    /// Lines this node forwarded to rooms on other nodes (cluster).
    pub lines_forwarded: Counter,
    /// Whether this node reaches Redis now (cluster).
    pub redis_up: Gauge,
    /// Round trips to Redis, in seconds (cluster).
    pub redis_round_trip: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("wordguess");
        let by_door = Family::<DoorLabel, Gauge>::default();
        registry.register(
            "connections",
            "Open game connections by door (tcp, ws: WebSocket text, app: the browser app)",
            by_door.clone(),
        );
        let connections = [DoorName::tcp, DoorName::ws, DoorName::app]
            .map(|door| by_door.get_or_create(&DoorLabel { door }).clone());
        let drops = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "dropped_connections",
            "Connections the server closed or refused, by reason",
            drops.clone(),
        );
        let mut metrics = Self {
            connections,
            drops,
            rooms: Gauge::default(),
            games_running: Gauge::default(),
            players_seated: Gauge::default(),
            moves: Counter::default(),
            games_finished: Counter::default(),
            save_failures: Counter::default(),
            takeovers: Counter::default(),
            lines_forwarded: Counter::default(),
            redis_up: Gauge::default(),
            redis_round_trip: Histogram::new([
                0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 1.0,
            ]),
            registry,
        };
        let registry = &mut metrics.registry;
        registry.register("rooms", "Rooms open", metrics.rooms.clone());
        registry.register(
            "games_running",
            "Games being played",
            metrics.games_running.clone(),
        );
        registry.register(
            "players_seated",
            "Seats held in games (present or away)",
            metrics.players_seated.clone(),
        );
        registry.register("moves", "Letters and words named", metrics.moves.clone());
        registry.register(
            "games_finished",
            "Games played to the end",
            metrics.games_finished.clone(),
        );
        registry.register(
            "save_failures",
            "Room saves the database refused (a full disk, say)",
            metrics.save_failures.clone(),
        );
        metrics
    }
}

impl Metrics {
    /// The metrics of a node of a cluster: the single process's, and
    /// takeovers, forwarded lines, Redis's health and round-trip time.
    pub fn for_cluster() -> Self {
        let mut metrics = Self::default();
        let registry = &mut metrics.registry;
        registry.register(
            "takeovers",
            "Rooms this node took over from a node that died or left",
            metrics.takeovers.clone(),
        );
        registry.register(
            "lines_forwarded",
            "Lines this node forwarded to rooms owned by other nodes",
            metrics.lines_forwarded.clone(),
        );
        registry.register(
            "redis_up",
            "1 while this node reaches Redis",
            metrics.redis_up.clone(),
        );
        registry.register(
            "redis_round_trip_seconds",
            "Round trips of this node's Redis commands",
            metrics.redis_round_trip.clone(),
        );
        metrics
    }

    /// The open-connections gauge of `door`.
    pub fn connections(&self, door: Door) -> &Gauge {
        match door {
            Door::Tcp => &self.connections[0],
            Door::Ws => &self.connections[1],
            Door::App => &self.connections[2],
        }
    }

    /// Counts a connection closed or refused for `reason`.
    pub fn dropped(&self, reason: DropReason) {
        self.drops.get_or_create(&ReasonLabel { reason }).inc();
    }

    /// Everything, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
