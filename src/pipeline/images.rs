//! The photos of one version of the site: each lead and body photo's facts (remembered by
//! file stamp: a photo is read again only when its file changed), its files made or found in
//! the store, and originals published without their metadata.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::stamp::Stamp;
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::images::{ImageInfo, probe};
use crate::model::{Entry, Site};
use crate::photos::{Facts, PhotoError, Picture, Store, plan};

/// What a photo file was when last read.
type Memo = HashMap<PathBuf, (Stamp, Result<Facts, PhotoError>)>;

/// Photos as last read, and the store of their files.
pub struct Photos {
    memo: Mutex<Memo>,
    pub store: Store,
    /// Whether files are made (`false` for `nuri check`, which only plans them).
    make: bool,
}

impl Photos {
    pub fn new(store: PathBuf, make: bool) -> Photos {
        Photos {
            memo: Default::default(),
            store: Store::new(store),
            make,
        }
    }

    /// What the file at `path` is (read again only when its stamp changed), when it has at
    /// most `max_pixels` pixels.
    pub fn facts(&self, path: &Path, max_pixels: u64) -> Result<Facts, PhotoError> {
        self.read(path)
            .and_then(|f| crate::photos::facts::within(f, max_pixels))
    }

    fn read(&self, path: &Path) -> Result<Facts, PhotoError> {
        let stamp = Stamp::of(path).unwrap_or_default();
        if let Ok(memo) = self.memo.lock()
            && let Some((s, f)) = memo.get(path)
            && *s == stamp
        {
            return f.clone();
        }
        let f = std::fs::read(path)
            .map_err(|e| PhotoError::Read(e.to_string()))
            .and_then(|b| crate::photos::facts::read(&b));
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(path.to_path_buf(), (stamp, f.clone()));
        }
        f
    }
}

/// What a version of the site shows of its photos.
#[derive(Default)]
pub struct Shown {
    /// Per entry: its lead photo.
    pub leads: Vec<Option<ImageInfo>>,
    /// Body photos by site path (no leading `/`).
    pub bodies: HashMap<String, Arc<Picture>>,
}

/// Where a photo is used, for errors.
struct Use {
    file: PathBuf,
    line: usize,
    column: usize,
}

/// Finds every lead and body photo of `site`, makes their files (or finds them in the
/// store), and adds them to `statics` (output path → file), with originals replaced by
/// copies without metadata.
pub fn prepare(
    photos: &Photos,
    c: &Config,
    site: &Site,
    statics: &mut BTreeMap<String, PathBuf>,
    problems: &mut Diagnostics,
) -> Shown {
    let settings = &c.images;
    // Lead photos: the model's probe finds the file; its facts give the picture.
    let probed: Vec<_> = site
        .entries
        .par_iter()
        .map(|e| lead(photos, c, e))
        .collect();
    let mut shown = Shown::default();
    let mut wanted: Vec<(Arc<Picture>, PathBuf, Use)> = Vec::new();
    for (e, r) in site.entries.iter().zip(probed) {
        match r {
            Ok(Some((info, source))) => {
                let line = e.article.image.as_ref().map_or(1, |i| i.line);
                if info.alt.trim().is_empty() {
                    problems.push(
                        Diagnostic::warning(&e.article.file.display, "the lead photo has no `image_alt`")
                            .at(line, 1)
                            .with_hint("describe what the photo shows for readers who cannot see it: image_alt = \"…\""),
                    );
                }
                if let (Some(p), Some(source)) = (&info.picture, source) {
                    if p.facts.format.resizable() && p.facts.width < 1200 {
                        problems.push(
                            Diagnostic::warning(
                                &e.article.file.display,
                                format!(
                                    "the lead photo is {} pixels wide; Google Discover and large share previews want at least 1200",
                                    p.facts.width
                                ),
                            )
                            .at(line, 1)
                            .with_hint("use a larger version of the photo"),
                        );
                    }
                    wanted.push((p.clone(), source, at(e, line, 1)));
                }
                shown.leads.push(Some(info));
            }
            Ok(None) => shown.leads.push(None),
            Err(d) => {
                problems.push(d);
                shown.leads.push(None);
            }
        }
    }
    // Body photos: found by the scan of each body, resolved against the site's files.
    let mut seen = HashSet::new();
    for e in &site.entries {
        for img in &e.article.links.images {
            let Some(path) = body_path(e, &img.dest) else {
                continue;
            };
            let line = e.article.body_line + img.line;
            if img.no_alt {
                problems.push(
                    Diagnostic::warning(
                        &e.article.file.display,
                        format!("the photo `{}` has no alternative text", img.dest),
                    )
                    .at(line, img.column)
                    .with_hint(
                        "write what it shows between the brackets: ![국회 본회의장 전경](…)",
                    ),
                );
            }
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(source) = statics.get(&path).cloned() else {
                continue;
            };
            match photos.facts(&source, settings.max_pixels) {
                Ok(f) => {
                    let p = Arc::new(plan::picture(f, &path, settings, None));
                    shown.bodies.insert(path, p.clone());
                    wanted.push((p, source, at(e, line, img.column)));
                }
                Err(err) => problems.push(photo_error(&at(e, line, img.column), &img.dest, &err)),
            }
        }
    }
    if !photos.make {
        // A check knows every file's name without making it.
        for (p, source, _) in &wanted {
            statics.extend(p.files().map(|f| (f.to_string(), source.clone())));
        }
        return shown;
    }
    // Make what the store does not hold yet, one source photo a thread (its pictures one
    // after another: they share its index), so only a few are decoded at once.
    let mut by_source: HashMap<u64, Vec<usize>> = HashMap::new();
    for (n, (p, _, _)) in wanted.iter().enumerate() {
        by_source.entry(p.facts.hash).or_default().push(n);
    }
    let groups: Vec<Vec<usize>> = by_source.into_values().collect();
    let mut made: Vec<(usize, Result<_, PhotoError>)> = groups
        .par_iter()
        .flat_map_iter(|group| {
            group.iter().map(|&n| {
                let (p, source, _) = &wanted[n];
                (n, photos.store.ensure(p, source, settings))
            })
        })
        .collect();
    made.sort_by_key(|(n, _)| *n);
    let mut failed = HashSet::new();
    for ((p, _, used), (_, r)) in wanted.iter().zip(made) {
        match r {
            Ok(files) => statics.extend(files),
            Err(err) => {
                failed.insert(p.original.clone());
                problems.push(photo_error(used, &format!("/{}", p.original), &err));
            }
        }
    }
    if !settings.keep_metadata {
        strip_originals(photos, &c.paths.root, statics, &failed, problems);
    }
    // Feeds name the size a browser without `srcset` gets: its length and type.
    for info in shown.leads.iter_mut().flatten() {
        let Some(p) = info.picture.clone() else {
            continue;
        };
        if let Some(d) = p.default_variant()
            && let Some(file) = statics.get(&d.fallback)
        {
            info.length = std::fs::metadata(file).ok().map(|m| m.len());
            info.mime = p.fallback.mime();
        }
    }
    shown
}

fn at(e: &Entry, line: usize, column: usize) -> Use {
    Use {
        file: e.article.file.display.clone(),
        line,
        column,
    }
}

fn photo_error(used: &Use, name: &str, err: &PhotoError) -> Diagnostic {
    Diagnostic::error(&used.file, format!("photo `{name}`: {err}"))
        .at(used.line, used.column)
        .with_hint(err.hint())
}

/// Entry `e`'s lead photo, with its picture when it is a file of the site.
fn lead(
    photos: &Photos,
    c: &Config,
    e: &Entry,
) -> Result<Option<(ImageInfo, Option<PathBuf>)>, Diagnostic> {
    let Some(mut info) = probe(c, e)? else {
        return Ok(None);
    };
    let Some(source) = info.source.clone() else {
        return Ok(Some((info, None)));
    };
    let image = e.article.image.as_ref().expect("probed");
    let facts = photos
        .facts(&source, c.images.max_pixels)
        .map_err(|err| photo_error(&at(e, image.line, 1), &image.src, &err))?;
    info.width = Some(facts.width as usize);
    info.height = Some(facts.height as usize);
    info.length = Some(facts.len);
    info.mime = facts.format.mime();
    let focus = image.focus.map(|v| f64::from(v) / 10000.0);
    let path = info.site_path.trim_start_matches('/').to_string();
    info.picture = Some(Arc::new(plan::picture(
        facts,
        &path,
        &c.images,
        Some(focus),
    )));
    // The name; each edition shows it its own way (`[images] credit`, `photo_credit`).
    info.credit = image.credit.clone();
    Ok(Some((info, Some(source))))
}

/// The site path (no leading `/`) of a body image written `dest` in entry `e`.
pub(super) fn body_path(e: &Entry, dest: &str) -> Option<String> {
    let dest = dest.split(['#', '?']).next().unwrap_or(dest);
    if let Some(rest) = dest.strip_prefix('/') {
        return Some(rest.to_string());
    }
    if !e.article.file.is_bundle || dest.starts_with("..") {
        return None;
    }
    Some(crate::model::images::asset_output(
        e,
        dest.trim_start_matches("./"),
    ))
}

/// Extensions of files that may carry EXIF (GPS) and that browsers or downloads may show.
const PHOTO_EXTENSIONS: [&str; 11] = [
    "jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic", "heif", "avif", "tif", "tiff",
];

/// Originals (JPEG, PNG, WebP) published without their metadata: each static file that has
/// some is replaced by a stripped copy from the store. A photo file whose metadata cannot be
/// removed (HEIC, TIFF, a broken JPEG) is an error: it would publish where it was taken.
fn strip_originals(
    photos: &Photos,
    root: &Path,
    statics: &mut BTreeMap<String, PathBuf>,
    failed: &HashSet<String>,
    problems: &mut Diagnostics,
) {
    let candidates: Vec<(String, PathBuf)> = statics
        .iter()
        .filter(|(out, src)| {
            let ext = out.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            PHOTO_EXTENSIONS.contains(&ext.as_str())
                && !failed.contains(*out)
                && !src.starts_with(photos.store.dir())
        })
        .map(|(o, s)| (o.clone(), s.clone()))
        .collect();
    let facts: Vec<_> = candidates
        .par_iter()
        .map(|(_, src)| photos.read(src))
        .collect();
    // One copy a distinct photo (the same file may sit in two bundles).
    let mut unique: HashMap<(u64, u8), (Facts, PathBuf)> = HashMap::new();
    for ((_, src), f) in candidates.iter().zip(&facts) {
        if let Ok(f) = f
            && f.metadata
        {
            unique
                .entry((f.hash, f.orientation))
                .or_insert_with(|| (*f, src.clone()));
        }
    }
    let unique: Vec<_> = unique.into_iter().collect();
    let stripped: HashMap<(u64, u8), Result<Option<PathBuf>, PhotoError>> = unique
        .par_iter()
        .map(|(k, (f, src))| (*k, photos.store.stripped(f, src)))
        .collect();
    for ((out, src), f) in candidates.into_iter().zip(facts) {
        let result = f.and_then(|f| match stripped.get(&(f.hash, f.orientation)) {
            Some(r) => r.clone(),
            None => Ok(None),
        });
        match result {
            Ok(Some(copy)) => {
                statics.insert(out, copy);
            }
            Ok(None) => {}
            Err(err) => problems.push(
                Diagnostic::error(
                    src.strip_prefix(root).unwrap_or(&src),
                    format!("cannot publish this file without its metadata (GPS, camera, time): {err}"),
                )
                .with_hint(format!("{}; or remove it, or set keep_metadata = true under [images] to publish it as it is", err.hint())),
            ),
        }
    }
}
