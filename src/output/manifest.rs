//! `.nuri-manifest`: every file of a site nuri wrote, with its length and content hash (the
//! low 64 bits of its XXH3-128, the hash that names it in the build cache).
//!
//! It says which files in a live folder are nuri's (anything else stops a build before the
//! folder is replaced), and lets the next build hard-link an unchanged page instead of
//! writing it again. It only says where to look: a file is reused after its bytes compare
//! equal, so a file edited by hand or damaged by a crash is written anew.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".nuri-manifest";

/// One line of the manifest.
#[derive(Debug, Clone)]
pub struct ManifestEntry {
    pub path: String,
    pub len: u64,
    pub hash: u64,
}

/// A live site's manifest.
#[derive(Debug, Default)]
pub struct Manifest {
    files: HashMap<String, (u64, u64)>,
}

impl Manifest {
    /// The manifest of `output`, if it has a readable one.
    pub fn read(output: &Path) -> Option<Manifest> {
        let text = fs::read_to_string(output.join(MANIFEST)).ok()?;
        let mut files = HashMap::new();
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let mut parts = line.splitn(3, ' ');
            let (Some(hash), Some(len), Some(rel)) = (parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            let (Ok(hash), Ok(len)) = (u64::from_str_radix(hash, 16), len.parse()) else {
                return None;
            };
            files.insert(rel.to_string(), (len, hash));
        }
        Some(Manifest { files })
    }

    /// Every file with its hash (the low 64 bits of its XXH3-128).
    pub fn hashes(&self) -> impl Iterator<Item = (&str, u64)> {
        self.files
            .iter()
            .map(|(rel, &(_, hash))| (rel.as_str(), hash))
    }

    pub fn contains(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether the manifest lists `rel` with this length and hash.
    pub fn matches(&self, rel: &str, len: u64, hash: u64) -> bool {
        self.files.get(rel) == Some(&(len, hash))
    }

    /// The live file to link for `rel`, when it holds exactly `bytes`.
    pub fn reusable(&self, output: &Path, rel: &str, bytes: &[u8], hash: u64) -> Option<PathBuf> {
        let &(len, old_hash) = self.files.get(rel)?;
        if len != bytes.len() as u64 || hash != old_hash {
            return None;
        }
        let path = output.join(rel);
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() || meta.len() != len {
            return None;
        }
        (fs::read(&path).ok()? == bytes).then_some(path)
    }

    /// The manifest's text for `entries` (sorted here).
    pub fn text(mut entries: Vec<ManifestEntry>) -> String {
        use std::fmt::Write as _;
        entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let mut out = String::with_capacity(entries.len() * 64);
        for e in &entries {
            if !e.path.contains(['\n', '\r']) {
                let _ = writeln!(out, "{:016x} {} {}", e.hash, e.len, e.path);
            }
        }
        out
    }
}
