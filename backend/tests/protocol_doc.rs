//! PROTOCOL.md, checked against the real code so that it cannot go stale.
//!
//! The document's fenced blocks follow these conventions (a fence starts at
//! the beginning of a line; its info string is what follows the backticks):
//!
//! - The first block whose info string is `python` is the bot. It is run
//!   twice, as `python3 BOT HOST PORT NAME`, against a real server; both
//!   copies must exit 0 having seen a whole game (results and `/quit`).
//! - Every block whose info string is `json` holds server events, one JSON
//!   object per non-empty line. Each must parse as a [`ServerEvent`] and
//!   serialise back to exactly the same line (no misspelt, missing or
//!   reordered field), and every line of its text rendering must appear
//!   somewhere in the document. Together the blocks must show every kind of
//!   event.
//! - A `json` block right after a `text` block (only blank lines between
//!   them) shows the same events in the other encoding: its events, rendered
//!   as text, are exactly the text block's lines.
//! - Every block whose info string is `text commands` holds client lines,
//!   one per non-empty line, that [`ClientCommand::parse`] accepts; together
//!   they show every command. Every block whose info string is
//!   `text refused` holds lines that it refuses.
//!
//! A new `ServerEvent` or `ClientCommand` variant makes [`event_kind`] or
//! [`command_kind`] fail to compile: give it a name there and an example in
//! PROTOCOL.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use wordguess_backend::testkit::{start, TestOptions};
use wordguess_protocol::{ClientCommand, ServerEvent};

/// How long the two bots may take for their game (a guard against a hang,
/// not a timing assertion: the game takes well under a second).
const BOT_PATIENCE: Duration = Duration::from_secs(60);

/// Every event's JSON `type`, as [`event_kind`] names them.
const EVENT_KINDS: [&str; 30] = [
    "welcome",
    "accepted",
    "joined",
    "left",
    "host_changed",
    "kick_vote",
    "started",
    "turn_of",
    "turn_warning",
    "your_turn",
    "turn_timed_out",
    "letter_named",
    "word_named",
    "word_state",
    "game_over",
    "error",
    "room",
    "token",
    "away",
    "back",
    "snapshot",
    "who",
    "watchers",
    "chat",
    "settings",
    "tally",
    "leaderboard",
    "history",
    "notice",
    "quit",
];

/// Every command, as [`command_kind`] names them.
const COMMAND_KINDS: [&str; 19] = [
    "letter", "word", "help", "new", "join", "watch", "resume", "start", "say", "who", "lang",
    "time", "wordlist", "kick", "bot", "unbot", "votekick", "top", "history",
];

/// The JSON `type` of an event (exhaustive, so a new event cannot be missed).
fn event_kind(event: &ServerEvent) -> &'static str {
    match event {
        ServerEvent::Welcome => "welcome",
        ServerEvent::Accepted { .. } => "accepted",
        ServerEvent::Joined { .. } => "joined",
        ServerEvent::Left { .. } => "left",
        ServerEvent::HostChanged { .. } => "host_changed",
        ServerEvent::KickVote { .. } => "kick_vote",
        ServerEvent::Started { .. } => "started",
        ServerEvent::TurnOf { .. } => "turn_of",
        ServerEvent::TurnWarning { .. } => "turn_warning",
        ServerEvent::YourTurn => "your_turn",
        ServerEvent::TurnTimedOut { .. } => "turn_timed_out",
        ServerEvent::LetterNamed { .. } => "letter_named",
        ServerEvent::WordNamed { .. } => "word_named",
        ServerEvent::WordState { .. } => "word_state",
        ServerEvent::GameOver { .. } => "game_over",
        ServerEvent::Error { .. } => "error",
        ServerEvent::Room { .. } => "room",
        ServerEvent::Token { .. } => "token",
        ServerEvent::Away { .. } => "away",
        ServerEvent::Back { .. } => "back",
        ServerEvent::Snapshot { .. } => "snapshot",
        ServerEvent::Who { .. } => "who",
        ServerEvent::Watchers { .. } => "watchers",
        ServerEvent::Chat { .. } => "chat",
        ServerEvent::Settings { .. } => "settings",
        ServerEvent::Tally { .. } => "tally",
        ServerEvent::Leaderboard { .. } => "leaderboard",
        ServerEvent::History { .. } => "history",
        ServerEvent::Notice { .. } => "notice",
        ServerEvent::Quit => "quit",
    }
}

/// The command word of a command (exhaustive, so a new one cannot be missed).
fn command_kind(command: &ClientCommand) -> &'static str {
    match command {
        ClientCommand::Letter(_) => "letter",
        ClientCommand::Word(_) => "word",
        ClientCommand::Help => "help",
        ClientCommand::New => "new",
        ClientCommand::Join(_) => "join",
        ClientCommand::Watch(_) => "watch",
        ClientCommand::Resume(_) => "resume",
        ClientCommand::Start => "start",
        ClientCommand::Say(_) => "say",
        ClientCommand::Who => "who",
        ClientCommand::Lang(_) => "lang",
        ClientCommand::Time(_) => "time",
        ClientCommand::WordList(_) => "wordlist",
        ClientCommand::Kick(_) => "kick",
        ClientCommand::Bot(_) => "bot",
        ClientCommand::Unbot(_) => "unbot",
        ClientCommand::VoteKick(_) => "votekick",
        ClientCommand::Top => "top",
        ClientCommand::History(_) => "history",
    }
}

/// One fenced block of the document.
struct Block {
    /// What follows the opening backticks, trimmed (`json`, `text commands`).
    info: String,
    /// The line number of the opening fence.
    start: usize,
    /// The line number of the closing fence.
    end: usize,
    /// The lines inside the fence, each with its line number in the file.
    lines: Vec<(usize, String)>,
}

fn document_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../PROTOCOL.md")
}

fn document() -> String {
    let path = document_path();
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The fenced blocks of `doc`, in order.
fn fenced_blocks(doc: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in doc.lines().enumerate() {
        let number = index + 1;
        match open.as_mut() {
            Some(block) if line.trim_end() == "```" => {
                block.end = number;
                blocks.extend(open.take());
            }
            Some(block) => block.lines.push((number, line.to_owned())),
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_owned(),
                        start: number,
                        end: number,
                        lines: Vec::new(),
                    });
                }
            }
        }
    }
    assert!(
        open.is_none(),
        "PROTOCOL.md: a fenced block is never closed"
    );
    blocks
}

/// The non-empty lines of every block whose info string is `info`.
fn lines_of(blocks: &[Block], info: &str) -> Vec<(usize, String)> {
    let lines: Vec<(usize, String)> = blocks
        .iter()
        .filter(|block| block.info == info)
        .flat_map(|block| block.lines.iter().cloned())
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    assert!(
        !lines.is_empty(),
        "PROTOCOL.md has no ```{info} block (see the conventions in tests/protocol_doc.rs)"
    );
    lines
}

#[test]
fn every_json_example_is_exactly_an_event_the_server_sends_and_its_text_is_shown() {
    let doc = document();
    let blocks = fenced_blocks(&doc);
    let mut seen = BTreeSet::new();
    for (number, line) in lines_of(&blocks, "json") {
        let event = ServerEvent::from_json(&line).unwrap_or_else(|error| {
            panic!("PROTOCOL.md:{number}: not a server event ({error}): {line}")
        });
        assert_eq!(
            event.to_json(),
            line,
            "PROTOCOL.md:{number}: the server sends this event as the left side"
        );
        let kind = event_kind(&event);
        assert!(
            line.starts_with(&format!("{{\"type\":\"{kind}\"")),
            "PROTOCOL.md:{number}: event_kind names this event {kind:?}: {line}"
        );
        for text in event.to_text().lines() {
            assert!(
                doc.contains(text),
                "PROTOCOL.md:{number}: the text form of this event, {text:?}, is not shown in the document"
            );
        }
        seen.insert(kind);
    }
    let missing: Vec<&str> = EVENT_KINDS
        .iter()
        .copied()
        .filter(|kind| !seen.contains(kind))
        .collect();
    assert!(
        missing.is_empty(),
        "PROTOCOL.md shows no JSON example of {missing:?}"
    );
}

#[test]
fn a_json_example_right_after_a_text_example_shows_the_same_events() {
    let doc = document();
    let blocks = fenced_blocks(&doc);
    let mut pairs = 0;
    for pair in blocks.windows(2) {
        let (text, json) = (&pair[0], &pair[1]);
        if text.info != "text" || json.info != "json" {
            continue;
        }
        let between = doc.lines().skip(text.end).take(json.start - text.end - 1);
        if between.clone().any(|line| !line.trim().is_empty()) {
            continue;
        }
        pairs += 1;
        let shown: Vec<&str> = text
            .lines
            .iter()
            .map(|(_, line)| line.as_str())
            .filter(|line| !line.trim().is_empty())
            .collect();
        let rendered: Vec<String> = json
            .lines
            .iter()
            .filter(|(_, line)| !line.trim().is_empty())
            .flat_map(|(number, line)| {
                let event = ServerEvent::from_json(line)
                    .unwrap_or_else(|error| panic!("PROTOCOL.md:{number}: {error}"));
                event
                    .to_text()
                    .lines()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            rendered, shown,
            "PROTOCOL.md:{}: this JSON example and the text example before it (line {}) \
             show different events",
            json.start, text.start
        );
    }
    assert!(
        pairs > 10,
        "only {pairs} text and JSON examples side by side"
    );
}

#[test]
fn every_command_example_parses_and_every_refused_line_is_refused() {
    let doc = document();
    let blocks = fenced_blocks(&doc);
    let mut seen = BTreeSet::new();
    for (number, line) in lines_of(&blocks, "text commands") {
        let command = ClientCommand::parse(&line)
            .unwrap_or_else(|error| panic!("PROTOCOL.md:{number}: {line:?} is refused: {error}"));
        seen.insert(command_kind(&command));
    }
    let missing: Vec<&str> = COMMAND_KINDS
        .iter()
        .copied()
        .filter(|kind| !seen.contains(kind))
        .collect();
    assert!(
        missing.is_empty(),
        "PROTOCOL.md's ```text commands blocks show no /{missing:?}"
    );
    for (number, line) in lines_of(&blocks, "text refused") {
        assert!(
            ClientCommand::parse(&line).is_err(),
            "PROTOCOL.md:{number}: {line:?} is documented as refused but parses"
        );
    }
}

/// Whether `python3` can be started at all (the only reason to skip).
async fn python3_found() -> bool {
    let status = tokio::process::Command::new("python3")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
    !matches!(status, Err(error) if error.kind() == std::io::ErrorKind::NotFound)
}

#[tokio::test]
async fn the_documented_python_bot_plays_a_whole_game_against_the_real_server() {
    if !python3_found().await {
        eprintln!("SKIPPED: python3 was not found, so PROTOCOL.md's bot cannot be run");
        return;
    }
    let blocks = fenced_blocks(&document());
    let bot = blocks
        .iter()
        .find(|block| block.info == "python")
        .expect("PROTOCOL.md has a ```python block (the bot)");
    let source: String = bot
        .lines
        .iter()
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    let script = std::env::temp_dir().join(format!(
        "wordguess-protocol-doc-bot-{}.py",
        std::process::id()
    ));
    std::fs::write(&script, source).expect("write the bot to a temporary file");

    let server = start(TestOptions::new("apple", 2)).await;
    let bot = |name: &str| {
        // Isolated mode: the script's folder (a shared temp folder) must not
        // shadow the standard library with stray modules.
        tokio::process::Command::new("python3")
            .arg("-I")
            .arg(&script)
            .arg(server.game.ip().to_string())
            .arg(server.game.port().to_string())
            .arg(name)
            .env("PYTHONUTF8", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start python3")
    };
    let (first, second) = (bot("robo1"), bot("robo2"));
    let finished = tokio::time::timeout(BOT_PATIENCE, async {
        tokio::join!(first.wait_with_output(), second.wait_with_output())
    })
    .await;
    let _ = std::fs::remove_file(&script);
    let (first, second) = finished.unwrap_or_else(|_| {
        panic!("the bots did not finish a game within {BOT_PATIENCE:?} (they were killed)")
    });

    for (name, output) in [("robo1", first), ("robo2", second)] {
        let output = output.expect("wait for python3");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!(
            "{name}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            output.status
        );
        assert!(output.status.success(), "the bot failed: {context}");
        assert!(
            stdout.contains("Game over! The word was 'apple'."),
            "no game over: {context}"
        );
        assert!(
            stdout.lines().any(|line| line.starts_with("Results: ")
                && line.contains("robo1 ")
                && line.contains("robo2 ")),
            "no results line naming both bots: {context}"
        );
        assert!(
            stdout.contains("/turn\n"),
            "the bot never had a turn: {context}"
        );
        assert_eq!(
            stdout.lines().last(),
            Some("/quit"),
            "the bot should stop at /quit: {context}"
        );
    }
    server.shutdown().await;
}
