//! The server at its open-file limit, as an ordinary machine gives it
//! (`ulimit -n`): the limit is raised where it may be, the connection cap
//! fits what is left, newcomers at the cap are refused with a reason on
//! every door, `accept` never fails, operators still get `/healthz` and
//! `/metrics`, and players already in play on.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use common::{
    http_get, raw_ws, server_command_with_open_files, Client, Door, LineReader, ServerProcess,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A server whose process may open `soft` files, raisable to `hard`.
fn server(soft: u64, hard: u64, args: &[&str]) -> ServerProcess {
    let mut all = vec!["--db", "none", "--players", "2"];
    all.extend(args);
    ServerProcess::spawn(server_command_with_open_files(&all, soft, hard))
}

/// This process's hard open-file limit, as `ulimit -Hn` reads it.
fn hard_limit() -> u64 {
    let output = std::process::Command::new("sh")
        .args(["-c", "ulimit -Hn"])
        .output()
        .expect("sh runs");
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().unwrap_or(u64::MAX)
}

/// `count` players p0, p1, ... seated (in games of two), every door in
/// turn.
async fn seat_players(server: &ServerProcess, count: usize) -> Vec<Client> {
    let mut players = Vec::new();
    for n in 0..count {
        let door = Door::ALL[n % Door::ALL.len()];
        let mut player = server.client(door, &format!("p{n}")).await;
        player.enter(&[], &format!("p{n}")).await;
        players.push(player);
    }
    players
}

/// A TCP connection to `addr` from loopback address `source`.
async fn connect_from(source: Ipv4Addr, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((source, 0)))?;
    socket.connect(addr).await
}

/// What the server first says to a TCP newcomer from `source` (its first
/// line), or `None` if it closed without a word.
async fn first_words(source: Ipv4Addr, game: SocketAddr) -> Option<String> {
    let mut stream = connect_from(source, game).await.ok()?;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        while stream.read(&mut byte).await.ok()? == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        Some(String::from_utf8_lossy(&line).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("an answer in time")
        .filter(|line| !line.is_empty())
}

#[tokio::test]
async fn at_its_file_limit_the_server_refuses_newcomers_on_every_door_and_its_players_play_on() {
    // 120 files: the server keeps 48 for itself and 48 to refuse newcomers
    // and serve operators, so 24 connections.
    let server = server(120, 120, &[]);
    assert!(
        server.startup.iter().any(|line| line.contains(
            "--max-connections 10000 lowered to 24: this process may open only 120 files"
        )),
        "the operator is told at start: {:#?}",
        server.startup
    );
    // 24 players (12 games of two), every door in turn.
    let mut players = seat_players(&server, 24).await;
    // Newcomers on every door are refused with the reason.
    let refused = first_words(Ipv4Addr::new(127, 0, 7, 1), server.game).await;
    assert_eq!(
        refused.as_deref(),
        Some("Error: the server is full; try again later.")
    );
    for json in [false, true] {
        let protocol = if json {
            "Sec-WebSocket-Protocol: wordguess.v1.json\r\n"
        } else {
            ""
        };
        let (status, socket) = raw_ws::connect(server.http, protocol).await;
        assert!(status.contains(" 503 "), "{status}");
        assert!(socket.is_none());
    }
    let (status, body) = http_get(server.http, "/").await;
    assert_eq!(
        (status, body.as_str()),
        (503, "the server is full; try again later")
    );
    // A crowd arrives at once, from many addresses: every one is refused
    // or waits its turn, none makes the server fail to accept.
    let crowd = (0..150u8).map(|n| first_words(Ipv4Addr::new(127, 0, 8, n + 1), server.game));
    for answer in futures_util::future::join_all(crowd).await {
        assert!(
            answer.is_none_or(|line| line == "Error: the server is full; try again later."),
            "only refusals"
        );
    }
    // Operators still see the server.
    assert_eq!(http_get(server.http, "/healthz").await.0, 200);
    let (status, metrics) = http_get(server.http, "/metrics").await;
    assert_eq!(status, 200);
    assert!(metrics.contains("wordguess_players_seated 24"), "{metrics}");
    // And the players play on.
    let (first, second) = players.split_at_mut(1);
    let (alice, bob) = (&mut first[0], &mut second[0]);
    alice.expect("/turn").await;
    alice.send("/letter q").await;
    bob.expect_prefix("p0 named the letter 'q'").await;
    // A player leaves: a newcomer gets the seat at once.
    drop(players.pop());
    let mut newcomer = loop {
        let mut stream = connect_from(Ipv4Addr::new(127, 0, 9, 1), server.game)
            .await
            .expect("connect");
        let mut greeting = [0u8; 8];
        if stream.read_exact(&mut greeting).await.is_ok() && greeting.starts_with(b"Welcome") {
            break stream;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    newcomer.write_all(b"/quit\n").await.expect("send");
    // Nothing failed to accept meanwhile.
    let log: Vec<String> = server.log.try_iter().collect();
    assert!(
        !log.iter().any(|line| line.contains("accept failed")),
        "{:#?}",
        log.iter()
            .filter(|l| l.contains("accept"))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_low_soft_limit_is_raised_to_the_hard_one() {
    // Without raising it, 100 files would leave room for 4 connections. (A
    // test may lower the hard limit, not raise it: at most this machine's.)
    let hard = hard_limit().min(4096);
    assert!(hard >= 400, "this machine's hard open-file limit is {hard}");
    let server = server(100, hard, &["--max-connections", "200"]);
    assert!(
        server.startup.iter().any(|line| line.contains(&format!(
            "raised the open-file limit to the hard limit before=100 limit={hard}"
        ))),
        "{:#?}",
        server.startup
    );
    assert!(!server.startup.iter().any(|line| line.contains("lowered")));
    let _players = seat_players(&server, 30).await;
    assert_eq!(http_get(server.http, "/healthz").await.0, 200);
}
