//! `nuri build`: a snapshot of the site, written to the output folder through a staging
//! folder, doing only the work of what changed since the last build (see [`super::cache`]).
//!
//! Every file of the site gets a fingerprint before anything is rendered. A file whose
//! fingerprint is the one the last build recorded, and whose bytes are still in the cache,
//! is linked from the cache; the rest are rendered. Article bodies are rendered once, for
//! their page and for the search index together, and dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::cache::{self, Cache, Output, SearchBlock, State};
use super::engine::{BuildRequest, Engine, cache_key, load_config};
use super::library::BodyFacts;
use super::snapshot::Snapshot;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::formats::search::{self, Block, Scratch};
use crate::markdown::Rendered;
use crate::output::{Guard, Staging};
use crate::render::pages::{Job, PageKind};

mod articles;
mod changes;
mod live;
mod phases;
mod related;
mod report;
mod work;
mod writer;

use articles::*;
pub use changes::CHANGES_FILE;
use changes::{Baseline, write_changes};
use live::*;
pub use phases::Phases;
use related::*;
use report::*;
pub(crate) use work::static_fp;
use work::*;
use writer::*;

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub articles: usize,
    /// Files of the site (pages, feeds, search index, static files).
    pub files: usize,
    /// Of those, how many were rendered (the rest came from the build cache).
    pub rendered: usize,
    /// Bytes of the site.
    pub bytes: u64,
    /// Nothing changed: the output folder was left as it was.
    pub unchanged: bool,
    pub warnings: Diagnostics,
    /// Why the build cache was not used, if it was not.
    pub notice: Option<String>,
    pub elapsed: Duration,
}

/// How a build uses its cache and reports its changes.
#[derive(Debug, Clone, Default)]
pub struct BuildPlan {
    pub request: BuildRequest,
    /// The cache folder (default: `.nuri-cache` in the site).
    pub cache_dir: Option<PathBuf>,
    /// Where to write the URLs added, changed and removed (`--changes FILE`).
    pub changes: Option<PathBuf>,
}

/// Builds the site into its output folder; the previous site stays until this succeeds.
///
/// The stages: open the sources and the cache; if the sources are the last build's, publish
/// its files again (or nothing); else build a snapshot, plan every output, and if any differs
/// from the cache, render what changed into a staging folder and swap it in.
pub fn build(plan: &BuildPlan) -> Result<Report> {
    let mut run = Run::open(plan)?;
    if let Some(report) = run.same_sources()? {
        return Ok(report);
    }
    let snap = run.snapshot()?;
    let work = Work::plan(&snap, &run.cache, &run.state);
    run.phases.mark("fingerprint");
    if let Some(report) = run.same_outputs(&snap, &work)? {
        return Ok(report);
    }
    let baseline = Baseline::choose(&run.state, &run.output_dir, &plan.request.options);
    let folders = &run.state.folders;
    let staging = Staging::begin_known(
        &run.config.paths.output,
        &run.guard(),
        waiting(&run.config.paths.output),
        |live| same_folders(live, folders),
    )?;
    let made = run.render(&snap, &work, &staging)?;
    run.commit(&snap, &work, staging, made, &baseline)
}

/// What to say when another build holds `output`'s lock.
fn waiting(output: &Path) -> impl FnOnce(&str) + '_ {
    move |holder| {
        eprintln!(
            "waiting for another nuri build (process {holder}) that is writing to {}",
            output.display()
        )
    }
}

/// One build's sources, cache and output folder, through its stages.
struct Run<'p> {
    plan: &'p BuildPlan,
    started: Instant,
    phases: Phases,
    config: crate::config::Config,
    cache: Cache,
    state: State,
    /// Why the cache was not used, if it was not.
    notice: Option<String>,
    engine: Engine,
    /// The hash of every input, when the engine could tell it without a model.
    input: Option<u64>,
    output_dir: PathBuf,
    /// Folders the output may not overlap.
    sources: [PathBuf; 5],
}

/// What [`Run::render`] made.
struct Made {
    outputs: BTreeMap<String, Output>,
    /// Files written (as opposed to linked from the cache).
    rendered: usize,
}

impl<'p> Run<'p> {
    fn open(plan: &'p BuildPlan) -> Result<Run<'p>> {
        let started = Instant::now();
        let mut phases = Phases::new();
        let request = &plan.request;
        let config = load_config(request)?;
        let cache_dir = plan
            .cache_dir
            .clone()
            .unwrap_or_else(|| config.paths.root.join(cache::DEFAULT_DIR));
        // Photos' files live in the cache too, unless the request says where.
        let mut request = request.clone();
        request
            .photos
            .get_or_insert_with(|| cache_dir.join("photos"));
        let cache = Cache::new(cache_dir, cache_key(&config));
        let (state, notice) = cache.load();
        phases.mark("cache");
        let engine = Engine::open(&request, &state.records)?;
        phases.mark("read");
        let input = engine.inputs();
        let paths = &config.paths;
        let output_dir = crate::output::resolve(&paths.output)?;
        let sources = [
            paths.content.clone(),
            paths.static_dir.clone(),
            paths.templates.clone(),
            paths.root.join("themes"),
            cache.dir().to_path_buf(),
        ];
        if request.options.preview {
            // Where the public site goes, by config (a preview given another --output must
            // not be that folder, nor inside a public site).
            let public = match &request.output {
                Some(_) => crate::config::Config::load(&request.root)?.paths.output,
                None => paths.output.clone(),
            };
            check_preview_place(&output_dir, &public)?;
        }
        Ok(Run {
            plan,
            started,
            phases,
            config,
            cache,
            state,
            notice,
            engine,
            input,
            output_dir,
            sources,
        })
    }

    fn guard(&self) -> Guard<'_> {
        Guard {
            root: &self.config.paths.root,
            sources: &self.sources,
        }
    }

    fn report(
        &self,
        articles: usize,
        outputs: &BTreeMap<String, Output>,
        rendered: usize,
        unchanged: bool,
        warnings: Diagnostics,
    ) -> Report {
        Report {
            output: self.output_dir.clone(),
            articles,
            files: outputs.len(),
            rendered,
            bytes: outputs.values().map(|o| o.len).sum(),
            unchanged,
            warnings,
            notice: self.notice.clone(),
            elapsed: self.started.elapsed(),
        }
    }

    /// The same sources as the last build, whose files the cache still has: its site again,
    /// without building a model. `None` when the sources changed.
    fn same_sources(&mut self) -> Result<Option<Report>> {
        let sound = self.input == Some(self.state.input)
            && !self.state.outputs.is_empty()
            && self
                .state
                .outputs
                .par_iter()
                .all(|(_, o)| self.cache.sound(o).is_some());
        if !sound {
            return Ok(None);
        }
        self.phases.mark("sound");
        let output = &self.config.paths.output;
        let lock = Staging::tidy(output, &self.guard(), waiting(output))?;
        // Files someone put in the live folder are refused here too, as by any build. A
        // file added anywhere changes its folder's time: with every folder's time as the
        // last build left it, there is none, and the folder need not be walked.
        if !same_folders(&self.output_dir, &self.state.folders) {
            crate::output::check_contents(&self.output_dir)?;
        }
        let unchanged = live_is(&self.output_dir, &self.state, &self.cache);
        self.phases.mark("live");
        drop(lock);
        let mut warns = Diagnostics(self.state.warnings.clone());
        warns.extend(host_warnings(&self.output_dir, &self.state.outputs));
        if !unchanged {
            let staging = Staging::begin(output, &self.guard(), waiting(output))?;
            republish(&staging, &self.cache, &self.state)?;
            let (state, cache, output_dir) = (&mut self.state, &self.cache, &self.output_dir);
            let (committed, _) = staging.commit_while(|| {
                state.folders = folder_times(output_dir, &state.outputs);
                cache.save(state)
            })?;
            if let Some(why) = committed.leftover {
                warns.push(Diagnostic::warning(&self.output_dir, why));
            }
        }
        write_changes(
            self.plan,
            &self.cache,
            &Baseline::Unchanged,
            &self.state.outputs,
            &self.config,
        )?;
        Ok(Some(self.report(
            self.state.articles,
            &self.state.outputs,
            0,
            unchanged,
            warns,
        )))
    }

    /// The site model of this build's sources, with its related lists and card views.
    fn snapshot(&mut self) -> Result<Snapshot> {
        let snap = self.engine.snapshot().map_err(Error::Template)?;
        if snap.problems.has_errors() {
            return Err(Error::Content(snap.problems.clone()));
        }
        self.phases.mark("model");
        seed_related(&snap, &self.state);
        snap.site.related.fill();
        self.phases.mark("related");
        snap.fill_cards();
        self.phases.mark("views");
        Ok(snap)
    }

    /// Every output is the last build's and the live folder holds them: nothing to do.
    fn same_outputs(&mut self, snap: &Snapshot, work: &Work<'_>) -> Result<Option<Report>> {
        if !work.unchanged(snap, &self.cache, &self.state) {
            return Ok(None);
        }
        let _lock = Staging::tidy(
            &self.config.paths.output,
            &self.guard(),
            waiting(&self.config.paths.output),
        )?;
        if !live_is(&self.output_dir, &self.state, &self.cache) {
            return Ok(None);
        }
        write_changes(
            self.plan,
            &self.cache,
            &Baseline::Unchanged,
            &self.state.outputs,
            &snap.config,
        )?;
        let warnings = report_warnings(snap, &self.output_dir, &self.state.outputs);
        Ok(Some(self.report(
            snap.site.entries.len(),
            &self.state.outputs,
            0,
            true,
            warnings,
        )))
    }

    /// Links what the cache has and renders the rest into `staging`: articles with the
    /// search index, then list pages, feeds and sitemaps, search result files and static
    /// files. Checks anchors once every body's are known.
    fn render(&mut self, snap: &Snapshot, work: &Work<'_>, staging: &Staging) -> Result<Made> {
        let writer = Writer {
            staging,
            cache: &self.cache,
            outputs: Mutex::new(BTreeMap::new()),
            written: Default::default(),
            photo_dir: &snap.photo_dir,
        };
        self.phases.mark("staging");
        collect(
            work.pages
                .par_iter()
                .filter(|p| p.reuse.is_some())
                .map(|p| writer.link(p))
                .collect(),
        )?;
        let facts = Mutex::new(Vec::new());
        self.phases.mark("link");
        let errors = render_articles_and_search(snap, work, &writer, &self.state, &facts);
        if errors.has_errors() {
            return Err(Error::Render(group(errors)));
        }
        self.phases.mark("articles");
        let others: Vec<Diagnostic> = work
            .jobs
            .par_iter()
            .zip(&work.pages)
            .filter(|(j, p)| p.reuse.is_none() && !matches!(j.page(), Some(PageKind::Article(_))))
            .filter_map(|(job, p)| {
                render_job(snap, job, p, None)
                    .and_then(|(bytes, fp)| writer.write(&job.output, &bytes, fp))
                    .err()
            })
            .collect();
        if !others.is_empty() {
            return Err(Error::Render(group(Diagnostics(others))));
        }
        self.phases.mark("lists");
        let mut search_files: Vec<std::result::Result<(), Diagnostic>> = work
            .batches
            .par_iter()
            .map(|(output, bytes, fp)| writer.write_or_link(&self.state, output, bytes, *fp))
            .collect();
        if let Some((bytes, fp)) = work.meta(snap) {
            search_files.push(writer.write_or_link(&self.state, "search/meta.json", &bytes, fp));
        }
        collect(search_files)?;
        collect(
            work.statics
                .par_iter()
                .map(|(source, p)| match p.reuse {
                    Some(_) => writer.link(p),
                    None => writer.copy(&p.output, source, p.fp.unwrap_or_default()),
                })
                .collect(),
        )?;
        self.phases.mark("render");

        // Anchors: this build's renders, else what the last build's renders found.
        for (rel, f) in facts.into_inner().unwrap_or_else(|e| e.into_inner()) {
            self.engine.content.set_facts(&rel, f);
        }
        let engine = &self.engine;
        let anchor_problems =
            snap.check_anchors(&|rel| engine.content.get(rel).and_then(|f| f.record.facts.clone()));
        if anchor_problems.has_errors() {
            return Err(Error::Content(anchor_problems));
        }
        Ok(Made {
            rendered: writer.written.into_inner(),
            outputs: writer
                .outputs
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
        })
    }

    /// Swaps the staged site in while the cache's new state is saved, then writes the
    /// change list and reports.
    fn commit(
        mut self,
        snap: &Snapshot,
        work: &Work<'_>,
        staging: Staging,
        made: Made,
        baseline: &Baseline,
    ) -> Result<Report> {
        let mut new_state = State {
            input: self.input.unwrap_or_default(),
            records: self.engine.known(),
            outputs: made.outputs,
            search: work
                .blocks
                .iter()
                .map(|b| {
                    let (shards, postings) = b.made.get().copied().unwrap_or_default();
                    SearchBlock {
                        members: b.members.clone(),
                        shards,
                        postings,
                    }
                })
                .collect(),
            related: related_state(snap),
            articles: snap.site.entries.len(),
            warnings: warnings(snap).0,
            folders: Vec::new(),
            unpublished: changes::unpublished(&self.plan.request.options),
        };
        // The cache is saved while the previous site is removed.
        let (cache, output_dir) = (&self.cache, &self.output_dir);
        let (committed, saved) = staging.commit_while(|| {
            new_state.folders = folder_times(output_dir, &new_state.outputs);
            cache.save(&new_state)
        })?;
        self.phases.mark("swap");
        write_changes(
            self.plan,
            &self.cache,
            baseline,
            &new_state.outputs,
            &snap.config,
        )?;
        let mut warns = report_warnings(snap, &self.output_dir, &new_state.outputs);
        if let Some(why) = committed.leftover {
            warns.push(Diagnostic::warning(&self.output_dir, why));
        }
        if let Err(e) = saved {
            warns.push(Diagnostic::warning(
                self.cache.dir(),
                format!("could not save the build cache ({e}); the next build runs cold"),
            ));
        }
        self.cache.collect_garbage(&new_state);
        if !self.plan.request.options.preview {
            // Photo files no page of this site uses go (a preview shares the store and
            // leaves it alone: it may show fewer photos than the site).
            let store = self.engine.photo_store();
            let keep = snap
                .statics
                .values()
                .filter(|f| f.starts_with(store.dir()))
                .cloned()
                .collect();
            store.collect_garbage(&keep);
        }
        self.phases.mark("cache");
        Ok(self.report(
            snap.site.entries.len(),
            &new_state.outputs,
            made.rendered,
            false,
            warns,
        ))
    }
}
