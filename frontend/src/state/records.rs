//! What the server remembers, as the page reads it: the leaderboard and a
//! room's last games.
//!
//! The page asks the server's HTTP API (`GET /api/leaderboard`,
//! `GET /api/rooms/CODE/history`, see PROTOCOL.md) rather than the game
//! socket: the leaderboard is wanted on the join screen, before any socket,
//! and the history after a game, when the server has closed it. The hook
//! only fetches what [`GameState::leaderboard_request`] and
//! [`GameState::history_request`] ask for and hands back the status and
//! body as an [`ApiAnswer`]; reading them is here, without a browser.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use wordguess_protocol::{GameRecord, RoomCode, Standing};

use super::GameState;

/// Leaderboard lines asked for.
pub const LEADERBOARD_LINES: usize = 20;
/// A room's last games asked for.
pub const HISTORY_GAMES: usize = 5;

/// Something the page asked the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote<T> {
    /// Asked for, as request number `n` (a late answer to an older request
    /// is ignored).
    Loading(u32),
    /// The answer.
    Ready(T),
    /// Why there is no answer, in words.
    Failed(String),
}

impl<T> From<Result<T, String>> for Remote<T> {
    fn from(result: Result<T, String>) -> Self {
        match result {
            Ok(value) => Remote::Ready(value),
            Err(message) => Remote::Failed(message),
        }
    }
}

/// A request the hook should make to the server's HTTP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The request's number (tags its answer).
    pub id: u32,
    /// The path and query on the page's own server.
    pub path: String,
}

/// The server's answer to an [`ApiRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body (JSON).
    pub body: String,
}

/// The path of the leaderboard.
pub fn leaderboard_path() -> String {
    format!("/api/leaderboard?limit={LEADERBOARD_LINES}")
}

/// The path of a room's last games.
pub fn history_path(code: &RoomCode) -> String {
    format!("/api/rooms/{code}/history?limit={HISTORY_GAMES}")
}

/// `{"players": [...]}`.
#[derive(Deserialize)]
struct LeaderboardBody {
    players: Vec<Standing>,
}

/// `{"room": "CODE", "games": [...]}`.
#[derive(Deserialize)]
struct HistoryBody {
    games: Vec<GameRecord>,
}

/// `{"error": "..."}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

/// The body of a successful answer, or what went wrong in words: the
/// server's own reason when it gives one (e.g. that it keeps no records).
fn read<T: DeserializeOwned>(answer: Result<ApiAnswer, String>) -> Result<T, String> {
    let answer = answer?;
    if (200..300).contains(&answer.status) {
        return serde_json::from_str(&answer.body)
            .map_err(|_| "the server's answer could not be read".to_owned());
    }
    Err(serde_json::from_str::<ErrorBody>(&answer.body).map_or_else(
        |_| format!("the server answered with status {}", answer.status),
        |body| body.error,
    ))
}

/// The leaderboard from the answer to [`leaderboard_path`].
///
/// # Errors
///
/// Returns why it cannot be shown.
pub fn read_leaderboard(answer: Result<ApiAnswer, String>) -> Result<Vec<Standing>, String> {
    read::<LeaderboardBody>(answer).map(|body| body.players)
}

/// The games from the answer to [`history_path`].
///
/// # Errors
///
/// Returns why they cannot be shown.
pub fn read_history(answer: Result<ApiAnswer, String>) -> Result<Vec<GameRecord>, String> {
    read::<HistoryBody>(answer).map(|body| body.games)
}

/// A finished game's scores in ring order: `Gus 7, Hana 2, tess 1`.
pub fn game_scores(game: &GameRecord) -> String {
    game.players
        .iter()
        .map(|player| format!("{} {}", player.name, player.points))
        .collect::<Vec<_>>()
        .join(", ")
}

impl GameState {
    /// What to fetch for the leaderboard, while it is loading.
    pub fn leaderboard_request(&self) -> Option<ApiRequest> {
        match self.leaderboard {
            Some(Remote::Loading(id)) => Some(ApiRequest {
                id,
                path: leaderboard_path(),
            }),
            _ => None,
        }
    }

    /// What to fetch for the room's last games, while they are loading.
    pub fn history_request(&self) -> Option<ApiRequest> {
        match (&self.history, self.room_code()) {
            (Some(Remote::Loading(id)), Some(code)) => Some(ApiRequest {
                id: *id,
                path: history_path(&code),
            }),
            _ => None,
        }
    }

    /// Numbers a new API request.
    pub(super) fn next_request(&mut self) -> u32 {
        self.requests += 1;
        self.requests
    }

    /// An API answer: for the leaderboard or the history if they wait for
    /// it; anything older is ignored.
    pub(super) fn fetched(&mut self, id: u32, answer: Result<ApiAnswer, String>) {
        if self.leaderboard == Some(Remote::Loading(id)) {
            self.leaderboard = Some(read_leaderboard(answer).into());
        } else if self.history == Some(Remote::Loading(id)) {
            self.history = Some(read_history(answer).into());
        }
    }
}
