//! `nuri ping`: tells search engines which pages the last build added, changed or removed,
//! through IndexNow (<https://www.indexnow.org/>, which Naver, Bing, Yandex and Seznam
//! take).
//!
//! The URLs come from the last build's change list (`changes.json` in the build cache, or a
//! file written with `nuri build --changes`): pages only, not feeds, sitemaps or the search
//! index. They go to each configured endpoint as JSON, at most [`BATCH`] per request; a
//! request that meets a busy or failing endpoint is tried again after a growing pause.
//! A preview build's changes are never sent.

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, IndexNow};
use crate::error::{Error, Result};

/// URLs per request: the protocol's limit.
pub const BATCH: usize = 10_000;
/// Tries per request (the first and the retries).
const TRIES: u32 = 4;

/// What to send: the site's key and where it is published, and the URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub host: String,
    pub key: String,
    pub key_location: String,
    pub urls: Vec<String>,
}

/// One endpoint's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub endpoint: String,
    pub urls: usize,
    /// The HTTP status, or `None` when no answer came.
    pub status: Option<u16>,
    pub message: String,
    pub tries: u32,
}

impl Answer {
    pub fn ok(&self) -> bool {
        matches!(self.status, Some(200 | 202))
    }
}

/// What the IndexNow documentation says each status means.
fn meaning(status: u16) -> &'static str {
    match status {
        200 => "OK: URLs submitted",
        202 => "accepted: the key is still being checked",
        400 => "bad request: the submission is not valid",
        403 => "forbidden: the key file was not found or does not hold the key",
        422 => "unprocessable: the URLs are not of this host, or the key does not match",
        429 => "too many requests: try again later",
        _ => "unexpected answer",
    }
}

/// The pages among a change list's URLs (added, changed and removed): feeds, sitemaps,
/// search files, `robots.txt` and the not-found pages are left out.
pub fn page_urls(changes: &serde_json::Value) -> Result<Vec<String>> {
    if changes.get("preview").and_then(|p| p.as_bool()) == Some(true) {
        return Err(Error::usage(
            Path::new("changes"),
            "these are the changes of a preview build; a preview is never announced to search engines",
        ));
    }
    if changes.get("unpublished").and_then(|p| p.as_bool()) == Some(true) {
        return Err(Error::usage(
            Path::new("changes"),
            "these are the changes of a build with drafts, scheduled or expired stories (--drafts, --future, --expired); only a public build is announced",
        ));
    }
    // The search page and its index: `search/` at the site's root (a section or tag that
    // happens to be called "search" elsewhere is a page like any other).
    let search = match changes.get("base_url").and_then(|b| b.as_str()) {
        Some(base) => format!("{}/search/", base.trim_end_matches('/')),
        None => "/search/".to_string(),
    };
    let mut urls = Vec::new();
    for key in ["added", "changed", "removed"] {
        let Some(list) = changes.get(key).and_then(|l| l.as_array()) else {
            return Err(Error::usage(
                Path::new("changes"),
                format!(
                    "the change list has no `{key}` list (write one with nuri build --changes FILE)"
                ),
            ));
        };
        urls.extend(
            list.iter()
                .filter_map(|u| u.as_str())
                .filter(|u| is_page(u) && !u.contains(&search))
                .map(str::to_string),
        );
    }
    Ok(urls)
}

fn is_page(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    (name.is_empty() || name.ends_with(".html")) && !matches!(name, "404.html" | "410.html")
}

impl Submission {
    /// For the site of `c` (its `base_url` and IndexNow key).
    pub fn new(c: &Config, ix: &IndexNow, urls: Vec<String>) -> Submission {
        let home = crate::model::Urls(c).permalink("/");
        let host = home
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("")
            .to_string();
        Submission {
            host,
            key: ix.key.clone(),
            key_location: crate::model::Urls(c).permalink(&format!("/{}.txt", ix.key)),
            urls,
        }
    }

    /// The JSON bodies of the requests, at most [`BATCH`] URLs each.
    pub fn bodies(&self) -> Vec<(usize, String)> {
        self.urls
            .chunks(BATCH)
            .map(|batch| {
                let body = serde_json::json!({
                    "host": self.host,
                    "key": self.key,
                    "keyLocation": self.key_location,
                    "urlList": batch,
                });
                (batch.len(), body.to_string())
            })
            .collect()
    }
}

/// Sends every batch to every endpoint, pausing `pause` (doubled each time) before a retry
/// after a 429, a 5xx or no answer.
pub fn send(submission: &Submission, endpoints: &[String], pause: Duration) -> Vec<Answer> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut answers = Vec::new();
    for endpoint in endpoints {
        for (n, body) in submission.bodies() {
            let mut wait = pause;
            let mut tries = 0;
            let answer = loop {
                tries += 1;
                let result = agent
                    .post(endpoint)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .send(body.as_str());
                let (status, message, asked) = match result {
                    Ok(res) => {
                        let code = res.status().as_u16();
                        // `Retry-After: <seconds>` on a 429 or 503: wait that long (at
                        // most two minutes) rather than less.
                        let asked = res
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<u64>().ok())
                            .map(|s| Duration::from_secs(s.min(120)));
                        (Some(code), meaning(code).to_string(), asked)
                    }
                    Err(e) => (None, format!("no answer: {e}"), None),
                };
                let again = matches!(status, None | Some(429) | Some(500..=599));
                if !again || tries >= TRIES {
                    break Answer {
                        endpoint: endpoint.clone(),
                        urls: n,
                        status,
                        message,
                        tries,
                    };
                }
                std::thread::sleep(asked.map_or(wait, |a| a.max(wait)));
                wait *= 2;
            };
            answers.push(answer);
        }
    }
    answers
}

/// The change list `nuri ping` reads: `file`, else the build cache's.
pub fn read_changes(
    c: &Config,
    file: Option<&Path>,
    cache_dir: Option<&Path>,
) -> Result<serde_json::Value> {
    let path = match file {
        Some(f) => f.to_path_buf(),
        None => cache_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| c.paths.root.join(crate::pipeline::cache::DEFAULT_DIR))
            .join(crate::pipeline::build::CHANGES_FILE),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::usage(
            &path,
            format!("cannot read the last build's changes ({e}); run nuri build first"),
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::usage(&path, format!("is not a change list: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::parse(
            Path::new("/site"),
            &format!("title = \"t\"\nbase_url = \"https://news.example.kr/portal/\"\n{extra}"),
        )
        .unwrap()
    }

    #[test]
    fn pages_only_and_never_a_preview() {
        let changes = serde_json::json!({
            "base_url": "https://x.kr/",
            "added": ["https://x.kr/a/", "https://x.kr/rss.xml", "https://x.kr/search/0/k/1.json",
                      "https://x.kr/search/", "https://x.kr/tags/search/"],
            "changed": ["https://x.kr/", "https://x.kr/sitemap.xml", "https://x.kr/404.html"],
            "removed": ["https://x.kr/old/", "https://x.kr/x.html"],
        });
        assert_eq!(
            page_urls(&changes).unwrap(),
            [
                "https://x.kr/a/",
                "https://x.kr/tags/search/",
                "https://x.kr/",
                "https://x.kr/old/",
                "https://x.kr/x.html"
            ]
        );
        let mut preview = changes.clone();
        preview["preview"] = true.into();
        assert!(
            page_urls(&preview)
                .unwrap_err()
                .to_string()
                .contains("preview")
        );
        assert!(page_urls(&serde_json::json!({})).is_err());
    }

    #[test]
    fn bodies_follow_the_protocol_in_batches() {
        let c = config("indexnow_key = \"0123456789abcdef\"\n");
        let ix = c.indexnow.clone().unwrap();
        assert_eq!(ix.endpoints.len(), 2);
        let urls: Vec<String> = (0..BATCH + 5)
            .map(|i| format!("https://news.example.kr/portal/{i}/"))
            .collect();
        let s = Submission::new(&c, &ix, urls);
        assert_eq!(s.host, "news.example.kr");
        assert_eq!(
            s.key_location,
            "https://news.example.kr/portal/0123456789abcdef.txt"
        );
        let bodies = s.bodies();
        assert_eq!(bodies.iter().map(|b| b.0).collect::<Vec<_>>(), [BATCH, 5]);
        let first: serde_json::Value = serde_json::from_str(&bodies[0].1).unwrap();
        assert_eq!(first["key"], "0123456789abcdef");
        assert_eq!(first["urlList"].as_array().unwrap().len(), BATCH);
    }

    #[test]
    fn keys_and_endpoints_are_checked() {
        let bad = Config::parse(
            Path::new("/site"),
            "title = \"t\"\nbase_url = \"https://x.kr/\"\nindexnow_key = \"short\"\n",
        );
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("indexnow_key must be 8 to 128")
        );
        let orphan = Config::parse(
            Path::new("/site"),
            "title = \"t\"\nbase_url = \"https://x.kr/\"\nindexnow_endpoints = [\"https://a.example/indexnow\"]\n",
        );
        assert!(
            orphan
                .unwrap_err()
                .to_string()
                .contains("indexnow_key is not")
        );
    }
}
