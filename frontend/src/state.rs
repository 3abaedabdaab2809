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

pub mod records;

use std::collections::BTreeSet;
use std::rc::Rc;

use wordguess_protocol::command::{MAX_TURN_SECONDS, MIN_TURN_SECONDS};
use wordguess_protocol::text::validate_chat;
use wordguess_protocol::{
    ClientCommand, GameRecord, Language, ResumeToken, RoomCode, Score, SeatView, ServerEvent,
    Standing, MAX_LINE_BYTES,
};
use yew::Reducible;

use records::{ApiAnswer, ApiRequest, Remote};

/// The most log lines kept.
const LOG_LINES: usize = 200;
/// The most chat lines kept.
const CHAT_LINES: usize = 100;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not connected (before joining, after a game ended or after leaving).
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

/// Which screen to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Choose a name and how to play.
    Join,
    /// Taking a kept seat back (after a refresh), before the server answers.
    Resuming,
    /// In a room, before its game starts.
    Waiting,
    /// The game runs.
    Playing,
    /// The game is over.
    Results,
}

/// One player as listed in the ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerView {
    /// The player's name.
    pub name: String,
    /// The player's points.
    pub points: u32,
    /// Whether the player's connection is lost (the seat is kept a while).
    pub away: bool,
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

impl RoomSettings {
    /// The settings in a sentence.
    pub fn summary(&self) -> String {
        let words = match self.custom_words {
            Some(1) => "the room's own list of 1 word".to_owned(),
            Some(count) => format!("the room's own list of {count} words"),
            None => format!("built-in, {}", language_label(self.language)),
        };
        let time = match self.turn_seconds {
            Some(seconds) => format!("{seconds} s a turn"),
            None => "no time limit".to_owned(),
        };
        format!("Words: {words}. Time: {time}.")
    }
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

/// The connection the page should have open (see [`GameState::socket`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketPlan {
    /// The connection's generation (tags everything it reports).
    pub generation: u32,
    /// What to send once it is open.
    pub lines: Vec<String>,
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl Default for GameState {
    fn default() -> Self {
        Self {
            generation: 0,
            connection: Connection::Offline,
            entry: None,
            accepted: false,
            name: String::new(),
            me: None,
            spectator: false,
            invite: None,
            room: None,
            private_room: false,
            host: None,
            players: Vec::new(),
            needed: 0,
            watchers: 0,
            spectators: Vec::new(),
            settings: None,
            tally: None,
            masked: String::new(),
            alphabet: String::new(),
            tried: BTreeSet::new(),
            turn: None,
            my_turn: false,
            turn_deadline: None,
            now: 0,
            log: Vec::new(),
            chat: Vec::new(),
            error: None,
            info: None,
            notice: None,
            outcome: None,
            quit: false,
            seat: None,
            retries: 0,
            retry_waited_ms: 0,
            lost_reason: None,
            restarting: false,
            requests: 0,
            leaderboard: None,
            history: None,
        }
    }
}

/// The wait before reconnection attempt `attempt` (0 for the first):
/// 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s.
pub fn retry_delay_ms(attempt: u32) -> u32 {
    FIRST_RETRY_MS
        .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .min(MAX_RETRY_MS)
}

/// The room code in a page address's query (`?room=K7QXPM`), if valid.
pub fn invite_in_query(query: &str) -> Option<RoomCode> {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("room="))
        .and_then(|code| RoomCode::parse(code).ok())
}

/// The link that opens `code` in this app: the page's own address
/// (`origin` + `path`) with `?room=CODE`.
pub fn invite_link(origin: &str, path: &str, code: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    format!("{origin}{path}?room={code}")
}

/// The terminal command that joins `code` on the server at `hostname`
/// (the page's host): `nc HOST PORT`, then `/join CODE`. `None` when the
/// server did not tell its TCP port.
pub fn nc_command(hostname: &str, tcp_port: u16, code: &str) -> Option<String> {
    if tcp_port == 0 {
        return None;
    }
    // An IPv6 address is shown in brackets in a URL, but nc wants it bare.
    let host = hostname.trim_start_matches('[').trim_end_matches(']');
    let host = if host.is_empty() { "localhost" } else { host };
    Some(format!("nc {host} {tcp_port}\n/join {code}"))
}

/// The language's name on the page.
pub fn language_label(language: Language) -> &'static str {
    match language {
        Language::Uk => "Ukrainian",
        Language::En => "English",
        Language::Both => "Ukrainian and English",
    }
}

/// The language for a `<select>` value (`uk`, `en`, `both`).
pub fn language_from(value: &str) -> Option<Language> {
    [Language::Uk, Language::En, Language::Both]
        .into_iter()
        .find(|language| language.as_str() == value)
}

/// The `/time` command for what the host typed.
///
/// # Errors
///
/// Returns a message for the host if it is not a number of seconds in range.
pub fn time_command(text: &str) -> Result<ClientCommand, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|seconds| (MIN_TURN_SECONDS..=MAX_TURN_SECONDS).contains(seconds))
        .map(|seconds| ClientCommand::Time(Some(seconds)))
        .ok_or_else(|| {
            format!(
                "A turn lasts {MIN_TURN_SECONDS} to {MAX_TURN_SECONDS} seconds (or choose no limit)."
            )
        })
}

/// The `/wordlist` command for the words the host typed (spaces or new
/// lines between them).
///
/// # Errors
///
/// Returns a message for the host if a word is not a word, there are none
/// or too many, or they do not fit in one line.
pub fn wordlist_command(text: &str) -> Result<ClientCommand, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Err("Type the room's words, separated by spaces.".to_owned());
    }
    let command = ClientCommand::parse(&format!("/wordlist {}", words.join(" ")))
        .map_err(|error| error.to_string())?;
    if command.encode().len() > MAX_LINE_BYTES {
        return Err("The list is too long to send: use fewer or shorter words.".to_owned());
    }
    Ok(command)
}

/// The `/say` command for a chat line; `None` for an empty line.
///
/// # Errors
///
/// Returns what is wrong with the text.
pub fn chat_command(text: &str) -> Result<Option<ClientCommand>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    validate_chat(text)
        .map(|text| Some(ClientCommand::Say(text)))
        .map_err(|error| error.to_string())
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

    /// The screen to show.
    pub fn screen(&self) -> Screen {
        let resuming = matches!(self.entry, Some(Entry::Resume(_)))
            && matches!(
                self.connection,
                Connection::Connecting | Connection::Retrying { .. }
            );
        if self.outcome.is_some() {
            Screen::Results
        } else if self.quit || matches!(self.connection, Connection::Lost(_)) {
            Screen::Join
        } else if self.me.is_none() {
            if resuming {
                Screen::Resuming
            } else {
                Screen::Join
            }
        } else if self.masked.is_empty() {
            Screen::Waiting
        } else {
            Screen::Playing
        }
    }

    /// The connection the page should have open now, if any: the hook opens
    /// it when this changes and closes it when this becomes `None`.
    ///
    /// After `/quit` the page waits for the server to close the connection,
    /// since how it closes tells a restart from the end of a game.
    pub fn socket(&self) -> Option<SocketPlan> {
        let open = matches!(
            self.connection,
            Connection::Connecting | Connection::Connected
        );
        let entry = self.entry.as_ref().filter(|_| open)?;
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
            || matches!(self.connection, Connection::Retrying { .. })
    }

    /// What to fetch for the leaderboard, while it is loading.
    pub fn leaderboard_request(&self) -> Option<ApiRequest> {
        match self.leaderboard {
            Some(Remote::Loading(id)) => Some(ApiRequest {
                id,
                path: records::leaderboard_path(),
            }),
            _ => None,
        }
    }

    /// What to fetch for the room's last games, while they are loading.
    pub fn history_request(&self) -> Option<ApiRequest> {
        match (&self.history, self.room_code()) {
            (Some(Remote::Loading(id)), Some(code)) => Some(ApiRequest {
                id: *id,
                path: records::history_path(&code),
            }),
            _ => None,
        }
    }

    /// A message about the connection the player must see, if any.
    pub fn banner(&self) -> Option<String> {
        if self.restarting {
            let then = if self.spectator {
                "you keep watching"
            } else {
                "you play on where you left off"
            };
            return Some(format!(
                "The server is restarting or shutting down. If it comes back with your game, {then}."
            ));
        }
        let lost = match &self.connection {
            Connection::Lost(reason) => Some(reason),
            _ => self.lost_reason.as_ref(),
        };
        if let Some(reason) = lost {
            return Some(format!("Disconnected from the server: {reason}"));
        }
        (self.quit && self.outcome.is_none()).then(|| {
            format!(
                "The server ended the game. {}",
                self.notice.clone().unwrap_or_default()
            )
        })
    }

    /// The connection badge: its style class and text.
    pub fn badge(&self) -> (&'static str, &'static str) {
        match &self.connection {
            _ if self.outcome.is_some() => ("done", "Game over"),
            Connection::Connecting if self.reconnecting() => ("connecting", "Reconnecting…"),
            Connection::Connecting => ("connecting", "Connecting…"),
            Connection::Connected => ("online", "Connected"),
            Connection::Retrying { .. } | Connection::Lost(_) => ("lost", "Disconnected"),
            Connection::Offline => ("offline", "Offline"),
        }
    }

    /// Whether the game has started.
    pub fn started(&self) -> bool {
        !self.masked.is_empty()
    }

    /// Whether this page's player hosts the room.
    pub fn is_host(&self) -> bool {
        !self.spectator && self.me.is_some() && self.me == self.host
    }

    /// Whether the host may start the game now.
    pub fn can_start(&self) -> bool {
        self.is_host()
            && !self.started()
            && self.players.len() >= self.needed.max(1)
            && self.connection == Connection::Connected
    }

    /// The line above the word: whose turn it is, from this page's view.
    pub fn turn_line(&self) -> String {
        match &self.turn {
            _ if self.my_turn => "Your turn! Pick a letter or guess the word.".to_owned(),
            _ if self.lost_reason.is_some() => "Reconnecting…".to_owned(),
            Some(name) if self.spectator => format!("It is {name}'s turn."),
            Some(name) if self.me.as_ref() == Some(name) => "Sending…".to_owned(),
            Some(name) => format!("Waiting for {name}…"),
            None => String::new(),
        }
    }

    /// Whether the letter may be pressed now.
    pub fn can_name(&self, letter: &str) -> bool {
        self.my_turn && !self.tried.contains(letter)
    }

    /// Whole seconds left for the current turn at page clock `now`.
    pub fn seconds_left(&self, now: u64) -> Option<u32> {
        let left = self.turn_deadline?.saturating_sub(now);
        Some(u32::try_from(left.div_ceil(1000)).unwrap_or(u32::MAX))
    }

    /// The room's code, if the page is (or was) in a room.
    pub fn room_code(&self) -> Option<RoomCode> {
        self.room
            .as_ref()
            .and_then(|room| RoomCode::parse(&room.code).ok())
    }

    /// How "play again" enters: the same private room under the same name,
    /// or the next quick match.
    pub fn play_again(&self) -> Entry {
        match self.room_code() {
            Some(code) if self.private_room => Entry::Join(code),
            _ => Entry::QuickMatch,
        }
    }

    /// How a spectator keeps watching the same private room, if it is one.
    pub fn watch_again(&self) -> Option<Entry> {
        self.room_code()
            .filter(|_| self.private_room)
            .map(Entry::Watch)
    }

    /// The name to use again ("play again", the join screen's field).
    pub fn chosen_name(&self) -> String {
        self.me.clone().unwrap_or_else(|| self.name.clone())
    }

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

    /// Numbers a new API request.
    fn next_request(&mut self) -> u32 {
        self.requests += 1;
        self.requests
    }

    /// An API answer: for the leaderboard or the history if they wait for
    /// it; anything older is ignored.
    fn fetched(&mut self, id: u32, answer: Result<ApiAnswer, String>) {
        if self.leaderboard == Some(Remote::Loading(id)) {
            self.leaderboard = Some(records::read_leaderboard(answer).into());
        } else if self.history == Some(Remote::Loading(id)) {
            self.history = Some(records::read_history(answer).into());
        }
    }

    /// The game moved on (a move, or a turn's time ran out): "welcome
    /// back" has been read. (A turn given anew on resuming is no move.)
    fn moved_on(&mut self) {
        self.info = None;
    }

    fn set_points(&mut self, name: &str, points: u32) {
        if let Some(player) = self.players.iter_mut().find(|p| p.name == name) {
            player.points = points;
        }
    }

    fn set_away(&mut self, name: &str, away: bool) {
        if let Some(player) = self.players.iter_mut().find(|p| p.name == name) {
            player.away = away;
        }
    }

    /// The ring from names, keeping what is known of each player.
    fn seat_names(&mut self, names: Vec<String>) {
        self.players = names
            .into_iter()
            .map(|name| {
                self.players
                    .iter()
                    .find(|p| p.name == name)
                    .cloned()
                    .unwrap_or(PlayerView {
                        name,
                        points: 0,
                        away: false,
                    })
            })
            .collect();
    }

    /// The ring from the server's seat views.
    fn seat_views(&mut self, seats: Vec<SeatView>) {
        if let Some(host) = seats.iter().find(|seat| seat.host) {
            self.host = Some(host.name.clone());
            self.private_room = true;
        }
        self.players = seats
            .into_iter()
            .map(|seat| PlayerView {
                name: seat.name,
                points: seat.points,
                away: seat.away,
            })
            .collect();
    }

    fn deadline(&self, seconds: Option<u32>) -> Option<u64> {
        seconds.map(|seconds| self.now + u64::from(seconds) * 1000)
    }

    fn log_event(&mut self, event: &ServerEvent) {
        // Turn and quit are commands, the token is private and chat has its
        // own panel; `/room` and `/token` lines are for terminal clients.
        if matches!(
            event,
            ServerEvent::YourTurn
                | ServerEvent::Quit
                | ServerEvent::Welcome
                | ServerEvent::Token { .. }
                | ServerEvent::Chat { .. }
                | ServerEvent::Leaderboard { .. }
                | ServerEvent::History { .. }
        ) {
            return;
        }
        let mut text = event.to_text();
        // The server's goodbye before a restart names the token: it stays
        // private here too.
        if let Some(seat) = &self.seat {
            text = text.replace(seat.token.as_str(), "(your token)");
        }
        self.log.extend(
            text.lines()
                .filter(|line| !line.starts_with('/'))
                .map(str::to_owned),
        );
        let excess = self.log.len().saturating_sub(LOG_LINES);
        self.log.drain(..excess);
    }

    /// The server refused how this connection entered (an error before
    /// `Accepted`): close it, forget a refused seat, back to the join screen.
    fn refuse(&mut self, message: String) {
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
    fn lost(&mut self, closed: Closed) {
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
    fn retry(&mut self) {
        if let Some(entry) = self.retry_entry() {
            self.generation += 1;
            self.connection = Connection::Connecting;
            self.entry = Some(entry);
            self.accepted = false;
            self.quit = false;
        }
    }

    fn apply(&mut self, event: ServerEvent) {
        if let ServerEvent::Error { message } = &event {
            if !self.accepted {
                self.refuse(message.clone());
                return;
            }
        }
        self.log_event(&event);
        match event {
            ServerEvent::Welcome => {}
            ServerEvent::Accepted { name } => {
                self.accepted = true;
                self.retries = 0;
                self.retry_waited_ms = 0;
                self.lost_reason = None;
                self.restarting = false;
                self.error = None;
                match self.entry {
                    Some(Entry::Resume(_)) => {
                        self.info =
                            Some(format!("Welcome back, {name}! You have your seat again."));
                    }
                    Some(Entry::Watch(_)) => self.spectator = true,
                    Some(Entry::Create) => self.private_room = true,
                    _ => {}
                }
                self.me = Some(name);
            }
            ServerEvent::Joined {
                players,
                needed,
                host,
                ..
            } => {
                self.seat_names(players);
                self.needed = needed;
                if host.is_some() {
                    self.host = host;
                    self.private_room = true;
                }
            }
            ServerEvent::Left { name } => self.players.retain(|p| p.name != name),
            ServerEvent::Started {
                players,
                masked,
                alphabet,
            } => {
                self.seat_names(players);
                for player in &mut self.players {
                    player.points = 0;
                }
                self.masked = masked;
                self.alphabet = alphabet;
                self.tried.clear();
                self.outcome = None;
            }
            ServerEvent::TurnOf { name, seconds } => {
                self.turn = Some(name);
                self.my_turn = false;
                self.turn_deadline = self.deadline(seconds);
            }
            ServerEvent::TurnWarning { seconds } => {
                self.turn_deadline = self.deadline(Some(seconds));
            }
            ServerEvent::YourTurn => self.my_turn = true,
            // The log says it; the next TurnOf moves the turn.
            ServerEvent::TurnTimedOut { .. } => {
                self.moved_on();
                self.my_turn = false;
                self.turn_deadline = None;
            }
            ServerEvent::LetterNamed {
                name,
                letter,
                total,
                ..
            } => {
                self.moved_on();
                self.tried.insert(letter);
                self.set_points(&name, total);
            }
            ServerEvent::WordNamed { name, total, .. } => {
                self.moved_on();
                self.set_points(&name, total);
            }
            ServerEvent::WordState { masked } => self.masked = masked,
            ServerEvent::GameOver {
                word,
                winner,
                prize,
                scores,
            } => {
                for score in &scores {
                    self.set_points(&score.name, score.points);
                }
                self.masked = word.clone();
                self.turn = None;
                self.my_turn = false;
                self.turn_deadline = None;
                self.info = None;
                // The game is over: the seat is gone with it.
                self.seat = None;
                self.outcome = Some(Outcome {
                    word,
                    winner,
                    prize,
                    scores,
                });
            }
            ServerEvent::Error { message } => {
                // A refused move on our turn leaves the turn with us.
                if !self.spectator && self.turn == self.me && self.outcome.is_none() {
                    self.my_turn = true;
                }
                self.error = Some(message);
            }
            ServerEvent::Room {
                code,
                invite,
                tcp_port,
            } => {
                self.room = Some(RoomInfo {
                    code,
                    invite,
                    tcp_port,
                });
            }
            ServerEvent::Token {
                token,
                grace_seconds,
            } => {
                self.seat = ResumeToken::parse(&token).ok().map(|token| SavedSeat {
                    token,
                    room: self.room_code(),
                    name: self.chosen_name(),
                    grace_seconds,
                });
            }
            ServerEvent::Away { name, .. } => self.set_away(&name, true),
            ServerEvent::Back { name } => self.set_away(&name, false),
            ServerEvent::Snapshot {
                players,
                started,
                needed,
                masked,
                alphabet,
                tried,
                turn,
                seconds_left,
            } => {
                self.seat_views(players);
                self.needed = needed;
                self.masked = if started { masked } else { String::new() };
                self.alphabet = alphabet;
                self.tried = tried.into_iter().collect();
                self.turn = turn;
                self.my_turn = false;
                self.turn_deadline = self.deadline(seconds_left);
            }
            ServerEvent::Who {
                players,
                spectators,
            } => {
                self.seat_views(players);
                self.watchers = spectators.len();
                self.spectators = spectators;
            }
            ServerEvent::Watchers { count } => {
                // Who came or went is not said: the names wait for `/who`.
                if count != self.spectators.len() {
                    self.spectators.clear();
                }
                self.watchers = count;
            }
            ServerEvent::Chat { name, text } => {
                self.chat.push(ChatLine { name, text });
                let excess = self.chat.len().saturating_sub(CHAT_LINES);
                self.chat.drain(..excess);
            }
            ServerEvent::Settings {
                language,
                turn_seconds,
                custom_words,
            } => {
                self.settings = Some(RoomSettings {
                    language,
                    turn_seconds,
                    custom_words,
                });
            }
            ServerEvent::Tally { games, wins } => {
                self.tally = Some(Tally { games, wins });
                // A game ended here (or before this page came in): ask for
                // the room's last games.
                if games > 0 {
                    self.history = Some(Remote::Loading(self.next_request()));
                }
            }
            ServerEvent::Leaderboard { players } => {
                self.leaderboard = Some(Remote::Ready(players));
            }
            ServerEvent::History { room, games } => {
                if self.room.as_ref().is_some_and(|r| r.code == room) {
                    self.history = Some(Remote::Ready(games));
                }
            }
            ServerEvent::Notice { message } => self.notice = Some(message),
            ServerEvent::Quit => {
                // The stored seat stays: after "your seat moved to another
                // connection" it belongs to the other tab.
                self.quit = true;
                self.info = None;
                self.my_turn = false;
                self.turn_deadline = None;
            }
        }
    }
}

impl Reducible for GameState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let open = matches!(
            self.connection,
            Connection::Connecting | Connection::Connected
        );
        let mut next = (*self).clone();
        match action {
            Action::Enter { entry, name } => {
                let seat = match entry {
                    Entry::Resume(_) => self.seat.clone(),
                    _ => None,
                };
                next = GameState {
                    generation: self.generation + 1,
                    connection: Connection::Connecting,
                    entry: Some(entry),
                    name,
                    invite: self.invite.clone(),
                    seat,
                    ..self.reset()
                };
            }
            Action::Connected(generation) if generation == self.generation && open => {
                next.connection = Connection::Connected;
            }
            Action::Disconnected(generation, closed) if generation == self.generation && open => {
                next.lost(closed);
            }
            Action::Event(generation, event) if generation == self.generation && open => {
                next.apply(event);
            }
            Action::Clock(now) => next.now = now,
            Action::Retry(generation)
                if generation == self.generation
                    && matches!(self.connection, Connection::Retrying { .. }) =>
            {
                next.retry();
            }
            Action::RetryNow if matches!(self.connection, Connection::Retrying { .. }) => {
                next.retry();
            }
            Action::Sent(ClientCommand::Letter(_) | ClientCommand::Word(_)) => {
                next.my_turn = false;
            }
            Action::Sent(_) => return self,
            Action::Invite(code) => {
                next.invite = code;
                next.error = None;
            }
            Action::Leave => {
                next = GameState {
                    generation: self.generation + 1,
                    name: self.chosen_name(),
                    ..self.reset()
                };
            }
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
