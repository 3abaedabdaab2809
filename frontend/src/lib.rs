//! The wordguess browser app.
//!
//! - [`state`]: the game as the page sees it, a pure `Reducible` driven by
//!   the protocol's [`ServerEvent`](wordguess_protocol::ServerEvent)s;
//!   tested without a browser.
//! - [`hooks`]: the WebSocket connection (JSON subprotocol) as a hook.
//! - [`components`]: the screens: join, waiting room, game, results.
//!
//! The app never parses the human text protocol: it receives typed events
//! and sends the same `/letter X` and `/word W` lines as any other client.

pub mod components;
pub mod hooks;
pub mod state;

pub use components::App;
