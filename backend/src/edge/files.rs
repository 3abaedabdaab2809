//! Open files: the server's sockets are files, and a process may hold only
//! so many. At start the soft limit is raised to the hard one (as Redis and
//! nginx do), and the connection cap is sized to what the limit allows,
//! keeping files for the server itself, for refusing newcomers with a
//! reason, and for operators' `/healthz` and `/metrics` when it is full.
//! Every listener takes a socket slot before it accepts
//! ([`crate::edge::admission::Gate::socket_slot`]), so `accept` never runs
//! out of files: a newcomer waits in the kernel's queue for a moment
//! instead.

use std::io;

/// Files the server keeps for itself: its listeners, the database and its
/// journal, links to Redis, standard streams, the runtime's own.
pub const KEPT_FOR_ITSELF: usize = 48;
/// Newcomers being told at once that the server is full (each for a
/// moment); more wait in the kernel's queue for their turn.
pub const REFUSING_AT_ONCE: usize = 32;
/// Operators' requests for `/healthz` and `/metrics` served at once when
/// the server is full.
pub const OPERATOR_LANE: usize = 16;

/// What the open-file limit allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileBudget {
    /// Sockets open at once at most, of every kind.
    pub sockets: usize,
    /// Connections admitted at once at most.
    pub connections: usize,
}

impl FileBudget {
    /// The budget for `limit` open files and `requested` connections: the
    /// connections are lowered to fit if need be.
    pub fn within(limit: u64, requested: usize) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let beside = REFUSING_AT_ONCE + OPERATOR_LANE;
        let sockets = limit.saturating_sub(KEPT_FOR_ITSELF).max(beside + 1);
        let connections = requested.clamp(1, sockets - beside);
        Self {
            sockets: connections + beside,
            connections,
        }
    }

    /// The budget for `connections`, whatever the limit (a server in a
    /// test, or one whose limit was already checked).
    pub fn for_connections(connections: usize) -> Self {
        Self {
            sockets: connections + REFUSING_AT_ONCE + OPERATOR_LANE,
            connections,
        }
    }
}

/// The process's open-file limit, raised to the hard limit if the soft one
/// is lower: `(before, now)`.
///
/// # Errors
///
/// If the limit cannot be read.
pub fn raise_limit() -> io::Result<(u64, u64)> {
    let (before, _) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    let now = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(before);
    Ok((before, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_the_limit_with_room_to_refuse_and_for_operators() {
        let common = FileBudget::within(1024, 10_000);
        assert_eq!(common.connections, 1024 - 48 - 32 - 16);
        assert_eq!(common.sockets, 1024 - 48, "every file but the server's own");
        let roomy = FileBudget::within(20_000, 10_000);
        assert_eq!(roomy.connections, 10_000, "the cap asked for fits");
        assert_eq!(roomy.sockets, 10_048);
        let tiny = FileBudget::within(10, 10_000);
        assert_eq!(tiny.connections, 1, "a server always takes someone");
    }
}
