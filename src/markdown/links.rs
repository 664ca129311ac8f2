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
    /// Local photos the body may show, in order.
    pub images: Vec<BodyImage>,
}

/// A local image file a body names (by its extension), where it is named.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct BodyImage {
    /// As written (percent-decoded, NFC): `/images/a.jpg` or `photo.jpg` in a bundle.
    pub dest: String,
    /// Line in the body (from 0) and column (from 1).
    pub line: usize,
    pub column: usize,
    /// Written `![](…)`: an image without alternative text.
    pub no_alt: bool,
}

const IMAGE_EXTENSIONS: [&str; 5] = [".jpg", ".jpeg", ".png", ".webp", ".gif"];

/// Finds local image files a body names: every destination-like word ending in an image
/// extension. Like [`scan_links`], it may find more than the body shows (a name in a code
/// span), which costs only an unused photo's processing.
pub fn scan_images(body: &str) -> Vec<BodyImage> {
    let bytes = body.as_bytes();
    let mut out: Vec<BodyImage> = Vec::new();
    let mut from = 0;
    while let Some(i) = body[from..].find('.') {
        let dot = from + i;
        from = dot + 1;
        let Some(ext) = IMAGE_EXTENSIONS.iter().find(|e| {
            bytes.len() >= dot + e.len()
                && bytes[dot..dot + e.len()].eq_ignore_ascii_case(e.as_bytes())
        }) else {
            continue;
        };
        let end = dot + ext.len();
        if bytes.get(end).is_some_and(|b| !ends_destination(*b)) {
            continue;
        }
        let start = body[..dot]
            .char_indices()
            .rev()
            .find(|&(_, c)| starts_destination(c))
            .map_or(0, |(s, c)| s + c.len_utf8());
        let raw = &body[start..end];
        if raw.contains("://") || raw.starts_with("//") || raw.is_empty() {
            continue;
        }
        let decoded = crate::text::url::decode_path(raw).unwrap_or_else(|| raw.to_string());
        let line = body[..start].matches('\n').count();
        let line_start = body[..start].rfind('\n').map_or(0, |n| n + 1);
        let column = body[line_start..start].chars().count() + 1;
        let no_alt = body[..start].ends_with("![](") || body[..start].ends_with("![](<");
        out.push(BodyImage {
            dest: slug::nfc(&decoded),
            line,
            column,
            no_alt,
        });
    }
    out
}

fn ends_destination(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b')' | b'>' | b'"' | b'\'' | b'#' | b'?' | b']')
}

fn starts_destination(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | '<' | '"' | '\'' | '=' | '[' | ']')
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
        images: scan_images(body),
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

    #[test]
    fn finds_the_images_a_body_names() {
        assert!(scan_images("사진\u{a0}a.jpg 와\u{3000}b.png").len() == 2);
        let body = "첫 문단.\n\n![회의 사진](/images/a%20b.JPG \"제목\")\n\n![](photo.png)\n\n[ref]: /images/c.webp\n<img src=\"d.jpeg\"> ![x](https://e.com/f.jpg) 끝.";
        let found: Vec<_> = scan_images(body)
            .into_iter()
            .map(|i| (i.dest, i.line, i.column, i.no_alt))
            .collect();
        assert_eq!(
            found,
            [
                ("/images/a b.JPG".to_string(), 2, 10, false),
                ("photo.png".to_string(), 4, 5, true),
                ("/images/c.webp".to_string(), 6, 8, false),
                ("d.jpeg".to_string(), 7, 11, false),
            ]
        );
    }
}
