//! How a text client reads the server's lines: `/turn`, `/quit`, or a
//! message to print.
//!
//! # Format
//!
//! ```text
//! /turn         it is your move: send /letter X or /word W
//! /quit         the game is over; disconnect
//! /room CODE    you are in room CODE
//! /token TOKEN  your resume token (send /resume TOKEN after a lost connection)
//! anything else a message for the player to read
//! ```

use thiserror::Error;

/// One line from the server, as a text client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerLine {
    /// The server gives this client the move.
    Turn,
    /// The game is over; the client should disconnect.
    Quit,
    /// The client is in this room.
    Room(String),
    /// The client's resume token.
    Token(String),
    /// Text to show the player.
    Message(String),
}

/// A line the client cannot make sense of.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ServerLineError {
    /// A `/command` this client does not know.
    #[error("the server sent an unknown command '{0}'")]
    UnknownCommand(String),
}

impl ServerLine {
    /// Parses one server line (without its newline).
    ///
    /// # Errors
    ///
    /// Returns [`ServerLineError::UnknownCommand`] for an unknown `/command`.
    pub fn parse(line: &str) -> Result<Self, ServerLineError> {
        match line.trim_end() {
            "/turn" => Ok(ServerLine::Turn),
            "/quit" => Ok(ServerLine::Quit),
            command if command.starts_with("/room ") => Ok(ServerLine::Room(
                command["/room ".len()..].trim().to_owned(),
            )),
            command if command.starts_with("/token ") => Ok(ServerLine::Token(
                command["/token ".len()..].trim().to_owned(),
            )),
            command if command.starts_with('/') => Err(ServerLineError::UnknownCommand(
                crate::text::sanitize(command),
            )),
            _ => Ok(ServerLine::Message(line.to_owned())),
        }
    }

    /// Formats the line as sent on the wire (without the newline).
    pub fn encode(&self) -> String {
        match self {
            ServerLine::Turn => "/turn".to_owned(),
            ServerLine::Quit => "/quit".to_owned(),
            ServerLine::Room(code) => format!("/room {code}"),
            ServerLine::Token(token) => format!("/token {token}"),
            ServerLine::Message(text) => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_messages_are_told_apart() {
        assert_eq!(ServerLine::parse("/turn"), Ok(ServerLine::Turn));
        assert_eq!(ServerLine::parse("/quit\r"), Ok(ServerLine::Quit));
        assert_eq!(
            ServerLine::parse("It is bob's turn."),
            Ok(ServerLine::Message("It is bob's turn.".into()))
        );
        assert_eq!(
            ServerLine::parse("/explode"),
            Err(ServerLineError::UnknownCommand("/explode".into()))
        );
    }

    #[test]
    fn encode_round_trips() {
        for line in [
            ServerLine::Turn,
            ServerLine::Quit,
            ServerLine::Room("K7QXPM".into()),
            ServerLine::Token("0123456789abcdef0123456789abcdef".into()),
            ServerLine::Message("hi".into()),
        ] {
            assert_eq!(ServerLine::parse(&line.encode()), Ok(line.clone()));
        }
    }
}
