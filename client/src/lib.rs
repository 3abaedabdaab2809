//! Terminal clients for wordguess, written against plain async readers and
//! writers so tests drive them without a terminal.
//!
//! - [`play`]: the lecture's `WordGuessClient`: prints the server's messages,
//!   and on `/turn` asks the player for a letter or a word; it can create,
//!   join or watch a room, and takes its seat back by itself (`/resume`)
//!   when the connection drops, from the next of the [`Servers`] it was
//!   given (the nodes of a cluster).
//! - [`check_palindromes`]: the lecture's palindrome client.

use std::time::Duration;

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
    /// The connection broke (reset, or a write to a server that is gone).
    #[error("the connection broke: {0}")]
    Lost(std::io::Error),
    /// The connection was lost and the server no longer holds the seat.
    #[error("the connection was lost and the seat could not be taken back")]
    SeatLost,
    /// The server sent something that is not the protocol.
    #[error("the server sent malformed data: {0}")]
    Malformed(LineError),
}

/// Where the player goes once connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The quick-match game that is gathering (just the name).
    QuickMatch,
    /// A new private room, as its host (`/new`).
    NewRoom,
    /// A friend's room (`/join CODE`).
    Join(String),
    /// Watch a room (`/watch CODE`).
    Watch(String),
}

impl Entry {
    /// The lines that enter: the command, if any, then the name.
    fn lines(&self, name: &str) -> Vec<String> {
        let command = match self {
            Entry::QuickMatch => None,
            Entry::NewRoom => Some("/new".to_owned()),
            Entry::Join(code) => Some(format!("/join {code}")),
            Entry::Watch(code) => Some(format!("/watch {code}")),
        };
        command.into_iter().chain([name.to_owned()]).collect()
    }
}

/// The addresses of a game's servers (one, or the nodes of a cluster),
/// tried in turn: a new connection starts with the address after the one
/// the last connection used, so a client whose node died reconnects to
/// another at once.
#[derive(Debug)]
pub struct Servers {
    /// `HOST:PORT` each.
    addresses: Vec<String>,
    /// Where the next connection starts.
    next: std::sync::atomic::AtomicUsize,
}

impl Servers {
    /// The servers at `addresses` (at least one).
    pub fn new(addresses: Vec<String>) -> Self {
        Self {
            addresses,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Connects to the first server that answers, from the next in turn;
    /// the last error if none does.
    ///
    /// # Errors
    ///
    /// The error of the last address tried, if no server accepts.
    pub async fn connect(&self) -> std::io::Result<tokio::net::TcpStream> {
        use std::sync::atomic::Ordering;
        let count = self.addresses.len();
        let start = self.next.load(Ordering::Relaxed);
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no server address");
        for offset in 0..count {
            let index = (start + offset) % count;
            match tokio::net::TcpStream::connect(&self.addresses[index]).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    self.next.store((index + 1) % count, Ordering::Relaxed);
                    return Ok(stream);
                }
                Err(error) => last = error,
            }
        }
        Err(last)
    }
}

/// How long to wait before each reconnection attempt (the last repeats).
pub const RECONNECT_DELAYS: [Duration; 6] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];

/// What the client knows about its seat across connections.
#[derive(Debug, Default)]
struct Seat {
    /// The resume token, once seated.
    token: Option<String>,
    /// Whether the server accepted the name (or the resume).
    accepted: bool,
}

/// Plays one game: connects with `connect`, enters as `entry` says with
/// `name`, prints server messages to `screen`, and reads `keyboard` all the
/// time: `/commands` go to the server as typed, on `/turn` a letter or a
/// word is the move, and at other times plain text is said in the chat. If the connection drops before
/// `/quit`, it reconnects with growing waits and takes the seat back with
/// `/resume TOKEN`, for as long as the server keeps the seat.
///
/// # Errors
///
/// Returns a [`ClientError`] if the connection fails and cannot be resumed,
/// the server goes away before `/quit`, or it sends malformed data.
pub async fn play<C, F, S, K, O>(
    mut connect: C,
    keyboard: K,
    screen: &mut O,
    name: &str,
    entry: &Entry,
) -> Result<Ending, ClientError>
where
    C: FnMut() -> F,
    F: std::future::Future<Output = std::io::Result<S>>,
    S: AsyncRead + AsyncWrite + Unpin,
    K: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut keyboard = keyboard.lines();
    let mut seat = Seat::default();
    let mut first_lines = entry.lines(name);
    let mut server = connect().await?;
    let mut attempt = 0;
    loop {
        let lost = match session(server, &mut keyboard, screen, &first_lines, &mut seat).await {
            Ok(ending) => return Ok(ending),
            Err(lost @ (ClientError::ServerGone | ClientError::Lost(_)))
                if seat.token.is_some() =>
            {
                lost
            }
            Err(error) => return Err(error),
        };
        let Some(token) = seat.token.clone() else {
            return Err(lost);
        };
        first_lines = vec![format!("/resume {token}")];
        if seat.accepted {
            // The last connection worked: a new loss starts a new series.
            attempt = 0;
        }
        seat.accepted = false;
        print(
            screen,
            "The connection was lost; reconnecting to take your seat back…\n",
        )
        .await?;
        server = loop {
            if attempt >= RECONNECT_ATTEMPTS {
                return Err(ClientError::SeatLost);
            }
            let delay = RECONNECT_DELAYS[attempt.min(RECONNECT_DELAYS.len() - 1)];
            attempt += 1;
            tokio::time::sleep(delay).await;
            if let Ok(server) = connect().await {
                break server;
            }
        };
    }
}

/// How many times the client tries to reconnect before giving up (about
/// two minutes with [`RECONNECT_DELAYS`], the server's default grace).
const RECONNECT_ATTEMPTS: usize = 18;

/// One connection of a game: sends `first_lines`, then plays until `/quit`.
/// The server and the keyboard are both read all the time: a connection
/// lost on the player's turn (a server restart, say) is noticed at once,
/// and the player may chat, ask `/who` or start the game (as host) while
/// others play. What a typed line becomes is [`typed`]'s answer.
async fn session<S, K, O>(
    server: S,
    keyboard: &mut tokio::io::Lines<K>,
    screen: &mut O,
    first_lines: &[String],
    seat: &mut Seat,
) -> Result<Ending, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    K: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (from_server, mut to_server) = tokio::io::split(server);
    let mut from_server = ServerLines::new(from_server);
    for line in first_lines {
        send_line(&mut to_server, line).await?;
    }
    let resuming = first_lines.iter().any(|l| l.starts_with("/resume "));
    let mut my_turn = false;
    // Input that ended (a script, Ctrl-D) ends the game only when a move
    // is wanted: the player may still watch the game to its end.
    let mut keyboard_open = true;
    loop {
        // Both reads are cancel-safe: a line half read stays buffered.
        let line = tokio::select! {
            line = from_server.next() => line?,
            input = keyboard.next_line(), if keyboard_open => {
                let Some(input) = input? else {
                    if my_turn {
                        return Ok(Ending::PlayerLeft);
                    }
                    keyboard_open = false;
                    continue;
                };
                match typed(&input, seat.accepted || resuming, my_turn) {
                    Typed::Send { line, is_move } => {
                        send_line(&mut to_server, &line).await?;
                        my_turn &= !is_move;
                    }
                    Typed::Nothing => {}
                    Typed::Refused(error) => print(screen, &format!("{error}\n")).await?,
                }
                if my_turn {
                    print(screen, MOVE_PROMPT).await?;
                }
                continue;
            }
        };
        match ServerLine::parse(&line) {
            Ok(ServerLine::Message(text)) if my_turn => {
                // Chat or a warning while the player is asked for a move:
                // shown on a line of its own, then the prompt again.
                print(screen, &format!("\n{text}\n{MOVE_PROMPT}")).await?;
            }
            Ok(ServerLine::Message(text)) => {
                print(screen, &format!("{text}\n")).await?;
                if text.starts_with("Hello, ") {
                    seat.accepted = true;
                } else if !seat.accepted && text.starts_with("Error: ") && resuming {
                    seat.token = None;
                    return Err(ClientError::SeatLost);
                } else if !seat.accepted && text.starts_with("Error: ") {
                    // The next line typed is the next name tried.
                    print(screen, "Choose another name: ").await?;
                }
            }
            Ok(ServerLine::Turn) => {
                if !keyboard_open {
                    return Ok(Ending::PlayerLeft);
                }
                my_turn = true;
                print(screen, MOVE_PROMPT).await?;
            }
            Ok(ServerLine::Token(token)) => seat.token = Some(token),
            // The human line that follows says where the player is.
            Ok(ServerLine::Room(_)) => {}
            Ok(ServerLine::Quit) => {
                print(screen, "The game is over. Bye!\n").await?;
                return Ok(Ending::Quit);
            }
            Err(error) => print(screen, &format!("warning: {error}; ignored\n")).await?,
        }
    }
}

/// What a line the player typed becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Typed {
    /// A line for the server; `is_move` if it is the player's move.
    Send { line: String, is_move: bool },
    /// Nothing (an empty line).
    Nothing,
    /// Not sent: why.
    Refused(String),
}

/// What `input` becomes: before the server has taken the player's name,
/// the name to try; a `/command`, as typed, at any time; on the player's
/// turn a bare letter or word is the move; at other times plain text is
/// said in the chat (`/say`).
fn typed(input: &str, named: bool, my_turn: bool) -> Typed {
    let input = input.trim();
    if input.is_empty() {
        return Typed::Nothing;
    }
    if !named {
        return Typed::Send {
            line: input.to_owned(),
            is_move: false,
        };
    }
    if input.starts_with('/') {
        let is_move = matches!(
            ClientCommand::parse(input),
            Ok(ClientCommand::Letter(_) | ClientCommand::Word(_))
        );
        return Typed::Send {
            line: input.to_owned(),
            is_move,
        };
    }
    if !my_turn {
        return Typed::Send {
            line: ClientCommand::Say(input.to_owned()).encode(),
            is_move: false,
        };
    }
    match ClientCommand::from_player_input(input) {
        Ok(command) => Typed::Send {
            line: command.encode(),
            is_move: true,
        },
        Err(error) => Typed::Refused(error.to_string()),
    }
}

/// Asks the player for a move on `/turn`.
const MOVE_PROMPT: &str = "Your turn! Type a letter or the whole word: ";

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
                    let read = self.reader.read_buf(&mut self.buffer).await;
                    if read.map_err(ClientError::Lost)? == 0 {
                        return Err(ClientError::ServerGone);
                    }
                    self.decoder.push(&self.buffer);
                }
            }
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

/// Sends one line to the server; a failure means the connection is lost.
async fn send_line<W: AsyncWrite + Unpin>(writer: &mut W, line: &str) -> Result<(), ClientError> {
    writer
        .write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(ClientError::Lost)?;
    writer.flush().await.map_err(ClientError::Lost)
}

async fn print<O: AsyncWrite + Unpin>(screen: &mut O, text: &str) -> std::io::Result<()> {
    screen.write_all(text.as_bytes()).await?;
    screen.flush().await
}

#[cfg(test)]
mod servers_tests {
    use super::*;

    #[tokio::test]
    async fn a_client_with_several_servers_skips_one_that_is_down_and_starts_the_next_time_after_it(
    ) {
        let up = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let down = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let down_address = down.local_addr().expect("an address").to_string();
        drop(down);
        let up_address = up.local_addr().expect("an address").to_string();
        let servers = Servers::new(vec![down_address, up_address.clone()]);
        let first = servers.connect().await.expect("the live server");
        assert_eq!(first.peer_addr().expect("a peer").to_string(), up_address);
        // The next connection starts after the live one (wrapping to the
        // dead one first), and still finds the live one.
        let again = servers.connect().await.expect("the live server again");
        assert_eq!(again.peer_addr().expect("a peer").to_string(), up_address);
    }
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    fn sent(line: &str, is_move: bool) -> Typed {
        Typed::Send {
            line: line.to_owned(),
            is_move,
        }
    }

    #[test]
    fn a_typed_line_is_a_name_a_command_a_move_or_chat() {
        // Before the server has taken a name, a line is the next name.
        assert_eq!(typed(" alice ", false, false), sent("alice", false));
        // Commands go as typed at any time; only /letter and /word move.
        assert_eq!(typed("/start", true, false), sent("/start", false));
        assert_eq!(typed("/who", true, true), sent("/who", false));
        assert_eq!(typed("/say hi", true, true), sent("/say hi", false));
        assert_eq!(typed("/letter A", true, true), sent("/letter A", true));
        assert_eq!(typed("/word apple", true, true), sent("/word apple", true));
        // On the player's turn a bare letter or word is the move.
        assert_eq!(typed("P", true, true), sent("/letter p", true));
        assert_eq!(typed("Apple", true, true), sent("/word apple", true));
        assert!(matches!(
            typed("not a word!", true, true),
            Typed::Refused(_)
        ));
        // At other times plain text is chat.
        assert_eq!(
            typed("good luck", true, false),
            sent("/say good luck", false)
        );
        assert_eq!(typed("   ", true, true), Typed::Nothing);
    }
}
