//! One build per output folder: an advisory lock on a file beside it.
//!
//! Two builds writing one output (an hourly cron and a manual deploy) would delete each
//! other's staging folders and leave the live site with pages missing. The second build
//! waits, naming the first one's process. The operating system drops the lock when its
//! holder exits, however it exits, so a killed build never leaves a stale lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::{OutputError, io_err, sibling};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    path: PathBuf,
}

impl OutputLock {
    /// Takes the lock of `output` (resolved), waiting for another build that holds it.
    /// `waiting` is called once, with the holder's process id, before waiting.
    pub fn acquire(output: &Path, waiting: impl FnOnce(&str)) -> Result<OutputLock, OutputError> {
        let path = sibling(output, "lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err(&path))?;
        if !try_lock(&file, false).map_err(io_err(&path))? {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            waiting(if holder.is_empty() { "unknown" } else { holder });
            try_lock(&file, true).map_err(io_err(&path))?;
        }
        file.set_len(0).map_err(io_err(&path))?;
        file.rewind().map_err(io_err(&path))?;
        write!(file, "{}", std::process::id()).map_err(io_err(&path))?;
        Ok(OutputLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `flock`: true when taken; with `wait`, blocks until it is.
#[cfg(unix)]
fn try_lock(file: &File, wait: bool) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let flags = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    loop {
        // SAFETY: the descriptor belongs to `file`, which outlives the call.
        let rc = unsafe { libc::flock(file.as_raw_fd(), flags) };
        if rc == 0 {
            return Ok(true);
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if !wait => return Ok(false),
            _ => return Err(err),
        }
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File, _: bool) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = OutputLock::acquire(&out, |_| panic!("nobody holds it")).unwrap();
        assert_eq!(
            fs::read_to_string(first.path()).unwrap(),
            std::process::id().to_string()
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let out2 = out.clone();
        let t = std::thread::spawn(move || {
            let _second = OutputLock::acquire(&out2, |holder| {
                tx.send(holder.to_string()).unwrap();
            })
            .unwrap();
        });
        let holder = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(holder, std::process::id().to_string());
        drop(first);
        t.join().unwrap();
    }
}
