//! Opening the write connection safely: recognising a wordguess database,
//! refusing anything else before writing a byte, and bringing the schema up
//! to date with the numbered migrations in `store/migrations/`.
//!
//! A wordguess database carries [`APPLICATION_ID`] in its header and its
//! schema version in `PRAGMA user_version` (the number of migrations applied).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::OpenError;

/// The page size of a new database file.
const PAGE_SIZE: i64 = 1024;

/// Log pages after which a commit copies the log into the file.
const WAL_CHECKPOINT_PAGES: i64 = 8000;

/// Marks a file as a wordguess database (`PRAGMA application_id`): "WGDB".
const APPLICATION_ID: i32 = 0x5747_4442;

/// How long a connection waits for another one's lock before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One step of the schema, applied in a transaction of its own.
#[derive(Clone, Copy)]
pub(crate) struct Migration {
    /// The file the step came from, for logs.
    name: &'static str,
    /// The statements of the step.
    sql: &'static str,
}

/// Every schema step, oldest first: migration `i` brings a database from
/// version `i` to version `i + 1`. Append only; never edit a released step.
const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_init",
        sql: include_str!("../migrations/0001_init.sql"),
    },
    Migration {
        name: "0002_move_log",
        sql: include_str!("../migrations/0002_move_log.sql"),
    },
];

/// The schema version this build writes: the number of migrations.
const KNOWN_VERSION: u32 = MIGRATIONS.len() as u32;

/// Opens the database at `path` for writing, creating it if missing, after
/// checking it is a wordguess database this build can use, and migrates it to
/// the newest schema.
pub(crate) fn open_for_writing(path: &Path) -> Result<Connection, OpenError> {
    let sqlite_error = |cause| OpenError::from_sqlite(path, cause);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sqlite_error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite_error)?;
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(sqlite_error)? {
        // SQLite falls back to read-only when it may not write the file.
        return Err(OpenError::NotWritable {
            path: path.to_owned(),
            detail: "the file is read-only".to_owned(),
        });
    }
    // Nothing above has written; nothing below writes until the file is known
    // to be ours (or empty) and sound.
    let version = recognise(&conn, path, KNOWN_VERSION)?;
    check_integrity(&conn, path)?;
    if version == 0 {
        // A new file: small pages, so saving a room's state (a row of a few
        // hundred bytes, after every move) writes little to the log.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(sqlite_error)?;
    }
    // SQLite answers with the mode it is in: a file system without shared
    // memory (some network mounts) keeps the old journal, and neither group
    // commit nor the durability the rooms count on would hold.
    let journal: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(sqlite_error)?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Err(OpenError::NotWritable {
            path: path.to_owned(),
            detail: format!(
                "SQLite cannot keep a write-ahead log here (journal mode {journal}); use a local disk"
            ),
        });
    }
    // Copy the log into the file less often: a room saved on every move
    // rewrites the same pages, and each copy writes them only once.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)
        .map_err(sqlite_error)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sqlite_error)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sqlite_error)?;
    migrate(&mut conn, version, MIGRATIONS).map_err(sqlite_error)?;
    Ok(conn)
}

/// Reads the header of the database and returns its schema version, or
/// refuses it: another program's database, or a newer wordguess's.
fn recognise(conn: &Connection, path: &Path, known: u32) -> Result<u32, OpenError> {
    let sqlite_error = |cause| OpenError::from_sqlite(path, cause);
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .map_err(sqlite_error)?;
    let user_version: i32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite_error)?;
    let foreign = || OpenError::Foreign {
        path: path.to_owned(),
    };
    match application_id {
        APPLICATION_ID => {
            let version = u32::try_from(user_version).map_err(|_| foreign())?;
            if version > known {
                return Err(OpenError::NewerSchema {
                    path: path.to_owned(),
                    found: version,
                    known,
                });
            }
            Ok(version)
        }
        0 if user_version == 0 => {
            // A new (empty) file is ours to initialise; a file with tables is
            // somebody else's and must not be migrated into.
            let objects: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
                .map_err(sqlite_error)?;
            if objects == 0 {
                Ok(0)
            } else {
                Err(foreign())
            }
        }
        _ => Err(foreign()),
    }
}

/// Refuses a database whose pages are damaged (`PRAGMA quick_check`).
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), OpenError> {
    let mut statement = conn
        .prepare("PRAGMA quick_check")
        .map_err(|cause| OpenError::from_sqlite(path, cause))?;
    let problems = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|cause| OpenError::from_sqlite(path, cause))?;
    if problems.iter().all(|line| line == "ok") {
        Ok(())
    } else {
        Err(OpenError::Corrupt {
            path: path.to_owned(),
            detail: problems.join("; "),
        })
    }
}

/// Applies `migrations[version..]`, each in a transaction that also records
/// the new version, so a failed step leaves the database at the step before.
///
/// Also proves the file writable when there is nothing to apply, by taking
/// and releasing the write lock.
fn migrate(conn: &mut Connection, version: u32, migrations: &[Migration]) -> rusqlite::Result<()> {
    let pending = migrations.get(version as usize..).unwrap_or_default();
    if pending.is_empty() {
        return conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?
            .commit();
    }
    for (next_version, migration) in (version + 1..).zip(pending) {
        let transaction = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        transaction.execute_batch(migration.sql)?;
        transaction.pragma_update(None, "application_id", APPLICATION_ID)?;
        transaction.pragma_update(None, "user_version", next_version)?;
        transaction.commit()?;
        tracing::info!(
            migration = migration.name,
            schema = next_version,
            "database schema migrated"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps of a made-up schema, the second reshaping the first's data.
    const TWO_STEPS: &[Migration] = &[
        Migration {
            name: "0001_scores",
            sql: "CREATE TABLE scores (name TEXT NOT NULL, points INTEGER NOT NULL);",
        },
        Migration {
            name: "0002_scores_by_key",
            sql: "ALTER TABLE scores ADD COLUMN name_key TEXT;
                  UPDATE scores SET name_key = lower(name);
                  CREATE INDEX scores_by_key ON scores (name_key);",
        },
    ];

    fn user_version(conn: &Connection) -> i32 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn an_older_database_keeps_its_data_when_migrated() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, 0, &TWO_STEPS[..1]).unwrap();
        conn.execute("INSERT INTO scores VALUES ('Alice', 7)", [])
            .unwrap();
        assert_eq!(user_version(&conn), 1);

        let version = recognise(&conn, Path::new(":memory:"), 2).unwrap();
        migrate(&mut conn, version, TWO_STEPS).unwrap();

        assert_eq!(user_version(&conn), 2);
        let row: (String, i64, String) = conn
            .query_row("SELECT name, points, name_key FROM scores", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(row, ("Alice".to_owned(), 7, "alice".to_owned()));
    }

    #[test]
    fn a_failing_step_leaves_the_database_at_the_step_before() {
        const BROKEN: &[Migration] = &[
            TWO_STEPS[0],
            Migration {
                name: "0002_broken",
                sql: "ALTER TABLE scores ADD COLUMN bonus INTEGER; SELECT * FROM no_such_table;",
            },
        ];
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(migrate(&mut conn, 0, BROKEN).is_err());
        assert_eq!(user_version(&conn), 1);
        let columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('scores')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(columns, 2, "the broken step's column was rolled back");
    }

    #[test]
    fn migration_files_are_numbered_in_order() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            let number = format!("{:04}_", index + 1);
            assert!(
                migration.name.starts_with(&number),
                "{} should start with {number}",
                migration.name
            );
        }
    }
}
