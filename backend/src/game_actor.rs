//! The owner task of one game: the only code that mutates it.
//!
//! It receives [`GameInput`]s from sessions, feeds them to the pure
//! [`wordguess_game::Game`], and pushes the resulting events into the
//! players' [`Outbox`]es. A player whose queue is full is dropped from the
//! game like one who left, so a stalled reader never stalls the others.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use wordguess_game::{Delivery, Game, JoinError, Move, Phase, PlayerId, Recipient};
use wordguess_protocol::ServerEvent;

use crate::outbox::Outbox;

/// What sessions tell a game.
#[derive(Debug)]
pub enum GameInput {
    /// A named player wants to join.
    Join {
        /// The player's connection.
        id: PlayerId,
        /// The validated name.
        name: String,
        /// Where the player's events go.
        outbox: Outbox,
        /// Whether the join succeeded.
        reply: oneshot::Sender<Result<(), JoinError>>,
    },
    /// A player's move.
    Play {
        /// Who moves.
        id: PlayerId,
        /// The move.
        mv: Move,
    },
    /// A player disconnected.
    Leave {
        /// Who left.
        id: PlayerId,
    },
}

/// Runs one game until it is over, every handle to it is gone, or the
/// server shuts down (the connections say goodbye themselves). A player who
/// holds the turn longer than `turn_timeout` loses it.
pub async fn run(
    game_id: u64,
    mut game: Game,
    mut inbox: mpsc::Receiver<GameInput>,
    gathering: Arc<AtomicBool>,
    turn_timeout: Duration,
    shutdown: CancellationToken,
) {
    let mut players: BTreeMap<PlayerId, Outbox> = BTreeMap::new();
    // Whose turn the clock runs for, and when it runs out.
    let mut turn_clock: Option<(PlayerId, Instant)> = None;
    loop {
        let deliveries = tokio::select! {
            () = shutdown.cancelled() => break,
            input = inbox.recv() => match input {
                Some(input) => apply(game_id, &mut game, &mut players, input),
                None => break,
            },
            id = turn_expiry(turn_clock) => {
                tracing::info!(game = game_id, player = id.0, "turn timed out");
                game.pass_turn(id)
            }
        };
        let new_turn = gives_turn(&deliveries);
        deliver(&mut game, &mut players, deliveries);
        turn_clock = next_clock(&game, turn_clock, new_turn, turn_timeout);
        if game.phase() != Phase::Gathering {
            gathering.store(false, Ordering::Release);
        }
        if game.phase() == Phase::Over {
            break;
        }
    }
    tracing::info!(game = game_id, "game ended");
}

/// Feeds one input to the game; returns what to deliver.
fn apply(
    game_id: u64,
    game: &mut Game,
    players: &mut BTreeMap<PlayerId, Outbox>,
    input: GameInput,
) -> Vec<Delivery> {
    match input {
        GameInput::Join {
            id,
            name,
            outbox,
            reply,
        } => match game.join(id, &name) {
            Ok(deliveries) => {
                tracing::info!(game = game_id, player = %name, "joined");
                players.insert(id, outbox);
                let _ = reply.send(Ok(()));
                deliveries
            }
            Err(error) => {
                let _ = reply.send(Err(error));
                Vec::new()
            }
        },
        GameInput::Play { id, mv } => game.play(id, mv),
        GameInput::Leave { id } => {
            players.remove(&id);
            game.leave(id)
        }
    }
}

/// Completes with the player whose turn clock runs out; never without a clock.
async fn turn_expiry(clock: Option<(PlayerId, Instant)>) -> PlayerId {
    match clock {
        Some((id, deadline)) => {
            tokio::time::sleep_until(deadline).await;
            id
        }
        None => std::future::pending().await,
    }
}

/// Whether these deliveries hand someone the turn (`/turn`).
fn gives_turn(deliveries: &[Delivery]) -> bool {
    deliveries.iter().any(|d| d.event == ServerEvent::YourTurn)
}

/// The turn clock after a step: it runs for the player to move, afresh
/// whenever that player was just given the turn (again) or changed.
fn next_clock(
    game: &Game,
    clock: Option<(PlayerId, Instant)>,
    new_turn: bool,
    timeout: Duration,
) -> Option<(PlayerId, Instant)> {
    match (game.current_player(), clock) {
        (None, _) => None,
        (Some(current), Some((id, at))) if current == id && !new_turn => Some((id, at)),
        (Some(current), _) => Some((current, Instant::now() + timeout)),
    }
}

/// Sends deliveries; a player who cannot take one more event leaves the
/// game, and what that causes is delivered too.
fn deliver(game: &mut Game, players: &mut BTreeMap<PlayerId, Outbox>, deliveries: Vec<Delivery>) {
    let mut queue: VecDeque<Delivery> = deliveries.into();
    while let Some(Delivery { to, event }) = queue.pop_front() {
        let recipients: Vec<PlayerId> = match to {
            Recipient::All => players.keys().copied().collect(),
            Recipient::Only(id) => vec![id],
        };
        for id in recipients {
            let delivered = players.get(&id).is_some_and(|o| o.send(event.clone()));
            if !delivered && players.remove(&id).is_some() {
                queue.extend(game.leave(id));
            }
        }
    }
}
