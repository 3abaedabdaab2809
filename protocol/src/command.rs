//! What a client sends: the seed's moves (`/letter X`, `/word W`), and the
//! commands for rooms, seats, spectators, chat and room settings.
//!
//! # Format
//!
//! ```text
//! /letter X          X is one letter (any case; Ukrainian or English)
//! /word W            W is one word (letters; ' and - between letters)
//! /help              lists the commands you can send now
//! /new               (before your name) create a private room; you host it
//! /join CODE         (before your name) enter room CODE as a player
//! /watch CODE        (before your name) watch room CODE as a spectator
//! /resume TOKEN      (first line) take your seat back after a lost connection
//! /start             (host) start the room's game
//! /say TEXT          chat to the room
//! /who               players (points, away, host) and spectators
//! /lang uk|en|both   (host, before the start) the language of the words
//! /time SECS|off     (host, before the start) time allowed per turn
//! /wordlist W W ...  (host, before the start) the room's own words;
//!                    /wordlist builtin goes back to the built-in list
//! /kick NAME         (host) remove a player from the room
//! /bot [LEVEL]       (host, before the start) seat a computer player:
//!                    easy, normal (the default) or hard
//! /unbot NAME        (host) take a computer player out
//! /votekick NAME     (quick match) vote to remove a player
//! ```
//!
//! Codes and tokens are case-insensitive. A code may also be given as an
//! invite link (`http://host:8080/?room=K7QXPM`).
//!
//! # Errors
//!
//! Anything else is a [`CommandError`] whose message says what was wrong;
//! the server adds what the player can send now.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::{single_letter, validate_chat, validate_name, word, TextError};

/// The characters of room codes: digits and capitals without the ones
/// that are misread aloud or in some fonts (0/O, 1/I/L).
pub const ROOM_CODE_ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// How many characters a room code has (31^6, about 887 million codes).
pub const ROOM_CODE_LEN: usize = 6;
/// How many hex digits a resume token has (128 random bits).
pub const TOKEN_HEX_DIGITS: usize = 32;
/// The longest turn time a host may set, in seconds.
pub const MAX_TURN_SECONDS: u32 = 3600;
/// The shortest turn time a host may set, in seconds.
pub const MIN_TURN_SECONDS: u32 = 5;
/// The most words a room's own list may have (one line holds them all).
pub const MAX_ROOM_WORDS: usize = 200;

/// A room's code, upper case, [`ROOM_CODE_LEN`] characters of
/// [`ROOM_CODE_ALPHABET`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomCode(String);

impl RoomCode {
    /// Parses a code typed by a person (any case, surrounding spaces, or a
    /// whole invite link ending in `?room=CODE`).
    ///
    /// # Errors
    ///
    /// Returns [`CommandError::BadCode`] if it is not a room code.
    pub fn parse(text: &str) -> Result<Self, CommandError> {
        let text = text.trim();
        let code = text
            .rsplit_once("room=")
            .map_or(text, |(_, code)| code)
            .trim_end_matches(['/', '#', '&'])
            .to_ascii_uppercase();
        let valid = code.chars().count() == ROOM_CODE_LEN
            && code.chars().all(|c| ROOM_CODE_ALPHABET.contains(c));
        if valid {
            Ok(Self(code))
        } else {
            Err(CommandError::BadCode(crate::text::sanitize(
                &text.chars().take(40).collect::<String>(),
            )))
        }
    }

    /// A code made from `ROOM_CODE_LEN` indexes into the alphabet (the
    /// server draws them at random).
    pub fn from_indexes(indexes: [usize; ROOM_CODE_LEN]) -> Self {
        let alphabet: Vec<char> = ROOM_CODE_ALPHABET.chars().collect();
        Self(
            indexes
                .iter()
                .map(|&i| alphabet[i % alphabet.len()])
                .collect(),
        )
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A seat's resume token: [`TOKEN_HEX_DIGITS`] lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResumeToken(String);

impl ResumeToken {
    /// Parses a token (any case).
    ///
    /// # Errors
    ///
    /// Returns [`CommandError::BadToken`] if it is not a token.
    pub fn parse(text: &str) -> Result<Self, CommandError> {
        let token = text.trim().to_ascii_lowercase();
        if token.len() == TOKEN_HEX_DIGITS && token.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(token))
        } else {
            Err(CommandError::BadToken)
        }
    }

    /// A token from 128 random bits (the server draws them).
    pub fn from_bits(bits: u128) -> Self {
        Self(format!("{bits:032x}"))
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ResumeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which built-in words a room plays with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Ukrainian words.
    Uk,
    /// English words.
    En,
    /// Both lists.
    #[default]
    Both,
}

impl Language {
    /// The name used on the wire (`uk`, `en`, `both`).
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Uk => "uk",
            Language::En => "en",
            Language::Both => "both",
        }
    }
}

/// How well a computer player plays.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BotLevel {
    /// Common letters, with mistakes.
    Easy,
    /// Letters of the words that still fit.
    #[default]
    Normal,
    /// The most telling letter, and the word once it is sure.
    Hard,
}

impl BotLevel {
    /// Every level, weakest first.
    pub const ALL: [BotLevel; 3] = [BotLevel::Easy, BotLevel::Normal, BotLevel::Hard];

    /// The level's name in commands and events.
    pub fn as_str(self) -> &'static str {
        match self {
            BotLevel::Easy => "easy",
            BotLevel::Normal => "normal",
            BotLevel::Hard => "hard",
        }
    }
}

impl std::fmt::Display for BotLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BotLevel {
    type Err = CommandError;

    fn from_str(text: &str) -> Result<Self, CommandError> {
        BotLevel::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| CommandError::BadLevel(crate::text::sanitize(text)))
    }
}

/// A command from a client, already validated (letters and words folded to
/// lower case, chat text checked against the allow-list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCommand {
    /// Names one letter (the folded grapheme).
    Letter(String),
    /// Names the whole word (folded).
    Word(String),
    /// Asks for the list of commands.
    Help,
    /// Creates a private room, to be its host.
    New,
    /// Enters a room as a player.
    Join(RoomCode),
    /// Enters a room as a spectator.
    Watch(RoomCode),
    /// Takes a seat back.
    Resume(ResumeToken),
    /// Starts the room's game (the host).
    Start,
    /// Chat to the room.
    Say(String),
    /// Asks who is in the room.
    Who,
    /// Sets the room's language (the host).
    Lang(Language),
    /// Sets the room's turn time in seconds, `None` for no limit (the host).
    Time(Option<u32>),
    /// Sets the room's own words, `None` for the built-in list (the host).
    WordList(Option<Vec<String>>),
    /// Removes a player from the room (the host of a private room).
    Kick(String),
    /// Seats a computer player of this level (the host, before the start).
    Bot(BotLevel),
    /// Takes the computer player of this name out (the host).
    Unbot(String),
    /// Votes to remove the player of this name from a quick-match game.
    VoteKick(String),
    /// Asks for the leaderboard.
    Top,
    /// Asks for the last games of a room (`None`: the room one is in).
    History(Option<RoomCode>),
}

/// Why a line is not a valid command.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    /// An empty line.
    #[error("empty line")]
    Empty,
    /// Text that is not a command.
    #[error("plain text is not a command")]
    NotACommand,
    /// A `/command` nobody knows.
    #[error("unknown command '/{0}'")]
    Unknown(String),
    /// A command without its argument.
    #[error("{0} needs {1}")]
    MissingArgument(&'static str, &'static str),
    /// Too many arguments.
    #[error("{0} takes {1}")]
    UnexpectedArgument(&'static str, &'static str),
    /// The argument of `/letter` is not exactly one letter.
    #[error("'{0}' is not a single letter")]
    NotALetter(String),
    /// The argument of `/word` is not a word.
    #[error("'{0}' is not a word (letters, with ' or - between them; at most 64)")]
    NotAWord(String),
    /// Not a room code.
    #[error("'{0}' is not a room code ({ROOM_CODE_LEN} letters and digits, like K7QXPM)")]
    BadCode(String),
    /// Not a resume token.
    #[error("that is not a resume token (the {TOKEN_HEX_DIGITS} characters after /token)")]
    BadToken,
    /// Chat text the allow-list refuses.
    #[error("{0}")]
    BadText(TextError),
    /// `/lang` with something else than uk, en or both.
    #[error("'{0}' is not a language; send /lang uk, /lang en or /lang both")]
    BadLanguage(String),
    /// `/time` with something else than seconds in range or `off`.
    #[error("send /time SECS ({MIN_TURN_SECONDS} to {MAX_TURN_SECONDS}) or /time off")]
    BadTime,
    /// `/bot` with something else than a level.
    #[error("'{0}' is not a level; send /bot easy, /bot normal or /bot hard")]
    BadLevel(String),
    /// Too many words for `/wordlist`.
    #[error("a room's word list holds at most {MAX_ROOM_WORDS} words")]
    TooManyWords,
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
        let one = |command: &'static str, what: &'static str| {
            if argument.is_empty() {
                Err(CommandError::MissingArgument(command, what))
            } else if argument.contains(char::is_whitespace) {
                Err(CommandError::UnexpectedArgument(command, "one argument"))
            } else {
                Ok(argument)
            }
        };
        let none = |command: &'static str, parsed: ClientCommand| {
            if argument.is_empty() {
                Ok(parsed)
            } else {
                Err(CommandError::UnexpectedArgument(command, "no argument"))
            }
        };
        match name.to_ascii_lowercase().as_str() {
            "letter" => {
                let argument = one("/letter", "a letter")?;
                single_letter(argument)
                    .map(ClientCommand::Letter)
                    .ok_or_else(|| CommandError::NotALetter(crate::text::sanitize(argument)))
            }
            "word" => word_command(one("/word", "a word")?),
            "help" => none("/help", ClientCommand::Help),
            "new" => none("/new", ClientCommand::New),
            "start" => none("/start", ClientCommand::Start),
            "who" => none("/who", ClientCommand::Who),
            "top" => none("/top", ClientCommand::Top),
            "history" if argument.is_empty() => Ok(ClientCommand::History(None)),
            "history" => RoomCode::parse(one("/history", "a room code")?)
                .map(|code| ClientCommand::History(Some(code))),
            "join" => RoomCode::parse(one("/join", "a room code")?).map(ClientCommand::Join),
            "watch" => RoomCode::parse(one("/watch", "a room code")?).map(ClientCommand::Watch),
            "resume" => {
                ResumeToken::parse(one("/resume", "your resume token")?).map(ClientCommand::Resume)
            }
            "kick" if argument.is_empty() => {
                Err(CommandError::MissingArgument("/kick", "a player's name"))
            }
            "unbot" if argument.is_empty() => {
                Err(CommandError::MissingArgument("/unbot", "a player's name"))
            }
            "votekick" if argument.is_empty() => Err(CommandError::MissingArgument(
                "/votekick",
                "a player's name",
            )),
            "votekick" => validate_name(argument)
                .map(ClientCommand::VoteKick)
                .map_err(CommandError::BadText),
            "kick" => validate_name(argument)
                .map(ClientCommand::Kick)
                .map_err(CommandError::BadText),
            "unbot" => validate_name(argument)
                .map(ClientCommand::Unbot)
                .map_err(CommandError::BadText),
            "bot" if argument.is_empty() => Ok(ClientCommand::Bot(BotLevel::default())),
            "bot" => one("/bot", "a level (easy, normal or hard)")?
                .parse()
                .map(ClientCommand::Bot),
            "say" if argument.is_empty() => Err(CommandError::MissingArgument("/say", "a message")),
            "say" => validate_chat(argument)
                .map(ClientCommand::Say)
                .map_err(CommandError::BadText),
            "lang" => match one("/lang", "uk, en or both")?
                .to_ascii_lowercase()
                .as_str()
            {
                "uk" => Ok(ClientCommand::Lang(Language::Uk)),
                "en" => Ok(ClientCommand::Lang(Language::En)),
                "both" => Ok(ClientCommand::Lang(Language::Both)),
                other => Err(CommandError::BadLanguage(crate::text::sanitize(other))),
            },
            "time" => match one("/time", "seconds or off")? {
                "off" => Ok(ClientCommand::Time(None)),
                seconds => seconds
                    .parse::<u32>()
                    .ok()
                    .filter(|s| (MIN_TURN_SECONDS..=MAX_TURN_SECONDS).contains(s))
                    .map(|s| ClientCommand::Time(Some(s)))
                    .ok_or(CommandError::BadTime),
            },
            "wordlist" if argument.is_empty() => Err(CommandError::MissingArgument(
                "/wordlist",
                "words separated by spaces, or 'builtin'",
            )),
            "wordlist" if argument.eq_ignore_ascii_case("builtin") => {
                Ok(ClientCommand::WordList(None))
            }
            "wordlist" => {
                let words = argument
                    .split_whitespace()
                    .map(|w| {
                        word(w).ok_or_else(|| CommandError::NotAWord(crate::text::sanitize(w)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if words.len() > MAX_ROOM_WORDS {
                    return Err(CommandError::TooManyWords);
                }
                Ok(ClientCommand::WordList(Some(words)))
            }
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
            ClientCommand::New => "/new".to_owned(),
            ClientCommand::Join(code) => format!("/join {code}"),
            ClientCommand::Watch(code) => format!("/watch {code}"),
            ClientCommand::Resume(token) => format!("/resume {token}"),
            ClientCommand::Start => "/start".to_owned(),
            ClientCommand::Say(text) => format!("/say {text}"),
            ClientCommand::Who => "/who".to_owned(),
            ClientCommand::Kick(name) => format!("/kick {name}"),
            ClientCommand::Bot(level) => format!("/bot {level}"),
            ClientCommand::Unbot(name) => format!("/unbot {name}"),
            ClientCommand::VoteKick(name) => format!("/votekick {name}"),
            ClientCommand::Lang(language) => format!("/lang {}", language.as_str()),
            ClientCommand::Time(Some(seconds)) => format!("/time {seconds}"),
            ClientCommand::Time(None) => "/time off".to_owned(),
            ClientCommand::WordList(Some(words)) => format!("/wordlist {}", words.join(" ")),
            ClientCommand::WordList(None) => "/wordlist builtin".to_owned(),
            ClientCommand::Top => "/top".to_owned(),
            ClientCommand::History(None) => "/history".to_owned(),
            ClientCommand::History(Some(code)) => format!("/history {code}"),
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
    fn bad_lines_say_what_is_wrong() {
        let cases = [
            ("", CommandError::Empty),
            ("hello", CommandError::NotACommand),
            ("/jump", CommandError::Unknown("jump".into())),
            (
                "/letter",
                CommandError::MissingArgument("/letter", "a letter"),
            ),
            ("/word   ", CommandError::MissingArgument("/word", "a word")),
            ("/letter ab", CommandError::NotALetter("ab".into())),
            ("/letter 7", CommandError::NotALetter("7".into())),
            ("/letter '", CommandError::NotALetter("'".into())),
            (
                "/word two words",
                CommandError::UnexpectedArgument("/word", "one argument"),
            ),
            ("/word b4d", CommandError::NotAWord("b4d".into())),
            (
                "/help me",
                CommandError::UnexpectedArgument("/help", "no argument"),
            ),
            ("/join K0QX", CommandError::BadCode("K0QX".into())),
            (
                "/join",
                CommandError::MissingArgument("/join", "a room code"),
            ),
            ("/resume 1234", CommandError::BadToken),
            ("/lang de", CommandError::BadLanguage("de".into())),
            ("/time 2", CommandError::BadTime),
            ("/time soon", CommandError::BadTime),
            ("/wordlist ok b4d", CommandError::NotAWord("b4d".into())),
            ("/say", CommandError::MissingArgument("/say", "a message")),
            ("/bot genius", CommandError::BadLevel("genius".into())),
            (
                "/bot hard easy",
                CommandError::UnexpectedArgument("/bot", "one argument"),
            ),
            (
                "/unbot",
                CommandError::MissingArgument("/unbot", "a player's name"),
            ),
            (
                "/KICK",
                CommandError::MissingArgument("/kick", "a player's name"),
            ),
        ];
        for (line, error) in cases {
            let got = ClientCommand::parse(line);
            assert_eq!(got, Err(error), "line {line:?}");
        }
        assert!(matches!(
            ClientCommand::parse("/say hi\u{202E}there"),
            Err(CommandError::BadText(_))
        ));
    }

    #[test]
    fn bot_takes_a_level_normal_by_default() {
        assert_eq!(
            ClientCommand::parse("/bot"),
            Ok(ClientCommand::Bot(BotLevel::Normal))
        );
        assert_eq!(
            ClientCommand::parse("/Bot HARD"),
            Ok(ClientCommand::Bot(BotLevel::Hard))
        );
        assert_eq!(
            ClientCommand::parse("/unbot Robo"),
            Ok(ClientCommand::Unbot("Robo".into()))
        );
    }

    #[test]
    fn room_commands_parse_codes_tokens_and_settings() {
        let code = RoomCode::parse("k7qxpm").unwrap();
        assert_eq!(code.as_str(), "K7QXPM");
        assert_eq!(
            ClientCommand::parse("/join http://127.0.0.1:8080/?room=k7qxpm"),
            Ok(ClientCommand::Join(code.clone()))
        );
        assert_eq!(
            ClientCommand::parse("/WATCH K7QXPM"),
            Ok(ClientCommand::Watch(code))
        );
        let token = ResumeToken::from_bits(u128::MAX - 5);
        assert_eq!(
            ClientCommand::parse(&format!("/resume {}", token.as_str().to_uppercase())),
            Ok(ClientCommand::Resume(token))
        );
        assert_eq!(
            ClientCommand::parse("/say  hello, world 👋 "),
            Ok(ClientCommand::Say("hello, world 👋".into()))
        );
        assert_eq!(
            ClientCommand::parse("/wordlist Apple м’ята"),
            Ok(ClientCommand::WordList(Some(vec![
                "apple".into(),
                "м'ята".into()
            ])))
        );
        assert_eq!(
            ClientCommand::parse("/wordlist builtin"),
            Ok(ClientCommand::WordList(None))
        );
        assert_eq!(
            ClientCommand::parse("/time off"),
            Ok(ClientCommand::Time(None))
        );
        assert_eq!(
            ClientCommand::parse("/time 60"),
            Ok(ClientCommand::Time(Some(60)))
        );
        assert_eq!(
            ClientCommand::parse("/lang UK"),
            Ok(ClientCommand::Lang(Language::Uk))
        );
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
                ClientCommand::New,
                ClientCommand::Start,
                ClientCommand::Who,
                ClientCommand::Kick(word.clone()),
                ClientCommand::Bot(BotLevel::Hard),
                ClientCommand::Unbot(word.clone()),
                ClientCommand::VoteKick(word.clone()),
                ClientCommand::Say(format!("{word}, {letter}!")),
                ClientCommand::Join(RoomCode::from_indexes([1, 2, 3, 4, 5, 30])),
                ClientCommand::Watch(RoomCode::from_indexes([0; ROOM_CODE_LEN])),
                ClientCommand::Resume(ResumeToken::from_bits(7)),
                ClientCommand::Lang(Language::En),
                ClientCommand::Time(Some(30)),
                ClientCommand::Time(None),
                ClientCommand::WordList(Some(vec![word.to_lowercase()])),
                ClientCommand::WordList(None),
                ClientCommand::Top,
                ClientCommand::History(None),
                ClientCommand::History(Some(RoomCode::from_indexes([9; ROOM_CODE_LEN]))),
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
