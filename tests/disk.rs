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

#[test]
#[ignore = "needs root (chattr); run by .ci/run"]
fn regression_a_previous_site_that_cannot_be_removed_is_published_with_a_warning() {
    let s = site();
    s.build(&[]).assert_ok();
    s.write(
        "content/news/b.md",
        "+++\ntitle = \"둘째 기사\"\ndate = 2024-01-02\n+++\n본문\n",
    );
    // A folder inside the live site that cannot be emptied: the swap works, the removal
    // of the previous site does not.
    let stuck = s.root.join("public/news");
    sh("chattr", &["+i", stuck.to_str().unwrap()]);
    let undo = Undo(
        "chattr",
        vec!["-i".into(), stuck.to_string_lossy().into_owned()],
    );
    let run = s.build(&[]);
    run.assert_ok();
    assert!(
        run.stderr()
            .contains("the new site is live, but the previous one could not be removed"),
        "{}",
        run.stderr()
    );
    assert!(!run.stderr().contains("nothing was published"));
    assert!(
        s.read("index.html").contains("둘째 기사"),
        "the new site is live"
    );
    // While the leftover cannot be removed, a build says so and leaves the live site be.
    let leftover = s.root.join(".public.nuri-staging/news");
    let _undo_leftover = Undo(
        "chattr",
        vec!["-i".into(), leftover.to_string_lossy().into_owned()],
    );
    drop(undo);
    let before = s.snapshot();
    s.build(&[]).assert_fails_with("remove it by hand");
    assert_eq!(s.snapshot(), before);
    // Once it can be, the next build removes it and publishes.
    sh("chattr", &["-i", leftover.to_str().unwrap()]);
    s.build(&[]).assert_ok();
    assert!(!s.root.join(".public.nuri-staging").exists());
}

#[test]
#[ignore = "needs root (runs nuri as the user nobody); run by .ci/run"]
fn regression_a_content_folder_nuri_cannot_read_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let s = site();
    s.write(
        "content/news/b.md",
        "+++\ntitle = \"둘째 기사\"\ndate = 2024-01-02\n+++\n본문\n",
    );
    s.write(
        "content/sports/c.md",
        "+++\ntitle = \"스포츠 기사\"\ndate = 2024-01-03\n+++\n본문\n",
    );
    // Let the user nobody into the site (permissions mean nothing to root).
    for dir in [s.root.parent().unwrap(), s.root.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    sh("chmod", &["-R", "a+rwX", s.root.to_str().unwrap()]);
    let as_nobody = || {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_nuri"))
            .args(["--root", s.root.to_str().unwrap(), "build"])
            .output()
            .unwrap()
    };
    let out = as_nobody();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.read("sports/index.html").contains("스포츠 기사"));
    let before = s.snapshot();
    let sports = s.root.join("content/sports");
    std::fs::set_permissions(&sports, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = as_nobody();
    std::fs::set_permissions(&sports, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/sports: error: cannot read"), "{err}");
    assert_eq!(s.snapshot(), before, "its articles stay published");
}
