//! What crosses a room's boundary, as plain data: what sessions ask of it
//! ([`RoomInput`]), what it reports to the
//! room directory ([`RoomReport`]), and what every room starts with
//! ([`RoomDefaults`]).
//!
//! Connections are named by [`ConnId`] (which carries its node), never by
//! a channel end, so a message could come from another process.

use std::time::Duration;

use tokio::sync::mpsc;
use wordguess_game::Move;
use wordguess_protocol::{BotLevel, Language, ResumeToken, RoomCode};

use crate::support::ids::{ConnId, Door, NodeId};
use crate::support::words::WordList;

/// How a room fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// Quick match: games start when enough players are in.
    QuickMatch,
    /// A private room: its host starts each game.
    Private,
}

/// How a connection enters a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes a seat in the game.
    Player,
    /// Watches and chats.
    Spectator,
}

/// What a seated player or a spectator asks of the room.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomCommand {
    /// A move.
    Play(Move),
    /// The host starts the game.
    Start,
    /// A chat line (already validated).
    Say(String),
    /// Who is here.
    Who,
    /// The host sets the language of the built-in words.
    Lang(Language),
    /// The host sets the turn time (seconds, or `None` for no limit).
    Time(Option<u32>),
    /// The host sets the room's own words, or `None` for the server's.
    WordList(Option<Vec<String>>),
    /// The host removes a player (by name) from a private room.
    Kick(String),
    /// The host seats a computer player of this level (before the start).
    Bot(BotLevel),
    /// The host takes the computer player of this name out.
    Unbot(String),
    /// A player votes to remove the player of this name (quick match).
    VoteKick(String),
}

/// What sessions tell a room (plain data: in a cluster it crosses from
/// one process to another).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomInput {
    /// A named connection enters.
    Enter {
        /// The connection.
        conn: ConnId,
        /// Its validated name.
        name: String,
        /// As a player or a spectator.
        role: Role,
        /// The door it came through (kept with its seat, for history).
        door: Door,
    },
    /// A connection takes a seat back with its token.
    Resume {
        /// The connection.
        conn: ConnId,
        /// The seat's token.
        token: ResumeToken,
        /// The door it came through.
        door: Door,
    },
    /// A command from a connection in the room.
    Command {
        /// The connection.
        conn: ConnId,
        /// What it asks.
        command: RoomCommand,
    },
    /// A connection closed.
    Gone {
        /// The connection.
        conn: ConnId,
    },
    /// A node of the cluster died: its connections are gone.
    NodeLost {
        /// The node.
        node: NodeId,
    },
}

impl RoomInput {
    /// A player named `name` enters through the TCP door (for tests).
    #[cfg(test)]
    pub fn player(conn: ConnId, name: &str) -> Self {
        RoomInput::Enter {
            conn,
            name: name.to_owned(),
            role: Role::Player,
            door: Door::Tcp,
        }
    }

    /// A spectator named `name` enters through the WebSocket door (for
    /// tests).
    #[cfg(test)]
    pub fn spectator(conn: ConnId, name: &str) -> Self {
        RoomInput::Enter {
            conn,
            name: name.to_owned(),
            role: Role::Spectator,
            door: Door::Ws,
        }
    }

    /// The connection the input comes from (none for a lost node).
    pub fn conn(&self) -> Option<ConnId> {
        match self {
            RoomInput::Enter { conn, .. }
            | RoomInput::Resume { conn, .. }
            | RoomInput::Command { conn, .. }
            | RoomInput::Gone { conn } => Some(*conn),
            RoomInput::NodeLost { .. } => None,
        }
    }
}

/// What a room tells the room directory. A room never calls into the
/// directory: it reports, and the directory keeps its maps up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomReport {
    /// A seat was given this token: it names the room from now on.
    TokenIssued(ResumeToken),
    /// These tokens' seats are gone for good.
    TokensRevoked(Vec<ResumeToken>),
    /// A quick-match seat offered to a newcomer is free again (the player
    /// left before the start).
    QuickSeatFreed,
    /// The quick-match room takes no more players (its game started).
    GatheringOver,
    /// Whether the room's state can be saved (its saves fail, or work
    /// again).
    Saving {
        /// `true` once saves work again.
        works: bool,
    },
    /// The room has closed.
    Closed,
    /// The room belongs to another node now (this node lost its lease on
    /// it): it stopped without a word to the store. The inputs it had not
    /// handled are handed back, in order, to be sent on to it.
    Lost {
        /// What was left in its inbox.
        unhandled: Vec<RoomInput>,
    },
}

/// The sending end of a room's inbox. Inputs travel boxed: tokio gives a
/// channel its first block of 32 slots when it is made, and 32 pointers
/// cost an idle room far less than 32 inputs.
pub type InboxSender = mpsc::Sender<Box<RoomInput>>;
/// The receiving end of a room's inbox.
pub type InboxReceiver = mpsc::Receiver<Box<RoomInput>>;

/// A room's inbox, holding `capacity` inputs.
pub fn inbox(capacity: usize) -> (InboxSender, InboxReceiver) {
    mpsc::channel(capacity.max(1))
}

/// Where a room's reports go: the room directory.
pub trait RoomReports: Send + Sync + std::fmt::Debug {
    /// Room `room` reports `report`.
    fn report(&self, room: &RoomCode, report: RoomReport);
}

/// What every new room starts with.
#[derive(Debug, Clone)]
pub struct RoomDefaults {
    /// The server's words (built-in lists or `--words`).
    pub words: WordList,
    /// The language the server's words are in, as rooms show it.
    pub language: Language,
    /// Whether the server's words come from a `--words` file.
    pub words_from_file: bool,
    /// Players a quick-match game waits for before it starts.
    pub players_to_start: usize,
    /// Time per turn; `None` for no limit.
    pub turn_time: Option<Duration>,
    /// How long a lost seat is kept.
    pub resume_grace: Duration,
    /// How long a room with nobody in it stays open.
    pub idle_close: Duration,
    /// The web app's address for invite links (`http://host:port`), or
    /// empty if unknown.
    pub public_url: String,
    /// The TCP game door's port, for `nc HOST PORT`.
    pub tcp_port: u16,
    /// How long a lone quick-match player waits before computer players
    /// fill the game; `None`: never.
    pub bot_after: Option<Duration>,
}
