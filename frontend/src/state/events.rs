//! Applying the server's events: each [`ServerEvent`] on the current
//! connection updates the ring, the word, the turn and its deadline, the
//! chat, the room's settings and records, and the log (the same text a
//! terminal player reads, without protocol lines or the private token).
//!
//! An error before the server's `Accepted` refuses the way in (the
//! connection policy takes it from there); after it, it is shown to the
//! player.

use wordguess_protocol::{ResumeToken, SeatView, ServerEvent};

use super::records::Remote;
use super::{
    ChatLine, Entry, GameState, Outcome, PlayerView, RoomInfo, RoomSettings, SavedSeat, Tally,
};

/// The most log lines kept.
const LOG_LINES: usize = 200;
/// The most chat lines kept.
const CHAT_LINES: usize = 100;

impl GameState {
    /// Applies `event`, which came on the current connection.
    pub(super) fn apply(&mut self, event: ServerEvent) {
        if let ServerEvent::Error { message } = &event {
            if !self.accepted {
                self.refuse(message.clone());
                return;
            }
        }
        self.log_event(&event);
        match event {
            // A vote to remove a player is for the log (it shows the text).
            ServerEvent::Welcome | ServerEvent::KickVote { .. } => {}
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
                    Some(Entry::Create | Entry::VersusComputer) => self.private_room = true,
                    _ => {}
                }
                self.me = Some(name);
            }
            ServerEvent::Joined {
                players,
                needed,
                host,
                computers,
                ..
            } => {
                self.seat_names(players, &computers);
                self.needed = needed;
                if host.is_some() {
                    self.host = host;
                    self.private_room = true;
                }
            }
            ServerEvent::Left { name } => self.players.retain(|p| p.name != name),
            ServerEvent::HostChanged { name } => self.host = Some(name),
            ServerEvent::Started {
                players,
                computers,
                masked,
                alphabet,
            } => {
                self.seat_names(players, &computers);
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
                // One by one: collecting into a set sorts, and a sort's code
                // costs the app more than these few letters do.
                self.tried.clear();
                self.tried.extend(tried);
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
    fn seat_names(&mut self, names: Vec<String>, computers: &[String]) {
        self.players = names
            .into_iter()
            .map(|name| {
                let computer = computers.contains(&name);
                let known = self.players.iter().find(|p| p.name == name).cloned();
                PlayerView {
                    computer,
                    ..known.unwrap_or(PlayerView {
                        name,
                        points: 0,
                        away: false,
                        computer,
                    })
                }
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
                computer: seat.computer.is_some(),
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
}
