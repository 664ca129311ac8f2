//! The summary of a body, read in the first pass: the part before `<!-- more -->`, else the
//! first top-level paragraph, as HTML and as text.
//!
//! Only as much of the body is parsed as the summary needs: a prefix ending at a blank line
//! (a block boundary) well past the first paragraph. A body that defines reference links
//! (`[x]: url`, usable from the first paragraph) or marks its summary with `<!-- more -->` is
//! parsed whole. Internal `@/` links are not resolved yet (the site is not built): they are
//! written as markers, which [`Lead::html`] replaces with URLs.

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Tag, TagEnd, html};

use super::events;
use crate::text::reading::Counter;

pub const MORE_MARKER: &str = "<!-- more -->";

/// How far a body is parsed for a first paragraph before the rest is read too.
const PREFIX: usize = 2048;

/// An automatic summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lead {
    /// HTML with a marker for each internal link (see [`Lead::html`]).
    pub marked_html: String,
    pub text: String,
    /// Internal links of the summary, in marker order: (path in content/, anchor).
    pub links: Vec<(String, Option<String>)>,
    /// The markers' common prefix (unique to this body, so no text can forge one).
    pub key: String,
}

impl Lead {
    /// The summary's HTML with internal links resolved (`resolve` gives an article's URL).
    pub fn html(&self, resolve: impl Fn(&str) -> Option<String>) -> String {
        if self.links.is_empty() {
            return self.marked_html.clone();
        }
        let mut out = self.marked_html.clone();
        for (n, (path, anchor)) in self.links.iter().enumerate().rev() {
            let href = resolve(path).map_or_else(String::new, |url| match anchor {
                Some(a) => format!("{url}#{a}"),
                None => url,
            });
            let mut escaped = String::new();
            let _ = pulldown_cmark_escape::escape_href(&mut escaped, &href);
            out = out.replace(&format!("{}x{n}", self.key), &escaped);
        }
        out
    }
}

/// The summary of `body` (pure; errors are left to the full render), sanitised when the site
/// does not trust raw HTML, and cut to `max_chars` characters: a 10 MB first paragraph must
/// not be copied into every list and feed.
pub fn lead(body: &str, sanitize: bool, max_chars: usize) -> Lead {
    let key = format!(
        "nurilink{:016x}",
        xxhash_rust::xxh3::xxh3_64(body.as_bytes())
    );
    let whole = body.contains(MORE_MARKER) || has_reference_definitions(body);
    let prefix = if whole { body } else { cut(body) };
    let mut lead = from(prefix, &key);
    if lead.text.is_empty() && lead.marked_html.is_empty() && prefix.len() < body.len() {
        lead = from(body, &key);
    }
    if sanitize {
        lead.marked_html = super::sanitize(&lead.marked_html);
    }
    if lead.text.chars().nth(max_chars).is_some() {
        lead.text = crate::text::truncate(&lead.text, max_chars);
        lead.marked_html = format!("<p>{}</p>\n", super::escape_text(&lead.text));
        lead.links.clear();
    }
    lead
}

/// `body` up to the first blank line after [`PREFIX`] bytes.
fn cut(body: &str) -> &str {
    if body.len() <= PREFIX {
        return body;
    }
    let mut from = PREFIX;
    while !body.is_char_boundary(from) {
        from += 1;
    }
    match body[from..].find("\n\n") {
        Some(i) => &body[..from + i + 1],
        None => body,
    }
}

/// A line that may define a reference link: `[label]: …` indented at most three spaces.
fn has_reference_definitions(body: &str) -> bool {
    body.contains("]:")
        && body.lines().any(|l| {
            let t = l.trim_start_matches(' ');
            l.len() - t.len() <= 3 && t.starts_with('[') && t.contains("]:")
        })
}

fn from(text: &str, key: &str) -> Lead {
    let mut links = Vec::new();
    let mut resolve = |path: &str, anchor: Option<&str>| {
        let marker = format!("{key}x{}", links.len());
        links.push((path.to_string(), anchor.map(str::to_string)));
        Ok(marker)
    };
    let Ok(p) = events::process(Path::new(""), text, 1, &mut resolve, &|_, _, _| None) else {
        return Lead::default();
    };
    let mut lead = Lead {
        key: key.to_string(),
        ..Lead::default()
    };
    if let Some(r) = summary_range(&p.events) {
        html::push_html(&mut lead.marked_html, p.events[r.clone()].iter().cloned());
        let mut counter = Counter::default();
        super::collect_text(&p.events[r], &mut lead.text, &mut counter);
        lead.text = lead.text.trim().to_string();
    }
    // Only the links that made it into the summary keep their markers.
    lead.links = links;
    lead
}

/// The part before `<!-- more -->`, else the first top-level paragraph.
fn summary_range(events: &[Event<'_>]) -> Option<Range<usize>> {
    let marker = events.iter().position(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => h.trim() == MORE_MARKER,
        _ => false,
    });
    if let Some(end) = marker {
        return Some(0..end);
    }
    let mut depth = 0usize;
    let mut start = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => start = Some(i),
            Event::End(TagEnd::Paragraph) if depth == 1 && start.is_some() => {
                return start.map(|s| s..i + 1);
            }
            _ => {}
        }
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_gives_the_same_first_paragraph_as_the_whole_body() {
        let long = format!("첫 문단 **강조**.\n\n{}", "다음 문단.\n\n".repeat(2000));
        let l = lead(&long, false, 1000);
        assert_eq!(l.text, "첫 문단 강조.");
        assert_eq!(l.marked_html, "<p>첫 문단 <strong>강조</strong>.</p>\n");
    }

    #[test]
    fn reference_links_defined_at_the_end_are_resolved() {
        let body = format!(
            "[동맹][a] 출범.\n\n{}\n[a]: https://x.kr/\n",
            "문단.\n\n".repeat(1000)
        );
        assert!(
            lead(&body, false, 1000)
                .marked_html
                .contains("href=\"https://x.kr/\"")
        );
    }

    #[test]
    fn internal_links_become_markers_and_then_urls() {
        let l = lead("[기사](@/a/출범.md#배경) 보기.\n", false, 1000);
        assert_eq!(
            l.links,
            vec![("a/출범.md".to_string(), Some("배경".to_string()))]
        );
        let html = l.html(|p| (p == "a/출범.md").then(|| "/a/%EC%B6%9C/".to_string()));
        assert!(
            html.contains("href=\"/a/%EC%B6%9C/#%EB%B0%B0%EA%B2%BD\""),
            "{html}"
        );
    }

    #[test]
    fn more_marks_a_longer_summary() {
        let l = lead("하나.\n\n둘.\n\n<!-- more -->\n\n셋.\n", false, 1000);
        assert_eq!(l.text, "하나.\n둘.");
    }
}
