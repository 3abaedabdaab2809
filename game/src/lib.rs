//! The rules of wordguess (SPEC section 1) as pure code.
//!
//! A [`Game`] is a state machine: players [join](Game::join), [move](Game::play)
//! and [leave](Game::leave); each call returns the [`Delivery`]s (events and
//! their recipients) that the caller must send. There are no sockets, tasks
//! or clocks here, so every rule is tested directly; the server's per-game
//! actor only moves these deliveries to connections.

use thiserror::Error;
use wordguess_protocol::{
    event::HIDDEN,
    text::{fold, letters_of},
    LetterOutcome, Score, ServerEvent,
};

/// The Ukrainian alphabet, for the browser's on-screen keyboard.
pub const UKRAINIAN_ALPHABET: &str = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя";
/// The English alphabet, for the browser's on-screen keyboard.
pub const ENGLISH_ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";

/// Identifies a player's connection; assigned by the server, unique per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlayerId(pub u64);

/// Who receives an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// Every player of the game.
    All,
    /// One player only.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for enough players to join.
    Gathering,
    /// Players take turns.
    Playing,
    /// Results were sent (or everybody left); the game accepts nothing more.
    Over,
}

/// A player's move.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The game has started or ended; the player belongs in the next one.
    #[error("this game is no longer gathering players")]
    NotGathering,
    /// The same connection tried to join twice.
    #[error("you have already joined")]
    AlreadyJoined,
}

/// The puzzle word is unusable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{0}' is not a word of letters only")]
pub struct InvalidWord(pub String);

#[derive(Debug, Clone)]
struct Player {
    /// The connection, to address private events.
    id: PlayerId,
    /// The name shown to everyone.
    name: String,
    /// Points so far.
    points: u32,
}

/// One game: its word, its ring of players and whose turn it is.
#[derive(Debug, Clone)]
pub struct Game {
    /// The word's letters, folded (one grapheme each).
    letters: Vec<String>,
    /// Which letters are revealed, by position.
    revealed: Vec<bool>,
    /// Letters named so far (hits and misses), to refuse repeats.
    named: Vec<String>,
    /// The ring, in join order.
    ring: Vec<Player>,
    /// Index into `ring` of the player to move (meaningful while playing).
    turn: usize,
    /// How many players the game waits for before it starts.
    players_to_start: usize,
    /// Where the game is in its life.
    phase: Phase,
}

impl Game {
    /// A game gathering players for `word`, starting once
    /// `players_to_start` (at least 1) have joined.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidWord`] if `word` has anything but letters.
    pub fn new(word: &str, players_to_start: usize) -> Result<Self, InvalidWord> {
        let letters = letters_of(word).ok_or_else(|| InvalidWord(word.to_owned()))?;
        Ok(Self {
            revealed: vec![false; letters.len()],
            letters,
            named: Vec::new(),
            ring: Vec::new(),
            turn: 0,
            players_to_start: players_to_start.max(1),
            phase: Phase::Gathering,
        })
    }

    /// Where the game is in its life.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The players in ring order.
    pub fn players(&self) -> Vec<String> {
        self.ring.iter().map(|p| p.name.clone()).collect()
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

    /// The on-screen keyboard for this word: its language's alphabet.
    pub fn alphabet(&self) -> &'static str {
        [ENGLISH_ALPHABET, UKRAINIAN_ALPHABET]
            .into_iter()
            .find(|alphabet| self.letters.iter().all(|l| alphabet.contains(l.as_str())))
            .unwrap_or("")
    }

    /// Adds a player to the gathering game; starts the game once enough
    /// have joined.
    ///
    /// # Errors
    ///
    /// Returns a [`JoinError`] (the name is taken, or the game is no longer
    /// gathering); nothing changes then.
    pub fn join(&mut self, id: PlayerId, name: &str) -> Result<Vec<Delivery>, JoinError> {
        if self.phase != Phase::Gathering {
            return Err(JoinError::NotGathering);
        }
        if self.ring.iter().any(|p| p.id == id) {
            return Err(JoinError::AlreadyJoined);
        }
        if self.ring.iter().any(|p| fold(&p.name) == fold(name)) {
            return Err(JoinError::NameTaken(name.to_owned()));
        }
        self.ring.push(Player {
            id,
            name: name.to_owned(),
            points: 0,
        });
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
                    needed: self.players_to_start,
                },
            },
        ];
        if self.ring.len() >= self.players_to_start {
            self.phase = Phase::Playing;
            self.turn = 0;
            out.push(Delivery {
                to: Recipient::All,
                event: ServerEvent::Started {
                    players: self.players(),
                    masked: self.masked(),
                    alphabet: self.alphabet().to_owned(),
                },
            });
            self.announce_turn(&mut out);
        }
        Ok(out)
    }

    /// Handles a move by `id`. A move that breaks the rules (out of turn,
    /// before the start) changes nothing and yields a private error.
    pub fn play(&mut self, id: PlayerId, mv: Move) -> Vec<Delivery> {
        let refuse = |message: String| {
            vec![Delivery {
                to: Recipient::Only(id),
                event: ServerEvent::Error { message },
            }]
        };
        match self.phase {
            Phase::Gathering => {
                let waiting = self.players_to_start.saturating_sub(self.ring.len());
                return refuse(format!(
                    "the game has not started yet; waiting for {waiting} more player(s)"
                ));
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
        let mut out = Vec::new();
        let keeps_turn = match mv {
            Move::Letter(letter) => self.name_letter(&fold(&letter), &mut out),
            Move::Word(word) => self.name_word(&fold(&word), &mut out),
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
        if !keeps_turn {
            self.turn = (self.turn + 1) % self.ring.len();
        }
        self.announce_turn(&mut out);
        out
    }

    /// Passes the turn on because `id`, the player to move, took too long.
    /// Does nothing if it is no longer `id`'s turn (the move raced the clock).
    pub fn pass_turn(&mut self, id: PlayerId) -> Vec<Delivery> {
        if self.current_player() != Some(id) {
            return Vec::new();
        }
        let mut out = vec![Delivery {
            to: Recipient::All,
            event: ServerEvent::TurnTimedOut {
                name: self.ring[self.turn].name.clone(),
            },
        }];
        self.turn = (self.turn + 1) % self.ring.len();
        self.announce_turn(&mut out);
        out
    }

    /// Removes a player (disconnected, or dropped for not reading). If it
    /// was its turn, the turn passes on; an empty ring ends the game.
    pub fn leave(&mut self, id: PlayerId) -> Vec<Delivery> {
        let Some(index) = self.ring.iter().position(|p| p.id == id) else {
            return Vec::new();
        };
        let player = self.ring.remove(index);
        let mut out = vec![Delivery {
            to: Recipient::All,
            event: ServerEvent::Left { name: player.name },
        }];
        if self.phase != Phase::Playing {
            return out;
        }
        if self.ring.is_empty() {
            self.phase = Phase::Over;
            return out;
        }
        if index < self.turn {
            self.turn -= 1;
        } else if index == self.turn {
            self.turn %= self.ring.len();
            self.announce_turn(&mut out);
        }
        out
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
        let correct = letters_of(word).is_some_and(|letters| letters == self.letters);
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
                word: word.to_owned(),
                correct,
                earned,
                total: mover.points,
            },
        });
        false
    }

    /// Ends the game: the winner's prize, the results, then `/quit`.
    fn finish(&mut self, winner: usize, out: &mut Vec<Delivery>) {
        let prize = self.letters.len() as u32;
        let winner = &mut self.ring[winner];
        winner.points += prize;
        let winner = Some(winner.name.clone());
        self.phase = Phase::Over;
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
                    })
                    .collect(),
            },
        });
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::Quit,
        });
    }

    fn announce_turn(&self, out: &mut Vec<Delivery>) {
        let player = &self.ring[self.turn];
        out.push(Delivery {
            to: Recipient::All,
            event: ServerEvent::TurnOf {
                name: player.name.clone(),
            },
        });
        out.push(Delivery {
            to: Recipient::Only(player.id),
            event: ServerEvent::YourTurn,
        });
    }
}

#[cfg(test)]
mod tests;
