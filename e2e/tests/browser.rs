//! The browser app in headless Chromium (driven over WebDriver) playing
//! against the real server, with TCP players in the same ring.
//!
//! Needs Debian's `chromium` and `chromium-driver` and the app built into
//! `dist/` (`trunk build --release`); README's test command does both. A
//! missing browser or app fails these tests: they never skip silently.
//! Screenshots of each stage are saved under `target/e2e/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use wordguess_backend::testkit::{start, start_crashable, RunningServer, TestOptions};

/// How long to wait for the page to show something (a guard against hangs,
/// not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dist() -> PathBuf {
    let dist = workspace().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "the browser app is not built: run `trunk build --release` (README's test command does)"
    );
    dist
}

/// A chromedriver process and one browser session per player.
struct Browser {
    driver: Child,
    port: u16,
    profiles: Vec<PathBuf>,
}

impl Browser {
    async fn start() -> Self {
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                Path::new(tool).exists(),
                "{tool} is missing: install Debian's chromium and chromium-driver (.ci/install-tools does)"
            );
        }
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            driver,
            port,
            profiles: Vec::new(),
        }
    }

    /// A new headless browser window with a fresh profile.
    async fn page(&mut self, url: &str) -> Client {
        let profile = std::env::temp_dir().join(format!(
            "wordguess-e2e-{}-{}-{}",
            std::process::id(),
            self.port,
            self.profiles.len()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        self.profiles.push(profile.clone());
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session");
        client.goto(url).await.expect("open the app");
        client
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.start_kill();
        for profile in &self.profiles {
            let _ = std::fs::remove_dir_all(profile);
        }
    }
}

async fn screenshot(page: &Client, name: &str) {
    let dir = workspace().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    if let Ok(png) = page.screenshot().await {
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// Waits until the element's text satisfies `wanted`; returns the text.
async fn wait_text(page: &Client, css: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    let mut last = String::new();
    loop {
        if let Ok(element) = page.find(Locator::Css(css)).await {
            if let Ok(text) = element.text().await {
                if wanted(&text) {
                    return text;
                }
                last = text;
            }
        }
        if Instant::now() > deadline {
            screenshot(page, "timeout").await;
            panic!("{css} never showed what was expected; last text: {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn join(page: &Client, name: &str) {
    let input = page
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#name-input"))
        .await
        .unwrap();
    input.send_keys(name).await.unwrap();
    page.find(Locator::Css("#join-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Plays a letter with the physical keyboard (no mouse).
async fn type_letter(page: &Client, letter: &str) {
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    page.active_element()
        .await
        .unwrap()
        .send_keys(letter)
        .await
        .unwrap();
}

async fn press(page: &Client, letter: &str) {
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    let key = page
        .find(Locator::Css(&format!(
            "#keyboard button[data-letter='{letter}']"
        )))
        .await
        .unwrap();
    assert!(
        key.is_enabled().await.unwrap(),
        "{letter} is pressable on my turn"
    );
    key.click().await.unwrap();
}

async fn guess_word(page: &Client, word: &str) {
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    let field = page.find(Locator::Css("#word-input")).await.unwrap();
    field.send_keys(word).await.unwrap();
    page.find(Locator::Css("#word-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Final scores as the results screen lists them: (name, points).
async fn scores(page: &Client) -> Vec<(String, String)> {
    wait_text(page, "#winner", |t| !t.is_empty()).await;
    let mut scores = Vec::new();
    for row in page.find_all(Locator::Css("#scores li")).await.unwrap() {
        let name = row
            .find(Locator::Css(".name"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let points = row
            .find(Locator::Css(".points"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        scores.push((name, points));
    }
    scores
}

/// A TCP player, as with `nc`.
struct Terminal {
    lines: tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Terminal {
    async fn join(addr: SocketAddr, name: &str) -> Self {
        let (reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut terminal = Self {
            lines: BufReader::new(reader).lines(),
            writer,
        };
        terminal.send(name).await;
        terminal
    }

    async fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }

    async fn expect(&mut self, wanted: &str) {
        loop {
            let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
                .await
                .expect("a line in time")
                .unwrap()
                .unwrap_or_else(|| panic!("EOF before {wanted:?}"));
            if line == wanted {
                return;
            }
        }
    }
}

async fn server(word: &str) -> RunningServer {
    let mut options = TestOptions::new(word, 2);
    options.web_root = Some(dist());
    start(options).await
}

#[tokio::test]
async fn a_browser_player_and_a_tcp_player_play_a_full_game_together() {
    let server = server("apple").await;
    let mut browser = Browser::start().await;
    let page = browser.page(&format!("http://{}/", server.http)).await;
    screenshot(&page, "browser_tcp_1_join").await;
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
    screenshot(&page, "browser_tcp_2_waiting").await;

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
    screenshot(&page, "browser_tcp_3_playing").await;
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
    screenshot(&page, "browser_tcp_4_results").await;
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
    screenshot(&second, "two_browsers_1_playing_phone").await;
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
    screenshot(&first, "two_browsers_2_results_loser").await;
    screenshot(&second, "two_browsers_3_results_winner").await;

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
    let banner = wait_text(&page, "#banner", |t| !t.is_empty()).await;
    assert_eq!(
        banner,
        "The server ended the game. The server is shutting down. Goodbye!"
    );
    screenshot(&page, "server_gone").await;
    page.close().await.unwrap();
}

#[tokio::test]
async fn the_page_shows_a_clear_error_when_the_connection_is_lost() {
    let mut options = TestOptions::new("apple", 2);
    options.web_root = Some(dist());
    let crashable = start_crashable(options);
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
    screenshot(&page, "connection_lost").await;
    page.close().await.unwrap();
}
