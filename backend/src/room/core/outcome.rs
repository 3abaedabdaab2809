//! Where a step's events go, what a finished game leaves behind (history
//! and the tally), and the bookkeeping that ends every step.

use std::collections::VecDeque;
use std::sync::Arc;

use wordguess_game::{
    Delivery, Game, Phase, PlayerId, Recipient, ENGLISH_ALPHABET, UKRAINIAN_ALPHABET,
};
use wordguess_protocol::{GameRecord, PlayerRecord, ServerEvent};

use super::{Member, RoomCore};
use crate::delivery::Message;
use crate::room::messages::{RoomKind, RoomReport};
use crate::support::clock::Now;
use crate::support::ids::Door;

/// The door a computer player's history record names.
pub const COMPUTER_DOOR: &str = wordguess_protocol::history::COMPUTER_DOOR;

/// The language of a game's word, for history: `uk`, `en` or empty.
fn language_of(game: &Game) -> &'static str {
    match game.alphabet() {
        ENGLISH_ALPHABET => "en",
        UKRAINIAN_ALPHABET => "uk",
        _ => "",
    }
}

impl RoomCore {
    /// Holds the game's deliveries for their recipients. The results of a
    /// game also go into history, and the room's tally follows them.
    pub(super) fn deliver(&mut self, deliveries: Vec<Delivery>, now: Now) {
        let mut queue: VecDeque<Delivery> = deliveries.into();
        while let Some(Delivery { to, event }) = queue.pop_front() {
            if let ServerEvent::GameOver { winner, scores, .. } = &event {
                self.games_played += 1;
                if let Some(winner) = winner {
                    *self.wins.entry(winner.clone()).or_default() += 1;
                    let computer = scores
                        .iter()
                        .any(|score| score.name == *winner && score.computer);
                    self.extras.won(winner, computer);
                }
                tracing::info!(room = %self.code, "game ended");
                self.records.push(self.record(&event, now));
                // The tally goes out right after the results, before /quit.
                queue.push_front(Delivery {
                    to: Recipient::All,
                    event: self.tally_event(),
                });
            }
            self.address(to, event);
        }
    }

    /// Holds one event for one seat, or for every seat and spectator.
    fn address(&mut self, to: Recipient, event: ServerEvent) {
        let event = Arc::new(event);
        let seats: Vec<PlayerId> = match to {
            Recipient::All => self.seats.keys().copied().collect(),
            Recipient::Only(id) => vec![id],
        };
        for id in seats {
            let Some(conn) = self.seats.get(&id).and_then(|link| link.conn) else {
                continue;
            };
            self.effects
                .messages
                .push((conn, Message::Event(event.clone())));
        }
        if to == Recipient::All {
            for &conn in self.spectators.keys() {
                self.effects
                    .messages
                    .push((conn, Message::Event(event.clone())));
            }
        }
    }

    /// Holds an event for everyone in the room.
    pub(super) fn tell_everyone(&mut self, event: ServerEvent) {
        self.address(Recipient::All, event);
    }

    /// A notice to everyone in the room.
    pub(super) fn notice_all(&mut self, message: &str) {
        self.tell_everyone(ServerEvent::Notice {
            message: message.to_owned(),
        });
    }

    /// A finished game for history, from its results.
    fn record(&self, game_over: &ServerEvent, now: Now) -> GameRecord {
        let ServerEvent::GameOver {
            word,
            winner,
            scores,
            ..
        } = game_over
        else {
            unreachable!("a record is made from the results");
        };
        // A computer player came through no door: its record says so.
        let doors = self.game.ring().into_iter().map(|id| {
            match (self.game.computer_level(id), self.seats.get(&id)) {
                (Some(_), _) => COMPUTER_DOOR,
                (None, Some(link)) => link.door.as_str(),
                (None, None) => Door::Tcp.as_str(),
            }
        });
        let ended_at = now.unix_millis;
        GameRecord {
            room: self.code.to_string(),
            word: word.clone(),
            language: language_of(&self.game).to_owned(),
            players: scores
                .iter()
                .zip(doors)
                .map(|(score, door)| PlayerRecord {
                    name: score.name.clone(),
                    door: door.to_owned(),
                    points: score.points,
                })
                .collect(),
            winner: winner.clone(),
            moves: self.game.moves(),
            started_at: self.started_at.unwrap_or(ended_at),
            ended_at,
        }
    }

    /// Bookkeeping after each step: seats that left for good lose their
    /// tokens; a finished game frees every seat; the directory hears of a
    /// quick-match seat freed before the start and of the gathering's end;
    /// the empty-room clock is kept up to date.
    pub(super) fn finish_step(&mut self, now: Now) {
        let over = self.game.phase() == Phase::Over;
        let gone: Vec<PlayerId> = self
            .seats
            .keys()
            .copied()
            .filter(|&id| over || !self.game.is_seated(id))
            .collect();
        let mut revoked = Vec::new();
        for id in gone {
            if let Some(link) = self.seats.remove(&id) {
                revoked.push(link.token);
                if let Some(conn) = link.conn {
                    self.members.remove(&conn);
                    self.effects.left.push(conn);
                }
            }
            self.chat.remove(&Member::Seat(id));
            if self.kind == RoomKind::QuickMatch && self.game.phase() == Phase::Gathering {
                // A seat before the start is free for the next newcomer.
                self.effects.reports.push(RoomReport::QuickSeatFreed);
                self.restart_wait();
            }
        }
        if !revoked.is_empty() {
            self.effects
                .reports
                .push(RoomReport::TokensRevoked(revoked));
        }
        if self.gathering && self.game.phase() != Phase::Gathering {
            self.gathering = false;
            self.effects.reports.push(RoomReport::GatheringOver);
        }
        if self.game.phase() == Phase::Playing && self.started_at.is_none() {
            self.started_at = Some(now.unix_millis);
        }
        let empty = self.seats.is_empty() && self.spectators.is_empty();
        match (empty, self.empty_since) {
            (true, None) => self.empty_since = Some(now.instant),
            (false, Some(_)) => self.empty_since = None,
            _ => {}
        }
        self.idle = self.empty_since.is_some_and(|since| {
            now.instant.saturating_duration_since(since) >= self.defaults.idle_close
        });
        self.schedule_computers(now);
        self.extras
            .expire_votes(now.instant, super::commands::VOTE_WINDOW);
        self.extras.tidy();
    }
}
