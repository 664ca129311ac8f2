//! A photo's files as HTML: `srcset` lists, and the `<picture>` of a body photo (WebP for
//! browsers that take it, the photo's own format for the rest, `width` and `height` always).

use crate::markdown::escape_attr;
use crate::model::Urls;
use crate::photos::Picture;

/// `url 480w, url 800w, …` of the WebP files or of the fallback files.
pub fn srcset(urls: &Urls<'_>, p: &Picture, webp: bool) -> String {
    p.variants
        .iter()
        .map(|v| {
            let path = if webp { &v.webp } else { &v.fallback };
            format!("{} {}w", urls.file_url(path), v.width)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A body photo: `<picture>` with a WebP source, loaded lazily.
pub fn body_html(urls: &Urls<'_>, p: &Picture, alt: &str, title: &str, sizes: &str) -> String {
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_attr(title))
    };
    let Some(default) = p.default_variant() else {
        // Published as it is (GIF, SVG): its own size.
        let size = if p.facts.width > 0 && p.facts.height > 0 {
            format!(" width=\"{}\" height=\"{}\"", p.facts.width, p.facts.height)
        } else {
            String::new()
        };
        return format!(
            "<img src=\"{}\" alt=\"{}\"{title}{size} loading=\"lazy\" decoding=\"async\">",
            escape_attr(&urls.file_url(&p.original)),
            escape_attr(alt),
        );
    };
    let sizes = escape_attr(sizes);
    format!(
        "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\"><img src=\"{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" alt=\"{}\"{title} loading=\"lazy\" decoding=\"async\"></picture>",
        escape_attr(&srcset(urls, p, true)),
        escape_attr(&urls.file_url(&default.fallback)),
        escape_attr(&srcset(urls, p, false)),
        default.width,
        default.height,
        escape_attr(alt),
    )
}
