//! The live output folder: what the last build left there, and publishing it again.

use super::*;

/// Publishes the last build's files again, from the cache (its sources did not change, but
/// the output folder is gone or was changed by hand).
pub(super) fn republish(staging: &Staging, cache: &Cache, state: &State) -> Result<()> {
    let linked: Vec<std::result::Result<(), Diagnostic>> = state
        .outputs
        .par_iter()
        .map(|(output, out)| {
            let fail = |e: String| Diagnostic::error(staging.output(), e);
            let path = staging.path_of(output).map_err(|e| fail(e.to_string()))?;
            staging
                .make_parent(&path)
                .map_err(|e| fail(e.to_string()))?;
            cache
                .link(out.hash, &path)
                .map_err(|e| fail(format!("{}: {e}", path.display())))?;
            staging.record_linked(output, out.len, out.hash as u64);
            Ok(())
        })
        .collect();
    collect(linked)
}

/// Whether the live output folder holds exactly what the last build wrote: every file is
/// the cache's sound object itself (a hard link), or has its bytes.
/// The modification time of every folder of the live site (the site's own first).
pub(super) fn folder_times(
    output: &Path,
    outputs: &BTreeMap<String, Output>,
) -> Vec<(String, i128)> {
    let mut folders: Vec<&str> = outputs
        .keys()
        .filter_map(|p| p.rfind('/').map(|i| &p[..i]))
        .collect();
    folders.dedup();
    let mut all: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for f in folders {
        let mut f = f;
        while all.insert(f) {
            match f.rfind('/') {
                Some(i) => f = &f[..i],
                None => break,
            }
        }
    }
    std::iter::once("")
        .chain(all)
        .collect::<Vec<_>>()
        .par_iter()
        .map(|f| {
            let t = crate::pipeline::stamp::Stamp::of(&output.join(f)).map_or(0, |s| s.mtime_ns);
            (f.to_string(), t)
        })
        .collect()
}

/// Whether every folder of the live site has the time recorded.
pub(super) fn same_folders(output: &Path, recorded: &[(String, i128)]) -> bool {
    !recorded.is_empty()
        && recorded.par_iter().all(|(f, t)| {
            crate::pipeline::stamp::Stamp::of(&output.join(f)).is_some_and(|s| s.mtime_ns == *t)
        })
}

pub(super) fn live_is(output: &Path, state: &State, cache: &Cache) -> bool {
    let Some(manifest) = crate::output::Manifest::read(output) else {
        return false;
    };
    manifest.len() == state.outputs.len()
        && state.outputs.par_iter().all(|(path, o)| {
            manifest.matches(path, o.len, o.hash as u64) && cache.holds(o, &output.join(path))
        })
}

/// Refuses a preview build into the public site's place: the folder config.toml publishes
/// to, a folder that holds a production build, or any folder inside one. The preview would
/// put drafts and embargoed stories where the public reads. (A production build may
/// replace a preview.)
pub(super) fn check_preview_place(output: &Path, public: &Path) -> Result<(), Error> {
    let refuse = |why: String| -> Result<(), Error> {
        Err(crate::output::OutputError::Refused {
            path: output.to_path_buf(),
            why,
        }
        .into())
    };
    let hint = "give the preview its own folder outside the public site (the default is preview/)";
    let normal = |p: &Path| crate::output::normalize(p);
    if normal(output) == normal(public) {
        return refuse(format!(
            "it is where config.toml publishes the public site, and a preview holds unpublished stories: {hint}"
        ));
    }
    for folder in output.ancestors() {
        let built = folder.join(crate::output::MARKER).is_file();
        let previewed = folder.join(crate::render::pages::PREVIEW_MARKER).is_file();
        if built && !previewed {
            return refuse(if folder == output {
                format!(
                    "it holds a production build, and a preview would replace the public site with unpublished stories: {hint}"
                )
            } else {
                format!(
                    "it is inside the public site {}, which would publish unpublished stories: {hint}",
                    folder.display()
                )
            });
        }
    }
    Ok(())
}
