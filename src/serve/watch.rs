//! Watching the site's sources: which file events matter, and gathering a burst of them
//! into one change set.
//!
//! [`classify`] is pure: it decides from a path alone. The output folder and nuri's staging
//! folders never count (so a build elsewhere cannot trigger a loop), nor do editors' swap,
//! backup and probe files (`.swp`, `~`, `4913`); an editor that writes a temporary file and
//! renames it over the article produces an event for the article itself.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::content::is_editor_noise;
use crate::text::slug::nfc;

pub use crate::pipeline::Change;

/// The folders whose changes matter, relative to the site root.
pub const WATCHED: [&str; 4] = ["content", "templates", "themes", "static"];

/// Classifies an event path; `None` for everything that must not trigger a rebuild.
pub fn classify(root: &Path, output: &Path, path: &Path) -> Option<Change> {
    if path.starts_with(output) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_string_lossy().into_owned(),
            _ => String::new(),
        })
        .collect();
    let first = parts.first()?;
    if first.contains(".nuri-") || parts.iter().any(|p| p.is_empty() || is_editor_noise(p)) {
        return None;
    }
    match first.as_str() {
        "config.toml" if parts.len() == 1 => Some(Change::Config),
        // The folder itself (deleted, renamed) is an empty path: everything is re-read.
        "content" => Some(Change::Content(nfc(&parts[1..].join("/")))),
        // The site's strings are read with the templates.
        "templates" | "i18n" => Some(Change::Templates),
        "static" => Some(Change::Static),
        "themes" => match parts.get(2).map(String::as_str) {
            Some("static") => Some(Change::Static),
            _ => Some(Change::Templates),
        },
        _ => None,
    }
}

/// A file watcher feeding raw paths into a channel.
pub struct SourceWatcher {
    _watcher: notify::RecommendedWatcher,
    events: Receiver<PathBuf>,
    root: PathBuf,
    output: PathBuf,
}

impl SourceWatcher {
    pub fn new(root: &Path, output: &Path) -> notify::Result<SourceWatcher> {
        // Events name paths the way the watch was set up: make both absolute and real.
        let root = &std::fs::canonicalize(root).unwrap_or_else(|_| crate::output::normalize(root));
        let output = &crate::output::normalize(output);
        let output = &match (
            output.parent().and_then(|p| std::fs::canonicalize(p).ok()),
            output.file_name(),
        ) {
            (Some(parent), Some(name)) => parent.join(name),
            _ => output.clone(),
        };
        let (tx, events): (Sender<PathBuf>, Receiver<PathBuf>) = channel();
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                if let Ok(event) = res {
                    if matches!(event.kind, notify::EventKind::Access(_)) {
                        return;
                    }
                    for path in event.paths {
                        let _ = tx.send(path);
                    }
                }
            })?;
        // The root itself (not recursively): config.toml, and source folders appearing.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let dir = root.join(dir);
            if dir.is_dir() {
                watcher.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
        Ok(SourceWatcher {
            _watcher: watcher,
            events,
            root: root.to_path_buf(),
            output: output.to_path_buf(),
        })
    }

    /// Waits for the next burst of relevant changes: the first event, then until the files
    /// have been quiet for `quiet` (at most `max` in all).
    pub fn next_changes(&mut self, quiet: Duration, max: Duration) -> Option<BTreeSet<Change>> {
        loop {
            let first = self.events.recv().ok()?;
            let mut changes = BTreeSet::new();
            let mut new_dirs = Vec::new();
            self.take(first, &mut changes, &mut new_dirs);
            let started = Instant::now();
            loop {
                let left = max.saturating_sub(started.elapsed());
                match self.events.recv_timeout(quiet.min(left)) {
                    Ok(path) => self.take(path, &mut changes, &mut new_dirs),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
                if started.elapsed() >= max {
                    break;
                }
            }
            for dir in new_dirs {
                let _ = self._watcher.watch(&dir, RecursiveMode::Recursive);
            }
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }

    fn take(&self, path: PathBuf, changes: &mut BTreeSet<Change>, new_dirs: &mut Vec<PathBuf>) {
        if path.parent() == Some(self.root.as_path())
            && path.is_dir()
            && path
                .file_name()
                .is_some_and(|n| WATCHED.iter().any(|w| n == *w))
        {
            new_dirs.push(path.clone());
            // A whole folder appeared: treat it as a change of its kind.
            if let Some(c) = classify(&self.root, &self.output, &path.join("x")) {
                changes.insert(match c {
                    Change::Content(_) => Change::Content(String::new()),
                    other => other,
                });
            }
        }
        if let Some(c) = classify(&self.root, &self.output, &path) {
            changes.insert(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: &str) -> Option<Change> {
        classify(Path::new("/site"), Path::new("/site/public"), Path::new(p))
    }

    #[test]
    fn sources_count_and_output_never_does() {
        assert_eq!(c("/site/config.toml"), Some(Change::Config));
        assert_eq!(
            c("/site/content/news/a.md"),
            Some(Change::Content("news/a.md".into()))
        );
        assert_eq!(c("/site/templates/article.html"), Some(Change::Templates));
        assert_eq!(c("/site/i18n/en.toml"), Some(Change::Templates));
        assert_eq!(
            c("/site/themes/nuri/templates/base.html"),
            Some(Change::Templates)
        );
        assert_eq!(
            c("/site/themes/nuri/static/css/nuri.css"),
            Some(Change::Static)
        );
        assert_eq!(c("/site/static/images/a.png"), Some(Change::Static));
        assert_eq!(c("/site/public/index.html"), None);
        assert_eq!(c("/site/.public.nuri-staging/index.html"), None);
        assert_eq!(c("/site/target/debug/x"), None);
        assert_eq!(c("/elsewhere/content/a.md"), None);
    }

    #[test]
    fn editor_noise_is_ignored() {
        for p in [
            "/site/content/news/.a.md.swp",
            "/site/content/news/a.md~",
            "/site/content/news/4913",
            "/site/content/.git/x",
            "/site/content/news/#a.md#",
        ] {
            assert_eq!(c(p), None, "{p}");
        }
    }
}
