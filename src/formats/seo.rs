//! Structured data for search engines: JSON-LD `NewsArticle` with `BreadcrumbList` on
//! articles, `WebSite` and `NewsMediaOrganization` on the front page (news-standards §2).
//!
//! JSON-LD sits inside `<script>`, so `<`, `>` and `&` are written as `\u003c` etc.: a
//! headline containing `</script>` cannot end the element.

use serde_json::{Value, json};

use crate::config::Config;
use crate::model::images::ImageInfo;
use crate::model::{Site, Urls};
use crate::text::dates::iso;
use crate::text::slug::term_key;

/// Serialises for a `<script type="application/ld+json">` element.
pub fn script_json(value: &Value) -> String {
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

fn publisher(c: &Config) -> Value {
    let urls = Urls(c);
    let mut org = json!({
        "@type": "NewsMediaOrganization",
        "name": c.title,
        "url": urls.permalink("/"),
    });
    if let Some(logo) = &c.logo {
        let url = if logo.starts_with("http://") || logo.starts_with("https://") {
            logo.clone()
        } else {
            urls.permalink(logo)
        };
        org["logo"] = json!({ "@type": "ImageObject", "url": url });
    }
    if !c.seo.corrections_policy.is_empty() {
        org["correctionsPolicy"] = json!(c.seo.corrections_policy);
    }
    org
}

/// `NewsArticle` and `BreadcrumbList` for entry `i`.
pub fn article(c: &Config, site: &Site, images: &[Option<ImageInfo>], i: usize) -> String {
    let urls = Urls(c);
    let e = &site.entries[i];
    let a = &e.article;
    let tz = &c.timezone;
    let stamp = |ts: jiff::Timestamp| iso(&ts.to_zoned(tz.clone()));
    let authors: Vec<Value> = a
        .authors
        .iter()
        .map(|name| {
            let mut person = json!({ "@type": "Person", "name": name });
            if let Some(term) = site.taxonomy("authors").and_then(|t| t.term_of(c, name)) {
                person["url"] = json!(term.permalink);
            }
            if let Some(profile) = site.authors.get(&term_key(name)) {
                if !profile.title.is_empty() {
                    person["jobTitle"] = json!(profile.title);
                }
                if !profile.url.is_empty() {
                    person["sameAs"] = json!(profile.url);
                }
            }
            person
        })
        .collect();
    let description = a.summary_text();
    let mut article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": description,
        "mainEntityOfPage": e.permalink,
        "url": e.permalink,
        "datePublished": stamp(a.date),
        "dateModified": stamp(a.modified()),
        "inLanguage": a.lang.as_deref().unwrap_or(&c.language),
        "author": authors,
        "publisher": publisher(c),
        "isAccessibleForFree": true,
    });
    if let Some(img) = &images[i] {
        let mut image = json!({ "@type": "ImageObject", "url": img.permalink });
        if let (Some(w), Some(h)) = (img.width, img.height) {
            image["width"] = json!(w);
            image["height"] = json!(h);
        }
        if let Some(caption) = &img.caption {
            image["caption"] = json!(caption);
        }
        article["image"] = json!([image]);
    }
    if let Some(s) = e.section {
        article["articleSection"] = json!(site.sections[s].title);
    }
    if !a.tags.is_empty() {
        article["keywords"] = json!(a.tags);
    }
    if !c.copyright.is_empty() {
        article["copyrightHolder"] = publisher(c);
        article["copyrightYear"] = json!(a.date.to_zoned(tz.clone()).year());
    }
    if !a.corrections.is_empty() {
        let corrections: Vec<Value> = a
            .corrections
            .iter()
            .map(|k| json!({ "@type": "CorrectionComment", "text": k.note, "datePublished": stamp(k.date) }))
            .collect();
        article["correction"] = json!(corrections);
    }
    let mut crumbs = vec![
        json!({ "@type": "ListItem", "position": 1, "name": "홈", "item": urls.permalink("/") }),
    ];
    if let Some(s) = e.section {
        let sec = &site.sections[s];
        crumbs.push(
            json!({ "@type": "ListItem", "position": 2, "name": sec.title, "item": sec.permalink }),
        );
    }
    let n = crumbs.len() + 1;
    crumbs
        .push(json!({ "@type": "ListItem", "position": n, "name": a.title, "item": e.permalink }));
    let breadcrumb = json!({ "@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": crumbs });
    script_json(&json!([article, breadcrumb]))
}

/// `WebSite` and `NewsMediaOrganization` for the front page.
pub fn front(c: &Config) -> String {
    let urls = Urls(c);
    let website = json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": c.title,
        "description": c.description,
        "url": urls.permalink("/"),
        "inLanguage": c.language,
    });
    let mut org = publisher(c);
    org["@context"] = json!("https://schema.org");
    script_json(&json!([website, org]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_breakout_is_impossible() {
        let s = super::script_json(
            &serde_json::json!({ "headline": "</script><script>alert(1)</script>&" }),
        );
        assert!(!s.contains('<') && !s.contains('&'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["headline"], "</script><script>alert(1)</script>&");
    }
}
