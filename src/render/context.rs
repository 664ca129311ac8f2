//! The template context of each page kind: `page` for every page, plus `article`,
//! `paginator`, `section`, `taxonomy`, `term`, `archive` or `period` (see docs/templates.md).

use tera::{Context, Value};

use super::Renderer;
use super::plan::{Job, PageKind};
use super::views::{self, map};
use crate::config::FeedFormat;
use crate::model::Urls;

impl Renderer<'_> {
    /// Feed links for the page's head: its own list's feeds first, then the site's.
    fn feed_links(&self, kind: PageKind) -> Value {
        let c = &self.p.config;
        let urls = Urls(c);
        let own = match kind {
            PageKind::Section(si, _) => Some(self.p.site.sections[si].path.as_str()),
            PageKind::Term(ti, ki, _) => Some(self.p.site.taxonomies[ti].terms[ki].path.as_str()),
            _ => None,
        };
        let mut links = Vec::new();
        for base in own.into_iter().chain(std::iter::once("/")) {
            let Some(spec) = self.feeds.iter().find(|f| f.page_path == base) else {
                continue;
            };
            for &format in &c.feeds.formats {
                let label = match format {
                    FeedFormat::Rss => "RSS",
                    FeedFormat::Atom => "Atom",
                    FeedFormat::Json => "JSON Feed",
                };
                links.push(map! {
                    "title" => format!("{} ({label})", spec.title),
                    "url" => urls.permalink(&spec.path(format)),
                    "type" => format.mime(),
                });
            }
        }
        Value::from(links)
    }

    fn page_view(
        &self,
        job: &Job,
        kind: PageKind,
        name: &str,
        title: &str,
        description: &str,
        number: usize,
    ) -> Value {
        views::with(
            views::page(name, title, &job.path, self.p, description, None, number),
            [
                ("noindex", Value::from(self.noindex(kind))),
                ("feeds", self.feed_links(kind)),
            ],
        )
    }

    /// The template context of a page.
    pub fn context(&self, job: &Job, kind: PageKind) -> Context {
        let p = self.p;
        let s = &p.site;
        let v = &self.views;
        let l = &self.lists;
        let mut ctx = Context::new();
        let page = |name: &str, title: &str, description: &str, number: usize| {
            self.page_view(job, kind, name, title, description, number)
        };
        match kind {
            PageKind::Article(i) => {
                let e = &s.entries[i];
                let article = views::article(p, v, i);
                let summary = article
                    .get_from_path("summary")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                ctx.insert_value("page", page("article", &e.article.title, &summary, 1));
                ctx.insert_value("article", article);
            }
            PageKind::Front(n) => {
                ctx.insert_value(
                    "page",
                    views::with(
                        page("front", &p.config.title, &p.config.description, n),
                        [("jsonld", Value::safe_string(&crate::seo::front(p)))],
                    ),
                );
                ctx.insert_value(
                    "paginator",
                    views::paginator(p, v, &l.all, &l.front, n, p.config.paginate_by),
                );
                let fronts: Vec<Value> = s
                    .sections
                    .iter()
                    .enumerate()
                    .map(|(si, sec)| {
                        map! {
                            "section" => v.sections[si].clone(),
                            "articles" => sec.articles.iter().take(5).map(|&j| v.card(j)).collect::<Vec<_>>(),
                        }
                    })
                    .collect();
                ctx.insert_value("section_fronts", Value::from(fronts));
            }
            PageKind::Section(si, n) => {
                let sec = &s.sections[si];
                ctx.insert_value("page", page("section", &sec.title, &sec.description, n));
                let body = p.section_html.get(si).cloned().unwrap_or_default();
                let extra = views::ser(&sec.meta.as_ref().map(|m| m.extra.clone()));
                ctx.insert_value(
                    "section",
                    views::with(
                        v.sections[si].clone(),
                        [("content", Value::safe_string(&body)), ("extra", extra)],
                    ),
                );
                ctx.insert_value(
                    "paginator",
                    views::paginator(p, v, &sec.articles, &l.sections[si], n, sec.paginate_by),
                );
            }
            PageKind::TaxonomyIndex(ti) => {
                let t = &s.taxonomies[ti];
                ctx.insert_value("page", page("taxonomy", &t.config.title, "", 1));
                ctx.insert_value("taxonomy", views::taxonomy_index(t));
            }
            PageKind::Term(ti, ki, n) => {
                let t = &s.taxonomies[ti];
                let term = &t.terms[ki];
                ctx.insert_value("page", page("term", &term.name, "", n));
                ctx.insert_value("taxonomy", views::taxonomy_link(t));
                ctx.insert_value("term", views::term(p, t, term));
                let per = t.config.paginate_by.unwrap_or(p.config.paginate_by);
                ctx.insert_value(
                    "paginator",
                    views::paginator(p, v, &term.articles, &l.terms[ti][ki], n, per),
                );
            }
            PageKind::ArchiveIndex => {
                ctx.insert_value("page", page("archive", "", "", 1));
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
                let pv = views::period(p, &periods[pi]);
                let title = pv
                    .get_from_path("title")
                    .and_then(|t| t.as_str())
                    .unwrap_or_default()
                    .to_string();
                ctx.insert_value("page", page("archive_period", &title, "", n));
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
                        &periods[pi].articles,
                        &l.periods[&level][pi],
                        n,
                        p.config.paginate_by,
                    ),
                );
            }
            PageKind::NotFound => ctx.insert_value("page", page("404", "", "", 1)),
            PageKind::Gone(_) => ctx.insert_value("page", page("410", "", "", 1)),
            PageKind::Search => ctx.insert_value("page", page("search", "검색", "", 1)),
        }
        ctx
    }
}
