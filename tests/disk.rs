//! Failures of the disk itself: a read-only output folder and a full disk end in an error,
//! with the previous site untouched. These need root (chattr, mount) and are run by
//! `.ci/run` with `cargo test --test disk -- --ignored`.

mod common;

use std::process::Command;

use common::SiteTest;

fn sh(cmd: &str, args: &[&str]) {
    let status = Command::new(cmd)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        status.success(),
        "{cmd} {args:?} failed (these tests need root)"
    );
}

/// Undoes a command when the test ends, even when it fails.
struct Undo(&'static str, Vec<String>);
impl Drop for Undo {
    fn drop(&mut self) {
        let _ = Command::new(self.0).args(&self.1).status();
    }
}

fn site() -> SiteTest {
    let s = SiteTest::empty();
    s.write(
        "config.toml",
        "title = \"디스크\"\nbase_url = \"https://disk.example/\"\n",
    );
    s.write(
        "content/news/a.md",
        "+++\ntitle = \"첫 기사\"\ndate = 2024-01-01\n+++\n본문\n",
    );
    s
}

#[test]
#[ignore = "needs root (chattr); run by .ci/run"]
fn a_read_only_output_folder_is_an_error_and_stays_as_it_was() {
    let s = site();
    s.build(&[]).assert_ok();
    let before = s.snapshot();
    s.write(
        "content/news/b.md",
        "+++\ntitle = \"둘째 기사\"\ndate = 2024-01-02\n+++\n본문\n",
    );
    let public = s.root.join("public");
    sh("chattr", &["+i", public.to_str().unwrap()]);
    let _undo = Undo(
        "chattr",
        vec!["-i".into(), public.to_string_lossy().into_owned()],
    );
    let run = s.build(&[]);
    run.assert_fails_with("public");
    assert!(!run.stderr().contains("panicked"));
    assert_eq!(s.snapshot(), before);
    assert!(!s.root.join(".public.nuri-staging").exists());
    assert!(!s.root.join(".public.nuri-old").exists());
}

#[test]
#[ignore = "needs root (mount); run by .ci/run"]
fn a_full_disk_is_an_error_and_the_previous_site_stays() {
    let s = site();
    let disk = s.root.parent().unwrap().join("small-disk");
    std::fs::create_dir_all(&disk).unwrap();
    sh(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            "size=1m",
            "tmpfs",
            disk.to_str().unwrap(),
        ],
    );
    let _undo = Undo("umount", vec![disk.to_string_lossy().into_owned()]);
    let out = disk.join("public");
    let out_arg = out.to_str().unwrap();
    s.build(&["--output", out_arg]).assert_ok();
    let before = common::list_files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect::<Vec<_>>();
    let text = "가나다라마바사 ".repeat(2000);
    for i in 0..40 {
        s.write(
            &format!("content/news/big{i}.md"),
            &format!("+++\ntitle = \"큰 기사 {i}\"\ndate = 2024-01-03\n+++\n{text}\n"),
        );
    }
    let run = s.build(&["--output", out_arg]);
    run.assert_fails_with("No space left on device");
    let after = common::list_files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect::<Vec<_>>();
    assert_eq!(after, before, "the previous site must be untouched");
    assert!(
        !disk.join(".public.nuri-staging").exists(),
        "the half-written staging folder is removed"
    );
}
