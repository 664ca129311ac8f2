//! Where an article is published: its permalink pattern filled in, or its fixed `path`.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::Diagnostic;
use crate::text::slug;

/// An article's place in the site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    /// Site path, decoded: `/alliance/메타-ibm/`.
    pub path: String,
    /// The same, percent-encoded (the base URL's path goes in front of it).
    pub encoded: String,
    /// File inside the output folder: `alliance/메타-ibm/index.html`.
    pub output: String,
}

impl Place {
    pub fn new(path: String) -> Place {
        Place {
            encoded: crate::text::url::encode_path(&path),
            output: crate::model::output_file(&path),
            path,
        }
    }
}

/// What the pattern needs from the article.
pub struct Parts<'a> {
    pub file: &'a std::path::Path,
    pub section: Option<&'a str>,
    pub day: (i16, i8, i8),
    pub slug: &'a str,
    pub id: Option<u64>,
}

/// Fills the site's permalink pattern for an article.
pub fn fill(
    config: &Config,
    edition: &crate::config::Edition,
    a: &Parts<'_>,
) -> Result<Place, Diagnostic> {
    let pattern = &edition.permalink.pattern;
    let mut out = String::with_capacity(pattern.len() + 32);
    let mut rest = pattern.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("checked in config");
        match &rest[open + 1..close] {
            "section" => match a.section {
                Some(key) => out.push_str(&slug::name_slug(config.slug, key)),
                None => {
                    return Err(Diagnostic::error(a.file, "the permalink needs a {section}, but this article is in no section")
                        .at(1, 1)
                        .with_hint("move the file into a section folder such as content/politics/, or set section = \"…\""));
                }
            },
            "year" => out.push_str(&format!("{:04}", a.day.0)),
            "month" => out.push_str(&format!("{:02}", a.day.1)),
            "day" => out.push_str(&format!("{:02}", a.day.2)),
            "slug" => out.push_str(a.slug),
            "id" => match a.id {
                Some(id) => out.push_str(&id.to_string()),
                None => {
                    return Err(Diagnostic::error(
                        a.file,
                        "the permalink needs an {id}, but this article has no `id`",
                    )
                    .at(1, 1)
                    .with_hint("add a unique number to the front matter: id = 1234"));
                }
            },
            _ => unreachable!("permalink tokens are checked in config"),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    let mut path = String::with_capacity(out.len());
    for seg in out.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        path.push_str(seg);
    }
    if out.ends_with('/') || path.is_empty() {
        path.push('/');
    }
    Ok(Place::new(edition.site_path(&path)))
}
