//! `nuri build` on fixture sites: pages at their permalinks, Hangul URLs, bundles, internal
//! links, theme overrides, drafts, and the safe output folder.

mod common;

use common::SiteTest;

#[test]
fn articles_are_written_at_their_permalinks_with_hangul_slugs() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let page = site.read("politics/2023/ai-동맹-출범/index.html");
    assert!(
        page.contains("<h1 class=\"headline\">메타·IBM &#39;AI 동맹&#39; 출범</h1>")
            || page.contains("<h1 class=\"headline\">메타·IBM &#x27;AI 동맹&#x27; 출범</h1>"),
        "{page}"
    );
    assert!(page.contains("<html lang=\"ko\">"));
    // Base URL path and percent-encoding in canonical links.
    assert!(page.contains("<link rel=\"canonical\" href=\"https://test.example/news/politics/2023/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/\">"), "{page}");
    // Dateline: published and updated, date and time, between headline and body.
    let h1 = page.find("<h1").unwrap();
    let published = page
        .find("입력 <time datetime=\"2023-12-05T14:30:00+09:00\">2023.12.05 14:30</time>")
        .expect("입력 dateline");
    let updated = page
        .find("수정 <time datetime=\"2023-12-05T18:10:00+09:00\">2023.12.05 18:10</time>")
        .expect("수정 dateline");
    let body = page.find("class=\"article__body\"").unwrap();
    assert!(h1 < published && published < updated && updated < body);
    // Heading ids keep Hangul and are deduplicated.
    assert!(page.contains("<h2 id=\"배경\">배경</h2>"));
    assert!(page.contains("<h2 id=\"배경-1\">배경</h2>"));
    assert!(page.contains("저작권자 © 테스트 누리집 무단전재 및 재배포 금지"));
    // The English article keeps its own language inside a Korean page.
    let en = site.read("world/2023/open-models/index.html");
    assert!(
        en.contains("<article class=\"article\" lang=\"en\">"),
        "{en}"
    );
    assert!(en.contains("Published <time"));
}

#[test]
fn bundles_carry_their_files_and_lead_photo_sizes() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    assert!(site.exists("politics/2023/동맹-출범-현장/photo.png"));
    let page = site.read("politics/2023/동맹-출범-현장/index.html");
    assert!(page.contains("<figure class=\"lead-photo\">"));
    // The photo is narrower than every configured width: one size, its own, never upscaled.
    let dir = "/news/politics/2023/%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94-%ED%98%84%EC%9E%A5/";
    let img = &page[page.find("<img src=").unwrap()..];
    let img = &img[..img.find('>').unwrap()];
    assert!(img.starts_with(&format!("<img src=\"{dir}photo.")), "{img}");
    assert!(img.contains(".160.png\" srcset=\""), "{img}");
    assert!(
        img.contains(" alt=\"파란 배경의 도형\" width=\"160\" height=\"90\""),
        "{img}"
    );
    assert!(page.contains("<figcaption>출범식 현장 [테스트 그래픽]</figcaption>"));
    // Static files are copied too.
    assert!(site.exists("images/chart.png"));
    assert!(site.exists("css/nuri.css"));
}

#[test]
fn internal_links_resolve_to_urls_with_anchors() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let page = site.read("politics/2023/동맹-출범-현장/index.html");
    assert!(page.contains("href=\"/news/politics/2023/ai-%EB%8F%99%EB%A7%B9-%EC%B6%9C%EB%B2%94/#%EB%B0%B0%EA%B2%BD\""), "{page}");
}

#[test]
fn drafts_are_published_only_with_drafts_flag() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    assert!(!site.exists("economy/2024/초안/index.html"));
    assert!(!site.read("index.html").contains("아직 쓰는 중"));
    site.build(&["--drafts"]).assert_ok();
    assert!(site.exists("economy/2024/초안/index.html"));
}

#[test]
fn site_templates_override_the_theme() {
    let site = SiteTest::fixture("basic");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>우리만의 404</p>{% endblock content %}",
    );
    site.build(&[]).assert_ok();
    assert!(site.read("404.html").contains("우리만의 404"));
    // Other templates still come from the theme.
    assert!(site.read("index.html").contains("최신 기사"));
}

#[test]
fn summary_comes_from_front_matter_then_more_marker_then_first_paragraph() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let front = site.read("index.html");
    assert!(front.contains("요약을 직접 썼다."));
    let section = site.read("politics/index.html");
    assert!(
        section.contains("메타와 IBM이 주도하는 AI 동맹이 출범했다."),
        "{section}"
    );
}

#[test]
fn base_url_flag_overrides_config() {
    let site = SiteTest::fixture("basic");
    site.build(&["--base-url", "https://me.github.io/nuri"])
        .assert_ok();
    let page = site.read("index.html");
    assert!(
        page.contains("href=\"https://me.github.io/nuri/\""),
        "{page}"
    );
    // The stylesheet by its fingerprinted name, below the base path; the file is there.
    let at = page
        .find("href=\"/nuri/css/nuri.")
        .expect("stylesheet link")
        + "href=\"/nuri/".len();
    let name = &page[at..at + page[at..].find('"').unwrap()];
    assert!(
        name.ends_with(".css") && name.len() == "css/nuri.12345678.css".len(),
        "{name}"
    );
    assert_eq!(site.read(name), site.read("css/nuri.css"));
}

#[test]
fn output_flag_writes_elsewhere() {
    let site = SiteTest::fixture("basic");
    let out = site.root.parent().unwrap().join("elsewhere");
    site.build(&["--output", out.to_str().unwrap()]).assert_ok();
    assert!(out.join("index.html").is_file());
    assert!(!site.exists("index.html"));
}

// ---- bad input: each names the file, line and column, exits 1, and publishes nothing ----

fn assert_previous_site_kept(site: &SiteTest, before: &[(String, Vec<u8>)]) {
    assert_eq!(
        site.snapshot(),
        before,
        "the previous public/ must be byte-identical"
    );
}

fn broken(rel: &str, text: &str, needle: &str) {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let before = site.snapshot();
    site.write(rel, text);
    site.build(&[]).assert_fails_with(needle);
    assert_previous_site_kept(&site, &before);
}

#[test]
fn missing_front_matter_delimiter() {
    broken(
        "content/politics/x.md",
        "title = \"제목\"\n",
        "content/politics/x.md:1:1: error: missing front matter",
    );
}

#[test]
fn bad_toml_names_line_and_column_in_the_file() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = 2023-12-05\ntags = [\"a\",\n+++\n",
        "content/politics/x.md:4:13: error: unclosed array",
    );
}

#[test]
fn missing_title() {
    broken(
        "content/politics/x.md",
        "+++\ndate = 2023-12-05\n+++\n",
        "content/politics/x.md:1:1: error: missing field `title`",
    );
}

#[test]
fn bad_date() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = \"어제 오후\"\n+++\n",
        "content/politics/x.md:3:8: error: `date` is not a valid date",
    );
}

#[test]
fn unknown_front_matter_key() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = 2023-12-05\nauthor = \"김\"\n+++\n",
        "content/politics/x.md:4:1: error: unknown field `author`",
    );
}

#[test]
fn duplicate_url_names_both_files() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    site.write(
        "content/politics/2023/dup.md",
        "+++\ntitle = \"중복\"\ndate = 2023-06-01\nslug = \"ai-동맹-출범\"\n+++\n",
    );
    let run = site.build(&[]);
    run.assert_fails_with("would both be written to /politics/2023/ai-동맹-출범/");
    let err = run.stderr();
    assert!(
        err.contains("content/politics/2023/dup.md")
            && err.contains("content/politics/2023/AI-동맹-출범.md"),
        "{err}"
    );
}

#[test]
fn broken_internal_link_names_the_line() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = 2023-12-05\n+++\n\n첫 줄\n\n[없는 기사](@/politics/없음.md)\n",
        "content/politics/x.md:8:1: error: broken internal link `@/politics/없음.md`",
    );
}

#[test]
fn link_to_a_draft_says_why() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = 2023-12-05\n+++\n\n[초안](@/economy/2024/초안.md)\n",
        "it is a draft",
    );
}

#[test]
fn unknown_anchor_is_an_error() {
    broken(
        "content/politics/x.md",
        "+++\ntitle = \"제목\"\ndate = 2023-12-05\n+++\n\n[앵커](@/politics/2023/AI-동맹-출범.md#없는-제목)\n",
        "`#없는-제목` is not a heading",
    );
}

#[test]
fn unknown_config_key() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let before = site.snapshot();
    let config = std::fs::read_to_string(site.path("config.toml")).unwrap();
    site.write("config.toml", &format!("{config}paginate = 3\n"));
    site.build(&[])
        .assert_fails_with("config.toml:7:1: error: unknown field `paginate`");
    assert_previous_site_kept(&site, &before);
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let before = site.snapshot();
    site.write("templates/article.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ article.title \n{% endblock content %}\n");
    site.build(&[])
        .assert_fails_with("templates/article.html:4:");
    assert_previous_site_kept(&site, &before);
}

#[test]
fn template_rendering_error_names_template_line_and_page() {
    let site = SiteTest::fixture("basic");
    site.write("templates/article.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ article.no_such_field }}\n{% endblock content %}\n");
    let run = site.build(&[]);
    run.assert_fails_with("templates/article.html:3:");
    assert!(run.stderr().contains("more pages"), "{}", run.stderr());
}

#[test]
fn all_content_errors_are_reported_not_just_the_first() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/politics/a.md",
        "+++\ntitle = \"\"\ndate = 2023-12-05\n+++\n",
    );
    site.write("content/politics/b.md", "no front matter\n");
    site.write(
        "content/politics/c.md",
        "+++\ntitle = \"c\"\ndate = \"nope\"\n+++\n",
    );
    let run = site.build(&[]);
    run.assert_fails_with("content/politics/a.md:2:9: error: `title` is empty");
    let err = run.stderr();
    assert!(err.contains("content/politics/b.md:1:1"), "{err}");
    assert!(err.contains("content/politics/c.md:3:8"), "{err}");
    assert!(err.contains("3 problems found"), "{err}");
}

#[test]
fn a_folder_nuri_did_not_make_is_never_replaced() {
    let site = SiteTest::fixture("basic");
    site.write("public/thesis.tex", "my thesis");
    site.build(&[]).assert_fails_with("nuri did not create it");
    assert_eq!(
        std::fs::read_to_string(site.out("thesis.tex")).unwrap(),
        "my thesis"
    );
}

#[test]
fn the_site_root_and_content_are_refused_as_output() {
    let site = SiteTest::fixture("basic");
    for out in [".", "content", ".."] {
        let target = site.root.join(out);
        site.build(&["--output", target.to_str().unwrap()])
            .assert_fails_with("refusing to write the site");
    }
    assert!(site.path("content/politics/_index.md").is_file());
}

#[test]
fn leftover_staging_from_a_killed_build_is_cleaned() {
    let site = SiteTest::fixture("basic");
    site.build(&[]).assert_ok();
    let staging = site.root.join(".public.nuri-staging");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join(".nuri-staging"), "").unwrap();
    std::fs::write(staging.join("half.html"), "half").unwrap();
    site.build(&[]).assert_ok();
    assert!(!staging.exists());
    assert!(!site.exists("half.html"));
}

#[test]
fn help_works_on_every_command() {
    let site = SiteTest::empty();
    for cmd in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["init", "--help"],
        vec!["new", "--help"],
    ] {
        let run = site.nuri(&cmd);
        assert!(run.ok(), "{cmd:?}");
        assert!(run.stdout().contains("Usage"), "{cmd:?}");
    }
}

#[test]
fn init_creates_a_site_that_builds() {
    let site = SiteTest::empty();
    let run = site.nuri(&["init", "newsroom"]);
    run.assert_ok();
    let root = site.root.join("newsroom");
    assert!(root.join("config.toml").is_file());
    assert!(root.join("themes/nuri/templates/article.html").is_file());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nuri"))
        .args(["--root", root.to_str().unwrap(), "build"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(root.join("public/news/index.html").is_file());
    // A second init refuses to touch the site.
    site.nuri(&["init", "newsroom"])
        .assert_fails_with("already exists");
}

#[test]
fn new_writes_a_draft_with_front_matter_in_site_time() {
    let site = SiteTest::fixture("basic");
    site.nuri(&["new", "politics/2025/새-기사.md", "--title", "새 \"기사\""])
        .assert_ok();
    let text = std::fs::read_to_string(site.path("content/politics/2025/새-기사.md")).unwrap();
    assert!(text.starts_with("+++\ntitle = "), "{text}");
    let front: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    assert_eq!(front["title"].as_str(), Some("새 \"기사\""), "{text}");
    assert!(text.contains("+09:00\ndraft = true\n"), "{text}");
    // It is a valid article: the site builds with drafts and includes it.
    site.nuri(&["build", "--drafts"]).assert_ok();
    let year = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Asia/Seoul").unwrap())
        .year();
    assert!(
        site.exists(&format!("politics/{year}/새-기사/index.html")),
        "{:?}",
        site.files()
    );
    site.nuri(&["new", "politics/2025/새-기사.md"])
        .assert_fails_with("already exists");
}

#[test]
fn a_site_past_a_hosts_file_limit_is_warned_about_naming_the_host() {
    let s = SiteTest::fixture("basic");
    let first = s.build(&[]);
    first.assert_ok();
    assert!(!first.stderr().contains("Cloudflare"), "{}", first.stderr());
    // 20,000 small static files take the site past Cloudflare Pages' free plan.
    for i in 0..20_000 {
        let dir = s.path(&format!("static/files/{}", i / 1000));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{i}.txt")), "x").unwrap();
    }
    for _ in 0..2 {
        // The first build writes the files; the second finds nothing changed: both warn.
        let run = s.build(&[]);
        run.assert_ok();
        let err = run.stderr();
        assert!(
            err.contains("more than some hosts take")
                && err.contains("Cloudflare Pages (free plan) allows 20,000 files")
                && !err.contains("paid plans"),
            "{err}"
        );
        assert!(run.stdout().contains("files"), "{}", run.stdout());
    }
}
