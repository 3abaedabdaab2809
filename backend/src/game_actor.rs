//! The owner task of one game: the only code that mutates it.
//!
//! It receives [`GameInput`]s from sessions, feeds them to the pure
//! [`wordguess_game::Game`], and pushes the resulting events into the
//! players' [`Outbox`]es. A player whose queue is full is dropped from the
//! game like one who left, so a stalled reader never stalls the others.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use wordguess_game::{Delivery, Game, JoinError, Move, Phase, PlayerId, Recipient};

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

/// Runs one game until it is over (or every handle to it is gone).
pub async fn run(
    game_id: u64,
    mut game: Game,
    mut inbox: mpsc::Receiver<GameInput>,
    gathering: Arc<AtomicBool>,
) {
    let mut players: BTreeMap<PlayerId, Outbox> = BTreeMap::new();
    while let Some(input) = inbox.recv().await {
        let deliveries = match input {
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
        };
        deliver(&mut game, &mut players, deliveries);
        if game.phase() != Phase::Gathering {
            gathering.store(false, Ordering::Release);
        }
        if game.phase() == Phase::Over {
            break;
        }
    }
    tracing::info!(game = game_id, "game over");
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
