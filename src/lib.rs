//! nuri: a static site generator for news portals, Korean first.
//!
//! The pipeline runs one way: [`config`] → [`content`] (files read and parsed) → [`model`]
//! (URLs, sections, taxonomies, archives) → [`markdown`] (bodies rendered) → [`render`]
//! (Tera pages) → [`output`] (staging folder, atomic swap). [`prepare`] does everything up to
//! the templates and is shared by `build`, `check` and `serve`.

pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod feeds;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search_index;
pub mod seo;
pub mod serve;
pub mod sitemap;
pub mod sources;
pub mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use config::Config;
use error::{Diagnostic, Diagnostics, Error, Result};
use markdown::{LinkResolver, Rendered};
use model::images::ImageInfo;
use model::{BuildOptions, Site};

/// A site read, related and rendered to HTML fragments, ready for templates.
pub struct Prepared {
    pub config: Config,
    pub site: Site,
    /// Rendered bodies, one per entry.
    pub bodies: Vec<Rendered>,
    /// Lead photos, one per entry.
    pub images: Vec<Option<ImageInfo>>,
    /// `_index.md` bodies, one per section.
    pub section_html: Vec<String>,
    /// Reporter bios by term key.
    pub author_bios: BTreeMap<String, String>,
    /// Problems that do not stop publishing.
    pub warnings: Diagnostics,
    /// What was asked for (drafts, the clock).
    pub options: BuildOptions,
}

/// Resolves `@/path.md` links against the site model.
pub(crate) struct SiteLinks<'a>(&'a Site);

impl LinkResolver for SiteLinks<'_> {
    fn resolve(&self, target: &str) -> std::result::Result<String, String> {
        let target = target.trim_start_matches('/');
        if let Some(&i) = self.0.by_source.get(target) {
            return Ok(self.0.entries[i].url.clone());
        }
        if let Some(why) = self.0.excluded.get(target) {
            return Err(format!(
                "the article is not published in this build: {}",
                why.describe()
            ));
        }
        Err(format!("no article content/{target}"))
    }
}

/// The same answers as [`SiteLinks`], detached from the site so its articles can be
/// changed (their Markdown freed) while links are resolved.
struct LinkMap {
    urls: std::collections::HashMap<String, String>,
    excluded: BTreeMap<String, model::Exclusion>,
}

impl LinkMap {
    fn of(site: &Site) -> LinkMap {
        LinkMap {
            urls: site
                .entries
                .iter()
                .map(|e| (e.article.file.rel.clone(), e.url.clone()))
                .collect(),
            excluded: site.excluded.clone(),
        }
    }
}

impl LinkResolver for LinkMap {
    fn resolve(&self, target: &str) -> std::result::Result<String, String> {
        let target = target.trim_start_matches('/');
        if let Some(url) = self.urls.get(target) {
            return Ok(url.clone());
        }
        if let Some(why) = self.excluded.get(target) {
            return Err(format!(
                "the article is not published in this build: {}",
                why.describe()
            ));
        }
        Err(format!("no article content/{target}"))
    }
}

/// Loads, relates and renders the content of the site at `config`'s root.
pub fn prepare(config: Config, options: &BuildOptions) -> Result<Prepared> {
    let prepared = prepare_with(config, options, false);
    if prepared.warnings.has_errors() {
        return Err(Error::Content(prepared.warnings));
    }
    Ok(prepared)
}

/// Like [`prepare`], but always returns the model, with every problem (errors included) in
/// `warnings`, so `nuri check` can go on to templates and links.
pub fn prepare_all(config: Config, options: &BuildOptions) -> Prepared {
    prepare_with(config, options, true)
}

/// `keep_sources`: keep each article's Markdown after rendering (`nuri check` points into
/// it); a build frees it, a large part of its memory.
pub(crate) fn prepare_with(config: Config, options: &BuildOptions, keep_sources: bool) -> Prepared {
    let mut library = content::load(&config);
    let mut diags = std::mem::take(&mut library.diagnostics);
    let mut site = Site::build(library, &config, options, &mut diags);

    let link_map = LinkMap::of(&site);
    let results: Vec<std::result::Result<Rendered, Vec<Diagnostic>>> = site
        .entries
        .par_iter_mut()
        .map(|e| {
            let rendered = markdown::render(
                &e.article.file.display,
                &e.article.body,
                e.article.body_line,
                &link_map,
            )
            .map(|r| clean(&config, r));
            if !keep_sources {
                e.article.body = String::new();
            }
            rendered
        })
        .collect();
    let links = SiteLinks(&site);
    let mut bodies = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(b) => bodies.push(b),
            Err(ds) => {
                diags.extend(ds);
                bodies.push(Rendered::default());
            }
        }
    }
    let section_html = site
        .sections
        .iter()
        .map(|s| match &s.meta {
            Some(m) if !m.body.is_empty() => {
                match markdown::render(&m.file.display, &m.body, 1, &links) {
                    Ok(r) => clean(&config, r).html,
                    Err(ds) => {
                        diags.extend(ds);
                        String::new()
                    }
                }
            }
            _ => String::new(),
        })
        .collect();
    let mut author_bios = BTreeMap::new();
    for (key, profile) in &site.authors {
        match markdown::render(&profile.file.display, &profile.bio, 1, &links) {
            Ok(r) => {
                author_bios.insert(key.clone(), clean(&config, r).html);
            }
            Err(ds) => diags.extend(ds),
        }
    }
    check_anchors(&site, &bodies, &mut diags);

    let images: Vec<Option<ImageInfo>> = site
        .entries
        .par_iter()
        .map(|e| model::images::probe(&config, e))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|d| {
                diags.push(d);
                None
            })
        })
        .collect();

    diags.sort();
    Prepared {
        config,
        site,
        bodies,
        images,
        section_html,
        author_bios,
        warnings: diags,
        options: options.clone(),
    }
}

/// Sanitises rendered HTML when the site does not trust raw HTML in Markdown, and cuts an
/// automatic summary (the first paragraph) to the configured length: a 10 MB paragraph
/// must not be copied into every list and feed.
pub(crate) fn clean(config: &Config, mut r: Rendered) -> Rendered {
    if !config.unsafe_html {
        r.html = markdown::sanitize(&r.html);
        r.summary_html = markdown::sanitize(&r.summary_html);
    }
    let max = config.limits.summary_chars;
    if r.summary_text.chars().nth(max).is_some() {
        r.summary_text = text::truncate(&r.summary_text, max);
        r.summary_html = format!("<p>{}</p>\n", markdown::escape_text(&r.summary_text));
    }
    r
}

/// `@/a.md#배경` must name a heading that `a.md` has.
pub(crate) fn check_anchors(site: &Site, bodies: &[Rendered], diags: &mut Diagnostics) {
    check_anchors_of(site, bodies, 0..bodies.len(), diags);
}

/// [`check_anchors`] for the links of some entries only.
pub(crate) fn check_anchors_of(
    site: &Site,
    bodies: &[Rendered],
    entries: impl IntoIterator<Item = usize>,
    diags: &mut Diagnostics,
) {
    for i in entries {
        let body = &bodies[i];
        for link in &body.links {
            let (Some(anchor), Some(&target)) = (&link.anchor, site.by_source.get(&link.target))
            else {
                continue;
            };
            let decoded = text::url::decode_path(anchor).unwrap_or_else(|| anchor.clone());
            if !bodies[target].headings.iter().any(|h| h.id == decoded) {
                diags.push(
                    Diagnostic::error(
                        &site.entries[i].article.file.display,
                        format!("`#{anchor}` is not a heading of content/{}", link.target),
                    )
                    .at(link.line, link.column)
                    .with_hint(format!(
                        "its headings are: {}",
                        bodies[target]
                            .headings
                            .iter()
                            .map(|h| format!("#{}", h.id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
        }
    }
}

/// What a build was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    pub root: PathBuf,
    /// Output folder; default: `output_dir` from config, inside the root.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub options: BuildOptions,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    pub articles: usize,
    pub pages: usize,
    /// Pages identical to the previous build's, hard-linked instead of written.
    pub reused: usize,
    pub files: usize,
    pub warnings: Diagnostics,
    pub elapsed: Duration,
}

/// Reads config.toml and applies command-line overrides.
pub fn load_config(request: &BuildRequest) -> Result<Config> {
    let mut config = Config::load(&request.root)?;
    if let Some(url) = &request.base_url {
        config.base_url =
            config::BaseUrl::parse(url).map_err(|m| Error::usage(Path::new("--base-url"), m))?;
    }
    if let Some(out) = &request.output {
        config.paths.output = out.clone();
    }
    Ok(config)
}

/// Builds the site into its output folder; the previous site stays until this succeeds.
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

pub fn build(request: &BuildRequest) -> Result<Report> {
    let started = Instant::now();
    let mut phases = Phases::new();
    let config = load_config(request)?;
    let prepared = prepare(config, &request.options)?;
    phases.mark("prepare");
    let mut templates = render::Templates::load(&prepared.config).map_err(Error::Template)?;
    let state = render::RenderState::new(&prepared, &mut templates);
    let mut renderer = render::Renderer::new(&prepared, &templates, &state);
    // The search index is built beside the pages (below), not before them.
    renderer.search_apart = true;
    phases.mark("views");
    let (mut jobs, mut problems) = renderer.plan();
    phases.mark("plan");
    let (files, file_warnings) = renderer.files_checked();
    problems.extend(renderer.check_collisions(&mut jobs, &files).0);
    if problems.has_errors() {
        return Err(Error::Content(problems));
    }

    let paths = &prepared.config.paths;
    let sources = [
        paths.content.clone(),
        paths.static_dir.clone(),
        paths.templates.clone(),
        paths.root.join("themes"),
    ];
    let guard = output::Guard {
        root: &paths.root,
        sources: &sources,
    };
    let staging = output::Staging::begin(&paths.output, &guard, |holder| {
        eprintln!(
            "waiting for another nuri build (process {holder}) that is writing to {}",
            paths.output.display()
        )
    })?;
    let write_error = |e: output::OutputError| Diagnostic::error(staging.output(), e.to_string());
    let search = || -> std::result::Result<usize, output::OutputError> {
        if !prepared.config.search.enabled {
            return Ok(0);
        }
        let index = search_index::SearchIndex::build(&prepared);
        let count = std::sync::atomic::AtomicUsize::new(0);
        index.each_file(&prepared, |path, data| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            staging.write(&model::output_file(&path), &data)
        })?;
        Ok(count.into_inner())
    };
    let (searched, diags) = rayon::join(search, || {
        renderer.render_all(&jobs, |job, bytes| {
            staging.write(&job.output, bytes).map_err(write_error)
        })
    });
    if diags.has_errors() {
        return Err(Error::Render(diags));
    }
    let search_files = searched?;
    phases.mark("render+write");
    let copied: Vec<std::result::Result<(), output::OutputError>> = files
        .par_iter()
        .map(|(rel, src)| staging.copy(rel, src))
        .collect();
    for r in copied {
        r?;
    }
    let output_dir = staging.output().to_path_buf();
    let reused = staging.reused();
    phases.mark("copy");
    let committed = staging.commit()?;
    phases.mark("swap");
    Ok(Report {
        output: output_dir.clone(),
        articles: prepared.site.entries.len(),
        pages: jobs.len() + search_files,
        reused,
        files: files.len(),
        warnings: {
            let mut w = prepared.warnings.clone();
            w.extend(file_warnings.0);
            if let Some(why) = committed.leftover {
                w.push(Diagnostic::warning(&output_dir, why));
            }
            w
        },
        elapsed: started.elapsed(),
    })
}
