//! A site kept in memory between rebuilds, so that saving one article re-renders only the
//! pages that show it.
//!
//! Every page is rendered with a record of the entries whose cards it used (see
//! [`crate::render::views::record_cards`]); that gives, per entry, the pages to redo. An edit
//! that keeps an article's place in the site (same date, section, URL, tags, authors and
//! schedule) takes the fast path: re-parse that file, re-render its body, rebuild its card,
//! re-render the pages that show it, its feeds and the sitemaps. Anything else (a new,
//! deleted or renamed file, a moved article, `_index.md`, profiles, templates, config) takes
//! a full rebuild, in memory. Either way the result equals a fresh `nuri build`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::watch::Change;
use crate::content::{Article, FileKind, classify, read_text};
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::markdown;
use crate::render::{Content, Job, RenderState, Renderer, Templates};
use crate::search_index::{DocTerms, SearchIndex, doc_terms};
use crate::{
    BuildRequest, Prepared, SiteLinks, check_anchors_of, clean, load_config, prepare_with,
};

/// A rendered page and the entries it shows.
type Rendered = (Result<Vec<u8>, Diagnostic>, Vec<usize>);

/// Bytes of one output file, shared with the server.
pub type Bytes = Arc<Vec<u8>>;

struct Built {
    prepared: Prepared,
    templates: Templates,
    state: RenderState,
    jobs: Vec<Job>,
    /// Per entry: the jobs whose pages show it.
    shown_by: Vec<Vec<usize>>,
    search: Option<SearchIndex>,
    /// Static files and bundle assets, as of the last full or static rebuild.
    statics: BTreeMap<String, PathBuf>,
    /// Per source path: the entries whose `@/` links point to it.
    linked_from: HashMap<String, Vec<usize>>,
    /// Search terms of edited entries before the edit, until the index catches up.
    pending_search: Vec<(usize, DocTerms)>,
}

/// What a rebuild changed.
pub struct Update {
    /// Every output file (a full rebuild), or `None` for an incremental one.
    pub all: Option<HashMap<String, Bytes>>,
    /// Changed output files (incremental).
    pub changed: Vec<(String, Bytes)>,
    /// Static files and bundle assets: output path → source.
    pub statics: BTreeMap<String, PathBuf>,
    pub pages: usize,
    pub kind: &'static str,
    /// The search index still has to be refreshed (after an incremental rebuild).
    pub search_stale: bool,
}

pub struct Session {
    request: BuildRequest,
    built: Option<Built>,
}

fn structure(a: &Article) -> impl PartialEq + '_ {
    (
        (a.date, a.publish_at, a.expire_at, a.draft),
        (&a.section, &a.slug, &a.path, a.id, a.file.is_bundle),
        (&a.tags, &a.authors, &a.terms),
    )
}

impl Session {
    pub fn new(request: BuildRequest) -> Session {
        Session {
            request,
            built: None,
        }
    }

    pub fn request(&self) -> &BuildRequest {
        &self.request
    }

    /// Rebuilds after `changes`, as cheaply as is exact.
    pub fn rebuild(&mut self, changes: &BTreeSet<Change>) -> Result<Update, Diagnostics> {
        let only_templates = changes.iter().all(|c| *c == Change::Templates);
        let only_statics = changes.iter().all(|c| *c == Change::Static);
        let articles: Option<Vec<&str>> = changes
            .iter()
            .map(|c| {
                if let Change::Content(rel) = c {
                    Some(rel.as_str())
                } else {
                    None
                }
            })
            .collect();
        let result = match (&self.built, articles) {
            (Some(_), _) if only_statics => self.statics_changed(),
            (Some(_), _) if only_templates => self.templates_changed(),
            (Some(_), Some(rels)) => match self.try_fast(&rels) {
                Some(r) => r,
                None => self.full(),
            },
            _ => self.full(),
        };
        if result.is_err() {
            // Whatever was half-applied, the next rebuild starts from the files.
            self.built = None;
        }
        result
    }

    /// Builds everything in memory.
    pub fn full(&mut self) -> Result<Update, Diagnostics> {
        self.built = None;
        let config = load_config(&self.request).map_err(diagnostics)?;
        let prepared = prepare_with(config, &self.request.options, false);
        if prepared.warnings.has_errors() {
            return Err(prepared.warnings.clone());
        }
        let mut templates = Templates::load(&prepared.config)?;
        let state = RenderState::new(&prepared, &mut templates);
        let search = prepared
            .config
            .search
            .enabled
            .then(|| SearchIndex::build(&prepared));
        let built = Built {
            prepared,
            templates,
            state,
            jobs: Vec::new(),
            shown_by: Vec::new(),
            search,
            statics: BTreeMap::new(),
            linked_from: HashMap::new(),
            pending_search: Vec::new(),
        };
        self.render_everything(built, "full")
    }

    fn render_everything(
        &mut self,
        mut built: Built,
        kind: &'static str,
    ) -> Result<Update, Diagnostics> {
        let renderer = Renderer::new(&built.prepared, &built.templates, &built.state);
        let (mut jobs, mut problems) = renderer.plan_with(built.search.as_ref());
        let (statics, _) = renderer.files_checked();
        problems.extend(renderer.check_collisions(&mut jobs, &statics).0);
        if problems.has_errors() {
            return Err(problems);
        }
        let results: Vec<Rendered> = jobs
            .par_iter()
            .map(|job| renderer.render_with_deps(job))
            .collect();
        let mut all = HashMap::with_capacity(jobs.len());
        let mut shown_by = vec![Vec::new(); built.prepared.site.entries.len()];
        let mut errors = Diagnostics::default();
        for (j, (result, shown)) in results.into_iter().enumerate() {
            match result {
                Ok(bytes) => {
                    all.insert(jobs[j].output.clone(), Arc::new(bytes));
                }
                Err(d) => errors.push(d),
            }
            for e in shown {
                shown_by[e].push(j);
            }
        }
        if errors.has_errors() {
            errors.sort();
            return Err(errors);
        }
        let pages = jobs.len();
        built.jobs = jobs;
        built.shown_by = shown_by;
        built.statics = statics.clone();
        built.linked_from.clear();
        for (i, body) in built.prepared.bodies.iter().enumerate() {
            for link in &body.links {
                built
                    .linked_from
                    .entry(link.target.clone())
                    .or_default()
                    .push(i);
            }
        }
        self.built = Some(built);
        Ok(Update {
            all: Some(all),
            changed: Vec::new(),
            statics,
            pages,
            kind,
            search_stale: false,
        })
    }

    fn templates_changed(&mut self) -> Result<Update, Diagnostics> {
        let built = self.built.take().expect("built");
        let mut templates = Templates::load(&built.prepared.config)?;
        let state = RenderState::new(&built.prepared, &mut templates);
        let built = Built {
            templates,
            state,
            ..built
        };
        self.render_everything(built, "templates")
    }

    fn statics_changed(&mut self) -> Result<Update, Diagnostics> {
        let built = self.built.as_ref().expect("built");
        let renderer = Renderer::new(&built.prepared, &built.templates, &built.state);
        let (statics, _) = renderer.files_checked();
        // A lead photo's size and length are part of its article's pages and feeds.
        let p = &built.prepared;
        let photos_changed = (0..p.site.entries.len())
            .into_par_iter()
            .filter(|&i| p.images[i].as_ref().is_some_and(|img| img.source.is_some()))
            .any(|i| {
                crate::model::images::probe(&p.config, &p.site.entries[i]).ok()
                    != Some(p.images[i].clone())
            });
        if photos_changed {
            return self.full();
        }
        let mut jobs = built.jobs.clone();
        let problems = renderer.check_collisions(&mut jobs, &statics);
        if problems.has_errors() {
            return Err(problems);
        }
        if let Some(b) = self.built.as_mut() {
            b.statics = statics.clone();
        }
        Ok(Update {
            all: None,
            changed: Vec::new(),
            statics,
            pages: 0,
            kind: "static",
            search_stale: false,
        })
    }

    /// The fast path; `None` when the change needs a full rebuild.
    fn try_fast(&mut self, rels: &[&str]) -> Option<Result<Update, Diagnostics>> {
        let built = self.built.as_ref()?;
        let p = &built.prepared;
        let mut edits: Vec<(usize, Article)> = Vec::new();
        for &rel in rels {
            if vanished_unknown(p, rel) {
                continue;
            }
            if classify(rel) != FileKind::Article {
                return None;
            }
            let &i = p.site.by_source.get(rel)?;
            let path = p.config.paths.content.join(rel);
            let shown = Path::new("content").join(rel);
            let text = match read_text(&shown, &path) {
                Ok(t) => t,
                Err(_) if !path.exists() => return None,
                Err(d) => return Some(Err(d.into())),
            };
            let article = match Article::parse(rel, &text, &p.config) {
                Ok(a) => a,
                Err(ds) => return Some(Err(Diagnostics(ds))),
            };
            if structure(&article) != structure(&p.site.entries[i].article) {
                return None;
            }
            edits.push((i, article));
        }
        Some(self.apply(edits))
    }

    fn apply(&mut self, edits: Vec<(usize, Article)>) -> Result<Update, Diagnostics> {
        let mut phases = crate::Phases::new();
        let built = self.built.as_mut().expect("built");
        let mut diags = Diagnostics::default();
        let mut fresh = Vec::new();
        {
            let p = &built.prepared;
            let links = SiteLinks(&p.site);
            for (i, article) in edits {
                match markdown::render(
                    &article.file.display,
                    &article.body,
                    article.body_line,
                    &links,
                ) {
                    Ok(body) => fresh.push((i, article, clean(&p.config, body))),
                    Err(ds) => diags.extend(ds),
                }
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        for &(i, ..) in &fresh {
            if built.search.is_some() {
                let old = doc_terms(&built.prepared, i);
                built.pending_search.push((i, old));
            }
        }
        let modified_before: Vec<_> = fresh
            .iter()
            .map(|(i, ..)| built.prepared.site.entries[*i].article.modified())
            .collect();
        let p = &mut built.prepared;
        for (i, article, body) in fresh.iter().cloned() {
            p.site.entries[i].article = article;
            p.bodies[i] = body;
        }
        for &(i, ..) in &fresh {
            match crate::model::images::probe(&p.config, &p.site.entries[i]) {
                Ok(info) => p.images[i] = info,
                Err(d) => diags.push(d),
            }
        }
        phases.mark("parse+md");
        let mut linking: BTreeSet<usize> = BTreeSet::new();
        for (i, ..) in &fresh {
            linking.insert(*i);
            let rel = &p.site.entries[*i].article.file.rel;
            linking.extend(built.linked_from.get(rel).into_iter().flatten().copied());
        }
        check_anchors_of(&p.site, &p.bodies, linking, &mut diags);
        phases.mark("anchors");
        if diags.has_errors() {
            return Err(diags);
        }
        for &(i, ..) in &fresh {
            built.state.views.refresh(&built.prepared, i);
        }
        let built = self.built.as_ref().expect("built");
        let renderer = Renderer::new(&built.prepared, &built.templates, &built.state);
        let mut todo: BTreeSet<usize> = BTreeSet::new();
        for &(i, ..) in &fresh {
            todo.extend(built.shown_by[i].iter().copied());
        }
        for (j, job) in built.jobs.iter().enumerate() {
            if let Content::Feed(f, _) = job.content
                && fresh
                    .iter()
                    .any(|(i, ..)| renderer.feeds[f].items.contains(i))
            {
                todo.insert(j);
            }
        }
        let rendered: Vec<Result<(String, Vec<u8>), Diagnostic>> = todo
            .par_iter()
            .map(|&j| {
                renderer
                    .render(&built.jobs[j])
                    .map(|b| (built.jobs[j].output.clone(), b))
            })
            .collect();
        let mut changed = Vec::with_capacity(rendered.len() + 4);
        for r in rendered {
            match r {
                Ok((out, bytes)) => changed.push((out, Arc::new(bytes))),
                Err(d) => diags.push(d),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let pages = changed.len();
        phases.mark("render");
        let c = &built.prepared.config;
        // Sitemaps carry modification times; news sitemaps titles of recent articles.
        let modified = fresh
            .iter()
            .zip(&modified_before)
            .any(|((i, ..), before)| built.prepared.site.entries[*i].article.modified() != *before);
        if modified {
            for (path, bytes) in crate::sitemap::files(c, &renderer.sitemap_urls(&built.jobs)) {
                changed.push((crate::model::output_file(&path), Arc::new(bytes)));
            }
        }
        let recent = crate::sitemap::news_items(&built.prepared, built.prepared.options.now);
        if c.sitemap.news && fresh.iter().any(|(i, ..)| recent.contains(i)) {
            changed.push((
                "sitemap-news.xml".into(),
                Arc::new(crate::sitemap::news(
                    &built.prepared,
                    built.prepared.options.now,
                )),
            ));
        }
        let statics = built.statics.clone();
        Ok(Update {
            all: None,
            changed,
            statics,
            pages,
            kind: "edit",
            search_stale: c.search.enabled,
        })
    }

    /// Brings the search index up to date after an incremental rebuild: the files that
    /// changed (an empty shard, `{}`, is one a fresh build would not write).
    pub fn search_update(&mut self) -> Vec<(String, Bytes)> {
        let Some(b) = self.built.as_mut() else {
            return Vec::new();
        };
        let Some(index) = b.search.as_mut() else {
            return Vec::new();
        };
        let mut changed: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (i, old) in std::mem::take(&mut b.pending_search) {
            let new = doc_terms(&b.prepared, i);
            for (path, bytes) in index.update(&b.prepared, i, &old, &new) {
                changed.insert(crate::model::output_file(&path), bytes);
            }
        }
        changed
            .into_iter()
            .map(|(path, bytes)| (path, Arc::new(bytes)))
            .collect()
    }

    /// Site title, for messages.
    pub fn title(&self) -> Option<&str> {
        self.built
            .as_ref()
            .map(|b| b.prepared.config.title.as_str())
    }
}

fn diagnostics(e: Error) -> Diagnostics {
    match e {
        Error::Config(d) | Error::Content(d) | Error::Template(d) | Error::Render(d) => d,
        other => Diagnostics(vec![Diagnostic::error(
            crate::config::CONFIG_FILE,
            other.to_string(),
        )]),
    }
}

/// How long a rebuild took, for the one-line report.
pub fn elapsed_ms(since: Instant) -> u128 {
    since.elapsed().as_millis()
}

/// True for a path the last build did not read and that is gone again: the temporary file
/// of `sed -i` or of an editor's atomic save. It cannot change the site, so it must not
/// cost a full rebuild.
fn vanished_unknown(p: &crate::Prepared, rel: &str) -> bool {
    if rel.is_empty()
        || classify(rel) != FileKind::Other
        || p.config.paths.content.join(rel).symlink_metadata().is_ok()
    {
        return false;
    }
    let inside = format!("{rel}/");
    let known = |s: &str| s == rel || s.starts_with(&inside);
    let site = &p.site;
    !(site.by_source.keys().any(|s| known(s))
        || site.excluded.keys().any(|s| known(s))
        || site
            .sections
            .iter()
            .filter_map(|s| s.meta.as_ref())
            .any(|m| known(&m.file.rel))
        || site.authors.values().any(|a| known(&a.file.rel))
        || site
            .assets
            .iter()
            .any(|(_, a)| known(&format!("{}/{}", a.bundle, a.rel))))
}
