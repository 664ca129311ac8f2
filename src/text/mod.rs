//! Text utilities that know Korean: slugs, URL encoding, counts for reading time.

pub mod dates;
pub mod reading;
pub mod slug;
pub mod tokens;
pub mod url;
pub mod xml;

/// Checks a language tag as written in config or front matter (`ko`, `en`, `zh-Hant`):
/// letters, digits and hyphens, a primary subtag of two or three letters.
pub fn language_tag(tag: &str) -> Result<(), String> {
    let primary = tag.split('-').next().unwrap_or("");
    let ok = !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|s| !s.is_empty() && s.len() <= 8 && s.chars().all(|c| c.is_ascii_alphanumeric()))
        && (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(format!("\"{tag}\" is not a language tag"))
    }
}

/// Shortens `text` to at most `max` characters for a description or a card: it is cut at the
/// last space (a word boundary in Korean too) if one is near, else between characters, never
/// inside one; `…` marks the cut.
/// The OpenGraph locale of a language tag: `ko` → `ko_KR`, `en` → `en_US`, `en-GB` →
/// `en_GB`; a language without a region gets its most common one.
pub fn og_locale(lang: &str) -> String {
    let mut parts = lang.split('-');
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    if let Some(region) = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return format!("{primary}_{}", region.to_ascii_uppercase());
    }
    let region = match primary.as_str() {
        "ko" => "KR",
        "en" => "US",
        "ja" => "JP",
        "zh" => "CN",
        "vi" => "VN",
        "ar" => "AR",
        "hi" => "IN",
        "sv" => "SE",
        "da" => "DK",
        "uk" => "UA",
        "cs" => "CZ",
        "el" => "GR",
        "he" => "IL",
        "fa" => "IR",
        "ms" => "MY",
        "nb" | "nn" | "no" => "NO",
        "pt" => "BR",
        other => return format!("{other}_{}", other.to_ascii_uppercase()),
    };
    format!("{primary}_{region}")
}

pub fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let head = &text[..cut];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if head[..space].chars().count() * 4 >= max * 3 => &head[..space],
        _ => head,
    };
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '.')
    )
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn og_locales() {
        assert_eq!(super::og_locale("ko"), "ko_KR");
        assert_eq!(super::og_locale("en"), "en_US");
        assert_eq!(super::og_locale("en-GB"), "en_GB");
        assert_eq!(super::og_locale("zh-Hant-TW"), "zh_TW");
        assert_eq!(super::og_locale("de"), "de_DE");
    }

    #[test]
    fn language_tags() {
        for ok in ["ko", "en", "en-US", "zh-Hant", "ko-KR"] {
            assert!(super::language_tag(ok).is_ok(), "{ok}");
        }
        for bad in ["", "k", "korean", "ko_KR", "ko-", "1a", "ko kr"] {
            assert!(super::language_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn truncation_never_splits_a_syllable_and_prefers_word_boundaries() {
        assert_eq!(truncate("짧은 글", 10), "짧은 글");
        // A space near the limit is the cut; far from it, the cut falls between syllables.
        let text = "메타와 IBM이 주도하는 AI 동맹이 출범했다";
        assert_eq!(truncate(text, 14), "메타와 IBM이 주도하는…");
        assert_eq!(truncate(text, 12), "메타와 IBM이 주도하…");
        let long = "가".repeat(30);
        let cut = truncate(&long, 10);
        assert_eq!(cut, format!("{}…", "가".repeat(10)));
    }
}
