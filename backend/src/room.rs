//! The owner task of one room: the only code that touches its game, seats,
//! spectators, chat and tally.
//!
//! Sessions send it [`RoomInput`]s — plain data naming connections by
//! [`ConnId`], so the room could live elsewhere. The room feeds the pure
//! [`wordguess_game::Game`], which owns the rules and their clocks; the
//! task only sleeps until [`Game::poll_timeout`] and then calls
//! [`Game::handle_timeout`]. Events go into the connections' bounded
//! [`Outbox`](crate::outbox::Outbox)es and never wait: a connection whose
//! queue is full is detached (its seat is kept, away, like a lost
//! connection), so a stalled reader never stalls the others.
//!
//! A room outlives its games: after a game ends the same friends `/join`
//! again and the next game starts with a fresh word; the room keeps a tally
//! of wins. A room with nobody in it closes after a while.
//!
//! With a database, each step ends in [`Room::settle`]: the room's state is
//! saved (and the commit awaited) *before* the step's events and signals
//! go out, so nothing a player has seen can be lost by a crash (see
//! [`crate::persist`]). Without one, events go out at once the same way.
//! A step that is only a move of a game in play, with every seat here, is
//! written down as that move alone (a small row of the store's move log,
//! which [`Game::replay`] replays after a restart); the whole state is
//! saved again after [`MOST_LOGGED`] such moves, within [`SAVE_WHOLE_WITHIN`]
//! of the first, and at any other change.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wordguess_game::{
    check_name_free, Delivery, Game, JoinError, Move, Phase, PlayerId, Recipient, Rules, StartRule,
    ENGLISH_ALPHABET, UKRAINIAN_ALPHABET,
};
use wordguess_protocol::{
    GameRecord, Language, PlayerRecord, ResumeToken, RoomCode, Score, ServerEvent,
};
use wordguess_store::{unix_millis, LoggedMove, Write};

use crate::persist::{RoomSave, SavedLink, SavedWords};
use crate::rate::TokenBucket;
use crate::registry::{Registry, RoomFlags};
use crate::release::{Commits, SaveReport};
use crate::session::now;
use crate::switchboard::{ConnId, Door, Endpoint, Signal};
use crate::words::WordList;

/// Moves logged alone before the room's whole state is saved again (a
/// restart replays at most this many per room).
pub const MOST_LOGGED: u32 = 64;
/// How soon after a logged move the whole state is saved at the latest, so
/// the store can delete the log behind it.
pub const SAVE_WHOLE_WITHIN: Duration = Duration::from_secs(5);

/// Chat lines a member may send at once, and then one every two seconds.
const CHAT_BURST: u32 = 5;
/// Chat lines a member may send a second, sustained.
const CHAT_PER_SECOND: f64 = 0.5;
/// The wait before saving again after a failed save; it doubles after
/// each failure, up to [`SAVE_RETRY_MAX`].
const SAVE_RETRY_FIRST: Duration = Duration::from_secs(1);
/// The longest wait between attempts to save a room that cannot be saved.
const SAVE_RETRY_MAX: Duration = Duration::from_secs(30);

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Takes a seat in the game.
    Player,
    /// Watches and chats.
    Spectator,
}

/// What a seated player or a spectator asks of the room.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// What sessions tell a room. Plain data: connections are named by id.
#[derive(Debug, Clone)]
pub enum RoomInput {
    /// A named connection enters.
    Enter {
        /// The connection.
        conn: ConnId,
        /// Its validated name.
        name: String,
        /// As a player or a spectator.
        role: Role,
    },
    /// A connection takes a seat back with its token.
    Resume {
        /// The connection.
        conn: ConnId,
        /// The seat's token.
        token: ResumeToken,
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
    conn: Option<(ConnId, Arc<Endpoint>)>,
    /// The door the player last came through.
    door: Door,
}

/// What a step sends, held until the room's state is saved.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// An event to a connection.
    Event {
        endpoint: Arc<Endpoint>,
        event: Arc<ServerEvent>,
    },
    /// An answer to a session waiting on an entry.
    Signal {
        endpoint: Arc<Endpoint>,
        signal: Signal,
    },
}

/// How a room begins.
#[derive(Debug)]
pub enum RoomStart {
    /// A new room.
    Fresh(RoomKind),
    /// A room saved before a restart.
    Restored(Box<RoomSave>),
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

/// One room's state, owned by its task.
struct Room {
    /// The room's code.
    code: RoomCode,
    /// Quick match or private.
    kind: RoomKind,
    /// Where tokens live and connections are found.
    registry: Arc<Registry>,
    /// What sessions see without a message: still gathering, unsaved.
    flags: Arc<RoomFlags>,
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
    seats: BTreeMap<PlayerId, SeatLink>,
    /// Spectators: name and endpoint.
    spectators: BTreeMap<ConnId, (String, Arc<Endpoint>)>,
    /// Which connection is who.
    members: HashMap<ConnId, Member>,
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
    /// When the current game started (Unix milliseconds), once it has.
    started_at: Option<i64>,
    /// What this step sends once the state is saved.
    outgoing: Vec<Outgoing>,
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
    /// The number of the last save handed to the writer.
    submitted: u64,
    /// What steps sent, held until their saves are committed, and what the
    /// writer says back.
    commits: Arc<Commits>,
    /// Whether the players were told the room can no longer be saved.
    unsaved: bool,
    /// After a failed save: when to try again, and the wait before that.
    retry: Option<(Instant, Duration)>,
    /// What this room has added to the server's metrics.
    counted: Counted,
}

/// A room's share of the metrics' gauges, and the moves already counted.
#[derive(Debug, Default)]
struct Counted {
    /// Whether its game is counted as running.
    playing: bool,
    /// Seats counted.
    seats: i64,
    /// Moves of the current game counted.
    moves: u32,
}

/// Runs a room until it has been empty for the idle time or the server
/// shuts down (connections say goodbye themselves). A room that closes
/// forgets its saved state; one stopped by a shutdown keeps it, to be
/// restored when the server starts again.
pub async fn run(
    code: RoomCode,
    start: RoomStart,
    mut inbox: mpsc::Receiver<RoomInput>,
    flags: Arc<RoomFlags>,
    registry: Arc<Registry>,
    shutdown: CancellationToken,
) {
    let mut room = match start {
        RoomStart::Fresh(kind) => Room::fresh(code.clone(), kind, flags, registry.clone()),
        RoomStart::Restored(save) => {
            Room::restored(code.clone(), *save, flags, registry.clone(), now())
        }
    };
    loop {
        let wake = room.next_wake();
        tokio::select! {
            // Shutdown first: once it is under way, connections closing
            // must not mark seats away or pass turns in the saved state.
            biased;
            () = shutdown.cancelled() => return,
            () = room.commits.notify.notified() => {
                if !room.take_reports() {
                    continue;
                }
            }
            input = inbox.recv() => match input {
                Some(input) => room.handle(input, now()),
                None => break,
            },
            () = sleep_until(wake.map(tokio::time::Instant::from_std)) => {
                let deliveries = room.game.handle_timeout(now());
                room.deliver(deliveries);
            }
        }
        room.after_step(now());
        room.settle().await;
        if room.empty_since.is_some_and(|since| {
            now().saturating_duration_since(since) >= registry.defaults.idle_close
        }) {
            break;
        }
    }
    registry.remove_room(&code);
    registry.revoke_tokens(room.seats.values().map(|s| &s.token));
    room.seats.clear();
    room.count();
    // What the writer has reported (finished games of a failed save come
    // back) is taken in before the room says goodbye to the database.
    let _ = room.take_reports();
    room.forget().await;
    let _ = room.take_reports();
    tracing::info!(room = %code, games = room.games_played, "room closed");
}

/// A stand-in until the room makes its first game.
fn placeholder_game() -> Game {
    let rules = Rules::quick_match(1, None, Duration::ZERO);
    Game::new("wordguess", rules).unwrap_or_else(|_| unreachable!("a valid word"))
}

/// Sleeps until `deadline`; never completes without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Sends what a step held back, in order. A connection whose queue is full
/// is dropped by its outbox (its session then tells the room it is gone).
pub(crate) fn send_all(outgoing: Vec<Outgoing>) {
    for outgoing in outgoing {
        match outgoing {
            Outgoing::Signal { endpoint, signal } => endpoint.signal(signal),
            Outgoing::Event { endpoint, event } => {
                endpoint.outbox.send(event);
            }
        }
    }
}

/// The move a logged move names.
pub(crate) fn logged_move(logged: &LoggedMove) -> Move {
    if logged.word {
        Move::Word(logged.guess.clone())
    } else {
        Move::Letter(logged.guess.clone())
    }
}

/// A hash of a saved state, to tell whether it changed.
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The language of a game's word, for history: `uk`, `en` or empty.
fn language_of(game: &Game) -> &'static str {
    match game.alphabet() {
        ENGLISH_ALPHABET => "en",
        UKRAINIAN_ALPHABET => "uk",
        _ => "",
    }
}

impl Room {
    /// A new, empty room.
    fn fresh(
        code: RoomCode,
        kind: RoomKind,
        flags: Arc<RoomFlags>,
        registry: Arc<Registry>,
    ) -> Self {
        let mut room = Self {
            code,
            kind,
            turn_time: registry.defaults.turn_time,
            registry,
            flags,
            words: WordSource::Server,
            language: None,
            game: placeholder_game(),
            seats: BTreeMap::new(),
            spectators: BTreeMap::new(),
            members: HashMap::new(),
            chat: HashMap::new(),
            games_played: 0,
            wins: BTreeMap::new(),
            next_seat: 1,
            empty_since: Some(now()),
            started_at: None,
            outgoing: Vec::new(),
            records: Vec::new(),
            saved: None,
            move_to_log: None,
            logged: 0,
            save_by: None,
            #[cfg(debug_assertions)]
            replayed: None,
            submitted: 0,
            commits: Arc::default(),
            unsaved: false,
            retry: None,
            counted: Counted::default(),
        };
        room.game = room.new_game();
        room
    }

    /// A room back from its saved state after a restart: every seat is
    /// away until its player resumes (the registry has taken the tokens
    /// back already); a game that cannot be restored is replaced by a new
    /// one, its seats gone.
    fn restored(
        code: RoomCode,
        save: RoomSave,
        flags: Arc<RoomFlags>,
        registry: Arc<Registry>,
        now: Instant,
    ) -> Self {
        let mut room = Self::fresh(code, save.kind, flags, registry);
        room.words = match save.words {
            SavedWords::Server => WordSource::Server,
            SavedWords::Builtin(language) => {
                WordSource::Builtin(WordList::builtin(language.into()))
            }
            SavedWords::Room(words) => WordList::parse(&words.join("\n"), "a saved word list")
                .map_or(WordSource::Server, WordSource::Room),
        };
        room.language = save.language;
        room.turn_time = save.turn_millis.map(Duration::from_millis);
        room.games_played = save.games_played;
        room.wins = save.wins;
        room.next_seat = save.next_seat;
        let grace = room.registry.defaults.resume_grace;
        match Game::restore(save.game, grace, now) {
            Ok(game) => {
                room.counted.moves = game.moves();
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
                room.registry
                    .revoke_tokens(save.seats.iter().map(|link| &link.token));
                room.game = room.new_game();
            }
        }
        room
    }

    /// The room's state, to be saved.
    fn save(&self) -> RoomSave {
        RoomSave {
            kind: self.kind,
            words: match &self.words {
                WordSource::Server => SavedWords::Server,
                WordSource::Builtin(_) => {
                    SavedWords::Builtin(self.language.unwrap_or(Language::Both))
                }
                WordSource::Room(list) => SavedWords::Room(list.words().to_vec()),
            },
            language: self.language,
            turn_millis: self
                .turn_time
                .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            games_played: self.games_played,
            wins: self.wins.clone(),
            next_seat: self.next_seat,
            game: self.game.save(),
            seats: self
                .seats
                .iter()
                .map(|(id, link)| SavedLink {
                    seat: id.0,
                    token: link.token.clone(),
                    door: link.door,
                })
                .collect(),
            started_at: self.started_at,
        }
    }

    /// Ends a step: what it sends goes out once the room's state (if it
    /// changed) is saved. With a database the room hands the new state to
    /// the writer and holds the step's events until the writer says that
    /// save is committed ([`Room::release`]), going on with its next input
    /// meanwhile; a step that changes nothing waits behind the steps held
    /// before it, so events never overtake each other. A connection too
    /// slow to take an event is dropped by its outbox, and its session
    /// reports it gone.
    async fn settle(&mut self) {
        let writes = self.changes();
        let outgoing = std::mem::take(&mut self.outgoing);
        let Some(writer) = self.registry.writer.clone() else {
            send_all(outgoing);
            return;
        };
        if writes.is_empty() {
            self.commits.send_after_held(outgoing);
            return;
        }
        self.submitted += 1;
        let seq = self.submitted;
        self.commits.hold(seq, outgoing);
        let records: Vec<GameRecord> = writes
            .iter()
            .filter_map(|write| match write {
                Write::RecordGame(record) => Some(record.clone()),
                _ => None,
            })
            .collect();
        let commits = self.commits.clone();
        let releases = self.registry.releases.clone();
        let was_unsaved = self.unsaved;
        writer
            .submit_then(writes, move |result| {
                let report = match result {
                    Ok(()) => was_unsaved.then_some(SaveReport::Recovered),
                    Err(error) => Some(SaveReport::Failed {
                        error: error.to_string(),
                        records,
                    }),
                };
                releases.push(commits, seq, report);
            })
            .await;
    }

    /// Takes in what the writer reported (a failure or a recovery, told to
    /// the room). Returns whether there was a report (the room changed).
    fn take_reports(&mut self) -> bool {
        let reports = self.commits.take_reports();
        let reported = !reports.is_empty();
        for report in reports {
            self.saved(report);
        }
        reported
    }

    /// What the database must be told after this step: the room's state if
    /// it changed since the last save (compared by a hash of its text), and
    /// finished games. Nothing without a database.
    fn changes(&mut self) -> Vec<Write> {
        let move_to_log = self.move_to_log.take();
        let now = now();
        let waiting = self.retry.is_some_and(|(at, _)| now < at);
        if self.registry.writer.is_none() || waiting {
            // After a failure, play goes on unsaved until the next attempt.
            return Vec::new();
        }
        if let Some((_, wait)) = self.retry {
            // This is the attempt. Until its report comes the room must not
            // wake for a retry time already past (it would spin); without
            // a report, the next attempt is a wait away.
            self.retry = Some((now + wait, wait));
        }
        let due = self.save_by.is_some_and(|by| by <= now);
        if let Some(logged) = move_to_log.filter(|_| !due && self.records.is_empty()) {
            self.logged += 1;
            self.save_by.get_or_insert(now + SAVE_WHOLE_WITHIN);
            #[cfg(debug_assertions)]
            self.check_replay(&logged);
            return vec![Write::LogMove(logged)];
        }
        let mut writes: Vec<Write> = self.records.drain(..).map(Write::RecordGame).collect();
        // Whatever happens below, nothing logged waits for a save any more
        // (a failed save starts over with a whole one).
        self.logged = 0;
        self.save_by = None;
        match serde_json::to_string(&self.save()) {
            Ok(state) => {
                let hash = text_hash(&state);
                if self.saved != Some(hash) {
                    self.saved = Some(hash);
                    #[cfg(debug_assertions)]
                    {
                        self.replayed = Some(self.game.save());
                    }
                    writes.push(Write::SaveRoom {
                        code: self.code.to_string(),
                        state,
                    });
                }
            }
            Err(error) => {
                tracing::error!(room = %self.code, %error, "cannot write the room's state down");
            }
        }
        writes
    }

    /// Debug builds: the logged move, replayed on the game as the store
    /// holds it, gives the game the room has now.
    #[cfg(debug_assertions)]
    fn check_replay(&mut self, logged: &LoggedMove) {
        let base = self
            .replayed
            .take()
            .expect("a logged move follows a whole save");
        let replayed = Game::replay(
            base,
            PlayerId(logged.mover),
            logged_move(logged),
            std::time::Instant::now(),
        );
        assert_eq!(
            replayed.as_ref().ok(),
            Some(&self.game.save()),
            "a logged move must replay to the room's game"
        );
        self.replayed = replayed.ok();
    }

    /// The writer's report on a save: a failure is logged and told to the
    /// room once (play goes on; the next step saves again, finished games
    /// included), and so is the first save that works again.
    fn saved(&mut self, report: SaveReport) {
        match report {
            SaveReport::Recovered => {
                self.retry = None;
                // Steps made while the attempt was under way went unsaved:
                // the room is saved whole now (this report is a step), and
                // only then are moves logged on it again.
                self.saved = None;
                if self.unsaved {
                    self.unsaved = false;
                    self.flags.unsaved.store(false, Ordering::Release);
                    tracing::info!(room = %self.code, "saving works again");
                    self.notice_all("This room is being saved again.");
                }
            }
            SaveReport::Failed { error, records } => {
                tracing::error!(room = %self.code, %error, "cannot save the room");
                self.registry.metrics.save_failures.inc();
                // Saved again in full at the next attempt, finished games too.
                self.saved = None;
                self.logged = 0;
                self.save_by = None;
                self.records.extend(records);
                let wait = self
                    .retry
                    .map_or(SAVE_RETRY_FIRST, |(_, wait)| (wait * 2).min(SAVE_RETRY_MAX));
                self.retry = Some((now() + wait, wait));
                if !self.unsaved {
                    self.unsaved = true;
                    self.flags.unsaved.store(true, Ordering::Release);
                    self.notice_all(
                        "The server cannot save this room any more (its database cannot be \
                         written); the game goes on, but would not survive a server restart.",
                    );
                }
            }
        }
    }

    /// A notice to everyone in the room.
    fn notice_all(&mut self, message: &str) {
        self.tell_everyone(ServerEvent::Notice {
            message: message.to_owned(),
        });
    }

    /// Holds an event for everyone in the room.
    fn tell_everyone(&mut self, event: ServerEvent) {
        self.deliver(vec![Delivery {
            to: Recipient::All,
            event,
        }]);
    }

    /// Forgets the room's saved state (it has closed), writing any finished
    /// games still pending.
    async fn forget(&mut self) {
        let Some(writer) = self.registry.writer.clone() else {
            return;
        };
        let mut writes: Vec<Write> = self.records.drain(..).map(Write::RecordGame).collect();
        writes.push(Write::DeleteRoom {
            code: self.code.to_string(),
        });
        if let Err(error) = writer.submit(writes).await {
            tracing::error!(room = %self.code, %error, "cannot forget the closed room");
        }
    }

    /// Holds an event for one connection the room answers.
    fn post(&mut self, endpoint: &Arc<Endpoint>, event: ServerEvent) {
        self.outgoing.push(Outgoing::Event {
            endpoint: endpoint.clone(),
            event: Arc::new(event),
        });
    }

    /// Holds an answer for a session waiting on an entry.
    fn answer(&mut self, endpoint: &Arc<Endpoint>, signal: Signal) {
        self.outgoing.push(Outgoing::Signal {
            endpoint: endpoint.clone(),
            signal,
        });
    }

    /// Refuses an entry: the reason to the connection, and the answer its
    /// session waits for (it stays where it was and may try again).
    fn refuse(&mut self, endpoint: &Arc<Endpoint>, message: impl Into<String>) {
        self.post(
            endpoint,
            ServerEvent::Error {
                message: message.into(),
            },
        );
        self.answer(endpoint, Signal::Refused { retry: false });
    }

    /// A fresh game with a new word and the room's settings.
    fn new_game(&self) -> Game {
        let word = self.new_game_word();
        let start = match self.kind {
            RoomKind::QuickMatch => StartRule::WhenFull(self.registry.defaults.players_to_start),
            RoomKind::Private => StartRule::ByHost,
        };
        let rules = Rules {
            start,
            turn_time: self.turn_time,
            resume_grace: self.registry.defaults.resume_grace,
        };
        Game::new(&word, rules).unwrap_or_else(|error| {
            tracing::error!(room = %self.code, %error, "unusable word");
            placeholder_game()
        })
    }

    /// When the room next has something to do on its own.
    fn next_wake(&self) -> Option<Instant> {
        let idle = self
            .empty_since
            .map(|since| since + self.registry.defaults.idle_close);
        let retry = self.retry.map(|(at, _)| at);
        // While a save waits for its retry, so does the whole save.
        let save_by = self.save_by.filter(|_| self.retry.is_none());
        [self.game.poll_timeout(), idle, retry, save_by]
            .into_iter()
            .flatten()
            .min()
    }

    fn handle(&mut self, input: RoomInput, now: Instant) {
        match input {
            RoomInput::Enter {
                conn,
                name,
                role: Role::Player,
            } => self.enter_player(conn, name, now),
            RoomInput::Enter {
                conn,
                name,
                role: Role::Spectator,
            } => self.enter_spectator(conn, name, now),
            RoomInput::Resume { conn, token } => self.resume(conn, &token, now),
            RoomInput::Command { conn, command } => self.command(conn, command, now),
            RoomInput::Gone { conn } => self.gone(conn, now),
        }
    }

    /// The events that tell a newcomer where it is.
    fn welcome(&mut self, endpoint: &Arc<Endpoint>) {
        let defaults = &self.registry.defaults;
        let invite = if defaults.public_url.is_empty() {
            String::new()
        } else {
            format!("{}/?room={}", defaults.public_url, self.code)
        };
        let room = ServerEvent::Room {
            code: self.code.to_string(),
            invite,
            tcp_port: defaults.tcp_port,
        };
        self.post(endpoint, room);
    }

    fn settings_event(&self) -> ServerEvent {
        let defaults = &self.registry.defaults;
        let language = self.language.unwrap_or(defaults.language);
        let custom_words = match &self.words {
            WordSource::Server if defaults.words_from_file => Some(defaults.words.len()),
            WordSource::Server | WordSource::Builtin(_) => None,
            WordSource::Room(list) => Some(list.len()),
        };
        ServerEvent::Settings {
            language,
            turn_seconds: self
                .turn_time
                .map(|t| u32::try_from(t.as_secs()).unwrap_or(u32::MAX)),
            custom_words,
        }
    }

    fn tally_event(&self) -> ServerEvent {
        let mut wins: Vec<Score> = self
            .wins
            .iter()
            .map(|(name, &points)| Score {
                name: name.clone(),
                points,
            })
            .collect();
        wins.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.name.cmp(&b.name)));
        ServerEvent::Tally {
            games: self.games_played,
            wins,
        }
    }

    /// Settings, tally and audience, for someone who just came in.
    fn room_state(&mut self, endpoint: &Arc<Endpoint>) {
        self.post(endpoint, self.settings_event());
        if self.games_played > 0 {
            self.post(endpoint, self.tally_event());
        }
        if !self.spectators.is_empty() {
            let watchers = ServerEvent::Watchers {
                count: self.spectators.len(),
            };
            self.post(endpoint, watchers);
        }
    }

    fn enter_player(&mut self, conn: ConnId, name: String, now: Instant) {
        let Some(endpoint) = self.registry.switchboard.endpoint(conn) else {
            return;
        };
        if self.game.phase() == Phase::Over {
            self.game = self.new_game();
            self.started_at = None;
        }
        let spectator_names = self.spectators.values().map(|(n, _)| n.as_str());
        if let Err(error) = check_name_free(spectator_names, &name) {
            self.refuse(&endpoint, error.to_string());
            return;
        }
        let id = PlayerId(self.next_seat);
        let deliveries = match self.game.join(id, &name, now) {
            Ok(deliveries) => deliveries,
            Err(JoinError::NotGathering) if self.kind == RoomKind::QuickMatch => {
                self.answer(&endpoint, Signal::Refused { retry: true });
                return;
            }
            Err(JoinError::NotGathering) => {
                let code = &self.code;
                let message =
                    format!(
                        "the game in room {code} has started; /watch {code} to watch it, or join again when it ends"
                    );
                self.refuse(&endpoint, message);
                return;
            }
            Err(error) => {
                self.refuse(&endpoint, error.to_string());
                return;
            }
        };
        self.next_seat += 1;
        tracing::info!(room = %self.code, player = %name, "seated");
        let token = self.registry.issue_token(&self.code);
        let seated = Signal::Seated {
            room: self.code.clone(),
            token: token.clone(),
            name: name.clone(),
        };
        self.answer(&endpoint, seated);
        let mut deliveries: VecDeque<Delivery> = deliveries.into();
        // "Hello, NAME!" first, then where the player is, then the rest.
        if let Some(accepted) = deliveries.pop_front() {
            self.post(&endpoint, accepted.event);
        }
        self.greet_seat(&endpoint, &token);
        let door = endpoint.door;
        self.seats.insert(
            id,
            SeatLink {
                token,
                conn: Some((conn, endpoint)),
                door,
            },
        );
        self.members.insert(conn, Member::Seat(id));
        self.deliver(deliveries.into());
    }

    /// What a connection that now holds a seat is told after its greeting:
    /// the room, its resume token, and the room's state.
    fn greet_seat(&mut self, endpoint: &Arc<Endpoint>, token: &ResumeToken) {
        self.welcome(endpoint);
        let grace = self.registry.defaults.resume_grace.as_secs();
        let token = ServerEvent::Token {
            token: token.to_string(),
            grace_seconds: u32::try_from(grace).unwrap_or(u32::MAX),
        };
        self.post(endpoint, token);
        self.room_state(endpoint);
    }

    fn enter_spectator(&mut self, conn: ConnId, name: String, now: Instant) {
        let Some(endpoint) = self.registry.switchboard.endpoint(conn) else {
            return;
        };
        let players = self.game.players();
        let names = players
            .iter()
            .map(String::as_str)
            .chain(self.spectators.values().map(|(n, _)| n.as_str()));
        if let Err(error) = check_name_free(names, &name) {
            self.refuse(&endpoint, error.to_string());
            return;
        }
        tracing::info!(room = %self.code, spectator = %name, "watching");
        let watching = Signal::Watching {
            room: self.code.clone(),
        };
        self.answer(&endpoint, watching);
        self.post(&endpoint, ServerEvent::Accepted { name: name.clone() });
        self.welcome(&endpoint);
        self.room_state(&endpoint);
        self.post(&endpoint, self.game.snapshot(now));
        self.spectators.insert(conn, (name, endpoint));
        self.members.insert(conn, Member::Spectator(conn));
        self.announce_watchers();
    }

    fn announce_watchers(&mut self) {
        self.tell_everyone(ServerEvent::Watchers {
            count: self.spectators.len(),
        });
    }

    fn resume(&mut self, conn: ConnId, token: &ResumeToken, now: Instant) {
        let Some(endpoint) = self.registry.switchboard.endpoint(conn) else {
            return;
        };
        let seat = self
            .seats
            .iter()
            .find(|(id, link)| link.token == *token && self.game.is_seated(**id))
            .map(|(id, _)| *id);
        let Some(id) = seat else {
            self.refuse(
                &endpoint,
                "that token no longer holds a seat (the game ended or the seat was given up); \
                 send your name, or /join CODE",
            );
            return;
        };
        let name = self.game.name_of(id).unwrap_or_default().to_owned();
        let link = self.seats.get_mut(&id).expect("the seat was just found");
        let replaced = link.conn.replace((conn, endpoint.clone()));
        link.door = endpoint.door;
        if let Some((old, old_endpoint)) = replaced {
            let moved = ServerEvent::Notice {
                message: "Your seat moved to another connection (/resume); this one closes."
                    .to_owned(),
            };
            self.post(&old_endpoint, moved);
            self.post(&old_endpoint, ServerEvent::Quit);
            self.answer(&old_endpoint, Signal::Replaced);
            self.members.remove(&old);
        }
        self.members.insert(conn, Member::Seat(id));
        tracing::info!(room = %self.code, player = %name, "resumed");
        let seated = Signal::Seated {
            room: self.code.clone(),
            token: token.clone(),
            name: name.clone(),
        };
        self.answer(&endpoint, seated);
        self.post(&endpoint, ServerEvent::Accepted { name });
        self.greet_seat(&endpoint, token);
        let deliveries = self.game.resume(id, now);
        self.deliver(deliveries);
    }

    fn command(&mut self, conn: ConnId, command: RoomCommand, now: Instant) {
        let Some(&member) = self.members.get(&conn) else {
            return;
        };
        let Member::Seat(id) = member else {
            self.spectator_command(conn, command, now);
            return;
        };
        let private = |message: String| {
            vec![Delivery {
                to: Recipient::Only(id),
                event: ServerEvent::Error { message },
            }]
        };
        let deliveries = match command {
            RoomCommand::Play(mv) => self.play(id, mv, now),
            RoomCommand::Start => match self.game.start(id, now) {
                Ok(deliveries) => deliveries,
                Err(error) => private(error.to_string()),
            },
            RoomCommand::Say(text) => match self.chat(member, text, now) {
                Ok(delivery) => vec![delivery],
                Err(error) => private(error),
            },
            RoomCommand::Who => vec![Delivery {
                to: Recipient::Only(id),
                event: self.who(),
            }],
            setting => match self.change_setting(id, setting) {
                Ok(()) => vec![Delivery {
                    to: Recipient::All,
                    event: self.settings_event(),
                }],
                Err(error) => private(error),
            },
        };
        self.deliver(deliveries);
    }

    /// Seat `id`'s move. A move that keeps the game in play, made while a
    /// replay would make it the same way, is kept to be logged alone.
    fn play(&mut self, id: PlayerId, mv: Move, now: Instant) -> Vec<Delivery> {
        let moves = self.game.moves();
        // Not while saves fail: every attempt then saves the room whole.
        let loggable = self.registry.writer.is_some()
            && self.saved.is_some()
            && self.retry.is_none()
            && self.logged < MOST_LOGGED
            && self.game.is_replayable();
        let logged = loggable.then(|| {
            let (word, guess) = match &mv {
                Move::Letter(letter) => (false, letter.clone()),
                Move::Word(word) => (true, word.clone()),
            };
            LoggedMove {
                room: self.code.to_string(),
                moves: moves + 1,
                mover: id.0,
                word,
                guess,
            }
        });
        let deliveries = self.game.play(id, mv, now);
        if self.game.moves() == moves + 1 && self.game.phase() == Phase::Playing {
            self.move_to_log = logged;
        }
        deliveries
    }

    fn spectator_command(&mut self, conn: ConnId, command: RoomCommand, now: Instant) {
        let Some((_, endpoint)) = self.spectators.get(&conn) else {
            return;
        };
        let endpoint = endpoint.clone();
        match command {
            RoomCommand::Say(text) => match self.chat(Member::Spectator(conn), text, now) {
                Ok(delivery) => self.deliver(vec![delivery]),
                Err(message) => self.post(&endpoint, ServerEvent::Error { message }),
            },
            RoomCommand::Who => self.post(&endpoint, self.who()),
            // The session refuses everything else before it gets here.
            _ => {}
        }
    }

    fn chat(&mut self, member: Member, text: String, now: Instant) -> Result<Delivery, String> {
        let bucket = self
            .chat
            .entry(member)
            .or_insert_with(|| TokenBucket::new(CHAT_BURST, CHAT_PER_SECOND, now));
        if !bucket.try_take(now) {
            let wait = bucket.wait(now).as_secs() + 1;
            return Err(format!(
                "you are chatting too fast; wait {wait} s before the next message"
            ));
        }
        let name = match member {
            Member::Seat(id) => self.game.name_of(id).unwrap_or_default().to_owned(),
            Member::Spectator(conn) => self
                .spectators
                .get(&conn)
                .map(|(name, _)| name.clone())
                .unwrap_or_default(),
        };
        Ok(Delivery {
            to: Recipient::All,
            event: ServerEvent::Chat { name, text },
        })
    }

    fn who(&self) -> ServerEvent {
        ServerEvent::Who {
            players: self.game.seats(),
            spectators: self.spectators.values().map(|(n, _)| n.clone()).collect(),
        }
    }

    fn change_setting(&mut self, id: PlayerId, setting: RoomCommand) -> Result<(), String> {
        if self.kind == RoomKind::QuickMatch {
            return Err(
                "quick-match games use the server's settings; /new makes a room of your own"
                    .to_owned(),
            );
        }
        if self.game.host() != Some(id) {
            let host = self
                .game
                .host()
                .and_then(|h| self.game.name_of(h))
                .unwrap_or_default();
            return Err(format!(
                "only the host ({host}) can change the room's settings"
            ));
        }
        if self.game.phase() != Phase::Gathering {
            return Err("settings can only change before the game starts".to_owned());
        }
        match setting {
            RoomCommand::Lang(language) => {
                self.language = Some(language);
                self.words = WordSource::Builtin(WordList::builtin(language.into()));
            }
            RoomCommand::WordList(Some(words)) => {
                let text = words.join("\n");
                let list =
                    WordList::parse(&text, "the room's word list").map_err(|e| e.to_string())?;
                self.words = WordSource::Room(list);
            }
            RoomCommand::WordList(None) => {
                self.words = self.language.map_or(WordSource::Server, |language| {
                    WordSource::Builtin(WordList::builtin(language.into()))
                });
            }
            RoomCommand::Time(seconds) => {
                self.turn_time = seconds.map(|s| Duration::from_secs(u64::from(s)));
                self.game
                    .set_turn_time(self.turn_time)
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            _ => return Ok(()),
        }
        let word = self.new_game_word();
        self.game.replace_word(&word).map_err(|e| e.to_string())
    }

    fn new_game_word(&self) -> String {
        match &self.words {
            WordSource::Server => self.registry.defaults.words.choose(),
            WordSource::Builtin(list) => list.choose(),
            WordSource::Room(list) => list.choose(),
        }
    }

    fn gone(&mut self, conn: ConnId, now: Instant) {
        match self.members.remove(&conn) {
            Some(Member::Seat(id)) => {
                if let Some(link) = self.seats.get_mut(&id) {
                    link.conn = None;
                }
                let deliveries = self.game.disconnect(id, now);
                self.deliver(deliveries);
            }
            Some(Member::Spectator(_)) => {
                self.spectators.remove(&conn);
                self.chat.remove(&Member::Spectator(conn));
                self.announce_watchers();
            }
            None => {}
        }
    }

    /// Holds deliveries for their recipients (sent by [`Room::settle`]).
    /// The results of a game also go into history, and the room's tally
    /// follows them.
    fn deliver(&mut self, deliveries: Vec<Delivery>) {
        let mut queue: VecDeque<Delivery> = deliveries.into();
        while let Some(Delivery { to, event }) = queue.pop_front() {
            if let ServerEvent::GameOver { winner, .. } = &event {
                self.games_played += 1;
                if let Some(winner) = winner {
                    *self.wins.entry(winner.clone()).or_default() += 1;
                }
                tracing::info!(room = %self.code, "game ended");
                self.registry.metrics.games_finished.inc();
                self.records.push(self.record(&event));
                // The tally goes out right after the results, before /quit.
                queue.push_front(Delivery {
                    to: Recipient::All,
                    event: self.tally_event(),
                });
            }
            let event = Arc::new(event);
            let seats: Vec<PlayerId> = match to {
                Recipient::All => self.seats.keys().copied().collect(),
                Recipient::Only(id) => vec![id],
            };
            for id in seats {
                let Some((_, endpoint)) = self.seats.get(&id).and_then(|l| l.conn.as_ref()) else {
                    continue;
                };
                self.outgoing.push(Outgoing::Event {
                    endpoint: endpoint.clone(),
                    event: event.clone(),
                });
            }
            if to == Recipient::All {
                for (_, endpoint) in self.spectators.values() {
                    self.outgoing.push(Outgoing::Event {
                        endpoint: endpoint.clone(),
                        event: event.clone(),
                    });
                }
            }
        }
    }

    /// A finished game for history, from its results.
    fn record(&self, game_over: &ServerEvent) -> GameRecord {
        let ServerEvent::GameOver {
            word,
            winner,
            scores,
            ..
        } = game_over
        else {
            unreachable!("a record is made from the results");
        };
        let doors = self
            .game
            .ring()
            .into_iter()
            .map(|id| self.seats.get(&id).map_or(Door::Tcp, |link| link.door));
        let ended_at = unix_millis();
        GameRecord {
            room: self.code.to_string(),
            word: word.clone(),
            language: language_of(&self.game).to_owned(),
            players: scores
                .iter()
                .zip(doors)
                .map(|(score, door)| PlayerRecord {
                    name: score.name.clone(),
                    door: door.as_str().to_owned(),
                    points: score.points,
                })
                .collect(),
            winner: winner.clone(),
            moves: self.game.moves(),
            started_at: self.started_at.unwrap_or(ended_at),
            ended_at,
        }
    }

    /// Brings the room's share of the metrics up to date: whether its game
    /// runs, its seats, and the moves played since the last count.
    fn count(&mut self) {
        let metrics = &self.registry.metrics;
        let playing = self.game.phase() == Phase::Playing && !self.seats.is_empty();
        if playing != self.counted.playing {
            if playing {
                metrics.games_running.inc();
            } else {
                metrics.games_running.dec();
            }
            self.counted.playing = playing;
        }
        let seats = i64::try_from(self.seats.len()).unwrap_or(i64::MAX);
        metrics.players_seated.inc_by(seats - self.counted.seats);
        self.counted.seats = seats;
        let moves = self.game.moves();
        // A new game starts counting from zero.
        metrics
            .moves
            .inc_by(u64::from(moves.saturating_sub(self.counted.moves)));
        self.counted.moves = moves;
    }

    /// Bookkeeping after each step: seats that left for good lose their
    /// tokens; a finished game frees every seat; the quick-match slot and
    /// the empty-room clock are kept up to date.
    fn after_step(&mut self, now: Instant) {
        let over = self.game.phase() == Phase::Over;
        let gone: Vec<PlayerId> = self
            .seats
            .keys()
            .copied()
            .filter(|&id| over || !self.game.is_seated(id))
            .collect();
        for id in gone {
            if let Some(link) = self.seats.remove(&id) {
                self.registry.revoke_tokens([&link.token]);
                if let Some((conn, _)) = link.conn {
                    self.members.remove(&conn);
                }
            }
            self.chat.remove(&Member::Seat(id));
            if self.kind == RoomKind::QuickMatch && self.game.phase() == Phase::Gathering {
                // A seat before the start is free for the next newcomer.
                self.registry.release_quick_seat(&self.code);
            }
        }
        if self.game.phase() != Phase::Gathering {
            self.flags.gathering.store(false, Ordering::Release);
        }
        if self.game.phase() == Phase::Playing && self.started_at.is_none() {
            self.started_at = Some(unix_millis());
        }
        self.count();
        let empty = self.seats.is_empty() && self.spectators.is_empty();
        match (empty, self.empty_since) {
            (true, None) => self.empty_since = Some(now),
            (false, Some(_)) => self.empty_since = None,
            _ => {}
        }
    }
}
