//! `nuri init` (a new site with the default theme) and `nuri new` (a new article file).

use std::fs;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::text::dates::iso;

mod theme {
    include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));
}
pub use theme::THEME_FILES;

const CONFIG_TEMPLATE: &str = r#"# nuri site configuration. Every key is described in README.md.
title = "새 누리집"
description = "nuri로 만든 뉴스 사이트"
base_url = "https://example.com/"
language = "ko"
timezone = "Asia/Seoul"
theme = "nuri"
output_dir = "public"
permalink = "/{section}/{year}/{month}/{slug}/"
paginate_by = 20
copyright = "저작권자 © 새 누리집 무단전재 및 재배포 금지"

[extra]
"#;

const SECTION_TEMPLATE: &str =
    "+++\ntitle = \"뉴스\"\ndescription = \"새 소식\"\nweight = 1\n+++\n";

/// Creates a new site in `dir`: config, the default theme, one section and one article.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.join(crate::config::CONFIG_FILE).exists() {
        return Err(Error::usage(
            dir,
            "a site already exists here (config.toml found); nothing was changed",
        ));
    }
    if dir.is_dir()
        && fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        let allowed = fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .all(|e| e.file_name().to_string_lossy().starts_with('.'))
            })
            .unwrap_or(false);
        if !allowed {
            return Err(Error::usage(
                dir,
                "the folder is not empty; choose a new or empty folder",
            ));
        }
    }
    let now = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Seoul").unwrap_or(jiff::tz::TimeZone::UTC));
    let article = format!(
        "+++\ntitle = \"첫 기사\"\ndate = {}\ntags = [\"공지\"]\nauthors = [\"편집국\"]\n+++\n\n누리집을 열었습니다. 이 파일을 고치거나 `nuri new`로 새 기사를 쓰세요.\n\n## 다음 단계\n\n- `config.toml`에서 제목과 주소를 바꿉니다.\n- `content/` 아래에 기사를 씁니다.\n",
        iso(&now)
    );
    let mut written = Vec::new();
    let mut write = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::usage(parent, e.to_string()))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::usage(&path, e.to_string()))?;
        written.push(path);
        Ok(())
    };
    write("config.toml", CONFIG_TEMPLATE.as_bytes())?;
    write("content/news/_index.md", SECTION_TEMPLATE.as_bytes())?;
    write("content/news/첫-기사.md", article.as_bytes())?;
    write("static/.gitkeep", b"")?;
    write(
        ".gitignore",
        b"/public/\n/.public.nuri-*\n/preview/\n/.preview.nuri-*\n/.nuri-cache/\n",
    )?;
    for (rel, bytes) in THEME_FILES {
        write(&format!("themes/nuri/{rel}"), bytes)?;
    }
    Ok(written)
}

/// Creates `content/<path>` with front matter filled in: title, now in the site's zone, draft.
pub fn new_article(config: &Config, path: &Path, title: Option<&str>) -> Result<PathBuf> {
    let rel = path.strip_prefix("content").unwrap_or(path);
    let mut rel = rel.to_path_buf();
    if rel.extension().is_none_or(|e| e != "md") {
        let name = rel
            .file_name()
            .map(|n| format!("{}.md", n.to_string_lossy()))
            .unwrap_or_default();
        if name.is_empty() {
            return Err(Error::usage(
                path,
                "give a file name such as politics/새-기사.md",
            ));
        }
        rel.set_file_name(name);
    }
    let text = rel.to_string_lossy();
    if rel.is_absolute() || text.contains("..") || text.chars().any(char::is_control) {
        return Err(Error::usage(
            path,
            "the path must be inside content/ (no `..`, not absolute)",
        ));
    }
    let full = config.paths.content.join(&rel);
    if full.exists() {
        return Err(Error::usage(
            &full,
            "the file already exists; nothing was changed",
        ));
    }
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = title
        .map(str::to_string)
        .unwrap_or_else(|| stem.replace('-', " "));
    let now = jiff::Zoned::now().with_time_zone(config.timezone.clone());
    // Truncate, never round up: a date a moment in the future would keep the article out.
    let now = now
        .round(
            jiff::ZonedRound::new()
                .smallest(jiff::Unit::Second)
                .mode(jiff::RoundMode::Trunc),
        )
        .unwrap_or(now);
    // A headline is one line: a pasted line break becomes a space. The rest (quotes,
    // backslashes, control characters) is escaped by the TOML writer itself.
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let quoted = toml::Value::String(title).to_string();
    let text = format!(
        "+++\ntitle = {quoted}\ndate = {}\ndraft = true\ntags = []\nauthors = []\n+++\n\n",
        iso(&now)
    );
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::usage(parent, e.to_string()))?;
    }
    fs::write(&full, text).map_err(|e| Error::usage(&full, e.to_string()))?;
    Ok(full)
}
