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
    summary: Option<String>,
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

        let fixed_path = raw.path.as_ref().and_then(|p| {
            let written = slug::nfc(p.get_ref().trim());
            match check_path(&written) {
                Ok(path) => Some(path),
                Err(why) => {
                    errors.push(
                        at(p.span(), format!("`path` {why}"))
                            .with_hint("write a site path such as \"/special/election-2024/\""),
                    );
                    None
                }
            }
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

        let tags = names(&raw.tags, "tags", &split, &path, &mut errors);
        let authors = names(&raw.authors, "authors", &split, &path, &mut errors);
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
            terms.insert(
                name.clone(),
                names(values.get_ref(), name, &split, &path, &mut errors),
            );
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
                if lang.is_empty() || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    errors.push(
                        at(
                            l.span(),
                            format!("`lang` = \"{lang}\" is not a language tag"),
                        )
                        .with_hint("use a tag such as \"ko\" or \"en\""),
                    );
                    None
                } else {
                    Some(lang)
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
            summary: raw
                .summary
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
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

fn names(
    values: &[Spanned<String>],
    field: &str,
    split: &Split<'_>,
    path: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    for v in values {
        let name = slug::nfc(v.get_ref().trim());
        // Positions are computed only for errors: finding a line is linear in the text.
        let at = |message: String| {
            let (line, column) = front_matter::position(split, v.span());
            Diagnostic::error(path, message).at(line, column)
        };
        if name.is_empty() {
            errors.push(at(format!("`{field}` has an empty entry")));
            continue;
        }
        if name.chars().any(char::is_control) {
            errors.push(at(format!("`{field}` entry contains a control character")));
            continue;
        }
        if seen.insert(slug::term_key(&name)) {
            out.push(name);
        }
    }
    out
}

/// A user-written site path: each segment must be a plain name.
fn check_path(path: &str) -> Result<String, String> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Err("is empty".into());
    }
    if path.contains('\\') {
        return Err(format!("`{path}` contains a backslash"));
    }
    for seg in trimmed.split('/') {
        slug::check_segment(seg).map_err(|why| format!("segment {why}"))?;
    }
    let mut out = format!("/{trimmed}");
    if path.ends_with('/') || !trimmed.rsplit('/').next().unwrap_or("").contains('.') {
        out.push('/');
    }
    Ok(out)
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
