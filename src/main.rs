//! The `fuhua` command: `serve` (the default; `--demo` loads the Sanya demo into an empty
//! database), `migrate`, `create-admin`, `audit-verify`, `pdf-text`, and the benchmarks'
//! `bench-seed`, `bench-seed-hubs`, `bench-seed-bids`, `bench-seed-todo`, `bench-contract-pdf` and
//! `bench-evaluation-report` (their code is in `bench/`, part of this binary only).
mod bench;

use clap::{Parser, Subcommand};
use fuhua::clock::Clock;
use fuhua::config::AppConfig;
use fuhua::domain::audit::{self, Actor, VerifyOutcome};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "fuhua", about = "Fuhua 孵化 — social-organization registry, incubation and service procurement")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve {
        /// Load the Sanya demo dataset into an empty database and print its passwords once.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the schema and exit.
    Migrate,
    /// Make an administrator account (prints a generated password unless --password is given).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "管理员")]
        name: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Check the audit log's hash chain and every signed checkpoint (those stored, those in
    /// the data folder's checkpoints.jsonl, and those in --checkpoints FILE, e.g. a copy kept
    /// elsewhere); exits 1 and names the first bad entry or the checkpoint that disagrees.
    AuditVerify {
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        /// Accept only checkpoints signed by this Ed25519 public key (hex).
        #[arg(long)]
        key: Option<String>,
    },
    /// Print the text of a PDF Fuhua issued, one drawn line per line; exits 1 if any character
    /// lies outside its page or the file cannot be read.
    PdfText { file: std::path::PathBuf },
    /// Add synthetic organizations for the benchmark.
    BenchSeed {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
    },
    /// Add one large synthetic hub (rounds, applications, members, services) for the benchmark.
    BenchSeedHubs {
        #[arg(long, default_value_t = 20_000)]
        services: usize,
    },
    /// Add eligible organizations with one NGO account each, an officer and one published
    /// call whose bids close in --deadline-secs, for the deadline-burst benchmark.
    BenchSeedBids {
        #[arg(long, default_value_t = 500)]
        orgs: usize,
        #[arg(long, default_value_t = 180)]
        deadline_secs: i64,
        #[arg(long)]
        password: String,
    },
    /// Add a bureau's work for the to-do page benchmark (300 calls, 500 contracts with their
    /// milestones, instalments, payments and evaluations, claims and challenges) on a database
    /// holding `bench-seed` organizations and `bench-seed-bids --orgs 1` accounts.
    BenchSeedTodo {
        #[arg(long)]
        password: String,
    },
    /// Draw the demo's contract in force --docs times and print the time per document, the
    /// file size and the peak memory; write it as PDF and as an HTML page into --out.
    BenchContractPdf {
        #[arg(long, default_value_t = 1000)]
        docs: usize,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Read the demo's released final evaluation and draw its report --runs times each (and a
    /// report of the largest evaluation allowed a tenth as often); print the times, sizes and
    /// pages; write both PDFs into --out.
    BenchEvaluationReport {
        #[arg(long, default_value_t = 500)]
        runs: usize,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

async fn bench_seed_todo(config: &AppConfig, password: &str) -> Result<ExitCode, String> {
    let db = connect(config).await?;
    bench::todo::seed(&db, chrono::Utc::now(), password).await.map_err(|e| e.to_string())?;
    println!("Added {} calls and {} contracts.", bench::todo::CALLS, bench::todo::CONTRACTS);
    Ok(ExitCode::SUCCESS)
}

async fn connect(config: &AppConfig) -> Result<sea_orm::DatabaseConnection, String> {
    fuhua::db::connect(config).await.map_err(|e| format!("database: {e}"))
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    let config = AppConfig::from_env()?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let db = connect(&config).await?;
            fuhua::domain::places::ensure(&db).await.map_err(|e| e.to_string())?;
            println!("Schema is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::CreateAdmin { email, name, password } => create_admin(&config, &email, &name, password).await,
        Command::AuditVerify { checkpoints, key } => audit_verify(&config, checkpoints, key).await,
        Command::BenchSeed { count } => {
            let db = connect(&config).await?;
            bench::registry::seed(&db, count, chrono::Utc::now()).await.map_err(|e| e.to_string())?;
            println!("Added {count} organizations.");
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchSeedHubs { services } => {
            let db = connect(&config).await?;
            let hub = bench::hubs::seed(&db, chrono::Utc::now(), services).await.map_err(|e| e.to_string())?;
            println!("Added hub {hub} with {services} services.");
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchSeedBids { orgs, deadline_secs, password } => {
            let db = connect(&config).await?;
            let s = bench::bids::seed(&db, chrono::Utc::now(), orgs, deadline_secs, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Added call {} for {} organizations, bid deadline {}",
                s.call_id,
                s.organizations.len(),
                s.deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchSeedTodo { password } => bench_seed_todo(&config, &password).await,
        Command::BenchContractPdf { docs, out } => {
            let db = connect(&config).await?;
            let f = bench::contracts::run(&db, docs, &out).await.map_err(|e| e.to_string())?;
            println!(
                "docs={} pages={} bytes={} median_ms={:.2} p99_ms={:.2} max_ms={:.2} peak_rss_kib={}",
                f.docs, f.pages, f.bytes, f.median_ms, f.p99_ms, f.max_ms, f.peak_rss_kib
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::PdfText { file } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let text = fuhua::pdf::readback::read(&bytes)?;
            println!("{}", text.joined());
            let outside = text.outside();
            for (page, c, x, y) in &outside {
                eprintln!("page {page}: {c:?} drawn outside the page at ({x:.1}, {y:.1})");
            }
            Ok(if outside.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::BenchEvaluationReport { runs, out } => {
            let db = connect(&config).await?;
            let f = bench::evaluations::run(&db, runs, &out).await.map_err(|e| e.to_string())?;
            println!(
                "runs={} view_median_ms={:.2} view_p99_ms={:.2} pdf_median_ms={:.2} pdf_p99_ms={:.2} pages={} bytes={} \
                 large_median_ms={:.2} large_p99_ms={:.2} large_pages={} large_bytes={}",
                f.runs,
                f.view.median_ms,
                f.view.p99_ms,
                f.pdf.median_ms,
                f.pdf.p99_ms,
                f.pages,
                f.bytes,
                f.large_pdf.median_ms,
                f.large_pdf.p99_ms,
                f.large_pages,
                f.large_bytes
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `fuhua serve [--demo]`: migrate, load the demo if asked (into an empty database), serve.
async fn serve(config: AppConfig, demo: bool) -> Result<ExitCode, String> {
    let db = connect(&config).await?;
    fuhua::domain::places::ensure(&db).await.map_err(|e| e.to_string())?;
    if demo {
        let emails = fuhua::mail::templates::load(config.template_dir.as_deref())?;
        let sealer = fuhua::domain::sealing::Sealer::load(&config.data_dir)?;
        match fuhua::demo::load(&db, &emails, &sealer, &config.public_origin, chrono::Utc::now()).await {
            Ok(accounts) => {
                println!("\nDemo data loaded. Accounts (passwords are shown only now):");
                for (email, role, pw) in accounts {
                    println!("  {:<12} {:<26} {}", role.code(), email, pw);
                }
                println!();
            }
            Err(fuhua::error::AppError::Conflict(_)) => {
                println!("Database is not empty: demo data not loaded.")
            }
            Err(e) => return Err(format!("demo: {e}")),
        }
    } else if !fuhua::domain::accounts::any_admin(&db).await.map_err(|e| e.to_string())? {
        println!("No administrator yet: run `fuhua create-admin --email you@example.org`.");
    }
    drop(db);
    let rocket = fuhua::build(config, Clock::real()).await?;
    rocket.launch().await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// `fuhua create-admin`: the first administrator (or another).
async fn create_admin(
    config: &AppConfig,
    email: &str,
    name: &str,
    password: Option<String>,
) -> Result<ExitCode, String> {
    let db = connect(config).await?;
    let txn = fuhua::domain::begin(&db).await.map_err(|e| e.to_string())?;
    let now = chrono::Utc::now();
    let made = fuhua::domain::accounts::create_account(
        &txn,
        &Actor::system("cli"),
        now,
        email,
        name,
        entity::enums::Role::Admin,
        None,
        password.as_deref(),
    )
    .await;
    match made {
        Ok((u, pw)) => {
            txn.commit().await.map_err(|e| e.to_string())?;
            if password.is_some() {
                println!("Administrator {} created.", u.email);
            } else {
                println!("Administrator {} created. Password (shown once): {pw}", u.email);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(fuhua::error::AppError::Invalid(fe)) => {
            for (field, msg) in fe.localized(fuhua::i18n::Locale::En) {
                eprintln!("{field}: {msg}");
            }
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// `fuhua audit-verify`: the hash chain and every signed checkpoint, the server's own and
/// those given.
async fn audit_verify(
    config: &AppConfig,
    checkpoints: Option<std::path::PathBuf>,
    key: Option<String>,
) -> Result<ExitCode, String> {
    let db = connect(config).await?;
    let entries = match audit::verify(&db).await.map_err(|e| e.to_string())? {
        VerifyOutcome::Intact { entries } => entries,
        VerifyOutcome::Broken { seq, reason } => {
            println!("Audit log BROKEN at entry {seq}: {reason}.");
            return Ok(ExitCode::from(1));
        }
    };
    use fuhua::domain::checkpoints::{self, Disagreement};
    let mut all = checkpoints::list(&db).await.map_err(|e| e.to_string())?;
    let kept = config.data_dir.join("checkpoints.jsonl");
    for file in checkpoints.iter().chain(Some(&kept).filter(|k| k.exists())) {
        all.extend(checkpoints::read_file(file)?);
    }
    all.sort_by_key(|c| c.seq);
    all.dedup();
    // Only the server's own key by default: a checkpoint anyone else signed proves nothing.
    let key = key.or_else(|| checkpoints::own_public_key(&config.data_dir));
    match &key {
        Some(k) => println!("Checkpoints must be signed by {k}."),
        None => println!("No checkpoint key here (give --key): any valid signature is accepted."),
    }
    let bad = checkpoints::check(&db, &all, key.as_deref()).await.map_err(|e| e.to_string())?;
    for (cp, why) in &bad {
        let why = match why {
            Disagreement::BadSignature => "its signature does not hold",
            Disagreement::Truncated => "the log has no such entry: entries were deleted",
            Disagreement::Rewritten => "the entry there has another hash: the log was rewritten",
        };
        println!("Checkpoint at entry {} ({}) disagrees: {why}.", cp.seq, cp.at);
    }
    if !bad.is_empty() {
        println!("Audit log BROKEN: {} of {} checkpoints disagree.", bad.len(), all.len());
        return Ok(ExitCode::from(1));
    }
    println!("Audit log intact: {entries} entries; {} signed checkpoints agree.", all.len());
    Ok(ExitCode::SUCCESS)
}

#[rocket::main]
async fn main() -> ExitCode {
    fuhua::memory::tune();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fuhua: {e}");
            ExitCode::FAILURE
        }
    }
}
