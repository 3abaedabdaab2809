//! What a client sends once it has named itself: `/letter X`, `/word W`, and
//! the `/help` extension.
//!
//! # Format
//!
//! ```text
//! /letter X     X is one letter (any case; Ukrainian or English)
//! /word W       W is one word of letters only
//! /help         lists the commands (an extension; seed clients never send it)
//! ```
//!
//! # Errors
//!
//! Anything else is a [`CommandError`] whose message says what was wrong and
//! what is accepted; the server sends it to that player alone.

use thiserror::Error;

use crate::text::{single_letter, word};

/// What to tell a player about the accepted commands, appended to errors.
pub const ACCEPTED: &str = "send /letter X (one letter) or /word W (the whole word)";

/// A command from a player, already validated and folded to lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCommand {
    /// Names one letter (the folded grapheme).
    Letter(String),
    /// Names the whole word (folded).
    Word(String),
    /// Asks for the list of commands.
    Help,
}

/// Why a line is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    /// An empty line.
    #[error("empty line; {ACCEPTED}")]
    Empty,
    /// Text that is not a command.
    #[error("plain text is not a move; {ACCEPTED}")]
    NotACommand,
    /// A `/command` nobody knows.
    #[error("unknown command '{0}'; {ACCEPTED}")]
    Unknown(String),
    /// `/letter` or `/word` without its argument.
    #[error("{0} needs an argument; {ACCEPTED}")]
    MissingArgument(&'static str),
    /// More than one argument, or an argument to `/help`.
    #[error("{0} takes {1}; {ACCEPTED}")]
    UnexpectedArgument(&'static str, &'static str),
    /// The argument of `/letter` is not exactly one letter.
    #[error("'{0}' is not a single letter; {ACCEPTED}")]
    NotALetter(String),
    /// The argument of `/word` has something other than letters.
    #[error("'{0}' is not a word (letters only, at most 64); {ACCEPTED}")]
    NotAWord(String),
}

/// `/word` with `text`, or why `text` is not a word.
fn word_command(text: &str) -> Result<ClientCommand, CommandError> {
    word(text)
        .map(ClientCommand::Word)
        .ok_or_else(|| CommandError::NotAWord(crate::text::sanitize(text)))
}

impl ClientCommand {
    /// Parses one line from a client.
    ///
    /// # Errors
    ///
    /// Returns a [`CommandError`] describing what is wrong.
    pub fn parse(line: &str) -> Result<Self, CommandError> {
        let line = line.trim();
        if line.is_empty() {
            return Err(CommandError::Empty);
        }
        let Some(command) = line.strip_prefix('/') else {
            return Err(CommandError::NotACommand);
        };
        let (name, argument) = match command.split_once(char::is_whitespace) {
            Some((name, argument)) => (name, argument.trim()),
            None => (command, ""),
        };
        let single_argument = |command: &'static str| {
            if argument.is_empty() {
                Err(CommandError::MissingArgument(command))
            } else if argument.contains(char::is_whitespace) {
                Err(CommandError::UnexpectedArgument(
                    command,
                    "exactly one argument",
                ))
            } else {
                Ok(argument)
            }
        };
        match name {
            "letter" => {
                let argument = single_argument("/letter")?;
                single_letter(argument)
                    .map(ClientCommand::Letter)
                    .ok_or_else(|| CommandError::NotALetter(crate::text::sanitize(argument)))
            }
            "word" => {
                let argument = single_argument("/word")?;
                word_command(argument)
            }
            "help" if argument.is_empty() => Ok(ClientCommand::Help),
            "help" => Err(CommandError::UnexpectedArgument("/help", "no argument")),
            other => Err(CommandError::Unknown(crate::text::sanitize(
                &other.chars().take(32).collect::<String>(),
            ))),
        }
    }

    /// Formats the command as a protocol line (without the newline).
    pub fn encode(&self) -> String {
        match self {
            ClientCommand::Letter(letter) => format!("/letter {letter}"),
            ClientCommand::Word(word) => format!("/word {word}"),
            ClientCommand::Help => "/help".to_owned(),
        }
    }

    /// What a terminal player typed at the prompt, as a command: one letter
    /// becomes `/letter`, anything else `/word`, and a line that already is
    /// a `/command` is parsed as such.
    ///
    /// # Errors
    ///
    /// Returns a [`CommandError`] if the input is neither a letter nor a word.
    pub fn from_player_input(input: &str) -> Result<Self, CommandError> {
        let input = input.trim();
        if input.starts_with('/') {
            return Self::parse(input);
        }
        if input.is_empty() {
            return Err(CommandError::Empty);
        }
        if let Some(letter) = single_letter(input) {
            return Ok(ClientCommand::Letter(letter));
        }
        word_command(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seed_commands_parse_case_insensitively() {
        assert_eq!(
            ClientCommand::parse("/letter A"),
            Ok(ClientCommand::Letter("a".into()))
        );
        assert_eq!(
            ClientCommand::parse("/letter Ґ\r"),
            Ok(ClientCommand::Letter("ґ".into()))
        );
        assert_eq!(
            ClientCommand::parse("/word ЯБЛУКО"),
            Ok(ClientCommand::Word("яблуко".into()))
        );
        assert_eq!(ClientCommand::parse("/help"), Ok(ClientCommand::Help));
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_what_is_accepted() {
        let cases = [
            ("", CommandError::Empty),
            ("hello", CommandError::NotACommand),
            ("/jump", CommandError::Unknown("jump".into())),
            ("/letter", CommandError::MissingArgument("/letter")),
            ("/word   ", CommandError::MissingArgument("/word")),
            ("/letter ab", CommandError::NotALetter("ab".into())),
            ("/letter 7", CommandError::NotALetter("7".into())),
            (
                "/word two words",
                CommandError::UnexpectedArgument("/word", "exactly one argument"),
            ),
            ("/word b4d", CommandError::NotAWord("b4d".into())),
            (
                "/help me",
                CommandError::UnexpectedArgument("/help", "no argument"),
            ),
        ];
        for (line, error) in cases {
            let got = ClientCommand::parse(line);
            assert_eq!(got, Err(error), "line {line:?}");
            let message = got.unwrap_err().to_string();
            assert!(message.contains("/letter X"), "{message}");
        }
    }

    #[test]
    fn errors_never_echo_control_characters() {
        let message = ClientCommand::parse("/word \u{1b}[2Jx")
            .unwrap_err()
            .to_string();
        assert!(!message.contains('\u{1b}'), "{message:?}");
    }

    #[test]
    fn player_input_picks_letter_or_word() {
        assert_eq!(
            ClientCommand::from_player_input("e"),
            Ok(ClientCommand::Letter("e".into()))
        );
        assert_eq!(
            ClientCommand::from_player_input("Apple\n"),
            Ok(ClientCommand::Word("apple".into()))
        );
        assert_eq!(
            ClientCommand::from_player_input("/letter x"),
            Ok(ClientCommand::Letter("x".into()))
        );
        assert!(ClientCommand::from_player_input("  ").is_err());
        assert_eq!(
            ClientCommand::from_player_input("not a word!"),
            Err(CommandError::NotAWord("not a word!".into()))
        );
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(word in "[a-zA-Zа-яА-ЯґҐєЄіІїЇ]{1,20}", letter in "[a-zа-яґєії]") {
            for command in [
                ClientCommand::parse(&format!("/word {word}")).unwrap(),
                ClientCommand::Letter(letter.clone()),
                ClientCommand::Help,
            ] {
                prop_assert_eq!(ClientCommand::parse(&command.encode()), Ok(command.clone()));
            }
        }

        #[test]
        fn arbitrary_lines_never_panic(line in any::<String>()) {
            let _ = ClientCommand::parse(&line);
            let _ = ClientCommand::from_player_input(&line);
        }
    }
}
