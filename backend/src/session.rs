//! One player's conversation with the server, the same behind every door.
//!
//! A door (TCP or WebSocket) turns its bytes into lines and calls
//! [`Session::on_line`]; the session reads the first line as the player's
//! name, joins the player to the gathering game, and turns later lines into
//! moves for that game. Everything it says goes into the player's
//! [`Outbox`]; it knows nothing about sockets.

use std::sync::Arc;

use tokio::sync::oneshot;
use wordguess_game::{JoinError, Move, PlayerId};
use wordguess_protocol::{text::validate_name, ClientCommand, LineError, ServerEvent};

use crate::context::ServerContext;
use crate::game_actor::GameInput;
use crate::lobby::GameHandle;
use crate::outbox::Outbox;

/// The help text for `/help`.
pub const HELP: &str = "Commands: /letter X names one letter, /word W names the whole word \
(a wrong word cancels your points). Wait for /turn before you move.";

/// Whether the door should keep the connection open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Close the connection (after flushing what is queued).
    Close,
}

/// How often a join may find its game already started before giving up.
const JOIN_ATTEMPTS: usize = 16;

/// One connected player.
#[derive(Debug)]
pub struct Session {
    /// Shared server state.
    context: Arc<ServerContext>,
    /// This connection's id.
    id: PlayerId,
    /// This connection's outbound queue.
    outbox: Outbox,
    /// The game joined, once the name was accepted.
    game: Option<GameHandle>,
}

impl Session {
    /// Starts a session and greets the player.
    pub fn new(context: Arc<ServerContext>, outbox: Outbox) -> Self {
        outbox.send(ServerEvent::Welcome);
        Self {
            id: context.next_player_id(),
            context,
            outbox,
            game: None,
        }
    }

    /// This session's player id.
    pub fn id(&self) -> PlayerId {
        self.id
    }

    /// Whether the player has a name and a game.
    pub fn has_joined(&self) -> bool {
        self.game.is_some()
    }

    /// Handles one line (or a line the door could not decode).
    pub async fn on_line(&mut self, line: Result<String, LineError>) -> Flow {
        let line = match line {
            Ok(line) => line,
            Err(error @ LineError::InvalidUtf8) => {
                self.outbox.error(format!("{error}; send UTF-8 text"));
                return Flow::Continue;
            }
            Err(error @ LineError::TooLong { .. }) => {
                tracing::info!(player = self.id.0, "line too long: closing");
                self.outbox
                    .error(format!("{error}; closing the connection"));
                return Flow::Close;
            }
        };
        match &self.game {
            None => self.on_name(&line).await,
            Some(game) => {
                let game = game.clone();
                self.on_command(&game, &line).await
            }
        }
    }

    async fn on_name(&mut self, line: &str) -> Flow {
        let name = match validate_name(line) {
            Ok(name) => name,
            Err(error) => {
                self.outbox.error(format!("{error}"));
                return Flow::Continue;
            }
        };
        for _ in 0..JOIN_ATTEMPTS {
            let game = self.context.lobby.gathering_game();
            let (reply, answer) = oneshot::channel();
            let join = GameInput::Join {
                id: self.id,
                name: name.clone(),
                outbox: self.outbox.clone(),
                reply,
            };
            if game.inbox.send(join).await.is_err() {
                continue;
            }
            match answer.await {
                Ok(Ok(())) => {
                    tracing::debug!(player = self.id.0, game = game.id, %name, "name accepted");
                    self.game = Some(game);
                    return Flow::Continue;
                }
                Ok(Err(error @ JoinError::NameTaken(_))) => {
                    self.outbox.error(error.to_string());
                    return Flow::Continue;
                }
                // The game started (or ended) meanwhile: try the next one.
                Ok(Err(_)) | Err(_) => continue,
            }
        }
        self.outbox
            .error("the server is busy; could not join a game, please reconnect");
        Flow::Close
    }

    async fn on_command(&mut self, game: &GameHandle, line: &str) -> Flow {
        let mv = match ClientCommand::parse(line) {
            Ok(ClientCommand::Letter(letter)) => Move::Letter(letter),
            Ok(ClientCommand::Word(word)) => Move::Word(word),
            Ok(ClientCommand::Help) => {
                self.outbox.send(ServerEvent::Notice {
                    message: HELP.to_owned(),
                });
                return Flow::Continue;
            }
            Err(error) => {
                self.outbox.error(error.to_string());
                return Flow::Continue;
            }
        };
        let play = GameInput::Play { id: self.id, mv };
        if game.inbox.send(play).await.is_err() {
            self.outbox.error("the game is over");
            return Flow::Close;
        }
        Flow::Continue
    }

    /// Tells the game this player is gone (on disconnect or shutdown).
    pub async fn leave(&mut self) {
        if let Some(game) = self.game.take() {
            let _ = game.inbox.send(GameInput::Leave { id: self.id }).await;
        }
    }
}

/// Drives one connection of either door until it ends: feeds `lines` to a
/// new [`Session`], and stops when the peer leaves, the writer finishes
/// (after `/quit` or a failed write), the client is kicked for not reading,
/// or the server shuts down. Then the player leaves its game and the writer
/// gets a moment to flush what is queued.
pub async fn run_connection<L>(
    context: Arc<ServerContext>,
    outbox: Outbox,
    mut writer: tokio::task::JoinHandle<()>,
    mut lines: L,
) where
    L: futures_util::Stream<Item = Result<String, LineError>> + Unpin,
{
    use futures_util::StreamExt;

    let mut session = Session::new(context.clone(), outbox.clone());
    let player = session.id().0;
    let mut writer_done = false;
    let mut closed_by_us = false;
    let name_deadline = tokio::time::Instant::now() + context.limits.name_timeout;
    let reading = async {
        loop {
            let line = if session.has_joined() {
                lines.next().await
            } else {
                match tokio::time::timeout_at(name_deadline, lines.next()).await {
                    Ok(line) => line,
                    Err(_) => {
                        session
                            .outbox
                            .error("no name was given in time; closing the connection");
                        return true;
                    }
                }
            };
            let Some(line) = line else { return false };
            if session.on_line(line).await == Flow::Close {
                return true;
            }
        }
    };
    tokio::select! {
        close = reading => closed_by_us = close,
        _ = &mut writer => writer_done = true,
        () = outbox.kicked() => tracing::info!(player, "dropped: not reading"),
        () = context.shutdown.cancelled() => {
            outbox.send(ServerEvent::Notice {
                message: "The server is shutting down. Goodbye!".to_owned(),
            });
            outbox.send(ServerEvent::Quit);
        }
    }
    session.leave().await;
    drop(session);
    drop(outbox);
    if !writer_done
        && tokio::time::timeout(context.limits.linger, &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
    if closed_by_us {
        // Read what the peer still sends for a moment, so closing with
        // unread data does not reset the connection before it reads our
        // error message.
        let drain = async { while lines.next().await.is_some() {} };
        let _ = tokio::time::timeout(context.limits.linger / 4, drain).await;
    }
    tracing::debug!(player, "connection closed");
}
