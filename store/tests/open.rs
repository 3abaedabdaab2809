//! Opening database files: creating, reopening, migrating, and refusing every
//! file the store cannot safely use without changing it.

mod common;

use std::fs;
use std::path::Path;

use common::{game, record, TempDb};
use rusqlite::Connection;
use wordguess_store::{OpenError, Store};

/// How many migrations this build has (the files in `store/migrations/`).
fn migration_count() -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let files = fs::read_dir(dir).expect("migrations directory");
    let sql_files = files
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .count();
    i64::try_from(sql_files).expect("a few migrations")
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .expect("open with rusqlite")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("user_version")
}

/// Opens `path`, expecting a refusal, and checks the file is byte for byte as
/// it was.
fn refuse_unchanged(path: &Path) -> OpenError {
    let before = fs::read(path).expect("read the file before");
    let error = Store::open(path).expect_err("the file must be refused");
    assert_eq!(
        fs::read(path).expect("read the file after"),
        before,
        "a refused file must not change"
    );
    error
}

#[test]
fn open_creates_the_file_at_the_newest_schema() {
    let db = TempDb::new();
    assert!(!db.path().exists());

    let (store, writer) = db.open();
    writer.close();

    assert!(db.path().is_file());
    assert_eq!(store.path(), db.path());
    assert_eq!(user_version(db.path()), migration_count());
}

#[test]
fn reopening_keeps_history_and_the_leaderboard_and_the_schema() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    record(
        &writer,
        &[
            game(
                "K7M2QX",
                1_000,
                &[("Alice", "tcp", 3), ("Bob", "ws", 1)],
                Some("Alice"),
            ),
            game(
                "K7M2QX",
                2_000,
                &[("Alice", "tcp", 2), ("Bob", "ws", 5)],
                Some("Bob"),
            ),
        ],
    );
    writer.close();
    let version = user_version(db.path());

    let (store, writer) = db.open();
    writer.close();

    assert_eq!(user_version(db.path()), version);
    let history = store.room_history("K7M2QX", 10).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].winner.as_deref(), Some("Bob"));
    let alice = store.standing("Alice").unwrap().expect("Alice is ranked");
    assert_eq!((alice.games, alice.wins, alice.points), (2, 1, 5));
    assert_eq!(store.leaderboard(10).unwrap().len(), 2);
}

#[test]
fn an_empty_file_becomes_a_database() {
    let db = TempDb::new();
    fs::write(db.path(), b"").unwrap();

    let (store, writer) = db.open();
    record(
        &writer,
        &[game("K7M2QX", 1_000, &[("Alice", "app", 1)], None)],
    );
    writer.close();

    assert_eq!(store.recent_games(10).unwrap().len(), 1);
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    record(
        &writer,
        &[game("K7M2QX", 1_000, &[("Alice", "app", 1)], None)],
    );
    writer.close();
    Connection::open(db.path())
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();

    let error = refuse_unchanged(db.path());

    let known = u32::try_from(migration_count()).unwrap();
    assert!(
        matches!(error, OpenError::NewerSchema { found: 7, known: k, .. } if k == known),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&db.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("upgrade the server"), "{message}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_as_corrupt_and_left_untouched() {
    let db = TempDb::new();
    fs::write(db.path(), "Alice,3\nBob,5\n".repeat(400)).unwrap();

    let error = refuse_unchanged(db.path());

    assert!(matches!(error, OpenError::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&db.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("--db none"), "{message}");
}

#[test]
fn a_damaged_database_is_refused_as_corrupt_and_left_untouched() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    let many_games: Vec<_> = (0..300)
        .map(|index| {
            game(
                "K7M2QX",
                index,
                &[("Alice", "tcp", 1), ("Bob", "ws", 2)],
                None,
            )
        })
        .collect();
    common::submit(
        &writer,
        many_games
            .into_iter()
            .map(wordguess_store::Write::RecordGame)
            .collect(),
    );
    writer.close();
    // Scribble over the pages after the schema page.
    let mut bytes = fs::read(db.path()).unwrap();
    // The page size is in the file's header (bytes 16 and 17).
    let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    assert!(bytes.len() > 16 * page, "the database has many pages");
    bytes[2 * page..4 * page].fill(0xA5);
    fs::write(db.path(), &bytes).unwrap();

    let error = refuse_unchanged(db.path());

    assert!(matches!(error, OpenError::Corrupt { .. }), "{error:?}");
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let db = TempDb::new();
    let other = Connection::open(db.path()).unwrap();
    other
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER); INSERT INTO invoices VALUES (1, 100);")
        .unwrap();
    drop(other);

    let error = refuse_unchanged(db.path());

    assert!(matches!(error, OpenError::Foreign { .. }), "{error:?}");
    let total: i64 = Connection::open(db.path())
        .unwrap()
        .query_row("SELECT total FROM invoices", [], |row| row.get(0))
        .unwrap();
    assert_eq!(total, 100);
}

#[test]
fn a_path_under_a_regular_file_is_not_writable() {
    let db = TempDb::new();
    let not_a_directory = db.dir().join("notes.txt");
    fs::write(&not_a_directory, "just a file").unwrap();
    let path = not_a_directory.join("wordguess.db");

    let error = Store::open(&path).expect_err("cannot create a file under a file");

    assert!(matches!(error, OpenError::NotWritable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("writable"), "{message}");
}

#[test]
fn a_directory_path_is_not_writable() {
    let db = TempDb::new();

    let error = Store::open(db.dir()).expect_err("a directory is not a database");

    assert!(matches!(error, OpenError::NotWritable { .. }), "{error:?}");
    assert!(db.dir().is_dir());
}
