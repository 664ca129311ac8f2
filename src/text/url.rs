//! One way to write a URL: NFC, then percent-encoded per RFC 3986 with upper-case hex.
//!
//! Canonical links, `og:url`, sitemaps, feeds and JSON-LD must carry byte-identical URLs, so
//! every URL nuri writes goes through [`encode_path`].

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use unicode_normalization::UnicodeNormalization;

/// Everything but RFC 3986 unreserved characters and `/` is encoded.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path (`/태그/AI/` → `/%ED%83%9C%EA%B7%B8/AI/`), NFC first.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(&crate::text::slug::nfc_cow(path), PATH).to_string()
}

/// Decodes a request path; `None` when it is not UTF-8.
pub fn decode_path(path: &str) -> Option<String> {
    percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(|s| s.nfc().collect())
}

/// Checks a site path a person wrote (an article's `path`, a redirect, a removed page) and
/// writes it the one way nuri does: NFC, one leading `/`, and a trailing `/` unless the last
/// segment names a file (`/feed.xml`). Every segment must be a plain name that fits a file
/// system (see [`crate::text::slug::check_segment`]).
pub fn site_path(written: &str) -> Result<String, String> {
    let written = crate::text::slug::nfc(written.trim());
    if written.contains('\\') {
        return Err(format!("`{written}` contains a backslash"));
    }
    if written.contains(['?', '#']) {
        return Err("may not contain `?` or `#`".into());
    }
    let trimmed = written.trim_matches('/');
    if trimmed.is_empty() {
        return Err("is empty or the front page".into());
    }
    for seg in trimmed.split('/') {
        crate::text::slug::check_segment(seg).map_err(|why| format!("segment {why}"))?;
    }
    let mut out = format!("/{trimmed}");
    if written.ends_with('/') || !trimmed.rsplit('/').next().unwrap_or("").contains('.') {
        out.push('/');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangul_is_encoded_with_uppercase_hex() {
        assert_eq!(encode_path("/tags/동맹/"), "/tags/%EB%8F%99%EB%A7%B9/");
        assert_eq!(encode_path("/a b/"), "/a%20b/");
        assert_eq!(encode_path("/ok-._~/"), "/ok-._~/");
    }

    #[test]
    fn site_paths_are_written_one_way() {
        assert_eq!(site_path("special/x").unwrap(), "/special/x/");
        assert_eq!(site_path("/a/b/").unwrap(), "/a/b/");
        assert_eq!(site_path("/feed.xml").unwrap(), "/feed.xml");
        for bad in ["/", "", "/a/../b/", "/a\\b/", "/a?b", "/a//b/"] {
            assert!(site_path(bad).is_err(), "{bad}");
        }
        assert!(site_path(&format!("/{}/", "가".repeat(90))).is_err());
    }

    #[test]
    fn decoding_round_trips() {
        assert_eq!(
            decode_path(&encode_path("/태그/AI동맹/")).unwrap(),
            "/태그/AI동맹/"
        );
        assert!(decode_path("/%FF/").is_none());
    }
}
