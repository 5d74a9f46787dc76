//! Lists the page and email templates and the static files, so that `src/web_assets.rs`
//! embeds them in the binary: the server then runs from any folder.
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { panic!("cannot read {}", dir.display()) };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `("relative/name", include_…!("/absolute/path")),` for every file under `folder`.
fn table(root: &Path, folder: &str, include: &str) -> String {
    let base = root.join(folder);
    println!("cargo::rerun-if-changed={}", base.display());
    let mut files = Vec::new();
    walk(&base, &mut files);
    let mut code = String::new();
    for path in files {
        let Ok(rel) = path.strip_prefix(&base) else { continue };
        let name = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>();
        code.push_str(&format!("    ({:?}, {include}!({:?})),\n", name.join("/"), path.display().to_string()));
    }
    code
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    let code = format!(
        "/// Every file under templates/, by its path there.\npub static TEMPLATES: &[(&str, &str)] = &[\n{}];\n\
         /// Every file under static/, by its path there.\npub static STATIC: &[(&str, &[u8])] = &[\n{}];\n",
        table(&root, "templates", "include_str"),
        table(&root, "static", "include_bytes"),
    );
    std::fs::write(&out, code).expect("write embedded.rs");
    println!("cargo::rerun-if-changed=build.rs");
}
