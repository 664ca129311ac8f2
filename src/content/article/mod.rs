//! An article: one Markdown file with TOML front matter, parsed without touching the disk.
//!
//! Parsing is the first pass over a file, and it derives here everything the site model
//! needs from the article alone: its place (site path, URL path, output file), its local
//! date, the URL names of its terms, its automatic summary and the `@/` links it mentions.
//! The model then only relates articles to each other; the body itself is rendered later,
//! once, for the article's page.

mod fields;
mod place;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::Diagnostic;
use crate::markdown::{Lead, LinkScan};
use crate::text::slug;

pub use place::Place;

/// A published correction (정정): when, and what was corrected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Correction {
    pub date: Timestamp,
    pub note: String,
}

/// Where an article came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
        let file = rel.rsplit('/').next().unwrap_or(&rel);
        let is_bundle = file == "index.md"
            || file
                .strip_prefix("index.")
                .and_then(|f| f.strip_suffix(".md"))
                .is_some_and(looks_like_language);
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

    /// The language its name ends in, as in `기사.en.md` or `index.en.md`, if it ends in
    /// something that looks like a language tag.
    pub fn lang_suffix(&self) -> Option<&str> {
        let file = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        let stem = file.strip_suffix(".md")?;
        let (_, tag) = stem.rsplit_once('.')?;
        looks_like_language(tag).then_some(tag)
    }

    /// The first folder under `content/`, when the file is inside one.
    pub fn top_folder(&self) -> Option<&str> {
        self.rel.find('/').map(|i| &self.rel[..i])
    }
}

/// `en`, `ko`, `zh-Hant`, `pt-BR`: two or three letters, then optional subtags.
fn looks_like_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A lead photo as written in front matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageRef {
    /// As written: `lead.jpg` (bundle), `/images/a.jpg` (static) or an absolute URL.
    pub src: String,
    pub alt: String,
    pub caption: Option<String>,
    /// Who took the photo.
    pub credit: Option<String>,
    /// Where crops centre, in ten-thousandths of the width and height (5000, 5000: the
    /// middle).
    pub focus: [u16; 2],
    /// Line of `image` in the file, for errors found later.
    pub line: usize,
}

/// An article's metadata, and what the first pass derived from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Article {
    pub file: SourceFile,
    pub title: String,
    pub subtitle: Option<String>,
    /// The summary written in front matter.
    pub summary: Option<String>,
    pub date: Timestamp,
    pub updated: Option<Timestamp>,
    pub publish_at: Option<Timestamp>,
    pub expire_at: Option<Timestamp>,
    pub draft: bool,
    pub slug: String,
    pub id: Option<u64>,
    /// Section key: the folder name under `content/` (or the front-matter `section`).
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    /// Terms of the other declared taxonomies, by taxonomy name.
    pub terms: BTreeMap<String, Vec<String>>,
    /// URL names of the terms, by taxonomy name, in the order of the terms.
    pub term_slugs: BTreeMap<String, Vec<String>>,
    pub image: Option<ImageRef>,
    pub corrections: Vec<Correction>,
    pub lang: Option<String>,
    /// Which of the config's editions the article belongs to (0: the default language's).
    pub edition: usize,
    /// What links it to its translations: `translation_key`, else the path of the file
    /// (or bundle) without the language suffix.
    pub translation: String,
    /// The line of a written `translation_key`, for reporting one that links nothing.
    pub translation_line: Option<usize>,
    #[serde(with = "crate::content::json_text")]
    pub extra: serde_json::Value,
    pub body_line: usize,
    /// Where the article's URL is decided: the line and column of `path` or `slug`, else the
    /// opening `+++`.
    pub url_at: (usize, usize),
    /// Where the article is published.
    pub place: Place,
    /// The date in the site's time zone: year, month, day.
    pub day: (i16, i8, i8),
    /// The automatic summary, when front matter gives none.
    pub lead: Option<Lead>,
    /// The `@/` links the body mentions.
    pub links: LinkScan,
    /// A hash of the file's whole text: the body's identity.
    pub source_hash: u64,
}

impl Article {
    /// Parses an article's text. `rel` is the path inside `content/`.
    pub fn parse(rel: &str, text: &str, config: &Config) -> Result<Article, Vec<Diagnostic>> {
        fields::parse(rel, text, config)
    }

    /// The Markdown body of the file's text (the text this article was parsed from).
    pub fn body_of<'t>(&self, text: &'t str) -> &'t str {
        crate::content::front_matter::split(&self.file.display, text)
            .map(|s| s.body)
            .unwrap_or("")
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

    /// The URL names of a taxonomy's terms, in the order of [`Article::terms_of`].
    pub fn slugs_of(&self, taxonomy: &str) -> &[String] {
        self.term_slugs.get(taxonomy).map_or(&[], Vec::as_slice)
    }

    /// The last substantive change: `updated`, else `date`.
    pub fn modified(&self) -> Timestamp {
        self.updated.unwrap_or(self.date)
    }

    /// The summary as text: written, else automatic.
    pub fn summary_text(&self) -> &str {
        match (&self.summary, &self.lead) {
            (Some(s), _) => s,
            (None, Some(l)) => &l.text,
            (None, None) => "",
        }
    }
}
