//! `nuri check`: everything a build would find, plus the links and images of the rendered
//! pages, without writing anything. For editors before publishing and for CI.

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::pipeline::library::BodyFacts;
use crate::pipeline::{BuildRequest, Engine, Snapshot};
use crate::render::{Content, Job, PageKind};
use crate::text::slug::term_key;

/// Every problem of the site at `request.root`, sorted by file: what a build would find
/// (through the same pipeline), then the links and images of every rendered page.
pub fn check(request: &BuildRequest) -> Diagnostics {
    let engine = match Engine::open(request, &Default::default()) {
        Ok(e) => e,
        Err(Error::Config(d)) => return d,
        Err(e) => {
            return Diagnostics(vec![Diagnostic::error(
                crate::config::CONFIG_FILE,
                e.to_string(),
            )]);
        }
    };
    let snap = match engine.snapshot() {
        Ok(s) => s,
        Err(d) => {
            let mut d = d;
            d.extend(engine.content.problems().0);
            d.sort();
            return d;
        }
    };
    let mut diags = snap.problems.clone();
    unknown_authors(&snap, &mut diags);
    translation_links(&engine.content.library(), &snap, &mut diags);
    let mut exists: HashSet<String> = snap.plan.jobs.iter().map(|j| j.output.clone()).collect();
    exists.extend(snap.statics.keys().cloned());
    // Every page is rendered (its body with it), its links checked, and what its body
    // tells about anchors kept.
    type Checked = (Vec<Diagnostic>, Option<(String, BodyFacts)>);
    let found: Vec<Checked> = snap
        .plan
        .jobs
        .par_iter()
        .filter(|j| matches!(j.content, Content::Page(..)))
        .map(|job| {
            let body = match job.page() {
                Some(PageKind::Article(i)) => match snap.render_body(i) {
                    Ok(b) => Some((i, b)),
                    Err(ds) => return (ds, None),
                },
                _ => None,
            };
            let facts = body.as_ref().map(|(i, b)| {
                (
                    snap.site.entries[*i].article.file.rel.clone(),
                    Snapshot::facts(b),
                )
            });
            match snap.render(job, body.as_ref().map(|(i, b)| (*i, b))) {
                Ok(html) => (broken_links(&snap, job, &html, &exists), facts),
                Err(d) => (vec![d], facts),
            }
        })
        .collect();
    let mut facts = std::collections::HashMap::new();
    for (ds, f) in found {
        diags.extend(ds);
        if let Some((rel, f)) = f {
            facts.insert(rel, f);
        }
    }
    diags.extend(snap.check_anchors(&|rel| facts.get(rel).cloned()).0);
    diags.sort();
    diags
}

/// When a site keeps reporter profiles, every byline should have one.
fn unknown_authors(p: &Snapshot, diags: &mut Diagnostics) {
    if p.site.authors.is_empty() {
        return;
    }
    for e in &p.site.entries {
        for name in &e.article.authors {
            if !p.site.authors.contains_key(&term_key(name)) {
                diags.push(
                    Diagnostic::warning(&e.article.file.display, format!("author `{name}` has no profile"))
                        .at(1, 1)
                        .with_hint(format!("add content/authors/{name}.md or [authors.\"{name}\"] to config.toml, or fix the spelling")),
                );
            }
        }
    }
}

/// A `translation_key` that links nothing (no other article has it, or the one that has it
/// is not published), and two articles of one edition that claim the same key.
fn translation_links(library: &crate::content::Library, snap: &Snapshot, diags: &mut Diagnostics) {
    if !snap.config.multilingual() {
        return;
    }
    let site = &snap.site;
    let mut by_key: std::collections::HashMap<&str, Vec<&crate::content::Article>> =
        Default::default();
    for a in &library.articles {
        by_key.entry(a.translation.as_str()).or_default().push(a);
    }
    for a in &library.articles {
        let Some(&i) = site.by_source.get(&a.file.rel) else {
            continue;
        };
        let others: Vec<&&crate::content::Article> = by_key[a.translation.as_str()]
            .iter()
            .filter(|o| o.file.rel != a.file.rel)
            .collect();
        let line = a.translation_line.unwrap_or(1);
        let key = a.translation.trim_start_matches("key:");
        if let Some(twin) = others
            .iter()
            .find(|o| o.edition == a.edition && site.by_source.contains_key(&o.file.rel))
            && a.file.rel < twin.file.rel
        {
            diags.push(
                Diagnostic::warning(
                    &a.file.display,
                    format!(
                        "this article and {} are both the {} version of `{key}`: only the newer is linked to its translations",
                        twin.file.display.display(),
                        snap.config.editions[a.edition].language
                    ),
                )
                .at(line, 1)
                .with_hint("give each translation its own edition, or a different translation_key"),
            );
        }
        if a.translation_line.is_none() || !site.translations[i].is_empty() {
            continue;
        }
        let d = match others.first() {
            Some(o) => Diagnostic::warning(
                &a.file.display,
                format!(
                    "translation_key `{key}` links to {}, which is not published in this build",
                    o.file.display.display()
                ),
            )
            .with_hint("publish the translation, or remove the key until it is ready"),
            None => Diagnostic::warning(
                &a.file.display,
                format!("translation_key `{key}` links to no other article"),
            )
            .with_hint("give the translation the same translation_key, or fix its spelling"),
        };
        diags.push(d.at(line, 1));
    }
}

/// The output file an internal URL points to, or `None` for external and special links.
fn target_of(config: &Config, page_path: &str, href: &str) -> Option<Result<String, String>> {
    let href = href.replace("&amp;", "&");
    if href.is_empty()
        || href.starts_with('#')
        || href.starts_with("mailto:")
        || href.starts_with("tel:")
        || href.starts_with("data:")
    {
        return None;
    }
    let base = config.base_url.full();
    let path = if let Some(rest) = href.strip_prefix(&base) {
        format!("/{rest}")
    } else if href.starts_with("http://") || href.starts_with("https://") || href.starts_with("//")
    {
        return None;
    } else if let Some(rooted) = href.strip_prefix('/') {
        match rooted.strip_prefix(config.base_url.path.trim_start_matches('/')) {
            Some(rest) => format!("/{rest}"),
            None => {
                return Some(Err(format!(
                    "`{href}` is outside the site's base path {}",
                    config.base_url.path
                )));
            }
        }
    } else if href.contains(':') && !href.contains('/')
        || href.split('/').next().is_some_and(|s| s.contains(':'))
    {
        return None;
    } else {
        let dir = match page_path.rfind('/') {
            Some(i) => &page_path[..=i],
            None => "/",
        };
        format!("{dir}{href}")
    };
    let path = path.split(['#', '?']).next().unwrap_or("").to_string();
    let decoded = crate::text::url::decode_path(&path).unwrap_or(path);
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut file = parts.join("/");
    if decoded.ends_with('/') || file.is_empty() {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Some(Ok(file))
}

/// Every `href` and `src` in rendered HTML that leads nowhere in the site.
fn broken_links(r: &Snapshot, job: &Job, html: &[u8], exists: &HashSet<String>) -> Vec<Diagnostic> {
    let html = String::from_utf8_lossy(html);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest: &str = &html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            let value = &rest[..end];
            rest = &rest[end..];
            let Some(target) = target_of(&r.config, &job.path, value) else {
                continue;
            };
            let problem = match target {
                Err(why) => why,
                Ok(file)
                    if exists.contains(&file) || exists.contains(&format!("{file}/index.html")) =>
                {
                    continue;
                }
                Ok(_) => format!("`{value}` points to nothing in the site"),
            };
            if seen.insert(value.to_string()) {
                out.push(locate(r, job, value, problem));
            }
        }
    }
    out
}

/// Blames the article's source line that holds the link, or the page when a template made it.
fn locate(r: &Snapshot, job: &Job, value: &str, problem: String) -> Diagnostic {
    if let Some(PageKind::Article(i)) = job.page() {
        let a = &r.site.entries[i].article;
        let decoded = crate::text::url::decode_path(value).unwrap_or_else(|| value.to_string());
        let needle = decoded.trim_start_matches(&r.config.base_url.path);
        let text = std::fs::read_to_string(&r.sources[i].0).unwrap_or_default();
        let body = a.body_of(&text);
        if let Some(pos) = body.find(needle).or_else(|| body.find(value)) {
            return Diagnostic::error(&a.file.display, format!("broken link: {problem}"))
                .at_offset(body, pos, a.body_line)
                .with_hint(
                    "fix the path, or add the missing file under static/ or beside the article",
                );
        }
        if let Some(img) = &a.image
            && value.ends_with(&img.src)
        {
            return Diagnostic::error(&a.file.display, format!("broken lead image: {problem}"))
                .at(img.line, 1);
        }
    }
    Diagnostic::error(
        PathBuf::from(format!("(page {})", job.path)),
        format!("broken link: {problem}"),
    )
    .with_hint(format!(
        "made by the template {}",
        r.plan.describe(&r.site, job)
    ))
}

/// Prints diagnostics grouped by file, for people.
pub fn human(diags: &Diagnostics) -> String {
    let mut out = String::new();
    let mut last: Option<&PathBuf> = None;
    for d in &diags.0 {
        if last != Some(&d.file) {
            if last.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("{}\n", d.file.display()));
            last = Some(&d.file);
        }
        out.push_str(&format!("  {d}\n"));
    }
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    if errors + warnings == 0 {
        out.push_str("no problems found\n");
    } else {
        out.push_str(&format!(
            "\n{errors} error{}, {warnings} warning{}\n",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The report as JSON, for CI.
pub fn json(diags: &Diagnostics) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "ok": diags.is_empty(),
        "errors": diags.errors().count(),
        "warnings": diags.warnings().count(),
        "diagnostics": diags.0,
    }))
    .expect("JSON")
}
