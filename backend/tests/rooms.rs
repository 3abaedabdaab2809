//! Rooms, seats, spectators, chat and the turn clock over real sockets, on
//! every door: each test body runs for TCP, WebSocket text and WebSocket
//! JSON clients (JSON events are checked to decode and are compared as the
//! lines a terminal player would read), and rooms mix all three. Hosts
//! remove players, and quick-match players vote one out.

mod common;

use std::time::Duration;

use common::{client, Client, Door, LineReader};
use wordguess_backend::testkit::{start, RunningServer, TestOptions};

/// The other two doors, so every room mixes all three.
fn others(door: Door) -> [Door; 2] {
    match door {
        Door::Tcp => [Door::WsText, Door::WsJson],
        Door::WsText => [Door::WsJson, Door::Tcp],
        Door::WsJson => [Door::Tcp, Door::WsText],
    }
}

/// Alice (through `door`), bob and carol (through the other two doors) in
/// one room: a private room alice made and they joined by its code, or a
/// quick match. Returns them, the room's code and bob's resume token.
async fn alice_bob_and_carol(
    server: &RunningServer,
    door: Door,
    private: bool,
) -> (Client, Client, Client, String, String) {
    let [second, third] = others(door);
    let mut alice = client(server, door, "alice").await;
    alice
        .enter(if private { &["/new"] } else { &[] }, "alice")
        .await;
    let code = alice.room_code().await;
    let join = format!("/join {code}");
    let way_in: &[&str] = if private { &[&join] } else { &[] };
    let mut bob = client(server, second, "bob").await;
    bob.enter(way_in, "bob").await;
    let token = bob.token().await;
    let mut carol = client(server, third, "carol").await;
    carol.enter(way_in, "carol").await;
    (alice, bob, carol, code, token)
}

#[tokio::test]
async fn a_host_creates_a_room_friends_join_by_code_and_the_host_starts() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [second, third] = others(door);
        let mut host = client(&server, door, "host").await;
        host.send("/new").await;
        host.expect("A private room will be made for you to host. Now send your name.")
            .await;
        host.enter(&[], "alice").await;
        let code = host.room_code().await;
        assert_eq!(code.len(), 6);
        assert!(code
            .chars()
            .all(|c| "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c)));
        host.expect(&format!(
            "Room {code}: friends join with /join {code} or http://{}/?room={code}",
            server.http
        ))
        .await;
        let token = host.token().await;
        assert_eq!(token.len(), 32);
        host.expect("alice joined the room (1 player); alice starts the game with /start.")
            .await;
        // Alone, the host cannot start.
        host.send("/start").await;
        host.expect("Error: a game needs at least 2 players; invite a friend with the room code")
            .await;

        // One friend joins by the code typed in lower case, one by the link.
        let mut bob = client(&server, second, "bob").await;
        bob.enter(&[&format!("/join {}", code.to_lowercase())], "bob")
            .await;
        assert_eq!(bob.room_code().await, code);
        let mut carol = client(&server, third, "carol").await;
        let link = format!("http://{}/?room={code}", server.http);
        carol.enter(&[&format!("/join {link}")], "carol").await;
        host.expect("carol joined the room (3 players); alice starts the game with /start.")
            .await;
        // Nothing starts by itself, and only the host starts it.
        bob.send("/start").await;
        bob.expect("Error: only the host (alice) can start the game")
            .await;
        host.send("/start").await;
        for player in [&mut host, &mut bob, &mut carol] {
            player
                .expect("The game begins! Players: alice, bob, carol.")
                .await;
            player.expect("It is alice's turn (120 s).").await;
        }
        host.expect("/turn").await;
        host.send("/letter z").await;
        bob.expect("/turn").await;
        bob.send("/word apple").await;
        for player in [&mut host, &mut bob, &mut carol] {
            player.expect("Results: alice 0, bob 10, carol 0.").await;
            player
                .expect("This room has played 1 game. Wins: bob 1.")
                .await;
            player.expect("/quit").await;
            assert_eq!(player.until_closed().await, Vec::<String>::new());
        }
        assert!(!carol.got_turn(), "carol never had the turn");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_host_that_leaves_hands_the_room_to_the_next_player_who_starts_it() {
    let mut options = TestOptions::new("apple", 2);
    options.resume_grace = std::time::Duration::from_millis(200);
    let server = start(options).await;
    for door in Door::ALL {
        let [second, third] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        let join = format!("/join {code}");
        let mut bob = client(&server, second, "bob").await;
        bob.enter(&[&join], "bob").await;
        let mut carol = client(&server, third, "carol").await;
        carol.enter(&[&join], "carol").await;
        bob.expect("carol joined the room (3 players); alice starts the game with /start.")
            .await;
        // The host's connection drops and her grace runs out.
        drop(alice);
        for player in [&mut bob, &mut carol] {
            player.expect("alice left the game.").await;
            player.expect("bob is the host now.").await;
        }
        carol.send("/start").await;
        carol
            .expect("Error: only the host (bob) can start the game")
            .await;
        bob.send("/start").await;
        for player in [&mut bob, &mut carol] {
            player.expect("The game begins! Players: bob, carol.").await;
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_host_removes_a_player_who_cannot_come_back_and_each_refusal_says_why() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [second, _] = others(door);
        let (mut alice, mut bob, mut carol, code, token) =
            alice_bob_and_carol(&server, door, true).await;
        let join = format!("/join {code}");
        alice
            .expect("carol joined the room (3 players); alice starts the game with /start.")
            .await;
        // Only the host removes players, only players who are here, and
        // not itself.
        carol.send("/kick bob").await;
        carol
            .expect("Error: only the host (alice) can remove players")
            .await;
        alice.send("/kick nobody").await;
        alice
            .expect("Error: nobody called nobody plays in this room")
            .await;
        alice.send("/kick ALICE").await;
        alice.expect("Error: you cannot remove yourself").await;

        // The host removes bob (the name in any case): he is told why and
        // his connection closes; the others see him leave.
        alice.send("/kick Bob").await;
        bob.expect(&format!("The host removed you from room {code}."))
            .await;
        bob.expect("/quit").await;
        for player in [&mut alice, &mut carol] {
            player.expect("bob left the game.").await;
        }
        // His token no longer takes the seat back, and neither his name
        // nor a look-alike (a Cyrillic о) enters again.
        let mut back = client(&server, second, "bob's token").await;
        back.send(&format!("/resume {token}")).await;
        back.expect_prefix("Error: ").await;
        for name in ["Bob", "b\u{43E}b"] {
            let mut again = client(&server, second, "bob again").await;
            again.send(&join).await;
            again.send(name).await;
            again
                .expect("Error: the host removed you from this room; you cannot join it again")
                .await;
        }
        alice.send("/start").await;
        for player in [&mut alice, &mut carol] {
            player
                .expect("The game begins! Players: alice, carol.")
                .await;
        }

        // A quick match has no host to remove anyone.
        let mut dave = client(&server, door, "dave").await;
        dave.enter(&[], "dave").await;
        let mut erin = client(&server, second, "erin").await;
        erin.enter(&[], "erin").await;
        dave.send("/kick erin").await;
        dave.expect(
            "Error: a quick match has no host to remove players; /new makes a room of your own",
        )
        .await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn after_a_game_the_room_stays_open_for_the_next_one_and_keeps_a_tally() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut alice = client(&server, Door::Tcp, "alice").await;
    alice.enter(&["/new"], "alice").await;
    let code = alice.room_code().await;
    let join = format!("/join {code}");
    let mut bob = client(&server, Door::WsJson, "bob").await;
    bob.enter(&[&join], "bob").await;
    alice.send("/start").await;
    alice.expect("/turn").await;
    alice.send("/letter z").await;
    bob.expect("/turn").await;
    bob.send("/word apple").await;
    alice
        .expect("This room has played 1 game. Wins: bob 1.")
        .await;
    alice.expect("/quit").await;
    // The same friends come back with the code, through any door; the
    // first to sit down hosts the next game, which has a fresh start.
    for (round, door) in [(2, Door::WsText), (3, Door::Tcp)] {
        let mut bob = client(&server, door, "bob").await;
        bob.enter(&[&join], "bob").await;
        let before = round - 1;
        bob.expect(&format!(
            "This room has played {before} game{}. Wins: bob {before}.",
            if before == 1 { "" } else { "s" }
        ))
        .await;
        bob.expect("bob joined the room (1 player); bob starts the game with /start.")
            .await;
        let mut alice = client(&server, Door::ALL[round % 3], "alice").await;
        alice.enter(&[&join], "alice").await;
        bob.send("/start").await;
        alice.expect("Word: *****").await;
        bob.expect("/turn").await;
        bob.send("/word apple").await;
        alice
            .expect(&format!(
                "This room has played {round} games. Wins: bob {round}."
            ))
            .await;
        alice.expect("/quit").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_codes_tokens_and_commands_get_private_errors_and_change_nothing() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let mut alice = client(&server, door, "alice").await;
        let refusals = [
            (
                "/join 0OIL23",
                "Error: '0OIL23' is not a room code (6 letters and digits, like K7QXPM); now you can send your name",
            ),
            (
                "/join ZZZZZZ",
                "Error: there is no open room ZZZZZZ; check the code, or /new makes a room; now you can send your name",
            ),
            (
                "/resume 123",
                "Error: that is not a resume token (the 32 characters after /token); now you can send your name",
            ),
            (
                "/resume 0123456789abcdef0123456789abcdef",
                "Error: that token holds no seat (the game ended, the seat was given up, or it is mistyped); now you can send your name",
            ),
            ("/start", "Error: you are not in a game yet; now you can send your name"),
            ("/letter a", "Error: you are not in a game yet; now you can send your name"),
        ];
        for (line, error) in refusals {
            alice.send(line).await;
            let got = alice.expect_prefix("Error: ").await;
            assert!(got.starts_with(error), "{door:?} {line:?} gave {got:?}");
        }
        // A name sent right after a code that was not found joins nothing.
        alice.send("/join ZZZZZZ").await;
        alice.send("alice").await;
        alice
            .expect_prefix("Error: room ZZZZZZ was not found, so 'alice' did not join anything")
            .await;

        let mut host = client(&server, door, "host").await;
        host.enter(&["/new"], "host").await;
        let code = host.room_code().await;
        alice.enter(&[&format!("/join {code}")], "alice").await;
        let mut watcher = client(&server, door, "watcher").await;
        watcher.enter(&[&format!("/watch {code}")], "watcher").await;
        let refusals = [
            (
                false,
                "/lang en",
                "Error: only the host (host) can change the room's settings",
            ),
            (false, "/join ABCDEF", "Error: you are already in room"),
            (
                false,
                "hello",
                "Error: plain text is not a command (to chat, send /say TEXT)",
            ),
            (
                false,
                "/letter a",
                "Error: the game has not started yet; the host starts it with /start",
            ),
            (
                true,
                "/letter a",
                "Error: spectators cannot move or change the room; now you can send /say TEXT, /who or /help",
            ),
            (true, "/start", "Error: spectators cannot move"),
        ];
        for (watching, line, error) in refusals {
            let who = if watching { &mut watcher } else { &mut alice };
            who.send(line).await;
            let got = who.expect_prefix("Error: ").await;
            assert!(got.starts_with(error), "{door:?} {line:?} gave {got:?}");
        }
        host.send("/start").await;
        host.expect("/turn").await;
        host.send("/time 30").await;
        host.expect("Error: settings can only change before the game starts")
            .await;
        // None of the refusals reached anyone else.
        for other in [&mut host, &mut watcher] {
            other.send("/who").await;
            other
                .expect_prefix("Players: host 0 (host), alice 0.")
                .await;
            assert!(
                !other.seen.iter().any(|l| l.starts_with("Error: only")
                    || l.starts_with("Error: plain")
                    || l.starts_with("Error: you are already")),
                "{:?}",
                other.seen
            );
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_dropped_player_resumes_with_its_token_and_keeps_seat_and_score() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [other, later] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        let code = alice.room_code().await;
        let token = alice.token().await;
        let mut bob = client(&server, other, "bob").await;
        bob.enter(&[], "bob").await;
        alice.expect("/turn").await;
        alice.send("/letter p").await;
        alice.expect("/turn").await;
        alice.send("/letter z").await;
        bob.expect("/turn").await;
        drop(alice);
        bob.expect("alice lost the connection; the seat is kept for 120 s.")
            .await;
        bob.send("/who").await;
        bob.expect("Players: alice 2 (away), bob 0.").await;
        // Bob misses: the away player's turn passes at once, back to bob.
        bob.send("/letter q").await;
        bob.expect("It is bob's turn (120 s).").await;
        bob.expect("/turn").await;

        let mut again = client(&server, later, "alice again").await;
        again
            .send(&format!("/resume {}", token.to_uppercase()))
            .await;
        again.expect("Hello, alice!").await;
        assert_eq!(again.room_code().await, code);
        assert_eq!(again.token().await, token);
        again.expect("Players: alice 2, bob 0.").await;
        again.expect("Word: *pp**").await;
        again.expect("Letters tried: p, z, q.").await;
        let turn = again.expect_prefix("It is bob's turn (").await;
        assert!(turn.ends_with(" s left)."), "{turn}");
        bob.expect("alice is back.").await;
        bob.send("/letter x").await;
        again.expect("/turn").await;
        again.send("/word apple").await;
        again.expect("Results: alice 10, bob 0.").await;
        bob.expect("Results: alice 10, bob 0.").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn resuming_from_a_second_connection_moves_the_seat_and_closes_the_first() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [second_door, bob_door] = others(door);
        let mut first = client(&server, door, "first tab").await;
        first.enter(&[], "alice").await;
        let token = first.token().await;
        let mut bob = client(&server, bob_door, "bob").await;
        bob.enter(&[], "bob").await;
        first.expect("/turn").await;
        let mut second = client(&server, second_door, "second tab").await;
        second.send(&format!("/resume {token}")).await;
        second.expect("Hello, alice!").await;
        let rest = first.until_closed().await;
        assert!(
            rest.ends_with(&[
                "Your seat moved to another connection (/resume); this one closes.".to_owned(),
                "/quit".to_owned()
            ]),
            "{rest:?}"
        );
        // It is still alice's turn, on the new connection; nobody saw her go.
        second.expect("/turn").await;
        second.send("/word apple").await;
        bob.expect("Results: alice 10, bob 0.").await;
        assert!(!bob.seen.iter().any(|l| l.contains("lost the connection")));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn after_the_grace_an_away_player_leaves_for_good_and_its_token_is_void() {
    let mut options = TestOptions::new("apple", 3);
    options.resume_grace = Duration::from_millis(300);
    let server = start(options).await;
    for door in Door::ALL {
        let [b, c] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        let token = alice.token().await;
        let mut bob = client(&server, b, "bob").await;
        bob.enter(&[], "bob").await;
        let mut carol = client(&server, c, "carol").await;
        carol.enter(&[], "carol").await;
        alice.expect("/turn").await;
        drop(alice);
        bob.expect("alice lost the connection; the seat is kept for 1 s.")
            .await;
        // Her turn passed at once to bob; after the grace she is gone.
        bob.expect("/turn").await;
        bob.expect("alice left the game.").await;
        let mut late = client(&server, door, "late").await;
        late.send(&format!("/resume {token}")).await;
        late.expect_prefix("Error: that token holds no seat").await;
        bob.send("/word apple").await;
        carol.expect("Results: bob 10, carol 0.").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn spectators_see_the_game_and_chat_but_never_get_the_turn() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [b, w] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&["/new"], "alice").await;
        let code = alice.room_code().await;
        let mut bob = client(&server, b, "bob").await;
        bob.enter(&[&format!("/join {code}")], "bob").await;
        alice.send("/start").await;
        alice.expect("/turn").await;
        alice.send("/letter p").await;
        alice.expect("/turn").await;

        // A spectator arriving mid-game gets the game as it stands.
        let mut watcher = client(&server, w, "watcher").await;
        watcher.send(&format!("/watch {code}")).await;
        watcher
            .expect(&format!(
                "Now send a name (shown in chat) to watch room {code}."
            ))
            .await;
        watcher.enter(&[], "wanda").await;
        assert_eq!(watcher.room_code().await, code);
        watcher.expect("Players: alice 2 (host), bob 0.").await;
        watcher.expect("Word: *pp**").await;
        // Players see how many watch; a lookalike of a player's name is refused.
        alice.expect("1 spectator watching.").await;
        bob.expect("1 spectator watching.").await;
        let mut impostor = client(&server, door, "impostor").await;
        impostor.send(&format!("/watch {code}")).await;
        impostor.send("\u{430}lice").await;
        impostor
            .expect_prefix("Error: the name 'аlice' looks too much like 'alice'")
            .await;

        watcher.send("/say go alice 👍").await;
        for player in [&mut alice, &mut bob, &mut watcher] {
            player.expect("wanda: go alice 👍").await;
        }
        alice.send("/letter z").await;
        watcher
            .expect("alice named the letter 'z': not in the word.")
            .await;
        bob.expect("/turn").await;
        bob.send("/word apple").await;
        watcher.expect("Results: alice 2, bob 8.").await;
        watcher.expect("/quit").await;
        assert!(!watcher.got_turn(), "spectators never get /turn");
        watcher.send("/who").await; // closed: ignored
    }
    server.shutdown().await;
}

#[tokio::test]
async fn chat_is_checked_bounded_and_rate_limited() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [b, _] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        let mut bob = client(&server, b, "bob").await;
        bob.enter(&[], "bob").await;
        alice.send("/say hi\u{1b}[2J there").await;
        alice
            .expect_prefix("Error: the message contains U+001B, which is not allowed")
            .await;
        alice.send("/say a\u{202E}b").await;
        alice
            .expect_prefix("Error: the message contains U+202E")
            .await;
        alice.send(&format!("/say {}", "x".repeat(201))).await;
        alice
            .expect_prefix("Error: the message is longer than 200 characters")
            .await;
        for n in 1..=5 {
            alice.send(&format!("/say hello {n}")).await;
        }
        alice.send("/say one too many").await;
        alice
            .expect_prefix("Error: you are chatting too fast; wait 2 s before the next message")
            .await;
        for n in 1..=5 {
            bob.expect(&format!("alice: hello {n}")).await;
        }
        bob.send("/who").await;
        bob.expect("Players: alice 0, bob 0.").await;
        assert!(
            !bob.seen
                .iter()
                .any(|l| l.contains("too many") || l.contains('\u{1b}')),
            "{:?}",
            bob.seen
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_host_sets_words_with_apostrophes_and_the_turn_time() {
    let server = start(TestOptions::new("apple", 2)).await;
    for door in Door::ALL {
        let [b, _] = others(door);
        let mut host = client(&server, door, "host").await;
        host.enter(&["/new"], "host").await;
        let code = host.room_code().await;
        host.send("/wordlist м’ята").await;
        host.expect("Room settings: words from a list of 1 word; 120 s a turn.")
            .await;
        host.send("/time off").await;
        host.expect("Room settings: words from a list of 1 word; no time limit.")
            .await;
        let mut guest = client(&server, b, "guest").await;
        guest.enter(&[&format!("/join {code}")], "guest").await;
        guest
            .expect("Room settings: words from a list of 1 word; no time limit.")
            .await;
        host.send("/start").await;
        guest.expect("Word: *'***").await;
        guest.expect("It is host's turn.").await;
        host.expect("/turn").await;
        host.send("/word мʼята").await;
        guest
            .expect("host named the word 'м'ята': correct! +4 points (total 4).")
            .await;
        guest.expect("Results: host 8, guest 0.").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn the_mover_is_warned_before_the_turn_passes() {
    let mut options = TestOptions::new("apple", 2);
    options.turn_timeout = Duration::from_millis(1200);
    let server = start(options).await;
    for door in Door::ALL {
        let [b, _] = others(door);
        let mut alice = client(&server, door, "alice").await;
        alice.enter(&[], "alice").await;
        let mut bob = client(&server, b, "bob").await;
        bob.enter(&[], "bob").await;
        bob.expect("It is alice's turn (2 s).").await;
        alice.expect("/turn").await;
        alice.expect("Hurry: 1 s left on your turn!").await;
        alice.expect("alice took too long; the turn passes.").await;
        bob.expect("/turn").await;
        assert!(
            !bob.seen.iter().any(|l| l.starts_with("Hurry")),
            "the warning is private"
        );
        bob.send("/word apple").await;
        alice.expect("Results: alice 0, bob 10.").await;
    }
    server.shutdown().await;
}

#[tokio::test]
async fn quick_match_players_vote_a_player_out_each_vote_announced_and_each_refusal_says_why() {
    let server = start(TestOptions::new("apple", 3)).await;
    for door in Door::ALL {
        let [second, _] = others(door);
        let (mut alice, mut bob, mut carol, code, token) =
            alice_bob_and_carol(&server, door, false).await;
        alice
            .expect("The game begins! Players: alice, bob, carol.")
            .await;

        alice.send("/votekick nobody").await;
        alice
            .expect("Error: nobody called nobody plays in this room")
            .await;
        alice.send("/votekick ALICE").await;
        alice
            .expect("Error: you cannot vote to remove yourself")
            .await;
        // Two of the other two people must agree: alice's vote is
        // announced, and bob stays.
        alice.send("/votekick bob").await;
        let vote = "alice votes to remove bob (1 of 2 votes needed; /votekick bob to agree).";
        for player in [&mut alice, &mut bob, &mut carol] {
            player.expect(vote).await;
        }
        alice.send("/votekick Bob").await;
        alice.expect("Error: you already voted to remove bob").await;
        carol.send("/votekick bob").await;
        bob.expect("carol votes to remove bob: 2 of 2 votes, bob is removed.")
            .await;
        bob.expect(&format!(
            "The players voted to remove you from room {code}."
        ))
        .await;
        bob.expect("/quit").await;
        for player in [&mut alice, &mut carol] {
            player.expect("bob left the game.").await;
        }
        // His token no longer takes the seat back.
        let mut back = client(&server, second, "bob's token").await;
        back.send(&format!("/resume {token}")).await;
        back.expect_prefix("Error: ").await;

        // Nobody removes another alone: with two people left, alice's vote
        // is not enough.
        alice.send("/votekick carol").await;
        carol
            .expect("alice votes to remove carol (1 of 2 votes needed; /votekick carol to agree).")
            .await;
        carol.send("/who").await;
        carol.expect_prefix("Players: alice ").await;

        // A private room's host removes players; there is no vote there.
        let mut dave = client(&server, door, "dave").await;
        dave.enter(&["/new"], "dave").await;
        dave.send("/votekick dave").await;
        dave.expect(
            "Error: in a private room the host removes players (/kick); votes are for quick matches",
        )
        .await;
    }
    server.shutdown().await;
}
