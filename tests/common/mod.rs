//! A fixture-site builder for integration tests: copy a site from `tests/fixtures/` (plus the
//! default theme) into a temp folder, edit files, run the real `nuri` binary, read the output.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct SiteTest {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The result of running nuri.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.output.status.success()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.ok(),
            "nuri failed:\n{}\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    #[track_caller]
    pub fn assert_fails_with(&self, needle: &str) -> &Self {
        assert!(
            !self.ok(),
            "nuri should have failed, but succeeded:\n{}",
            self.stdout()
        );
        assert_eq!(self.output.status.code(), Some(1), "exit code");
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr()
        );
        self
    }
}

impl SiteTest {
    /// An empty site folder with the default theme.
    pub fn empty() -> SiteTest {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(&root).unwrap();
        copy_dir(&repo().join("themes"), &root.join("themes"));
        SiteTest { _tmp: tmp, root }
    }

    /// A copy of `tests/fixtures/<name>` with the default theme.
    pub fn fixture(name: &str) -> SiteTest {
        let site = SiteTest::empty();
        copy_dir(&repo().join("tests/fixtures").join(name), &site.root);
        site
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        let p = self.path(rel);
        if p.is_dir() {
            fs::remove_dir_all(p).unwrap();
        } else {
            fs::remove_file(p).unwrap();
        }
        self
    }

    /// Runs `nuri --root <site> <args>`.
    pub fn nuri(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_nuri"))
            .arg("--root")
            .arg(&self.root)
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("run nuri");
        Run { output }
    }

    /// `nuri build` with a fixed clock.
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", "--now", "2026-01-01T00:00:00+09:00"];
        args.extend_from_slice(extra);
        self.nuri(&args)
    }

    pub fn out(&self, rel: &str) -> PathBuf {
        self.root.join("public").join(rel)
    }

    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.out(rel))
            .unwrap_or_else(|e| panic!("cannot read public/{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out(rel).exists()
    }

    /// Every file in the output, relative, sorted.
    pub fn files(&self) -> Vec<String> {
        list_files(&self.root.join("public"))
    }

    /// Every file of the output with its bytes, for byte-for-byte comparisons.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.files()
            .into_iter()
            .map(|f| {
                let bytes = fs::read(self.out(&f)).unwrap();
                (f, bytes)
            })
            .collect()
    }
}

pub fn list_files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// Runs the theme's real search.js under Node against the search index in `index_dir`.
/// `body` is JavaScript run in an async function with `api` (the script's exports) and
/// `load` (reads an index file as JSON); it fills `out`, which comes back as JSON.
#[allow(dead_code)]
pub fn node_search(index_dir: &Path, body: &str) -> serde_json::Value {
    let script = format!(
        r#"
const fs = require('fs');
const path = require('path');
const api = require({script:?});
const base = {base:?};
const load = f => Promise.resolve(JSON.parse(fs.readFileSync(path.join(base, f), 'utf8')));
(async () => {{
  const out = {{}};
  {body}
  console.log(JSON.stringify(out));
}})().catch(e => {{ console.error(e); process.exit(1); }});
"#,
        script = repo()
            .join("themes/nuri/static/js/search.js")
            .to_string_lossy(),
        base = index_dir.to_string_lossy(),
    );
    node(&["-e", &script])
}

/// Runs `node <args>`, which must succeed and print JSON; returns that JSON.
#[allow(dead_code)]
pub fn node(args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .args(args)
        .output()
        .expect("node must be installed to run these tests");
    assert!(
        out.status.success(),
        "node failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
