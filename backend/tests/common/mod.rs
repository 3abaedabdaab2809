//! A scripted TCP player for the socket tests.

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

    /// Reads until a line equal to `wanted`; returns the lines read before it.
    pub async fn expect(&mut self, wanted: &str) -> Vec<String> {
        let mut before = Vec::new();
        loop {
            match self.next_line().await {
                Some(line) if line == wanted => return before,
                Some(line) => before.push(line),
                None => panic!(
                    "{}: EOF before {wanted:?}; seen {:#?}",
                    self.name, self.seen
                ),
            }
        }
    }

    /// Reads until a line starting with `prefix`; returns that line.
    pub async fn expect_prefix(&mut self, prefix: &str) -> String {
        loop {
            match self.next_line().await {
                Some(line) if line.starts_with(prefix) => return line,
                Some(_) => {}
                None => panic!(
                    "{}: EOF before {prefix:?}; seen {:#?}",
                    self.name, self.seen
                ),
            }
        }
    }

    /// Waits for `/turn` and makes a move.
    pub async fn on_turn(&mut self, command: &str) {
        self.expect("/turn").await;
        self.send(command).await;
    }

    /// Reads to EOF (the server closed the connection); returns the lines.
    pub async fn until_closed(&mut self) -> Vec<String> {
        let mut rest = Vec::new();
        while let Some(line) = self.next_line().await {
            rest.push(line);
        }
        rest
    }
}
