//! One version of the site: the model built from the sources as they were, the list of its
//! files, and everything needed to render or fingerprint any of them. A snapshot never
//! changes; a change to the sources makes a new one (cheaply: parsing is kept, the model is
//! rebuilt, cards and related lists are made when first asked for).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use super::library::{BodyFacts, ContentFiles};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::markdown::{LinkResolver, Rendered};
use crate::model::images::ImageInfo;
use crate::model::{BuildOptions, Site};
use crate::render::Templates;
use crate::render::assets::Assets;
use crate::render::pages::{Job, Plan};
use crate::render::view::{BodyPart, Inputs, Shared, V};
use crate::render::views::{self, Scope, SharedViews};

/// A version of the site, ready to render.
pub struct Snapshot {
    /// The config as the default edition sees it.
    pub config: Arc<Config>,
    /// Per edition: the config as it sees it (the first is [`Snapshot::config`]).
    pub editions: Vec<Arc<Config>>,
    /// The templates of the default edition's pages.
    pub templates: Arc<Templates>,
    /// Per edition: its templates (its `site`, its `t()` language, its dates).
    pub edition_templates: Vec<Arc<Templates>>,
    pub options: BuildOptions,
    pub site: Site,
    pub images: Vec<Option<ImageInfo>>,
    /// Body photos published in sizes, by site path (no leading `/`).
    pub pictures: HashMap<String, Arc<crate::photos::Picture>>,
    pub section_html: Vec<String>,
    pub author_bios: BTreeMap<String, String>,
    pub shared: SharedViews,
    pub plan: Plan,
    /// Static files and bundle assets: output path → source file.
    pub statics: BTreeMap<String, PathBuf>,
    /// Where photos' files are kept (some `statics` are there, outside the site).
    pub photo_dir: PathBuf,
    /// Per entry: the file its body is read from, and the hash its text must have.
    pub sources: Vec<(PathBuf, u64)>,
    /// Problems of this version (errors mean it cannot be published).
    pub problems: Diagnostics,
    cards: Vec<OnceLock<Shared>>,
    /// Hash of every article's URL, for bodies whose links cannot be found by scanning.
    urls_hash: u64,
    /// Hash of everything every page depends on: templates, config, options.
    pub global: u64,
    /// Hash of the config (with command-line overrides).
    pub config_hash: u64,
}

/// The inputs to one snapshot.
pub struct Parts<'a> {
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub options: &'a BuildOptions,
    pub content: &'a ContentFiles,
    pub statics: BTreeMap<String, PathBuf>,
    pub photos: &'a super::images::Photos,
    pub config_hash: u64,
}

impl Snapshot {
    /// Builds the model and the plan of a version of the sources.
    pub fn new(p: Parts<'_>) -> Snapshot {
        let base = if p.options.preview {
            preview_config(&p.config)
        } else {
            (*p.config).clone()
        };
        let strings = p.templates.strings.clone();
        let lookup = |lang: &str, key: &str| strings.get(lang, key).map(str::to_string);
        let editions: Vec<Arc<Config>> = (0..base.editions.len())
            .map(|e| Arc::new(base.for_edition(e, &lookup)))
            .collect();
        let c = editions[0].clone();
        let mut phases = super::build::Phases::new();
        let mut problems = p.content.problems();
        let library = p.content.library();
        phases.mark("  library");
        let site = Site::build(&library, &c, &editions, p.options, &mut problems);
        phases.mark("  site");
        let sources = site
            .entries
            .iter()
            .map(|e| {
                let f = p.content.get(&e.article.file.rel);
                (
                    f.map_or_else(
                        || c.paths.content.join(&e.article.file.rel),
                        |f| f.path.clone(),
                    ),
                    f.map_or(0, |f| f.record.hash),
                )
            })
            .collect();
        let (mut statics, assets) = publish_statics(p.statics, p.options, &c, &site, &mut problems);
        let shown = super::images::prepare(p.photos, &c, &site, &mut statics, &mut problems);
        phases.mark("  images");
        let (section_html, author_bios) = render_intros(&c, &site, &mut problems);
        phases.mark("  sections");
        let shared = SharedViews::build(&editions, &site, &strings);
        let urls_hash = {
            let mut h = Xxh3::new();
            for e in &site.entries {
                h.write(e.article.file.rel.as_bytes());
                h.write(e.url.as_bytes());
            }
            h.finish()
        };
        let cards = (0..site.entries.len()).map(|_| OnceLock::new()).collect();
        // `site` is every template's, components' included: Tera's global context, in this
        // snapshot's own copy of the templates; `asset()` knows this version's file names.
        phases.mark("  shared");
        let edition_templates: Vec<Arc<Templates>> = editions
            .iter()
            .enumerate()
            .map(|(e, ec)| {
                let mut templates = if e == 0 {
                    (*p.templates).clone()
                } else {
                    p.templates.for_edition(ec)
                };
                templates
                    .tera
                    .global_context()
                    .insert_value("site", shared.sites[e].value.clone());
                assets.register(&mut templates.tera, crate::model::Urls(&c).url("/"));
                Arc::new(templates)
            })
            .collect();
        let global = {
            let mut h = Xxh3::new();
            h.write_u64(p.templates.hash);
            for site in &shared.sites {
                h.write_u64(site.hash);
            }
            h.write_u64(p.config_hash);
            h.write_u8(p.options.drafts as u8);
            h.write_u8(p.options.future as u8);
            h.write_u8(p.options.expired as u8);
            h.write_u8(p.options.preview as u8);
            h.write_u64(assets.hash);
            h.finish()
        };
        let mut snap = Snapshot {
            config: c,
            editions,
            templates: edition_templates[0].clone(),
            edition_templates,
            options: p.options.clone(),
            site,
            images: shown.leads,
            pictures: shown.bodies,
            section_html,
            author_bios,
            shared,
            plan: Plan {
                jobs: Vec::new(),
                lists: Default::default(),
                feeds: Vec::new(),
                sitemap: Vec::new(),
                news: Vec::new(),
                feed_of: Default::default(),
            },
            statics,
            photo_dir: p.photos.store.dir().to_path_buf(),
            sources,
            problems,
            cards,
            urls_hash,
            global,
            config_hash: p.config_hash,
        };
        phases.mark("  templates");
        let templates = snap.templates.clone();
        let (mut plan, plan_problems) =
            Plan::new(&snap.scope(), snap.options.now, &|t| templates.has(t));
        plan.add_headers(&snap.config, snap.options.preview, &assets);
        snap.plan = plan;
        snap.problems.extend(plan_problems.0);
        phases.mark("  plan");
        let collisions = super::collisions::check(&snap);
        snap.problems.extend(collisions.0);
        snap.problems.sort();
        phases.mark("  collisions");
        snap
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            config: &self.config,
            site: &self.site,
            shared: &self.shared,
            images: &self.images,
            section_html: &self.section_html,
            author_bios: &self.author_bios,
            preview: self.options.preview,
            editions: &self.editions,
            strings: &self.templates.strings,
        }
    }

    /// The templates that render `job` (those of its edition).
    pub fn templates_of(&self, job: &Job) -> &Templates {
        &self.edition_templates[job.edition]
    }

    /// Builds every card now (a build shows them all; a preview builds them when asked).
    pub fn fill_cards(&self) {
        (0..self.cards.len()).into_par_iter().for_each(|i| {
            let _ = self.card(i);
        });
    }

    /// Search block `b`'s documents: their entries, in document order, and each one's
    /// (source path, text hash), which tell whether the block's index can be kept.
    pub fn search_block(&self, b: usize) -> (Vec<usize>, Vec<(String, u64)>) {
        let n = self.site.entries.len();
        let entries: Vec<usize> = crate::formats::search::block_docs(n, b)
            .map(|d| crate::formats::search::entry_of(n, d))
            .collect();
        let members = entries
            .iter()
            .map(|&i| {
                (
                    self.site.entries[i].article.file.rel.clone(),
                    self.sources[i].1,
                )
            })
            .collect();
        (entries, members)
    }

    /// The fingerprint of entry `i`'s body: its file's text, the URLs of the articles it
    /// links to, and the settings rendering it follows.
    pub fn body_hash(&self, i: usize) -> u64 {
        let a = &self.site.entries[i].article;
        let mut h = Xxh3::new();
        h.write_u64(a.source_hash);
        if a.links.opaque {
            h.write_u64(self.urls_hash);
        }
        for img in &a.links.images {
            let picture = super::images::body_path(&self.site.entries[i], &img.dest)
                .and_then(|path| self.pictures.get(&path));
            h.write_u64(picture.map_or(0, |p| p.key));
        }
        for target in &a.links.targets {
            h.write(target.as_bytes());
            match self.site.by_source.get(target) {
                Some(&j) => h.write(self.site.entries[j].url.as_bytes()),
                None => h.write_u8(match self.site.excluded.get(target) {
                    Some(why) => *why as u8 + 1,
                    None => 0,
                }),
            }
        }
        h.finish()
    }

    /// Renders entry `i`'s body, reading its file again (the first pass kept only what
    /// lists need). The file must still hold the text the model was built from.
    pub fn render_body(&self, i: usize) -> Result<Rendered, Vec<Diagnostic>> {
        let a = &self.site.entries[i].article;
        let (path, hash) = &self.sources[i];
        let text = crate::content::read_text(&a.file.display, path).map_err(|d| vec![d])?;
        if xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != *hash {
            return Err(vec![
                Diagnostic::error(
                    &a.file.display,
                    "the file changed while the site was being built",
                )
                .with_hint("build again"),
            ]);
        }
        let body = a.body_of(&text);
        let links = BodyLinks {
            site: SiteLinks(&self.site),
            snap: self,
            entry: i,
        };
        crate::markdown::render(&a.file.display, body, a.body_line, &links).map(|mut r| {
            r.html = clean(&self.config, r.html);
            r
        })
    }

    /// The fingerprint of a job: equal fingerprints, equal bytes.
    pub fn fingerprint(&self, job: &Job) -> u64 {
        let mut h = Xxh3::new();
        h.write_u64(self.global);
        h.write(job.output.as_bytes());
        match job.template() {
            Some(t) => {
                h.write(t.as_bytes());
                let view = self.plan.view(&self.scope(), job);
                h.write_u64(view.hash(&Body::lazy(self)));
            }
            None => {
                if let crate::render::Content::Bytes(b) = &job.content {
                    h.write(b);
                }
            }
        }
        h.finish()
    }

    /// Renders a job and gives its fingerprint too, from one build of its view (for a build
    /// that has no fingerprints to compare with: the first, or one without a cache).
    pub fn render_fingerprinted(
        &self,
        job: &Job,
        body: Option<(usize, &Rendered)>,
    ) -> Result<(Vec<u8>, u64), Diagnostic> {
        let Some(template) = job.template() else {
            return Ok((self.render(job, body)?, self.fingerprint(job)));
        };
        let view = self.plan.view(&self.scope(), job);
        let inputs = match body {
            Some((i, r)) => Body::given(self, i, r),
            None => Body::lazy(self),
        };
        let mut h = Xxh3::new();
        h.write_u64(self.global);
        h.write(job.output.as_bytes());
        h.write(template.as_bytes());
        h.write_u64(view.hash(&inputs));
        let ctx = view.to_context(&inputs)?;
        let bytes = self
            .templates_of(job)
            .render(template, &ctx, || self.plan.describe(&self.site, job))?;
        Ok((bytes, h.finish()))
    }

    /// Renders a job (with entry `body`'s render, when it was made already).
    pub fn render(
        &self,
        job: &Job,
        body: Option<(usize, &Rendered)>,
    ) -> Result<Vec<u8>, Diagnostic> {
        let Some(template) = job.template() else {
            return Ok(match &job.content {
                crate::render::Content::Bytes(b) => b.clone(),
                _ => Vec::new(),
            });
        };
        let view = self.plan.view(&self.scope(), job);
        let inputs = match body {
            Some((i, r)) => Body::given(self, i, r),
            None => Body::lazy(self),
        };
        let ctx = view.to_context(&inputs)?;
        self.templates_of(job)
            .render(template, &ctx, || self.plan.describe(&self.site, job))
    }

    /// What entry `i`'s render tells other articles.
    pub fn facts(r: &Rendered) -> BodyFacts {
        BodyFacts {
            headings: r.headings.clone(),
            anchors: r
                .links
                .iter()
                .filter_map(|l| {
                    l.anchor
                        .as_ref()
                        .map(|a| (l.target.clone(), a.clone(), l.line, l.column))
                })
                .collect(),
        }
    }

    /// `@/a.md#배경` must name a heading that `a.md` has. `facts` gives each article's.
    pub fn check_anchors(&self, facts: &dyn Fn(&str) -> Option<BodyFacts>) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let mut headings: HashMap<String, Option<BodyFacts>> = HashMap::new();
        for e in &self.site.entries {
            let a = &e.article;
            let Some(mine) = facts(&a.file.rel) else {
                continue;
            };
            for (target, anchor, line, column) in &mine.anchors {
                if !self.site.by_source.contains_key(target) {
                    continue;
                }
                let theirs = headings
                    .entry(target.clone())
                    .or_insert_with(|| facts(target));
                let Some(theirs) = theirs else { continue };
                let decoded =
                    crate::text::url::decode_path(anchor).unwrap_or_else(|| anchor.clone());
                if !theirs.headings.iter().any(|h| h.id == decoded) {
                    diags.push(
                        Diagnostic::error(
                            &a.file.display,
                            format!("`#{anchor}` is not a heading of content/{target}"),
                        )
                        .at(*line, *column)
                        .with_hint(format!(
                            "its headings are: {}",
                            theirs
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
        diags
    }
}

/// The shared nodes of a snapshot's views: cards and bodies.
struct Body<'s> {
    snap: &'s Snapshot,
    /// One body's render, made before or on first use.
    rendered: std::cell::RefCell<Option<(usize, Rendered)>>,
    given: Option<(usize, &'s Rendered)>,
}

impl<'s> Body<'s> {
    fn lazy(snap: &'s Snapshot) -> Body<'s> {
        Body {
            snap,
            rendered: Default::default(),
            given: None,
        }
    }

    fn given(snap: &'s Snapshot, i: usize, r: &'s Rendered) -> Body<'s> {
        Body {
            snap,
            rendered: Default::default(),
            given: Some((i, r)),
        }
    }
}

impl Snapshot {
    /// The card of entry `i`, built on first use.
    pub fn card(&self, i: usize) -> &Shared {
        self.cards[i].get_or_init(|| {
            let scope = self.scope().edition(self.site.entries[i].edition);
            let v: V<'_> = views::card(&scope, i);
            Shared::of(&v)
        })
    }
}

impl Inputs for Body<'_> {
    fn card(&self, i: usize) -> &Shared {
        self.snap.card(i)
    }

    fn body_hash(&self, i: usize) -> u64 {
        self.snap.body_hash(i)
    }

    fn body(&self, i: usize, part: BodyPart) -> Result<tera::Value, Diagnostic> {
        let from = |r: &Rendered| match part {
            BodyPart::Html => tera::Value::safe_string(&r.html),
            BodyPart::HtmlText => tera::Value::from(r.html.as_str()),
            BodyPart::Toc => tera::Value::from_serializable(&r.headings),
            BodyPart::Reading => tera::Value::from_serializable(&r.stats),
        };
        if let Some((j, r)) = self.given
            && j == i
        {
            return Ok(from(r));
        }
        let mut slot = self.rendered.borrow_mut();
        if slot.as_ref().is_none_or(|(j, _)| *j != i) {
            let r = self.snap.render_body(i).map_err(|mut ds| ds.remove(0))?;
            *slot = Some((i, r));
        }
        Ok(from(&slot.as_ref().expect("rendered").1))
    }
}

/// Resolves `@/path.md` links against the site model: the one resolver every render uses.
pub struct SiteLinks<'a>(pub &'a Site);

impl LinkResolver for SiteLinks<'_> {
    fn resolve(&self, target: &str) -> Result<String, String> {
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

/// The links and photos of one article's body.
struct BodyLinks<'a> {
    site: SiteLinks<'a>,
    snap: &'a Snapshot,
    entry: usize,
}

impl LinkResolver for BodyLinks<'_> {
    fn resolve(&self, target: &str) -> Result<String, String> {
        self.site.resolve(target)
    }

    fn picture(&self, dest: &str, alt: &str, title: &str) -> Option<String> {
        let dest = crate::text::url::decode_path(dest).unwrap_or_else(|| dest.to_string());
        let entry = &self.snap.site.entries[self.entry];
        let path = super::images::body_path(entry, &crate::text::slug::nfc(&dest))?;
        // Only a photo the scan of this body found: the body's fingerprint includes those
        // (a photo written some other way is a plain `<img>`).
        if !entry
            .article
            .links
            .images
            .iter()
            .any(|i| super::images::body_path(entry, &i.dest).as_deref() == Some(path.as_str()))
        {
            return None;
        }
        let p = self.snap.pictures.get(&path)?;
        let c = &self.snap.config;
        Some(crate::render::picture::body_html(
            &crate::model::Urls(c),
            p,
            alt,
            title,
            &c.images.body_sizes,
        ))
    }
}

/// Sanitises rendered HTML when the site does not trust raw HTML in Markdown.
fn clean(config: &Config, html: String) -> String {
    if config.unsafe_html {
        html
    } else {
        crate::markdown::sanitize(&html)
    }
}

/// What a preview build publishes differs from production in its config: no feeds, no news
/// sitemap, no search index and no IndexNow key (nothing a crawler or a feed reader picks
/// up); sitemaps and robots.txt are handled by the plan.
fn preview_config(c: &Config) -> Config {
    let mut c = c.clone();
    c.feeds.formats.clear();
    c.sitemap.news = false;
    c.search.enabled = false;
    c.indexnow = None;
    c
}

/// `logo` and `default_image` name static files (unless they are absolute URLs): one that
/// is not there would give every page a broken `og:image` and JSON-LD image.
fn missing_site_images(
    c: &Config,
    statics: &std::collections::BTreeMap<String, std::path::PathBuf>,
) -> Vec<Diagnostic> {
    [("logo", &c.logo), ("default_image", &c.default_image)]
        .into_iter()
        .filter_map(|(key, value)| {
            let path = value.as_deref()?;
            if path.starts_with("http://") || path.starts_with("https://") {
                return None;
            }
            let rel = path.trim_start_matches('/');
            (!statics.contains_key(rel)).then(|| {
                Diagnostic::error(
                    crate::config::CONFIG_FILE,
                    format!("{key} `{path}` is not a file in static/ or the theme's static/"),
                )
                .with_hint("put the image in static/ (e.g. static/images/share.png) and write its path from there: \"/images/share.png\"")
            })
        })
        .collect()
}

/// The HTML of each section's introduction (`_index.md`) and each reporter's biography.
fn render_intros(
    c: &Config,
    site: &Site,
    problems: &mut Diagnostics,
) -> (Vec<String>, BTreeMap<String, String>) {
    let links = SiteLinks(site);
    let section_html = site
        .sections
        .iter()
        .map(|s| match &s.meta {
            Some(m) if !m.body.is_empty() => {
                match crate::markdown::render(&m.file.display, &m.body, 1, &links) {
                    Ok(r) => clean(c, r.html),
                    Err(ds) => {
                        problems.extend(ds);
                        String::new()
                    }
                }
            }
            _ => String::new(),
        })
        .collect();
    let mut author_bios = BTreeMap::new();
    for (key, profile) in &site.authors {
        match crate::markdown::render(&profile.file.display, &profile.bio, 1, &links) {
            Ok(r) => {
                author_bios.insert(key.clone(), clean(c, r.html));
            }
            Err(ds) => problems.extend(ds),
        }
    }
    (section_html, author_bios)
}

/// The static files this version publishes (output path → source): the site's and the
/// theme's, bundle files beside their article's page, and CSS and JS a second time under
/// their fingerprinted names. A preview drops the site's own robots.txt and _headers.
fn publish_statics(
    mut statics: BTreeMap<String, PathBuf>,
    options: &BuildOptions,
    c: &Config,
    site: &Site,
    problems: &mut Diagnostics,
) -> (BTreeMap<String, PathBuf>, Assets) {
    if options.preview {
        // A preview's robots.txt turns every crawler away, and its _headers keep
        // `X-Robots-Tag: noindex`, whatever the site's own files say.
        statics.remove("robots.txt");
        statics.remove("_headers");
    }
    statics.extend(site.assets.iter().map(|(i, a)| {
        (
            crate::model::images::asset_output(&site.entries[*i], &a.rel),
            a.source.clone(),
        )
    }));
    let (assets, asset_problems) = Assets::of(&statics);
    problems.extend(asset_problems);
    problems.extend(missing_site_images(c, &statics));
    for (plain, name) in &assets.names {
        if let Some(source) = statics.get(plain).cloned() {
            statics.insert(name.clone(), source);
        }
    }
    (statics, assets)
}
