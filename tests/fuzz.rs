//! A property-based fuzz harness for the front-matter and Markdown path: any text must parse
//! to an article or to diagnostics, and render or fail cleanly, never panic.
//!
//! Runs 256 cases per property with `cargo test`; for a longer run:
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz`.
//! Inputs that once broke nuri are kept as regression tests at the bottom.

use std::path::Path;

use nuri::config::Config;
use nuri::content::Article;
use nuri::markdown::{self, LinkResolver};
use proptest::prelude::*;

struct AnyLinks;
impl LinkResolver for AnyLinks {
    fn resolve(&self, target: &str) -> Result<String, String> {
        if target.len().is_multiple_of(2) {
            Ok(format!("/{target}/"))
        } else {
            Err("no such article".into())
        }
    }
}

fn config() -> Config {
    Config::parse(
        Path::new("/site"),
        "title = \"fuzz\"\nbase_url = \"https://fuzz.example/\"\n[taxonomies.series]\n",
    )
    .unwrap()
}

/// Pieces that steer random text towards the interesting parts of the grammar.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+++\n".to_string()),
        Just("title = \"제목\"\n".to_string()),
        Just("date = 2023-12-05T14:30:00+09:00\n".to_string()),
        Just("date = \"2023-13-45\"\n".to_string()),
        Just("tags = [\"AI\", \"ai\", \"동맹\"]\n".to_string()),
        Just("slug = \"../x\"\n".to_string()),
        Just("path = \"/a/../b\"\n".to_string()),
        Just("[extra]\n".to_string()),
        Just("taxonomies = { series = [\"연재\"] }\n".to_string()),
        Just("corrections = [{ date = 2023-12-06, note = \"정정\" }]\n".to_string()),
        Just("## 제목 {#id}\n".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("|a|b|\n|-|-|\n".to_string()),
        Just("[^1]: 각주\n".to_string()),
        Just("[링크](@/a.md#배경)".to_string()),
        Just("![사진](x.png \"t\")".to_string()),
        Just("<!-- more -->\n".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("```\ncode\n".to_string()),
        Just("\r\n".to_string()),
        Just("\u{FEFF}".to_string()),
        "[가-힣a-zA-Z0-9 *_~`#>\\[\\]()!|\\-\n]{0,40}",
        any::<String>(),
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn any_text_parses_or_reports(text in document()) {
        let cfg = config();
        match Article::parse("news/x.md", &text, &cfg) {
            Ok(a) => {
                prop_assert!(!a.title.is_empty());
                let _ = markdown::render(Path::new("content/news/x.md"), a.body_of(&text), a.body_line, &AnyLinks);
            }
            Err(diags) => {
                prop_assert!(!diags.is_empty());
                for d in diags {
                    prop_assert!(d.line >= 1, "every front-matter problem has a line: {d}");
                }
            }
        }
    }

    #[test]
    fn any_markdown_renders(body in document()) {
        if let Ok(r) = markdown::render(Path::new("content/x.md"), &body, 5, &AnyLinks) {
            let mut seen = std::collections::HashSet::new();
            for h in &r.headings {
                prop_assert!(seen.insert(h.id.clone()) || body.contains("{#"), "duplicate heading id {}", h.id);
            }
            let _ = markdown::sanitize(&r.html);
        }
    }
}

// ---- regression tests: inputs that once broke nuri ----

/// 10,000 tags on one line made each tag's position lookup scan the whole line (quadratic):
/// 13 s for one article. Positions are now computed only for errors.
#[test]
fn regression_many_tags_parse_in_linear_time() {
    let tags: Vec<String> = (0..20_000).map(|i| format!("\"t{i}\"")).collect();
    let text = format!(
        "+++\ntitle = \"t\"\ndate = 2024-01-01\ntags = [{}]\n+++\n",
        tags.join(",")
    );
    let roomy = Config::parse(
        Path::new("/site"),
        "title = \"fuzz\"\nbase_url = \"https://fuzz.example/\"\n[limits]\nterms_per_article = 100000\n",
    )
    .unwrap();
    let a = Article::parse("news/x.md", &text, &roomy).unwrap();
    assert_eq!(a.tags.len(), 20_000);
    // Under the default limit the same list is one located error, found as fast.
    let errors = Article::parse("news/x.md", &text, &config()).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 4);
}

#[test]
fn regression_front_matter_without_closing_line_and_bom_only() {
    for text in [
        "+++",
        "+++\n",
        "\u{FEFF}",
        "\u{FEFF}+++\n+++",
        "+++\r\n+++\r\n",
    ] {
        assert!(
            Article::parse("news/x.md", text, &config()).is_err(),
            "{text:?}"
        );
    }
}
