//! Delivery of the outbox: over SMTP with lettre when an SMTP URL is configured, otherwise
//! into a folder of .eml files (development), logging each message.
use crate::config::AppConfig;
use crate::domain::outbox;
use crate::error::{AppError, AppResult};
use crate::state::App;
use chrono::Duration;
use entity::enums::OutboxStatus;
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
                Ok(Transport::Smtp(builder.timeout(Some(std::time::Duration::from_secs(15))).build()))
            }
            _ => Ok(Transport::Folder(config.mail_dir.clone())),
        }
    }
}

/// The message; with a stored contract document attached when the row names one (the
/// contract PDF sent to its provider).
fn build_message(
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

async fn send(app: &App, m: &entity::outbox::Model) -> Result<(), String> {
    use sea_orm::EntityTrait;
    let attachment = match m.attachment_document_id {
        Some(id) => Some(
            entity::contract_document::Entity::find_by_id(id)
                .one(&app.db)
                .await
                .map_err(|e| format!("attachment: {e}"))?
                .ok_or_else(|| format!("attachment {id} is gone"))?,
        ),
        None => None,
    };
    let message = build_message(&app.config.mail_from, m, attachment.as_ref())?;
    match &*app.transport {
        Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        Transport::Folder(dir) => {
            rocket::tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
            let path = dir.join(format!("{:06}-{}.eml", m.id, m.kind));
            rocket::tokio::fs::write(&path, message.formatted()).await.map_err(|e| e.to_string())?;
            log::info!("mail to {} ({}) written to {}", m.to_address, m.subject, path.display());
            Ok(())
        }
    }
}

/// Delivers what is due now. Returns (sent, failed).
pub async fn deliver_due(app: &App) -> AppResult<(usize, usize)> {
    let now = app.clock.now();
    let batch = outbox::due(&app.db, now, 50).await?;
    let (mut sent, mut failed) = (0, 0);
    for msg in batch {
        // Hold the message for a while so a second worker leaves it alone.
        if !outbox::claim(&app.db, &msg, now + Duration::minutes(5)).await? {
            continue;
        }
        match send(app, &msg).await {
            Ok(()) => {
                outbox::mark_sent(&app.db, msg, app.clock.now()).await?;
                sent += 1;
            }
            Err(e) => {
                let id = msg.id;
                let status =
                    outbox::mark_failed(&app.db, msg, app.clock.now(), &e, app.config.outbox_max_attempts).await?;
                if status == OutboxStatus::Dead {
                    log::error!("mail {id} is dead after repeated failures: {e}");
                } else {
                    log::warn!("mail {id} failed, will retry: {e}");
                }
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// The background worker: runs until the server shuts down.
pub fn spawn_worker(app: App, interval_secs: u64) {
    rocket::tokio::spawn(async move {
        let mut tick = rocket::tokio::time::interval(std::time::Duration::from_secs(interval_secs.max(1)));
        loop {
            tick.tick().await;
            // Reminders first, so a reminder due now goes out in this same round.
            let reminders = crate::domain::hubs::reminders::send_term_reminders(
                &app.db,
                &app.emails,
                &app.config.public_origin,
                app.clock.now(),
                app.clock.today_local(),
            )
            .await;
            let contract_reminders = crate::domain::contracts::reminders::run(
                &app.db,
                &app.emails,
                &app.config.public_origin,
                app.clock.now(),
                &app.config.contracts,
            )
            .await;
            let evaluation_reminders = crate::domain::evaluations::reminders::run(
                &app.db,
                &app.emails,
                &app.config.public_origin,
                app.clock.now(),
                &app.config.evaluations,
            )
            .await;
            // At least one signed checkpoint of the audit log a day.
            let checkpoint = app.notary.if_due(&app.db, app.clock.now()).await;
            for e in [
                checkpoint.map(|_| ()),
                reminders.map(|_| ()),
                contract_reminders.map(|_| ()),
                evaluation_reminders.map(|_| ()),
                deliver_due(&app).await.map(|_| ()),
            ]
            .into_iter()
            .filter_map(Result::err)
            {
                match e {
                    AppError::Internal(cause) => log::error!("outbox worker: {cause}"),
                    other => log::error!("outbox worker: {other}"),
                }
            }
        }
    });
}
