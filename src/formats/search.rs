//! The search index: sharded so that a query downloads only the parts it needs, and laid
//! out so that a new article changes as little of it as possible.
//!
//! Documents are numbered oldest first (the newest article has the largest number), so a
//! new article is appended, never renumbering the others. They are grouped in blocks of
//! [`BLOCK`] documents; each block is an index of its own, and a query reads every block.
//! Layout under `/search/`:
//! - `meta.json`: the number of documents and, per block, its documents and CJK shards.
//! - `<block>/k/<n>.json`: CJK unigrams and bigrams, shard `fnv1a(term) % shards`.
//! - `<block>/w/<hex>.json`: words, sharded by their first three characters (hex of the
//!   UTF-8), so a prefix query of three or more characters reads one file per block.
//! - `d/<n>.json`: what results show for documents `100n` to `100n + 99`: URL, title, date,
//!   section, language and summary (one file per hundred articles).
//!
//! Each term maps to `[title, body]`: the documents (numbered within the block) whose title
//! holds the term, and those whose body (but not title) does. A list is either an array of
//! gaps between document numbers or, when that would be longer, a base64 bitmap over the
//! block's documents.

use std::collections::BTreeMap;

use ahash::{AHashMap, AHashSet};
use base64::Engine;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::doclist::DocList;
use super::keyset::KeySet;
use crate::config::Config;
use crate::content::Article;
use crate::model::Site;
use crate::text::tokens::{fnv1a, word_shard_key};

/// Documents per block.
pub const BLOCK: usize = 16_384;
/// Documents per result file.
pub const BATCH: usize = 100;
/// Aim for shards of about this many bytes.
const SHARD_BYTES: usize = 24 * 1024;

/// The document number of entry `i` (entries are newest first; documents oldest first).
pub fn doc_of(entries: usize, i: usize) -> usize {
    entries - 1 - i
}

/// The entry of document `d`.
pub fn entry_of(entries: usize, d: usize) -> usize {
    entries - 1 - d
}

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

/// Where [`terms`] puts CJK keys.
trait Cjk {
    fn push(&mut self, key: u64);
}

impl Cjk for Vec<u64> {
    fn push(&mut self, key: u64) {
        Vec::push(self, key);
    }
}

impl Cjk for KeySet {
    #[inline]
    fn push(&mut self, key: u64) {
        self.insert(key);
    }
}

/// Terms of one text: packed CJK keys, and lower-cased words.
fn terms<'t>(text: &'t str, cjk: &mut impl Cjk, words: &mut Vec<std::borrow::Cow<'t, str>>) {
    // One pass over the bytes, the same split as `tokens::runs`: CJK characters give their
    // unigram and the bigram with the CJK character before them; letters and digits of
    // other scripts make words.
    let bytes = text.as_bytes();
    let mut prev: Option<char> = None;
    let mut word: Option<usize> = None;
    let (mut upper, mut ascii) = (false, true);
    let mut flush = |word: &mut Option<usize>, end: usize, upper: bool, ascii: bool| {
        if let Some(start) = word.take() {
            let w = &text[start..end];
            let max = crate::text::tokens::MAX_WORD;
            if w.len() > max && (ascii || w.chars().count() > max) {
                return;
            }
            words.push(if upper {
                std::borrow::Cow::Owned(w.chars().flat_map(char::to_lowercase).collect())
            } else {
                std::borrow::Cow::Borrowed(w)
            });
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            prev = None;
            if b.is_ascii_alphanumeric() {
                if word.is_none() {
                    word = Some(i);
                    (upper, ascii) = (false, true);
                }
                upper |= b.is_ascii_uppercase();
            } else {
                if word.is_some() {
                    flush(&mut word, i, upper, ascii);
                }
            }
            i += 1;
            continue;
        }
        let (c, n) = crate::text::tokens::char_at(text, i);
        if crate::text::tokens::is_cjk(c) {
            if word.is_some() {
                flush(&mut word, i, upper, ascii);
            }
            cjk.push(cjk_key(c, None));
            if let Some(p) = prev {
                cjk.push(cjk_key(p, Some(c)));
            }
            prev = Some(c);
        } else {
            prev = None;
            if c.is_alphanumeric() {
                if word.is_none() {
                    word = Some(i);
                    upper = false;
                }
                ascii = false;
                upper |= c.is_uppercase();
            } else {
                if word.is_some() {
                    flush(&mut word, i, upper, ascii);
                }
            }
        }
        i += n;
    }
    flush(&mut word, bytes.len(), upper, ascii);
}

/// The index terms of one document: CJK keys and words, of the title and of the rest.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocTerms {
    title_cjk: Vec<u64>,
    title_words: Vec<String>,
    body_cjk: Vec<u64>,
    body_words: Vec<String>,
}

/// Reusable space for [`doc_terms`]: one set of CJK keys (deduplicating thousands of bigrams
/// an article was the largest cost of the index; sorting them costs more still). One per
/// worker.
#[derive(Default)]
pub struct Scratch {
    cjk: KeySet,
}

/// What an article contributes to the index (body terms exclude those in the title).
/// `plain` is its body as text.
pub fn doc_terms(a: &Article, plain: &str, scratch: &mut Scratch) -> DocTerms {
    let (mut tw, mut bw) = (Vec::new(), Vec::new());
    let set = &mut scratch.cjk;
    set.clear();
    // The title's keys first: the body's that are new come after them.
    terms(&a.title, set, &mut tw);
    let in_title = set.keys().len();
    for text in a
        .subtitle
        .iter()
        .chain(a.summary.iter())
        .chain(a.tags.iter())
    {
        terms(text, set, &mut bw);
    }
    terms(plain, set, &mut bw);
    let (title_cjk, body_cjk) = set.keys().split_at(in_title);
    let title_words: AHashSet<std::borrow::Cow<'_, str>> = tw.drain(..).collect();
    let mut seen = AHashSet::with_capacity(bw.len());
    bw.retain(|w| !title_words.contains(w) && seen.insert(w.clone()));
    tw.extend(title_words);
    DocTerms {
        title_cjk: title_cjk.to_vec(),
        title_words: tw.into_iter().map(|w| w.into_owned()).collect(),
        body_cjk: body_cjk.to_vec(),
        body_words: bw.into_iter().map(|w| w.into_owned()).collect(),
    }
}

/// The documents holding one term.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Postings {
    title: DocList,
    body: DocList,
}

impl Postings {
    fn is_empty(&self) -> bool {
        self.title.is_empty() && self.body.is_empty()
    }
}

/// Terms whose postings changed: their shards are the files to write again.
#[derive(Debug, Default, Clone)]
pub struct Touched {
    cjk: Vec<u64>,
    words: Vec<String>,
}

impl Touched {
    pub fn extend(&mut self, other: Touched) {
        self.cjk.extend(other.cjk);
        self.words.extend(other.words);
    }
}

/// The documents a bitmap covers: the block's, rounded up to a multiple of 1,024, so that
/// appending an article leaves the lists it is not in byte for byte as they were.
fn span(docs: usize) -> usize {
    docs.div_ceil(1024).max(1) * 1024
}

/// The index of one block of documents, numbered within the block.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Documents in the block.
    pub docs: u32,
    cjk: AHashMap<u64, Postings>,
    words: AHashMap<String, Postings>,
}

impl Block {
    pub fn new(docs: u32) -> Block {
        Block {
            docs,
            ..Block::default()
        }
    }

    /// Adds document `doc`'s terms (appending is cheapest: documents in increasing order).
    pub fn add(&mut self, doc: u32, t: &DocTerms) {
        for (keys, title) in [(&t.title_cjk, true), (&t.body_cjk, false)] {
            for &k in keys {
                let p = self.cjk.entry(k).or_default();
                if title { &mut p.title } else { &mut p.body }.insert(doc);
            }
        }
        for (words, title) in [(&t.title_words, true), (&t.body_words, false)] {
            for w in words {
                let p = match self.words.get_mut(w.as_str()) {
                    Some(p) => p,
                    None => self.words.entry(w.clone()).or_default(),
                };
                if title { &mut p.title } else { &mut p.body }.insert(doc);
            }
        }
    }

    /// Removes document `doc` from every term (its old terms are not known: every list is
    /// searched, each by bisection). Returns the terms it was in.
    pub fn remove(&mut self, doc: u32) -> Touched {
        let had = |p: &mut Postings| p.title.remove(doc) | p.body.remove(doc);
        let cjk: Vec<u64> = self
            .cjk
            .par_iter_mut()
            .filter_map(|(k, p)| had(p).then_some(*k))
            .collect();
        self.cjk.retain(|_, p| !p.is_empty());
        let words: Vec<String> = self
            .words
            .iter_mut()
            .filter_map(|(k, p)| had(p).then(|| k.clone()))
            .collect();
        self.words.retain(|_, p| !p.is_empty());
        Touched { cjk, words }
    }

    /// The terms of a partial index (of documents about to be added).
    pub fn terms(&self) -> Touched {
        Touched {
            cjk: self.cjk.keys().copied().collect(),
            words: self.words.keys().cloned().collect(),
        }
    }

    /// Joins partial indexes of consecutive ranges of documents, in order.
    pub fn merge(docs: u32, parts: Vec<Block>) -> Block {
        let mut out = Block::new(docs);
        for part in parts {
            for (k, v) in part.cjk {
                let slot = out.cjk.entry(k).or_default();
                slot.title.append(&v.title);
                slot.body.append(&v.body);
            }
            for (k, v) in part.words {
                let slot = out.words.entry(k).or_default();
                slot.title.append(&v.title);
                slot.body.append(&v.body);
            }
        }
        out
    }

    /// Adds partial indexes of some of this block's documents (in any place).
    pub fn absorb(mut self, parts: Vec<Block>) -> Block {
        if self.cjk.is_empty() && self.words.is_empty() {
            return Block::merge(self.docs, parts);
        }
        let join = |slot: &mut Postings, v: Postings| {
            for d in v.title.iter() {
                slot.title.insert(d);
            }
            for d in v.body.iter() {
                slot.body.insert(d);
            }
        };
        for part in parts {
            for (k, v) in part.cjk {
                join(self.cjk.entry(k).or_default(), v);
            }
            for (k, v) in part.words {
                join(self.words.entry(k).or_default(), v);
            }
        }
        self
    }

    /// CJK shards, sized by their encoded bytes.
    pub fn shards(&self) -> usize {
        let n = span(self.docs as usize);
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

    /// The paths of the shard files that hold `touched` terms (with this block's shard
    /// count).
    pub fn touched_files(&self, b: usize, touched: &Touched) -> std::collections::HashSet<String> {
        let shards = self.shards() as u32;
        let mut out: std::collections::HashSet<String> = touched
            .cjk
            .iter()
            .map(|k| format!("search/{b}/k/{}.json", fnv1a(&cjk_term(*k)) % shards))
            .collect();
        out.extend(
            touched
                .words
                .iter()
                .map(|w| format!("search/{b}/w/{}.json", hex(word_shard_key(w)))),
        );
        out
    }

    /// Makes every shard file of block `b` (or only those `only` names) and hands each to
    /// `write` as soon as it is made, in parallel: (site path, bytes).
    pub fn each_file<E: Send>(
        &self,
        b: usize,
        only: Option<&std::collections::HashSet<String>>,
        write: &(dyn Fn(String, Vec<u8>) -> Result<(), E> + Sync),
    ) -> Result<(), E> {
        let n = span(self.docs as usize);
        let shards = self.shards() as u32;
        let wanted_cjk =
            |k: u32| only.is_none_or(|o| o.contains(&format!("search/{b}/k/{k}.json")));
        let mut cjk_shards: BTreeMap<u32, Vec<(String, &Postings)>> = BTreeMap::new();
        for (k, postings) in &self.cjk {
            let term = cjk_term(*k);
            let shard = fnv1a(&term) % shards;
            cjk_shards.entry(shard).or_default().push((term, postings));
        }
        cjk_shards.retain(|k, _| wanted_cjk(*k));
        let mut word_shards: BTreeMap<&str, Vec<(String, &Postings)>> = BTreeMap::new();
        for (w, postings) in &self.words {
            word_shards
                .entry(word_shard_key(w))
                .or_default()
                .push((w.clone(), postings));
        }
        word_shards.retain(|key, _| {
            only.is_none_or(|o| o.contains(&format!("search/{b}/w/{}.json", hex(key))))
        });
        cjk_shards.into_par_iter().try_for_each(|(k, mut terms)| {
            terms.sort_by(|a, b| a.0.cmp(&b.0));
            write(format!("/search/{b}/k/{k}.json"), shard_json(&terms, n))
        })?;
        word_shards
            .into_par_iter()
            .try_for_each(|(key, mut terms)| {
                terms.sort_by(|a, b| a.0.cmp(&b.0));
                write(
                    format!("/search/{b}/w/{}.json", hex(key)),
                    shard_json(&terms, n),
                )
            })
    }
}

/// Appends `n` in decimal (the formatting machinery costs more than the index's
/// millions of small numbers are worth).
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
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
        push_number(&mut gaps, d - prev);
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
        encode(&mut out, &postings.title.to_vec(), total);
        out.push(',');
        encode(&mut out, &postings.body.to_vec(), total);
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

/// `/search/meta.json`: per block, its documents and CJK shard count.
///
/// A site with editions also gets `editions` (their languages) and `edition_of`: one digit
/// per document, the index of its edition, so each edition's search page keeps its own.
pub fn meta(c: &Config, site: &Site, blocks: &[(u32, usize)]) -> Vec<u8> {
    let docs: u32 = blocks.iter().map(|b| b.0).sum();
    let blocks: Vec<_> = blocks
        .iter()
        .map(|(docs, shards)| json!({ "docs": docs, "shards": shards }))
        .collect();
    let mut meta = json!({ "version": 3, "docs": docs, "batch": BATCH, "blocks": blocks, "language": c.language });
    if c.multilingual() {
        let n = site.entries.len();
        let edition_of: String = (0..n)
            .map(|d| {
                let e = site.entries[entry_of(n, d)].edition.min(9) as u8;
                char::from(b'0' + e)
            })
            .collect();
        let editions: Vec<&str> = c.editions.iter().map(|e| e.language.as_str()).collect();
        meta["editions"] = json!(editions);
        meta["edition_of"] = json!(edition_of);
    }
    serde_json::to_vec(&meta).expect("JSON")
}

/// The site path of result file `n`.
pub fn batch_path(n: usize) -> String {
    format!("/search/d/{n}.json")
}

/// Result file `n`: what results show for documents `BATCH * n` onwards.
pub fn batch(c: &Config, site: &Site, n: usize) -> Vec<u8> {
    let total = site.entries.len();
    let docs: Vec<serde_json::Value> = (n * BATCH..((n + 1) * BATCH).min(total))
        .map(|d| {
            let e = &site.entries[entry_of(total, d)];
            let a = &e.article;
            let (y, m, day) = a.day;
            json!([
                e.url,
                a.title,
                format!("{y:04}.{m:02}.{day:02}"),
                e.section
                    .map(|s| site.sections[s].title.as_str())
                    .unwrap_or(""),
                a.lang.as_deref().unwrap_or(""),
                head(a.summary_text().trim(), c.search.text_chars),
            ])
        })
        .collect();
    serde_json::to_vec(&docs).expect("JSON")
}

/// How many result files a site of `entries` articles has.
pub fn batches(entries: usize) -> usize {
    entries.div_ceil(BATCH)
}

/// How many blocks a site of `entries` articles has (an empty site has one, empty).
pub fn blocks(entries: usize) -> usize {
    entries.div_ceil(BLOCK).max(1)
}

/// The documents of block `b` in a site of `entries` articles.
pub fn block_docs(entries: usize, b: usize) -> std::ops::Range<usize> {
    (b * BLOCK).min(entries)..((b + 1) * BLOCK).min(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms by way of `tokens::runs`, the split the browser script mirrors.
    fn reference(text: &str) -> (Vec<u64>, Vec<String>) {
        use crate::text::tokens::{MAX_WORD, Run, runs};
        let (mut cjk, mut words) = (Vec::new(), Vec::new());
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
                Run::Word(w) if w.chars().count() <= MAX_WORD => {
                    words.push(w.chars().flat_map(char::to_lowercase).collect())
                }
                Run::Word(_) => {}
            }
        }
        (cjk, words)
    }

    proptest::proptest! {
        #[test]
        fn one_pass_terms_match_the_runs(text in "[a-zA-Z0-9 .,가-힣ㄱ-ㅎ日本カÉéЁё\u{1d518}\u{3000}-]{0,120}") {
            let (mut cjk, mut words) = (Vec::new(), Vec::new());
            terms(&text, &mut cjk, &mut words);
            let words: Vec<String> = words.into_iter().map(|w| w.into_owned()).collect();
            proptest::prop_assert_eq!((cjk, words), reference(&text));
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 1234, u32::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

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

    #[test]
    fn removing_and_adding_again_gives_the_same_block() {
        let t = |title: &str| DocTerms {
            title_cjk: vec![cjk_key('동', Some('맹'))],
            title_words: vec![title.to_string()],
            ..DocTerms::default()
        };
        let mut a = Block::new(3);
        a.add(0, &t("one"));
        a.add(1, &t("two"));
        a.add(2, &t("three"));
        let mut b = a.clone();
        b.remove(1);
        b.add(1, &t("two"));
        assert_eq!(a, b);
        b.remove(2);
        assert!(!b.words.contains_key("three"));
    }
}
