//! The records as JSON over HTTP, for the browser app and anyone's tools:
//!
//! - `GET /api/leaderboard[?limit=N]`: `{"players": [Standing...]}`, most
//!   wins first;
//! - `GET /api/rooms/CODE/history[?limit=N]`: `{"room": "CODE", "games":
//!   [GameRecord...]}`, newest first.
//!
//! `limit` is 1 to [`MAX_LIMIT`] (default [`DEFAULT_LIMIT`]). Errors are
//! `{"error": "..."}` with 400 (a bad code or limit) or 503 (no database,
//! or it cannot be read).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use wordguess_protocol::RoomCode;

use crate::persistence::RecordsError;
use crate::session::ServerContext;

/// Lines or games when the request names no limit.
pub const DEFAULT_LIMIT: usize = 20;
/// The most lines or games one request gets.
pub const MAX_LIMIT: usize = 100;

/// The API's routes.
pub fn routes() -> Router<Arc<ServerContext>> {
    Router::new()
        .route("/api/leaderboard", get(leaderboard))
        .route("/api/rooms/{code}/history", get(history))
}

/// `?limit=N`.
#[derive(Debug, Deserialize)]
struct Limit {
    limit: Option<usize>,
}

impl Limit {
    /// The limit a request asks for, or why it is refused (also when it is
    /// not a number at all).
    fn of(query: Result<Query<Limit>, QueryRejection>) -> Result<usize, String> {
        match query.map(|Query(limit)| limit.limit) {
            Ok(None) => Ok(DEFAULT_LIMIT),
            Ok(Some(n)) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(format!("limit must be 1 to {MAX_LIMIT}")),
        }
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

fn unavailable(error_: RecordsError) -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, error_.to_string())
}

async fn leaderboard(
    State(context): State<Arc<ServerContext>>,
    limit: Result<Query<Limit>, QueryRejection>,
) -> Response {
    let limit = match Limit::of(limit) {
        Ok(limit) => limit,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    match context.records.leaderboard(limit).await {
        Ok(players) => Json(serde_json::json!({ "players": players })).into_response(),
        Err(e) => unavailable(e),
    }
}

async fn history(
    State(context): State<Arc<ServerContext>>,
    Path(code): Path<String>,
    limit: Result<Query<Limit>, QueryRejection>,
) -> Response {
    let limit = match Limit::of(limit) {
        Ok(limit) => limit,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let code = match RoomCode::parse(&code) {
        Ok(code) => code,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    match context.records.history(&code, limit).await {
        Ok(games) => {
            Json(serde_json::json!({ "room": code.as_str(), "games": games })).into_response()
        }
        Err(e) => unavailable(e),
    }
}
