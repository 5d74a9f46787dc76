//! Page and email templates and static files. They are embedded in the binary (build.rs
//! lists them), so `fuhua` serves every page from whatever folder it is started in;
//! `FUHUA_TEMPLATE_DIR` and `FUHUA_STATIC_DIR` read them from a folder instead, for
//! development: templates are then read again whenever a file there changes.
use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::{Request, Response};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;
use tera::Tera;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The templates' files as (path under templates/, text): embedded, or read from `dir`.
fn template_files(dir: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let Some(dir) = dir else {
        return Ok(embedded::TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect());
    };
    let mut files = Vec::new();
    for path in walk(dir)? {
        if path.extension().is_some_and(|e| e == "tera") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("template {}: {e}", path.display()))?;
            files.push((relative_name(dir, &path), text));
        }
    }
    Ok(files)
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("template folder {}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() { todo.push(path) } else { out.push(path) }
        }
    }
    out.sort();
    Ok(out)
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

/// The latest change under a template folder, to know when to read it again.
fn latest_change(dir: &Path) -> Option<SystemTime> {
    walk(dir).ok()?.iter().filter_map(|p| p.metadata().and_then(|m| m.modified()).ok()).max()
}

/// Builds the page engine: every template outside `email/`, named by its path without
/// its extensions (`calls/show.html.tera` is `calls/show`), as pages and `{% extends %}`
/// call them. Every page is HTML, so every one is escaped; any other kind is refused.
fn page_engine(files: &[(String, String)]) -> Result<Tera, String> {
    let mut pages = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| !p.starts_with("email/")) {
        let Some(name) = path.strip_suffix(".html.tera") else {
            return Err(format!("template {path}: pages must be HTML (name.html.tera)"));
        };
        pages.push((name.to_string(), text.as_str()));
    }
    let mut tera = Tera::default();
    // Names carry no extension, and the suffix "" matches every name: escape everything.
    tera.autoescape_on(vec![""]);
    tera.add_raw_templates(pages).map_err(|e| format!("templates: {}", error_chain(&e)))?;
    crate::i18n::register(&mut tera);
    Ok(tera)
}

/// The email engine: `email/<kind>_text.txt.tera` and `email/<kind>_html.html.tera`, named
/// by their file names; only the HTML ones are escaped.
pub(crate) fn email_engine(dir: Option<&Path>) -> Result<Tera, String> {
    let files = template_files(dir)?;
    let emails: Vec<(&str, &str)> =
        files.iter().filter_map(|(p, t)| p.strip_prefix("email/").map(|name| (name, t.as_str()))).collect();
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html.tera"]);
    tera.add_raw_templates(emails).map_err(|e| format!("email templates: {}", error_chain(&e)))?;
    crate::i18n::register(&mut tera);
    Ok(tera)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The page templates, kept in Rocket's state.
pub struct Pages {
    tera: RwLock<(Arc<Tera>, Option<SystemTime>)>,
    dir: Option<PathBuf>,
}

impl Pages {
    pub fn load(dir: Option<&Path>) -> Result<Pages, String> {
        let tera = page_engine(&template_files(dir)?)?;
        let stamp = dir.and_then(latest_change);
        Ok(Pages { tera: RwLock::new((Arc::new(tera), stamp)), dir: dir.map(Path::to_path_buf) })
    }

    fn engine(&self) -> Arc<Tera> {
        if let Some(dir) = &self.dir {
            let changed = latest_change(dir);
            let stale = self.tera.read().map(|g| g.1 != changed).unwrap_or(true);
            if stale {
                // A template being edited may not parse: keep serving the last good set.
                match template_files(Some(dir)).and_then(|f| page_engine(&f)) {
                    Ok(tera) => {
                        if let Ok(mut g) = self.tera.write() {
                            *g = (Arc::new(tera), changed);
                        }
                    }
                    Err(e) => log::error!("templates not reloaded: {e}"),
                }
            }
        }
        match self.tera.read() {
            Ok(g) => g.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    /// The page as HTML.
    pub fn render(&self, name: &str, context: &serde_json::Value) -> Result<String, String> {
        let context = tera::Context::from_value(context.clone()).map_err(|e| format!("{name}: {e}"))?;
        self.engine().render(name, &context).map_err(|e| format!("{name}: {}", error_chain(&e)))
    }
}

/// A page to render: the template's name and its context.
pub struct Template {
    name: Cow<'static, str>,
    context: serde_json::Value,
}

impl Template {
    pub fn render(name: impl Into<Cow<'static, str>>, context: serde_json::Value) -> Template {
        Template { name: name.into(), context }
    }
}

impl<'r> Responder<'r, 'static> for Template {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let Some(pages) = req.rocket().state::<Pages>() else {
            log::error!("page templates are not loaded");
            return Err(Status::InternalServerError);
        };
        match pages.render(&self.name, &self.context) {
            Ok(html) => (ContentType::HTML, html).respond_to(req),
            Err(e) => {
                log::error!("template {e}");
                Err(Status::InternalServerError)
            }
        }
    }
}

/// Where `/static/…` comes from.
pub struct StaticFiles(pub Option<PathBuf>);

/// A static file: embedded, or from `FUHUA_STATIC_DIR`.
pub struct StaticFile(ContentType, Cow<'static, [u8]>);

impl<'r> Responder<'r, 'static> for StaticFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = self.1;
        Response::build().header(self.0).sized_body(body.len(), std::io::Cursor::new(body.into_owned())).ok()
    }
}

impl StaticFiles {
    /// The file at `path` (segments already checked by Rocket: no `..`, no hidden files).
    pub fn get(&self, path: &Path) -> Option<StaticFile> {
        let name = relative_name(Path::new(""), path);
        let kind = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(ContentType::from_extension)
            .unwrap_or(ContentType::Binary);
        match &self.0 {
            Some(dir) => std::fs::read(dir.join(path)).ok().map(|b| StaticFile(kind, Cow::Owned(b))),
            None => embedded::STATIC
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, bytes)| StaticFile(kind, Cow::Borrowed(*bytes))),
        }
    }
}

#[rocket::get("/<path..>")]
fn static_file(path: PathBuf, files: &rocket::State<StaticFiles>) -> Option<StaticFile> {
    files.get(&path)
}

pub fn static_routes() -> Vec<rocket::Route> {
    rocket::routes![static_file]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_embedded_and_parses() {
        let on_disk = template_files(Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))).unwrap();
        let embedded = template_files(None).unwrap();
        assert_eq!(embedded, on_disk);
        let pages = page_engine(&embedded).unwrap();
        assert!(pages.get_template_names().any(|n| n == "base"));
        assert!(pages.get_template_names().any(|n| n == "calls/show"));
        assert!(pages.get_template_names().all(|n| !n.starts_with("email/")));
        let emails = email_engine(None).unwrap();
        assert!(emails.get_template_names().any(|n| n == "award_won_html.html.tera"));
    }

    #[test]
    fn pages_escape_and_text_mails_do_not() {
        let mut pages = page_engine(&[("probe.html.tera".to_string(), "<p>{{ v }}</p>".to_string())]).unwrap();
        let ctx = tera::Context::from_value(serde_json::json!({"v": "<script>&"})).unwrap();
        assert_eq!(pages.render("probe", &ctx).unwrap(), "<p>&lt;script&gt;&amp;</p>");
        pages.add_raw_template("probe2", "{{ v | safe }}").unwrap();
        assert_eq!(pages.render("probe2", &ctx).unwrap(), "<script>&");
        assert!(page_engine(&[("feed.xml.tera".to_string(), String::new())]).is_err());
    }

    #[test]
    fn static_files_are_embedded() {
        let files = StaticFiles(None);
        let css = files.get(Path::new("fuhua.css")).unwrap();
        assert_eq!(css.0, ContentType::CSS);
        let disk = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("static/fuhua.css")).unwrap();
        assert_eq!(&*css.1, &disk[..]);
        assert!(files.get(Path::new("missing.css")).is_none());
    }
}
