//! `wordguess-client HOST:PORT [HOST:PORT ...] --name NAME`: play wordguess
//! in a terminal (several addresses: the nodes of a cluster, tried in turn).

use clap::Parser;
use tokio::io::BufReader;
use wordguess_client::{play, ClientError, Entry, Servers};

/// Play wordguess: prints the game, and asks for a letter or a word on your turn.
///
/// What you type: on your turn, a letter or the whole word is your move; a
/// line starting with '/' is a command, sent as typed at any time (/start
/// as host, /who, /say TEXT, /help ...); any other line while it is not
/// your turn is said in the room's chat.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// The server's TCP game address, e.g. 127.0.0.1:4000; several for the
    /// nodes of a cluster (a lost connection reconnects to the next).
    #[arg(required = true, value_name = "HOST:PORT")]
    server: Vec<String>,
    /// Your name in the game (1 to 32 characters, not starting with '/').
    #[arg(long)]
    name: String,
    /// Create a private room and host it (friends join with its code).
    #[arg(long, conflicts_with_all = ["join", "watch"])]
    new: bool,
    /// Join a friend's room by its code.
    #[arg(long, value_name = "CODE", conflicts_with = "watch")]
    join: Option<String>,
    /// Watch a room by its code.
    #[arg(long, value_name = "CODE")]
    watch: Option<String>,
}

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(run());
    // Exits with the runtime still alive: a game can end while a read of
    // the keyboard is under way (on the player's turn), and tokio cannot
    // cancel that read, so dropping the runtime would wait for a key press.
    std::process::exit(code);
}

/// Plays, and returns the process's exit code.
async fn run() -> i32 {
    let cli = Cli::parse();
    let entry = match (cli.new, cli.join, cli.watch) {
        (true, _, _) => Entry::NewRoom,
        (_, Some(code), _) => Entry::Join(code),
        (_, _, Some(code)) => Entry::Watch(code),
        _ => Entry::QuickMatch,
    };
    let servers = std::sync::Arc::new(Servers::new(cli.server.clone()));
    let connect = || {
        let servers = servers.clone();
        async move { servers.connect().await }
    };
    let keyboard = BufReader::new(tokio::io::stdin());
    let mut screen = tokio::io::stdout();
    match play(connect, keyboard, &mut screen, &cli.name, &entry).await {
        Ok(_) => 0,
        Err(error @ ClientError::Malformed(_)) => {
            eprintln!("error: {error}");
            2
        }
        Err(ClientError::Io(error)) => {
            eprintln!("error: cannot talk to {}: {error}", cli.server.join(", "));
            1
        }
        Err(error) => {
            eprintln!("error: {error}");
            1
        }
    }
}
