//! Computer players over real sockets, on every door: a host seats one
//! (`/bot LEVEL`), it plays its turns through the rules after a pause and
//! the game finishes; each refusal says why; a lone quick-match player gets
//! a computer opponent after `--bot-after` (and may not vote it out);
//! computer players are marked in every list of players, kept in history
//! with the mark, left off the leaderboard, and come back with their room
//! after a restart.

mod common;

use std::time::Duration;

use common::{client, other, Client, Door, LineReader, TempDir};
use wordguess_backend::testkit::{start, TestOptions};
use wordguess_protocol::ServerEvent;

/// Plays `player`'s turns until the game is over: a miss first (so the
/// computer player gets turns), then the word. Returns the lines read.
async fn play_to_the_end(player: &mut Client) -> Vec<String> {
    let mut seen = Vec::new();
    let mut missed = false;
    loop {
        let line = player.next_line().await.expect("the game goes on");
        seen.push(line.clone());
        if line == "/turn" {
            let mv = if missed { "/word apple" } else { "/letter z" };
            missed = true;
            player.send(mv).await;
        }
        if line == "/quit" {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_host_seats_a_computer_player_that_plays_to_the_end_and_is_marked_everywhere() {
    let dir = TempDir::new("computers");
    let mut options = TestOptions::new("apple", 2);
    options.db = Some(dir.join("games.db"));
    let server = start(options).await;
    for door in Door::ALL {
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        alice.send("/bot hard").await;
        alice
            .expect(
                "Robo (computer) joined the room (2 players); alice starts the game with /start.",
            )
            .await;
        alice.send("/who").await;
        alice
            .expect("Players: alice 0 (host), Robo 0 (computer, hard).")
            .await;
        alice.send("/start").await;
        alice
            .expect("The game begins! Players: alice, Robo (computer).")
            .await;
        alice.expect("/turn").await;
        alice.send("/letter z").await;
        alice.expect("It is Robo's turn (120 s).").await;
        // The only word of the list fits: hard names it.
        alice
            .expect("Robo named the word 'apple': correct! +5 points (total 5).")
            .await;
        alice.expect("Results: alice 0, Robo (computer) 10.").await;
        alice
            .expect("This room has played 1 game. Wins: Robo (computer) 1.")
            .await;
        alice.expect("/quit").await;
        if door == Door::WsJson {
            let started = alice.events.iter().find_map(|event| match event {
                ServerEvent::Started { computers, .. } => Some(computers.clone()),
                _ => None,
            });
            assert_eq!(started, Some(vec!["Robo".to_owned()]));
            let marked = alice.events.iter().any(|event| matches!(event,
                ServerEvent::GameOver { scores, .. } if scores.iter().any(|s| s.name == "Robo" && s.computer)));
            assert!(marked, "the results mark the computer player");
        }

        // History keeps it, marked; the leaderboard has people only.
        let mut reader = client(&server, door, "reader").await;
        reader.send(&format!("/history {code}")).await;
        reader
            .expect(&format!("Last games in room {code}, newest first:"))
            .await;
        let game = reader.next_line().await.expect("the game");
        assert!(
            game.ends_with("'apple', won by Robo; alice 0, Robo (computer) 10; 2 moves."),
            "{game}"
        );
        reader.send("/top").await;
        let top = reader.expect_prefix("1. ").await;
        assert!(top.starts_with("1. alice: 0 wins"), "{top}");
        // Whatever answers next, it is not a second line of the board.
        reader.send("/who").await;
        let next = reader.next_line().await.unwrap_or_default();
        assert!(
            !next.starts_with("2. "),
            "Robo is on no leaderboard: {next}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn computer_players_are_the_host_s_to_add_and_remove_and_each_refusal_says_why() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        let mut bob = client(&server, other(door), "bob").await;
        bob.enter(&[&format!("/join {code}")], "bob").await;
        let mut carol = client(&server, door, "carol").await;
        carol.enter(&[&format!("/watch {code}")], "carol").await;

        bob.send("/bot").await;
        bob.expect("Error: only the host (alice) can add computer players")
            .await;
        carol.send("/bot").await;
        carol
            .expect_prefix("Error: spectators cannot move or change the room; ")
            .await;
        alice.send("/bot genius").await;
        alice
            .expect_prefix(
                "Error: 'genius' is not a level; send /bot easy, /bot normal or /bot hard; ",
            )
            .await;
        alice.send("/bot").await;
        alice
            .expect(
                "Robo (computer) joined the room (3 players); alice starts the game with /start.",
            )
            .await;
        alice.send("/bot easy").await;
        alice
            .expect(
                "Bolt (computer) joined the room (4 players); alice starts the game with /start.",
            )
            .await;
        alice.send("/unbot bob").await;
        alice
            .expect("Error: no computer player called bob is in this room")
            .await;
        bob.send("/unbot Robo").await;
        bob.expect("Error: only the host (alice) can take computer players out")
            .await;
        // The host's remove (`/kick`) takes a computer player out too.
        alice.send("/kick bolt").await;
        bob.expect("Bolt left the game.").await;
        alice.send("/start").await;
        alice.send("/bot hard").await;
        alice
            .expect("Error: computer players can only join before the game starts")
            .await;
        alice.send("/unbot ROBO").await;
        for player in [&mut alice, &mut bob] {
            player.expect("Robo left the game.").await;
        }
        carol.expect("Robo left the game.").await;

        // A quick match adds its own.
        let mut dave = client(&server, door, "dave").await;
        dave.enter(&[], "dave").await;
        dave.send("/bot").await;
        dave.expect(
            "Error: a quick match gets computer players by itself when a player waits alone; \
             /new makes a room of your own",
        )
        .await;
        let mut erin = client(&server, other(door), "erin").await;
        erin.enter(&[], "erin").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_lone_quick_match_player_gets_a_computer_opponent_after_the_wait() {
    let mut options = TestOptions::new("apple", 2);
    options.bot_after = Some(Duration::from_millis(300));
    let server = start(options).await;
    for door in Door::ALL {
        let mut dave = client(&server, door, "dave").await;
        dave.enter(&[], "dave").await;
        dave.expect("dave joined the game (1 of 2 players); waiting for 1 more.")
            .await;
        dave.expect("Robo (computer) joined the game (2 of 2 players).")
            .await;
        dave.expect("The game begins! Players: dave, Robo (computer).")
            .await;
        // A person who comes now goes to the next game.
        let mut erin = client(&server, other(door), "erin").await;
        erin.enter(&[], "erin").await;
        erin.expect("erin joined the game (1 of 2 players); waiting for 1 more.")
            .await;
        let seen = play_to_the_end(&mut dave).await;
        assert!(
            seen.iter()
                .any(|l| l.starts_with("Robo named the letter '")),
            "the computer player moved: {seen:?}"
        );
        assert!(seen.iter().any(|l| l.starts_with("Results: ")), "{seen:?}");
        // Erin, alone in hers, gets one too.
        erin.expect("The game begins! Players: erin, Robo (computer).")
            .await;
        erin.send("/votekick robo").await;
        erin.expect("Error: Robo is a computer player; only people are voted out")
            .await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_computer_player_comes_back_with_its_room_after_a_restart_and_plays_on() {
    for door in Door::ALL {
        let dir = TempDir::new("computer-restart");
        let mut options = TestOptions::new("apple", 2);
        options.db = Some(dir.join("games.db"));
        let server = start(options.clone()).await;
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let token = alice.token().await;
        alice.send("/bot easy").await;
        alice.send("/start").await;
        alice.expect("/turn").await;
        server.shutdown().await;
        let _ = alice.until_closed().await;

        let server = start(options).await;
        let mut alice = client(&server, door, "alice again").await;
        alice.send(&format!("/resume {token}")).await;
        alice.expect("Hello, alice!").await;
        alice
            .expect("Players: alice 0 (host), Robo 0 (computer, easy).")
            .await;
        let seen = play_to_the_end(&mut alice).await;
        assert!(
            seen.iter()
                .any(|l| l.starts_with("Robo named the letter '")),
            "the computer player moved after the restart: {seen:?}"
        );
        assert!(
            seen.iter()
                .any(|l| l.starts_with("Results: alice ") && l.contains("Robo (computer) ")),
            "{seen:?}"
        );
        server.shutdown().await;
    }
}
