//! What `nuri serve` keeps between changes: the engine (the sources as last read), the
//! current snapshot, and the search index.
//!
//! A change re-reads the files it touched and makes a new snapshot; nothing is rendered
//! until a browser asks (see [`super::site`]). The new snapshot replaces the old one only if
//! it has no errors and the pages in view render; otherwise the last good one stays, with
//! the problems shown over it. The search index follows in the background thread of the
//! caller, block by block, as a build would update it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics, Error};
use crate::formats::search::{self, Block, Scratch};
use crate::pipeline::library::Known;
use crate::pipeline::{BuildRequest, Change, Engine, Snapshot};

/// The search index of one snapshot: per block its documents and postings, and its files.
#[derive(Default)]
pub struct SearchIndex {
    blocks: Vec<(Vec<(String, u64)>, Block)>,
    /// Shard files by output path (`search/0/k/3.json`) and `search/meta.json`.
    pub files: HashMap<String, Arc<Vec<u8>>>,
}

impl SearchIndex {
    /// Brings the index up to `snap`: unchanged blocks are kept, blocks whose documents
    /// stayed in place are updated (edited and appended documents), others are made anew.
    pub fn update(&mut self, snap: &Snapshot) -> Diagnostics {
        let mut problems = Diagnostics::default();
        if !snap.config.search.enabled {
            self.files.clear();
            self.blocks.clear();
            return problems;
        }
        let n = snap.site.entries.len();
        let count = search::blocks(n);
        self.blocks.truncate(count);
        let mut metas = Vec::with_capacity(count);
        for b in 0..count {
            let (entries, members) = snap.search_block(b);
            let docs = entries.len() as u32;
            let same = self.blocks.get(b).is_some_and(|(m, _)| *m == members);
            if !same {
                let old = self.blocks.get(b);
                let in_place = old.is_some_and(|(m, _)| {
                    m.len() <= members.len() && m.iter().zip(&members).all(|(a, b)| a.0 == b.0)
                });
                let (mut block, stale, mut touched): (Block, Vec<usize>, _) = match old {
                    Some((m, _)) if in_place => {
                        let stale = (0..members.len())
                            .filter(|&k| m.get(k) != Some(&members[k]))
                            .collect();
                        (
                            std::mem::take(&mut self.blocks[b].1),
                            stale,
                            Some(search::Touched::default()),
                        )
                    }
                    _ => (Block::new(docs), (0..members.len()).collect(), None),
                };
                let old_shards = touched.as_ref().map(|_| block.shards());
                block.docs = docs;
                for &k in &stale {
                    let gone = block.remove(k as u32);
                    if let Some(t) = touched.as_mut() {
                        t.extend(gone);
                    }
                }
                let parts: Vec<Block> = stale
                    .par_chunks(256)
                    .map(|ks| {
                        let mut scratch = Scratch::default();
                        let mut part = Block::new(docs);
                        for &k in ks {
                            let i = entries[k];
                            // A body that does not render is left out (its page shows why).
                            if let Ok(body) = snap.render_body(i) {
                                part.add(
                                    k as u32,
                                    &search::doc_terms(
                                        &snap.site.entries[i].article,
                                        &body.plain,
                                        &mut scratch,
                                    ),
                                );
                            }
                        }
                        part
                    })
                    .collect();
                if let Some(t) = touched.as_mut() {
                    for part in &parts {
                        t.extend(part.terms());
                    }
                }
                let block = block.absorb(parts);
                // With the same shards, only the files holding a changed term are made again.
                let only = touched
                    .filter(|_| old_shards == Some(block.shards()))
                    .map(|t| block.touched_files(b, &t));
                let prefix = format!("search/{b}/");
                match &only {
                    Some(only) => self.files.retain(|k, _| !only.contains(k.as_str())),
                    None => self.files.retain(|k, _| !k.starts_with(&prefix)),
                }
                let files = std::sync::Mutex::new(Vec::new());
                let _ = block.each_file(b, only.as_ref(), &|path, bytes| {
                    files
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((path.trim_start_matches('/').to_string(), Arc::new(bytes)));
                    Ok::<(), ()>(())
                });
                self.files
                    .extend(files.into_inner().unwrap_or_else(|e| e.into_inner()));
                if b < self.blocks.len() {
                    self.blocks[b] = (members, block);
                } else {
                    self.blocks.push((members, block));
                }
            }
            metas.push((docs, self.blocks[b].1.shards()));
        }
        let prefixes: Vec<String> = (0..count).map(|b| format!("search/{b}/")).collect();
        self.files
            .retain(|k, _| prefixes.iter().any(|p| k.starts_with(p.as_str())));
        self.files.insert(
            "search/meta.json".into(),
            Arc::new(search::meta(&snap.config, &snap.site, &metas)),
        );
        problems.extend(std::iter::empty::<Diagnostic>());
        problems
    }
}

/// The engine and its current snapshot.
pub struct Session {
    engine: Option<Engine>,
    request: BuildRequest,
    known: Known,
}

impl Session {
    /// A session for the site of `request`, reusing what the build cache knows (when it is
    /// sound and made for this site's config).
    pub fn new(request: BuildRequest, known: Known) -> Session {
        Session {
            engine: None,
            request,
            known,
        }
    }

    pub fn request(&self) -> &BuildRequest {
        &self.request
    }

    /// The site as the sources now are, after `changes` (all of them at first), and how
    /// many content files were read for it.
    pub fn rebuild(
        &mut self,
        changes: &BTreeSet<Change>,
    ) -> Result<(Snapshot, usize), Diagnostics> {
        let result = match self.engine.as_mut() {
            Some(engine) => engine.apply(changes).map_err(diagnostics),
            None => Engine::open(&self.request, &self.known)
                .map(|e| {
                    let read = e.content.files.len();
                    self.engine = Some(e);
                    read
                })
                .map_err(diagnostics),
        };
        let read = match result {
            Ok(read) => read,
            Err(d) => {
                // A config that does not load: the next change starts from the files again.
                if let Some(e) = self.engine.take() {
                    self.known = e.known();
                }
                return Err(d);
            }
        };
        let engine = self.engine.as_ref().expect("opened");
        let mut phases = crate::pipeline::Phases::new();
        phases.mark("  apply");
        let snap = engine.snapshot()?;
        if snap.problems.has_errors() {
            return Err(snap.problems.clone());
        }
        Ok((snap, read))
    }

    /// Site title, for messages.
    pub fn title(&self) -> Option<String> {
        self.engine.as_ref().map(|e| e.config.title.clone())
    }
}

fn diagnostics(e: Error) -> Diagnostics {
    match e {
        Error::Config(d) | Error::Content(d) | Error::Template(d) | Error::Render(d) => d,
        other => Diagnostics(vec![Diagnostic::error(
            crate::config::CONFIG_FILE,
            other.to_string(),
        )]),
    }
}
