//! The wordguess server: one process, three listeners, in layers. Each
//! folder is a layer and names only the layers below it:
//!
//! ```text
//! server/           wiring: builds the seams and serves the listeners; testkit
//! doors/            TCP game, WebSocket, HTTP (app, API, /metrics), palindrome
//! session/          a connection's conversation (state machine) and its driver
//! directory/        the room directory seam: code → room, token → room, quick match
//!                   (in one process, or shared by a cluster's nodes in Redis)
//! room/             rooms: messages, the sans-IO core, the actor, saved form
//! persistence/      the room store seam (SQLite, or Redis), holding events until saved
//! delivery/         the delivery seam: connection id → route to its outbox
//! cluster/          the link to Redis: leases, owner tokens, pub/sub between nodes
//! edge/             listening, admission, a connection's outbox, limits
//! support/          ids (node, connection, door), clock, rate, words, metrics
//! ```
//!
//! Both game doors turn bytes into lines and hand them to a door-independent
//! [`session`] (an explicit state machine: choosing, seated, watching),
//! which finds rooms through the [`directory`] and talks to each room's
//! owner task ([`room::actor`]) in plain-data messages; rooms reach
//! connections through [`delivery`], save through [`persistence`] and
//! report to the directory by events. The rules themselves, clocks
//! included, live in the pure `wordguess-game` crate, and a room's own
//! logic in the pure [`room::core`]; the rest moves bytes and time to them.
//!
//! [`server::run`] takes already-bound listeners and a shutdown future, so
//! tests start the real server on `127.0.0.1:0`.

pub mod cluster;
pub mod delivery;
pub mod directory;
pub mod doors;
pub mod edge;
pub mod persistence;
pub mod room;
pub mod server;
pub mod session;
pub mod support;

pub use edge::limits::Limits;
pub use server::{run, testkit, ClusterConfig, Listeners, ServerConfig};
pub use session::ServerContext;
pub use support::words::WordList;
