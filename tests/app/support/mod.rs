//! Test harness: a fresh database per test, the real app, agents with their own cookies,
//! builders for data, and a real SMTP listener. The builders of each area are in a
//! submodule named as the domain names it; test modules depend on these and on nothing in
//! one another.
#![allow(dead_code)]
pub mod bids;
pub mod calls;
pub mod contracts;
pub mod evaluations;
pub mod files;
pub mod hubs;
pub mod panel;
pub mod proxy;
pub mod smtp;

use chrono::{DateTime, TimeZone, Utc};
use entity::enums::Role;
use fuhua::clock::Clock;
use fuhua::config::AppConfig;
use fuhua::domain::audit::Actor;
use fuhua::domain::organizations::OrganizationInput;
use fuhua::state::App;
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use std::collections::HashMap;
use std::path::PathBuf;

pub const PASSWORD: &str = "correct horse battery";
pub const ORIGIN: &str = "http://fuhua.test";

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).single().expect("valid time")
}

pub struct TestApp {
    pub client: Client,
    pub clock: Clock,
    dir: PathBuf,
}

fn unique() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// The database for one test: a SQLite file in its own folder, or a fresh PostgreSQL schema.
async fn fresh_database(dir: &std::path::Path) -> (String, Option<String>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            use sea_orm::ConnectionTrait;
            let schema = format!("t_{}", unique());
            let admin = sea_orm::Database::connect(&url).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            admin.close().await.ok();
            (url, Some(schema))
        }
        _ => (format!("sqlite://{}?mode=rwc", dir.join("fuhua.db").display()), None),
    }
}

pub struct Options {
    pub smtp_url: Option<String>,
    pub max_attempts: i32,
    /// 0: the page cache checks the audit log on every request.
    pub page_cache_recheck_ms: u64,
    /// Served over HTTPS: secure cookies and HSTS.
    pub secure_cookies: bool,
    pub smtp_timeout_secs: u64,
    /// PostgreSQL only: reach the database through this local port (a `proxy::Relay`).
    pub database_port: Option<u16>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            smtp_url: None,
            max_attempts: 3,
            page_cache_recheck_ms: 0,
            secure_cookies: false,
            smtp_timeout_secs: 30,
            database_port: None,
        }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with(Options::default()).await
    }

    pub async fn with(opts: Options) -> TestApp {
        let dir = std::env::temp_dir().join(format!("fuhua-test-{}", unique()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (mut database_url, database_schema) = fresh_database(&dir).await;
        if let (Some(port), Ok(mut url)) = (opts.database_port, url::Url::parse(&database_url)) {
            url.set_port(Some(port)).expect("port");
            database_url = url.to_string();
        }
        let config = AppConfig {
            database_url,
            database_schema,
            public_origin: ORIGIN.into(),
            smtp_url: opts.smtp_url,
            mail_dir: dir.join("outbox"),
            data_dir: dir.clone(),
            outbox_max_attempts: opts.max_attempts,
            outbox_interval_secs: 0,
            page_cache_recheck_ms: opts.page_cache_recheck_ms,
            secure_cookies: opts.secure_cookies,
            smtp_timeout_secs: opts.smtp_timeout_secs,
            ..AppConfig::default()
        };
        let clock = Clock::fixed(t0());
        let rocket = fuhua::build(config, clock.clone()).await.expect("build app");
        let client = Client::untracked(rocket).await.expect("rocket client");
        let app = TestApp { client, clock, dir };
        fuhua::domain::places::ensure(&app.state().db).await.expect("places");
        app
    }

    /// The test's own folder: its SQLite file, data folder and mail.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// What a copy of the database holds, as bytes: the SQLite file with its write-ahead
    /// log, or on PostgreSQL every row of every table of the test's schema as text (bytea
    /// as hex), as a dump would have them.
    pub async fn raw_database(&self) -> Vec<u8> {
        use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
        let db = self.db();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            let mut out = vec![];
            for name in ["fuhua.db", "fuhua.db-wal"] {
                out.extend(std::fs::read(self.dir.join(name)).unwrap_or_default());
            }
            assert!(out.len() > 10_000, "the SQLite file is there");
            return out;
        }
        let tables = db
            .query_all_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema()",
            ))
            .await
            .expect("tables");
        let mut out = vec![];
        for t in tables {
            let name: String = t.try_get("", "t").expect("name");
            let rows = db
                .query_one_raw(Statement::from_string(
                    DatabaseBackend::Postgres,
                    format!("SELECT coalesce(string_agg(r::text, E'\\n'), '') AS d FROM \"{name}\" r"),
                ))
                .await
                .expect("rows")
                .expect("one");
            out.extend(rows.try_get::<String>("", "d").expect("text").into_bytes());
        }
        assert!(out.len() > 10_000, "the tables were read");
        out
    }

    pub fn state(&self) -> &App {
        self.client.rocket().state::<App>().expect("app state")
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state().db
    }

    pub fn agent(&self) -> Agent {
        Agent::default()
    }

    /// An account with a known password, verified, ready to log in.
    pub async fn user(&self, email: &str, role: Role, org: Option<i32>) -> entity::user::Model {
        let txn = fuhua::domain::begin(self.db()).await.expect("txn");
        let (u, _) = fuhua::domain::accounts::create_account(
            &txn,
            &Actor::system("test"),
            self.clock.now(),
            email,
            email,
            role,
            org,
            Some(PASSWORD),
        )
        .await
        .expect("create account");
        txn.commit().await.expect("commit");
        u
    }

    /// An agent logged in as a new account of this role.
    pub async fn login_as(&self, email: &str, role: Role, org: Option<i32>) -> Agent {
        self.user(email, role, org).await;
        let mut a = self.agent();
        let r = a.login(self, email, PASSWORD).await;
        assert_eq!(r, Status::SeeOther, "login of {email}");
        a
    }

    pub async fn officer(&self) -> Agent {
        self.login_as("officer@test.cn", Role::Officer, None).await
    }

    /// A new session for the officer made by `officer()` (e.g. after the clock moved on).
    pub async fn officer_again(&self) -> Agent {
        self.relogin("officer@test.cn").await
    }

    pub async fn admin_again(&self) -> Agent {
        self.relogin("admin@test.cn").await
    }

    pub async fn relogin(&self, email: &str) -> Agent {
        let mut a = self.agent();
        assert_eq!(a.login(self, email, PASSWORD).await, Status::SeeOther, "login of {email}");
        a
    }

    pub async fn admin(&self) -> Agent {
        self.login_as("admin@test.cn", Role::Admin, None).await
    }

    pub async fn district_id(&self, name: &str) -> i32 {
        let places = fuhua::domain::organizations::Places::load(self.db()).await.expect("places");
        places.district(name).map(|d| d.id).expect("district")
    }

    /// An organization made through the domain, as an officer would.
    pub async fn org(&self, name: &str, uscc: &str, district: &str) -> i32 {
        let input = org_input(name, uscc, &self.district_id(district).await.to_string());
        let o = fuhua::domain::organizations::create(
            self.db(),
            &Actor::system("test"),
            self.clock.now(),
            self.clock.today_local(),
            &input,
        )
        .await
        .expect("create organization");
        o.id
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = self.db();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }

    pub async fn outbox(&self) -> Vec<entity::outbox::Model> {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::outbox::Entity::find().order_by_asc(entity::outbox::Column::Id).all(self.db()).await.expect("outbox")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A valid code for tests: civil affairs, type 2, Sanya, and a serial.
pub fn code(serial: u32) -> String {
    fuhua::domain::uscc::make('2', "460200", &format!("MJ{serial:07}"))
}

pub fn org_input(name: &str, uscc: &str, district_id: &str) -> OrganizationInput {
    OrganizationInput {
        name: name.into(),
        uscc: uscc.into(),
        org_type: "social_service_institution".into(),
        registration_date: "2020-05-01".into(),
        registration_authority: "三亚市民政局".into(),
        legal_representative: "王海".into(),
        address: "三亚市吉阳区迎宾路1号".into(),
        district_id: district_id.into(),
        business_scope: "社区养老服务".into(),
        registered_funds: "30000".into(),
        categories: vec!["elderly".into()],
        contact_name: "李娜".into(),
        contact_phone: "0898-88123456".into(),
        contact_email: format!("{}@example.org", uscc.to_lowercase()),
        ..Default::default()
    }
}

/// A browser: its own cookies (sent back as they came) and the CSRF token it was given.
#[derive(Default, Clone)]
pub struct Agent {
    cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    pub headers: Vec<(String, String)>,
}

pub struct Page {
    pub status: Status,
    pub body: String,
    pub location: Option<String>,
    pub content_type: Option<ContentType>,
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

impl Agent {
    async fn absorb(&mut self, r: LocalResponse<'_>) -> Page {
        for c in r.cookies().iter() {
            if c.value().is_empty() || c.max_age().is_some_and(|a| a.is_zero() || a.is_negative()) {
                self.cookies.remove(c.name());
            } else {
                self.cookies.insert(c.name().to_string(), c.value().to_string());
            }
        }
        let status = r.status();
        let location = r.headers().get_one("Location").map(str::to_string);
        let content_type = r.content_type();
        let headers = r.headers().iter().map(|h| (h.name().to_string(), h.value().to_string())).collect();
        let bytes = r.into_bytes().await.unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).to_string();
        if let Some(t) = extract_csrf(&body).filter(|t| !t.is_empty()) {
            self.csrf = Some(t);
        }
        Page { status, body, location, content_type, headers, bytes }
    }

    fn decorate<'c>(
        &self,
        mut req: rocket::local::asynchronous::LocalRequest<'c>,
    ) -> rocket::local::asynchronous::LocalRequest<'c> {
        for (k, v) in &self.cookies {
            req = req.cookie(Cookie::new(k.clone(), v.clone()));
        }
        for (k, v) in &self.headers {
            req = req.header(Header::new(k.clone(), v.clone()));
        }
        req
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> Page {
        let req = self.decorate(app.client.get(path.to_string()));
        let r = req.dispatch().await;
        self.absorb(r).await
    }

    /// Posts a form with this agent's CSRF token (fetching a page first if it has none).
    pub async fn post(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.csrf.is_none() {
            self.get(app, "/login").await;
        }
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(app, path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = self.decorate(app.client.post(path.to_string())).header(ContentType::Form).body(body);
        let r = req.dispatch().await;
        self.absorb(r).await
    }

    pub async fn post_multipart(&mut self, app: &TestApp, path: &str, filename: &str, bytes: &[u8]) -> Page {
        self.post_multipart_with(app, path, &[], filename, bytes).await
    }

    /// A file posted with other fields of its form.
    pub async fn post_multipart_with(
        &mut self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        bytes: &[u8],
    ) -> Page {
        if self.csrf.is_none() {
            self.get(app, "/login").await;
        }
        let boundary = "----fuhua-test-boundary";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf.clone().unwrap_or_default()
            )
            .as_bytes(),
        );
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        let req = self.decorate(app.client.post(path.to_string())).header(ct).body(body);
        let r = req.dispatch().await;
        self.absorb(r).await
    }

    pub async fn send_json(
        &mut self,
        app: &TestApp,
        method: rocket::http::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Page {
        let req =
            self.decorate(app.client.req(method, path.to_string())).header(ContentType::JSON).body(body.to_string());
        let r = req.dispatch().await;
        self.absorb(r).await
    }

    pub async fn login(&mut self, app: &TestApp, email: &str, password: &str) -> Status {
        self.post(app, "/login", &[("email", email), ("password", password), ("next", "/")]).await.status
    }

    pub fn has_session(&self) -> bool {
        self.cookies.contains_key(fuhua::auth::SESSION_COOKIE)
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Agent {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// The page without the cells' `data-label` attributes (their column's name for phones), so
/// a test can read a table row as `<td>…</td><td>…</td>`.
pub fn without_labels(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" data-label=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " data-label=\"".len()..];
        rest = after.find('"').map(|end| &after[end + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}
