//! The floor of a news-site build: read every article, render its Markdown with
//! pulldown-cmark, write one HTML file per article. No templates, lists, feeds or search.
//! nuri's full build is compared with this (bench/README.md).
//!
//! cargo run --release --example floor -- <content dir> <output dir>

use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (content, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let _ = std::fs::remove_dir_all(&out);
    let written: usize = files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let body = text.splitn(3, "+++").nth(2).unwrap_or(&text);
            let mut page = String::with_capacity(body.len() * 3 / 2);
            page.push_str("<!doctype html><meta charset=utf-8><body>");
            html::push_html(
                &mut page,
                Parser::new_ext(
                    body,
                    Options::ENABLE_TABLES
                        | Options::ENABLE_FOOTNOTES
                        | Options::ENABLE_STRIKETHROUGH,
                ),
            );
            let rel = path.strip_prefix(&content).unwrap().with_extension("");
            let dir: PathBuf = out.join(rel);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(Path::new(&dir).join("index.html"), page).unwrap();
            1
        })
        .sum();
    println!("{written} pages");
}
