//! Where a named player finds a game: the one game that is gathering.
//!
//! The lobby only hands out the handle of the gathering game, creating one
//! when there is none or the last one has started; it never touches a game's
//! state. Its lock is held just long enough to clone or replace that handle,
//! never across a game's work, so running games never wait on it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::game_actor::{self, GameInput};
use crate::words::WordList;

/// How to make new games.
#[derive(Debug, Clone)]
pub struct GameSettings {
    /// Words to choose from.
    pub words: WordList,
    /// Players a game waits for before it starts.
    pub players_to_start: usize,
    /// Capacity of each game's inbox.
    pub inbox: usize,
    /// How long a player may hold the turn before it passes on.
    pub turn_timeout: std::time::Duration,
}

/// A way to talk to one game's owner task.
#[derive(Debug, Clone)]
pub struct GameHandle {
    /// The game's number, for logs and to replace the right handle.
    pub id: u64,
    /// The game's inbox.
    pub inbox: mpsc::Sender<GameInput>,
    /// Cleared by the game when it stops gathering players.
    gathering: Arc<AtomicBool>,
}

impl GameHandle {
    /// Whether the game still takes players.
    pub fn is_gathering(&self) -> bool {
        self.gathering.load(Ordering::Acquire) && !self.inbox.is_closed()
    }
}

/// Hands out the gathering game.
#[derive(Debug)]
pub struct Lobby {
    /// How to make games.
    settings: GameSettings,
    /// The game that is gathering players, if one was made.
    gathering: Mutex<Option<GameHandle>>,
    /// Source of game numbers.
    next_game: AtomicU64,
    /// Where game tasks are spawned, so shutdown waits for them.
    tasks: TaskTracker,
    /// Stops every game when the server shuts down.
    shutdown: CancellationToken,
}

impl Lobby {
    /// A lobby making games with `settings`, spawning them on `tasks`;
    /// the games stop when `shutdown` is cancelled.
    pub fn new(settings: GameSettings, tasks: TaskTracker, shutdown: CancellationToken) -> Self {
        Self {
            settings,
            gathering: Mutex::new(None),
            next_game: AtomicU64::new(1),
            tasks,
            shutdown,
        }
    }

    /// The game that is gathering players, made now if needed.
    pub fn gathering_game(&self) -> GameHandle {
        let mut slot = self.gathering.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(handle) = slot.as_ref().filter(|h| h.is_gathering()) {
            return handle.clone();
        }
        let handle = self.spawn_game();
        *slot = Some(handle.clone());
        handle
    }

    fn spawn_game(&self) -> GameHandle {
        let id = self.next_game.fetch_add(1, Ordering::Relaxed);
        let word = self.settings.words.choose();
        let (inbox, receiver) = mpsc::channel(self.settings.inbox.max(1));
        let gathering = Arc::new(AtomicBool::new(true));
        let game = wordguess_game::Game::new(&word, self.settings.players_to_start);
        match game {
            Ok(game) => {
                tracing::info!(game = id, "new game gathering players");
                self.tasks.spawn(game_actor::run(
                    id,
                    game,
                    receiver,
                    gathering.clone(),
                    self.settings.turn_timeout,
                    self.shutdown.clone(),
                ));
            }
            // Word lists are validated on load, so this is not expected; a
            // handle whose inbox is closed makes callers try again.
            Err(error) => tracing::error!(game = id, %error, "cannot make a game"),
        }
        GameHandle {
            id,
            inbox,
            gathering,
        }
    }
}
