//! The site's files as a flat list of jobs, and each job's view.
//!
//! Every page, feed, sitemap and small generated file is a [`Job`]: where it goes and what
//! makes it. Template jobs have a view ([`Plan::view`]), which is rendered or hashed; the
//! rest are bytes made here. The search index and static files are listed by the pipeline.

use std::borrow::Cow;

use crate::config::{Config, FeedFormat};
use crate::formats::feeds::{self, FeedSpec};
use crate::formats::{seo, sitemap};
use crate::model::pagination::{PageSlice, paginate};
use crate::model::{Level, Site, Urls, output_file};
use crate::render::view::{V, vmap};
use crate::render::views::{self, PageInfo, Scope};
use sitemap::SitemapUrl;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A page through its template.
    Page(String, PageKind),
    /// A feed: index into [`Plan::feeds`], and format.
    Feed(usize, FeedFormat),
    /// A sitemap part (documents in [`Plan::sitemap`]), or the index over parts.
    Sitemap(std::ops::Range<usize>),
    SitemapIndex,
    NewsSitemap,
    Robots,
    /// Small generated files: `_redirects`, redirect stubs.
    Bytes(Vec<u8>),
}

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            Content::Page(_, kind) => Some(*kind),
            _ => None,
        }
    }

    /// The template that renders this job, if one does.
    pub fn template(&self) -> Option<&str> {
        Some(match &self.content {
            Content::Page(t, _) => t,
            Content::Feed(_, f) => feeds::template(*f),
            Content::Sitemap(_) => "sitemaps/urlset.xml",
            Content::SitemapIndex => "sitemaps/index.xml",
            Content::NewsSitemap => "sitemaps/news.xml",
            Content::Robots => "robots.txt",
            Content::Bytes(_) => return None,
        })
    }
}

/// Pagination of every list, computed once.
#[derive(Debug, Default)]
pub struct Lists {
    pub all: Vec<usize>,
    pub front: Vec<PageSlice>,
    pub sections: Vec<Vec<PageSlice>>,
    pub terms: Vec<Vec<Vec<PageSlice>>>,
    pub periods: [Vec<Vec<PageSlice>>; 3],
}

impl Lists {
    pub fn new(c: &Config, s: &Site) -> Lists {
        let per_tax = |t: &crate::model::Taxonomy| t.config.paginate_by.unwrap_or(c.paginate_by);
        let level = |l: Level| {
            s.archives
                .level(l)
                .iter()
                .map(|p| paginate(&p.path, p.articles.len(), c.paginate_by))
                .collect()
        };
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
            periods: [level(Level::Year), level(Level::Month), level(Level::Day)],
        }
    }

    fn periods(&self, l: Level) -> &[Vec<PageSlice>] {
        &self.periods[l as usize]
    }
}

/// Everything that decides the site's files: the jobs and what their views need.
pub struct Plan {
    pub jobs: Vec<Job>,
    pub lists: Lists,
    pub feeds: Vec<FeedSpec>,
    /// Indexable pages for `sitemap.xml`, in their stable order.
    pub sitemap: Vec<SitemapUrl>,
    /// Entries of the news sitemap.
    pub news: Vec<usize>,
    /// Feed by the site path of the page it follows.
    pub feed_of: std::collections::HashMap<String, usize>,
}

/// Whether a template exists (a theme or site file of that name).
pub type HasTemplate<'a> = &'a dyn Fn(&str) -> bool;

impl Plan {
    /// Every file of the site, in a stable order.
    pub fn new(
        s: &Scope<'_>,
        now: jiff::Timestamp,
        has: HasTemplate<'_>,
    ) -> (Plan, crate::error::Diagnostics) {
        let c = s.config;
        let lists = Lists::new(c, s.site);
        let feeds = feeds::plan(c, s.site);
        let feed_of = feeds
            .iter()
            .enumerate()
            .map(|(i, f)| (f.page_path.clone(), i))
            .collect();
        let mut plan = Plan {
            jobs: Vec::new(),
            lists,
            feeds,
            sitemap: Vec::new(),
            news: Vec::new(),
            feed_of,
        };
        plan.pages(s, has);
        plan.sitemap = plan.sitemap_urls(s);
        let mut diags = crate::error::Diagnostics::default();
        plan.syndication(s, now);
        let (redirects, stubs) = redirects(s, &mut diags);
        let mut bytes = |path: String, data: Vec<u8>| {
            plan.jobs.push(Job {
                output: output_file(&path),
                path,
                content: Content::Bytes(data),
            });
        };
        if let Some(data) = redirects {
            bytes("/_redirects".into(), data);
        }
        if s.preview {
            bytes(
                "/.nuri-preview".into(),
                PREVIEW_MARKER_TEXT.as_bytes().to_vec(),
            );
        }
        if let Some(ix) = &c.indexnow {
            // The key file proves to IndexNow engines that the key is the site's.
            bytes(format!("/{}.txt", ix.key), ix.key.clone().into_bytes());
        }
        for (path, data) in stubs {
            bytes(path, data);
        }
        (plan, diags)
    }

    /// Adds `_headers` (see [`super::headers`]): its page folders are the top-level folders
    /// of this plan's pages.
    pub fn add_headers(&mut self, c: &Config, preview: bool, assets: &super::assets::Assets) {
        let folders: std::collections::BTreeSet<String> = self
            .jobs
            .iter()
            .filter(|j| matches!(j.content, Content::Page(..)))
            .filter_map(|j| j.output.split_once('/').map(|(d, _)| d.to_string()))
            .collect();
        let folders: Vec<String> = folders.into_iter().collect();
        let data = super::headers::file(c, preview, assets.fingerprinted(), &folders);
        self.jobs.push(Job {
            output: "_headers".into(),
            path: "/_headers".into(),
            content: Content::Bytes(data),
        });
    }

    fn page(&mut self, kind: PageKind, path: String, template: String) {
        self.jobs.push(Job {
            output: output_file(&path),
            path,
            content: Content::Page(template, kind),
        });
    }

    fn pages(&mut self, s: &Scope<'_>, has: HasTemplate<'_>) {
        let c = s.config;
        let site = s.site;
        let pick = |specific: String, general: &str| {
            if has(&specific) {
                specific
            } else {
                general.to_string()
            }
        };
        for (i, e) in site.entries.iter().enumerate() {
            self.page(
                PageKind::Article(i),
                e.path().to_string(),
                "article.html".into(),
            );
        }
        let front: Vec<(usize, String)> = self
            .lists
            .front
            .iter()
            .map(|p| (p.number, p.path.clone()))
            .collect();
        for (n, path) in front {
            self.page(PageKind::Front(n), path, "index.html".into());
        }
        for si in 0..self.lists.sections.len() {
            for p in self.lists.sections[si].clone() {
                self.page(
                    PageKind::Section(si, p.number),
                    p.path,
                    "section.html".into(),
                );
            }
        }
        for (ti, t) in site.taxonomies.iter().enumerate() {
            let name = &t.config.name;
            self.page(
                PageKind::TaxonomyIndex(ti),
                t.path.clone(),
                pick(format!("taxonomy_{name}.html"), "taxonomy.html"),
            );
            let term_template = pick(format!("term_{name}.html"), "term.html");
            for ki in 0..self.lists.terms[ti].len() {
                for p in self.lists.terms[ti][ki].clone() {
                    self.page(
                        PageKind::Term(ti, ki, p.number),
                        p.path,
                        term_template.clone(),
                    );
                }
            }
        }
        if c.archives.enabled {
            self.page(
                PageKind::ArchiveIndex,
                site.archives.path.clone(),
                "archive.html".into(),
            );
            for level in [Level::Year, Level::Month, Level::Day] {
                for pi in 0..self.lists.periods(level).len() {
                    for p in self.lists.periods(level)[pi].clone() {
                        self.page(
                            PageKind::Period(level, pi, p.number),
                            p.path,
                            "archive_period.html".into(),
                        );
                    }
                }
            }
        }
        self.page(PageKind::NotFound, "/404.html".into(), "404.html".into());
        if c.search.enabled && has("search.html") {
            self.page(PageKind::Search, "/search/".into(), "search.html".into());
        }
        if !c.gone.is_empty() {
            self.page(PageKind::Gone(None), "/410.html".into(), "410.html".into());
            for (i, path) in c.gone.iter().enumerate() {
                self.page(PageKind::Gone(Some(i)), path.clone(), "410.html".into());
            }
        }
    }

    /// Feeds, sitemaps, the news sitemap and robots.txt; a preview has only a robots.txt
    /// that turns every crawler away.
    fn syndication(&mut self, s: &Scope<'_>, now: jiff::Timestamp) {
        let c = s.config;
        let mut job = |path: String, content: Content| {
            self.jobs.push(Job {
                output: output_file(&path),
                path,
                content,
            });
        };
        if s.preview {
            job(
                "/robots.txt".into(),
                Content::Bytes(b"User-agent: *\nDisallow: /\n".to_vec()),
            );
            return;
        }
        for (fi, spec) in self.feeds.iter().enumerate() {
            for &format in &c.feeds.formats {
                job(spec.path(format), Content::Feed(fi, format));
            }
        }
        let parts = sitemap_parts(&self.sitemap, c);
        if parts.len() == 1 {
            job("/sitemap.xml".into(), Content::Sitemap(parts[0].clone()));
        } else {
            job("/sitemap.xml".into(), Content::SitemapIndex);
            for (n, part) in parts.into_iter().enumerate() {
                job(sitemap::part_path(n + 1), Content::Sitemap(part));
            }
        }
        // An empty news sitemap is not valid (a `urlset` needs a `url`): with no article
        // recent enough there is none, robots.txt does not name it, and the last one goes
        // with the rest of the previous site.
        if c.sitemap.news {
            self.news = sitemap::news_items(c, s.site, now);
            if !self.news.is_empty() {
                job("/sitemap-news.xml".into(), Content::NewsSitemap);
            }
        }
        job("/robots.txt".into(), Content::Robots);
    }

    /// The articles a list page shows (for `lastmod`), or all a page covers.
    pub fn items_of<'p>(&'p self, s: &'p Site, kind: PageKind) -> &'p [usize] {
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
                &s.archives.level(level)[pi].articles[l.periods(level)[pi][n - 1].range.clone()]
            }
            PageKind::ArchiveIndex | PageKind::TaxonomyIndex(_) => &l.all,
            PageKind::NotFound | PageKind::Gone(_) | PageKind::Search => &[],
        }
    }

    fn sitemap_urls(&self, s: &Scope<'_>) -> Vec<SitemapUrl> {
        let urls = Urls(s.config);
        let mut lists = Vec::new();
        let mut articles = Vec::new();
        for job in &self.jobs {
            let Some(kind) = job.page() else { continue };
            if noindex(s, kind) {
                continue;
            }
            let lastmod = self
                .items_of(s.site, kind)
                .iter()
                .map(|&i| s.site.entries[i].article.modified())
                .max();
            let url = SitemapUrl {
                loc: match kind {
                    PageKind::Article(i) => s.site.entries[i].permalink.clone(),
                    _ => urls.permalink(&job.path),
                },
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

    /// The view a template job renders.
    pub fn view<'a>(&'a self, s: &Scope<'a>, job: &'a Job) -> V<'a> {
        let c = s.config;
        match &job.content {
            Content::Page(_, kind) => page_view(self, s, job, *kind),
            Content::Feed(fi, format) => feeds::view(c, s.site, &self.feeds[*fi], *format),
            Content::Sitemap(range) => sitemap::urlset(c, &self.sitemap[range.clone()]),
            Content::SitemapIndex => {
                let parts: Vec<(String, Option<jiff::Timestamp>)> = self
                    .jobs
                    .iter()
                    .filter_map(|j| match &j.content {
                        Content::Sitemap(r) => Some((
                            j.path.clone(),
                            self.sitemap[r.clone()]
                                .iter()
                                .filter_map(|u| u.lastmod)
                                .max(),
                        )),
                        _ => None,
                    })
                    .collect();
                sitemap::index(c, &parts)
            }
            Content::NewsSitemap => sitemap::news(c, s.site, &self.news),
            Content::Robots => sitemap::robots(c, !self.news.is_empty()),
            Content::Bytes(_) => V::None,
        }
    }

    /// Describes a job for error messages.
    pub fn describe(&self, s: &Site, job: &Job) -> String {
        match &job.content {
            Content::Page(_, kind) => match *kind {
                PageKind::Article(i) => {
                    format!(
                        "the article {}",
                        s.entries[i].article.file.display.display()
                    )
                }
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
            Content::Sitemap(_) | Content::SitemapIndex | Content::NewsSitemap => {
                format!("the sitemap {}", job.path)
            }
            Content::Robots => "robots.txt".into(),
            Content::Bytes(_) => format!("the generated file {}", job.path),
        }
    }
}

/// Parts of `sitemap.xml`: at most `max_urls` each, and under 50 MB by a generous estimate
/// of each `<url>` element's length.
fn sitemap_parts(urls: &[SitemapUrl], c: &Config) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    for chunk in sitemap::chunks(c, urls) {
        let mut start = chunk.start;
        let mut bytes = 200;
        for i in chunk.clone() {
            let size = urls[i].loc.len() * 5 / 4 + 80;
            if bytes + size > sitemap::MAX_BYTES && i > start {
                parts.push(start..i);
                start = i;
                bytes = 200;
            }
            bytes += size;
        }
        parts.push(start..chunk.end);
    }
    parts
}

/// Tag pages with too few articles are kept out of search engines.
pub fn noindex(s: &Scope<'_>, kind: PageKind) -> bool {
    if s.preview {
        return true;
    }
    match kind {
        PageKind::Term(ti, ki, _) => {
            let t = &s.site.taxonomies[ti];
            t.config.name == "tags" && t.terms[ki].articles.len() < s.config.seo.noindex_tags_below
        }
        PageKind::NotFound | PageKind::Gone(_) | PageKind::Search => true,
        _ => false,
    }
}

/// Feed links for the page's head: its own list's feeds first, then the site's.
fn feed_links<'a>(plan: &Plan, s: &Scope<'a>, kind: PageKind) -> V<'a> {
    let c = s.config;
    let urls = Urls(c);
    let own = match kind {
        PageKind::Section(si, _) => Some(s.site.sections[si].path.as_str()),
        PageKind::Term(ti, ki, _) => Some(s.site.taxonomies[ti].terms[ki].path.as_str()),
        _ => None,
    };
    let mut links = Vec::new();
    for base in own.into_iter().chain(std::iter::once("/")) {
        let Some(spec) = plan.feed_of.get(base).map(|&i| &plan.feeds[i]) else {
            continue;
        };
        for &format in &c.feeds.formats {
            let label = match format {
                FeedFormat::Rss => "RSS",
                FeedFormat::Atom => "Atom",
                FeedFormat::Json => "JSON Feed",
            };
            links.push(vmap! {
                "title" => V::str(format!("{} ({label})", spec.title)),
                "url" => V::str(urls.permalink(&spec.path(format))),
                "type" => V::str(format.mime()),
            });
        }
    }
    V::List(links)
}

/// The context of a page: `page`, and per kind `article`, `paginator`, `section`,
/// `taxonomy`, `term`, `archive` or `period` (see docs/templates.md).
fn page_view<'a>(plan: &'a Plan, s: &Scope<'a>, job: &'a Job, kind: PageKind) -> V<'a> {
    let c = s.config;
    let site = s.site;
    let l = &plan.lists;
    let page =
        |name: &'static str, title: Cow<'a, str>, description: Cow<'a, str>, number: usize| {
            views::page(
                c,
                PageInfo {
                    kind: name,
                    title,
                    path: &job.path,
                    description,
                    number,
                    noindex: noindex(s, kind),
                    preview: s.preview,
                    image: match kind {
                        PageKind::Article(i) => s.images[i]
                            .as_ref()
                            .map(|img| img.share_url(c))
                            .or_else(|| seo::fallback_image(c)),
                        _ => seo::fallback_image(c),
                    },
                    feeds: feed_links(plan, s, kind),
                },
            )
        };
    let b = |t: &'a str| Cow::Borrowed(t);
    match kind {
        PageKind::Article(i) => {
            let a = &site.entries[i].article;
            vmap! {
                "page" => page("article", b(&a.title), b(a.summary_text()), 1),
                "article" => views::article(s, i),
            }
        }
        PageKind::Front(n) => {
            let fronts = site
                .sections
                .iter()
                .enumerate()
                .map(|(si, sec)| {
                    vmap! {
                        "section" => V::Shared(&s.shared.sections[si]),
                        "articles" => V::List(sec.articles.iter().take(5).map(|&j| V::Card(j)).collect()),
                    }
                })
                .collect();
            vmap! {
                "page" => page("front", b(&c.title), describe(s, kind), n)
                    .with([("jsonld", V::safe(seo::front(c)))]),
                "paginator" => views::paginator(c, &l.all, &l.front, n, c.paginate_by),
                "section_fronts" => V::List(fronts),
            }
        }
        PageKind::Section(si, n) => {
            let sec = &site.sections[si];
            let body = s.section_html.get(si).map_or("", String::as_str);
            vmap! {
                "page" => page("section", b(&sec.title), describe(s, kind), n),
                "section" => views::section_link(sec).with([
                    ("count", V::int(sec.articles.len())),
                    ("content", V::safe(body)),
                    ("extra", sec.meta.as_ref().map_or(V::None, |m| V::Json(&m.extra))),
                ]),
                "paginator" => views::paginator(c, &sec.articles, &l.sections[si], n, sec.paginate_by),
            }
        }
        PageKind::TaxonomyIndex(ti) => {
            let t = &site.taxonomies[ti];
            vmap! {
                "page" => page("taxonomy", b(&t.config.title), describe(s, kind), 1),
                "taxonomy" => views::taxonomy_index(t),
            }
        }
        PageKind::Term(ti, ki, n) => {
            let t = &site.taxonomies[ti];
            let term = &t.terms[ki];
            let per = t.config.paginate_by.unwrap_or(c.paginate_by);
            vmap! {
                "page" => page("term", b(&term.name), describe(s, kind), n),
                "taxonomy" => views::taxonomy_link(t),
                "term" => views::term(s, t, term),
                "paginator" => views::paginator(c, &term.articles, &l.terms[ti][ki], n, per),
            }
        }
        PageKind::ArchiveIndex => {
            let years = site
                .archives
                .years
                .iter()
                .map(|y| {
                    let months = site
                        .archives
                        .months
                        .iter()
                        .filter(|m| m.year == y.year)
                        .map(|m| views::period(c, m))
                        .collect();
                    views::period(c, y).with([("months", V::List(months))])
                })
                .collect();
            vmap! {
                "page" => page("archive", b(""), describe(s, kind), 1),
                "archive" => vmap! { "years" => V::List(years), "url" => V::str(&site.archives.url) },
            }
        }
        PageKind::Period(level, pi, n) => {
            let periods = site.archives.level(level);
            let pv = views::period(c, &periods[pi]);
            let title = match &pv {
                V::Map(m) => m
                    .iter()
                    .find(|(k, _)| k.as_str() == "title")
                    .and_then(|(_, v)| match v {
                        V::Str(t) => Some(t.clone()),
                        _ => None,
                    })
                    .unwrap_or_default(),
                _ => Cow::Borrowed(""),
            };
            vmap! {
                "page" => page("archive_period", title, describe(s, kind), n),
                "period" => pv,
                "newer_period" => pi.checked_sub(1).map_or(V::None, |j| views::period(c, &periods[j])),
                "older_period" => periods.get(pi + 1).map_or(V::None, |o| views::period(c, o)),
                "paginator" => views::paginator(c, &periods[pi].articles, &l.periods(level)[pi], n, c.paginate_by),
            }
        }
        PageKind::NotFound => vmap! { "page" => page("404", b(""), describe(s, kind), 1) },
        PageKind::Gone(_) => vmap! { "page" => page("410", b(""), describe(s, kind), 1) },
        PageKind::Search => vmap! { "page" => page("search", b("검색"), describe(s, kind), 1) },
    }
}

/// Marks an output folder as a preview (see `BuildOptions::preview`).
pub const PREVIEW_MARKER: &str = ".nuri-preview";
const PREVIEW_MARKER_TEXT: &str = "This folder is a preview built by `nuri build --preview`: it includes drafts and scheduled stories. Do not publish it as the site.\n";

/// The meta description of a page that has none of its own (search engines show it under
/// the title): what the list holds, in the site's language; later pages of a list say
/// which page they are.
fn describe<'a>(s: &Scope<'a>, kind: PageKind) -> Cow<'a, str> {
    let c = s.config;
    let site = s.site;
    let ko = !c.language.starts_with("en");
    let title = &c.title;
    let (text, n): (Cow<'a, str>, usize) = match kind {
        PageKind::Article(i) => (Cow::Borrowed(site.entries[i].article.summary_text()), 1),
        PageKind::Front(n) => (
            if !c.description.is_empty() {
                Cow::Borrowed(c.description.as_str())
            } else if ko {
                Cow::Owned(format!("{title}의 최신 기사"))
            } else {
                Cow::Owned(format!("The latest news from {title}"))
            },
            n,
        ),
        PageKind::Section(si, n) => {
            let sec = &site.sections[si];
            (
                if !sec.description.is_empty() {
                    Cow::Borrowed(sec.description.as_str())
                } else if ko {
                    Cow::Owned(format!(
                        "{title} {} 기사 {}건",
                        sec.title,
                        sec.articles.len()
                    ))
                } else {
                    Cow::Owned(format!(
                        "{} articles in {} from {title}",
                        sec.articles.len(),
                        sec.title
                    ))
                },
                n,
            )
        }
        PageKind::TaxonomyIndex(ti) => {
            let t = &site.taxonomies[ti];
            let count = t.terms.len();
            (
                Cow::Owned(if ko {
                    format!("{title}의 {} 목록: {count}개", t.config.title)
                } else {
                    format!("{} on {title}: {count}", t.config.title)
                }),
                1,
            )
        }
        PageKind::Term(ti, ki, n) => {
            let t = &site.taxonomies[ti];
            let term = &t.terms[ki];
            let count = term.articles.len();
            let text = match (t.config.name.as_str(), ko) {
                ("tags", true) => format!("{title}의 ‘{}’ 관련 기사 {count}건", term.name),
                ("tags", false) => format!("{count} articles about {} on {title}", term.name),
                ("authors", true) => {
                    let job = site
                        .authors
                        .get(&crate::text::slug::term_key(&term.name))
                        .map(|p| p.title.as_str())
                        .filter(|j| !j.is_empty())
                        .map_or(String::new(), |j| format!(" {j}"));
                    format!("{}{job}의 {title} 기사 {count}건", term.name)
                }
                ("authors", false) => format!("{count} articles by {} on {title}", term.name),
                (_, true) => format!("{title} {} ‘{}’ 기사 {count}건", t.config.title, term.name),
                (_, false) => format!(
                    "{count} articles in {} ‘{}’ on {title}",
                    t.config.title, term.name
                ),
            };
            (Cow::Owned(text), n)
        }
        PageKind::ArchiveIndex => (
            Cow::Owned(if ko {
                format!("{title}의 지난 기사: 연도별, 월별 목록")
            } else {
                format!("Past articles of {title} by year and month")
            }),
            1,
        ),
        PageKind::Period(level, pi, n) => {
            let p = &site.archives.level(level)[pi];
            let when = match (level, ko) {
                (Level::Year, true) => format!("{}년", p.year),
                (Level::Month, true) => format!("{}년 {}월", p.year, p.month),
                (Level::Day, true) => format!("{}년 {}월 {}일", p.year, p.month, p.day),
                (Level::Year, false) => p.year.to_string(),
                (Level::Month, false) => {
                    format!("{} {}", crate::text::dates::month_name(p.month), p.year)
                }
                (Level::Day, false) => format!(
                    "{} {}, {}",
                    crate::text::dates::month_name(p.month),
                    p.day,
                    p.year
                ),
            };
            let count = p.articles.len();
            (
                Cow::Owned(if ko {
                    format!("{when}에 실린 {title} 기사 {count}건")
                } else {
                    format!("{count} articles from {title} published in {when}")
                }),
                n,
            )
        }
        PageKind::NotFound => (
            Cow::Owned(if ko {
                format!("{title}: 찾는 페이지가 없습니다")
            } else {
                format!("{title}: page not found")
            }),
            1,
        ),
        PageKind::Gone(_) => (
            Cow::Owned(if ko {
                format!("{title}: 삭제된 기사입니다")
            } else {
                format!("{title}: this article was removed")
            }),
            1,
        ),
        PageKind::Search => (
            Cow::Owned(if ko {
                format!("{title} 기사 검색")
            } else {
                format!("Search {title}")
            }),
            1,
        ),
    };
    if n > 1 {
        Cow::Owned(if ko {
            format!("{text} ({n}쪽)")
        } else {
            format!("{text} (page {n})")
        })
    } else {
        text
    }
}

/// A generated file: site path and bytes.
type GeneratedFile = (String, Vec<u8>);

/// `_redirects` for Netlify and Cloudflare, and meta-refresh pages for other hosts.
fn redirects(
    s: &Scope<'_>,
    diags: &mut crate::error::Diagnostics,
) -> (Option<Vec<u8>>, Vec<GeneratedFile>) {
    let c = s.config;
    let urls = Urls(c);
    let mut lines = String::new();
    let mut stubs = Vec::new();
    for (from, to) in &c.redirects {
        let target = if let Some(rel) = to.strip_prefix("@/") {
            match s.site.by_source.get(rel) {
                Some(&i) => s.site.entries[i].path().to_string(),
                None => {
                    diags.push(
                        crate::error::Diagnostic::error(crate::config::CONFIG_FILE, format!("redirect `{from}` points to @/{rel}, which is not a published article"))
                            .with_hint("point it at an article file inside content/, or at a site path"),
                    );
                    continue;
                }
            }
        } else {
            to.clone()
        };
        let (href, absolute) = if target.starts_with("http://") || target.starts_with("https://") {
            (target.clone(), target.clone())
        } else {
            (urls.url(&target), urls.permalink(&target))
        };
        lines.push_str(&format!("{} {} 301\n", urls.url(from), href));
        stubs.push((
            from.clone(),
            redirect_page(&href, &absolute, &c.language, s.preview).into_bytes(),
        ));
    }
    for gone in &c.gone {
        lines.push_str(&format!(
            "{} {} 410!\n",
            urls.url(gone),
            urls.url("/410.html")
        ));
    }
    let file = (!lines.is_empty()).then(|| lines.into_bytes());
    (file, stubs)
}

/// A page that sends readers (and crawlers) on to `href`; in a preview, not to be indexed
/// either.
fn redirect_page(href: &str, absolute: &str, lang: &str, preview: bool) -> String {
    let href = crate::markdown::escape_attr(href);
    let absolute = crate::markdown::escape_attr(absolute);
    let robots = if preview {
        "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
    } else {
        ""
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>옮겨진 페이지</title>\n{robots}<link rel=\"canonical\" href=\"{absolute}\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>이 페이지는 <a href=\"{href}\">새 주소</a>로 옮겨졌습니다.</p>\n</body>\n</html>\n"
    )
}
