//! The wordguess browser app.
//!
//! - [`state`]: the game as the page sees it, a pure `Reducible` driven by
//!   the protocol's [`ServerEvent`](wordguess_protocol::ServerEvent)s and
//!   the page clock; it also says which connection to keep open, when to
//!   reconnect (also across a server restart), which seat to keep and what
//!   to fetch from the server's HTTP API (leaderboard, a room's last
//!   games). Tested without a browser.
//! - [`hooks`]: carries that out: the WebSocket (JSON subprotocol), the
//!   reconnection timer, `localStorage` and the API requests, as a hook.
//! - [`components`]: the screens: join (quick match, rooms, invites),
//!   waiting room (invite panel, host settings), game (countdown, chat),
//!   results, the leaderboard and a room's last games.
//!
//! The app never parses the human text protocol: it receives typed events
//! and sends the same command lines (`/letter X`, `/join CODE`, `/say …`)
//! as any other client.

pub mod components;
pub mod hooks;
pub mod state;

pub use components::App;
