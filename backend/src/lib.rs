//! The wordguess server: one process, three listeners.
//!
//! - The **TCP game door** ([`tcp`]): the seed's line protocol, playable
//!   with a bare `nc`.
//! - The **HTTP server** ([`http`]): the browser app's static files, the
//!   **WebSocket door** ([`ws`]) carrying the same commands, and `/healthz`.
//! - The **palindrome service** ([`palindrome`]), the lecture's first example.
//!
//! Both game doors hand each line to a door-independent [`session`], which
//! joins the player to a game through the [`lobby`] and forwards moves to
//! that game's owner task ([`game_actor`]). The rules themselves live in the
//! pure `wordguess-game` crate; this crate only moves bytes to and from them.
//!
//! [`server::run`] takes already-bound listeners and a shutdown future, so
//! tests start the real server on `127.0.0.1:0`.

pub mod context;
pub mod game_actor;
pub mod http;
pub mod lobby;
pub mod outbox;
pub mod palindrome;
pub mod server;
pub mod session;
pub mod tcp;
pub mod testkit;
pub mod words;
pub mod ws;

pub use context::{Limits, ServerContext};
pub use server::{run, Listeners, ServerConfig};
pub use words::WordList;
