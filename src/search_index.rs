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

use std::collections::BTreeMap;
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
                if w.chars().count() > crate::text::tokens::MAX_WORD {
                    continue;
                }
                if w.chars().any(|c| c.is_uppercase()) {
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

#[derive(Default)]
struct Part {
    cjk: AHashMap<u64, Postings>,
    words: AHashMap<String, Postings>,
}

fn index_range(p: &Prepared, docs: std::ops::Range<usize>) -> Part {
    let mut part = Part::default();
    let (mut tc, mut tw, mut bc, mut bw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in docs {
        let a = &p.site.entries[i].article;
        tc.clear();
        tw.clear();
        bc.clear();
        bw.clear();
        terms(&a.title, &mut tc, &mut tw);
        for text in a
            .subtitle
            .iter()
            .chain(a.summary.iter())
            .chain(a.tags.iter())
        {
            terms(text, &mut bc, &mut bw);
        }
        terms(&p.bodies[i].plain, &mut bc, &mut bw);
        tc.sort_unstable();
        tc.dedup();
        tw.sort_unstable();
        tw.dedup();
        bc.sort_unstable();
        bc.dedup();
        bw.sort_unstable();
        bw.dedup();
        let doc = i as u32;
        for &k in &tc {
            part.cjk.entry(k).or_default().title.push(doc);
        }
        for &k in &bc {
            if tc.binary_search(&k).is_err() {
                part.cjk.entry(k).or_default().body.push(doc);
            }
        }
        for w in &tw {
            match part.words.get_mut(w.as_ref()) {
                Some(p) => p.title.push(doc),
                None => {
                    part.words.insert(
                        w.to_string(),
                        Postings {
                            title: vec![doc],
                            body: Vec::new(),
                        },
                    );
                }
            }
        }
        for w in &bw {
            if tw.binary_search(w).is_ok() {
                continue;
            }
            match part.words.get_mut(w.as_ref()) {
                Some(p) => p.body.push(doc),
                None => {
                    part.words.insert(
                        w.to_string(),
                        Postings {
                            title: Vec::new(),
                            body: vec![doc],
                        },
                    );
                }
            }
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

/// Every file of the search index: (site path, bytes).
pub fn files(p: &Prepared) -> Vec<(String, Vec<u8>)> {
    let n = p.site.entries.len();
    let per = n.div_ceil(rayon::current_num_threads().max(1) * 4).max(64);
    let ranges: Vec<std::ops::Range<usize>> =
        (0..n).step_by(per).map(|s| s..(s + per).min(n)).collect();
    let parts: Vec<Part> = ranges.into_par_iter().map(|r| index_range(p, r)).collect();
    // Ranges are in document order, so appending keeps every posting list sorted.
    let mut cjk: AHashMap<u64, Postings> = AHashMap::new();
    let mut words: AHashMap<String, Postings> = AHashMap::new();
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

    // Size the CJK shards by their encoded bytes.
    let estimate = |p: &Postings| {
        let lists = [&p.title, &p.body];
        lists
            .iter()
            .map(|l| (l.len() * 3).min(n / 6 + 4))
            .sum::<usize>()
            + 12
    };
    let cjk_bytes: usize = cjk.values().map(estimate).sum();
    let shards = (cjk_bytes / SHARD_BYTES)
        .next_power_of_two()
        .clamp(16, 16384);
    let mut cjk_shards: BTreeMap<u32, Vec<(String, &Postings)>> = BTreeMap::new();
    for (k, postings) in &cjk {
        let term = cjk_term(*k);
        cjk_shards
            .entry(fnv1a(&term) % shards as u32)
            .or_default()
            .push((term, postings));
    }
    let mut word_shards: BTreeMap<&str, Vec<(String, &Postings)>> = BTreeMap::new();
    for (w, postings) in &words {
        word_shards
            .entry(word_shard_key(w))
            .or_default()
            .push((w.clone(), postings));
    }
    let mut out: Vec<(String, Vec<u8>)> = cjk_shards
        .into_par_iter()
        .map(|(k, mut terms)| {
            terms.sort_by(|a, b| a.0.cmp(&b.0));
            (format!("/search/k/{k}.json"), shard_json(&terms, n))
        })
        .collect();
    out.par_extend(word_shards.into_par_iter().map(|(key, mut terms)| {
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        (
            format!("/search/w/{}.json", hex(key)),
            shard_json(&terms, n),
        )
    }));
    out.par_extend((0..n).into_par_iter().map(|i| {
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
    }));
    let meta = json!({ "version": 2, "docs": n, "shards": shards, "language": p.config.language });
    out.push((
        "/search/meta.json".into(),
        serde_json::to_vec(&meta).expect("JSON"),
    ));
    out
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
