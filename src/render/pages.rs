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
    /// Front page: edition, page number.
    Front(usize, usize),
    /// Section index, page number.
    Section(usize, usize),
    TaxonomyIndex(usize),
    /// Taxonomy, term, page number.
    Term(usize, usize, usize),
    /// An edition's archive index.
    ArchiveIndex(usize),
    /// Edition, level, period index, page number.
    Period(usize, Level, usize, usize),
    /// An edition's 404 page.
    NotFound(usize),
    /// A page taken down for good (index into `gone`; `None` for /410.html).
    Gone(Option<usize>),
    /// An edition's search page.
    Search(usize),
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
    /// The edition whose templates render it.
    pub edition: usize,
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
    /// Per edition: its front page's pages.
    pub front: Vec<Vec<PageSlice>>,
    pub sections: Vec<Vec<PageSlice>>,
    pub terms: Vec<Vec<Vec<PageSlice>>>,
    /// Per edition, per level.
    pub periods: Vec<[Vec<Vec<PageSlice>>; 3]>,
}

impl Lists {
    pub fn new(editions: &[std::sync::Arc<Config>], s: &Site) -> Lists {
        let per_tax = |t: &crate::model::Taxonomy| {
            t.config
                .paginate_by
                .unwrap_or(editions[t.edition].paginate_by)
        };
        let level = |ec: &Config, l: Level| {
            s.archives(ec.edition)
                .level(l)
                .iter()
                .map(|p| paginate(&p.path, p.articles.len(), ec.paginate_by))
                .collect()
        };
        Lists {
            all: (0..s.entries.len()).collect(),
            front: editions
                .iter()
                .map(|ec| {
                    paginate(
                        &ec.this_edition().path,
                        s.editions[ec.edition].entries.len(),
                        ec.paginate_by,
                    )
                })
                .collect(),
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
            periods: editions
                .iter()
                .map(|ec| {
                    [
                        level(ec, Level::Year),
                        level(ec, Level::Month),
                        level(ec, Level::Day),
                    ]
                })
                .collect(),
        }
    }

    fn periods(&self, edition: usize, l: Level) -> &[Vec<PageSlice>] {
        &self.periods[edition][l as usize]
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
        let lists = Lists::new(s.editions, s.site);
        let feeds = feeds::plan(s.editions, s.site);
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
                edition: 0,
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
            edition: 0,
        });
    }

    fn page(&mut self, edition: usize, kind: PageKind, path: String, template: String) {
        self.jobs.push(Job {
            output: output_file(&path),
            path,
            content: Content::Page(template, kind),
            edition,
        });
    }

    /// Every page of one paginated list.
    fn list(
        &mut self,
        edition: usize,
        pages: Vec<PageSlice>,
        kind: impl Fn(usize) -> PageKind,
        template: &str,
    ) {
        for p in pages {
            self.page(edition, kind(p.number), p.path, template.to_string());
        }
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
                e.edition,
                PageKind::Article(i),
                e.path().to_string(),
                "article.html".into(),
            );
        }
        for ed in 0..self.lists.front.len() {
            let pages = self.lists.front[ed].clone();
            self.list(ed, pages, |n| PageKind::Front(ed, n), "index.html");
        }
        for si in 0..self.lists.sections.len() {
            let pages = self.lists.sections[si].clone();
            let ed = site.sections[si].edition;
            self.list(ed, pages, |n| PageKind::Section(si, n), "section.html");
        }
        for (ti, t) in site.taxonomies.iter().enumerate() {
            let name = &t.config.name;
            self.page(
                t.edition,
                PageKind::TaxonomyIndex(ti),
                t.path.clone(),
                pick(format!("taxonomy_{name}.html"), "taxonomy.html"),
            );
            let term_template = pick(format!("term_{name}.html"), "term.html");
            for ki in 0..self.lists.terms[ti].len() {
                let pages = self.lists.terms[ti][ki].clone();
                self.list(
                    t.edition,
                    pages,
                    |n| PageKind::Term(ti, ki, n),
                    &term_template,
                );
            }
        }
        for ed in 0..s.editions.len() {
            let prefix = s.editions[ed].this_edition().path.clone();
            if c.archives.enabled {
                self.page(
                    ed,
                    PageKind::ArchiveIndex(ed),
                    site.archives(ed).path.clone(),
                    "archive.html".into(),
                );
                for level in [Level::Year, Level::Month, Level::Day] {
                    for pi in 0..self.lists.periods(ed, level).len() {
                        let pages = self.lists.periods(ed, level)[pi].clone();
                        let kind = |n| PageKind::Period(ed, level, pi, n);
                        self.list(ed, pages, kind, "archive_period.html");
                    }
                }
            }
            self.page(
                ed,
                PageKind::NotFound(ed),
                format!("{prefix}404.html"),
                "404.html".into(),
            );
            if c.search.enabled && has("search.html") {
                self.page(
                    ed,
                    PageKind::Search(ed),
                    format!("{prefix}search/"),
                    "search.html".into(),
                );
            }
        }
        if !c.gone.is_empty() {
            self.page(
                0,
                PageKind::Gone(None),
                "/410.html".into(),
                "410.html".into(),
            );
            for (i, path) in c.gone.iter().enumerate() {
                self.page(0, PageKind::Gone(Some(i)), path.clone(), "410.html".into());
            }
        }
    }

    /// Feeds, sitemaps, the news sitemap and robots.txt; a preview has only a robots.txt
    /// that turns every crawler away.
    fn syndication(&mut self, s: &Scope<'_>, now: jiff::Timestamp) {
        let c = s.config;
        let mut job = |path: String, content: Content| {
            let edition = match &content {
                Content::Feed(fi, _) => self.feeds[*fi].edition,
                _ => 0,
            };
            self.jobs.push(Job {
                output: output_file(&path),
                path,
                content,
                edition,
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
            let news = sitemap::news_items(c, s.site, now);
            if !news.is_empty() {
                job("/sitemap-news.xml".into(), Content::NewsSitemap);
            }
            self.news = news;
        }
        job("/robots.txt".into(), Content::Robots);
    }

    /// The articles a list page shows (for `lastmod`), or all a page covers.
    pub fn items_of<'p>(&'p self, s: &'p Site, kind: PageKind) -> &'p [usize] {
        let l = &self.lists;
        match kind {
            PageKind::Article(i) => std::slice::from_ref(&l.all[i]),
            PageKind::Front(ed, n) => &s.editions[ed].entries[l.front[ed][n - 1].range.clone()],
            PageKind::Section(si, n) => {
                &s.sections[si].articles[l.sections[si][n - 1].range.clone()]
            }
            PageKind::Term(ti, ki, n) => {
                &s.taxonomies[ti].terms[ki].articles[l.terms[ti][ki][n - 1].range.clone()]
            }
            PageKind::Period(ed, level, pi, n) => {
                &s.archives(ed).level(level)[pi].articles
                    [l.periods(ed, level)[pi][n - 1].range.clone()]
            }
            PageKind::ArchiveIndex(ed) => &s.editions[ed].entries,
            PageKind::TaxonomyIndex(ti) => &s.editions[s.taxonomies[ti].edition].entries,
            PageKind::NotFound(_) | PageKind::Gone(_) | PageKind::Search(_) => &[],
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
            let alternates = alternates(s, job, &self.versions(s, kind));
            let url = SitemapUrl {
                loc: match kind {
                    PageKind::Article(i) => s.site.entries[i].permalink.clone(),
                    _ => urls.permalink(&job.path),
                },
                lastmod,
                alternates,
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

    /// The same page in the other editions: (edition, site path). Lists are translations of
    /// each other on their first page: fronts, a section's fronts, taxonomy indexes, terms
    /// that `[languages.*.translations]` pairs, archives of the same period, search.
    pub fn versions(&self, s: &Scope<'_>, kind: PageKind) -> Vec<(usize, String)> {
        let site = s.site;
        if s.editions.len() < 2 {
            return Vec::new();
        }
        let others = |ed: usize| (0..s.editions.len()).filter(move |&e| e != ed);
        match kind {
            PageKind::Article(i) => site.translations[i]
                .iter()
                .map(|&j| (site.entries[j].edition, site.entries[j].path().to_string()))
                .collect(),
            PageKind::Front(ed, 1) => others(ed)
                .map(|e| (e, s.editions[e].this_edition().path.clone()))
                .collect(),
            PageKind::Section(si, 1) => {
                let sec = &site.sections[si];
                site.sections
                    .iter()
                    .filter(|o| o.key == sec.key && o.edition != sec.edition)
                    .map(|o| (o.edition, o.path.clone()))
                    .collect()
            }
            PageKind::TaxonomyIndex(ti) => {
                let t = &site.taxonomies[ti];
                site.taxonomies
                    .iter()
                    .filter(|o| o.config.name == t.config.name && o.edition != t.edition)
                    .map(|o| (o.edition, o.path.clone()))
                    .collect()
            }
            PageKind::Term(ti, ki, 1) => term_versions(s, ti, ki),
            PageKind::ArchiveIndex(ed) => others(ed)
                .map(|e| (e, site.archives(e).path.clone()))
                .collect(),
            PageKind::Period(ed, level, pi, 1) => {
                let p = &site.archives(ed).level(level)[pi];
                others(ed)
                    .filter_map(|e| {
                        site.archives(e)
                            .level(level)
                            .iter()
                            .find(|o| (o.year, o.month, o.day) == (p.year, p.month, p.day))
                            .map(|o| (e, o.path.clone()))
                    })
                    .collect()
            }
            PageKind::Search(ed) => others(ed)
                .map(|e| (e, s.editions[e].this_edition().site_path("/search/")))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The view a template job renders.
    pub fn view<'a>(&'a self, s: &Scope<'a>, job: &'a Job) -> V<'a> {
        let s = &s.edition(job.edition);
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
            Content::NewsSitemap => sitemap::news(c, s.editions, s.site, &self.news),
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
                PageKind::Front(..) => "the front page".into(),
                PageKind::Section(i, _) => format!("the section `{}`", s.sections[i].key),
                PageKind::TaxonomyIndex(t) => format!("the {} index", s.taxonomies[t].config.name),
                PageKind::Term(t, k, _) => format!(
                    "the {} page of `{}`",
                    s.taxonomies[t].config.name, s.taxonomies[t].terms[k].name
                ),
                PageKind::ArchiveIndex(_) => format!("the archive index {}", job.path),
                PageKind::Period(..) => format!("the date archive {}", job.path),
                PageKind::NotFound(_) => format!("the 404 page {}", job.path),
                PageKind::Gone(_) => format!("the removed-article page {}", job.path),
                PageKind::Search(_) => format!("the search page {}", job.path),
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
        PageKind::NotFound(_) | PageKind::Gone(_) | PageKind::Search(_) => true,
        _ => false,
    }
}

/// hreflang and absolute URL of every version of a page, itself included, then `x-default`
/// for the default edition's version; empty for a page without translations.
pub fn alternates(s: &Scope<'_>, job: &Job, versions: &[(usize, String)]) -> Vec<(String, String)> {
    if versions.is_empty() {
        return Vec::new();
    }
    let urls = Urls(s.config);
    let mut all: Vec<(usize, &str)> = versions.iter().map(|(e, p)| (*e, p.as_str())).collect();
    all.push((job.edition, &job.path));
    all.sort();
    let mut out: Vec<(String, String)> = all
        .iter()
        .map(|(e, path)| (s.editions[*e].language.clone(), urls.permalink(path)))
        .collect();
    if all[0].0 == 0 {
        out.push(("x-default".into(), urls.permalink(all[0].1)));
    }
    out
}

/// A term's versions: the terms of other editions that `[languages.<tag>.translations]`
/// pairs with it (both sides name the default language's term).
fn term_versions(s: &Scope<'_>, ti: usize, ki: usize) -> Vec<(usize, String)> {
    use crate::text::slug::term_key;
    let site = s.site;
    let t = &site.taxonomies[ti];
    let name = &t.config.name;
    // A tag page kept out of search engines has no versions, and is none.
    let indexed = |o: usize, k: usize| !noindex(s, PageKind::Term(o, k, 1));
    if !indexed(ti, ki) {
        return Vec::new();
    }
    // The default language's term this one stands for.
    let anchor = if t.edition == 0 {
        term_key(&t.terms[ki].name)
    } else {
        let map = s.editions[t.edition]
            .this_edition()
            .term_translations
            .get(name);
        match map.and_then(|m| {
            m.iter()
                .find(|(k, _)| term_key(k) == term_key(&t.terms[ki].name))
                .map(|(_, v)| term_key(v))
        }) {
            Some(a) => a,
            None => return Vec::new(),
        }
    };
    let mut out = Vec::new();
    for (oi, o) in site
        .taxonomies
        .iter()
        .enumerate()
        .filter(|(_, o)| o.config.name == *name && o.edition != t.edition)
    {
        let ec = &s.editions[o.edition];
        let found = if o.edition == 0 {
            o.index_of(ec, &anchor)
        } else {
            ec.this_edition()
                .term_translations
                .get(name)
                .and_then(|m| m.iter().find(|(_, v)| term_key(v) == anchor))
                .and_then(|(k, _)| o.index_of(ec, k))
        };
        if let Some(k) = found.filter(|&k| indexed(oi, k)) {
            out.push((o.edition, o.terms[k].path.clone()));
        }
    }
    out
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
    let home = c.this_edition().path.as_str();
    for base in own.into_iter().chain(std::iter::once(home)) {
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
    let page_lang: &'a str = match kind {
        PageKind::Article(i) => site.entries[i]
            .article
            .lang
            .as_deref()
            .unwrap_or(&c.language),
        _ => &c.language,
    };
    let versions = plan.versions(s, kind);
    let page =
        |name: &'static str, title: Cow<'a, str>, description: Cow<'a, str>, number: usize| {
            views::page(
                s,
                PageInfo {
                    lang: page_lang,
                    alternates: alternates(s, job, &versions),
                    versions: versions.clone(),
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
        PageKind::Front(ed, n) => {
            let fronts = site
                .sections
                .iter()
                .enumerate()
                .filter(|(_, sec)| sec.edition == ed)
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
                "paginator" => views::paginator(c, &site.editions[ed].entries, &l.front[ed], n, c.paginate_by),
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
        PageKind::ArchiveIndex(ed) => {
            let archives = site.archives(ed);
            let years = archives
                .years
                .iter()
                .map(|y| {
                    let months = archives
                        .months
                        .iter()
                        .filter(|m| m.year == y.year)
                        .map(|m| views::period(s, m))
                        .collect();
                    views::period(s, y).with([("months", V::List(months))])
                })
                .collect();
            vmap! {
                "page" => page("archive", b(""), describe(s, kind), 1),
                "archive" => vmap! { "years" => V::List(years), "url" => V::str(&archives.url) },
            }
        }
        PageKind::Period(ed, level, pi, n) => {
            let periods = site.archives(ed).level(level);
            let pv = views::period(s, &periods[pi]);
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
                "newer_period" => pi.checked_sub(1).map_or(V::None, |j| views::period(s, &periods[j])),
                "older_period" => periods.get(pi + 1).map_or(V::None, |o| views::period(s, o)),
                "paginator" => views::paginator(c, &periods[pi].articles, &l.periods(ed, level)[pi], n, c.paginate_by),
            }
        }
        PageKind::NotFound(_) => vmap! { "page" => page("404", b(""), describe(s, kind), 1) },
        PageKind::Gone(_) => vmap! { "page" => page("410", b(""), describe(s, kind), 1) },
        PageKind::Search(_) => {
            vmap! { "page" => page("search", Cow::Owned(s.text("search_title", &[])), describe(s, kind), 1) }
        }
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
    let title = c.title.as_str();
    let count = |n: usize| n.to_string();
    let (text, n): (Cow<'a, str>, usize) = match kind {
        PageKind::Article(i) => (Cow::Borrowed(site.entries[i].article.summary_text()), 1),
        PageKind::Front(_, n) => (
            if !c.description.is_empty() {
                Cow::Borrowed(c.description.as_str())
            } else {
                Cow::Owned(s.text("meta_front", &[("title", title)]))
            },
            n,
        ),
        PageKind::Section(si, n) => {
            let sec = &site.sections[si];
            (
                if !sec.description.is_empty() {
                    Cow::Borrowed(sec.description.as_str())
                } else {
                    Cow::Owned(s.text(
                        "meta_section",
                        &[
                            ("title", title),
                            ("section", &sec.title),
                            ("count", &count(sec.articles.len())),
                        ],
                    ))
                },
                n,
            )
        }
        PageKind::TaxonomyIndex(ti) => {
            let t = &site.taxonomies[ti];
            let args = [
                ("title", title),
                ("taxonomy", t.config.title.as_str()),
                ("count", &count(t.terms.len())),
            ];
            (Cow::Owned(s.text("meta_taxonomy", &args)), 1)
        }
        PageKind::Term(ti, ki, n) => {
            let t = &site.taxonomies[ti];
            let term = &t.terms[ki];
            let job = match t.config.name.as_str() {
                "authors" => site
                    .authors
                    .get(&crate::text::slug::term_key(&term.name))
                    .map(|p| p.title.as_str())
                    .filter(|j| !j.is_empty())
                    .map_or(String::new(), |j| format!(" {j}")),
                _ => String::new(),
            };
            let key = match t.config.name.as_str() {
                "tags" => "meta_tag",
                "authors" => "meta_author",
                _ => "meta_term",
            };
            let args = [
                ("title", title),
                ("taxonomy", t.config.title.as_str()),
                ("term", term.name.as_str()),
                ("job", job.as_str()),
                ("count", &count(term.articles.len())),
            ];
            (Cow::Owned(s.text(key, &args)), n)
        }
        PageKind::ArchiveIndex(_) => (Cow::Owned(s.text("meta_archive", &[("title", title)])), 1),
        PageKind::Period(ed, level, pi, n) => {
            let p = &site.archives(ed).level(level)[pi];
            let when = views::period_title(s, level, (p.year, p.month, p.day));
            let args = [
                ("title", title),
                ("when", when.as_str()),
                ("count", &count(p.articles.len())),
            ];
            (Cow::Owned(s.text("meta_period", &args)), n)
        }
        PageKind::NotFound(_) => (Cow::Owned(s.text("meta_not_found", &[("title", title)])), 1),
        PageKind::Gone(_) => (Cow::Owned(s.text("meta_gone", &[("title", title)])), 1),
        PageKind::Search(_) => (Cow::Owned(s.text("meta_search", &[("title", title)])), 1),
    };
    if n > 1 {
        Cow::Owned(s.text("meta_page_n", &[("text", &text), ("n", &n.to_string())]))
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
            redirect_page(s, &href, &absolute).into_bytes(),
        ));
    }
    // Netlify and Cloudflare serve an edition's own 404 page under its path.
    for ed in s.editions.iter().skip(1) {
        let prefix = &ed.this_edition().path;
        lines.push_str(&format!(
            "{}* {} 404\n",
            urls.url(prefix),
            urls.url(&format!("{prefix}404.html"))
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
fn redirect_page(s: &Scope<'_>, href: &str, absolute: &str) -> String {
    let esc = crate::markdown::escape_text;
    let href = crate::markdown::escape_attr(href);
    let absolute = crate::markdown::escape_attr(absolute);
    let lang = &s.config.language;
    let title = esc(&s.text("redirect_title", &[]));
    let link = format!(
        "<a href=\"{href}\">{}</a>",
        esc(&s.text("redirect_link", &[]))
    );
    // The sentence's words are escaped; the link is put in after.
    let text = esc(&s.text("redirect_text", &[("link", "\u{1}")])).replace('\u{1}', &link);
    let robots = if s.preview {
        "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
    } else {
        ""
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n{robots}<link rel=\"canonical\" href=\"{absolute}\">\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>{text}</p>\n</body>\n</html>\n"
    )
}
