//! Arbitrary text through `ServerEvent::from_json` (what the browser app
//! does with every frame), and each event that decodes through `to_json`
//! and `to_text` (what the server sends to JSON and to text clients).
//!
//! - Decoding never panics.
//! - A decoded event re-encodes to JSON that decodes to the same event.
//! - Its text rendering is `\n`-terminated lines with no control character,
//!   escape sequence or other unsafe character (`text::is_unsafe_char`),
//!   whatever the strings inside hold.
//! - Only `/turn` (`YourTurn`), `/quit` (`Quit`), `/room CODE` (`Room`) and
//!   `/token TOKEN` (`Token`) lines start with '/'; every line reads back
//!   with `ServerLine::parse`, as a message unless it is one of those
//!   (the one exception: a code or token that sanitises to nothing).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wordguess_protocol::{text::is_unsafe_char, ServerEvent, ServerLine};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(event) = ServerEvent::from_json(json) else {
        return;
    };
    let encoded = event.to_json();
    assert_eq!(
        ServerEvent::from_json(&encoded).ok().as_ref(),
        Some(&event),
        "{json:?} decoded to {event:?}, which encodes as {encoded:?}"
    );

    let text = event.to_text();
    assert!(text.ends_with('\n'), "{event:?} renders {text:?}");
    for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
        if let Some(bad) = line.chars().find(|&c| is_unsafe_char(c)) {
            panic!("{event:?} renders U+{:04X} in {line:?}", u32::from(bad));
        }
        let parsed = ServerLine::parse(line);
        let allowed = match &parsed {
            Ok(ServerLine::Turn) => matches!(event, ServerEvent::YourTurn),
            Ok(ServerLine::Quit) => matches!(event, ServerEvent::Quit),
            Ok(ServerLine::Room(_)) => {
                matches!(event, ServerEvent::Room { .. }) && line.starts_with("/room ")
            }
            Ok(ServerLine::Token(_)) => {
                matches!(event, ServerEvent::Token { .. }) && line.starts_with("/token ")
            }
            Ok(ServerLine::Message(_)) => !line.starts_with('/'),
            // A room code or token that is empty once sanitised leaves a
            // bare "/room " or "/token ", which `ServerLine::parse` trims
            // and does not know. The server never sends such a code or
            // token (it makes them), so only that case is let through.
            Err(_) => {
                (matches!(event, ServerEvent::Room { .. }) && line.trim_end() == "/room")
                    || (matches!(event, ServerEvent::Token { .. }) && line.trim_end() == "/token")
            }
        };
        assert!(
            allowed,
            "{event:?} renders the line {line:?}, read as {parsed:?}"
        );
    }
});
