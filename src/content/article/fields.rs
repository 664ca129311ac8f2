//! Reading an article's front matter: each field checked by its own function, every problem
//! collected with the line and column of the value that caused it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use jiff::Timestamp;
use serde::Deserialize;
use toml::Spanned;

use super::place::{self, Parts, Place};
use super::{Article, Correction, ImageRef, SourceFile};
use crate::config::{Config, toml_to_json};
use crate::content::front_matter::{self, Split};
use crate::error::Diagnostic;
use crate::text::slug::{self, SlugStrategy};

/// Exactly the keys an article's front matter may hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: Spanned<String>,
    date: Spanned<toml::Value>,
    #[serde(default)]
    updated: Option<Spanned<toml::Value>>,
    #[serde(default)]
    publish_at: Option<Spanned<toml::Value>>,
    #[serde(default)]
    expire_at: Option<Spanned<toml::Value>>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    slug: Option<Spanned<String>>,
    /// A fixed URL path for this article, instead of the permalink pattern.
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    id: Option<Spanned<u64>>,
    #[serde(default)]
    section: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    authors: Vec<Spanned<String>>,
    #[serde(default)]
    subtitle: Option<String>,
    #[serde(default)]
    summary: Option<Spanned<String>>,
    #[serde(default)]
    image: Option<Spanned<String>>,
    #[serde(default)]
    image_alt: Option<String>,
    #[serde(default)]
    image_caption: Option<String>,
    /// The photographer, shown after the caption: `image_credit = "홍길동 기자"`.
    #[serde(default)]
    image_credit: Option<String>,
    /// The point crops centre on: `image_focus = [0.5, 0.3]` (fractions of width, height).
    #[serde(default)]
    image_focus: Option<Spanned<Vec<f64>>>,
    #[serde(default)]
    lang: Option<Spanned<String>>,
    /// Links the article to its translations in other editions (articles with the same key).
    #[serde(default)]
    translation_key: Option<Spanned<String>>,
    /// Dated correction notices: `corrections = [{ date = 2023-12-06, note = "…" }]`.
    #[serde(default)]
    corrections: Vec<RawCorrection>,
    /// Terms of taxonomies declared in config: `taxonomies = { series = ["AI 동맹 1년"] }`.
    #[serde(default)]
    taxonomies: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrection {
    date: Spanned<toml::Value>,
    note: Spanned<String>,
}

/// One file's front matter being checked.
struct Fields<'a> {
    split: Split<'a>,
    path: PathBuf,
    config: &'a Config,
    /// The edition the article belongs to: its time zone reads local dates.
    edition: &'a crate::config::Edition,
    errors: Vec<Diagnostic>,
}

impl Fields<'_> {
    /// A problem at a value (its line and column in the file).
    fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = front_matter::position(&self.split, span);
        Diagnostic::error(&self.path, message).at(line, column)
    }

    fn title(&mut self, raw: &Spanned<String>) -> String {
        let title = raw.get_ref().trim().to_string();
        if title.is_empty() {
            let d = self.at(raw.span(), "`title` is empty");
            self.errors
                .push(d.with_hint("write the headline: title = \"…\""));
        }
        title
    }

    fn date(&mut self, name: &str, v: Option<&Spanned<toml::Value>>) -> Option<Timestamp> {
        let v = v?;
        match front_matter::date_field(&self.path, &self.split, name, v, &self.edition.timezone) {
            Ok(ts) => Some(ts),
            Err(d) => {
                self.errors.push(d);
                None
            }
        }
    }

    fn corrections(&mut self, raw: &[RawCorrection]) -> Vec<Correction> {
        let mut out = Vec::new();
        for c in raw {
            let Some(date) = self.date("corrections.date", Some(&c.date)) else {
                continue;
            };
            let note = c.note.get_ref().trim().to_string();
            if note.is_empty() {
                let d = self.at(c.note.span(), "a correction needs a `note`");
                self.errors.push(d);
                continue;
            }
            out.push(Correction { date, note });
        }
        out.sort_by_key(|c| c.date);
        out
    }

    fn slug(
        &mut self,
        raw: Option<&Spanned<String>>,
        file: &SourceFile,
        id: Option<u64>,
    ) -> String {
        let strategy = self.config.slug;
        if let Some(s) = raw {
            let written = s.get_ref().trim();
            if let Err(why) = slug::check_segment(written) {
                let d = self.at(s.span(), format!("`slug` {why}"));
                self.errors
                    .push(d.with_hint("a slug is one URL segment such as \"ai-동맹-출범\""));
                return String::new();
            }
            let made = slug::slugify_keep(written);
            if made.is_empty() {
                let d = self.at(
                    s.span(),
                    format!(
                        "`slug` = \"{written}\" has nothing left after removing unsafe characters"
                    ),
                );
                self.errors.push(d);
            }
            return made;
        }
        let made = match (strategy, id) {
            (SlugStrategy::Id, Some(id)) => id.to_string(),
            (SlugStrategy::Id, None) => {
                self.errors.push(
                    Diagnostic::error(
                        &file.display,
                        "this site uses slug = \"id\", but the article has no `id`",
                    )
                    .at(1, 1)
                    .with_hint("add a unique number: id = 1234"),
                );
                return String::new();
            }
            _ => strategy.apply(self.name(file)),
        };
        if made.is_empty() {
            self.errors.push(
                Diagnostic::error(
                    &file.display,
                    format!("the file name `{}` gives an empty slug", self.name(file)),
                )
                .at(1, 1)
                .with_hint("rename the file, or set slug = \"…\" in the front matter"),
            );
        }
        made
    }

    /// The file's name without an edition's language suffix (`기사.en.md` → `기사`).
    fn name<'f>(&self, file: &'f SourceFile) -> &'f str {
        let name = file.name();
        match edition_suffix(self.config, file) {
            Some(tag) if !file.is_bundle => name
                .strip_suffix(tag)
                .and_then(|n| n.strip_suffix('.'))
                .unwrap_or(name),
            _ => name,
        }
    }

    /// The edition the file name or `lang` puts the article in (the name wins; a `lang`
    /// that says otherwise is an error).
    fn edition(&mut self, file: &SourceFile, lang: Option<&Spanned<String>>) -> usize {
        let config = self.config;
        let by_name = edition_suffix(config, file).and_then(|t| config.edition_of_lang(t));
        let by_lang = lang
            .filter(|_| config.multilingual())
            .and_then(|l| config.edition_of_lang(l.get_ref().trim()));
        match (by_name, lang) {
            (Some(e), Some(l)) if by_lang != Some(e) => {
                let d = self.at(
                    l.span(),
                    format!(
                        "the file name puts this article in the {} edition, but `lang` says \"{}\"",
                        config.editions[e].language,
                        l.get_ref()
                    ),
                );
                self.errors
                    .push(d.with_hint("remove `lang` (the file name decides), or rename the file"));
                e
            }
            (Some(e), _) => e,
            (None, _) => by_lang.unwrap_or(0),
        }
    }

    /// `translation_key`, else the file's path without its language suffix.
    fn translation(
        &mut self,
        raw: Option<&Spanned<String>>,
        file: &SourceFile,
    ) -> (String, Option<usize>) {
        if let Some(k) = raw {
            let key = slug::nfc(k.get_ref().trim());
            if key.is_empty() {
                let d = self.at(k.span(), "`translation_key` is empty");
                self.errors.push(d.with_hint(
                    "give the article and its translations the same key, such as \"alliance-launch\"",
                ));
            }
            let line = front_matter::position(&self.split, k.span()).0;
            return (format!("key:{key}"), Some(line));
        }
        let stem = if file.is_bundle {
            file.dir().to_string()
        } else {
            let dir = file.dir();
            let name = self.name(file);
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        };
        (format!("file:{stem}"), None)
    }

    fn fixed_path(&mut self, raw: Option<&Spanned<String>>) -> Option<String> {
        let p = raw?;
        match crate::text::url::site_path(p.get_ref()) {
            Ok(path) => Some(path),
            Err(why) => {
                let d = self.at(p.span(), format!("`path` {why}"));
                self.errors
                    .push(d.with_hint("write a site path such as \"/special/election-2024/\""));
                None
            }
        }
    }

    fn summary(&mut self, raw: Option<&Spanned<String>>) -> Option<String> {
        let s = raw?;
        let text = s.get_ref().trim().to_string();
        let chars = text.chars().count();
        let max = self.config.limits.summary_chars;
        if chars > max {
            let d = self.at(
                s.span(),
                format!("`summary` is {chars} characters; the limit is {max}"),
            );
            self.errors.push(d.with_hint("shorten it (lists, feeds and search engines show the first sentences), or raise [limits] summary_chars in config.toml"));
        }
        (!text.is_empty()).then_some(text)
    }

    fn section(&mut self, raw: Option<&Spanned<String>>, file: &SourceFile) -> Option<String> {
        let Some(s) = raw else {
            return file.top_folder().map(str::to_string);
        };
        let key = slug::nfc(s.get_ref().trim());
        match slug::check_segment(&key) {
            Ok(()) => Some(key),
            Err(why) => {
                let d = self.at(s.span(), format!("`section` {why}"));
                self.errors.push(d);
                None
            }
        }
    }

    /// The terms of one taxonomy as written: trimmed, NFC, deduplicated by their key, each
    /// checked where it is written: not empty, no control characters, within the limits, and
    /// with something left for a URL. Returns the names and their URL names.
    fn terms(&mut self, values: &[Spanned<String>], field: &str) -> (Vec<String>, Vec<String>) {
        let limits = &self.config.limits;
        if values.len() > limits.terms_per_article {
            let d = self.at(
                values[limits.terms_per_article].span(),
                format!(
                    "`{field}` lists {} entries; the limit is {}",
                    values.len(),
                    limits.terms_per_article
                ),
            );
            self.errors.push(d.with_hint(
                "keep the ones readers would look for, or raise [limits] terms_per_article in config.toml",
            ));
            return Default::default();
        }
        let mut names = Vec::with_capacity(values.len());
        let mut slugs = Vec::with_capacity(values.len());
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        for v in values {
            let name = slug::nfc(v.get_ref().trim());
            let problem = if name.is_empty() {
                Some((format!("`{field}` has an empty entry"), None))
            } else if name.chars().any(char::is_control) {
                Some((
                    format!("`{field}` entry contains a control character"),
                    None,
                ))
            } else if name.chars().count() > limits.term_chars {
                Some((
                    format!(
                        "`{field}` entry is {} characters; the limit is {}",
                        name.chars().count(),
                        limits.term_chars
                    ),
                    Some("shorten it, or raise [limits] term_chars in config.toml"),
                ))
            } else {
                None
            };
            if let Some((message, hint)) = problem {
                let mut d = self.at(v.span(), message);
                if let Some(h) = hint {
                    d = d.with_hint(h);
                }
                self.errors.push(d);
                continue;
            }
            let key = slug::term_key(&name);
            let url_name = slug::name_slug(self.config.slug, &key);
            if url_name.is_empty() {
                let d = self.at(
                    v.span(),
                    format!("{field} entry `{name}` has no usable characters for a URL"),
                );
                self.errors
                    .push(d.with_hint("use letters or digits in the name"));
                continue;
            }
            if let Err(why) = slug::check_segment(&url_name) {
                let d = self.at(
                    v.span(),
                    format!("{field} entry `{name}`: its URL name {why}"),
                );
                self.errors.push(d);
                continue;
            }
            if seen.insert(key) {
                names.push(name);
                slugs.push(url_name);
            }
        }
        (names, slugs)
    }

    fn declared_terms(
        &mut self,
        raw: &BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
        slugs: &mut BTreeMap<String, Vec<String>>,
    ) -> BTreeMap<String, Vec<String>> {
        let mut terms = BTreeMap::new();
        for (name, values) in raw {
            let declared = self.config.taxonomies.iter().any(|t| &t.name == name);
            if !declared || name == "tags" || name == "authors" {
                let message = if declared {
                    format!("write `{name}` at the top level, not under [taxonomies]")
                } else {
                    format!("taxonomy `{name}` is not declared in config.toml")
                };
                let d = self.at(values.span(), message);
                self.errors.push(d.with_hint(format!(
                    "declare it with [taxonomies.{name}] in config.toml"
                )));
                continue;
            }
            let (names, urls) = self.terms(values.get_ref(), name);
            terms.insert(name.clone(), names);
            slugs.insert(name.clone(), urls);
        }
        terms
    }

    fn image(&mut self, raw: &RawFrontMatter) -> Option<ImageRef> {
        let img = raw.image.as_ref()?;
        let src = img.get_ref().trim().to_string();
        if let Err(why) = check_image_src(&src) {
            let d = self.at(img.span(), format!("`image` {why}"));
            self.errors.push(d);
            return None;
        }
        let focus = match &raw.image_focus {
            None => [5000, 5000],
            Some(f) => match f.get_ref().as_slice() {
                &[x, y] if (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y) => {
                    [(x * 10000.0).round() as u16, (y * 10000.0).round() as u16]
                }
                _ => {
                    let mut d = self.at(
                        f.span(),
                        "`image_focus` must be two fractions from 0 to 1: [across, down]",
                    );
                    d.hint =
                        Some("e.g. image_focus = [0.5, 0.3] for a face in the upper middle".into());
                    self.errors.push(d);
                    [5000, 5000]
                }
            },
        };
        Some(ImageRef {
            src,
            alt: raw.image_alt.clone().unwrap_or_default(),
            caption: raw.image_caption.clone().filter(|c| !c.trim().is_empty()),
            credit: raw.image_credit.clone().filter(|c| !c.trim().is_empty()),
            focus,
            line: front_matter::position(&self.split, img.span()).0,
        })
    }

    fn lang(&mut self, raw: Option<&Spanned<String>>) -> Option<String> {
        let l = raw?;
        let lang = l.get_ref().trim().to_string();
        match crate::text::language_tag(&lang) {
            Ok(()) => Some(lang),
            Err(why) => {
                let d = self.at(l.span(), format!("`lang` {why}"));
                self.errors
                    .push(d.with_hint("use a tag such as \"ko\" or \"en\""));
                None
            }
        }
    }
}

/// Parses an article's text (see [`Article::parse`]).
pub fn parse(rel: &str, text: &str, config: &Config) -> Result<Article, Vec<Diagnostic>> {
    let file = SourceFile::new(rel);
    let path = file.display.clone();
    let split = front_matter::split(&path, text).map_err(|d| vec![d])?;
    let raw: RawFrontMatter = front_matter::parse(&path, &split).map_err(|d| vec![d])?;
    let body = split.body;
    let body_line = split.body_line;
    let mut f = Fields {
        split,
        path,
        config,
        edition: &config.editions[0],
        errors: Vec::new(),
    };
    let edition = f.edition(&file, raw.lang.as_ref());
    f.edition = &config.editions[edition];

    let title = f.title(&raw.title);
    let date = f.date("date", Some(&raw.date));
    let updated = f.date("updated", raw.updated.as_ref());
    let publish_at = f.date("publish_at", raw.publish_at.as_ref());
    let expire_at = f.date("expire_at", raw.expire_at.as_ref());
    let corrections = f.corrections(&raw.corrections);
    if let (Some(d), Some(u), Some(span)) = (date, updated, raw.updated.as_ref().map(|u| u.span()))
        && u < d
    {
        let e = f.at(span, "`updated` is earlier than `date`");
        f.errors
            .push(e.with_hint("a correction or update comes after publication"));
    }
    let id = raw.id.as_ref().map(|i| *i.get_ref());
    let slug = f.slug(raw.slug.as_ref(), &file, id);
    let fixed_path = f.fixed_path(raw.path.as_ref());
    let summary = f.summary(raw.summary.as_ref());
    let section = f.section(raw.section.as_ref(), &file);
    let mut term_slugs = BTreeMap::new();
    let (tags, tag_slugs) = f.terms(&raw.tags, "tags");
    let (authors, author_slugs) = f.terms(&raw.authors, "authors");
    term_slugs.insert("tags".to_string(), tag_slugs);
    term_slugs.insert("authors".to_string(), author_slugs);
    let terms = f.declared_terms(&raw.taxonomies, &mut term_slugs);
    let image = f.image(&raw);
    let lang = f.lang(raw.lang.as_ref()).or_else(|| {
        // An article of another edition speaks its language.
        (edition > 0).then(|| config.editions[edition].language.clone())
    });
    let (translation, translation_line) = f.translation(raw.translation_key.as_ref(), &file);
    let ed = f.edition;

    let (Some(date), true) = (date, f.errors.is_empty()) else {
        return Err(f.errors);
    };
    let local = date.to_zoned(ed.timezone.clone()).date();
    let day = (local.year(), local.month(), local.day());
    let place = match fixed_path {
        Some(p) => Place::new(ed.site_path(&p)),
        None => place::fill(
            config,
            ed,
            &Parts {
                file: &f.path,
                section: section.as_deref(),
                day,
                slug: &slug,
                id,
            },
        )
        .map_err(|d| vec![d])?,
    };
    let url_at = raw
        .path
        .as_ref()
        .or(raw.slug.as_ref())
        .map_or((1, 1), |s| front_matter::position(&f.split, s.span()));
    Ok(Article {
        title,
        subtitle: raw
            .subtitle
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        lead: summary
            .is_none()
            .then(|| crate::markdown::lead(body, !config.unsafe_html, config.limits.summary_chars)),
        summary,
        date,
        updated,
        publish_at,
        expire_at,
        draft: raw.draft,
        slug,
        id,
        section,
        tags,
        authors,
        terms,
        term_slugs,
        image,
        corrections,
        lang,
        edition,
        translation,
        translation_line,
        extra: toml_to_json(toml::Value::Table(raw.extra)),
        body_line,
        url_at,
        place,
        day,
        links: crate::markdown::scan_links(body),
        source_hash: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        file,
    })
}

/// The language suffix of the file's name, when it names one of the site's editions.
fn edition_suffix<'f>(config: &Config, file: &'f SourceFile) -> Option<&'f str> {
    let tag = file.lang_suffix()?;
    (config.multilingual() && config.edition_of_lang(tag).is_some()).then_some(tag)
}

fn check_image_src(src: &str) -> Result<(), String> {
    if src.is_empty() {
        return Err("is empty".into());
    }
    if src.starts_with("https://") || src.starts_with("http://") {
        return Ok(());
    }
    if src.contains("..") || src.contains('\\') || src.chars().any(char::is_control) {
        return Err(format!(
            "`{src}` may not contain `..`, `\\` or control characters"
        ));
    }
    Ok(())
}
