//! `wordguess-bench`: a load generator for the TCP game door.
//!
//! Connects `games × players` bots, which the server groups into games of
//! `players`; every bot names letters on `/turn` until its game ends. It
//! measures, for every move, the time from sending it to the mover reading
//! the line that announces the next turn (sent in the same batch as the
//! next `/turn`), and prints throughput and latency percentiles.
//!
//! Without `--server` it starts a server in this process (sharing its CPU).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wordguess_backend::testkit::{start, TestOptions};

/// Plays many games at once and reports moves/s and move latency.
#[derive(Debug, Parser)]
struct Cli {
    /// A running server's TCP game address (default: start one in-process,
    /// with games of `--players` players).
    #[arg(long)]
    server: Option<SocketAddr>,
    /// Games to play in parallel.
    #[arg(long, default_value_t = 200)]
    games: usize,
    /// Players per game (must match the server's --players).
    #[arg(long, default_value_t = 2)]
    players: usize,
    /// Instead of playing: open this many WebSocket connections to the
    /// server's `--http` address (`--http` is required); each sends its name
    /// (so the server has read from it) and then idles, held open so the
    /// server's memory can be read (e.g. from /proc/PID/status).
    #[arg(long, value_name = "N")]
    idle_websockets: Option<usize>,
    /// The server's HTTP address, for `--idle-websockets`.
    #[arg(long)]
    http: Option<SocketAddr>,
    /// How long `--idle-websockets` holds the sockets, in seconds.
    #[arg(long, default_value_t = 10)]
    hold: u64,
}

/// Opens `count` idle WebSocket connections and holds them.
async fn hold_idle_websockets(
    http: SocketAddr,
    count: usize,
    hold: Duration,
) -> anyhow::Result<()> {
    let mut sockets = Vec::with_capacity(count);
    for index in 0..count {
        use futures_util::SinkExt;
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{http}/ws")).await?;
        socket
            .send(tokio_tungstenite::tungstenite::Message::text(format!(
                "idle{index}"
            )))
            .await?;
        sockets.push(socket);
    }
    println!(
        "holding {} idle WebSocket connections for {hold:?}",
        sockets.len()
    );
    tokio::time::sleep(hold).await;
    Ok(())
}

const WORDS: &str =
    "apple\nbanana\ncherry\nmountain\nriver\nwindow\nkitchen\nbutterfly\nlantern\nvolcano\n";
const LETTERS: &[u8] = b"etaoinshrdlucmfwypvbgkjqxz";

/// One bot: joins, plays letters on /turn, returns its move latencies.
async fn bot(server: SocketAddr, index: usize) -> anyhow::Result<Vec<Duration>> {
    let stream = TcpStream::connect(server).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    writer.write_all(format!("bot{index}\n").as_bytes()).await?;
    let mut letters = LETTERS.iter().cycle().skip(index % LETTERS.len());
    let mut sent_at: Option<Instant> = None;
    let mut latencies = Vec::new();
    while let Some(line) = lines.next_line().await? {
        if line == "/turn" {
            let letter = *letters.next().unwrap_or(&b'e') as char;
            sent_at = Some(Instant::now());
            writer
                .write_all(format!("/letter {letter}\n").as_bytes())
                .await?;
        } else if line.starts_with("It is ") || line.starts_with("Game over") {
            if let Some(sent) = sent_at.take() {
                latencies.push(sent.elapsed());
            }
        } else if line == "/quit" {
            break;
        }
    }
    Ok(latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(count) = cli.idle_websockets {
        let http = cli
            .http
            .ok_or_else(|| anyhow::anyhow!("--idle-websockets needs --http ADDR"))?;
        return hold_idle_websockets(http, count, Duration::from_secs(cli.hold)).await;
    }
    let local = match cli.server {
        Some(_) => None,
        None => {
            let mut options = TestOptions::new(WORDS, cli.players);
            options.limits.max_connections = cli.games * cli.players + 100;
            Some(start(options).await)
        }
    };
    let server = cli
        .server
        .or(local.as_ref().map(|s| s.game))
        .expect("a server");
    let bots = cli.games * cli.players;
    let began = Instant::now();
    let tasks: Vec<_> = (0..bots).map(|i| tokio::spawn(bot(server, i))).collect();
    let mut latencies = Vec::new();
    let mut failed = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(mut moves)) => latencies.append(&mut moves),
            _ => failed += 1,
        }
    }
    let elapsed = began.elapsed();
    latencies.sort();
    println!(
        "games in parallel: {} ({} bots, {} failed)",
        cli.games, bots, failed
    );
    println!(
        "moves: {} in {:.2?} = {:.0} moves/s",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "move -> next turn: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    if let Some(server) = local {
        server.shutdown().await;
    }
    Ok(())
}
