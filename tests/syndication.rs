//! Feeds, sitemaps, robots.txt, page metadata, JSON-LD, corrections and redirects (issue 4),
//! checked with real parsers: feed-rs for feeds, roxmltree for XML, serde_json for JSON-LD.

mod common;

use common::SiteTest;

const CONFIG: &str = "title = \"신디케이션 시험\"\ndescription = \"피드 시험\"\nbase_url = \"https://feeds.example/\"\npermalink = \"/{section}/{slug}/\"\ncopyright = \"저작권자 © 시험\"\nlogo = \"/images/logo.png\"\n";
const NOW: &str = "2024-03-10T12:00:00+09:00";

fn site(extra: &str) -> SiteTest {
    let s = SiteTest::fixture("basic");
    s.write("config.toml", &format!("{CONFIG}{extra}"));
    s.write(
        "content/authors/박지훈.md",
        "+++\ntitle = \"선임기자\"\n+++\n",
    );
    // The logo the config names (a missing one is an error).
    std::fs::copy(
        s.path("static/images/chart.png"),
        s.path("static/images/logo.png"),
    )
    .unwrap();
    s
}

fn build(s: &SiteTest) {
    s.nuri(&["build", "--now", NOW]).assert_ok();
}

fn parse_feed(s: &SiteTest, rel: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(s.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn xml(s: &SiteTest, rel: &str) -> String {
    s.read(rel)
}

/// Every element with this local name, as text.
fn texts(doc: &roxmltree::Document, name: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_feed_parses_in_every_format() {
    let s = site("");
    build(&s);
    let dirs = [
        "",
        "politics/",
        "economy/",
        "tags/ai/",
        "tags/반도체/",
        "authors/김하늘/",
    ];
    for dir in dirs {
        for file in ["rss.xml", "atom.xml", "feed.json"] {
            let feed = parse_feed(&s, &format!("{dir}{file}"));
            assert!(!feed.entries.is_empty(), "{dir}{file} is empty");
        }
    }
    let site_feed = parse_feed(&s, "rss.xml");
    // Newest first; drafts never appear.
    let titles: Vec<_> = site_feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    assert_eq!(
        titles,
        [
            "반도체 투자 확대",
            "Open models gain ground",
            "출범 현장 사진",
            "메타·IBM 'AI 동맹' 출범"
        ]
    );
}

#[test]
fn rss_has_the_newsroom_fields() {
    let s = site("");
    build(&s);
    let rss = xml(&s, "rss.xml");
    let doc = roxmltree::Document::parse(&rss).unwrap();
    assert!(
        rss.contains("<pubDate>Tue, 05 Dec 2023 14:30:00 +0900</pubDate>"),
        "{rss}"
    );
    assert!(rss.contains("<atom:link href=\"https://feeds.example/rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>"));
    assert!(texts(&doc, "creator").contains(&"김하늘 기자".to_string()));
    assert!(texts(&doc, "creator").contains(&"박지훈 선임기자".to_string()));
    assert!(texts(&doc, "language").contains(&"ko".to_string()));
    // The lead photo as an enclosure with its byte length, and as media:content: the size a
    // reader without `srcset` gets (this photo is smaller than every width: its own).
    let enclosure = doc
        .descendants()
        .find(|n| {
            n.tag_name().name() == "enclosure"
                && n.attribute("url").is_some_and(|u| u.ends_with(".160.png"))
        })
        .expect("enclosure");
    let url = enclosure.attribute("url").unwrap();
    let dir =
        "https://feeds.example/politics/%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94-%ED%98%84%EC%9E%A5/";
    assert!(url.starts_with(&format!("{dir}photo.")), "{url}");
    let file = s.out(&format!("politics/동맹-출범-현장/{}", &url[dir.len()..]));
    let length = std::fs::metadata(file).unwrap().len().to_string();
    assert_eq!(enclosure.attribute("length"), Some(length.as_str()));
    assert_eq!(enclosure.attribute("type"), Some("image/png"));
    let media = doc
        .descendants()
        .find(|n| {
            n.tag_name().name() == "content"
                && n.tag_name().namespace() == Some("http://search.yahoo.com/mrss/")
                && n.attribute("url") == Some(url)
        })
        .expect("media:content");
    assert_eq!(media.attribute("width"), Some("160"));
    // Summary only by default.
    assert!(!rss.contains("content:encoded"));
}

#[test]
fn atom_and_json_feed_use_rfc3339_with_offsets() {
    let s = site("");
    build(&s);
    let atom = xml(&s, "atom.xml");
    assert!(
        atom.contains("<published>2023-12-05T14:30:00+09:00</published>"),
        "{atom}"
    );
    assert!(atom.contains("<updated>2023-12-05T18:10:00+09:00</updated>"));
    assert!(atom.contains("<entry xml:lang=\"en\">"));
    let json: serde_json::Value = serde_json::from_str(&s.read("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://feeds.example/feed.json");
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "메타·IBM 'AI 동맹' 출범")
        .unwrap();
    assert_eq!(item["date_published"], "2023-12-05T14:30:00+09:00");
    assert_eq!(item["date_modified"], "2023-12-05T18:10:00+09:00");
    assert!(item["content_text"].is_string());
    assert_eq!(
        item["authors"][0]["url"],
        "https://feeds.example/authors/%EA%B9%80%ED%95%98%EB%8A%98/"
    );
}

#[test]
fn full_text_is_a_config_choice() {
    let s = site("[feeds]\nfull_text = true\nformats = [\"rss\", \"json\"]\n");
    build(&s);
    assert!(s.read("rss.xml").contains("<content:encoded>&lt;p&gt;"));
    assert!(!s.exists("atom.xml"));
    let json: serde_json::Value = serde_json::from_str(&s.read("feed.json")).unwrap();
    assert!(
        json["items"][0]["content_html"]
            .as_str()
            .unwrap()
            .starts_with("<p>")
    );
}

#[test]
fn feed_limits_apply() {
    let s = site("[feeds]\nsite_limit = 2\nlimit = 1\n");
    build(&s);
    assert_eq!(parse_feed(&s, "rss.xml").entries.len(), 2);
    assert_eq!(parse_feed(&s, "tags/ai/atom.xml").entries.len(), 1);
}

#[test]
fn ids_do_not_change_when_an_article_is_edited() {
    let s = site("");
    build(&s);
    let ids = |s: &SiteTest| -> Vec<String> {
        ["rss.xml", "atom.xml", "feed.json"]
            .iter()
            .flat_map(|f| parse_feed(s, f).entries.into_iter().map(|e| e.id))
            .collect()
    };
    let before = ids(&s);
    let path = "content/politics/2023/AI-동맹-출범.md";
    let text = std::fs::read_to_string(s.path(path)).unwrap();
    let edited =
        text.replace(
            "title = \"메타·IBM 'AI 동맹' 출범\"",
            "title = \"(종합) 메타·IBM 'AI 동맹' 공식 출범\"",
        )
        .replace(
            "updated = 2023-12-05T18:10:00+09:00",
            "updated = 2023-12-06T09:00:00+09:00",
        ) + "\n추가 문단.\n";
    s.write(path, &edited);
    build(&s);
    assert_eq!(before, ids(&s));
    assert!(s.read("rss.xml").contains("(종합)"));
}

#[test]
fn escaping_holds_in_every_format() {
    let s = site("");
    let nasty = "<script>alert(\"x\")</script> & '따옴표'";
    s.write(
        "content/politics/nasty.md",
        &format!("+++\ntitle = '''{nasty}'''\ndate = 2024-03-09T10:00:00+09:00\ntags = ['''<b>&\"태그\"''']\nauthors = ['''</script>기자''']\nsummary = '''요약 <i>&</i>'''\n+++\n본문\n"),
    );
    build(&s);
    // Feeds parse and give back the exact text.
    for f in ["rss.xml", "atom.xml", "feed.json"] {
        let feed = parse_feed(&s, f);
        let e = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content.contains("alert"))
            .unwrap();
        assert_eq!(e.title.as_ref().unwrap().content, nasty, "{f}");
    }
    // Sitemaps stay well-formed.
    for f in ["sitemap.xml", "sitemap-news.xml"] {
        roxmltree::Document::parse(&s.read(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    // HTML: no raw markup from the title anywhere, in text or attributes.
    let mut all = String::new();
    for f in s.files().iter().filter(|f| f.ends_with(".html")) {
        all.push_str(&s.read(f));
    }
    assert!(
        !all.contains("<script>alert"),
        "title markup leaked into HTML"
    );
    assert!(!all.contains("<b>&\"태그"), "tag markup leaked into HTML");
    // JSON-LD: parses and cannot close its script element early.
    let page = s.read("politics/nasty/index.html");
    let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + page[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(ld[0]["headline"], nasty);
    assert_eq!(ld[0]["author"][0]["name"], "</script>기자");
}

#[test]
fn sitemap_lists_every_public_page_with_the_canonical_url() {
    let s = site("");
    build(&s);
    let text = s.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    let locs = texts(&doc, "loc");
    let html_pages = s
        .files()
        .into_iter()
        .filter(|f| f.ends_with("index.html") && f != "search/index.html")
        .count();
    assert_eq!(
        locs.len(),
        html_pages,
        "every page but 404 and the (noindex) search page"
    );
    for loc in &locs {
        assert!(loc.starts_with("https://feeds.example/"), "{loc}");
        assert!(loc.is_ascii(), "{loc} must be percent-encoded");
    }
    // The same string as canonical, og:url and JSON-LD.
    let page = s.read("politics/ai-동맹-출범/index.html");
    let want = "https://feeds.example/politics/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/";
    assert!(locs.contains(&want.to_string()));
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{want}\">")));
    assert!(page.contains(&format!("<meta property=\"og:url\" content=\"{want}\">")));
    assert!(page.contains(&format!("\"mainEntityOfPage\":\"{want}\"")));
    assert!(s.read("rss.xml").contains(&format!("<link>{want}</link>")));
    // lastmod is the article's own modification time.
    let url = doc
        .descendants()
        .find(|n| n.tag_name().name() == "url" && n.children().any(|c| c.text() == Some(want)))
        .unwrap();
    assert!(
        url.children()
            .any(|c| c.text() == Some("2023-12-05T18:10:00+09:00"))
    );
}

#[test]
fn sitemap_becomes_an_index_past_its_limit() {
    let s = site("[sitemap]\nmax_urls = 3\n");
    build(&s);
    let index = s.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&index).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
    let parts = texts(&doc, "loc");
    assert!(parts.len() >= 2);
    let mut total = 0;
    for (n, loc) in parts.iter().enumerate() {
        assert_eq!(loc, &format!("https://feeds.example/sitemap-{}.xml", n + 1));
        let part = s.read(&format!("sitemap-{}.xml", n + 1));
        let count = roxmltree::Document::parse(&part)
            .unwrap()
            .descendants()
            .filter(|n| n.tag_name().name() == "url")
            .count();
        assert!(count <= 3 && count > 0);
        total += count;
    }
    assert_eq!(
        total,
        s.files()
            .into_iter()
            .filter(|f| f.ends_with("index.html") && f != "search/index.html")
            .count()
    );
}

#[test]
fn news_sitemap_holds_only_the_last_48_hours() {
    let s = site("[sitemap]\nnews_name = \"신디케이션 시험 (테스트)\"\n");
    s.write(
        "content/politics/fresh.md",
        "+++\ntitle = \"방금 나온 기사\"\ndate = 2024-03-10T09:00:00+09:00\n+++\n본문\n",
    );
    s.write(
        "content/politics/yesterday.md",
        "+++\ntitle = \"어제 기사\"\ndate = 2024-03-08T12:30:00+09:00\n+++\n본문\n",
    );
    s.write(
        "content/politics/old.md",
        "+++\ntitle = \"사흘 전 기사\"\ndate = 2024-03-07T11:00:00+09:00\n+++\n본문\n",
    );
    build(&s);
    let text = s.read("sitemap-news.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(texts(&doc, "title"), ["방금 나온 기사", "어제 기사"]);
    assert_eq!(
        texts(&doc, "publication_date"),
        ["2024-03-10T09:00:00+09:00", "2024-03-08T12:30:00+09:00"]
    );
    assert_eq!(texts(&doc, "language"), ["ko", "ko"]);
    assert!(
        texts(&doc, "name")
            .iter()
            .all(|n| n == "신디케이션 시험 (테스트)")
    );
    assert!(
        s.read("robots.txt")
            .contains("Sitemap: https://feeds.example/sitemap-news.xml\n")
    );
    // A later clock moves the window past every article. A `urlset` without a `url` fails
    // the sitemaps.org schema, so the news sitemap is not written at all: the stale one is
    // removed, and robots.txt stops naming it.
    s.nuri(&["build", "--now", "2024-03-13T00:00:00+09:00"])
        .assert_ok();
    assert!(!s.exists("sitemap-news.xml"));
    assert!(!s.read("robots.txt").contains("sitemap-news"));
    assert!(!s.read("sitemap.xml").contains("sitemap-news"));
}

#[test]
fn robots_txt_names_the_sitemaps_and_extra_lines() {
    let s = site("[seo]\nrobots = [\"#DaumWebMasterTool:abc:def\"]\n");
    build(&s);
    let robots = s.read("robots.txt");
    assert!(robots.contains("Sitemap: https://feeds.example/sitemap.xml\n"));
    assert!(robots.contains("#DaumWebMasterTool:abc:def\n"));
    // No article of the last 48 hours: no news sitemap to name.
    assert!(!s.exists("sitemap-news.xml"));
    assert!(!robots.contains("sitemap-news"), "{robots}");
}

#[test]
fn article_head_has_opengraph_twitter_and_robots() {
    let s = site("[seo]\nnaver_site_verification = \"naver123\"\n");
    build(&s);
    let page = s.read("politics/동맹-출범-현장/index.html");
    for needle in [
        "<meta property=\"og:type\" content=\"article\">",
        "<meta property=\"article:published_time\" content=\"2023-12-06T09:00:00+09:00\">",
        "<meta property=\"article:modified_time\" content=\"2023-12-06T09:00:00+09:00\">",
        "<meta property=\"article:section\" content=\"정치\">",
        "<meta property=\"article:tag\" content=\"AI\">",
        "<meta property=\"article:tag\" content=\"현장\">",
        // The 1200×630 shape, as large as the 160×90 photo allows.
        "<meta property=\"og:image:width\" content=\"160\">",
        "<meta property=\"og:image:height\" content=\"84\">",
        "<meta property=\"og:image:alt\" content=\"파란 배경의 도형\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
        "<meta name=\"robots\" content=\"max-image-preview:large\">",
        "<meta name=\"naver-site-verification\" content=\"naver123\">",
        "<link rel=\"alternate\" type=\"application/rss+xml\"",
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
}

fn json_ld(page: &str) -> serde_json::Value {
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + 35;
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn news_article_json_ld() {
    let s = site("");
    build(&s);
    let ld = json_ld(&s.read("politics/동맹-출범-현장/index.html"));
    let a = &ld[0];
    assert_eq!(a["@type"], "NewsArticle");
    assert_eq!(a["headline"], "출범 현장 사진");
    assert_eq!(a["datePublished"], "2023-12-06T09:00:00+09:00");
    assert_eq!(a["dateModified"], "2023-12-06T09:00:00+09:00");
    assert_eq!(
        a["author"].as_array().unwrap().len(),
        2,
        "one Person per author"
    );
    assert_eq!(a["author"][0]["@type"], "Person");
    assert_eq!(a["author"][0]["name"], "김하늘");
    assert_eq!(a["author"][0]["jobTitle"], "기자");
    assert_eq!(
        a["author"][0]["url"],
        "https://feeds.example/authors/%EA%B9%80%ED%95%98%EB%8A%98/"
    );
    assert_eq!(a["image"][0]["width"], 160);
    assert_eq!(a["publisher"]["@type"], "NewsMediaOrganization");
    assert_eq!(
        a["publisher"]["logo"]["url"],
        "https://feeds.example/images/logo.png"
    );
    let crumbs = &ld[1];
    assert_eq!(crumbs["@type"], "BreadcrumbList");
    let items = crumbs["itemListElement"].as_array().unwrap();
    assert!(items.len() >= 2);
    assert_eq!(items[1]["name"], "정치");
    assert_eq!(items[1]["position"], 2);
    let front = json_ld(&s.read("index.html"));
    assert_eq!(front[0]["@type"], "WebSite");
    assert_eq!(front[1]["@type"], "NewsMediaOrganization");
}

#[test]
fn thin_tag_pages_are_noindex_and_left_out_of_the_sitemap() {
    let s = site("[seo]\nnoindex_tags_below = 2\n");
    build(&s);
    let thin = s.read("tags/현장/index.html");
    assert!(thin.contains("<meta name=\"robots\" content=\"noindex, follow\">"));
    let big = s.read("tags/ai/index.html");
    assert!(big.contains("max-image-preview:large"));
    let map = s.read("sitemap.xml");
    assert!(!map.contains("/tags/%ED%98%84%EC%9E%A5/"));
    assert!(map.contains("/tags/ai/"));
}

#[test]
fn corrections_show_on_the_article_and_in_json_ld() {
    let s = site("");
    s.write(
        "content/politics/fixed.md",
        "+++\ntitle = \"정정된 기사\"\ndate = 2024-03-01T09:00:00+09:00\ncorrections = [{ date = 2024-03-02T10:00:00+09:00, note = \"참여 기관 수를 바로잡았습니다.\" }]\n+++\n본문\n",
    );
    build(&s);
    let page = s.read("politics/fixed/index.html");
    let notice = page.find("바로잡습니다").expect("notice");
    assert!(notice < page.find("class=\"article__body\"").unwrap());
    assert!(page.contains("<time datetime=\"2024-03-02T10:00:00+09:00\">2024.03.02 10:00</time> 참여 기관 수를 바로잡았습니다."));
    let ld = json_ld(&page);
    assert_eq!(ld[0]["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(
        ld[0]["correction"][0]["text"],
        "참여 기관 수를 바로잡았습니다."
    );
    assert_eq!(
        ld[0]["correction"][0]["datePublished"],
        "2024-03-02T10:00:00+09:00"
    );
}

#[test]
fn redirects_and_gone_pages() {
    let s = site(
        "gone = [\"/politics/killed/\"]\n[redirects]\n\"/news/articleView.html\" = \"/politics/\"\n\"/old/동맹/\" = \"@/politics/2023/AI-동맹-출범.md\"\n",
    );
    build(&s);
    let redirects = s.read("_redirects");
    assert!(
        redirects.contains("/news/articleView.html /politics/ 301\n"),
        "{redirects}"
    );
    assert!(
        redirects.contains(
            "/old/%EB%8F%99%EB%A7%B9/ /politics/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/ 301\n"
        ),
        "{redirects}"
    );
    assert!(redirects.contains("/politics/killed/ /410.html 410!\n"));
    let stub = s.read("old/동맹/index.html");
    assert!(stub.contains("<meta http-equiv=\"refresh\" content=\"0; url=/politics/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/\">"));
    assert!(stub.contains("<link rel=\"canonical\" href=\"https://feeds.example/politics/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/\">"));
    assert!(!stub.contains("noindex"));
    assert!(s.exists("news/articleView.html"));
    let gone = s.read("politics/killed/index.html");
    assert!(gone.contains("삭제된 기사입니다") && gone.contains("noindex"));
    assert!(s.read("410.html").contains("삭제된 기사입니다"));
    assert!(!s.read("sitemap.xml").contains("killed"));
}

#[test]
fn a_redirect_to_a_missing_article_is_an_error() {
    let s = site("[redirects]\n\"/old/\" = \"@/politics/없음.md\"\n");
    s.nuri(&["build", "--now", NOW])
        .assert_fails_with("redirect `/old/` points to @/politics/없음.md");
}
