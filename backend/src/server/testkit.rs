//! Starting a real server on loopback for tests (backend, client and e2e).
//!
//! Binds `127.0.0.1:0` for every listener and runs [`crate::run`] in a task,
//! exactly the code path of the binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::cluster::test_redis::RedisServer;
use crate::persistence::{NoStore, RoomStore, SqliteStore};
use crate::{run, Limits, Listeners, ServerConfig, WordList};

/// A server running in the background of a test.
#[derive(Debug)]
pub struct RunningServer {
    /// The TCP game door.
    pub game: SocketAddr,
    /// The HTTP server (web app and `/ws`).
    pub http: SocketAddr,
    /// The palindrome service.
    pub palindrome: SocketAddr,
    /// The database's writer, if the server has a database.
    pub writer: Option<wordguess_store::Writer>,
    /// Fires the shutdown.
    stop: Option<oneshot::Sender<()>>,
    /// The server task.
    task: JoinHandle<std::io::Result<()>>,
}

/// Options for [`start`].
#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Words, one per line (`WordList::parse` format).
    pub words: String,
    /// Players needed to start a game.
    pub players: usize,
    /// How long a player may hold the turn.
    pub turn_timeout: std::time::Duration,
    /// How long a lost seat is kept.
    pub resume_grace: std::time::Duration,
    /// The built browser app, if the test needs it.
    pub web_root: Option<PathBuf>,
    /// Client limits (the per-address cap is lifted: tests connect from
    /// loopback many times).
    pub limits: Limits,
    /// Extra web origins allowed to open `/ws`.
    pub allowed_origins: Vec<String>,
    /// The database file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Where to listen (game, web, palindrome), e.g. a server restarting on
    /// the addresses of the one before; `None` picks free loopback ports.
    pub listen_on: Option<[SocketAddr; 3]>,
    /// Makes the server a node of a cluster on Redis (`db` is then unused).
    pub cluster: Option<crate::ClusterConfig>,
    /// How long a lone quick-match player waits for a computer opponent
    /// (`None`, the default in tests: never).
    pub bot_after: Option<std::time::Duration>,
}

impl TestOptions {
    /// Games of `players` players, always with `word`.
    pub fn new(word: &str, players: usize) -> Self {
        Self {
            words: word.to_owned(),
            players,
            turn_timeout: std::time::Duration::from_secs(120),
            resume_grace: std::time::Duration::from_secs(120),
            web_root: None,
            limits: Limits {
                max_per_ip: usize::MAX,
                ..Limits::default()
            },
            allowed_origins: Vec::new(),
            db: None,
            listen_on: None,
            bot_after: None,
            cluster: None,
        }
    }
}

/// Starts a server on loopback with `options`.
///
/// # Panics
///
/// Panics if loopback ports cannot be bound, the words are invalid or the
/// database cannot be opened: this is test setup.
pub async fn start(options: TestOptions) -> RunningServer {
    let bind = |index: usize| {
        let addr = options.listen_on.map_or_else(
            || "127.0.0.1:0".to_owned(),
            |addrs| addrs[index].to_string(),
        );
        async move { crate::server::bind(&addr).await.expect("bind loopback") }
    };
    let listeners = Listeners {
        game: bind(0).await,
        http: bind(1).await,
        palindrome: bind(2).await,
    };
    let game = listeners.game.local_addr().expect("local addr");
    let http = listeners.http.local_addr().expect("local addr");
    let palindrome = listeners.palindrome.local_addr().expect("local addr");
    let (store, writer): (std::sync::Arc<dyn RoomStore>, _) = match options.db.as_deref() {
        Some(path) => {
            let (store, writer) =
                wordguess_store::Store::open(path).expect("the test database opens");
            (
                std::sync::Arc::new(SqliteStore::new(store, writer.clone())),
                Some(writer),
            )
        }
        None => (std::sync::Arc::new(NoStore), None),
    };
    let config = ServerConfig {
        words: WordList::parse(&options.words, "test words").expect("valid test words"),
        language: wordguess_protocol::Language::Both,
        words_from_file: false,
        players_to_start: options.players,
        turn_timeout: Some(options.turn_timeout),
        resume_grace: options.resume_grace,
        room_idle: std::time::Duration::from_secs(600),
        bot_after: options.bot_after,
        public_url: None,
        public_tcp_port: None,
        allowed_origins: options.allowed_origins,
        web_root: options.web_root,
        limits: options.limits,
        store,
        cluster: options.cluster,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(config, listeners, async {
        let _ = stopped.await;
    }));
    RunningServer {
        game,
        http,
        palindrome,
        writer,
        stop: Some(stop),
        task,
    }
}

impl RunningServer {
    /// The server's addresses (game, web, palindrome), for
    /// [`TestOptions::listen_on`].
    pub fn addresses(&self) -> [SocketAddr; 3] {
        [self.game, self.http, self.palindrome]
    }

    /// Shuts the server down as Ctrl-C would, and waits until it has.
    ///
    /// # Panics
    ///
    /// Panics if the server task failed.
    pub async fn shutdown(mut self) {
        self.stop_and_wait().await;
    }

    /// Asks the server to shut down and waits until it has.
    async fn stop_and_wait(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .expect("server task")
            .expect("server result");
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A server on its own runtime, so a test can make it vanish abruptly: all
/// its tasks dropped and sockets closed, with no goodbye (like a crash).
#[derive(Debug)]
pub struct CrashableServer {
    /// The running server (addresses, graceful shutdown).
    pub server: RunningServer,
    /// The runtime the server runs on.
    runtime: Option<tokio::runtime::Runtime>,
}

/// Starts a server like [`start`], but on a runtime of its own (one worker
/// thread).
///
/// # Panics
///
/// Panics if the runtime cannot be built (test setup).
pub fn start_crashable(options: TestOptions) -> CrashableServer {
    start_on_own_runtime(options, 1)
}

/// Starts a server like [`start`], on a runtime of its own with `workers`
/// threads: its tasks do not share threads with the caller's (the bench's
/// bots stand for clients on other machines).
///
/// # Panics
///
/// Panics if the runtime cannot be built (test setup).
pub fn start_on_own_runtime(options: TestOptions, workers: usize) -> CrashableServer {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a runtime for the server");
    let server = std::thread::scope(|scope| {
        scope
            .spawn(|| runtime.block_on(start(options)))
            .join()
            .expect("server start")
    });
    CrashableServer {
        server,
        runtime: Some(runtime),
    }
}

impl Drop for CrashableServer {
    fn drop(&mut self) {
        // A runtime must not be dropped where blocking is not allowed.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl CrashableServer {
    /// Shuts the server down gracefully, then its runtime.
    ///
    /// # Panics
    ///
    /// Panics if the server fails or its runtime cannot be stopped.
    pub async fn shutdown(mut self) {
        self.server.stop_and_wait().await;
        if let Some(runtime) = self.runtime.take() {
            tokio::task::spawn_blocking(move || {
                runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            })
            .await
            .expect("the server's runtime stops");
        }
    }

    /// Kills the server at once: every task dropped, every socket closed.
    /// Returns once its worker thread has dropped them, so its addresses
    /// can be bound again.
    pub fn crash(mut self) {
        if let Some(runtime) = self.runtime.take() {
            // Waiting is not allowed on an async thread: a thread of its own.
            let _ = std::thread::spawn(move || {
                runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            })
            .join();
        }
    }
}

/// An HTTP response as a test reads it.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The header lines, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body, as sent (compressed if it was).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of header `name` (lower case), if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }
}

/// `GET path` from the HTTP server at `http` with extra request `headers`,
/// over one HTTP/1.1 connection that the server closes after answering.
///
/// # Panics
///
/// Panics if the server does not answer in 30 s or the answer is not HTTP.
pub async fn http_request(http: SocketAddr, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(http).await.expect("connect");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut response),
    )
    .await
    .expect("the server answers in time")
    .expect("read");
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {head}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    }
}
