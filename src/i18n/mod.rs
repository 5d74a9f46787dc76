//! The catalogue, locales and formats are the domain's (`domain::i18n`); the web layer adds
//! the template functions that read them.
pub use domain::i18n::*;

mod tera_fns;
pub use tera_fns::register;

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal keys after each of `calls` in `text`: `Msg::new("key")`, `.t("key")`,
    /// `t(k="key")`… A template's prefix joined to a value at run time (`"evaluation_kind."
    /// ~ kind`) is kept as a prefix, which some key must begin with.
    fn keys_used<'a>(text: &'a str, calls: &[&str]) -> Vec<&'a str> {
        let mut keys = Vec::new();
        for call in calls {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else { continue };
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.contains('.')
                    && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c))
                {
                    keys.push(key);
                }
            }
        }
        keys
    }

    fn files(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_key_used_in_code_and_templates_is_in_both_catalogues() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = Vec::new();
        files(&root.join("src"), "rs", &mut sources);
        files(&root.join("domain/src"), "rs", &mut sources);
        let mut templates = Vec::new();
        files(&root.join("templates"), "tera", &mut templates);
        files(&root.join("templates"), "html", &mut templates);
        let (zh, en) = (catalogue_keys(Locale::ZhCn), catalogue_keys(Locale::En));
        let mut missing = Vec::new();
        let mut seen = 0;
        for (paths, calls) in [(&sources, &["Msg::new(", ".t(", ".tf("][..]), (&templates, &["t(k="][..])] {
            for path in paths {
                let text = std::fs::read_to_string(path).expect("read");
                for key in keys_used(&text, calls) {
                    seen += 1;
                    let known = |keys: &[&str]| match key.ends_with(['.', '_']) {
                        true => keys.iter().any(|k| k.starts_with(key)),
                        false => keys.contains(&key),
                    };
                    if !known(&zh) || !known(&en) {
                        missing.push(format!("{}: {key}", path.strip_prefix(root).unwrap_or(path).display()));
                    }
                }
            }
        }
        assert!(seen > 1000, "the scan finds the keys ({seen})");
        assert!(missing.is_empty(), "keys used but not in both catalogues:\n{}", missing.join("\n"));
    }
}
