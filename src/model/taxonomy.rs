//! Taxonomies (tags, authors and declared ones such as series): terms and their articles.
//!
//! A term's identity is its URL slug made from the case-folded NFC name, so `AI`, `ai` and an
//! NFD-typed `ai` are one term at one URL. The name shown is the spelling most articles use.

use std::collections::BTreeMap;

use ahash::AHashMap as HashMap;

use crate::config::{Config, TaxonomyConfig, TermOrder};
use crate::text::slug::term_key;

use super::{Entry, Urls, name_slug};

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub url: String,
    pub permalink: String,
    /// Entries, newest first.
    pub articles: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub config: TaxonomyConfig,
    /// The edition whose articles it groups.
    pub edition: usize,
    pub path: String,
    pub url: String,
    pub permalink: String,
    /// Terms ordered by slug (stable); [`Taxonomy::index_order`] gives the display order.
    pub terms: Vec<Term>,
    pub by_slug: HashMap<String, usize>,
    pub index_order: Vec<usize>,
}

impl Taxonomy {
    /// The taxonomy of the articles of `config`'s edition.
    pub fn build(config: &Config, tax: &TaxonomyConfig, entries: &[Entry]) -> Taxonomy {
        let urls = Urls(config);
        let base = config.this_edition().site_path(&format!("/{}/", tax.path));
        // slug → (spellings with counts, entries); URL names were made (and checked) when
        // each article was parsed.
        type Found<'e> = (BTreeMap<&'e str, usize>, Vec<usize>);
        let mut found: HashMap<&str, Found<'_>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            if entry.edition != config.edition {
                continue;
            }
            let a = &entry.article;
            for (name, slug) in a.terms_of(&tax.name).iter().zip(a.slugs_of(&tax.name)) {
                let slot = found.entry(slug.as_str()).or_default();
                *slot.0.entry(name.as_str()).or_default() += 1;
                if slot.1.last() != Some(&i) {
                    slot.1.push(i);
                }
            }
        }
        let mut found: Vec<(&str, Found<'_>)> = found.into_iter().collect();
        found.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let terms: Vec<Term> = found
            .into_iter()
            .map(|(slug, (spellings, articles))| {
                let name = spellings
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(n, _)| n.to_string())
                    .unwrap_or_default();
                let path = format!("{base}{slug}/");
                Term {
                    name,
                    url: urls.url(&path),
                    permalink: urls.permalink(&path),
                    path,
                    slug: slug.to_string(),
                    articles,
                }
            })
            .collect();
        let by_slug = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.clone(), i))
            .collect();
        let mut index_order: Vec<usize> = (0..terms.len()).collect();
        match tax.order {
            TermOrder::Count => index_order.sort_by(|&a, &b| {
                terms[b]
                    .articles
                    .len()
                    .cmp(&terms[a].articles.len())
                    .then_with(|| terms[a].name.cmp(&terms[b].name))
            }),
            TermOrder::Name => index_order.sort_by(|&a, &b| {
                terms[a]
                    .name
                    .cmp(&terms[b].name)
                    .then_with(|| terms[a].slug.cmp(&terms[b].slug))
            }),
        }
        Taxonomy {
            config: tax.clone(),
            edition: config.edition,
            url: urls.url(&base),
            permalink: urls.permalink(&base),
            path: base,
            terms,
            by_slug,
            index_order,
        }
    }

    /// The index of the term a name belongs to.
    pub fn index_of(&self, config: &Config, name: &str) -> Option<usize> {
        self.by_slug
            .get(&name_slug(config, &term_key(name)))
            .copied()
    }

    /// The term a name belongs to.
    pub fn term_of(&self, config: &Config, name: &str) -> Option<&Term> {
        self.by_slug
            .get(&name_slug(config, &term_key(name)))
            .map(|&i| &self.terms[i])
    }
}
