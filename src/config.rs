//! Typed settings: Rocket.toml's `[default.fuhua]`-free keys plus FUHUA_* environment
//! variables. Everything has a development default so `cargo run` needs no setup.
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// `sqlite://data/fuhua.db?mode=rwc` by default; `postgres://…` in production.
    pub database_url: String,
    /// PostgreSQL schema to use (tests give each run its own).
    pub database_schema: Option<String>,
    /// The address users reach the platform at; used in email links and the API's Origin check.
    pub public_origin: String,
    /// `smtp://host:port` (or smtps://, with credentials in the URL). None: write mail to `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: PathBuf,
    /// Where the generated cookie secret is kept when none is configured.
    pub data_dir: PathBuf,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub outbox_max_attempts: i32,
    /// Seconds an SMTP delivery may take, every step of the conversation included (connect,
    /// greeting, each command, the message): a server that accepts and then says nothing
    /// is given up on, the attempt counted as failed and retried later.
    pub smtp_timeout_secs: u64,
    /// Seconds between outbox runs; 0 turns the background worker off (tests drive it).
    pub outbox_interval_secs: u64,
    /// Keep rendered public list pages until the registry changes (FUHUA_PAGE_CACHE=false to
    /// turn off, e.g. to measure the uncached page).
    pub page_cache: bool,
    /// How often the cache re-reads the audit log for changes made by other servers or the
    /// command line (writes through this server invalidate at once).
    pub page_cache_recheck_ms: u64,
    /// Mark cookies Secure (behind HTTPS); also sends Strict-Transport-Security.
    pub secure_cookies: bool,
    /// Addresses of the reverse proxies whose X-Forwarded-For / X-Real-IP name the client,
    /// comma-separated (FUHUA_TRUSTED_PROXIES). None by default: the connection's address
    /// is the client's, and those headers are ignored.
    pub trusted_proxies: String,
    /// Read templates from this folder instead of those built into the binary (development;
    /// they are read again when a file there changes).
    pub template_dir: Option<PathBuf>,
    /// Serve `/static/` from this folder instead of the files built into the binary.
    pub static_dir: Option<PathBuf>,
    /// Tender periods, price weights and terms (FUHUA_PROCUREMENT__<FIELD>).
    pub procurement: crate::domain::procurement::rules::ProcurementRules,
    /// Contract numbering, the purchaser's particulars, reminders (FUHUA_CONTRACTS__*).
    pub contracts: crate::domain::contracts::ContractRules,
    pub evaluations: crate::domain::evaluations::EvaluationRules,
    /// The open data's ocid prefix, publisher, identifier scheme and licence (FUHUA_OPEN_DATA__*).
    pub open_data: crate::domain::open_data::OpenDataRules,
    /// The red flags' thresholds (FUHUA_INTEGRITY__<FIELD>).
    pub integrity: crate::domain::integrity::IntegrityRules,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            database_url: "sqlite://data/fuhua.db?mode=rwc".into(),
            database_schema: None,
            public_origin: "http://127.0.0.1:8000".into(),
            smtp_url: None,
            mail_from: "Fuhua 孵化 <noreply@fuhua.local>".into(),
            mail_dir: PathBuf::from("data/outbox"),
            data_dir: PathBuf::from("data"),
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            outbox_max_attempts: 8,
            smtp_timeout_secs: 30,
            outbox_interval_secs: 5,
            page_cache: true,
            page_cache_recheck_ms: 1000,
            secure_cookies: false,
            trusted_proxies: String::new(),
            template_dir: None,
            static_dir: None,
            procurement: Default::default(),
            contracts: Default::default(),
            evaluations: Default::default(),
            open_data: Default::default(),
            integrity: Default::default(),
        }
    }
}

impl AppConfig {
    /// Defaults overridden by FUHUA_* variables (FUHUA_DATABASE_URL, FUHUA_SMTP_URL, …).
    pub fn from_env() -> Result<Self, String> {
        rocket::figment::Figment::new()
            .merge(rocket::figment::providers::Env::prefixed("FUHUA_").split("__"))
            .extract::<AppConfig>()
            .map_err(|e| e.to_string())
            .and_then(|c| c.evaluations.check().map(|_| c))
            .and_then(|c| c.proxies().map(|_| c))
    }

    /// The trusted proxies' addresses; an entry that is not an IP address stops start-up.
    pub fn proxies(&self) -> Result<Vec<std::net::IpAddr>, String> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| format!("FUHUA_TRUSTED_PROXIES: {s:?} is not an IP address")))
            .collect()
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}
