//! What every handler and the workers share.
use crate::clock::Clock;
use crate::config::AppConfig;
use crate::domain::outbox::EmailTemplates;
use crate::mail::Transport;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    pub db: DatabaseConnection,
    pub config: Arc<AppConfig>,
    pub clock: Clock,
    pub emails: Arc<EmailTemplates>,
    pub transport: Arc<Transport>,
}
