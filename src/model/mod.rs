//! The site model: published articles with their URLs, in a total order, grouped into
//! sections, taxonomies and date archives. Built from a [`Library`] of parsed files (the
//! articles are shared, not copied) and never changed afterwards: what depends on it (views,
//! pages, feeds) reads it through borrowed views. Related articles are computed on first
//! use (see [`related`]), a memo of a pure function of the model.

pub mod archive;
pub mod images;
pub mod navigation;
pub mod pagination;
pub mod related;
pub mod schedule;
pub mod taxonomy;

use rayon::prelude::*;
use std::collections::BTreeMap;

use ahash::AHashMap as HashMap;
use std::sync::Arc;

use crate::config::Config;
use crate::content::{Article, Asset, AuthorProfile, Library, SectionMeta};
use crate::error::{Diagnostic, Diagnostics};
use crate::text::slug;
use crate::text::url::encode_path;

pub use archive::{Archives, Level, Period};
pub use navigation::Nav;
pub use related::Related;
pub use schedule::{BuildOptions, Exclusion};
pub use taxonomy::{Taxonomy, Term};

/// A published article and where it goes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub article: Arc<Article>,
    /// Root-relative URL with the base path, percent-encoded.
    pub url: String,
    /// Absolute URL, percent-encoded.
    pub permalink: String,
    /// Index into [`Site::sections`].
    pub section: Option<usize>,
    /// Index into the config's editions.
    pub edition: usize,
}

impl Entry {
    /// Site path, decoded: `/alliance/메타-ibm/`.
    pub fn path(&self) -> &str {
        &self.article.place.path
    }

    /// File inside the output folder: `alliance/메타-ibm/index.html`.
    pub fn output(&self) -> &str {
        &self.article.place.output
    }
}

/// A section front: a top-level content folder.
#[derive(Debug, Clone)]
pub struct Section {
    pub key: String,
    /// The edition whose articles it lists.
    pub edition: usize,
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
    pub meta: Option<Arc<SectionMeta>>,
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
    pub authors: BTreeMap<String, Arc<AuthorProfile>>,
    /// Per edition, per taxonomy of the config (in that order).
    pub taxonomies: Vec<Taxonomy>,
    /// Per edition: its articles and date archives.
    pub editions: Vec<EditionModel>,
    /// Per entry: the entries of other editions that are its translations, by edition.
    pub translations: Vec<Vec<usize>>,
    /// Per entry: section neighbours.
    pub nav: Vec<Nav>,
    /// Per entry: related articles (computed on first use).
    pub related: Related,
}

/// One edition's part of the site.
#[derive(Debug, Default)]
pub struct EditionModel {
    /// Its entries, newest first.
    pub entries: Vec<usize>,
    pub archives: Archives,
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
    /// The URL of a published file given by its output path (no leading `/`).
    pub fn file_url(&self, output: &str) -> String {
        self.url(&format!("/{output}"))
    }
    /// The absolute URL of a published file given by its output path.
    pub fn file_permalink(&self, output: &str) -> String {
        self.permalink(&format!("/{output}"))
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
    slug::name_slug(config.slug, name)
}

impl Site {
    /// Relates the library's articles to each other. Problems (duplicate URLs) are added to
    /// `diagnostics`; the model is still built from what is usable, so later stages can find
    /// their own problems too.
    /// `editions` holds the config as each edition sees it (see [`Config::for_edition`]).
    pub fn build(
        library: &Library,
        config: &Config,
        editions: &[std::sync::Arc<Config>],
        options: &BuildOptions,
        diagnostics: &mut Diagnostics,
    ) -> Site {
        let mut excluded = BTreeMap::new();
        let mut published: Vec<&Arc<Article>> = Vec::with_capacity(library.articles.len());
        for article in &library.articles {
            match options.exclusion(article) {
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

        let mut sections: Vec<Section> = editions
            .iter()
            .flat_map(|ec| collect_sections(ec, &published, &library.sections))
            .collect();
        let section_index: HashMap<(usize, &str), usize> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.edition, s.key.as_str()), i))
            .collect();

        let base = encode_path(&config.base_url.path);
        let mut entries: Vec<Entry> = Vec::with_capacity(published.len());
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(published.len());
        for article in published {
            if let Some(&other) = seen.get(article.place.path.as_str()) {
                let first: &Entry = &entries[other];
                diagnostics.push(
                    Diagnostic::error(
                        &article.file.display,
                        format!(
                            "this article and {} would both be written to {}",
                            first.article.file.display.display(),
                            article.place.path
                        ),
                    )
                    .at(article.url_at.0, article.url_at.1)
                    .with_hint("give one of them a different `slug` (or `id`), or rename the file"),
                );
                continue;
            }
            seen.insert(&article.place.path, entries.len());
            let url = format!("{base}{}", article.place.encoded.trim_start_matches('/'));
            entries.push(Entry {
                permalink: format!("{}{url}", config.base_url.origin),
                url,
                section: article
                    .section
                    .as_deref()
                    .and_then(|k| section_index.get(&(article.edition, k)).copied()),
                edition: article.edition,
                article: article.clone(),
            });
        }

        for (i, e) in entries.iter().enumerate() {
            if let Some(s) = e.section {
                sections[s].articles.push(i);
            }
        }
        // The lookups, the taxonomies and the archives are independent: built side by side.
        let (by_source, (taxonomies, archives)): (_, (Vec<Taxonomy>, Vec<Archives>)) = rayon::join(
            || {
                entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.article.file.rel.clone(), i))
                    .collect::<HashMap<_, _>>()
            },
            || {
                rayon::join(
                    || {
                        editions
                            .par_iter()
                            .flat_map(|ec| {
                                ec.taxonomies
                                    .par_iter()
                                    .map(|t| Taxonomy::build(ec, t, &entries))
                            })
                            .collect()
                    },
                    || {
                        editions
                            .iter()
                            .map(|ec| Archives::build(ec, &entries))
                            .collect()
                    },
                )
            },
        );
        // A bundle's files go with each of its articles (`index.md`, `index.en.md`).
        let mut by_bundle: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if e.article.file.is_bundle {
                by_bundle.entry(e.article.file.dir()).or_default().push(i);
            }
        }
        for list in by_bundle.values_mut() {
            list.sort_by_key(|&i| entries[i].edition);
        }
        let assets = library
            .assets
            .iter()
            .flat_map(|a| {
                by_bundle
                    .get(a.bundle.as_str())
                    .into_iter()
                    .flatten()
                    .map(|&i| (i, a.clone()))
            })
            .collect();
        let translations = translations(&entries, editions.len());
        let editions: Vec<EditionModel> = archives
            .into_iter()
            .enumerate()
            .map(|(ed, archives)| EditionModel {
                entries: (0..entries.len())
                    .filter(|&i| entries[i].edition == ed)
                    .collect(),
                archives,
            })
            .collect();

        let mut authors = library.authors.clone();
        for (name, raw) in &config.authors {
            authors
                .entry(slug::term_key(name))
                .or_insert_with(|| Arc::new(AuthorProfile::from_config(name, raw)));
        }
        let nav = navigation::neighbours(&sections, entries.len());
        let related = Related::new(
            taxonomies
                .iter()
                .filter(|t| t.config.name == "tags")
                .flat_map(|t| t.terms.iter().map(|term| term.articles.as_slice()))
                .collect(),
            entries.len(),
            config.related,
        );
        Site {
            entries,
            sections,
            by_source,
            excluded,
            assets,
            authors,
            taxonomies,
            editions,
            translations,
            nav,
            related,
        }
    }

    /// The taxonomy `name` of edition `edition`.
    pub fn taxonomy(&self, edition: usize, name: &str) -> Option<&Taxonomy> {
        self.taxonomies
            .iter()
            .find(|t| t.edition == edition && t.config.name == name)
    }

    /// The date archives of edition `edition`.
    pub fn archives(&self, edition: usize) -> &Archives {
        &self.editions[edition].archives
    }

    /// The entries related to entry `i`, best first.
    pub fn related(&self, i: usize) -> &[u32] {
        self.related.of(i)
    }
}

/// Entries of other editions that share an entry's translation key, in edition order (at
/// most one per edition: the newest).
fn translations(entries: &[Entry], editions: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); entries.len()];
    if editions < 2 {
        return out;
    }
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let group = groups.entry(e.article.translation.as_str()).or_default();
        if !group.iter().any(|&j| entries[j].edition == e.edition) {
            group.push(i);
        }
    }
    for mut group in groups.into_values().filter(|g| g.len() > 1) {
        group.sort_by_key(|&i| entries[i].edition);
        for &i in &group {
            out[i] = group.iter().copied().filter(|&j| j != i).collect();
        }
    }
    out
}

/// The sections of `config`'s edition: every section folder of the default language (with
/// an `_index.md` or an article), and folders only this edition's articles use.
fn collect_sections(
    config: &Config,
    articles: &[&Arc<Article>],
    metas: &BTreeMap<String, Arc<SectionMeta>>,
) -> Vec<Section> {
    let configured = |key: &str| config.section_order.iter().position(|k| k == key);
    let urls = Urls(config);
    let edition = config.this_edition();
    let mut keys: Vec<&str> = if config.edition == 0 {
        metas
            .values()
            .filter(|m| m.lang.is_none())
            .map(|m| m.key.as_str())
            .collect()
    } else {
        Vec::new()
    };
    keys.extend(
        articles
            .iter()
            .filter(|a| a.edition == config.edition)
            .filter_map(|a| a.section.as_deref()),
    );
    keys.sort_unstable();
    keys.dedup();
    let meta_of = |key: &str| {
        if config.edition == 0 {
            metas.get(key).filter(|m| m.lang.is_none()).cloned()
        } else {
            metas.get(&format!("{key}.{}", edition.language)).cloned()
        }
    };
    let mut sections: Vec<Section> = keys
        .into_iter()
        .map(|key| {
            let meta = meta_of(key);
            let slug = name_slug(config, key);
            let path = edition.site_path(&format!("/{slug}/"));
            Section {
                edition: config.edition,
                title: edition
                    .section_titles
                    .get(key)
                    .cloned()
                    .or_else(|| meta.as_ref().and_then(|m| m.title.clone()))
                    .unwrap_or_else(|| key.to_string()),
                description: meta
                    .as_ref()
                    .map(|m| m.description.clone())
                    .unwrap_or_default(),
                weight: meta
                    .as_ref()
                    .and_then(|m| m.weight)
                    .or_else(|| metas.get(key).and_then(|m| m.weight))
                    .unwrap_or(i64::MAX),
                paginate_by: meta
                    .as_ref()
                    .and_then(|m| m.paginate_by)
                    .unwrap_or(config.paginate_by),
                url: urls.url(&path),
                permalink: urls.permalink(&path),
                path,
                slug,
                key: key.to_string(),
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
