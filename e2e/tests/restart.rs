//! A game that outlives its server: a browser player and a terminal player
//! are mid-game when the server is killed; it comes back on the same
//! addresses and database, the terminal player resumes by hand, the page
//! by itself (no reload), and the game is played to the end; the page's
//! leaderboard then counts it. The same page also waits out a graceful
//! restart (the server's goodbye, close code 1001) and plays on.
//!
//! Needs what `browser.rs` needs (Chromium, chromedriver, the app built
//! into `dist/`). Everything listens on loopback; the database is a file in
//! the temporary directory, removed at the end. Screenshots of each stage
//! are saved under `target/e2e/`.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{
    click, guess_word, join, key_tried, leaderboard, options, pairs, press, ring, scores, screen,
    shown_word, wait_for, wait_text, wait_word, Browser, Terminal, PATIENCE,
};
use fantoccini::{Client, Locator};
use tokio::net::TcpSocket;
use wordguess_backend::testkit::{start, start_crashable};

/// A database file of its own, removed (with SQLite's side files) when the
/// test ends.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> Self {
        let db = Self(std::env::temp_dir().join(format!(
            "wordguess-e2e-{name}-{}.sqlite",
            std::process::id()
        )));
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Waits until the crashed server's listening sockets are gone (they close
/// as its runtime winds down in the background), so a new server can bind
/// the same addresses.
async fn wait_until_free(addresses: &[SocketAddr]) {
    let deadline = Instant::now() + PATIENCE;
    for &address in addresses {
        loop {
            let socket = TcpSocket::new_v4().unwrap();
            // As the server binds: a closed connection's TIME_WAIT does not
            // count, a listener does.
            socket.set_reuseaddr(true).unwrap();
            if socket.bind(address).and_then(|()| socket.listen(1)).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{address} is still taken after the crash"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The ring as Webby's page shows it.
fn webby_and_term(webby: u32, term: u32) -> Vec<(String, String)> {
    let mut ring = pairs(&[("Webby", webby), ("term", term)]);
    ring[0].0.push_str(" (you)");
    ring
}

/// Webby (this page) and term (a terminal at the game door `game`) play
/// "apple": a hit and a miss each, so Webby is to move with the word at
/// `app__` and 2 points to term's 1. Returns term and its resume token.
async fn mid_game(page: &Client, game: SocketAddr) -> (Terminal, String) {
    join(page, "Webby").await;
    wait_text(page, "#waiting", |t| {
        t.contains("Waiting for 1 more player")
    })
    .await;
    let mut term = Terminal::join(game, "term").await;
    let token = term.expect_prefix("/token ").await;
    term.expect("The game begins! Players: Webby, term.").await;
    press(page, "p").await;
    wait_word(page, "_pp__").await;
    press(page, "z").await;
    term.expect("/turn").await;
    term.send("/letter a").await;
    term.expect("/turn").await;
    term.send("/letter q").await;
    wait_word(page, "app__").await;
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    assert_eq!(ring(page).await, webby_and_term(2, 1));
    (term, token)
}

/// Waits until the page has taken its seat back by itself and shows the
/// game as it was: the word, the letters named, the scores, its turn.
async fn resumed(page: &Client) {
    wait_text(page, "#info", |t| {
        t.contains("Welcome back, Webby! You have your seat again.")
    })
    .await;
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    assert!(page.find(Locator::Css("#banner")).await.is_err());
    wait_text(page, "#connection", |t| t == "Connected").await;
    wait_word(page, "app__").await;
    assert_eq!(ring(page).await, webby_and_term(2, 1));
    for letter in ["p", "z", "a", "q"] {
        assert!(key_tried(page, letter).await, "{letter} was named");
    }
    assert!(!key_tried(page, "l").await);
}

#[tokio::test]
async fn a_game_goes_on_after_the_server_crashes_and_restarts() {
    let db = TempDb::new("crash");
    let mut options = options("apple");
    options.db = Some(db.0.clone());
    let crashable = start_crashable(options.clone());
    let addresses = crashable.server.addresses();
    let mut browser = Browser::start().await;
    let page = browser
        .page(&format!("http://{}/", crashable.server.http))
        .await;
    let (mut term, token) = mid_game(&page, crashable.server.game).await;
    screen(&page, "restart_1_before_crash").await;

    // The server is killed: no goodbye, every socket closed.
    crashable.crash();
    term.expect_closed().await;
    let banner = wait_text(&page, "#banner", |t| !t.is_empty()).await;
    assert!(
        banner.starts_with("Disconnected from the server"),
        "{banner}"
    );
    wait_for(&page, "#reconnecting").await;
    wait_text(&page, "#turn", |t| t == "Reconnecting…").await;
    assert_eq!(shown_word(&page).await, "app__", "the board stays in view");
    screen(&page, "restart_2_server_down").await;

    // It comes back on the same addresses and database.
    wait_until_free(&addresses).await;
    options.listen_on = Some(addresses);
    let server = start(options).await;

    // The terminal player takes the seat back by hand, the page by itself.
    let mut term = Terminal::connect(server.game).await;
    term.send(&format!("/resume {token}")).await;
    term.expect("Hello, term!").await;
    term.expect("Word: app**").await;
    term.expect("Letters tried: p, z, a, q.").await;
    resumed(&page).await;
    screen(&page, "restart_3_resumed").await;

    // Webby, still to move, completes the word: 2 letters and the prize.
    guess_word(&page, "apple").await;
    term.expect("Results: Webby 9, term 1.").await;
    term.expect("/quit").await;
    assert_eq!(
        wait_text(&page, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    assert_eq!(scores(&page).await, pairs(&[("Webby", 9), ("term", 1)]));
    wait_text(&page, "#history", |t| {
        t.contains("apple — won by Webby: Webby 9, term 1")
    })
    .await;
    screen(&page, "restart_4_results").await;

    // The leaderboard counts the game that survived the crash.
    click(&page, "#show-leaderboard").await;
    assert_eq!(
        leaderboard(&page).await,
        [["1", "Webby", "1", "9", "1"], ["2", "term", "0", "1", "1"]]
            .map(|row| row.map(str::to_owned))
    );
    screen(&page, "restart_5_leaderboard").await;
    page.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn the_page_waits_out_a_graceful_restart_and_plays_on() {
    let db = TempDb::new("graceful");
    let mut options = options("apple");
    options.db = Some(db.0.clone());
    let server = start(options.clone()).await;
    let addresses = server.addresses();
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    let (mut term, _) = mid_game(&page, server.game).await;

    // The server says goodbye (close code 1001): the page waits for it.
    server.shutdown().await;
    term.expect_closed().await;
    assert_eq!(
        wait_text(&page, "#banner", |t| !t.is_empty()).await,
        "The server is restarting or shutting down. If it comes back with your game, \
         you play on where you left off."
    );
    wait_for(&page, "#reconnecting").await;
    let log = wait_text(&page, "#log", |t| {
        t.contains("The server is restarting; your game is saved.")
    })
    .await;
    assert!(
        log.contains("send /resume (your token) within 120 s"),
        "the token stays private: {log}"
    );
    wait_word(&page, "app__").await;
    screen(&page, "graceful_restart_1_waiting").await;

    wait_until_free(&addresses).await;
    options.listen_on = Some(addresses);
    let server = start(options).await;
    resumed(&page).await;
    screen(&page, "graceful_restart_2_resumed").await;

    // term is still away; Webby plays on and wins.
    guess_word(&page, "apple").await;
    assert_eq!(scores(&page).await, pairs(&[("Webby", 9), ("term", 1)]));
    page.close().await.unwrap();
    server.shutdown().await;
}
