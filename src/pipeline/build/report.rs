//! Warnings and errors as a build reports them.

use super::*;

/// Warnings of a snapshot (content, static files).
pub(super) fn warnings(snap: &Snapshot) -> Diagnostics {
    Diagnostics(snap.problems.warnings().cloned().collect())
}

/// The content's warnings, and the hosts whose limits the published site is past.
pub(super) fn report_warnings(
    snap: &Snapshot,
    output: &Path,
    outputs: &BTreeMap<String, Output>,
) -> Diagnostics {
    let mut out = warnings(snap);
    out.extend(host_warnings(output, outputs));
    out
}

/// The hosts whose limits the published site is past.
pub(super) fn host_warnings(output: &Path, outputs: &BTreeMap<String, Output>) -> Vec<Diagnostic> {
    let published = crate::pipeline::hosts::Published {
        files: outputs.len() as u64,
        bytes: outputs.values().map(|o| o.len).sum(),
        largest: outputs.values().map(|o| o.len).max().unwrap_or(0),
    };
    crate::pipeline::hosts::warnings(published)
        .into_iter()
        .map(|line| Diagnostic::warning(output, line))
        .collect()
}

pub(super) fn collect(results: Vec<std::result::Result<(), Diagnostic>>) -> Result<()> {
    let errors: Vec<Diagnostic> = results.into_iter().filter_map(|r| r.err()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Render(Diagnostics(errors)))
    }
}

/// One template mistake breaks every page that uses it: report it once, with a count.
pub(super) fn group(errors: Diagnostics) -> Diagnostics {
    let mut grouped: BTreeMap<(PathBuf, usize, usize, String), (Diagnostic, usize)> =
        BTreeMap::new();
    for d in errors.0 {
        grouped
            .entry((d.file.clone(), d.line, d.column, d.message.clone()))
            .and_modify(|(_, n)| *n += 1)
            .or_insert((d, 1));
    }
    let mut diags = Diagnostics::default();
    for (_, (mut d, n)) in grouped {
        if n > 1 {
            d.hint = Some(format!(
                "{} (and {} more pages)",
                d.hint.unwrap_or_default(),
                n - 1
            ));
        }
        diags.push(d);
    }
    diags
}
