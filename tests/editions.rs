//! Editions: a Korean site with an English edition at /en/ (`tests/fixtures/editions`).
//! Each edition has its own lists, feeds, archives, 404 and search; translations are linked
//! both ways in pages (hreflang, the language switcher, JSON-LD) and in the sitemap; the
//! theme's words come from its i18n files, which a site can override string by string.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{SiteTest, node_search, repo};

fn built() -> SiteTest {
    let site = SiteTest::fixture("editions");
    site.build(&[]).assert_ok();
    site
}

/// The theme's string `key` in `lang`, as the i18n file has it.
fn string(lang: &str, key: &str) -> String {
    let text =
        std::fs::read_to_string(repo().join(format!("themes/nuri/i18n/{lang}.toml"))).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table[key].as_str().unwrap().to_string()
}

/// `<link rel="alternate" hreflang=… href=…>` of a page: hreflang → href.
fn hreflang(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for tag in html.split("<link rel=\"alternate\" hreflang=\"").skip(1) {
        let (lang, rest) = tag.split_once('"').unwrap();
        let href = rest
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        out.insert(lang.to_string(), href.to_string());
    }
    out
}

/// The page's JSON-LD blocks, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/ld+json\">").unwrap();
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap()
}

const KO: &str = "politics/2025/동맹-출범/index.html";
const EN: &str = "en/politics/2025/alliance-launch/index.html";

#[test]
fn each_edition_has_its_own_front_sections_tags_and_feeds() {
    let site = built();
    let ko_front = site.read("index.html");
    let en_front = site.read("en/index.html");
    for title in [
        "The alliance is launched",
        "Senate vote on the bill",
        "Market trends",
    ] {
        assert!(!ko_front.contains(title), "Korean front shows {title}");
    }
    assert!(ko_front.contains("동맹 출범 소식") && ko_front.contains("<html lang=\"ko\">"));
    assert!(
        en_front.contains("The alliance is launched") && en_front.contains("<html lang=\"en\">")
    );
    assert!(!en_front.contains("동맹 출범 소식"));
    assert!(
        en_front.contains("<title>Pan Nuri</title>"),
        "the edition's title"
    );
    // Navigation and labels in the edition's language.
    assert!(en_front.contains(&format!(">{}</a>", string("en", "home"))));
    assert!(ko_front.contains(&format!(">{}</a>", string("ko", "home"))));
    // Sections: titles from `_index.en.md` and from config.
    assert!(
        site.read("en/politics/index.html")
            .contains("<title>Politics and Government | Pan Nuri</title>")
    );
    assert!(
        site.read("en/economy/index.html")
            .contains("<title>Economy | Pan Nuri</title>")
    );
    // Tags are terms of their edition: the Korean and the English tag are different pages.
    assert!(site.exists("tags/동맹/index.html") && site.exists("en/tags/alliance/index.html"));
    assert!(
        !site.exists("tags/alliance/index.html"),
        "an English tag leaked into the Korean edition"
    );
    let en_tag = site.read("en/tags/alliance/index.html");
    assert!(en_tag.contains("Senate vote on the bill") && !en_tag.contains("국회 표결 결과"));
    // Feeds: each edition's lists its own articles only.
    let parse = |rel: &str| {
        feed_rs::parser::parse(std::fs::read(site.out(rel)).unwrap().as_slice()).unwrap()
    };
    let en_links: Vec<String> = parse("en/rss.xml")
        .entries
        .iter()
        .map(|e| e.links[0].href.clone())
        .collect();
    assert_eq!(en_links.len(), 4, "{en_links:?}");
    assert!(
        en_links
            .iter()
            .all(|l| l.starts_with("https://ed.example/en/")),
        "{en_links:?}"
    );
    let ko_links: Vec<String> = parse("atom.xml")
        .entries
        .iter()
        .map(|e| e.links[0].href.clone())
        .collect();
    assert_eq!(ko_links.len(), 4, "{ko_links:?}");
    assert!(ko_links.iter().all(|l| !l.contains("/en/")), "{ko_links:?}");
    assert_eq!(parse("en/feed.json").title.unwrap().content, "Pan Nuri");
    // The English front links its own feeds.
    assert!(en_front.contains("href=\"https://ed.example/en/rss.xml\""));
    // A bundle's files go with each of its articles.
    assert!(site.exists("economy/2025/시장/data.csv"));
    assert!(site.exists("en/economy/2025/market-trends/data.csv"));
    // Archives and 404 per edition, titled in their language.
    assert!(
        site.read("en/2025/12/index.html")
            .contains("<title>December 2025 | Pan Nuri</title>")
    );
    assert!(
        site.read("2025/12/index.html")
            .contains("<title>2025년 12월 | 판 누리</title>")
    );
    assert!(
        site.read("en/404.html")
            .contains(&string("en", "not_found_title"))
    );
    assert!(
        site.read("404.html")
            .contains(&string("ko", "not_found_title"))
    );
    // Netlify and Cloudflare send a missing English page to the English 404.
    assert!(site.read("_redirects").contains("/en/* /en/404.html 404\n"));
}

#[test]
fn translations_link_both_ways_in_pages_and_json_ld() {
    let site = built();
    let ko = site.read(KO);
    let en = site.read(EN);
    let ko_url = "https://ed.example/politics/2025/%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/";
    let en_url = "https://ed.example/en/politics/2025/alliance-launch/";
    let expected: BTreeMap<String, String> =
        [("ko", ko_url), ("en", en_url), ("x-default", ko_url)]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    assert_eq!(hreflang(&ko), expected, "Korean page");
    assert_eq!(hreflang(&en), expected, "English page");
    // The switcher goes to the translation.
    assert!(ko.contains("<a href=\"/en/politics/2025/alliance-launch/\" rel=\"alternate\" hreflang=\"en\" lang=\"en\">English</a>"), "{ko}");
    assert!(en.contains("<span aria-current=\"true\" lang=\"en\">English</span>"));
    assert!(ko.contains("<meta property=\"og:locale\" content=\"ko_KR\">\n<meta property=\"og:locale:alternate\" content=\"en_US\">"));
    assert!(en.contains("<meta property=\"og:locale\" content=\"en_US\">\n<meta property=\"og:locale:alternate\" content=\"ko_KR\">"));
    let ko_ld = json_ld(&ko);
    assert_eq!(ko_ld[0]["inLanguage"], "ko");
    assert_eq!(ko_ld[0]["workTranslation"][0]["url"], en_url);
    assert_eq!(ko_ld[0]["workTranslation"][0]["inLanguage"], "en");
    let en_ld = json_ld(&en);
    assert_eq!(en_ld[0]["inLanguage"], "en");
    assert_eq!(en_ld[0]["translationOfWork"]["url"], ko_url);
    // The breadcrumb starts at the edition's front.
    assert_eq!(
        en_ld[1]["itemListElement"][0]["item"],
        "https://ed.example/en/"
    );
    assert_eq!(en_ld[1]["itemListElement"][0]["name"], string("en", "home"));
    // A translation by `translation_key`, across sections and file names.
    let fx = site.read("en/world/2025/fx-rates/index.html");
    assert_eq!(
        hreflang(&fx)["ko"],
        "https://ed.example/economy/2025/%ED%99%98%EC%9C%A8/"
    );
    // An article without a translation has no hreflang, but its switcher leads to the
    // other edition's front.
    let senate = site.read("en/politics/2025/senate-vote/index.html");
    assert!(hreflang(&senate).is_empty());
    assert!(senate.contains("<a href=\"/\" hreflang=\"ko\" lang=\"ko\">한국어</a>"));
    // Lists are translations of each other; tags where config pairs them.
    assert_eq!(
        hreflang(&site.read("en/index.html"))["ko"],
        "https://ed.example/"
    );
    assert_eq!(
        hreflang(&site.read("en/tags/alliance/index.html"))["ko"],
        "https://ed.example/tags/%EB%8F%99%EB%A7%B9/"
    );
    assert!(hreflang(&site.read("en/tags/senate/index.html")).is_empty());
}

#[test]
fn the_sitemap_lists_every_version_with_reciprocal_alternates() {
    let site = built();
    let text = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let xhtml = "http://www.w3.org/1999/xhtml";
    let mut sets: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for url in doc.descendants().filter(|n| n.has_tag_name("url")) {
        let loc = url
            .children()
            .find(|n| n.has_tag_name("loc"))
            .unwrap()
            .text()
            .unwrap()
            .to_string();
        let alts: BTreeSet<(String, String)> = url
            .children()
            .filter(|n| n.has_tag_name((xhtml, "link")))
            .map(|n| {
                (
                    n.attribute("hreflang").unwrap().to_string(),
                    n.attribute("href").unwrap().to_string(),
                )
            })
            .collect();
        sets.insert(loc, alts);
    }
    let with_alternates: Vec<&String> = sets
        .iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(l, _)| l)
        .collect();
    assert!(with_alternates.len() >= 10, "{with_alternates:?}");
    for (loc, alts) in &sets {
        if alts.is_empty() {
            continue;
        }
        // Each version lists itself (Google's rule) and x-default.
        assert!(
            alts.iter().any(|(l, h)| h == loc && l != "x-default"),
            "{loc} lacks itself: {alts:?}"
        );
        assert!(alts.iter().any(|(l, _)| l == "x-default"), "{loc}");
        // And every version it names is in the sitemap with the same set.
        for (lang, href) in alts {
            assert_eq!(sets.get(href), Some(alts), "{loc} → {lang} {href}");
        }
    }
    // The news sitemap gives each article its own language and edition's name.
    let news = site.read("sitemap-news.xml");
    let doc = roxmltree::Document::parse(&news).unwrap();
    let ns = "http://www.google.com/schemas/sitemap-news/0.9";
    let langs: BTreeMap<String, (String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let text = |name: &str| {
                u.descendants()
                    .find(|n| n.has_tag_name((ns, name)))
                    .unwrap()
                    .text()
                    .unwrap()
                    .to_string()
            };
            (text("title"), (text("language"), text("name")))
        })
        .collect();
    assert_eq!(
        langs["The alliance is launched"],
        ("en".to_string(), "Pan Nuri".to_string())
    );
    assert_eq!(
        langs["동맹 출범 소식"],
        ("ko".to_string(), "판 누리".to_string())
    );
}

#[test]
fn dates_reading_and_search_follow_the_edition() {
    let site = built();
    let en = site.read(EN);
    assert!(en.contains(">Dec 31, 2025, 10:00 AM KST</time>"), "{en}");
    assert!(en.contains(&string("en", "published").to_string()));
    let ko = site.read(KO);
    assert!(ko.contains(">2025.12.31 10:00</time>"), "{ko}");
    // The search pages read one index and keep their edition's documents.
    let meta: serde_json::Value = serde_json::from_str(&site.read("search/meta.json")).unwrap();
    assert_eq!(meta["editions"], serde_json::json!(["ko", "en"]));
    assert_eq!(meta["edition_of"].as_str().unwrap().len(), 8);
    let en_search = site.read("en/search/index.html");
    assert!(
        en_search.contains("data-index=\"/search/\" data-edition=\"en\""),
        "{en_search}"
    );
    let found = node_search(
        &site.out("search"),
        r#"for (const [q, ed] of [['alliance', 'en'], ['alliance', 'ko'], ['동맹', 'ko'], ['동맹', 'en'], ['alliance', null]]) {
    const found = await api.search(q, load, ed);
    out[q + '/' + ed] = (await api.documents(found.docs, load)).map(d => d.title);
  }"#,
    );
    let titles = |k: &str| -> Vec<String> {
        found[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        titles("alliance/en"),
        ["The alliance is launched", "Senate vote on the bill"]
    );
    assert!(titles("alliance/ko").is_empty());
    assert_eq!(titles("동맹/ko"), ["동맹 출범 소식", "국회 표결 결과"]);
    assert!(titles("동맹/en").is_empty());
    assert_eq!(titles("alliance/null").len(), 2);
}

#[test]
fn a_site_overrides_one_string_and_a_missing_string_is_an_error() {
    let site = SiteTest::fixture("editions");
    site.write("i18n/en.toml", "home = \"Front page\"\n");
    site.build(&[]).assert_ok();
    assert!(site.read("en/index.html").contains(">Front page</a>"));
    assert!(
        site.read("en/index.html")
            .contains(&string("en", "archive")),
        "other strings kept"
    );
    assert!(
        site.read("index.html")
            .contains(&format!(">{}</a>", string("ko", "home")))
    );
    let before = site.snapshot();
    // A template asking for a string no language has: the build names key and language
    // and publishes nothing.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{{ t(key=\"no_such_label\") }}{% endblock content %}",
    );
    site.build(&[])
        .assert_fails_with("no string `no_such_label` for language `ko`");
    assert_eq!(site.snapshot(), before, "the published site is untouched");
    site.remove("templates/404.html");
    // A key one language lacks is found when the strings load.
    site.write(
        "themes/nuri/i18n/ko.toml",
        &format!(
            "{}\nbreaking_news = \"속보\"\n",
            std::fs::read_to_string(repo().join("themes/nuri/i18n/ko.toml")).unwrap()
        ),
    );
    site.build(&[])
        .assert_fails_with("i18n/en.toml: error: no string for `breaking_news` in language `en`");
    // A language with no strings at all.
    site.remove("themes/nuri/i18n/ko.toml");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace(
            "[languages.en]",
            "[languages.ja]\npath = \"/ja/\"\n[languages.en]",
        ),
    );
    site.build(&[])
        .assert_fails_with("the theme has no strings for the language `ja`");
}

#[test]
fn bad_edition_settings_are_located_errors() {
    let site = SiteTest::fixture("editions");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("ampm = true", "ampm = true\npath = \"/politics/\""),
    );
    site.build(&[]).assert_fails_with("config.toml:16:8: error: the en edition's path /politics/ is the section folder content/politics/");
    site.write(
        "config.toml",
        &format!("{config}\n[languages.ko]\ntitle = \"x\"\n"),
    );
    site.build(&[])
        .assert_fails_with("[languages.ko] is the site's own `language`");
    site.write("config.toml", &config);
    site.write(
        "content/politics/충돌.en.md",
        "+++\ntitle = \"Clash\"\ndate = 2025-12-01T09:00:00+09:00\nlang = \"ko\"\n+++\n\nText.\n",
    );
    site.build(&[]).assert_fails_with("content/politics/충돌.en.md:4:8: error: the file name puts this article in the en edition, but `lang` says \"ko\"");
}

#[test]
fn check_reports_a_translation_key_that_links_nothing() {
    let site = SiteTest::fixture("editions");
    site.write(
        "content/world/orphan.md",
        "+++\ntitle = \"Orphan\"\ndate = 2025-12-01T09:00:00+09:00\nlang = \"en\"\ntranslation_key = \"ghost\"\n+++\n\nText.\n",
    );
    site.write(
        "content/economy/초안.md",
        "+++\ntitle = \"초안\"\ndate = 2025-12-01T09:00:00+09:00\ndraft = true\ntranslation_key = \"draft-pair\"\n+++\n\n본문.\n",
    );
    site.write(
        "content/world/draft-pair.md",
        "+++\ntitle = \"Pair\"\ndate = 2025-12-01T09:00:00+09:00\nlang = \"en\"\ntranslation_key = \"draft-pair\"\n+++\n\nText.\n",
    );
    let run = site.nuri(&["check", "--now", "2026-01-01T00:00:00+09:00"]);
    let out = format!("{}{}", run.stdout(), run.stderr());
    assert!(out.contains("content/world/orphan.md:5:1: warning: translation_key `ghost` links to no other article"), "{out}");
    assert!(out.contains("content/world/draft-pair.md:5:1: warning: translation_key `draft-pair` links to content/economy/초안.md, which is not published"), "{out}");
    assert!(
        !out.contains("fx-2025"),
        "a linked key is not reported: {out}"
    );
}

#[test]
fn a_site_without_languages_has_no_edition_markup() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let mut html = 0;
    for f in site.files() {
        if !f.ends_with(".html") {
            continue;
        }
        html += 1;
        let page = site.read(&f);
        assert!(hreflang(&page).is_empty(), "{f}");
        assert!(
            !page.contains("lang-switch")
                && !page.contains("og:locale:alternate")
                && !page.contains("editions."),
            "{f}"
        );
    }
    assert!(html > 10);
    assert!(!site.read("sitemap.xml").contains("xhtml"));
    assert!(!site.read("search/meta.json").contains("edition"));
    assert!(!site.read("search/index.html").contains("data-edition"));
}

#[test]
fn a_tag_page_kept_out_of_search_engines_has_no_hreflang() {
    let site = SiteTest::fixture("editions");
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[seo]\nnoindex_tags_below = 3\n"),
    );
    site.build(&[]).assert_ok();
    let tag = site.read("en/tags/alliance/index.html");
    assert!(tag.contains("noindex"), "two articles: below the threshold");
    assert!(hreflang(&tag).is_empty());
    assert!(hreflang(&site.read("tags/동맹/index.html")).is_empty());
    // Lists that are indexed keep theirs.
    assert_eq!(hreflang(&site.read("en/index.html")).len(), 3);
}

#[test]
fn an_incremental_build_after_a_new_translation_equals_a_fresh_one() {
    let site = SiteTest::fixture("editions");
    site.build(&[]).assert_ok();
    site.write(
        "content/politics/국회-표결.en.md",
        "+++\ntitle = \"Assembly passes the bill\"\nslug = \"assembly-vote\"\ndate = 2025-11-20T09:00:00+09:00\ntags = [\"Alliance\"]\n+++\n\nThe assembly voted.\n",
    );
    let run = site.build(&[]);
    run.assert_ok();
    assert!(run.stdout().contains("from the cache"), "{}", run.stdout());
    let fresh = tempfile::tempdir().unwrap();
    let out = fresh.path().join("out");
    site.build(&[
        "--output",
        out.to_str().unwrap(),
        "--cache-dir",
        fresh.path().join("cache").to_str().unwrap(),
    ])
    .assert_ok();
    for (rel, bytes) in site.snapshot() {
        if rel.starts_with(".nuri-") {
            continue;
        }
        assert_eq!(std::fs::read(out.join(&rel)).ok(), Some(bytes), "{rel}");
    }
    assert_eq!(common::list_files(&out).len(), site.files().len());
    // The Korean original now links the translation.
    assert_eq!(
        hreflang(&site.read("politics/2025/국회-표결/index.html"))["en"],
        "https://ed.example/en/politics/2025/assembly-vote/"
    );
}
