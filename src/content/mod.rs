//! Content: every file under `content/`, read and parsed, but not yet related to each other.
//!
//! The parsers here are pure: they take a file's text. Reading the folder (and reusing what
//! an earlier build parsed) is the pipeline's work (`crate::pipeline::library`). All problems
//! are collected; one bad article never hides another.

pub mod article;
pub mod front_matter;
pub mod section;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use article::{Article, Correction, ImageRef, Place, SourceFile};
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Asset {
    /// The bundle's folder inside `content/`.
    pub bundle: String,
    /// Path inside the bundle folder: `lead.jpg`, `photos/2.jpg`.
    pub rel: String,
    pub source: PathBuf,
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
    if name == "_index.md" || name.starts_with("_index.") && name.matches('.').count() == 2 {
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

/// Free JSON data (`extra`) as JSON text when cached: the build cache's format is not
/// self-describing, and a JSON value needs to be.
pub mod json_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &serde_json::Value, s: S) -> Result<S::Ok, S::Error> {
        serde_json::to_string(v)
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<serde_json::Value, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// What one content file is, parsed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Parsed {
    Article(Arc<Article>),
    Section(Arc<SectionMeta>),
    Author(Arc<AuthorProfile>),
}

/// Parses the text of the content file `rel` (pure). `None` for files that are not parsed
/// (assets, editors' files); a problem that is only a warning (an unused `_index.md`) comes
/// back as an error list holding that warning.
pub fn parse_file(
    rel: &str,
    text: &str,
    config: &Config,
) -> Option<Result<Parsed, Vec<Diagnostic>>> {
    Some(match classify(rel) {
        FileKind::Article => {
            Article::parse(rel, text, config).map(|a| Parsed::Article(Arc::new(a)))
        }
        FileKind::SectionIndex => parse_section_index(rel, text),
        FileKind::AuthorProfile => AuthorProfile::parse(rel, text)
            .map(|a| Parsed::Author(Arc::new(a)))
            .map_err(|d| vec![d]),
        FileKind::Other | FileKind::Ignored => return None,
    })
}

/// The files beside `index.md` in bundle folders, from a list of content files.
pub fn bundle_assets<'a>(files: impl Iterator<Item = (&'a str, &'a Path)> + Clone) -> Vec<Asset> {
    let bundles: BTreeSet<String> = files
        .clone()
        .map(|(rel, _)| SourceFile::new(rel))
        .filter(|f| f.is_bundle && classify(&f.rel) == FileKind::Article)
        .map(|f| f.dir().to_string())
        .collect();
    let mut assets = Vec::new();
    for (rel, path) in files {
        if classify(rel) != FileKind::Other {
            continue;
        }
        if let Some(bundle) = bundles
            .iter()
            .rev()
            .find(|b| rel.starts_with(b.as_str()) && rel[b.len()..].starts_with('/'))
        {
            assets.push(Asset {
                bundle: bundle.clone(),
                rel: rel[bundle.len() + 1..].to_string(),
                source: path.to_path_buf(),
            });
        }
    }
    assets
}

/// Everything read from `content/`, for one build of the model.
#[derive(Debug, Default, Clone)]
pub struct Library {
    pub articles: Vec<Arc<Article>>,
    pub sections: BTreeMap<String, Arc<SectionMeta>>,
    /// Profiles by term key of the name.
    pub authors: BTreeMap<String, Arc<AuthorProfile>>,
    pub assets: Vec<Asset>,
}

impl Library {
    /// Sorts parsed files into a library.
    pub fn of<'a>(parsed: impl Iterator<Item = &'a Parsed>, assets: Vec<Asset>) -> Library {
        let mut library = Library {
            assets,
            ..Library::default()
        };
        for p in parsed {
            match p {
                Parsed::Article(a) => library.articles.push(a.clone()),
                Parsed::Section(s) => {
                    library.sections.insert(s.library_key(), s.clone());
                }
                Parsed::Author(a) => {
                    library.authors.insert(term_key(&a.name), a.clone());
                }
            }
        }
        library
    }
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
        .map(|s| Parsed::Section(Arc::new(s)))
        .map_err(|d| vec![d])
}
