//! A room as it is written down, and read back.
//!
//! A room's whole state is a [`RoomSave`] (settings, tally, seats with
//! their tokens and doors, and the game as [`SavedGame`]), kept by the
//! [`RoomStore`] as JSON. Between whole saves a room's moves are logged
//! alone; reading a room back replays them on its saved game
//! ([`Game::replay`]). This is the one place that turns stored text into a
//! room's state: [`restore_all`] at start and [`restore`] for one room by
//! its code share [`read_back`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wordguess_game::{Game, Move, PlayerId, SavedGame};
use wordguess_protocol::{BotLevel, Language, ResumeToken, RoomCode};

use crate::persistence::{LoggedMove, RoomStore, StoreError, StoredRoom, Write};
use crate::room::messages::RoomKind;
use crate::support::ids::Door;

/// Where a room's words come from, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SavedWords {
    /// The server's list.
    Server,
    /// A built-in list the host chose.
    Builtin(Language),
    /// The host's own words.
    Room(Vec<String>),
}

/// A seat's link, as saved (the connection is not: after a restart every
/// seat is away until its player resumes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLink {
    /// The seat.
    pub seat: u64,
    /// The token that takes it back.
    pub token: ResumeToken,
    /// The door its player last used.
    pub door: Door,
}

/// A room's whole state, as saved after each step that changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSave {
    /// Quick match or private.
    pub kind: RoomKind,
    /// Where the words come from.
    pub words: SavedWords,
    /// The language the host chose, if any.
    pub language: Option<Language>,
    /// Milliseconds per turn for the room's games; `None` for no limit.
    pub turn_millis: Option<u64>,
    /// Games finished in the room.
    pub games_played: u32,
    /// Wins per name.
    pub wins: BTreeMap<String, u32>,
    /// The next seat id.
    pub next_seat: u64,
    /// The current game.
    pub game: SavedGame,
    /// The current game's seats.
    pub seats: Vec<SavedLink>,
    /// When the current game started (Unix milliseconds), once it has.
    pub started_at: Option<i64>,
    /// The computer players a private room seats in each next game.
    #[serde(default)]
    pub computers: Vec<SavedComputer>,
    /// The names in the tally whose wins are a computer player's.
    #[serde(default)]
    pub computer_winners: Vec<String>,
}

impl RoomSave {
    /// Whether this is a quick-match room still gathering players (after a
    /// restart it gathers again, with its seats kept for their players).
    pub fn is_quick_gathering(&self) -> bool {
        self.kind == RoomKind::QuickMatch && self.game.phase == wordguess_game::Phase::Gathering
    }
}

/// A computer player a private room seats in each next game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedComputer {
    /// Its name.
    pub name: String,
    /// How well it plays.
    pub level: BotLevel,
}

/// The move a logged move names.
pub fn logged_move(logged: &LoggedMove) -> Move {
    if logged.word {
        Move::Word(logged.guess.clone())
    } else {
        Move::Letter(logged.guess.clone())
    }
}

/// A room read back from the store.
#[derive(Debug)]
pub struct ReadBack {
    /// Its code.
    pub code: RoomCode,
    /// Its state, with the logged moves replayed.
    pub save: RoomSave,
    /// How many logged moves were replayed on it.
    pub replayed: usize,
}

/// A stored room as a [`RoomSave`], with the moves logged after its state
/// replayed. `None` (logged) if its code or state cannot be read; a logged
/// move that does not fit stops the replay (logged: the room comes back as
/// it was before that move).
pub fn read_back(stored: StoredRoom) -> Option<ReadBack> {
    let code = match RoomCode::parse(&stored.code) {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(room = %stored.code, %error, "a saved room has a bad code; skipped");
            return None;
        }
    };
    let mut save = match serde_json::from_str::<RoomSave>(&stored.state) {
        Ok(save) => save,
        Err(error) => {
            tracing::error!(room = %code, %error, "a saved room cannot be read; skipped");
            return None;
        }
    };
    let replayed = replay(&code, &mut save.game, stored.moves);
    Some(ReadBack {
        code,
        save,
        replayed,
    })
}

/// Replays `moves` on `game`, in order, and returns how many it took. Stops
/// at the first that does not fit (logged and left out, with the moves
/// after it).
fn replay(code: &RoomCode, game: &mut SavedGame, moves: Vec<(i64, LoggedMove)>) -> usize {
    let mut replayed = 0;
    for (id, logged) in moves {
        if logged.moves != game.moves + 1 {
            tracing::warn!(room = %code, id, "a logged move is out of place; the room comes back before it");
            break;
        }
        // Replay needs an instant only for the clocks of a live game; the
        // saved game it returns keeps none.
        let at = std::time::Instant::now();
        match Game::replay(
            game.clone(),
            PlayerId(logged.mover),
            logged_move(&logged),
            at,
        ) {
            Ok(after) => *game = after,
            Err(error) => {
                tracing::warn!(room = %code, id, %error, "a logged move does not fit; the room comes back before it");
                break;
            }
        }
        replayed += 1;
    }
    replayed
}

/// Every saved room, read back at start with its logged moves replayed. A
/// room that cannot be read is logged and skipped (its row stays, for a
/// person to look at), never a reason not to start. Before the rooms
/// reopen, the replayed ones are saved whole and the log folded away, in
/// one commit; until it commits the log stays, so a later start replays it
/// again and a failure here loses nothing.
///
/// # Errors
///
/// Returns the store's error if the rooms cannot be read at all.
pub async fn restore_all(store: &dyn RoomStore) -> Result<Vec<(RoomCode, RoomSave)>, StoreError> {
    let stored = store.restore_all().await?;
    let mut fold = Vec::new();
    let mut rooms = Vec::new();
    for room in stored.rooms.into_iter().filter_map(read_back) {
        if room.replayed > 0 {
            match serde_json::to_string(&room.save) {
                Ok(state) => fold.push(Write::SaveRoom {
                    code: room.code.to_string(),
                    state,
                }),
                Err(error) => {
                    tracing::error!(room = %room.code, %error, "cannot write the room's state down");
                }
            }
        }
        rooms.push((room.code, room.save));
    }
    if let Some(through) = stored.log_through {
        fold.push(Write::FoldLog { through });
        if let Err(error) = store.save_now(fold).await {
            tracing::error!(%error, "cannot fold the logged moves into the saved rooms");
        }
    }
    Ok(rooms)
}

/// What the store holds of one room.
#[derive(Debug, PartialEq)]
pub enum Restored {
    /// The room as it was saved, with its logged moves replayed.
    Saved(Box<RoomSave>),
    /// Nothing: it was never saved.
    NeverSaved,
    /// A state this server cannot read (logged): perhaps written by a newer
    /// version. It must be left as it is, not taken for nothing.
    Unreadable,
}

/// Room `code` as the store holds it.
///
/// # Errors
///
/// Returns the store's error if the room cannot be read.
pub async fn restore(store: &dyn RoomStore, code: &RoomCode) -> Result<Restored, StoreError> {
    Ok(match store.restore(code).await? {
        None => Restored::NeverSaved,
        Some(stored) => match read_back(stored) {
            Some(room) => Restored::Saved(Box::new(room.save)),
            None => Restored::Unreadable,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persistence::memory::MemoryStore;

    /// A room saved mid-game by the first version that saved rooms. Saved
    /// rooms outlive the server that wrote them: a later version must still
    /// read this (new fields need `#[serde(default)]`), or an upgrade would
    /// end every unfinished game.
    const SAVED_BY_VERSION_1: &str = r#"{"kind":"private","words":"server","language":null,"turn_millis":45000,"games_played":0,"wins":{},"next_seat":3,"game":{"word":"apple","shown":"01100","named":["p","z"],"ring":[{"id":1,"name":"alice","points":2},{"id":2,"name":"bob","points":0}],"turn":1,"start":"by_host","turn_millis":45000,"grace_millis":120000,"phase":"playing","moves":2},"seats":[{"seat":1,"token":"ada16fa30435824a5c686a4bd825052d","door":"tcp"},{"seat":2,"token":"24740fb54e33c7712497af2e818a6db0","door":"tcp"}],"started_at":1796112568352}"#;

    #[test]
    fn a_room_saved_by_an_earlier_version_is_still_read() {
        let save: RoomSave = serde_json::from_str(SAVED_BY_VERSION_1).expect("readable");
        assert_eq!(save.kind, RoomKind::Private);
        assert_eq!(save.turn_millis, Some(45_000));
        assert_eq!(save.game.word, "apple");
        assert_eq!(save.game.named, ["p", "z"]);
        assert_eq!(save.game.phase, wordguess_game::Phase::Playing);
        assert_eq!(save.game.ring[0].points, 2);
        assert_eq!(save.seats.len(), 2);
        assert_eq!(
            save.seats[1].token.to_string(),
            "24740fb54e33c7712497af2e818a6db0"
        );
        let game = wordguess_game::Game::restore(
            save.game,
            std::time::Duration::from_secs(120),
            std::time::Instant::now(),
        );
        assert!(game.is_ok(), "the game comes back: {game:?}");
    }

    fn log(room: &str, moves: u32, mover: u64, letter: &str) -> Write {
        Write::LogMove(LoggedMove {
            room: room.to_owned(),
            moves,
            mover,
            word: false,
            guess: letter.to_owned(),
        })
    }

    #[tokio::test]
    async fn one_room_is_read_back_by_its_code_with_the_moves_logged_after_its_state() {
        let store = MemoryStore::default();
        let other = SAVED_BY_VERSION_1.replace("apple", "melon");
        let writes = vec![
            Write::SaveRoom {
                code: "H2W2S2".to_owned(),
                state: SAVED_BY_VERSION_1.to_owned(),
            },
            Write::SaveRoom {
                code: "K7QXPM".to_owned(),
                state: other,
            },
            // bob's turn: 'a' hits (bob moves again), then 'q' misses.
            log("H2W2S2", 3, 2, "a"),
            log("K7QXPM", 3, 2, "m"),
            log("H2W2S2", 4, 2, "q"),
        ];
        store.save_now(writes).await.expect("kept");
        let code = RoomCode::parse("H2W2S2").expect("a code");
        let Restored::Saved(save) = restore(&store, &code).await.expect("read") else {
            panic!("saved");
        };
        assert_eq!(save.game.word, "apple");
        assert_eq!(save.game.moves, 4, "both of its logged moves replayed");
        assert_eq!(save.game.named, ["p", "z", "a", "q"]);
        assert_eq!(save.game.ring[1].points, 1, "bob's 'a' scored");
        let missing = RoomCode::parse("AAAAAA").expect("a code");
        assert_eq!(
            restore(&store, &missing).await.expect("read"),
            Restored::NeverSaved
        );
    }

    #[tokio::test]
    async fn a_state_this_version_cannot_read_is_told_apart_from_none() {
        let store = MemoryStore::default();
        let newer = Write::SaveRoom {
            code: "H2W2S2".to_owned(),
            state: r#"{"format":2,"rooms":"elsewhere"}"#.to_owned(),
        };
        store.save_now(vec![newer]).await.expect("kept");
        let code = RoomCode::parse("H2W2S2").expect("a code");
        assert_eq!(
            restore(&store, &code).await.expect("read"),
            Restored::Unreadable,
            "a room taken over is never deleted for being unreadable"
        );
    }

    #[tokio::test]
    async fn at_start_every_room_comes_back_and_the_log_is_folded_into_the_states() {
        let store = MemoryStore::default();
        let writes = vec![
            Write::SaveRoom {
                code: "H2W2S2".to_owned(),
                state: SAVED_BY_VERSION_1.to_owned(),
            },
            log("H2W2S2", 3, 2, "a"),
        ];
        store.save_now(writes).await.expect("kept");
        let rooms = restore_all(&store).await.expect("read");
        assert_eq!(rooms.len(), 1);
        assert_eq!(rooms[0].1.game.moves, 3);
        let kept = store.kept.lock();
        assert!(kept.log.is_empty(), "the log is folded away");
        let (state, _) = &kept.rooms["H2W2S2"];
        let folded: RoomSave = serde_json::from_str(state).expect("readable");
        assert_eq!(folded.game.moves, 3, "the folded state holds the move");
    }
}
