//! Computer players' decisions: a pure function of what any player may see
//! (the masked word, the letters tried, the word's alphabet and the words
//! the room draws from) and a seed. No clock, no IO and no randomness of
//! its own, so a decision is the same every time it is asked for, and a
//! test or a benchmark replays whole games.
//!
//! - **Easy** names common letters first, as a beginner would: one of the
//!   three most frequent letters not tried yet, and one time in three any
//!   letter of the alphabet. It never names the word.
//! - **Normal** names a letter drawn from the untried letters of the words
//!   that still fit the mask.
//! - **Hard** plays to win: it names the letter that the most of those
//!   words hold, and the word itself once it is the only one that fits.
//!
//! A move is always one the rules accept: a letter not tried yet, or a
//! word.

use std::collections::BTreeMap;

use wordguess_protocol::event::tiles;
use wordguess_protocol::text::letters_of;

use crate::Move;

/// How well a computer player plays (the protocol's [`BotLevel`], which
/// events and commands carry).
pub use wordguess_protocol::BotLevel as Level;

/// What a computer player sees of a game: what every player sees.
#[derive(Debug, Clone, Copy)]
pub struct Sight<'a> {
    /// The word as shown, `*` for each hidden letter.
    pub masked: &'a str,
    /// The letters named so far.
    pub tried: &'a [String],
    /// The letters of the word's language (empty if it has none of ours).
    pub alphabet: &'a str,
    /// The words the room draws from.
    pub words: &'a [String],
}

/// Letters from the most to the least frequent, in English and then in
/// Ukrainian texts (a letter missing here comes after all of these).
const BY_FREQUENCY: &str = "etaoinshrdlcumwfgypbvkjxqzоанвіетрсклдмупяьгзбчйхшжцюїєфщґ";

/// The move `level` makes on `sight`; `seed` makes its random choices
/// (the same seed, the same move).
pub fn decide(level: Level, sight: &Sight<'_>, seed: u64) -> Move {
    let mut random = Random(seed);
    let shown = tiles(sight.masked);
    let fitting = if level == Level::Easy {
        Vec::new()
    } else {
        fitting_words(sight, &shown)
    };
    if level == Level::Hard {
        if let [only] = fitting.as_slice() {
            return Move::Word(only.concat());
        }
    }
    let counts = letter_counts(&fitting, &shown);
    let chosen = match level {
        Level::Easy => None,
        Level::Normal => random
            .pick(&counts.keys().collect::<Vec<_>>())
            .map(|letter| (*letter).clone()),
        Level::Hard => {
            let most = counts.values().copied().max().unwrap_or(0);
            let best: Vec<&String> = counts
                .iter()
                .filter(|(_, count)| **count == most)
                .map(|(letter, _)| letter)
                .collect();
            random.pick(&best).map(|letter| (*letter).clone())
        }
    };
    chosen
        .or_else(|| common_letter(sight, &mut random, level == Level::Easy))
        .map(Move::Letter)
        .unwrap_or_else(|| last_resort(sight))
}

/// The words that could be the hidden one (the word `shown` as tiles),
/// split into letters: as many letters, the shown ones in their places,
/// no tried letter hidden (a named letter shows wherever it stands), and
/// in the word's alphabet (every player sees its keyboard: an English word
/// is not guessed with Ukrainian letters).
fn fitting_words(sight: &Sight<'_>, shown: &[Option<String>]) -> Vec<Vec<String>> {
    sight
        .words
        .iter()
        // A word has at least a character a letter: a cheap first sieve.
        .filter(|word| word.chars().count() >= shown.len())
        // Its alphabet, by its first letter (a word is in one alphabet).
        .filter(|word| {
            sight.alphabet.is_empty()
                || word
                    .chars()
                    .next()
                    .is_some_and(|first| sight.alphabet.contains(first))
        })
        .filter_map(|word| letters_of(word))
        .filter(|letters| {
            letters.len() == shown.len()
                && letters.iter().zip(shown).all(|(letter, tile)| match tile {
                    Some(shown) => shown == letter,
                    None => !sight.tried.contains(letter),
                })
        })
        .collect()
}

/// For each letter still hidden, how many of `fitting` hide it (a fitting
/// word hides no tried letter).
fn letter_counts(fitting: &[Vec<String>], shown: &[Option<String>]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for letters in fitting {
        let mut hidden: Vec<&String> = letters
            .iter()
            .zip(shown)
            .filter(|(_, tile)| tile.is_none())
            .map(|(letter, _)| letter)
            .collect();
        hidden.sort();
        hidden.dedup();
        for letter in hidden {
            *counts.entry(letter.clone()).or_insert(0) += 1;
        }
    }
    counts
}

/// A letter of the alphabet not tried yet: one of the three most frequent,
/// or (`careless`, one time in three) any.
fn common_letter(sight: &Sight<'_>, random: &mut Random, careless: bool) -> Option<String> {
    let rank = |letter: &str| {
        BY_FREQUENCY
            .chars()
            .position(|c| letter.chars().eq([c]))
            .unwrap_or(usize::MAX)
    };
    let mut untried: Vec<String> = sight
        .alphabet
        .chars()
        .map(String::from)
        .filter(|letter| !sight.tried.contains(letter))
        .collect();
    untried.sort_by_key(|letter| rank(letter));
    if careless && random.below(3) == 0 {
        return random.pick(&untried).cloned();
    }
    random.pick(&untried[..untried.len().min(3)]).cloned()
}

/// When no letter is left to name (a word outside every alphabet whose
/// letters were all tried): a letter of the room's words not tried yet, or
/// else a word of the right length.
fn last_resort(sight: &Sight<'_>) -> Move {
    let length = tiles(sight.masked).len();
    let mut any_word = None;
    for letters in sight.words.iter().filter_map(|word| letters_of(word)) {
        if let Some(letter) = letters.iter().find(|l| !sight.tried.contains(l)) {
            return Move::Letter(letter.clone());
        }
        if letters.len() == length || any_word.is_none() {
            any_word = Some(letters.concat());
        }
    }
    Move::Word(any_word.unwrap_or_else(|| "?".to_owned()))
}

/// SplitMix64: a small, seeded source of choices.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 if `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next() % n).unwrap_or(0)
    }

    /// One of `items`, if there are any.
    fn pick<'i, T>(&mut self, items: &'i [T]) -> Option<&'i T> {
        items.get(self.below(items.len()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::{ENGLISH_ALPHABET, UKRAINIAN_ALPHABET};

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|word| (*word).to_owned()).collect()
    }

    fn sight<'a>(masked: &'a str, tried: &'a [String], words: &'a [String]) -> Sight<'a> {
        Sight {
            masked,
            tried,
            alphabet: ENGLISH_ALPHABET,
            words,
        }
    }

    #[test]
    fn the_words_alphabet_rules_out_the_other_languages_words() {
        // A room plays both lists; the keyboard shows the word is English.
        let list = words(&["hammer", "собака", "молоко", "bottle"]);
        let none = Vec::new();
        for seed in 0..200 {
            for level in [Level::Normal, Level::Hard] {
                let Move::Letter(letter) = decide(level, &sight("******", &none, &list), seed)
                else {
                    panic!("{level} names a word with two candidates");
                };
                assert!(
                    ENGLISH_ALPHABET.contains(letter.as_str()),
                    "{level} named {letter} for an English word"
                );
            }
        }
    }

    #[test]
    fn hard_names_the_word_once_only_one_fits_and_the_most_telling_letter_before() {
        let list = words(&["apple", "ample", "angle", "maple", "lemon"]);
        let tried = words(&["p"]);
        // "*pp**": only apple fits.
        assert_eq!(
            decide(Level::Hard, &sight("*pp**", &tried, &list), 1),
            Move::Word("apple".into())
        );
        // "*****" with nothing tried: every five-letter word fits; 'l' and
        // 'e' are in all of them, 'p' in three.
        let none: Vec<String> = Vec::new();
        for seed in 0..20 {
            let Move::Letter(letter) = decide(Level::Hard, &sight("*****", &none, &list), seed)
            else {
                panic!("a letter first");
            };
            assert!(letter == "l" || letter == "e", "{letter}");
        }
    }

    #[test]
    fn normal_names_only_letters_of_the_words_that_still_fit() {
        let list = words(&["apple", "angle", "zebra", "quick"]);
        let tried = words(&["e", "o"]);
        // "****e" with e and o tried: apple and angle fit, zebra does not
        // (no e at the end), quick does not (no e).
        for seed in 0..50 {
            let Move::Letter(letter) = decide(Level::Normal, &sight("****e", &tried, &list), seed)
            else {
                panic!("normal names letters");
            };
            assert!(
                ["a", "p", "l", "n", "g"].contains(&letter.as_str()),
                "{letter}"
            );
        }
    }

    #[test]
    fn easy_names_common_letters_and_sometimes_any_and_never_the_word() {
        let list = words(&["apple"]);
        let none: Vec<String> = Vec::new();
        let mut letters = std::collections::BTreeSet::new();
        for seed in 0..300 {
            match decide(Level::Easy, &sight("*****", &none, &list), seed) {
                Move::Letter(letter) => letters.insert(letter),
                Move::Word(word) => panic!("easy named the word {word}"),
            };
        }
        for common in ["e", "t", "a"] {
            assert!(letters.contains(common), "{letters:?}");
        }
        assert!(
            letters.len() > 3,
            "one time in three, any letter: {letters:?}"
        );
    }

    #[test]
    fn a_word_outside_the_list_and_the_alphabet_still_gets_a_legal_move() {
        // Every letter of the alphabet tried, the word in no list.
        let tried: Vec<String> = UKRAINIAN_ALPHABET.chars().map(String::from).collect();
        let list = words(&["ґанок"]);
        let sight = Sight {
            masked: "***",
            tried: &tried,
            alphabet: UKRAINIAN_ALPHABET,
            words: &list,
        };
        for level in Level::ALL {
            assert!(matches!(decide(level, &sight, 7), Move::Word(_)), "{level}");
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_move() {
        let list = words(&["apple", "angle", "maple"]);
        let none: Vec<String> = Vec::new();
        for level in Level::ALL {
            for seed in 0..10 {
                let s = sight("*****", &none, &list);
                assert_eq!(decide(level, &s, seed), decide(level, &s, seed));
            }
        }
    }

    #[test]
    fn levels_read_and_print_as_their_names() {
        for level in Level::ALL {
            assert_eq!(level.to_string().parse::<Level>(), Ok(level));
        }
        assert_eq!(" HARD ".parse::<Level>(), Ok(Level::Hard));
        assert!("expert".parse::<Level>().is_err());
        assert_eq!(Level::default(), Level::Normal);
    }

    proptest! {
        /// Whatever it sees, a computer player names a letter not tried
        /// yet, or a word.
        #[test]
        fn every_move_is_one_the_rules_accept(
            word in "[a-e]{1,8}",
            list in prop::collection::vec("[a-e]{1,8}", 0..20),
            tried_mask in any::<u8>(),
            seed in any::<u64>(),
        ) {
            let tried: Vec<String> = "abcde"
                .chars()
                .enumerate()
                .filter(|(i, _)| tried_mask & (1 << i) != 0)
                .map(|(_, c)| c.to_string())
                .collect();
            let masked: String = word
                .chars()
                .map(|c| if tried.contains(&c.to_string()) { c } else { '*' })
                .collect();
            let list: Vec<String> = list.into_iter().chain([word.clone()]).collect();
            for level in Level::ALL {
                let sight = Sight { masked: &masked, tried: &tried, alphabet: ENGLISH_ALPHABET, words: &list };
                match decide(level, &sight, seed) {
                    Move::Letter(letter) => prop_assert!(!tried.contains(&letter), "{level} named {letter} again"),
                    Move::Word(named) => prop_assert!(!named.is_empty()),
                }
            }
        }
    }
}
