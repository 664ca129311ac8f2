//! Where the site goes, and whether nuri may replace what is there.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::manifest::Manifest;
use super::{MARKER, OutputError, io_err};

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
pub(super) fn real(path: &Path) -> PathBuf {
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

fn refuse<T>(path: &Path, why: impl Into<String>) -> Result<T, OutputError> {
    Err(OutputError::Refused {
        path: path.to_path_buf(),
        why: why.into(),
    })
}

/// The folder a build replaces: `output` itself, or the folder it links to. A link is
/// followed, never replaced: the target folder is swapped and the link keeps pointing at it.
pub fn resolve(output: &Path) -> Result<PathBuf, OutputError> {
    let output = normalize(output);
    match fs::symlink_metadata(&output) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(&output) {
            Ok(target) => Ok(target),
            Err(_) => refuse(
                &output,
                format!(
                    "it is a symbolic link to {}, which does not exist; create that folder or remove the link",
                    fs::read_link(&output).unwrap_or_default().display()
                ),
            ),
        },
        _ => Ok(real(&output)),
    }
}

/// Checks where `out` is: not the file-system root, the site, a source or a home folder,
/// and not a file. Cheap; says nothing about the files inside.
pub fn check_place(out: &Path, guard: &Guard<'_>) -> Result<(), OutputError> {
    let root = real(&normalize(guard.root));
    if out.parent().is_none() {
        return refuse(out, "it is the file-system root");
    }
    if root.starts_with(out) {
        return refuse(
            out,
            if root == out {
                "it is the site folder itself"
            } else {
                "it contains the site folder"
            },
        );
    }
    for source in guard.sources {
        let source = real(&normalize(source));
        if out.starts_with(&source) || source.starts_with(out) {
            return refuse(
                out,
                format!("it overlaps the source folder {}", source.display()),
            );
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && real(&home) == out
    {
        return refuse(out, "it is your home folder");
    }
    match fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() => refuse(out, "it exists and is not a folder"),
        _ => Ok(()),
    }
}

/// Checks that every file in `out` is one nuri wrote there (a folder nuri did not make
/// must be empty). Walks the folder.
pub fn check_contents(out: &Path) -> Result<(), OutputError> {
    match fs::symlink_metadata(out) {
        Ok(meta) if !meta.is_dir() => refuse(out, "it exists and is not a folder"),
        Ok(_) => {
            if out.join(MARKER).is_file() {
                return only_nuris_files(out);
            }
            let empty = fs::read_dir(out).map_err(io_err(out))?.next().is_none();
            if empty {
                Ok(())
            } else {
                refuse(
                    out,
                    format!(
                        "it is not empty and nuri did not create it (no {MARKER} file); move its files away or choose another output folder"
                    ),
                )
            }
        }
        Err(_) => Ok(()),
    }
}

/// A live folder may only be replaced when every file in it is one nuri wrote: its manifest
/// lists them. A folder from a nuri without manifests (marker only) is nuri's whole.
fn only_nuris_files(out: &Path) -> Result<(), OutputError> {
    let Some(manifest) = Manifest::read(out) else {
        return Ok(());
    };
    let mut foreign: Vec<String> = files_in(out)
        .map_err(io_err(out))?
        .into_iter()
        .filter(|rel| !manifest.contains(rel) && !super::is_bookkeeping(rel))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
    let more = if foreign.len() > 5 {
        format!(" and {} more", foreign.len() - 5)
    } else {
        String::new()
    };
    refuse(
        out,
        format!(
            "it holds files nuri did not write ({}{more}), and a build replaces the whole folder; move them into static/ to publish them, or out of the folder",
            shown.join(", ")
        ),
    )
}

/// Every file under `dir` (not folders), as paths relative to it with `/`: the top-level
/// folders are walked in parallel, each one straight down.
fn files_in(dir: &Path) -> std::io::Result<Vec<String>> {
    use rayon::prelude::*;
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    let found: Vec<Vec<String>> = entries
        .into_par_iter()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !e.file_type()?.is_dir() {
                return Ok(vec![name]);
            }
            let top = e.path();
            let mut files = Vec::new();
            for entry in walkdir::WalkDir::new(&top).min_depth(1) {
                let entry = entry.map_err(std::io::Error::other)?;
                if !entry.file_type().is_dir() {
                    let rel = entry.path().strip_prefix(&top).unwrap_or(entry.path());
                    let rel = rel.to_string_lossy();
                    files.push(format!(
                        "{name}/{}",
                        rel.replace(std::path::MAIN_SEPARATOR, "/")
                    ));
                }
            }
            Ok(files)
        })
        .collect::<std::io::Result<_>>()?;
    Ok(found.into_iter().flatten().collect())
}
