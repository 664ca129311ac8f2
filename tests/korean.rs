//! Korean first (issue 6): slug strategies, dates in templates, reading time, description
//! cuts, and language marking of English text in a Korean page.

mod common;

use common::SiteTest;

fn site(config_extra: &str) -> SiteTest {
    let s = SiteTest::empty();
    s.write("config.toml", &format!("title = \"한국어 시험\"\nbase_url = \"https://ko.example/\"\npermalink = \"/{{section}}/{{slug}}/\"\n{config_extra}"));
    s.write("content/news/AI 동맹 출범.md", "+++\ntitle = \"AI 동맹 출범\"\ndate = 2023-12-05T14:30:00+09:00\nid = 1001\n+++\n\n동맹이 출범했다.\n");
    s
}

#[test]
fn keep_strategy_keeps_hangul_in_nfc() {
    let s = site("");
    // A file name saved in NFD (as macOS does) becomes the same NFC URL.
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("뉴스 속보.md").collect();
    s.write(
        &format!("content/news/{nfd}"),
        "+++\ntitle = \"속보\"\ndate = 2023-12-06\n+++\n",
    );
    s.build(&[]).assert_ok();
    assert!(s.exists("news/ai-동맹-출범/index.html"), "{:?}", s.files());
    assert!(s.exists("news/뉴스-속보/index.html"), "{:?}", s.files());
}

#[test]
fn ascii_strategy_transliterates() {
    let s = site("slug = \"ascii\"\n");
    s.build(&[]).assert_ok();
    assert!(
        s.exists("news/ai-dongmaeng-culbeom/index.html"),
        "{:?}",
        s.files()
    );
}

#[test]
fn id_strategy_uses_the_article_id_and_requires_one() {
    let s = site("slug = \"id\"\n");
    s.build(&[]).assert_ok();
    assert!(s.exists("news/1001/index.html"), "{:?}", s.files());
    s.write(
        "content/news/no-id.md",
        "+++\ntitle = \"번호 없음\"\ndate = 2023-12-06\n+++\n",
    );
    s.build(&[]).assert_fails_with("content/news/no-id.md:1:1: error: this site uses slug = \"id\", but the article has no `id`");
}

#[test]
fn an_empty_slug_is_an_error_naming_the_file() {
    let s = site("");
    s.write(
        "content/news/???.md",
        "+++\ntitle = \"물음표\"\ndate = 2023-12-06\n+++\n",
    );
    s.build(&[]).assert_fails_with(
        "content/news/???.md:1:1: error: the file name `???` gives an empty slug",
    );
}

#[test]
fn an_unknown_slug_strategy_is_a_config_error() {
    let s = site("slug = \"romanize\"\n");
    s.build(&[])
        .assert_fails_with("config.toml:4:8: error: slug = \"romanize\" is not a slug strategy");
}

#[test]
fn date_filters_format_in_the_site_time_zone() {
    let s = site("ampm = true\n");
    s.write(
        "templates/404.html",
        "{{ \"2023-12-05T05:30:00Z\" | format_date(style=\"long\") }}|{{ \"2023-12-05T05:30:00Z\" | format_date(style=\"display\", ampm=false) }}|{{ \"2023-12-05T05:30:00Z\" | format_date(style=\"long\", lang=\"en\") }}|{{ \"2023-12-05T05:30:00Z\" | date(locale=\"ko\", format=\"y년 M월 d일 (E) HH:mm\", timezone=\"Asia/Seoul\") }}|{{ \"2023-12-05T05:30:00Z\" | format_date(style=\"rfc822\") }}",
    );
    s.build(&[]).assert_ok();
    assert_eq!(
        s.read("404.html"),
        "2023년 12월 5일 (화) 오후 2:30|2023.12.05 14:30|Tuesday, December 5, 2023, 2:30 PM|2023년 12월 5일 (화) 14:30|Tue, 05 Dec 2023 14:30:00 +0900"
    );
    let page = s.read("news/ai-동맹-출범/index.html");
    assert!(
        page.contains("<time datetime=\"2023-12-05T14:30:00+09:00\">2023.12.05 오후 2:30</time>"),
        "{page}"
    );
}

#[test]
fn reading_time_is_counted_from_text() {
    let s = site("");
    let korean = "동맹은 ".repeat(1000);
    // Reading counts come from the rendered body: the article's own page has them.
    s.write("templates/article.html", "{% extends \"base.html\" %}{% block content %}[{{ article.title }}:{{ article.reading.words }}:{{ article.reading.hangul }}:{{ article.reading.minutes }}]{% endblock content %}");
    s.write("content/news/long.md", &format!("+++\ntitle = \"긴 글\"\ndate = 2023-12-07\ntags = [\"t\"]\n+++\n\n{korean}\n\n**{korean}**\n"));
    s.build(&[]).assert_ok();
    let page = s.read("news/long/index.html");
    assert!(page.contains("[긴 글:2000:6000:10]"), "{page}");
    s.remove("templates/article.html");
    s.build(&[]).assert_ok();
    assert!(s.read("news/long/index.html").contains("읽는 데 10분"));
}

#[test]
fn descriptions_are_cut_between_words() {
    let s = site("");
    let summary = "메타와 IBM이 주도하는 AI 동맹이 공식 출범했다. ".repeat(10);
    s.write(
        "content/news/long.md",
        &format!(
            "+++\ntitle = \"요약이 긴 글\"\ndate = 2023-12-07\nsummary = \"{summary}\"\n+++\n본문\n"
        ),
    );
    s.build(&[]).assert_ok();
    let page = s.read("news/long/index.html");
    let start = page.find("<meta name=\"description\" content=\"").unwrap() + 34;
    let content = &page[start..start + page[start..].find('"').unwrap()];
    assert!(content.ends_with('…'), "{content}");
    assert!(content.chars().count() <= 161);
    let without = content.trim_end_matches('…');
    assert!(
        summary.starts_with(without),
        "cut only at the end: {content}"
    );
    assert!(
        summary[without.len()..].starts_with(' '),
        "cut at a word boundary: {content}"
    );
}

#[test]
fn english_text_in_a_korean_page_is_marked() {
    let s = site("");
    s.write(
        "content/news/en.md",
        "+++\ntitle = \"Open models\"\ndate = 2023-12-08\nlang = \"en\"\n+++\nEnglish body.\n",
    );
    s.build(&[]).assert_ok();
    let page = s.read("news/en/index.html");
    assert!(page.contains("<html lang=\"ko\">"));
    assert!(page.contains("<article class=\"article\" lang=\"en\">"));
    let front = s.read("index.html");
    assert!(
        front.contains("<article class=\"card card--lead\" lang=\"en\">"),
        "{front}"
    );
    let css = s.read("css/nuri.css");
    assert!(css.contains("word-break: keep-all"));
    assert!(css.contains("overflow-wrap: anywhere"));
}
