//! From [`RawConfig`] to [`Config`]: each concern checked by its own function, every problem
//! collected with the line and column of the key that caused it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use toml::Spanned;

use super::raw::{RawConfig, RawFeeds, RawImages, RawLimits, RawTaxonomy};
use super::*;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::text::slug::SlugStrategy;

/// Collects problems found in one config text.
struct Checker<'t> {
    text: &'t str,
    file: PathBuf,
    diags: Diagnostics,
}

impl Checker<'_> {
    /// A problem at the value with this span (a default value has none: line 1).
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(&self.file, message).at_offset(self.text, span.start, 1);
        self.diags.push(d);
        self.diags.0.last_mut().expect("just pushed")
    }

    /// The policy as one header line: printable ASCII only (a header cannot carry more).
    fn csp(&mut self, raw: Option<&Spanned<String>>) -> String {
        let Some(raw) = raw else {
            return super::raw::default_csp();
        };
        let policy = raw.get_ref().replace(['\n', '\r', '\t'], " ");
        if let Some(bad) = policy.chars().find(|c| !(' '..='~').contains(c)) {
            self.at(
                raw.span(),
                format!("content_security_policy holds {bad:?}, which an HTTP header cannot carry"),
            )
            .hint = Some("write the policy in ASCII; host names in other scripts go in their punycode form (xn--…)".into());
        }
        policy
    }

    fn base_url(&mut self, raw: &Spanned<String>) -> BaseUrl {
        BaseUrl::parse(raw.get_ref()).unwrap_or_else(|msg| {
            self.at(raw.span(), msg).hint =
                Some("e.g. base_url = \"https://news.example.kr/\"".into());
            BaseUrl::parse("http://localhost/").expect("valid")
        })
    }

    fn timezone(&mut self, raw: &Spanned<String>) -> TimeZone {
        TimeZone::get(raw.get_ref()).unwrap_or_else(|_| {
            self.at(raw.span(), format!("unknown time zone `{}`", raw.get_ref()))
                .hint = Some("use an IANA name such as \"Asia/Seoul\" or \"UTC\"".into());
            TimeZone::UTC
        })
    }

    fn language(&mut self, raw: &Spanned<String>) -> String {
        let language = raw.get_ref().trim().to_string();
        if let Err(why) = crate::text::language_tag(&language) {
            self.at(raw.span(), format!("`language` {why}")).hint =
                Some("use a BCP 47 tag such as \"ko\" or \"en\"".into());
        }
        language
    }

    fn permalink(&mut self, raw: &Spanned<String>) -> Permalink {
        Permalink::parse(raw.get_ref()).unwrap_or_else(|msg| {
            self.at(raw.span(), msg);
            Permalink::parse("/{slug}/").expect("valid")
        })
    }

    fn at_least_one(&mut self, key: &str, raw: &Spanned<usize>) -> usize {
        if *raw.get_ref() == 0 {
            self.at(raw.span(), format!("{key} must be at least 1"));
        }
        *raw.get_ref()
    }

    fn slug(&mut self, raw: &Option<Spanned<String>>) -> SlugStrategy {
        match raw {
            None => SlugStrategy::Keep,
            Some(s) => SlugStrategy::parse(s.get_ref()).unwrap_or_else(|msg| {
                self.at(s.span(), msg);
                SlugStrategy::Keep
            }),
        }
    }

    /// A key that names one folder (`theme`, `archives.path`, a taxonomy's `path`).
    fn folder_name(&mut self, key: &str, raw: &Spanned<String>, hint: &str) -> String {
        let name = raw.get_ref().trim().to_string();
        if !is_plain_name(&name) || name.contains('.') && key != "theme" {
            self.at(
                raw.span(),
                format!("{key} `{name}` must be one folder name"),
            )
            .hint = Some(hint.into());
        }
        name
    }

    fn feeds(&mut self, raw: &RawFeeds, taxonomies: &[TaxonomyConfig]) -> FeedConfig {
        let mut formats = Vec::new();
        for f in &raw.formats {
            match f.get_ref().as_str() {
                "rss" => formats.push(FeedFormat::Rss),
                "atom" => formats.push(FeedFormat::Atom),
                "json" => formats.push(FeedFormat::Json),
                other => {
                    self.at(
                        f.span(),
                        format!("feed format `{other}` must be \"rss\", \"atom\" or \"json\""),
                    );
                }
            }
        }
        formats.sort();
        formats.dedup();
        for t in &raw.taxonomies {
            if !taxonomies.iter().any(|d| &d.name == t.get_ref()) {
                self.at(
                    t.span(),
                    format!(
                        "feeds.taxonomies names `{}`, which is not a taxonomy",
                        t.get_ref()
                    ),
                );
            }
        }
        FeedConfig {
            formats,
            site_limit: raw.site_limit,
            limit: raw.limit,
            sections: raw.sections,
            taxonomies: raw.taxonomies.iter().map(|t| t.get_ref().clone()).collect(),
            full_text: raw.full_text,
        }
    }

    fn max_urls(&mut self, raw: &Spanned<usize>) -> usize {
        let n = *raw.get_ref();
        if n == 0 || n > crate::sitemap::MAX_URLS {
            self.at(
                raw.span(),
                "sitemap.max_urls must be between 1 and 50000 (the sitemap protocol's limit)",
            );
        }
        n
    }

    fn redirects(&mut self, raw: &BTreeMap<String, Spanned<String>>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (from, to) in raw {
            let target = to.get_ref().trim().to_string();
            let from = match crate::text::url::site_path(from) {
                Ok(p) => p,
                Err(why) => {
                    self.at(to.span(), format!("redirect source `{from}` {why}"))
                        .hint = Some("write a site path such as \"/news/old-story/\"".into());
                    continue;
                }
            };
            if target.is_empty() {
                self.at(
                    to.span(),
                    format!("redirect for `{from}` has an empty target"),
                );
                continue;
            }
            let target = if target.starts_with('/') {
                match crate::text::url::site_path(&target) {
                    Ok(p) => p,
                    Err(why) => {
                        self.at(to.span(), format!("redirect target `{target}` {why}"));
                        continue;
                    }
                }
            } else {
                target
            };
            out.push((from, target));
        }
        out
    }

    fn gone(&mut self, raw: &[Spanned<String>]) -> Vec<String> {
        let mut out = Vec::new();
        for g in raw {
            match crate::text::url::site_path(g.get_ref()) {
                Ok(p) => out.push(p),
                Err(why) => {
                    self.at(g.span(), format!("gone path `{}` {why}", g.get_ref()))
                        .hint = Some(
                        "write the removed article's site path, such as \"/news/2023/story/\""
                            .into(),
                    );
                }
            }
        }
        out
    }

    fn images(&mut self, raw: &RawImages) -> ImagesConfig {
        let mut widths = raw.widths.get_ref().clone();
        widths.sort_unstable();
        widths.dedup();
        if widths.is_empty() || widths.iter().any(|w| !(16..=8192).contains(w)) {
            self.at(
                raw.widths.span(),
                "images.widths must list at least one width, each from 16 to 8192 pixels",
            )
            .hint = Some("e.g. widths = [480, 800, 1200, 1600]".into());
        }
        for (key, q) in [
            ("images.webp_quality", &raw.webp_quality),
            ("images.jpeg_quality", &raw.jpeg_quality),
        ] {
            if !(1..=100).contains(q.get_ref()) {
                self.at(q.span(), format!("{key} must be from 1 to 100"));
            }
        }
        if *raw.avif.get_ref() {
            self.at(
                raw.avif.span(),
                "images.avif: this build of nuri encodes WebP and JPEG/PNG, not AVIF",
            )
            .hint =
                Some("remove `avif = true`: every browser that shows AVIF shows WebP too".into());
        }
        if *raw.max_megapixels.get_ref() == 0 {
            self.at(
                raw.max_megapixels.span(),
                "images.max_megapixels must be at least 1",
            );
        }
        let credit = match &raw.credit {
            Some(c) => {
                if !c.get_ref().contains("{credit}") {
                    self.at(
                        c.span(),
                        "images.credit must contain {credit}, where the photographer's name goes",
                    )
                    .hint = Some("e.g. credit = \"사진={credit}\"".into());
                }
                c.get_ref().clone()
            }
            // The theme's strings decide (see `Config::for_edition`).
            None => String::new(),
        };
        ImagesConfig {
            widths,
            webp_quality: *raw.webp_quality.get_ref(),
            jpeg_quality: *raw.jpeg_quality.get_ref(),
            keep_metadata: raw.keep_metadata,
            credit,
            max_pixels: u64::from(*raw.max_megapixels.get_ref()) * 1_000_000,
            body_sizes: raw.body_sizes.clone(),
        }
    }

    fn limits(&mut self, raw: &RawLimits) -> Limits {
        Limits {
            terms_per_article: self
                .at_least_one("limits.terms_per_article", &raw.terms_per_article),
            term_chars: self.at_least_one("limits.term_chars", &raw.term_chars),
            summary_chars: self.at_least_one("limits.summary_chars", &raw.summary_chars),
            render_seconds: {
                if *raw.render_seconds.get_ref() == 0 {
                    self.at(
                        raw.render_seconds.span(),
                        "limits.render_seconds must be at least 1",
                    );
                }
                *raw.render_seconds.get_ref()
            },
        }
    }

    /// The IndexNow key (8 to 128 letters, digits and hyphens, as the protocol asks) and
    /// endpoints (https URLs); none without a key.
    fn indexnow(
        &mut self,
        key: Option<&Spanned<String>>,
        endpoints: Option<&[Spanned<String>]>,
    ) -> Option<IndexNow> {
        let Some(key) = key else {
            if let Some(first) = endpoints.and_then(<[_]>::first) {
                self.at(
                    first.span(),
                    "indexnow_endpoints is set but indexnow_key is not",
                )
                .hint =
                    Some("add indexnow_key = \"…\" (8 to 128 letters, digits and hyphens)".into());
            }
            return None;
        };
        let k = key.get_ref();
        if !(8..=128).contains(&k.len())
            || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.at(
                key.span(),
                "indexnow_key must be 8 to 128 characters: letters a-z, A-Z, digits and hyphens",
            )
            .hint = Some("make one with: openssl rand -hex 16".into());
        }
        let endpoints = match endpoints {
            None => INDEXNOW_ENDPOINTS.iter().map(|e| e.to_string()).collect(),
            Some(list) => {
                for e in list {
                    if !e.get_ref().starts_with("https://") && !e.get_ref().starts_with("http://") {
                        self.at(
                            e.span(),
                            format!("\"{}\" is not an http(s) URL", e.get_ref()),
                        )
                        .hint = Some("e.g. \"https://api.indexnow.org/indexnow\"".into());
                    }
                }
                list.iter().map(|e| e.get_ref().clone()).collect()
            }
        };
        Some(IndexNow {
            key: k.clone(),
            endpoints,
        })
    }

    fn taxonomies(&mut self, raw: &BTreeMap<String, Spanned<RawTaxonomy>>) -> Vec<TaxonomyConfig> {
        // Built-in taxonomies' titles come from the theme's strings unless set here.
        let builtin = [("tags", ""), ("authors", "")];
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
                .map_or(name, |(_, t)| t);
            let spec_ref = spec.map(|s| s.get_ref());
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                self.at(
                    span,
                    format!("taxonomy name `{name}` must use a-z, 0-9, `-` or `_`"),
                );
                continue;
            }
            if crate::content::FRONT_MATTER_KEYS.contains(&name) {
                self.at(
                    span,
                    format!("`{name}` is a front-matter field and cannot be a taxonomy"),
                );
                continue;
            }
            let order = match spec_ref.and_then(|s| s.sort.as_deref()) {
                None | Some("count") => TermOrder::Count,
                Some("name") => TermOrder::Name,
                Some(other) => {
                    self.at(
                        span.clone(),
                        format!("taxonomy sort `{other}` must be \"count\" or \"name\""),
                    );
                    TermOrder::Count
                }
            };
            if spec_ref.and_then(|s| s.paginate_by) == Some(0) {
                self.at(span.clone(), "paginate_by must be at least 1");
            }
            let path = spec_ref
                .and_then(|s| s.path.clone())
                .unwrap_or_else(|| name.to_string());
            if !is_plain_name(&path) {
                self.at(
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
}

impl Checker<'_> {
    /// The default language's edition, then one per `[languages.<tag>]`.
    fn editions(
        &mut self,
        raw: &RawConfig,
        default: Edition,
        taxonomies: &[TaxonomyConfig],
        archive_path: &Spanned<String>,
    ) -> Vec<Edition> {
        let mut out = vec![default];
        // Names a top-level folder of the default edition already uses.
        let taken: Vec<&str> = taxonomies
            .iter()
            .map(|t| t.path.as_str())
            .chain([archive_path.get_ref().as_str(), "search"])
            .collect();
        for (tag, spanned) in &raw.languages {
            let span = spanned.span();
            if out.len() == 10 {
                self.at(span, "a site has at most 10 editions");
                break;
            }
            let l = spanned.get_ref();
            if let Err(why) = crate::text::language_tag(tag) {
                self.at(
                    span.clone(),
                    format!("[languages.{tag}]: the language {why}"),
                )
                .hint = Some("name the table by a BCP 47 tag such as [languages.en]".into());
                continue;
            }
            if tag.eq_ignore_ascii_case(&out[0].language) {
                self.at(
                    span.clone(),
                    format!("[languages.{tag}] is the site's own `language`: its edition is the one at /"),
                )
                .hint = Some("remove the table, or set `language` to the default edition's language".into());
                continue;
            }
            let path = match &l.path {
                Some(p) => {
                    let v = p.get_ref().trim().trim_matches('/').to_string();
                    if v.is_empty()
                        || !v.split('/').all(is_plain_name)
                        || v.contains(['?', '#', ' '])
                    {
                        self.at(
                            p.span(),
                            format!(
                                "languages.{tag}.path `{}` must be a folder such as \"/en/\"",
                                p.get_ref()
                            ),
                        );
                    }
                    format!("/{v}/")
                }
                None => format!("/{}/", tag.to_ascii_lowercase()),
            };
            let first = path.trim_matches('/').split('/').next().unwrap_or("");
            if taken.contains(&first) || raw.sections.iter().any(|s| s == first) {
                self.at(
                    l.path.as_ref().map_or(span.clone(), |p| p.span()),
                    format!("the {tag} edition's path {path} is a folder the site already uses"),
                )
                .hint = Some("set `path` in the table to a free folder, such as \"/en/\"".into());
            }
            if out.iter().any(|e| e.path == path) {
                self.at(
                    span.clone(),
                    format!("two editions are published under {path}"),
                );
            }
            let timezone = match &l.timezone {
                Some(t) => (self.timezone(t), t.get_ref().clone()),
                None => (out[0].timezone.clone(), out[0].timezone_name.clone()),
            };
            let permalink = match &l.permalink {
                Some(p) => self.permalink(p),
                None => out[0].permalink.clone(),
            };
            let paginate_by = match &l.paginate_by {
                Some(p) => self.at_least_one(&format!("languages.{tag}.paginate_by"), p),
                None => out[0].paginate_by,
            };
            let title = l.title.clone().unwrap_or_else(|| out[0].title.clone());
            out.push(Edition {
                language: tag.clone(),
                path,
                news_name: l.news_name.clone().unwrap_or_else(|| title.clone()),
                title,
                description: l.description.clone().unwrap_or_default(),
                timezone: timezone.0,
                timezone_name: timezone.1,
                permalink,
                paginate_by,
                copyright: l
                    .copyright
                    .clone()
                    .unwrap_or_else(|| out[0].copyright.clone()),
                twelve_hour: l.ampm.unwrap_or(out[0].twelve_hour),
                section_titles: l
                    .sections
                    .iter()
                    .map(|(k, v)| (crate::text::slug::nfc(k), v.clone()))
                    .collect(),
                taxonomy_titles: l.taxonomies.clone(),
                term_translations: l
                    .translations
                    .iter()
                    .map(|(t, m)| {
                        let nfc = crate::text::slug::nfc;
                        (t.clone(), m.iter().map(|(k, v)| (nfc(k), nfc(v))).collect())
                    })
                    .collect(),
            });
            for name in l.translations.keys().chain(l.taxonomies.keys()) {
                if !taxonomies.iter().any(|t| &t.name == name) {
                    self.at(
                        span.clone(),
                        format!(
                            "languages.{tag} names taxonomy `{name}`, which the site does not have"
                        ),
                    );
                }
            }
        }
        out
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
}

/// Reads config text into [`RawConfig`], reporting a syntax or type error at its key.
fn raw(text: &str) -> Result<RawConfig> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().to_string();
        let mut d = Diagnostic::error(CONFIG_FILE, message.clone()).at_offset(text, offset, 1);
        if let Some(hint) = crate::content::front_matter::hint_for(&message) {
            d = d.with_hint(hint);
        } else if message.contains("unknown field") {
            d = d.with_hint("remove the key or fix its spelling (see README: config keys)");
        } else if message.contains("missing field") {
            d = d.with_hint("add the key to config.toml");
        }
        Error::Config(d.into())
    })
}

/// An edition's path must not be a section folder of `content/` (the only check that looks
/// at the disk: run by [`Config::load`]).
pub fn edition_folders(config: &Config, text: &str) -> Result<()> {
    let Ok(raw) = raw(text) else { return Ok(()) };
    let mut c = Checker {
        text,
        file: PathBuf::from(CONFIG_FILE),
        diags: Diagnostics::default(),
    };
    for ed in config.editions.iter().skip(1) {
        let first = ed.path.trim_matches('/').split('/').next().unwrap_or("");
        let folder = crate::text::slug::nfc(first);
        if !config.paths.content.join(&folder).is_dir() {
            continue;
        }
        let Some(l) = raw.languages.get(&ed.language) else {
            continue;
        };
        let span = l.get_ref().path.as_ref().map_or(l.span(), |p| p.span());
        c.at(
            span,
            format!(
                "the {} edition's path {} is the section folder content/{folder}/",
                ed.language, ed.path
            ),
        )
        .hint = Some("set `path` in the table to a free folder, such as \"/en/\"".into());
    }
    if c.diags.has_errors() {
        return Err(Error::Config(c.diags));
    }
    Ok(())
}

/// Parses config text for the site at `root` (no I/O).
pub fn parse(root: &Path, text: &str) -> Result<Config> {
    let raw = raw(text)?;
    let mut c = Checker {
        text,
        file: PathBuf::from(CONFIG_FILE),
        diags: Diagnostics::default(),
    };
    let base_url = c.base_url(&raw.base_url);
    let timezone = c.timezone(&raw.timezone);
    let language = c.language(&raw.language);
    let permalink = c.permalink(&raw.permalink);
    let paginate_by = c.at_least_one("paginate_by", &raw.paginate_by);
    let slug = c.slug(&raw.slug);
    let taxonomies = c.taxonomies(&raw.taxonomies);
    let archive_path = c.folder_name(
        "archives.path",
        &raw.archives.path,
        "e.g. path = \"archive\"",
    );
    let feeds = c.feeds(&raw.feeds, &taxonomies);
    let max_urls = c.max_urls(&raw.sitemap.max_urls);
    let redirects = c.redirects(&raw.redirects);
    let gone = c.gone(&raw.gone);
    let csp = c.csp(raw.headers.content_security_policy.as_ref());
    let theme = c.folder_name(
        "theme",
        &raw.theme,
        "name a folder inside themes/, e.g. \"nuri\"",
    );
    let output_dir = raw.output_dir.get_ref().clone();
    if output_dir.trim().is_empty() {
        c.at(raw.output_dir.span(), "output_dir may not be empty");
    }
    let limits = c.limits(&raw.limits);
    let images = c.images(&raw.images);
    let indexnow = c.indexnow(raw.indexnow_key.as_ref(), raw.indexnow_endpoints.as_deref());
    let default_edition = Edition {
        language: language.clone(),
        path: "/".into(),
        title: raw.title.clone(),
        description: raw.description.clone(),
        timezone: timezone.clone(),
        timezone_name: raw.timezone.get_ref().clone(),
        permalink: permalink.clone(),
        paginate_by,
        copyright: raw.copyright.clone(),
        twelve_hour: raw.ampm,
        section_titles: BTreeMap::new(),
        taxonomy_titles: BTreeMap::new(),
        term_translations: BTreeMap::new(),
        news_name: raw
            .sitemap
            .news_name
            .clone()
            .unwrap_or_else(|| raw.title.clone()),
    };
    let editions = c.editions(&raw, default_edition, &taxonomies, &raw.archives.path);
    if c.diags.has_errors() {
        return Err(Error::Config(c.diags));
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
    let nfc = crate::text::slug::nfc;
    Ok(Config {
        title: raw.title.clone(),
        description: raw.description,
        base_url,
        language,
        timezone,
        timezone_name: raw.timezone.get_ref().clone(),
        theme,
        permalink,
        paginate_by,
        copyright: raw.copyright,
        twelve_hour: raw.ampm,
        unsafe_html: raw.unsafe_html,
        slug,
        section_order: raw.sections.iter().map(|s| nfc(s)).collect(),
        taxonomies,
        archives: ArchiveConfig {
            enabled: raw.archives.enabled,
            days: raw.archives.days,
            path: archive_path,
        },
        related: raw.related,
        authors: raw.authors.into_iter().map(|(k, v)| (nfc(&k), v)).collect(),
        logo: raw.logo,
        default_image: raw.default_image,
        indexnow,
        feeds,
        sitemap: SitemapConfig {
            max_urls,
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
        limits,
        headers: HeadersConfig {
            content_security_policy: csp,
            html_max_age: raw.headers.html_max_age,
        },
        images,
        redirects,
        gone,
        extra: toml_to_json(toml::Value::Table(raw.extra)),
        paths,
        editions,
        edition: 0,
    })
}
