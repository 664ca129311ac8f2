//! A site being written: the staging folder, and the commit that makes it live.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::fsutil::{create_new, exchange, remove_tree, sync_dir};
use super::lock::OutputLock;
use super::manifest::{Manifest, ManifestEntry};
use super::target::{self, Guard};
use super::{
    MARKER, MARKER_TEXT, OutputError, STAGING_MARKER, io_err, is_bookkeeping, remove_leftover,
    sibling,
};

/// A site being written. Dropping it without [`Staging::commit`] removes it.
#[derive(Debug)]
pub struct Staging {
    /// The folder being replaced (a link's target, when the output is a link).
    output: PathBuf,
    dir: PathBuf,
    committed: bool,
    /// What the live site holds: unchanged files are linked, not written.
    previous: Manifest,
    /// The manifest of the site being staged: one entry per written, linked or copied file.
    manifest: std::sync::Mutex<Vec<ManifestEntry>>,
    reused: std::sync::atomic::AtomicUsize,
    /// Folders made in the staging folder so far (making one is a system call or more).
    made: std::sync::RwLock<std::collections::HashSet<PathBuf>>,
    _lock: OutputLock,
}

/// What a commit did besides making the new site live.
#[derive(Debug, Default)]
pub struct Committed {
    /// The previous site could not be removed after the swap; the new one is live.
    pub leftover: Option<String>,
}

impl Staging {
    /// Checks `output` is safe to replace and creates an empty staging folder beside it.
    /// `waiting` is told the process id of another build holding the folder's lock.
    pub fn begin(
        output: &Path,
        guard: &Guard<'_>,
        waiting: impl FnOnce(&str),
    ) -> Result<Staging, OutputError> {
        Staging::begin_known(output, guard, waiting, |_| false)
    }

    /// [`Staging::begin`], where `as_left(folder)` may tell, under the lock, that the live
    /// folder is as the last build left it (every folder's time as recorded: no file was
    /// added, removed or renamed), so its files need not be walked.
    pub fn begin_known(
        output: &Path,
        guard: &Guard<'_>,
        waiting: impl FnOnce(&str),
        as_left: impl FnOnce(&Path) -> bool,
    ) -> Result<Staging, OutputError> {
        let output = target::resolve(output)?;
        // Refuse the root, the sources and a home folder before creating anything.
        target::check_place(&output, guard)?;
        let lock = OutputLock::acquire(&output, waiting)?;
        // Checked again, and the files inside, under the lock: the other build may have
        // changed the folder.
        target::check_place(&output, guard)?;
        if !as_left(&output) {
            target::check_contents(&output)?;
        }
        let dir = sibling(&output, "staging");
        remove_leftover(&dir)?;
        remove_leftover(&sibling(&output, "old"))?;
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::create_dir(&dir).map_err(io_err(&dir))?;
        fs::write(dir.join(STAGING_MARKER), MARKER_TEXT).map_err(io_err(&dir))?;
        let previous = Manifest::read(&output).unwrap_or_default();
        Ok(Staging {
            output,
            dir,
            committed: false,
            previous,
            manifest: Default::default(),
            reused: Default::default(),
            made: Default::default(),
            _lock: lock,
        })
    }

    /// Takes the output's lock and removes what earlier runs left beside it, without
    /// touching the live site (for a build that finds nothing to change). The lock is held
    /// until the returned guard is dropped.
    pub fn tidy(
        output: &Path,
        guard: &Guard<'_>,
        waiting: impl FnOnce(&str),
    ) -> Result<OutputLock, OutputError> {
        let output = target::resolve(output)?;
        // The live site is not touched: its place is checked, not its files.
        target::check_place(&output, guard)?;
        let lock = OutputLock::acquire(&output, waiting)?;
        remove_leftover(&sibling(&output, "staging"))?;
        remove_leftover(&sibling(&output, "old"))?;
        Ok(lock)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder that is replaced on commit.
    pub fn output(&self) -> &Path {
        &self.output
    }

    /// Makes the folder a staged file goes in (once).
    pub fn make_parent(&self, path: &Path) -> Result<(), OutputError> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        if self.made.read().is_ok_and(|m| m.contains(parent)) {
            return Ok(());
        }
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        if let Ok(mut m) = self.made.write() {
            m.insert(parent.to_path_buf());
        }
        Ok(())
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
        if is_bookkeeping(rel) {
            return Err(OutputError::Refused {
                path: PathBuf::from(rel),
                why: "nuri keeps this name for its own bookkeeping; choose another path".into(),
            });
        }
        Ok(self.dir.join(rel))
    }

    fn record(&self, rel: &str, len: u64, hash: u64) {
        if let Ok(mut m) = self.manifest.lock() {
            m.push(ManifestEntry {
                path: rel.to_string(),
                len,
                hash,
            });
        }
    }

    /// Writes a page, or hard-links the live site's identical file into the staging folder.
    /// Nothing ever writes into a live file, so sharing it with the next site is safe.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.path_of(rel)?;
        self.make_parent(&path)?;
        let hash = xxhash_rust::xxh3::xxh3_128(bytes) as u64;
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
        self.record(rel, bytes.len() as u64, hash);
        Ok(())
    }

    /// Records a file put into the staging folder by another hand (linked from the build
    /// cache), so the manifest lists it.
    pub fn record_linked(&self, rel: &str, len: u64, hash: u64) {
        self.record(rel, len, hash);
    }

    /// How many pages were linked from the live site instead of written.
    pub fn reused(&self) -> usize {
        self.reused.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Copies a static file into the site.
    pub fn copy(&self, rel: &str, source: &Path) -> Result<(), OutputError> {
        let path = self.path_of(rel)?;
        self.make_parent(&path)?;
        // Never truncate an existing file: it may be a link to a live one.
        if fs::symlink_metadata(&path).is_ok() {
            fs::remove_file(&path).map_err(io_err(&path))?;
        }
        let bytes = fs::read(source).map_err(io_err(source))?;
        let mut f = create_new(&path)?;
        f.write_all(&bytes).map_err(io_err(&path))?;
        self.record(
            rel,
            bytes.len() as u64,
            xxhash_rust::xxh3::xxh3_128(&bytes) as u64,
        );
        Ok(())
    }

    /// Makes the staged site live. Until the swap, the previous site is untouched; after
    /// it, the new site is live even if the previous one cannot be removed (that is told in
    /// [`Committed::leftover`], and the next build removes it).
    pub fn commit(self) -> Result<Committed, OutputError> {
        self.commit_while(|| ()).map(|(c, ())| c)
    }

    /// Commits, and once the new site is live runs `meanwhile` (saving the build cache)
    /// while the previous site is removed, still under the output's lock.
    pub fn commit_while<R: Send>(
        mut self,
        meanwhile: impl FnOnce() -> R + Send,
    ) -> Result<(Committed, R), OutputError> {
        let entries = std::mem::take(&mut *self.manifest.lock().unwrap_or_else(|e| e.into_inner()));
        fs::write(
            self.dir.join(crate::output::MANIFEST),
            Manifest::text(entries),
        )
        .map_err(io_err(&self.dir))?;
        // The live marker goes in before the staging marker goes out: at every moment the
        // folder carries one of them, so a kill here leaves a leftover the next build removes.
        fs::write(self.dir.join(MARKER), MARKER_TEXT).map_err(io_err(&self.dir))?;
        fs::remove_file(self.dir.join(STAGING_MARKER)).map_err(io_err(&self.dir))?;
        // Flush the new files before they replace the old ones, so a crash cannot leave a
        // live folder of empty files.
        sync_dir(&self.dir);
        let previous = if fs::symlink_metadata(&self.output).is_err() {
            fs::rename(&self.dir, &self.output).map_err(io_err(&self.output))?;
            None
        } else if exchange(&self.dir, &self.output).is_ok() {
            // `dir` now holds the previous site.
            Some(self.dir.clone())
        } else {
            let old = sibling(&self.output, "old");
            fs::rename(&self.output, &old).map_err(io_err(&self.output))?;
            if let Err(e) = fs::rename(&self.dir, &self.output) {
                let _ = fs::rename(&old, &self.output);
                return Err(io_err(&self.output)(e));
            }
            Some(old)
        };
        self.committed = true;
        let (removed, r) = rayon::join(
            || previous.as_deref().map(|p| (p, remove_tree(p))),
            meanwhile,
        );
        let mut committed = Committed::default();
        if let Some((p, Err(e))) = removed {
            committed.leftover = Some(format!(
                "the new site is live, but the previous one could not be removed from {}: {e}; the next build removes it",
                p.display()
            ));
        }
        Ok((committed, r))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
    }
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
                matches!(
                    Staging::begin(&bad, &g, |_| {}),
                    Err(OutputError::Refused { .. })
                ),
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
            |_| {},
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

        let s = Staging::begin(&out, &g, |_| {}).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");
        assert!(out.join(MARKER).is_file());

        let s = Staging::begin(&out, &g, |_| {}).unwrap();
        s.write("b/index.html", b"two").unwrap();
        let staging = s.dir().to_path_buf();
        drop(s);
        assert!(!staging.exists());
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");

        let s = Staging::begin(&out, &g, |_| {}).unwrap();
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
            |_| {},
        )
        .unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", "a\\b", ""] {
            assert!(s.write(bad, b"x").is_err(), "{bad}");
        }
    }

    fn site() -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        let sources = vec![root.join("content")];
        (tmp, root, sources)
    }

    fn build(out: &Path, root: &Path, sources: &[PathBuf], page: &str) -> Committed {
        let g = Guard { root, sources };
        let s = Staging::begin(out, &g, |_| {}).unwrap();
        s.write("index.html", page.as_bytes()).unwrap();
        s.commit().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn regression_a_linked_output_is_followed_and_the_link_kept() {
        let (tmp, root, sources) = site();
        let out = root.join("public");
        build(&out, &root, &sources, "one");
        let elsewhere = tmp.path().join("www");
        fs::rename(&out, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
        build(&out, &root, &sources, "two");
        assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert_eq!(
            fs::read_to_string(elsewhere.join("index.html")).unwrap(),
            "two"
        );
        assert!(!root.join(".public.nuri-staging").exists());
        assert!(!tmp.path().join(".www.nuri-staging").exists());
    }

    #[cfg(unix)]
    #[test]
    fn regression_a_linked_output_with_a_file_of_ones_own_is_refused_untouched() {
        let (tmp, root, sources) = site();
        let out = root.join("public");
        build(&out, &root, &sources, "one");
        let elsewhere = tmp.path().join("www");
        fs::rename(&out, &elsewhere).unwrap();
        fs::write(elsewhere.join("mine.txt"), "precious").unwrap();
        std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
        let g = Guard {
            root: &root,
            sources: &sources,
        };
        let err = Staging::begin(&out, &g, |_| {}).unwrap_err().to_string();
        assert!(err.contains("files nuri did not write (mine.txt)"), "{err}");
        assert_eq!(
            fs::read_to_string(elsewhere.join("mine.txt")).unwrap(),
            "precious"
        );
        assert_eq!(
            fs::read_to_string(elsewhere.join("index.html")).unwrap(),
            "one"
        );
        assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        // Nothing was left behind that would refuse the next build.
        fs::remove_file(elsewhere.join("mine.txt")).unwrap();
        build(&out, &root, &sources, "two");
        assert_eq!(
            fs::read_to_string(elsewhere.join("index.html")).unwrap(),
            "two"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_refused_with_its_target_named() {
        let (tmp, root, sources) = site();
        let out = root.join("public");
        std::os::unix::fs::symlink(tmp.path().join("gone"), &out).unwrap();
        let g = Guard {
            root: &root,
            sources: &sources,
        };
        let err = Staging::begin(&out, &g, |_| {}).unwrap_err().to_string();
        assert!(err.contains("which does not exist"), "{err}");
    }

    /// Every state a kill can leave beside the live site, built by hand: the next build
    /// must succeed and leave neither the leftover nor a broken site.
    #[test]
    fn regression_every_state_a_kill_leaves_is_recovered() {
        let states: [&[&str]; 6] = [
            // staging folder created, marker not yet written
            &[],
            // staging being written
            &[STAGING_MARKER, "a/index.html"],
            // commit: live marker written, staging marker not yet removed
            &[STAGING_MARKER, MARKER, "a/index.html"],
            // commit: staging marker removed (the window that used to block every build)
            &[MARKER, "a/index.html"],
            // after the swap: the previous site, being removed
            &[MARKER, "b/index.html"],
            // previous site removed but for its marker
            &[MARKER],
        ];
        for (n, files) in states.iter().enumerate() {
            let (_tmp, root, sources) = site();
            let out = root.join("public");
            build(&out, &root, &sources, "live");
            for name in ["staging", "old"] {
                let left = root.join(format!(".public.nuri-{name}"));
                fs::create_dir_all(&left).unwrap();
                for f in *files {
                    let p = left.join(f);
                    fs::create_dir_all(p.parent().unwrap()).unwrap();
                    fs::write(p, "x").unwrap();
                }
            }
            build(&out, &root, &sources, "next");
            assert_eq!(
                fs::read_to_string(out.join("index.html")).unwrap(),
                "next",
                "state {n}"
            );
            assert!(!root.join(".public.nuri-staging").exists(), "state {n}");
            assert!(!root.join(".public.nuri-old").exists(), "state {n}");
        }
    }
}
