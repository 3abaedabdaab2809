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
}

impl Write {
    /// The code of the room whose saved state this change replaces, if it is
    /// a [`Write::SaveRoom`] or a [`Write::DeleteRoom`].
    pub(crate) fn saved_room_code(&self) -> Option<&str> {
        match self {
            Write::SaveRoom { code, .. } | Write::DeleteRoom { code } => Some(code),
            Write::RecordGame(_) => None,
        }
    }
}

/// The key that makes names differing only in letter case one player.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}
