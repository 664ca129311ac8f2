//! Sitemaps (sitemaps.org 0.9), the Google News sitemap and robots.txt: the views of their
//! templates (`sitemaps/urlset.xml`, `sitemaps/index.xml`, `sitemaps/news.xml`,
//! `robots.txt` in the theme), and how a long sitemap is split.
//!
//! `sitemap.xml` lists every indexable page with the modification time of what it shows.
//! Past `max_urls` (50,000 by the protocol) or 50 MB it becomes a sitemap index over
//! numbered parts; URLs keep a stable order (list pages, then articles oldest first), so
//! adding an article only changes the last part. The news sitemap holds articles first
//! published in the 48 hours before the build's clock, at most 1,000, newest first.

use jiff::{SignedDuration, Timestamp};

use crate::config::Config;
use crate::model::{Site, Urls};
use crate::render::view::{V, vmap};
use crate::text::dates::iso;

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
    /// The page in every language it has (itself included, and `x-default`): hreflang and
    /// absolute URL. Empty for a page without translations.
    pub alternates: Vec<(String, String)>,
}

fn stamp(c: &Config, ts: Timestamp) -> String {
    iso(&ts.to_zoned(c.timezone.clone()))
}

/// The view of one `<urlset>`.
pub fn urlset<'a>(c: &Config, urls: &'a [SitemapUrl]) -> V<'a> {
    let list = urls
        .iter()
        .map(|u| {
            vmap! {
                "loc" => V::str(&u.loc),
                "lastmod" => u.lastmod.map_or(V::None, |t| V::str(stamp(c, t))),
                "alternates" => V::List(u.alternates.iter().map(|(lang, href)| vmap! {
                    "hreflang" => V::str(lang),
                    "href" => V::str(href),
                }).collect()),
            }
        })
        .collect();
    vmap! {
        "urls" => V::List(list),
        "alternates" => V::Bool(urls.iter().any(|u| !u.alternates.is_empty())),
    }
}

/// The view of a sitemap index over parts: (site path, newest lastmod).
pub fn index<'a>(c: &Config, parts: &[(String, Option<Timestamp>)]) -> V<'a> {
    let urls = Urls(c);
    let list = parts
        .iter()
        .map(|(path, lastmod)| {
            vmap! {
                "loc" => V::str(urls.permalink(path)),
                "lastmod" => lastmod.map_or(V::None, |t| V::str(stamp(c, t))),
            }
        })
        .collect();
    vmap! { "sitemaps" => V::List(list) }
}

/// The parts of a sitemap by count (`max_urls`); a part over [`MAX_BYTES`] once rendered is
/// halved by the caller.
pub fn chunks(c: &Config, urls: &[SitemapUrl]) -> Vec<std::ops::Range<usize>> {
    let max = c.sitemap.max_urls.clamp(1, MAX_URLS);
    (0..urls.len().max(1))
        .step_by(max)
        .map(|s| s..(s + max).min(urls.len()))
        .collect()
}

/// The site path of sitemap part `n` (1-based).
pub fn part_path(n: usize) -> String {
    format!("/sitemap-{n}.xml")
}

/// Entries for the Google News sitemap: published within the window before `now`.
pub fn news_items(c: &Config, site: &Site, now: Timestamp) -> Vec<usize> {
    let window = SignedDuration::from_hours(c.sitemap.news_hours);
    let since = now.checked_sub(window).unwrap_or(Timestamp::MIN);
    site.entries
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

/// The view of `sitemap-news.xml`.
/// `editions`: the config as each edition sees it (its publication name).
pub fn news<'a>(
    c: &'a Config,
    editions: &'a [std::sync::Arc<Config>],
    site: &'a Site,
    items: &[usize],
) -> V<'a> {
    let list = items
        .iter()
        .map(|&i| {
            let e = &site.entries[i];
            let lang = e.article.lang.as_deref().unwrap_or(&c.language);
            // Google wants a two- or three-letter ISO 639 code (zh-cn and zh-tw excepted).
            let lang = if lang.eq_ignore_ascii_case("zh-cn") || lang.eq_ignore_ascii_case("zh-tw") {
                lang.to_ascii_lowercase()
            } else {
                lang.split('-').next().unwrap_or(lang).to_ascii_lowercase()
            };
            vmap! {
                "loc" => V::str(&e.permalink),
                "publication" => V::str(&editions[e.edition].sitemap.news_name),
                "title" => V::str(&e.article.title),
                "language" => V::str(lang),
                "published" => V::str(stamp(c, e.article.publish_time())),
            }
        })
        .collect();
    vmap! {
        "publication" => V::str(&c.sitemap.news_name),
        "articles" => V::List(list),
    }
}

/// The view of `robots.txt`: everything allowed, the sitemaps named, and the site's lines.
pub fn robots(c: &Config, news: bool) -> V<'_> {
    let urls = Urls(c);
    let mut sitemaps = vec![V::str(urls.permalink("/sitemap.xml"))];
    if news {
        sitemaps.push(V::str(urls.permalink("/sitemap-news.xml")));
    }
    vmap! {
        "sitemaps" => V::List(sitemaps),
        "lines" => V::List(c.seo.robots.iter().map(|l| V::str(l.replace(['\n', '\r'], " "))).collect()),
    }
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

    #[test]
    fn fifty_thousand_urls_are_one_part_and_one_more_makes_two() {
        let c = config("");
        let urls = vec![
            SitemapUrl {
                loc: "https://x.kr/".into(),
                lastmod: None,
                alternates: Vec::new(),
            };
            MAX_URLS + 1
        ];
        assert_eq!(chunks(&c, &urls[..MAX_URLS]), vec![0..MAX_URLS]);
        assert_eq!(chunks(&c, &urls), vec![0..MAX_URLS, MAX_URLS..MAX_URLS + 1]);
        assert_eq!(chunks(&c, &[]), vec![0..0]);
        let c = config("[sitemap]\nmax_urls = 2\n");
        assert_eq!(chunks(&c, &urls[..5]), vec![0..2, 2..4, 4..5]);
    }
}
