//! The email bodies drawn with Tera: `email/<kind>_text.txt.tera` and
//! `email/<kind>_html.html.tera` (distinct stems, so the page engine can load the same
//! folder), with the reader's language as `lang`.
use crate::domain::outbox::{EmailBodies, EmailTemplates};
use tera::{Context, Tera};

struct TeraBodies(Tera);

impl EmailBodies for TeraBodies {
    fn bodies(&self, kind: &str, lang: &str, facts: &serde_json::Value) -> Result<(String, String), String> {
        let mut context = Context::from_value(facts.clone()).map_err(|e| e.to_string())?;
        context.insert("lang", lang);
        let text = self.0.render(&format!("{kind}_text.txt.tera"), &context).map_err(|e| format!("{e:?}"))?;
        let html = self.0.render(&format!("{kind}_html.html.tera"), &context).map_err(|e| format!("{e:?}"))?;
        Ok((text, html))
    }
}

/// The templates built into the binary, or those in `template_dir/email`.
pub fn load(template_dir: Option<&std::path::Path>) -> Result<EmailTemplates, String> {
    Ok(EmailTemplates::new(TeraBodies(crate::assets::email_engine(template_dir)?)))
}
