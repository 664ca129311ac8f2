//! The HTTP headers a published site should be served with, written as `_headers` (the file
//! Netlify and Cloudflare Pages read) and sent by `nuri serve`.
//!
//! - Security headers on every path: `Content-Security-Policy` (this site's own scripts and
//!   styles only, by default), `X-Content-Type-Options`, `Referrer-Policy`,
//!   `Permissions-Policy`; a preview adds `X-Robots-Tag: noindex, nofollow`.
//! - Fingerprinted CSS and JS (see [`super::assets`]): cached for a year, `immutable`.
//! - Pages: a short `max-age`, set per top-level folder (and `/`), never on `/*`. Both hosts
//!   combine the headers of every rule a path matches, and Cloudflare joins two
//!   `Cache-Control` values into one, so the long and the short lifetime must never both
//!   match a file. Cloudflare Pages takes at most 100 rules; past that, pages keep the
//!   host's own caching.

use crate::config::Config;

/// Cloudflare Pages reads at most this many rules from `_headers`.
const MAX_RULES: usize = 100;

/// The headers every response carries.
pub fn security(c: &Config, preview: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !c.headers.content_security_policy.is_empty() {
        out.push((
            "Content-Security-Policy",
            c.headers.content_security_policy.clone(),
        ));
    }
    out.push(("X-Content-Type-Options", "nosniff".into()));
    out.push(("Referrer-Policy", "strict-origin-when-cross-origin".into()));
    out.push((
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()".into(),
    ));
    if preview {
        out.push(("X-Robots-Tag", "noindex, nofollow".into()));
    }
    out
}

/// `Cache-Control` of a fingerprinted file.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of a page.
pub fn page_cache(c: &Config) -> String {
    format!("public, max-age={}", c.headers.html_max_age)
}

/// The `_headers` file: `fingerprinted` files (output paths) and the top-level folders that
/// hold pages (`page_folders`, without slashes).
pub fn file<'a>(
    c: &Config,
    preview: bool,
    fingerprinted: impl Iterator<Item = &'a str>,
    page_folders: &[String],
) -> Vec<u8> {
    let fingerprinted: Vec<&str> = fingerprinted.collect();
    let mut rules: Vec<(String, Vec<(&'static str, String)>)> = Vec::new();
    // Rule paths as requests reach the host: from the root of the published folder (a
    // `base_url` path is where a proxy mounts the site, not a folder the host sees),
    // percent-encoded, with a final `*` for a folder.
    let url = |p: &str| crate::text::url::encode_path(p);
    let root = "/".to_string();
    rules.push((format!("{root}*"), security(c, preview)));
    for &f in &fingerprinted {
        rules.push((
            url(&format!("/{f}")),
            vec![("Cache-Control", IMMUTABLE.to_string())],
        ));
    }
    // A folder that also holds a fingerprinted file keeps the host's caching for its pages.
    let pages = std::iter::once(root.clone()).chain(
        page_folders
            .iter()
            .filter(|d| {
                !fingerprinted
                    .iter()
                    .any(|f| f.starts_with(&format!("{d}/")))
            })
            .map(|d| format!("{}*", url(&format!("/{d}/")))),
    );
    let pages: Vec<String> = pages.collect();
    if rules.len() + pages.len() <= MAX_RULES {
        for p in pages {
            rules.push((p, vec![("Cache-Control", page_cache(c))]));
        }
    }
    let mut text =
        String::from("# Written by nuri: HTTP headers for Netlify and Cloudflare Pages.\n");
    for (path, headers) in rules {
        text.push_str(&path);
        text.push('\n');
        for (name, value) in headers {
            text.push_str(&format!("  {name}: {value}\n"));
        }
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::parse(
            std::path::Path::new("/site"),
            &format!("title = \"t\"\nbase_url = \"https://x.kr/news/\"\n{extra}"),
        )
        .unwrap()
    }

    /// The rules of a `_headers` text: (path, [(name, value)]).
    fn parse(text: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            if let Some(h) = line.strip_prefix("  ") {
                let (n, v) = h.split_once(": ").unwrap();
                rules.last_mut().unwrap().1.push((n.into(), v.into()));
            } else {
                rules.push((line.into(), Vec::new()));
            }
        }
        rules
    }

    #[test]
    fn assets_are_immutable_pages_short_and_no_path_gets_both() {
        let c = config("");
        let text = String::from_utf8(file(
            &c,
            false,
            ["css/nuri.3f2a1c9e.css"].into_iter(),
            &["politics".into(), "tags".into(), "css".into()],
        ))
        .unwrap();
        let rules = parse(&text);
        // From the published folder's root: the base URL's `/news/` is where a proxy
        // mounts the site, not a folder the host serves.
        assert_eq!(rules[0].0, "/*");
        assert!(
            rules[0]
                .1
                .iter()
                .any(|(n, v)| n == "Content-Security-Policy" && v.contains("default-src 'self'"))
        );
        assert!(
            rules[0].1.iter().all(|(n, _)| n != "Cache-Control"),
            "{text}"
        );
        let css = rules
            .iter()
            .find(|r| r.0 == "/css/nuri.3f2a1c9e.css")
            .unwrap();
        assert_eq!(
            css.1,
            [("Cache-Control".to_string(), IMMUTABLE.to_string())]
        );
        for p in ["/", "/politics/*", "/tags/*"] {
            let r = rules.iter().find(|r| r.0 == p).unwrap();
            assert_eq!(r.1[0].1, "public, max-age=300");
        }
        assert!(!text.contains("/css/*"), "{text}");
        assert!(!text.contains("/news/"), "{text}");
        assert!(!text.contains("X-Robots-Tag"));
        let preview = String::from_utf8(file(&c, true, std::iter::empty(), &[])).unwrap();
        assert!(preview.contains("X-Robots-Tag: noindex, nofollow"));
    }

    #[test]
    fn too_many_page_folders_leave_pages_to_the_host() {
        let c = config("[headers]\nhtml_max_age = 60\ncontent_security_policy = \"\"\n");
        let folders: Vec<String> = (0..120).map(|i| format!("d{i}")).collect();
        let rules =
            parse(&String::from_utf8(file(&c, false, std::iter::empty(), &folders)).unwrap());
        assert_eq!(rules.len(), 1);
        assert!(
            rules[0]
                .1
                .iter()
                .all(|(n, _)| n != "Content-Security-Policy")
        );
        let few =
            parse(&String::from_utf8(file(&c, false, std::iter::empty(), &folders[..3])).unwrap());
        assert_eq!(few[1].1[0].1, "public, max-age=60");
    }
}
