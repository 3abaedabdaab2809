//! An arbitrary line through `ClientCommand::parse` and
//! `ClientCommand::from_player_input`.
//!
//! - Neither panics.
//! - An accepted command re-encodes to one line that parses to the same
//!   command (so the terminal client and the browser send what they mean).
//! - What a command carries is already canonical: a letter is one folded
//!   letter, words are folded words, `/say` text passes
//!   `text::validate_chat` unchanged (so nothing unsafe reaches others).
//! - A refusal's message holds no control, format or other unsafe
//!   character (it is echoed to the sender's terminal).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wordguess_protocol::{
    command::{
        MAX_ROOM_WORDS, MAX_TURN_SECONDS, MIN_TURN_SECONDS, ROOM_CODE_ALPHABET, ROOM_CODE_LEN,
        TOKEN_HEX_DIGITS,
    },
    text::{is_unsafe_char, single_letter, validate_chat, word},
    ClientCommand, CommandError,
};

fn check(input: &str, parsed: Result<ClientCommand, CommandError>) {
    let command = match parsed {
        Ok(command) => command,
        Err(error) => {
            let message = error.to_string();
            assert!(
                !message.chars().any(is_unsafe_char),
                "the error for {input:?} holds an unsafe character: {message:?}"
            );
            return;
        }
    };
    let line = command.encode();
    // Not `is_unsafe_char`: chat may hold a zero width joiner inside an
    // emoji sequence, which `validate_chat` allows (checked below).
    assert!(
        !line.chars().any(char::is_control),
        "{command:?} encodes with a control character: {line:?}"
    );
    assert_eq!(
        ClientCommand::parse(&line),
        Ok(command.clone()),
        "{input:?} parsed to {command:?}, which encodes as {line:?}"
    );
    match &command {
        ClientCommand::Letter(letter) => {
            assert_eq!(single_letter(letter).as_ref(), Some(letter), "{input:?}")
        }
        ClientCommand::Word(w) => assert_eq!(word(w).as_ref(), Some(w), "{input:?}"),
        ClientCommand::Say(text) => {
            assert_eq!(validate_chat(text).as_ref(), Ok(text), "{input:?}")
        }
        ClientCommand::Join(code) | ClientCommand::Watch(code) => {
            assert_eq!(code.as_str().chars().count(), ROOM_CODE_LEN);
            assert!(code
                .as_str()
                .chars()
                .all(|c| ROOM_CODE_ALPHABET.contains(c)));
        }
        ClientCommand::Resume(token) => {
            assert_eq!(token.as_str().len(), TOKEN_HEX_DIGITS);
            assert!(token
                .as_str()
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
        }
        ClientCommand::Time(Some(seconds)) => {
            assert!((MIN_TURN_SECONDS..=MAX_TURN_SECONDS).contains(seconds))
        }
        ClientCommand::WordList(Some(words)) => {
            assert!(!words.is_empty() && words.len() <= MAX_ROOM_WORDS);
            for w in words {
                assert_eq!(word(w).as_ref(), Some(w), "{input:?}");
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    check(line, ClientCommand::parse(line));
    check(line, ClientCommand::from_player_input(line));
});
