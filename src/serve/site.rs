//! The site being served: one snapshot, whose pages are rendered when a browser asks for
//! them and kept until the next change. Nothing is rendered ahead, so a preview of a
//! 100,000-article archive starts as fast as its model is built and holds only the pages
//! that were looked at.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::error::Diagnostic;
use crate::formats::search;
use crate::pipeline::Snapshot;

/// Bytes of one output file, shared with the server.
pub type Bytes = Arc<Vec<u8>>;

/// Rendered pages kept at most (a preview shows a few; a crawler must not fill memory).
const KEEP: usize = 2048;

pub struct Served {
    pub snap: Arc<Snapshot>,
    /// Output path → job.
    by_output: HashMap<String, usize>,
    rendered: Mutex<HashMap<String, Bytes>>,
    pub generation: u64,
}

/// What an output path is in the served site.
pub enum Found {
    Page(Result<Bytes, Diagnostic>),
    File(PathBuf),
    Missing,
}

impl Served {
    pub fn new(snap: Arc<Snapshot>, generation: u64) -> Served {
        let by_output = snap
            .plan
            .jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| !snap.statics.contains_key(&j.output))
            .map(|(i, j)| (j.output.clone(), i))
            .collect();
        Served {
            snap,
            by_output,
            rendered: Mutex::new(HashMap::new()),
            generation,
        }
    }

    /// The 404 page for a missing output path: its edition's (`en/404.html` under `en/`).
    pub fn not_found_page(&self, output: &str) -> String {
        let output = output.trim_start_matches('/');
        self.snap
            .editions
            .iter()
            .skip(1)
            .map(|c| c.this_edition().path.trim_start_matches('/'))
            .find(|prefix| output.starts_with(prefix))
            .map_or_else(|| "404.html".to_string(), |p| format!("{p}404.html"))
    }

    /// Finds (and renders, the first time) the file at an output path.
    pub fn get(&self, key: &str) -> Found {
        if let Some(bytes) = self.rendered.lock().ok().and_then(|r| r.get(key).cloned()) {
            return Found::Page(Ok(bytes));
        }
        let made = if let Some(&j) = self.by_output.get(key) {
            self.snap.render(&self.snap.plan.jobs[j], None)
        } else if let Some(n) =
            batch_of(key, self.snap.site.entries.len()).filter(|_| self.snap.config.search.enabled)
        {
            Ok(search::batch(&self.snap.config, &self.snap.site, n))
        } else if let Some(path) = self.snap.statics.get(key) {
            return Found::File(path.clone());
        } else {
            return Found::Missing;
        };
        let made = made.map(Arc::new);
        if let (Ok(bytes), Ok(mut r)) = (&made, self.rendered.lock()) {
            if r.len() >= KEEP {
                r.clear();
            }
            r.insert(key.to_string(), bytes.clone());
        }
        Found::Page(made)
    }

    /// Whether `path` is a photo file nuri made (kept in the build cache, which may be
    /// outside the site folder).
    pub fn is_photo_file(&self, path: &std::path::Path) -> bool {
        path.starts_with(&self.snap.photo_dir) && path.is_file()
    }

    /// Whether `key` names a folder of the site (`key/index.html` exists).
    pub fn is_folder(&self, key: &str) -> bool {
        let index = format!("{key}/index.html");
        self.by_output.contains_key(&index) || self.snap.statics.contains_key(&index)
    }

    /// The fingerprint of the page at a site path, to tell whether it changed.
    pub fn fingerprint(&self, key: &str) -> Option<u64> {
        self.by_output
            .get(key)
            .map(|&j| self.snap.fingerprint(&self.snap.plan.jobs[j]))
    }

    /// Renders the pages at these keys now, to find template errors before they are shown.
    pub fn try_render(&self, keys: &[String]) -> Result<(), Diagnostic> {
        for key in keys {
            if let Found::Page(Err(d)) = self.get(key) {
                return Err(d);
            }
        }
        Ok(())
    }
}

/// `search/d/<n>.json` within the site's result files.
fn batch_of(key: &str, entries: usize) -> Option<usize> {
    let n: usize = key
        .strip_prefix("search/d/")?
        .strip_suffix(".json")?
        .parse()
        .ok()?;
    (n < search::batches(entries)).then_some(n)
}
