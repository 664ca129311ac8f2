//! The `@/` links a body mentions, found by scanning its text (no parsing), so a page's
//! fingerprint can include the URLs its body links to before the body is rendered.
//!
//! The scan may find more than Markdown would resolve (an `@/` in a code span), never less:
//! a destination written with character references (`&#64;/a.md`) cannot be read off the
//! text, so a body that uses them depends on every article's URL.

use crate::text::slug;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LinkScan {
    /// Paths inside `content/`, sorted and unique.
    pub targets: Vec<String>,
    /// The body has character references, so its links cannot all be found by scanning.
    pub opaque: bool,
}

pub fn scan_links(body: &str) -> LinkScan {
    let mut targets = Vec::new();
    let mut from = 0;
    while let Some(i) = body[from..].find("@/") {
        let at = from + i;
        let angled = body[..at].ends_with('<');
        let (raw, end) = destination(&body[at + 2..], angled);
        from = at + 2 + end;
        if !raw.is_empty() {
            let decoded = crate::text::url::decode_path(&raw).unwrap_or(raw);
            targets.push(slug::nfc(&decoded));
        }
    }
    targets.sort();
    targets.dedup();
    LinkScan {
        targets,
        opaque: has_character_reference(body),
    }
}

/// The path of a link destination after `@/`: up to `#` or its end, with backslash escapes
/// undone. Returns the path and how many bytes were read.
fn destination(text: &str, angled: bool) -> (String, usize) {
    let mut out = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = if angled {
            matches!(c, '>' | '#' | '\n')
        } else {
            c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | '#' | ']' | '`')
        };
        if ends {
            return (out, i);
        }
        if c == '\\'
            && let Some(&(_, next)) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    (out, text.len())
}

/// `&name;` or `&#…;`: Markdown decodes these inside link destinations.
fn has_character_reference(body: &str) -> bool {
    let bytes = body.as_bytes();
    let mut from = 0;
    while let Some(i) = body[from..].find('&') {
        let at = from + i + 1;
        let rest = &bytes[at..];
        let name = rest
            .iter()
            .take(33)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
            .count();
        if name > 0 && rest.get(name) == Some(&b';') {
            return true;
        }
        from = at;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_form_a_link_is_written_in() {
        let s = scan_links(
            "[a](@/news/a.md#x) [b](<@/news/b c.md>) [c]: @/%EB%8F%99.md\n`@/code.md` [d](@/x\\(1\\).md) R&D",
        );
        assert_eq!(
            s.targets,
            ["code.md", "news/a.md", "news/b c.md", "x(1).md", "동.md"]
        );
        assert!(!s.opaque);
        assert!(scan_links("[a](&#64;/x.md)").opaque);
        assert!(scan_links("[a](@&sol;x.md)").opaque);
    }
}
