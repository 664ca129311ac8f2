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
    fn decoding_round_trips() {
        assert_eq!(
            decode_path(&encode_path("/태그/AI동맹/")).unwrap(),
            "/태그/AI동맹/"
        );
        assert!(decode_path("/%FF/").is_none());
    }
}
