//! The background workers: delivery of the outbox and the rounds of reminders, each in a
//! loop of its own, with their heartbeats.
use crate::config::AppConfig;
use crate::domain::outbox;
use crate::error::{AppError, AppResult};
use crate::mail::build_message;
use crate::state::App;
use chrono::Duration;
use entity::enums::OutboxStatus;

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
    app.transport.send(message, m, app.config.smtp_timeout_secs).await
}

/// How long a worker holds a message it took: well beyond the longest attempt, so no other
/// worker takes it while this one may still be sending it.
pub fn lease(config: &AppConfig) -> Duration {
    Duration::seconds((config.smtp_timeout_secs.clamp(1, 600) as i64 * 4).max(300))
}

/// Delivers what is due now. Returns (sent, failed).
pub async fn deliver_due(app: &App) -> AppResult<(usize, usize)> {
    let batch = outbox::due(&app.db, app.clock.now(), 50).await?;
    let (mut sent, mut failed) = (0, 0);
    for msg in batch {
        // Held from the moment it is taken (not from the start of the batch), so that the
        // lease cannot lapse while this worker is still sending it.
        let lease_until = app.clock.now() + lease(&app.config);
        if !outbox::claim(&app.db, &msg, lease_until).await? {
            continue;
        }
        match send(app, &msg).await {
            Ok(()) => {
                outbox::mark_sent(&app.db, &msg, app.clock.now()).await?;
                sent += 1;
            }
            Err(e) => {
                let id = msg.public_ref.clone();
                let max = app.config.outbox_max_attempts;
                match outbox::mark_failed(&app.db, &msg, lease_until, app.clock.now(), &e, max).await? {
                    Some(OutboxStatus::Dead) => log::error!("mail {id} is dead after repeated failures: {e}"),
                    Some(_) => log::warn!("mail {id} failed, will retry: {e}"),
                    None => log::warn!("mail {id} failed here ({e}) but is no longer this worker's"),
                }
                failed += 1;
                // A server that hangs on one message hangs on the next: the rest of the
                // batch waits for the next round rather than a timeout each.
                if e.starts_with(crate::mail::HUNG) {
                    break;
                }
            }
        }
    }
    Ok((sent, failed))
}

/// One round of reminders and the daily checkpoint; errors are logged, and the round is
/// noted as the `reminders` heartbeat.
pub async fn run_reminders(app: &App) {
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
    let announcements =
        crate::domain::subscriptions::announce(&app.db, &app.emails, &app.config.public_origin, app.clock.now()).await;
    // At least one signed checkpoint of the audit log a day.
    let checkpoint = app.notary.if_due(&app.db, app.clock.now()).await;
    let errors: Vec<String> = [
        checkpoint.map(|_| ()),
        reminders.map(|_| ()),
        contract_reminders.map(|_| ()),
        evaluation_reminders.map(|_| ()),
        announcements.map(|_| ()),
    ]
    .into_iter()
    .filter_map(Result::err)
    .map(describe)
    .collect();
    for e in &errors {
        log::error!("reminders: {e}");
    }
    note_beat(app, "reminders", if errors.is_empty() { "ok".into() } else { errors.join("; ") }).await;
}

/// One round of delivery, noted as the `delivery` heartbeat.
pub async fn run_delivery(app: &App) {
    // No counts: they would include notices to bidders of calls still sealed.
    let note = match deliver_due(app).await {
        Ok(_) => "ok".to_string(),
        Err(e) => {
            let e = describe(e);
            log::error!("delivery: {e}");
            e
        }
    };
    note_beat(app, "delivery", note).await;
}

fn describe(e: AppError) -> String {
    match e {
        AppError::Internal(cause) => cause,
        other => other.to_string(),
    }
}

async fn note_beat(app: &App, name: &str, note: String) {
    if let Err(e) = outbox::beat(&app.db, name, app.clock.now(), &note).await {
        log::warn!("{name} heartbeat not recorded: {}", describe(e));
    }
}

/// The background workers, until the server shuts down: delivery and reminders each in
/// a loop of their own, so a slow or hung mail server never holds up reminders (which only
/// write messages) and reminders never hold up delivery.
pub fn spawn_worker(app: App, interval_secs: u64) {
    let every = std::time::Duration::from_secs(interval_secs.max(1));
    let delivery = app.clone();
    rocket::tokio::spawn(async move {
        let mut tick = rocket::tokio::time::interval(every);
        tick.set_missed_tick_behavior(rocket::tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            run_delivery(&delivery).await;
        }
    });
    rocket::tokio::spawn(async move {
        let mut tick = rocket::tokio::time::interval(every);
        tick.set_missed_tick_behavior(rocket::tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Reminders are written before the delivery loop's next round picks them up.
            run_reminders(&app).await;
        }
    });
}
