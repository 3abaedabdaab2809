//! The Unicode data the text rules stand on: NFC normalisation, lower
//! case, extended grapheme clusters, general category groups and the
//! Alphabetic property.
//!
//! Natively (the server, the terminal client) they come from Rust's
//! Unicode crates and their tables. In the browser app (`wasm32` with no
//! OS) they come from the browser itself (`String.prototype.normalize`,
//! `Intl.Segmenter`, `\p{…}` regular expressions), so the app downloads no
//! tables: they were most of its size. The rules in [`crate::text`] are
//! written once, on top of these functions.

/// A general category group (Unicode's first letter of a category).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// L: letters.
    Letter,
    /// M: marks (combining and enclosing).
    Mark,
    /// N: numbers.
    Number,
    /// P: punctuation.
    Punctuation,
    /// S: symbols.
    Symbol,
    /// Z: separators.
    Separator,
    /// C: controls, format, private use, surrogates, unassigned.
    Other,
}

pub use backend::{graphemes, group, is_alphabetic, lowercase, nfc};

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod backend {
    //! Rust's Unicode crates.

    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    use unicode_segmentation::UnicodeSegmentation;

    use super::Group;

    /// `text` in Normalization Form C.
    pub fn nfc(text: &str) -> String {
        text.nfc().collect()
    }

    /// `text` in lower case (Unicode's default case conversion).
    pub fn lowercase(text: &str) -> String {
        text.to_lowercase()
    }

    /// Whether `c` has the Alphabetic property.
    pub fn is_alphabetic(c: char) -> bool {
        c.is_alphabetic()
    }

    /// The extended grapheme clusters of `text`.
    pub fn graphemes(text: &str) -> Vec<String> {
        text.graphemes(true).map(str::to_owned).collect()
    }

    /// The general category group of `c`.
    pub fn group(c: char) -> Group {
        match c.general_category_group() {
            GeneralCategoryGroup::Letter => Group::Letter,
            GeneralCategoryGroup::Mark => Group::Mark,
            GeneralCategoryGroup::Number => Group::Number,
            GeneralCategoryGroup::Punctuation => Group::Punctuation,
            GeneralCategoryGroup::Symbol => Group::Symbol,
            GeneralCategoryGroup::Separator => Group::Separator,
            GeneralCategoryGroup::Other => Group::Other,
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod backend {
    //! The browser's own Unicode data, through `js-sys`.

    use js_sys::{Array, Intl, JsString, RegExp};
    use wasm_bindgen::JsCast;

    use super::Group;

    /// `text` in Normalization Form C.
    pub fn nfc(text: &str) -> String {
        String::from(JsString::from(text).normalize("NFC"))
    }

    /// `text` in lower case (Unicode's default case conversion).
    pub fn lowercase(text: &str) -> String {
        String::from(JsString::from(text).to_lower_case())
    }

    /// Whether `c` has the Alphabetic property.
    pub fn is_alphabetic(c: char) -> bool {
        if c.is_ascii() {
            return c.is_ascii_alphabetic();
        }
        thread_local! {
            static ALPHABETIC: RegExp = RegExp::new("^\\p{Alphabetic}$", "u");
        }
        let mut buffer = [0; 4];
        ALPHABETIC.with(|pattern| pattern.test(c.encode_utf8(&mut buffer)))
    }

    /// The extended grapheme clusters of `text` (`Intl.Segmenter`; in a
    /// browser without it, each character with the marks and joined
    /// characters that follow it).
    pub fn graphemes(text: &str) -> Vec<String> {
        thread_local! {
            static SEGMENTER: Option<Intl::Segmenter> = {
                let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
                let has_segmenter = intl.is_some_and(|intl| {
                    js_sys::Reflect::has(&intl, &"Segmenter".into()).unwrap_or(false)
                });
                has_segmenter.then(|| {
                    let options = Intl::SegmenterOptions::new();
                    options.set_granularity(Intl::SegmenterGranularity::Grapheme);
                    Intl::Segmenter::new(&Array::new(), options.unchecked_ref())
                })
            };
        }
        SEGMENTER.with(|segmenter| match segmenter {
            Some(segmenter) => js_sys::try_iter(&segmenter.segment(text))
                .ok()
                .flatten()
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|segment| {
                    String::from(segment.unchecked_into::<Intl::SegmentData>().segment())
                })
                .collect(),
            None => marked_clusters(text),
        })
    }

    /// Clusters without `Intl.Segmenter`: a character, the marks after it,
    /// and what a zero-width joiner joins to it.
    fn marked_clusters(text: &str) -> Vec<String> {
        let mut clusters: Vec<String> = Vec::new();
        let mut joined = false;
        for c in text.chars() {
            let extends = joined || c == '\u{200D}' || group(c) == Group::Mark;
            match clusters.last_mut() {
                Some(cluster) if extends => cluster.push(c),
                _ => clusters.push(c.to_string()),
            }
            joined = c == '\u{200D}';
        }
        clusters
    }

    /// The general category group of `c`.
    pub fn group(c: char) -> Group {
        const GROUPS: [(Group, &str); 6] = [
            (Group::Letter, "^\\p{L}$"),
            (Group::Mark, "^\\p{M}$"),
            (Group::Number, "^\\p{N}$"),
            (Group::Punctuation, "^\\p{P}$"),
            (Group::Symbol, "^\\p{S}$"),
            (Group::Separator, "^\\p{Z}$"),
        ];
        thread_local! {
            static PATTERNS: Vec<(Group, RegExp)> = GROUPS
                .iter()
                .map(|(group, pattern)| (*group, RegExp::new(pattern, "u")))
                .collect();
        }
        let mut buffer = [0; 4];
        let text = c.encode_utf8(&mut buffer);
        PATTERNS.with(|patterns| {
            patterns
                .iter()
                .find(|(_, pattern)| pattern.test(text))
                .map_or(Group::Other, |(group, _)| *group)
        })
    }
}
