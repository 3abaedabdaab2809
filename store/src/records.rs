//! What the store keeps, as plain values: finished games and leaderboard
//! lines (the protocol's own types, so what is stored is what is sent),
//! saved rooms, and the changes the [`Writer`](crate::Writer) applies.

pub use wordguess_protocol::{GameRecord, PlayerRecord, Standing};

/// A room's saved state: opaque text the server wrote (JSON in practice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRoom {
    /// The room's code.
    pub code: String,
    /// The state, exactly as it was saved.
    pub state: String,
    /// The id of the last logged move the state includes: the room's moves
    /// logged with greater ids came after it.
    pub log_after: i64,
}

/// A move written down alone, between saves of its room's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMove {
    /// The room's code.
    pub room: String,
    /// The game's moves with this one (so a replay can check its place).
    pub moves: u32,
    /// The seat that moved.
    pub mover: u64,
    /// Whether the guess is a whole word (else one letter).
    pub word: bool,
    /// The letter or the word, folded.
    pub guess: String,
}

/// One change for the [`Writer`](crate::Writer).
#[derive(Debug, Clone)]
pub enum Write {
    /// Saves a room's state, replacing any state saved before.
    SaveRoom {
        /// The room's code.
        code: String,
        /// The state to keep.
        state: String,
    },
    /// Forgets a room's saved state (the room has closed).
    DeleteRoom {
        /// The room's code.
        code: String,
    },
    /// Adds a finished game to history and to the leaderboard.
    RecordGame(GameRecord),
    /// Appends a move to the log of moves after its room's saved state.
    LogMove(LoggedMove),
    /// The logged moves up to id `through` are folded into their rooms'
    /// saved states (at start, after replaying them): they are deleted.
    FoldLog {
        /// The last id folded.
        through: i64,
    },
}

impl Write {
    /// The code of the room whose saved state this change replaces, if it is
    /// a [`Write::SaveRoom`] or a [`Write::DeleteRoom`].
    pub(crate) fn saved_room_code(&self) -> Option<&str> {
        match self {
            Write::SaveRoom { code, .. } | Write::DeleteRoom { code } => Some(code),
            Write::RecordGame(_) | Write::LogMove(_) | Write::FoldLog { .. } => None,
        }
    }

    /// The code of the room whose saved state this change replaces or adds
    /// to (a save, a delete, or a logged move).
    pub(crate) fn room_code(&self) -> Option<&str> {
        match self {
            Write::LogMove(logged) => Some(&logged.room),
            _ => self.saved_room_code(),
        }
    }
}

/// The key that makes names differing only in letter case one player.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// What one game adds to one player's leaderboard line.
pub struct PlayerResult<'game> {
    /// The player's name key (any letter case is one player).
    pub key: String,
    /// The name, as spelled in this game.
    pub name: &'game str,
    /// Whether the player won.
    pub won: bool,
    /// Points scored in the game.
    pub points: i64,
}

/// Each person's result in `game`, once per player even if two seats' names
/// differ only in letter case. Computer players are on no leaderboard.
pub fn results_by_player(game: &GameRecord) -> Vec<PlayerResult<'_>> {
    let mut results: Vec<PlayerResult<'_>> = Vec::with_capacity(game.players.len());
    let people = game
        .players
        .iter()
        .filter(|player| player.door != wordguess_protocol::history::COMPUTER_DOOR);
    for player in people {
        let key = name_key(&player.name);
        let won = won(game, &player.name);
        let points = i64::from(player.points);
        match results.iter_mut().find(|result| result.key == key) {
            Some(result) => {
                result.won |= won;
                result.points += points;
            }
            None => results.push(PlayerResult {
                key,
                name: &player.name,
                won,
                points,
            }),
        }
    }
    results
}

/// Whether the player called `name` won `game`.
pub(crate) fn won(game: &GameRecord, name: &str) -> bool {
    game.winner.as_deref() == Some(name)
}
