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

use crate::cluster::{bus, lease, Owners, RedisLink};
use crate::delivery::remote::{self, ClusterDelivery};
use crate::delivery::{Delivery, Switchboard};
use crate::directory::cluster::ClusterParts;
use crate::directory::{ClusterDirectory, Launch, LocalDirectory, RoomDirectory};
use crate::doors::{accept_loop, http, palindrome, tcp};
use crate::edge::admission::Gate;
use crate::edge::limits::Limits;
use crate::persistence::redis::RedisStore;
use crate::persistence::release::{self, Releases};
use crate::persistence::RoomStore;
use crate::room::actor::RoomSeams;
use crate::room::messages::RoomDefaults;
use crate::session::ServerContext;
use crate::support::ids::{ConnIds, NodeId};
use crate::support::metrics::Metrics;
use crate::support::words::WordList;

pub use crate::edge::listen::bind;

/// Messages for other nodes' connections that may wait to be published.
const REMOTE_QUEUE: usize = 65_536;

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
    /// How long a lone quick-match player waits before a computer player
    /// fills the game (`None`: never).
    pub bot_after: Option<Duration>,
    /// The web app's public address for invite links; `None` derives it
    /// from the HTTP listener.
    pub public_url: Option<String>,
    /// The TCP game port as players reach it (behind a proxy); `None`: the
    /// game listener's.
    pub public_tcp_port: Option<u16>,
    /// The built browser app (trunk's `dist`), if any.
    pub web_root: Option<PathBuf>,
    /// Bounds on clients.
    pub limits: Limits,
    /// Web origins besides the server's own that may open `/ws` (for a
    /// deployment behind another host name).
    pub allowed_origins: Vec<String>,
    /// The room store (`--db`): SQLite, or
    /// [`NoStore`](crate::persistence::NoStore) to keep everything in memory.
    /// Unused by a node of a cluster (it keeps everything in Redis).
    pub store: Arc<dyn RoomStore>,
    /// Makes the server a node of a cluster (`--redis`, `--node`).
    pub cluster: Option<ClusterConfig>,
}

/// How a node joins a cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Redis, e.g. `redis://127.0.0.1:6379`.
    pub redis_url: String,
    /// This node's name in logs and metrics.
    pub node_name: String,
}

/// The seams of a node of a cluster, and what it must do at shutdown.
struct ClusterNode {
    /// The directory (which also hears the bus).
    directory: Arc<ClusterDirectory>,
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
        tcp_port: match config.public_tcp_port {
            Some(port) => port,
            None => listeners.game.local_addr()?.port(),
        },
        bot_after: config.bot_after,
    };
    let metrics = Arc::new(match config.cluster {
        Some(_) => Metrics::for_cluster(),
        None => Metrics::default(),
    });
    let link = match &config.cluster {
        Some(cluster) => Some(
            RedisLink::connect(
                &cluster.redis_url,
                node,
                cluster.node_name.clone(),
                metrics.clone(),
            )
            .await
            .map_err(|error| {
                io::Error::other(format!(
                    "cannot reach Redis at {}: {error}",
                    cluster.redis_url
                ))
            })?,
        ),
        None => None,
    };
    let owners = Arc::<Owners>::default();
    let (delivery, store, remote): (Arc<dyn Delivery>, Arc<dyn RoomStore>, _) = match &link {
        Some(link) => {
            let (cluster_delivery, queue) = ClusterDelivery::new(node, REMOTE_QUEUE);
            let store = RedisStore::start(
                link.clone(),
                owners.clone(),
                config.limits.game_inbox.max(1024),
                token.clone(),
                &tasks,
            );
            let delivery: Arc<dyn Delivery> = cluster_delivery.clone();
            (delivery, store, Some((cluster_delivery, queue)))
        }
        None => (Arc::new(Switchboard::default()), config.store, None),
    };
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
        node,
    });
    let room_tasks = tasks.clone();
    let launch: Launch = Box::new(move |code, start, inbox, reports, stop| {
        room_tasks.spawn(crate::room::actor::run(
            code,
            start,
            inbox,
            seams.clone(),
            reports,
            stop,
        ));
    });
    tracing::info!(id = %node, "this server's node id");
    let (directory, cluster): (Arc<dyn RoomDirectory>, Option<ClusterNode>) = match (link, remote) {
        (Some(link), Some((cluster_delivery, remote_queue))) => {
            let node = start_cluster(
                ClusterParts {
                    link,
                    owners,
                    delivery: cluster_delivery,
                    store: store.clone(),
                    players_to_start: config.players_to_start,
                    inbox: config.limits.game_inbox,
                    launch,
                    metrics: metrics.clone(),
                    tasks: tasks.clone(),
                    shutdown: token.clone(),
                },
                remote_queue,
            )
            .await;
            (node.directory.clone(), Some(node))
        }
        _ => {
            let directory = LocalDirectory::new(
                node,
                config.players_to_start,
                config.limits.game_inbox,
                launch,
                metrics.clone(),
                token.clone(),
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
            (directory, None)
        }
    };
    let context = Arc::new(ServerContext {
        gate: Gate::new(config.limits.max_connections, config.limits.max_per_ip),
        limits: config.limits,
        directory,
        delivery,
        records: store.clone(),
        keeps_rooms: store.keeps_rooms(),
        clustered: cluster.is_some(),
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
    if let Some(cluster) = &cluster {
        // The rooms stop at once; once their saves are in, the live nodes
        // take them, without waiting for this node's lease to expire (if
        // Redis does not answer, they wait for it to expire).
        let handed_on = async {
            store.close().await;
            cluster.directory.leave().await;
        };
        if tokio::time::timeout(SHUTDOWN_GRACE, handed_on)
            .await
            .is_err()
        {
            tracing::warn!("Redis did not answer in time; the rooms move once the lease expires");
        }
    }
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

/// Starts a node's cluster machinery: the lease, the directory, sending to
/// other nodes, and the subscription (held before the node serves anyone,
/// so nothing sent to it is missed).
async fn start_cluster(parts: ClusterParts, remote_queue: remote::RemoteQueue) -> ClusterNode {
    let link = parts.link.clone();
    let (tasks, token) = (parts.tasks.clone(), parts.shutdown.clone());
    if let Err(error) = lease::renew(&link).await {
        tracing::warn!(%error, "cannot take this node's lease yet");
    }
    let directory = ClusterDirectory::start(parts);
    let lapsed = {
        let directory = Arc::downgrade(&directory);
        Arc::new(move || {
            if let Some(directory) = directory.upgrade() {
                directory.lease_lapsed();
            }
        }) as Arc<dyn Fn() + Send + Sync>
    };
    tasks.spawn(lease::keep(link.clone(), lapsed, token.clone()));
    tasks.spawn(remote::send_remote(
        link.clone(),
        remote_queue,
        token.clone(),
    ));
    let (subscribed, ready) = tokio::sync::oneshot::channel();
    let inbound: Arc<dyn bus::Inbound> = directory.clone();
    tasks.spawn(bus::listen(
        link.clone(),
        inbound,
        token.clone(),
        subscribed,
    ));
    let _ = ready.await;
    tracing::info!(node = %link.name, "joined the cluster");
    ClusterNode { directory }
}
