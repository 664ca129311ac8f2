//! Lead photos' sizes, remembered by file stamp: a photo's header is read again only when
//! its file changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::stamp::Stamp;
use crate::config::Config;
use crate::error::Diagnostic;
use crate::model::Entry;
use crate::model::images::{FileFacts, ImageInfo, file_facts, probe_with};

#[derive(Debug, Default)]
pub struct Probes {
    memo: Mutex<HashMap<PathBuf, (Stamp, FileFacts)>>,
}

impl Probes {
    pub fn probe(&self, config: &Config, entry: &Entry) -> Result<Option<ImageInfo>, Diagnostic> {
        probe_with(config, entry, &|file: &Path| {
            let stamp = Stamp::of(file).unwrap_or_default();
            if let Ok(memo) = self.memo.lock()
                && let Some((s, f)) = memo.get(file)
                && *s == stamp
            {
                return *f;
            }
            let f = file_facts(file);
            if let Ok(mut memo) = self.memo.lock() {
                memo.insert(file.to_path_buf(), (stamp, f));
            }
            f
        })
    }
}
