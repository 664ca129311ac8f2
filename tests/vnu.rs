//! The Nu HTML Checker (vnu, the W3C's checker) on every page of the sample portal and of
//! fixture sites that use every template: the 404 and 410 pages, redirect stubs, date
//! archives down to the day, paginated lists, the search page and a preview build.
//!
//! It needs a Java runtime and `npm ci --prefix tests/browser` (the `vnu-jar` package);
//! `.ci/run` installs both and runs it with `cargo test --test vnu -- --ignored`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{SiteTest, repo};

const NOW: &str = "2026-01-01T00:00:00+09:00";

fn build_into(root: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "--root".to_string(),
        root.display().to_string(),
        "build".into(),
        "--now".into(),
        NOW.into(),
        "--output".into(),
        out.display().to_string(),
        "--cache-dir".into(),
        out.with_extension("cache").display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
#[ignore = "needs Java and tests/browser/node_modules (vnu-jar); run by .ci/run"]
fn every_page_passes_the_nu_html_checker() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    build_into(&repo(), &sample, &[]);

    let basic = SiteTest::fixture("basic");
    let config = std::fs::read_to_string(basic.path("config.toml")).unwrap();
    basic.write(
        "config.toml",
        &format!(
            "gone = [\"/politics/2022/withdrawn/\"]\n{config}\n[redirects]\n\"/old-home/\" = \"/tags/\"\n\n[archives]\ndays = true\n"
        ),
    );
    let fixture = tmp.path().join("basic");
    build_into(&basic.root, &fixture, &[]);
    let preview = tmp.path().join("preview");
    build_into(&basic.root, &preview, &["--preview"]);
    let search = SiteTest::fixture("search");
    let searched = tmp.path().join("search");
    build_into(&search.root, &searched, &[]);

    // Every template is in use somewhere.
    for page in [
        "sample/index.html",
        "sample/search/index.html",
        "basic/404.html",
        "basic/politics/2022/withdrawn/index.html",
        "basic/old-home/index.html",
        "basic/page/2/index.html",
        "basic/tags/index.html",
        "basic/archive/index.html",
        "preview/index.html",
        "search/search/index.html",
    ] {
        assert!(tmp.path().join(page).is_file(), "{page} was not built");
    }
    let days = common::list_files(&fixture)
        .into_iter()
        .filter(|f| {
            f.ends_with("/index.html")
                && f.matches('/').count() == 3
                && f.split('/')
                    .take(3)
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        })
        .count();
    assert!(days > 0, "no day archive in the fixture");

    let jar = repo().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let out = Command::new("java")
        .args(["-Xss2m", "-jar"])
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu", "--skip-non-html"])
        .args([&sample, &fixture, &preview, &searched])
        .output()
        .expect("java (a Java runtime) to run vnu");
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let pages = [&sample, &fixture, &preview, &searched]
        .iter()
        .map(|d| {
            common::list_files(d)
                .iter()
                .filter(|f| f.ends_with(".html"))
                .count()
        })
        .sum::<usize>();
    assert!(pages > 100, "{pages} pages");
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu HTML Checker found errors in {pages} pages:\n{report}"
    );
}
