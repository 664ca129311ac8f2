//! An article: one Markdown file with TOML front matter, parsed without touching the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;
use toml::Spanned;

use super::front_matter::{self, Split};
use crate::config::{Config, toml_to_json};
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
    #[serde(default)]
    lang: Option<Spanned<String>>,
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

/// A published correction (정정): when, and what was corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub date: Timestamp,
    pub note: String,
}

/// Where an article came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path inside `content/`, NFC, `/`-separated: `alliance/2023/출범.md`.
    pub rel: String,
    /// Path shown to people: `content/alliance/2023/출범.md`.
    pub display: PathBuf,
    /// True for `index.md` of a bundle folder.
    pub is_bundle: bool,
}

impl SourceFile {
    pub fn new(rel: &str) -> SourceFile {
        let rel = slug::nfc(rel);
        let is_bundle = rel == "index.md" || rel.ends_with("/index.md");
        SourceFile {
            display: Path::new("content").join(&rel),
            rel,
            is_bundle,
        }
    }

    /// The folder of a bundle (`alliance/2023/story`), or of the file.
    pub fn dir(&self) -> &str {
        self.rel.rfind('/').map_or("", |i| &self.rel[..i])
    }

    /// File stem, or the bundle folder's name for `index.md`.
    pub fn name(&self) -> &str {
        if self.is_bundle {
            let dir = self.dir();
            dir.rfind('/').map_or(dir, |i| &dir[i + 1..])
        } else {
            let file = self
                .rel
                .rfind('/')
                .map_or(&self.rel[..], |i| &self.rel[i + 1..]);
            file.strip_suffix(".md").unwrap_or(file)
        }
    }

    /// The first folder under `content/`, when the file is inside one.
    pub fn top_folder(&self) -> Option<&str> {
        self.rel.find('/').map(|i| &self.rel[..i])
    }
}

/// A lead photo as written in front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// As written: `lead.jpg` (bundle), `/images/a.jpg` (static) or an absolute URL.
    pub src: String,
    pub alt: String,
    pub caption: Option<String>,
    /// Line of `image` in the file, for errors found later.
    pub line: usize,
}

/// An article's metadata and Markdown body.
#[derive(Debug, Clone)]
pub struct Article {
    pub file: SourceFile,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: Option<String>,
    pub date: Timestamp,
    pub updated: Option<Timestamp>,
    pub publish_at: Option<Timestamp>,
    pub expire_at: Option<Timestamp>,
    pub draft: bool,
    pub slug: String,
    /// A fixed site path (`/special/election/`), checked: no `..`, backslash or control chars.
    pub path: Option<String>,
    pub id: Option<u64>,
    /// Section key: the folder name under `content/` (or the front-matter `section`).
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    /// Terms of the other declared taxonomies, by taxonomy name.
    pub terms: BTreeMap<String, Vec<String>>,
    pub image: Option<ImageRef>,
    pub corrections: Vec<Correction>,
    pub lang: Option<String>,
    pub extra: serde_json::Value,
    pub body: String,
    pub body_line: usize,
    /// Where the article's URL is decided: the line and column of `path` or `slug`, else the
    /// opening `+++`.
    pub url_at: (usize, usize),
}

impl Article {
    /// Parses an article's text. `rel` is the path inside `content/`.
    pub fn parse(rel: &str, text: &str, config: &Config) -> Result<Article, Vec<Diagnostic>> {
        let file = SourceFile::new(rel);
        let path = file.display.clone();
        let split = front_matter::split(&path, text).map_err(|d| vec![d])?;
        let raw: RawFrontMatter = front_matter::parse(&path, &split).map_err(|d| vec![d])?;
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = front_matter::position(&split, span);
            Diagnostic::error(&path, message).at(line, column)
        };

        let title = raw.title.get_ref().trim().to_string();
        if title.is_empty() {
            errors.push(
                at(raw.title.span(), "`title` is empty".into())
                    .with_hint("write the headline: title = \"…\""),
            );
        }

        let tz = &config.timezone;
        let mut date_of = |name: &str, v: &Option<Spanned<toml::Value>>| match v {
            None => None,
            Some(v) => match front_matter::date_field(&path, &split, name, v, tz) {
                Ok(ts) => Some(ts),
                Err(d) => {
                    errors.push(d);
                    None
                }
            },
        };
        let date = date_of("date", &Some(raw.date.clone()));
        let updated = date_of("updated", &raw.updated);
        let publish_at = date_of("publish_at", &raw.publish_at);
        let expire_at = date_of("expire_at", &raw.expire_at);
        let mut corrections = Vec::new();
        for c in &raw.corrections {
            if let Some(date) = date_of("corrections.date", &Some(c.date.clone())) {
                corrections.push((date, c.note.get_ref().trim().to_string(), c.note.span()));
            }
        }
        let mut corrections: Vec<Correction> = corrections
            .into_iter()
            .filter_map(|(date, note, span)| {
                if note.is_empty() {
                    errors.push(at(span, "a correction needs a `note`".into()));
                    return None;
                }
                Some(Correction { date, note })
            })
            .collect();
        corrections.sort_by_key(|c| c.date);
        if let (Some(d), Some(u), Some(span)) =
            (date, updated, raw.updated.as_ref().map(|u| u.span()))
            && u < d
        {
            errors.push(
                at(span, "`updated` is earlier than `date`".into())
                    .with_hint("a correction or update comes after publication"),
            );
        }

        let id = raw.id.as_ref().map(|i| *i.get_ref());
        let slug = resolve_slug(&file, &raw, id, config.slug, &split).unwrap_or_else(|d| {
            errors.push(d);
            String::new()
        });

        let fixed_path =
            raw.path
                .as_ref()
                .and_then(|p| match crate::text::url::site_path(p.get_ref()) {
                    Ok(path) => Some(path),
                    Err(why) => {
                        errors
                            .push(at(p.span(), format!("`path` {why}")).with_hint(
                                "write a site path such as \"/special/election-2024/\"",
                            ));
                        None
                    }
                });

        let summary = raw.summary.as_ref().and_then(|s| {
            let text = s.get_ref().trim().to_string();
            let chars = text.chars().count();
            if chars > config.limits.summary_chars {
                errors.push(
                    at(
                        s.span(),
                        format!(
                            "`summary` is {chars} characters; the limit is {}",
                            config.limits.summary_chars
                        ),
                    )
                    .with_hint("shorten it (lists, feeds and search engines show the first sentences), or raise [limits] summary_chars in config.toml"),
                );
            }
            (!text.is_empty()).then_some(text)
        });

        let section = match &raw.section {
            Some(s) => {
                let key = slug::nfc(s.get_ref().trim());
                match slug::check_segment(&key) {
                    Ok(()) => Some(key),
                    Err(why) => {
                        errors.push(at(s.span(), format!("`section` {why}")));
                        None
                    }
                }
            }
            None => file.top_folder().map(str::to_string),
        };

        let terms_of = |values: &[Spanned<String>], field: &str, errors: &mut Vec<Diagnostic>| {
            names(values, field, &split, &path, config, errors)
        };
        let tags = terms_of(&raw.tags, "tags", &mut errors);
        let authors = terms_of(&raw.authors, "authors", &mut errors);
        let mut terms = BTreeMap::new();
        for (name, values) in &raw.taxonomies {
            let declared = config.taxonomies.iter().any(|t| &t.name == name);
            if !declared || name == "tags" || name == "authors" {
                let message = if declared {
                    format!("write `{name}` at the top level, not under [taxonomies]")
                } else {
                    format!("taxonomy `{name}` is not declared in config.toml")
                };
                errors.push(at(values.span(), message).with_hint(format!(
                    "declare it with [taxonomies.{name}] in config.toml"
                )));
                continue;
            }
            terms.insert(name.clone(), terms_of(values.get_ref(), name, &mut errors));
        }

        let image = raw.image.as_ref().and_then(|img| {
            let src = img.get_ref().trim().to_string();
            let (line, column) = front_matter::position(&split, img.span());
            if let Err(why) = check_image_src(&src) {
                errors.push(Diagnostic::error(&path, format!("`image` {why}")).at(line, column));
                return None;
            }
            Some(ImageRef {
                src,
                alt: raw.image_alt.clone().unwrap_or_default(),
                caption: raw.image_caption.clone().filter(|c| !c.trim().is_empty()),
                line,
            })
        });

        let lang = match &raw.lang {
            Some(l) => {
                let lang = l.get_ref().trim().to_string();
                match crate::text::language_tag(&lang) {
                    Ok(()) => Some(lang),
                    Err(why) => {
                        errors.push(
                            at(l.span(), format!("`lang` {why}"))
                                .with_hint("use a tag such as \"ko\" or \"en\""),
                        );
                        None
                    }
                }
            }
            None => None,
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Article {
            file,
            title,
            subtitle: raw
                .subtitle
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            summary,
            date: date.expect("date checked above"),
            updated,
            publish_at,
            expire_at,
            draft: raw.draft,
            slug,
            path: fixed_path,
            id,
            section,
            tags,
            authors,
            terms,
            image,
            corrections,
            lang,
            extra: toml_to_json(toml::Value::Table(raw.extra)),
            body: split.body.to_string(),
            body_line: split.body_line,
            url_at: raw
                .path
                .as_ref()
                .or(raw.slug.as_ref())
                .map_or((1, 1), |s| front_matter::position(&split, s.span())),
        })
    }

    /// When the article becomes public: `publish_at` if set, else `date`.
    pub fn publish_time(&self) -> Timestamp {
        self.publish_at.unwrap_or(self.date)
    }

    /// The terms of a taxonomy (`tags`, `authors` or a declared one).
    pub fn terms_of(&self, taxonomy: &str) -> &[String] {
        match taxonomy {
            "tags" => &self.tags,
            "authors" => &self.authors,
            other => self.terms.get(other).map_or(&[], Vec::as_slice),
        }
    }

    /// The last substantive change: `updated`, else `date`.
    pub fn modified(&self) -> Timestamp {
        self.updated.unwrap_or(self.date)
    }
}

fn resolve_slug(
    file: &SourceFile,
    raw: &RawFrontMatter,
    id: Option<u64>,
    strategy: SlugStrategy,
    split: &Split<'_>,
) -> Result<String, Diagnostic> {
    if let Some(s) = &raw.slug {
        let (line, column) = front_matter::position(split, s.span());
        let written = s.get_ref().trim();
        if let Err(why) = slug::check_segment(written) {
            return Err(Diagnostic::error(&file.display, format!("`slug` {why}"))
                .at(line, column)
                .with_hint("a slug is one URL segment such as \"ai-동맹-출범\""));
        }
        let made = slug::slugify_keep(written);
        if made.is_empty() {
            return Err(Diagnostic::error(
                &file.display,
                format!("`slug` = \"{written}\" has nothing left after removing unsafe characters"),
            )
            .at(line, column));
        }
        return Ok(made);
    }
    if strategy == SlugStrategy::Id {
        return match id {
            Some(id) => Ok(id.to_string()),
            None => Err(Diagnostic::error(
                &file.display,
                "this site uses slug = \"id\", but the article has no `id`",
            )
            .at(1, 1)
            .with_hint("add a unique number: id = 1234")),
        };
    }
    let made = strategy.apply(file.name());
    if made.is_empty() {
        return Err(Diagnostic::error(
            &file.display,
            format!("the file name `{}` gives an empty slug", file.name()),
        )
        .at(1, 1)
        .with_hint("rename the file, or set slug = \"…\" in the front matter"));
    }
    Ok(made)
}

/// The terms of one taxonomy as written: trimmed, NFC, deduplicated by their key, each
/// checked where it is written (its line and column): not empty, no control characters,
/// within the length limit, and with something left for a URL.
fn names(
    values: &[Spanned<String>],
    field: &str,
    split: &Split<'_>,
    path: &Path,
    config: &Config,
    errors: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let limits = &config.limits;
    let at = |v: &Spanned<String>, message: String| {
        // Positions are computed only for errors: finding a line is linear in the text.
        let (line, column) = front_matter::position(split, v.span());
        Diagnostic::error(path, message).at(line, column)
    };
    if values.len() > limits.terms_per_article {
        errors.push(
            at(
                &values[limits.terms_per_article],
                format!(
                    "`{field}` lists {} entries; the limit is {}",
                    values.len(),
                    limits.terms_per_article
                ),
            )
            .with_hint("keep the ones readers would look for, or raise [limits] terms_per_article in config.toml"),
        );
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    for v in values {
        let name = slug::nfc(v.get_ref().trim());
        if name.is_empty() {
            errors.push(at(v, format!("`{field}` has an empty entry")));
            continue;
        }
        if name.chars().any(char::is_control) {
            errors.push(at(
                v,
                format!("`{field}` entry contains a control character"),
            ));
            continue;
        }
        let chars = name.chars().count();
        if chars > limits.term_chars {
            errors.push(
                at(
                    v,
                    format!(
                        "`{field}` entry is {chars} characters; the limit is {}",
                        limits.term_chars
                    ),
                )
                .with_hint("shorten it, or raise [limits] term_chars in config.toml"),
            );
            continue;
        }
        let key = slug::term_key(&name);
        let url_name = crate::model::name_slug(config, &key);
        if url_name.is_empty() {
            errors.push(
                at(
                    v,
                    format!("{field} entry `{name}` has no usable characters for a URL"),
                )
                .with_hint("use letters or digits in the name"),
            );
            continue;
        }
        if let Err(why) = slug::check_segment(&url_name) {
            errors.push(at(v, format!("{field} entry `{name}`: its URL name {why}")));
            continue;
        }
        if seen.insert(key) {
            out.push(name);
        }
    }
    out
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
