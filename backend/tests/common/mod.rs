//! Scripted players for the socket tests: [`Player`] over TCP, the
//! WebSocket helpers in [`ws`], and [`Client`], one player behind any of the
//! three doors (TCP, WebSocket text, WebSocket JSON) that reads the same
//! lines from each, so one test body checks every door.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// How long a test waits for an expected line before failing (a guard so a
/// broken server fails the test instead of hanging it, not a timing assert).
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A player speaking the line protocol over a real socket.
pub struct Player {
    pub name: String,
    lines: tokio::io::Lines<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
    /// Every line received so far.
    pub seen: Vec<String>,
}

impl Player {
    /// Connects without sending anything.
    pub async fn connect_raw(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (reader, writer) = stream.into_split();
        Self {
            name: String::new(),
            lines: BufReader::new(reader).lines(),
            writer,
            seen: Vec::new(),
        }
    }

    /// Connects and sends `name` as the first line.
    pub async fn join(addr: SocketAddr, name: &str) -> Self {
        let mut player = Self::connect_raw(addr).await;
        player.name = name.to_owned();
        player.send(name).await;
        player.expect(&format!("Hello, {name}!")).await;
        player
    }

    pub async fn send(&mut self, line: &str) {
        self.send_bytes(format!("{line}\n").as_bytes()).await;
    }

    pub async fn send_bytes(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("send");
    }

    /// The next line, or `None` at EOF.
    pub async fn next_line(&mut self) -> Option<String> {
        let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{}: no line within {PATIENCE:?}; seen {:#?}",
                    self.name, self.seen
                )
            })
            .ok()
            .flatten();
        if let Some(line) = &line {
            self.seen.push(line.clone());
        }
        line
    }

    /// Waits for `/turn` and makes a move.
    pub async fn on_turn(&mut self, command: &str) {
        self.expect("/turn").await;
        self.send(command).await;
    }
}

/// Reading a player's lines: each kind of player gives `next_line`; the
/// waiting and checking is written once, here.
#[allow(async_fn_in_trait)]
pub trait LineReader {
    /// The next line, or `None` once the connection is closed.
    async fn next_line(&mut self) -> Option<String>;

    /// Who this is and what it has read, for failure messages.
    fn describe(&self) -> String;

    /// Reads until a line equal to `wanted`; returns the lines before it.
    async fn expect(&mut self, wanted: &str) -> Vec<String> {
        let mut before = Vec::new();
        loop {
            match self.next_line().await {
                Some(line) if line == wanted => return before,
                Some(line) => before.push(line),
                None => panic!("{}: closed before {wanted:?}", self.describe()),
            }
        }
    }

    /// Reads until a line starting with `prefix`; returns that line.
    async fn expect_prefix(&mut self, prefix: &str) -> String {
        loop {
            match self.next_line().await {
                Some(line) if line.starts_with(prefix) => return line,
                Some(_) => {}
                None => panic!("{}: closed before {prefix:?}", self.describe()),
            }
        }
    }

    /// Reads to the end of the connection; returns the lines.
    async fn until_closed(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Some(line) = self.next_line().await {
            rest.push(line);
        }
        rest
    }
}

impl LineReader for Player {
    async fn next_line(&mut self) -> Option<String> {
        Player::next_line(self).await
    }

    fn describe(&self) -> String {
        format!("{}; seen {:#?}", self.name, self.seen)
    }
}

impl LineReader for Client {
    async fn next_line(&mut self) -> Option<String> {
        Client::next_line(self).await
    }

    fn describe(&self) -> String {
        format!("{}; seen {:#?}", self.label, self.seen)
    }
}

/// WebSocket helpers: connect (plain or JSON), read frames, send lines.
pub mod ws {
    use std::net::SocketAddr;

    use futures_util::{SinkExt, StreamExt};
    use tokio::net::TcpStream;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
    use wordguess_protocol::{ServerEvent, JSON_SUBPROTOCOL};

    use super::PATIENCE;

    pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

    pub async fn connect(http: SocketAddr, json: bool) -> Socket {
        let mut request = format!("ws://{http}/ws").into_client_request().unwrap();
        if json {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", JSON_SUBPROTOCOL.parse().unwrap());
        }
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgrade");
        let protocol = response.headers().get("Sec-WebSocket-Protocol");
        assert_eq!(
            protocol.is_some(),
            json,
            "the subprotocol is granted only when asked for"
        );
        socket
    }

    /// The next text frame, `None` once the socket closes.
    pub async fn next_text(socket: &mut Socket) -> Option<String> {
        loop {
            let message = tokio::time::timeout(PATIENCE, socket.next())
                .await
                .expect("a frame in time");
            match message {
                Some(Ok(Message::Text(text))) => return Some(text.to_string()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    pub async fn text_until(socket: &mut Socket, wanted: &str) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(line) = next_text(socket).await {
            seen.push(line.clone());
            if line == wanted {
                return seen;
            }
        }
        panic!("closed before {wanted:?}; seen {seen:#?}");
    }

    pub async fn event_until(
        socket: &mut Socket,
        wanted: impl Fn(&ServerEvent) -> bool,
    ) -> ServerEvent {
        while let Some(json) = next_text(socket).await {
            let event = ServerEvent::from_json(&json).expect("every frame is one JSON event");
            if wanted(&event) {
                return event;
            }
        }
        panic!("closed before the wanted event");
    }

    pub async fn send(socket: &mut Socket, line: &str) {
        socket.send(Message::text(line)).await.expect("send");
    }
}

/// The three doors into the game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Raw TCP lines (`nc`).
    Tcp,
    /// WebSocket, one text line per frame (`websocat`).
    WsText,
    /// WebSocket with the JSON subprotocol (the browser app).
    WsJson,
}

impl Door {
    /// Every door, for tests that must hold on each.
    pub const ALL: [Door; 3] = [Door::Tcp, Door::WsText, Door::WsJson];
}

enum Wire {
    Tcp(Player),
    Ws(ws::Socket),
}

/// One player behind any door. JSON events are decoded (every frame must be
/// one valid event) and rendered to the text lines a TCP player reads, so
/// tests compare what each door's user sees; the typed events are kept too.
pub struct Client {
    /// The door used.
    pub door: Door,
    /// For messages.
    pub label: String,
    wire: Wire,
    /// Lines decoded but not yet read.
    pending: std::collections::VecDeque<String>,
    /// Every line read so far.
    pub seen: Vec<String>,
    /// Every JSON event received (JSON door only).
    pub events: Vec<wordguess_protocol::ServerEvent>,
}

impl Client {
    /// Connects through `door` (`game` is the TCP door, `http` the web server).
    pub async fn connect(door: Door, game: SocketAddr, http: SocketAddr, label: &str) -> Self {
        let wire = match door {
            Door::Tcp => Wire::Tcp(Player::connect_raw(game).await),
            Door::WsText => Wire::Ws(ws::connect(http, false).await),
            Door::WsJson => Wire::Ws(ws::connect(http, true).await),
        };
        Self {
            door,
            label: format!("{label} ({door:?})"),
            wire,
            pending: Default::default(),
            seen: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Sends one line.
    pub async fn send(&mut self, line: &str) {
        match &mut self.wire {
            Wire::Tcp(player) => player.send(line).await,
            Wire::Ws(socket) => ws::send(socket, line).await,
        }
    }

    /// The next line, or `None` once the connection is closed.
    pub async fn next_line(&mut self) -> Option<String> {
        while self.pending.is_empty() {
            match &mut self.wire {
                Wire::Tcp(player) => {
                    let line = player.next_line().await?;
                    self.pending.push_back(line);
                }
                Wire::Ws(socket) => {
                    let frame = ws::next_text(socket).await?;
                    if self.door == Door::WsJson {
                        let event = wordguess_protocol::ServerEvent::from_json(&frame)
                            .unwrap_or_else(|e| {
                                panic!("{}: not an event: {frame} ({e})", self.label)
                            });
                        self.pending
                            .extend(event.to_text().lines().map(str::to_owned));
                        self.events.push(event);
                    } else {
                        self.pending.push_back(frame);
                    }
                }
            }
        }
        let line = self.pending.pop_front()?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Sends many lines at once: one write on TCP, frames flushed together
    /// on WebSocket (a client that pipelines).
    pub async fn send_many(&mut self, lines: &[String]) {
        match &mut self.wire {
            Wire::Tcp(player) => {
                let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
                player.send_bytes(text.as_bytes()).await;
            }
            Wire::Ws(socket) => {
                use futures_util::SinkExt;
                for line in lines {
                    socket
                        .feed(tokio_tungstenite::tungstenite::Message::text(line.as_str()))
                        .await
                        .expect("feed");
                }
                socket.flush().await.expect("flush");
            }
        }
    }

    /// Enters with `lines` (e.g. `/join CODE`, then the name) and waits for
    /// the greeting.
    pub async fn enter(&mut self, lines: &[&str], name: &str) {
        for line in lines {
            self.send(line).await;
        }
        self.send(name).await;
        self.expect(&format!("Hello, {name}!")).await;
    }

    /// The room code from the `/room CODE` line.
    pub async fn room_code(&mut self) -> String {
        let line = self.expect_prefix("/room ").await;
        line["/room ".len()..].to_owned()
    }

    /// The resume token from the `/token TOKEN` line.
    pub async fn token(&mut self) -> String {
        let line = self.expect_prefix("/token ").await;
        line["/token ".len()..].to_owned()
    }

    /// Whether `/turn` was ever received.
    pub fn got_turn(&self) -> bool {
        self.seen.iter().any(|l| l == "/turn")
    }
}

/// A client of the in-process `server` through `door`.
pub async fn client(
    server: &wordguess_backend::testkit::RunningServer,
    door: Door,
    label: &str,
) -> Client {
    Client::connect(door, server.game, server.http, label).await
}

/// Another door than `door`, so rooms mix doors.
pub fn other(door: Door) -> Door {
    match door {
        Door::Tcp => Door::WsJson,
        Door::WsText => Door::Tcp,
        Door::WsJson => Door::WsText,
    }
}

/// `/top` answers with the lines `top`, first to last, and `/history CODE`
/// with the room's last game, whose line ends with `game`.
pub async fn expect_records(reader: &mut Client, code: &str, top: &[&str], game: &str) {
    reader.send("/top").await;
    reader.expect(top[0]).await;
    for line in &top[1..] {
        assert_eq!(reader.next_line().await.as_deref(), Some(*line));
    }
    reader.send(&format!("/history {code}")).await;
    reader
        .expect(&format!("Last games in room {code}, newest first:"))
        .await;
    let last = reader.next_line().await.expect("the game");
    assert!(last.ends_with(game), "{}: {last}", reader.label);
}

/// A hand-rolled WebSocket client that can break the protocol on purpose
/// (invalid UTF-8 in a text frame, reserved bits, huge frames) and read the
/// server's close code.
pub mod raw_ws {
    use std::net::SocketAddr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::PATIENCE;

    /// Text frame.
    pub const TEXT: u8 = 0x1;
    /// Close frame.
    pub const CLOSE: u8 = 0x8;

    /// A raw WebSocket connection after the handshake.
    pub struct RawWs {
        stream: TcpStream,
    }

    /// Sends the upgrade request with `extra_headers` (each ending in
    /// `\r\n`); returns the response's status line and, on 101, the socket.
    pub async fn connect(http: SocketAddr, extra_headers: &str) -> (String, Option<RawWs>) {
        let mut stream = TcpStream::connect(http).await.expect("connect");
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {http}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             {extra_headers}\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            let read = tokio::time::timeout(PATIENCE, stream.read(&mut byte))
                .await
                .expect("a response in time")
                .expect("read");
            if read == 0 {
                break;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_string();
        let status = head.lines().next().unwrap_or_default().to_owned();
        let upgraded = status.contains(" 101 ");
        (status, upgraded.then_some(RawWs { stream }))
    }

    impl RawWs {
        /// Sends one masked frame; `rsv` sets the reserved bits (1..=7).
        pub async fn send_frame(&mut self, opcode: u8, payload: &[u8], rsv: u8) {
            let mut frame = vec![0x80 | (rsv << 4) | opcode];
            match payload.len() {
                len @ 0..=125 => frame.push(0x80 | len as u8),
                len @ 126..=0xFFFF => {
                    frame.push(0x80 | 126);
                    frame.extend_from_slice(&(len as u16).to_be_bytes());
                }
                len => {
                    frame.push(0x80 | 127);
                    frame.extend_from_slice(&(len as u64).to_be_bytes());
                }
            }
            let mask = [0x12, 0x34, 0x56, 0x78];
            frame.extend_from_slice(&mask);
            frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
            // The server may close before reading it all; that is its answer.
            let _ = self.stream.write_all(&frame).await;
        }

        /// The next frame (opcode, payload), or `None` when the socket ends.
        pub async fn next_frame(&mut self) -> Option<(u8, Vec<u8>)> {
            let mut head = [0u8; 2];
            tokio::time::timeout(PATIENCE, self.stream.read_exact(&mut head))
                .await
                .expect("a frame in time")
                .ok()?;
            let len = match head[1] & 0x7F {
                126 => {
                    let mut ext = [0u8; 2];
                    self.stream.read_exact(&mut ext).await.ok()?;
                    u64::from(u16::from_be_bytes(ext))
                }
                127 => {
                    let mut ext = [0u8; 8];
                    self.stream.read_exact(&mut ext).await.ok()?;
                    u64::from_be_bytes(ext)
                }
                len => u64::from(len),
            };
            let mut payload = vec![0u8; usize::try_from(len).ok()?];
            self.stream.read_exact(&mut payload).await.ok()?;
            Some((head[0] & 0x0F, payload))
        }

        /// Reads text frames until the close frame; returns the texts and
        /// the close code (`None` if the socket ended without one).
        pub async fn until_close(&mut self) -> (Vec<String>, Option<u16>) {
            let mut texts = Vec::new();
            while let Some((opcode, payload)) = self.next_frame().await {
                match opcode {
                    TEXT => texts.push(String::from_utf8_lossy(&payload).to_string()),
                    CLOSE => {
                        let code = (payload.len() >= 2)
                            .then(|| u16::from_be_bytes([payload[0], payload[1]]));
                        return (texts, code);
                    }
                    _ => {}
                }
            }
            (texts, None)
        }
    }
}

/// `GET path` on the web server: the status code and the body.
pub async fn http_get(http: SocketAddr, path: &str) -> (u16, String) {
    let response = wordguess_backend::testkit::http_request(http, path, &[]).await;
    (
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    )
}

/// A fresh, empty directory for one test's files (a database), removed
/// when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// A new directory named after `test`.
    pub fn new(test: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wordguess-{test}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary directory");
        Self(path)
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A real `wordguess-server` process on free loopback ports, killed without
/// warning when dropped. Its log (stderr, a pipe: plain text) is read line
/// by line.
pub struct ServerProcess {
    process: std::process::Child,
    /// The TCP game door.
    pub game: SocketAddr,
    /// The web server.
    pub http: SocketAddr,
    /// The line that says the server is ready.
    pub ready: String,
    /// The log lines up to it.
    pub startup: Vec<String>,
    /// The server's log lines after the "ready" line.
    pub log: std::sync::mpsc::Receiver<String>,
}

/// The `wordguess-server` command on free loopback ports with `args`, its
/// log (info and up) on a piped stderr, as a log file would get it.
pub fn server_command<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Command {
    with_server_args(
        std::process::Command::new(env!("CARGO_BIN_EXE_wordguess-server")),
        args,
    )
}

/// [`server_command`], run by `sh` under an open-file limit of `soft`
/// (raisable up to `hard`), as `ulimit` sets it before a service starts.
pub fn server_command_with_open_files<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    soft: u64,
    hard: u64,
) -> std::process::Command {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -Sn {soft} && ulimit -Hn {hard} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_wordguess-server"));
    with_server_args(command, args)
}

/// `command` with the server's arguments: free loopback ports, then `args`.
fn with_server_args<S: AsRef<std::ffi::OsStr>>(
    mut command: std::process::Command,
    args: &[S],
) -> std::process::Command {
    command
        .args(["--tcp", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .args(["--palindrome", "127.0.0.1:0", "--web-root", "no-app"])
        .args(args)
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    command
}

impl ServerProcess {
    /// Starts the server with `args` after the loopback addresses.
    pub fn start(args: &[std::ffi::OsString]) -> Self {
        Self::spawn(server_command(args))
    }

    /// Starts the server as `command` runs it ([`server_command`] and the
    /// like).
    pub fn spawn(mut command: std::process::Command) -> Self {
        use std::io::BufRead;
        let mut process = command.spawn().expect("the server starts");
        let stderr = process.stderr.take().expect("stderr");
        let (lines, log) = std::sync::mpsc::channel();
        // Drains the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines.send(line);
            }
        });
        let mut startup = Vec::new();
        let ready = std::iter::repeat_with(|| log.recv_timeout(PATIENCE))
            .map(|line| line.expect("the server says where it listens"))
            .find(|line| {
                startup.push(line.clone());
                line.contains("wordguess is ready")
            })
            .expect("ready");
        let address = |name: &str| -> SocketAddr {
            let start = ready.find(&format!("{name}=")).expect("field") + name.len() + 1;
            let rest = &ready[start..];
            rest[..rest.find(' ').unwrap_or(rest.len())]
                .parse()
                .expect("an address")
        };
        Self {
            game: address("tcp"),
            http: address("http"),
            ready,
            startup,
            process,
            log,
        }
    }

    /// A client through `door`.
    pub async fn client(&self, door: Door, label: &str) -> Client {
        Client::connect(door, self.game, self.http, label).await
    }

    /// The next log line containing `text`.
    pub fn log_line(&self, text: &str) -> String {
        std::iter::repeat_with(|| self.log.recv_timeout(PATIENCE))
            .map(|line| line.unwrap_or_else(|_| panic!("no log line with {text:?}")))
            .find(|line| line.contains(text))
            .expect("a line")
    }

    /// `SIGTERM`, as a service manager stops it; waits until it has exited
    /// and checks it exited cleanly.
    pub fn terminate(mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.process.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success(), "kill -TERM failed");
        let deadline = std::time::Instant::now() + PATIENCE;
        let exit = loop {
            if let Some(exit) = self.process.try_wait().expect("wait") {
                break exit;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not exit after SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(
            exit.success(),
            "the server exits cleanly on SIGTERM: {exit}"
        );
    }

    /// Sends the process `signal` (`STOP`, `CONT`, ...).
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.process.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// `SIGKILL`: no goodbye, nothing flushed.
    pub fn kill(mut self) {
        self.process.kill().expect("kill");
        self.process.wait().expect("reap");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[allow(unused_imports)]
pub use wordguess_backend::testkit::RedisServer;
