//! Rendering: a flat list of page jobs (every article, list page, term and archive page),
//! each rendered through Tera in parallel and handed to the output stage.

pub mod filters;
pub mod templates;
pub mod views;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::Prepared;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::pagination::{PageSlice, paginate};
use crate::model::{Level, output_file};
pub use templates::Templates;
use views::{Views, map};

/// What a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Article(usize),
    /// Front page, page number.
    Front(usize),
    /// Section index, page number.
    Section(usize, usize),
    TaxonomyIndex(usize),
    /// Taxonomy, term, page number.
    Term(usize, usize, usize),
    ArchiveIndex,
    /// Level, period index, page number.
    Period(Level, usize, usize),
    NotFound,
}

/// One file to render.
#[derive(Debug, Clone)]
pub struct Job {
    pub kind: PageKind,
    /// Site path, decoded.
    pub path: String,
    /// File inside the output folder.
    pub output: String,
    pub template: String,
}

/// Pagination of every list, computed once.
struct Lists {
    all: Vec<usize>,
    front: Vec<PageSlice>,
    sections: Vec<Vec<PageSlice>>,
    terms: Vec<Vec<Vec<PageSlice>>>,
    periods: HashMap<Level, Vec<Vec<PageSlice>>>,
}

/// Renders pages of one prepared site with one set of templates.
pub struct Renderer<'a> {
    pub p: &'a Prepared,
    pub templates: &'a Templates,
    pub views: Views,
    lists: Lists,
}

impl<'a> Renderer<'a> {
    pub fn new(p: &'a Prepared, templates: &'a mut Templates) -> Renderer<'a> {
        let views = Views::build(p);
        templates
            .tera
            .global_context()
            .insert_value("site", views.site.clone());
        let c = &p.config;
        let s = &p.site;
        let per_tax = |t: &crate::model::Taxonomy| t.config.paginate_by.unwrap_or(c.paginate_by);
        let lists = Lists {
            all: (0..s.entries.len()).collect(),
            front: paginate("/", s.entries.len(), c.paginate_by),
            sections: s
                .sections
                .iter()
                .map(|sec| paginate(&sec.path, sec.articles.len(), sec.paginate_by))
                .collect(),
            terms: s
                .taxonomies
                .iter()
                .map(|t| {
                    t.terms
                        .iter()
                        .map(|term| paginate(&term.path, term.articles.len(), per_tax(t)))
                        .collect()
                })
                .collect(),
            periods: [Level::Year, Level::Month, Level::Day]
                .into_iter()
                .map(|l| {
                    (
                        l,
                        s.archives
                            .level(l)
                            .iter()
                            .map(|p| paginate(&p.path, p.articles.len(), c.paginate_by))
                            .collect(),
                    )
                })
                .collect(),
        };
        Renderer {
            p,
            templates,
            views,
            lists,
        }
    }

    fn template(&self, specific: String, general: &str) -> String {
        if self.templates.files.contains_key(&specific) {
            specific
        } else {
            general.to_string()
        }
    }

    /// Every page of the site, in a stable order.
    pub fn plan(&self) -> Vec<Job> {
        let s = &self.p.site;
        let mut jobs = Vec::new();
        let mut push = |kind, path: String, template: String| {
            jobs.push(Job {
                kind,
                output: output_file(&path),
                path,
                template,
            });
        };
        for (i, e) in s.entries.iter().enumerate() {
            push(PageKind::Article(i), e.path.clone(), "article.html".into());
        }
        for page in &self.lists.front {
            push(
                PageKind::Front(page.number),
                page.path.clone(),
                "index.html".into(),
            );
        }
        for (si, pages) in self.lists.sections.iter().enumerate() {
            for page in pages {
                push(
                    PageKind::Section(si, page.number),
                    page.path.clone(),
                    "section.html".into(),
                );
            }
        }
        for (ti, t) in s.taxonomies.iter().enumerate() {
            let name = &t.config.name;
            push(
                PageKind::TaxonomyIndex(ti),
                t.path.clone(),
                self.template(format!("taxonomy_{name}.html"), "taxonomy.html"),
            );
            let term_template = self.template(format!("term_{name}.html"), "term.html");
            for (ki, pages) in self.lists.terms[ti].iter().enumerate() {
                for page in pages {
                    push(
                        PageKind::Term(ti, ki, page.number),
                        page.path.clone(),
                        term_template.clone(),
                    );
                }
            }
        }
        if self.p.config.archives.enabled {
            push(
                PageKind::ArchiveIndex,
                s.archives.path.clone(),
                "archive.html".into(),
            );
            for level in [Level::Year, Level::Month, Level::Day] {
                for (pi, pages) in self.lists.periods[&level].iter().enumerate() {
                    for page in pages {
                        push(
                            PageKind::Period(level, pi, page.number),
                            page.path.clone(),
                            "archive_period.html".into(),
                        );
                    }
                }
            }
        }
        jobs.push(Job {
            kind: PageKind::NotFound,
            path: "/404.html".into(),
            output: "404.html".into(),
            template: "404.html".into(),
        });
        jobs
    }

    /// Describes a job for error messages.
    pub fn describe(&self, job: &Job) -> String {
        let s = &self.p.site;
        match job.kind {
            PageKind::Article(i) => format!(
                "the article {}",
                s.entries[i].article.file.display.display()
            ),
            PageKind::Front(_) => "the front page".into(),
            PageKind::Section(i, _) => format!("the section `{}`", s.sections[i].key),
            PageKind::TaxonomyIndex(t) => format!("the {} index", s.taxonomies[t].config.name),
            PageKind::Term(t, k, _) => format!(
                "the {} page of `{}`",
                s.taxonomies[t].config.name, s.taxonomies[t].terms[k].name
            ),
            PageKind::ArchiveIndex => "the archive index".into(),
            PageKind::Period(..) => format!("the date archive {}", job.path),
            PageKind::NotFound => "the 404 page".into(),
        }
    }

    /// The template context of a page.
    pub fn context(&self, job: &Job) -> Context {
        let p = self.p;
        let s = &p.site;
        let v = &self.views;
        let mut ctx = Context::new();
        let page =
            |kind: &str, title: &str, description: &str, lang: Option<&str>, number: usize| {
                views::page(kind, title, &job.path, p, description, lang, number)
            };
        match job.kind {
            PageKind::Article(i) => {
                let e = &s.entries[i];
                let article = views::article(p, v, i);
                let summary = article
                    .get_from_path("summary")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                ctx.insert_value("page", page("article", &e.article.title, &summary, None, 1));
                ctx.insert_value("article", article);
            }
            PageKind::Front(n) => {
                ctx.insert_value(
                    "page",
                    page("front", &p.config.title, &p.config.description, None, n),
                );
                ctx.insert_value(
                    "paginator",
                    views::paginator(
                        p,
                        v,
                        &self.lists.all,
                        &self.lists.front,
                        n,
                        p.config.paginate_by,
                    ),
                );
                let fronts: Vec<Value> = s
                    .sections
                    .iter()
                    .enumerate()
                    .map(|(si, sec)| {
                        map! {
                            "section" => v.sections[si].clone(),
                            "articles" => sec.articles.iter().take(5).map(|&j| v.cards[j].clone()).collect::<Vec<_>>(),
                        }
                    })
                    .collect();
                ctx.insert_value("section_fronts", Value::from(fronts));
            }
            PageKind::Section(si, n) => {
                let sec = &s.sections[si];
                ctx.insert_value(
                    "page",
                    page("section", &sec.title, &sec.description, None, n),
                );
                let body = p.section_html.get(si).cloned().unwrap_or_default();
                ctx.insert_value(
                    "section",
                    views::with(
                        v.sections[si].clone(),
                        [
                            ("content", Value::safe_string(&body)),
                            (
                                "extra",
                                views::ser(&sec.meta.as_ref().map(|m| m.extra.clone())),
                            ),
                        ],
                    ),
                );
                ctx.insert_value(
                    "paginator",
                    views::paginator(
                        p,
                        v,
                        &sec.articles,
                        &self.lists.sections[si],
                        n,
                        sec.paginate_by,
                    ),
                );
            }
            PageKind::TaxonomyIndex(ti) => {
                let t = &s.taxonomies[ti];
                ctx.insert_value("page", page("taxonomy", &t.config.title, "", None, 1));
                ctx.insert_value("taxonomy", views::taxonomy_index(t));
            }
            PageKind::Term(ti, ki, n) => {
                let t = &s.taxonomies[ti];
                let term = &t.terms[ki];
                ctx.insert_value("page", page("term", &term.name, "", None, n));
                ctx.insert_value("taxonomy", views::taxonomy_link(t));
                ctx.insert_value("term", views::term(p, t, term));
                let per = t.config.paginate_by.unwrap_or(p.config.paginate_by);
                ctx.insert_value(
                    "paginator",
                    views::paginator(p, v, &term.articles, &self.lists.terms[ti][ki], n, per),
                );
            }
            PageKind::ArchiveIndex => {
                ctx.insert_value("page", page("archive", "", "", None, 1));
                let years: Vec<Value> = s
                    .archives
                    .years
                    .iter()
                    .map(|y| {
                        let months: Vec<Value> = s
                            .archives
                            .months
                            .iter()
                            .filter(|m| m.year == y.year)
                            .map(|m| views::period(p, m))
                            .collect();
                        views::with(views::period(p, y), [("months", Value::from(months))])
                    })
                    .collect();
                ctx.insert_value(
                    "archive",
                    map! { "years" => years, "url" => s.archives.url.as_str() },
                );
            }
            PageKind::Period(level, pi, n) => {
                let periods = s.archives.level(level);
                let period = &periods[pi];
                let pv = views::period(p, period);
                let title = pv
                    .get_from_path("title")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_string();
                ctx.insert_value("page", page("archive_period", &title, "", None, n));
                ctx.insert_value("period", pv);
                ctx.insert_value(
                    "newer_period",
                    pi.checked_sub(1)
                        .map_or_else(Value::none, |j| views::period(p, &periods[j])),
                );
                ctx.insert_value(
                    "older_period",
                    periods
                        .get(pi + 1)
                        .map_or_else(Value::none, |o| views::period(p, o)),
                );
                ctx.insert_value(
                    "paginator",
                    views::paginator(
                        p,
                        v,
                        &period.articles,
                        &self.lists.periods[&level][pi],
                        n,
                        p.config.paginate_by,
                    ),
                );
            }
            PageKind::NotFound => {
                ctx.insert_value("page", page("404", "", "", None, 1));
            }
        }
        ctx
    }

    pub fn render(&self, job: &Job) -> Result<Vec<u8>, Diagnostic> {
        let ctx = self.context(job);
        let mut out = Vec::with_capacity(16 * 1024);
        self.templates
            .tera
            .render_to(&job.template, &ctx, &mut out)
            .map_err(|e| {
                let mut d =
                    templates::template_error(&e, &self.templates.files, &self.p.config.paths.root);
                d.hint = Some(format!("while rendering {}", self.describe(job)));
                d
            })?;
        Ok(out)
    }

    /// Static files and bundle assets: output path → source file.
    pub fn files(&self) -> BTreeMap<String, PathBuf> {
        let mut files = BTreeMap::new();
        let c = &self.p.config;
        for dir in [c.paths.theme.join("static"), c.paths.static_dir.clone()] {
            if !dir.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&dir)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file() || crate::content::is_editor_noise(&name) {
                    continue;
                }
                if let Ok(rel) = entry.path().strip_prefix(&dir) {
                    let rel = crate::text::slug::nfc(
                        &rel.to_string_lossy()
                            .replace(std::path::MAIN_SEPARATOR, "/"),
                    );
                    files.insert(rel, entry.path().to_path_buf());
                }
            }
        }
        for (i, asset) in &self.p.site.assets {
            let entry = &self.p.site.entries[*i];
            files.insert(
                crate::model::images::asset_output(entry, &asset.rel),
                asset.source.clone(),
            );
        }
        files
    }

    /// Two things written to one file is an error naming both.
    pub fn check_collisions(&self, jobs: &[Job], files: &BTreeMap<String, PathBuf>) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let mut seen: HashMap<&str, &Job> = HashMap::with_capacity(jobs.len());
        for job in jobs {
            if let Some(other) = seen.insert(job.output.as_str(), job) {
                diags.push(
                    Diagnostic::error(
                        self.source_of(job),
                        format!(
                            "{} and {} would both be written to {}",
                            self.describe(other),
                            self.describe(job),
                            job.path
                        ),
                    )
                    .with_hint("change a slug, a section folder name or the permalink pattern"),
                );
            }
            if let Some(src) = files.get(&job.output) {
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

    fn source_of(&self, job: &Job) -> PathBuf {
        match job.kind {
            PageKind::Article(i) => self.p.site.entries[i].article.file.display.clone(),
            _ => PathBuf::from(crate::config::CONFIG_FILE),
        }
    }

    /// Renders every job in parallel, passing each result to `write`.
    pub fn render_all<W>(&self, jobs: &[Job], write: W) -> Diagnostics
    where
        W: Fn(&Job, Vec<u8>) -> Result<(), Diagnostic> + Sync,
    {
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .filter_map(|job| self.render(job).and_then(|bytes| write(job, bytes)).err())
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
