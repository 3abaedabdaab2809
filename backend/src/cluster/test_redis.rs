//! A real `redis-server` for tests (the cluster's, and those of other
//! crates through `testkit`): Debian's package, started on a free loopback
//! port with its data in a temporary directory, and killed when dropped.

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
