//! Section fronts (`content/<section>/_index.md`) and reporter profiles (`content/authors/*.md`).

use serde::Deserialize;

use super::article::SourceFile;
use super::front_matter;
use crate::config::toml_to_json;
use crate::error::Diagnostic;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    weight: Option<i64>,
    #[serde(default)]
    paginate_by: Option<usize>,
    #[serde(default)]
    extra: toml::Table,
}

/// What `_index.md` says about a section.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SectionMeta {
    /// The folder name under `content/` (NFC).
    pub key: String,
    pub title: Option<String>,
    pub description: String,
    pub weight: Option<i64>,
    pub paginate_by: Option<usize>,
    /// Markdown below the front matter, shown on the section front.
    pub body: String,
    #[serde(with = "crate::content::json_text")]
    pub extra: serde_json::Value,
    pub file: SourceFile,
    /// The language of `_index.en.md`; `None` for `_index.md`.
    pub lang: Option<String>,
}

impl SectionMeta {
    /// Its key in [`crate::content::Library::sections`]: the folder, with `.<lang>` for
    /// another edition's `_index.<lang>.md`.
    pub fn library_key(&self) -> String {
        match &self.lang {
            Some(l) => format!("{}.{l}", self.key),
            None => self.key.clone(),
        }
    }

    pub fn parse(rel: &str, text: &str) -> Result<SectionMeta, Diagnostic> {
        let file = SourceFile::new(rel);
        let split = front_matter::split(&file.display, text)?;
        let raw: RawSection = front_matter::parse(&file.display, &split)?;
        if raw.paginate_by == Some(0) {
            return Err(
                Diagnostic::error(&file.display, "paginate_by must be at least 1").at(1, 1),
            );
        }
        Ok(SectionMeta {
            key: file.top_folder().unwrap_or_default().to_string(),
            title: raw
                .title
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            description: raw.description.trim().to_string(),
            weight: raw.weight,
            paginate_by: raw.paginate_by,
            body: split.body.trim().to_string(),
            extra: toml_to_json(toml::Value::Table(raw.extra)),
            lang: file
                .rel
                .rsplit('/')
                .next()
                .and_then(|n| n.strip_prefix("_index."))
                .and_then(|n| n.strip_suffix(".md"))
                .map(str::to_string),
            file,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    photo: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    extra: toml::Table,
}

/// A reporter's profile, shown on their author page and used in bylines and JSON-LD.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AuthorProfile {
    /// The name as used in articles' `authors`.
    pub name: String,
    /// Job title shown after the name: 기자, 논설위원, Reporter.
    pub title: String,
    pub email: String,
    pub photo: String,
    /// An external profile page, if any.
    pub url: String,
    /// Markdown bio.
    pub bio: String,
    #[serde(with = "crate::content::json_text")]
    pub extra: serde_json::Value,
    pub file: SourceFile,
}

impl AuthorProfile {
    /// A profile written in config.toml under `[authors."이름"]`.
    pub fn from_config(name: &str, raw: &crate::config::RawAuthor) -> AuthorProfile {
        AuthorProfile {
            name: name.to_string(),
            title: raw.title.clone(),
            email: raw.email.clone(),
            photo: raw.photo.clone(),
            url: raw.url.clone(),
            bio: raw.bio.clone(),
            extra: serde_json::Value::Null,
            file: SourceFile::new("../config.toml"),
        }
    }

    pub fn parse(rel: &str, text: &str) -> Result<AuthorProfile, Diagnostic> {
        let file = SourceFile::new(rel);
        let split = front_matter::split(&file.display, text)?;
        let raw: RawProfile = front_matter::parse(&file.display, &split)?;
        let name = raw
            .name
            .map(|n| crate::text::slug::nfc(n.trim()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| file.name().to_string());
        Ok(AuthorProfile {
            name,
            title: raw.title.trim().to_string(),
            email: raw.email.trim().to_string(),
            photo: raw.photo.trim().to_string(),
            url: raw.url.trim().to_string(),
            bio: split.body.trim().to_string(),
            extra: toml_to_json(toml::Value::Table(raw.extra)),
            file,
        })
    }
}
