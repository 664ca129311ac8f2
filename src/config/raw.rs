//! `config.toml` exactly as serde reads it: unknown keys and wrong types are rejected here,
//! with the key's line and column. Values that need checking keep their span.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// Exactly the keys a site may write in `config.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub base_url: Spanned<String>,
    #[serde(default = "default_language")]
    pub language: Spanned<String>,
    #[serde(default = "default_timezone")]
    pub timezone: Spanned<String>,
    #[serde(default = "default_theme")]
    pub theme: Spanned<String>,
    #[serde(default = "default_output_dir")]
    pub output_dir: Spanned<String>,
    #[serde(default = "default_permalink")]
    pub permalink: Spanned<String>,
    #[serde(default = "default_paginate_by")]
    pub paginate_by: Spanned<usize>,
    #[serde(default)]
    pub copyright: String,
    /// Raw HTML in Markdown is kept (a trusted newsroom); `false` sanitises it.
    #[serde(default = "yes")]
    pub unsafe_html: bool,
    /// Show times as 오전/오후 h:mm instead of 24-hour HH:mm.
    #[serde(default)]
    pub ampm: bool,
    #[serde(default)]
    pub slug: Option<Spanned<String>>,
    /// Navigation order of sections by folder name; sections not listed follow by weight.
    #[serde(default)]
    pub sections: Vec<String>,
    #[serde(default)]
    pub taxonomies: BTreeMap<String, Spanned<RawTaxonomy>>,
    #[serde(default)]
    pub archives: RawArchives,
    #[serde(default = "default_related")]
    pub related: usize,
    /// Reporter profiles kept in config instead of content/authors/.
    #[serde(default)]
    pub authors: BTreeMap<String, RawAuthor>,
    /// Publisher logo for JSON-LD (a path under static/ or an absolute URL).
    #[serde(default)]
    pub logo: Option<String>,
    /// The image of articles without a lead photo, for sharing and JSON-LD (a path under
    /// static/ or an absolute URL).
    #[serde(default)]
    pub default_image: Option<String>,
    /// IndexNow: the site's key (its key file is published) and where `nuri ping` sends.
    #[serde(default)]
    pub indexnow_key: Option<Spanned<String>>,
    #[serde(default)]
    pub indexnow_endpoints: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub feeds: RawFeeds,
    #[serde(default)]
    pub sitemap: RawSitemap,
    #[serde(default)]
    pub seo: RawSeo,
    #[serde(default)]
    pub search: RawSearch,
    /// Old path → new path (or `@/article.md`), served as 301.
    #[serde(default)]
    pub redirects: BTreeMap<String, Spanned<String>>,
    /// Paths of articles taken down for good, served as 410 where the host allows.
    #[serde(default)]
    pub gone: Vec<Spanned<String>>,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub headers: RawHeaders,
    #[serde(default)]
    pub images: RawImages,
    /// Editions in other languages: `[languages.en]`.
    #[serde(default)]
    pub languages: BTreeMap<String, Spanned<RawLanguage>>,
    #[serde(default)]
    pub extra: toml::Table,
}

/// `[languages.<tag>]`: an edition beside the default language's, under its own path.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLanguage {
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub timezone: Option<Spanned<String>>,
    /// Default: `/<tag>/`.
    pub path: Option<Spanned<String>>,
    pub permalink: Option<Spanned<String>>,
    pub paginate_by: Option<Spanned<usize>>,
    pub copyright: Option<String>,
    pub ampm: Option<bool>,
    /// Section titles by folder name.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// Taxonomy titles by taxonomy name.
    #[serde(default)]
    pub taxonomies: BTreeMap<String, String>,
    /// Terms of this edition that translate terms of the default language's, by taxonomy:
    /// `[languages.en.translations.tags] "AI Alliance" = "AI동맹"`.
    #[serde(default)]
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
    /// The Google News publication name in this language.
    pub news_name: Option<String>,
}

/// `[images]`: how lead and body photos are resized and encoded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImages {
    /// Widths (pixels) every photo is published at, never wider than the photo itself.
    #[serde(default = "default_widths")]
    pub widths: Spanned<Vec<u32>>,
    #[serde(default = "default_webp_quality")]
    pub webp_quality: Spanned<u8>,
    #[serde(default = "default_jpeg_quality")]
    pub jpeg_quality: Spanned<u8>,
    /// AVIF as well as WebP (slow to encode).
    #[serde(default = "spanned_false")]
    pub avif: Spanned<bool>,
    /// Publish original files with their EXIF, XMP and IPTC (GPS included).
    #[serde(default)]
    pub keep_metadata: bool,
    /// How `image_credit` is shown: `{credit}` stands for the name.
    #[serde(default)]
    pub credit: Option<Spanned<String>>,
    /// Photos with more pixels than this are refused (a decompression bomb).
    #[serde(default = "default_max_megapixels")]
    pub max_megapixels: Spanned<u32>,
    /// The `sizes` attribute of body photos: how wide the theme shows them.
    #[serde(default = "default_body_sizes")]
    pub body_sizes: String,
}

impl Default for RawImages {
    fn default() -> Self {
        RawImages {
            widths: default_widths(),
            webp_quality: default_webp_quality(),
            jpeg_quality: default_jpeg_quality(),
            avif: spanned_false(),
            keep_metadata: false,
            credit: None,
            max_megapixels: default_max_megapixels(),
            body_sizes: default_body_sizes(),
        }
    }
}

fn spanned_false() -> Spanned<bool> {
    Spanned::new(0..0, false)
}
fn default_widths() -> Spanned<Vec<u32>> {
    Spanned::new(0..0, vec![480, 800, 1200, 1600])
}
fn default_webp_quality() -> Spanned<u8> {
    Spanned::new(0..0, 80)
}
fn default_jpeg_quality() -> Spanned<u8> {
    Spanned::new(0..0, 82)
}
fn default_max_megapixels() -> Spanned<u32> {
    Spanned::new(0..0, 100)
}
/// The default theme's article column: 45rem at most, less the page's padding on phones.
fn default_body_sizes() -> String {
    "(min-width: 47rem) 45rem, calc(100vw - 2rem)".into()
}

/// `[headers]`: what `_headers` (and `nuri serve`) send.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeaders {
    /// `Content-Security-Policy`; empty to send none; unset, [`default_csp`].
    #[serde(default)]
    pub content_security_policy: Option<Spanned<String>>,
    /// Seconds browsers and CDNs may keep a page.
    #[serde(default = "default_html_max_age")]
    pub html_max_age: u64,
}

impl Default for RawHeaders {
    fn default() -> Self {
        RawHeaders {
            content_security_policy: None,
            html_max_age: default_html_max_age(),
        }
    }
}

/// The site's own scripts, styles, images and fonts only (inline styles allowed: Markdown
/// tables align cells with `style`); no plugins, no framing by other sites.
pub fn default_csp() -> String {
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'".into()
}

fn default_html_max_age() -> u64 {
    300
}

/// `[limits]`: bounds that keep one careless or hostile article from filling the disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Terms an article may list in one taxonomy (tags, authors, …).
    #[serde(default = "default_terms_per_article")]
    pub terms_per_article: Spanned<usize>,
    /// Characters in one term.
    #[serde(default = "default_term_chars")]
    pub term_chars: Spanned<usize>,
    /// Characters in a summary: a longer front-matter `summary` is an error, an automatic
    /// one (the first paragraph) is cut.
    #[serde(default = "default_summary_chars")]
    pub summary_chars: Spanned<usize>,
    /// Seconds one page's template may take.
    #[serde(default = "default_render_seconds")]
    pub render_seconds: Spanned<u64>,
}

impl Default for RawLimits {
    fn default() -> Self {
        RawLimits {
            terms_per_article: default_terms_per_article(),
            term_chars: default_term_chars(),
            summary_chars: default_summary_chars(),
            render_seconds: default_render_seconds(),
        }
    }
}

fn default_terms_per_article() -> Spanned<usize> {
    Spanned::new(0..0, 50)
}
fn default_term_chars() -> Spanned<usize> {
    Spanned::new(0..0, 60)
}
fn default_summary_chars() -> Spanned<usize> {
    Spanned::new(0..0, 1000)
}
fn default_render_seconds() -> Spanned<u64> {
    Spanned::new(0..0, 20)
}

/// `[taxonomies.<name>]`: tags and authors always exist; more (series, regions) can be declared.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTaxonomy {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub paginate_by: Option<usize>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArchives {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub days: bool,
    #[serde(default = "default_archive_path")]
    pub path: Spanned<String>,
}

impl Default for RawArchives {
    fn default() -> Self {
        RawArchives {
            enabled: true,
            days: false,
            path: default_archive_path(),
        }
    }
}

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RawAuthor {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub photo: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub bio: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeeds {
    #[serde(default = "default_feed_formats")]
    pub formats: Vec<Spanned<String>>,
    #[serde(default = "default_site_limit")]
    pub site_limit: usize,
    #[serde(default = "default_list_limit")]
    pub limit: usize,
    #[serde(default = "yes")]
    pub sections: bool,
    #[serde(default = "default_feed_taxonomies")]
    pub taxonomies: Vec<Spanned<String>>,
    #[serde(default)]
    pub full_text: bool,
}

impl Default for RawFeeds {
    fn default() -> Self {
        RawFeeds {
            formats: default_feed_formats(),
            site_limit: default_site_limit(),
            limit: default_list_limit(),
            sections: true,
            taxonomies: default_feed_taxonomies(),
            full_text: false,
        }
    }
}

fn default_feed_formats() -> Vec<Spanned<String>> {
    ["rss", "atom", "json"]
        .iter()
        .map(|f| Spanned::new(0..0, f.to_string()))
        .collect()
}
fn default_site_limit() -> usize {
    50
}
fn default_list_limit() -> usize {
    20
}
fn default_feed_taxonomies() -> Vec<Spanned<String>> {
    ["tags", "authors"]
        .iter()
        .map(|t| Spanned::new(0..0, t.to_string()))
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSitemap {
    #[serde(default = "default_max_urls")]
    pub max_urls: Spanned<usize>,
    #[serde(default = "yes")]
    pub news: bool,
    #[serde(default)]
    pub news_name: Option<String>,
    #[serde(default = "default_news_hours")]
    pub news_hours: i64,
}

impl Default for RawSitemap {
    fn default() -> Self {
        RawSitemap {
            max_urls: default_max_urls(),
            news: true,
            news_name: None,
            news_hours: default_news_hours(),
        }
    }
}

fn default_max_urls() -> Spanned<usize> {
    Spanned::new(0..0, 50_000)
}
fn default_news_hours() -> i64 {
    48
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Characters of each article's text kept for result snippets.
    #[serde(default = "default_snippet_chars")]
    pub text_chars: usize,
}

impl Default for RawSearch {
    fn default() -> Self {
        RawSearch {
            enabled: true,
            text_chars: default_snippet_chars(),
        }
    }
}

fn default_snippet_chars() -> usize {
    1200
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSeo {
    /// Tag pages with fewer articles get `noindex, follow` and stay out of the sitemap.
    #[serde(default)]
    pub noindex_tags_below: usize,
    /// Extra lines for robots.txt (e.g. `#DaumWebMasterTool:…`).
    #[serde(default)]
    pub robots: Vec<String>,
    #[serde(default)]
    pub google_site_verification: String,
    #[serde(default)]
    pub naver_site_verification: String,
    #[serde(default)]
    pub twitter_site: String,
    /// A page describing the corrections policy, for NewsMediaOrganization.
    #[serde(default)]
    pub corrections_policy: String,
}

fn yes() -> bool {
    true
}
fn default_archive_path() -> Spanned<String> {
    Spanned::new(0..0, "archive".into())
}
fn default_related() -> usize {
    5
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "ko".into())
}
fn default_timezone() -> Spanned<String> {
    Spanned::new(0..0, "Asia/Seoul".into())
}
fn default_theme() -> Spanned<String> {
    Spanned::new(0..0, "nuri".into())
}
fn default_output_dir() -> Spanned<String> {
    Spanned::new(0..0, "public".into())
}
fn default_permalink() -> Spanned<String> {
    Spanned::new(0..0, "/{section}/{slug}/".into())
}
fn default_paginate_by() -> Spanned<usize> {
    Spanned::new(0..0, 20)
}
