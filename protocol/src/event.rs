//! Everything the server tells players, as typed events.
//!
//! The game produces [`ServerEvent`]s; each door renders them for its client:
//! the seed's text lines for `nc`, the terminal client and plain WebSocket
//! clients ([`ServerEvent::write_text`]), or JSON for the browser app
//! ([`ServerEvent::to_json`], selected by [`crate::JSON_SUBPROTOCOL`]).
//!
//! # Format
//!
//! A typical game, as a text client sees it (`>` marks what it sends):
//!
//! ```text
//! Welcome to wordguess! Send your name to join a game.
//! > alice
//! Hello, alice!
//! alice joined the game (1 of 2 players); waiting for 1 more.
//! bob joined the game (2 of 2 players).
//! The game begins! Players: alice, bob.
//! Word: *****
//! It is alice's turn.
//! /turn
//! > /letter p
//! alice named the letter 'p': 2 in the word, +2 points (total 2).
//! Word: *pp**
//! It is alice's turn.
//! /turn
//! > /word apple
//! alice named the word 'apple': correct! +3 points (total 5).
//! Word: apple
//! Game over! The word was 'apple'.
//! Winner: alice, with a prize of 5 points.
//! Results: alice 10, bob 0.
//! /quit
//! ```

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use crate::text::sanitize;

/// The character that stands for a hidden letter.
pub const HIDDEN: char = '*';

/// What came of naming a letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LetterOutcome {
    /// The letter was hidden in the word this many times; all are revealed.
    Hit {
        /// Occurrences revealed, which is also the points earned.
        count: u32,
    },
    /// The letter is not in the word.
    Miss,
    /// The letter was already revealed or already missed: no points.
    Repeated,
}

/// One line of the final results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The player's name.
    pub name: String,
    /// The player's final points.
    pub points: u32,
}

/// An event the server sends to one player or to all of a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// Sent on connect: the server asks for a name.
    Welcome,
    /// The name was accepted (as normalised); sent to that player only.
    Accepted {
        /// The player's name as the game knows it.
        name: String,
    },
    /// A player joined the forming game.
    Joined {
        /// Who joined.
        name: String,
        /// Everyone in the game so far, in ring order.
        players: Vec<String>,
        /// How many players the game needs to start.
        needed: usize,
    },
    /// A player left.
    Left {
        /// Who left.
        name: String,
    },
    /// The game starts.
    Started {
        /// The ring, in turn order.
        players: Vec<String>,
        /// The word with every letter hidden.
        masked: String,
        /// The letters of the word's alphabet, for an on-screen keyboard
        /// (empty when the word is in neither built-in alphabet).
        alphabet: String,
    },
    /// Whose move it is (to everyone).
    TurnOf {
        /// The player to move.
        name: String,
    },
    /// It is your move (the seed's `/turn`, to that player only).
    YourTurn,
    /// The player to move took too long; the turn passed on.
    TurnTimedOut {
        /// Who took too long.
        name: String,
    },
    /// A player named a letter.
    LetterNamed {
        /// Who named it.
        name: String,
        /// The letter, folded to lower case.
        letter: String,
        /// What it revealed.
        outcome: LetterOutcome,
        /// The player's points after the move.
        total: u32,
    },
    /// A player named a word.
    WordNamed {
        /// Who named it.
        name: String,
        /// The word named, folded to lower case.
        word: String,
        /// Whether it was the word.
        correct: bool,
        /// Points earned (the letters that were still hidden), 0 if wrong.
        earned: u32,
        /// The player's points after the move (0 after a wrong word).
        total: u32,
    },
    /// The word as it stands after a move.
    WordState {
        /// The word, hidden letters as `*`.
        masked: String,
    },
    /// The game is over.
    GameOver {
        /// The word.
        word: String,
        /// Who guessed it, if anyone did.
        winner: Option<String>,
        /// The winner's prize: as many points as the word has letters.
        prize: u32,
        /// Every player's final points, in ring order.
        scores: Vec<Score>,
    },
    /// Something this player sent was refused; only that player sees it.
    Error {
        /// What was wrong and what is accepted.
        message: String,
    },
    /// Informational text (help, server shutting down).
    Notice {
        /// The text.
        message: String,
    },
    /// The game is over for this player: disconnect (the seed's `/quit`).
    Quit,
}

fn push_message(out: &mut String, text: &str) {
    let text = sanitize(text);
    // A message must never be mistaken for a command.
    if text.starts_with('/') {
        out.push(' ');
    }
    out.push_str(&text);
    out.push('\n');
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

impl ServerEvent {
    /// Appends the event as seed-protocol text lines, each ending in `\n`.
    pub fn write_text(&self, out: &mut String) {
        let mut line = String::new();
        let mut say = |text: std::fmt::Arguments<'_>| {
            line.clear();
            let _ = line.write_fmt(text);
            push_message(out, &line);
        };
        match self {
            ServerEvent::Welcome => say(format_args!(
                "Welcome to wordguess! Send your name to join a game."
            )),
            ServerEvent::Accepted { name } => say(format_args!("Hello, {name}!")),
            ServerEvent::Joined {
                name,
                players,
                needed,
            } => {
                let waiting = needed.saturating_sub(players.len());
                let tail = if waiting > 0 {
                    format!("; waiting for {waiting} more")
                } else {
                    String::new()
                };
                say(format_args!(
                    "{name} joined the game ({} of {}){tail}.",
                    players.len(),
                    plural(*needed, "player", "players")
                ));
            }
            ServerEvent::Left { name } => say(format_args!("{name} left the game.")),
            ServerEvent::Started {
                players, masked, ..
            } => {
                say(format_args!(
                    "The game begins! Players: {}.",
                    players.join(", ")
                ));
                say(format_args!("Word: {masked}"));
            }
            ServerEvent::TurnOf { name } => say(format_args!("It is {name}'s turn.")),
            ServerEvent::YourTurn => out.push_str("/turn\n"),
            ServerEvent::TurnTimedOut { name } => {
                say(format_args!("{name} took too long; the turn passes."))
            }
            ServerEvent::LetterNamed {
                name,
                letter,
                outcome,
                total,
            } => match outcome {
                LetterOutcome::Hit { count } => say(format_args!(
                    "{name} named the letter '{letter}': {} in the word, +{count} points (total {total}).",
                    count
                )),
                LetterOutcome::Miss => say(format_args!(
                    "{name} named the letter '{letter}': not in the word."
                )),
                LetterOutcome::Repeated => say(format_args!(
                    "{name} named the letter '{letter}': already named, no points."
                )),
            },
            ServerEvent::WordNamed {
                name,
                word,
                correct: true,
                earned,
                total,
            } => say(format_args!(
                "{name} named the word '{word}': correct! +{earned} points (total {total})."
            )),
            ServerEvent::WordNamed { name, word, .. } => say(format_args!(
                "{name} named the word '{word}': wrong! {name}'s points are cancelled (total 0)."
            )),
            ServerEvent::WordState { masked } => say(format_args!("Word: {masked}")),
            ServerEvent::GameOver {
                word,
                winner,
                prize,
                scores,
            } => {
                say(format_args!("Game over! The word was '{word}'."));
                match winner {
                    Some(winner) => say(format_args!(
                        "Winner: {winner}, with a prize of {prize} points."
                    )),
                    None => say(format_args!("Nobody guessed the word.")),
                }
                let results: Vec<String> = scores
                    .iter()
                    .map(|score| format!("{} {}", score.name, score.points))
                    .collect();
                say(format_args!("Results: {}.", results.join(", ")));
            }
            ServerEvent::Error { message } => say(format_args!("Error: {message}")),
            ServerEvent::Notice { message } => say(format_args!("{message}")),
            ServerEvent::Quit => out.push_str("/quit\n"),
        }
    }

    /// The event as seed-protocol text (one or more `\n`-terminated lines).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write_text(&mut out);
        out
    }

    /// The event as one JSON object (the browser's encoding).
    pub fn to_json(&self) -> String {
        // Serialising these plain data types cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses an event from its JSON encoding.
    ///
    /// # Errors
    ///
    /// Returns the JSON error if `json` is not a valid event.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

/// Splits a masked word into tiles, one per letter: `None` for a hidden one.
pub fn tiles(masked: &str) -> Vec<Option<String>> {
    use unicode_segmentation::UnicodeSegmentation;
    masked
        .graphemes(true)
        .map(|g| (g != "*").then(|| g.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server_line::ServerLine;

    fn all_kinds() -> Vec<ServerEvent> {
        vec![
            ServerEvent::Welcome,
            ServerEvent::Accepted {
                name: "alice".into(),
            },
            ServerEvent::Joined {
                name: "bob".into(),
                players: vec!["alice".into(), "bob".into()],
                needed: 3,
            },
            ServerEvent::Left { name: "bob".into() },
            ServerEvent::Started {
                players: vec!["alice".into()],
                masked: "*****".into(),
                alphabet: "abc".into(),
            },
            ServerEvent::TurnOf {
                name: "alice".into(),
            },
            ServerEvent::YourTurn,
            ServerEvent::TurnTimedOut {
                name: "alice".into(),
            },
            ServerEvent::LetterNamed {
                name: "alice".into(),
                letter: "ґ".into(),
                outcome: LetterOutcome::Hit { count: 2 },
                total: 2,
            },
            ServerEvent::WordNamed {
                name: "alice".into(),
                word: "apple".into(),
                correct: false,
                earned: 0,
                total: 0,
            },
            ServerEvent::WordState {
                masked: "*pp**".into(),
            },
            ServerEvent::GameOver {
                word: "apple".into(),
                winner: Some("alice".into()),
                prize: 5,
                scores: vec![Score {
                    name: "alice".into(),
                    points: 10,
                }],
            },
            ServerEvent::Error {
                message: "no".into(),
            },
            ServerEvent::Notice {
                message: "/bye".into(),
            },
            ServerEvent::Quit,
        ]
    }

    #[test]
    fn json_round_trips_every_event() {
        for event in all_kinds() {
            assert_eq!(ServerEvent::from_json(&event.to_json()).unwrap(), event);
        }
    }

    #[test]
    fn only_turn_and_quit_render_as_commands() {
        for event in all_kinds() {
            let text = event.to_text();
            assert!(text.ends_with('\n'));
            for line in text.lines() {
                let parsed = ServerLine::parse(line).unwrap();
                let is_command = matches!(parsed, ServerLine::Turn | ServerLine::Quit);
                let should_be = matches!(event, ServerEvent::YourTurn | ServerEvent::Quit);
                assert_eq!(is_command, should_be, "{event:?} rendered {line:?}");
            }
        }
    }

    #[test]
    fn text_tells_points_and_results() {
        let over = all_kinds()[11].to_text();
        assert_eq!(
            over,
            "Game over! The word was 'apple'.\nWinner: alice, with a prize of 5 points.\nResults: alice 10.\n"
        );
        let joined = all_kinds()[2].to_text();
        assert_eq!(
            joined,
            "bob joined the game (2 of 3 players); waiting for 1 more.\n"
        );
    }

    #[test]
    fn rendered_text_strips_escape_sequences() {
        let event = ServerEvent::Left {
            name: "\u{1b}[2Jmallory\r\n/quit".into(),
        };
        assert_eq!(event.to_text(), "mallory/quit left the game.\n");
    }

    #[test]
    fn tiles_split_graphemes() {
        assert_eq!(tiles("я*ґ"), vec![Some("я".into()), None, Some("ґ".into())]);
    }
}
