//! The errors of the store: [`OpenError`] when a database file cannot be
//! used at all, [`StoreError`] when a read or a write fails later.
//!
//! Every message names the file and, where the user can act, says what to do.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::ErrorCode;

/// Why [`Store::open`](crate::Store::open) refused a database file.
///
/// None of these leaves the file changed: a file that is refused is neither
/// migrated, overwritten nor truncated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The file is damaged, or is not an SQLite database at all.
    #[error(
        "{path} is not a wordguess database or is damaged ({detail}); move it aside or restore a backup, or start with --db none",
        path = path.display()
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite found wrong.
        detail: String,
    },
    /// The file is a healthy SQLite database of some other program.
    #[error(
        "{path} is an SQLite database but not a wordguess one (it belongs to another program); choose another --db, or start with --db none",
        path = path.display()
    )]
    Foreign {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer wordguess whose schema this build does
    /// not know.
    #[error(
        "{path} was written by a newer wordguess (schema {found}; this build knows up to {known}): upgrade the server, or use another --db",
        path = path.display()
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The file's schema version.
        found: u32,
        /// The newest schema version this build knows.
        known: u32,
    },
    /// The file cannot be created or written.
    #[error(
        "cannot write {path} ({detail}): check the directory exists and is writable, or choose another --db",
        path = path.display()
    )]
    NotWritable {
        /// The database file.
        path: PathBuf,
        /// What SQLite reported.
        detail: String,
    },
    /// Any other SQLite failure.
    #[error("cannot open the database {path}: {cause}", path = path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite reported.
        cause: rusqlite::Error,
    },
    /// The writer thread could not be started.
    #[error("cannot start the writer thread of the database {path}: {cause}", path = path.display())]
    WriterThread {
        /// The database file.
        path: PathBuf,
        /// What the operating system reported.
        cause: std::io::Error,
    },
}

impl OpenError {
    /// Sorts an SQLite failure met while opening `path` into the variant that
    /// tells the user what to do about it.
    pub(crate) fn from_sqlite(path: &Path, cause: rusqlite::Error) -> OpenError {
        let detail = || without_path(&cause, path);
        match cause.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => OpenError::Corrupt {
                detail: detail(),
                path: path.to_owned(),
            },
            Some(
                ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure,
            ) => OpenError::NotWritable {
                detail: detail(),
                path: path.to_owned(),
            },
            _ => OpenError::Sqlite {
                path: path.to_owned(),
                cause,
            },
        }
    }
}

/// SQLite's message for `cause`, without the path SQLite sometimes appends,
/// which the messages above already name.
fn without_path(cause: &rusqlite::Error, path: &Path) -> String {
    let message = cause.to_string();
    match message.strip_suffix(&format!(": {}", path.display())) {
        Some(shorter) => shorter.to_owned(),
        None => message,
    }
}

/// Why a read or a write failed after the database was opened.
///
/// Cheap to clone: a failed group commit gives the same error to every write
/// that was in it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The disk holding the database is full, or the database reached its
    /// size limit. Writes fail until space is freed; reads still work.
    #[error(
        "the database {path} cannot grow (disk full or size limit reached): free some space",
        path = path.display()
    )]
    Full {
        /// The database file.
        path: PathBuf,
    },
    /// Any other SQLite failure.
    #[error("database error on {path}: {cause}", path = path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite reported.
        cause: Arc<rusqlite::Error>,
    },
    /// The [`Writer`](crate::Writer) was closed, so it takes no more writes.
    #[error("the database writer is closed")]
    Closed,
    /// A read was cut short (the task running it panicked or was
    /// cancelled).
    #[error("a database read was interrupted: {0}")]
    Interrupted(String),
    /// The room belongs to another server of the cluster now: this one may
    /// no longer write it (its write was refused, in the shared store).
    #[error("room {room} is kept by another server now")]
    Fenced {
        /// The room's code.
        room: String,
    },
    /// The shared store (Redis) cannot be reached or refused the write.
    #[error("the shared store failed: {0}")]
    Shared(String),
}

impl StoreError {
    /// Wraps an SQLite failure on the database at `path`.
    pub(crate) fn from_sqlite(path: &Path, cause: rusqlite::Error) -> StoreError {
        let path = path.to_owned();
        if cause.sqlite_error_code() == Some(ErrorCode::DiskFull) {
            StoreError::Full { path }
        } else {
            StoreError::Sqlite {
                path,
                cause: Arc::new(cause),
            }
        }
    }

    /// Whether the write failed because the disk is full (or the database hit
    /// its size limit), which the server may report differently from other
    /// failures.
    pub fn is_full(&self) -> bool {
        matches!(self, StoreError::Full { .. })
    }
}
