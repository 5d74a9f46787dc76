//! What every handler and the workers share.
use crate::clock::Clock;
use crate::config::AppConfig;
use crate::domain::outbox::EmailTemplates;
use crate::mail::Transport;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct App {
    /// Writes and anything that must see its own writes (sessions, forms).
    pub db: DatabaseConnection,
    /// Lists, searches and exports. On SQLite a separate pool of read connections
    /// (WAL lets them run beside the one writer); on PostgreSQL the same pool as `db`.
    pub reads: DatabaseConnection,
    /// Districts and communities: reference data, loaded once at start.
    pub places: Arc<crate::domain::organizations::Places>,
    /// Rendered public list pages (see page_cache).
    pub pages: Arc<crate::page_cache::PageCache>,
    pub config: Arc<AppConfig>,
    pub clock: Clock,
    pub emails: Arc<EmailTemplates>,
    pub transport: Arc<Transport>,
    /// Draws contracts and reports (the PDF drawer, its CJK font parsed once).
    pub documents: crate::pdf::Documents,
    /// Reverse proxies trusted to name the client (FUHUA_TRUSTED_PROXIES).
    pub proxies: Arc<Vec<std::net::IpAddr>>,
    /// Signs the audit log's checkpoints.
    pub notary: Arc<crate::domain::checkpoints::Notary>,
    /// Wraps each call's key for its sealed bids (domain::sealing).
    pub sealer: Arc<crate::domain::sealing::Sealer>,
    /// Closed while the database is away (503 at once); see `db::Gate`.
    pub db_gate: Arc<crate::db::Gate>,
}

impl App {
    /// Signs the audit log's head now (after an opening or an award). The step it follows
    /// has already happened, so a failure here is logged, not shown to the person.
    pub async fn checkpoint(&self) {
        if let Err(e) = self.notary.checkpoint(&self.db, self.clock.now()).await {
            log::error!("audit checkpoint not made: {e}");
        }
    }
}
