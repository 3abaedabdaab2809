//! What the page's forms and panels turn into: the commands and actions
//! for what the player typed, checked before anything is sent (a name, a
//! room code, a guess, a chat line, the host's settings), and the text the
//! invite panel offers (the link, the terminal command) and the address's
//! `?room=CODE`.
//!
//! Everything here is a pure function of text, so the components only read
//! their fields and hand the result on.

use wordguess_protocol::command::{MAX_TURN_SECONDS, MIN_TURN_SECONDS};
use wordguess_protocol::text::{is_word, validate_chat, validate_name};
use wordguess_protocol::{ClientCommand, Language, RoomCode, MAX_LINE_BYTES};

use super::{Action, Entry};

/// The languages a room's built-in words come in, as the host's choice
/// lists them.
pub const LANGUAGES: [Language; 3] = [Language::Uk, Language::En, Language::Both];

/// The room code in a page address's query (`?room=K7QXPM`), if valid.
pub fn invite_in_query(query: &str) -> Option<RoomCode> {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("room="))
        .and_then(|code| RoomCode::parse(code).ok())
}

/// The link that opens `code` in this app: the page's own address
/// (`origin` + `path`) with `?room=CODE`.
pub fn invite_link(origin: &str, path: &str, code: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    format!("{origin}{path}?room={code}")
}

/// The terminal command that joins `code` on the server at `hostname`
/// (the page's host): `nc HOST PORT`, then `/join CODE`. `None` when the
/// server did not tell its TCP port.
pub fn nc_command(hostname: &str, tcp_port: u16, code: &str) -> Option<String> {
    if tcp_port == 0 {
        return None;
    }
    // An IPv6 address is shown in brackets in a URL, but nc wants it bare.
    let host = hostname.trim_start_matches('[').trim_end_matches(']');
    let host = if host.is_empty() { "localhost" } else { host };
    Some(format!("nc {host} {tcp_port}\n/join {code}"))
}

/// The language's name on the page.
pub fn language_label(language: Language) -> &'static str {
    match language {
        Language::Uk => "Ukrainian",
        Language::En => "English",
        Language::Both => "Ukrainian and English",
    }
}

/// The language for a `<select>` value (`uk`, `en`, `both`).
pub fn language_from(value: &str) -> Option<Language> {
    LANGUAGES
        .into_iter()
        .find(|language| language.as_str() == value)
}

/// The way into a room whose code the player typed: to play in it, or with
/// `watch` to watch it.
///
/// # Errors
///
/// Returns what is wrong with the code.
pub fn entry_by_code(text: &str, watch: bool) -> Result<Entry, String> {
    match RoomCode::parse(text) {
        Ok(code) if watch => Ok(Entry::Watch(code)),
        Ok(code) => Ok(Entry::Join(code)),
        Err(error) => Err(error.to_string()),
    }
}

/// What a join form asks for: entering as the name the player typed, the
/// way `entry` says; or the error for a bad name (first) or a bad way in
/// (such as a room code that is none).
pub fn enter_action(name: &str, entry: Result<Entry, String>) -> Action {
    match (validate_name(name), entry) {
        (Err(error), _) => Action::LocalError(error.to_string()),
        (Ok(_), Err(message)) => Action::LocalError(message),
        (Ok(name), Ok(entry)) => Action::Enter { entry, name },
    }
}

/// The `/word` command for a guess of the whole word.
///
/// # Errors
///
/// Returns a message for the player if the guess is not one word.
pub fn guess_command(text: &str) -> Result<ClientCommand, String> {
    let guess = text.trim();
    if is_word(guess) {
        Ok(ClientCommand::Word(guess.to_owned()))
    } else {
        Err("A guess is one word of letters only.".to_owned())
    }
}

/// The `/time` command for what the host typed.
///
/// # Errors
///
/// Returns a message for the host if it is not a number of seconds in range.
pub fn time_command(text: &str) -> Result<ClientCommand, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|seconds| (MIN_TURN_SECONDS..=MAX_TURN_SECONDS).contains(seconds))
        .map(|seconds| ClientCommand::Time(Some(seconds)))
        .ok_or_else(|| {
            format!(
                "A turn lasts {MIN_TURN_SECONDS} to {MAX_TURN_SECONDS} seconds (or choose no limit)."
            )
        })
}

/// The `/wordlist` command for the words the host typed (spaces or new
/// lines between them).
///
/// # Errors
///
/// Returns a message for the host if a word is not a word, there are none
/// or too many, or they do not fit in one line.
pub fn wordlist_command(text: &str) -> Result<ClientCommand, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Err("Type the room's words, separated by spaces.".to_owned());
    }
    let command = ClientCommand::parse(&format!("/wordlist {}", words.join(" ")))
        .map_err(|error| error.to_string())?;
    if command.encode().len() > MAX_LINE_BYTES {
        return Err("The list is too long to send: use fewer or shorter words.".to_owned());
    }
    Ok(command)
}

/// The `/say` command for a chat line; `None` for an empty line.
///
/// # Errors
///
/// Returns what is wrong with the text.
pub fn chat_command(text: &str) -> Result<Option<ClientCommand>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    validate_chat(text)
        .map(|text| Some(ClientCommand::Say(text)))
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_form_checks_the_name_before_the_room_code() {
        let code = RoomCode::parse("K7QXPM").unwrap();
        assert_eq!(
            enter_action(" alice ", entry_by_code("k7qxpm", true)),
            Action::Enter {
                entry: Entry::Watch(code.clone()),
                name: "alice".into()
            }
        );
        assert_eq!(
            enter_action("alice", entry_by_code("K7QXPM", false)),
            Action::Enter {
                entry: Entry::Join(code),
                name: "alice".into()
            }
        );
        let bad_code = entry_by_code("K7", false);
        assert!(matches!(
            enter_action("alice", bad_code.clone()),
            Action::LocalError(message) if Err(message.clone()) == bad_code
        ));
        let Action::LocalError(bad_name) = enter_action("/alice", Ok(Entry::QuickMatch)) else {
            panic!("a name with a slash is refused");
        };
        assert_eq!(
            enter_action("/alice", bad_code),
            Action::LocalError(bad_name)
        );
    }

    #[test]
    fn a_guess_is_one_word() {
        assert_eq!(
            guess_command(" apple "),
            Ok(ClientCommand::Word("apple".into()))
        );
        assert_eq!(
            guess_command("two words"),
            Err("A guess is one word of letters only.".into())
        );
        assert!(guess_command("").is_err());
    }

    #[test]
    fn every_language_has_a_choice() {
        for language in LANGUAGES {
            assert_eq!(language_from(language.as_str()), Some(language));
        }
    }
}
