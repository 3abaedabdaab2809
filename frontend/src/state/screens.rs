//! What the screens show, derived from the state: which [`Screen`], the
//! connection's banner and badge, the headlines of the waiting room and
//! the results, whose turn it is and its countdown, the player rows, the
//! keyboard's keys, and what "play again" does.
//!
//! The components only lay these out; every sentence and every choice that
//! depends on the game is made here, where it is tested without a browser.

use wordguess_protocol::event::tiles;
use wordguess_protocol::text::single_letter;
use wordguess_protocol::{RoomCode, Score};

use super::forms::language_label;
use super::{Connection, Entry, GameState, RoomSettings};

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

/// One player in a list of the room's players, as this page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerRow {
    /// The player's name.
    pub name: String,
    /// The player's points.
    pub points: u32,
    /// Whether the player's connection is lost (the seat is kept a while).
    pub away: bool,
    /// Whether it is this player's turn (only where the list shows turns).
    pub current: bool,
    /// Whether this is the page's own player.
    pub me: bool,
    /// Whether this player hosts the room.
    pub host: bool,
    /// Whether this is a computer player.
    pub computer: bool,
}

/// The results, most points first; ties keep the ring's order. (An
/// insertion into place: a game has a few players, and a general sort's
/// code would cost the app more than it saves.)
pub fn ranking(scores: &[Score]) -> Vec<Score> {
    let mut ranked: Vec<Score> = Vec::with_capacity(scores.len());
    for score in scores {
        let at = ranked
            .iter()
            .position(|placed| placed.points < score.points)
            .unwrap_or(ranked.len());
        ranked.insert(at, score.clone());
    }
    ranked
}

/// One key of the on-screen keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The letter, lower case.
    pub letter: String,
    /// Whether it was named already.
    pub tried: bool,
    /// Whether it may be pressed now.
    pub enabled: bool,
}

/// Whole seconds from page clock `now` until `deadline` (both in ms).
pub fn seconds_until(deadline: u64, now: u64) -> u32 {
    let left = deadline.saturating_sub(now);
    u32::try_from(left.div_ceil(1000)).unwrap_or(u32::MAX)
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

impl GameState {
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

    /// Whether the banner is news rather than trouble: the server's own
    /// goodbye, or its restart.
    pub fn banner_is_calm(&self) -> bool {
        (self.quit && self.outcome.is_none()) || self.restarting
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

    /// Where the kept seat being taken back is, in a sentence.
    pub fn resuming_place(&self) -> String {
        match self.seat.as_ref().and_then(|seat| seat.room.as_ref()) {
            Some(room) => format!("Room {room}, as {}.", self.name),
            None => format!("As {}.", self.name),
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

    /// Whether this page's player may vote players out: a player (not a
    /// spectator) of a quick match whose game is in play.
    pub fn may_vote(&self) -> bool {
        !self.private_room
            && !self.spectator
            && self.me.is_some()
            && self.started()
            && self.outcome.is_none()
    }

    /// Whether the host may start the game now.
    pub fn can_start(&self) -> bool {
        self.is_host()
            && !self.started()
            && self.players.len() >= self.needed.max(1)
            && self.connection == Connection::Connected
    }

    /// The waiting room's headline and the line below it.
    pub fn waiting_lines(&self) -> (String, String) {
        let waiting = self.needed.saturating_sub(self.players.len());
        match &self.host {
            None => (
                format!(
                    "Waiting for {waiting} more player{}…",
                    if waiting == 1 { "" } else { "s" }
                ),
                format!("The game starts with {} players.", self.needed),
            ),
            Some(_) if self.is_host() => (
                "Your room is ready".to_owned(),
                if waiting > 0 {
                    format!(
                        "Invite friends: you can start with {} players or more.",
                        self.needed
                    )
                } else {
                    "Start when everyone is here.".to_owned()
                },
            ),
            Some(host) => (
                format!("Waiting for {host} to start the game…"),
                if self.spectator {
                    "You are watching this room.".to_owned()
                } else {
                    "Chat while you wait.".to_owned()
                },
            ),
        }
    }

    /// The room's players in ring order; with `show_turn`, whose turn it is.
    pub fn player_rows(&self, show_turn: bool) -> Vec<PlayerRow> {
        self.players
            .iter()
            .map(|player| PlayerRow {
                name: player.name.clone(),
                points: player.points,
                away: player.away,
                current: show_turn && self.turn.as_ref() == Some(&player.name),
                me: !self.spectator && self.me.as_ref() == Some(&player.name),
                host: self.host.as_ref() == Some(&player.name),
                computer: player.computer,
            })
            .collect()
    }

    /// How many watch, with their names once `/who` told them.
    pub fn watching(&self) -> String {
        let count = match self.watchers {
            0 => "Nobody is watching.".to_owned(),
            1 => "1 watching".to_owned(),
            n => format!("{n} watching"),
        };
        if self.spectators.is_empty() {
            count
        } else {
            format!("{count}: {}", self.spectators.join(", "))
        }
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

    /// The keyboard: the alphabet's letters, which were tried and which may
    /// be pressed now.
    pub fn keys(&self) -> Vec<Key> {
        // Letter by letter: one the browser does not know costs its key,
        // not the keyboard.
        tiles(&self.alphabet)
            .into_iter()
            .flatten()
            .filter_map(|tile| single_letter(&tile))
            .map(|letter| Key {
                tried: self.tried.contains(&letter),
                enabled: self.can_name(&letter),
                letter,
            })
            .collect()
    }

    /// Whole seconds left for the current turn at page clock `now`.
    pub fn seconds_left(&self, now: u64) -> Option<u32> {
        Some(seconds_until(self.turn_deadline?, now))
    }

    /// What the countdown counts, in words (for its label).
    pub fn countdown_label(&self) -> String {
        match &self.turn {
            _ if self.my_turn => "Time left for your move".to_owned(),
            Some(name) => format!("Time left for {name}'s move"),
            None => "Time left".to_owned(),
        }
    }

    /// The results' headline: who won, from this page's view.
    pub fn winner_line(&self) -> String {
        match self.outcome.as_ref().and_then(|o| o.winner.as_ref()) {
            Some(winner) if !self.spectator && self.me.as_ref() == Some(winner) => {
                "You won!".to_owned()
            }
            Some(winner) => format!("{winner} won!"),
            None => "Nobody guessed the word.".to_owned(),
        }
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

    /// What the "play again" button says.
    pub fn play_again_label(&self) -> &'static str {
        match (self.private_room, self.spectator) {
            (true, true) => "Play in the next game",
            (true, false) => "Play again in this room",
            (false, _) => "Play again",
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
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::state::PlayerView;

    fn player(name: &str, points: u32, away: bool) -> PlayerView {
        PlayerView {
            name: name.into(),
            points,
            away,
            computer: false,
        }
    }

    /// alice (this page) and bob in bob's room; alice's turn.
    fn room() -> GameState {
        GameState {
            me: Some("alice".into()),
            host: Some("bob".into()),
            players: vec![player("alice", 3, false), player("bob", 0, true)],
            needed: 2,
            turn: Some("alice".into()),
            my_turn: true,
            alphabet: "abc".into(),
            tried: BTreeSet::from(["b".to_owned()]),
            ..GameState::default()
        }
    }

    #[test]
    fn the_ranking_puts_most_points_first_and_keeps_the_ring_order_of_ties() {
        let score = |name: &str, points| Score {
            name: name.into(),
            points,
            computer: false,
        };
        let ring = [score("a", 1), score("b", 9), score("c", 1), score("d", 4)];
        let names: Vec<String> = ranking(&ring).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["b", "d", "a", "c"]);
    }

    #[test]
    fn player_rows_mark_me_the_host_the_away_and_the_turn() {
        let state = room();
        let rows = state.player_rows(true);
        assert_eq!(
            rows[0],
            PlayerRow {
                name: "alice".into(),
                points: 3,
                away: false,
                current: true,
                me: true,
                host: false,
                computer: false,
            }
        );
        assert!(rows[1].host && rows[1].away && !rows[1].me && !rows[1].current);
        assert!(!state.player_rows(false)[0].current, "no turn in the lobby");
        let watching = GameState {
            spectator: true,
            ..room()
        };
        assert!(
            !watching.player_rows(true)[0].me,
            "a spectator is no player"
        );
    }

    #[test]
    fn keys_follow_the_turn_and_the_tried_letters() {
        let keys = room().keys();
        let view: Vec<_> = keys
            .iter()
            .map(|key| (key.letter.as_str(), key.tried, key.enabled))
            .collect();
        assert_eq!(
            view,
            [("a", false, true), ("b", true, false), ("c", false, true)]
        );
        let waiting = GameState {
            my_turn: false,
            ..room()
        };
        assert!(waiting.keys().iter().all(|key| !key.enabled));
    }

    #[test]
    fn headlines_and_labels_read_from_this_page() {
        let state = room();
        assert_eq!(
            state.waiting_lines(),
            (
                "Waiting for bob to start the game…".to_owned(),
                "Chat while you wait.".to_owned()
            )
        );
        assert_eq!(state.countdown_label(), "Time left for your move");
        assert_eq!(state.watching(), "Nobody is watching.");
        let watched = GameState {
            watchers: 2,
            spectators: vec!["carol".into(), "dan".into()],
            ..room()
        };
        assert_eq!(watched.watching(), "2 watching: carol, dan");
        assert_eq!(state.winner_line(), "Nobody guessed the word.");
        assert_eq!(state.play_again_label(), "Play again");
        assert_eq!(seconds_until(10_001, 0), 11);
        assert_eq!(seconds_until(5, 10), 0);
    }
}
