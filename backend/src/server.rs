//! Starting and stopping the whole server.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admission::Admission;
use crate::context::{Limits, ServerContext};
use crate::persist::{self, Persistence};
use crate::registry::{Registry, RoomDefaults};
use crate::switchboard::Switchboard;
use crate::words::WordList;
use crate::{http, palindrome, tcp};

/// Pending connections the kernel queues per listener (std's default, 128,
/// drops SYNs when many players join at once).
const LISTEN_BACKLOG: u32 = 1024;

/// How long shutdown waits for connections to say goodbye.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Binds a listener on `addr` (`host:port`) with a generous backlog.
///
/// # Errors
///
/// Returns an IO error if the address does not resolve or cannot be bound.
pub async fn bind(addr: &str) -> io::Result<TcpListener> {
    let mut last_error = io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{addr} resolves to nothing"),
    );
    for candidate in tokio::net::lookup_host(addr).await? {
        let socket = if candidate.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket
            .bind(candidate)
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

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
    /// The database (`--db`); `None` keeps everything in memory.
    pub persistence: Option<Persistence>,
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
        inbox: config.limits.game_inbox,
        public_url: public_url.trim_end_matches('/').to_owned(),
        tcp_port: listeners.game.local_addr()?.port(),
    };
    let registry = Arc::new(Registry::new(
        defaults,
        Arc::new(Switchboard::default()),
        config.persistence.as_ref(),
        tasks.clone(),
        token.clone(),
    ));
    if let Some(persistence) = &config.persistence {
        let store = persistence.store.clone();
        let saved = tokio::task::spawn_blocking(move || persist::saved_rooms(&store))
            .await
            .map_err(io::Error::other)?
            .map_err(io::Error::other)?;
        if !saved.fold.is_empty() {
            // Until this commits, the log stays as it is (a later start
            // replays it again), so a failure here loses nothing.
            if let Err(error) = persistence.writer.submit(saved.fold).await {
                tracing::error!(%error, "cannot fold the logged moves into the saved rooms");
            }
        }
        let (rooms, seats) = (
            saved.rooms.len(),
            saved
                .rooms
                .iter()
                .map(|(_, s)| s.seats.len())
                .sum::<usize>(),
        );
        registry.restore(saved.rooms);
        tracing::info!(rooms, seats, "restored the saved rooms");
    }
    let context = Arc::new(ServerContext::new(
        config.limits,
        registry,
        token.clone(),
        tasks.clone(),
    ));

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
    if let Some(persistence) = config.persistence {
        // Every room has stopped: commit what is queued and close.
        let writer = persistence.writer;
        let _ = tokio::task::spawn_blocking(move || writer.close()).await;
    }
    match tokio::time::timeout(SHUTDOWN_GRACE, http).await {
        Ok(Ok(result)) => result,
        _ => Ok(()),
    }
}

/// Accepts connections until shutdown, each served by its own task once
/// the [gate](crate::admission::Gate) admits it; a refused client is told
/// why in one line.
async fn accept_loop<F, Fut>(listener: TcpListener, context: Arc<ServerContext>, serve: F)
where
    F: Fn(TcpStream, SocketAddr, Arc<ServerContext>, Admission) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let serve = Arc::new(serve);
    loop {
        let Some((mut stream, addr)) = accept(&listener, &context).await else {
            return;
        };
        let context = context.clone();
        let serve = serve.clone();
        let tasks = context.tasks.clone();
        tasks.spawn(async move {
            match context.gate.admit(addr.ip()).await {
                // The connection holds its admission until it closes.
                Ok(admission) => serve(stream, addr, context, admission).await,
                Err(refusal) => {
                    context.registry.metrics.dropped(refusal.reason());
                    tracing::warn!(%addr, ?refusal, "connection refused");
                    let line = format!("Error: {}.\n", refusal.message());
                    let _ = tokio::time::timeout(
                        Duration::from_secs(1),
                        stream.write_all(line.as_bytes()),
                    )
                    .await;
                }
            }
        });
    }
}

/// The next accepted connection, or `None` on shutdown. Accept errors (out
/// of file descriptors and the like) are logged and retried after a pause
/// instead of spinning.
pub(crate) async fn accept(
    listener: &TcpListener,
    context: &ServerContext,
) -> Option<(TcpStream, SocketAddr)> {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = context.shutdown.cancelled() => return None,
        };
        match accepted {
            Ok(accepted) => return Some(accepted),
            Err(error) => {
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
