//! The preview server (axum): the site from memory, static files from their sources, live
//! reload over server-sent events, and no way out of the site.
//!
//! Nothing is served from a path the request names: every URL is looked up in the map of
//! the site's files, so `..`, encoded slashes and symlinks cannot reach anything else. The
//! reload script and the error overlay are added to HTML responses here, never to a build.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::session::Bytes;

pub const LIVE_PATH: &str = "/__nuri/live";

/// What the browser is told.
#[derive(Debug, Clone)]
pub enum Event {
    /// A rebuild finished: reload.
    Reload(u64),
    /// A rebuild failed: show this.
    Problem(String),
    /// The search index caught up with an incremental rebuild.
    Indexed(u64),
}

/// The site being served.
#[derive(Default)]
pub struct Store {
    pub files: HashMap<String, Bytes>,
    pub statics: BTreeMap<String, PathBuf>,
    /// The site folder: a static file is served only while it is a regular file inside it
    /// (a file replaced by a link to /etc/passwd is not, even before the rebuild notices).
    pub site: Option<crate::sources::SiteRoot>,
    /// The last rebuild's problems, while they last.
    pub error: Option<String>,
    pub generation: u64,
}

pub struct Live {
    pub store: RwLock<Store>,
    pub events: broadcast::Sender<Event>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            store: RwLock::new(Store::default()),
            events: broadcast::channel(64).0,
        }
    }

    pub fn notify(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

pub fn router(live: Arc<Live>) -> Router {
    Router::new().fallback(handle).with_state(live)
}

/// The content type of an output path.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ if path.ends_with("_redirects") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Where a request path leads inside the site: `Err` with the status for paths that try to
/// leave it or are not UTF-8.
pub fn site_key(raw: &str) -> Result<String, StatusCode> {
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(StatusCode::FORBIDDEN);
    }
    let decoded = crate::text::url::decode_path(raw).ok_or(StatusCode::BAD_REQUEST)?;
    if decoded.contains(['\\', '\0']) || decoded.split('/').any(|s| s == ".." || s == ".") {
        return Err(StatusCode::FORBIDDEN);
    }
    let key = decoded.trim_start_matches('/');
    Ok(if key.is_empty() || key.ends_with('/') {
        format!("{key}index.html")
    } else {
        key.to_string()
    })
}

const RELOAD_SCRIPT: &str = r#"<script>(()=>{const s=new EventSource("/__nuri/live");s.addEventListener("reload",()=>location.reload());s.addEventListener("problem",e=>{let o=document.getElementById('nuri-problem');if(!o){o=document.createElement('div');o.id='nuri-problem';document.body.appendChild(o)}o.setAttribute("style","position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#fff;padding:2rem;font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap");o.textContent="nuri: the last change could not be built\n\n"+e.data})})();</script>"#;

fn overlay(problem: &str) -> String {
    format!(
        "<div id=\"nuri-problem\" style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#fff;padding:2rem;font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap\">nuri: the last change could not be built\n\n{}</div>",
        crate::markdown::escape_text(problem)
    )
}

/// Adds the reload script (and the error overlay, if any) before `</body>`.
pub fn inject(html: &[u8], problem: Option<&str>) -> Vec<u8> {
    let mut extra = String::from(RELOAD_SCRIPT);
    if let Some(p) = problem {
        extra.push_str(&overlay(p));
    }
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{}{}", &text[..i], extra, &text[i..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

fn respond(status: StatusCode, path: &str, body: Vec<u8>, problem: Option<&str>) -> Response {
    let ty = content_type(path);
    let body = if ty.starts_with("text/html") {
        inject(&body, problem)
    } else {
        body
    };
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn handle(State(live): State<Arc<Live>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only").into_response();
    }
    let raw = uri.path();
    if raw == LIVE_PATH {
        return events(live).into_response();
    }
    let key = match site_key(raw) {
        Ok(k) => k,
        Err(status) => return (status, status.canonical_reason().unwrap_or("")).into_response(),
    };
    enum Found {
        Bytes(Bytes),
        File(PathBuf),
        Folder,
        Missing(Option<Bytes>),
    }
    let (found, problem) = {
        let store = live.store.read().expect("store");
        let found = if let Some(b) = store.files.get(&key) {
            Found::Bytes(b.clone())
        } else if let Some(p) = store.statics.get(&key) {
            if store.site.as_ref().is_some_and(|s| s.readable_file(p)) {
                Found::File(p.clone())
            } else {
                Found::Missing(store.files.get("404.html").cloned())
            }
        } else if store.files.contains_key(&format!("{key}/index.html"))
            || store.statics.contains_key(&format!("{key}/index.html"))
        {
            Found::Folder
        } else {
            Found::Missing(store.files.get("404.html").cloned())
        };
        (found, store.error.clone())
    };
    match found {
        Found::Bytes(b) => respond(StatusCode::OK, &key, b.to_vec(), problem.as_deref()),
        Found::File(path) => match tokio::fs::read(&path).await {
            Ok(bytes) => respond(StatusCode::OK, &key, bytes, problem.as_deref()),
            Err(_) => respond(
                StatusCode::NOT_FOUND,
                "404.html",
                b"not found".to_vec(),
                problem.as_deref(),
            ),
        },
        Found::Folder => {
            let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
            // Always one leading slash: `//policy/` would name the host `policy`.
            let to = format!("/{}/", raw.trim_start_matches('/'));
            if let Ok(v) = HeaderValue::from_str(&to) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
        Found::Missing(page) => {
            let body = page
                .map(|b| b.to_vec())
                .unwrap_or_else(|| b"<!doctype html><title>404</title><p>Not found</p>".to_vec());
            respond(StatusCode::NOT_FOUND, "404.html", body, problem.as_deref())
        }
    }
}

fn events(live: Arc<Live>) -> Sse<impl tokio_stream::Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = BroadcastStream::new(live.events.subscribe()).filter_map(|e| match e {
        Ok(Event::Reload(n)) => Some(Ok(SseEvent::default().event("reload").data(n.to_string()))),
        Ok(Event::Problem(text)) => Some(Ok(SseEvent::default().event("problem").data(text))),
        Ok(Event::Indexed(n)) => Some(Ok(SseEvent::default().event("indexed").data(n.to_string()))),
        Err(_) => None,
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_site() {
        assert_eq!(site_key("/").unwrap(), "index.html");
        assert_eq!(
            site_key("/tags/%EB%8F%99%EB%A7%B9/").unwrap(),
            "tags/동맹/index.html"
        );
        assert_eq!(site_key("/css/nuri.css").unwrap(), "css/nuri.css");
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/b",
            "/a%2fb",
            "/a%5Cb",
            "/a/./b",
            "/%00",
        ] {
            assert!(site_key(bad).is_err(), "{bad}");
        }
        assert_eq!(site_key("/%FF").unwrap_err(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn the_script_goes_before_the_end_of_body() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>", Some("a <b>")))
            .unwrap();
        assert!(out.contains("EventSource(\"/__nuri/live\")"));
        assert!(out.ends_with("</body></html>"));
        assert!(out.contains("a &lt;b&gt;"));
    }
}
