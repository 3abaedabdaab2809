//! Terminal clients for wordguess, written against plain async readers and
//! writers so tests drive them without a terminal.
//!
//! - [`play`]: the lecture's `WordGuessClient`: prints the server's messages,
//!   and on `/turn` asks the player for a letter or a word.
//! - [`check_palindromes`]: the lecture's palindrome client.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use wordguess_protocol::{ClientCommand, LineDecoder, LineError, ServerLine, MAX_LINE_BYTES};

/// Longest line accepted from the server.
const MAX_SERVER_LINE: usize = 64 * 1024;

/// How a game session ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The server sent `/quit`.
    Quit,
    /// The player closed the input (Ctrl-D).
    PlayerLeft,
}

/// Why the client stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Network or terminal IO failed.
    #[error("connection error: {0}")]
    Io(#[from] std::io::Error),
    /// The server closed the connection before `/quit`.
    #[error("the server closed the connection")]
    ServerGone,
    /// The server sent something that is not the protocol.
    #[error("the server sent malformed data: {0}")]
    Malformed(LineError),
}

/// Plays one game: sends `name`, prints server messages to `screen`, and on
/// `/turn` reads the player's letter or word from `keyboard`.
///
/// # Errors
///
/// Returns a [`ClientError`] if the connection fails, the server goes away
/// before `/quit`, or it sends malformed data.
pub async fn play<S, K, O>(
    server: S,
    keyboard: K,
    screen: &mut O,
    name: &str,
) -> Result<Ending, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    K: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (from_server, mut to_server) = tokio::io::split(server);
    let mut from_server = ServerLines::new(from_server);
    let mut keyboard = keyboard.lines();
    let mut name_accepted = false;
    send_line(&mut to_server, name).await?;
    loop {
        let line = from_server.next().await?;
        match ServerLine::parse(&line) {
            Ok(ServerLine::Message(text)) => {
                print(screen, &format!("{text}\n")).await?;
                if text.starts_with("Hello, ") {
                    name_accepted = true;
                } else if !name_accepted && text.starts_with("Error: ") {
                    print(screen, "Choose another name: ").await?;
                    match keyboard.next_line().await? {
                        Some(name) => send_line(&mut to_server, &name).await?,
                        None => return Ok(Ending::PlayerLeft),
                    }
                }
            }
            Ok(ServerLine::Turn) => match ask_move(&mut keyboard, screen).await? {
                Some(command) => send_line(&mut to_server, &command.encode()).await?,
                None => return Ok(Ending::PlayerLeft),
            },
            // The human line that follows says the same.
            Ok(ServerLine::Room(_) | ServerLine::Token(_)) => {}
            Ok(ServerLine::Quit) => {
                print(screen, "The game is over. Bye!\n").await?;
                return Ok(Ending::Quit);
            }
            Err(error) => print(screen, &format!("warning: {error}; ignored\n")).await?,
        }
    }
}

/// The server's lines, bounded by [`MAX_SERVER_LINE`].
struct ServerLines<R> {
    /// The server's side of the connection.
    reader: R,
    /// Splits what arrived into lines.
    decoder: LineDecoder,
    /// One read's worth of bytes.
    buffer: Vec<u8>,
}

impl<R: AsyncRead + Unpin> ServerLines<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            decoder: LineDecoder::new(MAX_SERVER_LINE),
            buffer: Vec::with_capacity(4096),
        }
    }

    /// The next line; the server closing the connection is an error here,
    /// because both protocols end with the client, not the server.
    async fn next(&mut self) -> Result<String, ClientError> {
        loop {
            match self.decoder.next_line() {
                Some(line) => return line.map_err(ClientError::Malformed),
                None => {
                    self.buffer.clear();
                    if self.reader.read_buf(&mut self.buffer).await? == 0 {
                        return Err(ClientError::ServerGone);
                    }
                    self.decoder.push(&self.buffer);
                }
            }
        }
    }
}

/// Prompts until the player types a valid letter or word; `None` at EOF.
async fn ask_move<K, O>(
    keyboard: &mut tokio::io::Lines<K>,
    screen: &mut O,
) -> Result<Option<ClientCommand>, ClientError>
where
    K: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    loop {
        print(screen, "Your turn! Type a letter or the whole word: ").await?;
        let Some(input) = keyboard.next_line().await? else {
            return Ok(None);
        };
        match ClientCommand::from_player_input(&input) {
            Ok(command) => return Ok(Some(command)),
            Err(error) => print(screen, &format!("{error}\n")).await?,
        }
    }
}

/// Sends each line of `input` (until an empty line or EOF) to a palindrome
/// server and prints whether it is a palindrome.
///
/// # Errors
///
/// Returns a [`ClientError`] if the connection fails or closes early.
pub async fn check_palindromes<S, K, O>(
    server: S,
    keyboard: K,
    screen: &mut O,
) -> Result<(), ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    K: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (from_server, mut to_server) = tokio::io::split(server);
    let mut answers = ServerLines::new(from_server);
    let mut keyboard = keyboard.lines();
    while let Some(line) = keyboard.next_line().await? {
        if line.is_empty() {
            break;
        }
        if line.len() > MAX_LINE_BYTES {
            print(
                screen,
                &format!("skipped: longer than {MAX_LINE_BYTES} bytes\n"),
            )
            .await?;
            continue;
        }
        send_line(&mut to_server, &line).await?;
        let answer = answers.next().await?;
        let verdict = if answer == "1" {
            "is a palindrome"
        } else {
            "is not a palindrome"
        };
        print(screen, &format!("\"{line}\" {verdict}\n")).await?;
    }
    Ok(())
}

async fn send_line<W: AsyncWrite + Unpin>(writer: &mut W, line: &str) -> std::io::Result<()> {
    writer.write_all(format!("{line}\n").as_bytes()).await?;
    writer.flush().await
}

async fn print<O: AsyncWrite + Unpin>(screen: &mut O, text: &str) -> std::io::Result<()> {
    screen.write_all(text.as_bytes()).await?;
    screen.flush().await
}
