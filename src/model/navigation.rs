//! Per-article navigation: the neighbouring articles of its section and related articles.
//!
//! Related articles are ranked by the number of shared tags, ties broken by recency (newer
//! first, then source path). They are found through the tag index: only articles that share a
//! tag are ever looked at, never every pair.

use rayon::prelude::*;

use super::Site;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nav {
    /// The next newer article in the same section.
    pub newer: Option<usize>,
    /// The next older article in the same section.
    pub older: Option<usize>,
    /// Best matches first.
    pub related: Vec<usize>,
}

pub fn build(site: &Site, related: usize) -> Vec<Nav> {
    let mut nav = vec![Nav::default(); site.entries.len()];
    for section in &site.sections {
        for (pos, &i) in section.articles.iter().enumerate() {
            nav[i].newer = pos.checked_sub(1).map(|p| section.articles[p]);
            nav[i].older = section.articles.get(pos + 1).copied();
        }
    }
    if related == 0 {
        return nav;
    }
    let Some(tags) = site.taxonomy("tags") else {
        return nav;
    };
    // Each entry's term indices, so counting never looks names up again.
    let mut terms_of: Vec<Vec<usize>> = vec![Vec::new(); site.entries.len()];
    for (t, term) in tags.terms.iter().enumerate() {
        for &i in &term.articles {
            terms_of[i].push(t);
        }
    }
    let lists: Vec<Vec<usize>> = (0..site.entries.len())
        .into_par_iter()
        .map_init(
            || (vec![0u16; site.entries.len()], Vec::new()),
            |(counts, touched), i| {
                for &t in &terms_of[i] {
                    for &j in &tags.terms[t].articles {
                        if j != i {
                            if counts[j] == 0 {
                                touched.push(j);
                            }
                            counts[j] = counts[j].saturating_add(1);
                        }
                    }
                }
                // Entries are ordered newest first, so a smaller index is more recent.
                let mut best: Vec<(u16, usize)> = touched.iter().map(|&j| (counts[j], j)).collect();
                for &j in touched.iter() {
                    counts[j] = 0;
                }
                touched.clear();
                let n = related.min(best.len());
                if n == 0 {
                    return Vec::new();
                }
                let key = |&(c, j): &(u16, usize)| (std::cmp::Reverse(c), j);
                best.select_nth_unstable_by_key(n - 1, key);
                best.truncate(n);
                best.sort_by_key(key);
                best.into_iter().map(|(_, j)| j).collect()
            },
        )
        .collect();
    for (n, list) in nav.iter_mut().zip(lists) {
        n.related = list;
    }
    nav
}
