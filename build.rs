//! Embeds the default theme (themes/nuri) so that `nuri init` works from an installed binary.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let theme = Path::new("themes/nuri");
    println!("cargo:rerun-if-changed=themes/nuri");
    let mut files = Vec::new();
    collect(theme, theme, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Files of the default theme: (path inside themes/nuri, bytes).\npub static THEME_FILES: &[(&str, &[u8])] = &[\n",
    );
    for rel in &files {
        let abs = std::fs::canonicalize(theme.join(rel)).expect("theme file");
        writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("theme_files.rs");
    std::fs::write(dest, out).unwrap();
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        if path.is_dir() {
            collect(base, &path, files);
        } else if let Ok(rel) = path.strip_prefix(base) {
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
