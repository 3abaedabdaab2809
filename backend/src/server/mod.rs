//! Starting and stopping the whole server: the wiring, the top layer. It
//! builds the seams (delivery, room store, room directory), starts the
//! rooms saved before a restart, serves the listeners, and on shutdown
//! tells every player, waits for the tasks and closes the store.
//! [`testkit`] starts the same server on loopback for tests.

pub mod testkit;

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::delivery::{Delivery, Switchboard};
use crate::directory::local::Launch;
use crate::directory::{LocalDirectory, RoomDirectory};
use crate::doors::{accept_loop, http, palindrome, tcp};
use crate::edge::admission::Gate;
use crate::edge::limits::Limits;
use crate::persistence::release::{self, Releases};
use crate::persistence::RoomStore;
use crate::room::actor::RoomSeams;
use crate::room::messages::RoomDefaults;
use crate::session::ServerContext;
use crate::support::ids::{ConnIds, NodeId};
use crate::support::metrics::Metrics;
use crate::support::words::WordList;

pub use crate::edge::listen::bind;

/// How long shutdown waits for connections to say goodbye.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The bound sockets the server serves.
#[derive(Debug)]
pub struct Listeners {
    /// The TCP game door.
    pub game: TcpListener,
    /// The HTTP server (web app, WebSocket door, health check).
    pub http: TcpListener,
    /// The palindrome service.
    pub palindrome: TcpListener,
}

/// What the server plays with and within.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The words to guess.
    pub words: WordList,
    /// The language of those words, as rooms show it.
    pub language: wordguess_protocol::Language,
    /// Whether the words come from a `--words` file (rooms say so).
    pub words_from_file: bool,
    /// Players a quick-match game waits for before it starts.
    pub players_to_start: usize,
    /// How long a player may hold the turn before it passes on (`None`: no
    /// limit).
    pub turn_timeout: Option<Duration>,
    /// How long a lost seat is kept for its player to resume.
    pub resume_grace: Duration,
    /// How long a room with nobody in it stays open.
    pub room_idle: Duration,
    /// The web app's public address for invite links; `None` derives it
    /// from the HTTP listener.
    pub public_url: Option<String>,
    /// The built browser app (trunk's `dist`), if any.
    pub web_root: Option<PathBuf>,
    /// Bounds on clients.
    pub limits: Limits,
    /// Web origins besides the server's own that may open `/ws` (for a
    /// deployment behind another host name).
    pub allowed_origins: Vec<String>,
    /// The room store (`--db`): SQLite, or
    /// [`NoStore`](crate::persistence::NoStore) to keep everything in memory.
    pub store: Arc<dyn RoomStore>,
}

/// Serves until `shutdown` completes, then tells every player, closes every
/// connection and returns.
///
/// # Errors
///
/// Returns an IO error if the HTTP server fails.
pub async fn run(
    config: ServerConfig,
    listeners: Listeners,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let token = CancellationToken::new();
    let tasks = TaskTracker::new();
    let node = NodeId::random();
    let http_addr = listeners.http.local_addr()?;
    let public_url = config
        .public_url
        .unwrap_or_else(|| format!("http://{http_addr}"));
    let defaults = RoomDefaults {
        words: config.words,
        language: config.language,
        words_from_file: config.words_from_file,
        players_to_start: config.players_to_start,
        turn_time: config.turn_timeout,
        resume_grace: config.resume_grace,
        idle_close: config.room_idle,
        public_url: public_url.trim_end_matches('/').to_owned(),
        tcp_port: listeners.game.local_addr()?.port(),
    };
    let metrics = Arc::new(Metrics::default());
    let delivery: Arc<dyn Delivery> = Arc::new(Switchboard::default());
    let store = config.store;
    let releases = Arc::<Releases>::default();
    if store.keeps_rooms() {
        tasks.spawn(release::run(releases.clone(), token.clone()));
    }
    let seams = Arc::new(RoomSeams {
        delivery: delivery.clone(),
        store: store.clone(),
        releases,
        metrics: metrics.clone(),
        defaults: Arc::new(defaults),
        shutdown: token.clone(),
    });
    let room_tasks = tasks.clone();
    let launch: Launch = Box::new(move |code, start, inbox, reports| {
        room_tasks.spawn(crate::room::actor::run(
            code,
            start,
            inbox,
            seams.clone(),
            reports,
        ));
    });
    tracing::info!(%node, "this server's node id");
    let directory = LocalDirectory::new(
        node,
        config.players_to_start,
        config.limits.game_inbox,
        launch,
        metrics.clone(),
    );
    if store.keeps_rooms() {
        let saved = crate::room::saved::restore_all(&*store)
            .await
            .map_err(io::Error::other)?;
        let (rooms, seats) = (
            saved.len(),
            saved.iter().map(|(_, s)| s.seats.len()).sum::<usize>(),
        );
        for (code, save) in saved {
            directory.claim(code, save);
        }
        tracing::info!(rooms, seats, "restored the saved rooms");
    }
    let context = Arc::new(ServerContext {
        gate: Gate::new(config.limits.max_connections, config.limits.max_per_ip),
        limits: config.limits,
        directory: directory as Arc<dyn RoomDirectory>,
        delivery,
        records: store.clone(),
        keeps_rooms: store.keeps_rooms(),
        metrics,
        resume_grace: config.resume_grace,
        shutdown: token.clone(),
        tasks: tasks.clone(),
        conn_ids: ConnIds::new(node),
    });

    tasks.spawn(accept_loop(
        listeners.game,
        context.clone(),
        tcp::serve_player,
    ));
    tasks.spawn(accept_loop(
        listeners.palindrome,
        context.clone(),
        palindrome::serve_client,
    ));
    let router = http::app(context.clone(), config.web_root, config.allowed_origins);
    let mut http = tokio::spawn(http::serve(listeners.http, router, context.clone()));

    tokio::select! {
        () = shutdown => tracing::info!("shutting down"),
        result = &mut http => {
            token.cancel();
            return result.unwrap_or_else(|join| Err(io::Error::other(join)));
        }
    }
    token.cancel();
    tasks.close();
    if tokio::time::timeout(SHUTDOWN_GRACE, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some connections did not close in time");
    }
    // Every room has stopped: commit what is queued and close.
    store.close().await;
    match tokio::time::timeout(SHUTDOWN_GRACE, http).await {
        Ok(Ok(result)) => result,
        _ => Ok(()),
    }
}
