//! `wordguess-client HOST:PORT --name NAME`: play wordguess in a terminal.

use clap::Parser;
use tokio::io::BufReader;
use tokio::net::TcpStream;
use wordguess_client::{play, ClientError};

/// Play wordguess: prints the game, and asks for a letter or a word on your turn.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The server's TCP game address, e.g. 127.0.0.1:4000.
    server: String,
    /// Your name in the game (1 to 32 characters, not starting with '/').
    #[arg(long)]
    name: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let stream = match TcpStream::connect(&cli.server).await {
        Ok(stream) => stream,
        Err(error) => {
            eprintln!("error: cannot connect to {}: {error}", cli.server);
            return std::process::ExitCode::from(1);
        }
    };
    let _ = stream.set_nodelay(true);
    let keyboard = BufReader::new(tokio::io::stdin());
    let mut screen = tokio::io::stdout();
    match play(stream, keyboard, &mut screen, &cli.name).await {
        Ok(_) => std::process::ExitCode::SUCCESS,
        Err(error @ ClientError::Malformed(_)) => {
            eprintln!("error: {error}");
            std::process::ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::from(1)
        }
    }
}
