//! The search index and the theme's search script, run under Node on a built fixture site:
//! Korean words are found inside particles and compounds, English words by prefix, title
//! hits rank above body hits, and snippets are highlighted.

mod common;

use common::{SiteTest, node_search};
use serde_json::Value;

/// Runs the real search.js in Node against the built index; returns, per query, the
/// result titles and the first result's snippet.
fn query(site: &SiteTest, queries: &[&str]) -> Value {
    let body = format!(
        r#"for (const q of {queries}) {{
    const found = await api.search(q, load);
    const docs = await api.documents(found.docs, load);
    out[q] = {{
      titles: docs.map(d => d.title),
      complete: found.complete,
      snippet: docs.length ? api.snippet(docs[0].text, q) : null,
    }};
  }}"#,
        queries = serde_json::to_string(queries).unwrap(),
    );
    node_search(&site.out("search"), &body)
}

fn titles(v: &Value, q: &str) -> Vec<String> {
    v[q]["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn korean_words_are_found_inside_particles_and_compounds() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let r = query(&site, &["동맹"]);
    // Title hits first (newest first among them), then the body-only hit.
    assert_eq!(
        titles(&r, "동맹"),
        [
            "AI동맹 공식 출범",
            "연구소들, 동맹을 맺다",
            "한미동맹 70년, 다음 과제는",
            "협력 강화 논의"
        ]
    );
    assert!(r["동맹"]["complete"].as_bool().unwrap());
}

#[test]
fn mixed_script_compounds_and_english_prefixes() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let r = query(&site, &["AI동맹", "alli", "Alliance", "lobby", "ai"]);
    assert_eq!(titles(&r, "AI동맹"), ["AI동맹 공식 출범"]);
    assert_eq!(titles(&r, "alli"), ["The AI Alliance backs open models"]);
    assert_eq!(
        titles(&r, "Alliance"),
        ["The AI Alliance backs open models"]
    );
    assert_eq!(titles(&r, "lobby"), ["The AI Alliance backs open models"]);
    assert_eq!(
        titles(&r, "ai"),
        ["The AI Alliance backs open models", "AI동맹 공식 출범"]
    );
}

#[test]
fn one_syllable_queries_use_single_syllables() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let r = query(&site, &["맹", "석"]);
    assert_eq!(titles(&r, "맹").len(), 4);
    // 석 in 석 달 and in 참석자들: newest first.
    assert_eq!(titles(&r, "석"), ["반도체 수출 늘어", "협력 강화 논의"]);
}

#[test]
fn queries_with_particles_match_in_full_or_fall_back_to_partial_matches() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let r = query(&site, &["동맹은", "없는말", "동맹이다"]);
    // 동맹은 appears in full in two articles (one of them with 동맹 in its title, which ranks
    // it first); the others share only 동맹 and are left out.
    assert_eq!(
        titles(&r, "동맹은"),
        ["한미동맹 70년, 다음 과제는", "협력 강화 논의"]
    );
    assert!(r["동맹은"]["complete"].as_bool().unwrap());
    assert!(titles(&r, "없는말").is_empty());
    // No article has 맹이 or 이다: the best partial matches come back, marked as partial.
    assert!(!r["동맹이다"]["complete"].as_bool().unwrap());
    assert_eq!(titles(&r, "동맹이다").len(), 4);
}

#[test]
fn snippets_highlight_the_match() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let r = query(&site, &["동맹", "반도체"]);
    let s = r["동맹"]["snippet"].as_str().unwrap();
    assert!(s.contains("<mark>동맹</mark>"), "{s}");
    let s = r["반도체"]["snippet"].as_str().unwrap();
    assert!(s.starts_with("<mark>반도체</mark> 수출이"), "{s}");
}

#[test]
fn the_index_is_sharded_and_the_page_exists() {
    let site = SiteTest::fixture("search");
    site.build(&[]).assert_ok();
    let meta: Value = serde_json::from_str(&site.read("search/meta.json")).unwrap();
    assert_eq!(meta["docs"], 6);
    let shards = site
        .files()
        .into_iter()
        .filter(|f| f.starts_with("search/0/k/"))
        .count();
    assert!(shards > 1, "CJK terms are spread over shards");
    assert_eq!(meta["blocks"][0]["docs"], 6);
    // Result data: one file per hundred documents.
    assert!(site.exists("search/d/0.json"));
    assert!(!site.exists("search/d/1.json"));
    let page = site.read("search/index.html");
    assert!(page.contains("data-nuri-search"));
    assert!(page.contains("<meta name=\"robots\" content=\"noindex, follow\">"));
    // The script is linked under its fingerprinted name, which is published too.
    let at = page
        .find("src=\"/js/search.")
        .expect("search script linked")
        + "src=\"/".len();
    let script = &page[at..at + page[at..].find('"').unwrap()];
    assert!(
        script.ends_with(".js") && script != "js/search.js",
        "{script}"
    );
    assert!(site.exists(script), "{script}");
    assert!(site.exists("js/search.js"));
    // Search result pages are not for search engines.
    assert!(!site.read("sitemap.xml").contains("/search/"));
}
