//! `--changes FILE` and the change list `nuri ping` reads.

use super::*;

/// The site a change list compares with.
pub(super) enum Baseline {
    /// The build published exactly what the last one did: nothing changed.
    Unchanged,
    /// Each output path of an earlier site with the low 64 bits of its bytes' hash.
    Site(std::collections::HashMap<String, u64>),
    /// Nothing to compare with (no cache, no live site, or an unpublished one): every page
    /// counts as added, and the list says so.
    Nothing,
}

impl Baseline {
    /// What `--changes` compares a build with: the last build the cache knows, else the
    /// live site. Nothing, when the last build showed unpublished stories and this one is
    /// public: its URLs are not news to announce, not even as removed.
    pub(super) fn choose(
        state: &State,
        output: &Path,
        options: &crate::model::BuildOptions,
    ) -> Baseline {
        if state.outputs.is_empty() {
            Baseline::live(output)
        } else if state.unpublished && !unpublished(options) {
            Baseline::Nothing
        } else {
            Baseline::Site(
                state
                    .outputs
                    .iter()
                    .map(|(p, o)| (p.clone(), o.hash as u64))
                    .collect(),
            )
        }
    }

    /// The live site's manifest (which names files by the same hash), if it has one and
    /// is a public site (a preview's pages are no baseline: their URLs must not be told).
    pub(super) fn live(output: &Path) -> Baseline {
        if output.join(crate::render::pages::PREVIEW_MARKER).exists() {
            return Baseline::Nothing;
        }
        match crate::output::Manifest::read(output) {
            Some(m) => Baseline::Site(
                m.hashes()
                    .filter(|(p, _)| !p.starts_with('.'))
                    .map(|(p, h)| (p.to_string(), h))
                    .collect(),
            ),
            None => Baseline::Nothing,
        }
    }
}

/// `--changes FILE`: the URLs whose bytes were added, changed or removed since the last
/// build, as JSON.
pub(super) fn write_changes(
    plan: &BuildPlan,
    cache: &Cache,
    baseline: &Baseline,
    after: &BTreeMap<String, Output>,
    config: &crate::config::Config,
) -> Result<()> {
    let urls = crate::model::Urls(config);
    let url = |output: &str| {
        let path = match output.strip_suffix("index.html") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => dir,
            _ => output,
        };
        urls.permalink(&format!("/{path}"))
    };
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    match baseline {
        Baseline::Unchanged => {}
        Baseline::Nothing => added.extend(after.keys().map(|p| url(p))),
        Baseline::Site(before) => {
            for (path, o) in after {
                match before.get(path) {
                    None => added.push(url(path)),
                    Some(&b) if b != o.hash as u64 => changed.push(url(path)),
                    _ => {}
                }
            }
            removed = before
                .keys()
                .filter(|p| !after.contains_key(*p))
                .map(|p| url(p))
                .collect();
            removed.sort_unstable();
        }
    }
    let json = serde_json::json!({
        "added": added,
        "changed": changed,
        "removed": removed,
        // false: no earlier build to compare with, so every page is listed as added.
        "baseline": !matches!(baseline, Baseline::Nothing),
        "base_url": config.base_url.full(),
        "preview": plan.request.options.preview,
        // true: drafts, scheduled or expired stories were published; never announced.
        "unpublished": unpublished(&plan.request.options),
        // Every page of the build, so a ping can tell a redesign from news.
        "pages": after.keys().filter(|p| p.ends_with(".html")).count(),
    });
    let text = serde_json::to_string_pretty(&json).expect("JSON") + "\n";
    // Kept in the cache too, for `nuri ping` (the last build's changes, even none).
    let _ = std::fs::write(cache.dir().join(CHANGES_FILE), &text);
    match &plan.changes {
        Some(file) => {
            std::fs::write(file, text).map_err(|e| Error::usage(file, format!("cannot write: {e}")))
        }
        None => Ok(()),
    }
}

/// The last build's changes, in the cache folder (the format of `--changes`).
pub const CHANGES_FILE: &str = "changes.json";

/// Whether a build with these options publishes what the public may not see yet.
pub(super) fn unpublished(o: &crate::model::BuildOptions) -> bool {
    o.drafts || o.future || o.expired || o.preview
}
