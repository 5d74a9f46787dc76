//! Email on the wire: the transport (SMTP with lettre when an SMTP URL is configured,
//! otherwise a folder of .eml files for development), the MIME message made from an outbox
//! row, and the Tera templates of the bodies. The worker module delivers the outbox.
pub mod templates;

use crate::config::AppConfig;
use lettre::message::{
    Attachment, Mailbox, MultiPart, SinglePart, header::ContentTransferEncoding, header::ContentType,
};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

impl Transport {
    pub fn from_config(config: &AppConfig) -> Result<Transport, String> {
        match &config.smtp_url {
            Some(url) if !url.trim().is_empty() => {
                let builder =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| format!("smtp url: {e}"))?;
                let step = std::time::Duration::from_secs(config.smtp_timeout_secs.clamp(1, 600));
                Ok(Transport::Smtp(builder.timeout(Some(step)).build()))
            }
            _ => Ok(Transport::Folder(config.mail_dir.clone())),
        }
    }

    /// Sends `message` (made from the outbox row `m`), waiting at most `timeout_secs` for the
    /// whole SMTP conversation.
    pub async fn send(&self, message: Message, m: &entity::outbox::Model, timeout_secs: u64) -> Result<(), String> {
        match self {
            Transport::Smtp(t) => {
                // lettre's own timeout covers connecting; this bounds the whole conversation, so
                // a server that accepts and then answers nothing cannot hold the worker.
                let limit = timeout_secs.clamp(1, 600);
                match tokio::time::timeout(std::time::Duration::from_secs(limit), t.send(message)).await {
                    Ok(r) => r.map(|_| ()).map_err(|e| e.to_string()),
                    Err(_) => Err(format!("{HUNG}{limit} s")),
                }
            }
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                let path = dir.join(format!("{:06}-{}.eml", m.id, m.kind));
                tokio::fs::write(&path, message.formatted()).await.map_err(|e| e.to_string())?;
                log::info!("mail to {} ({}) written to {}", m.to_address, m.subject, path.display());
                Ok(())
            }
        }
    }
}

/// The start of the error recorded when the SMTP server stopped answering.
pub const HUNG: &str = "the SMTP server did not answer within ";

/// The message; with a stored contract document attached when the row names one (the
/// contract PDF sent to its provider).
pub fn build_message(
    from: &str,
    m: &entity::outbox::Model,
    attachment: Option<&entity::contract_document::Model>,
) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("from address: {e}"))?;
    let to: Mailbox = m.to_address.parse().map_err(|e| format!("to address: {e}"))?;
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::Base64)
                .body(m.body_text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .header(ContentTransferEncoding::Base64)
                .body(m.body_html.clone()),
        );
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<outbox-{}@fuhua>", m.id)));
    let message = match attachment {
        None => builder.multipart(body),
        Some(d) => {
            let kind = if d.file_name.ends_with(".pdf") { "application/pdf" } else { "application/octet-stream" };
            let content_type = ContentType::parse(kind).map_err(|e| format!("attachment type: {e}"))?;
            builder.multipart(
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new(d.file_name.clone()).body(d.data.clone(), content_type)),
            )
        }
    };
    message.map_err(|e| format!("message: {e}"))
}

#[cfg(test)]
mod tests {
    use crate::domain::accounts::parse_email;
    use lettre::message::Mailbox;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    /// What `send` needs of a recipient: lettre takes it as an address and as a mailbox with
    /// no display name that prints back the same.
    fn mailer_takes(address: &str) -> bool {
        address.parse::<lettre::Address>().is_ok()
            && address.parse::<Mailbox>().is_ok_and(|m| m.name.is_none() && m.email.to_string() == address)
    }

    #[test]
    fn the_mailer_takes_every_address_the_rules_take() {
        for ok in ["wang.li@example.org", "o'brien+tag@mail.example.org", "a_b-c@x-y.cn", "wang@民政.中国"] {
            let parsed = parse_email(ok).expect(ok);
            assert!(mailer_takes(&parsed), "{ok}");
        }
        // Random addresses from the characters that trip parsers up: whatever the rules
        // accept, the mailer must deliver to (else it would sit in the queue).
        let alphabet: Vec<char> = "ab0Z.@-+_'\"\\ :;<>,()[]!#$%&*/=?^`{|}~张中é\u{202e}\t".chars().collect();
        let mut rng = StdRng::seed_from_u64(20261203);
        let mut accepted = 0;
        for _ in 0..200_000 {
            let mut piece = |most: usize| {
                let n = rng.gen_range(1..=most);
                (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())]).collect::<String>()
            };
            let (local, domain) = (piece(6), piece(8));
            for candidate in
                [format!("{local}@{domain}"), format!("{local}@{domain}.cn"), format!("{local}@a.{domain}")]
            {
                if let Ok(parsed) = parse_email(&candidate) {
                    accepted += 1;
                    assert!(mailer_takes(&parsed), "the rules take {candidate:?} but the mailer does not");
                }
            }
        }
        assert!(accepted > 1000, "the generator reaches valid addresses ({accepted})");
    }
}
