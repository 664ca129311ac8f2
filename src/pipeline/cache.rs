//! The build cache: what one build leaves for the next, so that a rebuild (in CI, where the
//! previous output is gone) does only the work of what changed.
//!
//! `.nuri-cache/` (or `--cache-dir`) holds:
//! - `state`: per content file its stamp, hash and parse; per output file the fingerprint
//!   of its inputs and the hash of its bytes; the search index's blocks. One file, written
//!   whole to a temporary name and renamed, with a header (magic, format, nuri's version,
//!   the config's hash) and a checksum of the body.
//! - `objects/`: every output file, named by the hash of its bytes. A build hard-links the
//!   objects of unchanged pages into its staging folder instead of rendering them.
//!
//! Nothing in it is trusted blindly. A missing, truncated, corrupted or foreign state (another
//! nuri version, another config) is ignored with a one-line notice, and the build runs cold.
//! An object is used only if its file still has the length and time it was written with, or
//! else if its bytes still hash to its name. So a cache can make a build faster, never
//! different: the output is the same bytes a cold build writes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::library::Known;
use crate::formats::search::Block;

const MAGIC: &[u8; 8] = b"NURICCH\0";
/// Bump when the state's layout changes.
const FORMAT: u32 = 7;

/// The default cache folder, inside the site.
pub const DEFAULT_DIR: &str = ".nuri-cache";

/// One output file of the last build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// The fingerprint of what made it.
    pub fp: u64,
    /// The hash of its bytes: the object's name.
    pub hash: u128,
    pub len: u64,
    /// The object file's modification time when it was last known sound.
    pub mtime_ns: i128,
}

/// One block of the search index as the last build wrote it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchBlock {
    /// Per document: its source path and the hash of the text it was indexed from.
    pub members: Vec<(String, u64)>,
    /// Its CJK shard count (for `meta.json`).
    pub shards: usize,
    /// The block's postings (an object).
    pub postings: u128,
}

/// What a build keeps.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// A hash of everything the last build was made from (see `build::inputs`).
    pub input: u64,
    pub records: Known,
    pub outputs: BTreeMap<String, Output>,
    pub search: Vec<SearchBlock>,
    /// Related lists by article, with what decided them.
    pub related: HashMap<String, RelatedRecord>,
    /// What the last build reported: its articles, and its content's warnings (the same
    /// inputs give the same ones).
    pub articles: usize,
    pub warnings: Vec<crate::error::Diagnostic>,
    /// Every folder of the live site with its modification time, as the build left it.
    pub folders: Vec<(String, i128)>,
    /// The build published what the public may not see yet (drafts, scheduled or expired
    /// stories, a preview): its pages are no baseline for the change list of a public one.
    pub unpublished: bool,
}

/// An article's related list and what it was computed from: its tags and its date (its
/// place among the others).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedRecord {
    pub tags: Vec<String>,
    pub date: i64,
    pub list: Vec<String>,
}

/// The cache folder of one site.
pub struct Cache {
    dir: PathBuf,
    key: u64,
    /// Objects already checked in this build: their modification time and identity when
    /// sound.
    checked: std::sync::Mutex<HashMap<u128, Option<Identity>>>,
    /// Set once the objects' folders exist.
    dirs: std::sync::OnceLock<()>,
}

/// Why a cache was not used.
pub type Notice = Option<String>;

impl Cache {
    /// The cache at `dir` for a site whose config hashes to `config_hash`.
    pub fn new(dir: PathBuf, config_hash: u64) -> Cache {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write(env!("CARGO_PKG_VERSION").as_bytes());
        h.write_u64(config_hash);
        Cache {
            dir,
            key: h.finish(),
            checked: Default::default(),
            dirs: Default::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("state")
    }

    pub fn object_path(&self, hash: u128) -> PathBuf {
        let name = format!("{hash:032x}");
        self.dir.join("objects").join(&name[..2]).join(&name[2..])
    }

    /// Reads the state, or says why it cannot be used.
    pub fn load(&self) -> (State, Notice) {
        let path = self.state_path();
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (State::default(), None),
            Err(e) => {
                return (
                    State::default(),
                    Some(format!("cannot read the build cache ({e})")),
                );
            }
        };
        match self.decode(&bytes) {
            Ok(state) => (state, None),
            Err(why) => (State::default(), Some(why)),
        }
    }

    fn decode(&self, bytes: &[u8]) -> Result<State, String> {
        let header = 8 + 4 + 8 + 8 + 8;
        if bytes.len() < header || &bytes[..8] != MAGIC {
            return Err("the build cache is not one nuri wrote".into());
        }
        let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err("the build cache is from another version of nuri".into());
        }
        if word(12) != self.key {
            return Err("the build cache is for another version of nuri or another config".into());
        }
        let (len, sum) = (word(20) as usize, word(28));
        let body = &bytes[header..];
        if body.len() != len {
            return Err("the build cache is truncated".into());
        }
        if xxhash_rust::xxh3::xxh3_64(body) != sum {
            return Err("the build cache is damaged".into());
        }
        postcard::from_bytes(body).map_err(|_| "the build cache is damaged".to_string())
    }

    /// Writes the state (whole, under a temporary name, then renamed over the old one). It
    /// is streamed to the file, hashed on the way, and its length and checksum written into
    /// the header last, so a large site's state is never held twice in memory.
    pub fn save(&self, state: &State) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!("state.tmp-{}", std::process::id()));
        {
            let mut f = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(&tmp)?);
            f.write_all(MAGIC)?;
            f.write_all(&FORMAT.to_le_bytes())?;
            f.write_all(&self.key.to_le_bytes())?;
            f.write_all(&[0; 16])?;
            let body = postcard::to_io(
                state,
                Hashing {
                    inner: f,
                    hash: xxhash_rust::xxh3::Xxh3::new(),
                    len: 0,
                },
            )
            .map_err(std::io::Error::other)?;
            let (mut f, len, sum) = (body.inner, body.len, body.hash.digest());
            f.seek(SeekFrom::Start(20))?;
            f.write_all(&len.to_le_bytes())?;
            f.write_all(&sum.to_le_bytes())?;
            f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        fs::rename(&tmp, self.state_path())
    }

    /// Whether the object of `out` is there with exactly the bytes it is named after: its
    /// length and time are as recorded, or else its bytes hash to its name. Returns its
    /// modification time (to record), or `None` when it cannot be used.
    pub fn sound(&self, out: &Output) -> Option<i128> {
        self.identity(out).map(|id| id.mtime_ns)
    }

    /// [`Cache::sound`], with the object's file identity.
    fn identity(&self, out: &Output) -> Option<Identity> {
        if let Some(known) = self
            .checked
            .lock()
            .ok()
            .and_then(|c| c.get(&out.hash).copied())
        {
            return known;
        }
        let path = self.object_path(out.hash);
        let found = match fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() && m.len() == out.len => {
                let id = Identity::of(&m);
                // Not as it was written (copied, restored, touched): trust its bytes only.
                let same = id.mtime_ns == out.mtime_ns
                    || fs::read(&path).is_ok_and(|b| xxhash_rust::xxh3::xxh3_128(&b) == out.hash);
                same.then_some(id)
            }
            _ => None,
        };
        if let Ok(mut c) = self.checked.lock() {
            c.insert(out.hash, found);
        }
        found
    }

    /// Whether `file` holds the bytes of `out`: it is its (sound) object, linked, or its
    /// bytes hash the same.
    pub fn holds(&self, out: &Output, file: &Path) -> bool {
        let Ok(m) = fs::symlink_metadata(file) else {
            return false;
        };
        if !m.is_file() || m.len() != out.len {
            return false;
        }
        if let Some(id) = self.identity(out)
            && id.same_file(&m)
        {
            return true;
        }
        fs::read(file).is_ok_and(|b| xxhash_rust::xxh3::xxh3_128(&b) == out.hash)
    }

    /// Adds `file` (a page just written into the staging folder) to the objects, by a hard
    /// link (a copy where links cannot be made). Returns the object's modification time.
    pub fn store(&self, file: &Path, hash: u128) -> std::io::Result<i128> {
        let path = self.object_path(hash);
        // An object this build found sound stays; any other file under its name (changed
        // by hand through a linked page, left half-written) is replaced.
        if let Some(Some(id)) = self.checked.lock().ok().and_then(|c| c.get(&hash).copied()) {
            return Ok(id.mtime_ns);
        }
        self.make_dirs()?;
        // Most objects are new: one link. A name taken already is replaced through a
        // temporary name, so no reader ever sees half a file.
        if fs::hard_link(file, &path).is_err() {
            let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
            let _ = fs::remove_file(&tmp);
            if fs::hard_link(file, &tmp).is_err() {
                fs::copy(file, &tmp)?;
            }
            fs::rename(&tmp, &path)?;
        }
        let id = Identity::of(&fs::symlink_metadata(&path)?);
        if let Ok(mut c) = self.checked.lock() {
            c.insert(hash, Some(id));
        }
        Ok(id.mtime_ns)
    }

    /// Makes the 256 folders of the objects (once).
    fn make_dirs(&self) -> std::io::Result<()> {
        if self.dirs.get().is_some() {
            return Ok(());
        }
        for n in 0..256 {
            fs::create_dir_all(self.dir.join("objects").join(format!("{n:02x}")))?;
        }
        let _ = self.dirs.set(());
        Ok(())
    }

    /// Stores bytes as an object (the search index's postings).
    pub fn store_bytes(&self, bytes: &[u8]) -> std::io::Result<u128> {
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let path = self.object_path(hash);
        if fs::symlink_metadata(&path).is_err() {
            self.make_dirs()?;
            let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
            fs::write(&tmp, bytes)?;
            fs::rename(&tmp, &path)?;
        }
        Ok(hash)
    }

    /// Links object `hash` to `to` (a copy where links cannot be made).
    pub fn link(&self, hash: u128, to: &Path) -> std::io::Result<()> {
        let from = self.object_path(hash);
        if fs::hard_link(&from, to).is_err() {
            fs::copy(&from, to)?;
        }
        Ok(())
    }

    /// A search block's postings, if its object is sound.
    pub fn block(&self, hash: u128) -> Option<Block> {
        let bytes = fs::read(self.object_path(hash)).ok()?;
        if xxhash_rust::xxh3::xxh3_128(&bytes) != hash {
            return None;
        }
        postcard::from_bytes(&bytes).ok()
    }

    /// Removes objects no output of `state` names (and stray temporary files).
    pub fn collect_garbage(&self, state: &State) {
        let mut keep: std::collections::HashSet<String> = state
            .outputs
            .values()
            .map(|o| format!("{:032x}", o.hash))
            .collect();
        keep.extend(state.search.iter().map(|b| format!("{:032x}", b.postings)));
        let Ok(dirs) = fs::read_dir(self.dir.join("objects")) else {
            return;
        };
        for dir in dirs.flatten() {
            let prefix = dir.file_name().to_string_lossy().into_owned();
            let Ok(files) = fs::read_dir(dir.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if !keep.contains(&format!("{prefix}{name}")) {
                    let _ = fs::remove_file(f.path());
                }
            }
        }
    }
}

/// An object's modification time and which file it is (a page linked from it is the same
/// file).
#[derive(Debug, Clone, Copy)]
struct Identity {
    mtime_ns: i128,
    #[cfg(unix)]
    dev_ino: (u64, u64),
}

impl Identity {
    fn of(m: &fs::Metadata) -> Identity {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Identity {
            mtime_ns: super::stamp::Stamp::from_meta(m).mtime_ns,
            #[cfg(unix)]
            dev_ino: (m.dev(), m.ino()),
        }
    }

    fn same_file(&self, m: &fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            self.dev_ino == (m.dev(), m.ino())
        }
        #[cfg(not(unix))]
        {
            let _ = m;
            false
        }
    }
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hash: xxhash_rust::xxh3::Xxh3,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
