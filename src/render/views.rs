//! What templates see. Each article's card view is built once, as a Tera [`Value`] whose
//! strings, lists and maps are reference-counted, so a list page that shows it costs a
//! pointer copy, not a re-serialisation.

use std::collections::BTreeMap;

use tera::Value;

use crate::Prepared;
use crate::model::archive::Period;
use crate::model::pagination::{PageSlice, window};
use crate::model::{Entry, Section, Taxonomy, Term};
use crate::text::dates::date_view;

/// Builds a Tera map from `"key" => value` pairs.
macro_rules! map {
    ($($k:literal => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m: std::collections::BTreeMap<&'static str, tera::Value> = std::collections::BTreeMap::new();
        $( m.insert($k, tera::Value::from($v)); )*
        tera::Value::from(m)
    }};
}
pub(crate) use map;

pub fn ser<T: serde::Serialize>(v: &T) -> Value {
    Value::from_serializable(v)
}

fn opt_str(s: &Option<String>) -> Value {
    s.as_deref().map_or_else(Value::none, Value::from)
}

thread_local! {
    static SHOWN: std::cell::RefCell<Option<Vec<usize>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, returning the entries whose cards it used (every card access goes through
/// [`Views::card`]), so a changed article re-renders exactly the pages that show it.
pub fn record_cards<T>(f: impl FnOnce() -> T) -> (T, Vec<usize>) {
    SHOWN.with(|s| *s.borrow_mut() = Some(Vec::new()));
    let out = f();
    let mut shown = SHOWN.with(|s| s.borrow_mut().take()).unwrap_or_default();
    shown.sort_unstable();
    shown.dedup();
    (out, shown)
}

/// Views shared by every page.
pub struct Views {
    /// `site`: title, url, sections for the navigation, taxonomies.
    pub site: Value,
    /// One card per entry.
    pub cards: Vec<Value>,
    /// One link view per section.
    pub sections: Vec<Value>,
    /// Per taxonomy, per term: its link view, shared by every card that shows the term.
    pub terms: Vec<Vec<Value>>,
}

impl Views {
    /// The card of entry `j`; every page gets cards through here.
    pub fn card(&self, j: usize) -> Value {
        SHOWN.with(|s| {
            if let Some(v) = s.borrow_mut().as_mut() {
                v.push(j);
            }
        });
        self.cards[j].clone()
    }

    /// Rebuilds the card of entry `i` after its article changed.
    pub fn refresh(&mut self, p: &Prepared, i: usize) {
        self.cards[i] = card(p, &self.sections, &self.terms, i);
    }

    pub fn build(p: &Prepared) -> Views {
        let sections: Vec<Value> = p.site.sections.iter().map(section_link).collect();
        let terms: Vec<Vec<Value>> = p
            .site
            .taxonomies
            .iter()
            .map(|t| {
                t.terms
                    .iter()
                    .map(|term| term_card_link(p, t, term))
                    .collect()
            })
            .collect();
        let cards = {
            use rayon::prelude::*;
            (0..p.site.entries.len())
                .into_par_iter()
                .map(|i| card(p, &sections, &terms, i))
                .collect()
        };
        Views {
            site: site_view(p, &sections),
            cards,
            sections,
            terms,
        }
    }
}

fn site_view(p: &Prepared, sections: &[Value]) -> Value {
    let c = &p.config;
    let taxonomies: Vec<Value> = p
        .site
        .taxonomies
        .iter()
        .map(|t| map! { "name" => t.config.name.as_str(), "title" => t.config.title.as_str(), "url" => t.url.as_str(), "permalink" => t.permalink.as_str() })
        .collect();
    let home = crate::model::Urls(c);
    map! {
        "title" => c.title.as_str(),
        "description" => c.description.as_str(),
        "language" => c.language.as_str(),
        "timezone" => c.timezone_name.as_str(),
        "base_url" => c.base_url.full(),
        "url" => home.url("/"),
        "permalink" => home.permalink("/"),
        "copyright" => c.copyright.as_str(),
        "sections" => sections.to_vec(),
        "taxonomies" => taxonomies,
        "archive_url" => if c.archives.enabled { Value::from(p.site.archives.url.as_str()) } else { Value::none() },
        "search_url" => if c.search.enabled { Value::from(home.url("/search/")) } else { Value::none() },
        "extra" => ser(&c.extra),
        "generator" => concat!("nuri ", env!("CARGO_PKG_VERSION")),
        "google_site_verification" => c.seo.google_site_verification.as_str(),
        "naver_site_verification" => c.seo.naver_site_verification.as_str(),
        "twitter_site" => c.seo.twitter_site.as_str(),
    }
}

pub fn section_link(s: &Section) -> Value {
    map! {
        "key" => s.key.as_str(),
        "title" => s.title.as_str(),
        "description" => s.description.as_str(),
        "url" => s.url.as_str(),
        "permalink" => s.permalink.as_str(),
        "count" => s.articles.len(),
    }
}

fn term_link(t: &Term) -> Value {
    map! { "name" => t.name.as_str(), "slug" => t.slug.as_str(), "url" => t.url.as_str(), "permalink" => t.permalink.as_str(), "count" => t.articles.len() }
}

/// A term as a card lists it; authors carry their job title and email.
fn term_card_link(p: &Prepared, tax: &Taxonomy, t: &Term) -> Value {
    let v = term_link(t);
    if tax.config.name != "authors" {
        return v;
    }
    let profile = p.site.authors.get(&crate::text::slug::term_key(&t.name));
    let title = profile.map_or("", |p| p.title.as_str());
    let email = profile.map_or("", |p| p.email.as_str());
    with(
        v,
        [("title", Value::from(title)), ("email", Value::from(email))],
    )
}

fn terms_of(p: &Prepared, ti: usize, shared: &[Vec<Value>], names: &[String]) -> Vec<Value> {
    let tax = &p.site.taxonomies[ti];
    names
        .iter()
        .filter_map(|n| tax.index_of(&p.config, n))
        .map(|k| shared[ti][k].clone())
        .collect()
}

/// Adds keys to a map value.
pub fn with<const N: usize>(base: Value, extra: [(&'static str, Value); N]) -> Value {
    let mut m: BTreeMap<tera::value::Key<'static>, Value> = base
        .into_map()
        .map(|m| m.into_iter().collect())
        .unwrap_or_default();
    for (k, v) in extra {
        m.insert(tera::value::Key::Str(k), v);
    }
    Value::from(m)
}

fn card(p: &Prepared, sections: &[Value], shared: &[Vec<Value>], i: usize) -> Value {
    let e: &Entry = &p.site.entries[i];
    let a = &e.article;
    let c = &p.config;
    let lang = a.lang.clone().unwrap_or_else(|| c.language.clone());
    let body = &p.bodies[i];
    let summary = a
        .summary
        .clone()
        .unwrap_or_else(|| body.summary_text.clone());
    let summary_html = match &a.summary {
        Some(s) => format!("<p>{}</p>", crate::markdown::escape_text(s)),
        None => body.summary_html.clone(),
    };
    let date = |ts| ser(&date_view(ts, &c.timezone, &lang, c.twelve_hour));
    let published = date(a.date);
    let updated = a.updated.map_or_else(Value::none, date);
    let image = match &p.images[i] {
        Some(img) => map! {
            "url" => img.url.as_str(),
            "permalink" => img.permalink.as_str(),
            "alt" => img.alt.as_str(),
            "caption" => opt_str(&img.caption),
            "width" => img.width,
            "height" => img.height,
            "mime" => img.mime,
            "length" => img.length,
        },
        None => Value::none(),
    };
    let mut other_terms: BTreeMap<String, Value> = BTreeMap::new();
    let (mut tags, mut authors) = (Vec::new(), Vec::new());
    for (ti, tax) in p.site.taxonomies.iter().enumerate() {
        let list = terms_of(p, ti, shared, a.terms_of(&tax.config.name));
        match tax.config.name.as_str() {
            "tags" => tags = list,
            "authors" => authors = list,
            name => {
                other_terms.insert(name.to_string(), Value::from(list));
            }
        }
    }
    map! {
        "title" => a.title.as_str(),
        "subtitle" => opt_str(&a.subtitle),
        "url" => e.url.as_str(),
        "permalink" => e.permalink.as_str(),
        "path" => e.path.as_str(),
        "summary" => summary,
        "summary_html" => Value::safe_string(&summary_html),
        "section" => e.section.map_or_else(Value::none, |s| sections[s].clone()),
        "date" => published.clone(),
        "updated" => updated.clone(),
        "modified" => if a.updated.is_some() { updated } else { published },
        "lang" => lang.as_str(),
        "lang_attr" => if lang != c.language { Value::from(lang.as_str()) } else { Value::none() },
        "image" => image,
        "tags" => tags,
        "authors" => authors,
        "terms" => Value::from(other_terms),
        "reading" => ser(&body.stats),
        "id" => a.id,
        "draft" => a.draft,
        "source" => a.file.rel.as_str(),
        "extra" => ser(&a.extra),
    }
}

/// The full view of an article for its own page.
pub fn article(p: &Prepared, views: &Views, i: usize) -> Value {
    let body = &p.bodies[i];
    let nav = &p.site.nav[i];
    let card_of = |j: Option<usize>| j.map_or_else(Value::none, |j| views.card(j));
    let a = &p.site.entries[i].article;
    let lang = a.lang.as_deref().unwrap_or(&p.config.language);
    let corrections: Vec<Value> = a
        .corrections
        .iter()
        .map(|k| map! { "date" => ser(&date_view(k.date, &p.config.timezone, lang, p.config.twelve_hour)), "note" => k.note.as_str() })
        .collect();
    with(
        views.card(i),
        [
            ("content", Value::safe_string(&body.html)),
            ("jsonld", Value::safe_string(&crate::seo::article(p, i))),
            ("corrections", Value::from(corrections)),
            ("toc", ser(&body.headings)),
            ("newer", card_of(nav.newer)),
            ("older", card_of(nav.older)),
            (
                "related",
                Value::from(
                    nav.related
                        .iter()
                        .map(|&j| views.card(j))
                        .collect::<Vec<_>>(),
                ),
            ),
        ],
    )
}

/// The paginator of one page of a list.
pub fn paginator(
    p: &Prepared,
    views: &Views,
    items: &[usize],
    pages: &[PageSlice],
    current: usize,
    per_page: usize,
) -> Value {
    let urls = crate::model::Urls(&p.config);
    let page = &pages[current - 1];
    let url_of = |n: usize| urls.url(&pages[n - 1].path);
    let numbers: Vec<Value> = window(current, pages.len(), 2)
        .into_iter()
        .map(|n| match n {
            Some(n) => map! { "number" => n, "url" => url_of(n), "current" => n == current, "gap" => false },
            None => map! { "number" => Value::none(), "url" => Value::none(), "current" => false, "gap" => true },
        })
        .collect();
    map! {
        "current" => current,
        "total_pages" => pages.len(),
        "total_items" => items.len(),
        "per_page" => per_page,
        "first_url" => url_of(1),
        "last_url" => url_of(pages.len()),
        "previous_url" => if current > 1 { Value::from(url_of(current - 1)) } else { Value::none() },
        "next_url" => if current < pages.len() { Value::from(url_of(current + 1)) } else { Value::none() },
        "pages" => numbers,
        "items" => items[page.range.clone()].iter().map(|&j| views.card(j)).collect::<Vec<_>>(),
        "first_index" => page.range.start + 1,
    }
}

pub fn taxonomy_link(t: &Taxonomy) -> Value {
    map! { "name" => t.config.name.as_str(), "title" => t.config.title.as_str(), "url" => t.url.as_str(), "permalink" => t.permalink.as_str(), "count" => t.terms.len() }
}

pub fn taxonomy_index(t: &Taxonomy) -> Value {
    with(
        taxonomy_link(t),
        [(
            "terms",
            Value::from(
                t.index_order
                    .iter()
                    .map(|&i| term_link(&t.terms[i]))
                    .collect::<Vec<_>>(),
            ),
        )],
    )
}

pub fn term(p: &Prepared, t: &Taxonomy, term: &Term) -> Value {
    let mut v = with(term_link(term), [("profile", Value::none())]);
    if t.config.name == "authors"
        && let Some(profile) = p.site.authors.get(&crate::text::slug::term_key(&term.name))
    {
        {
            let bio = p
                .author_bios
                .get(&crate::text::slug::term_key(&term.name))
                .cloned()
                .unwrap_or_default();
            v = with(
                v,
                [(
                    "profile",
                    map! {
                        "name" => profile.name.as_str(),
                        "title" => profile.title.as_str(),
                        "email" => profile.email.as_str(),
                        "photo" => profile.photo.as_str(),
                        "url" => profile.url.as_str(),
                        "bio" => Value::safe_string(&bio),
                        "extra" => ser(&profile.extra),
                    },
                )],
            );
        }
    }
    v
}

pub fn period(p: &Prepared, period: &Period) -> Value {
    use crate::model::Level;
    let korean = !p.config.language.starts_with("en");
    let title = match (period.level, korean) {
        (Level::Year, true) => format!("{}년", period.year),
        (Level::Month, true) => format!("{}년 {}월", period.year, period.month),
        (Level::Day, true) => format!("{}년 {}월 {}일", period.year, period.month, period.day),
        (Level::Year, false) => format!("{}", period.year),
        (Level::Month, false) => format!(
            "{} {}",
            crate::text::dates::month_name(period.month),
            period.year
        ),
        (Level::Day, false) => format!(
            "{} {}, {}",
            crate::text::dates::month_name(period.month),
            period.day,
            period.year
        ),
    };
    let level = match period.level {
        Level::Year => "year",
        Level::Month => "month",
        Level::Day => "day",
    };
    map! {
        "level" => level,
        "title" => title,
        "year" => period.year,
        "month" => if period.month > 0 { Value::from(period.month) } else { Value::none() },
        "day" => if period.day > 0 { Value::from(period.day) } else { Value::none() },
        "url" => period.url.as_str(),
        "permalink" => period.permalink.as_str(),
        "count" => period.articles.len(),
    }
}

/// `page`: what every page template gets about the page itself.
pub fn page(
    kind: &str,
    title: &str,
    path: &str,
    p: &Prepared,
    description: &str,
    lang: Option<&str>,
    number: usize,
) -> Value {
    let urls = crate::model::Urls(&p.config);
    map! {
        "kind" => kind,
        "title" => title,
        "url" => urls.url(path),
        "permalink" => urls.permalink(path),
        "path" => path,
        // Search engines show about 160 characters; cut on a word, never inside a syllable.
        "description" => crate::text::truncate(description, 160),
        "lang" => lang.unwrap_or(&p.config.language),
        "number" => number,
    }
}
