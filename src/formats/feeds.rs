//! Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the site, each section and each term.
//!
//! A feed is a template like a page (`feeds/rss.xml`, `feeds/atom.xml`, `feeds/feed.json`
//! in the theme), so a newsroom can add a field by overriding one file. This module decides
//! which feeds exist and what each one lists, and builds their views. Identifiers are the
//! article's permalink, which no edit of title, body or `updated` changes; dates are the
//! articles' own, never the build time, so an unchanged site rebuilds to identical feeds.

use crate::config::{Config, FeedFormat};
use crate::model::{Site, Urls};
use crate::render::view::{BodyPart, V, vmap};
use crate::render::views::date;
use crate::text::dates::date_view;

/// One feed: which articles, and what it is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    pub title: String,
    pub description: String,
    /// Site path of the HTML page the feed follows (`/politics/`).
    pub page_path: String,
    /// Newest first; already limited.
    pub items: Vec<usize>,
    /// The edition whose articles it lists.
    pub edition: usize,
}

impl FeedSpec {
    /// Site path of the feed file in `format`.
    pub fn path(&self, format: FeedFormat) -> String {
        format!("{}{}", self.page_path, format.file())
    }
}

/// The template that writes a feed format.
pub fn template(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Rss => "feeds/rss.xml",
        FeedFormat::Atom => "feeds/atom.xml",
        FeedFormat::Json => "feeds/feed.json",
    }
}

/// Every feed the config asks for, edition by edition (`editions`: the config as each
/// edition sees it).
pub fn plan(editions: &[std::sync::Arc<Config>], s: &Site) -> Vec<FeedSpec> {
    editions.iter().flat_map(|c| plan_edition(c, s)).collect()
}

fn plan_edition(c: &Config, s: &Site) -> Vec<FeedSpec> {
    if c.feeds.formats.is_empty() {
        return Vec::new();
    }
    let edition = c.edition;
    let mut specs = vec![FeedSpec {
        title: c.title.clone(),
        description: if c.description.is_empty() {
            c.title.clone()
        } else {
            c.description.clone()
        },
        page_path: c.this_edition().path.clone(),
        items: s.editions[edition]
            .entries
            .iter()
            .take(c.feeds.site_limit)
            .copied()
            .collect(),
        edition,
    }];
    if c.feeds.sections {
        for sec in s.sections.iter().filter(|sec| sec.edition == edition) {
            specs.push(FeedSpec {
                title: format!("{} | {}", sec.title, c.title),
                description: if sec.description.is_empty() {
                    format!("{} {}", c.title, sec.title)
                } else {
                    sec.description.clone()
                },
                page_path: sec.path.clone(),
                items: sec.articles.iter().take(c.feeds.limit).copied().collect(),
                edition,
            });
        }
    }
    for tax in s.taxonomies.iter().filter(|t| t.edition == edition) {
        if !c.feeds.taxonomies.contains(&tax.config.name) {
            continue;
        }
        for term in &tax.terms {
            specs.push(FeedSpec {
                title: format!("{}: {} | {}", tax.config.title, term.name, c.title),
                description: format!("{} {}", term.name, tax.config.title),
                page_path: term.path.clone(),
                items: term.articles.iter().take(c.feeds.limit).copied().collect(),
                edition,
            });
        }
    }
    specs
}

/// The view of one feed: `feed` (about the feed) and `items` (`article`, a card, and
/// `content`, the full body when `full_text` is on).
pub fn view<'a>(c: &'a Config, s: &Site, spec: &'a FeedSpec, format: FeedFormat) -> V<'a> {
    let urls = Urls(c);
    let updated = spec
        .items
        .iter()
        .map(|&i| s.entries[i].article.modified())
        .max();
    let items = spec
        .items
        .iter()
        .map(|&i| {
            vmap! {
                "article" => V::Card(i),
                "content" => if c.feeds.full_text { V::Body(i, BodyPart::HtmlText) } else { V::None },
            }
        })
        .collect();
    vmap! {
        "feed" => vmap! {
            "title" => V::str(&spec.title),
            "description" => V::str(&spec.description),
            "url" => V::str(urls.permalink(&spec.page_path)),
            "feed_url" => V::str(urls.permalink(&spec.path(format))),
            // An empty feed has no articles to date it by; the epoch keeps it deterministic.
            "updated" => date(date_view(updated.unwrap_or(jiff::Timestamp::UNIX_EPOCH), &c.timezone, "en", false)),
            "empty" => V::Bool(updated.is_none()),
            "full_text" => V::Bool(c.feeds.full_text),
        },
        "items" => V::List(items),
    }
}
