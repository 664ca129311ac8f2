//! The views templates see, built as [`V`] trees from the site model (see [`super::view`]
//! for how a tree is rendered or hashed). Every template variable is made here and only
//! here; `docs/templates.md` lists them.
//!
//! Views shared by many pages are built once per model: the site view, section and term
//! links (without counts, which change with every new article: a count belongs on its own
//! list page), and each article's card.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::view::{BodyPart, Key, Shared, V, vmap};
use crate::config::Config;
use crate::model::archive::Period;
use crate::model::images::ImageInfo;
use crate::model::pagination::{PageSlice, window};
use crate::model::{Level, Section, Site, Taxonomy, Term, Urls};
use crate::render::picture;
use crate::text::dates::{DateView, date_view};
use crate::text::slug::term_key;

/// Views built once per model and shared by every page.
#[derive(Debug, Default)]
pub struct SharedViews {
    /// Per edition: `site`.
    pub sites: Vec<Shared>,
    /// Per section: its link.
    pub sections: Vec<Shared>,
    /// Per taxonomy, per term: its link as cards show it.
    pub terms: Vec<Vec<Shared>>,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::of(&V::None)
    }
}

/// What views are built from.
pub struct Scope<'a> {
    pub config: &'a Config,
    pub site: &'a Site,
    pub shared: &'a SharedViews,
    /// Per entry: its lead photo.
    pub images: &'a [Option<ImageInfo>],
    /// Per section: its `_index.md` body, rendered.
    pub section_html: &'a [String],
    /// Reporter bios by term key of the name, rendered.
    pub author_bios: &'a BTreeMap<String, String>,
    /// A preview build (see `BuildOptions::preview`).
    pub preview: bool,
    /// Per edition: the config as it sees it (`config` is one of them).
    pub editions: &'a [std::sync::Arc<Config>],
    /// The theme's words.
    pub strings: &'a crate::i18n::Strings,
}

impl<'a> Scope<'a> {
    /// The same scope for the pages of edition `e`.
    pub fn edition(&self, e: usize) -> Scope<'a> {
        Scope {
            config: &self.editions[e],
            ..*self
        }
    }

    /// The theme's string `key` in this edition's language, placeholders filled. Every
    /// edition's language has every key (checked when the strings load).
    pub fn text(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.strings
            .text(&self.config.language, key, args)
            .unwrap_or_else(|why| why)
    }
}

impl SharedViews {
    pub fn build(
        editions: &[std::sync::Arc<Config>],
        site: &Site,
        strings: &crate::i18n::Strings,
    ) -> SharedViews {
        let sections: Vec<Shared> = site
            .sections
            .iter()
            .map(|s| Shared::of(&section_link(s)))
            .collect();
        let terms = site
            .taxonomies
            .iter()
            .map(|t| {
                t.terms
                    .iter()
                    .map(|term| Shared::of(&term_card_link(site, t, term)))
                    .collect()
            })
            .collect();
        SharedViews {
            sites: editions
                .iter()
                .map(|c| Shared::of(&site_view(c, site, &sections, strings)))
                .collect(),
            sections,
            terms,
        }
    }
}

fn site_view<'a>(
    c: &'a Config,
    site: &'a Site,
    sections: &'a [Shared],
    strings: &crate::i18n::Strings,
) -> V<'a> {
    let home = Urls(c);
    let ed = c.this_edition();
    let taxonomies = site
        .taxonomies
        .iter()
        .filter(|t| t.edition == c.edition)
        .map(|t| {
            vmap! {
                "name" => V::str(&t.config.name),
                "title" => V::str(&t.config.title),
                "url" => V::str(&t.url),
                "permalink" => V::str(&t.permalink),
            }
        })
        .collect();
    vmap! {
        "title" => V::str(&c.title),
        "description" => V::str(&c.description),
        "language" => V::str(&c.language),
        "timezone" => V::str(&c.timezone_name),
        "base_url" => V::str(c.base_url.full()),
        "url" => V::str(home.url(&ed.path)),
        "permalink" => V::str(home.permalink(&ed.path)),
        "copyright" => V::str(&c.copyright),
        "sections" => V::List(
            sections
                .iter()
                .zip(&site.sections)
                .filter(|(_, s)| s.edition == c.edition)
                .map(|(v, _)| V::Shared(v))
                .collect(),
        ),
        "taxonomies" => V::List(taxonomies),
        "archive_url" => if c.archives.enabled { V::str(&site.archives(c.edition).url) } else { V::None },
        "search_url" => if c.search.enabled { V::str(home.url(&ed.site_path("/search/"))) } else { V::None },
        // The index every edition's search page reads (each keeps its own documents).
        "search_index" => if c.search.enabled { V::str(home.url("/search/")) } else { V::None },
        "extra" => V::Json(&c.extra),
        "generator" => V::str(concat!("nuri ", env!("CARGO_PKG_VERSION"))),
        "google_site_verification" => V::str(&c.seo.google_site_verification),
        "naver_site_verification" => V::str(&c.seo.naver_site_verification),
        "twitter_site" => V::str(&c.seo.twitter_site),
    }
    .with(if c.multilingual() {
        vec![(
            "editions",
            V::List(
                c.editions
                    .iter()
                    .enumerate()
                    .map(|(e, ed)| {
                        vmap! {
                            "lang" => V::str(&ed.language),
                            "name" => V::str(strings.language_name(&ed.language)),
                            "title" => V::str(&ed.title),
                            "url" => V::str(home.url(&ed.path)),
                            "current" => V::Bool(e == c.edition),
                        }
                    })
                    .collect(),
            ),
        )]
    } else {
        Vec::new()
    })
}

pub fn section_link(s: &Section) -> V<'_> {
    vmap! {
        "key" => V::str(&s.key),
        "title" => V::str(&s.title),
        "description" => V::str(&s.description),
        "url" => V::str(&s.url),
        "permalink" => V::str(&s.permalink),
    }
}

fn term_link(t: &Term) -> V<'_> {
    vmap! {
        "name" => V::str(&t.name),
        "slug" => V::str(&t.slug),
        "url" => V::str(&t.url),
        "permalink" => V::str(&t.permalink),
    }
}

/// A term as a card lists it; authors carry their job title and email.
fn term_card_link<'a>(site: &'a Site, tax: &Taxonomy, t: &'a Term) -> V<'a> {
    let v = term_link(t);
    if tax.config.name != "authors" {
        return v;
    }
    let profile = site.authors.get(&term_key(&t.name));
    v.with([
        ("title", V::str(profile.map_or("", |p| p.title.as_str()))),
        ("email", V::str(profile.map_or("", |p| p.email.as_str()))),
    ])
}

pub fn date(d: DateView) -> V<'static> {
    vmap! {
        "iso" => V::str(d.iso),
        "display" => V::str(d.display),
        "long" => V::str(d.long),
        "date" => V::str(d.date),
        "time" => V::str(d.time),
        "rfc822" => V::str(d.rfc822),
        "year" => V::int(d.year),
        "month" => V::int(d.month),
        "day" => V::int(d.day),
        "timestamp" => V::int(d.timestamp),
    }
}

/// A lead photo. `url`, `width` and `height` are of the size a browser without `srcset`
/// gets; `srcset` and `webp_srcset` list every width; `og` is the 1200×630 crop for sharing;
/// `original` is the file as written.
fn image<'a>(c: &'a Config, img: &'a ImageInfo) -> V<'a> {
    let urls = Urls(c);
    let picture = img.picture.as_deref();
    let default = picture.and_then(|p| p.default_variant());
    let og = picture.and_then(|p| p.crop("og"));
    let (url, permalink, width, height) = match default {
        Some(d) => (
            V::str(urls.file_url(&d.fallback)),
            V::str(urls.file_permalink(&d.fallback)),
            V::int(d.width),
            V::int(d.height),
        ),
        None => (
            V::str(&img.url),
            V::str(&img.permalink),
            img.width.map_or(V::None, V::int),
            img.height.map_or(V::None, V::int),
        ),
    };
    vmap! {
        "url" => url,
        "permalink" => permalink,
        "original" => V::str(&img.url),
        "alt" => V::str(&img.alt),
        "caption" => V::opt_str(img.caption.as_deref()),
        "credit" => img.credit.as_ref().map_or(V::None, |n| V::str(c.images.credit_line(n))),
        "width" => width,
        "height" => height,
        "mime" => V::str(img.mime),
        "length" => img.length.map_or(V::None, V::int),
        "srcset" => picture
            .filter(|p| !p.variants.is_empty())
            .map_or(V::None, |p| V::str(picture::srcset(&urls, p, false))),
        "webp_srcset" => picture
            .filter(|p| !p.variants.is_empty())
            .map_or(V::None, |p| V::str(picture::srcset(&urls, p, true))),
        "og" => og.map_or(V::None, |o| vmap! {
            "url" => V::str(urls.file_permalink(&o.path)),
            "width" => V::int(o.width),
            "height" => V::int(o.height),
        }),
    }
}

/// An article's date as its edition prints it: in the edition's time zone and clock, and in
/// an edition other than the default one, with the zone named.
fn edition_date(c: &Config, ts: jiff::Timestamp, lang: &str) -> DateView {
    let v = date_view(ts, &c.timezone, lang, c.twelve_hour);
    if c.edition > 0 {
        crate::text::dates::with_zone(v, ts, &c.timezone, lang)
    } else {
        v
    }
}

/// The card of entry `i`: what every list shows of an article.
pub fn card<'a>(s: &Scope<'a>, i: usize) -> V<'a> {
    let e = &s.site.entries[i];
    let a = &*e.article;
    let c = s.config;
    let lang = a.lang.as_deref().unwrap_or(&c.language);
    let (summary, summary_html): (&str, Cow<'a, str>) = match (&a.summary, &a.lead) {
        (Some(text), _) => (
            text,
            Cow::Owned(format!("<p>{}</p>", crate::markdown::escape_text(text))),
        ),
        (None, Some(lead)) => (
            &lead.text,
            if lead.links.is_empty() {
                Cow::Borrowed(lead.marked_html.as_str())
            } else {
                Cow::Owned(lead.html(|p| {
                    s.site
                        .by_source
                        .get(p)
                        .map(|&j| s.site.entries[j].url.clone())
                }))
            },
        ),
        (None, None) => ("", Cow::Borrowed("")),
    };
    // Built once each: `modified` is one of the other two, and a card is kept for every
    // article, so the dates' values are shared, not copied.
    let when = |ts| V::Built(Box::new(Shared::of(&date(edition_date(c, ts, lang)))));
    let published = when(a.date);
    let updated = a.updated.map_or(V::None, when);
    let modified = if a.updated.is_some() {
        updated.clone()
    } else {
        published.clone()
    };
    let mut other_terms = Vec::new();
    let (mut tags, mut authors) = (V::List(Vec::new()), V::List(Vec::new()));
    for (ti, tax) in s.site.taxonomies.iter().enumerate() {
        if tax.edition != e.edition {
            continue;
        }
        let list = V::List(
            a.slugs_of(&tax.config.name)
                .iter()
                .filter_map(|slug| tax.by_slug.get(slug))
                .map(|&k| V::Shared(&s.shared.terms[ti][k]))
                .collect(),
        );
        match tax.config.name.as_str() {
            "tags" => tags = list,
            "authors" => authors = list,
            name => other_terms.push((name, list)),
        }
    }
    let terms = V::Map(
        other_terms
            .into_iter()
            .map(|(n, l)| (Key::Named(n), l))
            .collect(),
    );
    vmap! {
        "title" => V::str(&a.title),
        "subtitle" => V::opt_str(a.subtitle.as_deref()),
        "url" => V::str(&e.url),
        "permalink" => V::str(&e.permalink),
        "path" => V::str(e.path()),
        "summary" => V::str(summary),
        "summary_html" => V::Safe(summary_html),
        "section" => e.section.map_or(V::None, |k| V::Shared(&s.shared.sections[k])),
        "date" => published,
        "updated" => updated,
        "modified" => modified,
        "lang" => V::str(lang),
        "lang_attr" => if lang != c.language { V::str(lang) } else { V::None },
        "image" => s.images[i].as_ref().map_or(V::None, |img| image(c, img)),
        "tags" => tags,
        "authors" => authors,
        "terms" => terms,
        "id" => a.id.map_or(V::None, V::int),
        "draft" => V::Bool(a.draft),
        "source" => V::str(&a.file.rel),
        "extra" => V::Json(&a.extra),
    }
}

/// The full view of an article for its own page: its card, and what only its page shows.
pub fn article<'a>(s: &Scope<'a>, i: usize) -> V<'a> {
    let site = s.site;
    let a = &*site.entries[i].article;
    let c = s.config;
    let lang = a.lang.as_deref().unwrap_or(&c.language);
    let nav = &site.nav[i];
    let card_of = |j: Option<usize>| j.map_or(V::None, V::Card);
    let corrections = a
        .corrections
        .iter()
        .map(|k| {
            vmap! {
                "date" => date(edition_date(c, k.date, lang)),
                "note" => V::str(&k.note),
            }
        })
        .collect();
    let translations = site.translations[i]
        .iter()
        .map(|&j| {
            let t = &site.entries[j];
            let lang = &s.editions[t.edition].language;
            vmap! {
                "lang" => V::str(lang),
                "name" => V::str(s.strings.language_name(lang)),
                "title" => V::str(&t.article.title),
                "url" => V::str(&t.url),
                "permalink" => V::str(&t.permalink),
            }
        })
        .collect();
    let extra: [(&'static str, V<'a>); 9] = [
        ("content", V::Body(i, BodyPart::Html)),
        ("toc", V::Body(i, BodyPart::Toc)),
        ("reading", V::Body(i, BodyPart::Reading)),
        ("jsonld", V::safe(crate::seo::article(s, i))),
        ("translations", V::List(translations)),
        ("corrections", V::List(corrections)),
        ("newer", card_of(nav.newer)),
        ("older", card_of(nav.older)),
        (
            "related",
            V::List(
                site.related(i)
                    .iter()
                    .map(|&j| V::Card(j as usize))
                    .collect(),
            ),
        ),
    ];
    V::CardWith(
        i,
        extra.into_iter().map(|(k, v)| (Key::Fixed(k), v)).collect(),
    )
}

/// The paginator of one page of a list.
pub fn paginator<'a>(
    c: &Config,
    items: &[usize],
    pages: &[PageSlice],
    current: usize,
    per_page: usize,
) -> V<'a> {
    let urls = Urls(c);
    let page = &pages[current - 1];
    let url_of = |n: usize| urls.url(&pages[n - 1].path);
    let numbers = window(current, pages.len(), 2)
        .into_iter()
        .map(|n| match n {
            Some(n) => vmap! { "number" => V::int(n), "url" => V::str(url_of(n)), "current" => V::Bool(n == current), "gap" => V::Bool(false) },
            None => vmap! { "number" => V::None, "url" => V::None, "current" => V::Bool(false), "gap" => V::Bool(true) },
        })
        .collect();
    vmap! {
        "current" => V::int(current),
        "total_pages" => V::int(pages.len()),
        "total_items" => V::int(items.len()),
        "per_page" => V::int(per_page),
        "first_url" => V::str(url_of(1)),
        "last_url" => V::str(url_of(pages.len())),
        "previous_url" => if current > 1 { V::str(url_of(current - 1)) } else { V::None },
        "next_url" => if current < pages.len() { V::str(url_of(current + 1)) } else { V::None },
        "pages" => V::List(numbers),
        "items" => V::List(items[page.range.clone()].iter().map(|&j| V::Card(j)).collect()),
        "first_index" => V::int(page.range.start + 1),
    }
}

pub fn taxonomy_link(t: &Taxonomy) -> V<'_> {
    vmap! {
        "name" => V::str(&t.config.name),
        "title" => V::str(&t.config.title),
        "url" => V::str(&t.url),
        "permalink" => V::str(&t.permalink),
        "count" => V::int(t.terms.len()),
    }
}

pub fn taxonomy_index(t: &Taxonomy) -> V<'_> {
    taxonomy_link(t).with([(
        "terms",
        V::List(
            t.index_order
                .iter()
                .map(|&i| {
                    term_link(&t.terms[i]).with([("count", V::int(t.terms[i].articles.len()))])
                })
                .collect(),
        ),
    )])
}

pub fn term<'a>(s: &Scope<'a>, t: &Taxonomy, term: &'a Term) -> V<'a> {
    let v = term_link(term).with([("count", V::int(term.articles.len()))]);
    let profile = (t.config.name == "authors")
        .then(|| s.site.authors.get(&term_key(&term.name)))
        .flatten();
    let Some(profile) = profile else {
        return v.with([("profile", V::None)]);
    };
    let bio = s
        .author_bios
        .get(&term_key(&term.name))
        .map_or("", String::as_str);
    v.with([(
        "profile",
        vmap! {
            "name" => V::str(&profile.name),
            "title" => V::str(&profile.title),
            "email" => V::str(&profile.email),
            "photo" => V::str(&profile.photo),
            "url" => V::str(&profile.url),
            "bio" => V::safe(bio),
            "extra" => V::Json(&profile.extra),
        },
    )])
}

/// How a period is named in the edition's language: `2023년 12월`, `December 2023`.
pub fn period_title(s: &Scope<'_>, level: Level, (year, month, day): (i16, i8, i8)) -> String {
    let month_name = s
        .strings
        .get(&s.config.language, &format!("month_{month}"))
        .filter(|_| month > 0)
        .map_or_else(
            || crate::text::dates::month_name(month.max(1)).to_string(),
            str::to_string,
        );
    let (y, m, d) = (year.to_string(), month.to_string(), day.to_string());
    let args = [
        ("year", y.as_str()),
        ("month", m.as_str()),
        ("day", d.as_str()),
        ("month_name", month_name.as_str()),
    ];
    let key = match level {
        Level::Year => "period_year",
        Level::Month => "period_month",
        Level::Day => "period_day",
    };
    s.text(key, &args)
}

pub fn period<'a>(s: &Scope<'_>, period: &'a Period) -> V<'a> {
    let title = period_title(s, period.level, (period.year, period.month, period.day));
    let level = match period.level {
        Level::Year => "year",
        Level::Month => "month",
        Level::Day => "day",
    };
    vmap! {
        "level" => V::str(level),
        "title" => V::str(title),
        "year" => V::int(period.year),
        "month" => if period.month > 0 { V::int(period.month) } else { V::None },
        "day" => if period.day > 0 { V::int(period.day) } else { V::None },
        "url" => V::str(&period.url),
        "permalink" => V::str(&period.permalink),
        "count" => V::int(period.articles.len()),
    }
}

/// `page`: what every page template gets about the page itself.
pub struct PageInfo<'a> {
    pub kind: &'static str,
    pub title: Cow<'a, str>,
    pub path: &'a str,
    pub description: Cow<'a, str>,
    pub number: usize,
    pub noindex: bool,
    pub preview: bool,
    /// The image shared with the page (absolute URL), if any.
    pub image: Option<String>,
    pub feeds: V<'a>,
    /// The page's language: the article's on an article page, else the edition's.
    pub lang: &'a str,
    /// The same page in other editions: edition and site path.
    pub versions: Vec<(usize, String)>,
    /// hreflang and absolute URL of every version (see `pages::alternates`).
    pub alternates: Vec<(String, String)>,
}

pub fn page<'a>(s: &Scope<'a>, p: PageInfo<'a>) -> V<'a> {
    let c = s.config;
    let urls = Urls(c);
    let lang_of = |e: usize| s.editions[e].language.as_str();
    let alternates = p
        .alternates
        .into_iter()
        .map(|(lang, href)| vmap! { "hreflang" => V::str(lang), "href" => V::str(href) })
        .collect();
    let languages = if c.multilingual() {
        c.editions
            .iter()
            .enumerate()
            .map(|(e, ed)| {
                let version = p.versions.iter().find(|v| v.0 == e).map(|v| v.1.as_str());
                let url = if e == c.edition {
                    p.path
                } else {
                    version.unwrap_or(&ed.path)
                };
                vmap! {
                    "lang" => V::str(&ed.language),
                    "name" => V::str(s.strings.language_name(&ed.language)),
                    "url" => V::str(urls.url(url)),
                    "current" => V::Bool(e == c.edition),
                    "translated" => V::Bool(version.is_some()),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let og_alternates = p
        .versions
        .iter()
        .map(|(e, _)| V::str(crate::text::og_locale(lang_of(*e))))
        .collect();
    vmap! {
        "kind" => V::str(p.kind),
        "title" => V::Str(p.title),
        "url" => V::str(urls.url(p.path)),
        "permalink" => V::str(urls.permalink(p.path)),
        "path" => V::str(p.path),
        // Search engines show about 160 characters; cut on a word, never inside a syllable.
        "description" => V::str(crate::text::truncate(&p.description, 160)),
        "lang" => V::str(&c.language),
        "number" => V::int(p.number),
        "noindex" => V::Bool(p.noindex),
        // What `<meta name="robots">` says: a preview is kept out entirely.
        "robots" => V::str(if p.preview {
            "noindex, nofollow"
        } else if p.noindex {
            "noindex, follow"
        } else {
            "max-image-preview:large"
        }),
        "preview" => V::Bool(p.preview),
        "image" => p.image.map_or(V::None, V::str),
        "feeds" => p.feeds,
        "og_locale" => V::str(crate::text::og_locale(p.lang)),
        "og_locale_alternates" => V::List(og_alternates),
        "alternates" => V::List(alternates),
        "languages" => V::List(languages),
    }
}
