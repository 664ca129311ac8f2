//! The only module that writes the site: a staging folder beside the output, swapped in
//! whole when (and only when) the build succeeded.
//!
//! Users of other generators have lost whole projects to an output folder that was emptied
//! before writing, or to `--output .`. So: nuri never deletes a folder it did not make (a
//! marker file says it did), refuses the site root, its source folders and any parent of
//! the root, and replaces the live folder with one atomic exchange on Linux (two renames
//! elsewhere). A failed or killed build leaves the previous site as it was; its staging
//! folder is removed by the next run.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Marks a folder as nuri's output; its presence allows nuri to replace the folder.
pub const MARKER: &str = ".nuri-output";
const MARKER_TEXT: &str = "This folder is written by nuri (a static site generator).\nnuri replaces it on every build; do not keep other files here.\n";
const STAGING_MARKER: &str = ".nuri-staging";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write the site to {path}: {why}")]
    Refused { path: PathBuf, why: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes `path` absolute and removes `.` and `..` without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Resolves symlinks where the path exists, so `public -> ..` is seen for what it is.
fn real(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => real(parent).join(name),
        _ => normalize(path),
    })
}

/// Folders the output may never be, contain, or sit inside.
pub struct Guard<'a> {
    pub root: &'a Path,
    /// Source folders (content, static, templates, themes): the output may not be inside them.
    pub sources: &'a [PathBuf],
}

fn check_target(output: &Path, guard: &Guard<'_>) -> Result<(), OutputError> {
    let out = real(&normalize(output));
    let root = real(&normalize(guard.root));
    let refuse = |why: String| {
        Err(OutputError::Refused {
            path: output.to_path_buf(),
            why,
        })
    };
    if out.parent().is_none() {
        return refuse("it is the file-system root".into());
    }
    if root.starts_with(&out) {
        return refuse(if root == out {
            "it is the site folder itself".into()
        } else {
            "it contains the site folder".into()
        });
    }
    for source in guard.sources {
        let source = real(&normalize(source));
        if out.starts_with(&source) || source.starts_with(&out) {
            return refuse(format!(
                "it overlaps the source folder {}",
                source.display()
            ));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && real(&home) == out
    {
        return refuse("it is your home folder".into());
    }
    match fs::symlink_metadata(&out) {
        Ok(meta) if !meta.is_dir() => refuse("it exists and is not a folder".into()),
        Ok(_) => {
            let has_marker = out.join(MARKER).is_file();
            let empty = fs::read_dir(&out).map_err(io_err(&out))?.next().is_none();
            if has_marker || empty {
                Ok(())
            } else {
                refuse(format!(
                    "it is not empty and nuri did not create it (no {MARKER} file); move its files away or choose another output folder"
                ))
            }
        }
        Err(_) => Ok(()),
    }
}

fn staging_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.nuri-staging"))
}

fn old_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.nuri-old"))
}

/// Removes a leftover folder only if nuri's marker says it made it.
fn remove_leftover(path: &Path, marker: &str) -> Result<(), OutputError> {
    match fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        // A folder being deleted after a swap holds the live marker, and is empty once its
        // markers are gone (they are removed last).
        Ok(meta)
            if meta.is_dir()
                && (path.join(marker).is_file()
                    || path.join(MARKER).is_file()
                    || path.join(STAGING_MARKER).is_file()
                    || fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())) =>
        {
            remove_tree(path).map_err(io_err(path))
        }
        Ok(_) => Err(OutputError::Refused {
            path: path.to_path_buf(),
            why: format!(
                "a leftover {} exists that nuri did not make; remove it by hand",
                path.display()
            ),
        }),
    }
}

/// A site being written. Dropping it without [`Staging::commit`] removes it.
#[derive(Debug)]
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    committed: bool,
    /// What the live site holds, from its manifest: unchanged files are linked, not written.
    previous: Previous,
    /// The manifest of the site being staged: one entry per written or linked file.
    manifest: std::sync::Mutex<Vec<ManifestEntry>>,
    reused: std::sync::atomic::AtomicUsize,
}

/// Lists every page the build wrote with its length and content hash, so that the next build
/// can hard-link unchanged files from the live site instead of writing them again.
pub const MANIFEST: &str = ".nuri-manifest";

#[derive(Debug)]
struct ManifestEntry {
    path: String,
    len: u64,
    hash: u64,
}

/// The live site's manifest: which of its files nuri wrote, with their lengths and hashes.
/// It only says where to look; a file is reused after its bytes compare equal, so a file
/// edited by hand, restored from a backup or damaged by a crash is written anew.
#[derive(Debug, Default)]
struct Previous {
    files: std::collections::HashMap<String, (u64, u64)>,
}

impl Previous {
    fn read(output: &Path) -> Previous {
        let Ok(text) = fs::read_to_string(output.join(MANIFEST)) else {
            return Previous::default();
        };
        let mut files = std::collections::HashMap::new();
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let mut parts = line.splitn(3, ' ');
            let (Some(hash), Some(len), Some(rel)) = (parts.next(), parts.next(), parts.next())
            else {
                return Previous::default();
            };
            let (Ok(hash), Ok(len)) = (u64::from_str_radix(hash, 16), len.parse()) else {
                return Previous::default();
            };
            files.insert(rel.to_string(), (len, hash));
        }
        Previous { files }
    }

    /// The live file to link for `rel`, when it holds exactly `bytes`.
    fn reusable(&self, output: &Path, rel: &str, bytes: &[u8], hash: u64) -> Option<PathBuf> {
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
}

impl Staging {
    /// Checks `output` is safe to replace and creates an empty staging folder beside it.
    pub fn begin(output: &Path, guard: &Guard<'_>) -> Result<Staging, OutputError> {
        let output = normalize(output);
        check_target(&output, guard)?;
        let dir = staging_path(&output);
        remove_leftover(&dir, STAGING_MARKER)?;
        remove_leftover(&old_path(&output), MARKER)?;
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::create_dir(&dir).map_err(io_err(&dir))?;
        fs::write(dir.join(STAGING_MARKER), MARKER_TEXT).map_err(io_err(&dir))?;
        let previous = Previous::read(&output);
        Ok(Staging {
            output,
            dir,
            committed: false,
            previous,
            manifest: Default::default(),
            reused: Default::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    /// The staging path of a `/`-separated output path; refuses anything that could escape.
    pub fn path_of(&self, rel: &str) -> Result<PathBuf, OutputError> {
        let bad = rel.is_empty()
            || rel.starts_with('/')
            || rel.contains('\\')
            || rel.contains('\0')
            || rel
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..");
        if bad {
            return Err(OutputError::Refused {
                path: PathBuf::from(rel),
                why: "the output path is not a plain relative path".into(),
            });
        }
        if [MARKER, MANIFEST, STAGING_MARKER].contains(&rel) {
            return Err(OutputError::Refused {
                path: PathBuf::from(rel),
                why: "nuri keeps this name for its own bookkeeping; choose another path".into(),
            });
        }
        Ok(self.dir.join(rel))
    }

    /// Writes a page, or hard-links the live site's identical file into the staging folder.
    /// Nothing ever writes into a live file, so sharing it with the next site is safe.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(bytes);
        let linked = self
            .previous
            .reusable(&self.output, rel, bytes, hash)
            .is_some_and(|live| fs::hard_link(live, &path).is_ok());
        if linked {
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            let mut f = create_new(&path)?;
            f.write_all(bytes).map_err(io_err(&path))?;
        }
        if let Ok(mut m) = self.manifest.lock() {
            m.push(ManifestEntry {
                path: rel.to_string(),
                len: bytes.len() as u64,
                hash,
            });
        }
        Ok(())
    }

    /// How many pages were linked from the live site instead of written.
    pub fn reused(&self) -> usize {
        self.reused.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn copy(&self, rel: &str, source: &Path) -> Result<(), OutputError> {
        let path = self.path_of(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        // Never truncate an existing file: it may be a link to a live one.
        if fs::symlink_metadata(&path).is_ok() {
            fs::remove_file(&path).map_err(io_err(&path))?;
        }
        fs::copy(source, &path).map_err(io_err(source))?;
        Ok(())
    }

    /// Makes the staged site live. Until this returns, the previous site is untouched.
    pub fn commit(mut self) -> Result<(), OutputError> {
        fs::remove_file(self.dir.join(STAGING_MARKER)).map_err(io_err(&self.dir))?;
        let mut entries =
            std::mem::take(&mut *self.manifest.lock().unwrap_or_else(|e| e.into_inner()));
        entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let mut manifest = String::with_capacity(entries.len() * 64);
        for e in &entries {
            if !e.path.contains(['\n', '\r']) {
                use std::fmt::Write as _;
                let _ = writeln!(manifest, "{:016x} {} {}", e.hash, e.len, e.path);
            }
        }
        fs::write(self.dir.join(MANIFEST), manifest).map_err(io_err(&self.dir))?;
        fs::write(self.dir.join(MARKER), MARKER_TEXT).map_err(io_err(&self.dir))?;
        // Flush the new files before they replace the old ones, so a crash cannot leave a
        // live folder of empty files.
        sync_tree(&self.dir);
        if fs::symlink_metadata(&self.output).is_err() {
            fs::rename(&self.dir, &self.output).map_err(io_err(&self.output))?;
        } else if exchange(&self.dir, &self.output).is_ok() {
            // `dir` now holds the previous site.
            remove_tree(&self.dir).map_err(io_err(&self.dir))?;
        } else {
            let old = old_path(&self.output);
            fs::rename(&self.output, &old).map_err(io_err(&self.output))?;
            if let Err(e) = fs::rename(&self.dir, &self.output) {
                let _ = fs::rename(&old, &self.output);
                return Err(io_err(&self.output)(e));
            }
            remove_tree(&old).map_err(io_err(&old))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Creates a file that did not exist. A staged file may be a hard link to the live site's,
/// so one is replaced, never truncated.
fn create_new(path: &Path) -> Result<fs::File, OutputError> {
    let open = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    match open() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path).map_err(io_err(path))?;
            open().map_err(io_err(path))
        }
        other => other.map_err(io_err(path)),
    }
}

/// Removes an output or staging folder: its top two levels in parallel (the previous site's
/// tens of thousands of files took a third of a rebuild on disk to delete one by one), each
/// subfolder below with the standard library's symlink-safe `remove_dir_all`, and nuri's
/// markers last, so a folder interrupted half-way still says who made it.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let remove_entry = |e: &fs::DirEntry| -> io::Result<()> {
        if e.file_type()?.is_dir() {
            fs::remove_dir_all(e.path())
        } else {
            fs::remove_file(e.path())
        }
    };
    let entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    let (markers, rest): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|e| e.file_name() == MARKER || e.file_name() == STAGING_MARKER);
    rest.par_iter().try_for_each(|e| {
        if e.file_type()?.is_dir() {
            let children = fs::read_dir(e.path())?.collect::<io::Result<Vec<_>>>()?;
            children.par_iter().try_for_each(remove_entry)?;
            fs::remove_dir(e.path())
        } else {
            fs::remove_file(e.path())
        }
    })?;
    for m in &markers {
        fs::remove_file(m.path())?;
    }
    fs::remove_dir(dir)
}

fn sync_tree(dir: &Path) {
    // A directory fsync is enough on the file systems that matter for a swap's durability;
    // syncing every file would cost more than the build.
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Atomically swaps two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(root: &Path) -> (PathBuf, Vec<PathBuf>) {
        (
            root.to_path_buf(),
            vec![root.join("content"), root.join("static")],
        )
    }

    #[test]
    fn refuses_root_parents_and_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let (r, sources) = guard(&root);
        let g = Guard {
            root: &r,
            sources: &sources,
        };
        for bad in [
            root.clone(),
            tmp.path().to_path_buf(),
            root.join("content"),
            root.join("content/x"),
            PathBuf::from("/"),
        ] {
            assert!(
                matches!(Staging::begin(&bad, &g), Err(OutputError::Refused { .. })),
                "{}",
                bad.display()
            );
        }
    }

    #[test]
    fn refuses_a_non_empty_folder_without_marker() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).unwrap();
        let out = tmp.path().join("mine");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("thesis.tex"), "precious").unwrap();
        let (r, sources) = guard(&root);
        let err = Staging::begin(
            &out,
            &Guard {
                root: &r,
                sources: &sources,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("nuri did not create it"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("thesis.tex")).unwrap(),
            "precious"
        );
    }

    #[test]
    fn commit_replaces_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).unwrap();
        let out = root.join("public");
        let (r, sources) = guard(&root);
        let g = Guard {
            root: &r,
            sources: &sources,
        };

        let s = Staging::begin(&out, &g).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");
        assert!(out.join(MARKER).is_file());

        let s = Staging::begin(&out, &g).unwrap();
        s.write("b/index.html", b"two").unwrap();
        let staging = s.dir().to_path_buf();
        drop(s);
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");

        let s = Staging::begin(&out, &g).unwrap();
        s.write("b/index.html", b"two").unwrap();
        s.commit().unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(fs::read_to_string(out.join("b/index.html")).unwrap(), "two");
    }

    #[test]
    fn escaping_paths_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).unwrap();
        let (r, sources) = guard(&root);
        let s = Staging::begin(
            &root.join("public"),
            &Guard {
                root: &r,
                sources: &sources,
            },
        )
        .unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", "a\\b", ""] {
            assert!(s.write(bad, b"x").is_err(), "{bad}");
        }
    }
}
