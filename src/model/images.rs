//! Lead photos: where each one's file is, its URL, pixel size and byte length.
//!
//! Width and height go into `<img>` (no layout shift) and `og:image`; the byte length goes
//! into RSS `enclosure`. Finding the file is the only I/O here.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Diagnostic;

use super::{Entry, Urls};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Site path of the file (`/images/a.jpg`); empty for an absolute URL.
    pub site_path: String,
    pub url: String,
    pub permalink: String,
    pub alt: String,
    pub caption: Option<String>,
    pub width: Option<usize>,
    pub height: Option<usize>,
    pub length: Option<u64>,
    pub mime: &'static str,
    pub source: Option<PathBuf>,
    /// `image_credit` as shown (`사진=홍길동 기자`).
    pub credit: Option<String>,
    /// The sizes and crops it is published as (a file of the site that nuri can resize).
    pub picture: Option<std::sync::Arc<crate::photos::Picture>>,
}

impl ImageInfo {
    /// The absolute URL of the image to share (`og:image`): the 1200×630 crop of a photo
    /// nuri publishes in sizes, else the file as written.
    pub fn share_url(&self, config: &Config) -> String {
        match self.picture.as_deref().and_then(|p| p.crop("og")) {
            Some(og) => Urls(config).file_permalink(&og.path),
            None => self.permalink.clone(),
        }
    }
}

pub fn mime_of(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Finds an entry's lead photo file. Its size and the files it is published as are the
/// pipeline's to add (they need the file's bytes).
pub fn probe(config: &Config, entry: &Entry) -> Result<Option<ImageInfo>, Diagnostic> {
    let Some(image) = &entry.article.image else {
        return Ok(None);
    };
    let urls = Urls(config);
    let src = image.src.as_str();
    let base =
        |site_path: String, url: String, permalink: String, source: Option<PathBuf>| ImageInfo {
            site_path,
            url,
            permalink,
            alt: image.alt.clone(),
            caption: image.caption.clone(),
            credit: None,
            width: None,
            height: None,
            length: None,
            mime: mime_of(src),
            source,
            picture: None,
        };
    if src.starts_with("https://") || src.starts_with("http://") {
        return Ok(Some(base(
            String::new(),
            src.to_string(),
            src.to_string(),
            None,
        )));
    }
    let (site_path, candidates): (String, Vec<PathBuf>) = if let Some(rest) = src.strip_prefix('/')
    {
        (
            src.to_string(),
            vec![
                config.paths.static_dir.join(rest),
                config.paths.theme.join("static").join(rest),
            ],
        )
    } else if entry.article.file.is_bundle {
        let path = entry.path();
        let dir = path.rsplit_once('/').map_or("/", |(d, _)| d);
        let dir = if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{dir}/")
        };
        (
            format!("{dir}{src}"),
            vec![
                config
                    .paths
                    .content
                    .join(entry.article.file.dir())
                    .join(src),
            ],
        )
    } else {
        return Err(Diagnostic::error(&entry.article.file.display, format!("`image` = \"{src}\" is relative, but this article is not a bundle"))
            .at(image.line, 1)
            .with_hint("put the photo in static/images/ and write image = \"/images/…\", or make the article a folder with index.md and the photo beside it"));
    };
    let site = crate::sources::SiteRoot::new(&config.paths.root);
    let Some(file) = candidates.iter().find(|p| site.readable_file(p)) else {
        let shown = candidates[0]
            .strip_prefix(&config.paths.root)
            .unwrap_or(&candidates[0])
            .to_path_buf();
        return Err(Diagnostic::error(
            &entry.article.file.display,
            format!(
                "lead image `{src}` not found (looked for {})",
                shown.display()
            ),
        )
        .at(image.line, 1)
        .with_hint("check the file name, or remove `image`"));
    };
    Ok(Some(base(
        site_path.clone(),
        urls.url(&site_path),
        urls.permalink(&site_path),
        Some(file.clone()),
    )))
}

/// The output path of a bundle file: beside the article's page.
pub fn asset_output(entry: &Entry, rel: &str) -> String {
    let output = entry.output();
    let dir = if output.ends_with("index.html") {
        output.trim_end_matches("index.html").to_string()
    } else {
        Path::new(output)
            .parent()
            .map(|p| format!("{}/", p.to_string_lossy()))
            .unwrap_or_default()
    };
    format!("{}{rel}", dir.trim_start_matches('/'))
}
