//! The event pipeline every rendering of a body shares: heading ids (Hangul kept, unique),
//! a body `#` demoted below the headline, `@/` links resolved, body images made lazy.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Heading, InternalLink, escape_attr};
use crate::error::Diagnostic;
use crate::text::slug;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A body's events after processing, with what was found on the way.
pub struct Processed<'a> {
    pub events: Vec<Event<'a>>,
    pub headings: Vec<Heading>,
    pub links: Vec<InternalLink>,
}

/// What an `@/` link becomes: its URL (with the anchor), or why it cannot be resolved.
pub type Resolve<'r> = dyn FnMut(&str, Option<&str>) -> Result<String, String> + 'r;

/// The HTML of an image written with (destination, alt, title), when the site publishes it
/// in several sizes; `None` for a plain `<img>`.
pub type Pictures<'r> = dyn Fn(&str, &str, &str) -> Option<String> + 'r;

/// Parses `body` (which starts at line `body_line` of `file`) and processes its events.
pub fn process<'a>(
    file: &Path,
    body: &'a str,
    body_line: usize,
    resolve: &mut Resolve<'_>,
    pictures: &Pictures<'_>,
) -> Result<Processed<'a>, Vec<Diagnostic>> {
    // Offsets are only needed to place a link's errors; most bodies have no `@/` link (a
    // character reference can spell one, so `&` counts too).
    let (mut events, ranges): (Vec<Event<'a>>, Vec<Range<usize>>) =
        if body.contains("@/") || body.contains('&') {
            Parser::new_ext(body, options()).into_offset_iter().unzip()
        } else {
            (Parser::new_ext(body, options()).collect(), Vec::new())
        };
    let mut errors = Vec::new();
    let mut links = Vec::new();
    let headings = assign_heading_ids(&mut events);
    let shift = events.iter().any(|e| {
        matches!(
            e,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    });
    for (n, event) in events.iter_mut().enumerate() {
        match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let Some(target) = dest_url.strip_prefix("@/") else {
                    continue;
                };
                let (path, anchor) = match target.split_once('#') {
                    Some((p, a)) => (p.to_string(), Some(a.to_string())),
                    None => (target.to_string(), None),
                };
                let path = slug::nfc(&percent_decode(&path));
                let at = ranges.get(n).map_or(0, |r| r.start);
                let (line, column) = crate::error::line_col(body, at);
                let line = line + body_line - 1;
                match resolve(&path, anchor.as_deref()) {
                    Ok(href) => *dest_url = CowStr::from(href),
                    Err(why) => errors.push(
                        Diagnostic::error(
                            file,
                            format!("broken internal link `@/{target}`: {why}"),
                        )
                        .at(line, column)
                        .with_hint(
                            "link to an article's file, relative to content/: @/section/story.md",
                        ),
                    ),
                }
                links.push(InternalLink {
                    target: path,
                    anchor,
                    line,
                    column,
                });
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
    let headings = if shift {
        headings
            .into_iter()
            .map(|h| Heading {
                level: (h.level + 1).min(6),
                ..h
            })
            .collect()
    } else {
        headings
    };
    let events = if body.contains("![") {
        lazy_images(events, pictures)
    } else {
        events
    };
    Ok(Processed {
        events,
        headings,
        links,
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

pub fn percent_decode(s: &str) -> String {
    crate::text::url::decode_path(s).unwrap_or_else(|| s.to_string())
}

/// Gives every heading an id (its own `{#id}` or one made from its text), unique in the body.
fn assign_heading_ids(events: &mut [Event<'_>]) -> Vec<Heading> {
    let mut used: HashSet<String> = HashSet::new();
    for e in events.iter() {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = e {
            used.insert(id.to_string());
        }
    }
    let mut headings = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = *level as u8;
            let explicit = id.as_ref().map(|s| s.to_string());
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
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
                    if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
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

/// Body images load lazily (the lead photo, outside the body, does not), in every size the
/// site publishes them in.
fn lazy_images<'a>(events: Vec<Event<'a>>, pictures: &Pictures<'_>) -> Vec<Event<'a>> {
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
            if let Some(html) = pictures(dest_url, &alt, title) {
                out.push(Event::InlineHtml(CowStr::from(html)));
                continue;
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
