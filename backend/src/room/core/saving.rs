//! What a room saves, and when.
//!
//! After each step the room gives its driver the writes that make the step
//! durable: nothing if nothing changed; a move logged alone (a small row of
//! the store's move log, which [`Game::replay`] replays after a restart)
//! when the step is only a move of a game in play with every seat here;
//! else its whole state ([`RoomSave`], only if its hash changed) with any
//! finished games. The whole state is saved again after [`MOST_LOGGED`]
//! logged moves, within [`SAVE_WHOLE_WITHIN`] of the first, and at any
//! other change. A failed save is told to the players once, and retried
//! whole after a wait that doubles up to [`SAVE_RETRY_MAX`]; play goes on.

use std::time::Duration;

#[cfg(debug_assertions)]
use wordguess_game::Game;
#[cfg(debug_assertions)]
use wordguess_game::PlayerId;

use super::{RoomCore, WordSource};
use crate::persistence::release::SaveReport;
#[cfg(debug_assertions)]
use crate::persistence::LoggedMove;
use crate::persistence::Write;
use crate::room::messages::RoomReport;
#[cfg(debug_assertions)]
use crate::room::saved::logged_move;
use crate::room::saved::{RoomSave, SavedLink, SavedWords};
use crate::support::clock::Now;

/// Moves logged alone before the room's whole state is saved again (a
/// restart replays at most this many per room).
pub const MOST_LOGGED: u32 = 64;
/// How soon after a logged move the whole state is saved at the latest, so
/// the store can delete the log behind it.
pub const SAVE_WHOLE_WITHIN: Duration = Duration::from_secs(5);
/// The wait before saving again after a failed save; it doubles after
/// each failure, up to [`SAVE_RETRY_MAX`].
const SAVE_RETRY_FIRST: Duration = Duration::from_secs(1);
/// The longest wait between attempts to save a room that cannot be saved.
const SAVE_RETRY_MAX: Duration = Duration::from_secs(30);

/// A hash of a saved state, to tell whether it changed.
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl RoomCore {
    /// Whether a move made now may be logged alone: the room is saved
    /// whole and its saves work (every attempt after a failure saves the
    /// room whole), fewer than [`MOST_LOGGED`] are logged, and a replay
    /// would make the move the same way.
    pub(super) fn may_log_move(&self) -> bool {
        self.persistent
            && self.saved.is_some()
            && self.retry.is_none()
            && self.logged < MOST_LOGGED
            && self.game.is_replayable()
    }

    /// The room's state, to be saved.
    pub fn to_save(&self) -> RoomSave {
        RoomSave {
            kind: self.kind,
            words: match &self.words {
                WordSource::Server => SavedWords::Server,
                WordSource::Builtin(_) => {
                    SavedWords::Builtin(self.language.unwrap_or(wordguess_protocol::Language::Both))
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
            computers: self.extras.computers().to_vec(),
            computer_winners: self.extras.computer_winners().to_vec(),
        }
    }

    /// What the store must be told after this step: the move alone, or the
    /// room's state if it changed since the last save (compared by a hash
    /// of its text) and finished games. Nothing without a store that keeps
    /// rooms, or while a failed save waits for its retry.
    pub(super) fn changes(&mut self, now: Now) -> Vec<Write> {
        let move_to_log = self.move_to_log.take();
        let now = now.instant;
        let waiting = self.retry.is_some_and(|(at, _)| now < at);
        if !self.persistent {
            // Without a store, finished games are not kept for history.
            self.records.clear();
            return Vec::new();
        }
        if waiting {
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
            self.check_replay(&logged, now);
            return vec![Write::LogMove(logged)];
        }
        let mut writes: Vec<Write> = self.records.drain(..).map(Write::RecordGame).collect();
        // Whatever happens below, nothing logged waits for a save any more
        // (a failed save starts over with a whole one).
        self.logged = 0;
        self.save_by = None;
        match serde_json::to_string(&self.to_save()) {
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
    fn check_replay(&mut self, logged: &LoggedMove, now: std::time::Instant) {
        let base = self
            .replayed
            .take()
            .expect("a logged move follows a whole save");
        let replayed = Game::replay(base, PlayerId(logged.mover), logged_move(logged), now);
        assert_eq!(
            replayed.as_ref().ok(),
            Some(&self.game.save()),
            "a logged move must replay to the room's game"
        );
        self.replayed = replayed.ok();
    }

    /// The store's report on a save: a failure is logged and told to the
    /// room once (play goes on; the next step saves again, finished games
    /// included), and so is the first save that works again.
    pub(super) fn saved(&mut self, report: SaveReport, now: Now) {
        match report {
            // The driver stops a lost room before its core hears of it.
            SaveReport::Lost => {}
            SaveReport::Recovered => {
                self.retry = None;
                // Steps made while the attempt was under way went unsaved:
                // the room is saved whole now (this report is a step), and
                // only then are moves logged on it again.
                self.saved = None;
                if self.unsaved {
                    self.unsaved = false;
                    self.effects
                        .reports
                        .push(RoomReport::Saving { works: true });
                    tracing::info!(room = %self.code, "saving works again");
                    self.notice_all("This room is being saved again.");
                }
            }
            SaveReport::Failed { error, records } => {
                tracing::error!(room = %self.code, %error, "cannot save the room");
                // Saved again in full at the next attempt, finished games too.
                self.saved = None;
                self.logged = 0;
                self.save_by = None;
                self.records.extend(records);
                let wait = self
                    .retry
                    .map_or(SAVE_RETRY_FIRST, |(_, wait)| (wait * 2).min(SAVE_RETRY_MAX));
                self.retry = Some((now.instant + wait, wait));
                if !self.unsaved {
                    self.unsaved = true;
                    self.effects
                        .reports
                        .push(RoomReport::Saving { works: false });
                    self.notice_all(
                        "The server cannot save this room any more (its database cannot be \
                         written); the game goes on, but would not survive a server restart.",
                    );
                }
            }
        }
    }
}
