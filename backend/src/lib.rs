//! The wordguess server: one process, three listeners.
//!
//! - The **TCP game door** ([`tcp`]): the seed's line protocol, playable
//!   with a bare `nc`.
//! - The **HTTP server** ([`http`]): the browser app's static files, the
//!   **WebSocket door** ([`ws`]) carrying the same commands, and `/healthz`.
//! - The **palindrome service** ([`palindrome`]), the lecture's first example.
//!
//! Both game doors hand each line to a door-independent [`session`] (an
//! explicit state machine: choosing, seated, watching), which finds rooms
//! through the [`registry`] and talks to each room's owner task ([`room`])
//! in plain-data messages; rooms reach connections through the
//! [`switchboard`]. The rules themselves, clocks included, live in the pure
//! `wordguess-game` crate; this crate only moves bytes and time to them.
//!
//! [`server::run`] takes already-bound listeners and a shutdown future, so
//! tests start the real server on `127.0.0.1:0`.

pub mod admission;
pub mod api;
pub mod context;
pub mod http;
pub mod metrics;
pub mod outbox;
pub mod palindrome;
pub mod persist;
pub mod rate;
pub mod registry;
pub mod release;
pub mod room;
pub mod server;
pub mod session;
pub mod switchboard;
pub mod tcp;
pub mod testkit;
pub mod words;
pub mod ws;

pub use context::{Limits, ServerContext};
pub use server::{run, Listeners, ServerConfig};
pub use words::WordList;
