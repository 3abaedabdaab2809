//! The connection and its reconnect policy: how a connection enters the
//! game ([`Entry`] and its opening lines), the seat kept in `localStorage`
//! ([`SavedSeat`]), which socket should be open ([`GameState::socket`]),
//! and after a lost connection when to try again ([`retry_delay_ms`],
//! [`GameState::retry_timer`]) and when to give up.
//!
//! A lost connection is retried with exponential backoff for as long as
//! the server keeps the seat (its grace); a server that goes away for a
//! restart is waited for longer, since it keeps the seat for the grace
//! counted from its return.

use wordguess_protocol::{BotLevel, ClientCommand, ResumeToken, RoomCode};

use super::GameState;

/// The first wait before reconnecting; each next wait doubles.
const FIRST_RETRY_MS: u32 = 500;
/// The longest wait between two reconnection attempts.
const MAX_RETRY_MS: u32 = 10_000;
/// How long to keep trying when the server did not say how long it keeps a
/// seat (and for spectators, who hold no seat).
const DEFAULT_GRACE_SECONDS: u32 = 120;
/// How much longer to keep trying after the server went away for a
/// restart: it keeps a seat for the grace counted from its return, so the
/// page waits for the restart itself too.
const RESTART_EXTRA_SECONDS: u32 = 120;

/// How a connection enters the game: the choice on the join screen, "play
/// again", or taking a seat back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The next open game with strangers (just the name).
    QuickMatch,
    /// A new private room, as its host (`/new`, then the name).
    Create,
    /// A new private room with a computer player, started at once (`/new`,
    /// the name, `/bot`, `/start`).
    VersusComputer,
    /// A room by its code, as a player (`/join CODE`, then the name).
    Join(RoomCode),
    /// A room by its code, as a spectator (`/watch CODE`, then the name).
    Watch(RoomCode),
    /// A seat kept after a lost connection (`/resume TOKEN`, no name).
    Resume(ResumeToken),
}

impl Entry {
    /// The lines a new connection sends first, in order.
    pub fn opening_lines(&self, name: &str) -> Vec<String> {
        let command = match self {
            Entry::QuickMatch => None,
            Entry::Create => Some(ClientCommand::New),
            Entry::VersusComputer => {
                let setup = [
                    ClientCommand::Bot(BotLevel::default()),
                    ClientCommand::Start,
                ];
                return [ClientCommand::New.encode(), name.to_owned()]
                    .into_iter()
                    .chain(setup.iter().map(ClientCommand::encode))
                    .collect();
            }
            Entry::Join(code) => Some(ClientCommand::Join(code.clone())),
            Entry::Watch(code) => Some(ClientCommand::Watch(code.clone())),
            Entry::Resume(token) => return vec![ClientCommand::Resume(token.clone()).encode()],
        };
        command
            .map(|command| command.encode())
            .into_iter()
            .chain([name.to_owned()])
            .collect()
    }
}

/// A seat the page can take back: what it keeps in `localStorage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSeat {
    /// The token to send with `/resume`.
    pub token: ResumeToken,
    /// The seat's room (to tell it from an invite to another room).
    pub room: Option<RoomCode>,
    /// The player's name (shown while taking the seat back).
    pub name: String,
    /// How long the server keeps a lost seat, so the page stops trying.
    pub grace_seconds: u32,
}

impl SavedSeat {
    /// The `localStorage` key.
    pub const STORAGE_KEY: &'static str = "wordguess.seat";

    /// The stored form.
    ///
    /// # Format
    ///
    /// ```text
    /// v1
    /// TOKEN
    /// ROOM (or an empty line)
    /// GRACE SECONDS
    /// NAME
    /// ```
    pub fn encode(&self) -> String {
        format!(
            "v1\n{}\n{}\n{}\n{}",
            self.token,
            self.room.as_ref().map(RoomCode::as_str).unwrap_or_default(),
            self.grace_seconds,
            self.name
        )
    }

    /// Reads the stored form; `None` for anything else (an old or damaged
    /// entry is forgotten, not trusted).
    pub fn decode(text: &str) -> Option<Self> {
        let mut lines = text.splitn(5, '\n');
        if lines.next()? != "v1" {
            return None;
        }
        let token = ResumeToken::parse(lines.next()?).ok()?;
        let room = match lines.next()? {
            "" => None,
            code => Some(RoomCode::parse(code).ok()?),
        };
        let grace_seconds = lines.next()?.parse().ok()?;
        let name = lines.next()?.to_owned();
        (!name.is_empty()).then_some(Self {
            token,
            room,
            name,
            grace_seconds,
        })
    }
}

/// The state of the connection to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Connection {
    /// Not connected (before joining, after a game ended or after leaving).
    #[default]
    Offline,
    /// Opening the socket.
    Connecting,
    /// Connected.
    Connected,
    /// The connection was lost; the page tries again after `delay_ms`.
    Retrying {
        /// Which attempt comes next (1 for the first).
        attempt: u32,
        /// The wait before that attempt.
        delay_ms: u32,
    },
    /// The connection ended unexpectedly and the page gave up.
    Lost(String),
}

impl Connection {
    /// Whether a socket is (being) opened: what it reports still counts.
    pub fn is_open(&self) -> bool {
        matches!(self, Connection::Connecting | Connection::Connected)
    }

    /// Whether the page waits to try again after a lost connection.
    pub fn is_retrying(&self) -> bool {
        matches!(self, Connection::Retrying { .. })
    }
}

/// Why a connection ended, as the socket hook saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// The server said it is going away (WebSocket close code
    /// [`Closed::GOING_AWAY`]): it restarts or stops. A server with a
    /// database keeps the game, and the seat can be taken back once it
    /// returns.
    GoingAway,
    /// Any other end (lost, refused, closed), with the reason in words.
    Lost(String),
}

impl Closed {
    /// The WebSocket close code of a server that goes away (RFC 6455).
    pub const GOING_AWAY: u16 = 1001;

    /// The reason in words.
    fn reason(self) -> String {
        match self {
            Closed::GoingAway => "the server is restarting or shutting down".to_owned(),
            Closed::Lost(reason) => reason,
        }
    }
}

/// The connection the page should have open (see [`GameState::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketPlan {
    /// The connection's generation (tags everything it reports).
    pub generation: u32,
    /// What to send once it is open.
    pub lines: Vec<String>,
}

/// The wait before reconnection attempt `attempt` (0 for the first):
/// 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s.
pub fn retry_delay_ms(attempt: u32) -> u32 {
    FIRST_RETRY_MS
        .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .min(MAX_RETRY_MS)
}

impl GameState {
    /// The state a page starts in: taking a kept seat back if there is one
    /// (unless the address invites to another room), else the join screen.
    pub fn at_start(saved: Option<SavedSeat>, invite: Option<RoomCode>) -> Self {
        let mut state = GameState {
            invite,
            ..GameState::default()
        };
        if let Some(seat) = saved {
            if state.invite.is_none() || state.invite == seat.room {
                state.generation = 1;
                state.connection = Connection::Connecting;
                state.entry = Some(Entry::Resume(seat.token.clone()));
                state.name.clone_from(&seat.name);
            }
            // Otherwise the seat stays stored until the player enters elsewhere.
            state.seat = Some(seat);
        }
        state
    }

    /// The connection the page should have open now, if any: the hook opens
    /// it when this changes and closes it when this becomes `None`.
    ///
    /// After `/quit` the page waits for the server to close the connection,
    /// since how it closes tells a restart from the end of a game.
    pub fn socket(&self) -> Option<SocketPlan> {
        let entry = self.entry.as_ref().filter(|_| self.connection.is_open())?;
        Some(SocketPlan {
            generation: self.generation,
            lines: entry.opening_lines(&self.name),
        })
    }

    /// When to reconnect: the generation the timer is for and its delay.
    pub fn retry_timer(&self) -> Option<(u32, u32)> {
        match self.connection {
            Connection::Retrying { delay_ms, .. } => Some((self.generation, delay_ms)),
            _ => None,
        }
    }

    /// Whether an attempt to take the seat back is under way.
    pub fn reconnecting(&self) -> bool {
        matches!(self.entry, Some(Entry::Resume(_))) && self.connection == Connection::Connecting
            || self.connection.is_retrying()
    }

    /// The player chose how to enter, as `name`: a new connection, keeping
    /// the kept seat only to take it back.
    pub(super) fn entered(&self, entry: Entry, name: String) -> GameState {
        let seat = match entry {
            Entry::Resume(_) => self.seat.clone(),
            _ => None,
        };
        GameState {
            generation: self.generation + 1,
            connection: Connection::Connecting,
            entry: Some(entry),
            name,
            invite: self.invite.clone(),
            seat,
            ..self.reset()
        }
    }

    /// The player left: no connection, no kept seat, only the name stays.
    pub(super) fn left(&self) -> GameState {
        GameState {
            generation: self.generation + 1,
            name: self.chosen_name(),
            ..self.reset()
        }
    }

    /// The server refused how this connection entered (an error before
    /// `Accepted`): close it, forget a refused seat, back to the join screen.
    pub(super) fn refuse(&mut self, message: String) {
        let resuming = matches!(self.entry, Some(Entry::Resume(_)));
        let error = if resuming {
            format!("Could not take your seat back: {message}")
        } else {
            message
        };
        let invite = match &self.entry {
            Some(Entry::Join(code) | Entry::Watch(code)) => Some(code.clone()),
            _ => self.invite.clone(),
        };
        let seat = if resuming { None } else { self.seat.clone() };
        *self = GameState {
            name: self.chosen_name(),
            invite,
            seat,
            error: Some(error),
            log: std::mem::take(&mut self.log),
            ..self.reset()
        };
    }

    /// The way back in after a lost connection, if there is one.
    fn retry_entry(&self) -> Option<Entry> {
        if let Some(seat) = &self.seat {
            return Some(Entry::Resume(seat.token.clone()));
        }
        if self.spectator {
            return self.room_code().map(Entry::Watch);
        }
        None
    }

    /// The connection closed: after the game or `/quit`, that is the end;
    /// otherwise (or when the server goes away for a restart) plan the next
    /// attempt to come back, or give up.
    pub(super) fn lost(&mut self, closed: Closed) {
        self.my_turn = false;
        self.turn_deadline = None;
        let going_away = closed == Closed::GoingAway;
        if self.outcome.is_some() || (self.quit && !going_away) {
            self.connection = Connection::Offline;
            return;
        }
        let reason = closed.reason();
        if self.retry_entry().is_none() {
            self.connection = Connection::Lost(reason);
            return;
        }
        self.quit = false;
        self.restarting |= going_away;
        let grace = self
            .seat
            .as_ref()
            .map_or(DEFAULT_GRACE_SECONDS, |seat| seat.grace_seconds);
        let extra = if self.restarting {
            RESTART_EXTRA_SECONDS
        } else {
            0
        };
        let delay_ms = retry_delay_ms(self.retries);
        if self.retry_waited_ms + u64::from(delay_ms) > u64::from(grace + extra) * 1000 {
            // The seat is gone by now: start afresh.
            *self = GameState {
                connection: Connection::Lost(reason),
                name: self.chosen_name(),
                invite: self.invite.clone(),
                log: std::mem::take(&mut self.log),
                ..self.reset()
            };
            return;
        }
        self.retries += 1;
        self.retry_waited_ms += u64::from(delay_ms);
        self.lost_reason = Some(reason);
        self.connection = Connection::Retrying {
            attempt: self.retries,
            delay_ms,
        };
    }

    /// Opens the next attempt to come back (keeping the view meanwhile).
    pub(super) fn retry(&mut self) {
        if let Some(entry) = self.retry_entry() {
            self.generation += 1;
            self.connection = Connection::Connecting;
            self.entry = Some(entry);
            self.accepted = false;
            self.quit = false;
        }
    }
}
