//! Games that survive: a database keeps unfinished games across a graceful
//! restart and a real server process's `SIGKILL` or `SIGTERM`, no player
//! sees a move before it is committed, finished
//! games go into history and the leaderboard, and both are read over every
//! door and over HTTP. A database that cannot be used is refused at start,
//! and one that fills up while running is told to the players while play
//! goes on.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{
    client, expect_records, http_get, other, Client, Door, LineReader, ServerProcess, TempDir,
};
use serde_json::{json, Value};
use wordguess_backend::testkit::{start, RunningServer, TestOptions};
use wordguess_store::Write;

/// The door's name in history.
fn door_name(door: Door) -> &'static str {
    match door {
        Door::Tcp => "tcp",
        Door::WsText => "ws",
        Door::WsJson => "app",
    }
}

fn with_db(db: &Path) -> TestOptions {
    let mut options = TestOptions::new("apple", 2);
    options.db = Some(db.to_owned());
    options
}

/// On its turn, `player` names `p` (in `apple`: it moves again), then `z`
/// (a miss: the turn passes), so the game has "Letters tried: p, z.".
async fn hit_then_miss(player: &mut Client) {
    player.expect("/turn").await;
    player.send("/letter p").await;
    player.expect("/turn").await;
    player.send("/letter z").await;
}

/// Takes a seat back after the restart; returns the lines up to the
/// snapshot's turn line.
async fn resume(client: &mut Client, name: &str, token: &str) -> Vec<String> {
    client.send(&format!("/resume {token}")).await;
    client.expect(&format!("Hello, {name}!")).await;
    client.expect_prefix("Word: ").await;
    let mut lines = vec![client.next_line().await.expect("letters tried")];
    lines.push(client.expect_prefix("It is ").await);
    lines
}

/// `/top` and `/history CODE` through `door` show bob's win over alice.
async fn check_records(server: &RunningServer, door: Door, code: &str) {
    let mut reader = client(server, door, "reader").await;
    // No list of every room's games: it would give away private codes.
    reader.send("/history").await;
    reader
        .expect_prefix("Error: which room? send /history CODE")
        .await;
    expect_records(
        &mut reader,
        code,
        &[
            "1. bob: 1 win, 8 points, 1 game.",
            "2. alice: 0 wins, 2 points, 1 game.",
        ],
        " UTC: 'apple', won by bob; alice 2, bob 8; 3 moves.",
    )
    .await;
}

/// The same over HTTP, with the doors the players used.
async fn check_api(http: SocketAddr, code: &str, doors: [Door; 2]) {
    let (status, body) = http_get(http, "/api/leaderboard").await;
    assert_eq!(status, 200, "{body}");
    let board: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        board["players"][0],
        json!({"name": "bob", "games": 1, "wins": 1, "points": 8})
    );
    let (status, body) = http_get(http, &format!("/api/rooms/{code}/history")).await;
    assert_eq!(status, 200, "{body}");
    let history: Value = serde_json::from_str(&body).expect("JSON");
    let game = &history["games"][0];
    assert_eq!(history["room"], code);
    assert_eq!(game["word"], "apple");
    assert_eq!(game["winner"], "bob");
    assert_eq!(game["moves"], 3);
    assert_eq!(game["language"], "en");
    assert_eq!(
        game["players"],
        json!([
            {"name": "alice", "door": door_name(doors[0]), "points": 2},
            {"name": "bob", "door": door_name(doors[1]), "points": 8},
        ])
    );
    assert!(game["started_at"].as_i64() <= game["ended_at"].as_i64());
}

#[tokio::test]
async fn a_room_game_survives_a_graceful_restart_and_lands_in_history() {
    for door in Door::ALL {
        let dir = TempDir::new("graceful");
        let options = with_db(&dir.join("games.db"));
        let server = start(options.clone()).await;
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        let alice_token = alice.token().await;
        alice.send("/time 45").await;
        let mut bob = client(&server, other(door), "bob").await;
        bob.enter(&[&format!("/join {code}")], "bob").await;
        let bob_token = bob.token().await;
        alice.send("/start").await;
        hit_then_miss(&mut alice).await;
        bob.expect("/turn").await;

        server.shutdown().await;
        for (player, token) in [(&mut alice, &alice_token), (&mut bob, &bob_token)] {
            let goodbye = player.until_closed().await;
            assert!(
                goodbye
                    .iter()
                    .any(|line| line.starts_with(
                        "The server is restarting; your game is saved. Reconnect and send "
                    ) && line.contains(&format!("/resume {token} within 120 s"))),
                "{door:?}: {goodbye:?}"
            );
        }

        let server = start(options).await;
        let mut alice = client(&server, door, "alice again").await;
        let snapshot = resume(&mut alice, "alice", &alice_token).await;
        assert_eq!(snapshot, ["Letters tried: p, z.", "It is bob's turn."]);
        let mut bob = client(&server, other(door), "bob again").await;
        bob.send(&format!("/resume {bob_token}")).await;
        let resumed = bob.expect("/turn").await;
        assert!(
            resumed
                .iter()
                .any(|l| l.starts_with("Room settings: ") && l.ends_with("; 45 s a turn.")),
            "the room's settings come back too: {resumed:?}"
        );
        bob.send("/word apple").await;
        let seen_by_alice = alice.expect("Game over! The word was 'apple'.").await;
        assert!(
            !seen_by_alice.iter().any(|l| l == "/turn"),
            "the turn stayed bob's: {seen_by_alice:?}"
        );
        alice.expect("Results: alice 2, bob 8.").await;

        for reader in Door::ALL {
            check_records(&server, reader, &code).await;
        }
        check_api(server.http, &code, [door, other(door)]).await;
        server.shutdown().await;
    }
}

/// How the server process is stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// `SIGKILL`: no goodbye, nothing flushed.
    Kill,
    /// `SIGTERM`: players are told how to come back.
    Term,
}

#[tokio::test]
async fn a_move_that_was_seen_survives_the_server_process_being_killed_or_stopped() {
    for stop in [Stop::Kill, Stop::Term] {
        let dir = TempDir::new("killed");
        let db = dir.join("games.db");
        let words = dir.join("words.txt");
        std::fs::write(&words, "apple\n").expect("write");
        let server = ServerProcess::start(&server_args(&db, &words));
        let mut alice = server.client(Door::Tcp, "alice").await;
        alice.enter(&[], "alice").await;
        let code = alice.room_code().await;
        let alice_token = alice.token().await;
        let mut bob = server.client(Door::WsJson, "bob").await;
        bob.enter(&[], "bob").await;
        let bob_token = bob.token().await;
        hit_then_miss(&mut alice).await;
        // Bob has seen the miss: stopped now, it must not be lost.
        bob.expect_prefix("alice named the letter 'z'").await;
        let told = |lines: &[String], token: &str| {
            lines.iter().any(|l| {
                l.starts_with("The server is restarting; your game is saved.")
                    && l.contains(&format!("/resume {token} within 120 s"))
            })
        };
        match stop {
            Stop::Kill => {
                server.kill();
                let last_words = alice.until_closed().await;
                assert!(
                    !last_words.iter().any(|l| l.contains("restarting")),
                    "a killed server says no goodbye: {last_words:?}"
                );
            }
            Stop::Term => {
                server.terminate();
                let goodbye = alice.until_closed().await;
                assert!(told(&goodbye, &alice_token), "{goodbye:?}");
                let goodbye = bob.until_closed().await;
                assert!(told(&goodbye, &bob_token), "{goodbye:?}");
            }
        }

        let server = ServerProcess::start(&server_args(&db, &words));
        let mut bob = server.client(Door::WsJson, "bob again").await;
        bob.send(&format!("/resume {bob_token}")).await;
        bob.expect("Hello, bob!").await;
        bob.expect("Letters tried: p, z.").await;
        bob.expect("It is bob's turn.").await;
        bob.expect("/turn").await;
        let mut alice = server.client(Door::Tcp, "alice again").await;
        let snapshot = resume(&mut alice, "alice", &alice_token).await;
        assert_eq!(
            snapshot,
            ["Letters tried: p, z.", "It is bob's turn (120 s left)."],
            "{stop:?}: bob is back, so his clock runs"
        );
        bob.send("/word apple").await;
        alice.expect("Results: alice 2, bob 8.").await;

        check_records_of(&server, &code).await;
    }
}

#[tokio::test]
async fn no_player_sees_a_move_before_it_is_committed() {
    for door in Door::ALL {
        let dir = TempDir::new("held");
        let db = dir.join("games.db");
        let server = start(with_db(&db)).await;
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        let mut bob = client(&server, other(door), "bob").await;
        bob.enter(&[], "bob").await;
        alice.expect("/turn").await;
        bob.expect_prefix("It is alice's turn").await;
        // Another connection holds the database's write lock: the move's
        // save waits for it, and so does every line about the move.
        let blocker = rusqlite::Connection::open(&db).expect("open");
        blocker
            .busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        blocker.execute_batch("BEGIN IMMEDIATE").expect("lock");
        alice.send("/letter p").await;
        let quiet = std::time::Duration::from_millis(800);
        for player in [&mut alice, &mut bob] {
            let early = tokio::time::timeout(quiet, player.next_line()).await;
            assert!(
                early.is_err(),
                "{door:?}: seen before the commit: {early:?}"
            );
        }
        blocker.execute_batch("COMMIT").expect("unlock");
        bob.expect("alice named the letter 'p': 2 in the word, +2 points (total 2).")
            .await;
        alice.expect("/turn").await;
        server.shutdown().await;
    }
}

/// `(state, log_after)` of the saved room `code`, and the ids of the moves
/// logged after it, read straight from the database file.
fn saved_and_logged(db: &Path, code: &str) -> (String, i64, Vec<i64>) {
    let reader = rusqlite::Connection::open(db).expect("open");
    let (state, log_after): (String, i64) = reader
        .query_row(
            "SELECT state, log_after FROM rooms WHERE code = ?1",
            [code],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the room is saved");
    let mut statement = reader
        .prepare("SELECT id FROM room_moves WHERE room = ?1 AND id > ?2 ORDER BY id")
        .expect("prepare");
    let logged = statement
        .query_map(rusqlite::params![code, log_after], |row| row.get(0))
        .expect("query")
        .collect::<Result<Vec<i64>, _>>()
        .expect("rows");
    (state, log_after, logged)
}

#[tokio::test]
async fn moves_are_logged_alone_and_the_whole_room_is_saved_soon_after() {
    let dir = TempDir::new("logged");
    let db = dir.join("games.db");
    let server = start(with_db(&db)).await;
    let mut alice = client(&server, Door::Tcp, "alice").await;
    alice.enter(&[], "alice").await;
    let code = alice.room_code().await;
    let mut bob = client(&server, Door::WsJson, "bob").await;
    bob.enter(&[], "bob").await;
    hit_then_miss(&mut alice).await;
    bob.expect("/turn").await;

    // Both moves are in the log, after a saved state that has neither.
    let (state, _, logged) = saved_and_logged(&db, &code);
    assert_eq!(logged.len(), 2, "one small row a move: {logged:?}");
    assert!(state.contains(r#""named":[]"#), "{state}");

    // Within the time the room allows, its whole state catches up.
    tokio::time::sleep(wordguess_backend::room::SAVE_WHOLE_WITHIN + Duration::from_secs(1)).await;
    let (state, _, logged) = saved_and_logged(&db, &code);
    assert!(
        logged.is_empty(),
        "the saved state includes the moves: {logged:?}"
    );
    assert!(state.contains(r#""named":["p","z"]"#), "{state}");
    server.shutdown().await;
}

/// `--db DB --words WORDS`.
fn server_args(db: &Path, words: &Path) -> Vec<std::ffi::OsString> {
    vec!["--db".into(), db.into(), "--words".into(), words.into()]
}

async fn check_records_of(server: &ServerProcess, code: &str) {
    let mut reader = server.client(Door::WsText, "reader").await;
    reader.send("/top").await;
    reader.expect("1. bob: 1 win, 8 points, 1 game.").await;
    check_api(server.http, code, [Door::Tcp, Door::WsJson]).await;
}

#[tokio::test]
async fn a_database_that_cannot_be_used_stops_the_start_with_a_hint() {
    let dir = TempDir::new("bad-db");
    let db = dir.join("games.db");
    let garbage = b"this is not a database, but somebody's notes\n".repeat(100);
    std::fs::write(&db, &garbage).expect("write");
    let not_a_dir = dir.join("file");
    std::fs::write(&not_a_dir, "x").expect("write");
    for (path, expected) in [
        (db.clone(), "is not a wordguess database or is damaged"),
        (not_a_dir.join("games.db"), "cannot write"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_wordguess-server"))
            .args(["--tcp", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(["--palindrome", "127.0.0.1:0", "--web-root", "no-app"])
            .arg("--db")
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .expect("the server runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains("--db"), "a hint names the option: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert_eq!(
        std::fs::read(&db).expect("read"),
        garbage,
        "the file is left as it was"
    );
}

#[tokio::test]
async fn a_full_disk_is_told_to_the_room_and_play_goes_on() {
    for door in Door::ALL {
        let dir = TempDir::new("full");
        let server = start(with_db(&dir.join("games.db"))).await;
        let writer = server.writer.clone().expect("a database");
        fill_the_database(&writer).await;
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        alice
            .expect(
                "The server cannot save this room any more (its database cannot be written); \
                 the game goes on, but would not survive a server restart.",
            )
            .await;
        let mut bob = client(&server, other(door), "bob").await;
        bob.enter(&[&format!("/join {code}")], "bob").await;
        alice.send("/start").await;
        alice.expect("/turn").await;
        alice.send("/word apple").await;
        bob.expect("Game over! The word was 'apple'.").await;
        // The room tries again after a pause, not in a loop.
        let (_, metrics) = http_get(server.http, "/metrics").await;
        let failures: f64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("wordguess_save_failures_total "))
            .and_then(|v| v.trim().parse().ok())
            .expect("the failures are counted");
        assert!((1.0..=3.0).contains(&failures), "{failures} failed saves");
        server.shutdown().await;
    }
}

/// Fills what room is left in the database's pages (it may not grow), big
/// rows first, so the next save of a room fails.
async fn fill_the_database(writer: &wordguess_store::Writer) {
    writer.limit_growth(0).await.expect("limit");
    let mut n = 0;
    for size in [3000, 1000, 300, 100, 30] {
        loop {
            n += 1;
            let filler = Write::SaveRoom {
                code: format!("FILL{n}"),
                state: "x".repeat(size),
            };
            if let Err(error) = writer.submit(vec![filler]).await {
                assert!(error.is_full(), "{error}");
                break;
            }
        }
    }
}

#[tokio::test]
async fn moves_made_while_the_disk_was_full_are_saved_once_it_has_room() {
    let dir = TempDir::new("recovered");
    let options = with_db(&dir.join("games.db"));
    let server = start(options.clone()).await;
    let writer = server.writer.clone().expect("a database");
    fill_the_database(&writer).await;
    let mut alice = client(&server, Door::Tcp, "alice").await;
    alice.enter(&["/new"], "alice").await;
    let code = alice.room_code().await;
    let alice_token = alice.token().await;
    alice
        .expect_prefix("The server cannot save this room any more")
        .await;
    let mut bob = client(&server, Door::WsJson, "bob").await;
    bob.enter(&[&format!("/join {code}")], "bob").await;
    let bob_token = bob.token().await;
    alice.send("/start").await;
    // Played while nothing can be saved.
    hit_then_miss(&mut alice).await;
    bob.expect("/turn").await;
    writer.limit_growth(100_000).await.expect("room again");
    alice.expect("This room is being saved again.").await;
    // Bob's miss comes after the recovery: logged on the state saved then.
    bob.send("/letter q").await;
    alice.expect("/turn").await;

    server.shutdown().await;
    let server = start(options).await;
    let mut alice = client(&server, Door::Tcp, "alice again").await;
    let snapshot = resume(&mut alice, "alice", &alice_token).await;
    assert_eq!(snapshot, ["Letters tried: p, z, q.", "It is alice's turn."]);
    let mut bob = client(&server, Door::WsJson, "bob again").await;
    bob.send(&format!("/resume {bob_token}")).await;
    bob.expect("Hello, bob!").await;
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_database_the_records_are_refused_clearly() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let mut player = client(&server, door, "player").await;
        player.send("/top").await;
        player
            .expect(
                "Error: this server keeps no history or leaderboard (it runs without a database)",
            )
            .await;
        player.enter(&[], "alice").await;
        player.send("/history").await;
        player
            .expect(
                "Error: this server keeps no history or leaderboard (it runs without a database)",
            )
            .await;
    }
    let (status, body) = http_get(server.http, "/api/leaderboard").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("without a database"), "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_records_api_refuses_a_bad_limit_in_json() {
    let dir = TempDir::new("limits");
    let server = start(with_db(&dir.join("games.db"))).await;
    for path in [
        "/api/leaderboard?limit=ten",
        "/api/leaderboard?limit=0",
        "/api/rooms/ABCDEF/history?limit=-1",
    ] {
        let (status, body) = http_get(server.http, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let refusal: Value = serde_json::from_str(&body).expect("JSON");
        assert!(
            refusal["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("limit must be 1 to ")),
            "{path}: {body}"
        );
    }
    let (status, _) = http_get(server.http, "/api/leaderboard?limit=3").await;
    assert_eq!(status, 200);
    server.shutdown().await;
}
