//! The only module that writes the site: a staging folder beside the output, swapped in
//! whole when (and only when) the build succeeded.
//!
//! Users of other generators have lost whole projects to an output folder that was emptied
//! before writing, or to `--output .`. So:
//! - nuri never deletes a folder it did not make (a marker file says it did), nor a file it
//!   did not write (the live folder's manifest lists every file; anything else stops the
//!   build before a byte is touched);
//! - it refuses the site root, its source folders and any parent of the root;
//! - an output that is a symbolic link is followed: the folder it points to is replaced, and
//!   the link itself is left as it is (a web root switched by link keeps working);
//! - one build at a time writes to an output folder (a lock beside it; a second build waits);
//! - the live folder is replaced with one atomic exchange on Linux (two renames elsewhere).
//!
//! A failed or killed build leaves the previous site as it was; whatever state a kill leaves
//! behind (a half-written staging folder, a half-removed previous site) carries a marker and
//! is removed by the next run.

mod fsutil;
mod lock;
mod manifest;
mod staging;
mod target;

use std::io;
use std::path::{Path, PathBuf};

pub use lock::OutputLock;
pub use manifest::{MANIFEST, Manifest};
pub use staging::{Committed, Staging};
pub use target::{Guard, check_contents, normalize, resolve};

/// Marks a folder as nuri's output; its presence allows nuri to replace the folder.
pub const MARKER: &str = ".nuri-output";
const MARKER_TEXT: &str = "This folder is written by nuri (a static site generator).\nnuri replaces it on every build; do not keep other files here.\n";
/// Marks a folder nuri is still writing.
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

/// A name beside `output` that nuri keeps for itself: `.public.nuri-<what>`.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.nuri-{what}"))
}

/// nuri's own files inside an output folder.
fn is_bookkeeping(rel: &str) -> bool {
    [MARKER, MANIFEST, STAGING_MARKER].contains(&rel)
}

/// Removes a leftover of an earlier run (`.public.nuri-staging`, `.public.nuri-old`) only
/// if nuri made it: it carries one of nuri's markers, or a kill left it empty. A leftover
/// whose folders were made read-only is made writable first: nuri made it, and it is not
/// live.
fn remove_leftover(path: &Path) -> Result<(), OutputError> {
    let ours = |p: &Path| {
        p.join(MARKER).is_file()
            || p.join(STAGING_MARKER).is_file()
            || std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_none())
    };
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() && ours(path) => fsutil::remove_tree(path).or_else(|first| {
            fsutil::make_writable(path);
            fsutil::remove_tree(path).map_err(|_| OutputError::Io {
                path: path.to_path_buf(),
                source: io::Error::new(
                    first.kind(),
                    format!(
                        "{first}; this is the leftover of an earlier build, and it could not be removed: remove it by hand"
                    ),
                ),
            })
        }),
        Ok(_) => Err(OutputError::Refused {
            path: path.to_path_buf(),
            why: format!(
                "a leftover {} exists that nuri did not make; remove it by hand",
                path.display()
            ),
        }),
    }
}
