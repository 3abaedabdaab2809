//! Letters, words, player names, chat text, and the sanitising of
//! untrusted text.
//!
//! A *letter* is one extended grapheme cluster made of alphabetic characters
//! (plus combining marks), compared after NFC normalisation and lower-casing,
//! so `Ґ`, `ґ` and `г` + U+0490's decomposed form are handled the same way in
//! Ukrainian and English words alike. A word may also hold *signs* between
//! its letters: the apostrophe (`м'ята`; `'`, `’` and `ʼ` are the same sign)
//! and the hyphen (`будь-що`). Signs are shown from the start and are never
//! guessed.
//!
//! Text that one client makes others see (names, chat) is checked against
//! an **allow-list** of Unicode general categories: letters, marks, numbers,
//! punctuation, symbols and the plain space. Controls, format characters
//! (bidi overrides, zero-width and tag characters), line and paragraph
//! separators, other spaces, private-use and unassigned code points, and the
//! few letters and symbols that render blank (Hangul fillers, the braille
//! blank) are refused.

use thiserror::Error;

use crate::unicode::{graphemes, group, is_alphabetic, lowercase, nfc, Group};
use crate::{MAX_CHAT_CHARS, MAX_NAME_CHARS, MAX_WORD_LETTERS};

/// The apostrophe as words store and show it.
pub const APOSTROPHE: char = '\'';
/// The hyphen as words store and show it.
pub const HYPHEN: char = '-';

/// NFC-normalises and lower-cases `text`, the canonical form for matching.
pub fn fold(text: &str) -> String {
    nfc(&lowercase(&nfc(text)))
}

/// The canonical sign for `c`, if `c` is an apostrophe or hyphen variant.
fn canonical_sign(c: char) -> Option<char> {
    match c {
        '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}' | '\u{0060}' | '\u{00B4}' => Some(APOSTROPHE),
        '-' | '\u{2010}' | '\u{2011}' => Some(HYPHEN),
        _ => None,
    }
}

/// Whether a grapheme of a folded word is a sign (apostrophe or hyphen).
pub fn is_sign(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some(APOSTROPHE | HYPHEN), None)
    )
}

/// Whether a grapheme counts as a letter: alphabetic characters and marks.
fn is_letter_grapheme(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    chars.next().is_some_and(is_alphabetic)
        && chars.all(|c| is_alphabetic(c) || group(c) == Group::Mark)
}

/// Splits a word into its folded pieces (letters, and signs between them);
/// `None` unless it starts and ends with a letter and every sign stands
/// alone between two letters.
pub fn letters_of(word: &str) -> Option<Vec<String>> {
    let folded: String = fold(word)
        .chars()
        .map(|c| canonical_sign(c).unwrap_or(c))
        .collect();
    let pieces = graphemes(&folded);
    let letter_at = |i: usize| pieces.get(i).is_some_and(|g| is_letter_grapheme(g));
    let valid = !pieces.is_empty()
        && letter_at(0)
        && letter_at(pieces.len() - 1)
        && pieces.iter().enumerate().all(|(i, g)| {
            is_letter_grapheme(g) || (is_sign(g) && letter_at(i - 1) && letter_at(i + 1))
        });
    valid.then_some(pieces)
}

/// The folded form of `text` if it is exactly one letter.
pub fn single_letter(text: &str) -> Option<String> {
    match letters_of(text)?.as_slice() {
        [letter] => Some(letter.clone()),
        _ => None,
    }
}

/// The folded form of `text` if it is acceptable as a guess or a puzzle
/// word: letters (and signs between them), at most [`MAX_WORD_LETTERS`].
pub fn word(text: &str) -> Option<String> {
    letters_of(text)
        .filter(|pieces| pieces.len() <= MAX_WORD_LETTERS)
        .map(|pieces| pieces.concat())
}

/// Whether `text` is acceptable as a word (see [`word`]).
pub fn is_word(text: &str) -> bool {
    word(text).is_some()
}

/// Why a name or a chat line was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Nothing visible.
    #[error("the {0} is empty; send 1 to {1} characters")]
    Empty(&'static str, usize),
    /// Too many characters.
    #[error("the {0} is longer than {1} characters")]
    TooLong(&'static str, usize),
    /// A character outside the allow-list (shown as its code point, so the
    /// message itself stays safe to print).
    #[error("the {0} contains U+{1:04X}, which is not allowed; use letters, digits, spaces, punctuation and symbols")]
    Disallowed(&'static str, u32),
    /// Would be mistaken for a command.
    #[error("the name must not start with '/'")]
    StartsWithSlash,
}

/// Letters and symbols that render as nothing: Hangul fillers, the braille
/// blank, the combining grapheme joiner, Khmer inherent vowels and the
/// Mongolian variation selectors.
fn renders_blank(c: char) -> bool {
    matches!(
        c,
        '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{2800}'
            | '\u{034F}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
    )
}

/// Whether `c` may travel from one client to another: a letter, mark,
/// number, punctuation or symbol that renders visibly, or the plain space.
pub fn is_allowed_char(c: char) -> bool {
    if c.is_ascii() {
        // The same answer as the categories, without their table lookup:
        // every message is checked character by character.
        return c == ' ' || c.is_ascii_graphic();
    }
    allowed_by_category(c)
}

/// The allow-list itself: a letter, mark, number, punctuation or symbol
/// that does not render blank.
fn allowed_by_category(c: char) -> bool {
    let visible_group = matches!(
        group(c),
        Group::Letter | Group::Mark | Group::Number | Group::Punctuation | Group::Symbol
    );
    visible_group && !renders_blank(c)
}

/// Whether `c` is a base character that shows on its own (not a mark).
fn is_visible_base(c: char) -> bool {
    c != ' ' && is_allowed_char(c) && group(c) != Group::Mark
}

/// Checks text that a client wants others to see and returns it trimmed and
/// NFC-normalised. `what` names it in errors ("name", "message"). A zero
/// width joiner is allowed only inside an emoji sequence (after a symbol).
///
/// # Errors
///
/// Returns a [`TextError`] saying what is wrong.
pub fn validate_text(raw: &str, what: &'static str, max_chars: usize) -> Result<String, TextError> {
    let text = nfc(raw.trim_matches(' ').trim());
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let emoji_joiner = c == '\u{200D}'
            && previous.is_some_and(|p| p == '\u{FE0F}' || group(p) == Group::Symbol);
        if !is_allowed_char(c) && !emoji_joiner {
            return Err(TextError::Disallowed(what, u32::from(c)));
        }
        previous = Some(c);
    }
    if !text.chars().any(is_visible_base) {
        return Err(TextError::Empty(what, max_chars));
    }
    if text.chars().count() > max_chars {
        return Err(TextError::TooLong(what, max_chars));
    }
    Ok(text)
}

/// Checks a proposed player name and returns it trimmed and NFC-normalised.
///
/// # Errors
///
/// Returns a [`TextError`] saying what is wrong with the name.
pub fn validate_name(raw: &str) -> Result<String, TextError> {
    let name = validate_text(raw, "name", MAX_NAME_CHARS)?;
    if name.starts_with('/') {
        return Err(TextError::StartsWithSlash);
    }
    Ok(name)
}

/// Checks a chat line (at most [`MAX_CHAT_CHARS`] characters).
///
/// # Errors
///
/// Returns a [`TextError`] saying what is wrong with the message.
pub fn validate_chat(raw: &str) -> Result<String, TextError> {
    validate_text(raw, "message", MAX_CHAT_CHARS)
}

/// The confusable skeleton of a name (Unicode TS #39, after case folding):
/// two names with the same skeleton look alike (`alice` and `аlice` with a
/// Cyrillic `а`), so only one of them may sit in a game. With the
/// `confusables` feature (the server's).
#[cfg(feature = "confusables")]
pub fn skeleton(name: &str) -> String {
    fold(&unicode_security::confusable_detection::skeleton(&nfc(name)).collect::<String>())
}

/// Whether `c` must never travel from one client to another (the
/// complement of [`is_allowed_char`]).
pub fn is_unsafe_char(c: char) -> bool {
    !is_allowed_char(c)
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
    fn the_ascii_shortcut_agrees_with_the_categories() {
        for c in (0u8..0x80).map(char::from) {
            let by_category = c == ' ' || allowed_by_category(c);
            assert_eq!(is_allowed_char(c), by_category, "{c:?}");
        }
    }

    #[test]
    fn names_are_validated_per_spec() {
        assert_eq!(validate_name("  Alice \t"), Ok("Alice".into()));
        assert_eq!(validate_name("   "), Err(TextError::Empty("name", 32)));
        assert_eq!(validate_name("/quit"), Err(TextError::StartsWithSlash));
        assert_eq!(
            validate_name(&"я".repeat(33)),
            Err(TextError::TooLong("name", 32))
        );
        assert_eq!(validate_name(&"я".repeat(32)), Ok("я".repeat(32)));
        assert_eq!(
            validate_name("evil\u{1b}[2J"),
            Err(TextError::Disallowed("name", 0x1b))
        );
        assert_eq!(
            validate_name("a\u{202E}b"),
            Err(TextError::Disallowed("name", 0x202E))
        );
    }

    #[test]
    fn invisible_and_blank_characters_are_refused_by_the_allow_list() {
        let invisible = [
            '\u{E0041}',
            '\u{E0001}',
            '\u{180E}',
            '\u{034F}',
            '\u{2028}',
            '\u{2029}',
            '\u{3164}',
            '\u{115F}',
            '\u{2800}',
            '\u{200B}',
            '\u{00A0}',
            '\u{3000}',
            '\u{FEFF}',
            '\u{E000}',
            '\u{0378}',
        ];
        for c in invisible {
            let name = format!("bo{c}b");
            assert_eq!(
                validate_name(&name),
                Err(TextError::Disallowed("name", u32::from(c))),
                "U+{:04X}",
                u32::from(c)
            );
            assert_eq!(sanitize(&name), "bob");
        }
        // A name made only of a blank-looking letter is not a name.
        assert!(validate_name("\u{3164}\u{3164}").is_err());
        // Marks alone are nothing to see.
        assert_eq!(validate_name("\u{301}"), Err(TextError::Empty("name", 32)));
    }

    #[test]
    fn ordinary_text_from_many_scripts_and_emoji_is_allowed() {
        for text in [
            "Олена",
            "José Ñ.",
            "李小龙",
            "d'Artagnan",
            "👍",
            "👩‍🚀 ok",
            "R2-D2 #1",
        ] {
            assert_eq!(validate_chat(text).as_deref(), Ok(text), "{text}");
        }
        assert_eq!(validate_chat("  hi  ").as_deref(), Ok("hi"));
        assert!(validate_chat(&"x".repeat(MAX_CHAT_CHARS + 1)).is_err());
        assert!(validate_chat("a\u{200D}b").is_err());
    }

    #[test]
    #[cfg(feature = "confusables")]
    fn lookalike_names_share_a_skeleton() {
        assert_eq!(skeleton("alice"), skeleton("\u{430}lice"));
        assert_eq!(skeleton("Bob"), skeleton("\u{412}\u{43E}b"));
        assert_ne!(skeleton("alice"), skeleton("bob"));
    }

    #[test]
    fn words_keep_apostrophes_and_hyphens_between_letters() {
        for spelled in ["м'ята", "м’ята", "мʼята", "М'ЯТА"] {
            assert_eq!(word(spelled).as_deref(), Some("м'ята"), "{spelled}");
        }
        assert_eq!(letters_of("сім'я").unwrap(), vec!["с", "і", "м", "'", "я"]);
        assert_eq!(word("будь-що").as_deref(), Some("будь-що"));
        for bad in ["'ята", "м'", "м''ята", "м'-ята", "-", "'"] {
            assert_eq!(word(bad), None, "{bad}");
        }
        assert_eq!(single_letter("'"), None);
        assert!(is_sign("'") && is_sign("-") && !is_sign("a"));
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
