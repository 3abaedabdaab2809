//! Wire types and codecs of wordguess, shared by the server, the terminal
//! client and the browser app.
//!
//! This crate does no IO and depends on no async runtime: it turns bytes and
//! lines into typed values and back, so that every door into the game (raw
//! TCP, WebSocket text, WebSocket JSON) speaks through the same definitions.
//!
//! - [`line`]: splits a byte stream into bounded UTF-8 lines (sans-IO).
//! - [`command`]: what a client sends (moves, rooms, seats, chat, settings).
//! - [`event`]: what the server sends, as typed events; their text rendering
//!   is the seed's line protocol (`/turn`, `/quit`, plain messages), their
//!   JSON form is the structured encoding for the browser.
//! - [`server_line`]: how a text client reads the server's lines.
//! - [`text`]: letters, words, player names and sanitising of untrusted text.
//! - [`palindrome`]: the lecture's palindrome test.

pub mod command;
pub mod event;
pub mod history;
pub mod line;
pub mod palindrome;
pub mod server_line;
mod tagged;
pub mod text;
mod unicode;

pub use command::{BotLevel, ClientCommand, CommandError, Language, ResumeToken, RoomCode};
pub use event::{LetterOutcome, Score, SeatView, ServerEvent};
pub use history::{GameRecord, PlayerRecord, Standing};
pub use line::{LineDecoder, LineError};
pub use server_line::{ServerLine, ServerLineError};

/// The WebSocket subprotocol a structured client (the browser app) asks for
/// to receive [`ServerEvent`]s as JSON text frames instead of human lines.
pub const JSON_SUBPROTOCOL: &str = "wordguess.v1.json";

/// The longest line (in bytes, without the newline) a client may send.
pub const MAX_LINE_BYTES: usize = 1024;

/// The longest player name, in characters.
pub const MAX_NAME_CHARS: usize = 32;

/// The longest chat line, in characters.
pub const MAX_CHAT_CHARS: usize = 200;

/// The longest word a client may name, in letters.
pub const MAX_WORD_LETTERS: usize = 64;
