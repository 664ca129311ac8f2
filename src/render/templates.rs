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

/// Templates nuri brings when a theme has none of its own: feeds, sitemaps and robots.txt
/// (the default theme's, built into the binary).
fn built_in(name: &str) -> Option<&'static str> {
    if !(name.starts_with("feeds/") || name.starts_with("sitemaps/") || name == "robots.txt") {
        return None;
    }
    crate::scaffold::THEME_FILES
        .iter()
        .find(|(rel, _)| rel.strip_prefix("templates/") == Some(name))
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

/// The compiled templates and where each came from.
#[derive(Clone)]
pub struct Templates {
    pub tera: Tera,
    /// Template name → the file it was read from.
    pub files: BTreeMap<String, PathBuf>,
    /// The site folder, for showing template paths.
    pub root: PathBuf,
    /// A hash of every template's name and text (and of nuri's version): part of every
    /// page's fingerprint.
    pub hash: u64,
    /// The time each page may take (see [`super::budget`]).
    pub budget: std::sync::Arc<super::budget::Budget>,
    /// The theme's words in each language (`t()`).
    pub strings: std::sync::Arc<crate::i18n::Strings>,
}

fn collect(dir: &Path, site: &crate::sources::SiteRoot, into: &mut BTreeMap<String, PathBuf>) {
    into.extend(crate::sources::walk(dir, site).files);
}

/// Lists template files: the theme's, then the site's overrides.
pub fn template_files(config: &Config) -> BTreeMap<String, PathBuf> {
    let mut files = BTreeMap::new();
    let site = crate::sources::SiteRoot::new(&config.paths.root);
    collect(&config.paths.theme.join("templates"), &site, &mut files);
    collect(&config.paths.templates, &site, &mut files);
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
            match crate::sources::read_regular(path)
                .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other))
            {
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
        let strings = match crate::i18n::Strings::load(config) {
            Ok(s) => {
                diags.extend(s.check(config).0);
                std::sync::Arc::new(s)
            }
            Err(d) => {
                diags.extend(d.0);
                Default::default()
            }
        };
        if diags.has_errors() {
            return Err(diags);
        }
        for (name, _) in crate::scaffold::THEME_FILES {
            if let Some(name) = name.strip_prefix("templates/")
                && !files.contains_key(name)
                && let Some(text) = built_in(name)
            {
                sources.push((name.to_string(), text.to_string()));
            }
        }
        sources.sort();
        let hash = {
            use std::hash::Hasher;
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.write(env!("CARGO_PKG_VERSION").as_bytes());
            h.write_u64(strings.hash);
            for (name, text) in &sources {
                h.write_usize(name.len());
                h.write(name.as_bytes());
                h.write_usize(text.len());
                h.write(text.as_bytes());
            }
            h.finish()
        };
        let mut tera = Tera::new();
        super::filters::register(&mut tera, config);
        let budget = std::sync::Arc::new(super::budget::Budget::new(
            std::time::Duration::from_secs(config.limits.render_seconds),
        ));
        let b = budget.clone();
        tera.register_function("range", move |k: tera::Kwargs, s: &tera::State| {
            b.range(k, s)
        });
        // Known to the templates from the start; each snapshot replaces it with one that
        // knows that version's static files (see `assets::Assets::register`).
        super::assets::Assets::default().register(&mut tera, "/".into());
        strings.register(&mut tera, &config.language);
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            diags.push(template_error(&e, &files, &config.paths.root));
            return Err(diags);
        }
        Ok(Templates {
            tera,
            files,
            root: config.paths.root.clone(),
            hash,
            budget,
            strings,
        })
    }

    /// These templates for the pages of an edition: its `t()` language and its dates.
    pub fn for_edition(&self, config: &Config) -> Templates {
        let mut t = self.clone();
        super::filters::register(&mut t.tera, config);
        self.strings.register(&mut t.tera, &config.language);
        t
    }

    /// Whether a template of this name exists.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name) || built_in(name).is_some()
    }
}

/// Places a diagnostic at the `{% <tag> "target"` in a template file (the error path only
/// reads the file again).
fn at_tag(d: Diagnostic, file: Option<&PathBuf>, tag: &str, target: Option<&str>) -> Diagnostic {
    let Some(text) = file.and_then(|f| std::fs::read_to_string(f).ok()) else {
        return d;
    };
    let mut from = 0;
    while let Some(i) = text[from..].find(tag) {
        let at = from + i;
        let rest = &text[at + tag.len()..];
        let before = text[..at].trim_end();
        let named = target.is_none_or(|t| {
            rest.trim_start()
                .trim_start_matches(['"', '\''])
                .starts_with(t)
        });
        if (before.ends_with("{%") || before.ends_with("{%-")) && named {
            return d.at_offset(&text, at, 1);
        }
        from = at + tag.len();
    }
    d
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
        } => at_tag(
            Diagnostic::error(
                file_of(tpl),
                format!("circular `extends`: {}", inheritance_chain.join(" → ")),
            ),
            files.get(tpl.as_str()),
            "extends",
            None,
        )
        .with_hint("a template may extend another only if that one does not extend it back"),
        tera::ErrorKind::CircularInclude { tpl, include_chain } => {
            // The chain ends where it began: the first template includes the second.
            let next = include_chain.get(1).map(String::as_str);
            at_tag(
                Diagnostic::error(
                    file_of(tpl),
                    format!("circular `include`: {}", include_chain.join(" → ")),
                ),
                files.get(tpl.as_str()),
                "include",
                next,
            )
            .with_hint("an included template may not include, directly or through others, the one that includes it")
        }
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
