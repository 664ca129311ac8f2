//! Per-article navigation: the neighbouring articles of its section and related articles.
//!
//! Related articles are ranked by the number of shared tags, ties broken by recency (newer
//! first). They are found through the tag index, never by comparing every pair: an article
//! sharing `m` of this article's `k` tags is in at least one of any `k - m + 1` of those
//! tags' lists, so the smallest lists give the candidates and the large (common) tags are
//! only asked about membership.

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
    let n = site.entries.len();
    let index = TagIndex::new(
        tags.terms.iter().map(|t| t.articles.as_slice()).collect(),
        n,
    );
    // A few large chunks, each with one scratch array: rayon's `map_init` may split the
    // range into thousands of jobs, and an array of one slot per article for each of them
    // made this quadratic (100,000 articles: 7 s and 3.6 GB).
    let chunk = n.div_ceil(rayon::current_num_threads() * 8).max(1);
    let lists: Vec<Vec<Vec<usize>>> = (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut seen = vec![u32::MAX; n];
            (c * chunk..((c + 1) * chunk).min(n))
                .map(|i| {
                    let mut list = index.related(i, related, &mut seen);
                    // `related` collects in place from its scratch list of candidates: without
                    // this, each five-entry list kept the capacity of thousands (3.6 GB at
                    // 100,000 articles).
                    list.shrink_to_fit();
                    list
                })
                .collect()
        })
        .collect();
    for (n, list) in nav.iter_mut().zip(lists.into_iter().flatten()) {
        n.related = list;
    }
    nav
}

/// Term lists with fast membership tests: a bitset for common terms, binary search otherwise.
pub struct TagIndex<'a> {
    /// Per term: entries, ascending (newest first).
    lists: Vec<&'a [usize]>,
    bitsets: Vec<Option<Vec<u64>>>,
    /// Per entry: its terms.
    terms_of: Vec<Vec<usize>>,
}

impl<'a> TagIndex<'a> {
    pub fn new(lists: Vec<&'a [usize]>, entries: usize) -> TagIndex<'a> {
        let mut terms_of = vec![Vec::new(); entries];
        for (t, list) in lists.iter().enumerate() {
            for &i in list.iter() {
                terms_of[i].push(t);
            }
        }
        let bitsets = lists
            .iter()
            .map(|list| {
                (list.len() > 64 && list.len() * 64 >= entries).then(|| {
                    let mut bits = vec![0u64; entries.div_ceil(64)];
                    for &i in list.iter() {
                        bits[i / 64] |= 1 << (i % 64);
                    }
                    bits
                })
            })
            .collect();
        TagIndex {
            lists,
            bitsets,
            terms_of,
        }
    }

    fn contains(&self, term: usize, entry: usize) -> bool {
        match &self.bitsets[term] {
            Some(bits) => bits[entry / 64] & (1 << (entry % 64)) != 0,
            None => self.lists[term].binary_search(&entry).is_ok(),
        }
    }

    /// The `want` entries sharing most terms with `i`, ties to the newest (smallest index).
    /// `seen` is scratch space of one slot per entry; it is stamped with `i`.
    pub fn related(&self, i: usize, want: usize, seen: &mut [u32]) -> Vec<usize> {
        let mut terms = self.terms_of[i].clone();
        let k = terms.len();
        if k == 0 || want == 0 {
            return Vec::new();
        }
        terms.sort_by_key(|&t| (self.lists[t].len(), t));
        let stamp = i as u32;
        let rank = |v: &mut Vec<(usize, usize)>| v.sort_by_key(|&(s, j)| (std::cmp::Reverse(s), j));
        // (shared terms, entry) of every candidate scored so far.
        let mut scored: Vec<(usize, usize)> = Vec::new();
        for m in (2..=k).rev() {
            // Entries sharing at least m terms are in the k - m + 1 smallest lists; all but the
            // last of those were walked for m + 1, so everything sharing more than m is known.
            let more = scored.iter().filter(|(s, _)| *s > m).count();
            let mut exactly: Vec<usize> = scored
                .iter()
                .filter(|(s, _)| *s == m)
                .map(|&(_, j)| j)
                .collect();
            exactly.sort_unstable();
            let last = k - m;
            let mut found = 0;
            let mut complete = true;
            for &j in self.lists[terms[last]] {
                // The list is newest first: once enough entries sharing m are newer than j,
                // nothing further down this list can make the cut.
                if more + found + exactly.partition_point(|&p| p < j) >= want {
                    complete = false;
                    break;
                }
                if j != i && seen[j] != stamp {
                    seen[j] = stamp;
                    let shared = terms.iter().filter(|&&t| self.contains(t, j)).count();
                    if shared == m {
                        found += 1;
                    }
                    scored.push((shared, j));
                }
            }
            if !complete || scored.iter().filter(|(s, _)| *s >= m).count() >= want {
                let mut best: Vec<(usize, usize)> =
                    scored.into_iter().filter(|(s, _)| *s >= m).collect();
                rank(&mut best);
                return best.into_iter().take(want).map(|(_, j)| j).collect();
            }
        }
        let mut best: Vec<(usize, usize)> = scored.into_iter().filter(|(s, _)| *s >= 2).collect();
        rank(&mut best);
        let mut out: Vec<usize> = best.into_iter().map(|(_, j)| j).collect();
        // The rest share one term: newest first, merged from the heads of the lists.
        let taken = out.len();
        let mut heads = vec![0usize; k];
        while out.len() < want {
            let mut next: Option<usize> = None;
            for (h, &t) in heads.iter_mut().zip(&terms) {
                let list = self.lists[t];
                while *h < list.len()
                    && (list[*h] == i
                        || out[..taken].contains(&list[*h])
                        || out[taken..].contains(&list[*h]))
                {
                    *h += 1;
                }
                if let Some(&j) = list.get(*h) {
                    next = Some(next.map_or(j, |n: usize| n.min(j)));
                }
            }
            match next {
                Some(j) => out.push(j),
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::TagIndex;
    use proptest::prelude::*;

    /// Every pair compared: the definition the index must agree with.
    fn brute(lists: &[Vec<usize>], n: usize, i: usize, want: usize) -> Vec<usize> {
        let mut best: Vec<(usize, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                (
                    lists
                        .iter()
                        .filter(|l| l.contains(&i) && l.contains(&j))
                        .count(),
                    j,
                )
            })
            .filter(|&(s, _)| s > 0)
            .collect();
        best.sort_by_key(|&(s, j)| (std::cmp::Reverse(s), j));
        best.into_iter().take(want).map(|(_, j)| j).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn index_agrees_with_comparing_every_pair(
            memberships in prop::collection::vec(prop::collection::btree_set(0usize..12, 0..6), 1..200),
            want in 0usize..8,
        ) {
            let n = memberships.len();
            let mut lists = vec![Vec::new(); 12];
            for (i, terms) in memberships.iter().enumerate() {
                for &t in terms {
                    lists[t].push(i);
                }
            }
            let index = TagIndex::new(lists.iter().map(|l| l.as_slice()).collect(), n);
            let mut seen = vec![u32::MAX; n];
            for i in 0..n {
                prop_assert_eq!(index.related(i, want, &mut seen), brute(&lists, n, i, want), "entry {}", i);
            }
        }
    }
}
