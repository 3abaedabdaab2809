//! One connection's conversation with the server, the same behind every
//! door, as an explicit state machine.
//!
//! ```text
//!            name / /new+name / /join CODE+name           game over, /quit
//!  Choosing ───────────────────────────────────▶ Seated ───────────────▶ closed
//!     │  └── /resume TOKEN ───────────────────────▲  │ seat moved to another
//!     │                                              │ connection (/resume)
//!     └── /watch CODE + name ──▶ Watching ──────────────────────────────▶ closed
//! ```
//!
//! A door (TCP or WebSocket) turns its bytes into lines and calls
//! [`Session::on_line`]. Each command is checked against the phase, and a
//! refusal names what the player can send now. The session never touches a
//! room's state: it sends the room plain-data [`RoomInput`]s naming its
//! connection by id, and learns about its own phase changes through
//! [`Signal`]s. Everything it says goes into the connection's [`Outbox`]; it
//! knows nothing about sockets.

pub mod context;
pub mod driver;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wordguess_game::Move;
use wordguess_protocol::{
    text::validate_name, ClientCommand, CommandError, LineError, ResumeToken, ServerEvent,
};

use crate::delivery::{Endpoint, Signal, SignalSlot};
use crate::directory::{RoomClosed, RoomHandle};
use crate::edge::outbox::{CloseReason, Outbox};
use crate::persistence::{HISTORY_GAMES, TOP_LINES};
use crate::room::messages::{Role, RoomCommand, RoomInput};
use crate::support::clock::now;
use crate::support::ids::{ConnId, Door};
use crate::support::metrics::DropReason;
use crate::support::rate::TokenBucket;
pub use context::ServerContext;
pub use driver::spawn_connection;

/// `/help` before joining.
pub const HELP_CHOOSING: &str = "Send your name to join a quick-match game. Or first: \
/new creates a private room that you host, /join CODE joins a friend's room, /watch CODE \
watches one; /resume TOKEN takes your seat back after a lost connection. /top shows the \
leaderboard, /history CODE a room's last games.";

/// `/help` for a seated player.
pub const HELP_SEATED: &str = "Commands: /letter X names one letter, /word W names the whole \
word (a wrong word cancels your points); wait for /turn before you move. /say TEXT chats, \
/who lists who is here. The host: /start starts the game; before it, /lang uk|en|both, \
/time SECS|off and /wordlist W1 W2 ... (or /wordlist builtin) set the room's words and turn time; \
/kick NAME removes a player from the room; /bot [easy|normal|hard] seats a computer player \
before the start, /unbot NAME takes one out. In a quick match, /votekick NAME votes to remove a player. /top shows the leaderboard, /history this room's last games.";

/// `/help` for a spectator.
pub const HELP_WATCHING: &str =
    "You are watching: /say TEXT chats, /who lists who is here, /top shows the leaderboard, \
/history this room's last games. Spectators cannot move.";

/// Told with each command while a cluster's Redis cannot be reached.
pub const STORE_AWAY: &str = "The server cannot reach its storage right now: your line is \
kept and answered once it is back. Please wait; there is no need to send it again.";

/// How long a session waits for a room to answer an entry.
const ROOM_ANSWER: Duration = Duration::from_secs(10);

/// How often a quick-match entry may find its room already started.
const JOIN_ATTEMPTS: usize = 16;

/// Free places in the outbound queue a command waits for before it goes to
/// the room (its replies: an error, `/who`, a snapshot).
const REPLY_ROOM: usize = 4;

/// Whether the door should keep the connection open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Close the connection (after flushing what is queued).
    Close,
}

/// Where the player wants to go once named.
#[derive(Debug, Clone)]
enum Intent {
    /// The quick-match room that is gathering.
    QuickMatch,
    /// A new private room, as its host.
    NewRoom,
    /// This room, as a player.
    Join(RoomHandle),
    /// This room, as a spectator.
    Watch(RoomHandle),
    /// A `/join` or `/watch` named a room that does not exist: the next
    /// name is refused (it was probably sent right after the code), and
    /// the one after goes to quick match.
    Missing(wordguess_protocol::RoomCode),
}

/// The session's phase.
#[derive(Debug, Clone)]
enum Phase {
    /// Before a seat: the name, or `/new`, `/join`, `/watch`, `/resume`.
    Choosing(Intent),
    /// Holds a seat in this room.
    Seated(RoomHandle),
    /// Watches this room.
    Watching(RoomHandle),
}

/// One connection's session.
#[derive(Debug)]
pub struct Session {
    /// Shared server state.
    context: Arc<ServerContext>,
    /// This connection's id.
    conn: ConnId,
    /// The door it came through.
    door: Door,
    /// This connection's outbound queue.
    outbox: Outbox,
    /// Phase changes from rooms.
    signals: Arc<SignalSlot>,
    /// Where the conversation is.
    phase: Phase,
    /// How fast this connection may send commands.
    commands: TokenBucket,
    /// Cancelled if this connection must make room before it has a name.
    evict: Option<CancellationToken>,
    /// The token of the seat this connection holds, once seated.
    seat_token: Option<ResumeToken>,
    /// The name it plays or watches under, once in a room (for its log
    /// lines, and to watch again when the room moves to another node).
    name: Option<String>,
    /// The room an entry was sent to, until it answers: if the session
    /// gives up waiting or ends first, that room is told the connection is
    /// gone (it may have seated it already). Boxed: it is set only while an
    /// entry waits, and every idle connection would carry its room.
    entering: Option<Box<RoomHandle>>,
}

impl Session {
    /// Starts a session, registers its connection and greets the player.
    pub fn new(context: Arc<ServerContext>, conn: ConnId, outbox: Outbox, door: Door) -> Self {
        let signals = Arc::new(SignalSlot::default());
        context.delivery.attach(
            conn,
            Endpoint {
                outbox: outbox.clone(),
                signals: signals.clone(),
                door,
            },
        );
        outbox.send(ServerEvent::Welcome);
        let limits = &context.limits;
        let commands = TokenBucket::new(limits.command_burst, limits.commands_per_second, now());
        Self {
            evict: Some(context.gate.register_unnamed(conn)),
            context,
            conn,
            door,
            outbox,
            signals,
            phase: Phase::Choosing(Intent::QuickMatch),
            commands,
            seat_token: None,
            name: None,
            entering: None,
        }
    }

    /// Moves to `phase`; once in a room the connection is no longer one
    /// that may be evicted for having no name.
    fn set_phase(&mut self, phase: Phase) {
        if !matches!(phase, Phase::Choosing(_)) {
            self.context.gate.forget_unnamed(self.conn);
            self.evict = None;
        }
        self.phase = phase;
    }

    /// Waits for this line's turn (the command rate limit), as IRC servers
    /// pace their clients: a line sent too fast is served late, never
    /// dropped. Meanwhile nothing more is read from the connection, so a
    /// client that pastes or pipelines is slowed down by its own socket.
    async fn pace(&mut self) {
        loop {
            let now = now();
            if self.commands.try_take(now) {
                return;
            }
            tokio::time::sleep(
                self.commands
                    .wait(now)
                    .max(std::time::Duration::from_millis(1)),
            )
            .await;
        }
    }

    /// This session's connection id.
    pub fn conn(&self) -> ConnId {
        self.conn
    }

    /// The door the connection came through.
    pub fn door(&self) -> Door {
        self.door
    }

    /// The name the connection is known by in its room, once it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether the connection has entered a room (seated or watching).
    pub fn has_joined(&self) -> bool {
        !matches!(self.phase, Phase::Choosing(_))
    }

    /// The code of the room the connection is in, if any.
    pub fn room_code(&self) -> Option<wordguess_protocol::RoomCode> {
        match &self.phase {
            Phase::Seated(room) | Phase::Watching(room) => Some(room.code.clone()),
            Phase::Choosing(_) => None,
        }
    }

    /// Handles one line (or a line the door could not decode).
    pub async fn on_line(&mut self, line: Result<String, LineError>) -> Flow {
        let line = match line {
            Ok(line) => {
                self.pace().await;
                line
            }
            Err(error @ LineError::InvalidUtf8) => {
                self.pace().await;
                self.reply_error(format!("{error}; send UTF-8 text")).await;
                return Flow::Continue;
            }
            Err(error @ (LineError::Backlog { .. } | LineError::Ahead { .. })) => {
                tracing::info!("too many lines at once: closing");
                self.context.metrics.dropped(DropReason::rate_limit);
                self.outbox.closing.set(CloseReason::Policy);
                let rate = self.context.limits.commands_per_second;
                self.outbox.error(format!(
                    "{error} (they are served {rate} a second); closing the connection"
                ));
                return Flow::Close;
            }
            Err(error @ LineError::TooLong { .. }) => {
                tracing::info!("line too long: closing");
                self.context.metrics.dropped(DropReason::too_long);
                self.outbox.closing.set(CloseReason::TooBig);
                self.outbox
                    .error(format!("{error}; closing the connection"));
                return Flow::Close;
            }
        };
        match self.phase.clone() {
            Phase::Choosing(intent) if !line.trim_start().starts_with('/') => {
                self.on_name(intent, &line).await
            }
            Phase::Choosing(_) => self.on_choosing_command(&line).await,
            Phase::Seated(room) => self.on_seated_command(&room, &line).await,
            Phase::Watching(room) => self.on_watching_command(&room, &line).await,
        }
    }

    /// Refuses `error` and says what the player can send now.
    async fn refuse(&self, error: impl std::fmt::Display) {
        let allowed = match &self.phase {
            Phase::Choosing(_) => {
                "now you can send your name, /new, /join CODE, /watch CODE, /resume TOKEN or /help"
            }
            Phase::Seated(_) => {
                "now you can send /letter X, /word W (on your turn), /say TEXT, /who, /start (host) or /help"
            }
            Phase::Watching(_) => "now you can send /say TEXT, /who or /help",
        };
        self.reply_error(format!("{error}; {allowed}")).await;
    }

    /// A reply to the client's own command (waits while its queue is full).
    async fn notice(&self, message: impl Into<String>) {
        self.outbox
            .reply(ServerEvent::Notice {
                message: message.into(),
            })
            .await;
    }

    /// A private error in reply to the client's own line.
    async fn reply_error(&self, message: impl Into<String>) {
        self.outbox
            .reply(ServerEvent::Error {
                message: message.into(),
            })
            .await;
    }

    /// `/top` and `/history`, in any phase: the leaderboard, or the last
    /// games of the named room, the room this connection is in, or the
    /// whole server.
    async fn records(&self, command: ClientCommand) {
        let store = &self.context.records;
        let answer = match command {
            ClientCommand::History(code) => {
                let here = match &self.phase {
                    Phase::Seated(room) | Phase::Watching(room) => Some(room.code.clone()),
                    Phase::Choosing(_) => None,
                };
                // Only a room one knows the code of: a list of every room's
                // games would give away the codes of private rooms.
                let Some(room) = code.or(here) else {
                    self.refuse("which room? send /history CODE").await;
                    return;
                };
                store
                    .history(&room, HISTORY_GAMES)
                    .await
                    .map(|games| ServerEvent::History {
                        room: room.to_string(),
                        games,
                    })
            }
            _ => store
                .leaderboard(TOP_LINES)
                .await
                .map(|players| ServerEvent::Leaderboard { players }),
        };
        match answer {
            Ok(event) => {
                self.outbox.reply(event).await;
            }
            Err(error) => self.reply_error(error.to_string()).await,
        }
    }

    async fn on_choosing_command(&mut self, line: &str) -> Flow {
        let command = match ClientCommand::parse(line) {
            Ok(command) => command,
            Err(error) => {
                self.refuse(error).await;
                return Flow::Continue;
            }
        };
        let watch = matches!(command, ClientCommand::Watch(_));
        match command {
            ClientCommand::Help => self.notice(HELP_CHOOSING).await,
            ClientCommand::New => {
                self.phase = Phase::Choosing(Intent::NewRoom);
                self.notice("A private room will be made for you to host. Now send your name.")
                    .await;
            }
            ClientCommand::Join(code) | ClientCommand::Watch(code) => {
                let Some(room) = self.context.directory.find(&code).await else {
                    self.refuse(format!(
                        "there is no open room {code}; check the code, or /new makes a room"
                    ))
                    .await;
                    self.phase = Phase::Choosing(Intent::Missing(code));
                    return Flow::Continue;
                };
                if watch {
                    self.phase = Phase::Choosing(Intent::Watch(room));
                    self.notice(format!(
                        "Now send a name (shown in chat) to watch room {code}."
                    ))
                    .await;
                } else {
                    self.phase = Phase::Choosing(Intent::Join(room));
                    self.notice(format!("Now send your name to join room {code}."))
                        .await;
                }
            }
            ClientCommand::Resume(token) => return self.resume(token).await,
            command @ (ClientCommand::Top | ClientCommand::History(_)) => {
                self.records(command).await;
            }
            _ => self.refuse("you are not in a game yet").await,
        }
        Flow::Continue
    }

    async fn resume(&mut self, token: ResumeToken) -> Flow {
        let Some(room) = self.context.directory.find_by_token(&token).await else {
            self.refuse(
                "that token holds no seat (the game ended, the seat was given up, or it is mistyped)",
            ).await;
            return Flow::Continue;
        };
        let input = RoomInput::Resume {
            conn: self.conn,
            token,
            door: self.door,
        };
        if let Some(Signal::Seated {
            room: code,
            token,
            name,
        }) = self.enter(&room, input).await
        {
            if code == room.code {
                self.name = Some(name);
                self.seat_token = Some(token);
                self.set_phase(Phase::Seated(room));
            }
        }
        Flow::Continue
    }

    /// The room this session is in moved to another node of the cluster:
    /// the session finds it where it is now and enters it again, with its
    /// seat's token or as the same spectator. The player does not
    /// reconnect; the room sends it the game as it stands.
    pub async fn rehome(&mut self, code: wordguess_protocol::RoomCode) {
        let (room, watching) = match &self.phase {
            Phase::Seated(room) => (room, false),
            Phase::Watching(room) => (room, true),
            Phase::Choosing(_) => return,
        };
        if room.code != code {
            return;
        }
        let input = match (watching, &self.seat_token, &self.name) {
            (false, Some(token), _) => RoomInput::Resume {
                conn: self.conn,
                token: token.clone(),
                door: self.door,
            },
            (true, _, Some(name)) => RoomInput::Enter {
                conn: self.conn,
                name: name.clone(),
                role: Role::Spectator,
                door: self.door,
            },
            _ => return,
        };
        let found = self.context.directory.find(&code).await;
        let answer = match &found {
            Some(room) => self.enter(room, input).await,
            None => None,
        };
        match (found, answer) {
            (Some(room), Some(Signal::Seated { .. })) => self.set_phase(Phase::Seated(room)),
            (Some(room), Some(Signal::Watching { .. })) => self.set_phase(Phase::Watching(room)),
            // The seat moved to a newer connection meanwhile: this one
            // closes (the signal stays for the connection's loop).
            (_, Some(Signal::Replaced)) => {}
            _ => {
                self.phase = Phase::Choosing(Intent::QuickMatch);
                let again = match &self.seat_token {
                    Some(token) if !watching => format!("; send /resume {token} to try again"),
                    _ => String::new(),
                };
                self.outbox.error(format!(
                    "room {code} moved to another server and could not be reached{again}"
                ));
            }
        }
    }

    /// Sends an entry to `room` and waits for its answer.
    async fn enter(&mut self, room: &RoomHandle, input: RoomInput) -> Option<Signal> {
        // Before sending: the answer may come before this task runs again.
        self.signals.forget_stale();
        if room.send(input.clone()).await.is_err() {
            return Some(Signal::Refused { retry: true });
        }
        self.entering = Some(Box::new(room.clone()));
        let deadline = tokio::time::Instant::now() + ROOM_ANSWER;
        let answer = loop {
            match tokio::time::timeout_at(deadline, self.signals.next()).await {
                // The room moved to another node while the entry was on its
                // way, and the entry may have been lost with the node it
                // reached: it is sent again where the room is now (a room
                // answers a second entry of one connection as the first).
                Ok(Signal::Moved { room: code }) => {
                    if let Some(moved) = self.context.directory.find(&code).await {
                        let _ = moved.send(input.clone()).await;
                        self.entering = Some(Box::new(moved));
                    }
                }
                // What the room sent (perhaps the answer) was lost on its
                // way from another node: the entry is sent again.
                Ok(Signal::Missed) => {
                    if let Some(entering) = &self.entering {
                        let _ = entering.send(input.clone()).await;
                    }
                }
                answer => break answer,
            }
        };
        self.entering = None;
        match answer {
            Ok(signal) => Some(signal),
            Err(_) => {
                tracing::warn!(room = %room.code, "room did not answer an entry");
                let _ = room.send(RoomInput::Gone { conn: self.conn }).await;
                None
            }
        }
    }

    async fn on_name(&mut self, intent: Intent, line: &str) -> Flow {
        let name = match validate_name(line) {
            Ok(name) => name,
            Err(error) => {
                self.reply_error(error.to_string()).await;
                return Flow::Continue;
            }
        };
        let (role, fixed_room) = match intent {
            Intent::Missing(code) => {
                self.phase = Phase::Choosing(Intent::QuickMatch);
                self.refuse(format!(
                    "room {code} was not found, so '{name}' did not join anything; send /join CODE \
                     with the right code, or your name again for a quick match"
                ))
                .await;
                return Flow::Continue;
            }
            Intent::QuickMatch => (Role::Player, None),
            Intent::NewRoom => (
                Role::Player,
                Some(self.context.directory.create_private().await),
            ),
            Intent::Join(room) => (Role::Player, Some(room)),
            Intent::Watch(room) => (Role::Spectator, Some(room)),
        };
        let attempts = if fixed_room.is_some() {
            1
        } else {
            JOIN_ATTEMPTS
        };
        for _ in 0..attempts {
            let room = match &fixed_room {
                Some(room) => room.clone(),
                None => self.context.directory.quick_room().await,
            };
            let input = RoomInput::Enter {
                conn: self.conn,
                name: name.clone(),
                role,
                door: self.door,
            };
            match self.enter(&room, input).await {
                Some(Signal::Seated { token, .. }) => {
                    tracing::debug!(room = %room.code, "seated");
                    self.name = Some(name);
                    self.seat_token = Some(token);
                    self.set_phase(Phase::Seated(room));
                    return Flow::Continue;
                }
                Some(Signal::Watching { .. }) => {
                    self.name = Some(name);
                    self.set_phase(Phase::Watching(room));
                    return Flow::Continue;
                }
                Some(Signal::Refused { retry: true }) if fixed_room.is_none() => continue,
                Some(Signal::Refused { retry: true }) => {
                    let code = &room.code;
                    let why = if room.is_closed() {
                        format!("room {code} has closed")
                    } else {
                        format!(
                            "the game in room {code} has started; /watch {code} to watch it, \
                             or join again when it ends"
                        )
                    };
                    self.phase = Phase::Choosing(Intent::QuickMatch);
                    self.refuse(why).await;
                    return Flow::Continue;
                }
                // The room said why (a taken name: send another one).
                Some(Signal::Refused { retry: false }) => {
                    if fixed_room.is_none() {
                        self.context.directory.release_quick_seat(&room.code);
                    }
                    return Flow::Continue;
                }
                // (`enter` waits through a move.)
                Some(Signal::Replaced | Signal::Moved { .. } | Signal::Missed) | None => {
                    if fixed_room.is_none() {
                        self.context.directory.release_quick_seat(&room.code);
                    }
                    break;
                }
            }
        }
        self.outbox
            .error("the server is busy; could not join a game, please reconnect");
        Flow::Close
    }

    async fn on_seated_command(&mut self, room: &RoomHandle, line: &str) -> Flow {
        let command = match ClientCommand::parse(line) {
            Ok(command) => command,
            Err(CommandError::NotACommand) => {
                self.refuse("plain text is not a command (to chat, send /say TEXT)")
                    .await;
                return Flow::Continue;
            }
            Err(error) => {
                self.refuse(error).await;
                return Flow::Continue;
            }
        };
        let command = match command {
            ClientCommand::Letter(letter) => RoomCommand::Play(Move::Letter(letter)),
            ClientCommand::Word(word) => RoomCommand::Play(Move::Word(word)),
            ClientCommand::Start => RoomCommand::Start,
            ClientCommand::Say(text) => RoomCommand::Say(text),
            ClientCommand::Who => RoomCommand::Who,
            ClientCommand::Lang(language) => RoomCommand::Lang(language),
            ClientCommand::Time(seconds) => RoomCommand::Time(seconds),
            ClientCommand::WordList(words) => RoomCommand::WordList(words),
            ClientCommand::Kick(name) => RoomCommand::Kick(name),
            ClientCommand::Bot(level) => RoomCommand::Bot(level),
            ClientCommand::Unbot(name) => RoomCommand::Unbot(name),
            ClientCommand::VoteKick(name) => RoomCommand::VoteKick(name),
            ClientCommand::Help => {
                self.notice(HELP_SEATED).await;
                return Flow::Continue;
            }
            command @ (ClientCommand::Top | ClientCommand::History(_)) => {
                self.records(command).await;
                return Flow::Continue;
            }
            ClientCommand::New
            | ClientCommand::Join(_)
            | ClientCommand::Watch(_)
            | ClientCommand::Resume(_) => {
                self.refuse(format!("you are already in room {}", room.code))
                    .await;
                return Flow::Continue;
            }
        };
        self.send_to_room(room, command).await
    }

    async fn on_watching_command(&mut self, room: &RoomHandle, line: &str) -> Flow {
        let command = match ClientCommand::parse(line) {
            Ok(ClientCommand::Help) => {
                self.notice(HELP_WATCHING).await;
                return Flow::Continue;
            }
            Ok(ClientCommand::Say(text)) => RoomCommand::Say(text),
            Ok(ClientCommand::Who) => RoomCommand::Who,
            Ok(command @ (ClientCommand::Top | ClientCommand::History(_))) => {
                self.records(command).await;
                return Flow::Continue;
            }
            Ok(
                ClientCommand::Letter(_)
                | ClientCommand::Word(_)
                | ClientCommand::Start
                | ClientCommand::Lang(_)
                | ClientCommand::Time(_)
                | ClientCommand::WordList(_)
                | ClientCommand::Kick(_)
                | ClientCommand::Bot(_)
                | ClientCommand::Unbot(_)
                | ClientCommand::VoteKick(_),
            ) => {
                self.refuse("spectators cannot move or change the room")
                    .await;
                return Flow::Continue;
            }
            Ok(_) => {
                self.refuse(format!("you are watching room {}", room.code))
                    .await;
                return Flow::Continue;
            }
            Err(error) => {
                self.refuse(error).await;
                return Flow::Continue;
            }
        };
        self.send_to_room(room, command).await
    }

    async fn send_to_room(&mut self, room: &RoomHandle, command: RoomCommand) -> Flow {
        // A command is forwarded only when its reply will fit: a client that
        // pipelines commands without reading is slowed down, not dropped.
        if !self.outbox.make_room(REPLY_ROOM).await {
            return Flow::Close;
        }
        let input = RoomInput::Command {
            conn: self.conn,
            command,
        };
        if self.send_input(room, input).await.is_err() {
            self.outbox.error("the room has closed");
            return Flow::Close;
        }
        if !self.context.records.is_reachable() {
            self.notice(STORE_AWAY).await;
        }
        Flow::Continue
    }

    /// What a seated player is told when the server shuts down with a
    /// database: the game is saved and goes on after the restart (`None`
    /// without a seat or a database: that is goodbye).
    fn seat_saved(&self) -> Option<String> {
        if !self.context.keeps_rooms {
            return None;
        }
        let (Phase::Seated(room), Some(token)) = (&self.phase, &self.seat_token) else {
            return None;
        };
        if room.is_unsaved() {
            return None;
        }
        let grace = self.context.resume_grace.as_secs();
        if self.context.clustered {
            return Some(format!(
                "This server is stopping; your game goes on on the others. Reconnect and send \
                 /resume {token} within {grace} s to play on (wordguess-client and the browser \
                 app do this by themselves)."
            ));
        }
        Some(format!(
            "The server is restarting; your game is saved. Reconnect and send \
             /resume {token} within {grace} s of its return to play on \
             (wordguess-client and the browser app do this by themselves)."
        ))
    }

    /// The session ends: the room learns the connection is gone (a seat is
    /// kept, away, for the grace period).
    pub async fn close(&mut self) {
        self.context.delivery.detach(self.conn);
        self.context.gate.forget_unnamed(self.conn);
        let room = match &self.phase {
            Phase::Seated(room) | Phase::Watching(room) => Some(room.clone()),
            Phase::Choosing(_) => self.entering.take().map(|room| *room),
        };
        if let Some(room) = room {
            let _ = self
                .send_input(&room, RoomInput::Gone { conn: self.conn })
                .await;
        }
    }

    /// Sends `input` to the session's room. A handle whose room stopped
    /// here because it moved to another node is replaced by the room where
    /// it is now.
    async fn send_input(&mut self, room: &RoomHandle, input: RoomInput) -> Result<(), RoomClosed> {
        let input = match room.try_send(input) {
            Ok(()) => return Ok(()),
            Err(input) if !room.is_closed() => return room.send(input).await,
            Err(input) => input,
        };
        let moved = self
            .context
            .directory
            .find(&room.code)
            .await
            .ok_or(RoomClosed)?;
        moved.send(input).await?;
        match &mut self.phase {
            Phase::Seated(held) | Phase::Watching(held) if held.code == moved.code => {
                *held = moved;
            }
            _ => {}
        }
        Ok(())
    }
}
