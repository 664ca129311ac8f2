//! Related-article lists carried from one build to the next.

use super::*;

/// Gives each article the related list of the last build where it cannot have changed.
///
/// An article's related list depends on its tags, and on the tags and order of the articles
/// sharing one of them. So when a set of articles changed (added, removed, or with other tags
/// or another date), only the lists of articles sharing one of their tags (before or after)
/// can change; the others are the last build's.
pub(super) fn seed_related(snap: &Snapshot, state: &State) {
    if state.related.is_empty() {
        return;
    }
    let site = &snap.site;
    let now: std::collections::HashMap<&str, (&[String], i64)> = site
        .entries
        .iter()
        .map(|e| {
            let a = &e.article;
            (
                a.file.rel.as_str(),
                (a.slugs_of("tags"), a.date.as_second()),
            )
        })
        .collect();
    let mut touched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (rel, old) in &state.related {
        match now.get(rel.as_str()) {
            Some((tags, date)) if *tags == old.tags.as_slice() && *date == old.date => {}
            other => {
                touched.extend(old.tags.iter().map(String::as_str));
                if let Some((tags, _)) = other {
                    touched.extend(tags.iter().map(String::as_str));
                }
            }
        }
    }
    for (rel, (tags, _)) in &now {
        if !state.related.contains_key(*rel) {
            touched.extend(tags.iter().map(String::as_str));
        }
    }
    for (i, e) in site.entries.iter().enumerate() {
        let a = &e.article;
        let Some(old) = state.related.get(&a.file.rel) else {
            continue;
        };
        if a.slugs_of("tags")
            .iter()
            .any(|t| touched.contains(t.as_str()))
            || a.slugs_of("tags") != old.tags.as_slice()
            || a.date.as_second() != old.date
        {
            continue;
        }
        let list: Option<Box<[u32]>> = old
            .list
            .iter()
            .map(|r| site.by_source.get(r).map(|&j| j as u32))
            .collect();
        if let Some(list) = list {
            site.related.seed(i, list);
        }
    }
}

/// Every article's related list, for the next build.
pub(super) fn related_state(
    snap: &Snapshot,
) -> std::collections::HashMap<String, cache::RelatedRecord> {
    let site = &snap.site;
    site.entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let a = &e.article;
            (
                a.file.rel.clone(),
                cache::RelatedRecord {
                    tags: a.slugs_of("tags").to_vec(),
                    date: a.date.as_second(),
                    list: site
                        .related(i)
                        .iter()
                        .map(|&j| site.entries[j as usize].article.file.rel.clone())
                        .collect(),
                },
            )
        })
        .collect()
}
