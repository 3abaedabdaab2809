//! The rules of wordguess (SPEC section 1, plus seats that survive a lost
//! connection, a host who starts a room's game, and the turn clock) as pure
//! code.
//!
//! A [`Game`] is a state machine in the style of quinn-proto: every input
//! carries the time it happened (`now`), the game says when it next needs
//! to be woken ([`Game::poll_timeout`]), and [`Game::handle_timeout`] runs
//! what is due then (a turn that ran out, a warning to the mover, an away
//! seat whose grace is over). Each call returns the [`Delivery`]s (events and
//! their recipients) the caller must send. There are no sockets, tasks or
//! clocks here, so every rule — time included — is tested directly with
//! simulated time; the server's room actor only sleeps until the next
//! deadline and moves deliveries to connections.
//!
//! A player is a **seat** ([`PlayerId`]): its place in the ring, its name
//! and its points. The connection is not part of the rules: when it drops,
//! the seat is only marked *away* ([`Game::disconnect`]) and kept for the
//! grace period; [`Game::resume`] marks it present again.
//!
//! A seat may be a **computer player** ([`Game::join_computer`]): a seat
//! like any other in the ring, the turns, the clock and the results, never
//! away, whose moves [`bot`] decides from what every player sees
//! ([`Game::computer_move`]); the caller makes them through
//! [`Game::play`] after a pause of its choosing. A computer player moves
//! only while some person's seat is present (otherwise the turn waits, as
//! it does when every seat is away), is never the host, and a game left
//! with computer players alone ends.

pub mod bot;

use bot::Level;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use wordguess_protocol::{
    event::HIDDEN,
    text::{fold, is_sign, letters_of, skeleton},
    LetterOutcome, Score, SeatView, ServerEvent,
};

/// The Ukrainian alphabet, for the browser's on-screen keyboard.
pub const UKRAINIAN_ALPHABET: &str = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя";
/// The English alphabet, for the browser's on-screen keyboard.
pub const ENGLISH_ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";

/// The fewest players a host may start a room's game with.
pub const MIN_PLAYERS_TO_START: usize = 2;

/// Identifies a seat (a player), not a connection; assigned by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayerId(pub u64);

/// Who receives an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// Everyone in the room: every seat, and spectators.
    All,
    /// One seat only (private).
    Only(PlayerId),
}

/// An event and who must receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Who receives it.
    pub to: Recipient,
    /// What they receive.
    pub event: ServerEvent,
}

/// Where a game is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for players (and, in a room, for the host's `/start`).
    Gathering,
    /// Players take turns.
    Playing,
    /// Results were sent (or everybody left); the game accepts nothing more.
    Over,
}

/// How a game starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartRule {
    /// Quick match: as soon as this many (at least 1) have joined.
    WhenFull(usize),
    /// A private room: when the host (the first seat) says so, with at
    /// least [`MIN_PLAYERS_TO_START`] seats.
    ByHost,
}

/// The rules a game is played by, besides the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How the game starts.
    pub start: StartRule,
    /// How long a player may hold the turn; `None` for no limit.
    pub turn_time: Option<Duration>,
    /// How long an away seat is kept before the player leaves for good.
    pub resume_grace: Duration,
}

impl Rules {
    /// Quick-match rules: start at `players`, with this turn time and grace.
    pub fn quick_match(players: usize, turn_time: Option<Duration>, grace: Duration) -> Self {
        Self {
            start: StartRule::WhenFull(players.max(1)),
            turn_time,
            resume_grace: grace,
        }
    }
}

/// A player's move.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// Name one (folded) letter.
    Letter(String),
    /// Name the whole (folded) word.
    Word(String),
}

/// Why a player could not join.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JoinError {
    /// Another player of this game has that name (compared case-insensitively).
    #[error("the name '{0}' is taken in this game; send another name")]
    NameTaken(String),
    /// The name looks like another player's (Unicode confusables).
    #[error("the name '{0}' looks too much like '{1}', who is already here; send another name")]
    LooksLike(String, String),
    /// The game has started or ended; the player belongs in the next one.
    #[error("this game is no longer gathering players")]
    NotGathering,
    /// The same seat tried to join twice.
    #[error("you have already joined")]
    AlreadyJoined,
    /// A computer player joins only a game a person has joined.
    #[error("computer players join a game that has people in it")]
    NoPeople,
}

/// Why `/start` was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StartError {
    /// Only the host starts a room's game.
    #[error("only the host ({0}) can start the game")]
    NotHost(String),
    /// Quick-match games start by themselves.
    #[error("this game starts by itself when enough players have joined")]
    StartsByItself,
    /// Too few players.
    #[error(
        "a game needs at least {MIN_PLAYERS_TO_START} players; invite a friend with the room code"
    )]
    TooFew,
    /// Already started or over.
    #[error("the game has already started")]
    NotGathering,
}

/// Why a setting could not change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    /// Settings change only before the start.
    #[error("settings can only change before the game starts")]
    NotGathering,
    /// The word is unusable.
    #[error(transparent)]
    InvalidWord(#[from] InvalidWord),
}

/// A saved game could not be restored: it does not describe a game these
/// rules could have reached.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the saved game is not valid: {0}")]
pub struct RestoreError(&'static str);

/// A game written down so it can be restored after a restart: everything
/// but its clocks and who is connected (a restored game starts with every
/// seat away and its clocks afresh).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedGame {
    /// The word, folded.
    pub word: String,
    /// Which of its pieces are shown: `1` shown, `0` hidden, one a piece.
    pub shown: String,
    /// Letters named so far.
    pub named: Vec<String>,
    /// The seats in ring order.
    pub ring: Vec<SavedSeat>,
    /// Index into `ring` of the player to move.
    pub turn: usize,
    /// How the game starts.
    pub start: StartRule,
    /// Milliseconds per turn; `None` for no limit.
    pub turn_millis: Option<u64>,
    /// Milliseconds an away seat is kept.
    pub grace_millis: u64,
    /// Where the game was in its life.
    pub phase: Phase,
    /// Moves made so far.
    pub moves: u32,
    /// The host's seat id (a room's game); saves from before hosts moved
    /// have none, and their first seat hosts.
    #[serde(default)]
    pub host: Option<u64>,
}

/// One seat of a [`SavedGame`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSeat {
    /// The seat's id.
    pub id: u64,
    /// The player's name.
    pub name: String,
    /// Points so far.
    pub points: u32,
    /// A computer player's level; `None` for a person.
    #[serde(default)]
    pub computer: Option<Level>,
}

/// The puzzle word is unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{0}' is not a word of letters (with ' or - between them)")]
pub struct InvalidWord(pub String);

/// Refuses `name` if another of `names` is the same (case-insensitively)
/// or looks the same (its confusable skeleton matches).
///
/// # Errors
///
/// Returns [`JoinError::NameTaken`] or [`JoinError::LooksLike`].
pub fn check_name_free<'a>(
    names: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> Result<(), JoinError> {
    let folded = fold(name);
    let shape = skeleton(name);
    for other in names {
        if fold(other) == folded {
            return Err(JoinError::NameTaken(name.to_owned()));
        }
        if skeleton(other) == shape {
            return Err(JoinError::LooksLike(name.to_owned(), other.to_owned()));
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct Seat {
    /// The player's identity, to address private events.
    id: PlayerId,
    /// The name shown to everyone.
    name: String,
    /// Points so far.
    points: u32,
    /// When the seat is given up, if its connection is lost.
    away_until: Option<Instant>,
    /// A computer player's level; `None` for a person.
    computer: Option<Level>,
}

/// The turn clock of the player to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TurnClock {
    /// When the turn passes on.
    deadline: Instant,
    /// When the mover is warned, if not yet.
    warn_at: Option<Instant>,
}

/// One game: its word, its ring of seats, whose turn it is, and its clocks.
#[derive(Debug, Clone)]
pub struct Game {
    /// The word's pieces, folded (one grapheme each; letters and signs).
    letters: Vec<String>,
    /// Which pieces are shown, by position (signs from the start).
    revealed: Vec<bool>,
    /// Letters named so far (hits and misses), to refuse repeats.
    named: Vec<String>,
    /// The ring, in join order.
    ring: Vec<Seat>,
    /// Who starts and sets up a room's game: its first seat, then, when
    /// the host leaves, the next present seat (`None` in quick match).
    host: Option<PlayerId>,
    /// Index into `ring` of the player to move (meaningful while playing).
    turn: usize,
    /// How the game starts and how long turns and away seats last.
    rules: Rules,
    /// Where the game is in its life.
    phase: Phase,
    /// The mover's clock; `None` without a limit or while every seat is away.
    clock: Option<TurnClock>,
    /// Moves made so far (letters and words named in turn).
    moves: u32,
    /// A restored game holds the turn for its mover: while the mover has
    /// not come back (within its grace) the turn does not pass, and the
    /// mover gets `/turn` when it resumes.
    held: bool,
}

impl Game {
    /// A game gathering players for `word`.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidWord`] if `word` is not a word.
    pub fn new(word: &str, rules: Rules) -> Result<Self, InvalidWord> {
        let mut game = Self {
            letters: Vec::new(),
            revealed: Vec::new(),
            named: Vec::new(),
            ring: Vec::new(),
            host: None,
            turn: 0,
            rules,
            phase: Phase::Gathering,
            clock: None,
            moves: 0,
            held: false,
        };
        game.set_word(word)?;
        Ok(game)
    }

    /// The game written down, to be restored after a restart.
    pub fn save(&self) -> SavedGame {
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        SavedGame {
            word: self.letters.concat(),
            shown: self
                .revealed
                .iter()
                .map(|&shown| if shown { '1' } else { '0' })
                .collect(),
            named: self.named.clone(),
            ring: self
                .ring
                .iter()
                .map(|seat| SavedSeat {
                    id: seat.id.0,
                    name: seat.name.clone(),
                    points: seat.points,
                    computer: seat.computer,
                })
                .collect(),
            turn: self.turn,
            start: self.rules.start,
            turn_millis: self.rules.turn_time.map(millis),
            grace_millis: millis(self.rules.resume_grace),
            phase: self.phase,
            moves: self.moves,
            host: self.host.map(|host| host.0),
        }
    }

    /// A saved game, back at `now` after a restart: every person's seat is
    /// away (for `grace`, the server's grace now), and a game in play holds
    /// the turn for its mover until the mover resumes or its grace ends (a
    /// computer player to move waits, as every computer player does, for a
    /// person to be back).
    ///
    /// # Errors
    ///
    /// Returns a [`RestoreError`] for a saved game these rules could not
    /// have reached (the word, the shown letters or the turn do not fit).
    pub fn restore(saved: SavedGame, grace: Duration, now: Instant) -> Result<Self, RestoreError> {
        let away_until = (saved.phase != Phase::Over).then_some(now + grace);
        let mover_is_person = saved
            .ring
            .get(saved.turn)
            .is_some_and(|seat| seat.computer.is_none());
        let held = saved.phase == Phase::Playing && mover_is_person;
        Self::from_saved(saved, grace, away_until, held)
    }

    /// Replays `mover`'s move `mv` on a saved game, as [`Game::play`] made it
    /// at the time, and returns the game saved after it. A server writes a
    /// move down this way instead of the whole game when nothing else
    /// changed and [`Game::is_replayable`] held before the move.
    ///
    /// # Errors
    ///
    /// Returns a [`RestoreError`] if `saved` is not valid, or if the move
    /// could not have been made in it (the game is not in play, `mover` is
    /// not to move, or the rules refuse the move).
    pub fn replay(
        saved: SavedGame,
        mover: PlayerId,
        mv: Move,
        now: Instant,
    ) -> Result<SavedGame, RestoreError> {
        if saved.phase != Phase::Playing {
            return Err(RestoreError(
                "a move was written down for a game not in play",
            ));
        }
        let grace = Duration::from_millis(saved.grace_millis);
        let mut game = Self::from_saved(saved, grace, None, false)?;
        if game.current_player() != Some(mover) {
            return Err(RestoreError(
                "a move was written down for a player not to move",
            ));
        }
        let before = game.moves;
        let _ = game.play(mover, mv, now);
        if game.moves != before + 1 {
            return Err(RestoreError(
                "a move was written down that the rules refuse",
            ));
        }
        Ok(game.save())
    }

    /// Whether a move now may be written down alone and replayed later
    /// ([`Game::replay`]): the game is in play, every seat is here, and no
    /// turn is held after a restart. (An away seat changes whose turn comes
    /// next, and the replay does not know who was away.)
    pub fn is_replayable(&self) -> bool {
        self.phase == Phase::Playing
            && !self.held
            && self.ring.iter().all(|seat| seat.away_until.is_none())
    }

    /// A saved game with its people's seats away until `away_until`
    /// (`None`: here) and its turn `held` or not.
    fn from_saved(
        saved: SavedGame,
        grace: Duration,
        away_until: Option<Instant>,
        held: bool,
    ) -> Result<Self, RestoreError> {
        let letters = letters_of(&saved.word).ok_or(RestoreError("the word is not a word"))?;
        let revealed: Vec<bool> = saved.shown.chars().map(|c| c == '1').collect();
        if revealed.len() != letters.len() || saved.shown.chars().any(|c| c != '0' && c != '1') {
            return Err(RestoreError("the shown letters do not fit the word"));
        }
        if saved.phase == Phase::Playing && saved.turn >= saved.ring.len() {
            return Err(RestoreError("the player to move has no seat"));
        }
        let mut ids: Vec<u64> = saved.ring.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != saved.ring.len() {
            return Err(RestoreError("two seats share an id"));
        }
        let people: Vec<u64> = saved
            .ring
            .iter()
            .filter(|seat| seat.computer.is_none())
            .map(|seat| seat.id)
            .collect();
        let host = match saved.start {
            StartRule::WhenFull(_) => None,
            StartRule::ByHost => saved
                .host
                .filter(|host| people.contains(host))
                .or_else(|| people.first().copied())
                .map(PlayerId),
        };
        Ok(Self {
            letters,
            revealed,
            named: saved.named,
            ring: saved
                .ring
                .into_iter()
                .map(|seat| Seat {
                    id: PlayerId(seat.id),
                    name: seat.name,
                    points: seat.points,
                    away_until: away_until.filter(|_| seat.computer.is_none()),
                    computer: seat.computer,
                })
                .collect(),
            host,
            turn: saved.turn,
            rules: Rules {
                start: saved.start,
                turn_time: saved.turn_millis.map(Duration::from_millis),
                resume_grace: grace,
            },
            phase: saved.phase,
            clock: None,
            moves: saved.moves,
            held,
        })
    }

    /// Moves made so far (letters and words named in turn).
    pub fn moves(&self) -> u32 {
        self.moves
    }

    /// Whether a restored game still holds the turn for its away mover.
    pub fn holds_turn(&self) -> bool {
        self.held
    }

    fn set_word(&mut self, word: &str) -> Result<(), InvalidWord> {
        let letters = letters_of(word).ok_or_else(|| InvalidWord(word.to_owned()))?;
        self.revealed = letters.iter().map(|piece| is_sign(piece)).collect();
        self.letters = letters;
        Ok(())
    }

    /// Replaces the word before the start (the host changed the language or
    /// the room's word list).
    ///
    /// # Errors
    ///
    /// Refused once the game has started, or for an invalid word.
    pub fn replace_word(&mut self, word: &str) -> Result<(), SettingsError> {
        if self.phase != Phase::Gathering {
            return Err(SettingsError::NotGathering);
        }
        Ok(self.set_word(word)?)
    }

    /// Changes the turn time before the start.
    ///
    /// # Errors
    ///
    /// Refused once the game has started.
    pub fn set_turn_time(&mut self, turn_time: Option<Duration>) -> Result<(), SettingsError> {
        if self.phase != Phase::Gathering {
            return Err(SettingsError::NotGathering);
        }
        self.rules.turn_time = turn_time;
        Ok(())
    }

    /// The rules in force.
    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// Where the game is in its life.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The players' names in ring order.
    pub fn players(&self) -> Vec<String> {
        self.ring.iter().map(|p| p.name.clone()).collect()
    }

    /// The computer players' names, in ring order.
    pub fn computers(&self) -> Vec<String> {
        self.ring
            .iter()
            .filter(|seat| seat.computer.is_some())
            .map(|seat| seat.name.clone())
            .collect()
    }

    /// The level of seat `id`, if it is a computer player.
    pub fn computer_level(&self, id: PlayerId) -> Option<Level> {
        self.seat(id).and_then(|seat| seat.computer)
    }

    /// The seats' ids in ring order.
    pub fn ring(&self) -> Vec<PlayerId> {
        self.ring.iter().map(|p| p.id).collect()
    }

    /// Whether `id` has a seat in this game.
    pub fn is_seated(&self, id: PlayerId) -> bool {
        self.seat(id).is_some()
    }

    /// The name of seat `id`.
    pub fn name_of(&self, id: PlayerId) -> Option<&str> {
        self.seat(id).map(|s| s.name.as_str())
    }

    /// Whether seat `id`'s connection is lost.
    pub fn is_away(&self, id: PlayerId) -> bool {
        self.seat(id).is_some_and(|s| s.away_until.is_some())
    }

    /// The host of a room's game (its first seat, or whom a host that
    /// left handed it to); `None` in quick match.
    pub fn host(&self) -> Option<PlayerId> {
        self.host
    }

    /// Whose turn it is, while playing.
    pub fn current_player(&self) -> Option<PlayerId> {
        (self.phase == Phase::Playing)
            .then(|| self.ring.get(self.turn).map(|p| p.id))
            .flatten()
    }

    /// The word with hidden letters as `*`.
    pub fn masked(&self) -> String {
        let mut masked = String::new();
        for (letter, &shown) in self.letters.iter().zip(&self.revealed) {
            if shown {
                masked.push_str(letter);
            } else {
                masked.push(HIDDEN);
            }
        }
        masked
    }

    /// The letters named so far, in order.
    pub fn tried(&self) -> &[String] {
        &self.named
    }

    /// The on-screen keyboard for this word: its language's alphabet.
    pub fn alphabet(&self) -> &'static str {
        [ENGLISH_ALPHABET, UKRAINIAN_ALPHABET]
            .into_iter()
            .find(|alphabet| {
                self.letters
                    .iter()
                    .all(|l| is_sign(l) || alphabet.contains(l.as_str()))
            })
            .unwrap_or("")
    }

    /// The seats as everyone sees them.
    pub fn seats(&self) -> Vec<SeatView> {
        let host = self.host();
        self.ring
            .iter()
            .map(|seat| SeatView {
                name: seat.name.clone(),
                points: seat.points,
                away: seat.away_until.is_some(),
                host: Some(seat.id) == host,
                computer: seat.computer,
            })
            .collect()
    }

    /// Players needed (quick match) or allowed (rooms) to start.
    fn needed(&self) -> usize {
        match self.rules.start {
            StartRule::WhenFull(players) => players,
            StartRule::ByHost => MIN_PLAYERS_TO_START,
        }
    }

    /// The game as it stands at `now`, for a player who resumes or a
    /// spectator who arrives.
    pub fn snapshot(&self, now: Instant) -> ServerEvent {
        let playing = self.phase == Phase::Playing;
        ServerEvent::Snapshot {
            players: self.seats(),
            started: self.phase != Phase::Gathering,
            needed: self.needed(),
            masked: if self.phase == Phase::Gathering {
                String::new()
            } else {
                self.masked()
            },
            alphabet: self.alphabet().to_owned(),
            tried: self.named.clone(),
            turn: playing
                .then(|| self.ring.get(self.turn).map(|s| s.name.clone()))
                .flatten(),
            seconds_left: self
                .clock
                .filter(|_| playing)
                .map(|clock| seconds_between(now, clock.deadline)),
        }
    }

    /// When the game next needs [`Game::handle_timeout`]: the mover's
    /// deadline or warning, or the end of an away seat's grace.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let turn = self
            .clock
            .map(|clock| clock.warn_at.unwrap_or(clock.deadline));
        let away = self.ring.iter().filter_map(|s| s.away_until).min();
        match (turn, away) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs what is due at `now`: away seats whose grace is over leave for
    /// good, the mover is warned that time is nearly up, or loses the turn.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Delivery> {
        let mut out = Vec::new();
        let expired: Vec<PlayerId> = self
            .ring
            .iter()
            .filter(|s| s.away_until.is_some_and(|until| until <= now))
            .map(|s| s.id)
            .collect();
        for id in expired {
            out.extend(self.leave(id, now));
        }
        if self.phase != Phase::Playing {
            return out;
        }
        let Some(clock) = self.clock else {
            return out;
        };
        if clock.deadline <= now {
            out.push(Delivery {
                to: Recipient::All,
                event: ServerEvent::TurnTimedOut {
                    name: self.ring[self.turn].name.clone(),
                },
            });
            self.next_turn(now, &mut out);
        } else if clock.warn_at.is_some_and(|at| at <= now) {
            self.clock = Some(TurnClock {
                warn_at: None,
                ..clock
            });
            out.push(Delivery {
                to: Recipient::Only(self.ring[self.turn].id),
                event: ServerEvent::TurnWarning {
                    seconds: seconds_between(now, clock.deadline),
                },
            });
        }
        out
    }

    /// Adds a player to the gathering game; a quick-match game starts once
    /// enough have joined.
    ///
    /// # Errors
    ///
    /// Returns a [`JoinError`] (the name is taken or looks like another, or
    /// the game is no longer gathering); nothing changes then.
    pub fn join(
        &mut self,
        id: PlayerId,
        name: &str,
        now: Instant,
    ) -> Result<Vec<Delivery>, JoinError> {
        self.seat_newcomer(id, name, None, now)
    }

    /// Seats a computer player of `level` in the gathering game, as
    /// [`Game::join`] seats a person (without a greeting: nobody reads it).
    ///
    /// # Errors
    ///
    /// As [`Game::join`], and [`JoinError::NoPeople`] if no person has
    /// joined (computer players do not play by themselves).
    pub fn join_computer(
        &mut self,
        id: PlayerId,
        name: &str,
        level: Level,
        now: Instant,
    ) -> Result<Vec<Delivery>, JoinError> {
        if self.ring.iter().all(|seat| seat.computer.is_some()) {
            return Err(JoinError::NoPeople);
        }
        let mut out = self.seat_newcomer(id, name, Some(level), now)?;
        out.retain(|delivery| delivery.to != Recipient::Only(id));
        Ok(out)
    }

    fn seat_newcomer(
        &mut self,
        id: PlayerId,
        name: &str,
        computer: Option<Level>,
        now: Instant,
    ) -> Result<Vec<Delivery>, JoinError> {
        if self.phase != Phase::Gathering {
            return Err(JoinError::NotGathering);
        }
        if self.is_seated(id) {
            return Err(JoinError::AlreadyJoined);
        }
        check_name_free(self.ring.iter().map(|p| p.name.as_str()), name)?;
        if self.rules.start == StartRule::ByHost && self.host.is_none() && computer.is_none() {
            self.host = Some(id);
        }
        self.ring.push(Seat {
            id,
            name: name.to_owned(),
            points: 0,
            away_until: None,
            computer,
        });
        let host = self
            .host()
            .and_then(|host| self.name_of(host))
            .map(str::to_owned);
        let mut out = vec![
            Delivery {
                to: Recipient::Only(id),
                event: ServerEvent::Accepted {
                    name: name.to_owned(),
                },
            },
            Delivery {
                to: Recipient::All,
                event: ServerEvent::Joined {
                    name: name.to_owned(),
                    players: self.players(),
                    needed: self.needed(),
                    host,
                    computers: self.computers(),
                },
            },
        ];
        if let StartRule::WhenFull(players) = self.rules.start {
            if self.ring.len() >= players {
                self.begin(now, &mut out);
            }
        }
        Ok(out)
    }

    /// The host starts a room's game.
    ///
    /// # Errors
    ///
    /// Returns a [`StartError`] if `by` is not the host, there are too few
    /// players, the game starts by itself, or it has started.
    pub fn start(&mut self, by: PlayerId, now: Instant) -> Result<Vec<Delivery>, StartError> {
        if self.phase != Phase::Gathering {
            return Err(StartError::NotGathering);
        }
        let Some(host) = self.host() else {
            return Err(StartError::StartsByItself);
        };
        if host != by {
            let name = self.name_of(host).unwrap_or_default().to_owned();
            return Err(StartError::NotHost(name));
        }
        if self.ring.len() < MIN_PLAYERS_TO_START {
            return Err(StartError::TooFew);
        }
        let mut out = Vec::new();
        self.begin(now, &mut out);
        Ok(out)
    }

    fn begin(&mut self, now: Instant, out: &mut Vec<Delivery>) {
        self.phase = Phase::Playing;
        self.turn = 0;
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::Started {
                players: self.players(),
                computers: self.computers(),
                masked: self.masked(),
                alphabet: self.alphabet().to_owned(),
            },
        });
        // The first present seat moves first (the host may be away: the
        // rules allow an away host's /start even if the server never sends
        // one).
        self.next_present_turn(now, out);
    }

    /// Handles a move by `id`. A move that breaks the rules (out of turn,
    /// before the start) changes nothing and yields a private error.
    pub fn play(&mut self, id: PlayerId, mv: Move, now: Instant) -> Vec<Delivery> {
        let refuse = |message: String| {
            vec![Delivery {
                to: Recipient::Only(id),
                event: ServerEvent::Error { message },
            }]
        };
        match self.phase {
            Phase::Gathering => {
                let waiting = match self.rules.start {
                    StartRule::WhenFull(players) => format!(
                        "waiting for {} more player(s)",
                        players.saturating_sub(self.ring.len())
                    ),
                    StartRule::ByHost => "the host starts it with /start".to_owned(),
                };
                return refuse(format!("the game has not started yet; {waiting}"));
            }
            Phase::Over => return refuse("the game is over".to_owned()),
            Phase::Playing => {}
        }
        let Some(mover) = self.ring.get(self.turn) else {
            return refuse("the game is over".to_owned());
        };
        if mover.id != id {
            return refuse(format!(
                "it is not your turn; it is {}'s turn, wait for /turn",
                mover.name
            ));
        }
        if mover.away_until.is_some() {
            // (Its connection was lost: a line it sent before cannot move
            // for it, nor can a computer move for a turn held for a person.)
            return refuse("your seat is away; take it back with /resume TOKEN".to_owned());
        }
        self.moves += 1;
        let mut out = Vec::new();
        let keeps_turn = match mv {
            Move::Letter(letter) => self.name_letter(&fold(&letter), &mut out),
            Move::Word(word) => self.name_word(&word, &mut out),
        };
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::WordState {
                masked: self.masked(),
            },
        });
        if self.revealed.iter().all(|&r| r) {
            self.finish(self.turn, &mut out);
            return out;
        }
        if keeps_turn {
            self.announce_turn(now, &mut out);
        } else {
            self.next_turn(now, &mut out);
        }
        out
    }

    /// Seat `id`'s connection was lost: the seat is kept, marked away, for
    /// the grace period, and everyone is told. If it was the player's turn,
    /// the turn passes at once. In a quick-match game that has not started
    /// there is nothing to keep, so the player simply leaves.
    pub fn disconnect(&mut self, id: PlayerId, now: Instant) -> Vec<Delivery> {
        let quick_gathering =
            self.phase == Phase::Gathering && matches!(self.rules.start, StartRule::WhenFull(_));
        if quick_gathering || self.phase == Phase::Over {
            return self.leave(id, now);
        }
        let grace = self.rules.resume_grace;
        let Some(seat) = self.seat_mut(id) else {
            return Vec::new();
        };
        // A computer player has no connection to lose.
        if seat.away_until.is_some() || seat.computer.is_some() {
            return Vec::new();
        }
        seat.away_until = Some(now + grace);
        let mut out = vec![Delivery {
            to: Recipient::All,
            event: ServerEvent::Away {
                name: seat.name.clone(),
                seconds: seconds_between(now, now + grace),
            },
        }];
        if self.current_player() == Some(id) {
            self.next_turn(now, &mut out);
        } else if self.mover_is_away() {
            // The last person present went away while a computer player
            // was to move: its turn waits for a person, and no clock runs.
            self.clock = None;
        }
        out
    }

    /// Away seat `id` is back: it gets the game as it stands (privately),
    /// everyone is told, and it gets `/turn` if the turn is (now) its own.
    /// Returns nothing if `id` has no seat.
    pub fn resume(&mut self, id: PlayerId, now: Instant) -> Vec<Delivery> {
        // Whether the turn is parked on an away seat (every seat was away),
        // asked before this seat is back: it may be the parked one.
        let parked = self.mover_is_away();
        let Some(seat) = self.seat_mut(id) else {
            return Vec::new();
        };
        let was_away = seat.away_until.take().is_some();
        let name = seat.name.clone();
        let mut out = vec![Delivery {
            to: Recipient::Only(id),
            event: self.snapshot(now),
        }];
        if was_away {
            out.push(Delivery {
                to: Recipient::All,
                event: ServerEvent::Back { name },
            });
        }
        if self.phase != Phase::Playing {
            return out;
        }
        if self.held {
            // A restored game waits for its mover, who gets the turn (and
            // a fresh clock) when it is back; others only see whose it is.
            if self.current_player() == Some(id) {
                self.held = false;
                self.announce_turn(now, &mut out);
            }
        } else if parked {
            // Every seat was away and the turn was parked: it resumes with
            // the first present seat from the parked one, with a fresh clock.
            self.next_present_turn(now, &mut out);
        } else if self.current_player() == Some(id) {
            out.push(Delivery {
                to: Recipient::Only(id),
                event: ServerEvent::YourTurn,
            });
        }
        out
    }

    /// Removes seat `id` for good (its grace ran out, or it was dropped). If
    /// it was its turn, the turn passes on; an empty ring ends the game.
    pub fn leave(&mut self, id: PlayerId, now: Instant) -> Vec<Delivery> {
        let Some(index) = self.ring.iter().position(|p| p.id == id) else {
            return Vec::new();
        };
        let player = self.ring.remove(index);
        let mut out = vec![Delivery {
            to: Recipient::All,
            event: ServerEvent::Left { name: player.name },
        }];
        if self.host == Some(id) {
            self.hand_over_host(index, &mut out);
        }
        let people_left = self.ring.iter().any(|seat| seat.computer.is_none());
        if !people_left && self.phase != Phase::Over && !self.ring.is_empty() {
            // Computer players do not play on by themselves.
            self.phase = Phase::Over;
            self.clock = None;
            return out;
        }
        if self.phase != Phase::Playing {
            return out;
        }
        if self.ring.is_empty() {
            self.phase = Phase::Over;
            self.clock = None;
            return out;
        }
        if index < self.turn {
            self.turn -= 1;
        } else if index == self.turn {
            // The next seat slid into the mover's index. A held turn is
            // held no more: its mover is gone.
            self.held = false;
            self.turn %= self.ring.len();
            self.next_present_turn(now, &mut out);
        }
        if self.mover_is_away() {
            // The last person present left while a computer player was to
            // move: its turn waits for a person, and no clock runs.
            self.clock = None;
        }
        out
    }

    /// The host left from ring position `index`: the role goes to the next
    /// person from there who is present (else the next person), and
    /// everyone is told; a room left without people has no host until one
    /// enters.
    fn hand_over_host(&mut self, index: usize, out: &mut Vec<Delivery>) {
        let len = self.ring.len();
        let people: Vec<usize> = (0..len)
            .map(|step| (index + step) % len)
            .filter(|&at| self.ring[at].computer.is_none())
            .collect();
        let next = people
            .iter()
            .copied()
            .find(|&at| self.ring[at].away_until.is_none())
            .or_else(|| people.first().copied());
        self.host = next.map(|at| self.ring[at].id);
        if let Some(at) = next {
            out.push(Delivery {
                to: Recipient::All,
                event: ServerEvent::HostChanged {
                    name: self.ring[at].name.clone(),
                },
            });
        }
    }

    fn seat(&self, id: PlayerId) -> Option<&Seat> {
        self.ring.iter().find(|s| s.id == id)
    }

    fn seat_mut(&mut self, id: PlayerId) -> Option<&mut Seat> {
        self.ring.iter_mut().find(|s| s.id == id)
    }

    fn mover_is_away(&self) -> bool {
        self.turn < self.ring.len() && !self.is_present(self.turn)
    }

    /// Whether the seat at ring position `index` can take its turn: a
    /// person who is not away, or a computer player while some person is
    /// present.
    fn is_present(&self, index: usize) -> bool {
        let seat = &self.ring[index];
        match seat.computer {
            None => seat.away_until.is_none(),
            Some(_) => self
                .ring
                .iter()
                .any(|other| other.computer.is_none() && other.away_until.is_none()),
        }
    }

    /// The computer player to move now and its level: the game is in play,
    /// the mover is a computer player, and a person is present to see it.
    pub fn computer_to_move(&self) -> Option<(PlayerId, Level)> {
        if self.phase != Phase::Playing || self.held || self.mover_is_away() {
            return None;
        }
        let seat = self.ring.get(self.turn)?;
        seat.computer.map(|level| (seat.id, level))
    }

    /// The move the computer player to move would make now, choosing from
    /// `words` (the words the game's word may come from) with `seed`;
    /// `None` if no computer player is to move.
    pub fn computer_move(&self, words: &[String], seed: u64) -> Option<(PlayerId, Move)> {
        let (id, level) = self.computer_to_move()?;
        let masked = self.masked();
        let sight = bot::Sight {
            masked: &masked,
            tried: &self.named,
            alphabet: self.alphabet(),
            words,
        };
        Some((id, bot::decide(level, &sight, seed)))
    }

    /// Passes the turn to the next seat in the ring that is present.
    fn next_turn(&mut self, now: Instant, out: &mut Vec<Delivery>) {
        self.turn = (self.turn + 1) % self.ring.len();
        self.next_present_turn(now, out);
    }

    /// Gives the turn to the first present seat from `self.turn` on; if
    /// every seat is away, the turn stays parked and no clock runs.
    fn next_present_turn(&mut self, now: Instant, out: &mut Vec<Delivery>) {
        let len = self.ring.len();
        let present = (0..len)
            .map(|step| (self.turn + step) % len)
            .find(|&index| self.is_present(index));
        match present {
            Some(index) => {
                self.turn = index;
                self.announce_turn(now, out);
            }
            None => self.clock = None,
        }
    }

    /// Names a letter; returns whether the mover keeps the turn.
    fn name_letter(&mut self, letter: &str, out: &mut Vec<Delivery>) -> bool {
        let already_named = self.named.iter().any(|l| l == letter);
        let outcome = if already_named {
            LetterOutcome::Repeated
        } else {
            self.named.push(letter.to_owned());
            let mut count = 0;
            for (candidate, shown) in self.letters.iter().zip(self.revealed.iter_mut()) {
                if candidate == letter && !*shown {
                    *shown = true;
                    count += 1;
                }
            }
            if count == 0 {
                LetterOutcome::Miss
            } else {
                LetterOutcome::Hit { count }
            }
        };
        let mover = &mut self.ring[self.turn];
        let keeps_turn = if let LetterOutcome::Hit { count } = outcome {
            mover.points += count;
            true
        } else {
            false
        };
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::LetterNamed {
                name: mover.name.clone(),
                letter: letter.to_owned(),
                outcome,
                total: mover.points,
            },
        });
        keeps_turn
    }

    /// Names the whole word; returns whether the mover keeps the turn (a
    /// right word ends the game, so it never does).
    fn name_word(&mut self, word: &str, out: &mut Vec<Delivery>) -> bool {
        let pieces = letters_of(word);
        let correct = pieces.as_ref().is_some_and(|p| *p == self.letters);
        let word = pieces.map_or_else(|| fold(word), |p| p.concat());
        let mover = &mut self.ring[self.turn];
        let earned = if correct {
            let hidden = self.revealed.iter().filter(|&&r| !r).count() as u32;
            self.revealed.iter_mut().for_each(|r| *r = true);
            mover.points += hidden;
            hidden
        } else {
            mover.points = 0;
            0
        };
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::WordNamed {
                name: mover.name.clone(),
                word,
                correct,
                earned,
                total: mover.points,
            },
        });
        false
    }

    /// Ends the game: the winner's prize (a point per letter; signs do not
    /// count), the results, then `/quit`.
    fn finish(&mut self, winner: usize, out: &mut Vec<Delivery>) {
        let prize = self.letters.iter().filter(|l| !is_sign(l)).count() as u32;
        let winner = &mut self.ring[winner];
        winner.points += prize;
        let winner = Some(winner.name.clone());
        self.phase = Phase::Over;
        self.clock = None;
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::GameOver {
                word: self.letters.concat(),
                winner,
                prize,
                scores: self
                    .ring
                    .iter()
                    .map(|p| Score {
                        name: p.name.clone(),
                        points: p.points,
                        computer: p.computer.is_some(),
                    })
                    .collect(),
            },
        });
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::Quit,
        });
    }

    /// Tells everyone whose turn it is (with the time allowed) and gives
    /// the mover `/turn`; the mover's clock starts afresh.
    fn announce_turn(&mut self, now: Instant, out: &mut Vec<Delivery>) {
        self.clock = self.rules.turn_time.map(|time| TurnClock {
            deadline: now + time,
            warn_at: Some(now + time - warning_before(time)),
        });
        let player = &self.ring[self.turn];
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::TurnOf {
                name: player.name.clone(),
                seconds: self.rules.turn_time.map(|t| seconds_between(now, now + t)),
            },
        });
        out.push(Delivery {
            to: Recipient::Only(player.id),
            event: ServerEvent::YourTurn,
        });
    }
}

/// How long before the deadline the mover is warned: a quarter of the turn
/// time, at most 15 seconds.
pub fn warning_before(turn_time: Duration) -> Duration {
    (turn_time / 4).min(Duration::from_secs(15))
}

/// Whole seconds from `now` to `deadline`, rounded up (0 when past).
fn seconds_between(now: Instant, deadline: Instant) -> u32 {
    let left = deadline.saturating_duration_since(now);
    let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
