//! `config.toml`: read raw, then validate into a [`Config`] the rest of the pipeline trusts.
//!
//! Two phases, as in ripgrep: [`RawConfig`] is exactly what serde reads (unknown keys and wrong
//! types are rejected there, with the key's line and column), and [`Config`] holds checked and
//! derived values (a parsed time zone, the base URL split into origin and path, resolved
//! folders). Nothing after this module re-parses a setting.

mod raw;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;

use crate::error::{Diagnostic, Error, Result};
use crate::text::slug::SlugStrategy;

pub use raw::RawAuthor;

pub const CONFIG_FILE: &str = "config.toml";

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
    /// For articles without a lead photo (site path or absolute URL).
    pub default_image: Option<String>,
    /// Set when `indexnow_key` is.
    pub indexnow: Option<IndexNow>,
    pub feeds: FeedConfig,
    pub sitemap: SitemapConfig,
    pub seo: SeoConfig,
    pub search: SearchConfig,
    pub limits: Limits,
    pub headers: HeadersConfig,
    pub images: ImagesConfig,
    /// Old site path → target (a site path, an absolute URL or `@/article.md`).
    pub redirects: Vec<(String, String)>,
    pub gone: Vec<String>,
    pub extra: serde_json::Value,
    pub paths: SitePaths,
    /// Every edition, the default language's first (at `/`). A site without
    /// `[languages]` has that one only.
    pub editions: Vec<Edition>,
    /// Which of [`Config::editions`] this config is for (see [`Config::for_edition`]).
    pub edition: usize,
}

/// One edition of the site: the default language's at `/`, each `[languages.<tag>]` under
/// its own path, with its own title, time zone, permalinks and lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The language tag: `ko`, `en`.
    pub language: String,
    /// Where its pages go: `/` or `/en/`.
    pub path: String,
    pub title: String,
    pub description: String,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub permalink: Permalink,
    pub paginate_by: usize,
    pub copyright: String,
    pub twelve_hour: bool,
    /// Section titles by folder name.
    pub section_titles: BTreeMap<String, String>,
    /// Taxonomy titles by taxonomy name.
    pub taxonomy_titles: BTreeMap<String, String>,
    /// Per taxonomy: this edition's term → the default language's term it translates.
    pub term_translations: BTreeMap<String, BTreeMap<String, String>>,
    pub news_name: String,
}

impl Edition {
    /// A site path of this edition: `/world/` becomes `/en/world/`.
    pub fn site_path(&self, path: &str) -> String {
        format!("{}{}", self.path, path.trim_start_matches('/'))
    }
}

/// IndexNow (<https://www.indexnow.org/>): the key, published as `/<key>.txt`, and the
/// endpoints `nuri ping` submits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexNow {
    pub key: String,
    pub endpoints: Vec<String>,
}

/// Where `nuri ping` sends by default: the shared IndexNow endpoint (which passes URLs on to
/// every engine that takes part) and Naver's, so its answer is seen too.
pub const INDEXNOW_ENDPOINTS: [&str; 2] = [
    "https://api.indexnow.org/indexnow",
    "https://searchadvisor.naver.com/indexnow",
];

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

/// `[headers]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadersConfig {
    pub content_security_policy: String,
    pub html_max_age: u64,
}

/// `[images]`: the sizes and encodings photos are published in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagesConfig {
    /// Ascending, without repeats.
    pub widths: Vec<u32>,
    pub webp_quality: u8,
    pub jpeg_quality: u8,
    pub keep_metadata: bool,
    /// With `{credit}` where the name goes, e.g. `사진={credit}`.
    pub credit: String,
    pub max_pixels: u64,
    pub body_sizes: String,
}

impl ImagesConfig {
    /// `image_credit` as the caption shows it.
    pub fn credit_line(&self, name: &str) -> String {
        self.credit.replace("{credit}", name)
    }
}

/// Bounds on what one article may hold (`[limits]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub terms_per_article: usize,
    pub term_chars: usize,
    pub summary_chars: usize,
    pub render_seconds: u64,
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
        let text = crate::sources::read_regular(&config_file)
            .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other))
            .map_err(|e| {
            let mut d = Diagnostic::error(&config_file, format!("cannot read config: {e}"));
            if e.kind() == std::io::ErrorKind::NotFound {
                d = d.with_hint(format!(
                    "run nuri inside a site folder, pass --root DIR, or create one with `nuri init {}`",
                    root.display()
                ));
            }
            Error::Config(d.into())
        })?;
        let config = Config::parse(root, &text)?;
        validate::edition_folders(&config, &text)?;
        Ok(config)
    }

    /// Parses config text for the site at `root` (no I/O).
    pub fn parse(root: &Path, text: &str) -> Result<Config> {
        validate::parse(root, text)
    }

    /// This config's edition.
    pub fn this_edition(&self) -> &Edition {
        &self.editions[self.edition]
    }

    /// Whether the site has editions in more than one language.
    pub fn multilingual(&self) -> bool {
        self.editions.len() > 1
    }

    /// The edition an article in `lang` belongs to (`None`: the default language's).
    /// `en-GB` falls into an `en` edition.
    pub fn edition_of_lang(&self, lang: &str) -> Option<usize> {
        let primary = |l: &str| l.split('-').next().unwrap_or(l).to_ascii_lowercase();
        self.editions
            .iter()
            .position(|e| e.language.eq_ignore_ascii_case(lang))
            .or_else(|| {
                self.editions
                    .iter()
                    .position(|e| primary(&e.language) == primary(lang))
            })
    }

    /// This config as edition `e` sees it: its title, description, language, time zone,
    /// permalinks, page size, copyright, clock and taxonomy titles. `strings` gives the
    /// titles of built-in taxonomies no config names.
    pub fn for_edition(&self, e: usize, strings: &dyn Fn(&str, &str) -> Option<String>) -> Config {
        let ed = &self.editions[e];
        let mut c = self.clone();
        c.edition = e;
        c.title = ed.title.clone();
        c.description = ed.description.clone();
        c.language = ed.language.clone();
        c.timezone = ed.timezone.clone();
        c.timezone_name = ed.timezone_name.clone();
        c.permalink = ed.permalink.clone();
        c.paginate_by = ed.paginate_by;
        c.copyright = ed.copyright.clone();
        c.twelve_hour = ed.twelve_hour;
        c.sitemap.news_name = ed.news_name.clone();
        if c.images.credit.is_empty() {
            c.images.credit =
                strings(&ed.language, "photo_credit").unwrap_or_else(|| "{credit}".into());
        }
        for t in &mut c.taxonomies {
            if let Some(title) = ed.taxonomy_titles.get(&t.name) {
                t.title = title.clone();
            } else if t.title.is_empty() || e > 0 {
                if let Some(title) = strings(&ed.language, &format!("taxonomy_{}", t.name)) {
                    t.title = title;
                } else if t.title.is_empty() {
                    t.title = t.name.clone();
                }
            }
        }
        c
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
