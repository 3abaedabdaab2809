//! The server against hostile or careless traffic, on every door: floods,
//! pipelining, foreign web pages, broken WebSocket frames, and HTTP
//! connections that never finish their request.

mod common;

use std::time::Duration;

use common::raw_ws::{self, TEXT};
use common::{client, Door, LineReader, Player};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wordguess_backend::testkit::{start, TestOptions};

const JSON: &str = "Sec-WebSocket-Protocol: wordguess.v1.json\r\n";

#[tokio::test]
async fn a_paste_of_many_commands_is_served_in_full_at_the_rate_limit_on_every_door() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.command_burst = 20;
    options.limits.commands_per_second = 200.0;
    for door in Door::ALL {
        let server = start(options.clone()).await;
        let mut paster = client(&server, door, "paster").await;
        paster.enter(&[], "paster").await;
        // 300 commands in one write (one message each on WebSocket): far
        // more than the burst; the rest wait their turn, none is lost.
        let paste: Vec<String> = (0..300).map(|_| "/help".to_owned()).collect();
        paster.send_many(&paste).await;
        for n in 0..300 {
            let line = paster.expect_prefix("Commands: ").await;
            assert!(line.contains("/letter X"), "{door:?}: reply {n}");
        }
        paster.send("/who").await;
        paster.expect("Players: paster 0.").await;
        server.shutdown().await;
    }
}

#[tokio::test]
async fn more_lines_at_once_than_may_wait_close_the_connection_with_the_reason_and_the_game_goes_on(
) {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_queued_lines = 50;
    for door in Door::ALL {
        let server = start(options.clone()).await;
        let mut alice = client(&server, Door::Tcp, "alice").await;
        alice.enter(&[], "alice").await;
        let mut flooder = client(&server, door, "flooder").await;
        flooder.enter(&[], "flooder").await;
        alice.expect("/turn").await;
        // Sixty lines in one write (one message on WebSocket).
        let flood = vec!["/who"; 60].join("\n");
        flooder.send(&flood).await;
        let rest = flooder.until_closed().await;
        assert!(
            rest.contains(
                &"Error: more than 50 lines were sent at once (they are served 20 a second); \
                  closing the connection"
                    .to_owned()
            ),
            "{door:?}: {rest:?}"
        );
        let answered = rest.iter().filter(|l| l.starts_with("Players:")).count();
        assert_eq!(
            answered, 0,
            "{door:?}: nothing of a refused backlog is served"
        );
        // The game goes on for alice.
        alice
            .expect("flooder lost the connection; the seat is kept for 120 s.")
            .await;
        alice.send("/word apple").await;
        alice.expect("Results: alice 10, flooder 0.").await;
        server.shutdown().await;
    }
}

#[tokio::test]
async fn a_terminal_that_keeps_sending_far_ahead_of_the_rate_is_closed_with_the_reason() {
    // Each read takes 4 KB (fewer than the lines that may wait); what
    // waits unread behind it is what gives the flood away.
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = client(&server, Door::Tcp, "alice").await;
    alice.enter(&[], "alice").await;
    let mut flooder = client(&server, Door::Tcp, "flooder").await;
    flooder.enter(&[], "flooder").await;
    alice.expect("/turn").await;
    let flood = vec!["/who"; 8_000].join("\n");
    flooder.send(&flood).await;
    let rest = flooder.until_closed().await;
    assert!(
        rest.contains(
            &"Error: more than 16384 bytes were sent ahead of the command rate \
              (they are served 20 a second); closing the connection"
                .to_owned()
        ),
        "{rest:?}"
    );
    let answered = rest.iter().filter(|l| l.starts_with("Players:")).count();
    assert!(answered < 100, "the flood was not served: {answered}");
    alice
        .expect("flooder lost the connection; the seat is kept for 120 s.")
        .await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_that_pipelines_commands_and_reads_the_replies_is_served_not_dropped() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.command_burst = 100_000;
    options.limits.commands_per_second = 100_000.0;
    let server = start(options).await;
    for door in Door::ALL {
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        // 300 commands in one write: more replies than the 256-event queue.
        let requests: Vec<String> = (0..300).map(|_| "/help".to_owned()).collect();
        alice.send_many(&requests).await;
        for n in 0..300 {
            let line = alice.expect_prefix("Commands: ").await;
            assert!(line.contains("/letter X"), "reply {n}");
        }
        alice.send("/who").await;
        alice.expect("Players: alice 0.").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn only_the_servers_own_pages_and_terminal_tools_may_open_the_game_socket() {
    let mut options = TestOptions::new("apple", 2);
    options.allowed_origins = vec!["https://play.example.org".to_owned()];
    let server = start(options).await;
    let http = server.http;
    let cases = [
        ("", "101"),
        (&*format!("Origin: http://{http}\r\n"), "101"),
        ("Origin: https://play.example.org\r\n", "101"),
        ("Origin: https://evil.example\r\n", "403"),
        ("Origin: null\r\n", "403"),
        (&*format!("Origin: http://{http}.evil.example\r\n"), "403"),
    ];
    for (header, expected) in cases {
        let (status, _) = raw_ws::connect(http, header).await;
        assert!(
            status.starts_with(&format!("HTTP/1.1 {expected} ")),
            "{header:?} gave {status:?}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn websocket_closes_carry_a_code_and_a_reason() {
    let server = start(TestOptions::new("apple", 2)).await;
    for subprotocol in ["", JSON] {
        // A text frame that is not UTF-8: a clear error, then 1007.
        let (_, socket) = raw_ws::connect(server.http, subprotocol).await;
        let mut socket = socket.expect("upgraded");
        socket.send_frame(TEXT, b"al\xffice", 0).await;
        let (texts, code) = socket.until_close().await;
        assert_eq!(code, Some(1007), "{texts:?}");
        assert!(
            texts
                .iter()
                .any(|t| t.contains("the line is not valid UTF-8 text")),
            "{texts:?}"
        );

        // A message over the size limit: an error, then 1009.
        let (_, socket) = raw_ws::connect(server.http, subprotocol).await;
        let mut socket = socket.expect("upgraded");
        socket.send_frame(TEXT, &[b'x'; 20_000], 0).await;
        let (texts, code) = socket.until_close().await;
        assert_eq!(code, Some(1009), "{texts:?}");
        assert!(
            texts.iter().any(|t| t.contains("is longer than")),
            "{texts:?}"
        );

        // Reserved bits without an extension: a protocol error, 1002.
        let (_, socket) = raw_ws::connect(server.http, subprotocol).await;
        let mut socket = socket.expect("upgraded");
        socket.send_frame(TEXT, b"alice", 4).await;
        let (_, code) = socket.until_close().await;
        assert_eq!(code, Some(1002));
    }
    // Shutdown: the players are told, then 1001.
    let (_, socket) = raw_ws::connect(server.http, "").await;
    let mut socket = socket.expect("upgraded");
    socket.send_frame(TEXT, b"alice", 0).await;
    let (_, hello) = socket.next_frame().await.expect("welcome");
    assert!(String::from_utf8_lossy(&hello).starts_with("Welcome"));
    let server_task = tokio::spawn(server.shutdown());
    let (texts, code) = socket.until_close().await;
    assert!(
        texts.contains(&"The server is shutting down. Goodbye!".to_owned()),
        "{texts:?}"
    );
    assert_eq!(code, Some(1001));
    server_task.await.unwrap();
}

#[tokio::test]
async fn a_websocket_flood_is_closed_with_the_policy_code() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_queued_lines = 20;
    let server = start(options).await;
    let (_, socket) = raw_ws::connect(server.http, "").await;
    let mut socket = socket.expect("upgraded");
    let flood = vec!["/help"; 100].join("\n");
    socket.send_frame(TEXT, flood.as_bytes(), 0).await;
    let (texts, code) = socket.until_close().await;
    assert_eq!(code, Some(1008), "{texts:?}");
    server.shutdown().await;
}

/// A connection to `http` that sends half a request head and stops.
async fn half_sent_request(http: std::net::SocketAddr) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(http).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    stream
}

/// Whether the server closed `stream` (reading ends) within `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> bool {
    let mut rest = Vec::new();
    tokio::time::timeout(wait, stream.read_to_end(&mut rest))
        .await
        .is_ok()
}

#[tokio::test]
async fn slow_requests_are_cut_off_at_the_header_deadline() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.header_timeout = Duration::from_millis(300);
    let server = start(options).await;
    let mut slow = half_sent_request(server.http).await;
    assert!(
        closed_within(&mut slow, common::PATIENCE).await,
        "a slow request is closed by the server"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn half_sent_http_requests_make_room_for_a_player_at_once_on_every_door() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_connections = 2;
    // Far beyond the test: the deadline is not what frees a slot.
    options.limits.header_timeout = Duration::from_secs(600);
    for door in Door::ALL {
        let server = start(options.clone()).await;
        // Two half-sent requests (from a botnet, say) hold both slots...
        let mut oldest = half_sent_request(server.http).await;
        let mut newer = half_sent_request(server.http).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        // ...and a player gets in at once: the oldest makes room.
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        assert!(
            closed_within(&mut oldest, common::PATIENCE).await,
            "{door:?}: the oldest half-sent request is closed"
        );
        assert!(
            !closed_within(&mut newer, Duration::from_millis(200)).await,
            "{door:?}: only one makes room"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn the_oldest_of_a_nameless_player_and_a_half_sent_request_makes_room() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_connections = 2;
    options.limits.header_timeout = Duration::from_secs(600);
    let server = start(options).await;
    let mut nameless = Player::connect_raw(server.game).await;
    nameless
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    let mut request = half_sent_request(server.http).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut alice = Player::connect_raw(server.game).await;
    nameless
        .expect(
            "Error: the server is full and this connection has not sent a name; \
             closing it to make room",
        )
        .await;
    alice
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    assert!(
        !closed_within(&mut request, Duration::from_millis(200)).await,
        "the newer half-sent request stays"
    );
    // The next newcomer: now the half-sent request is the oldest.
    alice.send("alice").await;
    alice.expect("Hello, alice!").await;
    let mut bob = Player::connect_raw(server.game).await;
    bob.expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    assert!(closed_within(&mut request, common::PATIENCE).await);
    server.shutdown().await;
}

#[tokio::test]
async fn huge_request_heads_and_idle_keep_alive_connections_are_refused_or_closed() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.header_timeout = Duration::from_millis(300);
    let server = start(options).await;
    // A head far larger than the app needs.
    let mut stream = tokio::net::TcpStream::connect(server.http).await.unwrap();
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let _ = stream.write_all(big.as_bytes()).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(common::PATIENCE, stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 431"),
        "{response}"
    );
    // A keep-alive connection that stays idle after its request is closed.
    let mut stream = tokio::net::TcpStream::connect(server.http).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(common::PATIENCE, stream.read_to_end(&mut response)).await;
    assert!(read.is_ok(), "the idle connection was closed");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
    server.shutdown().await;
}
