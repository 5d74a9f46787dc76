//! Connecting and migrating. A failed migration stops start-up.
use crate::config::AppConfig;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub async fn connect(config: &AppConfig) -> Result<DatabaseConnection, DbErr> {
    if config.is_sqlite() {
        ensure_sqlite_folder(&config.database_url);
    }
    let mut opts = ConnectOptions::new(config.database_url.clone());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
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
