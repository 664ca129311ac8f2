//! The job list: every file the site consists of, in a stable order. Pages are rendered
//! through templates; feeds are written by [`crate::feeds`]; sitemaps, robots.txt and
//! redirects are small enough to be made while planning.

use std::collections::HashMap;

use crate::config::FeedFormat;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::pagination::{PageSlice, paginate};
use crate::model::{Level, Urls, output_file};
use crate::sitemap::{self, SitemapUrl};

use super::Renderer;

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
    /// A page taken down for good (index into `gone`; `None` for /410.html).
    Gone(Option<usize>),
    /// The search page.
    Search,
}

/// How a job's bytes are made.
#[derive(Debug, Clone)]
pub enum Content {
    Template(String, PageKind),
    Feed(usize, FeedFormat),
    Bytes(Vec<u8>),
}

/// One file to write.
#[derive(Debug, Clone)]
pub struct Job {
    /// Site path, decoded.
    pub path: String,
    /// File inside the output folder.
    pub output: String,
    pub content: Content,
}

impl Job {
    pub fn page(&self) -> Option<PageKind> {
        match &self.content {
            Content::Template(_, kind) => Some(*kind),
            _ => None,
        }
    }
}

/// A generated file: site path and bytes.
type GeneratedFile = (String, Vec<u8>);

/// Pagination of every list, computed once.
pub struct Lists {
    pub all: Vec<usize>,
    pub front: Vec<PageSlice>,
    pub sections: Vec<Vec<PageSlice>>,
    pub terms: Vec<Vec<Vec<PageSlice>>>,
    pub periods: HashMap<Level, Vec<Vec<PageSlice>>>,
}

impl Lists {
    pub fn new(p: &crate::Prepared) -> Lists {
        let c = &p.config;
        let s = &p.site;
        let per_tax = |t: &crate::model::Taxonomy| t.config.paginate_by.unwrap_or(c.paginate_by);
        Lists {
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
        }
    }
}

impl Renderer<'_> {
    fn template(&self, specific: String, general: &str) -> String {
        if self.templates.files.contains_key(&specific) {
            specific
        } else {
            general.to_string()
        }
    }

    /// The articles a list page shows (for `lastmod`), or all a page covers.
    pub fn items_of(&self, kind: PageKind) -> &[usize] {
        let s = &self.p.site;
        let l = &self.lists;
        match kind {
            PageKind::Article(i) => std::slice::from_ref(&l.all[i]),
            PageKind::Front(n) => &l.all[l.front[n - 1].range.clone()],
            PageKind::Section(si, n) => {
                &s.sections[si].articles[l.sections[si][n - 1].range.clone()]
            }
            PageKind::Term(ti, ki, n) => {
                &s.taxonomies[ti].terms[ki].articles[l.terms[ti][ki][n - 1].range.clone()]
            }
            PageKind::Period(level, pi, n) => {
                &s.archives.level(level)[pi].articles[l.periods[&level][pi][n - 1].range.clone()]
            }
            PageKind::ArchiveIndex | PageKind::TaxonomyIndex(_) => &l.all,
            PageKind::NotFound | PageKind::Gone(_) | PageKind::Search => &[],
        }
    }

    /// Tag pages with too few articles are kept out of search engines.
    pub fn noindex(&self, kind: PageKind) -> bool {
        match kind {
            PageKind::Term(ti, ki, _) => {
                let t = &self.p.site.taxonomies[ti];
                t.config.name == "tags"
                    && t.terms[ki].articles.len() < self.p.config.seo.noindex_tags_below
            }
            PageKind::NotFound | PageKind::Gone(_) | PageKind::Search => true,
            _ => false,
        }
    }

    /// Every file of the site, in a stable order, and problems found while planning.
    pub fn plan(&self) -> (Vec<Job>, Diagnostics) {
        self.plan_with(None)
    }

    /// [`Renderer::plan`], with a search index already built (as `nuri serve` keeps one).
    pub fn plan_with(
        &self,
        search: Option<&crate::search_index::SearchIndex>,
    ) -> (Vec<Job>, Diagnostics) {
        let s = &self.p.site;
        let c = &self.p.config;
        let mut diags = Diagnostics::default();
        let mut jobs = Vec::new();
        let mut page = |kind, path: String, template: String| {
            jobs.push(Job {
                output: output_file(&path),
                path,
                content: Content::Template(template, kind),
            });
        };
        for (i, e) in s.entries.iter().enumerate() {
            page(PageKind::Article(i), e.path.clone(), "article.html".into());
        }
        for p in &self.lists.front {
            page(
                PageKind::Front(p.number),
                p.path.clone(),
                "index.html".into(),
            );
        }
        for (si, pages) in self.lists.sections.iter().enumerate() {
            for p in pages {
                page(
                    PageKind::Section(si, p.number),
                    p.path.clone(),
                    "section.html".into(),
                );
            }
        }
        for (ti, t) in s.taxonomies.iter().enumerate() {
            let name = &t.config.name;
            page(
                PageKind::TaxonomyIndex(ti),
                t.path.clone(),
                self.template(format!("taxonomy_{name}.html"), "taxonomy.html"),
            );
            let term_template = self.template(format!("term_{name}.html"), "term.html");
            for (ki, pages) in self.lists.terms[ti].iter().enumerate() {
                for p in pages {
                    page(
                        PageKind::Term(ti, ki, p.number),
                        p.path.clone(),
                        term_template.clone(),
                    );
                }
            }
        }
        if c.archives.enabled {
            page(
                PageKind::ArchiveIndex,
                s.archives.path.clone(),
                "archive.html".into(),
            );
            for level in [Level::Year, Level::Month, Level::Day] {
                for (pi, pages) in self.lists.periods[&level].iter().enumerate() {
                    for p in pages {
                        page(
                            PageKind::Period(level, pi, p.number),
                            p.path.clone(),
                            "archive_period.html".into(),
                        );
                    }
                }
            }
        }
        page(PageKind::NotFound, "/404.html".into(), "404.html".into());
        if c.search.enabled && self.templates.files.contains_key("search.html") {
            page(PageKind::Search, "/search/".into(), "search.html".into());
        }
        if !c.gone.is_empty() {
            page(PageKind::Gone(None), "/410.html".into(), "410.html".into());
            for (i, path) in c.gone.iter().enumerate() {
                page(PageKind::Gone(Some(i)), path.clone(), "410.html".into());
            }
        }

        for (fi, spec) in self.feeds.iter().enumerate() {
            for &format in &c.feeds.formats {
                let path = spec.path(format);
                jobs.push(Job {
                    output: output_file(&path),
                    path,
                    content: Content::Feed(fi, format),
                });
            }
        }

        let sitemap_urls = self.sitemap_urls(&jobs);
        let mut bytes = |path: String, data: Vec<u8>| {
            jobs.push(Job {
                output: output_file(&path),
                path,
                content: Content::Bytes(data),
            });
        };
        for (path, data) in sitemap::files(c, &sitemap_urls) {
            bytes(path, data);
        }
        if c.sitemap.news {
            bytes(
                "/sitemap-news.xml".into(),
                sitemap::news(self.p, self.p.options.now),
            );
        }
        bytes("/robots.txt".into(), sitemap::robots(c));
        let (redirects, stubs) = self.redirects(&mut diags);
        if let Some(data) = redirects {
            bytes("/_redirects".into(), data);
        }
        for (path, data) in stubs {
            bytes(path, data);
        }
        if c.search.enabled && !self.search_apart {
            let files = match search {
                Some(index) => index.files(self.p),
                None => crate::search_index::files(self.p),
            };
            for (path, data) in files {
                bytes(path, data);
            }
        }

        (jobs, diags)
    }

    pub fn sitemap_urls(&self, jobs: &[Job]) -> Vec<SitemapUrl> {
        let s = &self.p.site;
        let urls = Urls(&self.p.config);
        let mut lists = Vec::new();
        let mut articles = Vec::new();
        for job in jobs {
            let Some(kind) = job.page() else { continue };
            if self.noindex(kind) {
                continue;
            }
            let lastmod = self
                .items_of(kind)
                .iter()
                .map(|&i| s.entries[i].article.modified())
                .max();
            let url = SitemapUrl {
                loc: urls.permalink(&job.path),
                lastmod,
            };
            match kind {
                PageKind::Article(i) => articles.push((i, url)),
                _ => lists.push(url),
            }
        }
        // Oldest articles first: a new article only touches the last sitemap part.
        articles.sort_by_key(|a| std::cmp::Reverse(a.0));
        lists.extend(articles.into_iter().map(|(_, u)| u));
        lists
    }

    /// `_redirects` for Netlify and Cloudflare, and meta-refresh pages for other hosts.
    fn redirects(&self, diags: &mut Diagnostics) -> (Option<Vec<u8>>, Vec<GeneratedFile>) {
        let c = &self.p.config;
        let urls = Urls(c);
        let mut lines = String::new();
        let mut stubs = Vec::new();
        for (from, to) in &c.redirects {
            let target = if let Some(rel) = to.strip_prefix("@/") {
                match self.p.site.by_source.get(rel) {
                    Some(&i) => self.p.site.entries[i].path.clone(),
                    None => {
                        diags.push(
                            Diagnostic::error(crate::config::CONFIG_FILE, format!("redirect `{from}` points to @/{rel}, which is not a published article"))
                                .with_hint("point it at an article file inside content/, or at a site path"),
                        );
                        continue;
                    }
                }
            } else {
                to.clone()
            };
            let (href, absolute) =
                if target.starts_with("http://") || target.starts_with("https://") {
                    (target.clone(), target.clone())
                } else {
                    (urls.url(&target), urls.permalink(&target))
                };
            lines.push_str(&format!("{} {} 301\n", urls.url(from), href));
            stubs.push((
                from.clone(),
                redirect_page(&href, &absolute, &c.language).into_bytes(),
            ));
        }
        for gone in &c.gone {
            lines.push_str(&format!(
                "{} {} 410!\n",
                urls.url(gone),
                urls.url("/410.html")
            ));
        }
        let file = if lines.is_empty() {
            None
        } else {
            Some(lines.into_bytes())
        };
        (file, stubs)
    }

    /// Describes a job for error messages.
    pub fn describe(&self, job: &Job) -> String {
        let s = &self.p.site;
        match &job.content {
            Content::Template(_, kind) => match *kind {
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
                PageKind::Gone(_) => format!("the removed-article page {}", job.path),
                PageKind::Search => "the search page".into(),
            },
            Content::Feed(..) => format!("the feed {}", job.path),
            Content::Bytes(_) => format!("the generated file {}", job.path),
        }
    }
}

/// A page that sends readers (and crawlers) on to `href`.
fn redirect_page(href: &str, absolute: &str, lang: &str) -> String {
    let href = crate::markdown::escape_attr(href);
    let absolute = crate::markdown::escape_attr(absolute);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>옮겨진 페이지</title>\n<link rel=\"canonical\" href=\"{absolute}\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>이 페이지는 <a href=\"{href}\">새 주소</a>로 옮겨졌습니다.</p>\n</body>\n</html>\n"
    )
}
