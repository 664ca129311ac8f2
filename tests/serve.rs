//! `nuri serve` end to end: a server on an ephemeral port, real HTTP requests, files edited,
//! added, renamed and deleted the way editors do, and after each change the served site is
//! compared with a fresh `nuri build`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{SiteTest, list_files};

struct Server {
    child: Child,
    url: String,
    events: Receiver<String>,
    /// The server's terminal output, line by line.
    log: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

impl Server {
    fn start(site: &SiteTest) -> Server {
        Server::start_with(site, || {})
    }

    /// Starts the server and runs `meanwhile` at once, while the first build runs.
    fn start_with(site: &SiteTest, meanwhile: impl FnOnce()) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuri"))
            .args([
                "--root",
                site.root.to_str().unwrap(),
                "serve",
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        meanwhile();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("server output").unwrap();
            if let Some(i) = line.find("http://") {
                break line[i..].split_whitespace().next().unwrap().to_string();
            }
        };
        let (log_tx, log) = channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = log_tx.send(line);
            }
        });
        // Listen to the live-reload stream like a browser does.
        let (tx, events) = channel();
        let live = format!("{url}__nuri/live");
        std::thread::spawn(move || {
            let Ok(res) = agent().get(&live).call() else {
                return;
            };
            let mut reader = BufReader::new(res.into_body().into_reader());
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if let Some(name) = line.trim().strip_prefix("event: ")
                    && tx.send(name.to_string()).is_err()
                {
                    return;
                }
                line.clear();
            }
        });
        std::thread::sleep(Duration::from_millis(300));
        Server {
            child,
            url,
            events,
            log,
        }
    }

    fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let res = agent()
            .get(&format!("{}{}", self.url, path.trim_start_matches('/')))
            .call()
            .unwrap();
        let status = res.status().as_u16();
        let ty = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let mut body = Vec::new();
        res.into_body()
            .into_reader()
            .read_to_end(&mut body)
            .unwrap();
        (status, ty, body)
    }

    fn text(&self, path: &str) -> String {
        String::from_utf8(self.get(path).2).unwrap()
    }

    /// Waits (bounded) for the next event of this name.
    fn wait_for(&self, event: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(e) = self.events.recv_timeout(Duration::from_millis(100))
                && e == event
            {
                return;
            }
        }
        panic!("no `{event}` event within 30 s");
    }

    fn drain(&self) {
        while self.events.try_recv().is_ok() {}
    }
}

/// Removes what only the dev server adds to HTML.
fn strip_live(html: &str) -> String {
    html.replace("<script src=\"/__nuri/reload.js\" defer></script>", "")
}

/// Waits (bounded) until the search index has caught up with the served snapshot.
fn wait_indexed(server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status: serde_json::Value =
            serde_json::from_slice(&server.get("/__nuri/status").2).unwrap();
        if status["generation"] == status["indexed"] {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the search index never caught up: {status}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The served site must equal a fresh build of the same sources, file for file.
fn assert_same_as_fresh_build(site: &SiteTest, server: &Server) {
    wait_indexed(server);
    let out = site
        .root
        .parent()
        .unwrap()
        .join(format!("fresh-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    site.nuri(&[
        "build",
        "--base-url",
        &server.url,
        "--output",
        out.to_str().unwrap(),
    ])
    .assert_ok();
    let files = list_files(&out);
    for f in files
        .iter()
        .filter(|f| *f != ".nuri-output" && *f != ".nuri-manifest")
    {
        let want = std::fs::read(out.join(f)).unwrap();
        let path = format!("/{}", crate_path(f));
        let (status, _, got) = server.get(&path);
        assert_eq!(status, 200, "{path}");
        if f.ends_with(".html") {
            assert_eq!(
                strip_live(&String::from_utf8(got).unwrap()),
                String::from_utf8(want).unwrap(),
                "{path} differs from a fresh build"
            );
        } else {
            assert_eq!(got, want, "{path} differs from a fresh build");
        }
    }
    // Nothing more is served than a build writes: a page that no longer exists is a 404.
    for gone in ["/politics/2023/ai-동맹-출범/", "/economy/2024/반도체-투자/"] {
        let file = format!("{}index.html", gone.trim_start_matches('/'));
        if !files.contains(&file) {
            assert_eq!(server.get(&encode(gone)).0, 404, "{gone} must be gone");
        }
    }
    std::fs::remove_dir_all(&out).unwrap();
}

fn encode(path: &str) -> String {
    path.split('/')
        .map(|s| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn crate_path(f: &str) -> String {
    encode(
        &f.strip_suffix("index.html")
            .map(str::to_string)
            .unwrap_or_else(|| f.to_string()),
    )
}

#[test]
fn serves_pages_with_types_head_hangul_and_404() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let (status, ty, body) = server.get("/");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    let home = String::from_utf8(body).unwrap();
    assert!(
        home.contains("<script src=\"/__nuri/reload.js\" defer></script>"),
        "the reload script is linked"
    );
    // The script is a file of its own, so a Content-Security-Policy without inline
    // scripts still allows it.
    let (status, ty, script) = server.get("/__nuri/reload.js");
    assert_eq!(status, 200);
    assert!(ty.starts_with("text/javascript"), "{ty}");
    assert!(
        String::from_utf8(script)
            .unwrap()
            .contains("new EventSource(\"/__nuri/live?path=\"")
    );
    // base_url is rewritten to the local address.
    assert!(
        home.contains(&format!("<link rel=\"canonical\" href=\"{}\">", server.url)),
        "{home}"
    );
    assert_eq!(server.get(&encode("/politics/2023/ai-동맹-출범/")).0, 200);
    assert_eq!(server.get("/css/nuri.css").1, "text/css; charset=utf-8");
    assert_eq!(
        server.get("/js/search.js").1,
        "text/javascript; charset=utf-8"
    );
    assert_eq!(server.get("/favicon.svg").1, "image/svg+xml");
    assert_eq!(server.get("/rss.xml").1, "application/xml; charset=utf-8");
    assert_eq!(server.get("/feed.json").1, "application/json");
    assert_eq!(server.get("/images/chart.png").1, "image/png");
    let (status, _, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("페이지를 찾을 수 없습니다")
    );
    // A folder without its slash is redirected to it.
    let res = agent()
        .get(&format!("{}politics", server.url))
        .call()
        .unwrap();
    assert_eq!(res.status().as_u16(), 301);
    assert_eq!(res.headers().get("location").unwrap(), "/politics/");
    // HEAD gives the headers without the body.
    let res = agent().head(&server.url).call().unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.into_body().read_to_vec().unwrap().len(), 0);
    // Built output is never written by serve.
    assert!(!site.root.join("public").exists());
}

#[test]
fn no_way_out_of_the_site() {
    let site = SiteTest::fixture("basic");
    std::fs::write(site.root.parent().unwrap().join("secret.txt"), "secret").unwrap();
    let server = Server::start(&site);
    let port = server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/css/..%2f..%2f..%2fsecret.txt",
        "/%2e%2e%5csecret.txt",
        "/./config.toml",
        "/config.toml",
        "/content/politics/_index.md",
    ] {
        // Send the path as is, without client-side normalisation.
        use std::io::Write;
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status: u16 = response[9..12].parse().unwrap();
        assert!(
            status == 403 || status == 404 || status == 400,
            "{path}: {status}"
        );
        assert!(
            !response.contains("secret") || response.contains("secret.txt"),
            "{path} leaked"
        );
        assert!(
            !response.contains("title = \"테스트 누리집\""),
            "{path} leaked config"
        );
    }
}

#[test]
fn edits_adds_renames_and_deletes_end_equal_to_a_fresh_build() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    assert_same_as_fresh_build(&site, &server);

    // Edit: a new headline shows on the article, the lists and the feeds.
    server.drain();
    let path = "content/politics/2023/AI-동맹-출범.md";
    let text = std::fs::read_to_string(site.path(path)).unwrap();
    site.write(
        path,
        &text.replace(
            "title = \"메타·IBM 'AI 동맹' 출범\"",
            "title = \"(종합) AI 동맹 출범\"",
        ),
    );
    server.wait_for("reload");
    assert!(server.text("/").contains("(종합) AI 동맹 출범"));
    // An edit updates pages first and the search index right after.
    server.wait_for("indexed");
    assert!(
        server
            .text("/tags/ai/page/2/")
            .contains("(종합) AI 동맹 출범")
    );
    assert!(server.text("/rss.xml").contains("(종합) AI 동맹 출범"));
    assert_same_as_fresh_build(&site, &server);

    // Add a new article with a new tag.
    server.drain();
    site.write("content/economy/2024/새-기사.md", "+++\ntitle = \"새로 쓴 기사\"\ndate = 2024-02-02T10:00:00+09:00\ntags = [\"신규\"]\n+++\n본문\n");
    server.wait_for("reload");
    assert_eq!(server.get(&encode("/tags/신규/")).0, 200);
    assert_same_as_fresh_build(&site, &server);

    // Rename a file: the old URL is gone from every list.
    server.drain();
    std::fs::rename(
        site.path("content/economy/2024/반도체-투자.md"),
        site.path("content/economy/2024/반도체-투자-확대.md"),
    )
    .unwrap();
    server.wait_for("reload");
    assert_eq!(server.get(&encode("/economy/2024/반도체-투자/")).0, 404);
    assert!(
        !server
            .text("/")
            .contains("/economy/2024/%EB%B0%98%EB%8F%84%EC%B2%B4-%ED%88%AC%EC%9E%90/\"")
    );
    assert_same_as_fresh_build(&site, &server);

    // Delete an article and a whole section folder.
    server.drain();
    site.remove("content/world");
    server.wait_for("reload");
    assert_eq!(server.get("/world/").0, 404);
    assert_same_as_fresh_build(&site, &server);

    // Change a template and the config.
    server.drain();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>다른 404</p>{% endblock content %}",
    );
    server.wait_for("reload");
    assert!(server.text("/404.html").contains("다른 404"));
    server.drain();
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("title = \"테스트 누리집\"", "title = \"바뀐 누리집\""),
    );
    server.wait_for("reload");
    assert!(server.text("/").contains("바뀐 누리집"));
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn editor_save_patterns_converge() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let path = site.path("content/politics/2023/AI-동맹-출범.md");
    let text = std::fs::read_to_string(&path).unwrap();
    server.drain();
    // Vim: probe file 4913, swap file, backup with ~, then write.
    let dir = path.parent().unwrap();
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::fs::write(dir.join(".AI-동맹-출범.md.swp"), "swap").unwrap();
    std::fs::write(dir.join("AI-동맹-출범.md~"), &text).unwrap();
    std::fs::write(
        &path,
        text.replace("개방형 모델을 지지하는", "열린 모델을 지지하는"),
    )
    .unwrap();
    server.wait_for("reload");
    // Atomic save: write a temporary file, rename it over the article.
    server.drain();
    let tmp = dir.join(".AI-동맹-출범.md.tmp");
    std::fs::write(
        &tmp,
        text.replace("개방형 모델을 지지하는", "공개 모델을 지지하는"),
    )
    .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    server.wait_for("reload");
    server.wait_for("indexed");
    let page = server.text(&encode("/politics/2023/ai-동맹-출범/"));
    assert!(page.contains("공개 모델을 지지하는"), "{page}");
    assert_eq!(server.get("/politics/2023/4913").0, 404);
    std::fs::remove_file(dir.join(".AI-동맹-출범.md.swp")).unwrap();
    std::fs::remove_file(dir.join("AI-동맹-출범.md~")).unwrap();
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn a_bad_edit_shows_the_error_keeps_the_old_page_and_recovers() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let path = "content/politics/2023/AI-동맹-출범.md";
    let good = std::fs::read_to_string(site.path(path)).unwrap();
    let before = strip_live(&server.text(&encode("/politics/2023/ai-동맹-출범/")));
    server.drain();
    site.write(
        path,
        &good.replace("date = 2023-12-05T14:30:00+09:00", "date = \"내일\""),
    );
    server.wait_for("problem");
    let page = server.text(&encode("/politics/2023/ai-동맹-출범/"));
    assert!(page.contains("id=\"nuri-problem\""), "the overlay is shown");
    assert!(
        page.contains(
            "content/politics/2023/AI-동맹-출범.md:4:8: error: `date` is not a valid date"
        ),
        "{page}"
    );
    let without_overlay = page[..page.find("<div id=\"nuri-problem\"").unwrap()].to_string()
        + &page[page.rfind("</div>").unwrap() + 6..];
    assert_eq!(
        strip_live(&without_overlay),
        before,
        "the last good page is still served"
    );
    // A template syntax error is reported the same way.
    server.drain();
    site.write(path, &good);
    server.wait_for("reload");
    assert!(!server.text("/").contains("id=\"nuri-problem\""));
    server.drain();
    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}{% block content %}{{ article.title {% endblock content %}",
    );
    server.wait_for("problem");
    assert!(server.text("/").contains("templates/article.html:1:"));
    server.drain();
    site.remove("templates/article.html");
    server.wait_for("reload");
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn a_save_during_the_first_build_is_not_lost() {
    let site = SiteTest::fixture("basic");
    let path = site.path("content/politics/2023/AI-동맹-출범.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace("개방형 모델을 지지하는", "시작 중 고친 문장을 지지하는");
    assert_ne!(text, edited);
    let server = Server::start_with(&site, || {
        std::thread::sleep(Duration::from_millis(15));
        std::fs::write(&path, &edited).unwrap();
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = encode("/politics/2023/ai-동맹-출범/");
    while !server.text(&url).contains("시작 중 고친 문장") {
        assert!(
            Instant::now() < deadline,
            "the save during start-up was lost"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn sed_in_place_edits_rebuild_incrementally() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let path = site.path("content/politics/2023/AI-동맹-출범.md");
    let text = std::fs::read_to_string(&path).unwrap();
    server.drain();
    while server.log.try_recv().is_ok() {}
    // `sed -i` writes a temporary file without extension beside the original, then renames
    // it over the original.
    let tmp = path.parent().unwrap().join("sedX1b2c3");
    std::fs::write(
        &tmp,
        text.replace("개방형 모델을 지지하는", "sed로 고친 문장을 지지하는"),
    )
    .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    server.wait_for("reload");
    let line = server
        .log
        .recv_timeout(Duration::from_secs(10))
        .expect("a rebuild line");
    // Only the article is read again: the vanished temporary file costs nothing.
    assert!(line.contains("→ 1 file read"), "{line}");
    let page = server.text(&encode("/politics/2023/ai-동맹-출범/"));
    assert!(page.contains("sed로 고친 문장"));
    server.wait_for("indexed");
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn a_folder_moved_out_of_the_site_in_one_step_is_noticed() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    server.drain();
    // One rename event for the whole folder, as a file manager's "move to trash" makes.
    let trash = site
        .root
        .parent()
        .unwrap()
        .join(format!("trash-{}", std::process::id()));
    std::fs::rename(site.path("content/authors"), &trash).unwrap();
    server.wait_for("reload");
    assert_same_as_fresh_build(&site, &server);
    let _ = std::fs::remove_dir_all(&trash);
}

#[test]
fn changes_in_the_output_folder_do_not_trigger_rebuilds() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    server.drain();
    site.nuri(&["build"]).assert_ok();
    site.write("public/extra.html", "x");
    assert!(
        server
            .events
            .recv_timeout(Duration::from_millis(1500))
            .is_err(),
        "no rebuild for output changes"
    );
}

#[test]
fn build_watch_rebuilds_on_change() {
    let site = SiteTest::fixture("basic");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(["--root", site.root.to_str().unwrap(), "build", "--watch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let index = site.out("index.html");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !index.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    site.write(
        "content/politics/2023/워치.md",
        "+++\ntitle = \"감시 중 추가\"\ndate = 2023-12-07\n+++\n본문\n",
    );
    let mut found = false;
    while Instant::now() < deadline {
        if std::fs::read_to_string(&index).is_ok_and(|t| t.contains("감시 중 추가")) {
            found = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(found, "build --watch did not rebuild");
}

/// Sends a raw request line and returns the status line and headers.
fn raw_get(server: &Server, path: &str) -> String {
    use std::io::Write;
    let port: u16 = server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn regression_a_double_slash_is_not_an_open_redirect() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let response = raw_get(&server, "//politics");
    assert!(response.starts_with("HTTP/1.1 301"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("location: /politics/\r\n"),
        "{response}"
    );
}

#[cfg(unix)]
#[test]
fn regression_a_static_file_replaced_by_a_link_out_of_the_site_is_never_served() {
    let site = SiteTest::fixture("basic");
    site.write("static/note.txt", "공지");
    let server = Server::start(&site);
    assert_eq!(server.text("/note.txt"), "공지");
    let outside = site.root.parent().unwrap().join("passwd");
    std::fs::write(&outside, "root:x:0:0").unwrap();
    // Replace the file and ask at once, before the rebuild has caught up.
    std::fs::remove_file(site.path("static/note.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, site.path("static/note.txt")).unwrap();
    for _ in 0..20 {
        let (status, _, body) = server.get("/note.txt");
        assert!(
            !String::from_utf8_lossy(&body).contains("root:x"),
            "served {status}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn regression_a_template_that_loops_for_ever_is_stopped_and_serve_recovers() {
    let site = SiteTest::fixture("basic");
    site.write(
        "config.toml",
        &(std::fs::read_to_string(site.path("config.toml")).unwrap()
            + "\n[limits]\nrender_seconds = 1\n"),
    );
    let server = Server::start(&site);
    server.drain();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}{% endblock content %}",
    );
    server.wait_for("problem");
    assert!(server.text("/").contains("render_seconds"));
    server.drain();
    site.remove("templates/404.html");
    server.wait_for("reload");
    // Later edits are rebuilt as before.
    server.drain();
    let path = "content/politics/2023/AI-동맹-출범.md";
    let text = std::fs::read_to_string(site.path(path)).unwrap();
    site.write(
        path,
        &text.replace("개방형 모델을 지지하는", "고친 뒤의 문장을 지지하는"),
    );
    server.wait_for("reload");
    assert!(
        server
            .text(&encode("/politics/2023/ai-동맹-출범/"))
            .contains("고친 뒤의 문장")
    );
    assert_same_as_fresh_build(&site, &server);
}

#[test]
fn regression_half_open_connections_are_closed() {
    use std::io::Write;
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let port: u16 = server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut partial = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(partial, "GET / HTTP/1.1\r\nHost: local").unwrap();
    let started = Instant::now();
    for s in [&mut idle, &mut partial] {
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut buf = Vec::new();
        // The server closes the connection (perhaps after a 408): the read ends.
        let _ = s.read_to_end(&mut buf);
    }
    assert!(
        started.elapsed() < Duration::from_secs(55),
        "connections were held for {:?}",
        started.elapsed()
    );
    // The server still answers.
    assert_eq!(server.get("/").0, 200);
}

/// The `srcset` of the first `<source type="image/webp">` of `html`.
fn webp_srcset(html: &str) -> String {
    let at = html
        .find("type=\"image/webp\" srcset=\"")
        .expect("a <picture>")
        + 26;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[test]
fn a_new_photo_is_served_in_its_sizes_and_a_new_version_replaces_it() {
    let site = SiteTest::fixture("basic");
    let server = Server::start(&site);
    let photo = |shade: u8| {
        let img = image::RgbImage::from_fn(1000, 600, |x, y| {
            image::Rgb([shade, (x % 256) as u8, (y % 256) as u8])
        });
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    };
    std::fs::create_dir_all(site.path("content/world/2023/photo")).unwrap();
    std::fs::write(site.path("content/world/2023/photo/lead.jpg"), photo(10)).unwrap();
    server.drain();
    site.write(
        "content/world/2023/photo/index.md",
        "+++\ntitle = \"사진\"\ndate = 2023-12-05T14:30:00+09:00\nimage = \"lead.jpg\"\nimage_alt = \"시험 사진\"\n+++\n\n본문.\n",
    );
    server.wait_for("reload");
    let page = server.text("/world/2023/photo/");
    let first = webp_srcset(&page);
    let widths: Vec<&str> = first
        .split(", ")
        .map(|s| s.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(widths, ["480w", "800w", "1000w"]);
    for item in first.split(", ") {
        let url = item.split(' ').next().unwrap();
        let (status, ty, body) = server.get(url);
        assert_eq!((status, ty.as_str()), (200, "image/webp"), "{url}");
        assert!(body.starts_with(b"RIFF"));
    }
    // The photographer sends a better version under the same name: new files, new URLs.
    server.drain();
    std::fs::write(site.path("content/world/2023/photo/lead.jpg"), photo(200)).unwrap();
    server.wait_for("reload");
    let second = webp_srcset(&server.text("/world/2023/photo/"));
    assert_ne!(first, second);
    let url = second.split(' ').next().unwrap();
    assert_eq!(server.get(url).0, 200);
}

#[test]
fn both_editions_are_live() {
    let site = SiteTest::fixture("editions");
    let server = Server::start(&site);
    let en = server.text("/en/");
    assert!(en.contains("The alliance is launched") && !en.contains("동맹 출범 소식"));
    assert_eq!(
        server.get("/en/politics/2025/alliance-launch/").0,
        200,
        "an English article"
    );
    // A missing English page gets the English 404 page.
    let (status, _, body) = server.get("/en/no/such/page/");
    assert_eq!(status, 404);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<html lang=\"en\">")
    );
    let (_, _, body) = server.get("/no/such/page/");
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<html lang=\"ko\">")
    );
    // A new translation shows on the English front, linked from its original, and not on
    // the Korean front.
    server.drain();
    site.write(
        "content/politics/국회-표결.en.md",
        "+++\ntitle = \"Assembly passes the bill\"\nslug = \"assembly-vote\"\ndate = 2025-11-20T09:00:00+09:00\n+++\n\nThe assembly voted.\n",
    );
    server.wait_for("reload");
    assert!(server.text("/en/").contains("Assembly passes the bill"));
    assert!(!server.text("/").contains("Assembly passes the bill"));
    let original = server.text(&encode("/politics/2025/국회-표결/"));
    assert!(
        original.contains("hreflang=\"en\" href=\"http://127.0.0.1")
            && original.contains("/en/politics/2025/assembly-vote/\">"),
        "{original}"
    );
    assert_same_as_fresh_build(&site, &server);
}
