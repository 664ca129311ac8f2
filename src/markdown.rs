//! Markdown to HTML, plus what the rest of the site needs from the body in the same pass:
//! heading anchors (Hangul kept, deduplicated), the summary, plain-text counts for reading
//! time, and internal `@/path.md` links resolved to their URLs.
//!
//! Rendering is a pure function of the body and a [`LinkResolver`]; it runs in parallel across
//! articles.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::error::Diagnostic;
use crate::text::reading::{Counter, ReadingStats};
use crate::text::slug;

/// Finds the URL of an article from its path inside `content/` (the part after `@/`).
pub trait LinkResolver: Sync {
    fn resolve(&self, target: &str) -> Result<String, String>;
}

/// A heading of the body, for a table of contents and anchor checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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

/// What an article body becomes.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub summary_html: String,
    pub summary_text: String,
    pub headings: Vec<Heading>,
    pub stats: ReadingStats,
    pub links: Vec<InternalLink>,
    /// The text a reader sees, for search.
    pub plain: String,
}

pub const MORE_MARKER: &str = "<!-- more -->";

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`, which starts at line `body_line` of `file`.
pub fn render(
    file: &Path,
    body: &str,
    body_line: usize,
    resolver: &dyn LinkResolver,
) -> Result<Rendered, Vec<Diagnostic>> {
    let mut events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();
    let mut errors = Vec::new();
    let mut links = Vec::new();

    let headings = assign_heading_ids(&mut events);
    let shift = events.iter().any(|(e, _)| {
        matches!(
            e,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    });

    for (event, range) in events.iter_mut() {
        match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                if let Some(target) = dest_url.strip_prefix("@/") {
                    let (path, anchor) = match target.split_once('#') {
                        Some((p, a)) => (p.to_string(), Some(a.to_string())),
                        None => (target.to_string(), None),
                    };
                    let path = slug::nfc(&percent_decode(&path));
                    let (line, column) = crate::error::line_col(body, range.start);
                    let line = line + body_line - 1;
                    match resolver.resolve(&path) {
                        Ok(url) => {
                            let full = match &anchor {
                                Some(a) => format!("{url}#{a}"),
                                None => url,
                            };
                            *dest_url = CowStr::from(full);
                        }
                        Err(why) => errors.push(
                            Diagnostic::error(file, format!("broken internal link `@/{target}`: {why}"))
                                .at(line, column)
                                .with_hint("link to an article's file, relative to content/: @/section/story.md"),
                        ),
                    }
                    links.push(InternalLink {
                        target: path,
                        anchor,
                        line,
                        column,
                    });
                }
            }
            Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level))
                if shift =>
            {
                *level = deeper(*level);
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let events: Vec<Event<'_>> = lazy_images(events.into_iter().map(|(e, _)| e).collect());
    let summary_range = summary_range(&events);
    let mut summary_html = String::new();
    let mut summary_counter = Counter::default();
    let mut summary_text = String::new();
    if let Some(r) = &summary_range {
        html::push_html(&mut summary_html, events[r.clone()].iter().cloned());
        collect_text(&events[r.clone()], &mut summary_text, &mut summary_counter);
    }
    let mut plain = String::with_capacity(body.len());
    let mut counter = Counter::default();
    collect_text(&events, &mut plain, &mut counter);

    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Ok(Rendered {
        html: out,
        summary_html,
        summary_text: summary_text.trim().to_string(),
        headings: if shift {
            headings
                .into_iter()
                .map(|h| Heading {
                    level: (h.level + 1).min(6),
                    ..h
                })
                .collect()
        } else {
            headings
        },
        stats: counter.finish(),
        links,
        plain,
    })
}

fn deeper(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn percent_decode(s: &str) -> String {
    crate::text::url::decode_path(s).unwrap_or_else(|| s.to_string())
}

/// Gives every heading an id (its own `{#id}` or one made from its text), unique in the body.
fn assign_heading_ids(events: &mut [(Event<'_>, Range<usize>)]) -> Vec<Heading> {
    let mut used: HashSet<String> = HashSet::new();
    for (e, _) in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = e {
            used.insert(id.to_string());
        }
    }
    let mut headings = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i].0 {
            let level = *level as u8;
            let explicit = id.as_ref().map(|s| s.to_string());
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j].0 {
                    text.push_str(t);
                }
                j += 1;
            }
            let id = match explicit {
                Some(id) => id,
                None => {
                    let base = slug::anchor(&text);
                    let mut candidate = base.clone();
                    let mut n = 1;
                    while used.contains(&candidate) {
                        candidate = format!("{base}-{n}");
                        n += 1;
                    }
                    used.insert(candidate.clone());
                    if let Event::Start(Tag::Heading { id, .. }) = &mut events[i].0 {
                        *id = Some(CowStr::from(candidate.clone()));
                    }
                    candidate
                }
            };
            headings.push(Heading {
                level,
                id,
                text: text.trim().to_string(),
            });
            i = j;
        }
        i += 1;
    }
    headings
}

/// Body images load lazily (the lead photo, outside the body, does not).
fn lazy_images(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some(e) = iter.next() {
        if let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &e
        {
            let mut alt = String::new();
            let mut depth = 1;
            for inner in iter.by_ref() {
                match &inner {
                    Event::Start(Tag::Image { .. }) => depth += 1,
                    Event::End(TagEnd::Image) => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Event::Text(t) | Event::Code(t) => alt.push_str(t),
                    _ => {}
                }
            }
            let mut tag = format!(
                "<img src=\"{}\" alt=\"{}\"",
                escape_attr(dest_url),
                escape_attr(&alt)
            );
            if !title.is_empty() {
                tag.push_str(&format!(" title=\"{}\"", escape_attr(title)));
            }
            tag.push_str(" loading=\"lazy\" decoding=\"async\">");
            out.push(Event::InlineHtml(CowStr::from(tag)));
        } else {
            out.push(e);
        }
    }
    out
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

fn collect_text(events: &[Event<'_>], out: &mut String, counter: &mut Counter) {
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
            b.add_tag_attributes("img", ["loading", "decoding", "width", "height"]);
            b.add_tag_attributes("td", ["style"]);
            b.add_tag_attributes("th", ["style"]);
            b.add_tags(["figure", "figcaption", "section", "aside", "mark"]);
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
        let r = md("첫 문단 **강조**.\n\n둘째 문단.\n").unwrap();
        assert_eq!(r.summary_text, "첫 문단 강조.");
        assert_eq!(r.summary_html, "<p>첫 문단 <strong>강조</strong>.</p>\n");
        let r = md("하나.\n\n둘.\n\n<!-- more -->\n\n셋.\n").unwrap();
        assert_eq!(r.summary_text, "하나.\n둘.");
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
