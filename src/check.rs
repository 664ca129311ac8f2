//! `nuri check`: everything a build would find, plus the links and images of the rendered
//! pages, without writing anything. For editors before publishing and for CI.

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error};
use crate::render::{Content, Job, PageKind, Renderer, Templates};
use crate::text::slug::term_key;
use crate::{BuildRequest, Prepared, load_config, prepare_all};

/// Every problem of the site at `request.root`, sorted by file.
pub fn check(request: &BuildRequest) -> Diagnostics {
    let config = match load_config(request) {
        Ok(c) => c,
        Err(Error::Config(d)) => return d,
        Err(e) => {
            return Diagnostics(vec![Diagnostic::error(
                crate::config::CONFIG_FILE,
                e.to_string(),
            )]);
        }
    };
    let prepared = prepare_all(config, &request.options);
    let mut diags = prepared.warnings.clone();
    unknown_authors(&prepared, &mut diags);
    match Templates::load(&prepared.config) {
        Err(d) => diags.extend(d.0),
        Ok(mut templates) => {
            let state = crate::render::RenderState::new(&prepared, &mut templates);
            let renderer = Renderer::new(&prepared, &templates, &state);
            let (mut jobs, plan_problems) = renderer.plan();
            diags.extend(plan_problems.0);
            let files = renderer.files();
            diags.extend(renderer.check_collisions(&mut jobs, &files).0);
            let mut exists: HashSet<String> = jobs.iter().map(|j| j.output.clone()).collect();
            exists.extend(files.keys().cloned());
            let found: Vec<Result<Vec<Diagnostic>, Diagnostic>> = jobs
                .par_iter()
                .filter(|j| matches!(j.content, Content::Template(..)))
                .map(|job| {
                    renderer
                        .render(job)
                        .map(|html| broken_links(&renderer, job, &html, &exists))
                })
                .collect();
            let mut render_errors = Diagnostics::default();
            for r in found {
                match r {
                    Ok(ds) => diags.extend(ds),
                    Err(d) => render_errors.push(d),
                }
            }
            diags.extend(render_errors.0);
        }
    }
    diags.sort();
    diags
}

/// When a site keeps reporter profiles, every byline should have one.
fn unknown_authors(p: &Prepared, diags: &mut Diagnostics) {
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
fn broken_links(
    r: &Renderer<'_>,
    job: &Job,
    html: &[u8],
    exists: &HashSet<String>,
) -> Vec<Diagnostic> {
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
            let Some(target) = target_of(&r.p.config, &job.path, value) else {
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
fn locate(r: &Renderer<'_>, job: &Job, value: &str, problem: String) -> Diagnostic {
    if let Some(PageKind::Article(i)) = job.page() {
        let a = &r.p.site.entries[i].article;
        let decoded = crate::text::url::decode_path(value).unwrap_or_else(|| value.to_string());
        let needle = decoded.trim_start_matches(&r.p.config.base_url.path);
        if let Some(pos) = a.body.find(needle).or_else(|| a.body.find(value)) {
            return Diagnostic::error(&a.file.display, format!("broken link: {problem}"))
                .at_offset(&a.body, pos, a.body_line)
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
    .with_hint(format!("made by the template {}", r.describe(job)))
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
