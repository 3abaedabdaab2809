//! The room core: one room's logic as a pure state machine, in the style
//! of the game crate and quinn-proto.
//!
//! A room holds its game (the rules are [`wordguess_game::Game`]'s), the
//! seats' links to connections, spectators, chat, the host's settings, the
//! tally of wins, and what to save and when. It does no IO and reads no
//! clock: every input comes with [`Now`], and each `handle_*` call returns
//! the step's [`Effects`]: messages for connections (by [`ConnId`]), the
//! writes for the room store, and reports for the room directory.
//! [`RoomCore::poll_timeout`] says when the room must be woken next
//! ([`RoomCore::handle_timeout`]): a turn's clock, an away seat's grace, a
//! save due, a save to retry, or closing after `idle_close` with nobody in.
//!
//! The room's driver ([`crate::room::actor`]) only receives inputs, sleeps
//! until that deadline and carries out the effects: it delivers messages
//! once the step's writes are committed ("saved, then sent"), so no player
//! sees a move a crash could lose.
//!
//! The parts: `members` (entering, resuming, leaving), `commands`
//! (moves, chat, `/who`, the host's settings), `outcome` (where events
//! go, results into history and the tally, bookkeeping after each step)
//! and `saving` (the save policy: a move logged alone, a whole state, a
//! failed save retried).

mod commands;
mod computers;
mod extras;
mod members;
mod outcome;
mod saving;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wordguess_game::{Game, PlayerId, Rules, StartRule};
use wordguess_protocol::{GameRecord, Language, ResumeToken, RoomCode};

use crate::delivery::Message;
use crate::persistence::release::SaveReport;
use crate::persistence::{LoggedMove, Write};
use crate::room::messages::{RoomDefaults, RoomInput, RoomKind, RoomReport};
use crate::room::saved::{RoomSave, SavedWords};
use crate::support::clock::Now;
use crate::support::ids::{ConnId, Door};
use crate::support::rate::TokenBucket;
use crate::support::words::WordList;

pub use computers::MOST_COMPUTERS;
pub use saving::{MOST_LOGGED, SAVE_WHOLE_WITHIN};

/// What one step of a room asks its driver to do, in order.
#[derive(Debug, Default)]
pub struct Effects {
    /// Messages for connections, in the order they must arrive.
    pub messages: Vec<(ConnId, Message)>,
    /// What the room store must be told before the messages go out (empty:
    /// nothing to save, and the messages go out behind any held before).
    pub writes: Vec<Write>,
    /// What the room directory must hear, at once.
    pub reports: Vec<RoomReport>,
    /// Connections that are no longer in the room after this step.
    pub left: Vec<ConnId>,
}

/// Where a room's resume tokens come from: 128 unguessable bits each
/// (the driver draws them from the thread's cryptographic generator; a
/// test may count).
pub struct TokenSource(Box<dyn FnMut() -> ResumeToken + Send>);

impl TokenSource {
    /// Tokens made by `next`.
    pub fn new(next: impl FnMut() -> ResumeToken + Send + 'static) -> Self {
        Self(Box::new(next))
    }
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSource")
    }
}

/// Who a connection is in the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Member {
    /// Holds this seat.
    Seat(PlayerId),
    /// Watches.
    Spectator(ConnId),
}

/// A seat's link to the outside: its token and its connection, if any.
#[derive(Debug)]
struct SeatLink {
    /// The token that takes the seat back.
    token: ResumeToken,
    /// The attached connection; `None` while the player is away.
    conn: Option<ConnId>,
    /// The door the player last came through.
    door: Door,
}

/// The current game's seats and their links, in seat order. A room holds a
/// few, so a list searched end to end costs less than a map: a B-tree's
/// first node alone takes room for eleven.
#[derive(Debug, Default)]
struct SeatLinks(Vec<(PlayerId, SeatLink)>);

impl SeatLinks {
    fn get(&self, id: &PlayerId) -> Option<&SeatLink> {
        self.iter()
            .find(|(seat, _)| *seat == id)
            .map(|(_, link)| link)
    }

    fn get_mut(&mut self, id: &PlayerId) -> Option<&mut SeatLink> {
        self.0
            .iter_mut()
            .find(|(seat, _)| seat == id)
            .map(|(_, link)| link)
    }

    /// Adds a seat (seat numbers only grow, so the order holds).
    fn insert(&mut self, id: PlayerId, link: SeatLink) {
        match self.0.iter().position(|(seat, _)| *seat >= id) {
            Some(at) if self.0[at].0 == id => self.0[at].1 = link,
            Some(at) => self.0.insert(at, (id, link)),
            None => self.0.push((id, link)),
        }
    }

    fn remove(&mut self, id: &PlayerId) -> Option<SeatLink> {
        let at = self.0.iter().position(|(seat, _)| seat == id)?;
        Some(self.0.remove(at).1)
    }

    fn iter(&self) -> impl Iterator<Item = (&PlayerId, &SeatLink)> {
        self.0.iter().map(|(seat, link)| (seat, link))
    }

    fn keys(&self) -> impl Iterator<Item = &PlayerId> {
        self.0.iter().map(|(seat, _)| seat)
    }

    fn into_values(self) -> impl Iterator<Item = SeatLink> {
        self.0.into_iter().map(|(_, link)| link)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Where the room's words come from.
#[derive(Debug, Clone)]
enum WordSource {
    /// The server's list (`--words`, or the built-in lists).
    Server,
    /// A built-in list chosen by the host.
    /// (Built once when chosen, not for every word.)
    Builtin(WordList),
    /// The host's own list.
    Room(WordList),
}

/// The numbers an operator's metrics follow, as the room has them now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gauges {
    /// Whether a game is being played.
    pub playing: bool,
    /// Seats held (present or away).
    pub seats: usize,
    /// Moves of the current game.
    pub moves: u32,
    /// Games finished in the room.
    pub games_played: u32,
}

/// One room's state and logic.
#[derive(Debug)]
pub struct RoomCore {
    /// The room's code.
    code: RoomCode,
    /// Quick match or private.
    kind: RoomKind,
    /// What the server gives every room (shared by all of them).
    defaults: Arc<RoomDefaults>,
    /// Whether the room is saved (the store keeps rooms).
    persistent: bool,
    /// Where resume tokens come from.
    tokens: TokenSource,
    /// Where words come from.
    words: WordSource,
    /// The language the host chose, if any (`/wordlist builtin` goes back
    /// to it).
    language: Option<Language>,
    /// Time per turn for the next game.
    turn_time: Option<Duration>,
    /// The current game (gathering, playing, or over until someone enters).
    game: Game,
    /// The current game's seats and their connections.
    seats: SeatLinks,
    /// Spectators' names.
    spectators: BTreeMap<ConnId, String>,
    /// Which connection is who.
    members: HashMap<ConnId, Member>,
    /// Connections whose seat moved to a newer one, latest last (a few):
    /// one that asks for its seat again (it missed being told) is told
    /// again, and does not take the seat back.
    replaced: VecDeque<ConnId>,
    /// What few rooms need (boxed): the names the host removed, computer
    /// players' seed, moments and the ones the room remembers.
    extras: extras::Extras,
    /// Chat rate per member.
    chat: HashMap<Member, TokenBucket>,
    /// Games finished in this room.
    games_played: u32,
    /// Wins per name.
    wins: BTreeMap<String, u32>,
    /// Source of seat ids.
    next_seat: u64,
    /// Since when nobody is in the room.
    empty_since: Option<Instant>,
    /// Whether the quick-match room still takes players (the directory
    /// heard so while it does).
    gathering: bool,
    /// Whether the room has been idle long enough to close.
    idle: bool,
    /// When the current game started (Unix milliseconds), once it has.
    started_at: Option<i64>,
    /// What this step sends.
    effects: Effects,
    /// Finished games not yet written to history.
    records: Vec<GameRecord>,
    /// A hash of the state as last saved whole (to save only what changed);
    /// `None` until the room is saved, and after a failed save.
    saved: Option<u64>,
    /// This step's move, if it may be logged alone.
    move_to_log: Option<LoggedMove>,
    /// Moves logged since the state was last saved whole.
    logged: u32,
    /// When the state must be saved whole at the latest, after logged moves.
    save_by: Option<Instant>,
    /// The game as a restart would replay it from the store (debug builds
    /// check every logged move against the game itself).
    #[cfg(debug_assertions)]
    replayed: Option<wordguess_game::SavedGame>,
    /// Whether the players were told the room can no longer be saved.
    unsaved: bool,
    /// After a failed save: when to try again, and the wait before that.
    retry: Option<(Instant, Duration)>,
}

/// A stand-in until the room makes its first game.
fn placeholder_game() -> Game {
    let rules = Rules::quick_match(1, None, Duration::ZERO);
    Game::new("wordguess", rules).unwrap_or_else(|_| unreachable!("a valid word"))
}

impl RoomCore {
    /// A new, empty room. `persistent` says whether it is saved; `tokens`
    /// makes its resume tokens.
    pub fn fresh(
        code: RoomCode,
        kind: RoomKind,
        defaults: Arc<RoomDefaults>,
        persistent: bool,
        tokens: TokenSource,
        now: Now,
    ) -> Self {
        let mut room = Self {
            code,
            kind,
            turn_time: defaults.turn_time,
            defaults,
            persistent,
            tokens,
            words: WordSource::Server,
            language: None,
            game: placeholder_game(),
            seats: SeatLinks::default(),
            spectators: BTreeMap::new(),
            members: HashMap::new(),
            replaced: VecDeque::new(),
            extras: extras::Extras::default(),
            chat: HashMap::new(),
            games_played: 0,
            wins: BTreeMap::new(),
            next_seat: 1,
            empty_since: Some(now.instant),
            gathering: kind == RoomKind::QuickMatch,
            idle: false,
            started_at: None,
            effects: Effects::default(),
            records: Vec::new(),
            saved: None,
            move_to_log: None,
            logged: 0,
            save_by: None,
            #[cfg(debug_assertions)]
            replayed: None,
            unsaved: false,
            retry: None,
        };
        room.game = room.new_game();
        room
    }

    /// A room back from its saved state: every seat is away until its
    /// player resumes (the directory has its tokens already); a game that
    /// cannot be restored is replaced by a new one, its seats gone (their
    /// tokens revoked in the effects).
    pub fn restored(
        code: RoomCode,
        save: RoomSave,
        defaults: Arc<RoomDefaults>,
        persistent: bool,
        tokens: TokenSource,
        now: Now,
    ) -> (Self, Effects) {
        let mut room = Self::fresh(code, save.kind, defaults, persistent, tokens, now);
        room.words = match save.words {
            SavedWords::Server => WordSource::Server,
            SavedWords::Builtin(language) => {
                WordSource::Builtin(WordList::builtin(language.into()))
            }
            SavedWords::Room(words) => WordList::parse(&words.join("\n"), "a saved word list")
                .map_or(WordSource::Server, WordSource::Room),
        };
        room.language = save.language;
        room.extras.set_computers(save.computers);
        room.extras.set_computer_winners(save.computer_winners);
        room.turn_time = save.turn_millis.map(Duration::from_millis);
        room.games_played = save.games_played;
        room.wins = save.wins;
        room.next_seat = save.next_seat;
        room.gathering = save.kind == RoomKind::QuickMatch
            && save.game.phase == wordguess_game::Phase::Gathering;
        match Game::restore(save.game, room.defaults.resume_grace, now.instant) {
            Ok(game) => {
                room.game = game;
                room.started_at = save.started_at;
                for link in save.seats {
                    room.seats.insert(
                        PlayerId(link.seat),
                        SeatLink {
                            token: link.token,
                            conn: None,
                            door: link.door,
                        },
                    );
                }
            }
            Err(error) => {
                tracing::error!(room = %room.code, %error, "the saved game cannot go on; a new one starts");
                let tokens = save.seats.into_iter().map(|link| link.token).collect();
                room.effects.reports.push(RoomReport::TokensRevoked(tokens));
                room.game = room.new_game();
            }
        }
        room.finish_step(now);
        let effects = std::mem::take(&mut room.effects);
        (room, effects)
    }

    /// The room's code.
    pub fn code(&self) -> &RoomCode {
        &self.code
    }

    /// Handles one input from a session.
    pub fn handle(&mut self, input: RoomInput, now: Now) -> Effects {
        match input {
            RoomInput::Enter {
                conn,
                name,
                role,
                door,
            } => self.enter(conn, name, role, door, now),
            RoomInput::Resume { conn, token, door } => self.resume(conn, &token, door, now),
            RoomInput::Command { conn, command } => self.command(conn, command, now),
            RoomInput::Gone { conn } => self.gone(conn, now),
            RoomInput::NodeLost { node } => {
                let lost: Vec<ConnId> = self
                    .members
                    .keys()
                    .copied()
                    .filter(|conn| conn.node == node)
                    .collect();
                for conn in lost {
                    self.gone(conn, now);
                }
            }
        }
        self.step(now)
    }

    /// Runs what is due at `now`: the game's clocks (a turn passing, an
    /// away seat's grace ending), a save due or to retry, closing when idle.
    pub fn handle_timeout(&mut self, now: Now) -> Effects {
        let deliveries = self.game.handle_timeout(now.instant);
        // A computer's move waits for a step of its own when the rules had
        // something due (a seat leaving, say): one step is saved as one
        // move alone or as a whole state, never both.
        let quiet = deliveries.is_empty();
        self.deliver(deliveries, now);
        if quiet {
            self.computers_timeout(now);
        }
        self.step(now)
    }

    /// Takes in what the store reported on the room's saves (a failure, or
    /// saving working again).
    pub fn handle_reports(&mut self, reports: Vec<SaveReport>, now: Now) -> Effects {
        for report in reports {
            self.saved(report, now);
        }
        self.step(now)
    }

    /// When the room must be woken next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let idle = self
            .empty_since
            .map(|since| since + self.defaults.idle_close);
        let retry = self.retry.map(|(at, _)| at);
        // While a save waits for its retry, so does the whole save.
        let save_by = self.save_by.filter(|_| self.retry.is_none());
        let computers = self.extras.due(self.defaults.bot_after);
        [self.game.poll_timeout(), idle, retry, save_by, computers]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether the room has been empty for its idle time and must close.
    pub fn is_idle(&self) -> bool {
        self.idle
    }

    /// Whether the room's saves fail (its players were told so).
    pub fn is_unsaved(&self) -> bool {
        self.unsaved
    }

    /// Whether `conn` is a seated player's or a spectator's connection here.
    pub fn is_member(&self, conn: ConnId) -> bool {
        self.members.contains_key(&conn)
    }

    /// The numbers the metrics follow.
    pub fn gauges(&self) -> Gauges {
        Gauges {
            playing: self.game.phase() == wordguess_game::Phase::Playing && !self.seats.is_empty(),
            seats: self.seats.len(),
            moves: self.game.moves(),
            games_played: self.games_played,
        }
    }

    /// Closes the room: its seats' tokens are revoked, finished games still
    /// pending are written, and its saved state is forgotten.
    pub fn close(&mut self) -> Effects {
        let tokens = std::mem::take(&mut self.seats)
            .into_values()
            .map(|link| link.token)
            .collect();
        self.members.clear();
        self.effects.reports.push(RoomReport::Closed);
        self.effects.reports.push(RoomReport::TokensRevoked(tokens));
        if self.persistent {
            self.effects
                .writes
                .extend(self.records.drain(..).map(Write::RecordGame));
            self.effects.writes.push(Write::DeleteRoom {
                code: self.code.to_string(),
            });
        }
        std::mem::take(&mut self.effects)
    }

    /// Ends a step: bookkeeping, then what to save, and the step's effects.
    fn step(&mut self, now: Now) -> Effects {
        self.finish_step(now);
        let writes = self.changes(now);
        self.effects.writes = writes;
        std::mem::take(&mut self.effects)
    }

    /// A fresh token for a new seat, reported to the directory.
    fn issue_token(&mut self) -> ResumeToken {
        let token = (self.tokens.0)();
        self.effects
            .reports
            .push(RoomReport::TokenIssued(token.clone()));
        token
    }

    /// A fresh game with a new word and the room's settings.
    fn new_game(&self) -> Game {
        let word = self.new_game_word();
        let start = match self.kind {
            RoomKind::QuickMatch => StartRule::WhenFull(self.defaults.players_to_start),
            RoomKind::Private => StartRule::ByHost,
        };
        let rules = Rules {
            start,
            turn_time: self.turn_time,
            resume_grace: self.defaults.resume_grace,
        };
        Game::new(&word, rules).unwrap_or_else(|error| {
            tracing::error!(room = %self.code, %error, "unusable word");
            placeholder_game()
        })
    }

    fn new_game_word(&self) -> String {
        self.word_list().choose()
    }

    /// The words the room's games draw from.
    fn word_list(&self) -> &WordList {
        match &self.words {
            WordSource::Server => &self.defaults.words,
            WordSource::Builtin(list) | WordSource::Room(list) => list,
        }
    }

    /// Holds a message for one connection.
    fn post(&mut self, conn: ConnId, event: wordguess_protocol::ServerEvent) {
        self.effects
            .messages
            .push((conn, Message::Event(std::sync::Arc::new(event))));
    }

    /// Holds an answer for a session waiting on an entry.
    fn answer(&mut self, conn: ConnId, signal: crate::delivery::Signal) {
        self.effects.messages.push((conn, Message::Signal(signal)));
    }
}
