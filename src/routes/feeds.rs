//! An Atom feed of published calls (`/calls.atom`), newest first, for anyone who wants to
//! hear of new calls in a feed reader; no login, nothing a visitor cannot see on the list.
use crate::domain::procurement::calls;
use crate::routes::errors::PageError;
use crate::state::App;
use rocket::http::ContentType;
use rocket::{State, get};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![calls_atom]
}

/// The most entries the feed carries.
const ENTRIES: usize = 50;

/// Text for XML: the five characters XML reserves, escaped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all are left out.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[get("/calls.atom")]
async fn calls_atom(app: &State<App>) -> Result<(ContentType, String), PageError> {
    let origin = app.config.public_origin.trim_end_matches('/');
    let now = app.clock.now();
    let published: Vec<_> =
        calls::list(&app.db, None).await?.into_iter().filter(|c| c.published_at.is_some()).take(ENTRIES).collect();
    let updated = published.iter().filter_map(|c| c.published_at).max().unwrap_or(now);
    let mut feed = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{}</title>\n<id>{origin}/calls.atom</id>\n<updated>{}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{origin}/calls.atom\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{origin}/calls\"/>\n<author><name>{}</name></author>\n",
        xml(crate::i18n::Locale::ZhCn.t("feed.calls_title")),
        stamp(updated),
        xml(&app.config.contracts.purchaser_name),
    );
    for c in &published {
        let at = c.published_at.unwrap_or(c.created_at);
        let phase = crate::i18n::Locale::ZhCn.t(&format!("phase.{}", calls::phase(c, now).code()));
        let deadline = c.bid_deadline.map(crate::i18n::format_datetime).unwrap_or_default();
        let summary = crate::i18n::Locale::ZhCn.tf(
            "feed.call_summary",
            &[
                ("reference", c.reference.clone().unwrap_or_default()),
                ("budget", crate::i18n::format_money(c.budget_ceiling_fen)),
                ("deadline", deadline),
                ("phase", phase.to_string()),
            ],
        );
        feed.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{origin}/calls/{}</id>\n<link rel=\"alternate\" href=\"{origin}/calls/{}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            xml(&c.title),
            c.id,
            c.id,
            stamp(at),
            stamp(c.updated_at.max(at)),
            xml(&summary),
        ));
    }
    feed.push_str("</feed>\n");
    Ok((ContentType::new("application", "atom+xml").with_params(("charset", "utf-8")), feed))
}
