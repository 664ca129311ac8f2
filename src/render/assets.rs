//! Fingerprinted CSS and JavaScript: each `.css` and `.js` static file is also published
//! under a name that carries a hash of its bytes (`css/nuri.css` → `css/nuri.3f2a1c9e.css`),
//! so a CDN may keep it for a year: a changed file gets a new name. Templates ask for an
//! asset's URL with `asset(path="css/nuri.css")`; the plain name stays published for
//! anything that links to it from outside.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::PathBuf;

use crate::error::Diagnostic;

/// Static files with a fingerprinted name: output path → fingerprinted output path.
#[derive(Debug, Default, Clone)]
pub struct Assets {
    pub names: BTreeMap<String, String>,
    /// Every static file's output path, for `asset()` on files that are not fingerprinted.
    statics: std::collections::BTreeSet<String>,
    /// Changes when any fingerprinted name does.
    pub hash: u64,
}

/// Whether a static file gets a fingerprinted name.
fn fingerprinted(output: &str) -> bool {
    (output.ends_with(".css") || output.ends_with(".js")) && !output.starts_with("search/")
}

/// `dir/name.ext` with the first 8 hex digits of `hash` before the extension.
pub fn fingerprinted_name(output: &str, hash: u64) -> String {
    let (stem, ext) = output.rsplit_once('.').unwrap_or((output, ""));
    format!("{stem}.{:08x}.{ext}", hash >> 32)
}

impl Assets {
    /// Reads the CSS and JS among `statics` (output path → source) and names them.
    pub fn of(statics: &BTreeMap<String, PathBuf>) -> (Assets, Vec<Diagnostic>) {
        let mut names = BTreeMap::new();
        let mut problems = Vec::new();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for (output, source) in statics.iter().filter(|(o, _)| fingerprinted(o)) {
            match crate::sources::read_regular(source) {
                Ok(bytes) => {
                    let name = fingerprinted_name(output, xxhash_rust::xxh3::xxh3_64(&bytes));
                    h.write(output.as_bytes());
                    h.write(name.as_bytes());
                    names.insert(output.clone(), name);
                }
                Err(e) => problems.push(Diagnostic::error(source, format!("cannot read: {e}"))),
            }
        }
        let assets = Assets {
            names,
            statics: statics.keys().cloned().collect(),
            hash: h.finish(),
        };
        (assets, problems)
    }

    /// The output path to link for static file `path` (as written in a template, with or
    /// without a leading `/`), or why there is none.
    pub fn resolve(&self, path: &str) -> Result<&str, String> {
        let path = path.trim_start_matches('/');
        if let Some(name) = self.names.get(path) {
            return Ok(name);
        }
        match self.statics.get(path) {
            Some(p) => Ok(p),
            None => Err(format!(
                "asset: there is no static file `{path}` (in static/ or the theme's static/)"
            )),
        }
    }

    /// Adds `asset(path="css/nuri.css")` to `tera`: the file's URL, fingerprinted for CSS and
    /// JS. `home` is the site's root path (`/`, or `/sub/`).
    pub fn register(&self, tera: &mut tera::Tera, home: String) {
        let assets = self.clone();
        tera.register_function(
            "asset",
            move |kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                let path: &str = kwargs.must_get("path")?;
                let out = assets.resolve(path).map_err(tera::Error::message)?;
                Ok(format!("{home}{}", crate::text::url::encode_path(out)))
            },
        );
    }

    /// The fingerprinted files, for the host's header rules.
    pub fn fingerprinted(&self) -> impl Iterator<Item = &str> {
        self.names.values().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_hash_before_the_extension() {
        assert_eq!(
            fingerprinted_name("css/nuri.css", 0x3f2a_1c9e_0000_0001),
            "css/nuri.3f2a1c9e.css"
        );
        assert_eq!(
            fingerprinted_name("js/app.min.js", 0xab),
            "js/app.min.00000000.js"
        );
        assert!(fingerprinted("css/a.css") && fingerprinted("js/x.js"));
        assert!(!fingerprinted("favicon.svg") && !fingerprinted("search/0/k/1.json"));
    }

    #[test]
    fn resolves_fingerprinted_and_plain_files_and_names_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let css = dir.path().join("nuri.css");
        std::fs::write(&css, "body{}").unwrap();
        let svg = dir.path().join("logo.svg");
        std::fs::write(&svg, "<svg/>").unwrap();
        let statics: BTreeMap<String, PathBuf> = [
            ("css/nuri.css".to_string(), css),
            ("logo.svg".to_string(), svg),
        ]
        .into();
        let (a, problems) = Assets::of(&statics);
        assert!(problems.is_empty());
        let name = a.resolve("/css/nuri.css").unwrap().to_string();
        assert!(name.starts_with("css/nuri.") && name.ends_with(".css") && name.len() == 21);
        assert_eq!(a.resolve("logo.svg"), Ok("logo.svg"));
        assert!(
            a.resolve("css/missing.css")
                .unwrap_err()
                .contains("css/missing.css")
        );
    }
}
