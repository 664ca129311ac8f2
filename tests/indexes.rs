//! Front page, sections, taxonomies, date archives and pagination (issue 3), on generated
//! fixture sites with known dates, tags and authors.

mod common;

use common::SiteTest;

const CONFIG: &str = "title = \"목록 시험\"\nbase_url = \"https://lists.example/\"\npermalink = \"/{section}/{slug}/\"\npaginate_by = 2\n";

fn article(title: &str, date: &str, tags: &[&str], authors: &[&str], extra: &str) -> String {
    let list = |xs: &[&str]| {
        xs.iter()
            .map(|x| format!("\"{x}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "+++\ntitle = \"{title}\"\ndate = {date}\ntags = [{}]\nauthors = [{}]\n{extra}+++\n\n{title} 본문.\n",
        list(tags),
        list(authors)
    )
}

fn site(config_extra: &str) -> SiteTest {
    let s = SiteTest::empty();
    s.write("config.toml", &format!("{CONFIG}{config_extra}"));
    s
}

fn html_files(s: &SiteTest) -> Vec<String> {
    s.files()
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect()
}

/// Titles of the article cards on a list page, in order.
fn card_titles(page: &str) -> Vec<String> {
    page.split("<h3 class=\"card__title\"><a href=\"")
        .skip(1)
        .chain(page.split("<h2 class=\"card__title\"><a href=\"").skip(1))
        .map(|rest| {
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</a>").unwrap();
            rest[start..end].to_string()
        })
        .collect()
}

#[test]
fn the_exact_set_of_pages() {
    let s = site("");
    s.write("content/politics/_index.md", "+++\ntitle = \"정치\"\n+++\n");
    s.write(
        "content/politics/a.md",
        &article(
            "가",
            "2023-12-05T10:00:00+09:00",
            &["AI", "동맹"],
            &["김하늘"],
            "",
        ),
    );
    s.write(
        "content/politics/b.md",
        &article("나", "2023-11-02T10:00:00+09:00", &["ai"], &["김하늘"], ""),
    );
    s.write(
        "content/economy/c.md",
        &article(
            "다",
            "2024-01-01T05:00:00+09:00",
            &["반도체"],
            &["박지훈"],
            "",
        ),
    );
    s.build(&[]).assert_ok();
    let want = [
        "2023/11/index.html",
        "2023/12/index.html",
        "2023/index.html",
        "2024/01/index.html",
        "2024/index.html",
        "404.html",
        "archive/index.html",
        "authors/index.html",
        "authors/김하늘/index.html",
        "authors/박지훈/index.html",
        "economy/c/index.html",
        "economy/index.html",
        "index.html",
        "page/2/index.html",
        "politics/a/index.html",
        "politics/b/index.html",
        "politics/index.html",
        "search/index.html",
        "tags/ai/index.html",
        "tags/index.html",
        "tags/동맹/index.html",
        "tags/반도체/index.html",
    ];
    assert_eq!(html_files(&s), want);
}

#[test]
fn pagination_edges_zero_exactly_n_and_one_more() {
    let s = site("");
    s.write("content/empty/_index.md", "+++\ntitle = \"빈 섹션\"\n+++\n");
    s.write(
        "content/two/a.md",
        &article("하나", "2023-01-01", &[], &[], ""),
    );
    s.write(
        "content/two/b.md",
        &article("둘", "2023-01-02", &[], &[], ""),
    );
    for (i, d) in ["2023-02-01", "2023-02-02", "2023-02-03"]
        .iter()
        .enumerate()
    {
        s.write(
            &format!("content/three/{i}.md"),
            &article(&format!("셋{i}"), d, &[], &[], ""),
        );
    }
    s.build(&[]).assert_ok();
    assert!(s.exists("empty/index.html"));
    assert!(!s.exists("empty/page/2/index.html"));
    assert!(s.read("empty/index.html").contains("아직 기사가 없습니다."));
    assert!(s.exists("two/index.html"));
    assert!(!s.exists("two/page/2/index.html"));
    assert!(!s.read("two/index.html").contains("class=\"pager\""));
    assert!(s.exists("three/page/2/index.html"));
    assert!(!s.exists("three/page/3/index.html"));
    let p1 = s.read("three/index.html");
    let p2 = s.read("three/page/2/index.html");
    assert_eq!(card_titles(&p1), ["셋2", "셋1"]);
    assert_eq!(card_titles(&p2), ["셋0"]);
    assert!(p1.contains("rel=\"next\" href=\"/three/page/2/\""), "{p1}");
    assert!(p2.contains("rel=\"prev\" href=\"/three/\""), "{p2}");
    assert!(p2.contains("<link rel=\"canonical\" href=\"https://lists.example/three/page/2/\">"));
}

#[test]
fn per_section_and_per_taxonomy_page_sizes() {
    let s = site("[taxonomies.tags]\npaginate_by = 1\n");
    s.write(
        "content/news/_index.md",
        "+++\ntitle = \"뉴스\"\npaginate_by = 3\n+++\n",
    );
    for i in 0..3 {
        s.write(
            &format!("content/news/{i}.md"),
            &article(
                &format!("기사{i}"),
                &format!("2023-03-0{}", i + 1),
                &["공통"],
                &[],
                "",
            ),
        );
    }
    s.build(&[]).assert_ok();
    assert!(!s.exists("news/page/2/index.html"));
    assert!(s.exists("tags/공통/page/3/index.html"));
    assert!(s.exists("page/2/index.html"));
}

#[test]
fn hangul_terms_and_case_insensitive_tags() {
    let s = site("");
    s.write(
        "content/a/x.md",
        &article("엑스", "2023-05-01", &["한미동맹", "AI"], &[], ""),
    );
    s.write(
        "content/a/y.md",
        &article("와이", "2023-05-02", &["ai", "AI"], &[], ""),
    );
    s.write(
        "content/a/z.md",
        &article("제트", "2023-05-03", &["AI"], &[], ""),
    );
    s.build(&[]).assert_ok();
    let tag = s.read("tags/한미동맹/index.html");
    assert_eq!(card_titles(&tag), ["엑스"]);
    let ai = s.read("tags/ai/index.html");
    // One term for AI and ai, named by the majority spelling.
    assert!(ai.contains("<h1 class=\"list-head__title\">#AI"), "{ai}");
    assert!(ai.contains("기사 3건"));
    let index = s.read("tags/index.html");
    assert!(
        index.contains("href=\"/tags/%ED%95%9C%EB%AF%B8%EB%8F%99%EB%A7%B9/\""),
        "{index}"
    );
    // The index orders by count.
    assert!(index.find("/tags/ai/").unwrap() < index.find("/tags/%ED%95%9C").unwrap());
}

#[test]
fn archives_use_the_site_time_zone() {
    let s = site("");
    // 2024-01-01 05:00 KST is still 2023-12-31 in UTC.
    s.write(
        "content/a/new-year.md",
        &article("새해", "2024-01-01T05:00:00+09:00", &[], &[], ""),
    );
    s.write(
        "content/a/eve.md",
        &article("그믐", "2023-12-31T23:59:00+09:00", &[], &[], ""),
    );
    s.build(&[]).assert_ok();
    assert_eq!(card_titles(&s.read("2024/01/index.html")), ["새해"]);
    assert_eq!(card_titles(&s.read("2023/12/index.html")), ["그믐"]);
    let jan = s.read("2024/01/index.html");
    assert!(
        jan.contains("<h1 class=\"list-head__title\">2024년 1월"),
        "{jan}"
    );
    assert!(jan.contains("rel=\"prev\" href=\"/2023/12/\""), "{jan}");
    let dec = s.read("2023/12/index.html");
    assert!(dec.contains("rel=\"next\" href=\"/2024/01/\""), "{dec}");
    let index = s.read("archive/index.html");
    assert!(index.find("/2024/").unwrap() < index.find("/2023/").unwrap());
}

#[test]
fn day_archives_when_enabled() {
    let s = site("[archives]\ndays = true\n");
    s.write(
        "content/a/x.md",
        &article("하루", "2023-07-14T09:00:00+09:00", &[], &[], ""),
    );
    s.build(&[]).assert_ok();
    assert_eq!(card_titles(&s.read("2023/07/14/index.html")), ["하루"]);
    let plain = site("");
    plain.write(
        "content/a/x.md",
        &article("하루", "2023-07-14T09:00:00+09:00", &[], &[], ""),
    );
    plain.build(&[]).assert_ok();
    assert!(!plain.exists("2023/07/14/index.html"));
}

#[test]
fn scheduling_with_a_fixed_clock() {
    let s = site("");
    s.write(
        "content/a/past.md",
        &article("지난", "2025-12-01T09:00:00+09:00", &["t"], &["기자"], ""),
    );
    s.write(
        "content/a/embargo.md",
        &article(
            "엠바고",
            "2025-12-01T09:00:00+09:00",
            &["t"],
            &["기자"],
            "publish_at = 2026-01-02T00:00:00+09:00\n",
        ),
    );
    s.write(
        "content/a/future.md",
        &article("미래", "2026-03-01T09:00:00+09:00", &["t"], &["기자"], ""),
    );
    s.write(
        "content/a/expired.md",
        &article(
            "만료",
            "2025-11-01T09:00:00+09:00",
            &["t"],
            &["기자"],
            "expire_at = 2025-12-31T00:00:00+09:00\n",
        ),
    );
    s.build(&[]).assert_ok(); // clock: 2026-01-01T00:00+09:00
    let all: String = s
        .files()
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| s.read(f))
        .collect();
    for gone in ["엠바고", "미래", "만료"] {
        assert!(!all.contains(gone), "{gone} must appear nowhere");
    }
    assert!(s.read("tags/t/index.html").contains("기사 1건"));
    assert!(!s.exists("2026/index.html"));
    s.build(&["--future"]).assert_ok();
    assert!(s.exists("a/future/index.html") && s.exists("a/embargo/index.html"));
    assert!(!s.exists("a/expired/index.html"));
    s.build(&["--expired"]).assert_ok();
    assert!(s.exists("a/expired/index.html"));
    s.nuri(&["build", "--now", "2026-01-02T00:00:00+09:00"])
        .assert_ok();
    assert!(s.exists("a/embargo/index.html"));
    assert!(!s.exists("a/future/index.html"));
}

#[test]
fn related_articles_by_shared_tags_then_recency() {
    let s = site("related = 3\n");
    s.write(
        "content/a/base.md",
        &article("기준", "2023-01-01", &["x", "y", "z"], &[], ""),
    );
    s.write(
        "content/a/two-old.md",
        &article("둘옛", "2023-01-02", &["x", "y"], &[], ""),
    );
    s.write(
        "content/a/two-new.md",
        &article("둘새", "2023-01-05", &["x", "z"], &[], ""),
    );
    s.write(
        "content/a/one-new.md",
        &article("하나새", "2023-01-09", &["y"], &[], ""),
    );
    s.write(
        "content/a/one-old.md",
        &article("하나옛", "2023-01-03", &["z"], &[], ""),
    );
    s.write(
        "content/a/none.md",
        &article("무관", "2023-01-10", &["w"], &[], ""),
    );
    s.build(&[]).assert_ok();
    let page = s.read("a/base/index.html");
    let related = &page[page.find("관련 기사").unwrap()..];
    assert_eq!(card_titles(related), ["둘새", "둘옛", "하나새"]);
}

#[test]
fn previous_and_next_in_the_same_section() {
    let s = site("");
    s.write(
        "content/a/1.md",
        &article("첫째", "2023-01-01", &[], &[], ""),
    );
    s.write(
        "content/a/2.md",
        &article("둘째", "2023-01-02", &[], &[], ""),
    );
    s.write(
        "content/a/3.md",
        &article("셋째", "2023-01-03", &[], &[], ""),
    );
    s.write(
        "content/b/x.md",
        &article("다른섹션", "2023-01-02T12:00:00+09:00", &[], &[], ""),
    );
    s.build(&[]).assert_ok();
    let mid = s.read("a/2/index.html");
    assert!(mid.contains("rel=\"prev\" href=\"/a/1/\""), "{mid}");
    assert!(mid.contains("rel=\"next\" href=\"/a/3/\""), "{mid}");
    assert!(!mid.contains("다른섹션"));
}

#[test]
fn author_pages_show_the_reporter_profile() {
    let s = site(
        "[authors.\"박지훈\"]\ntitle = \"선임기자\"\nemail = \"jh@lists.example\"\nbio = \"정책을 취재한다.\"\n",
    );
    s.write(
        "content/authors/김하늘.md",
        "+++\ntitle = \"기자\"\nemail = \"sky@lists.example\"\n+++\nAI를 **취재**한다.\n",
    );
    s.write(
        "content/a/x.md",
        &article("기사", "2023-01-01", &[], &["김하늘", "박지훈"], ""),
    );
    s.build(&[]).assert_ok();
    let kim = s.read("authors/김하늘/index.html");
    assert!(
        kim.contains("김하늘 <span class=\"profile__title\">기자</span>"),
        "{kim}"
    );
    assert!(kim.contains("mailto:sky@lists.example"));
    assert!(kim.contains("<strong>취재</strong>"));
    let park = s.read("authors/박지훈/index.html");
    assert!(
        park.contains("선임기자") && park.contains("정책을 취재한다."),
        "{park}"
    );
    let page = s.read("a/x/index.html");
    assert!(page.contains("rel=\"author\">김하늘</a> 기자"), "{page}");
}

#[test]
fn declared_taxonomies_get_pages_and_undeclared_ones_are_errors() {
    let s = site("[taxonomies.series]\ntitle = \"연재\"\nsort = \"name\"\n");
    s.write(
        "content/a/x.md",
        &article(
            "연재 1",
            "2023-01-01",
            &[],
            &[],
            "taxonomies = { series = [\"AI 동맹 1년\"] }\n",
        ),
    );
    s.build(&[]).assert_ok();
    assert!(s.read("series/ai-동맹-1년/index.html").contains("연재 1"));
    assert!(s.read("series/index.html").contains("AI 동맹 1년"));
    s.write(
        "content/a/y.md",
        &article(
            "지역",
            "2023-01-01",
            &[],
            &[],
            "taxonomies = { regions = [\"서울\"] }\n",
        ),
    );
    s.build(&[])
        .assert_fails_with("content/a/y.md:6:26: error: taxonomy `regions` is not declared");
}

#[test]
fn section_order_comes_from_config_then_weight() {
    let s = site("sections = [\"zeta\"]\n");
    s.write(
        "content/alpha/_index.md",
        "+++\ntitle = \"알파\"\nweight = 2\n+++\n",
    );
    s.write(
        "content/beta/_index.md",
        "+++\ntitle = \"베타\"\nweight = 1\n+++\n",
    );
    s.write(
        "content/zeta/_index.md",
        "+++\ntitle = \"제타\"\nweight = 9\n+++\n",
    );
    s.build(&[]).assert_ok();
    let home = s.read("index.html");
    let pos = |t: &str| {
        home.find(&format!(">{t}</a></li>"))
            .unwrap_or_else(|| panic!("{t} in nav"))
    };
    assert!(pos("제타") < pos("베타") && pos("베타") < pos("알파"));
}

#[test]
fn two_builds_are_byte_identical() {
    let s = SiteTest::fixture("basic");
    s.build(&[]).assert_ok();
    let first = s.snapshot();
    s.build(&[]).assert_ok();
    assert_eq!(first, s.snapshot());
}
