//! The lecture's palindrome test, Unicode-aware.

/// Whether `line` reads the same both ways, comparing only letters and
/// digits, case-insensitively: `А роза упала на лапу Азора` is one.
pub fn is_palindrome(line: &str) -> bool {
    let folded: Vec<char> = line
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    folded.iter().eq(folded.iter().rev())
}

/// The service's answer to one line: `"1"` for a palindrome, `""` otherwise.
pub fn answer(line: &str) -> &'static str {
    if is_palindrome(line) {
        "1"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_and_english_palindromes_ignore_case_spaces_and_punctuation() {
        assert!(is_palindrome("А роза упала на лапу Азора"));
        assert!(is_palindrome("Was it a car or a cat I saw?"));
        assert!(is_palindrome("12321"));
        assert!(!is_palindrome("Привіт"));
        assert!(!is_palindrome("hello"));
    }

    #[test]
    fn answer_is_one_or_empty() {
        assert_eq!(answer("abba"), "1");
        assert_eq!(answer("abc"), "");
    }
}
