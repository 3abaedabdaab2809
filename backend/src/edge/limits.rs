//! The bounds that keep one client from hurting the others, every door
//! alike.

use std::time::Duration;

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
    /// ...and per second, sustained; faster commands wait their turn (the
    /// connection is read no further meanwhile).
    pub commands_per_second: f64,
    /// Lines that may wait at once for their turn (what one read or one
    /// WebSocket message brought); a client that sends more at once is
    /// disconnected.
    pub max_queued_lines: usize,
    /// Bytes a TCP client may have sent that wait unread in its socket,
    /// beyond one read (a client that keeps sending faster than its lines
    /// are served); more, and it is disconnected.
    pub max_unread_bytes: usize,
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
            max_queued_lines: 1000,
            max_unread_bytes: 16 * 1024,
            write_timeout: Duration::from_secs(10),
            linger: Duration::from_secs(2),
            name_timeout: Duration::from_secs(300),
        }
    }
}
