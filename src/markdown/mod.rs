//! Markdown to HTML, plus what the rest of the site needs from a body: heading anchors
//! (Hangul kept, deduplicated), plain-text counts for reading time and search, and internal
//! `@/path.md` links resolved to their URLs.
//!
//! Two passes read a body. The first ([`lead`]) reads only as far as the summary (the
//! first paragraph, or what comes before `<!-- more -->`), for lists and feeds, and notes the
//! `@/` links the body mentions ([`scan_links`]) without rendering it. The second
//! ([`render`]) renders the whole body for its page, once every article's URL is known. Both
//! are pure functions of the body text; they run in parallel across articles.

mod events;
mod lead;
mod links;

use std::path::Path;

use pulldown_cmark::{Event, TagEnd, html};

use crate::error::Diagnostic;
use crate::text::reading::{Counter, ReadingStats};

pub use lead::{Lead, MORE_MARKER, lead};
pub use links::{BodyImage, LinkScan, scan_images, scan_links};

/// Finds the URL of an article from its path inside `content/` (the part after `@/`).
pub trait LinkResolver: Sync {
    fn resolve(&self, target: &str) -> Result<String, String>;

    /// The HTML of a body image written `![alt](dest "title")`, when the site publishes it
    /// in several sizes (a `<picture>`); `None` gives a plain lazy `<img>`.
    fn picture(&self, _dest: &str, _alt: &str, _title: &str) -> Option<String> {
        None
    }
}

/// A heading of the body, for a table of contents and anchor checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, Hash)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// An `@/` link, kept so anchors can be checked once every article is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    /// Path inside `content/`.
    pub target: String,
    pub anchor: Option<String>,
    pub line: usize,
    pub column: usize,
}

/// What an article body becomes on its page.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub stats: ReadingStats,
    pub links: Vec<InternalLink>,
    /// The text a reader sees, for search.
    pub plain: String,
}

/// Renders `body`, which starts at line `body_line` of `file`.
pub fn render(
    file: &Path,
    body: &str,
    body_line: usize,
    resolver: &dyn LinkResolver,
) -> Result<Rendered, Vec<Diagnostic>> {
    let mut resolve = |path: &str, anchor: Option<&str>| {
        resolver.resolve(path).map(|url| match anchor {
            Some(a) => format!("{url}#{a}"),
            None => url,
        })
    };
    let pictures = |dest: &str, alt: &str, title: &str| resolver.picture(dest, alt, title);
    let p = events::process(file, body, body_line, &mut resolve, &pictures)?;
    let mut plain = String::with_capacity(body.len());
    let mut counter = Counter::default();
    collect_text(&p.events, &mut plain, &mut counter);
    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, p.events.into_iter());
    Ok(Rendered {
        html: out,
        headings: p.headings,
        stats: counter.finish(),
        links: p.links,
        plain,
    })
}

pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn collect_text(events: &[Event<'_>], out: &mut String, counter: &mut Counter) {
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => {
                counter.add(t);
                out.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => {
                out.push('\n');
            }
            _ => {}
        }
    }
}

/// Escapes text for HTML element content.
pub fn escape_text(s: &str) -> String {
    escape_attr(s)
}

/// Cleans article HTML for sites with `unsafe_html = false`: scripts, event handlers,
/// `javascript:` URLs and unknown tags go; headings keep their ids, images their lazy loading.
pub fn sanitize(html: &str) -> String {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes(["id", "class", "lang"]);
            b.add_tag_attributes(
                "img",
                ["loading", "decoding", "width", "height", "srcset", "sizes"],
            );
            b.add_tag_attributes("source", ["type", "srcset", "sizes"]);
            b.add_tag_attributes("td", ["style"]);
            b.add_tag_attributes("th", ["style"]);
            b.add_tags([
                "figure",
                "figcaption",
                "section",
                "aside",
                "mark",
                "picture",
                "source",
            ]);
            b
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Links;
    impl LinkResolver for Links {
        fn resolve(&self, target: &str) -> Result<String, String> {
            match target {
                "alliance/출범.md" => Ok("/alliance/출범/".into()),
                _ => Err("no such article".into()),
            }
        }
    }

    fn md(body: &str) -> Result<Rendered, Vec<Diagnostic>> {
        render(Path::new("content/a.md"), body, 5, &Links)
    }

    #[test]
    fn hangul_heading_ids_are_kept_and_deduplicated() {
        let r = md("## 배경\n\n## 배경\n\n## Key Points {#kp}\n").unwrap();
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["배경", "배경-1", "kp"]);
        assert!(r.html.contains("<h2 id=\"배경-1\">배경</h2>"), "{}", r.html);
    }

    #[test]
    fn body_h1_is_demoted_so_the_headline_stays_the_only_h1() {
        let r = md("# 큰 제목\n\n## 작은 제목\n").unwrap();
        assert!(r.html.contains("<h2 id=\"큰-제목\">"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"작은-제목\">"), "{}", r.html);
        assert!(!r.html.contains("<h1"));
    }

    #[test]
    fn internal_links_resolve_and_broken_ones_name_the_line() {
        let r = md("[기사](@/alliance/출범.md#배경)\n").unwrap();
        // pulldown-cmark percent-encodes hrefs, as every nuri URL is.
        assert!(
            r.html
                .contains("href=\"/alliance/%EC%B6%9C%EB%B2%94/#%EB%B0%B0%EA%B2%BD\""),
            "{}",
            r.html
        );
        assert_eq!(r.links[0].anchor.as_deref(), Some("배경"));
        let errs = md("첫 줄\n\n둘째 [없음](@/nope.md)\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (7, 4));
        assert!(errs[0].message.contains("@/nope.md"));
    }

    #[test]
    fn summary_is_text_before_more_or_first_paragraph() {
        let l = lead("첫 문단 **강조**.\n\n둘째 문단.\n", false, 1000);
        assert_eq!(l.text, "첫 문단 강조.");
        assert_eq!(l.marked_html, "<p>첫 문단 <strong>강조</strong>.</p>\n");
        let l = lead("하나.\n\n둘.\n\n<!-- more -->\n\n셋.\n", false, 1000);
        assert_eq!(l.text, "하나.\n둘.");
    }

    #[test]
    fn tables_footnotes_strikethrough_render() {
        let r = md("|a|b|\n|-|-|\n|1|2|\n\n~~취소~~ 각주[^1]\n\n[^1]: 설명\n").unwrap();
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>취소</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn body_images_are_lazy_and_escaped() {
        let r = md("![사진 \"설명\"](a.jpg)\n").unwrap();
        assert!(
            r.html
                .contains("<img src=\"a.jpg\" alt=\"사진 &quot;설명&quot;\" loading=\"lazy\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn reading_stats_come_from_text_not_markup() {
        let r = md("**동맹은** [오늘](https://x.kr) 출범했다.\n").unwrap();
        assert_eq!(r.stats.words, 3);
    }
}
