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

use crate::command::{BotLevel, Language};
use crate::history::{utc_minute, GameRecord, Standing};
use crate::tagged::tag_first;
use crate::text::sanitize;

/// The character that stands for a hidden letter.
pub const HIDDEN: char = '*';

tag_first! {
tag = "kind";
/// What came of naming a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// One line of the final results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The player's name.
    pub name: String,
    /// The player's final points.
    pub points: u32,
    /// Whether the player is a computer player (left out when not).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub computer: bool,
}

/// One seat of a room as everyone sees it (in `/who` and snapshots).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatView {
    /// The player's name.
    pub name: String,
    /// Points so far.
    pub points: u32,
    /// Whether the player's connection is lost (the seat is kept a while).
    pub away: bool,
    /// Whether this player starts the room's game.
    pub host: bool,
    /// The level of a computer player; `None` (left out) for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computer: Option<BotLevel>,
}

tag_first! {
tag = "type";
/// An event the server sends to one player or to all of a game (its JSON
/// has the tag first; see [`crate::tagged`]).
#[derive(Debug, Clone, PartialEq, Eq)]
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
        /// How many players the game needs to start (quick match), or the
        /// least number the host may start with (rooms).
        needed: usize,
        /// Who starts the game with `/start` (rooms); `None` in quick
        /// match, which starts when `needed` players are in.
        #[serde(default)]
        host: Option<String>,
        /// Which of `players` are computer players (left out when none).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        computers: Vec<String>,
    },
    /// A player left.
    Left {
        /// Who left.
        name: String,
    },
    /// The host left the room's game, and this player hosts it now (starts
    /// it and changes its settings).
    HostChanged {
        /// The new host.
        name: String,
    },
    /// A player voted to remove another from a quick-match game
    /// (`/votekick`); at `needed` votes the player is removed.
    KickVote {
        /// Who voted.
        name: String,
        /// Whom the vote is against.
        target: String,
        /// Votes against `target` so far (within the last minute).
        votes: usize,
        /// Votes that remove it: more than half of the other people here,
        /// and at least two.
        needed: usize,
    },
    /// The game starts.
    Started {
        /// The ring, in turn order.
        players: Vec<String>,
        /// Which of `players` are computer players (left out when none).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        computers: Vec<String>,
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
        /// Seconds left for the move; `None` when the room has no limit.
        #[serde(default)]
        seconds: Option<u32>,
    },
    /// The mover's time is nearly up (to the mover only).
    TurnWarning {
        /// Seconds left.
        seconds: u32,
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
    /// You are in this room (sent when seated or watching).
    Room {
        /// The room's code.
        code: String,
        /// A link that opens the room in the browser app (empty when the
        /// server does not know its web address).
        invite: String,
        /// The TCP game door's port, for `nc HOST PORT` (0 if unknown).
        #[serde(default)]
        tcp_port: u16,
    },
    /// Your resume token (sent when seated; private).
    Token {
        /// The token to send with `/resume` after a lost connection.
        token: String,
        /// How long a lost seat is kept, in seconds.
        grace_seconds: u32,
    },
    /// A seated player's connection dropped; the seat is kept a while.
    Away {
        /// Who is away.
        name: String,
        /// Seconds the seat is kept.
        seconds: u32,
    },
    /// An away player took the seat back.
    Back {
        /// Who is back.
        name: String,
    },
    /// The state of the room's game, for a player who resumes or a spectator
    /// who arrives (private).
    Snapshot {
        /// The seats in ring order.
        players: Vec<SeatView>,
        /// Whether the game has started.
        started: bool,
        /// Players needed to start (quick match) or allowed to start (rooms).
        needed: usize,
        /// The word with hidden letters as `*` (empty before the start).
        masked: String,
        /// The on-screen keyboard's letters.
        alphabet: String,
        /// Letters named so far, in order.
        tried: Vec<String>,
        /// Whose turn it is.
        turn: Option<String>,
        /// Seconds left for that turn, if the room has a limit.
        seconds_left: Option<u32>,
    },
    /// The answer to `/who` (private).
    Who {
        /// The seats in ring order.
        players: Vec<SeatView>,
        /// The spectators' names.
        spectators: Vec<String>,
    },
    /// How many people watch the room (to everyone, when it changes).
    Watchers {
        /// The number of spectators.
        count: usize,
    },
    /// A chat line.
    Chat {
        /// Who said it (a player or a spectator).
        name: String,
        /// What was said (validated against the allow-list).
        text: String,
    },
    /// The room's settings (on entering a room, and when the host changes
    /// them).
    Settings {
        /// The language of the built-in words.
        language: Language,
        /// Seconds per turn, `None` for no limit.
        turn_seconds: Option<u32>,
        /// How many words the list in use has (the host's, or the server's
        /// `--words` file), `None` for the built-in lists.
        custom_words: Option<usize>,
    },
    /// The room's tally of finished games (on entering, and after a game).
    Tally {
        /// Games finished in this room.
        games: u32,
        /// Wins per player, most first.
        wins: Vec<Score>,
    },
    /// The answer to `/top`: the best players of the server (private).
    Leaderboard {
        /// Most wins first (then points).
        players: Vec<Standing>,
    },
    /// The answer to `/history`: a room's last finished games, newest
    /// first (private).
    History {
        /// The room they were played in.
        room: String,
        /// The games.
        games: Vec<GameRecord>,
    },
    /// Informational text (help, server shutting down).
    Notice {
        /// The text.
        message: String,
    },
    /// The game is over for this player: disconnect (the seed's `/quit`).
    Quit,
}
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

/// `alice 3 (host), bob 0 (away), Robo 2 (computer, hard)`.
fn seats(players: &[SeatView]) -> String {
    let seats: Vec<String> = players
        .iter()
        .map(|seat| {
            let computer = seat.computer.map(|level| format!("computer, {level}"));
            let marks: Vec<&str> = [
                seat.host.then_some("host"),
                seat.away.then_some("away"),
                computer.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            if marks.is_empty() {
                format!("{} {}", seat.name, seat.points)
            } else {
                format!("{} {} ({})", seat.name, seat.points, marks.join(", "))
            }
        })
        .collect();
    seats.join(", ")
}

/// `alice 3`, or `Robo (computer) 3` for a computer player.
fn points_of(name: &str, computer: bool, points: u32) -> String {
    if computer {
        format!("{name} (computer) {points}")
    } else {
        format!("{name} {points}")
    }
}

/// `name`, or `name (computer)` if it is one of `computers`.
fn marked(name: &str, computers: &[String]) -> String {
    if computers.iter().any(|computer| computer == name) {
        format!("{name} (computer)")
    } else {
        name.to_owned()
    }
}

/// `alice, Robo (computer)`.
fn names(players: &[String], computers: &[String]) -> String {
    let names: Vec<String> = players.iter().map(|name| marked(name, computers)).collect();
    names.join(", ")
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
                host: Some(host),
                computers,
                ..
            } => say(format_args!(
                "{} joined the room ({}); {host} starts the game with /start.",
                marked(name, computers),
                plural(players.len(), "player", "players")
            )),
            ServerEvent::Joined {
                name,
                players,
                needed,
                host: None,
                computers,
            } => {
                let waiting = needed.saturating_sub(players.len());
                let tail = if waiting > 0 {
                    format!("; waiting for {waiting} more")
                } else {
                    String::new()
                };
                say(format_args!(
                    "{} joined the game ({} of {}){tail}.",
                    marked(name, computers),
                    players.len(),
                    plural(*needed, "player", "players")
                ));
            }
            ServerEvent::Left { name } => say(format_args!("{name} left the game.")),
            ServerEvent::HostChanged { name } => say(format_args!("{name} is the host now.")),
            ServerEvent::KickVote {
                name,
                target,
                votes,
                needed,
            } if votes < needed => say(format_args!(
                "{name} votes to remove {target} ({votes} of {needed} votes needed; /votekick {target} to agree)."
            )),
            ServerEvent::KickVote {
                name,
                target,
                needed,
                ..
            } => say(format_args!(
                "{name} votes to remove {target}: {needed} of {needed} votes, {target} is removed."
            )),
            ServerEvent::Started {
                players,
                computers,
                masked,
                ..
            } => {
                say(format_args!(
                    "The game begins! Players: {}.",
                    names(players, computers)
                ));
                say(format_args!("Word: {masked}"));
            }
            ServerEvent::TurnOf {
                name,
                seconds: Some(seconds),
            } => say(format_args!("It is {name}'s turn ({seconds} s).")),
            ServerEvent::TurnOf {
                name,
                seconds: None,
            } => say(format_args!("It is {name}'s turn.")),
            ServerEvent::TurnWarning { seconds } => {
                say(format_args!("Hurry: {seconds} s left on your turn!"))
            }
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
                    .map(|score| points_of(&score.name, score.computer, score.points))
                    .collect();
                say(format_args!("Results: {}.", results.join(", ")));
            }
            ServerEvent::Room { code, invite, .. } => {
                out.push_str("/room ");
                out.push_str(&sanitize(code));
                out.push('\n');
                let human = if invite.is_empty() {
                    format!("Room {code}: friends join with /join {code}.")
                } else {
                    format!("Room {code}: friends join with /join {code} or {invite}")
                };
                push_message(out, &human);
            }
            ServerEvent::Token {
                token,
                grace_seconds,
            } => {
                out.push_str("/token ");
                out.push_str(&sanitize(token));
                out.push('\n');
                push_message(out, &format!(
                    "If your connection drops, reconnect and send /resume {token} within {grace_seconds} s to keep your seat."
                ));
            }
            ServerEvent::Away { name, seconds } => say(format_args!(
                "{name} lost the connection; the seat is kept for {seconds} s."
            )),
            ServerEvent::Back { name } => say(format_args!("{name} is back.")),
            ServerEvent::Snapshot {
                players,
                started,
                needed,
                masked,
                tried,
                turn,
                seconds_left,
                ..
            } => {
                say(format_args!("Players: {}.", seats(players)));
                if !started {
                    say(format_args!(
                        "The game has not started ({} of at least {needed}).",
                        plural(players.len(), "player", "players")
                    ));
                    return;
                }
                say(format_args!("Word: {masked}"));
                if tried.is_empty() {
                    say(format_args!("No letters tried yet."));
                } else {
                    say(format_args!("Letters tried: {}.", tried.join(", ")));
                }
                match (turn, seconds_left) {
                    (Some(name), Some(left)) => {
                        say(format_args!("It is {name}'s turn ({left} s left)."))
                    }
                    (Some(name), None) => say(format_args!("It is {name}'s turn.")),
                    (None, _) => {}
                }
            }
            ServerEvent::Who {
                players,
                spectators,
            } => {
                say(format_args!("Players: {}.", seats(players)));
                if spectators.is_empty() {
                    say(format_args!("Nobody is watching."));
                } else {
                    say(format_args!("Watching: {}.", spectators.join(", ")));
                }
            }
            ServerEvent::Watchers { count } => say(format_args!(
                "{} watching.",
                plural(*count, "spectator", "spectators")
            )),
            ServerEvent::Chat { name, text } => say(format_args!("{name}: {text}")),
            ServerEvent::Settings {
                language,
                turn_seconds,
                custom_words,
            } => {
                let words = match custom_words {
                    Some(count) => format!("from a list of {}", plural(*count, "word", "words")),
                    None => format!("built-in, language {}", language.as_str()),
                };
                let time = match turn_seconds {
                    Some(seconds) => format!("{seconds} s a turn"),
                    None => "no time limit".to_owned(),
                };
                say(format_args!("Room settings: words {words}; {time}."));
            }
            ServerEvent::Tally { games, wins } => {
                let wins: Vec<String> = wins
                    .iter()
                    .map(|score| points_of(&score.name, score.computer, score.points))
                    .collect();
                let wins = if wins.is_empty() {
                    String::new()
                } else {
                    format!(" Wins: {}.", wins.join(", "))
                };
                say(format_args!(
                    "This room has played {}.{wins}",
                    plural(*games as usize, "game", "games")
                ));
            }
            ServerEvent::Leaderboard { players } => {
                if players.is_empty() {
                    say(format_args!("Leaderboard: no games have been played yet."));
                }
                for (rank, player) in players.iter().enumerate() {
                    say(format_args!(
                        "{}. {}: {}, {}, {}.",
                        rank + 1,
                        player.name,
                        plural(player.wins as usize, "win", "wins"),
                        plural(player.points as usize, "point", "points"),
                        plural(player.games as usize, "game", "games"),
                    ));
                }
            }
            ServerEvent::History { room, games } => {
                if games.is_empty() {
                    say(format_args!("No games have been played in room {room} yet."));
                } else {
                    say(format_args!("Last games in room {room}, newest first:"));
                }
                for game in games {
                    let scores: Vec<String> = game
                        .players
                        .iter()
                        .map(|p| {
                            let computer = p.door == crate::history::COMPUTER_DOOR;
                            points_of(&p.name, computer, p.points)
                        })
                        .collect();
                    let winner = game
                        .winner
                        .as_ref()
                        .map_or_else(|| "nobody won".to_owned(), |w| format!("won by {w}"));
                    say(format_args!(
                        "{}: '{}', {winner}; {}; {}.",
                        utc_minute(game.ended_at),
                        game.word,
                        scores.join(", "),
                        plural(game.moves as usize, "move", "moves"),
                    ));
                }
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
    crate::unicode::graphemes(masked)
        .into_iter()
        .map(|g| (g != "*").then_some(g))
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
                host: None,
                computers: vec![],
            },
            ServerEvent::Left { name: "bob".into() },
            ServerEvent::Started {
                players: vec!["alice".into(), "Robo".into()],
                computers: vec!["Robo".into()],
                masked: "*****".into(),
                alphabet: "abc".into(),
            },
            ServerEvent::TurnOf {
                name: "alice".into(),
                seconds: Some(60),
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
                scores: vec![
                    Score {
                        name: "alice".into(),
                        points: 10,
                        computer: false,
                    },
                    Score {
                        name: "Robo".into(),
                        points: 2,
                        computer: true,
                    },
                ],
            },
            ServerEvent::Error {
                message: "no".into(),
            },
            ServerEvent::Notice {
                message: "/bye".into(),
            },
            ServerEvent::Quit,
            ServerEvent::Joined {
                name: "bob".into(),
                players: vec!["alice".into(), "bob".into()],
                needed: 2,
                host: Some("alice".into()),
                computers: vec!["bob".into()],
            },
            ServerEvent::TurnOf {
                name: "bob".into(),
                seconds: None,
            },
            ServerEvent::TurnWarning { seconds: 15 },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: "http://127.0.0.1:8080/?room=K7QXPM".into(),
                tcp_port: 4000,
            },
            ServerEvent::Token {
                token: "0123456789abcdef0123456789abcdef".into(),
                grace_seconds: 120,
            },
            ServerEvent::Away {
                name: "bob".into(),
                seconds: 120,
            },
            ServerEvent::Back { name: "bob".into() },
            ServerEvent::Snapshot {
                players: vec![seat("alice", 3, false, true), seat("bob", 0, true, false)],
                started: true,
                needed: 2,
                masked: "*pp**".into(),
                alphabet: "abc".into(),
                tried: vec!["p".into(), "x".into()],
                turn: Some("alice".into()),
                seconds_left: Some(42),
            },
            ServerEvent::Who {
                players: vec![seat("alice", 3, false, true), {
                    let mut robo = seat("Robo", 1, false, false);
                    robo.computer = Some(BotLevel::Hard);
                    robo
                }],
                spectators: vec!["carol".into()],
            },
            ServerEvent::Watchers { count: 2 },
            ServerEvent::Chat {
                name: "carol".into(),
                text: "/quit hi".into(),
            },
            ServerEvent::Settings {
                language: Language::Uk,
                turn_seconds: Some(60),
                custom_words: None,
            },
            ServerEvent::Tally {
                games: 3,
                wins: vec![Score {
                    name: "alice".into(),
                    points: 2,
                    computer: false,
                }],
            },
            ServerEvent::Leaderboard {
                players: vec![crate::Standing {
                    name: "alice".into(),
                    games: 3,
                    wins: 2,
                    points: 31,
                }],
            },
            ServerEvent::History {
                room: "K7QXPM".into(),
                games: vec![crate::GameRecord {
                    room: "K7QXPM".into(),
                    word: "apple".into(),
                    language: "en".into(),
                    players: vec![crate::PlayerRecord {
                        name: "alice".into(),
                        door: "tcp".into(),
                        points: 10,
                    }],
                    winner: Some("alice".into()),
                    moves: 4,
                    started_at: 1_795_610_000_000,
                    ended_at: 1_795_610_096_000,
                }],
            },
            ServerEvent::HostChanged {
                name: "alice".into(),
            },
            ServerEvent::KickVote {
                name: "alice".into(),
                target: "bob".into(),
                votes: 1,
                needed: 2,
            },
        ]
    }

    fn seat(name: &str, points: u32, away: bool, host: bool) -> SeatView {
        SeatView {
            name: name.into(),
            points,
            away,
            host,
            computer: None,
        }
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
                let is_command = !matches!(parsed, ServerLine::Message(_));
                let should_be = match parsed {
                    ServerLine::Turn => event == ServerEvent::YourTurn,
                    ServerLine::Quit => event == ServerEvent::Quit,
                    ServerLine::Room(code) => {
                        matches!(&event, ServerEvent::Room { code: c, .. } if *c == code)
                    }
                    ServerLine::Token(token) => {
                        matches!(&event, ServerEvent::Token { token: t, .. } if *t == token)
                    }
                    ServerLine::Message(_) => false,
                };
                assert_eq!(is_command, should_be, "{event:?} rendered {line:?}");
            }
        }
    }

    #[test]
    fn text_tells_points_and_results() {
        let over = all_kinds()[11].to_text();
        assert_eq!(
            over,
            "Game over! The word was 'apple'.\nWinner: alice, with a prize of 5 points.\nResults: alice 10, Robo (computer) 2.\n"
        );
        let joined = all_kinds()[2].to_text();
        assert_eq!(
            joined,
            "bob joined the game (2 of 3 players); waiting for 1 more.\n"
        );
    }

    #[test]
    fn computer_players_are_marked_in_text() {
        let all = all_kinds();
        let find =
            |pred: &dyn Fn(&ServerEvent) -> bool| all.iter().find(|e| pred(e)).unwrap().to_text();
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Started { .. })),
            "The game begins! Players: alice, Robo (computer).\nWord: *****\n"
        );
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Joined { host: Some(_), .. })),
            "bob (computer) joined the room (2 players); alice starts the game with /start.\n"
        );
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Who { .. })),
            "Players: alice 3 (host), Robo 1 (computer, hard).\nWatching: carol.\n"
        );
    }

    #[test]
    fn room_events_render_as_the_issue_shows() {
        let all = all_kinds();
        let find =
            |pred: &dyn Fn(&ServerEvent) -> bool| all.iter().find(|e| pred(e)).unwrap().to_text();
        assert_eq!(
            find(&|e| matches!(
                e,
                ServerEvent::TurnOf {
                    seconds: Some(_),
                    ..
                }
            )),
            "It is alice's turn (60 s).\n"
        );
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Room { .. })),
            "/room K7QXPM\nRoom K7QXPM: friends join with /join K7QXPM or http://127.0.0.1:8080/?room=K7QXPM\n"
        );
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Snapshot { .. })),
            "Players: alice 3 (host), bob 0 (away).\nWord: *pp**\nLetters tried: p, x.\nIt is alice's turn (42 s left).\n"
        );
        assert_eq!(
            find(&|e| matches!(e, ServerEvent::Chat { .. })),
            "carol: /quit hi\n"
        );
        assert!(find(&|e| matches!(e, ServerEvent::Token { .. })).starts_with("/token 0123"));
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
