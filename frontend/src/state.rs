//! The game as the page sees it: a pure reducer over server events.
//!
//! Every change comes in as an [`Action`]: connection changes from the
//! socket hook, [`ServerEvent`]s from the server, and the player's own
//! moves. Actions from an older connection (after "play again") carry an
//! older generation and are ignored, so a late close of the previous
//! socket cannot disturb the new game.

use std::collections::BTreeSet;
use std::rc::Rc;

use wordguess_protocol::{Score, ServerEvent};
use yew::Reducible;

/// The most log lines kept.
const LOG_LINES: usize = 200;

/// The state of the connection to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Not connected (before joining, or after a game ended normally).
    Offline,
    /// Opening the socket.
    Connecting,
    /// Connected.
    Connected,
    /// The connection ended unexpectedly.
    Lost(String),
}

/// Which screen to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Choose a name.
    Join,
    /// Named, waiting for enough players.
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
    /// A new connection (generation) is opening to join as `name`.
    Connecting {
        /// The connection's generation.
        generation: u32,
    },
    /// A name was sent (first or another after a refusal).
    NameSent(String),
    /// The server answered on connection `generation`.
    Connected(u32),
    /// Connection `generation` closed, for `reason`.
    Disconnected(u32, String),
    /// An event arrived on connection `generation`.
    Event(u32, ServerEvent),
    /// The player made a move; wait for the server before the next.
    Moved,
    /// The player refused input locally (e.g. not a word).
    LocalError(String),
    /// The player dismissed the error message.
    DismissError,
}

/// The page's model of the game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameState {
    /// Which connection's messages count.
    pub generation: u32,
    /// The connection's state.
    pub connection: Connection,
    /// The name last sent.
    pub name: String,
    /// The name the server accepted for this player.
    pub me: Option<String>,
    /// The ring, with points.
    pub players: Vec<PlayerView>,
    /// Players needed to start.
    pub needed: usize,
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
    /// The human-readable log (the same text TCP players see).
    pub log: Vec<String>,
    /// The last error for this player.
    pub error: Option<String>,
    /// The last notice from the server.
    pub notice: Option<String>,
    /// The result, once the game is over.
    pub outcome: Option<Outcome>,
    /// Whether the server sent `/quit`.
    pub quit: bool,
}

impl Default for GameState {
    fn default() -> Self {
        Self {
            generation: 0,
            connection: Connection::Offline,
            name: String::new(),
            me: None,
            players: Vec::new(),
            needed: 0,
            masked: String::new(),
            alphabet: String::new(),
            tried: BTreeSet::new(),
            turn: None,
            my_turn: false,
            log: Vec::new(),
            error: None,
            notice: None,
            outcome: None,
            quit: false,
        }
    }
}

/// The ring, everyone at 0 points.
fn seat(players: Vec<String>) -> Vec<PlayerView> {
    players
        .into_iter()
        .map(|name| PlayerView { name, points: 0 })
        .collect()
}

impl GameState {
    /// The screen to show.
    pub fn screen(&self) -> Screen {
        if self.outcome.is_some() {
            Screen::Results
        } else if self.me.is_none() || self.quit || matches!(self.connection, Connection::Lost(_)) {
            Screen::Join
        } else if self.masked.is_empty() {
            Screen::Waiting
        } else {
            Screen::Playing
        }
    }

    /// A message about the connection the player must see, if any.
    pub fn banner(&self) -> Option<String> {
        match &self.connection {
            Connection::Lost(reason) => Some(format!("Disconnected from the server: {reason}")),
            _ if self.quit && self.outcome.is_none() => Some(format!(
                "The server ended the game. {}",
                self.notice.clone().unwrap_or_default()
            )),
            _ => None,
        }
    }

    /// Whether a name may be sent now on the open connection (after a
    /// refusal), rather than by opening a new one.
    pub fn awaiting_name(&self) -> bool {
        self.connection == Connection::Connected && self.me.is_none() && !self.quit
    }

    /// Whether the letter may be pressed now.
    pub fn can_name(&self, letter: &str) -> bool {
        self.my_turn && !self.tried.contains(letter)
    }

    fn set_points(&mut self, name: &str, points: u32) {
        if let Some(player) = self.players.iter_mut().find(|p| p.name == name) {
            player.points = points;
        }
    }

    fn apply(&mut self, event: ServerEvent) {
        if !matches!(
            event,
            ServerEvent::YourTurn | ServerEvent::Quit | ServerEvent::Welcome
        ) {
            self.log.extend(event.to_text().lines().map(str::to_owned));
            let excess = self.log.len().saturating_sub(LOG_LINES);
            self.log.drain(..excess);
        }
        match event {
            ServerEvent::Welcome => {}
            ServerEvent::Accepted { name } => {
                self.me = Some(name);
                self.error = None;
            }
            ServerEvent::Joined {
                players, needed, ..
            } => {
                self.players = seat(players);
                self.needed = needed;
            }
            ServerEvent::Left { name } => self.players.retain(|p| p.name != name),
            ServerEvent::Started {
                players,
                masked,
                alphabet,
            } => {
                self.players = seat(players);
                self.masked = masked;
                self.alphabet = alphabet;
                self.tried.clear();
            }
            ServerEvent::TurnOf { name } => {
                self.turn = Some(name);
                self.my_turn = false;
            }
            ServerEvent::YourTurn => self.my_turn = true,
            // The log says it; the next TurnOf moves the turn.
            ServerEvent::TurnTimedOut { .. } => self.my_turn = false,
            ServerEvent::LetterNamed {
                name,
                letter,
                total,
                ..
            } => {
                self.tried.insert(letter);
                self.set_points(&name, total);
            }
            ServerEvent::WordNamed { name, total, .. } => self.set_points(&name, total),
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
                self.outcome = Some(Outcome {
                    word,
                    winner,
                    prize,
                    scores,
                });
            }
            ServerEvent::Error { message } => {
                // A refused move on our turn leaves the turn with us.
                if self.me.is_some() && self.turn == self.me && self.outcome.is_none() {
                    self.my_turn = true;
                }
                self.error = Some(message);
            }
            ServerEvent::Notice { message } => self.notice = Some(message),
            ServerEvent::Quit => {
                self.quit = true;
                self.my_turn = false;
            }
        }
    }
}

impl Reducible for GameState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Connecting { generation } => {
                next = GameState {
                    generation,
                    connection: Connection::Connecting,
                    name: self.name.clone(),
                    ..GameState::default()
                };
            }
            Action::NameSent(name) => {
                next.name = name;
                next.error = None;
            }
            Action::Connected(generation) if generation == self.generation => {
                next.connection = Connection::Connected;
            }
            Action::Disconnected(generation, reason) if generation == self.generation => {
                next.my_turn = false;
                next.connection = if self.quit {
                    Connection::Offline
                } else {
                    Connection::Lost(reason)
                };
            }
            Action::Event(generation, event) if generation == self.generation => next.apply(event),
            Action::Moved => next.my_turn = false,
            Action::LocalError(message) => next.error = Some(message),
            Action::DismissError => next.error = None,
            // Stale actions from a previous connection.
            Action::Connected(_) | Action::Disconnected(..) | Action::Event(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests;
