//! Feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the site, each section and each term.
//!
//! Written in Rust rather than templates: the formats are fixed, and escaping, date formats
//! and required elements are easier to get right once. Identifiers are the article's
//! permalink, which no edit of title, body or `updated` changes. Dates are the articles'
//! own, never the build time, so an unchanged site rebuilds to identical feeds.

use std::fmt::Write;

use serde_json::json;

use crate::Prepared;
use crate::config::FeedFormat;
use crate::model::{Entry, Urls};
use crate::text::dates::{date_view, iso};
use crate::text::xml::escape;

/// One feed: which articles, and what it is called.
#[derive(Debug, Clone)]
pub struct FeedSpec {
    pub title: String,
    pub description: String,
    /// Site path of the HTML page the feed follows (`/politics/`).
    pub page_path: String,
    /// Newest first; already limited.
    pub items: Vec<usize>,
}

impl FeedSpec {
    /// Site path of the feed file in `format`.
    pub fn path(&self, format: FeedFormat) -> String {
        format!("{}{}", self.page_path, format.file())
    }
}

/// Every feed the config asks for.
pub fn plan(p: &Prepared) -> Vec<FeedSpec> {
    let c = &p.config;
    let s = &p.site;
    if c.feeds.formats.is_empty() {
        return Vec::new();
    }
    let mut specs = vec![FeedSpec {
        title: c.title.clone(),
        description: if c.description.is_empty() {
            c.title.clone()
        } else {
            c.description.clone()
        },
        page_path: "/".into(),
        items: (0..s.entries.len().min(c.feeds.site_limit)).collect(),
    }];
    if c.feeds.sections {
        for sec in &s.sections {
            specs.push(FeedSpec {
                title: format!("{} | {}", sec.title, c.title),
                description: if sec.description.is_empty() {
                    format!("{} {}", c.title, sec.title)
                } else {
                    sec.description.clone()
                },
                page_path: sec.path.clone(),
                items: sec.articles.iter().take(c.feeds.limit).copied().collect(),
            });
        }
    }
    for tax in &s.taxonomies {
        if !c.feeds.taxonomies.contains(&tax.config.name) {
            continue;
        }
        for term in &tax.terms {
            specs.push(FeedSpec {
                title: format!("{}: {} | {}", tax.config.title, term.name, c.title),
                description: format!("{} {}", term.name, tax.config.title),
                page_path: term.path.clone(),
                items: term.articles.iter().take(c.feeds.limit).copied().collect(),
            });
        }
    }
    specs
}

/// Renders one feed.
pub fn render(p: &Prepared, spec: &FeedSpec, format: FeedFormat) -> Vec<u8> {
    match format {
        FeedFormat::Rss => rss(p, spec).into_bytes(),
        FeedFormat::Atom => atom(p, spec).into_bytes(),
        FeedFormat::Json => json_feed(p, spec),
    }
}

fn newest_modified(p: &Prepared, spec: &FeedSpec) -> Option<jiff::Timestamp> {
    spec.items
        .iter()
        .map(|&i| p.site.entries[i].article.modified())
        .max()
}

fn summary(p: &Prepared, i: usize) -> String {
    let e = &p.site.entries[i];
    e.article
        .summary
        .clone()
        .unwrap_or_else(|| p.bodies[i].summary_text.clone())
}

/// "김하늘 기자": the byline as printed.
fn byline(p: &Prepared, name: &str) -> String {
    match p.site.authors.get(&crate::text::slug::term_key(name)) {
        Some(profile) if !profile.title.is_empty() => format!("{name} {}", profile.title),
        _ => name.to_string(),
    }
}

fn author_url(p: &Prepared, name: &str) -> Option<String> {
    p.site
        .taxonomy("authors")
        .and_then(|t| t.term_of(&p.config, name))
        .map(|t| t.permalink.clone())
}

fn lang_of<'a>(p: &'a Prepared, e: &'a Entry) -> &'a str {
    e.article.lang.as_deref().unwrap_or(&p.config.language)
}

fn rss(p: &Prepared, spec: &FeedSpec) -> String {
    let c = &p.config;
    let urls = Urls(c);
    let tz = &c.timezone;
    let mut x = String::with_capacity(2048 + spec.items.len() * 1500);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n");
    let _ = writeln!(x, "<title>{}</title>", escape(&spec.title));
    let _ = writeln!(
        x,
        "<link>{}</link>",
        escape(&urls.permalink(&spec.page_path))
    );
    let _ = writeln!(
        x,
        "<description>{}</description>",
        escape(&spec.description)
    );
    let _ = writeln!(x, "<language>{}</language>", escape(&c.language));
    if !c.copyright.is_empty() {
        let _ = writeln!(x, "<copyright>{}</copyright>", escape(&c.copyright));
    }
    if let Some(ts) = newest_modified(p, spec) {
        let _ = writeln!(
            x,
            "<lastBuildDate>{}</lastBuildDate>",
            date_view(ts, tz, "en", false).rfc822
        );
    }
    let _ = writeln!(
        x,
        "<generator>nuri {}</generator>",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        x,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&urls.permalink(&spec.path(FeedFormat::Rss)))
    );
    for &i in &spec.items {
        let e = &p.site.entries[i];
        let a = &e.article;
        x.push_str("<item>\n");
        let _ = writeln!(x, "<title>{}</title>", escape(&a.title));
        let _ = writeln!(x, "<link>{}</link>", escape(&e.permalink));
        let _ = writeln!(
            x,
            "<guid isPermaLink=\"true\">{}</guid>",
            escape(&e.permalink)
        );
        let _ = writeln!(
            x,
            "<pubDate>{}</pubDate>",
            date_view(a.date, tz, "en", false).rfc822
        );
        let _ = writeln!(x, "<description>{}</description>", escape(&summary(p, i)));
        if c.feeds.full_text {
            let _ = writeln!(
                x,
                "<content:encoded>{}</content:encoded>",
                escape(&p.bodies[i].html)
            );
        }
        for name in &a.authors {
            let _ = writeln!(x, "<dc:creator>{}</dc:creator>", escape(&byline(p, name)));
        }
        if let Some(sec) = e.section {
            let _ = writeln!(
                x,
                "<category>{}</category>",
                escape(&p.site.sections[sec].title)
            );
        }
        for tag in &a.tags {
            let _ = writeln!(x, "<category domain=\"tag\">{}</category>", escape(tag));
        }
        if let Some(img) = &p.images[i] {
            if let Some(length) = img.length {
                let _ = writeln!(
                    x,
                    "<enclosure url=\"{}\" length=\"{length}\" type=\"{}\"/>",
                    escape(&img.permalink),
                    img.mime
                );
            }
            let _ = write!(
                x,
                "<media:content url=\"{}\" medium=\"image\" type=\"{}\"",
                escape(&img.permalink),
                img.mime
            );
            if let (Some(w), Some(h)) = (img.width, img.height) {
                let _ = write!(x, " width=\"{w}\" height=\"{h}\"");
            }
            x.push_str(">\n");
            if let Some(caption) = &img.caption {
                let _ = writeln!(
                    x,
                    "<media:description>{}</media:description>",
                    escape(caption)
                );
            }
            x.push_str("</media:content>\n");
        }
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

fn atom(p: &Prepared, spec: &FeedSpec) -> String {
    let c = &p.config;
    let urls = Urls(c);
    let tz = &c.timezone;
    let stamp = |ts: jiff::Timestamp| iso(&ts.to_zoned(tz.clone()));
    let mut x = String::with_capacity(2048 + spec.items.len() * 1500);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&c.language)
    );
    let page = urls.permalink(&spec.page_path);
    let _ = writeln!(x, "<id>{}</id>", escape(&page));
    let _ = writeln!(x, "<title>{}</title>", escape(&spec.title));
    let _ = writeln!(x, "<subtitle>{}</subtitle>", escape(&spec.description));
    // An empty feed has no articles to date it by; the epoch keeps it deterministic.
    let updated = newest_modified(p, spec).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let _ = writeln!(x, "<updated>{}</updated>", stamp(updated));
    let _ = writeln!(
        x,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&urls.permalink(&spec.path(FeedFormat::Atom)))
    );
    let _ = writeln!(
        x,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&page)
    );
    let _ = writeln!(
        x,
        "<author><name>{}</name><uri>{}</uri></author>",
        escape(&c.title),
        escape(&urls.permalink("/"))
    );
    let _ = writeln!(
        x,
        "<generator version=\"{}\">nuri</generator>",
        env!("CARGO_PKG_VERSION")
    );
    if !c.copyright.is_empty() {
        let _ = writeln!(x, "<rights>{}</rights>", escape(&c.copyright));
    }
    for &i in &spec.items {
        let e = &p.site.entries[i];
        let a = &e.article;
        let lang = lang_of(p, e);
        if lang != c.language {
            let _ = writeln!(x, "<entry xml:lang=\"{}\">", escape(lang));
        } else {
            x.push_str("<entry>\n");
        }
        let _ = writeln!(x, "<id>{}</id>", escape(&e.permalink));
        let _ = writeln!(x, "<title type=\"text\">{}</title>", escape(&a.title));
        let _ = writeln!(
            x,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&e.permalink)
        );
        let _ = writeln!(x, "<published>{}</published>", stamp(a.date));
        let _ = writeln!(x, "<updated>{}</updated>", stamp(a.modified()));
        for name in &a.authors {
            let _ = write!(x, "<author><name>{}</name>", escape(name));
            if let Some(url) = author_url(p, name) {
                let _ = write!(x, "<uri>{}</uri>", escape(&url));
            }
            x.push_str("</author>\n");
        }
        for tag in &a.tags {
            let _ = writeln!(x, "<category term=\"{}\"/>", escape(tag));
        }
        let _ = writeln!(
            x,
            "<summary type=\"text\">{}</summary>",
            escape(&summary(p, i))
        );
        if c.feeds.full_text {
            let _ = writeln!(
                x,
                "<content type=\"html\">{}</content>",
                escape(&p.bodies[i].html)
            );
        }
        if let Some(img) = &p.images[i] {
            let _ = writeln!(
                x,
                "<link rel=\"enclosure\" type=\"{}\" href=\"{}\"{}/>",
                img.mime,
                escape(&img.permalink),
                img.length
                    .map(|l| format!(" length=\"{l}\""))
                    .unwrap_or_default()
            );
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn json_feed(p: &Prepared, spec: &FeedSpec) -> Vec<u8> {
    let c = &p.config;
    let urls = Urls(c);
    let tz = &c.timezone;
    let stamp = |ts: jiff::Timestamp| iso(&ts.to_zoned(tz.clone()));
    let items: Vec<serde_json::Value> = spec
        .items
        .iter()
        .map(|&i| {
            let e = &p.site.entries[i];
            let a = &e.article;
            let mut item = json!({
                "id": e.permalink,
                "url": e.permalink,
                "title": a.title,
                "summary": summary(p, i),
                "date_published": stamp(a.date),
                "date_modified": stamp(a.modified()),
                "language": lang_of(p, e),
            });
            let m = item.as_object_mut().expect("object");
            if c.feeds.full_text {
                m.insert("content_html".into(), json!(p.bodies[i].html));
            } else {
                m.insert("content_text".into(), json!(summary(p, i)));
            }
            if !a.authors.is_empty() {
                let authors: Vec<_> = a
                    .authors
                    .iter()
                    .map(|n| match author_url(p, n) {
                        Some(url) => json!({ "name": n, "url": url }),
                        None => json!({ "name": n }),
                    })
                    .collect();
                m.insert("authors".into(), json!(authors));
            }
            if !a.tags.is_empty() {
                m.insert("tags".into(), json!(a.tags));
            }
            if let Some(img) = &p.images[i] {
                m.insert("image".into(), json!(img.permalink));
            }
            item
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": urls.permalink(&spec.page_path),
        "feed_url": urls.permalink(&spec.path(FeedFormat::Json)),
        "description": spec.description,
        "language": c.language,
        "authors": [{ "name": c.title, "url": urls.permalink("/") }],
        "items": items,
    });
    let mut out = serde_json::to_vec_pretty(&feed).expect("JSON");
    out.push(b'\n');
    out
}
