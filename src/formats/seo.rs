//! Structured data for search engines: JSON-LD `NewsArticle` with `BreadcrumbList` on
//! articles, `WebSite` and `NewsMediaOrganization` on the front page (news-standards §2).
//!
//! Every article page carries its JSON-LD, so it is written straight into a string (building
//! a JSON tree per article cost more than rendering the page's template). It sits inside
//! `<script>`, so `<`, `>` and `&` are written as `\u003c` etc.: a headline containing
//! `</script>` cannot end the element.

use std::fmt::Write;

use crate::config::Config;
use crate::model::Urls;
use crate::text::dates::iso;
use crate::text::slug::term_key;

/// A JSON writer for `<script>` elements: objects and arrays opened and closed in order,
/// commas placed by it, strings escaped for JSON and for HTML.
struct Json {
    out: String,
    /// Per open object or array: whether it has an item yet.
    open: Vec<bool>,
}

impl Json {
    fn new() -> Json {
        Json {
            out: String::with_capacity(2048),
            open: Vec::new(),
        }
    }

    fn item(&mut self) {
        if let Some(has) = self.open.last_mut() {
            if *has {
                self.out.push(',');
            }
            *has = true;
        }
    }

    fn begin(&mut self, c: char) -> &mut Self {
        self.item();
        self.out.push(c);
        self.open.push(false);
        self
    }

    fn end(&mut self, c: char) -> &mut Self {
        self.out.push(c);
        self.open.pop();
        self
    }

    fn obj(&mut self) -> &mut Self {
        self.begin('{')
    }

    fn end_obj(&mut self) -> &mut Self {
        self.end('}')
    }

    fn arr(&mut self) -> &mut Self {
        self.begin('[')
    }

    fn end_arr(&mut self) -> &mut Self {
        self.end(']')
    }

    /// A key; the next value is its value.
    fn key(&mut self, k: &str) -> &mut Self {
        self.item();
        self.raw_str(k);
        self.out.push(':');
        // The value that follows is not another item.
        if let Some(has) = self.open.last_mut() {
            *has = false;
        }
        self
    }

    fn value_start(&mut self) {
        // After a key, no comma; otherwise (inside an array), one.
        if let Some(has) = self.open.last_mut() {
            if *has {
                self.out.push(',');
            }
            *has = true;
        }
    }

    fn str(&mut self, s: &str) -> &mut Self {
        self.value_start();
        self.raw_str(s);
        self
    }

    fn num(&mut self, n: i64) -> &mut Self {
        self.value_start();
        let _ = write!(self.out, "{n}");
        self
    }

    fn bool(&mut self, b: bool) -> &mut Self {
        self.value_start();
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    fn field(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k).str(v)
    }

    fn raw_str(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '<' => self.out.push_str("\\u003c"),
                '>' => self.out.push_str("\\u003e"),
                '&' => self.out.push_str("\\u0026"),
                '\u{2028}' => self.out.push_str("\\u2028"),
                '\u{2029}' => self.out.push_str("\\u2029"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(self.out, "\\u{:04x}", c as u32);
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

/// Serialises a JSON value for a `<script type="application/ld+json">` element.
pub fn script_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).expect("JSON");
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// An image configured by path under static/ or as an absolute URL, as an absolute URL.
fn absolute(c: &Config, image: &str) -> String {
    if image.starts_with("http://") || image.starts_with("https://") {
        image.to_string()
    } else {
        Urls(c).permalink(image)
    }
}

/// The site's image for pages without their own: `default_image`, else the logo.
pub fn fallback_image(c: &Config) -> Option<String> {
    c.default_image
        .as_deref()
        .or(c.logo.as_deref())
        .map(|i| absolute(c, i))
}

/// The newsroom as `NewsMediaOrganization` (with `@context` when it stands on its own).
fn publisher(j: &mut Json, c: &Config, context: bool) {
    let urls = Urls(c);
    j.obj();
    if context {
        j.field("@context", "https://schema.org");
    }
    j.field("@type", "NewsMediaOrganization")
        .field("name", &c.title)
        .field("url", &urls.permalink("/"));
    if let Some(logo) = &c.logo {
        let url = absolute(c, logo);
        j.key("logo")
            .obj()
            .field("@type", "ImageObject")
            .field("url", &url)
            .end_obj();
    }
    if !c.seo.corrections_policy.is_empty() {
        j.field("correctionsPolicy", &c.seo.corrections_policy);
    }
    j.end_obj();
}

/// `NewsArticle` and `BreadcrumbList` for entry `i`.
pub fn article(sc: &crate::render::views::Scope<'_>, i: usize) -> String {
    let (c, site, images) = (sc.config, sc.site, sc.images);
    let urls = Urls(c);
    let e = &site.entries[i];
    let a = &e.article;
    let stamp = |ts: jiff::Timestamp| iso(&ts.to_zoned(c.timezone.clone()));
    let mut j = Json::new();
    j.arr().obj();
    j.field("@context", "https://schema.org")
        .field("@type", "NewsArticle")
        .field("headline", &a.title)
        .field("description", a.summary_text())
        .field("mainEntityOfPage", &e.permalink)
        .field("url", &e.permalink)
        .field("datePublished", &stamp(a.date))
        .field("dateModified", &stamp(a.modified()))
        .field("inLanguage", a.lang.as_deref().unwrap_or(&c.language));
    // Translations: the default language's version is the work, the others translate it.
    let translations = &site.translations[i];
    let translation = |j: &mut Json, k: usize| {
        let t = &site.entries[k];
        j.obj()
            .field("@type", "NewsArticle")
            .field("url", &t.permalink)
            .field("headline", &t.article.title)
            .field("inLanguage", &sc.editions[t.edition].language)
            .end_obj();
    };
    if e.edition == 0 && !translations.is_empty() {
        j.key("workTranslation").arr();
        for &k in translations {
            translation(&mut j, k);
        }
        j.end_arr();
    } else if let Some(&k) = translations.iter().find(|&&k| site.entries[k].edition == 0) {
        j.key("translationOfWork");
        translation(&mut j, k);
    }
    j.key("author").arr();
    let authors = site.taxonomy(e.edition, "authors");
    for name in &a.authors {
        j.obj().field("@type", "Person").field("name", name);
        if let Some(term) = authors.and_then(|t| t.term_of(c, name)) {
            j.field("url", &term.permalink);
        }
        if let Some(profile) = site.authors.get(&term_key(name)) {
            if !profile.title.is_empty() {
                j.field("jobTitle", &profile.title);
            }
            if !profile.url.is_empty() {
                j.field("sameAs", &profile.url);
            }
        }
        j.end_obj();
    }
    j.end_arr();
    j.key("publisher");
    publisher(&mut j, c, false);
    j.key("isAccessibleForFree").bool(true);
    if let Some(img) = &images[i] {
        // Google asks for 16:9, 4:3 and 1:1 versions, each at least 1200 pixels wide where
        // the photo allows.
        let crops: Vec<(String, u32, u32)> = img
            .picture
            .iter()
            .flat_map(|p| p.crops.iter().filter(|c| c.name != "og"))
            .map(|c| (urls.file_permalink(&c.path), c.width, c.height))
            .collect();
        let versions = if crops.is_empty() {
            let size = img
                .width
                .zip(img.height)
                .map_or((0, 0), |(w, h)| (w as u32, h as u32));
            vec![(img.permalink.clone(), size.0, size.1)]
        } else {
            crops
        };
        j.key("image").arr();
        for (url, w, h) in versions {
            j.obj();
            j.field("@type", "ImageObject").field("url", &url);
            if w > 0 && h > 0 {
                j.key("width")
                    .num(i64::from(w))
                    .key("height")
                    .num(i64::from(h));
            }
            if let Some(caption) = &img.caption {
                j.field("caption", caption);
            }
            if let Some(credit) = e.article.image.as_ref().and_then(|r| r.credit.as_ref()) {
                j.field("creditText", credit);
            }
            j.end_obj();
        }
        j.end_arr();
    } else if let Some(url) = fallback_image(c) {
        // Google wants an image on every article: the site's default, else its logo.
        j.key("image").arr().str(&url).end_arr();
    }
    if let Some(s) = e.section {
        j.field("articleSection", &site.sections[s].title);
    }
    if !a.tags.is_empty() {
        j.key("keywords").arr();
        for t in &a.tags {
            j.str(t);
        }
        j.end_arr();
    }
    if !c.copyright.is_empty() {
        j.key("copyrightHolder");
        publisher(&mut j, c, false);
        j.key("copyrightYear").num(a.day.0 as i64);
    }
    if !a.corrections.is_empty() {
        j.key("correction").arr();
        for k in &a.corrections {
            j.obj()
                .field("@type", "CorrectionComment")
                .field("text", &k.note)
                .field("datePublished", &stamp(k.date))
                .end_obj();
        }
        j.end_arr();
    }
    j.end_obj();
    // The breadcrumb: home, section, article.
    j.obj()
        .field("@context", "https://schema.org")
        .field("@type", "BreadcrumbList")
        .key("itemListElement")
        .arr();
    let crumb = |j: &mut Json, position: i64, name: &str, item: &str| {
        j.obj()
            .field("@type", "ListItem")
            .key("position")
            .num(position)
            .field("name", name)
            .field("item", item)
            .end_obj();
    };
    let home = &c.this_edition().path;
    crumb(&mut j, 1, &sc.text("home", &[]), &urls.permalink(home));
    let mut n = 2;
    if let Some(s) = e.section {
        let sec = &site.sections[s];
        crumb(&mut j, 2, &sec.title, &sec.permalink);
        n = 3;
    }
    crumb(&mut j, n, &a.title, &e.permalink);
    j.end_arr().end_obj().end_arr();
    j.out
}

/// `WebSite` and `NewsMediaOrganization` for the front page.
pub fn front(c: &Config) -> String {
    let urls = Urls(c);
    let mut j = Json::new();
    j.arr()
        .obj()
        .field("@context", "https://schema.org")
        .field("@type", "WebSite")
        .field("name", &c.title)
        .field("description", &c.description)
        .field("url", &urls.permalink(&c.this_edition().path))
        .field("inLanguage", &c.language)
        .end_obj();
    publisher(&mut j, c, true);
    j.end_arr();
    j.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_breakout_is_impossible() {
        let s = super::script_json(
            &serde_json::json!({ "headline": "</script><script>alert(1)</script>&" }),
        );
        assert!(!s.contains('<') && !s.contains('&'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>&");
    }

    #[test]
    fn the_writer_makes_valid_json_with_script_safe_strings() {
        let mut j = Json::new();
        j.arr()
            .obj()
            .field("a", "</script>\"\n\u{1}")
            .key("n")
            .num(3)
            .key("list")
            .arr()
            .str("x")
            .str("y")
            .end_arr()
            .key("o")
            .obj()
            .end_obj()
            .end_obj()
            .obj()
            .end_obj()
            .end_arr();
        assert!(!j.out.contains('<'), "{}", j.out);
        let v: serde_json::Value = serde_json::from_str(&j.out).unwrap();
        assert_eq!(v[0]["a"], "</script>\"\n\u{1}");
        assert_eq!(v[0]["n"], 3);
        assert_eq!(v[0]["list"][1], "y");
        assert_eq!(v[1], serde_json::json!({}));
    }
}
