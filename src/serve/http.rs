//! The preview server (axum): the site from memory, static files from their sources, live
//! reload over server-sent events, and no way out of the site.
//!
//! Nothing is served from a path the request names: every URL is looked up in the map of
//! the site's files, so `..`, encoded slashes and symlinks cannot reach anything else. The
//! reload script and the error overlay are added to HTML responses here, never to a build.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::site::{Bytes, Found, Served};

pub const LIVE_PATH: &str = "/__nuri/live";
/// Where tests and tools read which snapshot is served and indexed.
pub const STATUS_PATH: &str = "/__nuri/status";
/// The live-reload script: a file of its own, so pages keep working under the site's
/// Content-Security-Policy (no inline script).
pub const RELOAD_JS_PATH: &str = "/__nuri/reload.js";

/// What the browser is told.
#[derive(Debug, Clone)]
pub enum Event {
    /// A rebuild finished: reload the pages whose key is in the set (all, when `None`).
    Reload(u64, Option<Arc<HashSet<String>>>),
    /// A rebuild failed: show this.
    Problem(String),
    /// The search index caught up with a rebuild.
    Indexed(u64),
}

/// The site being served, and who is looking at it.
pub struct Live {
    pub site: RwLock<Option<Arc<Served>>>,
    /// The search index's files (shards and meta.json).
    pub search: RwLock<Arc<HashMap<String, Bytes>>>,
    /// The generation the search index is up to date with.
    pub indexed: AtomicU64,
    /// The last rebuild's problems, while they last.
    pub error: RwLock<Option<String>>,
    /// The site folder: a static file is served only while it is a regular file inside it
    /// (a file replaced by a link to /etc/passwd is not, even before the rebuild notices).
    pub root: Option<crate::sources::SiteRoot>,
    pub events: broadcast::Sender<Event>,
    /// Pages open in browsers (by live-reload connection), for telling which changed.
    pub open: Mutex<HashMap<u64, String>>,
    next_client: AtomicU64,
}

impl Live {
    pub fn new(root: Option<crate::sources::SiteRoot>) -> Live {
        Live {
            site: RwLock::new(None),
            search: RwLock::new(Arc::new(HashMap::new())),
            indexed: AtomicU64::new(0),
            error: RwLock::new(None),
            root,
            events: broadcast::channel(64).0,
            open: Mutex::new(HashMap::new()),
            next_client: AtomicU64::new(1),
        }
    }

    pub fn notify(&self, event: Event) {
        let _ = self.events.send(event);
    }

    pub fn served(&self) -> Option<Arc<Served>> {
        self.site.read().ok().and_then(|s| s.clone())
    }

    /// The pages open in browsers, by output path.
    pub fn open_pages(&self) -> Vec<String> {
        let mut pages: Vec<String> = self
            .open
            .lock()
            .map(|o| o.values().cloned().collect())
            .unwrap_or_default();
        pages.sort();
        pages.dedup();
        pages
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

const RELOAD_SCRIPT: &str = r#"<script src="/__nuri/reload.js" defer></script>"#;

const RELOAD_JS: &str = r#"(()=>{const s=new EventSource("/__nuri/live?path="+encodeURIComponent(location.pathname));s.addEventListener("reload",()=>location.reload());s.addEventListener("problem",e=>{let o=document.getElementById('nuri-problem');if(!o){o=document.createElement('div');o.id='nuri-problem';document.body.appendChild(o)}o.setAttribute("style","position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#fff;padding:2rem;font:14px/1.6 ui-monospace,monospace;white-space:pre-wrap");o.textContent="nuri: the last change could not be built\n\n"+e.data})})();
"#;

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

/// The security headers of the served site's config (as its `_headers` file gives them).
fn security(served: &Served) -> Vec<(&'static str, String)> {
    crate::render::headers::security(&served.snap.config, served.snap.options.preview)
}

fn respond(status: StatusCode, path: &str, body: Vec<u8>, problem: Option<&str>) -> Response {
    respond_with(status, path, body, problem, &[])
}

fn respond_with(
    status: StatusCode,
    path: &str,
    body: Vec<u8>,
    problem: Option<&str>,
    extra: &[(&'static str, String)],
) -> Response {
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
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            res.headers_mut().insert(*name, v);
        }
    }
    res
}

async fn handle(State(live): State<Arc<Live>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only").into_response();
    }
    let raw = uri.path();
    if raw == LIVE_PATH {
        let page = uri
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("path=")))
            .and_then(|p| site_key(p).ok());
        return events(live, page).into_response();
    }
    if raw == RELOAD_JS_PATH {
        return respond(
            StatusCode::OK,
            "reload.js",
            RELOAD_JS.as_bytes().to_vec(),
            None,
        );
    }
    if raw == STATUS_PATH {
        let generation = live.served().map_or(0, |s| s.generation);
        let body = format!(
            "{{\"generation\":{generation},\"indexed\":{}}}",
            live.indexed.load(Ordering::SeqCst)
        );
        return respond(StatusCode::OK, "status.json", body.into_bytes(), None);
    }
    let key = match site_key(raw) {
        Ok(k) => k,
        Err(status) => return (status, status.canonical_reason().unwrap_or("")).into_response(),
    };
    let problem = live.error.read().ok().and_then(|e| e.clone());
    let Some(served) = live.served() else {
        let body =
            b"<!doctype html><title>nuri</title><p>The site could not be built yet.</p>".to_vec();
        return respond(
            StatusCode::SERVICE_UNAVAILABLE,
            "index.html",
            body,
            problem.as_deref(),
        );
    };
    let sec = security(&served);
    let respond = |status, path: &str, body, problem: Option<&str>| {
        respond_with(status, path, body, problem, &sec)
    };
    if let Some(bytes) = live.search.read().ok().and_then(|s| s.get(&key).cloned()) {
        return respond(StatusCode::OK, &key, bytes.to_vec(), problem.as_deref());
    }
    // Pages render on a blocking thread: a big list page must not stall the server.
    let lookup = {
        let served = served.clone();
        let key = key.clone();
        tokio::task::spawn_blocking(move || served.get(&key)).await
    };
    match lookup {
        Ok(Found::Page(Ok(bytes))) => {
            respond(StatusCode::OK, &key, bytes.to_vec(), problem.as_deref())
        }
        Ok(Found::Page(Err(d))) => {
            let text = d.to_string();
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "error.html",
                b"<!doctype html><title>nuri</title><body></body>".to_vec(),
                Some(&text),
            )
        }
        Ok(Found::File(path)) => {
            let inside = live.root.as_ref().is_some_and(|s| s.readable_file(&path))
                || served.is_photo_file(&path);
            match tokio::fs::read(&path).await {
                Ok(bytes) if inside => respond(StatusCode::OK, &key, bytes, problem.as_deref()),
                _ => not_found(&served, &key, problem.as_deref(), &sec).await,
            }
        }
        Ok(Found::Missing) if served.is_folder(&key) => {
            let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
            // Always one leading slash: `//policy/` would name the host `policy`.
            let to = format!("/{}/", raw.trim_start_matches('/'));
            if let Ok(v) = HeaderValue::from_str(&to) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            for (name, value) in &sec {
                if let Ok(v) = HeaderValue::from_str(value) {
                    res.headers_mut().insert(*name, v);
                }
            }
            res
        }
        _ => not_found(&served, &key, problem.as_deref(), &sec).await,
    }
}

async fn not_found(
    served: &Arc<Served>,
    path: &str,
    problem: Option<&str>,
    sec: &[(&'static str, String)],
) -> Response {
    let served = served.clone();
    let page_file = served.not_found_page(path);
    let page = tokio::task::spawn_blocking(move || match served.get(&page_file) {
        Found::Page(Ok(b)) => Some(b),
        _ => None,
    })
    .await
    .ok()
    .flatten();
    let body = page
        .map(|b| b.to_vec())
        .unwrap_or_else(|| b"<!doctype html><title>404</title><p>Not found</p>".to_vec());
    respond_with(StatusCode::NOT_FOUND, "404.html", body, problem, sec)
}

/// The live-reload stream of one browser page (`page`: its output path, when it said).
fn events(
    live: Arc<Live>,
    page: Option<String>,
) -> Sse<impl tokio_stream::Stream<Item = Result<SseEvent, Infallible>>> {
    let id = live.next_client.fetch_add(1, Ordering::Relaxed);
    if let (Some(p), Ok(mut open)) = (&page, live.open.lock()) {
        open.insert(id, p.clone());
    }
    let guard = Arc::new(Forget(live.clone(), id));
    let stream = BroadcastStream::new(live.events.subscribe()).filter_map(move |e| {
        let _keep = &guard;
        match e {
            Ok(Event::Reload(n, changed)) => {
                let mine = match (&page, &changed) {
                    (Some(p), Some(set)) => set.contains(p),
                    _ => true,
                };
                mine.then(|| Ok(SseEvent::default().event("reload").data(n.to_string())))
            }
            Ok(Event::Problem(text)) => Some(Ok(SseEvent::default().event("problem").data(text))),
            Ok(Event::Indexed(n)) => {
                Some(Ok(SseEvent::default().event("indexed").data(n.to_string())))
            }
            Err(_) => None,
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Forgets a browser page when its stream ends.
struct Forget(Arc<Live>, u64);

impl Drop for Forget {
    fn drop(&mut self) {
        if let Ok(mut open) = self.0.open.lock() {
            open.remove(&self.1);
        }
    }
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
        assert!(out.contains("<script src=\"/__nuri/reload.js\" defer></script>"));
        assert!(RELOAD_JS.contains("EventSource(\"/__nuri/live?path=\""));
        assert!(out.ends_with("</body></html>"));
        assert!(out.contains("a &lt;b&gt;"));
    }
}
