//! Sitemaps (sitemaps.org 0.9), the Google News sitemap and robots.txt.
//!
//! `sitemap.xml` lists every indexable page with the modification time of what it shows.
//! Past `max_urls` (50,000 by the protocol) it becomes a sitemap index over numbered parts;
//! URLs keep a stable order (list pages, then articles oldest first), so adding an article
//! only changes the last part. The news sitemap holds articles first published in the
//! 48 hours before the build's clock, at most 1,000, newest first.

use std::fmt::Write;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::Prepared;
use crate::config::Config;
use crate::model::Urls;
use crate::text::dates::iso;
use crate::text::xml::escape;

/// The protocol's per-file limits.
pub const MAX_URLS: usize = 50_000;
pub const MAX_BYTES: usize = 52_428_800;
pub const MAX_NEWS: usize = 1_000;

/// One `<url>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    /// Absolute, percent-encoded.
    pub loc: String,
    pub lastmod: Option<Timestamp>,
}

fn lastmod(ts: Timestamp, tz: &TimeZone) -> String {
    iso(&ts.to_zoned(tz.clone()))
}

fn urlset(urls: &[SitemapUrl], tz: &TimeZone) -> String {
    let mut x = String::with_capacity(urls.len() * 120 + 200);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        let _ = write!(x, "<url><loc>{}</loc>", escape(&u.loc));
        if let Some(ts) = u.lastmod {
            let _ = write!(x, "<lastmod>{}</lastmod>", lastmod(ts, tz));
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

/// `sitemap.xml` and, when it must be split, its parts: (site path, bytes).
pub fn files(config: &Config, urls: &[SitemapUrl]) -> Vec<(String, Vec<u8>)> {
    let tz = &config.timezone;
    let max = config.sitemap.max_urls.clamp(1, MAX_URLS);
    let single = urlset(urls, tz);
    if urls.len() <= max && single.len() <= MAX_BYTES {
        return vec![("/sitemap.xml".into(), single.into_bytes())];
    }
    // Split by count, then halve any part that is still over the byte limit.
    let mut chunks: Vec<&[SitemapUrl]> = urls.chunks(max).collect();
    loop {
        let mut split = false;
        let mut next = Vec::with_capacity(chunks.len());
        for c in chunks {
            if c.len() > 1 && urlset(c, tz).len() > MAX_BYTES {
                let (a, b) = c.split_at(c.len() / 2);
                next.push(a);
                next.push(b);
                split = true;
            } else {
                next.push(c);
            }
        }
        chunks = next;
        if !split {
            break;
        }
    }
    let urls_of = Urls(config);
    let mut out = Vec::with_capacity(chunks.len() + 1);
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in chunks.iter().enumerate() {
        let path = format!("/sitemap-{}.xml", n + 1);
        let _ = write!(
            index,
            "<sitemap><loc>{}</loc>",
            escape(&urls_of.permalink(&path))
        );
        if let Some(ts) = chunk.iter().filter_map(|u| u.lastmod).max() {
            let _ = write!(index, "<lastmod>{}</lastmod>", lastmod(ts, tz));
        }
        index.push_str("</sitemap>\n");
        out.push((path, urlset(chunk, tz).into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("/sitemap.xml".into(), index.into_bytes()));
    out
}

/// Entries for the Google News sitemap: published within the window before `now`.
pub fn news_items(p: &Prepared, now: Timestamp) -> Vec<usize> {
    let window = SignedDuration::from_hours(p.config.sitemap.news_hours);
    let since = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    p.site
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let t = e.article.publish_time();
            t > since && t <= now
        })
        .map(|(i, _)| i)
        .take(MAX_NEWS)
        .collect()
}

/// `sitemap-news.xml`.
pub fn news(p: &Prepared, now: Timestamp) -> Vec<u8> {
    let c = &p.config;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for i in news_items(p, now) {
        let e = &p.site.entries[i];
        let lang = e.article.lang.as_deref().unwrap_or(&c.language);
        // Google wants a two- or three-letter ISO 639 code (zh-cn and zh-tw excepted).
        let lang = if lang.eq_ignore_ascii_case("zh-cn") || lang.eq_ignore_ascii_case("zh-tw") {
            lang.to_ascii_lowercase()
        } else {
            lang.split('-').next().unwrap_or(lang).to_ascii_lowercase()
        };
        let _ = writeln!(
            x,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            escape(&e.permalink),
            escape(&c.sitemap.news_name),
            escape(&lang),
            lastmod(e.article.publish_time(), &c.timezone),
            escape(&e.article.title),
        );
    }
    x.push_str("</urlset>\n");
    x.into_bytes()
}

/// `robots.txt`: everything allowed, the sitemaps named, and the site's extra lines.
pub fn robots(config: &Config) -> Vec<u8> {
    let urls = Urls(config);
    let mut t = String::from("User-agent: *\nAllow: /\n\n");
    let _ = writeln!(t, "Sitemap: {}", urls.permalink("/sitemap.xml"));
    if config.sitemap.news {
        let _ = writeln!(t, "Sitemap: {}", urls.permalink("/sitemap-news.xml"));
    }
    for line in &config.seo.robots {
        let _ = writeln!(t, "{}", line.replace(['\n', '\r'], " "));
    }
    t.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::parse(
            std::path::Path::new("/site"),
            &format!("title = \"t\"\nbase_url = \"https://x.kr/\"\n{extra}"),
        )
        .unwrap()
    }

    fn many(n: usize) -> Vec<SitemapUrl> {
        let base: Timestamp = "2020-01-01T00:00:00Z".parse().unwrap();
        (0..n)
            .map(|i| SitemapUrl {
                loc: format!("https://x.kr/a/{i}/"),
                lastmod: Some(base + SignedDuration::from_secs(i as i64)),
            })
            .collect()
    }

    #[test]
    fn fifty_thousand_urls_fit_one_file_and_one_more_makes_an_index() {
        let c = config("");
        let one = files(&c, &many(MAX_URLS));
        assert_eq!(one.len(), 1);
        assert!(
            String::from_utf8_lossy(&one[0].1)
                .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset")
        );
        let split = files(&c, &many(MAX_URLS + 1));
        assert_eq!(
            split.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            ["/sitemap.xml", "/sitemap-1.xml", "/sitemap-2.xml"]
        );
        let index = String::from_utf8_lossy(&split[0].1);
        assert!(index.contains("<sitemapindex"));
        assert!(
            index.contains(
                "<loc>https://x.kr/sitemap-2.xml</loc><lastmod>2020-01-01T22:53:20+09:00</lastmod>"
            ),
            "{index}"
        );
        assert_eq!(
            String::from_utf8_lossy(&split[2].1)
                .matches("<url>")
                .count(),
            1
        );
        assert!(split.iter().all(|f| f.1.len() <= MAX_BYTES));
    }

    #[test]
    fn parts_over_fifty_megabytes_are_split_further() {
        let c = config("");
        let long = "x".repeat(1_900);
        let urls: Vec<SitemapUrl> = (0..30_000)
            .map(|i| SitemapUrl {
                loc: format!("https://x.kr/{long}/{i}/"),
                lastmod: None,
            })
            .collect();
        let out = files(&c, &urls);
        assert!(out.len() >= 3, "{}", out.len());
        assert!(out.iter().all(|f| f.1.len() <= MAX_BYTES));
        let total: usize = out[1..]
            .iter()
            .map(|f| String::from_utf8_lossy(&f.1).matches("<url>").count())
            .sum();
        assert_eq!(total, 30_000);
    }

    #[test]
    fn urlset_escapes_and_dates_with_offsets() {
        let tz = TimeZone::get("Asia/Seoul").unwrap();
        let urls = vec![SitemapUrl {
            loc: "https://x.kr/a?b=1&c=2".into(),
            lastmod: Some("2023-12-05T05:30:00Z".parse().unwrap()),
        }];
        let x = urlset(&urls, &tz);
        assert!(
            x.contains(
                "<loc>https://x.kr/a?b=1&amp;c=2</loc><lastmod>2023-12-05T14:30:00+09:00</lastmod>"
            ),
            "{x}"
        );
    }
}
