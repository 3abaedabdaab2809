//! Letters, words, player names, and the sanitising of untrusted text.
//!
//! A *letter* is one extended grapheme cluster made of alphabetic characters
//! (plus combining marks), compared after NFC normalisation and lower-casing,
//! so `Ґ`, `ґ` and `г` + U+0490's decomposed form are handled the same way in
//! Ukrainian and English words alike.

use thiserror::Error;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

use crate::{MAX_NAME_CHARS, MAX_WORD_LETTERS};

/// NFC-normalises and lower-cases `text`, the canonical form for matching.
pub fn fold(text: &str) -> String {
    text.nfc()
        .collect::<String>()
        .to_lowercase()
        .nfc()
        .collect()
}

/// Whether a grapheme counts as a letter: alphabetic characters and marks.
fn is_letter_grapheme(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphabetic() || is_combining_mark(c))
}

/// Splits a word into its folded letters; `None` if anything is not a letter.
pub fn letters_of(word: &str) -> Option<Vec<String>> {
    let folded = fold(word);
    let letters: Vec<String> = folded.graphemes(true).map(str::to_owned).collect();
    (!letters.is_empty() && letters.iter().all(|g| is_letter_grapheme(g))).then_some(letters)
}

/// The folded form of `text` if it is exactly one letter.
pub fn single_letter(text: &str) -> Option<String> {
    match letters_of(text)?.as_slice() {
        [letter] => Some(letter.clone()),
        _ => None,
    }
}

/// The folded form of `text` if it is acceptable as a guess or a puzzle
/// word: letters only, at most [`MAX_WORD_LETTERS`] of them.
pub fn word(text: &str) -> Option<String> {
    letters_of(text)
        .filter(|letters| letters.len() <= MAX_WORD_LETTERS)
        .map(|letters| letters.concat())
}

/// Whether `text` is acceptable as a word (see [`word`]).
pub fn is_word(text: &str) -> bool {
    word(text).is_some()
}

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// Nothing but whitespace.
    #[error("the name is empty; send a name of 1 to {MAX_NAME_CHARS} characters")]
    Empty,
    /// Too many characters.
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    /// Control characters, escape sequences or invisible formatting.
    #[error("the name contains control characters; use letters, digits, spaces and punctuation")]
    ControlCharacters,
    /// Would be mistaken for a command.
    #[error("the name must not start with '/'")]
    StartsWithSlash,
}

/// Characters that must never travel from one client to another: C0/C1
/// controls (including ESC, which starts terminal escape sequences) and the
/// invisible formatting characters that reorder or hide text (bidi
/// overrides, zero-width characters, the BOM).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{061C}' | '\u{00AD}')
}

/// Checks a proposed player name and returns it trimmed and NFC-normalised.
///
/// # Errors
///
/// Returns a [`NameError`] saying what is wrong with the name.
pub fn validate_name(raw: &str) -> Result<String, NameError> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.chars().any(is_unsafe_char) {
        return Err(NameError::ControlCharacters);
    }
    if name.starts_with('/') {
        return Err(NameError::StartsWithSlash);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong);
    }
    Ok(name)
}

/// Removes terminal escape sequences and every [unsafe](is_unsafe_char)
/// character from `text`, so it can be shown to another player as is.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // ESC [ params final  (CSI), ESC ] ... BEL|ESC \  (OSC), ESC x.
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            // The 8-bit CSI introducer.
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            c if is_unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn letters_fold_case_and_normalise_ukrainian_and_english() {
        assert_eq!(letters_of("ЯБЛУКО").unwrap().concat(), "яблуко");
        assert_eq!(letters_of("Apple").unwrap().concat(), "apple");
        // "й" written as "и" + combining breve is the same single letter.
        assert_eq!(single_letter("и\u{306}"), Some("й".to_owned()));
        assert_eq!(single_letter("Ґ"), Some("ґ".to_owned()));
    }

    #[test]
    fn non_letters_are_not_letters_or_words() {
        assert_eq!(single_letter("1"), None);
        assert_eq!(single_letter("ab"), None);
        assert_eq!(single_letter(""), None);
        assert!(!is_word("app le"));
        assert!(!is_word("apple!"));
        assert!(!is_word(&"a".repeat(MAX_WORD_LETTERS + 1)));
        assert!(is_word("ґанок"));
    }

    #[test]
    fn names_are_validated_per_spec() {
        assert_eq!(validate_name("  Alice \t"), Ok("Alice".into()));
        assert_eq!(validate_name("   "), Err(NameError::Empty));
        assert_eq!(validate_name("/quit"), Err(NameError::StartsWithSlash));
        assert_eq!(validate_name(&"я".repeat(33)), Err(NameError::TooLong));
        assert_eq!(validate_name(&"я".repeat(32)), Ok("я".repeat(32)));
        assert_eq!(
            validate_name("evil\u{1b}[2J"),
            Err(NameError::ControlCharacters)
        );
        assert_eq!(
            validate_name("a\u{202E}b"),
            Err(NameError::ControlCharacters)
        );
    }

    #[test]
    fn sanitize_strips_escape_sequences_and_controls() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(sanitize("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(sanitize("\u{1b}]8;;http://e\u{1b}\\link"), "link");
        assert_eq!(sanitize("a\u{0}b\u{7}c\r\nd\u{202E}"), "abcd");
        assert_eq!(sanitize("Привіт, світ"), "Привіт, світ");
    }

    proptest! {
        #[test]
        fn sanitized_text_has_no_unsafe_characters(text in any::<String>()) {
            let clean = sanitize(&text);
            prop_assert!(!clean.chars().any(is_unsafe_char));
        }

        #[test]
        fn a_valid_name_is_safe_and_bounded(text in any::<String>()) {
            if let Ok(name) = validate_name(&text) {
                prop_assert!(!name.chars().any(is_unsafe_char));
                prop_assert!(!name.starts_with('/'));
                prop_assert!(!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS);
            }
        }
    }
}
