//! Related articles: ranked by the number of shared tags, ties broken by recency (newer
//! first).
//!
//! They are found through the tag index, never by comparing every pair: an article sharing
//! `m` of this article's `k` tags is in at least one of any `k - m + 1` of those tags'
//! lists, so the smallest lists give the candidates and the large (common) tags are only
//! asked about membership. Each article's list is computed when first asked for (a page
//! shows it) and kept: a preview renders a handful of pages, a build all of them
//! ([`Related::fill`]) or, with a build cache, only those whose tags changed.

use std::sync::OnceLock;

use rayon::prelude::*;

/// Every entry's related entries, computed on demand.
#[derive(Debug, Default)]
pub struct Related {
    index: Option<TagIndex>,
    want: usize,
    lists: Vec<OnceLock<Box<[u32]>>>,
}

impl Related {
    pub fn new(tag_lists: Vec<&[usize]>, entries: usize, want: usize) -> Related {
        Related {
            index: Some(TagIndex::new(tag_lists, entries)),
            want,
            lists: (0..entries).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The entries related to `i`, best first.
    pub fn of(&self, i: usize) -> &[u32] {
        self.lists[i].get_or_init(|| {
            let Some(index) = &self.index else {
                return Box::default();
            };
            let mut scratch = Scratch::new(self.lists.len());
            index
                .related(i, self.want, &mut scratch)
                .into_iter()
                .map(|j| j as u32)
                .collect()
        })
    }

    /// Gives entry `i` a list computed before (by a build whose tags were the same).
    pub fn seed(&self, i: usize, list: Box<[u32]>) {
        let _ = self.lists[i].set(list);
    }

    /// Computes every list not known yet, in parallel: a few large chunks, each with one
    /// scratch array (an array of one slot per article for each of thousands of small rayon
    /// jobs made this quadratic: 100,000 articles, 7 s and 3.6 GB).
    pub fn fill(&self) {
        let Some(index) = &self.index else { return };
        let n = self.lists.len();
        let chunk = n.div_ceil(rayon::current_num_threads() * 8).max(1);
        (0..n.div_ceil(chunk)).into_par_iter().for_each(|c| {
            let mut scratch = Scratch::new(n);
            for i in c * chunk..((c + 1) * chunk).min(n) {
                if self.lists[i].get().is_none() {
                    let list: Box<[u32]> = index
                        .related(i, self.want, &mut scratch)
                        .into_iter()
                        .map(|j| j as u32)
                        .collect();
                    let _ = self.lists[i].set(list);
                }
            }
        });
    }
}

/// Working space for [`TagIndex::related`], reused from one entry to the next.
pub struct Scratch {
    /// One slot per entry, stamped with the entry whose list is being made.
    seen: Vec<u32>,
    counts: Vec<u64>,
    carry: Vec<u64>,
}

impl Scratch {
    pub fn new(entries: usize) -> Scratch {
        Scratch {
            seen: vec![u32::MAX; entries],
            counts: Vec::new(),
            carry: Vec::new(),
        }
    }
}

/// Term lists with fast membership tests: a bitset for common terms, binary search otherwise.
#[derive(Debug)]
pub struct TagIndex {
    /// Per term: entries, ascending (newest first).
    lists: Vec<Vec<usize>>,
    bitsets: Vec<Option<Vec<u64>>>,
    /// Per entry: its terms.
    terms_of: Vec<Vec<usize>>,
}

impl TagIndex {
    pub fn new(lists: Vec<&[usize]>, entries: usize) -> TagIndex {
        let lists: Vec<Vec<usize>> = lists.into_iter().map(<[usize]>::to_vec).collect();
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
    ///
    /// Two exact ways, chosen by their estimated cost: walking the term lists (cheap when
    /// the smaller lists are short), or counting every entry's shared terms at once in
    /// bit-sliced counters, 64 entries a word (cheap when they are long: on a large archive
    /// the walk grows with the archive and makes related lists quadratic).
    pub fn related(&self, i: usize, want: usize, scratch: &mut Scratch) -> Vec<usize> {
        let terms = &self.terms_of[i];
        let k = terms.len();
        let largest = terms
            .iter()
            .map(|&t| self.lists[t].len())
            .max()
            .unwrap_or(0);
        let walk: usize = terms.iter().map(|&t| self.lists[t].len()).sum::<usize>() - largest;
        let words = scratch.seen.len().div_ceil(64);
        let planes = planes(k);
        let dense = terms
            .iter()
            .map(|&t| match self.bitsets[t] {
                Some(_) => words * planes,
                None => self.lists[t].len() * 2,
            })
            .sum::<usize>()
            + words * planes * k;
        // A step of the walk tests membership in k lists (binary searches, mostly); a step
        // of the count is one operation on a word.
        if walk * k * 4 > dense {
            self.related_dense(i, want, scratch)
        } else {
            self.related_walk(i, want, &mut scratch.seen)
        }
    }

    /// Counts, for every entry, the terms it shares with `i` (bit-sliced: plane `p` holds
    /// bit `p` of every entry's count), then takes entries by count, highest first, and by
    /// index within a count.
    fn related_dense(&self, i: usize, want: usize, scratch: &mut Scratch) -> Vec<usize> {
        let terms = &self.terms_of[i];
        let k = terms.len();
        if k == 0 || want == 0 {
            return Vec::new();
        }
        let words = scratch.seen.len().div_ceil(64);
        let planes = planes(k);
        let Scratch { counts, carry, .. } = scratch;
        counts.clear();
        counts.resize(words * planes, 0);
        carry.resize(words, 0);
        let add = |counts: &mut [u64], w: usize, mut carry: u64| {
            for p in 0..planes {
                if carry == 0 {
                    break;
                }
                let slot = &mut counts[p * words + w];
                let next = *slot & carry;
                *slot ^= carry;
                carry = next;
            }
        };
        for &t in terms {
            match &self.bitsets[t] {
                Some(bits) => {
                    // Plane by plane over all words (straight loops the compiler vectorises).
                    carry.copy_from_slice(bits);
                    for plane in counts.chunks_exact_mut(words) {
                        for (x, c) in plane.iter_mut().zip(carry.iter_mut()) {
                            let next = *x & *c;
                            *x ^= *c;
                            *c = next;
                        }
                    }
                }
                None => {
                    for &j in &self.lists[t] {
                        add(counts, j / 64, 1 << (j % 64));
                    }
                }
            }
        }
        for p in 0..planes {
            counts[p * words + i / 64] &= !(1 << (i % 64));
        }
        // No count is above what the highest nonzero plane allows.
        let Some(top) = (0..planes)
            .rev()
            .find(|&p| counts[p * words..(p + 1) * words].iter().any(|&x| x != 0))
        else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(want);
        for c in (1..=k.min((2 << top) - 1)).rev() {
            for w in 0..words {
                let mut m = !0u64;
                for p in 0..planes {
                    let x = counts[p * words + w];
                    m &= if (c >> p) & 1 == 1 { x } else { !x };
                    if m == 0 {
                        break;
                    }
                }
                while m != 0 {
                    out.push(w * 64 + m.trailing_zeros() as usize);
                    if out.len() == want {
                        return out;
                    }
                    m &= m - 1;
                }
            }
        }
        out
    }

    fn related_walk(&self, i: usize, want: usize, seen: &mut [u32]) -> Vec<usize> {
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
            if m == 2 {
                // Every smaller list was walked whole, so a new entry sharing two terms is in
                // both of the largest lists: walk their intersection (word by word when both
                // are bitsets), newest first. Entries sharing one term are not scored: the
                // newest of those come from the lists' heads below.
                let (a, b) = (terms[k - 2], terms[k - 1]);
                let mut visit = |j: usize| {
                    if more + found + exactly.partition_point(|&p| p < j) >= want {
                        return false;
                    }
                    if j != i && seen[j] != stamp {
                        seen[j] = stamp;
                        let shared = terms.iter().filter(|&&t| self.contains(t, j)).count();
                        if shared == 2 {
                            found += 1;
                        }
                        scored.push((shared, j));
                    }
                    true
                };
                complete = match (&self.bitsets[a], &self.bitsets[b]) {
                    (Some(x), Some(y)) => x.iter().zip(y).enumerate().all(|(w, (x, y))| {
                        let mut bits = x & y;
                        while bits != 0 {
                            let j = w * 64 + bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            if !visit(j) {
                                return false;
                            }
                        }
                        true
                    }),
                    _ => self.lists[a]
                        .iter()
                        .filter(|&&j| self.contains(b, j))
                        .all(|&j| visit(j)),
                };
            }
            for &j in self.lists[terms[last]].iter().filter(|_| m > 2) {
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
                let list = &self.lists[t];
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

/// Bit planes for counts up to `k`.
fn planes(k: usize) -> usize {
    (usize::BITS - k.leading_zeros()).max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::{Scratch, TagIndex};
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

    /// Each term's articles, from each article's terms.
    fn term_lists(
        memberships: &[std::collections::BTreeSet<usize>],
        terms: usize,
    ) -> Vec<Vec<usize>> {
        let mut lists = vec![Vec::new(); terms];
        for (i, ts) in memberships.iter().enumerate() {
            for &t in ts {
                lists[t].push(i);
            }
        }
        lists
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn index_agrees_with_comparing_every_pair(
            memberships in prop::collection::vec(prop::collection::btree_set(0usize..12, 0..6), 1..200),
            want in 0usize..8,
        ) {
            let n = memberships.len();
            let lists = term_lists(&memberships, 12);
            let index = TagIndex::new(lists.iter().map(|l| l.as_slice()).collect(), n);
            let mut scratch = Scratch::new(n);
            for i in 0..n {
                let want_list = brute(&lists, n, i, want);
                prop_assert_eq!(index.related(i, want, &mut scratch), want_list.clone(), "entry {}", i);
                let mut fresh = Scratch::new(n);
                prop_assert_eq!(index.related_walk(i, want, &mut fresh.seen), want_list.clone(), "walk, entry {}", i);
                prop_assert_eq!(index.related_dense(i, want, &mut scratch), want_list, "dense, entry {}", i);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn index_agrees_with_comparing_every_pair_on_common_terms(
            memberships in prop::collection::vec(prop::collection::btree_set(0usize..4, 1..4), 200..280),
            want in 1usize..8,
        ) {
            // Few terms, so most lists are long enough to be bitsets.
            let n = memberships.len();
            let lists = term_lists(&memberships, 4);
            let index = TagIndex::new(lists.iter().map(|l| l.as_slice()).collect(), n);
            prop_assert!(index.bitsets.iter().any(Option::is_some));
            let mut scratch = Scratch::new(n);
            for i in 0..n {
                let want_list = brute(&lists, n, i, want);
                prop_assert_eq!(index.related(i, want, &mut scratch), want_list.clone(), "entry {}", i);
                let mut fresh = Scratch::new(n);
                prop_assert_eq!(index.related_walk(i, want, &mut fresh.seen), want_list.clone(), "walk, entry {}", i);
                prop_assert_eq!(index.related_dense(i, want, &mut scratch), want_list, "dense, entry {}", i);
            }
        }

    }
}
