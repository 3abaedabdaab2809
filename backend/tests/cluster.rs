//! Several server processes sharing rooms through a real Redis (started by
//! each test on a free loopback port, in a temporary directory): a room
//! made on one node is played from all three, on every door; quick match
//! meets players of different nodes; a seat is resumed and a game watched
//! from another node; history and the leaderboard read the same on every
//! node; and a node killed mid-game loses nothing a player saw.

mod common;

use std::ffi::OsString;
use std::time::Duration;

use common::{
    expect_records, http_get, ws, Client, Door, LineReader, RedisServer, ServerProcess, TempDir,
};
use wordguess_protocol::ServerEvent;

/// Three nodes of one cluster on `redis`, playing games of `players` with
/// the word `apple`.
struct Cluster {
    nodes: Vec<ServerProcess>,
    _words: TempDir,
}

impl Cluster {
    fn start(redis: &RedisServer, players: u16) -> Self {
        Self::start_with(redis, players, &[])
    }

    /// Three nodes, each also given `extra` arguments.
    fn start_with(redis: &RedisServer, players: u16, extra: &[&str]) -> Self {
        let words = TempDir::new("cluster-words");
        let file = words.join("words.txt");
        std::fs::write(&file, "apple\n").expect("write");
        let nodes = ["a", "b", "c"]
            .into_iter()
            .map(|name| {
                let mut args = node_args(redis, name, &file, players);
                args.extend(extra.iter().map(OsString::from));
                ServerProcess::start(&args)
            })
            .collect();
        Self {
            nodes,
            _words: words,
        }
    }

    /// A client of node `node` through `door`.
    async fn client(&self, node: usize, door: Door, label: &str) -> Client {
        self.nodes[node].client(door, label).await
    }
}

/// The arguments of node `name`.
fn node_args(
    redis: &RedisServer,
    name: &str,
    words: &std::path::Path,
    players: u16,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["--redis", &redis.url(), "--node", name]
        .into_iter()
        .map(OsString::from)
        .collect();
    args.extend(["--players", &players.to_string()].map(OsString::from));
    args.push("--words".into());
    args.push(words.as_os_str().to_owned());
    args
}

/// Plays the rest of a game of alice, bob and carol that starts with
/// alice's turn: alice names `p` (2 points) and then misses with `z`, bob
/// misses with `q`, carol names the word.
async fn play_out(alice: &mut Client, bob: &mut Client, carol: &mut Client) {
    alice.expect("/turn").await;
    alice.send("/letter p").await;
    alice.expect("/turn").await;
    alice.send("/letter z").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    carol_wins(alice, bob, carol).await;
}

/// Carol, on her turn, names the word: every player sees the results of
/// the game of alice's `p` (2 points), her miss and bob's, and carol's word.
async fn carol_wins(alice: &mut Client, bob: &mut Client, carol: &mut Client) {
    carol.expect("/turn").await;
    carol.send("/word apple").await;
    for player in [alice, bob, carol] {
        player.expect("Game over! The word was 'apple'.").await;
        player.expect("Results: alice 2, bob 0, carol 8.").await;
    }
}

#[tokio::test]
async fn a_room_made_on_one_node_is_played_from_all_three_on_every_door() {
    let redis = RedisServer::start("three-nodes");
    let cluster = Cluster::start(&redis, 3);
    for (node, name) in cluster.nodes.iter().zip(["a", "b", "c"]) {
        assert!(
            node.ready.starts_with(&format!("node={name} ")),
            "log lines name the node: {}",
            node.ready
        );
    }
    let mut alice = cluster.client(0, Door::Tcp, "alice on a").await;
    alice.enter(&["/new"], "alice").await;
    let code = alice.room_code().await;
    let mut bob = cluster.client(1, Door::WsText, "bob on b").await;
    bob.enter(&[&format!("/join {code}")], "bob").await;
    assert_eq!(bob.room_code().await, code);
    let mut carol = cluster.client(2, Door::WsJson, "carol on c").await;
    carol.enter(&[&format!("/join {code}")], "carol").await;
    // Spectators on other nodes than the room's, through every door.
    let mut watchers = Vec::new();
    for (number, door) in Door::ALL.into_iter().enumerate() {
        let node = 1 + number % 2;
        let name = format!("watcher{number}");
        let mut watcher = cluster.client(node, door, &name).await;
        watcher.send(&format!("/watch {code}")).await;
        watcher.send(&name).await;
        watcher
            .expect(&format!(
                "{} watching.",
                match number {
                    0 => "1 spectator".to_owned(),
                    count => format!("{} spectators", count + 1),
                }
            ))
            .await;
        watchers.push(watcher);
    }
    alice.send("/start").await;
    play_out(&mut alice, &mut bob, &mut carol).await;
    for watcher in &mut watchers {
        watcher.expect("Results: alice 2, bob 0, carol 8.").await;
    }

    // Every node reads the same records, over every door and over HTTP.
    let doors = [Door::Tcp, Door::WsText, Door::WsJson];
    for (node, door) in doors.into_iter().enumerate() {
        let mut reader = cluster
            .client(node, door, &format!("reader on node {node}"))
            .await;
        expect_records(
            &mut reader,
            &code,
            &[
                "1. carol: 1 win, 8 points, 1 game.",
                "2. alice: 0 wins, 2 points, 1 game.",
            ],
            " UTC: 'apple', won by carol; alice 2, bob 0, carol 8; 4 moves.",
        )
        .await;
    }
    let boards: Vec<String> = futures_util::future::join_all(
        cluster
            .nodes
            .iter()
            .map(|node| async { http_get(node.http, "/api/leaderboard").await.1 }),
    )
    .await;
    assert!(boards[0].contains("\"carol\""), "{}", boards[0]);
    assert!(boards.iter().all(|board| *board == boards[0]), "{boards:?}");
}

#[tokio::test]
async fn quick_match_seats_players_of_different_nodes_in_one_game() {
    let redis = RedisServer::start("quick");
    let cluster = Cluster::start(&redis, 3);
    let mut alice = cluster.client(0, Door::WsJson, "alice on a").await;
    alice.enter(&[], "alice").await;
    let code = alice.room_code().await;
    // A newcomer on another node whose name is taken there is refused, and
    // the seat it was offered goes to the next newcomer.
    let mut impostor = cluster.client(1, Door::Tcp, "impostor on b").await;
    impostor.send("alice").await;
    impostor
        .expect_prefix("Error: the name 'alice' is taken")
        .await;
    drop(impostor);
    let mut bob = cluster.client(1, Door::Tcp, "bob on b").await;
    bob.enter(&[], "bob").await;
    assert_eq!(
        bob.room_code().await,
        code,
        "one gathering room for the cluster"
    );
    let mut carol = cluster.client(2, Door::WsText, "carol on c").await;
    carol.enter(&[], "carol").await;
    assert_eq!(carol.room_code().await, code);
    play_out(&mut alice, &mut bob, &mut carol).await;
    // The next newcomer gathers in a new room.
    let mut erin = cluster.client(1, Door::Tcp, "erin on b").await;
    erin.enter(&[], "erin").await;
    assert_ne!(erin.room_code().await, code);
}

#[tokio::test]
async fn a_seat_is_resumed_on_another_node() {
    let redis = RedisServer::start("resume");
    let cluster = Cluster::start(&redis, 3);
    for door in Door::ALL {
        let mut alice = cluster.client(0, door, "alice on a").await;
        alice.enter(&[], "alice").await;
        let mut bob = cluster.client(1, Door::Tcp, "bob on b").await;
        bob.enter(&[], "bob").await;
        let bob_token = bob.token().await;
        let mut carol = cluster.client(2, Door::WsJson, "carol on c").await;
        carol.enter(&[], "carol").await;
        alice.expect("/turn").await;
        alice.send("/letter p").await;
        alice.expect("/turn").await;
        alice.send("/letter z").await;
        bob.expect("/turn").await;
        drop(bob);
        carol.expect_prefix("bob lost the connection").await;
        let mut bob = cluster.client(2, door, "bob on c").await;
        bob.send(&format!("/resume {bob_token}")).await;
        bob.expect("Hello, bob!").await;
        bob.expect("Letters tried: p, z.").await;
        // Away on his turn, bob lost it to carol.
        bob.expect_prefix("It is carol's turn").await;
        carol_wins(&mut alice, &mut bob, &mut carol).await;
    }
}

#[tokio::test]
async fn a_killed_node_loses_no_game_players_elsewhere_play_on_and_its_players_resume() {
    let redis = RedisServer::start("kill");
    let mut cluster = Cluster::start(&redis, 3);
    // Everyone has seen alice's two moves: they must survive the death of
    // her node, the room's owner.
    let (mut alice, mut bob, mut carol, token) = game_owned_by_a(&cluster).await;
    cluster.nodes.remove(0).kill();
    let closed = alice.until_closed().await;
    assert!(
        !closed.iter().any(|l| l.contains("stopping")),
        "a killed node says no goodbye: {closed:?}"
    );
    // Bob and carol stay connected: their nodes take the room over and
    // they are seated again without reconnecting.
    let back = bob.expect("Letters tried: p, z.").await;
    assert!(back.iter().any(|l| l == "Hello, bob!"), "{back:?}");
    carol.expect("Letters tried: p, z.").await;
    // Alice comes back through another node.
    let mut alice = cluster.client(1, Door::WsText, "alice on b").await;
    alice.send(&format!("/resume {token}")).await;
    alice.expect("Hello, alice!").await;
    alice.expect("Letters tried: p, z.").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    carol_wins(&mut alice, &mut bob, &mut carol).await;
    let (status, body) = http_get(cluster.nodes[1].http, "/api/leaderboard").await;
    assert_eq!(status, 200);
    assert!(body.contains("\"carol\""), "{body}");
}

#[tokio::test]
async fn a_computer_player_belongs_to_its_room_and_plays_on_after_its_node_is_killed() {
    let redis = RedisServer::start("kill-computer");
    let mut cluster = Cluster::start(&redis, 2);
    let mut alice = cluster.client(0, Door::Tcp, "alice on a").await;
    alice.enter(&["/new"], "alice").await;
    let code = alice.room_code().await;
    let mut bob = cluster.client(1, Door::WsJson, "bob on b").await;
    bob.enter(&[&format!("/join {code}")], "bob").await;
    alice.send("/bot easy").await;
    bob.expect("Robo (computer) joined the room (3 players); alice starts the game with /start.")
        .await;
    alice.send("/start").await;
    alice.expect("/turn").await;
    alice.send("/letter z").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    bob.expect("It is Robo's turn (120 s).").await;
    // The room's node dies with the computer player to move: the room, and
    // its computer player with it, goes on on bob's node.
    cluster.nodes.remove(0).kill();
    let back = bob.expect("Letters tried: z, q.").await;
    assert!(back.iter().any(|l| l == "Hello, bob!"), "{back:?}");
    let mut seen = Vec::new();
    loop {
        let line = bob.next_line().await.expect("the game goes on");
        if line == "/turn" {
            bob.send("/word apple").await;
        }
        let over = line.starts_with("Results: ");
        seen.push(line);
        if over {
            break;
        }
    }
    assert!(
        seen.iter()
            .any(|l| l.starts_with("Robo named the letter '")),
        "the computer player moved on the node that took the room: {seen:?}"
    );
    assert!(
        seen.last().is_some_and(|l| l.contains("Robo (computer) ")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn players_of_a_killed_node_that_owned_no_room_are_counted_gone_in_rooms_elsewhere() {
    let redis = RedisServer::start("kill-b");
    let mut cluster = Cluster::start(&redis, 3);
    let (mut alice, _bob, mut carol, _) = game_owned_by_a(&cluster).await;
    // Bob's node owns no room: whichever node notices first strikes it
    // off, and the room's node must still hear that bob is gone. Node a
    // is held back while bob's lease runs out (paused for less than its
    // own lease, renewed every 0.75 s), so that node c notices first.
    // Bob's lease runs out 2.25 to 3 s after the kill and node c notices
    // within 0.5 s of that; node a, last renewed at least 1.25 s after the
    // kill, keeps its own lease until 4.25 s at the earliest.
    cluster.nodes.remove(1).kill();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    cluster.nodes[0].signal("STOP");
    tokio::time::sleep(Duration::from_millis(1700)).await;
    cluster.nodes[0].signal("CONT");
    alice
        .expect_prefix("bob lost the connection; the seat is kept for")
        .await;
    carol
        .expect_prefix("bob lost the connection; the seat is kept for")
        .await;
}

/// `wordguess_NAME VALUE` in node `node`'s metrics, or 0.
async fn metric(node: &ServerProcess, name: &str) -> u64 {
    let (_, body) = http_get(node.http, "/metrics").await;
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("wordguess_{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

/// Alice (on node a, the room's owner), bob (on b) and carol (on c) in a
/// quick-match game where alice has named `p` and missed with `z`: bob has
/// the turn, and everyone has seen both moves. Returns the three and
/// alice's token.
async fn game_owned_by_a(cluster: &Cluster) -> (Client, Client, Client, String) {
    let mut alice = cluster.client(0, Door::Tcp, "alice on a").await;
    alice.enter(&[], "alice").await;
    let token = alice.token().await;
    let mut bob = cluster.client(1, Door::WsJson, "bob on b").await;
    bob.enter(&[], "bob").await;
    let mut carol = cluster.client(2, Door::WsText, "carol on c").await;
    carol.enter(&[], "carol").await;
    alice.expect("/turn").await;
    alice.send("/letter p").await;
    alice.expect("/turn").await;
    alice.send("/letter z").await;
    bob.expect("/turn").await;
    carol.expect_prefix("alice named the letter 'z'").await;
    (alice, bob, carol, token)
}

#[tokio::test]
async fn a_node_stopped_with_sigterm_hands_its_rooms_on_and_its_players_resume_elsewhere() {
    let redis = RedisServer::start("term");
    let mut cluster = Cluster::start(&redis, 3);
    let (mut alice, mut bob, mut carol, token) = game_owned_by_a(&cluster).await;
    cluster.nodes.remove(0).terminate();
    let goodbye = alice.until_closed().await;
    assert!(
        goodbye.iter().any(
            |l| l.starts_with("This server is stopping; your game goes on")
                && l.contains(&format!("/resume {token}"))
        ),
        "{goodbye:?}"
    );
    // Bob and carol play on without reconnecting.
    let back = bob.expect("Letters tried: p, z.").await;
    assert!(back.iter().any(|l| l == "Hello, bob!"), "{back:?}");
    carol.expect("Letters tried: p, z.").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    let mut alice = cluster.client(1, Door::WsJson, "alice on b").await;
    alice.send(&format!("/resume {token}")).await;
    alice.expect("Hello, alice!").await;
    carol_wins(&mut alice, &mut bob, &mut carol).await;
    let takeovers = metric(&cluster.nodes[0], "takeovers_total").await
        + metric(&cluster.nodes[1], "takeovers_total").await;
    assert_eq!(takeovers, 1, "one node took the room");
}

#[tokio::test]
async fn a_paused_node_loses_its_rooms_writes_nothing_and_its_players_follow_them() {
    let redis = RedisServer::start("pause");
    let cluster = Cluster::start(&redis, 3);
    let (mut alice, mut bob, mut carol, _token) = game_owned_by_a(&cluster).await;
    cluster.nodes[0].signal("STOP");
    // Past the lease, a live node takes the room over; bob and carol are
    // seated again and play on.
    bob.expect("Letters tried: p, z.").await;
    carol.expect("Letters tried: p, z.").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    carol.expect("/turn").await;
    cluster.nodes[0].signal("CONT");
    // Node a wakes, finds the room gone, and moves alice to it: she never
    // reconnects and sees bob's move made while her node slept.
    alice.expect("Hello, alice!").await;
    alice.expect("Letters tried: p, z, q.").await;
    carol.send("/word apple").await;
    for player in [&mut alice, &mut bob, &mut carol] {
        player.expect("Results: alice 2, bob 0, carol 8.").await;
    }
    assert_eq!(
        metric(&cluster.nodes[0], "rooms").await,
        0,
        "node a keeps no room"
    );
    let owners: u64 =
        metric(&cluster.nodes[1], "rooms").await + metric(&cluster.nodes[2], "rooms").await;
    assert_eq!(owners, 1, "the room has one owner");
    // History has the game once, with every move.
    let mut reader = cluster.client(0, Door::Tcp, "reader on a").await;
    reader.send("/top").await;
    reader.expect("1. carol: 1 win, 8 points, 1 game.").await;
}

/// Waits until node `node`'s `/healthz` answers `status`.
async fn health_becomes(node: &ServerProcess, status: u16) {
    for _ in 0..200 {
        if http_get(node.http, "/healthz").await.0 == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/healthz never answered {status}");
}

/// Redis dies (for `away` at least) as bob, on his turn, misses with `q`:
/// every node says it cannot reach Redis (`/healthz` 503), bob is told to
/// wait, and nobody hears of the move until Redis is back and has it;
/// then carol does, and every node is healthy again.
async fn bobs_move_waits_for_redis(
    redis: &mut RedisServer,
    cluster: &Cluster,
    bob: &mut Client,
    carol: &mut Client,
    away: Duration,
) {
    for node in &cluster.nodes {
        health_becomes(node, 200).await;
    }
    redis.kill();
    // The nodes notice (their leases cannot be renewed): a load balancer
    // takes them out.
    for node in &cluster.nodes {
        health_becomes(node, 503).await;
    }
    bob.send("/letter q").await;
    bob.expect_prefix("The server cannot reach its storage right now")
        .await;
    let quiet =
        tokio::time::timeout(Duration::from_secs(1), carol.expect_prefix("bob named")).await;
    assert!(quiet.is_err(), "a move is not told before it is saved");
    tokio::time::sleep(away.saturating_sub(Duration::from_secs(1))).await;
    redis.start_again();
    for node in &cluster.nodes {
        health_becomes(node, 200).await;
    }
    carol
        .expect("bob named the letter 'q': not in the word.")
        .await;
}

#[tokio::test]
async fn while_redis_restarts_no_move_is_acknowledged_and_none_is_lost() {
    let mut redis = RedisServer::start("restart");
    let cluster = Cluster::start(&redis, 3);
    let (mut alice, mut bob, mut carol, _token) = game_owned_by_a(&cluster).await;
    // Saved once Redis is back, then told; the game goes on.
    bobs_move_waits_for_redis(&mut redis, &cluster, &mut bob, &mut carol, Duration::ZERO).await;
    carol_wins(&mut alice, &mut bob, &mut carol).await;
    let mut owners = 0;
    for node in &cluster.nodes {
        owners += metric(node, "rooms").await;
    }
    assert_eq!(owners, 1, "the room has exactly one owner");
    assert!(redis.cli(&["HGET", "wg:player:carol", "wins"]) == "1");
}

/// A free port on loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Debian's haproxy running `deploy/haproxy.cfg` (the README's), with the
/// cluster's real addresses and free front ports; killed when dropped.
struct Haproxy {
    process: std::process::Child,
    game: std::net::SocketAddr,
    web: std::net::SocketAddr,
    _dir: TempDir,
}

impl Haproxy {
    /// haproxy with the README's configuration in front of `cluster`, its
    /// game port on `game`.
    fn start(cluster: &Cluster, game: u16) -> Self {
        let mut config = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../deploy/haproxy.cfg"
        ))
        .expect("deploy/haproxy.cfg");
        let web = free_port();
        config = config
            .replace("127.0.0.1:4000", &format!("127.0.0.1:{game}"))
            .replace("127.0.0.1:8080", &format!("127.0.0.1:{web}"));
        for (n, node) in cluster.nodes.iter().enumerate() {
            let n = n + 1;
            config = config
                .replace(&format!("127.0.0.1:41{n}0"), &node.game.to_string())
                .replace(
                    &format!("port 81{n}0"),
                    &format!("port {}", node.http.port()),
                )
                .replace(&format!("127.0.0.1:81{n}0"), &node.http.to_string());
        }
        let settings: Vec<&str> = config
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .collect();
        assert!(
            !settings.iter().any(|line| line
                .split(|c: char| !c.is_ascii_digit())
                .any(|number| ["4110", "4120", "4130", "8110", "8120", "8130"].contains(&number))),
            "every node address replaced:\n{config}"
        );
        let dir = TempDir::new("haproxy");
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).expect("write");
        let process = std::process::Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("haproxy.log")).expect("a log file"))
            .spawn()
            .expect("haproxy runs (Debian's haproxy package; .ci/tools.sh installs it)");
        Self {
            process,
            game: ([127, 0, 0, 1], game).into(),
            web: ([127, 0, 0, 1], web).into(),
            _dir: dir,
        }
    }

    async fn client(&self, door: Door, label: &str) -> Client {
        Client::connect(door, self.game, self.web, label).await
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[tokio::test]
async fn three_nodes_behind_the_readme_haproxy_config_play_as_one_server() {
    let redis = RedisServer::start("haproxy");
    let game_port = free_port();
    let mut cluster =
        Cluster::start_with(&redis, 3, &["--public-tcp-port", &game_port.to_string()]);
    let proxy = Haproxy::start(&cluster, game_port);
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(proxy.web).await.is_ok()
            && http_get(proxy.web, "/healthz").await.0 == 200
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        up,
        "haproxy serves /healthz: {}",
        std::fs::read_to_string(proxy._dir.join("haproxy.log")).unwrap_or_default()
    );
    // Terminals spread over the nodes (least connections first).
    let mut alice = proxy.client(Door::Tcp, "alice").await;
    alice.enter(&[], "alice").await;
    let alice_token = alice.token().await;
    let mut bob = proxy.client(Door::Tcp, "bob").await;
    bob.enter(&[], "bob").await;
    let mut carol = proxy.client(Door::Tcp, "carol").await;
    carol.enter(&[], "carol").await;
    // The browser app shows the `nc` command with the address players
    // reach, not its node's own port.
    let mut dave = ws::connect(proxy.web, true).await;
    ws::send(&mut dave, "dave").await;
    let room = ws::event_until(&mut dave, |event| matches!(event, ServerEvent::Room { .. })).await;
    assert!(
        matches!(room, ServerEvent::Room { tcp_port, .. } if tcp_port == game_port),
        "{room:?}"
    );
    for node in &cluster.nodes {
        let (_, metrics) = http_get(node.http, "/metrics").await;
        assert!(
            metrics.contains("wordguess_connections{door=\"tcp\"} 1"),
            "one terminal on each node:\n{metrics}"
        );
    }
    alice.expect("/turn").await;
    alice.send("/letter p").await;
    bob.expect_prefix("alice named the letter 'p'").await;
    // Alice's node dies; she comes back through the same address.
    cluster.nodes.remove(0).kill();
    alice.until_closed().await;
    let mut alice = proxy.client(Door::Tcp, "alice again").await;
    alice.send(&format!("/resume {alice_token}")).await;
    alice.expect("Hello, alice!").await;
    alice.expect("Letters tried: p.").await;
    alice.expect("/turn").await;
    alice.send("/letter z").await;
    bob.expect("/turn").await;
    bob.send("/letter q").await;
    carol_wins(&mut alice, &mut bob, &mut carol).await;
    drop(dave);
}

#[tokio::test]
async fn a_redis_outage_longer_than_the_lease_moves_no_room_and_loses_nothing() {
    let mut redis = RedisServer::start("long-outage");
    let cluster = Cluster::start(&redis, 3);
    let (mut alice, mut bob, mut carol, _token) = game_owned_by_a(&cluster).await;
    // Past every lease: when Redis is back, each node finds its own lease
    // lapsed, takes it again and keeps its rooms; nobody's rooms are taken.
    bobs_move_waits_for_redis(
        &mut redis,
        &cluster,
        &mut bob,
        &mut carol,
        Duration::from_secs(4),
    )
    .await;
    carol_wins(&mut alice, &mut bob, &mut carol).await;
    assert_eq!(
        metric(&cluster.nodes[0], "rooms").await,
        1,
        "node a kept its room"
    );
    let mut takeovers = 0;
    for node in &cluster.nodes {
        takeovers += metric(node, "takeovers_total").await;
    }
    assert_eq!(takeovers, 0, "no room moved");
}
