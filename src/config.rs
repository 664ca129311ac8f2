//! `config.toml`: read raw, then validate into a [`Config`] the rest of the pipeline trusts.
//!
//! Two phases, as in ripgrep: [`RawConfig`] is exactly what serde reads (unknown keys and wrong
//! types are rejected there, with the key's line and column), and [`Config`] holds checked and
//! derived values (a parsed time zone, the base URL split into origin and path, resolved
//! folders). Nothing after this module re-parses a setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::text::slug::SlugStrategy;

pub const CONFIG_FILE: &str = "config.toml";

/// Exactly the keys a site may write in `config.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    base_url: Spanned<String>,
    #[serde(default = "default_language")]
    language: Spanned<String>,
    #[serde(default = "default_timezone")]
    timezone: Spanned<String>,
    #[serde(default = "default_theme")]
    theme: Spanned<String>,
    #[serde(default = "default_output_dir")]
    output_dir: Spanned<String>,
    #[serde(default = "default_permalink")]
    permalink: Spanned<String>,
    #[serde(default = "default_paginate_by")]
    paginate_by: Spanned<usize>,
    #[serde(default)]
    copyright: String,
    /// Raw HTML in Markdown is kept (a trusted newsroom); `false` sanitises it.
    #[serde(default = "yes")]
    unsafe_html: bool,
    /// Show times as 오전/오후 h:mm instead of 24-hour HH:mm.
    #[serde(default)]
    ampm: bool,
    #[serde(default)]
    slug: Option<Spanned<String>>,
    /// Navigation order of sections by folder name; sections not listed follow by weight.
    #[serde(default)]
    sections: Vec<String>,
    #[serde(default)]
    taxonomies: BTreeMap<String, Spanned<RawTaxonomy>>,
    #[serde(default)]
    archives: RawArchives,
    #[serde(default = "default_related")]
    related: usize,
    /// Reporter profiles kept in config instead of content/authors/.
    #[serde(default)]
    authors: BTreeMap<String, RawAuthor>,
    /// Publisher logo for JSON-LD (a path under static/ or an absolute URL).
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    feeds: RawFeeds,
    #[serde(default)]
    sitemap: RawSitemap,
    #[serde(default)]
    seo: RawSeo,
    #[serde(default)]
    search: RawSearch,
    /// Old path → new path (or `@/article.md`), served as 301.
    #[serde(default)]
    redirects: BTreeMap<String, Spanned<String>>,
    /// Paths of articles taken down for good, served as 410 where the host allows.
    #[serde(default)]
    gone: Vec<Spanned<String>>,
    #[serde(default)]
    extra: toml::Table,
}

/// `[taxonomies.<name>]`: tags and authors always exist; more (series, regions) can be declared.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    paginate_by: Option<usize>,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArchives {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    days: bool,
    #[serde(default = "default_archive_path")]
    path: String,
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
struct RawFeeds {
    #[serde(default = "default_feed_formats")]
    formats: Vec<Spanned<String>>,
    #[serde(default = "default_site_limit")]
    site_limit: usize,
    #[serde(default = "default_list_limit")]
    limit: usize,
    #[serde(default = "yes")]
    sections: bool,
    #[serde(default = "default_feed_taxonomies")]
    taxonomies: Vec<String>,
    #[serde(default)]
    full_text: bool,
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
fn default_feed_taxonomies() -> Vec<String> {
    vec!["tags".into(), "authors".into()]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSitemap {
    #[serde(default = "default_max_urls")]
    max_urls: usize,
    #[serde(default = "yes")]
    news: bool,
    #[serde(default)]
    news_name: Option<String>,
    #[serde(default = "default_news_hours")]
    news_hours: i64,
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

fn default_max_urls() -> usize {
    50_000
}
fn default_news_hours() -> i64 {
    48
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    #[serde(default = "yes")]
    enabled: bool,
    /// Characters of each article's text kept for result snippets.
    #[serde(default = "default_snippet_chars")]
    text_chars: usize,
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
struct RawSeo {
    /// Tag pages with fewer articles get `noindex, follow` and stay out of the sitemap.
    #[serde(default)]
    noindex_tags_below: usize,
    /// Extra lines for robots.txt (e.g. `#DaumWebMasterTool:…`).
    #[serde(default)]
    robots: Vec<String>,
    #[serde(default)]
    google_site_verification: String,
    #[serde(default)]
    naver_site_verification: String,
    #[serde(default)]
    twitter_site: String,
    /// A page describing the corrections policy, for NewsMediaOrganization.
    #[serde(default)]
    corrections_policy: String,
}

fn yes() -> bool {
    true
}
fn default_archive_path() -> String {
    "archive".into()
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

/// Where a site's files live.
#[derive(Debug, Clone)]
pub struct SitePaths {
    pub root: PathBuf,
    pub config_file: PathBuf,
    pub content: PathBuf,
    pub static_dir: PathBuf,
    pub templates: PathBuf,
    pub theme: PathBuf,
    pub output: PathBuf,
}

/// The base URL split for use: `https://host/sub/` becomes origin `https://host` and path `/sub/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Scheme and authority, no trailing slash.
    pub origin: String,
    /// Always starts and ends with `/`.
    pub path: String,
}

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let input = input.trim();
        let rest = input
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| input.strip_prefix("http://").map(|r| ("http://", r)));
        let Some((scheme, rest)) = rest else {
            return Err(format!(
                "base_url `{input}` must start with https:// or http://"
            ));
        };
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '?' || c == '#') {
            return Err(format!("base_url `{input}` has no valid host"));
        }
        if path.contains(['?', '#']) || path.contains(char::is_whitespace) {
            return Err(format!(
                "base_url `{input}` may not contain a query, fragment or spaces"
            ));
        }
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            origin: format!("{scheme}{host}"),
            path,
        })
    }

    /// The full base URL, always ending with `/`.
    pub fn full(&self) -> String {
        format!("{}{}", self.origin, self.path)
    }
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub theme: String,
    pub permalink: Permalink,
    pub paginate_by: usize,
    pub copyright: String,
    pub twelve_hour: bool,
    pub unsafe_html: bool,
    pub slug: SlugStrategy,
    pub section_order: Vec<String>,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub archives: ArchiveConfig,
    pub related: usize,
    pub authors: BTreeMap<String, RawAuthor>,
    pub logo: Option<String>,
    pub feeds: FeedConfig,
    pub sitemap: SitemapConfig,
    pub seo: SeoConfig,
    pub search: SearchConfig,
    /// Old site path → target (a site path, an absolute URL or `@/article.md`).
    pub redirects: Vec<(String, String)>,
    pub gone: Vec<String>,
    pub extra: serde_json::Value,
    pub paths: SitePaths,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    pub formats: Vec<FeedFormat>,
    pub site_limit: usize,
    pub limit: usize,
    pub sections: bool,
    pub taxonomies: Vec<String>,
    pub full_text: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapConfig {
    pub max_urls: usize,
    pub news: bool,
    pub news_name: String,
    pub news_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    pub enabled: bool,
    pub text_chars: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeoConfig {
    pub noindex_tags_below: usize,
    pub robots: Vec<String>,
    pub google_site_verification: String,
    pub naver_site_verification: String,
    pub twitter_site: String,
    pub corrections_policy: String,
}

/// How a taxonomy's index page orders its terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermOrder {
    /// Most articles first (ties by name).
    Count,
    /// By name.
    Name,
}

/// A checked taxonomy definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyConfig {
    /// The front-matter key: `tags`, `authors`, `series`.
    pub name: String,
    pub title: String,
    /// URL segment: `/tags/`.
    pub path: String,
    pub paginate_by: Option<usize>,
    pub order: TermOrder,
}

/// Date archive settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveConfig {
    pub enabled: bool,
    pub days: bool,
    /// URL segment of the archive index: `/archive/`.
    pub path: String,
}

/// A checked permalink pattern such as `/{section}/{year}/{slug}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    pub pattern: String,
    pub uses_id: bool,
    pub uses_section: bool,
}

pub const PERMALINK_TOKENS: [&str; 6] = ["section", "year", "month", "day", "slug", "id"];

impl Permalink {
    pub fn parse(pattern: &str) -> Result<Permalink, String> {
        if !pattern.starts_with('/') {
            return Err(format!("permalink `{pattern}` must start with `/`"));
        }
        let mut rest = pattern;
        let mut tokens = Vec::new();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(format!("permalink `{pattern}` has an unclosed `{{`"));
            };
            let token = &rest[open + 1..open + close];
            if !PERMALINK_TOKENS.contains(&token) {
                return Err(format!(
                    "permalink `{pattern}` uses unknown token `{{{token}}}`; known tokens: {}",
                    PERMALINK_TOKENS.map(|t| format!("{{{t}}}")).join(", ")
                ));
            }
            tokens.push(token);
            rest = &rest[open + close + 1..];
        }
        if !tokens.contains(&"slug") && !tokens.contains(&"id") {
            return Err(format!(
                "permalink `{pattern}` must contain `{{slug}}` or `{{id}}` so that articles get different URLs"
            ));
        }
        if pattern.contains("..") || pattern.contains('\\') || pattern.contains(['?', '#']) {
            return Err(format!(
                "permalink `{pattern}` may not contain `..`, `\\`, `?` or `#`"
            ));
        }
        Ok(Permalink {
            pattern: pattern.to_string(),
            uses_id: tokens.contains(&"id"),
            uses_section: tokens.contains(&"section"),
        })
    }
}

impl Config {
    /// Reads and validates `<root>/config.toml`.
    pub fn load(root: &Path) -> Result<Config> {
        let config_file = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config_file).map_err(|e| {
            let mut d = Diagnostic::error(&config_file, format!("cannot read config: {e}"));
            if e.kind() == std::io::ErrorKind::NotFound {
                d = d.with_hint(format!(
                    "run nuri inside a site folder, pass --root DIR, or create one with `nuri init {}`",
                    root.display()
                ));
            }
            Error::Config(d.into())
        })?;
        Config::parse(root, &text)
    }

    /// Parses config text for the site at `root` (no I/O).
    pub fn parse(root: &Path, text: &str) -> Result<Config> {
        let file = PathBuf::from(CONFIG_FILE);
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().to_string();
            let mut d = Diagnostic::error(&file, message.clone()).at_offset(text, offset, 1);
            if message.contains("unknown field") {
                d = d.with_hint("remove the key or fix its spelling (see README: config keys)");
            } else if message.contains("missing field") {
                d = d.with_hint("add the key to config.toml");
            }
            Error::Config(d.into())
        })?;
        let mut diags = Diagnostics::default();
        let at = |span: std::ops::Range<usize>, msg: String| {
            Diagnostic::error(&file, msg).at_offset(text, span.start, 1)
        };

        let base_url = BaseUrl::parse(raw.base_url.get_ref()).unwrap_or_else(|msg| {
            diags.push(
                at(raw.base_url.span(), msg)
                    .with_hint("e.g. base_url = \"https://news.example.kr/\""),
            );
            BaseUrl::parse("http://localhost/").unwrap()
        });

        let timezone_name = raw.timezone.get_ref().clone();
        let timezone = TimeZone::get(&timezone_name).unwrap_or_else(|_| {
            diags.push(
                at(
                    raw.timezone.span(),
                    format!("unknown time zone `{timezone_name}`"),
                )
                .with_hint("use an IANA name such as \"Asia/Seoul\" or \"UTC\""),
            );
            TimeZone::UTC
        });

        let language = raw.language.get_ref().trim().to_string();
        if language.is_empty()
            || !language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            diags.push(
                at(
                    raw.language.span(),
                    format!("`{language}` is not a language tag"),
                )
                .with_hint("use a BCP 47 tag such as \"ko\" or \"en\""),
            );
        }

        let permalink = Permalink::parse(raw.permalink.get_ref()).unwrap_or_else(|msg| {
            diags.push(at(raw.permalink.span(), msg));
            Permalink::parse("/{slug}/").unwrap()
        });

        if *raw.paginate_by.get_ref() == 0 {
            diags.push(at(
                raw.paginate_by.span(),
                "paginate_by must be at least 1".into(),
            ));
        }

        let slug = match &raw.slug {
            None => SlugStrategy::Keep,
            Some(s) => SlugStrategy::parse(s.get_ref()).unwrap_or_else(|msg| {
                diags.push(at(s.span(), msg));
                SlugStrategy::Keep
            }),
        };
        let taxonomies =
            check_taxonomies(&raw.taxonomies, &mut |span, msg| diags.push(at(span, msg)));
        if !is_plain_name(&raw.archives.path) || raw.archives.path.contains('.') {
            diags.push(Diagnostic::error(
                &file,
                format!(
                    "archives.path `{}` must be one folder name",
                    raw.archives.path
                ),
            ));
        }

        let mut formats = Vec::new();
        for f in &raw.feeds.formats {
            match f.get_ref().as_str() {
                "rss" => formats.push(FeedFormat::Rss),
                "atom" => formats.push(FeedFormat::Atom),
                "json" => formats.push(FeedFormat::Json),
                other => diags.push(at(
                    f.span(),
                    format!("feed format `{other}` must be \"rss\", \"atom\" or \"json\""),
                )),
            }
        }
        formats.sort();
        formats.dedup();
        for t in &raw.feeds.taxonomies {
            if !taxonomies.iter().any(|d| &d.name == t) {
                diags.push(Diagnostic::error(
                    &file,
                    format!("feeds.taxonomies names `{t}`, which is not a taxonomy"),
                ));
            }
        }
        if raw.sitemap.max_urls == 0 || raw.sitemap.max_urls > 50_000 {
            diags.push(Diagnostic::error(
                &file,
                "sitemap.max_urls must be between 1 and 50000 (the sitemap protocol's limit)",
            ));
        }
        let mut redirects = Vec::new();
        for (from, to) in &raw.redirects {
            let target = to.get_ref().trim().to_string();
            let bad_from =
                !from.starts_with('/') || from.contains("..") || from.contains(['\\', '?', '#']);
            if bad_from {
                diags.push(at(to.span(), format!("redirect source `{from}` must be a site path starting with `/`, without `..`")));
            } else if target.is_empty() {
                diags.push(at(
                    to.span(),
                    format!("redirect for `{from}` has an empty target"),
                ));
            } else {
                redirects.push((crate::text::slug::nfc(from), target));
            }
        }
        let mut gone = Vec::new();
        for g in &raw.gone {
            let path = g.get_ref().trim();
            if !path.starts_with('/')
                || path.contains("..")
                || path.contains(['\\', '?', '#'])
                || path == "/"
            {
                diags.push(at(
                    g.span(),
                    format!(
                        "gone path `{path}` must be a site path starting with `/`, without `..`"
                    ),
                ));
            } else {
                gone.push(crate::text::slug::nfc(path));
            }
        }

        let theme = raw.theme.get_ref().clone();
        if !is_plain_name(&theme) {
            diags.push(at(
                raw.theme.span(),
                format!("theme `{theme}` must be a folder name inside themes/"),
            ));
        }
        let output_dir = raw.output_dir.get_ref().clone();
        if output_dir.trim().is_empty() {
            diags.push(at(
                raw.output_dir.span(),
                "output_dir may not be empty".into(),
            ));
        }

        if diags.has_errors() {
            return Err(Error::Config(diags));
        }

        let root = root.to_path_buf();
        let paths = SitePaths {
            config_file: root.join(CONFIG_FILE),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme: root.join("themes").join(&theme),
            output: root.join(&output_dir),
            root,
        };
        Ok(Config {
            title: raw.title.clone(),
            description: raw.description,
            base_url,
            language,
            timezone,
            timezone_name,
            theme,
            permalink,
            paginate_by: *raw.paginate_by.get_ref(),
            copyright: raw.copyright,
            twelve_hour: raw.ampm,
            unsafe_html: raw.unsafe_html,
            slug,
            section_order: raw
                .sections
                .iter()
                .map(|s| crate::text::slug::nfc(s))
                .collect(),
            taxonomies,
            archives: ArchiveConfig {
                enabled: raw.archives.enabled,
                days: raw.archives.days,
                path: raw.archives.path,
            },
            related: raw.related,
            authors: raw
                .authors
                .into_iter()
                .map(|(k, v)| (crate::text::slug::nfc(&k), v))
                .collect(),
            logo: raw.logo,
            feeds: FeedConfig {
                formats,
                site_limit: raw.feeds.site_limit,
                limit: raw.feeds.limit,
                sections: raw.feeds.sections,
                taxonomies: raw.feeds.taxonomies,
                full_text: raw.feeds.full_text,
            },
            sitemap: SitemapConfig {
                max_urls: raw.sitemap.max_urls,
                news: raw.sitemap.news,
                news_name: raw.sitemap.news_name.unwrap_or_else(|| raw.title.clone()),
                news_hours: raw.sitemap.news_hours,
            },
            seo: SeoConfig {
                noindex_tags_below: raw.seo.noindex_tags_below,
                robots: raw.seo.robots,
                google_site_verification: raw.seo.google_site_verification,
                naver_site_verification: raw.seo.naver_site_verification,
                twitter_site: raw.seo.twitter_site,
                corrections_policy: raw.seo.corrections_policy,
            },
            search: SearchConfig {
                enabled: raw.search.enabled,
                text_chars: raw.search.text_chars,
            },
            redirects,
            gone,
            extra: toml_to_json(toml::Value::Table(raw.extra)),
            paths,
        })
    }

    /// Absolute URL of a site path such as `/politics/` (the path excludes the base path).
    pub fn permalink_for(&self, site_path: &str) -> String {
        format!("{}{}", self.base_url.origin, self.url_for(site_path))
    }

    /// Root-relative URL of a site path, with the base URL's path in front.
    pub fn url_for(&self, site_path: &str) -> String {
        let path = site_path.trim_start_matches('/');
        format!("{}{}", self.base_url.path, path)
    }
}

/// The built-in taxonomies first (tags, authors), then declared ones by name.
fn check_taxonomies(
    raw: &BTreeMap<String, Spanned<RawTaxonomy>>,
    report: &mut dyn FnMut(std::ops::Range<usize>, String),
) -> Vec<TaxonomyConfig> {
    let builtin = [("tags", "태그"), ("authors", "기자")];
    let mut names: Vec<&str> = builtin.iter().map(|(n, _)| *n).collect();
    names.extend(
        raw.keys()
            .map(String::as_str)
            .filter(|n| !builtin.iter().any(|(b, _)| b == n)),
    );
    let mut out = Vec::new();
    for name in names {
        let spec = raw.get(name);
        let span = spec.map_or(0..0, |s| s.span());
        let default_title = builtin
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(name, |(_, t)| *t);
        let spec_ref = spec.map(|s| s.get_ref());
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            || name.is_empty()
        {
            report(
                span.clone(),
                format!("taxonomy name `{name}` must use a-z, 0-9, `-` or `_`"),
            );
            continue;
        }
        if matches!(
            name,
            "title"
                | "date"
                | "updated"
                | "draft"
                | "slug"
                | "id"
                | "section"
                | "extra"
                | "image"
                | "summary"
                | "lang"
        ) {
            report(
                span.clone(),
                format!("`{name}` is a front-matter field and cannot be a taxonomy"),
            );
            continue;
        }
        let order = match spec_ref.and_then(|s| s.sort.as_deref()) {
            None | Some("count") => TermOrder::Count,
            Some("name") => TermOrder::Name,
            Some(other) => {
                report(
                    span.clone(),
                    format!("taxonomy sort `{other}` must be \"count\" or \"name\""),
                );
                TermOrder::Count
            }
        };
        if spec_ref.and_then(|s| s.paginate_by) == Some(0) {
            report(span.clone(), "paginate_by must be at least 1".into());
        }
        let path = spec_ref
            .and_then(|s| s.path.clone())
            .unwrap_or_else(|| name.to_string());
        if !is_plain_name(&path) {
            report(
                span.clone(),
                format!("taxonomy path `{path}` must be one folder name"),
            );
        }
        out.push(TaxonomyConfig {
            name: name.to_string(),
            title: spec_ref
                .and_then(|s| s.title.clone())
                .unwrap_or_else(|| default_title.to_string()),
            path,
            paginate_by: spec_ref.and_then(|s| s.paginate_by),
            order,
        });
    }
    out
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
}

/// TOML values to JSON, keeping dates as RFC 3339 strings.
pub fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect::<BTreeMap<_, _>>()
                .into_iter()
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("/site"), text)
    }

    #[test]
    fn defaults_are_korean() {
        let c = parse("title = \"누리\"\nbase_url = \"https://example.kr\"\n").unwrap();
        assert_eq!(c.language, "ko");
        assert_eq!(c.timezone_name, "Asia/Seoul");
        assert_eq!(c.base_url.full(), "https://example.kr/");
        assert_eq!(c.paginate_by, 20);
        assert_eq!(c.paths.output, Path::new("/site/public"));
    }

    #[test]
    fn base_url_with_a_path_keeps_it_for_urls() {
        let c = parse("title = \"t\"\nbase_url = \"https://me.github.io/nuri\"\n").unwrap();
        assert_eq!(c.url_for("/politics/"), "/nuri/politics/");
        assert_eq!(c.permalink_for("/"), "https://me.github.io/nuri/");
    }

    #[test]
    fn unknown_key_names_key_line_and_column() {
        let err =
            parse("title = \"t\"\nbase_url = \"https://x.kr/\"\n  paginate = 3\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("config.toml:3:3: error: unknown field `paginate`"),
            "{text}"
        );
    }

    #[test]
    fn wrong_type_names_line() {
        let err = parse("title = \"t\"\nbase_url = \"https://x.kr/\"\npaginate_by = \"ten\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("config.toml:3:15: error: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn bad_timezone_and_permalink_are_both_reported() {
        let err = parse(
            "title = \"t\"\nbase_url = \"https://x.kr/\"\ntimezone = \"Mars/Base\"\npermalink = \"/{section}/{foo}/\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("config.toml:3:12: error: unknown time zone `Mars/Base`"),
            "{err}"
        );
        assert!(err.contains("config.toml:4:13: error: permalink"), "{err}");
    }

    #[test]
    fn permalink_needs_slug_or_id() {
        assert!(Permalink::parse("/{section}/").is_err());
        assert!(Permalink::parse("/{year}/{id}.html").unwrap().uses_id);
    }
}
