//! Writing staged files and recording each one (and its cache object) for the next build.

use super::*;

/// Writes staged files and records them (and their objects) for the next build.
pub(super) struct Writer<'a> {
    pub(super) staging: &'a Staging,
    pub(super) cache: &'a Cache,
    pub(super) outputs: Mutex<BTreeMap<String, Output>>,
    /// Files written (made in this build), as opposed to linked from the cache.
    pub(super) written: std::sync::atomic::AtomicUsize,
    /// Where photos' files are kept: their objects are links to them, not third copies.
    pub(super) photo_dir: &'a Path,
}

impl Writer<'_> {
    pub(super) fn record(&self, output: &str, out: Output) {
        if let Ok(mut o) = self.outputs.lock() {
            o.insert(output.to_string(), out);
        }
    }

    pub(super) fn fail(&self, e: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::error(self.staging.output(), e.to_string())
    }

    pub(super) fn write(
        &self,
        output: &str,
        bytes: &[u8],
        fp: u64,
    ) -> std::result::Result<(), Diagnostic> {
        self.write_from(output, bytes, fp, None)
    }

    /// [`Writer::write`], with the file the bytes were read from when its object may be a
    /// link to it.
    fn write_from(
        &self,
        output: &str,
        bytes: &[u8],
        fp: u64,
        source: Option<&Path>,
    ) -> std::result::Result<(), Diagnostic> {
        self.staging
            .write(output, bytes)
            .map_err(|e| self.fail(e))?;
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let staged = self.staging.path_of(output).map_err(|e| self.fail(e))?;
        // A cache that cannot be written only makes the next build slower.
        let mtime = self
            .cache
            .store(source.unwrap_or(&staged), hash)
            .unwrap_or(0);
        self.record(
            output,
            Output {
                fp,
                hash,
                len: bytes.len() as u64,
                mtime_ns: mtime,
            },
        );
        Ok(())
    }

    pub(super) fn link(&self, p: &Planned) -> std::result::Result<(), Diagnostic> {
        let (out, mtime) = p.reuse.expect("reused");
        let path = self.staging.path_of(&p.output).map_err(|e| self.fail(e))?;
        self.staging.make_parent(&path).map_err(|e| self.fail(e))?;
        self.cache
            .link(out.hash, &path)
            .map_err(|e| self.fail(format!("{}: {e}", path.display())))?;
        self.staging
            .record_linked(&p.output, out.len, out.hash as u64);
        self.record(
            &p.output,
            Output {
                mtime_ns: mtime,
                ..out
            },
        );
        Ok(())
    }

    /// Writes `bytes` unless the cache has them under this fingerprint.
    pub(super) fn write_or_link(
        &self,
        state: &State,
        output: &str,
        bytes: &[u8],
        fp: u64,
    ) -> std::result::Result<(), Diagnostic> {
        match reusable(self.cache, state, output, fp) {
            Some(reuse) => self.link(&Planned {
                output: output.to_string(),
                fp: Some(fp),
                reuse: Some(reuse),
            }),
            None => self.write(output, bytes, fp),
        }
    }

    pub(super) fn copy(
        &self,
        output: &str,
        source: &Path,
        fp: u64,
    ) -> std::result::Result<(), Diagnostic> {
        let bytes = crate::sources::read_regular(source)
            .map_err(|e| Diagnostic::error(source, format!("cannot read: {e}")))?;
        // A photo file nuri made is never changed in place (a new one is renamed over it):
        // its object can be the same file.
        let from = source.starts_with(self.photo_dir).then_some(source);
        self.write_from(output, &bytes, fp, from)
    }
}
