//! Slugs: the last segment of an article's URL, and the URL names of sections and terms.
//!
//! Korean newsrooms keep Hangul in their URLs (`/tags/동맹/`), so the default strategy keeps
//! every letter and removes only what breaks a path or a URL: separators, reserved
//! punctuation, quotes and control characters. Everything is NFC first: macOS editors save
//! file names as NFD (decomposed jamo), and an NFD path is a different URL.

use unicode_normalization::UnicodeNormalization;

/// How article slugs are made from file names (`slug` in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlugStrategy {
    /// Hangul and other letters kept; unsafe characters removed. The default.
    Keep,
    /// Transliterated to ASCII (`동맹` → `dongmaeng`).
    Ascii,
    /// The article's numeric `id`.
    Id,
}

impl SlugStrategy {
    pub fn parse(s: &str) -> Result<SlugStrategy, String> {
        match s {
            "keep" => Ok(SlugStrategy::Keep),
            "ascii" => Ok(SlugStrategy::Ascii),
            "id" => Ok(SlugStrategy::Id),
            other => Err(format!(
                "slug = \"{other}\" is not a slug strategy; use \"keep\", \"ascii\" or \"id\""
            )),
        }
    }

    /// Applies the strategy to a name (the `Id` strategy is handled by the caller, which knows
    /// the article's id; here it behaves like `Keep`).
    pub fn apply(self, name: &str) -> String {
        match self {
            SlugStrategy::Keep | SlugStrategy::Id => slugify_keep(name),
            SlugStrategy::Ascii => slugify_ascii(name),
        }
    }
}

/// The URL segment of a section folder or taxonomy term, by the site's slug strategy.
pub fn name_slug(strategy: SlugStrategy, name: &str) -> String {
    match strategy {
        SlugStrategy::Ascii => slugify_ascii(name),
        _ => slugify_keep(name),
    }
}

pub fn nfc(s: &str) -> String {
    nfc_cow(s).into_owned()
}

/// `s` in NFC, borrowed when it already is (the quick check settles almost every string,
/// Hangul syllables included, without decomposing anything).
pub fn nfc_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii()
        || unicode_normalization::is_nfc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// Characters that never go into a slug: path separators, URL delimiters, quotes.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '/' | '\\'
                | '?'
                | '#'
                | '%'
                | '<'
                | '>'
                | ':'
                | '"'
                | '\''
                | '|'
                | '*'
                | '&'
                | '+'
                | '='
                | ';'
                | ','
                | '!'
                | '$'
                | '@'
                | '['
                | ']'
                | '{'
                | '}'
                | '('
                | ')'
                | '^'
                | '`'
                | '‘'
                | '’'
                | '“'
                | '”'
                | '…'
                | '「'
                | '」'
                | '『'
                | '』'
                | '\u{FEFF}'
        )
}

/// Keeps letters (Hangul included), digits, `-`, `_`, `.`, `~` and `·`; spaces become `-`;
/// ASCII letters are lower-cased.
pub fn slugify_keep(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.nfc() {
        if c.is_whitespace() || c == '-' {
            push_dash(&mut out);
        } else if is_unsafe(c) {
            continue;
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    finish(out)
}

/// Transliterates to lower-case ASCII words joined by `-`.
pub fn slugify_ascii(name: &str) -> String {
    let nfc = nfc(name);
    let ascii = deunicode::deunicode(&nfc);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else {
            push_dash(&mut out);
        }
    }
    finish(out)
}

fn push_dash(out: &mut String) {
    if !out.is_empty() && !out.ends_with('-') {
        out.push('-');
    }
}

fn finish(mut out: String) -> String {
    while out.ends_with(['-', '.']) {
        out.pop();
    }
    let trimmed = out.trim_start_matches(['-', '.']);
    if trimmed.len() != out.len() {
        out = trimmed.to_string();
    }
    out
}

/// The identity of a taxonomy term: `AI`, `ai` and ` AI ` are one term.
pub fn term_key(name: &str) -> String {
    nfc(name.trim()).to_lowercase()
}

/// A heading anchor: Hangul kept, ASCII lower-cased, spaces to `-`, punctuation dropped.
pub fn anchor(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            push_dash(&mut out);
        } else if c == '_' || c == '·' {
            out.push(c);
        }
    }
    let out = finish(out);
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// The longest name most file systems allow for one file or folder, in bytes.
pub const MAX_SEGMENT_BYTES: usize = 255;

/// Checks a user-written slug or path segment for things that could escape a folder, and
/// that it fits a file system's name limit (Hangul takes three bytes a syllable).
pub fn check_segment(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.len() > MAX_SEGMENT_BYTES {
        return Err(format!(
            "is {} bytes long; a URL segment becomes a folder name, and file systems allow {MAX_SEGMENT_BYTES} bytes",
            s.len()
        ));
    }
    if s == "." || s == ".." || s.contains("..") {
        return Err(format!("`{s}` contains `..`"));
    }
    if s.contains('/') || s.contains('\\') {
        return Err(format!("`{s}` contains a path separator"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!(
            "`{}` contains a control character",
            s.escape_debug()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_strategy_keeps_hangul_and_removes_unsafe_characters() {
        assert_eq!(slugify_keep("AI 동맹 출범"), "ai-동맹-출범");
        assert_eq!(slugify_keep("메타·IBM 'AI 동맹'?"), "메타·ibm-ai-동맹");
        assert_eq!(slugify_keep("../../etc/passwd"), "etcpasswd");
        assert_eq!(slugify_keep("  --a  b--  "), "a-b");
    }

    #[test]
    fn keep_strategy_normalises_nfd_to_nfc() {
        let nfd: String = "동맹".nfd().collect();
        assert_ne!(nfd, "동맹");
        assert_eq!(slugify_keep(&nfd), "동맹");
    }

    #[test]
    fn ascii_strategy_transliterates() {
        assert_eq!(slugify_ascii("AI 동맹 누리집"), "ai-dongmaeng-nurijib");
        assert_eq!(slugify_ascii("!!!"), "");
    }

    #[test]
    fn term_keys_ignore_case_and_form() {
        assert_eq!(term_key("AI"), term_key(" ai "));
        let nfd: String = "한미동맹".nfd().collect();
        assert_eq!(term_key(&nfd), "한미동맹");
    }

    #[test]
    fn anchors_keep_hangul() {
        assert_eq!(anchor("배경"), "배경");
        assert_eq!(anchor("Key points: 2023!"), "key-points-2023");
        assert_eq!(anchor("???"), "section");
    }

    #[test]
    fn segments_that_escape_are_rejected() {
        assert!(check_segment("..").is_err());
        assert!(check_segment("a/b").is_err());
        assert!(check_segment("a\\b").is_err());
        assert!(check_segment("a\u{0}b").is_err());
        assert!(check_segment("동맹").is_ok());
    }
}
