//! Computer players in a room: the host seats them (`/bot LEVEL`) and takes
//! them out (`/unbot NAME`, or `/kick`); a quick-match player who waits
//! alone for `--bot-after` gets them as opponents. A computer player is a
//! seat of the game ([`Game::join_computer`](wordguess_game::Game)) with no
//! connection and no token; the room makes its moves, through the same
//! rules and the same path as a person's (logged, saved, then sent), after
//! a pause people can follow: 1 to 3 s, or 0.5 to 1.5 s when a computer
//! player moved last. Its decisions ([`wordguess_game::bot`]) and pauses
//! come from a seed the room draws once from its random source.
//!
//! A private room remembers its computer players, like its settings: they
//! sit down again after the first person of each next game, and they come
//! back with the room after a restart.

use std::time::Duration;

use wordguess_game::{check_name_free, Delivery, Phase, PlayerId};
use wordguess_protocol::BotLevel;

use super::RoomCore;
use crate::room::messages::RoomKind;
use crate::room::saved::SavedComputer;
use crate::support::clock::Now;

/// Computer players one room may hold at once.
pub const MOST_COMPUTERS: usize = 8;

/// The names computer players get, the first free one first.
const NAMES: [&str; 8] = [
    "Robo", "Bolt", "Chip", "Pixel", "Byte", "Gizmo", "Sprocket", "Widget",
];

/// SplitMix64: one well-mixed number from `seed` and `salt`.
fn mix(seed: u64, salt: u64) -> u64 {
    let mut z = seed.wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How long a computer player waits before its move number `moves`.
fn pause(seed: u64, moves: u32, after_computer: bool) -> Duration {
    let (least, spread) = if after_computer {
        (500, 1_000)
    } else {
        (1_000, 2_000)
    };
    Duration::from_millis(least + mix(seed, u64::from(moves) << 1) % (spread + 1))
}

impl RoomCore {
    /// The host seats a computer player of `level` before the start.
    pub(super) fn add_computer(
        &mut self,
        by: PlayerId,
        level: BotLevel,
        now: Now,
    ) -> Result<Vec<Delivery>, String> {
        if self.kind == RoomKind::QuickMatch {
            return Err(
                "a quick match gets computer players by itself when a player \
                 waits alone; /new makes a room of your own"
                    .to_owned(),
            );
        }
        self.host_only(by, "add computer players")?;
        if self.game.phase() != Phase::Gathering {
            return Err("computer players can only join before the game starts".to_owned());
        }
        if self.game.computers().len() >= MOST_COMPUTERS {
            return Err(format!(
                "a room holds at most {MOST_COMPUTERS} computer players"
            ));
        }
        let (deliveries, name) = self.seat_computer(level, None, now)?;
        self.extras
            .rare_mut()
            .computers
            .push(SavedComputer { name, level });
        Ok(deliveries)
    }

    /// Seats a computer player of `level` under a free name.
    fn seat_computer(
        &mut self,
        level: BotLevel,
        name: Option<&str>,
        now: Now,
    ) -> Result<(Vec<Delivery>, String), String> {
        let name = self.free_computer_name(name);
        let id = PlayerId(self.next_seat);
        let deliveries = self
            .game
            .join_computer(id, &name, level, now.instant)
            .map_err(|error| error.to_string())?;
        self.next_seat += 1;
        tracing::info!(room = %self.code, computer = %name, %level, "computer player seated");
        Ok((deliveries, name))
    }

    /// `wanted` if nobody in the room has it (or looks like it), else the
    /// first such of [`NAMES`], else `Robo 2`, `Robo 3` and so on.
    fn free_computer_name(&self, wanted: Option<&str>) -> String {
        let players = self.game.players();
        let taken: Vec<&str> = players
            .iter()
            .map(String::as_str)
            .chain(self.spectators.values().map(String::as_str))
            .collect();
        let free = |name: &str| check_name_free(taken.iter().copied(), name).is_ok();
        wanted
            .into_iter()
            .chain(NAMES)
            .map(str::to_owned)
            .chain((2..).map(|n| format!("{} {n}", NAMES[0])))
            .find(|name| free(name))
            .unwrap_or_else(|| unreachable!("the numbered names never run out"))
    }

    /// The host takes the computer player called `name` out (`/unbot`,
    /// or `/kick` naming a computer player): its seat leaves as if it had
    /// quit, and the room's next games are without it.
    pub(super) fn remove_computer(
        &mut self,
        by: PlayerId,
        name: &str,
        now: Now,
    ) -> Result<Vec<Delivery>, String> {
        if self.kind == RoomKind::QuickMatch {
            return Err("a quick match has no host to take computer players out".to_owned());
        }
        self.host_only(by, "take computer players out")?;
        let target = self
            .seat_named(name)
            .ok()
            .filter(|&seat| self.game.computer_level(seat).is_some())
            .ok_or_else(|| format!("no computer player called {name} is in this room"))?;
        Ok(self.take_computer_out(target, now))
    }

    /// Computer player `target` leaves the game as if it had quit, and the
    /// room's next games are without it.
    pub(super) fn take_computer_out(&mut self, target: PlayerId, now: Now) -> Vec<Delivery> {
        let removed = self.game.name_of(target).unwrap_or_default().to_owned();
        self.extras
            .rare_mut()
            .computers
            .retain(|computer| computer.name != removed);
        self.game.leave(target, now.instant)
    }

    /// The room's remembered computer players sit down after the first
    /// person of a new game.
    pub(super) fn seat_remembered_computers(&mut self, now: Now) {
        if self.kind != RoomKind::Private || self.game.ring().len() != 1 {
            return;
        }
        let remembered = self.extras.computers().to_vec();
        let mut renamed = Vec::new();
        for SavedComputer { name, level } in remembered {
            match self.seat_computer(level, Some(&name), now) {
                Ok((deliveries, name)) => {
                    renamed.push(SavedComputer { name, level });
                    self.deliver(deliveries, now);
                }
                Err(error) => {
                    tracing::warn!(room = %self.code, %error, "a computer player stays out")
                }
            }
        }
        // A name a person took since is replaced by the one the computer
        // player has now.
        if !renamed.is_empty() {
            self.extras.rare_mut().computers = renamed;
        }
    }

    /// Seat `mover` made a move: whether it was a computer player's sets
    /// the next computer player's pause.
    pub(super) fn moved(&mut self, mover: PlayerId) {
        let computer = self.game.computer_level(mover).is_some();
        if computer {
            self.extras.rare_mut().computer_moved_last = true;
        } else if let Some(rare) = self.extras.rare_if_any() {
            rare.computer_moved_last = false;
        }
    }

    /// A seat left a quick-match game before its start: whoever is left
    /// waits afresh (the wait is never shorter than `--bot-after` for
    /// anyone still there).
    pub(super) fn restart_wait(&mut self) {
        if let Some(rare) = self.extras.rare_if_any() {
            rare.waiting_since = None;
        }
    }

    /// Runs what is due for computer players at `now`: the move of the
    /// one to move, and computer opponents for a quick-match player who
    /// waited long enough.
    pub(super) fn computers_timeout(&mut self, now: Now) {
        self.fill_quick_match(now);
        let Some((id, moves, at)) = self.extras.rare().and_then(|rare| rare.due) else {
            return;
        };
        if at > now.instant
            || self.game.moves() != moves
            || self.game.computer_to_move().map(|(mover, _)| mover) != Some(id)
        {
            return;
        }
        let seed = mix(self.seed(), u64::from(moves) << 1 | 1);
        let Some((mover, mv)) = self.game.computer_move(self.word_list().words(), seed) else {
            return;
        };
        self.extras.rare_mut().due = None;
        let deliveries = self.play(mover, mv, now);
        self.deliver(deliveries, now);
    }

    /// A quick-match game whose players waited `--bot-after` gets computer
    /// players (normal) until it has enough to start, and starts.
    fn fill_quick_match(&mut self, now: Now) {
        let Some(after) = self.defaults.bot_after else {
            return;
        };
        let waited = self
            .extras
            .rare()
            .and_then(|rare| rare.waiting_since)
            .is_some_and(|since| since + after <= now.instant);
        if !waited {
            return;
        }
        while self.game.phase() == Phase::Gathering {
            match self.seat_computer(BotLevel::Normal, None, now) {
                Ok((deliveries, _)) => self.deliver(deliveries, now),
                Err(error) => {
                    // The wait starts again rather than waking the room
                    // at once for ever.
                    tracing::warn!(room = %self.code, %error, "no computer opponent");
                    self.extras.rare_mut().waiting_since = None;
                    break;
                }
            }
        }
    }

    /// The room's seed for computer players, drawn once.
    fn seed(&mut self) -> u64 {
        if let Some(seed) = self.extras.rare().and_then(|rare| rare.seed) {
            return seed;
        }
        let token = (self.tokens.0)();
        let seed = mix(
            u64::from_str_radix(&token.as_str()[..16], 16).unwrap_or_default(),
            0,
        );
        self.extras.rare_mut().seed = Some(seed);
        seed
    }

    /// Bookkeeping after each step: the computer player to move gets its
    /// moment (kept while it is the same move), and a quick-match room's
    /// wait is timed.
    pub(super) fn schedule_computers(&mut self, now: Now) {
        let to_move = self
            .game
            .computer_to_move()
            .map(|(id, _)| (id, self.game.moves()));
        let scheduled = self
            .extras
            .rare()
            .and_then(|rare| rare.due)
            .map(|(id, moves, _)| (id, moves));
        if to_move != scheduled {
            let due = match to_move {
                Some((id, moves)) => {
                    let seed = self.seed();
                    let after_computer = self
                        .extras
                        .rare()
                        .is_some_and(|rare| rare.computer_moved_last);
                    Some((id, moves, now.instant + pause(seed, moves, after_computer)))
                }
                None => None,
            };
            if due.is_some() || self.extras.rare().is_some() {
                self.extras.rare_mut().due = due;
            }
        }
        // Someone present waits (after a restart every seat is away until
        // its player is back).
        let waiting = self.kind == RoomKind::QuickMatch
            && self.defaults.bot_after.is_some()
            && self.game.phase() == Phase::Gathering
            && self
                .game
                .ring()
                .into_iter()
                .any(|seat| !self.game.is_away(seat));
        let since = self.extras.rare().and_then(|rare| rare.waiting_since);
        match (waiting, since) {
            (true, None) => self.extras.rare_mut().waiting_since = Some(now.instant),
            (false, Some(_)) => self.extras.rare_mut().waiting_since = None,
            _ => {}
        }
        let computers_here = !self.game.computers().is_empty();
        if let Some(rare) = self.extras.rare_if_any() {
            if !computers_here && rare.computers.is_empty() {
                rare.seed = None;
                rare.computer_moved_last = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_stay_within_their_bounds_and_vary() {
        let pauses: Vec<Duration> = (0..200).map(|moves| pause(42, moves, false)).collect();
        assert!(pauses
            .iter()
            .all(|p| (Duration::from_secs(1)..=Duration::from_secs(3)).contains(p)));
        assert!(pauses.iter().any(|p| *p < Duration::from_millis(1_500)));
        assert!(pauses.iter().any(|p| *p > Duration::from_millis(2_500)));
        let quick: Vec<Duration> = (0..200).map(|moves| pause(42, moves, true)).collect();
        assert!(quick
            .iter()
            .all(|p| (Duration::from_millis(500)..=Duration::from_millis(1_500)).contains(p)));
    }
}
