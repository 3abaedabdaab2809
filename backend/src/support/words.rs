//! The words to guess: built-in Ukrainian and English lists, or a file.

use std::path::Path;
use std::sync::Arc;

use rand::seq::IndexedRandom;
use thiserror::Error;
use wordguess_protocol::text::word as canonical_word;

const ENGLISH: &str = include_str!("../../words/en.txt");
const UKRAINIAN: &str = include_str!("../../words/uk.txt");

/// Which built-in list to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    /// English words.
    En,
    /// Ukrainian words.
    Uk,
    /// Both lists together.
    All,
}

impl From<wordguess_protocol::Language> for Language {
    fn from(language: wordguess_protocol::Language) -> Self {
        match language {
            wordguess_protocol::Language::Uk => Language::Uk,
            wordguess_protocol::Language::En => Language::En,
            wordguess_protocol::Language::Both => Language::All,
        }
    }
}

impl From<Language> for wordguess_protocol::Language {
    fn from(language: Language) -> Self {
        match language {
            Language::Uk => wordguess_protocol::Language::Uk,
            Language::En => wordguess_protocol::Language::En,
            Language::All => wordguess_protocol::Language::Both,
        }
    }
}

/// Why a word file cannot be used.
#[derive(Debug, Error)]
pub enum WordsError {
    /// The file could not be read.
    #[error("cannot read the word file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// A line is not a word (letters, with ' or - between them).
    #[error("{path}:{line}: '{word}' is not a word (letters, with ' or - between them)")]
    NotAWord {
        /// The file.
        path: String,
        /// The 1-based line number.
        line: usize,
        /// The offending text.
        word: String,
    },
    /// The file has no words.
    #[error("the word file {0} has no words")]
    Empty(String),
}

/// A non-empty list of valid words, cheap to clone.
#[derive(Debug, Clone)]
pub struct WordList {
    /// The words, each letters only.
    words: Arc<[String]>,
}

impl WordList {
    /// A built-in list.
    pub fn builtin(language: Language) -> Self {
        let text = match language {
            Language::En => ENGLISH.to_owned(),
            Language::Uk => UKRAINIAN.to_owned(),
            Language::All => format!("{ENGLISH}\n{UKRAINIAN}"),
        };
        Self {
            words: text.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// Words from text with one word per line; blank lines and lines
    /// starting with `#` are skipped. `origin` names the source in errors.
    ///
    /// # Errors
    ///
    /// Returns [`WordsError`] for a line that is not a word, or no words.
    pub fn parse(text: &str, origin: &str) -> Result<Self, WordsError> {
        let mut words = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            // Stored folded, with one spelling of the apostrophe.
            let Some(word) = canonical_word(word) else {
                return Err(WordsError::NotAWord {
                    path: origin.to_owned(),
                    line: index + 1,
                    word: word.to_owned(),
                });
            };
            words.push(word);
        }
        if words.is_empty() {
            return Err(WordsError::Empty(origin.to_owned()));
        }
        Ok(Self {
            words: words.into(),
        })
    }

    /// Reads a word file (see [`WordList::parse`]).
    ///
    /// # Errors
    ///
    /// Returns [`WordsError`] if the file cannot be read or is not valid.
    pub fn from_file(path: &Path) -> Result<Self, WordsError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| WordsError::Read {
            path: origin.clone(),
            source,
        })?;
        Self::parse(&text, &origin)
    }

    /// The words.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// How many words there are.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Always false: a list has at least one word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// A random word.
    pub fn choose(&self) -> String {
        self.words
            .choose(&mut rand::rng())
            .cloned()
            .unwrap_or_else(|| "wordguess".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_hold_hundreds_of_valid_words() {
        for language in [Language::En, Language::Uk] {
            let list = WordList::builtin(language);
            assert!(list.len() >= 300, "{language:?} has {}", list.len());
            let text = list.words.join("\n");
            assert_eq!(WordList::parse(&text, "builtin").unwrap().len(), list.len());
        }
    }

    #[test]
    fn the_ukrainian_list_has_words_with_apostrophes_and_hyphens() {
        let list = WordList::builtin(Language::Uk);
        assert!(list.words.iter().any(|w| w == "м'ята"));
        assert!(list.words.iter().any(|w| w.contains('-')));
        // A word file may spell the apostrophe any of the three ways.
        let list = WordList::parse("м’ята\nсімʼя\nбудь-що\n", "f").unwrap();
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn word_files_skip_comments_and_reject_non_words() {
        let list = WordList::parse("# mine\n\nЯблуко\n  apple \n", "f").unwrap();
        assert_eq!(list.len(), 2);
        let error = WordList::parse("apple\nnot a word\n", "f").unwrap_err();
        assert_eq!(
            error.to_string(),
            "f:2: 'not a word' is not a word (letters, with ' or - between them)"
        );
        assert!(matches!(
            WordList::parse("# only\n", "f"),
            Err(WordsError::Empty(_))
        ));
    }
}
