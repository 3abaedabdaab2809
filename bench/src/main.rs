//! `wordguess-bench`: a load generator for every game door.
//!
//! Connects `games × players` bots, which the server groups into games of
//! `players`; every bot names letters on `/turn` until its game ends. Bots
//! play over TCP, WebSocket text, WebSocket JSON, or a mix of the three in
//! the same rings; one run measures every mix, first one game at a time and
//! then many in parallel, so a door that stalls (Nagle on WebSocket) shows
//! beside the others. It measures, for every move, the time from sending it
//! to the mover reading the announcement of the next turn (sent in the same
//! batch as the next `/turn`), and prints throughput and latency
//! percentiles.
//!
//! Without `--server` it starts a server in this process, on a runtime of
//! its own (its threads share the CPU with the bots but not their tasks),
//! by default two of them: one without a database and one with (a
//! temporary file), taking turns round by round (`--rounds`), so what
//! persistence costs shows in the same run (`--db` picks one).
//! `--think-ms` makes bots pause before each move like people do, to read
//! latency at human pace rather than under saturation.

mod computers;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use wordguess_backend::testkit::{start_on_own_runtime, RedisServer, TestOptions};
use wordguess_backend::ClusterConfig;
use wordguess_protocol::{ServerEvent, JSON_SUBPROTOCOL};

/// The server's allocator, so the in-process server allocates as the real
/// one does (glibc's malloc would make allocation-heavy paths look slower).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Plays many games at once and reports moves/s and move latency.
#[derive(Debug, Parser)]
struct Cli {
    /// A running server's TCP game address (with `--http`; default: start
    /// one in-process, with games of `--players` players). Repeat it for
    /// the nodes of a cluster (bots take them in turn; `--http` likewise).
    #[arg(long)]
    server: Vec<SocketAddr>,
    /// Which doors to measure (repeatable; default: all four mixes, in
    /// one run, so any door that stalls shows beside the others).
    #[arg(long, value_enum)]
    mix: Vec<Mix>,
    /// Games played one after another (latency without load) per mix.
    #[arg(long, default_value_t = 20)]
    sequential: usize,
    /// Games to play in parallel.
    #[arg(long, default_value_t = 200)]
    games: usize,

    /// Runs of `--games` in parallel per mix; their moves and time are
    /// summed, so the noise of short runs evens out.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Players per game (must match the server's --players).
    #[arg(long, default_value_t = 2)]
    players: usize,
    /// Instead of playing: open this many connections to a running server
    /// (`--server` and `--http`) through the door of the first `--mix`
    /// (default TCP); each names itself, waits until it is seated, and then
    /// idles, held open so the server's memory can be read (e.g. VmRSS in
    /// /proc/PID/status).
    #[arg(long, value_name = "N")]
    idle: Option<usize>,
    /// Instead of playing over the network: computer players against each
    /// other through the rules alone, this many games for each pairing of
    /// levels (hard vs normal, normal vs easy, hard vs easy); prints win
    /// rates, moves a game and the time one decision takes.
    #[arg(long, value_name = "N")]
    computer_games: Option<usize>,
    /// The server's HTTP address (WebSocket bots, `--idle`).
    #[arg(long)]
    http: Vec<SocketAddr>,
    /// Bots connect from this many loopback addresses (127.10.0.1 and up),
    /// as players come from many addresses; 0: the system's choice.
    #[arg(long, default_value_t = 0)]
    sources: usize,
    /// The first of those addresses to use (for several bench processes
    /// side by side, each with addresses of its own).
    #[arg(long, default_value_t = 0)]
    source_offset: usize,
    /// Spread the bots' arrivals over this many milliseconds (players do
    /// not all connect in the same instant); 0: all at once.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    ramp_ms: u64,
    /// How long `--idle` holds the connections, in seconds.
    #[arg(long, default_value_t = 10)]
    hold: u64,
    /// The server's process id (on this machine, with `--server`): `--idle`
    /// prints its resident memory per idle player, a game run its CPU time
    /// per move.
    #[arg(long, value_name = "PID")]
    server_pid: Option<u32>,
    /// The in-process server's database: off, on (a temporary file), or
    /// both (two servers, taking turns round by round).
    #[arg(long, value_enum, default_value = "both")]
    db: DbMode,
    /// Milliseconds each bot waits before each move (0: answer at once).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    think_ms: u64,
}

/// Which in-process servers to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DbMode {
    /// Everything in memory (`--db none`).
    Off,
    /// A database in a temporary file.
    On,
    /// Both, taking turns round by round.
    Both,
    /// One process with a database, and a cluster of three nodes on a
    /// Redis started here (`appendfsync always`; bots spread over the
    /// nodes), taking turns round by round.
    Cluster,
}

/// An in-process server (or cluster) the bots play on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One process, everything in memory.
    Memory,
    /// One process with a database.
    Database,
    /// Three nodes on Redis.
    Cluster,
}

/// Nodes of the in-process cluster.
const NODES: usize = 3;

/// One idle player's connection, only held open (never read again).
#[allow(dead_code)]
enum Idle {
    /// Over TCP.
    Tcp(TcpStream),
    /// Over WebSocket.
    Ws(Box<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>>),
}

/// Opens `count` connections through `door`, each seated under a name, and
/// holds them for `hold`.
async fn hold_idle(
    door: Door,
    game: SocketAddr,
    http: SocketAddr,
    count: usize,
    hold: Duration,
    server_pid: Option<u32>,
) -> anyhow::Result<()> {
    let rss_before = server_pid.map(resident_bytes).transpose()?;
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::AsyncReadExt;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
    let mut held = Vec::with_capacity(count);
    for index in 0..count {
        let name = format!("idle{index}");
        match door {
            Door::Tcp => {
                let mut stream = TcpStream::connect(game).await?;
                stream.write_all(format!("{name}\n").as_bytes()).await?;
                // Read until the greeting: the player is seated.
                let mut seen = Vec::new();
                let mut buffer = [0u8; 1024];
                while !String::from_utf8_lossy(&seen).contains("/token ") {
                    let read = stream.read(&mut buffer).await?;
                    anyhow::ensure!(read > 0, "the server closed an idle connection");
                    seen.extend_from_slice(&buffer[..read]);
                }
                held.push(Idle::Tcp(stream));
            }
            Door::WsText | Door::WsJson => {
                let mut request = format!("ws://{http}/ws").into_client_request()?;
                if door == Door::WsJson {
                    request
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", JSON_SUBPROTOCOL.parse()?);
                }
                let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
                socket.send(Message::text(name)).await?;
                while let Some(message) = socket.next().await {
                    if let Message::Text(text) = message? {
                        if text.contains("/token ") || text.contains("\"token\"") {
                            break;
                        }
                    }
                }
                held.push(Idle::Ws(Box::new(socket)));
            }
        }
    }
    println!("holding {} idle {door:?} players for {hold:?}", held.len());
    tokio::time::sleep(hold).await;
    if let (Some(pid), Some(before)) = (server_pid, rss_before) {
        let after = resident_bytes(pid)?;
        println!(
            "server RSS {} KiB -> {} KiB: {:.0} B per idle {door:?} player",
            before / 1024,
            after / 1024,
            after.saturating_sub(before) as f64 / count as f64
        );
    }
    Ok(())
}

/// A process's resident memory (`VmRSS` in `/proc/PID/status`), in bytes.
fn resident_bytes(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .ok_or_else(|| anyhow::anyhow!("no VmRSS in /proc/{pid}/status"))?;
    Ok(kib * 1024)
}

const WORDS: &str =
    "apple\nbanana\ncherry\nmountain\nriver\nwindow\nkitchen\nbutterfly\nlantern\nvolcano\n";
/// Letters bots name, most frequent first: English, then Ukrainian, so a
/// bot finishes any word of the built-in lists.
const LETTERS: &str = "etaoinshrdlucmfwypvbgkjqxzоаеинітрвслкдмпуяз\
бгчхйьжцшюєїщфґ";

/// The door a bot plays through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    /// Raw TCP lines.
    Tcp,
    /// WebSocket, text lines.
    WsText,
    /// WebSocket, JSON events.
    WsJson,
}

/// Which doors the bots of a run use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Mix {
    /// Every bot over TCP.
    Tcp,
    /// Every bot over WebSocket text frames.
    WsText,
    /// Every bot over WebSocket JSON.
    WsJson,
    /// Bots take TCP, WS text and WS JSON in turn, so rings mix doors.
    Mixed,
}

impl Mix {
    fn door(self, index: usize) -> Door {
        match self {
            Mix::Tcp => Door::Tcp,
            Mix::WsText => Door::WsText,
            Mix::WsJson => Door::WsJson,
            Mix::Mixed => [Door::Tcp, Door::WsText, Door::WsJson][index % 3],
        }
    }
}

/// What a bot makes of one server message.
enum Seen {
    /// `/turn`: move now.
    Turn,
    /// The next turn was announced (or the game ended): the move is done.
    Answered,
    /// `/quit`.
    Quit,
    /// Anything else.
    Other,
}

fn seen_line(line: &str) -> Seen {
    if line == "/turn" {
        Seen::Turn
    } else if line.starts_with("It is ") || line.starts_with("Game over") {
        Seen::Answered
    } else if line == "/quit" {
        Seen::Quit
    } else {
        Seen::Other
    }
}

fn seen_event(json: &str) -> Seen {
    match ServerEvent::from_json(json) {
        Ok(ServerEvent::YourTurn) => Seen::Turn,
        Ok(ServerEvent::TurnOf { .. } | ServerEvent::GameOver { .. }) => Seen::Answered,
        Ok(ServerEvent::Quit) => Seen::Quit,
        _ => Seen::Other,
    }
}

/// One bot's moves: names letters on `/turn` until the game ends, and
/// measures each move until the next turn is announced.
struct Moves {
    /// Letters to name, in turn.
    letters: std::iter::Skip<std::iter::Cycle<std::str::Chars<'static>>>,
    /// When the last move was sent, until it is answered.
    sent_at: Option<Instant>,
    /// Every answered move's latency.
    latencies: Vec<Duration>,
    /// When each move was answered.
    answered: Vec<Instant>,
    /// How long to wait before each move.
    think: Duration,
}

impl Moves {
    fn new(index: usize, think: Duration) -> Self {
        Self {
            letters: LETTERS.chars().cycle().skip(index % 26),
            sent_at: None,
            latencies: Vec::new(),
            answered: Vec::new(),
            think,
        }
    }

    /// The move to send, if any; `None` once the game is over.
    async fn on(&mut self, seen: Seen) -> Option<Option<String>> {
        match seen {
            Seen::Turn => {
                if !self.think.is_zero() {
                    tokio::time::sleep(self.think).await;
                }
                let letter = self.letters.next().unwrap_or('e');
                self.sent_at = Some(Instant::now());
                Some(Some(format!("/letter {letter}")))
            }
            Seen::Answered => {
                if let Some(sent) = self.sent_at.take() {
                    let now = Instant::now();
                    self.latencies.push(now - sent);
                    self.answered.push(now);
                }
                Some(None)
            }
            Seen::Quit => None,
            Seen::Other => Some(None),
        }
    }
}

/// One bot: joins through `door`, plays until `/quit`, returns its move
/// latencies.
async fn bot(
    door: Door,
    game: SocketAddr,
    http: SocketAddr,
    source: Option<std::net::IpAddr>,
    index: usize,
    think: Duration,
) -> anyhow::Result<(Vec<Duration>, Vec<Instant>)> {
    let mut moves = Moves::new(index, think);
    // Unique across bench processes side by side (their bots may meet).
    let name = format!("bot{}-{index}", std::process::id());
    match door {
        Door::Tcp => {
            let stream = connect_from(game, source).await.map_err(|error| {
                anyhow::anyhow!("connecting to {game} from {source:?}: {error}")
            })?;
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            writer.write_all(format!("{name}\n").as_bytes()).await?;
            while let Some(line) = lines.next_line().await? {
                match moves.on(seen_line(&line)).await {
                    Some(Some(command)) => {
                        writer.write_all(format!("{command}\n").as_bytes()).await?;
                    }
                    Some(None) => {}
                    None => break,
                }
            }
        }
        Door::WsText | Door::WsJson => {
            use futures_util::{SinkExt, StreamExt};
            use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
            let json = door == Door::WsJson;
            let mut request = format!("ws://{http}/ws").into_client_request()?;
            if json {
                request
                    .headers_mut()
                    .insert("Sec-WebSocket-Protocol", JSON_SUBPROTOCOL.parse()?);
            }
            let stream = connect_from(http, source).await.map_err(|error| {
                anyhow::anyhow!("connecting to {http} from {source:?}: {error}")
            })?;
            let (mut socket, _) =
                tokio_tungstenite::client_async_with_config(request, stream, None).await?;
            socket.send(Message::text(name)).await?;
            while let Some(message) = socket.next().await {
                let Message::Text(text) = message? else {
                    continue;
                };
                let seen = if json {
                    seen_event(&text)
                } else {
                    seen_line(&text)
                };
                match moves.on(seen).await {
                    Some(Some(command)) => socket.send(Message::text(command)).await?,
                    Some(None) => {}
                    None => break,
                }
            }
        }
    }
    Ok((moves.latencies, moves.answered))
}

/// The result of a run of bots (the default: none yet, to [`Run::add`]
/// runs to).
#[derive(Default)]
struct Run {
    /// Moves answered.
    moves: usize,
    /// Wall time of the run.
    elapsed: Duration,
    /// Bots that failed.
    failed: usize,
    /// Every move's latency, sorted.
    latencies: Vec<Duration>,
    /// The middle 80% of the moves (by when they were answered), without
    /// the bots connecting at the start and the last games ending.
    steady_moves: usize,
    /// The time those took.
    steady_elapsed: Duration,
}

/// Plays `games` games of `players` bots in parallel through the doors of
/// `mix`.
async fn run(mix: Mix, games: usize, load: &Load) -> Run {
    let began = Instant::now();
    let bots = games * load.players;
    let tasks: Vec<_> = (0..bots)
        .map(|i| {
            let (game, http) = (
                load.game[i % load.game.len()],
                load.http[i % load.http.len()],
            );
            let arrival = load.ramp.mul_f64(i as f64 / bots as f64);
            let (source, think) = (load.source(i), load.think);
            tokio::spawn(async move {
                tokio::time::sleep(arrival).await;
                bot(mix.door(i), game, http, source, i, think).await
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut answered = Vec::new();
    let mut failed = 0;
    for task in tasks {
        match task.await {
            Ok(Ok((mut moves, mut at))) => {
                latencies.append(&mut moves);
                answered.append(&mut at);
            }
            Ok(Err(error)) => {
                if failed < 3 {
                    eprintln!("a bot failed: {error:#}");
                }
                failed += 1;
            }
            Err(error) => {
                if failed < 3 {
                    eprintln!("a bot panicked: {error}");
                }
                failed += 1;
            }
        }
    }
    latencies.sort();
    answered.sort();
    let (first, last) = (answered.len() / 10, answered.len() * 9 / 10);
    let steady_elapsed = match (answered.get(first), answered.get(last)) {
        (Some(&from), Some(&to)) => to - from,
        _ => Duration::ZERO,
    };
    Run {
        moves: latencies.len(),
        elapsed: began.elapsed(),
        failed,
        latencies,
        steady_moves: last - first,
        steady_elapsed,
    }
}

impl Run {
    /// Adds `other`'s moves, time and failures (sort the latencies after).
    fn add(&mut self, other: Run) {
        self.moves += other.moves;
        self.elapsed += other.elapsed;
        self.failed += other.failed;
        self.latencies.extend(other.latencies);
        self.steady_moves += other.steady_moves;
        self.steady_elapsed += other.steady_elapsed;
    }

    /// Moves a second while every game plays (the middle 80% of moves).
    fn steady_rate(&self) -> f64 {
        self.steady_moves as f64 / self.steady_elapsed.as_secs_f64().max(1e-9)
    }
}

fn report(label: &str, run: &Run) {
    println!(
        "{label:<38} {:>7} moves {:>8.0} moves/s (steady {:>7.0})   p50 {:>9.2?}   p99 {:>9.2?}   failed {}",
        run.moves,
        run.moves as f64 / run.elapsed.as_secs_f64(),
        run.steady_rate(),
        percentile(&run.latencies, 0.50),
        percentile(&run.latencies, 0.99),
        run.failed
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Where and how the bots play.
struct Load {
    /// The TCP game doors (one per node of a cluster; bots take them in
    /// turn, as a load balancer would).
    game: Vec<SocketAddr>,
    /// The web servers (WebSocket doors), likewise.
    http: Vec<SocketAddr>,
    /// Players per game.
    players: usize,
    /// Pause before each move.
    think: Duration,
    /// Loopback source addresses to spread the bots over (0: none chosen).
    sources: usize,
    /// The first source address's number.
    source_offset: usize,
    /// Over how long the bots arrive.
    ramp: Duration,
}

impl Load {
    /// The source address of bot `index`, if the bots spread over some.
    fn source(&self, index: usize) -> Option<std::net::IpAddr> {
        if self.sources == 0 {
            return None;
        }
        let number = self.source_offset + index % self.sources;
        let (high, low) = (number / 254, number % 254 + 1);
        Some(
            std::net::Ipv4Addr::new(127, 10 + (high / 256) as u8, (high % 256) as u8, low as u8)
                .into(),
        )
    }
}

/// A TCP connection to `addr`, from `source` if given.
async fn connect_from(
    addr: SocketAddr,
    source: Option<std::net::IpAddr>,
) -> std::io::Result<TcpStream> {
    let stream = match source {
        Some(ip) => {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await?
        }
        None => TcpStream::connect(addr).await?,
    };
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A server the bots play on, and its name in the report.
struct Target {
    /// Printed before each line about this server (may be empty).
    label: &'static str,
    /// Where its bots play.
    load: Load,
}

/// Moves/s of a mix with games in parallel: over the whole run, and while
/// every game plays.
type Rates = (Mix, f64, f64);

/// Runs every mix against each server: games one at a time, then many in
/// parallel, the servers taking turns round by round (so the machine's
/// drift over a run touches them alike). Returns, per server, each mix's
/// [`Rates`]. With `--server-pid` (one server), also prints the server's
/// CPU time per move in parallel (the bots' own work, WebSocket masking and
/// JSON among it, shares the machine and so the moves/s).
async fn measure(cli: &Cli, mixes: &[Mix], targets: &[Target]) -> anyhow::Result<Vec<Vec<Rates>>> {
    let mut rates: Vec<Vec<Rates>> = targets.iter().map(|_| Vec::new()).collect();
    for &mix in mixes {
        for target in targets {
            let mut one_at_a_time = Run::default();
            for _ in 0..cli.sequential {
                one_at_a_time.add(run(mix, 1, &target.load).await);
            }
            one_at_a_time.latencies.sort();
            if cli.sequential > 0 {
                report(
                    &format!("{}{mix:?}, one game at a time", target.label),
                    &one_at_a_time,
                );
            }
        }
        let cpu_before = cli.server_pid.map(cpu_time).transpose()?;
        let mut parallel: Vec<Run> = targets.iter().map(|_| Run::default()).collect();
        for _ in 0..cli.rounds.max(1) {
            for (target, total) in targets.iter().zip(&mut parallel) {
                total.add(run(mix, cli.games, &target.load).await);
            }
        }
        for ((target, mut total), rates) in targets.iter().zip(parallel).zip(&mut rates) {
            total.latencies.sort();
            report(
                &format!("{}{mix:?}, {} in parallel", target.label, cli.games),
                &total,
            );
            if let (Some(pid), Some(before)) = (cli.server_pid, cpu_before) {
                let spent = cpu_time(pid)?.saturating_sub(before);
                println!(
                    "{:<38} server CPU {:.1} µs a move",
                    "",
                    spent.as_secs_f64() * 1e6 / total.moves.max(1) as f64
                );
            }
            rates.push((
                mix,
                total.moves as f64 / total.elapsed.as_secs_f64(),
                total.steady_rate(),
            ));
        }
    }
    Ok(rates)
}

/// The CPU time a process has used (user and system, all its threads),
/// from `/proc/PID/stat` in clock ticks of `getconf CLK_TCK`.
fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| -> anyhow::Result<u64> {
        Ok(fields
            .get(index)
            .ok_or_else(|| anyhow::anyhow!("short /proc/{pid}/stat"))?
            .parse()?)
    };
    // utime and stime are fields 14 and 15; the list starts at field 3.
    let used = ticks(11)? + ticks(12)?;
    Ok(Duration::from_secs_f64(
        used as f64 / ticks_per_second()? as f64,
    ))
}

/// The clock ticks of `/proc` times a second (`getconf CLK_TCK`, asked once).
fn ticks_per_second() -> anyhow::Result<u64> {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    if let Some(&ticks) = TICKS.get() {
        return Ok(ticks);
    }
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()?;
    let ticks = String::from_utf8(output.stdout)?.trim().parse()?;
    Ok(*TICKS.get_or_init(|| ticks))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(games) = cli.computer_games {
        return computers::run(games);
    }
    if let Some(count) = cli.idle {
        let (Some(&game), Some(&http)) = (cli.server.first(), cli.http.first()) else {
            anyhow::bail!("--idle needs a running server: --server ADDR --http ADDR");
        };
        let door = cli.mix.first().copied().unwrap_or(Mix::Tcp).door(0);
        let hold = Duration::from_secs(cli.hold);
        return hold_idle(door, game, http, count, hold, cli.server_pid).await;
    }
    let mixes = if cli.mix.is_empty() {
        vec![Mix::Tcp, Mix::WsText, Mix::WsJson, Mix::Mixed]
    } else {
        cli.mix.clone()
    };
    let think = Duration::from_millis(cli.think_ms);
    println!(
        "{} players a game; {} games one at a time, then {} games in parallel; {} ms to think",
        cli.players, cli.sequential, cli.games, cli.think_ms
    );
    match (cli.server.is_empty(), cli.http.is_empty()) {
        (false, false) => {
            let load = Load {
                game: cli.server.clone(),
                http: cli.http.clone(),
                players: cli.players,
                think,
                sources: cli.sources,
                source_offset: cli.source_offset,
                ramp: Duration::from_millis(cli.ramp_ms),
            };
            measure(&cli, &mixes, &[Target { label: "", load }]).await?;
        }
        (true, true) => {
            if cli.server_pid.is_some() {
                anyhow::bail!(
                    "--server-pid measures a server of your own: give --server and --http too"
                );
            }
            let kinds: &[Kind] = match cli.db {
                DbMode::Off => &[Kind::Memory],
                DbMode::On => &[Kind::Database],
                DbMode::Both => &[Kind::Memory, Kind::Database],
                DbMode::Cluster => &[Kind::Database, Kind::Cluster],
            };
            let dir = std::env::temp_dir().join(format!("wordguess-bench-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)?;
            let mut servers = Vec::new();
            let mut targets = Vec::new();
            let mut redis = None;
            for &kind in kinds {
                let mut options = TestOptions::new(WORDS, cli.players);
                options.limits.max_connections = cli.games * cli.players + 100;
                // Bots move as fast as the server answers: lift the per-client
                // command rate limit (pass --commands-per-second to a server of
                // your own for the same).
                options.limits.command_burst = u32::MAX;
                options.limits.commands_per_second = f64::MAX;
                options.db = (kind == Kind::Database).then(|| dir.join("bench.db"));
                // Each server on threads of its own, like a server process:
                // the bots stand for clients elsewhere.
                let workers = std::thread::available_parallelism().map_or(2, usize::from);
                let (label, nodes) = match kind {
                    Kind::Memory => ("db off, ", 1),
                    Kind::Database => ("db on, ", 1),
                    Kind::Cluster => ("cluster of 3, ", NODES),
                };
                let mut load = Load {
                    game: Vec::new(),
                    http: Vec::new(),
                    players: cli.players,
                    think,
                    sources: cli.sources,
                    source_offset: cli.source_offset,
                    ramp: Duration::from_millis(cli.ramp_ms),
                };
                for node in 0..nodes {
                    let mut options = options.clone();
                    if kind == Kind::Cluster {
                        let redis = redis.get_or_insert_with(|| RedisServer::start("bench"));
                        options.cluster = Some(ClusterConfig {
                            redis_url: redis.url(),
                            node_name: format!("bench-{node}"),
                        });
                    }
                    let server = start_on_own_runtime(options, workers);
                    load.game.push(server.server.game);
                    load.http.push(server.server.http);
                    servers.push(server);
                }
                targets.push(Target { label, load });
            }
            let by_kind = measure(&cli, &mixes, &targets).await?;
            for server in servers {
                server.shutdown().await;
            }
            drop(redis);
            let _ = std::fs::remove_dir_all(&dir);
            if let [first, second] = by_kind.as_slice() {
                for ((mix, one, steady_one), (_, two, steady_two)) in first.iter().zip(second) {
                    let ratio = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
                    if cli.db == DbMode::Cluster {
                        println!(
                            "{mix:?}, {} in parallel: the cluster of 3 plays {:.2}x the moves/s of \
                             one process ({:.2}x while every game plays)",
                            cli.games,
                            ratio(*one, *two),
                            ratio(*steady_one, *steady_two),
                        );
                    } else {
                        // Not "-0" when the two are the same.
                        let cost = |off: f64, on: f64| {
                            if off > 0.0 {
                                format!("{:.0}%", ((1.0 - on / off) * 100.0).round() + 0.0)
                            } else {
                                "an unknown share".to_owned()
                            }
                        };
                        println!(
                            "{mix:?}, {} in parallel: the database costs {} of moves/s \
                             ({} while every game plays)",
                            cli.games,
                            cost(*one, *two),
                            cost(*steady_one, *steady_two),
                        );
                    }
                }
            }
        }
        _ => anyhow::bail!("give both --server and --http, or neither"),
    }
    Ok(())
}
