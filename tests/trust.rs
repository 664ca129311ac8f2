//! Trust (issue 7): `nuri check`, paths that could escape, HTML sanitising, and inputs that
//! must end in a page or a clear error, never a panic.

mod common;

use std::time::Duration;

use common::SiteTest;

const CONFIG: &str = "title = \"신뢰 시험\"\nbase_url = \"https://trust.example/\"\npermalink = \"/{section}/{slug}/\"\n";

fn site(extra: &str) -> SiteTest {
    let s = SiteTest::empty();
    s.write("config.toml", &format!("{CONFIG}{extra}"));
    s.write("content/news/ok.md", "+++\ntitle = \"정상 기사\"\ndate = 2024-01-01T09:00:00+09:00\nauthors = [\"김하늘\"]\n+++\n본문.\n");
    s
}

fn no_panic(run: &common::Run) {
    let err = run.stderr();
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "nuri panicked:\n{err}"
    );
    assert!(
        run.output.status.code().is_some(),
        "killed by a signal: {:?}",
        run.output.status
    );
}

// ---- nuri check ----

#[test]
fn check_passes_a_clean_site_and_writes_nothing() {
    let s = SiteTest::fixture("basic");
    // The fixture's lead photos are 160 and 120 pixels wide, which `check` warns about: a
    // clean site has them large enough for share previews.
    let wide = image::RgbImage::from_pixel(1200, 675, image::Rgb([40, 90, 200]));
    for photo in [
        "content/politics/2023/동맹-출범-현장/photo.png",
        "static/images/chart.png",
    ] {
        wide.save(s.path(photo)).unwrap();
    }
    let run = s.nuri(&["check"]);
    run.assert_ok();
    assert!(
        run.stdout().contains("no problems found"),
        "{}",
        run.stdout()
    );
    assert!(!s.root.join("public").exists());
    assert!(std::fs::read_dir(&s.root).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains("nuri-staging")
    }));
}

#[test]
fn check_finds_broken_links_and_images_in_the_output() {
    let s = site("");
    s.write("content/news/links.md", "+++\ntitle = \"링크\"\ndate = 2024-01-02\n+++\n\n첫 줄.\n\n![사진](/images/없는-사진.jpg)\n\n[없는 곳](/nowhere/) 과 [바깥](https://example.com/) 과 [정상](/news/ok/)\n");
    let run = s.nuri(&["check"]);
    run.assert_fails_with("");
    let out = run.stdout();
    assert!(out.contains("content/news/links.md:8:1: error: broken link: `/images/%EC%97%86%EB%8A%94-%EC%82%AC%EC%A7%84.jpg` points to nothing") || out.contains("content/news/links.md:8:"), "{out}");
    assert!(out.contains("`/nowhere/` points to nothing"), "{out}");
    assert!(
        !out.contains("example.com"),
        "external links are not checked: {out}"
    );
    assert!(!out.contains("/news/ok/"), "{out}");
    assert!(out.contains("2 errors"), "{out}");
}

#[test]
fn check_reports_json_for_ci() {
    let s = site("");
    s.write(
        "content/news/bad.md",
        "+++\ntitle = \"\"\ndate = 2024-01-02\n+++\n",
    );
    let run = s.nuri(&["check", "--format", "json"]);
    assert_eq!(run.output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["file"], "content/news/bad.md");
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], 9);
    assert_eq!(d["severity"], "error");
}

#[test]
fn check_reports_missing_lead_images_and_unknown_authors() {
    let s = site("");
    s.write("content/authors/박지훈.md", "+++\ntitle = \"기자\"\n+++\n");
    s.write(
        "content/news/photo.md",
        "+++\ntitle = \"사진\"\ndate = 2024-01-02\nimage = \"/images/lead.jpg\"\n+++\n",
    );
    let run = s.nuri(&["check"]);
    let out = run.stdout();
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        out.contains("content/news/photo.md:4:1: error: lead image `/images/lead.jpg` not found"),
        "{out}"
    );
    assert!(
        out.contains("content/news/ok.md:1:1: warning: author `김하늘` has no profile"),
        "{out}"
    );
}

// ---- paths ----

#[test]
fn escaping_slugs_paths_sections_and_images_are_rejected() {
    for (field, value, needle) in [
        ("slug", "../../etc", "`slug` `../../etc` contains `..`"),
        ("slug", "a/b", "`slug` `a/b` contains a path separator"),
        (
            "path",
            "/news/../../x/",
            "`path` segment `..` contains `..`",
        ),
        ("path", "/a\\\\b/", "`path` `/a\\b/` contains a backslash"),
        ("section", "..", "`section` `..` contains `..`"),
        (
            "image",
            "../../secret.png",
            "`image` `../../secret.png` may not contain `..`",
        ),
    ] {
        let s = site("");
        s.write(
            "content/news/x.md",
            &format!("+++\ntitle = \"x\"\ndate = 2024-01-02\n{field} = \"{value}\"\n+++\n"),
        );
        let run = s.build(&[]);
        no_panic(&run);
        run.assert_fails_with("content/news/x.md:4:");
        assert!(run.stderr().contains(needle), "{field}: {}", run.stderr());
    }
}

#[test]
fn control_characters_in_slugs_are_rejected() {
    let s = site("");
    s.write(
        "content/news/x.md",
        "+++\ntitle = \"x\"\ndate = 2024-01-02\nslug = \"a\\u0007b\"\n+++\n",
    );
    s.build(&[])
        .assert_fails_with("contains a control character");
}

#[test]
fn terms_cannot_escape_the_output_folder() {
    let s = site("");
    s.write("content/news/x.md", "+++\ntitle = \"x\"\ndate = 2024-01-02\ntags = [\"../../../../tmp/nuri-escape\", \"..\\\\..\\\\win\"]\n+++\n");
    let outside = std::path::Path::new("/tmp/nuri-escape");
    let _ = std::fs::remove_dir_all(outside);
    let run = s.build(&[]);
    no_panic(&run);
    run.assert_ok();
    assert!(!outside.exists());
    assert!(s.files().iter().all(|f| !f.contains("..")));
    assert!(
        s.exists("tags/tmpnuri-escape/index.html"),
        "{:?}",
        s.files()
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_skipped_with_a_warning() {
    let s = site("");
    let outside = s.root.parent().unwrap().join("outside.md");
    std::fs::write(
        &outside,
        "+++\ntitle = \"밖\"\ndate = 2024-01-02\n+++\n비밀\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, s.path("content/news/link.md")).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.stderr().contains(
            "content/news/link.md: warning: skipped a symbolic link that points outside the site"
        ),
        "{}",
        run.stderr()
    );
    assert!(!s.exists("news/link/index.html"));
}

// ---- escaping and sanitising ----

#[test]
fn raw_html_is_kept_by_default_and_sanitised_on_request() {
    let body = "<div class=\"box\">상자</div>\n\n<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[링크](javascript:alert(3))\n\n## 제목\n";
    let trusted = site("");
    trusted.write(
        "content/news/html.md",
        &format!("+++\ntitle = \"html\"\ndate = 2024-01-02\n+++\n{body}"),
    );
    trusted.build(&[]).assert_ok();
    let page = trusted.read("news/html/index.html");
    assert!(page.contains("<script>alert(1)</script>"));
    let safe = site("unsafe_html = false\n");
    safe.write(
        "content/news/html.md",
        &format!("+++\ntitle = \"html\"\ndate = 2024-01-02\n+++\n{body}"),
    );
    safe.build(&[]).assert_ok();
    let page = safe.read("news/html/index.html");
    let body = &page[page.find("article__body").unwrap()..page.find("article__foot").unwrap()];
    assert!(!body.contains("<script"), "{body}");
    assert!(!body.contains("onerror"), "{body}");
    assert!(!body.contains("javascript:"), "{body}");
    assert!(body.contains("<div class=\"box\">상자</div>"), "{body}");
    assert!(body.contains("<h2 id=\"제목\">"), "{body}");
}

// ---- robustness ----

#[test]
fn a_ten_megabyte_article_renders() {
    let s = site("");
    let para = "가나다라마바사 아자차카타파하. ".repeat(200);
    let mut body = String::with_capacity(11 << 20);
    while body.len() < 10 << 20 {
        body.push_str(&para);
        body.push_str("\n\n");
    }
    s.write(
        "content/news/huge.md",
        &format!("+++\ntitle = \"큰 기사\"\ndate = 2024-01-02\n+++\n{body}"),
    );
    let run = s.build(&[]);
    no_panic(&run);
    run.assert_ok();
    assert!(
        std::fs::metadata(s.out("news/huge/index.html"))
            .unwrap()
            .len()
            > 10 << 20
    );
}

#[test]
fn ten_thousand_tags_on_one_article_when_the_site_allows_them() {
    let s = site("[feeds]\ntaxonomies = []\n[limits]\nterms_per_article = 10000\n");
    let tags: Vec<String> = (0..10_000).map(|i| format!("\"태그{i}\"")).collect();
    s.write(
        "content/news/tags.md",
        &format!(
            "+++\ntitle = \"태그 많음\"\ndate = 2024-01-02\ntags = [{}]\n+++\n본문\n",
            tags.join(",")
        ),
    );
    let run = s.build(&[]);
    no_panic(&run);
    run.assert_ok();
    assert!(s.exists("tags/태그9999/index.html"));
}

#[test]
fn five_thousand_levels_of_nesting() {
    let s = site("");
    let quotes = format!("{} 깊은 인용\n", ">".repeat(5000));
    let lists: String = (0..5000)
        .map(|i| format!("{}- 항목\n", "  ".repeat(i)))
        .collect();
    s.write(
        "content/news/quotes.md",
        &format!("+++\ntitle = \"인용\"\ndate = 2024-01-02\n+++\n{quotes}"),
    );
    s.write(
        "content/news/lists.md",
        &format!("+++\ntitle = \"목록\"\ndate = 2024-01-03\n+++\n{lists}"),
    );
    let run = s.build(&[]);
    no_panic(&run);
    run.assert_ok();
    assert!(s.read("news/quotes/index.html").contains("깊은 인용"));
}

#[test]
fn deeply_nested_front_matter_is_a_clear_error() {
    let s = site("");
    let nested = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    s.write(
        "content/news/deep.md",
        &format!("+++\ntitle = \"깊은\"\ndate = 2024-01-02\n[extra]\nx = {nested}\n+++\n"),
    );
    let run = s.build(&[]);
    no_panic(&run);
    run.assert_fails_with("content/news/deep.md:5:");
}

#[test]
fn invalid_utf8_is_an_error_with_the_line() {
    let s = site("");
    let mut bytes =
        b"+++\ntitle = \"x\"\ndate = 2024-01-02\n+++\n\xEB\x8F\x99\xEB\xA7\xB9\n\xFF\xFE bad\n"
            .to_vec();
    bytes.extend_from_slice("끝".as_bytes());
    std::fs::write(s.path("content/news/bad.md"), bytes).unwrap();
    s.build(&[])
        .assert_fails_with("content/news/bad.md:6:1: error: the file is not valid UTF-8");
}

#[test]
fn bom_and_crlf_line_endings_are_accepted() {
    let s = site("");
    s.write("content/news/win.md", "\u{FEFF}+++\r\ntitle = \"윈도\"\r\ndate = 2024-01-02\r\n+++\r\n\r\n윈도 줄바꿈.\r\n\r\n## 제목\r\n");
    s.build(&[]).assert_ok();
    let page = s.read("news/win/index.html");
    assert!(page.contains("<h2 id=\"제목\">제목</h2>"), "{page}");
}

#[test]
fn an_empty_file_is_a_clear_error() {
    let s = site("");
    s.write("content/news/empty.md", "");
    s.build(&[])
        .assert_fails_with("content/news/empty.md:1:1: error: the file is empty");
}

#[test]
fn command_line_mistakes_are_errors_not_panics() {
    let s = site("");
    for args in [
        vec!["build", "--now", "yesterday"],
        vec!["build", "--base-url", "ftp://x"],
        vec!["build", "--root", "/nonexistent/site"],
        vec!["new", "../outside.md"],
        vec!["frobnicate"],
    ] {
        let run = s.nuri(&args);
        no_panic(&run);
        assert!(!run.ok(), "{args:?} should fail");
        assert!(!run.stderr().is_empty(), "{args:?} should explain");
    }
}

// ---- no data loss ----

#[cfg(unix)]
#[test]
fn a_build_killed_mid_way_leaves_the_previous_site() {
    let s = site("");
    s.build(&[]).assert_ok();
    let before = s.snapshot();
    // Enough work that the build is still writing when it is killed.
    let text = "가나다 라마바 사아자. ".repeat(400);
    for i in 0..3000 {
        s.write(
            &format!("content/bulk/{i}.md"),
            &format!(
                "+++\ntitle = \"대량 {i}\"\ndate = 2024-01-02\ntags = [\"t{}\"]\n+++\n{text}\n",
                i % 50
            ),
        );
    }
    let staging = s.root.join(".public.nuri-staging");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(["--root", s.root.to_str().unwrap(), "build"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut waited = 0;
    while !staging.join("news").exists() && waited < 60_000 {
        std::thread::sleep(Duration::from_millis(5));
        waited += 5;
    }
    assert!(staging.exists(), "the build never started writing");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(s.snapshot(), before, "the previous site must be untouched");
    // The next build cleans up and publishes.
    s.build(&[]).assert_ok();
    assert!(!staging.exists());
    assert!(s.exists("bulk/2999/index.html"));
}

#[test]
#[cfg(unix)]
fn a_rebuild_links_unchanged_pages_and_never_reuses_a_touched_one() {
    use std::os::unix::fs::MetadataExt;
    let s = SiteTest::fixture("basic");
    s.build(&[]).assert_ok();
    let first = s.snapshot();
    let ino = |rel: &str| std::fs::metadata(s.out(rel)).unwrap().ino();
    let (not_found, article) = ("404.html", "politics/2023/ai-동맹-출범/index.html");
    let (ino_404, ino_article) = (ino(not_found), ino(article));

    // Nothing changed: the live site is left as it is.
    let run = s.build(&[]);
    run.assert_ok();
    assert!(run.stdout().contains("nothing changed"), "{}", run.stdout());
    assert_eq!(s.snapshot(), first);
    assert_eq!(ino(not_found), ino_404);

    // An edit: its page is written anew, untouched pages stay linked.
    let path = s.path("content/politics/2023/AI-동맹-출범.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("개방형 모델을 지지하는", "다시 쓴 문장을 지지하는"),
    )
    .unwrap();
    s.build(&[]).assert_ok();
    assert!(s.read(article).contains("다시 쓴 문장"));
    assert_ne!(ino(article), ino_article);
    assert_eq!(ino(not_found), ino_404);
    let edited = s.snapshot();

    // A page changed by hand after the build (same length) is rewritten, not reused.
    std::thread::sleep(Duration::from_millis(50));
    let original = s.read(not_found);
    std::fs::write(s.out(not_found), "x".repeat(original.len())).unwrap();
    s.build(&[]).assert_ok();
    assert_eq!(s.read(not_found), original);
    assert_eq!(s.snapshot(), edited);

    // Even with its modification time put back (cp -p, rsync -t, tar).
    let mtime = std::fs::metadata(s.out(not_found))
        .unwrap()
        .modified()
        .unwrap();
    std::fs::write(s.out(not_found), "y".repeat(original.len())).unwrap();
    std::fs::File::options()
        .write(true)
        .open(s.out(not_found))
        .unwrap()
        .set_modified(mtime - Duration::from_secs(3600))
        .unwrap();
    s.build(&[]).assert_ok();
    assert_eq!(s.read(not_found), original);

    // A page replaced by another file of the same length is rewritten too.
    let tmp = s.root.join("replacement.html");
    std::fs::write(&tmp, "z".repeat(original.len())).unwrap();
    std::fs::rename(&tmp, s.out(not_found)).unwrap();
    s.build(&[]).assert_ok();
    assert_eq!(s.read(not_found), original);

    // A damaged manifest only costs the shortcut.
    std::fs::write(s.out(".nuri-manifest"), "not a manifest\n").unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        !run.stdout().contains("nothing changed"),
        "{}",
        run.stdout()
    );
    assert_eq!(s.snapshot(), edited);

    // And the result equals a build into an empty folder.
    let fresh = s.root.join("fresh");
    s.build(&["--output", fresh.to_str().unwrap()]).assert_ok();
    for (rel, bytes) in &edited {
        assert_eq!(&std::fs::read(fresh.join(rel)).unwrap(), bytes, "{rel}");
    }
}
