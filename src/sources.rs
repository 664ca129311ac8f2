//! Reading the site's source folders (content, static files, templates) under one rule:
//! nothing outside the site is ever read, published or served.
//!
//! A symbolic link is followed only when it leads to somewhere inside the site folder; one
//! that leads out is skipped (with a warning), and a folder behind it is never entered. A
//! folder that cannot be read is an error, not a warning: a build that silently lost a
//! folder would unpublish its articles. Only regular files count: a FIFO or a device would
//! hang or mislead a build.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics};

/// Editors write these while saving; they are never content.
pub fn is_editor_noise(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".crdownload")
}

/// The site folder with links resolved, to compare real paths against.
#[derive(Debug, Clone)]
pub struct SiteRoot {
    /// As configured (for showing paths).
    pub root: PathBuf,
    /// Canonical.
    pub real: PathBuf,
}

impl SiteRoot {
    pub fn new(root: &Path) -> SiteRoot {
        SiteRoot {
            root: root.to_path_buf(),
            real: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    /// True when `path`, with every link resolved, is inside the site.
    pub fn contains(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).is_ok_and(|p| p.starts_with(&self.real))
    }

    /// True for a regular file inside the site (links resolved): what may be read or served.
    pub fn readable_file(&self, path: &Path) -> bool {
        std::fs::canonicalize(path)
            .is_ok_and(|p| p.starts_with(&self.real) && p.metadata().is_ok_and(|m| m.is_file()))
    }

    /// The path as a person knows it: relative to the site folder.
    pub fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// The files under one source folder.
#[derive(Debug, Default)]
pub struct Walked {
    /// `/`-separated path inside the folder (NFC), and the file's path. Sorted.
    pub files: Vec<(String, PathBuf)>,
    pub diagnostics: Diagnostics,
}

/// Lists the regular files under `dir`, following links only inside `site`, skipping
/// editors' files. A missing `dir` has no files.
pub fn walk(dir: &Path, site: &SiteRoot) -> Walked {
    let mut out = Walked::default();
    if !dir.is_dir() {
        return out;
    }
    let mut skipped: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() > 0 && is_editor_noise(&e.file_name().to_string_lossy()) {
                return false;
            }
            if e.path_is_symlink() && !site.contains(e.path()) {
                skipped.push(e.path().to_path_buf());
                return false;
            }
            true
        });
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for entry in walker {
        match entry {
            Ok(e) => found.push(e),
            Err(e) => errors.push(e),
        }
    }
    for path in skipped {
        out.diagnostics.push(
            Diagnostic::warning(
                site.shown(&path),
                "skipped a symbolic link that points outside the site",
            )
            .with_hint("copy the file into the site instead of linking to it"),
        );
    }
    for e in errors {
        let path = e
            .path()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.to_path_buf());
        let why = if e.loop_ancestor().is_some() {
            "a symbolic link here leads back into a folder that contains it".to_string()
        } else {
            e.io_error()
                .map(|io| io.to_string())
                .unwrap_or_else(|| e.to_string())
        };
        out.diagnostics.push(
            Diagnostic::error(site.shown(&path), format!("cannot read: {why}"))
                .with_hint("fix the folder's permissions (or remove it), so that no article silently drops out of the site"),
        );
    }
    for entry in found {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            out.diagnostics.push(
                Diagnostic::error(site.shown(entry.path()), "the file name is not valid UTF-8")
                    .with_hint("rename the file"),
            );
            continue;
        };
        let rel = crate::text::slug::nfc(&rel.replace(std::path::MAIN_SEPARATOR, "/"));
        out.files.push((rel, entry.into_path()));
    }
    out.files.sort();
    out
}

/// Reads a source file that must be a regular file (a FIFO named `config.toml` would hang
/// the build).
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    std::fs::read(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn links_inside_are_followed_and_links_out_are_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let outside = tmp.path().join("outside");
        fs::create_dir_all(root.join("content/news")).unwrap();
        fs::create_dir_all(root.join("shared")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(root.join("content/news/a.md"), "a").unwrap();
        fs::write(root.join("shared/b.md"), "b").unwrap();
        fs::write(outside.join("secret.md"), "s").unwrap();
        std::os::unix::fs::symlink(root.join("shared"), root.join("content/inside")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("content/out")).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.md"), root.join("content/news/s.md"))
            .unwrap();
        let site = SiteRoot::new(&root);
        let w = walk(&root.join("content"), &site);
        let rels: Vec<&str> = w.files.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(rels, ["inside/b.md", "news/a.md"]);
        assert_eq!(w.diagnostics.warnings().count(), 2);
        assert!(!w.diagnostics.has_errors());
    }

    #[test]
    fn fifos_are_not_files() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("config.toml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let err = read_regular(&fifo).unwrap_err();
        assert!(err.to_string().contains("not a regular file"));
    }
}
