//! Article pages and the search index, rendered together so that each body is rendered
//! once.

use super::*;

/// Renders the article pages that changed and the search blocks that changed, one block of
/// documents after another (so only one block's postings are held at a time). An article's
/// body is rendered once, for its page and its block together.
pub(super) fn render_articles_and_search(
    snap: &Snapshot,
    work: &Work<'_>,
    writer: &Writer<'_>,
    state: &State,
    facts: &Mutex<Vec<(String, BodyFacts)>>,
) -> Diagnostics {
    let n = snap.site.entries.len();
    let mut article: Vec<Option<(&Job, &Planned)>> = vec![None; n];
    for (job, planned) in work.jobs.iter().zip(&work.pages) {
        if let Some(PageKind::Article(i)) = job.page() {
            article[i] = Some((job, planned));
        }
    }
    let page_due = |i: usize| article[i].is_some_and(|(_, p)| p.reuse.is_none());
    let errors = Mutex::new(Diagnostics::default());
    let fail = |ds: Vec<Diagnostic>| errors.lock().unwrap_or_else(|e| e.into_inner()).extend(ds);
    // One article: its body rendered if its page or its block needs it.
    let process = |i: usize, index: bool, scratch: &mut Scratch| -> Option<search::DocTerms> {
        let due = page_due(i);
        if !due && !index {
            return None;
        }
        let body: Rendered = match snap.render_body(i) {
            Ok(b) => b,
            Err(ds) => {
                fail(ds);
                return None;
            }
        };
        if let Some((job, planned)) = article[i].filter(|_| due)
            && let Err(d) = render_job(snap, job, planned, Some((i, &body)))
                .and_then(|(bytes, fp)| writer.write(&job.output, &bytes, fp))
        {
            fail(vec![d]);
        }
        let a = &snap.site.entries[i].article;
        facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((a.file.rel.clone(), Snapshot::facts(&body)));
        index.then(|| search::doc_terms(a, &body.plain, scratch))
    };

    let mut indexed = vec![false; n];
    for (b, block) in work.blocks.iter().enumerate() {
        if let Some(files) = &block.reuse {
            let linked: Vec<Diagnostic> = files
                .par_iter()
                .filter_map(|f| writer.link(f).err())
                .collect();
            fail(linked);
            continue;
        }
        for i in render_block(b, block, state, writer, &process, &fail) {
            indexed[i] = true;
        }
    }
    // Article pages of documents no changed block covered.
    (0..n)
        .into_par_iter()
        .filter(|&i| !indexed[i] && page_due(i))
        .for_each_init(Scratch::default, |scratch, i| {
            process(i, false, scratch);
        });
    errors.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// One article's body rendered for its page (if due) and, when asked, its search terms.
type Process<'a> = dyn Fn(usize, bool, &mut Scratch) -> Option<search::DocTerms> + Sync + 'a;

/// Makes search block `b` again: from the last build's postings with its changed documents
/// replaced, or anew. Writes the shard files a change touched and links the rest. Returns
/// the entries it rendered.
fn render_block(
    b: usize,
    block: &PlannedBlock,
    state: &State,
    writer: &Writer<'_>,
    process: &Process<'_>,
    fail: &(dyn Fn(Vec<Diagnostic>) + Sync),
) -> Vec<usize> {
    let docs = block.entries.len() as u32;
    let old_shards = state.search.get(b).map(|s| s.shards);
    let (index, todo, mut touched) = start_block(block, writer);
    // Each worker indexes runs of consecutive documents into a partial index of its
    // own; the partial indexes come back in document order and are merged in order.
    let parts: Vec<Block> = todo
        .par_chunks(64)
        .fold(
            || (Block::new(docs), Scratch::default()),
            |(mut part, mut scratch), ks| {
                for &k in ks {
                    if let Some(terms) = process(block.entries[k], true, &mut scratch) {
                        part.add(k as u32, &terms);
                    }
                }
                (part, scratch)
            },
        )
        .map(|(part, _)| part)
        .collect();
    let mut phases = Phases::new();
    phases.mark("  documents");
    if let Some(t) = touched.as_mut() {
        for part in &parts {
            t.extend(part.terms());
        }
    }
    let index = index.absorb(parts);
    phases.mark("  merge");
    // With the same shards as before, only those holding a changed term are made
    // again; the rest are the last build's files.
    let only = touched
        .filter(|_| old_shards == Some(index.shards()))
        .map(|t| index.touched_files(b, &t));
    if let Some(only) = &only {
        fail(link_kept_shards(b, only, state, writer));
    }
    // A shard's file is named by its bytes: one whose terms did not change is linked.
    // The postings are kept for the next build meanwhile.
    let (written, postings) = rayon::join(
        || {
            index.each_file(b, only.as_ref(), &|path, bytes| {
                let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
                writer.write_or_link(state, path.trim_start_matches('/'), &bytes, fp)
            })
        },
        || {
            postcard::to_stdvec(&index)
                .ok()
                .and_then(|bytes| writer.cache.store_bytes(&bytes).ok())
                .unwrap_or_default()
        },
    );
    if let Err(d) = written {
        fail(vec![d]);
    }
    let _ = block.made.set((index.shards(), postings));
    phases.mark("  shards");
    todo.iter().map(|&k| block.entries[k]).collect()
}

/// The index a changed block starts from, the documents to (re)index, and (when starting
/// from the last build's postings) the terms whose lists change.
fn start_block(
    block: &PlannedBlock,
    writer: &Writer<'_>,
) -> (Block, Vec<usize>, Option<search::Touched>) {
    let docs = block.entries.len() as u32;
    let start = match &block.update {
        Some((postings, stale)) => writer.cache.block(*postings).map(|mut old| {
            old.docs = docs;
            let mut touched = search::Touched::default();
            for &k in stale {
                touched.extend(old.remove(k as u32));
            }
            (old, stale.clone(), Some(touched))
        }),
        None => None,
    };
    start.unwrap_or_else(|| (Block::new(docs), (0..block.entries.len()).collect(), None))
}

/// Links the last build's shard files of block `b` that are not in `only` (the files a
/// change touched).
fn link_kept_shards(
    b: usize,
    only: &std::collections::HashSet<String>,
    state: &State,
    writer: &Writer<'_>,
) -> Vec<Diagnostic> {
    let prefix = format!("search/{b}/");
    state
        .outputs
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| !only.contains(k.as_str()))
        .filter_map(|(k, o)| {
            let reuse = writer.cache.sound(o).map(|m| (*o, m));
            match reuse {
                Some(r) => writer
                    .link(&Planned {
                        output: k.clone(),
                        fp: Some(o.fp),
                        reuse: Some(r),
                    })
                    .err(),
                None => Some(Diagnostic::error(
                    writer.cache.dir(),
                    format!("the build cache lost {k}; build again"),
                )),
            }
        })
        .collect()
}
