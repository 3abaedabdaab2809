//! Private rooms in headless Chromium against the real server: a browser
//! creates a room and invites by code, link and `nc` command; the host
//! starts and the game plays to the end; a page refreshed mid-game takes
//! its seat and score back; a spectator sees the moves and the chat; the
//! turn's countdown is on screen; one click plays against the computer, the
//! host adds and removes computer players, and a quick-match player votes
//! another out from the player list.
//!
//! Needs what `browser.rs` needs (Chromium, chromedriver, the app built
//! into `dist/`). Screenshots of each stage are saved under `target/e2e/`.

mod common;

use std::net::SocketAddr;

use common::{
    click, countdown_seconds, enter_as, field_value, fill, guess_word, join, key_enabled,
    key_tried, pairs, press, ring, scores, screen, server, type_letter, wait_for, wait_text,
    wait_word, Browser, Terminal,
};
use fantoccini::{Client, Locator};

/// Creates a room as `name` from the join screen; returns its code as the
/// invite panel shows it.
async fn create_room(page: &Client, name: &str) -> String {
    enter_as(page, name, "#create-room").await;
    wait_text(page, "#waiting h2", |t| t == "Your room is ready").await;
    wait_text(page, "#room-code", |t| t.len() == 6).await
}

/// The game door's address in the invite panel's `nc HOST PORT` line, and
/// the line to send then (`/join CODE`).
async fn nc_command(page: &Client) -> (SocketAddr, String) {
    let command = wait_text(page, "#nc-command", |t| t.starts_with("nc ")).await;
    let mut lines = command.lines();
    let nc: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let [_, host, port] = nc[..] else {
        panic!("not `nc HOST PORT`: {command:?}")
    };
    let addr = format!("{host}:{port}").parse().expect("a host and port");
    (addr, lines.next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_room_is_joined_by_nc_command_and_invite_link_and_played_to_the_end() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let host = browser.page(&format!("http://{}/", server.http)).await;

    // The host creates a room and gives everyone a 90-second turn.
    let code = create_room(&host, "Hana").await;
    fill(&host, "#turn-seconds", "90").await;
    click(&host, "#set-time").await;
    wait_text(&host, "#settings-summary", |t| {
        t.ends_with("Time: 90 s a turn.")
    })
    .await;
    let link = field_value(&host, "#invite-link").await;
    assert_eq!(link, format!("http://{}/?room={code}", server.http));
    let (door, join_line) = nc_command(&host).await;
    assert_eq!(
        door, server.game,
        "the invite panel names this server's TCP door"
    );
    assert_eq!(join_line, format!("/join {code}"));
    assert!(
        !wait_for(&host, "#start").await.is_enabled().await.unwrap(),
        "a room of one cannot start"
    );
    screen(&host, "rooms_1_host_invites").await;

    // A terminal player follows the panel's instructions, as with `nc`.
    let mut term = Terminal::connect(door).await;
    term.send(&join_line).await;
    term.send("tess").await;
    assert_eq!(term.expect_prefix("/room ").await, code);
    let token = term.expect_prefix("/token ").await;
    assert!(token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit()));
    term.expect("Room settings: words built-in, language both; 90 s a turn.")
        .await;
    wait_text(&host, "#lobby-players", |t| t.contains("tess")).await;

    // A second browser opens the invite link.
    let guest = browser.page(&link).await;
    wait_text(&guest, "#invite-code", |t| t == code).await;
    assert_eq!(
        wait_text(&guest, "#join-button", |t| !t.is_empty()).await,
        "Join the room"
    );
    screen(&guest, "rooms_2_invite_link").await;
    join(&guest, "Gus").await;
    wait_text(&guest, "#waiting h2", |t| {
        t == "Waiting for Hana to start the game…"
    })
    .await;
    term.expect("Gus joined the room (3 players); Hana starts the game with /start.")
        .await;
    wait_text(&host, "#lobby-players", |t| t.contains("Gus")).await;
    screen(&host, "rooms_3_lobby_full").await;

    // Only the host has a start button; it starts the game for everyone.
    assert!(guest.find(Locator::Css("#start")).await.is_err());
    click(&host, "#start").await;
    term.expect("The game begins! Players: Hana, tess, Gus.")
        .await;
    term.expect("It is Hana's turn (90 s).").await;

    // The countdown is on every screen and runs down.
    let first = wait_text(&host, "#countdown", |t| {
        countdown_seconds(t).is_some_and(|s| (1..=90).contains(&s))
    })
    .await;
    let first = countdown_seconds(&first).unwrap();
    wait_text(&host, "#countdown", |t| {
        countdown_seconds(t).is_some_and(|s| s < first)
    })
    .await;
    let countdown = wait_for(&guest, "#countdown").await;
    assert_eq!(
        countdown.attr("title").await.unwrap().as_deref(),
        Some("Time left for Hana's move")
    );
    assert!(countdown_seconds(&countdown.text().await.unwrap()).is_some_and(|s| s <= 90));
    wait_text(&guest, "#turn", |t| t == "Waiting for Hana…").await;
    screen(&host, "rooms_4_countdown_host").await;
    screen(&guest, "rooms_5_countdown_guest").await;

    // Hana: a hit keeps the turn, a miss passes it.
    press(&host, "p").await;
    wait_word(&guest, "_pp__").await;
    type_letter(&host, "z").await;
    // tess: a hit, then a miss.
    term.expect("/turn").await;
    term.send("/letter a").await;
    term.expect("/turn").await;
    term.send("/letter q").await;
    // Gus completes the word: 2 hidden letters, then the prize of 5.
    wait_word(&guest, "app__").await;
    guess_word(&guest, "apple").await;
    term.expect("Results: Hana 2, tess 1, Gus 7.").await;
    term.expect("This room has played 1 game. Wins: Gus 1.")
        .await;
    term.expect("/quit").await;
    term.expect_closed().await;

    assert_eq!(
        wait_text(&guest, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    assert_eq!(
        wait_text(&host, "#winner", |t| !t.is_empty()).await,
        "Gus won!"
    );
    for page in [&host, &guest] {
        assert_eq!(
            scores(page).await,
            pairs(&[("Gus", 7), ("Hana", 2), ("tess", 1)])
        );
        wait_text(page, "#tally", |t| {
            t == "This room has played 1 game. Wins: Gus 1."
        })
        .await;
    }
    screen(&guest, "rooms_6_results_winner").await;

    // "Play again in this room" goes back to the same room, tally and all.
    assert_eq!(
        wait_text(&host, "#play-again", |t| !t.is_empty()).await,
        "Play again in this room"
    );
    click(&host, "#play-again").await;
    wait_text(&host, "#waiting h2", |t| t == "Your room is ready").await;
    wait_text(&host, "#room-code", |t| t == code).await;
    wait_text(&host, "#tally", |t| {
        t == "This room has played 1 game. Wins: Gus 1."
    })
    .await;
    screen(&host, "rooms_7_play_again").await;
    host.close().await.unwrap();
    guest.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_browser_refreshed_mid_game_keeps_its_seat_and_score() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let url = format!("http://{}/", server.http);
    let host = browser.page(&url).await;
    let code = create_room(&host, "Hana").await;

    // A reload in the waiting room keeps the room and the host's seat.
    host.refresh().await.unwrap();
    wait_text(&host, "#info", |t| {
        t.contains("Welcome back, Hana! You have your seat again.")
    })
    .await;
    wait_text(&host, "#waiting h2", |t| t == "Your room is ready").await;
    wait_text(&host, "#room-code", |t| t == code).await;
    wait_for(&host, "#start").await;

    // The guest types the code on the join screen.
    let guest = browser.page(&url).await;
    fill(&guest, "#code-input", &code.to_lowercase()).await;
    enter_as(&guest, "Gus", "#join-code").await;
    wait_text(&guest, "#waiting h2", |t| {
        t == "Waiting for Hana to start the game…"
    })
    .await;
    wait_text(&host, "#lobby-players", |t| t.contains("Gus")).await;
    click(&host, "#start").await;

    // Hana scores 2 and misses: Gus's turn.
    press(&host, "p").await;
    wait_word(&host, "_pp__").await;
    press(&host, "z").await;
    wait_text(&guest, "#turn", |t| t.starts_with("Your turn!")).await;
    wait_text(&host, "#turn", |t| t == "Waiting for Gus…").await;
    assert_eq!(
        ring(&host).await,
        pairs_you("Hana", &[("Hana", 2), ("Gus", 0)])
    );
    screen(&host, "refresh_1_before").await;

    // Hana's page reloads: it takes the seat back with its score.
    host.refresh().await.unwrap();
    wait_text(&host, "#info", |t| {
        t.contains("Welcome back, Hana! You have your seat again.")
    })
    .await;
    wait_word(&host, "_pp__").await;
    wait_text(&host, "#turn", |t| t == "Waiting for Gus…").await;
    assert_eq!(
        ring(&host).await,
        pairs_you("Hana", &[("Hana", 2), ("Gus", 0)])
    );
    assert!(key_tried(&host, "p").await && key_tried(&host, "z").await);
    assert!(!key_tried(&host, "a").await);
    let countdown = wait_text(&host, "#countdown", |t| countdown_seconds(t).is_some()).await;
    assert!(countdown_seconds(&countdown).is_some_and(|s| s <= 120));
    screen(&host, "refresh_2_after").await;

    // The others saw Hana go and come back.
    wait_text(&guest, "#log", |t| {
        t.contains("Hana lost the connection; the seat is kept for 120 s.")
            && t.contains("Hana is back.")
    })
    .await;
    wait_text(&guest, "#players", |t| !t.contains("away")).await;

    // The game goes on: Gus misses, Hana wins with the score she kept.
    press(&guest, "q").await;
    guess_word(&host, "apple").await;
    assert_eq!(
        wait_text(&host, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    assert_eq!(scores(&host).await, pairs(&[("Hana", 10), ("Gus", 0)]));
    assert_eq!(scores(&guest).await, pairs(&[("Hana", 10), ("Gus", 0)]));
    screen(&host, "refresh_3_results").await;

    // The game is over, so a reload no longer tries to take a seat back.
    host.refresh().await.unwrap();
    wait_for(&host, "#name-input").await;
    wait_text(&host, "#connection", |t| t == "Offline").await;
    assert!(host.find(Locator::Css("#resuming")).await.is_err());
    host.close().await.unwrap();
    guest.close().await.unwrap();
    server.shutdown().await;
}

/// The ring as `me` sees it: `(you)` after my own name.
fn pairs_you(me: &str, list: &[(&str, u32)]) -> Vec<(String, String)> {
    pairs(list)
        .into_iter()
        .map(|(name, points)| {
            if name == me {
                (format!("{name} (you)"), points)
            } else {
                (name, points)
            }
        })
        .collect()
}

#[tokio::test]
async fn a_spectator_sees_the_moves_the_countdown_and_the_chat() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let url = format!("http://{}/", server.http);
    let host = browser.page(&url).await;
    let code = create_room(&host, "Hana").await;
    let mut term = Terminal::connect(server.game).await;
    term.send(&format!("/join {code}")).await;
    term.send("tess").await;
    wait_text(&host, "#lobby-players", |t| t.contains("tess")).await;

    // The spectator enters the code and watches.
    let watcher = browser.page(&url).await;
    fill(&watcher, "#code-input", &code).await;
    enter_as(&watcher, "Vera", "#watch-code").await;
    wait_text(&watcher, "#waiting h2", |t| {
        t == "Waiting for Hana to start the game…"
    })
    .await;
    wait_text(&watcher, "#waiting", |t| {
        t.contains("You are watching this room.")
    })
    .await;
    term.expect("1 spectator watching.").await;
    wait_text(&host, "#spectators", |t| t.starts_with("1 watching")).await;
    assert!(watcher.find(Locator::Css("#start")).await.is_err());
    screen(&watcher, "spectator_1_waiting").await;

    click(&host, "#start").await;
    wait_text(&watcher, "#spectating", |t| {
        t == "You are watching this game."
    })
    .await;
    wait_text(&watcher, "#turn", |t| t == "It is Hana's turn.").await;
    let countdown = wait_text(&watcher, "#countdown", |t| {
        countdown_seconds(t).is_some_and(|s| (1..=120).contains(&s))
    })
    .await;
    let countdown = countdown_seconds(&countdown).unwrap();
    wait_text(&watcher, "#countdown", |t| {
        countdown_seconds(t).is_some_and(|s| s < countdown)
    })
    .await;
    assert!(
        watcher.find(Locator::Css("#word-input")).await.is_err(),
        "a spectator has no guess field"
    );
    assert!(!key_enabled(&watcher, "p").await, "a spectator cannot move");

    // The spectator sees each move: the word, the log and the points.
    press(&host, "p").await;
    wait_word(&watcher, "_pp__").await;
    wait_text(&watcher, "#log", |t| {
        t.contains("Hana named the letter 'p': 2 in the word, +2 points (total 2).")
    })
    .await;
    wait_text(&watcher, "#players", |t| t.contains("Hana")).await;
    assert_eq!(ring(&watcher).await, pairs(&[("Hana", 2), ("tess", 0)]));
    press(&host, "z").await;
    wait_text(&watcher, "#turn", |t| t == "It is tess's turn.").await;
    wait_text(&watcher, "#log", |t| {
        t.contains("Hana named the letter 'z': not in the word.")
    })
    .await;

    // Chat both ways: the terminal says something, the spectator answers.
    term.expect("/turn").await;
    term.send("/say good try, Hana").await;
    wait_text(&watcher, "#chat-log", |t| {
        t.contains("tess: good try, Hana")
    })
    .await;
    fill(&watcher, "#chat-input", "go tess!").await;
    click(&watcher, "#chat-send").await;
    term.expect("Vera: go tess!").await;
    wait_text(&host, "#chat-log", |t| t.contains("Vera: go tess!")).await;
    screen(&watcher, "spectator_2_moves_and_chat").await;

    // The terminal player guesses the word; the spectator sees the end.
    term.send("/word apple").await;
    term.expect("Results: Hana 2, tess 8.").await;
    assert_eq!(
        wait_text(&watcher, "#winner", |t| !t.is_empty()).await,
        "tess won!"
    );
    assert_eq!(scores(&watcher).await, pairs(&[("tess", 8), ("Hana", 2)]));
    wait_for(&watcher, "#watch-again").await;
    screen(&watcher, "spectator_3_results").await;
    host.close().await.unwrap();
    watcher.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn the_host_removes_a_player_with_the_button_beside_its_name() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let host = browser.page(&format!("http://{}/", server.http)).await;
    let code = create_room(&host, "Hosta").await;
    let mut term = Terminal::connect(server.game).await;
    term.send(&format!("/join {code}")).await;
    term.send("term").await;
    term.expect("Hello, term!").await;
    wait_text(&host, "#lobby-players", |t| t.contains("term")).await;
    screen(&host, "remove_1_lobby").await;
    // Only the others have the button; the host's own row has none.
    let buttons = host
        .find_all(Locator::Css("#lobby-players button.remove"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 1);
    click(&host, "#lobby-players li[data-name='term'] button.remove").await;
    term.expect(&format!("The host removed you from room {code}."))
        .await;
    term.expect_closed().await;
    wait_text(&host, "#lobby-players", |t| !t.contains("term")).await;
    screen(&host, "remove_2_removed").await;
    host.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn one_click_plays_against_the_computer_to_the_end_of_a_game() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    enter_as(&page, "Solo", "#versus-computer").await;
    // The game starts at once; the computer player is marked as one.
    wait_text(&page, "#players", |t| t.contains("Robo")).await;
    let tag = wait_text(&page, "#players li[data-name='Robo'] .tag.computer", |t| {
        !t.is_empty()
    })
    .await;
    assert_eq!(tag, "computer");
    screen(&page, "computer_1_playing").await;
    // A miss hands Robo the turn; with the room's one word it finds every
    // letter, turn after turn, and wins.
    type_letter(&page, "z").await;
    wait_text(&page, "#turn", |t| t.contains("Robo")).await;
    screen(&page, "computer_2_its_turn").await;
    assert_eq!(
        wait_text(&page, "#winner", |t| !t.is_empty()).await,
        "Robo won!"
    );
    let names: Vec<String> = scores(&page).await.into_iter().map(|(n, _)| n).collect();
    assert!(
        names.iter().any(|n| n.starts_with("Robo")),
        "the results list the computer player: {names:?}"
    );
    screen(&page, "computer_3_results").await;
    page.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn the_host_adds_a_computer_player_of_a_level_and_removes_it() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let host = browser.page(&format!("http://{}/", server.http)).await;
    let code = create_room(&host, "Hosta").await;
    let mut term = Terminal::connect(server.game).await;
    term.send(&format!("/watch {code}")).await;
    term.send("term").await;
    term.expect("Hello, term!").await;
    wait_for(&host, "#computer-level")
        .await
        .select_by_value("hard")
        .await
        .unwrap();
    click(&host, "#add-computer-button").await;
    term.expect("Robo (computer) joined the room (2 players); Hosta starts the game with /start.")
        .await;
    wait_text(&host, "#lobby-players", |t| t.contains("Robo")).await;
    screen(&host, "add_computer_1_lobby").await;
    term.send("/who").await;
    term.expect("Players: Hosta 0 (host), Robo 0 (computer, hard).")
        .await;
    click(&host, "#lobby-players li[data-name='Robo'] button.remove").await;
    term.expect("Robo left the game.").await;
    wait_text(&host, "#lobby-players", |t| !t.contains("Robo")).await;
    host.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_quick_match_player_votes_another_out_from_the_player_list() {
    let mut options = common::options("apple");
    options.players = 3;
    let server = wordguess_backend::testkit::start(options).await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    join(&page, "Webby").await;
    wait_text(&page, "#waiting", |t| {
        t.contains("Waiting for 2 more players")
    })
    .await;
    let mut bob = Terminal::join(server.game, "bob").await;
    let mut carol = Terminal::join(server.game, "carol").await;
    carol
        .expect("The game begins! Players: Webby, bob, carol.")
        .await;
    wait_for(&page, "#players li[data-name='bob'] button.remove").await;
    screen(&page, "vote_1_buttons").await;
    click(&page, "#players li[data-name='bob'] button.remove").await;
    carol
        .expect("Webby votes to remove bob (1 of 2 votes needed; /votekick bob to agree).")
        .await;
    carol.send("/votekick bob").await;
    bob.expect_prefix("The players voted to remove you from room ")
        .await;
    wait_text(&page, "#players", |t| !t.contains("bob")).await;
    screen(&page, "vote_2_removed").await;
    page.close().await.unwrap();
    server.shutdown().await;
}
