//! Trust, second round (issue 17): each way we broke nuri as a hostile or careless user,
//! pinned by a test named after it. The live site must always be whole, nothing outside the
//! site may be read, published or deleted, and every error names its file, line and column.

mod common;

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::SiteTest;

const CONFIG: &str = "title = \"단단한 누리집\"\nbase_url = \"https://hard.example/\"\npermalink = \"/{section}/{slug}/\"\n";

fn site(extra: &str) -> SiteTest {
    let s = SiteTest::empty();
    s.write("config.toml", &format!("{CONFIG}{extra}"));
    s.write(
        "content/news/ok.md",
        "+++\ntitle = \"정상 기사\"\ndate = 2024-01-01T09:00:00+09:00\ntags = [\"동맹\"]\n+++\n본문.\n",
    );
    s
}

fn article(title: &str, front: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2024-01-02T09:00:00+09:00\n{front}+++\n{body}\n")
}

// ---- 1. an output folder that is a symbolic link ----

#[cfg(unix)]
#[test]
fn regression_a_linked_output_folder_is_followed_and_never_emptied() {
    let s = site("");
    s.build(&[]).assert_ok();
    let elsewhere = s.root.parent().unwrap().join("www");
    fs::rename(s.root.join("public"), &elsewhere).unwrap();
    fs::write(elsewhere.join("mine.txt"), "my own file").unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.root.join("public")).unwrap();
    let before = common::list_files(&elsewhere);

    let run = s.build(&[]);
    run.assert_fails_with("files nuri did not write (mine.txt)");
    assert_eq!(
        common::list_files(&elsewhere),
        before,
        "nothing was touched"
    );
    assert!(
        fs::symlink_metadata(s.root.join("public"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!s.root.join(".public.nuri-staging").exists());

    // With the stranger moved away, builds go into the linked folder, and the link stays.
    fs::remove_file(elsewhere.join("mine.txt")).unwrap();
    s.write("content/news/new.md", &article("새 기사", "", "본문"));
    s.build(&[]).assert_ok();
    s.build(&[]).assert_ok();
    assert!(
        fs::symlink_metadata(s.root.join("public"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(elsewhere.join("news/new/index.html").is_file());
    assert!(s.read("index.html").contains("새 기사"));
}

// ---- 2. two builds at once ----

#[test]
fn regression_two_builds_at_once_leave_a_whole_site() {
    let s = SiteTest::fixture("basic");
    for i in 0..30 {
        s.write(
            &format!("content/politics/2023/많은-기사-{i}.md"),
            &article(
                &format!("기사 {i}"),
                "tags = [\"동맹\"]\n",
                &"문단입니다. ".repeat(200),
            ),
        );
    }
    s.build(&[]).assert_ok();
    let want = s.snapshot();
    fs::remove_dir_all(s.root.join("public")).unwrap();
    s.build(&[]).assert_ok();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_nuri"))
            .args([
                "--root",
                s.root.to_str().unwrap(),
                "build",
                "--now",
                "2026-01-01T00:00:00+09:00",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..3 {
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
        assert_eq!(s.snapshot(), want, "the live site is whole");
    }
}

#[cfg(unix)]
#[test]
fn regression_a_second_build_waits_for_the_one_holding_the_output() {
    use std::io::Write;
    use std::os::unix::io::AsRawFd;
    let s = site("");
    s.build(&[]).assert_ok();
    // Hold the output's lock the way a running build does.
    let mut held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(s.root.join(".public.nuri-lock"))
        .unwrap();
    // SAFETY: a valid descriptor owned by `held`.
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    held.set_len(0).unwrap();
    write!(held, "4242").unwrap();
    s.write("content/news/new.md", &article("기다린 기사", "", "본문"));
    let child = Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(["--root", s.root.to_str().unwrap(), "build"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!s.read("index.html").contains("기다린 기사"), "it waited");
    drop(held);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("waiting for another nuri build (process 4242)"),
        "{err}"
    );
    assert!(s.read("index.html").contains("기다린 기사"));
}

// ---- 3, 4. links that lead out of the site ----

#[cfg(unix)]
#[test]
fn regression_a_linked_content_folder_outside_the_site_is_not_published() {
    let s = site("");
    let outside = s.root.parent().unwrap().join("secret-notes");
    fs::create_dir_all(outside.join("2024")).unwrap();
    fs::write(
        outside.join("2024/secret.md"),
        article("비밀 취재원", "", "만난 장소는 여기."),
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, s.path("content/policy")).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.stderr().contains(
            "content/policy: warning: skipped a symbolic link that points outside the site"
        ),
        "{}",
        run.stderr()
    );
    let all: String = s
        .snapshot()
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(!all.contains("비밀 취재원") && !all.contains("만난 장소"));
    assert!(s.files().iter().all(|f| !f.starts_with("policy/")));
}

#[cfg(unix)]
#[test]
fn regression_a_linked_static_folder_outside_the_site_is_not_copied() {
    let s = site("");
    let outside = s.root.parent().unwrap().join("outdir");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.txt"), "secret").unwrap();
    fs::create_dir_all(s.path("static")).unwrap();
    std::os::unix::fs::symlink(&outside, s.path("static/outdir")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", s.path("static/note.txt")).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.stderr()
            .contains("static/outdir: warning: skipped a symbolic link"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("static/note.txt: warning: skipped a symbolic link"),
        "{}",
        run.stderr()
    );
    assert!(!s.exists("outdir/secret.txt"));
    assert!(!s.exists("note.txt"));
}

// ---- 5. limits ----

#[test]
fn regression_thousands_of_tags_are_a_located_error_not_a_full_disk() {
    let s = site("");
    let tags: Vec<String> = (0..2000).map(|i| format!("\"태그{i}\"")).collect();
    s.write(
        "content/news/tags.md",
        &format!(
            "+++\ntitle = \"태그 폭탄\"\ndate = 2024-01-02\ntags = [\n{}\n]\n+++\n본문\n",
            tags.join(",\n")
        ),
    );
    let started = Instant::now();
    let run = s.build(&[]);
    assert!(started.elapsed() < Duration::from_secs(20));
    // The 51st entry is on line 55 of the file (the list starts on line 5).
    run.assert_fails_with(
        "content/news/tags.md:55:1: error: `tags` lists 2000 entries; the limit is 50",
    );
    assert!(!s.root.join("public").exists());
    // The limit is the site's to choose.
    let s = site("[limits]\nterms_per_article = 3\n");
    s.write(
        "content/news/four.md",
        &article("넷", "tags = [\"a\", \"b\", \"c\", \"d\"]\n", ""),
    );
    s.build(&[]).assert_fails_with("content/news/four.md:4:");
}

#[test]
fn regression_a_huge_first_paragraph_is_cut_in_summaries_and_feeds() {
    let s = site("");
    let paragraph = "아주 긴 문단입니다 ".repeat(100_000);
    s.write("content/news/long.md", &article("긴 문단", "", &paragraph));
    s.build(&[]).assert_ok();
    let feed = fs::metadata(s.out("feed.json")).unwrap().len();
    assert!(feed < 50_000, "feed.json is {feed} bytes");
    let json: serde_json::Value = serde_json::from_str(&s.read("feed.json")).unwrap();
    let summary = json["items"][0]["summary"].as_str().unwrap();
    assert!(
        summary.chars().count() <= 1001 && summary.ends_with('…'),
        "{summary}"
    );
    // A summary written in front matter beyond the limit is an error at its line.
    s.write(
        "content/news/written.md",
        &article(
            "쓴 요약",
            &format!("summary = \"{}\"\n", "가".repeat(1200)),
            "",
        ),
    );
    s.build(&[])
        .assert_fails_with("content/news/written.md:4:11: error: `summary` is 1200 characters");
}

#[test]
fn regression_over_long_slugs_and_tags_are_located_in_build_and_check() {
    let s = site("");
    s.write(
        "content/news/slug.md",
        &article("긴 주소", &format!("slug = \"{}\"\n", "가".repeat(100)), ""),
    );
    s.write(
        "content/news/tag.md",
        &article(
            "긴 태그",
            &format!("tags = [\"{}\"]\n", "a".repeat(300)),
            "",
        ),
    );
    let s2 = site("[limits]\nterm_chars = 400\n");
    s2.write(
        "content/news/tag.md",
        &article(
            "긴 태그",
            &format!("tags = [\"{}\"]\n", "a".repeat(300)),
            "",
        ),
    );
    let run = s.build(&[]);
    run.assert_fails_with("content/news/slug.md:4:8: error: `slug` is 300 bytes long");
    run.assert_fails_with(
        "content/news/tag.md:4:9: error: `tags` entry is 300 characters; the limit is 60",
    );
    let run = s2.build(&[]);
    run.assert_fails_with("content/news/tag.md:4:9: error: tags entry");
    assert!(run.stderr().contains("255 bytes"), "{}", run.stderr());
    assert!(!run.stderr().contains("File name too long"));
    let check = s.nuri(&["check"]);
    assert_eq!(check.output.status.code(), Some(1));
    assert!(
        check.stdout().contains("content/news/slug.md:4:8"),
        "{}",
        check.stdout()
    );
    assert!(!check.stdout().contains("no problems found"));
}

// ---- 7. (disk.rs) ---- 8. a template that never ends ----

#[test]
fn regression_a_template_that_loops_for_ever_fails_with_its_line() {
    let s = site("[limits]\nrender_seconds = 1\n");
    s.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n{% endblock content %}\n",
    );
    let started = Instant::now();
    let run = s.build(&[]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    run.assert_fails_with("templates/404.html:3:");
    assert!(run.stderr().contains("render_seconds"), "{}", run.stderr());
}

// ---- 9. content silently dropping out ----

#[test]
fn regression_a_missing_content_folder_is_an_error() {
    let s = site("");
    s.build(&[]).assert_ok();
    let before = s.snapshot();
    fs::remove_dir_all(s.path("content")).unwrap();
    s.build(&[])
        .assert_fails_with("content: error: the content folder is missing");
    assert_eq!(s.snapshot(), before, "the archive stays published");
}

#[cfg(unix)]
#[test]
fn regression_a_folder_that_cannot_be_read_is_an_error() {
    // A link loop is a folder no walk can finish; permissions are tested in disk.rs.
    let s = site("");
    s.build(&[]).assert_ok();
    let before = s.snapshot();
    std::os::unix::fs::symlink(s.path("content/news"), s.path("content/news/loop")).unwrap();
    let run = s.build(&[]);
    run.assert_fails_with("content/news/loop: error: cannot read");
    assert_eq!(s.snapshot(), before);
}

// ---- 11. case ----

#[test]
fn regression_paths_that_differ_only_in_case_collide() {
    let s = site("");
    s.write(
        "content/news/a.md",
        &article("가", "path = \"/Special/X/\"\n", ""),
    );
    s.write(
        "content/news/b.md",
        &article("나", "path = \"/special/x/\"\n", ""),
    );
    let run = s.build(&[]);
    run.assert_fails_with("differ only in upper and lower case");
    assert!(
        run.stderr().contains("content/news/b.md:4:8")
            || run.stderr().contains("content/news/a.md:4:8"),
        "{}",
        run.stderr()
    );
    let s = site("");
    s.write("static/Logo.png", "a");
    s.write("static/logo.png", "b");
    s.build(&[])
        .assert_fails_with("differ only in upper and lower case");
}

// ---- 12. a config.toml that is not a file ----

#[cfg(unix)]
#[test]
fn regression_a_config_that_is_a_fifo_is_refused_without_hanging() {
    let s = site("");
    fs::remove_file(s.path("config.toml")).unwrap();
    let c = std::ffi::CString::new(s.path("config.toml").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(["--root", s.root.to_str().unwrap(), "build"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("nuri hangs on a FIFO config.toml");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

// ---- 13. locations and hints ----

#[test]
fn regression_bad_tag_names_are_reported_at_their_line() {
    let s = site("");
    s.write(
        "content/news/x.md",
        &article("x", "tags = [\n  \"정상\",\n  \"???\",\n]\n", ""),
    );
    s.build(&[]).assert_fails_with(
        "content/news/x.md:6:3: error: tags entry `???` has no usable characters for a URL",
    );
}

#[test]
fn regression_config_errors_have_line_and_column() {
    let s = site("\n[sitemap]\nmax_urls = 0\n\n[archives]\npath = \"a/b\"\n");
    let run = s.build(&[]);
    run.assert_fails_with("config.toml:6:12: error: sitemap.max_urls must be between 1 and 50000");
    run.assert_fails_with("config.toml:9:8: error: archives.path `a/b` must be one folder name");
}

#[test]
fn regression_circular_includes_name_the_template_line() {
    let s = site("");
    s.write("templates/a.html", "<p>a</p>\n{% include \"b.html\" %}\n");
    s.write("templates/b.html", "<p>b</p>\n\n{% include \"a.html\" %}\n");
    s.build(&[]).assert_fails_with(
        "templates/a.html:2:4: error: circular `include`: a.html → b.html → a.html",
    );
}

#[test]
fn regression_impossible_dates_and_negative_ids_get_hints_that_fit() {
    let s = site("");
    s.write(
        "content/news/x.md",
        "+++\ntitle = \"x\"\ndate = 2023-02-30\n+++\n",
    );
    let run = s.build(&[]);
    run.assert_fails_with("content/news/x.md:3:8: error: invalid date");
    assert!(
        run.stderr().contains("calendar") && !run.stderr().contains("double quotes"),
        "{}",
        run.stderr()
    );
    s.write(
        "content/news/x.md",
        "+++\ntitle = \"x\"\ndate = 2023-02-28\nid = -1\n+++\n",
    );
    let run = s.build(&[]);
    run.assert_fails_with("content/news/x.md:4:6:");
    assert!(
        run.stderr().contains("whole number") && !run.stderr().contains("double quotes"),
        "{}",
        run.stderr()
    );
}

// ---- 15. nuri new ----

#[test]
fn regression_new_with_a_line_break_in_the_title_writes_valid_toml() {
    let s = site("");
    s.nuri(&[
        "new",
        "news/줄바꿈.md",
        "--title",
        "첫 줄\n둘째 줄 \"인용\" \\ 끝",
    ])
    .assert_ok();
    let text = fs::read_to_string(s.path("content/news/줄바꿈.md")).unwrap();
    let front = text.split("+++").nth(1).unwrap();
    let parsed: toml::Table = toml::from_str(front).unwrap();
    assert_eq!(
        parsed["title"].as_str().unwrap(),
        "첫 줄 둘째 줄 \"인용\" \\ 끝"
    );
    s.write(
        "content/news/줄바꿈.md",
        &text.replace("draft = true", "draft = false"),
    );
    s.nuri(&["build", "--now", "2099-01-01T00:00:00+09:00"])
        .assert_ok();
}

// ---- 6. kill -9 at any moment ----

#[cfg(unix)]
#[test]
fn regression_a_build_killed_at_any_moment_never_blocks_the_next_or_breaks_the_live_site() {
    let s = site("");
    for i in 0..150 {
        s.write(
            &format!("content/news/기사-{i}.md"),
            &article(
                &format!("기사 {i}"),
                "tags = [\"동맹\", \"정책\"]\n",
                &"문단입니다. ".repeat(300),
            ),
        );
    }
    s.build(&[]).assert_ok();
    let old = s.snapshot();
    s.write("content/news/new.md", &article("새로 쓴 기사", "", "본문"));
    let started = Instant::now();
    s.build(&[]).assert_ok();
    let took = started.elapsed().max(Duration::from_millis(50));
    let new = s.snapshot();
    for k in 0..12u32 {
        // Alternate between the two versions, so kills hit both directions of the swap.
        let want = if k % 2 == 0 {
            fs::remove_file(s.path("content/news/new.md")).unwrap();
            &old
        } else {
            s.write("content/news/new.md", &article("새로 쓴 기사", "", "본문"));
            &new
        };
        let child = Command::new(env!("CARGO_BIN_EXE_nuri"))
            .args([
                "--root",
                s.root.to_str().unwrap(),
                "build",
                "--now",
                "2026-01-01T00:00:00+09:00",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(took * k / 11);
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait_with_output();
        let live = s.snapshot();
        assert!(
            live == old || live == new,
            "kill {k}: the live site is whole"
        );
        s.build(&[]).assert_ok();
        assert!(
            &s.snapshot() == want,
            "kill {k}: the next build publishes the sources"
        );
    }
}
