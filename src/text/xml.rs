//! Escaping for XML (feeds, sitemaps): entities for markup characters, and removal of the
//! control characters XML 1.0 forbids, so no title can make a feed unparseable.

/// Escapes `& < > " '` and drops characters that are not allowed in XML 1.0.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            super::escape("<script>&\"'\u{1}동맹"),
            "&lt;script&gt;&amp;&quot;&apos;동맹"
        );
    }
}
