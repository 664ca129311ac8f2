//! The engine: the site's sources as last read (config, templates, content, static files),
//! brought up to date by [`Engine::apply`] after a change, and turned into a [`Snapshot`]
//! on request. `nuri build`, `nuri check` and `nuri serve` all read the site through it.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::images::Photos;
use super::library::{ContentFiles, Known};
use super::snapshot::{Parts, Snapshot};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::model::BuildOptions;
use crate::render::Templates;

/// What a build, check or preview was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    pub root: PathBuf,
    /// Output folder; default: `output_dir` from config, inside the root.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub options: BuildOptions,
    /// Where photos' files are kept; default: `.nuri-cache/photos` in the site.
    pub photos: Option<PathBuf>,
    /// For `nuri check`: photos are read and their files planned, not made (a check writes
    /// nothing).
    pub check: bool,
}

/// What changed in the sources (from the file watcher).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Config,
    Templates,
    Static,
    /// A path inside `content/`, `/`-separated and NFC; empty for the folder itself.
    Content(String),
}

/// Reads config.toml and applies command-line overrides.
pub fn load_config(request: &BuildRequest) -> Result<Config> {
    let mut config = Config::load(&request.root)?;
    if let Some(url) = &request.base_url {
        config.base_url = crate::config::BaseUrl::parse(url)
            .map_err(|m| Error::usage(Path::new("--base-url"), m))?;
    }
    if let Some(out) = &request.output {
        config.paths.output = out.clone();
    }
    Ok(config)
}

/// A hash of everything in the config (with overrides): part of every page's fingerprint.
pub fn config_hash(config: &Config) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.write(format!("{config:?}").as_bytes());
    h.finish()
}

/// What a build cache is keyed by: nuri's version (added by the cache) and the config,
/// without what only changes URLs (the base URL, which `nuri serve` sets to its own
/// address) or where the site is written. Pages' fingerprints include the whole config.
pub fn cache_key(config: &Config) -> u64 {
    let mut c = config.clone();
    c.base_url = crate::config::BaseUrl::parse("https://cache.invalid/").expect("valid");
    c.paths.output = PathBuf::new();
    config_hash(&c)
}

/// The site's sources, as last read.
pub struct Engine {
    pub request: BuildRequest,
    pub config: Arc<Config>,
    pub config_hash: u64,
    templates: std::result::Result<Arc<Templates>, Diagnostics>,
    pub content: ContentFiles,
    statics: BTreeMap<String, PathBuf>,
    static_problems: Diagnostics,
    photos: Photos,
}

impl Engine {
    /// Reads the site at `request.root`, reusing `known` records of an earlier build.
    pub fn open(request: &BuildRequest, known: &Known) -> Result<Engine> {
        let config = load_config(request)?;
        let (statics, static_problems) = list_statics(&config);
        let templates = Templates::load(&config).map(Arc::new);
        let content = ContentFiles::scan(&config, known);
        let photo_store = request.photos.clone().unwrap_or_else(|| {
            config
                .paths
                .root
                .join(super::cache::DEFAULT_DIR)
                .join("photos")
        });
        Ok(Engine {
            request: request.clone(),
            config_hash: config_hash(&config),
            config: Arc::new(config),
            templates,
            content,
            statics,
            static_problems,
            photos: Photos::new(photo_store, !request.check),
        })
    }

    /// Brings the sources up to date after `changes`. A changed config reads everything
    /// again (keeping what parsing gave, where the config parses files the same way).
    /// Returns how many content files were read.
    pub fn apply(&mut self, changes: &BTreeSet<Change>) -> Result<usize> {
        if changes.contains(&Change::Config) {
            let known = self.content.known();
            *self = Engine::open(&self.request, &known)?;
            return Ok(self.content.files.len());
        }
        if changes.contains(&Change::Templates) {
            self.templates = Templates::load(&self.config).map(Arc::new);
        }
        if changes.contains(&Change::Static) {
            (self.statics, self.static_problems) = list_statics(&self.config);
        }
        let rels: Vec<String> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Content(rel) => Some(rel.clone()),
                _ => None,
            })
            .collect();
        Ok(if rels.is_empty() {
            0
        } else {
            self.content.update(&self.config, &rels)
        })
    }

    /// The site as the sources now are. Errors of the templates come back as `Err`;
    /// problems of the content are in the snapshot (its errors stop a build).
    pub fn snapshot(&self) -> std::result::Result<Snapshot, Diagnostics> {
        let templates = self.templates.clone()?;
        let mut snap = Snapshot::new(Parts {
            config: self.config.clone(),
            templates,
            options: &self.request.options,
            content: &self.content,
            statics: self.statics.clone(),
            photos: &self.photos,
            config_hash: self.config_hash,
        });
        snap.problems.extend(self.static_problems.0.iter().cloned());
        snap.problems.sort();
        Ok(snap)
    }

    /// A hash of everything a build is made from, known before any model is built: the
    /// content (each file's bytes, or an asset's stamp), templates, config and options,
    /// static files (their stamps), and what the clock decides (which articles are
    /// published, which are recent enough for the news sitemap). Equal inputs, equal site.
    /// `None` while the templates do not load or the sources have errors.
    pub fn inputs(&self) -> Option<u64> {
        use std::hash::Hasher;
        let templates = self.templates.as_ref().ok()?;
        // A site with errors builds nothing: the build must find and report them.
        if self.content.walk_problems.has_errors()
            || self.static_problems.has_errors()
            || self
                .content
                .files
                .values()
                .any(|f| f.problems.iter().any(Diagnostic::is_error))
        {
            return None;
        }
        let options = &self.request.options;
        let now = options.now;
        let news_since = now
            .checked_sub(jiff::SignedDuration::from_hours(
                self.config.sitemap.news_hours,
            ))
            .unwrap_or(jiff::Timestamp::MIN);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write_u64(templates.hash);
        h.write_u64(self.config_hash);
        h.write_u8(options.drafts as u8);
        h.write_u8(options.future as u8);
        h.write_u8(options.expired as u8);
        h.write_u8(options.preview as u8);
        for (rel, f) in &self.content.files {
            h.write(rel.as_bytes());
            h.write_u8(0xff);
            h.write_u64(f.record.hash);
            h.write_u64(f.record.stamp.len);
            if f.record.hash == 0 {
                // Not read (an asset): its stamp stands for its bytes.
                h.write_i128(f.record.stamp.mtime_ns);
                h.write_u64(f.record.stamp.ino);
            }
            if let Some(crate::content::Parsed::Article(a)) = &f.record.parsed {
                let t = a.publish_time();
                h.write_u8(match options.exclusion(a) {
                    None => 0,
                    Some(e) => 1 + e as u8,
                });
                h.write_u8((t > news_since && t <= now) as u8);
            }
        }
        h.write_u8(0xff);
        for (output, source) in &self.statics {
            h.write(output.as_bytes());
            h.write_u8(0xff);
            h.write_u64(super::build::static_fp(source));
        }
        Some(h.finish())
    }

    /// Where photos' files are kept.
    pub fn photo_store(&self) -> &crate::photos::Store {
        &self.photos.store
    }

    /// Whether the content folder has files whose parse is kept for the next build.
    pub fn known(&self) -> Known {
        self.content.known()
    }
}

/// Static files of the theme and the site (the site's win): output path → source.
fn list_statics(config: &Config) -> (BTreeMap<String, PathBuf>, Diagnostics) {
    let mut files = BTreeMap::new();
    let mut problems = Diagnostics::default();
    let site = crate::sources::SiteRoot::new(&config.paths.root);
    for dir in [
        config.paths.theme.join("static"),
        config.paths.static_dir.clone(),
    ] {
        let walked = crate::sources::walk(&dir, &site);
        problems.extend(walked.diagnostics.0);
        files.extend(walked.files);
    }
    (files, problems)
}

/// A problem of the whole site, not of one file.
pub fn site_problem(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(crate::config::CONFIG_FILE, message)
}
