//! What a build has to make: every output with its fingerprint, and whether the build
//! cache already has it (pages, static files, search blocks and result files).

use super::*;

/// One output of this build: where it goes, its fingerprint, and whether the cache has it.
pub(super) struct Planned {
    pub(super) output: String,
    /// The fingerprint, or `None` where it is made while rendering (no cache to compare).
    pub(super) fp: Option<u64>,
    /// Reused from the cache (with the object's current time), or to be made.
    pub(super) reuse: Option<(Output, i128)>,
}

/// The output as recorded by the last build, if its object is still sound and its
/// fingerprint is `fp`.
pub(super) fn reusable(
    cache: &Cache,
    state: &State,
    output: &str,
    fp: u64,
) -> Option<(Output, i128)> {
    let out = state.outputs.get(output)?;
    if out.fp != fp {
        return None;
    }
    cache.sound(out).map(|mtime| (*out, mtime))
}

/// A block of the search index in this build.
pub(super) struct PlannedBlock {
    /// Documents of the block (entry indexes, in document order).
    pub(super) entries: Vec<usize>,
    /// (source path, text hash) per document.
    pub(super) members: Vec<(String, u64)>,
    /// The last build's files of this block, when its documents are the same.
    pub(super) reuse: Option<Vec<Planned>>,
    /// Otherwise, how to make it: from the last build's postings, updating the documents at
    /// these positions, or (when `None`) anew.
    pub(super) update: Option<(u128, Vec<usize>)>,
    /// The shard count and postings object: known for a reused block, set when made.
    pub(super) made: std::sync::OnceLock<(usize, u128)>,
}

/// Everything a build writes, and where each file's bytes come from.
pub(super) struct Work<'s> {
    pub(super) jobs: Vec<&'s Job>,
    pub(super) pages: Vec<Planned>,
    pub(super) statics: Vec<(&'s PathBuf, Planned)>,
    pub(super) blocks: Vec<PlannedBlock>,
    /// Search result files: (output, bytes, fingerprint).
    pub(super) batches: Vec<(String, Vec<u8>, u64)>,
}

impl<'s> Work<'s> {
    pub(super) fn plan(snap: &'s Snapshot, cache: &Cache, state: &State) -> Work<'s> {
        let jobs: Vec<&Job> = snap
            .plan
            .jobs
            .iter()
            .filter(|j| !crate::pipeline::collisions::replaced_by_statics(snap, j))
            .collect();
        // Without a last build to compare with, nothing is fingerprinted ahead: each page's
        // view is built once, hashed and rendered.
        let cold = state.outputs.is_empty();
        let pages = jobs
            .par_iter()
            .map(|job| {
                if cold {
                    return Planned {
                        output: job.output.clone(),
                        fp: None,
                        reuse: None,
                    };
                }
                let fp = snap.fingerprint(job);
                Planned {
                    output: job.output.clone(),
                    fp: Some(fp),
                    reuse: reusable(cache, state, &job.output, fp),
                }
            })
            .collect();
        let statics = snap
            .statics
            .iter()
            .map(|(output, source)| {
                let fp = static_fp(source);
                (
                    source,
                    Planned {
                        output: output.clone(),
                        fp: Some(fp),
                        reuse: reusable(cache, state, output, fp),
                    },
                )
            })
            .collect();
        let (blocks, batches) = if snap.config.search.enabled {
            (plan_blocks(snap, cache, state), plan_batches(snap))
        } else {
            (Vec::new(), Vec::new())
        };
        Work {
            jobs,
            pages,
            statics,
            blocks,
            batches,
        }
    }

    /// The search index's `meta.json`, once every block is known.
    pub(super) fn meta(&self, snap: &Snapshot) -> Option<(Vec<u8>, u64)> {
        if !snap.config.search.enabled {
            return None;
        }
        let blocks: Vec<(u32, usize)> = self
            .blocks
            .iter()
            .map(|b| (b.entries.len() as u32, b.made.get().map_or(0, |m| m.0)))
            .collect();
        let bytes = search::meta(&snap.config, &snap.site, &blocks);
        let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
        Some((bytes, fp))
    }

    /// True when every file is the last build's: nothing to render, copy or index.
    pub(super) fn unchanged(&self, snap: &Snapshot, cache: &Cache, state: &State) -> bool {
        let all_reused = self.pages.iter().all(|p| p.reuse.is_some())
            && self.statics.iter().all(|(_, p)| p.reuse.is_some())
            && self.blocks.iter().all(|b| b.reuse.is_some())
            && self
                .batches
                .iter()
                .all(|(o, _, fp)| reusable(cache, state, o, *fp).is_some());
        if !all_reused {
            return false;
        }
        let meta_same = self
            .meta(snap)
            .is_none_or(|(_, fp)| reusable(cache, state, "search/meta.json", fp).is_some());
        let count = self.pages.len()
            + self.statics.len()
            + self
                .blocks
                .iter()
                .map(|b| b.reuse.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
            + self.batches.len()
            + usize::from(snap.config.search.enabled);
        meta_same && count == state.outputs.len()
    }
}

pub(crate) fn static_fp(source: &Path) -> u64 {
    use std::hash::Hasher;
    let stamp = crate::pipeline::stamp::Stamp::of(source).unwrap_or_default();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.write(source.as_os_str().as_encoded_bytes());
    h.write_u64(stamp.len);
    h.write_i128(stamp.mtime_ns);
    h.write_i128(stamp.ctime_ns);
    h.write_u64(stamp.ino);
    h.finish()
}

pub(super) fn plan_blocks(snap: &Snapshot, cache: &Cache, state: &State) -> Vec<PlannedBlock> {
    let n = snap.site.entries.len();
    (0..search::blocks(n))
        .map(|b| {
            let (entries, members) = snap.search_block(b);
            let made = std::sync::OnceLock::new();
            let mut reuse = None;
            let mut update = None;
            if let Some(old) = state.search.get(b) {
                if old.members == members {
                    let prefix = format!("search/{b}/");
                    let files: Vec<Planned> = state
                        .outputs
                        .range(prefix.clone()..)
                        .take_while(|(k, _)| k.starts_with(&prefix))
                        .map(|(k, o)| Planned {
                            output: k.clone(),
                            fp: Some(o.fp),
                            reuse: cache.sound(o).map(|mtime| (*o, mtime)),
                        })
                        .collect();
                    if !files.is_empty() && files.iter().all(|f| f.reuse.is_some()) {
                        let _ = made.set((old.shards, old.postings));
                        reuse = Some(files);
                    }
                }
                // The same documents in the same places (some edited), maybe more after
                // them: the last build's postings, updated.
                if reuse.is_none()
                    && old.members.len() <= members.len()
                    && old.members.iter().zip(&members).all(|(a, b)| a.0 == b.0)
                {
                    let stale = (0..members.len())
                        .filter(|&k| old.members.get(k) != Some(&members[k]))
                        .collect();
                    update = Some((old.postings, stale));
                }
            }
            PlannedBlock {
                entries,
                members,
                reuse,
                update,
                made,
            }
        })
        .collect()
}

pub(super) fn plan_batches(snap: &Snapshot) -> Vec<(String, Vec<u8>, u64)> {
    (0..search::batches(snap.site.entries.len()))
        .into_par_iter()
        .map(|k| {
            let bytes = search::batch(&snap.config, &snap.site, k);
            let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
            let output = search::batch_path(k).trim_start_matches('/').to_string();
            (output, bytes, fp)
        })
        .collect()
}

/// Renders a page, with its fingerprint (made now, from the same view, when not known).
pub(super) fn render_job(
    snap: &Snapshot,
    job: &Job,
    planned: &Planned,
    body: Option<(usize, &Rendered)>,
) -> std::result::Result<(Vec<u8>, u64), Diagnostic> {
    match planned.fp {
        Some(fp) => snap.render(job, body).map(|bytes| (bytes, fp)),
        None => snap.render_fingerprinted(job, body),
    }
}
