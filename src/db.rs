//! Connecting and migrating. A failed migration stops start-up.
use crate::config::AppConfig;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::sync::Arc;
use std::time::Duration;

pub async fn connect(config: &AppConfig) -> Result<DatabaseConnection, DbErr> {
    if config.is_sqlite() {
        ensure_sqlite_folder(&config.database_url);
    }
    let mut opts = ConnectOptions::new(config.database_url.clone());
    // SQLite's one writer may be busy for a while; a PostgreSQL connection that cannot be
    // had in 3 s means the server is away or overloaded, and the request gets a 503.
    let acquire = if config.is_sqlite() { 10 } else { 3 };
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(acquire)).connect_timeout(Duration::from_secs(3));
    if let Some(schema) = &config.database_schema {
        opts.set_schema_search_path(schema.clone());
    }
    opts.map_sqlx_sqlite_opts(|o| {
        o.foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .pragma("cache_size", "-32768")
    });
    if !config.is_sqlite() {
        opts.max_connections(16);
    }
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// The pool for reads. SQLite gets its own read-only connections (the write pool has one
/// connection, so writers never race); PostgreSQL shares the write pool.
pub async fn connect_reads(config: &AppConfig, writes: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    if !config.is_sqlite() || config.database_url.contains(":memory:") {
        return Ok(writes.clone());
    }
    let mut opts = ConnectOptions::new(config.database_url.replace("mode=rwc", "mode=ro"));
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10)).max_connections(4).min_connections(1);
    // 64 MiB of page cache per reader: a registry of 100,000 stays in memory.
    opts.map_sqlx_sqlite_opts(|o| {
        o.read_only(true).busy_timeout(Duration::from_secs(5)).pragma("cache_size", "-65536")
    });
    Database::connect(opts).await
}

/// `mode=rwc` creates the file but not its folder.
fn ensure_sqlite_folder(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path.starts_with(":memory:") {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// While the database is away. The first request that finds no connection (PostgreSQL)
/// closes the gate; until a probe gets a connection again, every request is answered at
/// once with a 503 and Retry-After instead of waiting for a connection that will not come.
/// (SQLite is a file beside the server: a busy writer is not an outage, and never closes it.)
#[derive(Default)]
pub struct Gate {
    down: std::sync::atomic::AtomicBool,
}

impl Gate {
    pub fn is_down(&self) -> bool {
        self.down.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Closes the gate and starts the probe that opens it again; a no-op while closed.
    pub fn trip(self: &std::sync::Arc<Self>, db: &DatabaseConnection, config: &AppConfig) {
        use std::sync::atomic::Ordering;
        if config.is_sqlite() || self.down.swap(true, Ordering::AcqRel) {
            return;
        }
        log::error!("database unreachable: answering 503 until it is back");
        let (gate, db) = (self.clone(), db.clone());
        rocket::tokio::spawn(async move {
            loop {
                rocket::tokio::time::sleep(Duration::from_millis(500)).await;
                if let Ok(Ok(())) = rocket::tokio::time::timeout(Duration::from_secs(2), db.ping()).await {
                    gate.down.store(false, Ordering::Release);
                    log::info!("database reachable again");
                    return;
                }
            }
        });
    }
}

/// Sends every request (static files aside) to the 503 answer while the gate is closed.
pub struct GateFairing(pub Arc<Gate>);

#[rocket::async_trait]
impl rocket::fairing::Fairing for GateFairing {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info { name: "database gate", kind: rocket::fairing::Kind::Request }
    }

    async fn on_request(&self, req: &mut rocket::Request<'_>, _: &mut rocket::Data<'_>) {
        if !self.0.is_down() {
            return;
        }
        let path = req.uri().path().as_str();
        if path.starts_with("/static/") {
            return;
        }
        let to = if path.starts_with("/api/") { UNAVAILABLE_API } else { UNAVAILABLE_PAGE };
        if let Ok(uri) = rocket::http::uri::Origin::parse(to) {
            req.set_method(rocket::http::Method::Get);
            req.set_uri(uri);
        }
    }
}

pub const UNAVAILABLE_PAGE: &str = "/_unavailable";
pub const UNAVAILABLE_API: &str = "/api/v1/_unavailable";
