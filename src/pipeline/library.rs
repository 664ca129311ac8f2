//! The content folder as the pipeline keeps it: every file with its stamp, its hash and what
//! parsing it gave, kept between builds (in `nuri serve`, and in the build cache) so that a
//! change re-reads and re-parses only the files it touched.
//!
//! A file whose stamp is unchanged is not read. One whose stamp changed is read and hashed;
//! if its bytes are those parsed before, the earlier parse is kept. Parsing is pure (see
//! [`crate::content::parse_file`]), so a kept parse is the parse of those bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stamp::Stamp;
use crate::config::Config;
use crate::content::{self, FileKind, Library, Parsed};
use crate::error::{Diagnostic, Diagnostics};
use crate::markdown::Heading;

/// What reading one content file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub stamp: Stamp,
    /// Hash of the file's bytes (0 for files that are not read: assets).
    pub hash: u64,
    /// The parse, for Markdown files that parsed.
    pub parsed: Option<Parsed>,
    /// What the body's full render found, once it has been rendered: for anchor checks.
    pub facts: Option<BodyFacts>,
}

/// What a body's full render tells about it that other articles need to know.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyFacts {
    pub headings: Vec<Heading>,
    /// `@/` links with an anchor: (target, anchor, line, column).
    pub anchors: Vec<(String, String, usize, usize)>,
}

/// One file of `content/`.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub record: Record,
    /// Problems found in this file (its parse errors).
    pub problems: Vec<Diagnostic>,
}

/// Every file under `content/`.
#[derive(Debug, Default, Clone)]
pub struct ContentFiles {
    pub files: BTreeMap<String, File>,
    /// Problems of the folder itself (unreadable folders, links leading out).
    pub walk_problems: Diagnostics,
    /// Files read (not just stamped), for reports.
    read: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Records an earlier build kept, by path inside `content/`.
pub type Known = std::collections::HashMap<String, Record>;

impl ContentFiles {
    /// Reads the whole folder, reusing what `known` (an earlier build's records) says about
    /// files whose stamp or bytes did not change.
    pub fn scan(config: &Config, known: &Known) -> ContentFiles {
        let mut walk_problems = Diagnostics::default();
        let listed = content::list_files(config, &mut walk_problems);
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let files = listed
            .into_par_iter()
            .map(|(rel, path)| {
                let file = read(config, &rel, &path, known.get(&rel), &count);
                (rel, file)
            })
            .collect();
        ContentFiles {
            files,
            walk_problems,
            read: count,
        }
    }

    /// Brings the files at these paths (files or folders, inside `content/`) up to date:
    /// for `nuri serve`, which knows from the watcher what changed. An empty path stands
    /// for the whole folder. Returns how many files were read.
    pub fn update(&mut self, config: &Config, rels: &[String]) -> usize {
        let before = self.reads();
        if rels.iter().any(String::is_empty) {
            let known: Known = self
                .files
                .iter()
                .map(|(r, f)| (r.clone(), f.record.clone()))
                .collect();
            *self = ContentFiles::scan(config, &known);
            return self.reads();
        }
        let site = crate::sources::SiteRoot::new(&config.paths.root);
        for rel in rels {
            let path = config.paths.content.join(rel);
            let inside = format!("{rel}/");
            // Whatever was there (a file, or a folder's files) is read again.
            let before: Vec<String> = self
                .files
                .range(rel.clone()..)
                .take_while(|(r, _)| *r == rel || r.starts_with(&inside))
                .map(|(r, _)| r.clone())
                .collect();
            let mut old: Known = Known::new();
            for r in before {
                if let Some(f) = self.files.remove(&r) {
                    old.insert(r, f.record);
                }
            }
            if path.is_dir() {
                let walked = crate::sources::walk(&path, &site);
                self.walk_problems.extend(walked.diagnostics.0);
                let found: Vec<(String, PathBuf)> = walked
                    .files
                    .into_iter()
                    .map(|(r, p)| (format!("{rel}/{r}"), p))
                    .filter(|(r, _)| content::classify(r) != FileKind::Ignored)
                    .collect();
                let count = &self.read;
                let read_files: Vec<(String, File)> = found
                    .into_par_iter()
                    .map(|(r, p)| {
                        let f = read(config, &r, &p, old.get(&r), count);
                        (r, f)
                    })
                    .collect();
                self.files.extend(read_files);
            } else if content::classify(rel) != FileKind::Ignored
                && std::fs::symlink_metadata(&path).is_ok()
                && site.readable_file(&path)
            {
                let f = read(config, rel, &path, old.get(rel), &self.read);
                self.files.insert(rel.clone(), f);
            }
        }
        self.reads() - before
    }

    /// How many files were read since this folder was first scanned.
    fn reads(&self) -> usize {
        self.read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The parsed files, sorted for the model.
    pub fn library(&self) -> Library {
        let assets = content::bundle_assets(
            self.files
                .iter()
                .map(|(r, f)| (r.as_str(), f.path.as_path())),
        );
        Library::of(
            self.files.values().filter_map(|f| f.record.parsed.as_ref()),
            assets,
        )
    }

    /// Every problem: the folder's and each file's.
    pub fn problems(&self) -> Diagnostics {
        let mut d = self.walk_problems.clone();
        for f in self.files.values() {
            d.extend(f.problems.iter().cloned());
        }
        d
    }

    /// Records to keep for the next build (files that parsed, and assets).
    pub fn known(&self) -> Known {
        self.files
            .iter()
            .filter(|(_, f)| f.problems.iter().all(|d| !d.is_error()))
            .map(|(r, f)| (r.clone(), f.record.clone()))
            .collect()
    }

    /// The file behind an article.
    pub fn get(&self, rel: &str) -> Option<&File> {
        self.files.get(rel)
    }

    /// Sets what a body's render found.
    pub fn set_facts(&mut self, rel: &str, facts: BodyFacts) {
        if let Some(f) = self.files.get_mut(rel) {
            f.record.facts = Some(facts);
        }
    }
}

/// Reads and parses one file, unless `known` shows it has not changed.
fn read(
    config: &Config,
    rel: &str,
    path: &Path,
    known: Option<&Record>,
    count: &std::sync::atomic::AtomicUsize,
) -> File {
    let kind = content::classify(rel);
    let stamp = Stamp::of(path).unwrap_or_default();
    let parses = matches!(
        kind,
        FileKind::Article | FileKind::SectionIndex | FileKind::AuthorProfile
    );
    if let Some(k) = known
        && k.stamp == stamp
        && (k.parsed.is_some() || !parses)
    {
        return File {
            path: path.to_path_buf(),
            record: k.clone(),
            problems: Vec::new(),
        };
    }
    if !parses {
        return File {
            path: path.to_path_buf(),
            record: Record {
                stamp,
                hash: 0,
                parsed: None,
                facts: None,
            },
            problems: Vec::new(),
        };
    }
    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let shown = Path::new("content").join(rel);
    let text = match content::read_text(&shown, path) {
        Ok(t) => t,
        Err(d) => {
            return File {
                path: path.to_path_buf(),
                record: Record {
                    stamp,
                    hash: 0,
                    parsed: None,
                    facts: None,
                },
                problems: vec![d],
            };
        }
    };
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    if let Some(k) = known
        && k.hash == hash
        && k.parsed.is_some()
    {
        return File {
            path: path.to_path_buf(),
            record: Record { stamp, ..k.clone() },
            problems: Vec::new(),
        };
    }
    let (parsed, problems) = match content::parse_file(rel, &text, config) {
        Some(Ok(p)) => (Some(p), Vec::new()),
        Some(Err(ds)) => (None, ds),
        None => (None, Vec::new()),
    };
    File {
        path: path.to_path_buf(),
        record: Record {
            stamp,
            hash,
            parsed,
            facts: None,
        },
        problems,
    }
}
