//! The search index: sharded so that a query downloads only the parts it needs.
//!
//! Layout under `/search/`:
//! - `meta.json`: counts and the number of CJK shards.
//! - `k/<n>.json`: CJK unigrams and bigrams, shard `fnv1a(term) % shards`.
//! - `w/<hex>.json`: words, sharded by their first three characters (hex of the UTF-8), so a
//!   prefix query of three or more characters reads one file.
//! - `d/<n>.json`: what a result shows for document `n`: URL, title, date, section,
//!   language and the start of the text, for the snippet.
//!
//! Each term maps to `[title, body]`: the documents whose title holds the term, and those
//! whose body (but not title) does. A list is either an array of gaps between document
//! numbers or, when that would be longer, a base64 bitmap over all documents. Document
//! numbers are recency ranks (0 is the newest), so a smaller number wins a tie.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use ahash::AHashMap;
use base64::Engine;
use rayon::prelude::*;
use serde_json::json;

use crate::Prepared;
use crate::text::tokens::{Run, fnv1a, runs, word_shard_key};

/// Aim for shards of about this many bytes.
const SHARD_BYTES: usize = 24 * 1024;

/// A CJK unigram or bigram packed into an integer: chars are below 2^21.
fn cjk_key(a: char, b: Option<char>) -> u64 {
    match b {
        None => a as u64,
        Some(b) => (1 << 42) | ((a as u64) << 21) | b as u64,
    }
}

fn cjk_term(key: u64) -> String {
    let a = char::from_u32(((key >> 21) & 0x1F_FFFF) as u32);
    let b = char::from_u32((key & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}');
    if key >> 42 == 1 {
        let mut s = String::new();
        s.push(a.unwrap_or('\u{FFFD}'));
        s.push(b);
        s
    } else {
        b.to_string()
    }
}

/// Terms of one text: packed CJK keys, and lower-cased words.
fn terms<'t>(text: &'t str, cjk: &mut Vec<u64>, words: &mut Vec<std::borrow::Cow<'t, str>>) {
    for run in runs(text) {
        match run {
            Run::Cjk(s) => {
                let mut prev = None;
                for c in s.chars() {
                    cjk.push(cjk_key(c, None));
                    if let Some(p) = prev {
                        cjk.push(cjk_key(p, Some(c)));
                    }
                    prev = Some(c);
                }
            }
            Run::Word(w) => {
                let max = crate::text::tokens::MAX_WORD;
                if w.len() > max && (w.is_ascii() || w.chars().count() > max) {
                    continue;
                }
                let upper = if w.is_ascii() {
                    w.bytes().any(|b| b.is_ascii_uppercase())
                } else {
                    w.chars().any(char::is_uppercase)
                };
                if upper {
                    words.push(std::borrow::Cow::Owned(
                        w.chars().flat_map(char::to_lowercase).collect(),
                    ));
                } else {
                    words.push(std::borrow::Cow::Borrowed(w));
                }
            }
        }
    }
}

#[derive(Default, Clone)]
struct Postings {
    title: Vec<u32>,
    body: Vec<u32>,
}

impl Postings {
    /// The title list or the body list.
    fn side(&mut self, title: bool) -> &mut Vec<u32> {
        if title {
            &mut self.title
        } else {
            &mut self.body
        }
    }
}

#[derive(Default)]
struct Part {
    cjk: AHashMap<u64, Postings>,
    words: AHashMap<String, Postings>,
}

/// The index terms of one document: CJK keys and words, of the title and of the rest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocTerms {
    title_cjk: Vec<u64>,
    title_words: Vec<String>,
    body_cjk: Vec<u64>,
    body_words: Vec<String>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<(ahash::AHashSet<u64>, ahash::AHashSet<u64>, Vec<u64>)> =
        std::cell::RefCell::new(Default::default());
}

/// What entry `i` contributes to the index (body terms exclude those in the title). Terms
/// are deduplicated through reused hash sets: sorting thousands of bigrams per article was
/// a fifth of a build.
pub fn doc_terms(p: &Prepared, i: usize) -> DocTerms {
    let a = &p.site.entries[i].article;
    let (mut tw, mut bw) = (Vec::new(), Vec::new());
    SCRATCH.with(|cell| {
        let (title_set, body_set, buf) = &mut *cell.borrow_mut();
        title_set.clear();
        body_set.clear();
        buf.clear();
        terms(&a.title, buf, &mut tw);
        title_set.extend(buf.drain(..));
        for text in a
            .subtitle
            .iter()
            .chain(a.summary.iter())
            .chain(a.tags.iter())
        {
            terms(text, buf, &mut bw);
        }
        terms(&p.bodies[i].plain, buf, &mut bw);
        for k in buf.drain(..) {
            if !title_set.contains(&k) {
                body_set.insert(k);
            }
        }
        // Hash sets, not sorting: sorting hundreds of words per article was all memcmp.
        let title_words: ahash::AHashSet<std::borrow::Cow<'_, str>> = tw.drain(..).collect();
        let mut seen = ahash::AHashSet::with_capacity(bw.len());
        bw.retain(|w| !title_words.contains(w) && seen.insert(w.clone()));
        tw.extend(title_words);
        // Order within a document does not matter: each term gets the document once, and
        // documents are added in document order.
        let title_cjk: Vec<u64> = title_set.iter().copied().collect();
        let body_cjk: Vec<u64> = body_set.iter().copied().collect();
        DocTerms {
            title_cjk,
            title_words: tw.into_iter().map(|w| w.into_owned()).collect(),
            body_cjk,
            body_words: bw.into_iter().map(|w| w.into_owned()).collect(),
        }
    })
}

fn index_range(p: &Prepared, docs: std::ops::Range<usize>) -> Part {
    let mut part = Part::default();
    for i in docs {
        let t = doc_terms(p, i);
        let doc = i as u32;
        for k in t.title_cjk {
            part.cjk.entry(k).or_default().title.push(doc);
        }
        for k in t.body_cjk {
            part.cjk.entry(k).or_default().body.push(doc);
        }
        for w in t.title_words {
            part.words.entry(w).or_default().title.push(doc);
        }
        for w in t.body_words {
            part.words.entry(w).or_default().body.push(doc);
        }
    }
    part
}

/// A posting list as JSON: gaps, or a base64 bitmap when that is shorter.
fn encode(out: &mut String, docs: &[u32], total: usize) {
    let mut gaps = String::with_capacity(docs.len() * 3 + 2);
    gaps.push('[');
    let mut prev = 0u32;
    for (n, &d) in docs.iter().enumerate() {
        if n > 0 {
            gaps.push(',');
        }
        let _ = write!(gaps, "{}", d - prev);
        prev = d;
    }
    gaps.push(']');
    let bitmap_len = total.div_ceil(8).div_ceil(3) * 4 + 2;
    if gaps.len() <= bitmap_len {
        out.push_str(&gaps);
        return;
    }
    let mut bits = vec![0u8; total.div_ceil(8)];
    for &d in docs {
        bits[d as usize >> 3] |= 1 << (d & 7);
    }
    out.push('"');
    out.push_str(&base64::engine::general_purpose::STANDARD.encode(&bits));
    out.push('"');
}

fn shard_json(terms: &[(String, &Postings)], total: usize) -> Vec<u8> {
    let mut out = String::from("{");
    for (n, (term, postings)) in terms.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(term).expect("string"));
        out.push_str(":[");
        encode(&mut out, &postings.title, total);
        out.push(',');
        encode(&mut out, &postings.body, total);
        out.push(']');
    }
    out.push('}');
    out.into_bytes()
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Cuts `text` to at most `max` characters, on a character boundary.
fn head(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Which file a term is written to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Shard {
    Cjk(u32),
    Words(String),
}

impl Shard {
    fn path(&self) -> String {
        match self {
            Shard::Cjk(k) => format!("/search/k/{k}.json"),
            Shard::Words(key) => format!("/search/w/{}.json", hex(key)),
        }
    }
}

/// The whole index in memory, so `nuri serve` can update it for one edited article.
pub struct SearchIndex {
    cjk: AHashMap<u64, Postings>,
    words: BTreeMap<String, Postings>,
    docs: usize,
    shards: usize,
    /// CJK keys per shard, so one shard is rewritten without scanning every term.
    by_shard: Vec<Vec<u64>>,
}

fn add(list: &mut Vec<u32>, doc: u32) {
    if let Err(at) = list.binary_search(&doc) {
        list.insert(at, doc);
    }
}

fn remove(list: &mut Vec<u32>, doc: u32) {
    if let Ok(at) = list.binary_search(&doc) {
        list.remove(at);
    }
}

impl SearchIndex {
    pub fn build(p: &Prepared) -> SearchIndex {
        let n = p.site.entries.len();
        let per = n.div_ceil(rayon::current_num_threads().max(1) * 4).max(64);
        let ranges: Vec<std::ops::Range<usize>> =
            (0..n).step_by(per).map(|s| s..(s + per).min(n)).collect();
        let parts: Vec<Part> = ranges.into_par_iter().map(|r| index_range(p, r)).collect();
        // Ranges are in document order, so appending keeps every posting list sorted.
        let mut cjk: AHashMap<u64, Postings> = AHashMap::new();
        let mut words: BTreeMap<String, Postings> = BTreeMap::new();
        for part in parts {
            for (k, v) in part.cjk {
                let slot = cjk.entry(k).or_default();
                slot.title.extend(v.title);
                slot.body.extend(v.body);
            }
            for (k, v) in part.words {
                let slot = words.entry(k).or_default();
                slot.title.extend(v.title);
                slot.body.extend(v.body);
            }
        }
        let mut index = SearchIndex {
            cjk,
            words,
            docs: n,
            shards: 0,
            by_shard: Vec::new(),
        };
        index.reshard();
        index
    }

    fn reshard(&mut self) {
        self.shards = self.shard_count();
        let mut by_shard = vec![Vec::new(); self.shards];
        for &k in self.cjk.keys() {
            by_shard[(fnv1a(&cjk_term(k)) % self.shards as u32) as usize].push(k);
        }
        self.by_shard = by_shard;
    }

    /// CJK shards sized by their encoded bytes.
    fn shard_count(&self) -> usize {
        let n = self.docs;
        let estimate = |p: &Postings| {
            [&p.title, &p.body]
                .iter()
                .map(|l| (l.len() * 3).min(n / 6 + 4))
                .sum::<usize>()
                + 12
        };
        let bytes: usize = self.cjk.values().map(estimate).sum();
        (bytes / SHARD_BYTES).next_power_of_two().clamp(16, 16384)
    }

    fn cjk_shard(&self, key: u64) -> (String, Shard) {
        let term = cjk_term(key);
        let shard = Shard::Cjk(fnv1a(&term) % self.shards as u32);
        (term, shard)
    }

    fn shard_file(&self, shard: &Shard) -> Vec<u8> {
        let mut terms: Vec<(String, &Postings)> = match shard {
            Shard::Cjk(s) => self.by_shard[*s as usize]
                .iter()
                .filter_map(|k| self.cjk.get(k).map(|p| (cjk_term(*k), p)))
                .collect(),
            Shard::Words(key) => self
                .words
                .range(key.clone()..)
                .take_while(|(w, _)| w.starts_with(key.as_str()))
                .filter(|(w, _)| word_shard_key(w) == key)
                .map(|(w, p)| (w.clone(), p))
                .collect(),
        };
        terms.retain(|(_, p)| !p.title.is_empty() || !p.body.is_empty());
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        shard_json(&terms, self.docs)
    }

    fn doc_file(p: &Prepared, i: usize) -> (String, Vec<u8>) {
        let e = &p.site.entries[i];
        let a = &e.article;
        let local = a.date.to_zoned(p.config.timezone.clone());
        let doc = json!([
            e.url,
            a.title,
            format!(
                "{:04}.{:02}.{:02}",
                local.year(),
                local.month(),
                local.day()
            ),
            e.section
                .map(|s| p.site.sections[s].title.as_str())
                .unwrap_or(""),
            a.lang.as_deref().unwrap_or(""),
            head(p.bodies[i].plain.trim(), p.config.search.text_chars),
        ]);
        (
            format!("/search/d/{i}.json"),
            serde_json::to_vec(&doc).expect("JSON"),
        )
    }

    /// Every file of the index: (site path, bytes).
    pub fn files(&self, p: &Prepared) -> Vec<(String, Vec<u8>)> {
        let out = std::sync::Mutex::new(Vec::new());
        let _ = self.each_file(p, |path, bytes| {
            out.lock().expect("files").push((path, bytes));
            Ok::<(), ()>(())
        });
        let mut out = out.into_inner().expect("files");
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Makes every file of the index and hands each to `write` as soon as it is made, in
    /// parallel, so the whole index is never in memory as bytes.
    pub fn each_file<E: Send>(
        &self,
        p: &Prepared,
        write: impl Fn(String, Vec<u8>) -> Result<(), E> + Sync,
    ) -> Result<(), E> {
        let n = self.docs;
        let mut cjk_shards: BTreeMap<u32, Vec<(String, &Postings)>> = BTreeMap::new();
        for (k, postings) in &self.cjk {
            if postings.title.is_empty() && postings.body.is_empty() {
                continue;
            }
            let (term, shard) = self.cjk_shard(*k);
            let Shard::Cjk(s) = shard else { unreachable!() };
            cjk_shards.entry(s).or_default().push((term, postings));
        }
        let mut word_shards: BTreeMap<&str, Vec<(String, &Postings)>> = BTreeMap::new();
        for (w, postings) in &self.words {
            if postings.title.is_empty() && postings.body.is_empty() {
                continue;
            }
            word_shards
                .entry(word_shard_key(w))
                .or_default()
                .push((w.clone(), postings));
        }
        cjk_shards.into_par_iter().try_for_each(|(k, mut terms)| {
            terms.sort_by(|a, b| a.0.cmp(&b.0));
            write(Shard::Cjk(k).path(), shard_json(&terms, n))
        })?;
        word_shards
            .into_par_iter()
            .try_for_each(|(key, mut terms)| {
                terms.sort_by(|a, b| a.0.cmp(&b.0));
                write(Shard::Words(key.to_string()).path(), shard_json(&terms, n))
            })?;
        (0..n).into_par_iter().try_for_each(|i| {
            let (path, bytes) = Self::doc_file(p, i);
            write(path, bytes)
        })?;
        write("/search/meta.json".into(), self.meta(p))
    }

    fn meta(&self, p: &Prepared) -> Vec<u8> {
        let meta = json!({ "version": 2, "docs": self.docs, "shards": self.shards, "language": p.config.language });
        serde_json::to_vec(&meta).expect("JSON")
    }

    /// Entry `i` (same place in the site) changed from `old` to `new` terms: updates the
    /// postings and returns the files that changed, or every file if the shard count moved.
    /// A shard that lost its last term is returned empty (`{}`); a fresh build omits it.
    pub fn update(
        &mut self,
        p: &Prepared,
        i: usize,
        old: &DocTerms,
        new: &DocTerms,
    ) -> Vec<(String, Vec<u8>)> {
        let doc = i as u32;
        let mut touched: BTreeSet<Shard> = BTreeSet::new();
        for k in old
            .title_cjk
            .iter()
            .chain(&old.body_cjk)
            .chain(&new.title_cjk)
            .chain(&new.body_cjk)
        {
            touched.insert(self.cjk_shard(*k).1);
        }
        for w in old
            .title_words
            .iter()
            .chain(&old.body_words)
            .chain(&new.title_words)
            .chain(&new.body_words)
        {
            touched.insert(Shard::Words(word_shard_key(w).to_string()));
        }
        for (keys, title) in [(&old.title_cjk, true), (&old.body_cjk, false)] {
            for k in keys {
                if let Some(p) = self.cjk.get_mut(k) {
                    remove(p.side(title), doc);
                }
            }
        }
        for (words, title) in [(&old.title_words, true), (&old.body_words, false)] {
            for w in words {
                if let Some(p) = self.words.get_mut(w) {
                    remove(p.side(title), doc);
                }
            }
        }
        for &k in new.title_cjk.iter().chain(&new.body_cjk) {
            if !self.cjk.contains_key(&k) {
                let Shard::Cjk(s) = self.cjk_shard(k).1 else {
                    unreachable!()
                };
                self.by_shard[s as usize].push(k);
                self.cjk.insert(k, Postings::default());
            }
        }
        for &k in &new.title_cjk {
            add(&mut self.cjk.get_mut(&k).expect("inserted").title, doc);
        }
        for &k in &new.body_cjk {
            add(&mut self.cjk.get_mut(&k).expect("inserted").body, doc);
        }
        for w in &new.title_words {
            add(&mut self.words.entry(w.clone()).or_default().title, doc);
        }
        for w in &new.body_words {
            add(&mut self.words.entry(w.clone()).or_default().body, doc);
        }
        for k in old.title_cjk.iter().chain(&old.body_cjk) {
            if self
                .cjk
                .get(k)
                .is_some_and(|p| p.title.is_empty() && p.body.is_empty())
            {
                self.cjk.remove(k);
                let Shard::Cjk(s) = self.cjk_shard(*k).1 else {
                    unreachable!()
                };
                self.by_shard[s as usize].retain(|x| x != k);
            }
        }
        self.words
            .retain(|_, p| !p.title.is_empty() || !p.body.is_empty());
        if self.shard_count() != self.shards {
            self.reshard();
            return self.files(p);
        }
        let mut out: Vec<(String, Vec<u8>)> = touched
            .par_iter()
            .map(|s| (s.path(), self.shard_file(s)))
            .collect();
        out.push(Self::doc_file(p, i));
        out
    }
}

/// Every file of the search index: (site path, bytes).
pub fn files(p: &Prepared) -> Vec<(String, Vec<u8>)> {
    SearchIndex::build(p).files(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_keys_round_trip() {
        assert_eq!(cjk_term(cjk_key('동', Some('맹'))), "동맹");
        assert_eq!(cjk_term(cjk_key('맹', None)), "맹");
    }

    #[test]
    fn dense_lists_become_bitmaps() {
        let mut s = String::new();
        encode(&mut s, &[0, 2, 3], 100);
        assert_eq!(s, "[0,2,1]");
        let all: Vec<u32> = (0..100).collect();
        let mut s = String::new();
        encode(&mut s, &all, 100);
        assert!(s.starts_with('"'), "{s}");
        let bits = base64::engine::general_purpose::STANDARD
            .decode(s.trim_matches('"'))
            .unwrap();
        assert_eq!(bits.len(), 13);
        assert_eq!(bits[0], 0xFF);
        assert_eq!(bits[12], 0x0F);
    }
}
