//! The wordguess browser app.
//!
//! - [`state`]: the game as the page sees it, a pure `Reducible` driven by
//!   the protocol's [`ServerEvent`](wordguess_protocol::ServerEvent)s and
//!   the page clock, tested without a browser. Its module holds the types
//!   and the reducer's dispatch; beside it, the connection and reconnect
//!   policy (which socket to keep open, when to reconnect, also across a
//!   server restart, which seat to keep), applying server events, what the
//!   screens derive (banner, headlines, rows, keys, countdown), the form
//!   helpers (checked commands, invite link, `nc` command), and what to
//!   fetch from the server's HTTP API (leaderboard, a room's last games).
//! - [`hooks`]: carries that out: the WebSocket (JSON subprotocol), the
//!   reconnection timer, `localStorage` and the API requests, as a hook
//!   whose [`GameHandle`](hooks::GameHandle) also builds the callbacks the
//!   screens hand down.
//! - [`components`]: the top-level [`App`] holds that handle and picks a
//!   screen (join, taking a seat back, waiting room, game, results); each
//!   screen gets the handle as a prop and gives its parts (banner, toasts,
//!   forms, chat, word, keyboard, players, records, invite and settings
//!   panels) only the data they show and callbacks for what they do.
//!
//! The app never parses the human text protocol: it receives typed events
//! and sends the same command lines (`/letter X`, `/join CODE`, `/say …`)
//! as any other client.

pub mod components;
pub mod hooks;
pub mod state;

pub use components::App;
