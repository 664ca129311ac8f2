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

/// Prints how long each stage took when `NURI_TIMINGS` is set (for profiling, not tests).
pub struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    pub fn new() -> Phases {
        Phases {
            on: std::env::var_os("NURI_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    pub fn mark(&mut self, what: &str) {
        if self.on {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS"))
                        .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
                })
                .unwrap_or_default();
            eprintln!(
                "{what:>12}: {:>6} ms  rss {rss} kB",
                self.last.elapsed().as_millis()
            );
        }
        self.last = Instant::now();
    }
}

impl Default for Phases {
    fn default() -> Self {
        Phases::new()
    }
}

/// Builds the site into its output folder; the previous site stays until this succeeds.
pub fn build(plan: &BuildPlan) -> Result<Report> {
    let started = Instant::now();
    let mut phases = Phases::new();
    let request = &plan.request;
    let config = load_config(request)?;
    let cache_dir = plan
        .cache_dir
        .clone()
        .unwrap_or_else(|| config.paths.root.join(cache::DEFAULT_DIR));
    let cache = Cache::new(cache_dir, cache_key(&config));
    let (mut state, notice) = cache.load();
    phases.mark("cache");
    let mut engine = Engine::open(request, &state.records)?;
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
    check_kind(&output_dir, request.options.preview)?;
    let guard = Guard {
        root: &paths.root,
        sources: &sources,
    };
    let waiting = |holder: &str| {
        eprintln!(
            "waiting for another nuri build (process {holder}) that is writing to {}",
            paths.output.display()
        )
    };
    // The same sources as the last build, whose files the cache still has: its site again,
    // without building a model.
    if input == Some(state.input)
        && !state.outputs.is_empty()
        && state
            .outputs
            .par_iter()
            .all(|(_, o)| cache.sound(o).is_some())
    {
        phases.mark("sound");
        let _lock = Staging::tidy(&paths.output, &guard, waiting)?;
        // Files someone put in the live folder are refused here too, as by any build. A
        // file added anywhere changes its folder's time: with every folder's time as the
        // last build left it, there is none, and the folder need not be walked.
        if !same_folders(&output_dir, &state.folders) {
            crate::output::check_contents(&output_dir)?;
        }
        let unchanged = live_is(&output_dir, &state, &cache);
        phases.mark("live");
        drop(_lock);
        let mut warns = Diagnostics(state.warnings.clone());
        warns.extend(host_warnings(&output_dir, &state.outputs));
        if !unchanged {
            let staging = Staging::begin(&paths.output, &guard, waiting)?;
            republish(&staging, &cache, &state)?;
            let (committed, _) = staging.commit_while(|| {
                state.folders = folder_times(&output_dir, &state.outputs);
                cache.save(&state)
            })?;
            if let Some(why) = committed.leftover {
                warns.push(Diagnostic::warning(&output_dir, why));
            }
        }
        write_changes(
            plan,
            &cache,
            &Baseline::of(&state.outputs),
            &state.outputs,
            &config,
        )?;
        return Ok(Report {
            output: output_dir,
            articles: state.articles,
            files: state.outputs.len(),
            rendered: 0,
            bytes: state.outputs.values().map(|o| o.len).sum(),
            unchanged,
            warnings: warns,
            notice,
            elapsed: started.elapsed(),
        });
    }
    let snap = engine.snapshot().map_err(Error::Template)?;
    if snap.problems.has_errors() {
        return Err(Error::Content(snap.problems.clone()));
    }
    let input = input.unwrap_or_default();
    phases.mark("model");
    seed_related(&snap, &state);
    snap.site.related.fill();
    phases.mark("related");
    snap.fill_cards();
    phases.mark("views");
    let work = Work::plan(&snap, &cache, &state);
    phases.mark("fingerprint");

    if work.unchanged(&snap, &cache, &state) {
        let _lock = Staging::tidy(&paths.output, &guard, waiting)?;
        if live_is(&output_dir, &state, &cache) {
            write_changes(
                plan,
                &cache,
                &Baseline::of(&state.outputs),
                &state.outputs,
                &snap.config,
            )?;
            let warnings = report_warnings(&snap, &output_dir, &state.outputs);
            return Ok(Report {
                output: output_dir,
                articles: snap.site.entries.len(),
                files: state.outputs.len(),
                rendered: 0,
                bytes: state.outputs.values().map(|o| o.len).sum(),
                unchanged: true,
                warnings,
                notice,
                elapsed: started.elapsed(),
            });
        }
    }
    // What `--changes` compares with: the last build the cache knows, else the live site.
    let baseline = if state.outputs.is_empty() {
        Baseline::live(&output_dir)
    } else {
        Baseline::of(&state.outputs)
    };
    let staging = Staging::begin(&paths.output, &guard, waiting)?;
    let writer = Writer {
        staging: &staging,
        cache: &cache,
        outputs: Mutex::new(BTreeMap::new()),
        written: Default::default(),
    };
    phases.mark("staging");

    // Pages the cache has: linked. Articles (with the search index): rendered together.
    collect(
        work.pages
            .par_iter()
            .filter(|p| p.reuse.is_some())
            .map(|p| writer.link(p))
            .collect(),
    )?;
    let facts = Mutex::new(Vec::new());
    phases.mark("link");
    let errors = render_articles_and_search(&snap, &work, &writer, &state, &facts);
    if errors.has_errors() {
        return Err(Error::Render(group(errors)));
    }
    phases.mark("articles");
    // The other pages, feeds and sitemaps.
    let others: Vec<Diagnostic> = work
        .jobs
        .par_iter()
        .zip(&work.pages)
        .filter(|(j, p)| p.reuse.is_none() && !matches!(j.page(), Some(PageKind::Article(_))))
        .filter_map(|(job, p)| {
            render_job(&snap, job, p, None)
                .and_then(|(bytes, fp)| writer.write(&job.output, &bytes, fp))
                .err()
        })
        .collect();
    if !others.is_empty() {
        return Err(Error::Render(group(Diagnostics(others))));
    }
    phases.mark("lists");
    let mut search_files: Vec<std::result::Result<(), Diagnostic>> = work
        .batches
        .par_iter()
        .map(|(output, bytes, fp)| writer.write_or_link(&state, output, bytes, *fp))
        .collect();
    if let Some((bytes, fp)) = work.meta(&snap) {
        search_files.push(writer.write_or_link(&state, "search/meta.json", &bytes, fp));
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
    phases.mark("render");

    // Anchors: this build's renders, else what the last build's renders found.
    for (rel, f) in facts.into_inner().unwrap_or_else(|e| e.into_inner()) {
        engine.content.set_facts(&rel, f);
    }
    let anchor_problems =
        snap.check_anchors(&|rel| engine.content.get(rel).and_then(|f| f.record.facts.clone()));
    if anchor_problems.has_errors() {
        return Err(Error::Content(anchor_problems));
    }

    let rendered = writer.written.into_inner();
    let outputs = writer
        .outputs
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let new_state = State {
        input,
        records: engine.known(),
        outputs,
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
        related: related_state(&snap),
        articles: snap.site.entries.len(),
        warnings: warnings(&snap).0,
        folders: Vec::new(),
    };
    // The cache is saved while the previous site is removed.
    let mut new_state = new_state;
    let (committed, saved) = staging.commit_while(|| {
        new_state.folders = folder_times(&output_dir, &new_state.outputs);
        cache.save(&new_state)
    })?;
    phases.mark("swap");
    write_changes(plan, &cache, &baseline, &new_state.outputs, &snap.config)?;
    let mut warns = report_warnings(&snap, &output_dir, &new_state.outputs);
    if let Some(why) = committed.leftover {
        warns.push(Diagnostic::warning(&output_dir, why));
    }
    if let Err(e) = saved {
        warns.push(Diagnostic::warning(
            cache.dir(),
            format!("could not save the build cache ({e}); the next build runs cold"),
        ));
    }
    cache.collect_garbage(&new_state);
    phases.mark("cache");
    Ok(Report {
        output: output_dir,
        articles: snap.site.entries.len(),
        files: new_state.outputs.len(),
        rendered,
        bytes: new_state.outputs.values().map(|o| o.len).sum(),
        unchanged: false,
        warnings: warns,
        notice,
        elapsed: started.elapsed(),
    })
}

/// Publishes the last build's files again, from the cache (its sources did not change, but
/// the output folder is gone or was changed by hand).
fn republish(staging: &Staging, cache: &Cache, state: &State) -> Result<()> {
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
fn folder_times(output: &Path, outputs: &BTreeMap<String, Output>) -> Vec<(String, i128)> {
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
            let t = super::stamp::Stamp::of(&output.join(f)).map_or(0, |s| s.mtime_ns);
            (f.to_string(), t)
        })
        .collect()
}

/// Whether every folder of the live site has the time recorded.
fn same_folders(output: &Path, recorded: &[(String, i128)]) -> bool {
    !recorded.is_empty()
        && recorded.par_iter().all(|(f, t)| {
            super::stamp::Stamp::of(&output.join(f)).is_some_and(|s| s.mtime_ns == *t)
        })
}

fn live_is(output: &Path, state: &State, cache: &Cache) -> bool {
    let Some(manifest) = crate::output::Manifest::read(output) else {
        return false;
    };
    manifest.len() == state.outputs.len()
        && state.outputs.par_iter().all(|(path, o)| {
            manifest.matches(path, o.len, o.hash as u64) && cache.holds(o, &output.join(path))
        })
}

/// One output of this build: where it goes, its fingerprint, and whether the cache has it.
struct Planned {
    output: String,
    /// The fingerprint, or `None` where it is made while rendering (no cache to compare).
    fp: Option<u64>,
    /// Reused from the cache (with the object's current time), or to be made.
    reuse: Option<(Output, i128)>,
}

/// The output as recorded by the last build, if its object is still sound and its
/// fingerprint is `fp`.
fn reusable(cache: &Cache, state: &State, output: &str, fp: u64) -> Option<(Output, i128)> {
    let out = state.outputs.get(output)?;
    if out.fp != fp {
        return None;
    }
    cache.sound(out).map(|mtime| (*out, mtime))
}

/// A block of the search index in this build.
struct PlannedBlock {
    /// Documents of the block (entry indexes, in document order).
    entries: Vec<usize>,
    /// (source path, text hash) per document.
    members: Vec<(String, u64)>,
    /// The last build's files of this block, when its documents are the same.
    reuse: Option<Vec<Planned>>,
    /// Otherwise, how to make it: from the last build's postings, updating the documents at
    /// these positions, or (when `None`) anew.
    update: Option<(u128, Vec<usize>)>,
    /// The shard count and postings object: known for a reused block, set when made.
    made: std::sync::OnceLock<(usize, u128)>,
}

/// Everything a build writes, and where each file's bytes come from.
struct Work<'s> {
    jobs: Vec<&'s Job>,
    pages: Vec<Planned>,
    statics: Vec<(&'s PathBuf, Planned)>,
    blocks: Vec<PlannedBlock>,
    /// Search result files: (output, bytes, fingerprint).
    batches: Vec<(String, Vec<u8>, u64)>,
}

impl<'s> Work<'s> {
    fn plan(snap: &'s Snapshot, cache: &Cache, state: &State) -> Work<'s> {
        let jobs: Vec<&Job> = snap
            .plan
            .jobs
            .iter()
            .filter(|j| !super::collisions::replaced_by_statics(snap, j))
            .collect();
        // Without a last build to compare with, nothing is fingerprinted ahead: each page's
        // view is built once, hashed and rendered.
        let cold = state.outputs.is_empty();
        let pages = jobs
            .par_iter()
            .map(|job| {
                if cold {
                    return Planned {
                        output: job.output.clone(),
                        fp: None,
                        reuse: None,
                    };
                }
                let fp = snap.fingerprint(job);
                Planned {
                    output: job.output.clone(),
                    fp: Some(fp),
                    reuse: reusable(cache, state, &job.output, fp),
                }
            })
            .collect();
        let statics = snap
            .statics
            .iter()
            .map(|(output, source)| {
                let fp = static_fp(source);
                (
                    source,
                    Planned {
                        output: output.clone(),
                        fp: Some(fp),
                        reuse: reusable(cache, state, output, fp),
                    },
                )
            })
            .collect();
        let (blocks, batches) = if snap.config.search.enabled {
            (plan_blocks(snap, cache, state), plan_batches(snap))
        } else {
            (Vec::new(), Vec::new())
        };
        Work {
            jobs,
            pages,
            statics,
            blocks,
            batches,
        }
    }

    /// The search index's `meta.json`, once every block is known.
    fn meta(&self, snap: &Snapshot) -> Option<(Vec<u8>, u64)> {
        if !snap.config.search.enabled {
            return None;
        }
        let blocks: Vec<(u32, usize)> = self
            .blocks
            .iter()
            .map(|b| (b.entries.len() as u32, b.made.get().map_or(0, |m| m.0)))
            .collect();
        let bytes = search::meta(&snap.config, &blocks);
        let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
        Some((bytes, fp))
    }

    /// True when every file is the last build's: nothing to render, copy or index.
    fn unchanged(&self, snap: &Snapshot, cache: &Cache, state: &State) -> bool {
        let all_reused = self.pages.iter().all(|p| p.reuse.is_some())
            && self.statics.iter().all(|(_, p)| p.reuse.is_some())
            && self.blocks.iter().all(|b| b.reuse.is_some())
            && self
                .batches
                .iter()
                .all(|(o, _, fp)| reusable(cache, state, o, *fp).is_some());
        if !all_reused {
            return false;
        }
        let meta_same = self
            .meta(snap)
            .is_none_or(|(_, fp)| reusable(cache, state, "search/meta.json", fp).is_some());
        let count = self.pages.len()
            + self.statics.len()
            + self
                .blocks
                .iter()
                .map(|b| b.reuse.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
            + self.batches.len()
            + usize::from(snap.config.search.enabled);
        meta_same && count == state.outputs.len()
    }
}

pub(super) fn static_fp(source: &Path) -> u64 {
    use std::hash::Hasher;
    let stamp = super::stamp::Stamp::of(source).unwrap_or_default();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.write(source.as_os_str().as_encoded_bytes());
    h.write_u64(stamp.len);
    h.write_i128(stamp.mtime_ns);
    h.write_i128(stamp.ctime_ns);
    h.write_u64(stamp.ino);
    h.finish()
}

fn plan_blocks(snap: &Snapshot, cache: &Cache, state: &State) -> Vec<PlannedBlock> {
    let n = snap.site.entries.len();
    (0..search::blocks(n))
        .map(|b| {
            let entries: Vec<usize> = search::block_docs(n, b)
                .map(|d| search::entry_of(n, d))
                .collect();
            let members: Vec<(String, u64)> = entries
                .iter()
                .map(|&i| {
                    (
                        snap.site.entries[i].article.file.rel.clone(),
                        snap.sources[i].1,
                    )
                })
                .collect();
            let made = std::sync::OnceLock::new();
            let mut reuse = None;
            let mut update = None;
            if let Some(old) = state.search.get(b) {
                if old.members == members {
                    let prefix = format!("search/{b}/");
                    let files: Vec<Planned> = state
                        .outputs
                        .range(prefix.clone()..)
                        .take_while(|(k, _)| k.starts_with(&prefix))
                        .map(|(k, o)| Planned {
                            output: k.clone(),
                            fp: Some(o.fp),
                            reuse: cache.sound(o).map(|mtime| (*o, mtime)),
                        })
                        .collect();
                    if !files.is_empty() && files.iter().all(|f| f.reuse.is_some()) {
                        let _ = made.set((old.shards, old.postings));
                        reuse = Some(files);
                    }
                }
                // The same documents in the same places (some edited), maybe more after
                // them: the last build's postings, updated.
                if reuse.is_none()
                    && old.members.len() <= members.len()
                    && old.members.iter().zip(&members).all(|(a, b)| a.0 == b.0)
                {
                    let stale = (0..members.len())
                        .filter(|&k| old.members.get(k) != Some(&members[k]))
                        .collect();
                    update = Some((old.postings, stale));
                }
            }
            PlannedBlock {
                entries,
                members,
                reuse,
                update,
                made,
            }
        })
        .collect()
}

fn plan_batches(snap: &Snapshot) -> Vec<(String, Vec<u8>, u64)> {
    (0..search::batches(snap.site.entries.len()))
        .into_par_iter()
        .map(|k| {
            let bytes = search::batch(&snap.config, &snap.site, k);
            let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
            let output = search::batch_path(k).trim_start_matches('/').to_string();
            (output, bytes, fp)
        })
        .collect()
}

/// Renders a page, with its fingerprint (made now, from the same view, when not known).
fn render_job(
    snap: &Snapshot,
    job: &Job,
    planned: &Planned,
    body: Option<(usize, &Rendered)>,
) -> std::result::Result<(Vec<u8>, u64), Diagnostic> {
    match planned.fp {
        Some(fp) => snap.render(job, body).map(|bytes| (bytes, fp)),
        None => snap.render_fingerprinted(job, body),
    }
}

/// Writes staged files and records them (and their objects) for the next build.
struct Writer<'a> {
    staging: &'a Staging,
    cache: &'a Cache,
    outputs: Mutex<BTreeMap<String, Output>>,
    /// Files written (made in this build), as opposed to linked from the cache.
    written: std::sync::atomic::AtomicUsize,
}

impl Writer<'_> {
    fn record(&self, output: &str, out: Output) {
        if let Ok(mut o) = self.outputs.lock() {
            o.insert(output.to_string(), out);
        }
    }

    fn fail(&self, e: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::error(self.staging.output(), e.to_string())
    }

    fn write(&self, output: &str, bytes: &[u8], fp: u64) -> std::result::Result<(), Diagnostic> {
        self.staging
            .write(output, bytes)
            .map_err(|e| self.fail(e))?;
        self.written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let hash = xxhash_rust::xxh3::xxh3_128(bytes);
        let staged = self.staging.path_of(output).map_err(|e| self.fail(e))?;
        // A cache that cannot be written only makes the next build slower.
        let mtime = self.cache.store(&staged, hash).unwrap_or(0);
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

    fn link(&self, p: &Planned) -> std::result::Result<(), Diagnostic> {
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
    fn write_or_link(
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

    fn copy(&self, output: &str, source: &Path, fp: u64) -> std::result::Result<(), Diagnostic> {
        let bytes = crate::sources::read_regular(source)
            .map_err(|e| Diagnostic::error(source, format!("cannot read: {e}")))?;
        self.write(output, &bytes, fp)
    }
}

/// Renders the article pages that changed and the search blocks that changed, one block of
/// documents after another (so only one block's postings are held at a time). An article's
/// body is rendered once, for its page and its block together.
fn render_articles_and_search(
    snap: &Snapshot,
    work: &Work<'_>,
    writer: &Writer<'_>,
    state: &State,
    facts: &Mutex<Vec<(String, BodyFacts)>>,
) -> Diagnostics {
    let n = snap.site.entries.len();
    let mut article: Vec<Option<(&Job, &Planned)>> = vec![None; n];
    for (job, planned) in work.jobs.iter().zip(&work.pages) {
        if let Some(PageKind::Article(i)) = job.page() {
            article[i] = Some((job, planned));
        }
    }
    let page_due = |i: usize| article[i].is_some_and(|(_, p)| p.reuse.is_none());
    let errors = Mutex::new(Diagnostics::default());
    let fail = |ds: Vec<Diagnostic>| errors.lock().unwrap_or_else(|e| e.into_inner()).extend(ds);
    // One article: its body rendered if its page or its block needs it.
    let process = |i: usize, index: bool, scratch: &mut Scratch| -> Option<search::DocTerms> {
        let due = page_due(i);
        if !due && !index {
            return None;
        }
        let body: Rendered = match snap.render_body(i) {
            Ok(b) => b,
            Err(ds) => {
                fail(ds);
                return None;
            }
        };
        if let Some((job, planned)) = article[i].filter(|_| due)
            && let Err(d) = render_job(snap, job, planned, Some((i, &body)))
                .and_then(|(bytes, fp)| writer.write(&job.output, &bytes, fp))
        {
            fail(vec![d]);
        }
        let a = &snap.site.entries[i].article;
        facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((a.file.rel.clone(), Snapshot::facts(&body)));
        index.then(|| search::doc_terms(a, &body.plain, scratch))
    };

    let mut indexed = vec![false; n];
    for (b, block) in work.blocks.iter().enumerate() {
        if let Some(files) = &block.reuse {
            let linked: Vec<Diagnostic> = files
                .par_iter()
                .filter_map(|f| writer.link(f).err())
                .collect();
            fail(linked);
            continue;
        }
        let docs = block.entries.len() as u32;
        let old_shards = state.search.get(b).map(|s| s.shards);
        let start = match &block.update {
            Some((postings, stale)) => writer.cache.block(*postings).map(|mut old| {
                old.docs = docs;
                let mut touched = search::Touched::default();
                for &k in stale {
                    touched.extend(old.remove(k as u32));
                }
                (old, stale.clone(), Some(touched))
            }),
            None => None,
        };
        let (index, todo, mut touched) =
            start.unwrap_or_else(|| (Block::new(docs), (0..block.entries.len()).collect(), None));
        // Each worker indexes runs of consecutive documents into a partial index of its
        // own; the partial indexes come back in document order and are merged in order.
        let parts: Vec<Block> = todo
            .par_chunks(64)
            .fold(
                || (Block::new(docs), Scratch::default()),
                |(mut part, mut scratch), ks| {
                    for &k in ks {
                        if let Some(terms) = process(block.entries[k], true, &mut scratch) {
                            part.add(k as u32, &terms);
                        }
                    }
                    (part, scratch)
                },
            )
            .map(|(part, _)| part)
            .collect();
        for &k in &todo {
            indexed[block.entries[k]] = true;
        }
        let mut phases = Phases::new();
        phases.mark("  documents");
        if let Some(t) = touched.as_mut() {
            for part in &parts {
                t.extend(part.terms());
            }
        }
        let index = index.absorb(parts);
        phases.mark("  merge");
        // With the same shards as before, only those holding a changed term are made
        // again; the rest are the last build's files.
        let only = touched
            .filter(|_| old_shards == Some(index.shards()))
            .map(|t| index.touched_files(b, &t));
        if let Some(only) = &only {
            let prefix = format!("search/{b}/");
            let kept: Vec<Diagnostic> = state
                .outputs
                .range(prefix.clone()..)
                .take_while(|(k, _)| k.starts_with(&prefix))
                .filter(|(k, _)| !only.contains(k.as_str()))
                .filter_map(|(k, o)| {
                    let reuse = writer.cache.sound(o).map(|m| (*o, m));
                    match reuse {
                        Some(r) => writer
                            .link(&Planned {
                                output: k.clone(),
                                fp: Some(o.fp),
                                reuse: Some(r),
                            })
                            .err(),
                        None => Some(Diagnostic::error(
                            writer.cache.dir(),
                            format!("the build cache lost {k}; build again"),
                        )),
                    }
                })
                .collect();
            fail(kept);
        }
        // A shard's file is named by its bytes: one whose terms did not change is linked.
        // The postings are kept for the next build meanwhile.
        let (written, postings) = rayon::join(
            || {
                index.each_file(b, only.as_ref(), &|path, bytes| {
                    let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
                    writer.write_or_link(state, path.trim_start_matches('/'), &bytes, fp)
                })
            },
            || {
                postcard::to_stdvec(&index)
                    .ok()
                    .and_then(|bytes| writer.cache.store_bytes(&bytes).ok())
                    .unwrap_or_default()
            },
        );
        if let Err(d) = written {
            fail(vec![d]);
        }
        let _ = block.made.set((index.shards(), postings));
        phases.mark("  shards");
    }
    // Article pages of documents no changed block covered.
    (0..n)
        .into_par_iter()
        .filter(|&i| !indexed[i] && page_due(i))
        .for_each_init(Scratch::default, |scratch, i| {
            process(i, false, scratch);
        });
    errors.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Gives each article the related list of the last build where it cannot have changed.
///
/// An article's related list depends on its tags, and on the tags and order of the articles
/// sharing one of them. So when a set of articles changed (added, removed, or with other tags
/// or another date), only the lists of articles sharing one of their tags (before or after)
/// can change; the others are the last build's.
fn seed_related(snap: &Snapshot, state: &State) {
    if state.related.is_empty() {
        return;
    }
    let site = &snap.site;
    let now: std::collections::HashMap<&str, (&[String], i64)> = site
        .entries
        .iter()
        .map(|e| {
            let a = &e.article;
            (
                a.file.rel.as_str(),
                (a.slugs_of("tags"), a.date.as_second()),
            )
        })
        .collect();
    let mut touched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (rel, old) in &state.related {
        match now.get(rel.as_str()) {
            Some((tags, date)) if *tags == old.tags.as_slice() && *date == old.date => {}
            other => {
                touched.extend(old.tags.iter().map(String::as_str));
                if let Some((tags, _)) = other {
                    touched.extend(tags.iter().map(String::as_str));
                }
            }
        }
    }
    for (rel, (tags, _)) in &now {
        if !state.related.contains_key(*rel) {
            touched.extend(tags.iter().map(String::as_str));
        }
    }
    for (i, e) in site.entries.iter().enumerate() {
        let a = &e.article;
        let Some(old) = state.related.get(&a.file.rel) else {
            continue;
        };
        if a.slugs_of("tags")
            .iter()
            .any(|t| touched.contains(t.as_str()))
            || a.slugs_of("tags") != old.tags.as_slice()
            || a.date.as_second() != old.date
        {
            continue;
        }
        let list: Option<Box<[u32]>> = old
            .list
            .iter()
            .map(|r| site.by_source.get(r).map(|&j| j as u32))
            .collect();
        if let Some(list) = list {
            site.related.seed(i, list);
        }
    }
}

/// Every article's related list, for the next build.
fn related_state(snap: &Snapshot) -> std::collections::HashMap<String, cache::RelatedRecord> {
    let site = &snap.site;
    site.entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let a = &e.article;
            (
                a.file.rel.clone(),
                cache::RelatedRecord {
                    tags: a.slugs_of("tags").to_vec(),
                    date: a.date.as_second(),
                    list: site
                        .related(i)
                        .iter()
                        .map(|&j| site.entries[j as usize].article.file.rel.clone())
                        .collect(),
                },
            )
        })
        .collect()
}

/// Warnings of a snapshot (content, static files).
fn warnings(snap: &Snapshot) -> Diagnostics {
    Diagnostics(snap.problems.warnings().cloned().collect())
}

/// The content's warnings, and the hosts whose limits the published site is past.
fn report_warnings(
    snap: &Snapshot,
    output: &Path,
    outputs: &BTreeMap<String, Output>,
) -> Diagnostics {
    let mut out = warnings(snap);
    out.extend(host_warnings(output, outputs));
    out
}

/// The hosts whose limits the published site is past.
fn host_warnings(output: &Path, outputs: &BTreeMap<String, Output>) -> Vec<Diagnostic> {
    let published = super::hosts::Published {
        files: outputs.len() as u64,
        bytes: outputs.values().map(|o| o.len).sum(),
        largest: outputs.values().map(|o| o.len).max().unwrap_or(0),
    };
    super::hosts::warnings(published)
        .into_iter()
        .map(|line| Diagnostic::warning(output, line))
        .collect()
}

fn collect(results: Vec<std::result::Result<(), Diagnostic>>) -> Result<()> {
    let errors: Vec<Diagnostic> = results.into_iter().filter_map(|r| r.err()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Render(Diagnostics(errors)))
    }
}

/// One template mistake breaks every page that uses it: report it once, with a count.
fn group(errors: Diagnostics) -> Diagnostics {
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

/// The site a change list compares with: each output path with the low 64 bits of its
/// bytes' hash. `None` when there is nothing to compare with (no cache, no live site): then
/// every page counts as added, and the list says so.
struct Baseline(Option<std::collections::HashMap<String, u64>>);

impl Baseline {
    fn of(outputs: &BTreeMap<String, Output>) -> Baseline {
        Baseline(Some(
            outputs
                .iter()
                .map(|(p, o)| (p.clone(), o.hash as u64))
                .collect(),
        ))
    }

    /// The live site's manifest (which names files by the same hash), if it has one.
    fn live(output: &Path) -> Baseline {
        Baseline(crate::output::Manifest::read(output).map(|m| {
            m.hashes()
                .filter(|(p, _)| !p.starts_with('.'))
                .map(|(p, h)| (p.to_string(), h))
                .collect()
        }))
    }
}

/// `--changes FILE`: the URLs whose bytes were added, changed or removed since the last
/// build, as JSON.
fn write_changes(
    plan: &BuildPlan,
    cache: &Cache,
    baseline: &Baseline,
    after: &BTreeMap<String, Output>,
    config: &crate::config::Config,
) -> Result<()> {
    let urls = crate::model::Urls(config);
    let url = |output: &str| {
        let path = output.strip_suffix("index.html").unwrap_or(output);
        urls.permalink(&format!("/{path}"))
    };
    let empty = Default::default();
    let before = baseline.0.as_ref().unwrap_or(&empty);
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (path, o) in after {
        match before.get(path) {
            None => added.push(url(path)),
            Some(&b) if b != o.hash as u64 => changed.push(url(path)),
            _ => {}
        }
    }
    let mut removed: Vec<String> = before
        .keys()
        .filter(|p| !after.contains_key(*p))
        .map(|p| url(p))
        .collect();
    removed.sort_unstable();
    let json = serde_json::json!({
        "added": added,
        "changed": changed,
        "removed": removed,
        // false: no earlier build to compare with, so every page is listed as added.
        "baseline": baseline.0.is_some(),
        "base_url": config.base_url.full(),
        "preview": plan.request.options.preview,
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

/// Refuses a preview build into a folder that holds a production build: the preview would
/// replace the public site with drafts and embargoed stories. (A production build may
/// replace a preview.)
fn check_kind(output: &Path, preview: bool) -> Result<(), Error> {
    let built = output.join(crate::output::MARKER).is_file();
    let previewed = output.join(crate::render::pages::PREVIEW_MARKER).is_file();
    if preview && built && !previewed {
        return Err(crate::output::OutputError::Refused {
            path: output.to_path_buf(),
            why: "it holds a production build, and a preview would replace the public site with \
                  unpublished stories: give the preview its own folder (the default is preview/)"
                .into(),
        }
        .into());
    }
    Ok(())
}
