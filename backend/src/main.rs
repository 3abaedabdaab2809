//! `wordguess-server`: the game over TCP and WebSocket, the web app, and the
//! palindrome service, in one process.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

use wordguess_backend::persistence::{NoStore, RoomStore, SqliteStore};
use wordguess_backend::support::words::Language;
use wordguess_backend::{run, ClusterConfig, Limits, Listeners, ServerConfig, WordList};

/// A multiplayer word-guessing game for terminal (`nc`) and browser players
/// in the same game ring.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address of the TCP game (play with `nc HOST PORT`).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4000")]
    tcp: String,
    /// Address of the web server: the browser app at `/`, WebSocket at `/ws`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    http: String,
    /// Address of the palindrome service.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4001")]
    palindrome: String,
    /// Word file, one word per line (`#` comments); replaces the built-in lists.
    #[arg(long, value_name = "FILE")]
    words: Option<PathBuf>,
    /// Built-in word list to use when no --words file is given.
    #[arg(long, value_enum, default_value = "all")]
    language: Language,
    /// Players a game waits for before it starts.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    players: u16,
    /// Seconds a player may take on its turn before the turn passes on
    /// (0: no limit). Rooms may choose their own.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    turn_timeout: u64,
    /// Seconds a seat is kept after its connection drops, for the player to
    /// come back with `/resume TOKEN`.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    resume_grace: u64,
    /// Seconds a room with nobody in it stays open (friends `/join` it
    /// again for the next game).
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    room_idle: u64,
    /// Seconds a player waits alone in quick match before a computer
    /// player joins and the game starts (0: never).
    #[arg(long, value_name = "SECS", default_value_t = 15)]
    bot_after: u64,
    /// The web app's address as friends reach it, for invite links
    /// (default: `http://` and the --http address).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// The TCP game port as players reach it, shown with `nc` in the
    /// browser app (behind a load balancer; default: the --tcp port).
    #[arg(long, value_name = "PORT")]
    public_tcp_port: Option<u16>,
    /// Directory of the built browser app (`trunk build --release` makes `dist`).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    web_root: PathBuf,
    /// Open connections (game, HTTP/WebSocket and palindrome) at most.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_connections: usize,
    /// Open connections from one IP address at most.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_per_ip: usize,
    /// Commands a connection may send per second, sustained (bursts of
    /// twice as many are fine); faster ones are refused, and a client that
    /// keeps flooding is disconnected.
    #[arg(long, value_name = "N", default_value_t = 20.0)]
    commands_per_second: f64,
    /// Another web origin (scheme://host[:port]) whose pages may open game
    /// connections, e.g. behind a proxy with another host name; repeatable.
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// The database file (SQLite; created on first start) that keeps game
    /// history, the leaderboard and unfinished games across restarts;
    /// `none` keeps everything in memory.
    #[arg(long, value_name = "PATH|none", default_value = "wordguess.db")]
    db: String,
    /// Makes this server a node of a cluster sharing rooms, history and the
    /// leaderboard through Redis at this URL (e.g. `redis://127.0.0.1:6379`;
    /// run Redis with `appendonly yes` and `appendfsync always`). `--db` is
    /// then not used.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// This node's name in logs and metrics (with `--redis`); default: the
    /// host name and the process id.
    #[arg(long, value_name = "NAME")]
    node: Option<String>,
    /// How log lines (on stderr) are written: `text` (coloured only on a
    /// terminal) or `json` (one object a line, for log collectors).
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

/// The form of the log lines.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// Plain lines; colours only when stderr is a terminal.
    Text,
    /// One JSON object a line.
    Json,
}

/// jemalloc, with a background thread that gives freed pages back to the
/// system after its decay time (glibc's malloc kept the high-water mark of a
/// burst of connections for good).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let cluster = cli.redis.clone().map(|redis_url| ClusterConfig {
        redis_url,
        node_name: cli.node.clone().unwrap_or_else(default_node_name),
    });
    // Every line of a cluster's node names the node.
    let node = cluster.as_ref().map(|cluster| cluster.node_name.clone());
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        );
    match cli.log_format {
        // A log file or a pipe gets plain text, not colour escapes.
        LogFormat::Text => logs
            .with_ansi(std::io::stderr().is_terminal())
            .event_format(NodeFormat {
                node,
                inner: tracing_subscriber::fmt::format(),
                json: false,
            })
            .init(),
        LogFormat::Json => logs
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(NodeFormat {
                node,
                inner: tracing_subscriber::fmt::format().json(),
                json: true,
            })
            .init(),
    }
    if let Err(error) = tikv_jemalloc_ctl::background_thread::write(true) {
        tracing::warn!(%error, "jemalloc's background purging is off");
    }
    let store: Arc<dyn RoomStore> = match cli.db.as_str() {
        // A node of a cluster keeps everything in Redis.
        _ if cluster.is_some() => Arc::new(NoStore),
        "none" => Arc::new(NoStore),
        path => {
            let (store, writer) = wordguess_store::Store::open(std::path::Path::new(path))?;
            tracing::info!(db = %path, "database open");
            Arc::new(SqliteStore::new(store, writer))
        }
    };
    let words = match &cli.words {
        Some(path) => WordList::from_file(path)?,
        None => WordList::builtin(cli.language),
    };
    let max_connections = connection_cap(cli.max_connections);
    let bind = |addr: String, what: &'static str| async move {
        wordguess_backend::server::bind(&addr)
            .await
            .with_context(|| format!("cannot listen for the {what} on {addr}"))
    };
    let listeners = Listeners {
        game: bind(cli.tcp, "TCP game").await?,
        http: bind(cli.http, "web server").await?,
        palindrome: bind(cli.palindrome, "palindrome service").await?,
    };
    let (game, http) = (listeners.game.local_addr()?, listeners.http.local_addr()?);
    let browser = match &cli.public_url {
        Some(url) => format!("{}/", url.trim_end_matches('/')),
        None => format!("http://{}/", reachable(http)),
    };
    let terminal = format!("nc {} {}", reachable(game).ip(), game.port());
    tracing::info!(
        tcp = %game,
        http = %http,
        palindrome = %listeners.palindrome.local_addr()?,
        words = words.len(),
        players = cli.players,
        "wordguess is ready: open {browser} in a browser, or play in a terminal with `{terminal}`"
    );
    let limits = Limits {
        max_connections,
        max_per_ip: cli.max_per_ip,
        commands_per_second: cli.commands_per_second,
        command_burst: (cli.commands_per_second * 2.0).ceil().max(1.0) as u32,
        ..Limits::default()
    };
    let language = match &cli.words {
        Some(_) => wordguess_protocol::Language::Both,
        None => cli.language.into(),
    };
    let seconds = std::time::Duration::from_secs;
    let config = ServerConfig {
        words,
        language,
        words_from_file: cli.words.is_some(),
        players_to_start: usize::from(cli.players),
        turn_timeout: (cli.turn_timeout > 0).then(|| seconds(cli.turn_timeout)),
        resume_grace: seconds(cli.resume_grace),
        room_idle: seconds(cli.room_idle),
        bot_after: (cli.bot_after > 0).then(|| seconds(cli.bot_after)),
        public_url: cli.public_url,
        public_tcp_port: cli.public_tcp_port,
        allowed_origins: cli.allow_origin,
        web_root: Some(cli.web_root),
        limits,
        store,
        cluster,
    };
    run(config, listeners, shutdown_signal()).await?;
    tracing::info!("goodbye");
    Ok(())
}

/// Log lines that name the node of a cluster they come from: `node=NAME`
/// before a text line, a `node` field first in a JSON one.
struct NodeFormat<F> {
    /// The node's name; `None` outside a cluster.
    node: Option<String>,
    /// The format it adds to.
    inner: F,
    /// Whether that format writes JSON.
    json: bool,
}

impl<S, N, F> tracing_subscriber::fmt::FormatEvent<S, N> for NodeFormat<F>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
    F: tracing_subscriber::fmt::FormatEvent<S, N>,
{
    fn format_event(
        &self,
        context: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let Some(node) = &self.node else {
            return self.inner.format_event(context, writer, event);
        };
        if !self.json {
            write!(writer, "node={node} ")?;
            return self.inner.format_event(context, writer, event);
        }
        let mut line = String::new();
        self.inner.format_event(
            context,
            tracing_subscriber::fmt::format::Writer::new(&mut line),
            event,
        )?;
        let node = serde_json::to_string(node).map_err(|_| std::fmt::Error)?;
        match line.strip_prefix('{') {
            Some(rest) => write!(writer, "{{\"node\":{node},{rest}"),
            None => write!(writer, "{line}"),
        }
    }
}

/// A node name unique on this network: the host's name and the process id.
fn default_node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .unwrap_or_default();
    let host = if host.is_empty() {
        "node".to_owned()
    } else {
        host
    };
    format!("{host}-{}", std::process::id())
}

/// The address a person on this machine uses to reach a listener on
/// `addr`: a listener on every interface (`0.0.0.0`, `::`) is reached on
/// loopback.
fn reachable(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    std::net::SocketAddr::new(ip, addr.port())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Raises the open-file limit to the hard limit and fits `requested`
/// connections within it, saying so if they had to be lowered.
fn connection_cap(requested: usize) -> usize {
    use wordguess_backend::edge::files::{raise_limit, FileBudget};
    let (before, limit) = match raise_limit() {
        Ok(limits) => limits,
        Err(error) => {
            tracing::warn!(%error, "cannot read the open-file limit");
            return requested;
        }
    };
    if limit > before {
        tracing::info!(
            before,
            limit,
            "raised the open-file limit to the hard limit"
        );
    }
    let budget = FileBudget::within(limit, requested);
    if budget.connections < requested {
        tracing::warn!(
            limit,
            "--max-connections {requested} lowered to {}: this process may open only {limit} \
             files (raise the hard limit with `ulimit -Hn` or systemd's LimitNOFILE=)",
            budget.connections
        );
    }
    budget.connections
}
