//! The terminal clients, run as real processes with piped stdin against a
//! real server on loopback.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdin, Command};
use wordguess_backend::testkit::{start, start_crashable, RunningServer, TestOptions};

const PATIENCE: Duration = Duration::from_secs(20);

/// Reads lines until one ends with `wanted` (a prompt may precede it on
/// the same line); returns everything read.
async fn read_until<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
    wanted: &str,
) -> String {
    let mut seen = String::new();
    loop {
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no {wanted:?} in time; the screen showed:\n{seen}"))
            .expect("read")
            .unwrap_or_else(|| panic!("EOF before {wanted:?}"));
        seen.push_str(&line);
        seen.push('\n');
        if line.ends_with(wanted) {
            return seen;
        }
    }
}

/// What the client prints on `/turn` (no line ends it).
const PROMPT: &str = "Your turn! Type a letter or the whole word: ";

/// The client's screen, read as it is written: a prompt ends no line.
struct Screen {
    out: tokio::process::ChildStdout,
    seen: Vec<u8>,
}

impl Screen {
    fn new(out: tokio::process::ChildStdout) -> Self {
        Self {
            out,
            seen: Vec::new(),
        }
    }

    /// Reads until `wanted` shows after what earlier waits took; returns
    /// the text up to the end of it.
    async fn until(&mut self, wanted: &str) -> String {
        use tokio::io::AsyncReadExt;
        loop {
            let text = String::from_utf8_lossy(&self.seen).into_owned();
            if let Some(at) = text.find(wanted) {
                let taken = text[..at + wanted.len()].to_owned();
                self.seen.drain(..taken.len());
                return taken;
            }
            let mut chunk = [0; 4096];
            let read = tokio::time::timeout(PATIENCE, self.out.read(&mut chunk))
                .await
                .unwrap_or_else(|_| panic!("no {wanted:?} in time; the screen showed:\n{text}"))
                .expect("read");
            assert!(read > 0, "the client ended before {wanted:?}:\n{text}");
            self.seen.extend_from_slice(&chunk[..read]);
        }
    }

    /// Everything else it prints, until it exits.
    async fn rest(mut self) -> String {
        use tokio::io::AsyncReadExt;
        tokio::time::timeout(PATIENCE, self.out.read_to_end(&mut self.seen))
            .await
            .expect("the client exits")
            .expect("read");
        String::from_utf8_lossy(&self.seen).into_owned()
    }
}

/// `wordguess-client ADDR --name NAME`, its keyboard and screen piped.
fn client_process(server: &impl ToString, name: &str) -> tokio::process::Child {
    Command::new(env!("CARGO_BIN_EXE_wordguess-client"))
        .arg(server.to_string())
        .args(["--name", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run wordguess-client")
}

/// Options for a game of `apple` with a database in a fresh folder.
fn with_database(label: &str) -> (std::path::PathBuf, TestOptions) {
    let dir = std::env::temp_dir().join(format!("wordguess-client-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut options = TestOptions::new("apple", 2);
    options.db = Some(dir.join("games.db"));
    (dir, options)
}

/// Waits for the client to exit, and checks it exited successfully.
async fn exits_cleanly(client: &mut tokio::process::Child) {
    let status = tokio::time::timeout(PATIENCE, client.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn the_terminal_client_plays_a_whole_game_from_its_stdin() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = client_process(&server.game, "/bad name");
    let mut keyboard = client.stdin.take().unwrap();
    let mut screen = Screen::new(client.stdout.take().unwrap());
    // A refused name is asked for again.
    let mut seen = screen.until("/resume TOKEN or /help").await;
    keyboard.write_all("alice\n".as_bytes()).await.unwrap();
    seen += &screen.until("Hello, alice!").await;
    assert!(
        seen.contains(
            "Error: unknown command '/bad'; now you can send your name, /new, /join CODE, /watch CODE, /resume TOKEN or /help\nChoose another name: Hello, alice!"
        ),
        "{seen}"
    );

    // Bob joins once alice is in, so she moves first: a hit, a line that
    // is no move (explained, and asked again), a miss.
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    seen += &screen.until(PROMPT).await;
    keyboard.write_all(b"p\n").await.unwrap();
    seen += &screen.until(PROMPT).await;
    keyboard.write_all(b"not a word!\n").await.unwrap();
    keyboard.write_all(b"z\n").await.unwrap();
    read_until(
        &mut bob_lines,
        "alice named the letter 'z': not in the word.",
    )
    .await;
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();

    let rest = screen.rest().await;
    let status = client.wait().await.unwrap();
    let screen = seen + &rest;
    assert!(status.success(), "{screen}");
    assert!(
        screen.contains("Your turn! Type a letter or the whole word: "),
        "{screen}"
    );
    assert!(
        screen.contains("alice named the letter 'p': 2 in the word"),
        "{screen}"
    );
    assert!(
        screen.contains(
            "is not a word (letters, with ' or - between them; at most 64)\nYour turn! Type a letter or the whole word: "
        ),
        "bad input is explained locally, and the move asked for again: {screen}"
    );
    assert!(
        screen.contains(
            "Results: alice 2, bob 8.\nThis room has played 1 game. Wins: bob 1.\nThe game is over. Bye!\n"
        ),
        "{screen}"
    );
    assert!(
        !screen.contains("/turn") && !screen.contains("/quit"),
        "commands are not printed: {screen}"
    );
    server.shutdown().await;
}

/// `wordguess-client --name alice --new` against `server`: the process, its
/// keyboard and its screen.
fn host_alice(server: &RunningServer) -> (Child, ChildStdin, Screen) {
    let mut client = Command::new(env!("CARGO_BIN_EXE_wordguess-client"))
        .arg(server.game.to_string())
        .args(["--name", "alice", "--new"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run wordguess-client");
    let keyboard = client.stdin.take().unwrap();
    let screen = Screen::new(client.stdout.take().unwrap());
    (client, keyboard, screen)
}

#[tokio::test]
async fn a_host_on_the_terminal_client_starts_its_game_chats_and_asks_who_is_in() {
    let server = start(TestOptions::new("apple", 2)).await;
    let (mut client, mut keyboard, mut screen) = host_alice(&server);
    let room = screen.until("starts the game with /start.").await;
    let code: String = room
        .split_once("/join ")
        .unwrap_or_else(|| panic!("the room's code in {room}"))
        .1
        .chars()
        .take(6)
        .collect();

    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer
        .write_all(format!("/join {code}\nbob\n").as_bytes())
        .await
        .unwrap();
    // Bob's arrival, said the way alice's own was.
    screen.until("alice starts the game with /start.").await;
    // Plain text before the game is said in the chat; the host starts the
    // game from the keyboard.
    keyboard.write_all(b"ready when you are\n").await.unwrap();
    read_until(&mut bob_lines, "alice: ready when you are").await;
    keyboard.write_all(b"/start\n").await.unwrap();
    screen.until("It is alice's turn (120 s).").await;
    // On her turn a command is no move: its answer comes, then the prompt
    // again, and the turn is still hers.
    keyboard.write_all(b"/who\n").await.unwrap();
    let who = screen.until("Nobody is watching.").await;
    assert!(who.contains("Players: alice"), "{who}");
    keyboard.write_all(b"p\n").await.unwrap();
    let hit = screen
        .until("alice named the letter 'p': 2 in the word, +2 points (total 2).")
        .await;
    assert!(
        hit.contains("Your turn! Type a letter or the whole word: "),
        "{who}{hit}"
    );
    screen.until(PROMPT).await;
    keyboard.write_all(b"apple\n").await.unwrap();
    read_until(&mut bob_lines, "Game over! The word was 'apple'.").await;
    screen.until("Game over! The word was 'apple'.").await;
    drop(keyboard);
    server.shutdown().await;
    exits_cleanly(&mut client).await;
}

#[tokio::test]
async fn a_host_on_the_terminal_client_plays_against_a_computer_player() {
    let server = start(TestOptions::new("apple", 2)).await;
    let (mut client, mut keyboard, mut screen) = host_alice(&server);
    screen.until("starts the game with /start.").await;
    keyboard.write_all(b"/bot hard\n").await.unwrap();
    screen
        .until("Robo (computer) joined the room (2 players); alice starts the game with /start.")
        .await;
    keyboard.write_all(b"/start\n").await.unwrap();
    screen
        .until("The game begins! Players: alice, Robo (computer).")
        .await;
    screen.until(PROMPT).await;
    keyboard.write_all(b"z\n").await.unwrap();
    screen
        .until("Robo named the word 'apple': correct! +5 points (total 5).")
        .await;
    screen.until("Results: alice 0, Robo (computer) 10.").await;
    drop(keyboard);
    server.shutdown().await;
    exits_cleanly(&mut client).await;
}

/// A loopback proxy in front of the server whose connections the test can
/// cut, as a Wi-Fi blip would.
struct Proxy {
    addr: std::net::SocketAddr,
    cut: tokio::sync::watch::Sender<u32>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (cut, cuts) = tokio::sync::watch::channel(0u32);
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut cuts = cuts.clone();
                cuts.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Self { addr, cut, task }
    }

    /// Drops every connection open now; new ones go through.
    fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn the_terminal_client_takes_its_seat_back_after_a_lost_connection() {
    let server = start(TestOptions::new("apple", 2)).await;
    let proxy = Proxy::start(server.game).await;
    let mut client = client_process(&proxy.addr, "alice");
    let mut keyboard = client.stdin.take().unwrap();
    let mut screen = Screen::new(client.stdout.take().unwrap());
    screen.until("Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    screen.until(PROMPT).await;
    keyboard.write_all(b"z\n").await.unwrap();
    // Alice misses; while it is Bob's turn, her connection drops.
    screen
        .until("alice named the letter 'z': not in the word.")
        .await;
    read_until(&mut bob_lines, "/turn").await;
    proxy.cut();
    read_until(
        &mut bob_lines,
        "alice lost the connection; the seat is kept for 120 s.",
    )
    .await;
    screen.until("reconnecting to take your seat back…").await;
    // The client comes back by itself and sees the game as it stands.
    read_until(&mut bob_lines, "alice is back.").await;
    let snapshot = screen.until("Letters tried: z.").await;
    assert!(snapshot.contains("Players: alice 0, bob 0."), "{snapshot}");
    bob_writer.write_all(b"/letter p\n").await.unwrap();
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();
    screen.until("Results: alice 0, bob 10.").await;
    screen.until("The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_terminal_client_plays_on_after_the_server_restarts() {
    let (dir, mut options) = with_database("restart");
    let server = start(options.clone()).await;
    let mut client = client_process(&server.game, "alice");
    let mut keyboard = client.stdin.take().unwrap();
    let mut screen = Screen::new(client.stdout.take().unwrap());
    screen.until("Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    screen.until(PROMPT).await;
    keyboard.write_all(b"z\n").await.unwrap();
    let token_line = read_until(&mut bob_lines, "to keep your seat.").await;
    let token = token_line
        .split_whitespace()
        .find(|w| w.len() == 32)
        .expect("bob's token")
        .to_owned();
    screen
        .until("alice named the letter 'z': not in the word.")
        .await;
    read_until(&mut bob_lines, "/turn").await;

    // The server restarts on the same addresses and database.
    let addresses = server.addresses();
    server.shutdown().await;
    screen
        .until("(wordguess-client and the browser app do this by themselves).")
        .await;
    options.listen_on = Some(addresses);
    let server = start(options).await;
    // The client comes back by itself; bob resumes by hand.
    screen.until("Letters tried: z.").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer
        .write_all(format!("/resume {token}\n").as_bytes())
        .await
        .unwrap();
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();
    screen.until("Results: alice 0, bob 10.").await;
    screen.until("The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_terminal_client_waiting_for_a_move_notices_a_crash_and_plays_on() {
    let (dir, mut options) = with_database("crash");
    let server = start_crashable(options.clone());
    let mut client = client_process(&server.server.game, "alice");
    let mut keyboard = client.stdin.take().unwrap();
    let mut screen = Screen::new(client.stdout.take().unwrap());
    screen.until("Hello, alice!").await;
    let bob = TcpStream::connect(server.server.game).await.unwrap();
    let (_bob_reader, mut bob_writer) = bob.into_split();
    bob_writer.write_all(b"bob\n").await.unwrap();
    // Alice hits, so the turn is hers again; the client waits at its prompt
    // with nothing typed when the server dies.
    screen.until(PROMPT).await;
    keyboard.write_all(b"p\n").await.unwrap();
    screen
        .until("alice named the letter 'p': 2 in the word, +2 points (total 2).")
        .await;
    screen.until("It is alice's turn (120 s).").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addresses = server.server.addresses();
    server.crash();
    screen.until("reconnecting to take your seat back…").await;
    options.listen_on = Some(addresses);
    let server = start(options).await;
    // Back in its seat, the client has the turn again and plays it.
    screen.until("Letters tried: p.").await;
    screen.until(PROMPT).await;
    keyboard.write_all(b"apple\n").await.unwrap();
    screen.until("Game over! The word was 'apple'.").await;
    screen.until("The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_terminal_client_reports_a_server_that_goes_away() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = client_process(&server.game, "alice");
    // Once it has joined, stop the server: it says goodbye and sends /quit.
    let mut screen = Screen::new(client.stdout.take().unwrap());
    screen.until("Hello, alice!").await;
    server.shutdown().await;
    screen.until("The server is shutting down. Goodbye!").await;
    screen.until("The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
}

#[tokio::test]
async fn the_terminal_client_at_its_prompt_exits_when_the_server_ends_the_game() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = client_process(&server.game, "alice");
    // The keyboard stays open with nothing typed: alice is at her prompt.
    let _keyboard = client.stdin.take().unwrap();
    let mut screen = Screen::new(client.stdout.take().unwrap());
    screen.until("Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (_bob_reader, mut bob_writer) = bob.into_split();
    bob_writer.write_all(b"bob\n").await.unwrap();
    screen.until("It is alice's turn (120 s).").await;
    server.shutdown().await;
    screen.until("The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
}

#[tokio::test]
async fn the_terminal_client_rejects_malformed_server_data() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let fake_server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        stream
            .write_all(b"hello\n\xff\xfe garbage\n")
            .await
            .unwrap();
        tokio::time::sleep(PATIENCE).await;
    });
    let output = Command::new(env!("CARGO_BIN_EXE_wordguess-client"))
        .arg(addr.to_string())
        .args(["--name", "alice"])
        .stdin(Stdio::null())
        .output();
    let output = tokio::time::timeout(PATIENCE, output)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hello\n");
    assert!(String::from_utf8_lossy(&output.stderr).contains("the server sent malformed data"));
    fake_server.abort();
}

#[tokio::test]
async fn the_palindrome_client_reads_lines_until_an_empty_one() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = Command::new(env!("CARGO_BIN_EXE_palindrome-client"))
        .arg(server.palindrome.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut keyboard = client.stdin.take().unwrap();
    keyboard
        .write_all("А роза упала на лапу Азора\nhello\n\nabba\n".as_bytes())
        .await
        .unwrap();
    let output = tokio::time::timeout(PATIENCE, client.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "\"А роза упала на лапу Азора\" is a palindrome\n\"hello\" is not a palindrome\n"
    );
    server.shutdown().await;
}
