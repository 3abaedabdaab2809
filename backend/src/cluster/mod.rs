//! The cluster's link to Redis, below every seam that uses it: the
//! connection and its health ([`link`]), the names of everything kept
//! there and the owner tokens that fence writes ([`keys`]), the node's
//! lease ([`lease`]), which rooms this node owns ([`owners`]), and the
//! messages between nodes ([`bus`]).
//!
//! Nothing here knows a room or a connection: the delivery, persistence
//! and directory layers build on it (`delivery::remote`,
//! `persistence::redis`, `directory::cluster`). Without `--redis` none of
//! it runs.

pub mod bus;
pub mod keys;
pub mod lease;
pub mod link;
pub mod owners;
pub mod test_redis;

pub use keys::Owner;
pub use link::RedisLink;
pub use owners::Owners;
