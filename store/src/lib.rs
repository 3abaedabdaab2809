//! The embedded SQLite database of wordguess: the history of finished games,
//! the leaderboard, and the saved state of live rooms so that games survive
//! a server restart.
//!
//! [`Store::open`] opens (or creates) the database file and returns two
//! handles:
//!
//! - [`Store`] reads. Its calls block on SQLite, so the server makes them from
//!   `spawn_blocking`. Each call borrows a read-only connection from a small
//!   pool; WAL lets readers run while the writer commits.
//! - [`Writer`] writes. One thread owns the only write connection and is fed
//!   by a bounded channel. It commits everything queued at once in one
//!   transaction (group commit), so many games can wait for their moves to be
//!   durable without paying for one transaction each.
//!
//! Opening refuses, with an [`OpenError`] that names the file and says what to
//! do, any file it cannot safely use: a damaged file or one that is not a
//! database, another program's database, a database written by a newer
//! wordguess, or a place it cannot write. It never overwrites or empties
//! such a file.

mod error;
mod records;
mod schema;
mod store;
mod writer;

pub use error::{OpenError, StoreError};
pub use records::{
    results_by_player, GameRecord, LoggedMove, PlayerRecord, PlayerResult, SavedRoom, Standing,
    Write,
};
pub use store::Store;
pub use writer::{unix_millis, Writer};

#[cfg(test)]
mod tests {
    use super::*;

    /// The server shares the handles across tasks and threads, and returns
    /// the errors through `anyhow`.
    #[test]
    fn handles_and_errors_cross_threads() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Store>();
        shareable::<Writer>();
        shareable::<OpenError>();
        shareable::<StoreError>();
    }
}
