//! Starting a real server on loopback for tests (backend, client and e2e).
//!
//! Binds `127.0.0.1:0` for every listener and runs [`crate::run`] in a task,
//! exactly the code path of the binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
        public_url: None,
        allowed_origins: options.allowed_origins,
        web_root: options.web_root,
        limits: options.limits,
        store,
        cluster: None,
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

/// A real `redis-server` (Debian's package) on a free loopback port, with
/// its data in a temporary directory, as operators run it for a cluster
/// (`appendonly yes`, `appendfsync always`). Killed when dropped.
pub struct RedisServer {
    process: Option<std::process::Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its data directory.
    dir: std::path::PathBuf,
}

impl RedisServer {
    /// Starts Redis and waits until it answers.
    pub fn start(test: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut redis = Self {
            process: None,
            port,
            dir: scratch_dir(test),
        };
        redis.run();
        redis
    }

    /// The URL nodes reach it at.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the process on the port and data directory.
    fn run(&mut self) {
        let process = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian's redis-server package; .ci/tools.sh installs it)");
        self.process = Some(process);
        let deadline = std::time::Instant::now() + REDIS_PATIENCE;
        loop {
            if self.ping() {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "Redis did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Whether Redis answers `PING`.
    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(1)));
        let mut answer = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }

    /// Runs `redis-cli` with `args` against this server; its output.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = std::process::Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// `SIGKILL`: Redis dies at once (what it acknowledged is on disk).
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }

    /// Starts Redis again on the same port and data.
    pub fn start_again(&mut self) {
        self.kill();
        self.run();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How long a test waits for Redis to start.
const REDIS_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// A fresh, empty directory for `test`'s files.
fn scratch_dir(test: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "wordguess-redis-{test}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("a temporary directory");
    path
}
