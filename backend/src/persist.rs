//! Rooms written down as they change, read back after a restart.
//!
//! With a database (`--db`), every room owner writes its whole state
//! ([`RoomSave`]: settings, tally, seats with their tokens and doors, and
//! the game as [`SavedGame`]) through the store's one
//! [`Writer`](wordguess_store::Writer) after each step that changed it,
//! and waits for the commit before the step's events go out. So a move any
//! player has seen is on disk, even if the process is killed the next
//! instant. The writer groups what many rooms submit into one transaction,
//! so rooms do not wait on each other's commits. Finished games go into
//! history in the same transaction as the room's new state.
//!
//! Most moves are not saved with the whole state but logged alone, as a
//! small row (see [`crate::room`]): the whole state is saved every so often
//! and at every other change.
//!
//! At start, [`saved_rooms`] reads every room back and replays the moves
//! logged after its state ([`wordguess_game::Game::replay`]), then gives
//! the writes that fold those moves into the saved states; the registry
//! reopens the rooms with every seat away, and the rules hold the turn for
//! its mover until it resumes (see [`wordguess_game::Game::restore`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use wordguess_game::{Game, PlayerId, SavedGame};
use wordguess_protocol::{GameRecord, Language, ResumeToken, RoomCode, Standing};
use wordguess_store::{LoggedMove, Store, Write, Writer};

use crate::room::{logged_move, RoomKind};
use crate::switchboard::Door;

/// The database: reads for `/top`, `/history` and the HTTP API, and the one
/// writer.
#[derive(Clone)]
pub struct Persistence {
    /// Reads.
    pub store: Store,
    /// The one writer.
    pub writer: Writer,
}

impl std::fmt::Debug for Persistence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persistence")
            .field("path", &self.store.path())
            .finish_non_exhaustive()
    }
}

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
}

impl RoomSave {
    /// Whether this is a quick-match room still gathering players (after a
    /// restart it gathers again, with its seats kept for their players).
    pub fn is_quick_gathering(&self) -> bool {
        self.kind == RoomKind::QuickMatch && self.game.phase == wordguess_game::Phase::Gathering
    }
}

/// The saved rooms, as read back at start.
#[derive(Debug, Default)]
pub struct SavedRooms {
    /// Every room that can be read back, with its logged moves replayed.
    pub rooms: Vec<(RoomCode, RoomSave)>,
    /// What folds the logged moves into the rooms' saved states (empty if
    /// nothing was logged); written before the rooms reopen.
    pub fold: Vec<Write>,
}

/// Every saved room that can be read back, with the moves logged after its
/// saved state replayed on it. A room whose saved state is unreadable is
/// logged and skipped (its row stays, for a person to look at, but the fold
/// drops its logged moves, which mean nothing without it), never a reason
/// not to start; so is a logged move that does not fit its room (the room
/// comes back as it was before that move).
///
/// # Errors
///
/// Returns the store's error if the rooms cannot be read at all.
pub fn saved_rooms(store: &Store) -> Result<SavedRooms, wordguess_store::StoreError> {
    let mut logged: HashMap<String, Vec<(i64, LoggedMove)>> = HashMap::new();
    let mut last_logged = None;
    for (id, logged_move) in store.logged_moves()? {
        last_logged = Some(id);
        logged
            .entry(logged_move.room.clone())
            .or_default()
            .push((id, logged_move));
    }
    let mut rooms = SavedRooms::default();
    for saved in store.saved_rooms()? {
        let code = match RoomCode::parse(&saved.code) {
            Ok(code) => code,
            Err(error) => {
                tracing::error!(room = %saved.code, %error, "a saved room has a bad code; skipped");
                continue;
            }
        };
        match serde_json::from_str::<RoomSave>(&saved.state) {
            Ok(mut save) => {
                let moves = logged.remove(&saved.code).unwrap_or_default();
                let after_save = moves.into_iter().filter(|(id, _)| *id > saved.log_after);
                if replay(&code, &mut save.game, after_save) > 0 {
                    match serde_json::to_string(&save) {
                        Ok(state) => rooms.fold.push(Write::SaveRoom {
                            code: saved.code.clone(),
                            state,
                        }),
                        Err(error) => {
                            tracing::error!(room = %code, %error, "cannot write the room's state down");
                        }
                    }
                }
                rooms.rooms.push((code, save));
            }
            Err(error) => {
                tracing::error!(room = %code, %error, "a saved room cannot be read; skipped");
            }
        }
    }
    if let Some(through) = last_logged {
        rooms.fold.push(Write::FoldLog { through });
    }
    Ok(rooms)
}

/// Replays `moves` on `game`, in order, and returns how many it took. Stops
/// at the first that does not fit (logged and left out, with the moves
/// after it).
fn replay(
    code: &RoomCode,
    game: &mut SavedGame,
    moves: impl Iterator<Item = (i64, LoggedMove)>,
) -> usize {
    let mut replayed = 0;
    for (id, logged) in moves {
        if logged.moves != game.moves + 1 {
            tracing::warn!(room = %code, id, "a logged move is out of place; the room comes back before it");
            break;
        }
        let mv = logged_move(&logged);
        match Game::replay(
            game.clone(),
            PlayerId(logged.mover),
            mv,
            std::time::Instant::now(),
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

/// Lines on the leaderboard `/top` shows.
pub const TOP_LINES: usize = 10;
/// Games `/history` shows.
pub const HISTORY_GAMES: usize = 10;

/// Why the records could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The server runs with `--db none`.
    #[error("this server keeps no history or leaderboard (it runs without a database)")]
    NoDatabase,
    /// The database failed.
    #[error("the history cannot be read right now; try again later")]
    Failed,
    /// As many reads as the server allows are under way.
    #[error("the server is busy reading the records; try again in a moment")]
    Busy,
}

/// Reads at most this many at once.
const READERS: usize = 4;

/// The database's reads for `/top`, `/history` and the HTTP API: at most
/// [`READERS`] at once (one more is told the server is busy, rather than
/// queued without bound), each off the async threads.
#[derive(Debug)]
pub struct Records {
    /// The database.
    store: Store,
    /// Permits for reads under way.
    readers: tokio::sync::Semaphore,
}

impl Records {
    /// Reads of `store`.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            readers: tokio::sync::Semaphore::new(READERS),
        }
    }
}

/// Runs a read on the database off the async threads.
async fn read<T: Send + 'static>(
    records: Option<&Records>,
    query: impl FnOnce(&Store) -> Result<T, wordguess_store::StoreError> + Send + 'static,
) -> Result<T, RecordsError> {
    let records = records.ok_or(RecordsError::NoDatabase)?;
    let _permit = records
        .readers
        .try_acquire()
        .map_err(|_| RecordsError::Busy)?;
    let store = records.store.clone();
    match tokio::task::spawn_blocking(move || query(&store)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            tracing::error!(%error, "reading the records failed");
            Err(RecordsError::Failed)
        }
        Err(error) => {
            tracing::error!(%error, "reading the records failed");
            Err(RecordsError::Failed)
        }
    }
}

/// The best `limit` players.
///
/// # Errors
///
/// See [`RecordsError`].
pub async fn leaderboard(
    records: Option<&Records>,
    limit: usize,
) -> Result<Vec<Standing>, RecordsError> {
    read(records, move |store| store.leaderboard(limit)).await
}

/// The last `limit` games of `room`, newest first.
///
/// # Errors
///
/// See [`RecordsError`].
pub async fn history(
    records: Option<&Records>,
    room: RoomCode,
    limit: usize,
) -> Result<Vec<GameRecord>, RecordsError> {
    read(records, move |store| {
        store.room_history(room.as_str(), limit)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
