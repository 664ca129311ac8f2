//! Photo files kept between builds, in the build cache: a photo is decoded and encoded once,
//! and every later build (or `nuri serve`) links the files it made.
//!
//! A file's name is a hash of what decides its bytes (the source's bytes, the settings, the
//! crop, the size), so a renamed or moved photo keeps its files. Each photo has an index of
//! its files' lengths and checksums; a file that is missing, or does not match its index,
//! is made again. Files are written under a temporary name and renamed, so a build killed
//! half-way leaves nothing half-written.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::facts::PhotoError;
use super::plan::Picture;
use super::{encode, strip};
use crate::config::ImagesConfig;

/// Bumped when stripping would give other bytes for the same file.
const STRIP_VERSION: u32 = 1;

/// Numbers temporary files, so no two writes of one process share a name.
static TEMPORARY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A temporary name beside `file`, unique to this process and write.
fn temporary(file: &Path) -> PathBuf {
    let n = TEMPORARY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}-{n}", std::process::id()));
    file.with_file_name(name)
}

pub struct Store {
    dir: PathBuf,
    /// Files checked in this process, and their length and modification time then.
    checked: Mutex<HashMap<PathBuf, (u64, std::time::SystemTime)>>,
}

impl Store {
    pub fn new(dir: PathBuf) -> Store {
        Store {
            dir,
            checked: Default::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored file for the site path `path` of `picture`.
    fn file(&self, picture: &Picture, path: &str) -> PathBuf {
        let suffix = path.rsplit('/').next().unwrap_or(path);
        let suffix = suffix.split_once('.').map_or(suffix, |(_, s)| s);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.write_u64(picture.facts.hash);
        h.write(suffix.as_bytes());
        let ext = suffix.rsplit('.').next().unwrap_or("");
        self.dir.join(format!("{:016x}.{ext}", h.finish()))
    }

    /// The index of every stored file made from one source photo (any focus, any size).
    fn index(&self, picture: &Picture) -> PathBuf {
        self.dir.join(format!("{:016x}.idx", picture.facts.hash))
    }

    /// Every file of `picture` (site path → stored file), made from `source` where missing.
    pub fn ensure(
        &self,
        picture: &Picture,
        source: &Path,
        settings: &ImagesConfig,
    ) -> Result<Vec<(String, PathBuf)>, PhotoError> {
        let files: Vec<(String, PathBuf)> = picture
            .files()
            .map(|p| (p.to_string(), self.file(picture, p)))
            .collect();
        let index_path = self.index(picture);
        let index = read_index(&index_path);
        let missing: HashSet<&str> = files
            .iter()
            .filter(|(_, f)| !self.sound(f, &index))
            .map(|(p, _)| p.as_str())
            .collect();
        if !missing.is_empty() {
            let bytes = read_source(source, picture.facts.hash)?;
            let made = encode::make(&bytes, picture, settings, &|p| missing.contains(p))?;
            let mut index = index;
            for (path, data) in made {
                let file = self.file(picture, &path);
                self.write(&file, &data)?;
                index.insert(name_of(&file), (data.len() as u64, xxh(&data)));
            }
            write_index(&index_path, &index).map_err(|e| self.failed(&index_path, e))?;
        }
        Ok(files)
    }

    /// The original photo without its metadata (see [`strip`]), stored; `None` when it has
    /// none to remove.
    pub fn stripped(
        &self,
        facts: &super::Facts,
        source: &Path,
    ) -> Result<Option<PathBuf>, PhotoError> {
        if !facts.metadata {
            return Ok(None);
        }
        let ext = match facts.format {
            super::Format::Jpeg => "jpg",
            super::Format::Png => "png",
            super::Format::Webp => "webp",
            _ => return Ok(None),
        };
        let file = self.dir.join(format!(
            "{:016x}-{}-{STRIP_VERSION}.original.{ext}",
            facts.hash, facts.orientation
        ));
        let index_path = file.with_extension("idx");
        let index = read_index(&index_path);
        if self.sound(&file, &index) {
            return Ok(Some(file));
        }
        let bytes = read_source(source, facts.hash)?;
        let data =
            strip::strip(facts.format, &bytes, facts.orientation).map_err(PhotoError::Corrupt)?;
        self.write(&file, &data)?;
        let mut index = HashMap::new();
        index.insert(name_of(&file), (data.len() as u64, xxh(&data)));
        write_index(&index_path, &index).map_err(|e| self.failed(&index_path, e))?;
        Ok(Some(file))
    }

    /// Whether `file` is there and matches its index (checked once a process while its
    /// stamp stays the same).
    fn sound(&self, file: &Path, index: &HashMap<String, (u64, u64)>) -> bool {
        let Some(&(len, sum)) = index.get(&name_of(file)) else {
            return false;
        };
        let Ok(meta) = std::fs::metadata(file) else {
            return false;
        };
        if meta.len() != len {
            return false;
        }
        let stamp = (len, meta.modified().unwrap_or(std::time::UNIX_EPOCH));
        if let Ok(checked) = self.checked.lock()
            && checked.get(file) == Some(&stamp)
        {
            return true;
        }
        let ok = std::fs::read(file).is_ok_and(|b| xxh(&b) == sum);
        if ok && let Ok(mut checked) = self.checked.lock() {
            checked.insert(file.to_path_buf(), stamp);
        }
        ok
    }

    fn write(&self, file: &Path, data: &[u8]) -> Result<(), PhotoError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.failed(&self.dir, e))?;
        let tmp = temporary(file);
        std::fs::write(&tmp, data)
            .and_then(|()| std::fs::rename(&tmp, file))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                self.failed(file, e)
            })
    }

    fn failed(&self, file: &Path, e: std::io::Error) -> PhotoError {
        PhotoError::Read(format!("cannot write {} ({e})", file.display()))
    }

    /// Removes stored files that none of `keep` (stored files) names, with their indexes.
    pub fn collect_garbage(&self, keep: &HashSet<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let kept_stems: HashSet<String> = keep
            .iter()
            .filter_map(|p| p.file_name()?.to_str()?.split('.').next().map(String::from))
            .collect();
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.contains(".tmp-") {
                // Another process may be writing it.
                continue;
            }
            if name.ends_with(".idx") {
                // An index keeps the entries of the files that stay, and goes with the last.
                let index = read_index(&path);
                let kept: HashMap<String, (u64, u64)> = index
                    .iter()
                    .filter(|(n, _)| kept_stems.contains(n.split('.').next().unwrap_or("")))
                    .map(|(n, v)| (n.clone(), *v))
                    .collect();
                if kept.is_empty() {
                    let _ = std::fs::remove_file(&path);
                } else if kept.len() < index.len() {
                    let _ = write_index(&path, &kept);
                }
            } else if !keep.contains(&path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// The source photo's bytes, which must still be those its facts were read from.
fn read_source(source: &Path, hash: u64) -> Result<Vec<u8>, PhotoError> {
    let bytes = std::fs::read(source).map_err(|e| PhotoError::Read(e.to_string()))?;
    if xxh(&bytes) != hash {
        return Err(PhotoError::Read(
            "the file changed while the site was being built; build again".into(),
        ));
    }
    Ok(bytes)
}

fn xxh(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(b)
}

fn name_of(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `name length checksum` lines; an unreadable or damaged index is an empty one.
fn read_index(path: &Path) -> HashMap<String, (u64, u64)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for line in text.lines() {
        let mut parts = line.split(' ');
        let (Some(name), Some(len), Some(sum), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return HashMap::new();
        };
        let (Ok(len), Ok(sum)) = (len.parse(), u64::from_str_radix(sum, 16)) else {
            return HashMap::new();
        };
        out.insert(name.to_string(), (len, sum));
    }
    out
}

fn write_index(path: &Path, index: &HashMap<String, (u64, u64)>) -> std::io::Result<()> {
    let mut lines: Vec<String> = index
        .iter()
        .map(|(n, (len, sum))| format!("{n} {len} {sum:016x}"))
        .collect();
    lines.sort();
    let tmp = temporary(path);
    std::fs::write(&tmp, lines.join("\n"))?;
    std::fs::rename(&tmp, path)
}
