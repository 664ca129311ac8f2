//! Browser tests: the search page in headless Chromium, driven by playwright-core.
//!
//! They need Debian's `chromium` and `npm ci --prefix tests/browser`; `.ci/run` installs both
//! and runs them with `cargo test --test browser -- --ignored`.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use common::{SiteTest, node, repo};

/// A plain static server for the built site (Python's http.server, as a host would serve it).
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one of the scripts in `tests/browser/` and returns the JSON it prints.
fn run_script(script: &str, args: &[&str]) -> serde_json::Value {
    let path = repo().join("tests/browser").join(script);
    let mut all = vec![path.to_str().unwrap()];
    all.extend_from_slice(args);
    node(&all)
}

fn type_query(url: &str, query: &str) -> serde_json::Value {
    run_script("search.mjs", &[url, query])
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules; run by .ci/run"]
fn typing_a_query_shows_ranked_highlighted_results() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let server = Server::start(&site.root.join("public"));
    let r = type_query(&format!("http://127.0.0.1:{}/search/", server.port), "동맹");
    let titles: Vec<&str> = r["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "AI동맹 공식 출범",
            "연구소들, 동맹을 맺다",
            "한미동맹 70년, 다음 과제는",
            "협력 강화 논의"
        ]
    );
    assert!(
        r["marks"].as_array().unwrap().iter().all(|m| m == "동맹"),
        "{r}"
    );
    assert!(r["status"].as_str().unwrap().contains("4건"), "{r}");
    assert!(
        r["url"]
            .as_str()
            .unwrap()
            .ends_with("?q=%EB%8F%99%EB%A7%B9"),
        "{r}"
    );
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules; run by .ci/run"]
fn english_prefix_query_in_the_browser() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let server = Server::start(&site.root.join("public"));
    let r = type_query(&format!("http://127.0.0.1:{}/search/", server.port), "alli");
    assert_eq!(r["titles"][0], "The AI Alliance backs open models");
    assert_eq!(r["marks"][0], "Alli");
}

/// `nuri serve` on a site, on a free port: it sends the headers the `_headers` file gives a
/// host, the Content-Security-Policy included.
struct Serve {
    child: Child,
    url: String,
    _cache: tempfile::TempDir,
}

impl Serve {
    fn start(root: &std::path::Path) -> Serve {
        use std::io::BufRead;
        let cache = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuri"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0", "--cache-dir"])
            .arg(cache.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("server output").unwrap();
            if let Some(i) = line.find("http://") {
                break line[i..].split_whitespace().next().unwrap().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Serve {
            child,
            url,
            _cache: cache,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn load_page(url: &str) -> serde_json::Value {
    run_script("page.mjs", &[url])
}

/// A page that loaded clean under the site's Content-Security-Policy.
#[track_caller]
fn assert_clean(r: &serde_json::Value, what: &str) {
    assert!(
        r["csp"]
            .as_str()
            .unwrap_or("")
            .contains("script-src 'self'"),
        "{what}: served without the CSP: {r}"
    );
    for list in ["violations", "consoleErrors", "failed"] {
        assert!(
            r[list].as_array().unwrap().is_empty(),
            "{what}: {list}: {r}"
        );
    }
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules; run by .ci/run"]
fn pages_and_search_work_under_the_csp_without_layout_shift() {
    let site = SiteTest::fixture("search");
    let server = Serve::start(&site.root);
    let home = load_page(&server.url);
    assert_clean(&home, "front page");
    let search = load_page(&format!("{}search/?q=%EB%8F%99%EB%A7%B9", server.url));
    assert_clean(&search, "search page");
    assert_eq!(search["results"], 4, "{search}");
    assert!(
        search["status"].as_str().unwrap().contains("4건"),
        "{search}"
    );
    // Lighthouse counts a Cumulative Layout Shift above 0.1 as poor.
    let cls = search["cls"].as_f64().unwrap();
    assert!(cls <= 0.1, "search page layout shift {cls}: {search}");
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules; run by .ci/run"]
fn the_sample_portal_works_under_its_csp() {
    let server = Serve::start(&repo());
    for path in ["", "search/?q=%EB%8F%99%EB%A7%B9", "tags/", "archive/"] {
        let r = load_page(&format!("{}{path}", server.url));
        assert_clean(&r, path);
        let cls = r["cls"].as_f64().unwrap();
        assert!(cls <= 0.1, "/{path}: layout shift {cls}: {r}");
    }
}

#[test]
#[ignore = "needs chromium and tests/browser/node_modules; run by .ci/run"]
fn each_edition_searches_its_own_articles_in_the_browser() {
    let site = SiteTest::fixture("editions");
    site.build(&[]).assert_ok();
    let server = Server::start(&site.root.join("public"));
    let en = type_query(
        &format!("http://127.0.0.1:{}/en/search/", server.port),
        "alliance",
    );
    assert_eq!(
        en["titles"],
        serde_json::json!(["The alliance is launched", "Senate vote on the bill"]),
        "{en}"
    );
    // The status line is the English string with the query and the count filled in.
    let found = std::fs::read_to_string(repo().join("themes/nuri/i18n/en.toml")).unwrap();
    let table: toml::Table = toml::from_str(&found).unwrap();
    let want = table["search_found"]
        .as_str()
        .unwrap()
        .replace("{query}", "alliance")
        .replace("{count}", "2");
    assert!(en["status"].as_str().unwrap().starts_with(&want), "{en}");
    let ko = type_query(&format!("http://127.0.0.1:{}/search/", server.port), "동맹");
    assert_eq!(
        ko["titles"],
        serde_json::json!(["동맹 출범 소식", "국회 표결 결과"]),
        "{ko}"
    );
}
