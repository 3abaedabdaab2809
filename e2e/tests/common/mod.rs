//! What the real-browser tests share: a chromedriver with one headless
//! Chromium session per player, waits for what the page shows, moves made
//! the way a person makes them, `nc`-style TCP players, and the server.
//!
//! Each test binary (`browser.rs`, `rooms.rs`, `restart.rs`) uses a
//! different part of this module, so the parts one of them leaves unused
//! are not dead code.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use wordguess_backend::testkit::{start, RunningServer, TestOptions};

/// How long to wait for the page to show something (a guard against hangs,
/// not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The built browser app; fails the test if it is missing.
pub fn dist() -> PathBuf {
    let dist = workspace().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "the browser app is not built: run `trunk build --release` (README's test command does)"
    );
    dist
}

/// Server options for browser tests: always `word`, games of 2 in quick
/// match, and the built app served.
pub fn options(word: &str) -> TestOptions {
    let mut options = TestOptions::new(word, 2);
    options.web_root = Some(dist());
    options
}

/// A server on loopback that always picks `word` and serves the app.
pub async fn server(word: &str) -> RunningServer {
    start(options(word)).await
}

/// A chromedriver process and one browser session per player.
pub struct Browser {
    driver: Child,
    port: u16,
    profiles: Vec<PathBuf>,
}

impl Browser {
    /// Starts chromedriver on a free loopback port.
    pub async fn start() -> Self {
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

    /// A new headless browser window with a fresh profile (its own
    /// `localStorage`), opened at `url`.
    pub async fn page(&mut self, url: &str) -> Client {
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

/// axe-core's source (npm `axe-core`, at `$WORDGUESS_AXE_JS`; README's
/// test command installs it), read once.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = std::env::var_os("WORDGUESS_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                    .join(".cache/wordguess-tools/axe-core/node_modules/axe-core/axe.min.js")
            });
        std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "axe-core is missing at {} ({error}): README's test command installs it \
                 (npm install axe-core), or set WORDGUESS_AXE_JS",
                path.display()
            )
        })
    })
}

/// Runs axe-core on the page (WebDriver waits for its promise): each
/// violation's rule, impact, help and the elements that break it.
const AUDIT: &str = "return axe.run(document, { resultTypes: ['violations'] })\
    .then(results => results.violations.map(violation => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        elements: violation.nodes.map(node => node.target.join(' ') + ': ' + node.failureSummary),
    })));";

/// Saves what the page shows as `target/e2e/NAME.png`.
pub async fn screenshot(page: &Client, name: &str) {
    let dir = workspace().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    if let Ok(png) = page.screenshot().await {
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// Looks at a screen as a tester would: saves a [`screenshot`] and audits
/// the page with axe-core, failing on any violation (every screen a test
/// reaches is audited).
pub async fn screen(page: &Client, name: &str) {
    screenshot(page, name).await;
    let loaded = page
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("a script runs");
    if loaded != serde_json::Value::Bool(true) {
        page.execute(axe_source(), vec![])
            .await
            .expect("axe-core loads into the page");
    }
    let violations = page.execute(AUDIT, vec![]).await.expect("axe-core runs");
    assert!(
        violations.as_array().is_some_and(Vec::is_empty),
        "axe-core finds accessibility violations on screen {name}: {violations:#}"
    );
}

/// Waits until the element's text satisfies `wanted`; returns the text.
pub async fn wait_text(page: &Client, css: &str, wanted: impl Fn(&str) -> bool) -> String {
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

/// Waits until the element is on the page.
pub async fn wait_for(page: &Client, css: &str) -> fantoccini::elements::Element {
    page.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
}

/// Clicks the element once it is on the page.
pub async fn click(page: &Client, css: &str) {
    wait_for(page, css).await.click().await.unwrap();
}

/// Types `text` into the field once it is on the page.
pub async fn fill(page: &Client, css: &str, text: &str) {
    wait_for(page, css).await.send_keys(text).await.unwrap();
}

/// The current value of a form field.
pub async fn field_value(page: &Client, css: &str) -> String {
    wait_for(page, css)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Types the name and presses the button (`#join-button`, `#create-room`,
/// `#join-code`, `#watch-code`, `#watch`).
pub async fn enter_as(page: &Client, name: &str, button: &str) {
    fill(page, "#name-input", name).await;
    click(page, button).await;
}

/// Types the name and presses the main button (quick match, or "Join the
/// room" on an invite link).
pub async fn join(page: &Client, name: &str) {
    enter_as(page, name, "#join-button").await;
}

/// Plays a letter with the physical keyboard (no mouse).
pub async fn type_letter(page: &Client, letter: &str) {
    wait_text(page, "#turn", |t| t.starts_with("Your turn!")).await;
    page.active_element()
        .await
        .unwrap()
        .send_keys(letter)
        .await
        .unwrap();
}

/// Presses a letter of the on-screen keyboard on my turn.
pub async fn press(page: &Client, letter: &str) {
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

/// Whether the on-screen key for `letter` can be pressed.
pub async fn key_enabled(page: &Client, letter: &str) -> bool {
    wait_for(page, &format!("#keyboard button[data-letter='{letter}']"))
        .await
        .is_enabled()
        .await
        .unwrap()
}

/// Whether the on-screen key for `letter` is marked as already named.
pub async fn key_tried(page: &Client, letter: &str) -> bool {
    wait_for(page, &format!("#keyboard button[data-letter='{letter}']"))
        .await
        .attr("class")
        .await
        .unwrap()
        .is_some_and(|class| class.split_whitespace().any(|c| c == "tried"))
}

/// Guesses the whole word on my turn.
pub async fn guess_word(page: &Client, word: &str) {
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

/// The word as its tiles show it, lower case, with `_` for a hidden tile.
pub async fn shown_word(page: &Client) -> String {
    let mut word = String::new();
    for tile in page.find_all(Locator::Css("#word .tile")).await.unwrap() {
        let text = tile.text().await.unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            word.push('_');
        } else {
            word.push_str(&text.to_lowercase());
        }
    }
    word
}

/// Waits until the word's tiles read `wanted` (`_` for a hidden tile).
pub async fn wait_word(page: &Client, wanted: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let shown = shown_word(page).await;
        if shown == wanted {
            return;
        }
        if Instant::now() > deadline {
            screenshot(page, "timeout").await;
            panic!("the word never read {wanted:?}; it reads {shown:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads name and points from list rows (`li` with `.name` and `.points`).
async fn rows(page: &Client, css: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for row in page.find_all(Locator::Css(css)).await.unwrap() {
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
        rows.push((name, points));
    }
    rows
}

/// Final scores as the results screen lists them: (name, points).
pub async fn scores(page: &Client) -> Vec<(String, String)> {
    wait_text(page, "#winner", |t| !t.is_empty()).await;
    rows(page, "#scores li").await
}

/// The ring as the game screen lists it: (name, points), "(you)" included.
pub async fn ring(page: &Client) -> Vec<(String, String)> {
    rows(page, "#players li").await
}

/// The leaderboard as the page shows it once it is open, one row per
/// player: rank, name, wins, points, games.
pub async fn leaderboard(page: &Client) -> Vec<[String; 5]> {
    wait_for(page, "#standings").await;
    let mut standings = Vec::new();
    for row in page
        .find_all(Locator::Css("#standings tbody tr"))
        .await
        .unwrap()
    {
        let mut cells = Vec::new();
        for cell in row.find_all(Locator::Css("td")).await.unwrap() {
            cells.push(cell.text().await.unwrap());
        }
        standings.push(cells.try_into().expect("five columns"));
    }
    standings
}

/// Pairs of (name, points) as string pairs, for comparisons.
pub fn pairs(list: &[(&str, u32)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, points)| ((*name).to_owned(), points.to_string()))
        .collect()
}

/// The seconds a countdown text (`23 s`) shows.
pub fn countdown_seconds(text: &str) -> Option<u32> {
    text.strip_suffix(" s")?.parse().ok()
}

/// A TCP player, as with `nc`.
pub struct Terminal {
    lines: tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Terminal {
    /// Connects to the game door without sending anything yet.
    pub async fn connect(addr: SocketAddr) -> Self {
        let (reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        Self {
            lines: BufReader::new(reader).lines(),
            writer,
        }
    }

    /// Connects and sends the name (a quick match).
    pub async fn join(addr: SocketAddr, name: &str) -> Self {
        let mut terminal = Self::connect(addr).await;
        terminal.send(name).await;
        terminal
    }

    /// Sends one line.
    pub async fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }

    /// Reads lines until one satisfies `wanted`; returns it.
    pub async fn expect_line(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no {what:?} in time"))
                .unwrap()
                .unwrap_or_else(|| panic!("EOF before {what:?}"));
            if wanted(&line) {
                return line;
            }
        }
    }

    /// Reads lines until this exact one.
    pub async fn expect(&mut self, wanted: &str) {
        self.expect_line(wanted, |line| line == wanted).await;
    }

    /// Reads lines until one starting with `prefix`; returns the rest.
    pub async fn expect_prefix(&mut self, prefix: &str) -> String {
        let line = self
            .expect_line(prefix, |line| line.starts_with(prefix))
            .await;
        line[prefix.len()..].to_owned()
    }

    /// Reads until the server closes the connection.
    pub async fn expect_closed(&mut self) {
        loop {
            let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
                .await
                .expect("the server closes the connection in time");
            if !matches!(line, Ok(Some(_))) {
                return;
            }
        }
    }
}
