//! What members ask of the room: moves, the start, chat, `/who`, and the
//! host's settings.

use std::time::Duration;

use wordguess_game::{Delivery, Move, Phase, PlayerId, Recipient};
use wordguess_protocol::text::fold;
use wordguess_protocol::{Language, Score, ServerEvent};

use super::{Member, RoomCore, WordSource};
use crate::delivery::Signal;
use crate::persistence::LoggedMove;
use crate::room::messages::{RoomCommand, RoomKind};
use crate::support::clock::Now;
use crate::support::ids::ConnId;
use crate::support::rate::TokenBucket;
use crate::support::words::WordList;

/// Chat lines a member may send at once, and then one every two seconds.
const CHAT_BURST: u32 = 5;
/// Chat lines a member may send a second, sustained.
const CHAT_PER_SECOND: f64 = 0.5;
/// Votes that remove a player at the least: nobody removes another alone.
const FEWEST_VOTES_NEEDED: usize = 2;
/// How long a vote to remove a player counts.
pub const VOTE_WINDOW: Duration = Duration::from_secs(60);

impl RoomCore {
    /// A command from a connection in the room. One from a connection the
    /// room does not know (it reached a room that moved between nodes
    /// before its connection was back in it, or the room counted the
    /// connection gone with its node) is refused, so nothing is lost without
    /// a word, and its session is asked to enter again.
    pub(super) fn command(&mut self, conn: ConnId, command: RoomCommand, now: Now) {
        let Some(&member) = self.members.get(&conn) else {
            let message = "that line reached the room before you were back in it; \
                           send it again"
                .to_owned();
            self.post(conn, ServerEvent::Error { message });
            self.answer(conn, Signal::Missed);
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
            RoomCommand::Start => match self.game.start(id, now.instant) {
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
            RoomCommand::Kick(name) => match self.kick(id, &name, now) {
                Ok(deliveries) => deliveries,
                Err(error) => private(error),
            },
            RoomCommand::Bot(level) => match self.add_computer(id, level, now) {
                Ok(deliveries) => deliveries,
                Err(error) => private(error),
            },
            RoomCommand::Unbot(name) => match self.remove_computer(id, &name, now) {
                Ok(deliveries) => deliveries,
                Err(error) => private(error),
            },
            RoomCommand::VoteKick(name) => match self.vote_kick(id, &name, now) {
                Ok(deliveries) => deliveries,
                Err(error) => private(error),
            },
            setting => match self.change_setting(id, setting) {
                Ok(()) => vec![Delivery {
                    to: Recipient::All,
                    event: self.settings_event(),
                }],
                Err(error) => private(error),
            },
        };
        self.deliver(deliveries, now);
    }

    /// Seat `id`'s move (a person's or a computer player's). A move that keeps the game in play, made while a
    /// replay would make it the same way, is kept to be logged alone.
    pub(super) fn play(&mut self, id: PlayerId, mv: Move, now: Now) -> Vec<Delivery> {
        let moves = self.game.moves();
        let logged = self.may_log_move().then(|| {
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
        let deliveries = self.game.play(id, mv, now.instant);
        if self.game.moves() == moves + 1 {
            self.moved(id);
            if self.game.phase() == Phase::Playing {
                self.move_to_log = logged;
            }
        }
        deliveries
    }

    fn spectator_command(&mut self, conn: ConnId, command: RoomCommand, now: Now) {
        if !self.spectators.contains_key(&conn) {
            return;
        }
        match command {
            RoomCommand::Say(text) => match self.chat(Member::Spectator(conn), text, now) {
                Ok(delivery) => self.deliver(vec![delivery], now),
                Err(message) => self.post(conn, ServerEvent::Error { message }),
            },
            RoomCommand::Who => self.post(conn, self.who()),
            // The session refuses everything else before it gets here.
            _ => {}
        }
    }

    fn chat(&mut self, member: Member, text: String, now: Now) -> Result<Delivery, String> {
        let now = now.instant;
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
            Member::Spectator(conn) => self.spectators.get(&conn).cloned().unwrap_or_default(),
        };
        Ok(Delivery {
            to: Recipient::All,
            event: ServerEvent::Chat { name, text },
        })
    }

    fn who(&self) -> ServerEvent {
        ServerEvent::Who {
            players: self.game.seats(),
            spectators: self.spectators.values().cloned().collect(),
        }
    }

    /// Refuses `id` unless it hosts the game; `what` it wanted to do.
    pub(super) fn host_only(&self, id: PlayerId, what: &str) -> Result<(), String> {
        if self.game.host() == Some(id) {
            return Ok(());
        }
        let host = self
            .game
            .host()
            .and_then(|h| self.game.name_of(h))
            .unwrap_or_default();
        Err(format!("only the host ({host}) can {what}"))
    }

    /// The host removes the player called `name`: its seat leaves the game
    /// (as if it had quit), it is told why and its connection closes, its
    /// token stops working, and that name (or one that looks like it) does
    /// not enter the room again while the room is open.
    fn kick(&mut self, id: PlayerId, name: &str, now: Now) -> Result<Vec<Delivery>, String> {
        if self.kind == RoomKind::QuickMatch {
            return Err(
                "a quick match has no host to remove players; /new makes a room of your own"
                    .to_owned(),
            );
        }
        self.host_only(id, "remove players")?;
        let target = self.seat_named(name)?;
        if target == id {
            return Err("you cannot remove yourself".to_owned());
        }
        if self.game.computer_level(target).is_some() {
            return Ok(self.take_computer_out(target, now));
        }
        let why = format!("The host removed you from room {}.", self.code);
        Ok(self.remove_player(target, why, now))
    }

    /// Seat `voter` votes to remove the player called `name` from a
    /// quick-match game in play; once more than half of the other people
    /// here, and at least two, agree within [`VOTE_WINDOW`], it is removed
    /// as the host's `/kick` would (nobody removes a player alone). Each
    /// vote is announced.
    fn vote_kick(
        &mut self,
        voter: PlayerId,
        name: &str,
        now: Now,
    ) -> Result<Vec<Delivery>, String> {
        if self.kind == RoomKind::Private {
            return Err(
                "in a private room the host removes players (/kick); votes are for quick matches"
                    .to_owned(),
            );
        }
        if self.game.phase() != Phase::Playing {
            return Err("votes to remove a player are for a game in play".to_owned());
        }
        let target = self.seat_named(name)?;
        if target == voter {
            return Err("you cannot vote to remove yourself".to_owned());
        }
        let target_name = self.game.name_of(target).unwrap_or_default().to_owned();
        if self.game.computer_level(target).is_some() {
            return Err(format!(
                "{target_name} is a computer player; only people are voted out"
            ));
        }
        let eligible: Vec<PlayerId> = self
            .game
            .ring()
            .into_iter()
            .filter(|&seat| {
                seat != target
                    && self.game.computer_level(seat).is_none()
                    && !self.game.is_away(seat)
            })
            .collect();
        let needed = (eligible.len() / 2 + 1).max(FEWEST_VOTES_NEEDED);
        let votes = self
            .extras
            .vote(target, voter, now.instant, VOTE_WINDOW, &eligible)
            .map_err(|_| format!("you already voted to remove {target_name}"))?;
        // Announced at once: the player voted out hears the last vote too.
        let vote = ServerEvent::KickVote {
            name: self.game.name_of(voter).unwrap_or_default().to_owned(),
            target: target_name,
            votes,
            needed,
        };
        self.tell_everyone(vote);
        if votes < needed {
            return Ok(Vec::new());
        }
        let why = format!("The players voted to remove you from room {}.", self.code);
        Ok(self.remove_player(target, why, now))
    }

    /// The seat of the player called `name` (in any letter case).
    pub(super) fn seat_named(&self, name: &str) -> Result<PlayerId, String> {
        let wanted = fold(name);
        self.game
            .ring()
            .into_iter()
            .find(|&seat| self.game.name_of(seat).is_some_and(|n| fold(n) == wanted))
            .ok_or_else(|| format!("nobody called {name} plays in this room"))
    }

    /// Removes a person from the room: its seat leaves the game (as if it
    /// had quit), it is told `why` and its connection closes, and its name
    /// (or one that looks like it) does not enter the room again while
    /// the room is open.
    fn remove_player(&mut self, target: PlayerId, why: String, now: Now) -> Vec<Delivery> {
        let removed = self.game.name_of(target).unwrap_or_default().to_owned();
        self.extras.bar(&removed);
        self.extras.forget_votes(target);
        if let Some(conn) = self.seats.get(&target).and_then(|link| link.conn) {
            self.post(conn, ServerEvent::Notice { message: why });
            self.post(conn, ServerEvent::Quit);
        }
        self.game.leave(target, now.instant)
    }

    fn change_setting(&mut self, id: PlayerId, setting: RoomCommand) -> Result<(), String> {
        if self.kind == RoomKind::QuickMatch {
            return Err(
                "quick-match games use the server's settings; /new makes a room of your own"
                    .to_owned(),
            );
        }
        self.host_only(id, "change the room's settings")?;
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

    /// The room's settings, as everyone sees them.
    pub(super) fn settings_event(&self) -> ServerEvent {
        let defaults = &self.defaults;
        let language: Language = self.language.unwrap_or(defaults.language);
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

    /// The room's tally of wins, most first.
    pub(super) fn tally_event(&self) -> ServerEvent {
        let mut wins: Vec<Score> = self
            .wins
            .iter()
            .map(|(name, &points)| Score {
                name: name.clone(),
                points,
                computer: self.extras.won_as_computer(name),
            })
            .collect();
        wins.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.name.cmp(&b.name)));
        ServerEvent::Tally {
            games: self.games_played,
            wins,
        }
    }
}
