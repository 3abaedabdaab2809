//! What the cluster keeps in Redis, named in one place, and the owner
//! token that fences a room's writes.
//!
//! | key | type | what |
//! |-----|------|------|
//! | `wg:nodes` | set | every node that ever registered and is not yet reaped |
//! | `wg:gone` | sorted set | nodes reaped lately, by when (ms since the epoch), kept a while so every node hears that their connections are gone |
//! | `wg:alive:NODE` | string, expiring | the node's lease (its name) |
//! | `wg:rooms:NODE` | set | the codes of the rooms the node owns |
//! | `wg:room:CODE` | hash | `owner` (an [`Owner`] token), `seq` (the last save applied), `state` |
//! | `wg:moves:CODE` | list | moves logged after `state`, oldest first |
//! | `wg:token:TOKEN` | string | the code of the room holding the seat |
//! | `wg:quick` | hash | the quick-match room that gathers: `code`, `offered` |
//! | `wg:history:CODE` | list | the room's finished games, newest first (JSON) |
//! | `wg:top` | sorted set | name keys by wins, then points |
//! | `wg:player:KEY` | hash | one leaderboard line: `name`, `games`, `wins`, `points` |
//! | `wg:epoch` | counter | the source of owner epochs |
//!
//! Channels: `wg:n:NODE:deliver` (events for the node's connections),
//! `wg:n:NODE:rooms` (inputs for the node's rooms), `wg:all` (news every
//! node hears).

use std::fmt;

use wordguess_protocol::{ResumeToken, RoomCode};

use crate::support::ids::NodeId;

/// The set of registered nodes.
pub const NODES: &str = "wg:nodes";
/// Nodes reaped lately.
pub const GONE: &str = "wg:gone";
/// The quick-match room that gathers.
pub const QUICK: &str = "wg:quick";
/// The leaderboard's order.
pub const TOP: &str = "wg:top";
/// The source of owner epochs.
pub const EPOCH: &str = "wg:epoch";
/// The channel every node hears.
pub const ALL: &str = "wg:all";
/// Games kept in each room's history.
pub const HISTORY_KEPT: isize = 1000;

/// A node's lease.
pub fn alive(node: NodeId) -> String {
    format!("wg:alive:{node}")
}

/// The rooms a node owns.
pub fn node_rooms(node: NodeId) -> String {
    format!("wg:rooms:{node}")
}

/// A room's owner, applied saves and state.
pub fn room(code: &str) -> String {
    format!("wg:room:{code}")
}

/// A room's moves logged after its state.
pub fn moves(code: &str) -> String {
    format!("wg:moves:{code}")
}

/// The room holding a seat.
pub fn token(token: &ResumeToken) -> String {
    format!("wg:token:{}", token.as_str())
}

/// A room's finished games.
pub fn history(code: &str) -> String {
    format!("wg:history:{code}")
}

/// One leaderboard line, by the player's name key.
pub fn player(name_key: &str) -> String {
    format!("wg:player:{name_key}")
}

/// Events for a node's connections.
pub fn deliver_channel(node: NodeId) -> String {
    format!("wg:n:{node}:deliver")
}

/// Inputs for a node's rooms.
pub fn rooms_channel(node: NodeId) -> String {
    format!("wg:n:{node}:rooms")
}

/// Who owns a room, and since when: the node and the epoch it took the
/// room in (drawn from one counter, so a room's every new owner has a
/// greater one). Kept in the room's hash as `NODE:EPOCH`; a write is
/// applied only while the hash still holds the writer's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Owner {
    /// The owning node.
    pub node: NodeId,
    /// When it took the room.
    pub epoch: u64,
}

impl Owner {
    /// Reads a token as kept in Redis.
    pub fn parse(text: &str) -> Option<Self> {
        let (node, epoch) = text.split_once(':')?;
        Some(Self {
            node: NodeId(u64::from_str_radix(node, 16).ok()?),
            epoch: epoch.parse().ok()?,
        })
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.node, self.epoch)
    }
}

/// A room code read back from Redis (written by a node, so valid).
pub fn code(text: &str) -> Option<RoomCode> {
    RoomCode::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_token_reads_back() {
        let owner = Owner {
            node: NodeId(0xab),
            epoch: 42,
        };
        assert_eq!(owner.to_string(), "00000000000000ab:42");
        assert_eq!(Owner::parse(&owner.to_string()), Some(owner));
        assert_eq!(Owner::parse("nonsense"), None);
    }
}
