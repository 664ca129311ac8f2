//! Coverage-guided fuzzing of the front-matter and Markdown path (see fuzz/README.md).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nuri::config::Config;
use nuri::content::Article;
use nuri::markdown::{self, LinkResolver};

struct Links;
impl LinkResolver for Links {
    fn resolve(&self, target: &str) -> Result<String, String> {
        if target.ends_with(".md") { Ok(format!("/{target}/")) } else { Err("missing".into()) }
    }
}

fn config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(|| Config::parse(Path::new("/site"), "title = \"f\"\nbase_url = \"https://f.example/\"\n").unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(article) = Article::parse("news/x.md", text, config()) {
        if let Ok(r) = markdown::render(Path::new("content/news/x.md"), &article.body, article.body_line, &Links) {
            let _ = markdown::sanitize(&r.html);
        }
    }
});
