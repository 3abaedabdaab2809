//! `/metrics` as an operator reads it: connections by door, rooms, games,
//! seats, moves and dropped connections by reason, each door counted; and a
//! connection's log lines carry its id, door, address and player.

mod common;

use common::{client, http_get, raw_ws, Door, LineReader, Player, ServerProcess, PATIENCE};
use wordguess_backend::testkit::{start, RunningServer, TestOptions};

/// The value of `metric` (with its labels, as written) in `/metrics`
/// (0 if it has no line yet).
async fn metric(server: &RunningServer, metric: &str) -> f64 {
    let (status, body) = http_get(server.http, "/metrics").await;
    assert_eq!(status, 200, "{body}");
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("{metric} ")))
        .map_or(0.0, |value| value.trim().parse().expect("a number"))
}

/// Reads `metric` until it is `expected` (a closed connection is counted
/// out a moment after its socket closes); fails after [`PATIENCE`].
async fn settles_at(server: &RunningServer, name: &str, expected: f64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let value = metric(server, name).await;
        if value == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} is {value}, not {expected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_count_connections_by_door_games_seats_and_moves() {
    let server = start(TestOptions::new("apple", 3)).await;
    let mut players = Vec::new();
    for (door, name) in Door::ALL.into_iter().zip(["tcp", "ws", "app"]) {
        let mut player = client(&server, door, name).await;
        player.enter(&[], name).await;
        players.push(player);
    }
    for door in ["tcp", "ws", "app"] {
        assert_eq!(
            metric(
                &server,
                &format!("wordguess_connections{{door=\"{door}\"}}")
            )
            .await,
            1.0,
            "{door}"
        );
    }
    assert_eq!(metric(&server, "wordguess_players_seated").await, 3.0);
    assert_eq!(metric(&server, "wordguess_games_running").await, 1.0);
    assert_eq!(metric(&server, "wordguess_rooms").await, 1.0);
    assert_eq!(metric(&server, "wordguess_moves_total").await, 0.0);

    // Each door names a letter that misses, then the word.
    for (index, letter) in ["x", "y", "z"].into_iter().enumerate() {
        players[index].expect("/turn").await;
        players[index].send(&format!("/letter {letter}")).await;
    }
    players[0].expect("/turn").await;
    players[0].send("/word apple").await;
    for player in &mut players {
        player.expect("Results: tcp 10, ws 0, app 0.").await;
        player.until_closed().await;
    }
    assert_eq!(metric(&server, "wordguess_moves_total").await, 4.0);
    assert_eq!(metric(&server, "wordguess_games_finished_total").await, 1.0);
    assert_eq!(metric(&server, "wordguess_games_running").await, 0.0);
    assert_eq!(metric(&server, "wordguess_players_seated").await, 0.0);
    for door in ["tcp", "ws", "app"] {
        settles_at(
            &server,
            &format!("wordguess_connections{{door=\"{door}\"}}"),
            0.0,
        )
        .await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn metrics_count_dropped_connections_by_reason_on_every_door() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_queued_lines = 20;
    let server = start(options).await;
    for (round, door) in Door::ALL.into_iter().enumerate() {
        let mut flooder = client(&server, door, "flooder").await;
        flooder.enter(&[], "flooder").await;
        flooder.send(&vec!["/help"; 100].join("\n")).await;
        flooder.until_closed().await;
        assert_eq!(
            metric(
                &server,
                "wordguess_dropped_connections_total{reason=\"rate_limit\"}"
            )
            .await,
            (round + 1) as f64,
            "{door:?}"
        );
        let mut long = client(&server, door, "long").await;
        long.send(&"x".repeat(5000)).await;
        long.until_closed().await;
        assert_eq!(
            metric(
                &server,
                "wordguess_dropped_connections_total{reason=\"too_long\"}"
            )
            .await,
            (round + 1) as f64,
            "{door:?}"
        );
    }
    let (status, _) = raw_ws::connect(server.http, "Origin: https://evil.example\r\n").await;
    assert!(status.starts_with("HTTP/1.1 403 "), "{status}");
    assert_eq!(
        metric(
            &server,
            "wordguess_dropped_connections_total{reason=\"origin\"}"
        )
        .await,
        1.0
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_connections_log_lines_name_its_id_door_address_and_player() {
    let server = ServerProcess::start(&["--db".into(), "none".into()]);
    for (door, label, name) in [(Door::Tcp, "tcp", "alice"), (Door::WsJson, "app", "bob")] {
        let mut player = server.client(door, name).await;
        player.enter(&[], name).await;
        player.send(&"x".repeat(5000)).await;
        player.until_closed().await;
        let closing = server.log_line("line too long: closing");
        assert!(closing.contains(&format!("door={label}")), "{closing}");
        assert!(closing.contains("addr=127.0.0.1:"), "{closing}");
        assert!(closing.contains(&format!("player={name}")), "{closing}");
        assert!(closing.contains("conn{id="), "{closing}");
    }
}

#[tokio::test]
async fn the_ready_line_says_what_to_open_in_a_browser_and_the_nc_command_to_copy() {
    let server = ServerProcess::start(&["--db".into(), "none".into()]);
    let browser = format!("open http://{}/ in a browser", server.http);
    assert!(server.ready.contains(&browser), "{}", server.ready);
    let terminal = format!("`nc 127.0.0.1 {}`", server.game.port());
    assert!(server.ready.contains(&terminal), "{}", server.ready);
    assert!(
        !server.ready.contains('<'),
        "no placeholder to fill in: {}",
        server.ready
    );
    let mut player = Player::connect_raw(server.game).await;
    player
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
}

/// The server's log lines up to its ready line, with `args`, its stderr a
/// pipe as a log file or a collector would have it.
fn log_until_ready(args: &[&str]) -> Vec<String> {
    use std::io::BufRead;
    let args: Vec<&str> = ["--db", "none"].iter().chain(args).copied().collect();
    let mut process = common::server_command(&args)
        .spawn()
        .expect("the server starts");
    let stderr = process.stderr.take().expect("stderr");
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
    {
        let ready = line.contains("wordguess is ready");
        lines.push(line);
        if ready {
            break;
        }
    }
    let _ = process.kill();
    let _ = process.wait();
    lines
}

#[test]
fn logs_to_a_pipe_are_plain_text_and_json_on_request() {
    let text = log_until_ready(&[]);
    assert!(
        text.last()
            .is_some_and(|line| line.contains("wordguess is ready")),
        "{text:?}"
    );
    assert!(
        text.iter().all(|line| !line.contains('\u{1b}')),
        "no colour escapes in a log file: {text:?}"
    );
    let json = log_until_ready(&["--log-format", "json"]);
    assert!(!json.is_empty());
    for line in &json {
        let object: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not one JSON object ({error}): {line}"));
        assert!(object["fields"]["message"].is_string(), "{line}");
        assert!(object["level"].is_string(), "{line}");
    }
    let ready = json.last().expect("a ready line");
    assert!(ready.contains("wordguess is ready"), "{ready}");
}
