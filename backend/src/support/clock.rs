//! The one place the server reads the clock. Everything below the drivers
//! (the room core, the rules, the rate limits) takes time as data: a
//! [`Now`] or an [`Instant`] handed in by its driver.

use std::time::Instant;

/// A moment, as the room core needs it: the monotonic instant its clocks
/// run on, and the wall-clock time that history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// For deadlines and rates.
    pub instant: Instant,
    /// For history: milliseconds since the Unix epoch.
    pub unix_millis: i64,
}

impl Now {
    /// The time now, from tokio's clock (so paused-time tests drive it too)
    /// and the system's wall clock.
    pub fn read() -> Self {
        Self {
            instant: now(),
            unix_millis: wordguess_store::unix_millis(),
        }
    }
}

/// The monotonic time now, from tokio's clock.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}
