//! `palindrome-client HOST:PORT`: type lines, learn which are palindromes.

use clap::Parser;
use tokio::io::BufReader;
use tokio::net::TcpStream;

/// Reads lines until an empty one and asks the palindrome server about each.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The palindrome service's address, e.g. 127.0.0.1:4001.
    server: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let stream = TcpStream::connect(&cli.server).await?;
    let keyboard = BufReader::new(tokio::io::stdin());
    wordguess_client::check_palindromes(stream, keyboard, &mut tokio::io::stdout()).await?;
    Ok(())
}
