//! The build cache (issue 12): a rebuild does only the work of what changed, also where the
//! previous output is gone (CI), and a cache that is missing, damaged, foreign or half
//! written can make a build slower, never different from a cold one.

mod common;

use std::fs;
use std::path::Path;

use common::SiteTest;

/// The basic fixture and 60 more articles over three sections and six tags, so that an
/// edit is local the way it is on a real site.
fn site() -> SiteTest {
    let s = SiteTest::fixture("basic");
    let sections = ["politics", "economy", "world"];
    let tags = ["동맹", "정책", "반도체", "AI", "오픈소스", "외교"];
    for i in 0..60 {
        s.write(
            &format!("content/{}/2023/기사-{i}.md", sections[i % 3]),
            &format!(
                "+++\ntitle = \"기사 {i}\"\ndate = 2023-{:02}-{:02}T09:00:00+09:00\ntags = [\"{}\"]\n+++\n첫 문단 {i}.\n\n## 배경\n\n둘째 문단.\n",
                i % 12 + 1,
                i % 28 + 1,
                tags[i % 6]
            ),
        );
    }
    s
}

/// `rendered` of the report line: "(… N rendered, M from the cache)".
fn rendered(stdout: &str) -> usize {
    let at = stdout.find(" rendered").expect(stdout);
    stdout[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The site built from scratch, elsewhere, with no cache: what every build must equal.
fn cold(s: &SiteTest) -> Vec<(String, Vec<u8>)> {
    let dir = s.root.parent().unwrap().join("cold-check");
    let _ = fs::remove_dir_all(&dir);
    s.build(&[
        "--output",
        dir.join("out").to_str().unwrap(),
        "--cache-dir",
        dir.join("cache").to_str().unwrap(),
    ])
    .assert_ok();
    let out = dir.join("out");
    let files = common::list_files(&out)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(out.join(&f)).unwrap();
            (f, bytes)
        })
        .collect();
    fs::remove_dir_all(&dir).unwrap();
    files
}

#[test]
fn a_rebuild_renders_only_what_changed_and_equals_a_cold_build() {
    let s = site();
    let first = s.build(&[]);
    first.assert_ok();
    let all = rendered(&first.stdout());
    assert!(all > 100, "{}", first.stdout());

    // Nothing changed.
    let run = s.build(&[]);
    assert!(run.stdout().contains("nothing changed"), "{}", run.stdout());

    // One article edited: its page, the lists and feeds that show it, not the rest.
    let path = "content/politics/2023/기사-3.md";
    let text = fs::read_to_string(s.path(path)).unwrap();
    s.write(path, &text.replace("둘째 문단.", "고쳐 쓴 둘째 문단."));
    let run = s.build(&[]);
    run.assert_ok();
    let some = rendered(&run.stdout());
    assert!(
        some > 0 && some * 5 < all,
        "{some} of {all}: {}",
        run.stdout()
    );
    assert!(
        s.read("politics/2023/기사-3/index.html")
            .contains("고쳐 쓴 둘째 문단")
    );
    assert_eq!(s.snapshot(), cold(&s));
}

#[test]
fn a_ci_rebuild_without_the_previous_output_comes_from_the_cache() {
    let s = site();
    s.build(&[]).assert_ok();
    let before = s.snapshot();
    // CI: a fresh checkout has the cache (restored) but no output folder.
    fs::remove_dir_all(s.root.join("public")).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    assert_eq!(rendered(&run.stdout()), 0, "{}", run.stdout());
    assert_eq!(s.snapshot(), before);
    // A new article in CI renders what shows it, and nothing else.
    fs::remove_dir_all(s.root.join("public")).unwrap();
    s.write(
        "content/economy/2024/새-기사.md",
        "+++\ntitle = \"새 기사\"\ndate = 2024-03-01T09:00:00+09:00\n+++\n본문.\n",
    );
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        rendered(&run.stdout()) < before.len() / 3,
        "{}",
        run.stdout()
    );
    assert_eq!(s.snapshot(), cold(&s));
}

#[test]
fn a_build_that_changes_nothing_still_refuses_files_put_in_the_live_folder() {
    let s = site();
    s.build(&[]).assert_ok();
    let run = s.build(&[]);
    run.assert_ok();
    assert!(run.stdout().contains("nothing changed"), "{}", run.stdout());
    // A file dropped deep in the live site, by hand or by another tool.
    let dropped = s.root.join("public/politics/2023/stray.html");
    fs::write(&dropped, "not nuri's").unwrap();
    s.build(&[])
        .assert_fails_with("files nuri did not write (politics/2023/stray.html)");
    assert_eq!(fs::read_to_string(&dropped).unwrap(), "not nuri's");
    fs::remove_file(&dropped).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    // The folder's time changed when the file came and went: the build walked it, found
    // nuri's files only, and published nothing new.
    assert!(run.stdout().contains("nothing changed"), "{}", run.stdout());
    assert_eq!(s.snapshot(), cold(&s));
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_with_a_notice() {
    let s = site();
    s.build(&[]).assert_ok();
    let state = s.root.join(".nuri-cache/state");
    let good = fs::read(&state).unwrap();
    type Damage = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let damage: [(&str, Damage); 5] = [
        ("truncated", Box::new(|b: &[u8]| b[..b.len() / 2].to_vec())),
        (
            "damaged",
            Box::new(|b: &[u8]| {
                let mut b = b.to_vec();
                let n = b.len() - 10;
                b[n] ^= 0xff;
                b
            }),
        ),
        (
            "not one nuri wrote",
            Box::new(|_: &[u8]| b"hello, this is not a cache at all".to_vec()),
        ),
        (
            "for another version of nuri or another config",
            Box::new(|b: &[u8]| {
                let mut b = b.to_vec();
                b[12] ^= 1;
                b
            }),
        ),
        (
            "from another version of nuri",
            Box::new(|b: &[u8]| {
                let mut b = b.to_vec();
                b[8] = 99;
                b
            }),
        ),
    ];
    for (why, damage) in damage {
        fs::write(&state, damage(&good)).unwrap();
        // Something to do, so the output is written again.
        s.write(
            "content/politics/2023/기사-0.md",
            &format!(
                "+++\ntitle = \"기사 0 {why}\"\ndate = 2023-11-01T09:00:00+09:00\n+++\n본문.\n"
            ),
        );
        let run = s.build(&[]);
        run.assert_ok();
        assert!(
            run.stderr()
                .contains(&format!("notice: the build cache is {why}")),
            "{why}: {}",
            run.stderr()
        );
        assert_eq!(
            run.stderr()
                .lines()
                .filter(|l| l.contains("notice"))
                .count(),
            1
        );
        assert_eq!(s.snapshot(), cold(&s), "{why}");
    }
    // The build after wrote a sound cache again.
    let run = s.build(&[]);
    assert!(!run.stderr().contains("notice"), "{}", run.stderr());
}

#[test]
fn damaged_or_missing_objects_are_rendered_again() {
    let s = site();
    s.build(&[]).assert_ok();
    let objects = s.root.join(".nuri-cache/objects");
    // Overwrite every object's bytes in place (same length) and delete some outright.
    let mut n = 0;
    for entry in walkdir::WalkDir::new(&objects).into_iter().flatten() {
        if entry.file_type().is_file() {
            n += 1;
            if n % 3 == 0 {
                fs::remove_file(entry.path()).unwrap();
            } else {
                let len = fs::metadata(entry.path()).unwrap().len() as usize;
                fs::write(entry.path(), vec![b'#'; len]).unwrap();
            }
        }
    }
    assert!(n > 100);
    fs::remove_dir_all(s.root.join("public")).unwrap();
    let run = s.build(&[]);
    run.assert_ok();
    let all = s.snapshot();
    assert!(
        all.iter().all(|(_, b)| !b.starts_with(b"####")),
        "a damaged object was published"
    );
    assert_eq!(all, cold(&s));
}

#[cfg(unix)]
#[test]
fn a_build_killed_with_a_cache_present_leaves_the_next_one_exact() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let s = site();
    for i in 0..150 {
        s.write(
            &format!("content/world/2024/더-많은-기사-{i}.md"),
            &format!(
                "+++\ntitle = \"더 많은 기사 {i}\"\ndate = 2024-01-{:02}T09:00:00+09:00\ntags = [\"동맹\", \"정책\"]\n+++\n{}\n",
                i % 28 + 1,
                "문단입니다. ".repeat(300)
            ),
        );
    }
    let started = Instant::now();
    s.build(&[]).assert_ok();
    let took = started.elapsed().max(Duration::from_millis(50));
    for k in 0..8u32 {
        // Change something each time, so the killed build has work to do.
        s.write(
            "content/world/2024/바뀌는-기사.md",
            &format!("+++\ntitle = \"바뀌는 기사 {k}\"\ndate = 2024-02-01T09:00:00+09:00\n+++\n본문 {k}.\n"),
        );
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
        std::thread::sleep(took * k / 7);
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait_with_output();
        s.build(&[]).assert_ok();
        assert_eq!(s.snapshot(), cold(&s), "kill {k}");
    }
}

#[test]
fn changes_lists_the_urls_added_changed_and_removed() {
    let s = site();
    let changes = s.root.parent().unwrap().join("changes.json");
    let c = changes.to_str().unwrap();
    s.build(&[]).assert_ok();
    s.write(
        "content/economy/2024/새-기사.md",
        "+++\ntitle = \"새 기사\"\ndate = 2023-12-31T09:00:00+09:00\n+++\n본문.\n",
    );
    let edited = "content/economy/2023/기사-4.md";
    let text = fs::read_to_string(s.path(edited)).unwrap();
    s.write(edited, &text.replace("둘째 문단.", "바뀐 둘째 문단."));
    s.remove("content/economy/2023/기사-7.md");
    s.build(&["--changes", c]).assert_ok();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&changes).unwrap()).unwrap();
    let list = |k: &str| -> Vec<String> {
        json[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let base = "https://test.example/news/";
    assert!(
        list("added").contains(&format!("{base}economy/2023/%EC%83%88-%EA%B8%B0%EC%82%AC/")),
        "{json}"
    );
    assert!(
        list("changed").contains(&format!("{base}economy/2023/%EA%B8%B0%EC%82%AC-4/")),
        "{json}"
    );
    assert!(
        list("changed").contains(&base.to_string()),
        "the front page: {json}"
    );
    assert!(
        list("removed").contains(&format!("{base}economy/2023/%EA%B8%B0%EC%82%AC-7/")),
        "{json}"
    );
    // Judged by bytes: an unchanged page is in no list.
    let all: Vec<String> = ["added", "changed", "removed"]
        .iter()
        .flat_map(|k| list(k))
        .collect();
    assert!(!all.contains(&format!("{base}404.html")), "{json}");
    assert!(
        !all.contains(&format!("{base}world/2023/open-models/")),
        "{json}"
    );
    // Nothing changed: three empty lists.
    s.build(&["--changes", c]).assert_ok();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&changes).unwrap()).unwrap();
    for k in ["added", "changed", "removed"] {
        assert_eq!(json[k].as_array().unwrap().len(), 0, "{k}: {json}");
    }
}

#[test]
fn the_cache_folder_is_chosen_and_kept_out_of_git_and_the_output() {
    let s = site();
    let elsewhere = s.root.parent().unwrap().join("my-cache");
    s.build(&["--cache-dir", elsewhere.to_str().unwrap()])
        .assert_ok();
    assert!(elsewhere.join("state").is_file());
    assert!(!s.root.join(".nuri-cache").exists());
    assert!(!s.files().iter().any(|f| f.contains("nuri-cache")));
    // A cache inside the output folder would be deleted with the old site: refused.
    let inside = s.root.join("public/cache");
    let run = s.build(&["--cache-dir", inside.to_str().unwrap()]);
    run.assert_fails_with("refusing to write the site");
    // New sites ignore it in git.
    let t = SiteTest::empty();
    let dir = t.root.join("new-site");
    t.nuri(&["init", dir.to_str().unwrap()]).assert_ok();
    let ignore = fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/.nuri-cache/"), "{ignore}");
    assert!(Path::new(&dir).join("config.toml").is_file());
}
