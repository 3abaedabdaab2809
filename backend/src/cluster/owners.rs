//! The rooms this node owns, with the token each was taken with: the
//! directory adds and removes them, the store fences each room's writes
//! with its token, and numbers them so a write retried after a lost reply
//! is applied once.

use std::collections::HashMap;

use parking_lot::Mutex;

use super::keys::Owner;

/// One owned room.
#[derive(Debug, Clone, Copy)]
struct Owned {
    /// The token it was taken with.
    owner: Owner,
    /// The number of its last save.
    saves: u64,
}

/// The rooms this node owns, by code.
#[derive(Debug, Default)]
pub struct Owners {
    /// By code.
    rooms: Mutex<HashMap<String, Owned>>,
}

impl Owners {
    /// This node took room `code` with `owner`.
    pub fn insert(&self, code: &str, owner: Owner) {
        self.rooms
            .lock()
            .insert(code.to_owned(), Owned { owner, saves: 0 });
    }

    /// This node no longer owns room `code`.
    pub fn remove(&self, code: &str) -> Option<Owner> {
        self.rooms.lock().remove(code).map(|owned| owned.owner)
    }

    /// This node no longer owns room `code` under `owner` (a newer token
    /// stays).
    pub fn remove_if(&self, code: &str, owner: Owner) {
        let mut rooms = self.rooms.lock();
        if rooms.get(code).is_some_and(|owned| owned.owner == owner) {
            rooms.remove(code);
        }
    }

    /// The token room `code` is owned with, if this node owns it.
    pub fn get(&self, code: &str) -> Option<Owner> {
        self.rooms.lock().get(code).map(|owned| owned.owner)
    }

    /// The token for room `code`'s next save, and its number.
    pub fn next_save(&self, code: &str) -> Option<(Owner, u64)> {
        let mut rooms = self.rooms.lock();
        let owned = rooms.get_mut(code)?;
        owned.saves += 1;
        Some((owned.owner, owned.saves))
    }

    /// Every owned room with its token.
    pub fn all(&self) -> Vec<(String, Owner)> {
        self.rooms
            .lock()
            .iter()
            .map(|(code, owned)| (code.clone(), owned.owner))
            .collect()
    }

    /// How many rooms this node owns.
    pub fn len(&self) -> usize {
        self.rooms.lock().len()
    }

    /// Whether this node owns no room.
    pub fn is_empty(&self) -> bool {
        self.rooms.lock().is_empty()
    }
}
