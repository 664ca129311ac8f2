//! Rendering: a flat list of jobs (every article, list page, feed and sitemap), made in
//! parallel and handed to the output stage.

pub mod budget;
pub mod context;
pub mod filters;
pub mod plan;
pub mod templates;
pub mod views;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::Prepared;
use crate::error::{Diagnostic, Diagnostics};
use crate::feeds::{self, FeedSpec};
pub use plan::{Content, Job, PageKind};
pub use templates::Templates;
use views::Views;

/// What rendering derives from a prepared site once: views, pagination and feed lists.
/// Kept by `nuri serve` between rebuilds, so one changed card is rebuilt, not all.
pub struct RenderState {
    pub views: Views,
    pub lists: plan::Lists,
    pub feeds: Vec<FeedSpec>,
}

impl RenderState {
    /// Builds the views and hands the site-wide `site` view to the templates.
    pub fn new(p: &Prepared, templates: &mut Templates) -> RenderState {
        let views = Views::build(p);
        templates
            .tera
            .global_context()
            .insert_value("site", views.site.clone());
        RenderState {
            views,
            lists: plan::Lists::new(p),
            feeds: feeds::plan(p),
        }
    }
}

/// Renders the files of one prepared site with one set of templates.
pub struct Renderer<'a> {
    pub p: &'a Prepared,
    pub templates: &'a Templates,
    pub views: &'a Views,
    pub lists: &'a plan::Lists,
    pub feeds: &'a [FeedSpec],
    /// The search index is written by the caller, beside the pages, not planned as jobs.
    pub search_apart: bool,
}

impl<'a> Renderer<'a> {
    pub fn new(p: &'a Prepared, templates: &'a Templates, state: &'a RenderState) -> Renderer<'a> {
        Renderer {
            p,
            templates,
            views: &state.views,
            lists: &state.lists,
            feeds: &state.feeds,
            search_apart: false,
        }
    }

    /// Renders a page and reports which entries' cards it showed (for incremental rebuilds).
    pub fn render_with_deps(&self, job: &Job) -> (Result<Vec<u8>, Diagnostic>, Vec<usize>) {
        views::record_cards(|| self.render(job))
    }

    pub fn render(&self, job: &Job) -> Result<Vec<u8>, Diagnostic> {
        match &job.content {
            Content::Bytes(b) => Ok(b.clone()),
            Content::Feed(i, format) => Ok(feeds::render(self.p, &self.feeds[*i], *format)),
            Content::Template(template, kind) => {
                let ctx = self.context(job, *kind);
                let mut out = Vec::with_capacity(16 * 1024);
                let _clock = self.templates.budget.start();
                self.templates
                    .tera
                    .render_to(template, &ctx, &mut out)
                    .map_err(|e| {
                        let mut d = templates::template_error(
                            &e,
                            &self.templates.files,
                            &self.p.config.paths.root,
                        );
                        d.hint = Some(format!("while rendering {}", self.describe(job)));
                        d
                    })?;
                Ok(out)
            }
        }
    }

    /// Static files and bundle assets: output path → source file.
    pub fn files(&self) -> BTreeMap<String, PathBuf> {
        self.files_checked().0
    }

    /// [`Renderer::files`], with warnings for symlinks that lead out of the site (skipped).
    pub fn files_checked(&self) -> (BTreeMap<String, PathBuf>, Diagnostics) {
        let mut files = BTreeMap::new();
        let mut warnings = Diagnostics::default();
        let c = &self.p.config;
        let site = crate::sources::SiteRoot::new(&c.paths.root);
        for dir in [c.paths.theme.join("static"), c.paths.static_dir.clone()] {
            let walked = crate::sources::walk(&dir, &site);
            warnings.extend(walked.diagnostics.0);
            files.extend(walked.files);
        }
        for (i, asset) in &self.p.site.assets {
            let entry = &self.p.site.entries[*i];
            files.insert(
                crate::model::images::asset_output(entry, &asset.rel),
                asset.source.clone(),
            );
        }
        (files, warnings)
    }

    /// Two things written to one file is an error naming both. A site's own static file
    /// may replace a generated one (robots.txt, _redirects), which is then dropped.
    pub fn check_collisions(
        &self,
        jobs: &mut Vec<Job>,
        files: &BTreeMap<String, PathBuf>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::default();
        jobs.retain(|j| !(matches!(j.content, Content::Bytes(_)) && files.contains_key(&j.output)));
        let mut seen: HashMap<&str, &Job> = HashMap::with_capacity(jobs.len());
        let mut folded: HashMap<String, &Job> = HashMap::with_capacity(jobs.len());
        let search = self.p.config.search.enabled;
        let mut files_folded: HashMap<String, (&str, &PathBuf)> = HashMap::new();
        for (rel, src) in files {
            if let Some((other, _)) = files_folded.insert(rel.to_lowercase(), (rel, src)) {
                let shown = src.strip_prefix(&self.p.config.paths.root).unwrap_or(src);
                diags.push(
                    Diagnostic::error(
                        shown,
                        format!("this file and {other} differ only in upper and lower case, and would overwrite each other on hosts that ignore case"),
                    )
                    .with_hint("rename one of them"),
                );
            }
        }
        for job in jobs.iter() {
            if search
                && job.output.starts_with("search/")
                && job.output != "search/index.html"
                && !matches!(job.content, Content::Bytes(_))
            {
                let mut d = self.source_of(job);
                d.message = format!(
                    "{} would be written inside the search index folder /search/",
                    self.describe(job)
                );
                diags.push(
                    d.with_hint("rename the section or file, or set [search] enabled = false"),
                );
            }
            if let Some(other) = seen.insert(job.output.as_str(), job) {
                let mut d = self.source_of(job);
                d.message = format!(
                    "{} and {} would both be written to {}",
                    self.describe(other),
                    self.describe(job),
                    job.path
                );
                diags.push(
                    d.with_hint("change a slug, a section folder name or the permalink pattern"),
                );
            } else if let Some(other) = folded.insert(job.output.to_lowercase(), job) {
                let mut d = self.source_of(job);
                d.message = format!(
                    "{} ({}) and {} ({}) differ only in upper and lower case, and would overwrite each other on hosts that ignore case (S3 behind some CDNs, macOS and Windows checkouts)",
                    self.describe(other),
                    other.path,
                    self.describe(job),
                    job.path
                );
                diags.push(d.with_hint(
                    "write URLs in lower case, or give one of them another slug or path",
                ));
            }
            if let Some(src) = files.get(&job.output).or_else(|| {
                files_folded
                    .get(&job.output.to_lowercase())
                    .map(|(_, p)| *p)
            }) {
                let shown = src.strip_prefix(&self.p.config.paths.root).unwrap_or(src);
                diags.push(
                    Diagnostic::error(
                        shown,
                        format!(
                            "this file would overwrite {} at {}",
                            self.describe(job),
                            job.path
                        ),
                    )
                    .with_hint("rename or remove the file"),
                );
            }
        }
        diags
    }

    /// The file (and place in it) that decides a job's path, for collision errors.
    fn source_of(&self, job: &Job) -> Diagnostic {
        match job.page() {
            Some(PageKind::Article(i)) => {
                let a = &self.p.site.entries[i].article;
                Diagnostic::error(&a.file.display, "").at(a.url_at.0, a.url_at.1)
            }
            _ => Diagnostic::error(crate::config::CONFIG_FILE, ""),
        }
    }

    /// Renders every job in parallel, passing each result to `write`.
    pub fn render_all<W>(&self, jobs: &[Job], write: W) -> Diagnostics
    where
        W: Fn(&Job, &[u8]) -> Result<(), Diagnostic> + Sync,
    {
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .filter_map(|job| match &job.content {
                Content::Bytes(b) => write(job, b).err(),
                _ => self.render(job).and_then(|bytes| write(job, &bytes)).err(),
            })
            .collect();
        // One template mistake breaks every page that uses it: report it once, with a count.
        let mut grouped: BTreeMap<(PathBuf, usize, usize, String), (Diagnostic, usize)> =
            BTreeMap::new();
        for d in errors {
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
}
