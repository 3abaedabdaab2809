//! What the server remembers after a game: finished games (a room's
//! history) and players' standings (the leaderboard). The same types are
//! stored by the server's database, sent in [`crate::ServerEvent::History`]
//! and [`crate::ServerEvent::Leaderboard`], and served as JSON by
//! `GET /api/rooms/CODE/history` and `GET /api/leaderboard`.

use serde::{Deserialize, Serialize};

/// One finished game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameRecord {
    /// The room's code.
    pub room: String,
    /// The word that was guessed.
    pub word: String,
    /// The word's language: `uk`, `en`, or empty when unknown.
    pub language: String,
    /// The players in ring order.
    pub players: Vec<PlayerRecord>,
    /// Who guessed the word (`None` if everybody left first).
    pub winner: Option<String>,
    /// Letters and words named.
    pub moves: u32,
    /// When the game started, in milliseconds since the Unix epoch.
    pub started_at: i64,
    /// When it ended, in milliseconds since the Unix epoch.
    pub ended_at: i64,
}

/// The door a computer player's record names (it came through none).
pub const COMPUTER_DOOR: &str = "computer";

/// One player of a [`GameRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerRecord {
    /// The player's name.
    pub name: String,
    /// The door the player came through: `tcp` (a terminal), `ws` (a
    /// WebSocket with text lines) or `app` (the browser app); `computer`
    /// for a computer player (who is on no leaderboard).
    pub door: String,
    /// The player's final points.
    pub points: u32,
}

/// A player's line on the leaderboard (names compared case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// The player's name, as last spelled.
    pub name: String,
    /// Games finished.
    pub games: u32,
    /// Games won.
    pub wins: u32,
    /// Points over all games.
    pub points: u64,
}

/// `2026-11-25 12:30 UTC` for milliseconds since the Unix epoch.
pub fn utc_minute(unix_millis: i64) -> String {
    let minutes = unix_millis.div_euclid(60_000);
    let (days, minute_of_day) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minute_of_day / 60,
        minute_of_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::utc_minute;

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        // 2026-11-25 12:34:56 UTC.
        assert_eq!(utc_minute(1_795_610_096_000), "2026-11-25 12:34 UTC");
        // 2024-02-29 23:59 UTC (a leap day).
        assert_eq!(utc_minute(1_709_251_140_000), "2024-02-29 23:59 UTC");
    }
}
