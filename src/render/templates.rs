//! Loading templates: the theme's, with the site's `templates/` files of the same name
//! overriding them, so a newsroom can change one template without forking the theme.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};

/// Templates a theme must provide.
pub const REQUIRED: [&str; 8] = [
    "index.html",
    "article.html",
    "section.html",
    "taxonomy.html",
    "term.html",
    "archive.html",
    "archive_period.html",
    "404.html",
];

/// The compiled templates and where each came from.
pub struct Templates {
    pub tera: Tera,
    /// Template name → the file it was read from.
    pub files: BTreeMap<String, PathBuf>,
}

fn collect(dir: &Path, into: &mut BTreeMap<String, PathBuf>) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if crate::content::is_editor_noise(&name) {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let rel = rel
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/");
            into.insert(rel, entry.path().to_path_buf());
        }
    }
}

/// Lists template files: the theme's, then the site's overrides.
pub fn template_files(config: &Config) -> BTreeMap<String, PathBuf> {
    let mut files = BTreeMap::new();
    collect(&config.paths.theme.join("templates"), &mut files);
    collect(&config.paths.templates, &mut files);
    files
}

impl Templates {
    pub fn load(config: &Config) -> Result<Templates, Diagnostics> {
        let files = template_files(config);
        let shown = |p: &Path| {
            p.strip_prefix(&config.paths.root)
                .unwrap_or(p)
                .to_path_buf()
        };
        let mut diags = Diagnostics::default();
        if !config.paths.theme.is_dir() {
            diags.push(
                Diagnostic::error(shown(&config.paths.theme), format!("theme `{}` not found", config.theme))
                    .with_hint("set `theme` in config.toml to a folder inside themes/, or run `nuri init` to get the default theme"),
            );
            return Err(diags);
        }
        let mut sources = Vec::with_capacity(files.len());
        for (name, path) in &files {
            match std::fs::read_to_string(path) {
                Ok(text) => sources.push((name.clone(), text)),
                Err(e) => diags.push(Diagnostic::error(
                    shown(path),
                    format!("cannot read template: {e}"),
                )),
            }
        }
        for required in REQUIRED {
            if !files.contains_key(required) {
                diags.push(
                    Diagnostic::error(
                        shown(&config.paths.theme.join("templates")),
                        format!("the theme has no `{required}` template"),
                    )
                    .with_hint(format!("add templates/{required} to the site or the theme")),
                );
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut tera = Tera::new();
        super::filters::register(&mut tera, config);
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            diags.push(template_error(&e, &files, &config.paths.root));
            return Err(diags);
        }
        Ok(Templates { tera, files })
    }
}

/// Turns a Tera error into a diagnostic naming the template file and line.
pub fn template_error(
    e: &tera::Error,
    files: &BTreeMap<String, PathBuf>,
    root: &Path,
) -> Diagnostic {
    let file_of = |name: &str| {
        files
            .get(name)
            .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
            .unwrap_or_else(|| PathBuf::from(name))
    };
    match e.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let what = if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            Diagnostic::error(
                file_of(report.filename()),
                format!("{what}: {}", report.message()),
            )
            .at(span.start_line, span.start_col + 1)
        }
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            file_of(current),
            format!("extends `{parent}`, which does not exist"),
        )
        .at(1, 1),
        tera::ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error(file_of(name), format!("template `{name}` not found"))
        }
        tera::ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => Diagnostic::error(
            file_of(tpl),
            format!("circular `extends`: {}", inheritance_chain.join(" → ")),
        ),
        _ => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            Diagnostic::error(PathBuf::from("templates"), message)
        }
    }
}
