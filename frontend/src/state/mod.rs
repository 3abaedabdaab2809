//! The game as the page sees it: a pure reducer over server events.
//!
//! Every change comes in as an [`Action`]: the player's choices (how to
//! enter a room, moves, chat), connection changes from the socket hook,
//! [`ServerEvent`]s from the server and the page clock. The state also says
//! what the hook must do next, so that the hook holds no decisions:
//!
//! - [`GameState::socket`]: the connection that should be open (its
//!   generation and opening lines), or none;
//! - [`GameState::retry_timer`]: when to try to take the seat back after a
//!   lost connection (exponential backoff);
//! - [`GameState::seat`]: the resume token (with room and name) that the
//!   page keeps in `localStorage`;
//! - [`GameState::leaderboard_request`] and [`GameState::history_request`]:
//!   what to fetch from the server's HTTP API ([`records`]).
//!
//! This module holds the state's types and the reducer's dispatch; the
//! rest is split by concern, all of it re-exported here:
//!
//! - `connection`: how a connection enters ([`Entry`]), the kept seat
//!   ([`SavedSeat`]), the socket to keep open, and the reconnect policy
//!   (backoff, how long to keep trying, a server restart);
//! - `events`: applying the server's [`ServerEvent`]s;
//! - `screens`: what the screens derive from the state ([`Screen`], the
//!   banner, headlines, player rows, keys, countdown, "play again");
//! - `forms`: the commands and actions for what the player typed, checked
//!   on the page, and the invite link and terminal command;
//! - [`records`]: the leaderboard and a room's last games from the HTTP API.
//!
//! A server that goes away for a restart (WebSocket close 1001, after its
//! notice and `/quit`) keeps the game and the seats: the page keeps trying
//! to take its seat back for longer than after an ordinary loss, and plays
//! on from the server's `Snapshot` once it is back.
//!
//! Actions from an older connection carry an older generation and are
//! ignored, so a late close of a previous socket cannot disturb the new one.
//!
//! Time enters only as [`Action::Clock`] (milliseconds of the page clock):
//! a turn's deadline is the clock when the server's `TurnOf` arrived plus
//! its seconds, and [`GameState::seconds_left`] counts down from it.

mod connection;
mod events;
mod forms;
pub mod records;
mod screens;

use std::collections::BTreeSet;
use std::rc::Rc;

use wordguess_protocol::{
    ClientCommand, GameRecord, Language, RoomCode, Score, ServerEvent, Standing,
};
use yew::Reducible;

pub use connection::{retry_delay_ms, Closed, Connection, Entry, SavedSeat, SocketPlan};
pub use forms::{
    chat_command, enter_action, entry_by_code, guess_command, invite_in_query, invite_link,
    language_from, language_label, nc_command, time_command, wordlist_command, LANGUAGES,
};
use records::{ApiAnswer, Remote};
pub use screens::{ranking, seconds_until, Key, PlayerRow, Screen};

/// One player as listed in the ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerView {
    /// The player's name.
    pub name: String,
    /// The player's points.
    pub points: u32,
    /// Whether the player's connection is lost (the seat is kept a while).
    pub away: bool,
    /// Whether this is a computer player.
    pub computer: bool,
}

/// The room the page is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInfo {
    /// The room's code.
    pub code: String,
    /// The server's invite link (may be empty).
    pub invite: String,
    /// The TCP game door's port, 0 if unknown.
    pub tcp_port: u16,
}

/// The room's settings, as the server last announced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSettings {
    /// The language of the built-in words.
    pub language: Language,
    /// Seconds per turn, `None` for no limit.
    pub turn_seconds: Option<u32>,
    /// How many words the room's own list has, `None` for the built-in ones.
    pub custom_words: Option<usize>,
}

/// The room's record of finished games.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Games finished in the room.
    pub games: u32,
    /// Wins per player, most first.
    pub wins: Vec<Score>,
}

/// One chat line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// Who said it.
    pub name: String,
    /// What was said.
    pub text: String,
}

/// How the game ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The word.
    pub word: String,
    /// The winner, if any.
    pub winner: Option<String>,
    /// The winner's prize.
    pub prize: u32,
    /// Final scores, in ring order.
    pub scores: Vec<Score>,
}

/// Everything that changes the state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The player chose how to enter, as `name`: opens a new connection.
    Enter {
        /// How to enter.
        entry: Entry,
        /// The name to send (ignored when resuming).
        name: String,
    },
    /// The server answered on connection `generation`.
    Connected(u32),
    /// Connection `generation` closed.
    Disconnected(u32, Closed),
    /// An event arrived on connection `generation`.
    Event(u32, ServerEvent),
    /// The page clock, in milliseconds (sent before each event).
    Clock(u64),
    /// The reconnection timer of connection `generation` ran out.
    Retry(u32),
    /// Reconnect now (the network is back, or the player asked).
    RetryNow,
    /// A command was sent; after a move, wait for the server before the next.
    Sent(ClientCommand),
    /// Show the join screen for this room (or the plain one for `None`).
    Invite(Option<RoomCode>),
    /// Give up the room (and any kept seat) and go back to the join screen.
    Leave,
    /// The player refused input locally (e.g. not a word).
    LocalError(String),
    /// The player dismissed the error message.
    DismissError,
    /// The player dismissed the information message.
    DismissInfo,
    /// Show the leaderboard (fetched afresh).
    ShowLeaderboard,
    /// Hide the leaderboard.
    HideLeaderboard,
    /// The server answered API request `id` (or could not be reached).
    Fetched(u32, Result<ApiAnswer, String>),
}

/// The page's model of the game.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GameState {
    /// Which connection's messages count.
    pub generation: u32,
    /// The connection's state.
    pub connection: Connection,
    /// How the current (or last) connection entered.
    pub entry: Option<Entry>,
    /// Whether the server accepted this connection (its `Accepted` came);
    /// an error before that refuses the entry.
    pub accepted: bool,
    /// The name last chosen.
    pub name: String,
    /// The name the server accepted for this player.
    pub me: Option<String>,
    /// Whether this page watches rather than plays.
    pub spectator: bool,
    /// The room code the join screen offers (from `?room=CODE`).
    pub invite: Option<RoomCode>,
    /// The room this page is in.
    pub room: Option<RoomInfo>,
    /// Whether the room is private (it has a host); "play again" stays in it.
    pub private_room: bool,
    /// Who starts the room's game (private rooms).
    pub host: Option<String>,
    /// The ring, with points.
    pub players: Vec<PlayerView>,
    /// Players needed to start (quick match), or allowed to start (rooms).
    pub needed: usize,
    /// How many watch the room.
    pub watchers: usize,
    /// The spectators' names, when `/who` told them.
    pub spectators: Vec<String>,
    /// The room's settings.
    pub settings: Option<RoomSettings>,
    /// The room's finished games.
    pub tally: Option<Tally>,
    /// The word, hidden letters as `*` (empty before the start).
    pub masked: String,
    /// The keyboard's letters.
    pub alphabet: String,
    /// Letters named so far.
    pub tried: BTreeSet<String>,
    /// Whose turn it is.
    pub turn: Option<String>,
    /// Whether this player may move now.
    pub my_turn: bool,
    /// The page clock when the current turn's time runs out.
    pub turn_deadline: Option<u64>,
    /// The page clock, as last told.
    pub now: u64,
    /// The human-readable log (the same text TCP players see).
    pub log: Vec<String>,
    /// The chat, oldest first.
    pub chat: Vec<ChatLine>,
    /// The last error for this player.
    pub error: Option<String>,
    /// A calm message for this player (e.g. "you are back in your seat").
    pub info: Option<String>,
    /// The last notice from the server.
    pub notice: Option<String>,
    /// The result, once the game is over.
    pub outcome: Option<Outcome>,
    /// Whether the server sent `/quit`.
    pub quit: bool,
    /// The seat to take back after a lost connection; the page keeps it in
    /// `localStorage`.
    pub seat: Option<SavedSeat>,
    /// Reconnection attempts since the connection was lost.
    pub retries: u32,
    /// Milliseconds waited in those attempts (to stop after the grace).
    pub retry_waited_ms: u64,
    /// Why the connection was lost, while the page tries to come back.
    pub lost_reason: Option<String>,
    /// Whether the server went away for a restart, while the page tries to
    /// come back.
    pub restarting: bool,
    /// API requests asked for so far (numbers them).
    pub requests: u32,
    /// The leaderboard, while it is shown.
    pub leaderboard: Option<Remote<Vec<Standing>>>,
    /// The room's last games, newest first, once the room has finished one.
    pub history: Option<Remote<Vec<GameRecord>>>,
}

impl GameState {
    /// A fresh start on the same page: what numbers connections and
    /// requests, and the clock, carry over so nothing late is mistaken for
    /// new.
    fn reset(&self) -> GameState {
        GameState {
            generation: self.generation,
            now: self.now,
            requests: self.requests,
            ..GameState::default()
        }
    }
}

impl Reducible for GameState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Only the current connection's reports count, and only while it is open.
        let current = |generation| generation == self.generation && self.connection.is_open();
        let mut next = (*self).clone();
        match action {
            Action::Enter { entry, name } => next = self.entered(entry, name),
            Action::Connected(generation) if current(generation) => {
                next.connection = Connection::Connected;
            }
            Action::Disconnected(generation, closed) if current(generation) => next.lost(closed),
            Action::Event(generation, event) if current(generation) => next.apply(event),
            Action::Clock(now) => next.now = now,
            Action::Retry(generation)
                if generation == self.generation && self.connection.is_retrying() =>
            {
                next.retry();
            }
            Action::RetryNow if self.connection.is_retrying() => next.retry(),
            Action::Sent(ClientCommand::Letter(_) | ClientCommand::Word(_)) => {
                next.my_turn = false;
            }
            Action::Sent(_) => return self,
            Action::Invite(code) => {
                next.invite = code;
                next.error = None;
            }
            Action::Leave => next = self.left(),
            Action::LocalError(message) => next.error = Some(message),
            Action::DismissError => next.error = None,
            Action::DismissInfo => next.info = None,
            Action::ShowLeaderboard => {
                next.leaderboard = Some(Remote::Loading(next.next_request()));
            }
            Action::HideLeaderboard => next.leaderboard = None,
            Action::Fetched(id, answer) => next.fetched(id, answer),
            // Stale actions from a previous connection, or a retry that is
            // no longer needed.
            Action::Connected(_)
            | Action::Disconnected(..)
            | Action::Event(..)
            | Action::Retry(_)
            | Action::RetryNow => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests;
