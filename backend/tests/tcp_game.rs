//! Whole games over real TCP sockets on loopback, as `nc` players see them.

mod common;

use common::{LineReader, Player};
use wordguess_backend::testkit::{start, TestOptions};
use wordguess_backend::Limits;

#[tokio::test]
async fn a_full_game_shows_every_rule_and_the_scores_to_everyone() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;
    for player in [&mut alice, &mut bob] {
        player.expect("The game begins! Players: alice, bob.").await;
        player.expect("Word: *****").await;
    }

    // A letter in the word reveals every occurrence, scores each, keeps the turn.
    alice.on_turn("/letter P").await;
    bob.expect("alice named the letter 'p': 2 in the word, +2 points (total 2).")
        .await;
    bob.expect("Word: *pp**").await;
    bob.expect("It is alice's turn (120 s).").await;
    // A letter already revealed earns nothing and passes the turn.
    alice.on_turn("/letter p").await;
    bob.expect("alice named the letter 'p': already named, no points.")
        .await;
    bob.expect("It is bob's turn (120 s).").await;
    // A letter not in the word passes the turn.
    bob.on_turn("/letter z").await;
    alice
        .expect("bob named the letter 'z': not in the word.")
        .await;
    // A wrong word cancels all the player's points.
    alice.on_turn("/word ample").await;
    bob.expect("alice named the word 'ample': wrong! alice's points are cancelled (total 0).")
        .await;
    bob.on_turn("/letter A").await;
    alice
        .expect("bob named the letter 'a': 1 in the word, +1 points (total 1).")
        .await;
    // The right word earns the hidden letters (l, e), then the prize (5).
    bob.on_turn("/word APPLE").await;
    for player in [&mut alice, &mut bob] {
        player
            .expect("bob named the word 'apple': correct! +2 points (total 3).")
            .await;
        player.expect("Word: apple").await;
        player.expect("Game over! The word was 'apple'.").await;
        assert_eq!(
            player.next_line().await.as_deref(),
            Some("Winner: bob, with a prize of 5 points.")
        );
        assert_eq!(
            player.next_line().await.as_deref(),
            Some("Results: alice 0, bob 8.")
        );
        assert_eq!(
            player.next_line().await.as_deref(),
            Some("This room has played 1 game. Wins: bob 1.")
        );
        assert_eq!(player.next_line().await.as_deref(), Some("/quit"));
        assert_eq!(
            player.until_closed().await,
            Vec::<String>::new(),
            "closed after /quit"
        );
    }
    // Only the player to move ever got /turn.
    let turns = |p: &Player| p.seen.iter().filter(|l| *l == "/turn").count();
    assert_eq!((turns(&alice), turns(&bob)), (3, 3));
    server.shutdown().await;
}

#[tokio::test]
async fn ukrainian_words_match_letters_case_insensitively() {
    let server = start(TestOptions::new("ґанок", 2)).await;
    let mut alice = Player::join(server.game, "Олена").await;
    let mut bob = Player::join(server.game, "Богдан").await;
    alice.on_turn("/letter Ґ").await;
    bob.expect("Word: ґ****").await;
    alice.on_turn("/letter А").await;
    bob.expect("Word: ґа***").await;
    alice.on_turn("/word ҐАНОК").await;
    for player in [&mut alice, &mut bob] {
        player
            .expect("Олена named the word 'ґанок': correct! +3 points (total 5).")
            .await;
        player.expect("Results: Олена 10, Богдан 0.").await;
        player.expect("/quit").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn players_who_arrive_during_a_game_form_the_next_game_and_both_play_on() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut a1 = Player::join(server.game, "a1").await;
    let mut b1 = Player::join(server.game, "b1").await;
    a1.expect("The game begins! Players: a1, b1.").await;
    // Game 1 is running; these two gather into game 2, which starts and ends first.
    let mut a2 = Player::join(server.game, "a2").await;
    let mut b2 = Player::join(server.game, "b2").await;
    a2.expect("The game begins! Players: a2, b2.").await;
    a2.on_turn("/word apple").await;
    b2.expect("Results: a2 10, b2 0.").await;
    b2.expect("/quit").await;
    // Game 1 was not disturbed and plays to its own end.
    a1.on_turn("/letter z").await;
    b1.on_turn("/word apple").await;
    a1.expect("Results: a1 0, b1 10.").await;
    a1.expect("/quit").await;
    for player in [&a2, &b2] {
        assert!(
            !player
                .seen
                .iter()
                .filter(|l| !l.contains("/token") && !l.contains("/resume"))
                .any(|l| l.contains("a1") || l.contains("b1")),
            "{:?}",
            player.seen
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_player_who_disconnects_on_its_turn_passes_the_turn_on() {
    let server = start(TestOptions::new("apple", 3)).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;
    let mut carol = Player::join(server.game, "carol").await;
    alice.expect("/turn").await;
    drop(alice);
    // The seat is kept for a while (the player may resume); the turn
    // passes at once.
    bob.expect("alice lost the connection; the seat is kept for 120 s.")
        .await;
    bob.expect("It is bob's turn (120 s).").await;
    bob.on_turn("/letter z").await;
    carol.on_turn("/word apple").await;
    bob.expect("Results: alice 0, bob 0, carol 10.").await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_player_who_takes_too_long_loses_the_turn() {
    let mut options = TestOptions::new("apple", 2);
    options.turn_timeout = std::time::Duration::from_millis(300);
    let server = start(options).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;
    alice.expect("/turn").await;
    // Alice does nothing; the clock passes her turn to bob.
    bob.expect("alice took too long; the turn passes.").await;
    bob.expect("It is bob's turn (1 s).").await;
    bob.on_turn("/word apple").await;
    alice.expect("Results: alice 0, bob 10.").await;
    server.shutdown().await;
}

#[tokio::test]
async fn bad_names_get_a_clear_error_and_the_server_waits_for_another() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = Player::connect_raw(server.game).await;
    alice
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    let refusals = [
        ("", "Error: the name is empty"),
        // A line starting with '/' is a command, never a name.
        (
            "/quit",
            "Error: unknown command '/quit'; now you can send your name",
        ),
        (
            &"x".repeat(33),
            "Error: the name is longer than 32 characters",
        ),
        (
            "\u{1b}[31mevil",
            "Error: the name contains U+001B, which is not allowed",
        ),
    ];
    for (name, error) in refusals {
        alice.send(name).await;
        assert!(
            alice.expect_prefix("Error: ").await.starts_with(error),
            "{name:?}"
        );
    }
    alice.send("Alice").await;
    alice.expect("Hello, Alice!").await;
    let mut bob = Player::connect_raw(server.game).await;
    bob.send("alice").await;
    assert_eq!(
        bob.expect_prefix("Error: ").await,
        "Error: the name 'alice' is taken in this game; send another name"
    );
    bob.send("bob").await;
    bob.expect("The game begins! Players: Alice, bob.").await;
    server.shutdown().await;
}

#[tokio::test]
async fn bad_commands_get_private_errors_and_change_nothing() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;
    alice.expect("/turn").await;

    bob.send("/letter a").await;
    assert_eq!(
        bob.expect_prefix("Error: ").await,
        "Error: it is not your turn; it is alice's turn, wait for /turn"
    );
    let cases: [(&[u8], &str); 5] = [
        (
            b"hello\n",
            "Error: plain text is not a command (to chat, send /say TEXT); now you can send /letter X",
        ),
        (b"/jump high\n", "Error: unknown command '/jump'"),
        (b"/letter ab\n", "Error: 'ab' is not a single letter"),
        (b"/word\n", "Error: /word needs a word"),
        (b"\xff\xfe\xfd\n", "Error: the line is not valid UTF-8 text"),
    ];
    for (bytes, error) in cases {
        alice.send_bytes(bytes).await;
        let got = alice.expect_prefix("Error: ").await;
        assert!(got.starts_with(error), "{bytes:?} gave {got:?}");
    }
    // Still connected, still alice's turn, the word untouched.
    alice.send("/letter p").await;
    alice.expect("Word: *pp**").await;
    alice.expect("/turn").await;
    assert!(
        !bob.seen.iter().any(|l| l.starts_with("Error: plain")),
        "errors are private"
    );

    // An over-long line: an error, then the connection closes; the game goes on.
    bob.send_bytes(&[b'x'; 5000]).await;
    let rest = bob.until_closed().await;
    assert!(
        rest.iter()
            .any(|l| l == "Error: the line is longer than 1024 bytes; closing the connection"),
        "{rest:?}"
    );
    alice
        .expect("bob lost the connection; the seat is kept for 120 s.")
        .await;
    alice.send("/word apple").await;
    alice.expect("Results: alice 10, bob 0.").await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_the_game_goes_on() {
    let mut options = TestOptions::new("apple", 3);
    options.limits = Limits {
        outbound_queue: 16,
        ..Limits::default()
    };
    let server = start(options).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;

    // "slow" joins, then floods requests and never reads a byte.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let slow = socket.connect(server.game).await.unwrap();
    let (_slow_reader, mut slow_writer) = slow.into_split();
    {
        use tokio::io::AsyncWriteExt;
        slow_writer.write_all(b"slow\n").await.expect("send");
    }
    alice.expect("/turn").await;
    // Once the game is on.
    let flood = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let requests = "/help\n".repeat(10_000);
        for _ in 0..50 {
            slow_writer.write_all(requests.as_bytes()).await?;
        }
        std::io::Result::Ok(())
    });

    alice
        .expect("slow lost the connection; the seat is kept for 120 s.")
        .await;
    bob.expect("slow lost the connection; the seat is kept for 120 s.")
        .await;
    alice.send("/letter z").await;
    bob.on_turn("/word apple").await;
    alice.expect("Results: alice 0, bob 10, slow 0.").await;
    flood.abort();
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_tells_every_player_and_closes_the_sockets() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut bob = Player::join(server.game, "bob").await;
    let mut unnamed = Player::connect_raw(server.game).await;
    alice.expect("/turn").await;
    bob.expect("It is alice's turn (120 s).").await;
    unnamed
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    server.shutdown().await;
    for player in [&mut alice, &mut bob, &mut unnamed] {
        let rest = player.until_closed().await;
        assert_eq!(rest, vec!["The server is shutting down. Goodbye!", "/quit"]);
    }
}

#[tokio::test]
async fn a_connection_that_never_names_itself_is_closed() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.name_timeout = std::time::Duration::from_millis(200);
    let server = start(options).await;
    let mut silent = Player::connect_raw(server.game).await;
    let rest = silent.until_closed().await;
    assert_eq!(
        rest,
        vec![
            "Welcome to wordguess! Send your name to join a game.",
            "Error: no name was given in time; closing the connection"
        ]
    );
    // A named player is not affected by the name deadline.
    let mut alice = Player::join(server.game, "alice").await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    alice.send("/help").await;
    alice.expect_prefix("Commands: ").await;
    server.shutdown().await;
}

#[tokio::test]
async fn connections_past_the_limit_are_told_the_server_is_full() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_connections = 2;
    let server = start(options).await;
    let _first = Player::join(server.game, "a").await;
    let _second = Player::join(server.game, "b").await;
    let mut third = Player::connect_raw(server.game).await;
    third
        .expect("Error: the server is full; try again later.")
        .await;
    server.shutdown().await;
}

#[tokio::test]
async fn at_the_cap_a_silent_connection_makes_room_for_a_new_player() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_connections = 2;
    let server = start(options).await;
    let mut alice = Player::join(server.game, "alice").await;
    let mut silent = Player::connect_raw(server.game).await;
    silent
        .expect("Welcome to wordguess! Send your name to join a game.")
        .await;
    // The server is full; the newcomer gets the silent one's place at once.
    let bob = Player::join(server.game, "bob").await;
    let rest = silent.until_closed().await;
    assert_eq!(
        rest,
        vec!["Error: the server is full and this connection has not sent a name; closing it to make room"]
    );
    alice.expect("The game begins! Players: alice, bob.").await;
    drop(bob);
    server.shutdown().await;
}

#[tokio::test]
async fn one_address_may_hold_only_its_share_of_connections() {
    let mut options = TestOptions::new("apple", 2);
    options.limits.max_per_ip = 2;
    let server = start(options).await;
    let _a = Player::join(server.game, "a").await;
    let _b = Player::connect_raw(server.game).await;
    let mut third = Player::connect_raw(server.game).await;
    third
        .expect("Error: too many connections from your address; close some and try again.")
        .await;
    server.shutdown().await;
}
