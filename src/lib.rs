//! Fuhua (孵化): the platform a civil-affairs bureau uses to register and incubate social
//! organizations and buy community services from them. `build` makes the whole server;
//! `serve` and the tests call exactly this.
pub mod assets;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod i18n;
pub mod mail;
pub mod page_cache;
pub mod pdf;
pub mod routes;
pub mod security;
pub mod state;
pub mod worker;

// The rules live in their own crate (domain/), which knows no Rocket, Tera, lettre or
// printpdf; its clock, errors and memory hints are used here under their short names.
pub use domain::{self, clock, error, memory};

use clock::Clock;
use config::AppConfig;
use rocket::fairing::AdHoc;
use rocket::{Build, Rocket};
use std::sync::Arc;

/// The PDF font, parsed once per process (tests and the demo build many servers in one).
pub fn shared_fonts() -> Result<Arc<pdf::FontBook>, String> {
    static FONTS: std::sync::OnceLock<Arc<pdf::FontBook>> = std::sync::OnceLock::new();
    if let Some(f) = FONTS.get() {
        return Ok(f.clone());
    }
    let parsed = Arc::new(pdf::FontBook::embedded().map_err(|e| format!("pdf font: {e}"))?);
    Ok(FONTS.get_or_init(|| parsed).clone())
}

/// Connects, migrates, and assembles the server. A failed migration is an error here,
/// so the process stops before serving anything.
pub async fn build(config: AppConfig, clock: Clock) -> Result<Rocket<Build>, String> {
    let db = db::connect(&config).await.map_err(|e| format!("database: {e}"))?;
    domain::places::ensure(&db).await.map_err(|e| format!("reference data: {e}"))?;
    let places = domain::organizations::Places::load(&db).await.map_err(|e| format!("reference data: {e}"))?;
    let reads = db::connect_reads(&config, &db).await.map_err(|e| format!("database (reads): {e}"))?;
    let emails = mail::templates::load(config.template_dir.as_deref())?;
    let pages = assets::Pages::load(config.template_dir.as_deref())?;
    let transport = mail::Transport::from_config(&config)?;
    let secret = security::secret_key(&config)?;
    let documents = pdf::Drawer::shared(shared_fonts()?);
    let proxies = Arc::new(config.proxies()?);
    let notary = Arc::new(domain::checkpoints::Notary::load(&config.data_dir)?);
    let sealer = Arc::new(domain::sealing::Sealer::load(&config.data_dir)?);
    // Bids an earlier version stored in the clear are sealed before anything is served.
    match domain::sealing::seal_pending(&db, &sealer).await {
        Ok((0, 0)) => {}
        Ok((versions, files)) => log::info!("sealed at rest: {versions} bid versions and {files} files"),
        Err(e) => return Err(format!("sealing bids at rest: {e}")),
    }
    // Imports a stopped server left half-done are undone and marked failed.
    match domain::import_jobs::recover(&db, clock.now()).await {
        Ok(0) => {}
        Ok(n) => log::warn!("{n} interrupted imports undone"),
        Err(e) => return Err(format!("recovering interrupted imports: {e}")),
    }
    let app = state::App {
        proxies,
        notary,
        sealer,
        db_gate: Arc::default(),
        db,
        reads,
        places: Arc::new(places),
        pages: Arc::new(page_cache::PageCache::new(
            config.page_cache,
            2000,
            std::time::Duration::from_millis(config.page_cache_recheck_ms),
        )),
        config: Arc::new(config.clone()),
        clock,
        emails: Arc::new(emails),
        transport: Arc::new(transport),
        documents,
    };

    let figment = rocket::Config::figment()
        .merge(("secret_key", secret))
        // The client's address comes from ClientIp, which trusts forwarding headers only from
        // configured proxies; Rocket's own X-Real-IP trust is off.
        .merge(("ip_header", false))
        // A contract's clauses may run to 4,000 Chinese characters each, 9 bytes apiece once
        // URL-encoded: the terms form must fit, so a long clause is refused by its own rule.
        .merge(("limits.form", "512 KiB"))
        .merge(("limits.data-form", "12 MiB"))
        .merge(("limits.file", "10 MiB"))
        .merge(("limits.json", "1 MiB"));

    let worker_app = app.clone();
    let (page_cache, db_gate) = (app.pages.clone(), app.db_gate.clone());
    let interval = config.outbox_interval_secs;
    Ok(rocket::custom(figment)
        .manage(app)
        .manage(pages)
        .manage(assets::StaticFiles(config.static_dir.clone()))
        .attach(security::Headers { hsts: config.secure_cookies })
        .attach(page_cache::InvalidateOnWrite(page_cache))
        .attach(db::GateFairing(db_gate))
        .attach(AdHoc::on_liftoff("outbox worker", move |_| {
            Box::pin(async move {
                if interval > 0 {
                    worker::spawn_worker(worker_app, interval);
                }
            })
        }))
        .manage(routes::PostPaths::of(&routes::pages()))
        .mount("/", routes::pages())
        .mount("/api/v1", routes::api())
        .mount("/static", assets::static_routes())
        .register("/", routes::catchers())
        .register("/api", routes::api_catchers()))
}
