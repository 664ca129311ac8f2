//! The words around the news, in each language: the theme's `i18n/<lang>.toml`, read by
//! templates through `t(key=…)` and by nuri itself (meta descriptions, the redirect page).
//!
//! Three layers, later ones winning key by key: the default theme's strings built into nuri
//! (so a theme of its own needs only the strings it changes), the theme's `i18n/`, and the
//! site's `i18n/` (a newsroom overrides one label without copying the theme). A key that no
//! layer has for a language is an error naming the key and the language.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};

/// The folder, in a theme and in a site, that holds the strings.
pub const DIR: &str = "i18n";

/// Strings by language, then key.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    langs: BTreeMap<String, BTreeMap<String, String>>,
    /// A hash of every string: part of every page's fingerprint.
    pub hash: u64,
}

impl Strings {
    /// Reads the built-in, theme and site strings.
    pub fn load(config: &Config) -> Result<Strings, Diagnostics> {
        let mut strings = Strings::default();
        let mut diags = Diagnostics::default();
        for (rel, bytes) in crate::scaffold::THEME_FILES {
            if let Some(lang) = lang_of(rel) {
                let text = std::str::from_utf8(bytes).unwrap_or_default();
                let shown = PathBuf::from(format!("(built in) themes/nuri/{rel}"));
                strings.add(lang, &shown, text, &mut diags);
            }
        }
        for dir in [config.paths.theme.join(DIR), config.paths.root.join(DIR)] {
            for (lang, path) in files_in(&dir) {
                let shown = path
                    .strip_prefix(&config.paths.root)
                    .unwrap_or(&path)
                    .to_path_buf();
                match std::fs::read_to_string(&path) {
                    Ok(text) => strings.add(&lang, &shown, &text, &mut diags),
                    Err(e) => diags.push(Diagnostic::error(shown, format!("cannot read: {e}"))),
                }
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (lang, map) in &strings.langs {
            h.write(lang.as_bytes());
            for (k, v) in map {
                h.write(k.as_bytes());
                h.write_u8(0xff);
                h.write(v.as_bytes());
                h.write_u8(0xfe);
            }
        }
        strings.hash = h.finish();
        Ok(strings)
    }

    /// Strings from TOML text (for tests and the layers above).
    pub fn from_toml(lang: &str, text: &str) -> Result<Strings, Diagnostics> {
        let mut strings = Strings::default();
        let mut diags = Diagnostics::default();
        strings.add(lang, Path::new("strings.toml"), text, &mut diags);
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(strings)
        }
    }

    fn add(&mut self, lang: &str, shown: &Path, text: &str, diags: &mut Diagnostics) {
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let at = e.span().map_or(0, |s| s.start);
                diags.push(
                    Diagnostic::error(shown, e.message().trim().to_string())
                        .at_offset(text, at, 1)
                        .with_hint("write one string per line: read_more = \"더 보기\""),
                );
                return;
            }
        };
        let map = self.langs.entry(lang.to_string()).or_default();
        for (key, value) in table {
            match value {
                toml::Value::String(s) => {
                    map.insert(key, s);
                }
                other => {
                    let at = text.find(&key).unwrap_or(0);
                    diags.push(
                        Diagnostic::error(
                            shown,
                            format!("`{key}` is a {}, not a string", other.type_str()),
                        )
                        .at_offset(text, at, 1)
                        .with_hint(
                            "every entry is key = \"text\"; placeholders go in braces: \"{n}쪽\"",
                        ),
                    );
                }
            }
        }
    }

    /// The language whose strings serve `lang`: itself, else its primary subtag (`en-GB`
    /// is served by `en`).
    pub fn language<'s>(&'s self, lang: &str) -> Option<&'s str> {
        if let Some((k, _)) = self.langs.get_key_value(lang) {
            return Some(k);
        }
        let primary = lang.split('-').next().unwrap_or(lang);
        self.langs
            .keys()
            .find(|k| k.eq_ignore_ascii_case(lang) || k.eq_ignore_ascii_case(primary))
            .map(String::as_str)
    }

    /// The string `key` in `lang`, if there is one.
    pub fn get(&self, lang: &str, key: &str) -> Option<&str> {
        let l = self.language(lang)?;
        self.langs.get(l)?.get(key).map(String::as_str)
    }

    /// A language's own name (`한국어`, `English`) for a language switcher; the tag itself
    /// when the strings have none.
    pub fn language_name(&self, lang: &str) -> String {
        self.get(lang, "language_name").unwrap_or(lang).to_string()
    }

    /// The string `key` in `lang` with its `{name}` placeholders filled.
    pub fn text(&self, lang: &str, key: &str, args: &[(&str, &str)]) -> Result<String, String> {
        let s = self.get(lang, key).ok_or_else(|| missing(lang, key))?;
        Ok(fill(s, |name| {
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        }))
    }

    /// Every key some language has that an edition's language lacks, as errors.
    pub fn check(&self, config: &Config) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let all: std::collections::BTreeSet<&str> = self
            .langs
            .values()
            .flat_map(|m| m.keys().map(String::as_str))
            .collect();
        for ed in &config.editions {
            let Some(l) = self.language(&ed.language) else {
                diags.push(
                    Diagnostic::error(
                        PathBuf::from(DIR).join(format!("{}.toml", ed.language)),
                        format!("the theme has no strings for the language `{}`", ed.language),
                    )
                    .with_hint(format!(
                        "add i18n/{}.toml to the site, translating every key of themes/nuri/i18n/en.toml",
                        ed.language
                    )),
                );
                continue;
            };
            let have = &self.langs[l];
            let lacking: Vec<&str> = all
                .iter()
                .copied()
                .filter(|k| !have.contains_key(*k))
                .collect();
            if !lacking.is_empty() {
                diags.push(
                    Diagnostic::error(
                        PathBuf::from(DIR).join(format!("{l}.toml")),
                        format!(
                            "no string for {} in language `{l}` (other languages have {})",
                            lacking
                                .iter()
                                .take(5)
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            if lacking.len() == 1 { "it" } else { "them" }
                        ),
                    )
                    .with_hint(format!(
                        "add the keys to i18n/{l}.toml in the site or the theme"
                    )),
                );
            }
        }
        diags
    }

    /// Registers `t(key=…, lang=…, name=value…)` for pages of an edition in `lang`.
    pub fn register(self: &Arc<Self>, tera: &mut tera::Tera, lang: &str) {
        let strings = self.clone();
        let edition_lang = lang.to_string();
        // The edition's own strings, looked up without resolving the language each call.
        let own: Option<BTreeMap<String, String>> =
            self.language(lang).and_then(|l| self.langs.get(l)).cloned();
        tera.register_function(
            "t",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let key: &str = kwargs.must_get("key")?;
                let (lang, found) = match kwargs.get::<&str>("lang")? {
                    Some(l) if l != edition_lang && strings.language(l).is_some() => {
                        (l, strings.get(l, key))
                    }
                    _ => (
                        edition_lang.as_str(),
                        own.as_ref().and_then(|m| m.get(key)).map(String::as_str),
                    ),
                };
                let s = found.ok_or_else(|| tera::Error::message(missing(lang, key)))?;
                if !s.contains('{') {
                    return Ok(s.to_string());
                }
                let mut failed = None;
                let out = fill(s, |name| {
                    match kwargs.iter().find(|(k, _)| k.as_str() == Some(name)) {
                        Some((_, v)) => Some(v.to_string()),
                        None => {
                            failed.get_or_insert_with(|| name.to_string());
                            None
                        }
                    }
                });
                match failed {
                    Some(name) => Err(tera::Error::message(format!(
                        "t(key=\"{key}\"): the {lang} string needs `{name}`, as in t(key=\"{key}\", {name}=…)"
                    ))),
                    None => Ok(out),
                }
            },
        );
    }
}

fn missing(lang: &str, key: &str) -> String {
    format!("no string `{key}` for language `{lang}`: add `{key} = \"…\"` to i18n/{lang}.toml")
}

/// Replaces each `{name}` in `s` with what `value` gives (a brace without a value stays).
fn fill<S: AsRef<str>>(s: &str, mut value: impl FnMut(&str) -> Option<S>) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                match value(&after[..close]) {
                    Some(v) => out.push_str(v.as_ref()),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `i18n/ko.toml` → `ko`.
fn lang_of(rel: &str) -> Option<&str> {
    rel.strip_prefix("i18n/")?.strip_suffix(".toml")
}

/// The `<lang>.toml` files of a folder, sorted.
fn files_in(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = read
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let lang = name.strip_suffix(".toml")?.to_string();
            (!lang.starts_with('.') && e.path().is_file()).then(|| (lang, e.path()))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_braces_kept() {
        let s = Strings::from_toml("ko", "page_n = \"{n}쪽\"\nodd = \"{a b} {n}\"\n").unwrap();
        assert_eq!(s.text("ko", "page_n", &[("n", "3")]).unwrap(), "3쪽");
        assert_eq!(s.text("ko", "odd", &[("n", "1")]).unwrap(), "{a b} 1");
        assert_eq!(s.text("ko-KR", "page_n", &[("n", "2")]).unwrap(), "2쪽");
    }

    #[test]
    fn a_missing_key_names_key_and_language() {
        let s = Strings::from_toml("en", "home = \"Home\"\n").unwrap();
        let err = s.text("en", "read_more", &[]).unwrap_err();
        assert!(err.contains("`read_more`") && err.contains("`en`"), "{err}");
        assert!(s.text("ja", "home", &[]).unwrap_err().contains("`ja`"));
    }

    #[test]
    fn a_value_that_is_not_a_string_is_located() {
        let err = Strings::from_toml("en", "home = \"Home\"\ncount = 3\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("strings.toml:2:1") && text.contains("`count`"),
            "{text}"
        );
    }
}
