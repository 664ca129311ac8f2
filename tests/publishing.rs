//! Ready to publish (issue 15): preview builds that cannot leak an embargo, fingerprinted
//! assets and the `_headers` file, meta descriptions on every page, and `nuri ping` against
//! a local stand-in for an IndexNow endpoint.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{SiteTest, list_files};

const NOW: &str = "2026-01-01T00:00:00+09:00";
const EMBARGO_TITLE: &str = "엠바고 걸린 단독 보도";
const EMBARGO_SLUG: &str = "엠바고-단독";

/// The basic fixture with a story scheduled after the build's clock.
fn site_with_embargo(extra_config: &str) -> SiteTest {
    let s = SiteTest::fixture("basic");
    if !extra_config.is_empty() {
        let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
        s.write("config.toml", &format!("{config}{extra_config}"));
    }
    s.write(
        &format!("content/politics/2026/{EMBARGO_SLUG}.md"),
        &format!(
            "+++\ntitle = \"{EMBARGO_TITLE}\"\ndate = 2026-01-02T06:00:00+09:00\ntags = [\"AI\", \"엠바고\"]\nauthors = [\"김하늘\"]\n+++\n\n내일 아침 여섯 시에 풀리는 기사다.\n"
        ),
    );
    s
}

fn text_of(dir: &Path, rel: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(dir.join(rel)).unwrap()).into_owned()
}

/// Whether `text` names the embargoed story: its title, or its slug as written or
/// percent-encoded.
fn names_embargo(text: &str) -> bool {
    let encoded: String = EMBARGO_SLUG
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    text.contains(EMBARGO_TITLE)
        || text.contains(EMBARGO_SLUG)
        || text.to_uppercase().contains(&encoded)
        || text.contains("엠바고")
}

#[test]
fn a_preview_shows_the_embargo_to_editors_and_to_nobody_else() {
    let s = site_with_embargo(
        "indexnow_key = \"preview-test-key-1\"\n[redirects]\n\"/old-tags/\" = \"/tags/\"\n",
    );
    s.nuri(&["build", "--now", NOW]).assert_ok();
    let public = s.path("public");
    // Production: the story is nowhere, in no file at all.
    for f in list_files(&public) {
        assert!(
            !names_embargo(&text_of(&public, &f)),
            "production file {f} names the embargoed story"
        );
    }
    let before = s.snapshot();

    s.nuri(&["build", "--now", NOW, "--preview"]).assert_ok();
    let preview = s.path("preview");
    let files = list_files(&preview);
    // Editors see the story.
    let page = format!("politics/2026/{EMBARGO_SLUG}/index.html");
    assert!(files.contains(&page), "{files:?}");
    assert!(text_of(&preview, &page).contains(EMBARGO_TITLE));
    // Nothing that crawlers or feed readers read is written at all.
    for gone in [
        "feed.xml",
        "atom.xml",
        "feed.json",
        "sitemap.xml",
        "sitemap-news.xml",
        "preview-test-key-1.txt",
    ] {
        assert!(!files.contains(&gone.to_string()), "{gone} in a preview");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("search/") && f.ends_with(".json")),
        "a search index in a preview"
    );
    assert!(!files.iter().any(|f| f.ends_with(".xml")), "{files:?}");
    // Every other file that is not a page holds no trace of it. (`.nuri-manifest` lists the
    // preview's own paths for the next build; it is bookkeeping, not served content.)
    for f in files
        .iter()
        .filter(|f| !f.ends_with(".html") && *f != ".nuri-manifest")
    {
        assert!(
            !names_embargo(&text_of(&preview, f)),
            "preview file {f} names the embargoed story"
        );
    }
    assert_eq!(
        text_of(&preview, "robots.txt"),
        "User-agent: *\nDisallow: /\n"
    );
    assert!(text_of(&preview, "_headers").contains("X-Robots-Tag: noindex, nofollow"));
    // Every page: noindex, the banner, and canonical links to production.
    let canonical = format!(
        "<link rel=\"canonical\" href=\"https://test.example/news/politics/2026/{}/\">",
        EMBARGO_SLUG
            .chars()
            .map(|c| if c.is_ascii() {
                c.to_string()
            } else {
                let mut b = [0; 4];
                c.encode_utf8(&mut b)
                    .bytes()
                    .map(|x| format!("%{x:02X}"))
                    .collect()
            })
            .collect::<String>()
    );
    assert!(
        text_of(&preview, &page).contains(&canonical),
        "{}",
        text_of(&preview, &page)
    );
    assert!(files.contains(&"old-tags/index.html".to_string()));
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let html = text_of(&preview, f);
        assert!(
            html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"),
            "{f} can be indexed"
        );
        if !html.contains("http-equiv=\"refresh\"") {
            assert!(
                html.contains("미리보기: 공개 전 기사 포함"),
                "{f} has no banner"
            );
        }
    }
    // The production site was not touched by the preview.
    assert_eq!(s.snapshot(), before);

    // A preview's change list is never announced.
    let preview_cache = s.path(".nuri-cache/preview");
    s.nuri(&[
        "ping",
        "--cache-dir",
        preview_cache.to_str().unwrap(),
        "--dry-run",
    ])
    .assert_fails_with("a preview is never announced");
    // A ping publishes nothing, so its error does not say that nothing was published.
    let refused = s.nuri(&[
        "ping",
        "--cache-dir",
        preview_cache.to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(
        !refused.stderr().contains("nothing was published"),
        "{}",
        refused.stderr()
    );
    // A preview is refused where the public site lives: the folder config.toml publishes
    // to, any folder holding a production build, and any folder inside one.
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let preview_into =
        |out: &Path| s.nuri(&["build", "--now", NOW, "--preview", "--output", &path(out)]);
    preview_into(&public).assert_fails_with("where config.toml publishes the public site");
    preview_into(&public.join("preview")).assert_fails_with("inside the public site");
    let elsewhere = s.path("mirror");
    s.nuri(&["build", "--now", NOW, "--output", &path(&elsewhere)])
        .assert_ok();
    preview_into(&elsewhere).assert_fails_with("holds a production build");
    assert!(!names_embargo(
        &std::fs::read_to_string(elsewhere.join("index.html")).unwrap()
    ));
    assert_eq!(s.snapshot(), before);
    // The preview folder takes a second preview, and a production build may replace it.
    s.nuri(&["build", "--now", NOW, "--preview"]).assert_ok();
    s.nuri(&["build", "--now", NOW, "--output", &path(&preview)])
        .assert_ok();
    for f in list_files(&preview) {
        assert!(
            !names_embargo(&text_of(&preview, &f)),
            "{f} still names the embargoed story after a production build"
        );
    }
}

#[test]
fn a_preview_is_refused_where_config_publishes_even_before_the_first_build() {
    let s = site_with_embargo("");
    let public = s.path("public");
    assert!(!public.exists());
    s.nuri(&["build", "--preview", "--output", public.to_str().unwrap()])
        .assert_fails_with("where config.toml publishes the public site");
    assert!(!public.exists());
}

/// The rules of a `_headers` file: (path pattern, [(name, value)]).
fn header_rules(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(h) = line.strip_prefix("  ") {
            let (n, v) = h.split_once(": ").expect("`Name: value`");
            rules.last_mut().unwrap().1.push((n.into(), v.into()));
        } else {
            rules.push((line.into(), Vec::new()));
        }
    }
    rules
}

/// The headers a host gives `path`: those of every rule it matches (a final `*` matches
/// the rest of the path), as Netlify and Cloudflare Pages combine them.
fn headers_for<'a>(
    rules: &'a [(String, Vec<(String, String)>)],
    path: &str,
) -> Vec<&'a (String, String)> {
    rules
        .iter()
        .filter(|(p, _)| match p.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == p,
        })
        .flat_map(|(_, h)| h)
        .collect()
}

fn percent_encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn assets_are_fingerprinted_and_the_headers_file_caches_them_for_a_year() {
    let s = SiteTest::fixture("basic");
    s.build(&[]).assert_ok();
    let files = s.files();
    // Every CSS and JS reference in every page points at a fingerprinted file that exists
    // and holds the same bytes as the plain name.
    let mut referenced = std::collections::BTreeSet::new();
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let html = s.read(f);
        for attr in ["href=\"/news/", "src=\"/news/"] {
            for (at, _) in html.match_indices(attr) {
                let rest = &html[at + attr.len()..];
                let url = &rest[..rest.find('"').unwrap()];
                if url.ends_with(".css") || url.ends_with(".js") {
                    referenced.insert(url.to_string());
                }
            }
        }
    }
    assert!(referenced.len() >= 2, "{referenced:?}");
    let rules = header_rules(&s.read("_headers"));
    for url in &referenced {
        let (stem, ext) = url.rsplit_once('.').unwrap();
        let (plain, hash) = stem.rsplit_once('.').expect("a fingerprint");
        assert!(
            hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{url} is not fingerprinted"
        );
        assert_eq!(
            std::fs::read(s.out(url)).unwrap(),
            std::fs::read(s.out(&format!("{plain}.{ext}"))).unwrap(),
            "{url}"
        );
        // Rules are paths from the published folder's root (the site is mounted at
        // `/news/` by whatever serves it there).
        let cache: Vec<_> = headers_for(&rules, &format!("/{url}"))
            .into_iter()
            .filter(|(n, _)| n == "Cache-Control")
            .collect();
        assert_eq!(
            cache,
            [&(
                "Cache-Control".to_string(),
                "public, max-age=31536000, immutable".to_string()
            )],
            "{url}"
        );
    }
    // Pages get a short lifetime, and only that one; every path gets the security headers.
    for f in files
        .iter()
        .filter(|f| f.ends_with("index.html") && !f.starts_with('.'))
    {
        let path = percent_encode_path(&format!("/{}", f.trim_end_matches("index.html")));
        let headers = headers_for(&rules, &path);
        let cache: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n == "Cache-Control")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(cache, ["public, max-age=300"], "{path}");
        for name in [
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Permissions-Policy",
        ] {
            assert!(headers.iter().any(|(n, _)| n == name), "{path}: no {name}");
        }
        assert!(!headers.iter().any(|(n, _)| n == "X-Robots-Tag"), "{path}");
    }
    assert!(
        rules.len() <= 100,
        "Cloudflare Pages reads 100 rules at most"
    );
    // A changed stylesheet gets a new name, and the pages follow it.
    let old: Vec<_> = referenced.iter().filter(|u| u.ends_with(".css")).collect();
    s.write("static/css/nuri.css", "body { color: #123456 }\n");
    s.build(&[]).assert_ok();
    let home = s.read("index.html");
    for url in old {
        assert!(!home.contains(url.as_str()), "{url} still linked");
        assert!(!s.exists(url), "{url} still published");
    }
    let at = home.find("href=\"/news/css/nuri.").unwrap() + "href=\"/news/".len();
    let new = &home[at..at + home[at..].find('"').unwrap()];
    assert_eq!(s.read(new), "body { color: #123456 }\n");
}

#[test]
fn every_page_has_a_meta_description() {
    let s = SiteTest::fixture("basic");
    s.build(&[]).assert_ok();
    let mut seen = std::collections::BTreeMap::new();
    for f in s.files().iter().filter(|f| f.ends_with(".html")) {
        let html = s.read(f);
        if html.contains("http-equiv=\"refresh\"") {
            continue;
        }
        let tag = "<meta name=\"description\" content=\"";
        let at = html
            .find(tag)
            .unwrap_or_else(|| panic!("{f} has no meta description"))
            + tag.len();
        let description = &html[at..at + html[at..].find('"').unwrap()];
        assert!(!description.trim().is_empty(), "{f}: empty description");
        seen.insert(f.clone(), description.to_string());
    }
    // The pages Lighthouse found without one, and a second page of a list.
    for f in [
        "tags/index.html",
        "archive/index.html",
        "authors/김하늘/index.html",
        "page/2/index.html",
    ] {
        assert!(seen.contains_key(f), "{f} not built: {:?}", seen.keys());
    }
    assert!(seen["page/2/index.html"].contains("(2쪽)"), "{seen:?}");
    assert_ne!(seen["index.html"], seen["page/2/index.html"]);
}

/// A stand-in IndexNow endpoint: answers `statuses` in turn (then 200) and keeps every
/// request body.
struct Endpoint {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Endpoint {
    fn start(statuses: Vec<u16>) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/indexnow", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                assert!(line.starts_with("POST /indexnow "), "{line}");
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if let Some(v) = lower.strip_prefix("content-type:") {
                        assert!(v.trim().starts_with("application/json"), "{v}");
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                kept.lock().unwrap().push(String::from_utf8(body).unwrap());
                let status = statuses.next().unwrap_or(200);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(reply.as_bytes()).unwrap();
            }
        });
        Endpoint { url, bodies }
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect()
    }
}

fn ping_site(endpoint: &str) -> SiteTest {
    let s = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
    s.write(
        "config.toml",
        &format!(
            "indexnow_key = \"a1b2c3d4-nuri\"\nindexnow_endpoints = [\"{endpoint}\"]\n{config}"
        ),
    );
    s
}

#[test]
fn ping_tells_the_endpoint_what_changed_and_retries_when_asked_to_wait() {
    let endpoint = Endpoint::start(vec![429, 503]);
    let s = ping_site(&endpoint.url);
    s.build(&[]).assert_ok();
    // The key file proves the key is the site's.
    assert_eq!(s.read("a1b2c3d4-nuri.txt"), "a1b2c3d4-nuri");

    // A first build has nothing to compare with: every page would count as new, and a
    // whole site is not sent unless asked for.
    let first = s.nuri(&["ping"]);
    first.assert_ok();
    assert!(first.stdout().contains("not sent"), "{}", first.stdout());
    assert!(endpoint.bodies().is_empty());

    // --dry-run prints the request and sends nothing.
    let dry = s.nuri(&["ping", "--all", "--dry-run"]);
    dry.assert_ok();
    assert!(dry.stdout().contains(&format!("POST {}", endpoint.url)));
    assert!(
        dry.stdout()
            .contains("\"keyLocation\":\"https://test.example/news/a1b2c3d4-nuri.txt\"")
    );
    assert!(endpoint.bodies().is_empty());

    // Two answers asking to wait, then accepted.
    let run = s.nuri(&["ping", "--all", "--pause-ms", "5"]);
    run.assert_ok();
    assert!(run.stdout().contains("200"), "{}", run.stdout());
    assert!(run.stdout().contains("after 3 tries"), "{}", run.stdout());
    let bodies = endpoint.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same request each try"
    );
    let body = &bodies[0];
    assert_eq!(body["host"], "test.example");
    assert_eq!(body["key"], "a1b2c3d4-nuri");
    let urls: Vec<&str> = body["urlList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    // Every page of the first build; only pages are announced.
    assert!(urls.contains(&"https://test.example/news/"), "{urls:?}");
    assert!(
        urls.iter()
            .any(|u| u.starts_with("https://test.example/news/world/2023/")),
        "{urls:?}"
    );
    assert!(
        !urls.iter().any(|u| u.ends_with(".xml")
            || u.ends_with(".json")
            || u.ends_with(".css")
            || u.ends_with(".txt")),
        "{urls:?}"
    );

    // An edit: only what it changed is announced.
    let path = s.path("content/world/2023/open-models.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\n+++\n", "\n+++\n\n덧붙인 문단.\n")).unwrap();
    s.build(&[]).assert_ok();
    s.nuri(&["ping", "--pause-ms", "5"]).assert_ok();
    let second = &endpoint.bodies()[3];
    let urls: Vec<&str> = second["urlList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(urls.iter().any(|u| u.contains("/world/2023/")), "{urls:?}");
    assert!(
        !urls.contains(&"https://test.example/news/tags/"),
        "{urls:?}"
    );

    // Nothing changed: nothing to tell.
    s.build(&[]).assert_ok();
    let idle = s.nuri(&["ping"]);
    idle.assert_ok();
    assert!(
        idle.stdout().contains("nothing to tell"),
        "{}",
        idle.stdout()
    );
    assert_eq!(endpoint.bodies().len(), 4);

    // A build for another address (`--base-url`, as the Pages workflow does) is announced
    // for that address: host, key location and URLs agree.
    s.build(&["--base-url", "https://mirror.example/kr/"])
        .assert_ok();
    let dry = s.nuri(&["ping", "--dry-run"]);
    dry.assert_ok();
    assert!(
        dry.stdout().contains("\"host\":\"mirror.example\""),
        "{}",
        dry.stdout()
    );
    assert!(
        dry.stdout()
            .contains("\"keyLocation\":\"https://mirror.example/kr/a1b2c3d4-nuri.txt\""),
        "{}",
        dry.stdout()
    );
    assert!(!dry.stdout().contains("test.example"), "{}", dry.stdout());
}

#[test]
fn ping_fails_when_the_endpoint_never_accepts_and_without_a_key() {
    let endpoint = Endpoint::start(vec![403]);
    let s = ping_site(&endpoint.url);
    s.build(&[]).assert_ok();
    let run = s.nuri(&["ping", "--all", "--pause-ms", "1"]);
    assert!(!run.ok());
    assert!(run.stdout().contains("403 forbidden"), "{}", run.stdout());
    assert!(run.stderr().contains("not accepted"), "{}", run.stderr());
    assert_eq!(endpoint.bodies().len(), 1, "a 403 is not retried");

    let plain = SiteTest::fixture("basic");
    plain.build(&[]).assert_ok();
    plain
        .nuri(&["ping", "--dry-run"])
        .assert_fails_with("indexnow_key is not set");
}

#[test]
fn without_a_cache_the_change_list_compares_with_the_live_site() {
    let s = ping_site("https://indexnow.invalid/indexnow");
    s.build(&[]).assert_ok();
    // The cache is lost (a new CI runner, a new nuri version), the live site is not.
    s.remove(".nuri-cache");
    let path = s.path("content/world/2023/open-models.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\n+++\n", "\n+++\n\n새 문단.\n")).unwrap();
    let list = s.path("changes.json");
    s.build(&["--changes", list.to_str().unwrap()]).assert_ok();
    let changes: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("changes.json")).unwrap()).unwrap();
    assert_eq!(changes["baseline"], true, "{changes}");
    assert_eq!(changes["added"], serde_json::json!([]), "{changes}");
    let changed = changes["changed"].as_array().unwrap();
    assert!(
        changed
            .iter()
            .any(|u| u.as_str().unwrap().contains("/world/2023/")),
        "{changes}"
    );
    assert!(changed.len() < 30, "{changes}");
    let dry = s.nuri(&["ping", "--changes", list.to_str().unwrap(), "--dry-run"]);
    dry.assert_ok();
    assert!(
        dry.stdout()
            .contains("POST https://indexnow.invalid/indexnow"),
        "{}",
        dry.stdout()
    );
}

/// The `NewsArticle` JSON-LD of a page (the first block that is one).
fn news_article(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/ld+json\">";
    for (at, _) in html.match_indices(open) {
        let rest = &html[at + open.len()..];
        let json: serde_json::Value =
            serde_json::from_str(&rest[..rest.find("</script>").unwrap()]).unwrap();
        let items = match (json.as_array(), json.get("@graph")) {
            (Some(list), _) => list.clone(),
            (None, Some(g)) => g.as_array().unwrap().clone(),
            (None, None) => vec![json],
        };
        if let Some(a) = items.into_iter().find(|j| j["@type"] == "NewsArticle") {
            return a;
        }
    }
    panic!("no NewsArticle JSON-LD in {html}");
}

#[test]
fn articles_without_a_photo_share_the_default_image() {
    let s = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
    // A share image of its own, so it cannot be mistaken for an article's photo.
    std::fs::copy(
        s.path("static/images/chart.png"),
        s.path("static/images/share.png"),
    )
    .unwrap();
    s.write(
        "config.toml",
        &format!("default_image = \"/images/share.png\"\n{config}"),
    );
    s.build(&[]).assert_ok();
    let default = "https://test.example/news/images/share.png";
    // An article without a photo of its own, and the front page.
    let page = s.read("world/2023/open-models/index.html");
    assert!(
        page.contains(&format!(
            "<meta property=\"og:image\" content=\"{default}\">"
        )),
        "{page}"
    );
    let article = news_article(&page);
    let image = &article["image"];
    assert!(
        image == default || image[0] == default || image["url"] == default,
        "{article}"
    );
    assert!(s.read("index.html").contains(&format!(
        "<meta property=\"og:image\" content=\"{default}\">"
    )));
    // An article with its own photo keeps it.
    // (its crop for sharing, made from the same file).
    let own = s.read("economy/2024/반도체-투자/index.html");
    assert!(
        own.contains("og:image\" content=\"https://test.example/news/images/chart."),
        "{own}"
    );
    let bundle = s.read("politics/2023/동맹-출범-현장/index.html");
    assert!(
        bundle.contains("og:image\" content=\"https://test.example/news/politics/2023/"),
        "{bundle}"
    );
    assert!(bundle.contains("/photo."), "{bundle}");
    assert!(!bundle.contains(&format!("og:image\" content=\"{default}\"")));

    // A default image that is not there is an error in config.toml, before anything is
    // published.
    let before = s.snapshot();
    s.write(
        "config.toml",
        &format!("default_image = \"/images/missing.png\"\n{config}"),
    );
    s.build(&[])
        .assert_fails_with("default_image `/images/missing.png` is not a file in static/");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn builds_with_unpublished_stories_are_never_announced_nor_their_urls_later() {
    let s = site_with_embargo("indexnow_key = \"a1b2c3d4-nuri\"\n");
    s.build(&[]).assert_ok();
    // An editor's local build with drafts and scheduled stories, sharing the cache.
    s.build(&["--drafts", "--future"]).assert_ok();
    s.nuri(&["ping", "--dry-run"])
        .assert_fails_with("drafts, scheduled or expired stories");
    // The public build after it would list the embargoed story as removed: there is no
    // public baseline to compare with, so nothing is sent.
    s.build(&[]).assert_ok();
    let run = s.nuri(&["ping", "--dry-run"]);
    run.assert_ok();
    assert!(run.stdout().contains("not sent"), "{}", run.stdout());
    assert!(!names_embargo(&run.stdout()), "{}", run.stdout());
    let changes = std::fs::read_to_string(s.path(".nuri-cache/changes.json")).unwrap();
    assert!(changes.contains("\"baseline\": false"), "{changes}");
    // The next public build compares with that one again.
    s.build(&[]).assert_ok();
    let changes = std::fs::read_to_string(s.path(".nuri-cache/changes.json")).unwrap();
    assert!(changes.contains("\"baseline\": true"), "{changes}");
}

#[test]
fn a_redesign_that_changes_most_pages_is_not_sent_without_all() {
    let s = ping_site("https://indexnow.invalid/indexnow");
    // Enough pages that the guard applies (more than 100 changed).
    for i in 0..120 {
        s.write(
            &format!("content/world/2025/story-{i}.md"),
            &format!("+++\ntitle = \"Story {i}\"\ndate = 2025-01-01T09:00:00+09:00\n+++\nText.\n"),
        );
    }
    s.build(&[]).assert_ok();
    // A stylesheet edit renames the fingerprinted file every page links to.
    s.write("static/css/nuri.css", "body { margin: 0 }\n");
    s.build(&[]).assert_ok();
    let run = s.nuri(&["ping", "--dry-run"]);
    run.assert_ok();
    assert!(run.stdout().contains("changed at once"), "{}", run.stdout());
    assert!(!run.stdout().contains("POST"), "{}", run.stdout());
    let all = s.nuri(&["ping", "--dry-run", "--all"]);
    all.assert_ok();
    assert!(all.stdout().contains("POST"), "{}", all.stdout());
}

#[test]
fn a_policy_a_header_cannot_carry_is_a_located_error() {
    let s = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(s.path("config.toml")).unwrap();
    s.write(
        "config.toml",
        &format!("{config}\n[headers]\ncontent_security_policy = \"default-src 'self' https://뉴스.kr\"\n"),
    );
    let run = s.build(&[]);
    run.assert_fails_with("content_security_policy holds '뉴', which an HTTP header cannot carry");
    assert!(
        run.stderr().contains("config.toml:9:27:"),
        "{}",
        run.stderr()
    );
}
