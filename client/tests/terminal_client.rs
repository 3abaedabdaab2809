//! The terminal clients, run as real processes with piped stdin against a
//! real server on loopback.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;
use wordguess_backend::testkit::{start, start_crashable, TestOptions};

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
            .expect("server answers")
            .expect("read")
            .unwrap_or_else(|| panic!("EOF before {wanted:?}"));
        seen.push_str(&line);
        seen.push('\n');
        if line.ends_with(wanted) {
            return seen;
        }
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
    // A refused name is asked for again; then the moves, one per /turn.
    let mut keyboard = client.stdin.take().unwrap();
    keyboard
        .write_all("alice\np\nnot a word!\nz\n".as_bytes())
        .await
        .unwrap();

    // Bob joins once the client's screen shows alice is in, so she moves first.
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    let joining = read_until(&mut screen, "Hello, alice!").await;
    assert!(
        joining.contains(
            "Error: unknown command '/bad'; now you can send your name, /new, /join CODE, /watch CODE, /resume TOKEN or /help\nChoose another name: Hello, alice!"
        ),
        "{joining}"
    );
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    read_until(
        &mut bob_lines,
        "alice named the letter 'z': not in the word.",
    )
    .await;
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();

    let mut rest = String::new();
    let mut stdout = screen.into_inner();
    tokio::time::timeout(
        PATIENCE,
        tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut rest),
    )
    .await
    .expect("the client exits after /quit")
    .unwrap();
    let status = client.wait().await.unwrap();
    let screen = rest;
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
        screen.contains("is not a word"),
        "bad input is explained locally: {screen}"
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
    keyboard.write_all(b"z\n").await.unwrap();
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    read_until(&mut screen, "Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    // Alice misses; while it is Bob's turn, her connection drops.
    read_until(&mut screen, "alice named the letter 'z': not in the word.").await;
    read_until(&mut bob_lines, "/turn").await;
    proxy.cut();
    read_until(
        &mut bob_lines,
        "alice lost the connection; the seat is kept for 120 s.",
    )
    .await;
    read_until(&mut screen, "reconnecting to take your seat back…").await;
    // The client comes back by itself and sees the game as it stands.
    read_until(&mut bob_lines, "alice is back.").await;
    let snapshot = read_until(&mut screen, "Letters tried: z.").await;
    assert!(snapshot.contains("Players: alice 0, bob 0."), "{snapshot}");
    bob_writer.write_all(b"/letter p\n").await.unwrap();
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();
    read_until(&mut screen, "Results: alice 0, bob 10.").await;
    read_until(&mut screen, "The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_terminal_client_plays_on_after_the_server_restarts() {
    let (dir, mut options) = with_database("restart");
    let server = start(options.clone()).await;
    let mut client = client_process(&server.game, "alice");
    let mut keyboard = client.stdin.take().unwrap();
    keyboard.write_all(b"z\n").await.unwrap();
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    read_until(&mut screen, "Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer.write_all(b"bob\n").await.unwrap();
    let token_line = read_until(&mut bob_lines, "to keep your seat.").await;
    let token = token_line
        .split_whitespace()
        .find(|w| w.len() == 32)
        .expect("bob's token")
        .to_owned();
    read_until(&mut screen, "alice named the letter 'z': not in the word.").await;
    read_until(&mut bob_lines, "/turn").await;

    // The server restarts on the same addresses and database.
    let addresses = server.addresses();
    server.shutdown().await;
    read_until(
        &mut screen,
        "(wordguess-client and the browser app do this by themselves).",
    )
    .await;
    options.listen_on = Some(addresses);
    let server = start(options).await;
    // The client comes back by itself; bob resumes by hand.
    read_until(&mut screen, "Letters tried: z.").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (bob_reader, mut bob_writer) = bob.into_split();
    let mut bob_lines = BufReader::new(bob_reader).lines();
    bob_writer
        .write_all(format!("/resume {token}\n").as_bytes())
        .await
        .unwrap();
    read_until(&mut bob_lines, "/turn").await;
    bob_writer.write_all(b"/word apple\n").await.unwrap();
    read_until(&mut screen, "Results: alice 0, bob 10.").await;
    read_until(&mut screen, "The game is over. Bye!").await;
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
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    read_until(&mut screen, "Hello, alice!").await;
    let bob = TcpStream::connect(server.server.game).await.unwrap();
    let (_bob_reader, mut bob_writer) = bob.into_split();
    bob_writer.write_all(b"bob\n").await.unwrap();
    // Alice hits, so the turn is hers again; the client waits at its prompt
    // with nothing typed when the server dies.
    keyboard.write_all(b"p\n").await.unwrap();
    read_until(
        &mut screen,
        "alice named the letter 'p': 2 in the word, +2 points (total 2).",
    )
    .await;
    read_until(&mut screen, "It is alice's turn (120 s).").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let addresses = server.server.addresses();
    server.crash();
    read_until(&mut screen, "reconnecting to take your seat back…").await;
    options.listen_on = Some(addresses);
    let server = start(options).await;
    // Back in its seat, the client has the turn again and plays it.
    read_until(&mut screen, "Letters tried: p.").await;
    keyboard.write_all(b"apple\n").await.unwrap();
    read_until(&mut screen, "Game over! The word was 'apple'.").await;
    read_until(&mut screen, "The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_terminal_client_reports_a_server_that_goes_away() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = client_process(&server.game, "alice");
    // Once it has joined, stop the server: it says goodbye and sends /quit.
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    read_until(&mut screen, "Hello, alice!").await;
    server.shutdown().await;
    read_until(&mut screen, "The server is shutting down. Goodbye!").await;
    read_until(&mut screen, "The game is over. Bye!").await;
    exits_cleanly(&mut client).await;
}

#[tokio::test]
async fn the_terminal_client_at_its_prompt_exits_when_the_server_ends_the_game() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = client_process(&server.game, "alice");
    // The keyboard stays open with nothing typed: alice is at her prompt.
    let _keyboard = client.stdin.take().unwrap();
    let mut screen = BufReader::new(client.stdout.take().unwrap()).lines();
    read_until(&mut screen, "Hello, alice!").await;
    let bob = TcpStream::connect(server.game).await.unwrap();
    let (_bob_reader, mut bob_writer) = bob.into_split();
    bob_writer.write_all(b"bob\n").await.unwrap();
    read_until(&mut screen, "It is alice's turn (120 s).").await;
    server.shutdown().await;
    read_until(&mut screen, "The game is over. Bye!").await;
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
