//! The part of a room's state that few rooms need, boxed and only while
//! some of it is in use (every room's task pays for the size of its state):
//! the names the host or a vote removed, the votes to remove a player, the
//! computer players a private room remembers, and when computer players
//! move.

use std::time::{Duration, Instant};

use wordguess_game::PlayerId;
use wordguess_protocol::text::skeleton;

use crate::room::saved::SavedComputer;

/// The part of a room's state that few rooms need: boxed, and only while
/// some of it is in use, since every room's task pays for the size of its
/// state.
#[derive(Debug, Default)]
pub(super) struct Extras(Option<Box<Rare>>);

/// What [`Extras`] holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Rare {
    /// The confusable skeletons of the names the host removed: none
    /// enters again while the room is open.
    pub(super) barred: Vec<String>,
    /// The private room's computer players, for its next games.
    pub(super) computers: Vec<SavedComputer>,
    /// Where computer players' decisions and pauses come from (drawn from
    /// the room's random source when first needed).
    pub(super) seed: Option<u64>,
    /// When the computer player to move makes its move: its seat, the
    /// game's move count it moves at, and the moment.
    pub(super) due: Option<(PlayerId, u32, Instant)>,
    /// Whether the last move was a computer player's.
    pub(super) computer_moved_last: bool,
    /// Since when the quick-match room's players wait for the start.
    pub(super) waiting_since: Option<Instant>,
    /// Votes to remove a player (quick match), oldest first.
    pub(super) votes: Vec<Vote>,
    /// The names in the room's tally whose wins are a computer player's.
    pub(super) computer_winners: Vec<String>,
}

/// One player's vote to remove another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Vote {
    /// Whom the vote is against.
    pub(super) target: PlayerId,
    /// Who voted.
    pub(super) voter: PlayerId,
    /// When.
    pub(super) at: Instant,
}

/// A vote the same player already cast against the same player.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AlreadyVoted;

impl Extras {
    pub(super) fn rare(&self) -> Option<&Rare> {
        self.0.as_deref()
    }

    pub(super) fn rare_mut(&mut self) -> &mut Rare {
        self.0.get_or_insert_with(Box::default)
    }

    /// The box's contents, if it is there (it is not made for this).
    pub(super) fn rare_if_any(&mut self) -> Option<&mut Rare> {
        self.0.as_deref_mut()
    }

    /// Frees the box once nothing in it is in use.
    pub(super) fn tidy(&mut self) {
        if self
            .0
            .as_deref()
            .is_some_and(|rare| *rare == Rare::default())
        {
            self.0 = None;
        }
    }

    /// Records `voter`'s vote against `target` at `now`, forgetting votes
    /// older than `window`; returns the votes against `target` by
    /// `eligible` players.
    pub(super) fn vote(
        &mut self,
        target: PlayerId,
        voter: PlayerId,
        now: Instant,
        window: Duration,
        eligible: &[PlayerId],
    ) -> Result<usize, AlreadyVoted> {
        let votes = &mut self.rare_mut().votes;
        votes.retain(|vote| now < vote.at + window);
        if votes
            .iter()
            .any(|vote| vote.target == target && vote.voter == voter)
        {
            return Err(AlreadyVoted);
        }
        votes.push(Vote {
            target,
            voter,
            at: now,
        });
        Ok(votes
            .iter()
            .filter(|vote| vote.target == target && eligible.contains(&vote.voter))
            .count())
    }

    /// Forgets the votes against and by `seat` (it left).
    pub(super) fn forget_votes(&mut self, seat: PlayerId) {
        if let Some(rare) = self.rare_if_any() {
            rare.votes
                .retain(|vote| vote.target != seat && vote.voter != seat);
        }
    }

    /// Forgets votes older than `window`.
    pub(super) fn expire_votes(&mut self, now: Instant, window: Duration) {
        if let Some(rare) = self.rare_if_any() {
            rare.votes.retain(|vote| now < vote.at + window);
        }
    }

    /// `winner` won a game, as a computer player or not: the tally marks
    /// the name by its latest win.
    pub(super) fn won(&mut self, winner: &str, computer: bool) {
        if computer {
            let winners = &mut self.rare_mut().computer_winners;
            if !winners.iter().any(|name| name == winner) {
                winners.push(winner.to_owned());
            }
        } else if let Some(rare) = self.rare_if_any() {
            rare.computer_winners.retain(|name| name != winner);
        }
    }

    /// Whether the tally's `name` won as a computer player.
    pub(super) fn won_as_computer(&self, name: &str) -> bool {
        self.rare()
            .is_some_and(|rare| rare.computer_winners.iter().any(|winner| winner == name))
    }

    /// The names whose wins are a computer player's (for the room's save).
    pub(super) fn computer_winners(&self) -> &[String] {
        self.rare().map_or(&[], |rare| &rare.computer_winners)
    }

    /// Takes back the names whose wins are a computer player's (a room
    /// back from its save).
    pub(super) fn set_computer_winners(&mut self, names: Vec<String>) {
        if !names.is_empty() {
            self.rare_mut().computer_winners = names;
        }
    }

    /// Bars `name` and every name that looks like it.
    pub(super) fn bar(&mut self, name: &str) {
        self.rare_mut().barred.push(skeleton(name));
    }

    /// Whether `name` (or a name it looks like) was barred.
    pub(super) fn bars(&self, name: &str) -> bool {
        self.rare()
            .is_some_and(|rare| rare.barred.contains(&skeleton(name)))
    }

    /// The computer players the room remembers.
    pub(super) fn computers(&self) -> &[SavedComputer] {
        self.rare().map_or(&[], |rare| &rare.computers)
    }

    /// Remembers `computers` (a room back from its save).
    pub(super) fn set_computers(&mut self, computers: Vec<SavedComputer>) {
        if !computers.is_empty() {
            self.rare_mut().computers = computers;
        }
    }

    /// When the room must be woken for its computer players or its
    /// waiting quick-match players.
    pub(super) fn due(&self, bot_after: Option<Duration>) -> Option<Instant> {
        let rare = self.rare()?;
        let fill = rare
            .waiting_since
            .zip(bot_after)
            .map(|(since, after)| since + after);
        [rare.due.map(|(_, _, at)| at), fill]
            .into_iter()
            .flatten()
            .min()
    }
}
