//! File-system steps the output stage is built from: creating without truncating, removing
//! a tree markers-last, and the atomic exchange of two folders.

use std::fs;
use std::io;
use std::path::Path;

use super::{MARKER, OutputError, STAGING_MARKER, io_err};

/// Creates a file that did not exist. A staged file may be a hard link to the live site's,
/// so one is replaced, never truncated.
pub fn create_new(path: &Path) -> Result<fs::File, OutputError> {
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
pub fn remove_tree(dir: &Path) -> io::Result<()> {
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

/// Gives the owner write access to every folder of a tree nuri made, so a site whose folders
/// were made read-only can still be removed once it is no longer live.
#[cfg(unix)]
pub fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_dir()
            && let Ok(meta) = entry.metadata()
        {
            let mut perms = meta.permissions();
            perms.set_mode(perms.mode() | 0o700);
            let _ = fs::set_permissions(entry.path(), perms);
        }
    }
}

#[cfg(not(unix))]
pub fn make_writable(_: &Path) {}

pub fn sync_dir(dir: &Path) {
    // A directory fsync is enough on the file systems that matter for a swap's durability;
    // syncing every file would cost more than the build.
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Atomically swaps two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
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
pub fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}
