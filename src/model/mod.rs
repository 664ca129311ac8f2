//! The site model: published articles with their URLs, in a total order, grouped into
//! sections. Built once from the [`Library`](crate::content::Library); everything after this
//! reads it and nothing changes it.

pub mod archive;
pub mod images;
pub mod navigation;
pub mod pagination;
pub mod schedule;
pub mod taxonomy;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use crate::config::Config;
use crate::content::{Article, Asset, AuthorProfile, Library, SectionMeta};
use crate::error::{Diagnostic, Diagnostics};
use crate::text::slug::{self, SlugStrategy};
use crate::text::url::encode_path;

pub use archive::{Archives, Level, Period};
pub use navigation::Nav;
pub use schedule::{BuildOptions, Exclusion};
pub use taxonomy::{Taxonomy, Term};

/// A published article and where it goes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub article: Article,
    /// Site path, decoded: `/alliance/메타-ibm/`.
    pub path: String,
    /// Root-relative URL with the base path, percent-encoded.
    pub url: String,
    /// Absolute URL, percent-encoded.
    pub permalink: String,
    /// File inside the output folder: `alliance/메타-ibm/index.html`.
    pub output: String,
    /// Index into [`Site::sections`].
    pub section: Option<usize>,
}

/// A section front: a top-level content folder.
#[derive(Debug, Clone)]
pub struct Section {
    pub key: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub weight: i64,
    pub path: String,
    pub url: String,
    pub permalink: String,
    pub paginate_by: usize,
    /// Entries, newest first.
    pub articles: Vec<usize>,
    pub meta: Option<SectionMeta>,
}

/// Everything the renderer needs, in a deterministic order.
#[derive(Debug, Default)]
pub struct Site {
    /// Published articles, newest first (ties broken by source path).
    pub entries: Vec<Entry>,
    pub sections: Vec<Section>,
    /// Source path → entry, for `@/` links.
    pub by_source: HashMap<String, usize>,
    /// Articles left out of this build, and why.
    pub excluded: BTreeMap<String, Exclusion>,
    pub assets: Vec<(usize, Asset)>,
    /// Reporter profiles by term key of the name.
    pub authors: BTreeMap<String, AuthorProfile>,
    pub taxonomies: Vec<Taxonomy>,
    pub archives: Archives,
    /// Per entry: section neighbours and related articles.
    pub nav: Vec<Nav>,
}

/// Makes site paths into URLs the same way everywhere.
pub struct Urls<'a>(pub &'a Config);

impl Urls<'_> {
    pub fn url(&self, path: &str) -> String {
        encode_path(&self.0.url_for(path))
    }
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.0.base_url.origin, self.url(path))
    }
}

/// The output file for a site path: folders get `index.html`.
pub fn output_file(path: &str) -> String {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

/// The URL segment of a section folder or taxonomy term.
pub fn name_slug(config: &Config, name: &str) -> String {
    match config.slug {
        SlugStrategy::Ascii => slug::slugify_ascii(name),
        _ => slug::slugify_keep(name),
    }
}

impl Site {
    /// Relates the library's articles to each other. Problems (duplicate URLs, missing ids)
    /// are added to `diagnostics`; the model is still built from what is usable, so later
    /// stages can find their own problems too.
    pub fn build(
        library: Library,
        config: &Config,
        options: &BuildOptions,
        diagnostics: &mut Diagnostics,
    ) -> Site {
        let urls = Urls(config);
        let Library {
            articles,
            sections: metas,
            authors,
            assets,
            ..
        } = library;

        let mut excluded = BTreeMap::new();
        let mut published = Vec::with_capacity(articles.len());
        for article in articles {
            match options.exclusion(&article) {
                Some(why) => {
                    excluded.insert(article.file.rel.clone(), why);
                }
                None => published.push(article),
            }
        }
        published.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.file.rel.cmp(&b.file.rel))
        });

        let mut sections = collect_sections(config, &published, metas);
        let section_index: HashMap<String, usize> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), i))
            .collect();

        let mut entries: Vec<Entry> = Vec::with_capacity(published.len());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for article in published {
            let section = article
                .section
                .as_ref()
                .and_then(|k| section_index.get(k).copied());
            let path = match article_path(config, &article, section.map(|i| &sections[i])) {
                Ok(p) => p,
                Err(d) => {
                    diagnostics.push(d);
                    continue;
                }
            };
            if let Some(&other) = seen.get(&path) {
                let first: &Entry = &entries[other];
                diagnostics.push(
                    Diagnostic::error(
                        &article.file.display,
                        format!(
                            "this article and {} would both be written to {}",
                            first.article.file.display.display(),
                            path
                        ),
                    )
                    .at(1, 1)
                    .with_hint("give one of them a different `slug` (or `id`), or rename the file"),
                );
                continue;
            }
            seen.insert(path.clone(), entries.len());
            entries.push(Entry {
                url: urls.url(&path),
                permalink: urls.permalink(&path),
                output: output_file(&path),
                path,
                section,
                article,
            });
        }

        for (i, e) in entries.iter().enumerate() {
            if let Some(s) = e.section {
                sections[s].articles.push(i);
            }
        }
        let by_source = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.article.file.rel.clone(), i))
            .collect::<HashMap<_, _>>();
        let by_bundle: HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.article.file.is_bundle)
            .map(|(i, e)| (e.article.file.dir(), i))
            .collect();
        let assets = assets
            .into_iter()
            .filter_map(|a| by_bundle.get(a.bundle.as_str()).map(|&i| (i, a)))
            .collect();

        let mut authors = authors;
        for (name, raw) in &config.authors {
            authors
                .entry(crate::text::slug::term_key(name))
                .or_insert_with(|| AuthorProfile::from_config(name, raw));
        }
        let taxonomies = config
            .taxonomies
            .iter()
            .map(|t| Taxonomy::build(config, t, &entries, diagnostics))
            .collect();
        let archives = Archives::build(config, &entries);
        let mut site = Site {
            entries,
            sections,
            by_source,
            excluded,
            assets,
            authors,
            taxonomies,
            archives,
            nav: Vec::new(),
        };
        site.nav = navigation::build(&site, config.related);
        site
    }

    pub fn taxonomy(&self, name: &str) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.config.name == name)
    }
}

fn collect_sections(
    config: &Config,
    articles: &[Article],
    mut metas: BTreeMap<String, SectionMeta>,
) -> Vec<Section> {
    let configured = |key: &str| config.section_order.iter().position(|k| k == key);
    let urls = Urls(config);
    let mut keys: Vec<String> = metas.keys().cloned().collect();
    keys.extend(articles.iter().filter_map(|a| a.section.clone()));
    keys.sort();
    keys.dedup();
    let mut sections: Vec<Section> = keys
        .into_iter()
        .map(|key| {
            let meta = metas.remove(&key);
            let slug = name_slug(config, &key);
            let path = format!("/{slug}/");
            Section {
                title: meta
                    .as_ref()
                    .and_then(|m| m.title.clone())
                    .unwrap_or_else(|| key.clone()),
                description: meta
                    .as_ref()
                    .map(|m| m.description.clone())
                    .unwrap_or_default(),
                weight: meta.as_ref().and_then(|m| m.weight).unwrap_or(i64::MAX),
                paginate_by: meta
                    .as_ref()
                    .and_then(|m| m.paginate_by)
                    .unwrap_or(config.paginate_by),
                url: urls.url(&path),
                permalink: urls.permalink(&path),
                path,
                slug,
                key,
                articles: Vec::new(),
                meta,
            }
        })
        .collect();
    sections.sort_by(|a, b| {
        let rank = |s: &Section| configured(&s.key).map_or((1, 0), |p| (0, p as i64));
        rank(a)
            .cmp(&rank(b))
            .then(a.weight.cmp(&b.weight))
            .then_with(|| a.key.cmp(&b.key))
    });
    sections
}

/// Fills the permalink pattern for an article.
fn article_path(
    config: &Config,
    article: &Article,
    section: Option<&Section>,
) -> Result<String, Diagnostic> {
    if let Some(path) = &article.path {
        return Ok(path.clone());
    }
    let local = article.date.to_zoned(config.timezone.clone());
    let pattern = &config.permalink.pattern;
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("checked in config");
        let token = &rest[open + 1..close];
        match token {
            "section" => match section {
                Some(s) => out.push_str(&s.slug),
                None => {
                    return Err(Diagnostic::error(&article.file.display, "the permalink needs a {section}, but this article is in no section")
                        .at(1, 1)
                        .with_hint("move the file into a section folder such as content/politics/, or set section = \"…\""));
                }
            },
            "year" => out.push_str(&format!("{:04}", local.year())),
            "month" => out.push_str(&format!("{:02}", local.month())),
            "day" => out.push_str(&format!("{:02}", local.day())),
            "slug" => out.push_str(&article.slug),
            "id" => match article.id {
                Some(id) => out.push_str(&id.to_string()),
                None => {
                    return Err(Diagnostic::error(
                        &article.file.display,
                        "the permalink needs an {id}, but this article has no `id`",
                    )
                    .at(1, 1)
                    .with_hint("add a unique number to the front matter: id = 1234"));
                }
            },
            _ => unreachable!("permalink tokens are checked in config"),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let mut path = String::with_capacity(out.len());
    for seg in out.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        path.push_str(seg);
    }
    if out.ends_with('/') || path.is_empty() {
        path.push('/');
    }
    Ok(path)
}

/// The moment of a build, for reproducible output.
pub fn now() -> Timestamp {
    Timestamp::now()
}
