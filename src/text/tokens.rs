//! Search tokens that work for Korean.
//!
//! Korean attaches particles to words (동맹을, 동맹은) and writes compounds without spaces
//! (한미동맹, AI동맹), so whitespace words miss most matches. Runs of Hangul (and other CJK
//! characters) are indexed as overlapping two-syllable bigrams, plus single syllables for
//! one-syllable queries; a query's bigrams find the word inside any longer word. Other
//! scripts are lower-cased words, matched by prefix at query time. The browser script
//! (`static/js/search.js` in the default theme) splits queries the same way.

/// A maximal run of one kind of character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run<'a> {
    /// Hangul syllables, compatibility jamo, kana or CJK ideographs.
    Cjk(&'a str),
    /// Letters and digits of other scripts, not yet lower-cased.
    Word(&'a str),
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3   // Hangul syllables
        | 0x1100..=0x11FF // Hangul jamo
        | 0x3130..=0x318F // Hangul compatibility jamo
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
    )
}

#[inline(always)]
fn kind(c: char) -> u8 {
    // Most text in a mixed portal is ASCII: decide it without the CJK range checks.
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() { 2 } else { 0 }
    } else if is_cjk(c) {
        1
    } else if c.is_alphanumeric() {
        2
    } else {
        0
    }
}

/// The character starting at byte `i` of `s` and its length, decoded straight from the
/// bytes (`i` must be a character boundary; `s` is valid UTF-8, so the bytes are well formed).
#[inline(always)]
pub(crate) fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes();
    let b0 = u32::from(b[i]);
    let cont = |k: usize| u32::from(b[i + k]) & 0x3F;
    let (c, n) = if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xE0 {
        (((b0 & 0x1F) << 6) | cont(1), 2)
    } else if b0 < 0xF0 {
        (((b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    };
    (char::from_u32(c).unwrap_or('\u{FFFD}'), n)
}

/// Splits text into runs of CJK characters and of other letters/digits.
pub fn runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let len = text.len();
        // Skip what is neither (spaces, punctuation).
        let first = loop {
            if i >= len {
                return None;
            }
            let (c, n) = char_at(text, i);
            let k = kind(c);
            if k != 0 {
                break k;
            }
            i += n;
        };
        let start = i;
        while i < len {
            let (c, n) = char_at(text, i);
            if kind(c) != first {
                break;
            }
            i += n;
        }
        let run = &text[start..i];
        Some(if first == 1 {
            Run::Cjk(run)
        } else {
            Run::Word(run)
        })
    })
}

/// Longest word indexed; longer ones (URLs, hashes) are not worth a posting.
pub const MAX_WORD: usize = 40;

/// Calls `emit` with every index term of `text`: CJK unigrams and bigrams, lower-cased words.
pub fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut buf = String::new();
    for run in runs(text) {
        match run {
            Run::Cjk(s) => {
                let mut prev: Option<(usize, char)> = None;
                for (i, c) in s.char_indices() {
                    emit(&s[i..i + c.len_utf8()]);
                    if let Some((p, _)) = prev {
                        emit(&s[p..i + c.len_utf8()]);
                    }
                    prev = Some((i, c));
                }
            }
            Run::Word(w) => {
                if w.chars().count() > MAX_WORD {
                    continue;
                }
                buf.clear();
                buf.extend(w.chars().flat_map(char::to_lowercase));
                emit(&buf);
            }
        }
    }
}

/// How a query part is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QueryTerm {
    /// Exact CJK unigram or bigram.
    Exact(String),
    /// Words starting with this (3 or more characters).
    Prefix(String),
    /// A short word, matched exactly.
    Word(String),
}

/// The terms of a query, all of which a full match contains.
pub fn query_terms(query: &str) -> Vec<QueryTerm> {
    let mut out: Vec<QueryTerm> = Vec::new();
    for run in runs(query) {
        match run {
            Run::Cjk(s) => {
                let chars: Vec<(usize, char)> = s.char_indices().collect();
                if chars.len() == 1 {
                    out.push(QueryTerm::Exact(s.to_string()));
                }
                for w in chars.windows(2) {
                    let end = w[1].0 + w[1].1.len_utf8();
                    out.push(QueryTerm::Exact(s[w[0].0..end].to_string()));
                }
            }
            Run::Word(w) => {
                let lower: String = w.chars().flat_map(char::to_lowercase).collect();
                if lower.chars().count() >= 3 {
                    out.push(QueryTerm::Prefix(lower));
                } else {
                    out.push(QueryTerm::Word(lower));
                }
            }
        }
    }
    // Each distinct term once, at most 64 (the script does the same).
    let mut seen = std::collections::HashSet::new();
    out.retain(|t| seen.insert(t.clone()));
    out.truncate(64);
    out
}

/// The shard a word lives in: its first three characters (or the whole word if shorter).
pub fn word_shard_key(word: &str) -> &str {
    match word.char_indices().nth(3) {
        Some((i, _)) => &word[..i],
        None => word,
    }
}

/// 32-bit FNV-1a over UTF-8 bytes; the script computes the same.
pub fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.as_bytes() {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_term(text, |t| v.push(t.to_string()));
        v
    }

    #[test]
    fn korean_runs_become_unigrams_and_bigrams() {
        assert_eq!(terms("동맹을"), ["동", "맹", "동맹", "을", "맹을"]);
    }

    #[test]
    fn mixed_script_compounds_split_by_script() {
        assert_eq!(
            terms("AI동맹, Open-Source!"),
            ["ai", "동", "맹", "동맹", "open", "source"]
        );
    }

    #[test]
    fn a_query_for_a_word_is_found_inside_particles_and_compounds() {
        let q = query_terms("동맹");
        assert_eq!(q, [QueryTerm::Exact("동맹".into())]);
        for doc in ["동맹을 맺었다", "동맹은", "한미동맹", "AI동맹"] {
            let t = terms(doc);
            assert!(t.contains(&"동맹".to_string()), "{doc}");
        }
    }

    #[test]
    fn query_forms() {
        assert_eq!(query_terms("맹"), [QueryTerm::Exact("맹".into())]);
        assert_eq!(
            query_terms("AI 동맹 Alliance"),
            [
                QueryTerm::Word("ai".into()),
                QueryTerm::Exact("동맹".into()),
                QueryTerm::Prefix("alliance".into())
            ]
        );
        assert_eq!(query_terms("  ?! "), []);
    }

    #[test]
    fn runs_split_by_script_on_any_text() {
        let text = "é한글ABC1 ,𝔘 ü日本語ё — x";
        let got: Vec<Run<'_>> = runs(text).collect();
        assert_eq!(
            got,
            [
                Run::Word("é"),
                Run::Cjk("한글"),
                Run::Word("ABC1"),
                Run::Word("𝔘"),
                Run::Word("ü"),
                Run::Cjk("日本語"),
                Run::Word("ё"),
                Run::Word("x"),
            ]
        );
        for (i, c) in text.char_indices() {
            assert_eq!(char_at(text, i), (c, c.len_utf8()));
        }
    }

    #[test]
    fn shard_keys_and_hash_are_stable() {
        assert_eq!(word_shard_key("alliance"), "all");
        assert_eq!(word_shard_key("ai"), "ai");
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
    }
}
