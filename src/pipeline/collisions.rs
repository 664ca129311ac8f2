//! Two things written to one file is an error naming both: two pages, a page and a static
//! file, or two paths that differ only in case (they overwrite each other on hosts that
//! ignore case). A site's own static file may replace a small generated one (robots.txt,
//! `_redirects`), which is then dropped from the plan.

use ahash::AHashMap as HashMap;
use std::path::PathBuf;

use super::snapshot::Snapshot;
use crate::error::{Diagnostic, Diagnostics};
use crate::render::pages::{Content, Job, PageKind};

/// The file (and place in it) that decides a job's path.
fn source_of(snap: &Snapshot, job: &Job) -> Diagnostic {
    match job.page() {
        Some(PageKind::Article(i)) => {
            let a = &snap.site.entries[i].article;
            Diagnostic::error(&a.file.display, "").at(a.url_at.0, a.url_at.1)
        }
        _ => Diagnostic::error(crate::config::CONFIG_FILE, ""),
    }
}

fn error(snap: &Snapshot, job: &Job, message: String, hint: &str) -> Diagnostic {
    let mut d = source_of(snap, job);
    d.message = message;
    d.with_hint(hint)
}

/// Checks the snapshot's jobs and static files against each other.
pub fn check(snap: &Snapshot) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let root = &snap.config.paths.root;
    let shown = |p: &PathBuf| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut files_folded: HashMap<String, (&str, &PathBuf)> = HashMap::new();
    for (rel, src) in &snap.statics {
        if let Some((other, _)) = files_folded.insert(rel.to_lowercase(), (rel, src)) {
            diags.push(
                Diagnostic::error(
                    shown(src),
                    format!("this file and {other} differ only in upper and lower case, and would overwrite each other on hosts that ignore case"),
                )
                .with_hint("rename one of them"),
            );
        }
    }
    let search = snap.config.search.enabled;
    let describe = |j: &Job| snap.plan.describe(&snap.site, j);
    let mut seen: HashMap<&str, &Job> = HashMap::with_capacity(snap.plan.jobs.len());
    let mut folded: HashMap<String, &Job> = HashMap::with_capacity(snap.plan.jobs.len());
    for job in &snap.plan.jobs {
        if matches!(job.content, Content::Bytes(_) | Content::Robots)
            && snap.statics.contains_key(&job.output)
        {
            continue;
        }
        if search && job.output.starts_with("search/") && job.output != "search/index.html" {
            diags.push(error(
                snap,
                job,
                format!(
                    "{} would be written inside the search index folder /search/",
                    describe(job)
                ),
                "rename the section or file, or set [search] enabled = false",
            ));
        }
        if let Some(other) = seen.insert(job.output.as_str(), job) {
            diags.push(error(
                snap,
                job,
                format!(
                    "{} and {} would both be written to {}",
                    describe(other),
                    describe(job),
                    job.path
                ),
                "change a slug, a section folder name or the permalink pattern",
            ));
        } else if let Some(other) = folded.insert(job.output.to_lowercase(), job) {
            diags.push(error(
                snap,
                job,
                format!(
                    "{} ({}) and {} ({}) differ only in upper and lower case, and would overwrite each other on hosts that ignore case (S3 behind some CDNs, macOS and Windows checkouts)",
                    describe(other),
                    other.path,
                    describe(job),
                    job.path
                ),
                "write URLs in lower case, or give one of them another slug or path",
            ));
        }
        let clash = snap.statics.get(&job.output).or_else(|| {
            files_folded
                .get(&job.output.to_lowercase())
                .map(|(_, p)| *p)
        });
        if let Some(src) = clash {
            diags.push(
                Diagnostic::error(
                    shown(src),
                    format!(
                        "this file would overwrite {} at {}",
                        describe(job),
                        job.path
                    ),
                )
                .with_hint("rename or remove the file"),
            );
        }
    }
    diags
}

/// The jobs to write: those a static file of the site does not replace.
pub fn replaced_by_statics(snap: &Snapshot, job: &Job) -> bool {
    matches!(job.content, Content::Bytes(_) | Content::Robots)
        && snap.statics.contains_key(&job.output)
}
