//! Content: every file under `content/`, read and parsed, but not yet related to each other.
//!
//! [`load`] is the only function here that touches the disk: it walks the folder, reads the
//! files in parallel and hands their text to the pure parsers in [`article`] and [`section`].
//! All problems are collected; one bad article never hides another.

pub mod article;
pub mod front_matter;
pub mod section;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use article::{Article, ImageRef, SourceFile};
pub use section::{AuthorProfile, SectionMeta};

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::text::slug::term_key;

/// Keys of an article's front matter, which no taxonomy may take as its name.
pub const FRONT_MATTER_KEYS: [&str; 11] = [
    "title", "date", "updated", "draft", "slug", "id", "section", "extra", "image", "summary",
    "lang",
];

/// The folder under `content/` that holds reporter profiles instead of articles.
pub const AUTHORS_DIR: &str = "authors";

/// A file that travels with a bundle article (a photo beside `index.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The bundle's folder inside `content/`.
    pub bundle: String,
    /// Path inside the bundle folder: `lead.jpg`, `photos/2.jpg`.
    pub rel: String,
    pub source: PathBuf,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Library {
    pub articles: Vec<Article>,
    pub sections: BTreeMap<String, SectionMeta>,
    /// Profiles by term key of the name.
    pub authors: BTreeMap<String, AuthorProfile>,
    pub assets: Vec<Asset>,
    pub diagnostics: Diagnostics,
}

/// What a path inside `content/` is, judged by its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Article,
    SectionIndex,
    AuthorProfile,
    /// Not Markdown: an asset when it sits inside a bundle folder.
    Other,
    /// Editor back-ups, swap files and hidden files.
    Ignored,
}

pub use crate::sources::is_editor_noise;

/// Classifies a `/`-separated path relative to `content/`.
pub fn classify(rel: &str) -> FileKind {
    if rel.split('/').any(is_editor_noise) {
        return FileKind::Ignored;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if !name.ends_with(".md") {
        return FileKind::Other;
    }
    if rel.starts_with(&format!("{AUTHORS_DIR}/")) {
        return FileKind::AuthorProfile;
    }
    if name == "_index.md" {
        return FileKind::SectionIndex;
    }
    FileKind::Article
}

/// Lists the files under `content/` (sorted, NFC, `/`-separated), skipping editors' files
/// and links that lead out of the site. A missing `content/` is an error: a build from the
/// wrong folder must not publish an empty site over the archive.
pub fn list_files(config: &Config, diagnostics: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let content = &config.paths.content;
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::error(display(config, content), "the content folder is missing")
                .with_hint("run nuri in the site folder (or pass --root DIR), or create content/ with the articles"),
        );
        return Vec::new();
    }
    let walked = crate::sources::walk(content, &crate::sources::SiteRoot::new(&config.paths.root));
    diagnostics.extend(walked.diagnostics.0);
    walked.files
}

fn display(config: &Config, path: &Path) -> PathBuf {
    path.strip_prefix(&config.paths.root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Reads a content file as UTF-8, naming the line of the first invalid byte.
pub fn read_text(display_path: &Path, path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(display_path, format!("cannot read: {e}")))?;
    // SIMD validation: Korean text defeats the standard library's ASCII fast path, and
    // checking every source byte took as long as parsing the front matter.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: validated just above.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = String::from_utf8_lossy(&bytes[..valid]);
        Diagnostic::error(display_path, "the file is not valid UTF-8")
            .at_offset(&prefix, valid, 1)
            .with_hint("save the file as UTF-8 (not EUC-KR/CP949)")
    })
}

enum Parsed {
    Article(Box<Article>),
    Section(Box<SectionMeta>),
    Author(Box<AuthorProfile>),
}

/// Reads and parses everything under `content/`.
pub fn load(config: &Config) -> Library {
    let mut library = Library::default();
    let files = list_files(config, &mut library.diagnostics);

    let bundles: BTreeSet<String> = files
        .iter()
        .map(|(rel, _)| SourceFile::new(rel))
        .filter(|f| f.is_bundle && classify(&f.rel) == FileKind::Article)
        .map(|f| f.dir().to_string())
        .collect();

    let parsed: Vec<Result<Parsed, Vec<Diagnostic>>> = files
        .par_iter()
        .filter_map(|(rel, path)| {
            let kind = classify(rel);
            if !matches!(
                kind,
                FileKind::Article | FileKind::SectionIndex | FileKind::AuthorProfile
            ) {
                return None;
            }
            let shown = Path::new("content").join(rel);
            let text = match read_text(&shown, path) {
                Ok(t) => t,
                Err(d) => return Some(Err(vec![d])),
            };
            Some(match kind {
                FileKind::Article => {
                    Article::parse(rel, &text, config).map(|a| Parsed::Article(Box::new(a)))
                }
                FileKind::SectionIndex => parse_section_index(rel, &text),
                _ => AuthorProfile::parse(rel, &text)
                    .map(|a| Parsed::Author(Box::new(a)))
                    .map_err(|d| vec![d]),
            })
        })
        .collect();

    for result in parsed {
        match result {
            Ok(Parsed::Article(a)) => library.articles.push(*a),
            Ok(Parsed::Section(s)) => {
                library.sections.insert(s.key.clone(), *s);
            }
            Ok(Parsed::Author(a)) => {
                library.authors.insert(term_key(&a.name), *a);
            }
            Err(ds) => library.diagnostics.extend(ds),
        }
    }

    for (rel, path) in &files {
        if classify(rel) != FileKind::Other {
            continue;
        }
        if let Some(bundle) = bundles
            .iter()
            .rev()
            .find(|b| rel.starts_with(&format!("{b}/")))
        {
            library.assets.push(Asset {
                bundle: bundle.clone(),
                rel: rel[bundle.len() + 1..].to_string(),
                source: path.clone(),
            });
        }
    }
    library
}

fn parse_section_index(rel: &str, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let depth = rel.matches('/').count();
    if depth != 1 {
        let shown = Path::new("content").join(rel);
        let message = if depth == 0 {
            "content/_index.md is not used: the front page is built from config.toml"
        } else {
            "only top-level folders are sections; this _index.md is not used"
        };
        return Err(vec![Diagnostic::warning(shown, message)]);
    }
    SectionMeta::parse(rel, text)
        .map(|s| Parsed::Section(Box::new(s)))
        .map_err(|d| vec![d])
}
