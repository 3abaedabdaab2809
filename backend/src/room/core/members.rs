//! Who is in the room: players entering and taking their seats back,
//! spectators, connections leaving, and what a newcomer is told.

use std::collections::VecDeque;

use wordguess_game::{check_name_free, Delivery, JoinError, Phase, PlayerId};
use wordguess_protocol::{ResumeToken, ServerEvent};

use super::{Member, RoomCore, SeatLink};
use crate::delivery::Signal;
use crate::room::messages::{Role, RoomKind};
use crate::support::clock::Now;
use crate::support::ids::{ConnId, Door};

/// Replaced connections a room remembers.
const REPLACED_KEPT: usize = 64;

impl RoomCore {
    /// A named connection enters as a player or a spectator.
    pub(super) fn enter(&mut self, conn: ConnId, name: String, role: Role, door: Door, now: Now) {
        // A connection that is in the room already asks again (its entry was
        // sent twice while the room moved between nodes): it is greeted
        // again where it is, not seated twice.
        match self.members.get(&conn).copied() {
            Some(Member::Seat(id)) => {
                if let Some(token) = self.seats.get(&id).map(|link| link.token.clone()) {
                    self.resume(conn, &token, door, now);
                }
                return;
            }
            Some(Member::Spectator(_)) => {
                self.members.remove(&conn);
                self.spectators.remove(&conn);
            }
            None => {}
        }
        match role {
            Role::Player => self.enter_player(conn, name, door, now),
            Role::Spectator => self.enter_spectator(conn, name, now),
        }
    }

    fn enter_player(&mut self, conn: ConnId, name: String, door: Door, now: Now) {
        if self.game.phase() == Phase::Over {
            self.game = self.new_game();
            self.started_at = None;
        }
        if self.extras.bars(&name) {
            self.refuse(
                conn,
                "the host removed you from this room; you cannot join it again",
            );
            return;
        }
        let spectator_names = self.spectators.values().map(String::as_str);
        if let Err(error) = check_name_free(spectator_names, &name) {
            self.refuse(conn, error.to_string());
            return;
        }
        let id = PlayerId(self.next_seat);
        let deliveries = match self.game.join(id, &name, now.instant) {
            Ok(deliveries) => deliveries,
            Err(JoinError::NotGathering) if self.kind == RoomKind::QuickMatch => {
                self.answer(conn, Signal::Refused { retry: true });
                return;
            }
            Err(JoinError::NotGathering) => {
                let code = &self.code;
                let message =
                    format!(
                        "the game in room {code} has started; /watch {code} to watch it, or join again when it ends"
                    );
                self.refuse(conn, message);
                return;
            }
            Err(error) => {
                self.refuse(conn, error.to_string());
                return;
            }
        };
        self.next_seat += 1;
        tracing::info!(room = %self.code, player = %name, "seated");
        let token = self.issue_token();
        let seated = Signal::Seated {
            room: self.code.clone(),
            token: token.clone(),
            name: name.clone(),
        };
        self.answer(conn, seated);
        let mut deliveries: VecDeque<Delivery> = deliveries.into();
        // "Hello, NAME!" first, then where the player is, then the rest.
        if let Some(accepted) = deliveries.pop_front() {
            self.post(conn, accepted.event);
        }
        self.greet_seat(conn, &token);
        self.seats.insert(
            id,
            SeatLink {
                token,
                conn: Some(conn),
                door,
            },
        );
        self.members.insert(conn, Member::Seat(id));
        self.deliver(deliveries.into(), now);
        self.seat_remembered_computers(now);
    }

    fn enter_spectator(&mut self, conn: ConnId, name: String, now: Now) {
        let players = self.game.players();
        let names = players
            .iter()
            .map(String::as_str)
            .chain(self.spectators.values().map(String::as_str));
        if let Err(error) = check_name_free(names, &name) {
            self.refuse(conn, error.to_string());
            return;
        }
        tracing::info!(room = %self.code, spectator = %name, "watching");
        let watching = Signal::Watching {
            room: self.code.clone(),
        };
        self.answer(conn, watching);
        self.post(conn, ServerEvent::Accepted { name: name.clone() });
        self.welcome(conn);
        self.room_state(conn);
        self.post(conn, self.game.snapshot(now.instant));
        self.spectators.insert(conn, name);
        self.members.insert(conn, Member::Spectator(conn));
        self.announce_watchers();
    }

    /// A connection takes the seat of `token` back; a seat held by another
    /// connection moves to this one, and the other is told and closed.
    pub(super) fn resume(&mut self, conn: ConnId, token: &ResumeToken, door: Door, now: Now) {
        if self.replaced.contains(&conn) {
            self.tell_replaced(conn);
            return;
        }
        let seat = self
            .seats
            .iter()
            .find(|(id, link)| link.token == *token && self.game.is_seated(**id))
            .map(|(id, _)| *id);
        let Some(id) = seat else {
            self.refuse(
                conn,
                "that token no longer holds a seat (the game ended or the seat was given up); \
                 send your name, or /join CODE",
            );
            return;
        };
        let name = self.game.name_of(id).unwrap_or_default().to_owned();
        let link = self.seats.get_mut(&id).expect("the seat was just found");
        // The same connection asking again (its room moved to another node
        // and it entered again) keeps its seat: nothing is replaced.
        let replaced = link.conn.replace(conn).filter(|old| *old != conn);
        link.door = door;
        if let Some(old) = replaced {
            self.tell_replaced(old);
            self.members.remove(&old);
            self.effects.left.push(old);
            if self.replaced.len() >= REPLACED_KEPT {
                self.replaced.pop_front();
            }
            self.replaced.push_back(old);
        }
        self.members.insert(conn, Member::Seat(id));
        tracing::info!(room = %self.code, player = %name, "resumed");
        let seated = Signal::Seated {
            room: self.code.clone(),
            token: token.clone(),
            name: name.clone(),
        };
        self.answer(conn, seated);
        self.post(conn, ServerEvent::Accepted { name });
        self.greet_seat(conn, token);
        let deliveries = self.game.resume(id, now.instant);
        self.deliver(deliveries, now);
    }

    /// Tells `conn` its seat moved to a newer connection: it closes.
    fn tell_replaced(&mut self, conn: ConnId) {
        let moved = ServerEvent::Notice {
            message: "Your seat moved to another connection (/resume); this one closes.".to_owned(),
        };
        self.post(conn, moved);
        self.post(conn, ServerEvent::Quit);
        self.answer(conn, Signal::Replaced);
    }

    /// A connection closed: its seat is kept, away, or the spectator stops
    /// watching.
    pub(super) fn gone(&mut self, conn: ConnId, now: Now) {
        match self.members.remove(&conn) {
            Some(Member::Seat(id)) => {
                if let Some(link) = self.seats.get_mut(&id) {
                    link.conn = None;
                }
                let deliveries = self.game.disconnect(id, now.instant);
                self.deliver(deliveries, now);
            }
            Some(Member::Spectator(_)) => {
                self.spectators.remove(&conn);
                self.chat.remove(&Member::Spectator(conn));
                self.announce_watchers();
            }
            None => {}
        }
        self.effects.left.push(conn);
    }

    /// Refuses an entry: the reason to the connection, and the answer its
    /// session waits for (it stays where it was and may try again).
    fn refuse(&mut self, conn: ConnId, message: impl Into<String>) {
        self.post(
            conn,
            ServerEvent::Error {
                message: message.into(),
            },
        );
        self.answer(conn, Signal::Refused { retry: false });
    }

    /// The events that tell a newcomer where it is.
    fn welcome(&mut self, conn: ConnId) {
        let defaults = &self.defaults;
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
        self.post(conn, room);
    }

    /// What a connection that now holds a seat is told after its greeting:
    /// the room, its resume token, and the room's state.
    fn greet_seat(&mut self, conn: ConnId, token: &ResumeToken) {
        self.welcome(conn);
        let grace = self.defaults.resume_grace.as_secs();
        let token = ServerEvent::Token {
            token: token.to_string(),
            grace_seconds: u32::try_from(grace).unwrap_or(u32::MAX),
        };
        self.post(conn, token);
        self.room_state(conn);
    }

    /// Settings, tally and audience, for someone who just came in.
    fn room_state(&mut self, conn: ConnId) {
        self.post(conn, self.settings_event());
        if self.games_played > 0 {
            self.post(conn, self.tally_event());
        }
        if !self.spectators.is_empty() {
            let watchers = ServerEvent::Watchers {
                count: self.spectators.len(),
            };
            self.post(conn, watchers);
        }
    }

    fn announce_watchers(&mut self) {
        self.tell_everyone(ServerEvent::Watchers {
            count: self.spectators.len(),
        });
    }
}
