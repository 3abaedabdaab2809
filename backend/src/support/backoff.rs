//! Growing waits between attempts at something that failed (Redis away,
//! a node gone): each wait doubles, up to a ceiling.

use std::time::Duration;

/// The next wait, doubling from `first` up to `most`.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The next wait.
    next: Duration,
    /// The longest wait.
    most: Duration,
}

impl Backoff {
    /// Waits from `first`, doubling, never longer than `most`.
    pub fn new(first: Duration, most: Duration) -> Self {
        Self { next: first, most }
    }

    /// The wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.most);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_ceiling() {
        let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(300));
        let waits: Vec<u128> = (0..5).map(|_| backoff.next_wait().as_millis()).collect();
        assert_eq!(waits, [50, 100, 200, 300, 300]);
    }
}
