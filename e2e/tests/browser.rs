//! The browser app in headless Chromium (driven over WebDriver) playing
//! against the real server, with TCP players in the same ring; what the
//! page says when the server goes away, and when it keeps no leaderboard.
//!
//! Needs Debian's `chromium` and `chromium-driver` and the app built into
//! `dist/` (`trunk build --release`); README's test command does both. A
//! missing browser or app fails these tests: they never skip silently.
//! Screenshots of each stage are saved under `target/e2e/`.

mod common;

use common::{
    click, guess_word, join, options, press, scores, screen, server, type_letter, wait_for,
    wait_text, Browser, Terminal, PATIENCE,
};
use fantoccini::Locator;
use wordguess_backend::testkit::start_crashable;

#[tokio::test]
async fn a_browser_player_and_a_tcp_player_play_a_full_game_together() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    screen(&page, "browser_tcp_1_join").await;
    // Keyboard only: the name field has focus; Enter submits.
    let name = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#name-input"))
        .await
        .unwrap();
    name.send_keys("Webby\u{E007}").await.unwrap();
    wait_text(&page, "#waiting", |t| {
        t.contains("Waiting for 1 more player")
    })
    .await;
    screen(&page, "browser_tcp_2_waiting").await;

    let mut term = Terminal::join(server.game, "term").await;
    term.expect("The game begins! Players: Webby, term.").await;
    // Browser: a hit keeps the turn, a miss passes it.
    press(&page, "p").await;
    wait_text(&page, "#word", |t| {
        t.replace('\n', "").to_lowercase().contains("pp")
    })
    .await;
    type_letter(&page, "z").await;
    term.expect("Webby named the letter 'z': not in the word.")
        .await;
    let z = page
        .find(Locator::Css("#keyboard button[data-letter='z']"))
        .await
        .unwrap();
    assert!(!z.is_enabled().await.unwrap(), "a tried letter is disabled");
    screen(&page, "browser_tcp_3_playing").await;
    // Terminal: a hit, then a miss.
    term.expect("/turn").await;
    term.send("/letter a").await;
    term.expect("/turn").await;
    term.send("/letter q").await;
    // Browser: the whole word wins (2 hidden letters, then the prize of 5).
    guess_word(&page, "apple").await;
    term.expect("Results: Webby 9, term 1.").await;
    term.expect("/quit").await;
    assert_eq!(
        wait_text(&page, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    assert_eq!(
        scores(&page).await,
        vec![
            ("Webby".to_owned(), "9".to_owned()),
            ("term".to_owned(), "1".to_owned())
        ]
    );
    screen(&page, "browser_tcp_4_results").await;
    page.close().await.unwrap();
    server.shutdown().await;
}

/// Sends `keys` to whatever has focus, as a keyboard would (WebDriver key
/// codes: `\u{E004}` Tab, `\u{E007}` Enter).
async fn keys(page: &fantoccini::Client, keys: &str) {
    page.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// The id of the element that has focus.
async fn focused(page: &fantoccini::Client) -> String {
    page.execute("return document.activeElement.id;", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Presses Tab until `id` has focus; fails if it takes more than 40.
async fn tab_to(page: &fantoccini::Client, id: &str) {
    for _ in 0..40 {
        if focused(page).await == id {
            return;
        }
        keys(page, "\u{E004}").await;
    }
    panic!("#{id} cannot be reached with Tab");
}

#[tokio::test]
async fn a_keyboard_alone_plays_a_whole_game() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    wait_for(&page, "#name-input").await;
    tab_to(&page, "name-input").await;
    keys(&page, "Keys\u{E007}").await;
    wait_text(&page, "#waiting", |t| t.contains("Waiting")).await;
    let mut term = Terminal::join(server.game, "term").await;
    term.expect("The game begins! Players: Keys, term.").await;

    // Letter keys name letters: a hit keeps the turn, a miss passes it.
    wait_text(&page, "#turn", |t| t.starts_with("Your turn!")).await;
    keys(&page, "p").await;
    term.expect_prefix("Keys named the letter 'p'").await;
    keys(&page, "z").await;
    term.expect("Keys named the letter 'z': not in the word.")
        .await;
    term.expect("/turn").await;
    term.send("/letter q").await;

    // The word field is reached with Tab; Enter sends the guess.
    wait_text(&page, "#turn", |t| t.starts_with("Your turn!")).await;
    tab_to(&page, "word-input").await;
    keys(&page, "apple\u{E007}").await;
    assert_eq!(
        wait_text(&page, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    screen(&page, "keyboard_1_results").await;

    // The next game is one Enter away: its button has focus.
    assert_eq!(focused(&page).await, "play-again");
    keys(&page, "\u{E007}").await;
    wait_text(&page, "#waiting", |t| t.contains("Waiting")).await;
    page.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn names_are_checked_in_the_browser_as_the_server_checks_them() {
    // The app checks text with the browser's Unicode data, the server with
    // Rust's tables: a player sees the same answers either way.
    let server = server("ґанок").await;
    let mut browser = Browser::start().await;
    let url = format!("http://{}/", server.http);
    let page = browser.page(&url).await;
    // A right-to-left override is refused, with the character named.
    join(&page, "ab\u{202E}c").await;
    let error = wait_text(&page, "#error", |t| !t.is_empty()).await;
    assert!(error.contains("U+202E"), "{error}");
    // An emoji sequence (with its zero-width joiner) and a name typed in
    // decomposed form (И + combining breve) are fine; the name is shown
    // composed.
    let second = browser.page(&url).await;
    join(&second, "\u{1F469}\u{200D}\u{1F4BB}").await;
    wait_text(&second, "#waiting", |t| t.contains("Waiting")).await;
    let third = browser.page(&url).await;
    join(&third, "\u{0418}\u{0306}осип").await;
    wait_text(&third, "#players", |t| t.contains("\u{0419}осип")).await;
    screen(&third, "unicode_names").await;
    server.shutdown().await;
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

#[tokio::test]
async fn a_browser_without_intl_segmenter_plays_a_whole_game() {
    // Firefox before 125 and Safari before 14.1 have no Intl.Segmenter:
    // the app splits words into letters without it.
    let server = server("ґанок").await;
    let mut browser = Browser::start().await;
    let page = browser.page("about:blank").await;
    page.issue_cmd(DevTools {
        command: "Page.addScriptToEvaluateOnNewDocument",
        params: serde_json::json!({ "source": "delete Intl.Segmenter;" }),
    })
    .await
    .expect("a script for every new page");
    page.goto(&format!("http://{}/", server.http))
        .await
        .unwrap();
    let segmenter = page
        .execute("return typeof Intl.Segmenter;", vec![])
        .await
        .unwrap();
    assert_eq!(segmenter, "undefined");
    join(&page, "Ярина").await;
    // Seated first, so the ring's order is known.
    wait_text(&page, "#waiting", |t| {
        t.contains("Waiting for 1 more player")
    })
    .await;
    let mut term = Terminal::join(server.game, "term").await;
    term.expect("The game begins! Players: Ярина, term.").await;
    // The Ukrainian keyboard, letter by letter, and the word's five tiles.
    wait_for(&page, "#keyboard button[data-letter='ґ']").await;
    let keys = page
        .find_all(Locator::Css("#keyboard button"))
        .await
        .unwrap();
    assert_eq!(keys.len(), 33, "every letter of the alphabet has its key");
    let tiles = page.find_all(Locator::Css("#word .tile")).await.unwrap();
    assert_eq!(tiles.len(), 5);
    press(&page, "н").await;
    guess_word(&page, "ҐАНОК").await;
    assert_eq!(
        wait_text(&page, "#winner", |t| !t.is_empty()).await,
        "You won!"
    );
    page.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn two_browser_players_play_a_full_game() {
    let server = server("ґанок").await;
    let mut browser = Browser::start().await;
    let url = format!("http://{}/", server.http);
    let first = browser.page(&url).await;
    join(&first, "Олена").await;
    wait_text(&first, "#waiting", |t| t.contains("Waiting")).await;
    let second = browser.page(&url).await;
    second.set_window_size(390, 844).await.unwrap(); // a phone
    join(&second, "Богдан").await;

    // The keyboard is Ukrainian; the first player misses, the second wins.
    press(&first, "ї").await;
    wait_text(&second, "#turn", |t| t.starts_with("Your turn!")).await;
    screen(&second, "two_browsers_1_playing_phone").await;
    press(&second, "н").await;
    guess_word(&second, "ҐАНОК").await;
    for page in [&first, &second] {
        assert_eq!(
            scores(page).await,
            vec![
                ("Богдан".to_owned(), "10".to_owned()),
                ("Олена".to_owned(), "0".to_owned())
            ]
        );
    }
    assert_eq!(
        wait_text(&first, "#winner", |t| !t.is_empty()).await,
        "Богдан won!"
    );
    screen(&first, "two_browsers_2_results_loser").await;
    screen(&second, "two_browsers_3_results_winner").await;

    // "Play again" joins the next game under the same name.
    second
        .find(Locator::Css("#play-again"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&second, "#waiting", |t| {
        t.contains("Waiting for 1 more player")
    })
    .await;
    first.close().await.unwrap();
    second.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn the_page_shows_a_clear_error_when_the_server_goes_away() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    join(&page, "Webby").await;
    wait_text(&page, "#connection", |t| t == "Connected").await;
    server.shutdown().await;
    // It may be a restart: the page waits for the server to come back.
    let banner = wait_text(&page, "#banner", |t| !t.is_empty()).await;
    assert_eq!(
        banner,
        "The server is restarting or shutting down. If it comes back with your game, \
         you play on where you left off."
    );
    wait_for(&page, "#reconnecting").await;
    screen(&page, "server_gone").await;
    // The player need not wait.
    click(&page, "#leave").await;
    wait_for(&page, "#name-input").await;
    assert!(page.find(Locator::Css("#banner")).await.is_err());
    wait_text(&page, "#connection", |t| t == "Offline").await;
    page.close().await.unwrap();
}

#[tokio::test]
async fn the_leaderboard_says_so_when_the_server_keeps_none() {
    // The test server has no database.
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    click(&page, "#show-leaderboard").await;
    assert_eq!(
        wait_text(&page, "#leaderboard-error", |t| !t.is_empty()).await,
        "The leaderboard is not available: this server keeps no history or leaderboard \
         (it runs without a database)."
    );
    screen(&page, "leaderboard_no_database").await;
    click(&page, "#hide-leaderboard").await;
    assert!(page.find(Locator::Css("#leaderboard")).await.is_err());
    page.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn the_page_shows_a_clear_error_when_the_connection_is_lost() {
    let crashable = start_crashable(options("apple"));
    let mut browser = Browser::start().await;
    let page = browser
        .page(&format!("http://{}/", crashable.server.http))
        .await;
    join(&page, "Webby").await;
    wait_text(&page, "#connection", |t| t == "Connected").await;
    crashable.crash();
    let banner = wait_text(&page, "#banner", |t| !t.is_empty()).await;
    assert!(
        banner.starts_with("Disconnected from the server"),
        "{banner}"
    );
    assert_eq!(
        wait_text(&page, "#connection", |t| t == "Disconnected").await,
        "Disconnected"
    );
    screen(&page, "connection_lost").await;
    page.close().await.unwrap();
}
