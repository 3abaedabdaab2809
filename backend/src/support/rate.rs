//! A token bucket, with time as data: how often a client may do something.
//!
//! The bucket holds up to `burst` tokens and gains `per_second` tokens a
//! second; each action takes one. It never reads a clock itself, so the
//! room (chat) and tests drive it with the instants they have.

use std::time::{Duration, Instant};

/// A token bucket.
#[derive(Debug, Clone, Copy)]
pub struct TokenBucket {
    /// Tokens available now (fractional while refilling).
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
    /// The most tokens the bucket holds (the allowed burst).
    burst: f64,
    /// Tokens gained per second (the sustained rate).
    per_second: f64,
}

impl TokenBucket {
    /// A full bucket of `burst` tokens refilling at `per_second`.
    pub fn new(burst: u32, per_second: f64, now: Instant) -> Self {
        Self {
            tokens: f64::from(burst),
            updated: now,
            burst: f64::from(burst),
            per_second,
        }
    }

    /// Takes a token if one is available at `now`; `false` means the action
    /// comes too fast.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated);
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.burst);
        self.updated = now.max(self.updated);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until the next token, at `now` (zero if one is there).
    pub fn wait(&self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.updated);
        let tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.burst);
        if tokens >= 1.0 || self.per_second <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - tokens) / self.per_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_sustained_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(3, 0.5, start);
        assert!((0..3).all(|_| bucket.try_take(start)));
        assert!(!bucket.try_take(start), "the burst is spent");
        assert_eq!(bucket.wait(start), Duration::from_secs(2));
        assert!(!bucket.try_take(start + Duration::from_secs(1)));
        assert!(bucket.try_take(start + Duration::from_secs(2)));
        // A long pause refills only up to the burst.
        let later = start + Duration::from_secs(3600);
        assert!((0..3).all(|_| bucket.try_take(later)));
        assert!(!bucket.try_take(later));
    }
}
