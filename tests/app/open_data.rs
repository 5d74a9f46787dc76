//! Open contracting data: every published call's release package and record validate
//! against the official OCDS 1.1.5 schemas (with the bid extension merged in), nothing of a
//! sealed bid appears before opening, and a draft or an unknown call is not found.
use crate::support::bids::{bid, member, published_call};
use crate::support::panel::opened_call;
use crate::support::*;
use fuhua::domain::procurement::bids;
use rocket::http::Status;
use serde_json::{Value, json};

const CORE: &str = include_str!("../../reference/ocds/1.1.5/release-schema.json");
const BIDS: &str = include_str!("../../reference/ocds/bids-v1.1.5/release-schema.json");
const RELEASE_PACKAGE: &str = include_str!("../../reference/ocds/1.1.5/release-package-schema.json");
const RECORD_PACKAGE: &str = include_str!("../../reference/ocds/1.1.5/record-package-schema.json");
const RELEASE_URI: &str = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";

/// JSON Merge Patch (RFC 7386), as the standard applies an extension to the release schema.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// The release schema with the bid extension, served to the validator for the packages'
/// references to it (nothing is fetched).
struct Schemas(Value);

impl jsonschema::Retrieve for Schemas {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str() == RELEASE_URI {
            Ok(self.0.clone())
        } else if uri.as_str().ends_with("/versioned-release-validation-schema.json") {
            // A record's optional versioned release, which Fuhua does not publish.
            Ok(json!({}))
        } else {
            Err(format!("no schema for {uri}").into())
        }
    }
}

fn validator(package: &str) -> jsonschema::Validator {
    let mut release: Value = serde_json::from_str(CORE).expect("core schema");
    merge_patch(&mut release, &serde_json::from_str(BIDS).expect("bid extension"));
    let schema: Value = serde_json::from_str(package).expect("package schema");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .with_retriever(Schemas(release))
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} breaks the schema:\n{}\n{doc:#}", errors.join("\n"));
}

#[rocket::async_test]
async fn every_published_call_of_the_demo_is_valid_open_contracting_data() {
    let app = TestApp::new().await;
    fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
    let (releases, records) = (validator(RELEASE_PACKAGE), validator(RECORD_PACKAGE));
    let calls = <entity::call::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.expect("calls");
    let mut a = app.agent();
    let (mut published, mut with_bids, mut with_contracts) = (0, 0, 0);
    for c in &calls {
        let r = a.get(&app, &format!("/api/v1/open-data/calls/{}/releases.json", c.id)).await;
        if c.status == entity::enums::CallStatus::Draft {
            assert_eq!(r.status, Status::NotFound, "a draft has no open data");
            continue;
        }
        published += 1;
        assert_eq!(r.status, Status::Ok, "{}", r.body);
        let package: Value = serde_json::from_str(&r.body).expect("json");
        assert_valid(&releases, &package, &format!("the release package of call {}", c.id));
        // The package's address is where it is served.
        assert_eq!(package["uri"], json!(format!("{ORIGIN}/api/v1/open-data/calls/{}/releases.json", c.id)));
        let ocid = format!("ocds-fuhua1-{}", c.reference.clone().expect("reference"));
        assert!(package["releases"].as_array().expect("releases").iter().all(|r| r["ocid"] == json!(ocid)));
        let record: Value =
            serde_json::from_str(&a.get(&app, &format!("/api/v1/open-data/calls/{}/record.json", c.id)).await.body)
                .expect("json");
        assert_valid(&records, &record, &format!("the record of call {}", c.id));
        let compiled = &record["records"][0]["compiledRelease"];
        assert_eq!(compiled["tag"], json!(["compiled"]));
        // Nothing of a bid before opening.
        if c.opened_at.is_none() {
            assert!(compiled.get("bids").is_none() && compiled["tender"].get("tenderers").is_none(), "{compiled:#}");
        } else {
            with_bids += 1;
            assert!(compiled["bids"]["statistics"][0]["value"].as_u64().is_some());
        }
        if compiled.get("contracts").is_some() {
            with_contracts += 1;
        }
    }
    assert!(published >= 5 && with_bids >= 2 && with_contracts >= 1, "{published} {with_bids} {with_contracts}");
}

#[rocket::async_test]
async fn a_sealed_bid_stays_out_of_the_open_data_until_opening() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let u = member(&app, 7).await;
    let sealer = &app.state().sealer;
    bids::submit(app.db(), ((&app.state().emails, ORIGIN), sealer), &u, app.clock.now(), id, &bid("98765.43"))
        .await
        .expect("bid");
    let org = <entity::organization::Entity as sea_orm::EntityTrait>::find_by_id(u.organization_id.expect("org"))
        .one(app.db())
        .await
        .expect("q")
        .expect("org");
    let mut a = app.agent();
    for path in
        [format!("/api/v1/open-data/calls/{id}/releases.json"), format!("/api/v1/open-data/calls/{id}/record.json")]
    {
        let r = a.get(&app, &path).await;
        assert_eq!(r.status, Status::Ok);
        for secret in [org.name.as_str(), "98765.43", "98,765.43", "\"bids\"", "tenderer"] {
            assert!(!r.body.contains(secret), "{secret} in {path} before opening: {}", r.body);
        }
    }
    // Opened: the statistics and each bid, with its tenderer as a party.
    let (opened, bidders, _) = opened_call(&app, &["100000", "90000", "120000"]).await;
    let r = a.get(&app, &format!("/api/v1/open-data/calls/{opened}/record.json")).await;
    let record: Value = serde_json::from_str(&r.body).expect("json");
    let compiled = &record["records"][0]["compiledRelease"];
    assert_eq!(
        compiled["bids"]["statistics"][0],
        json!({"id": "bids", "measure": "bids", "value": 3, "date": compiled["bids"]["statistics"][0]["date"]})
    );
    assert_eq!(compiled["bids"]["details"].as_array().map(Vec::len), Some(3));
    assert_eq!(compiled["tender"]["numberOfTenderers"], 3);
    let parties = compiled["parties"].as_array().expect("parties");
    assert_eq!(
        parties.iter().filter(|p| p["roles"].as_array().is_some_and(|r| r.contains(&json!("tenderer")))).count(),
        bidders.len()
    );
    assert_valid(&validator(RECORD_PACKAGE), &record, "the opened call's record");
}

#[rocket::async_test]
async fn unknown_calls_and_drafts_are_not_found_and_nothing_answers_500() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    for path in ["/api/v1/open-data/calls/999999/releases.json", "/api/v1/open-data/calls/999999/record.json"] {
        let r = a.get(&app, path).await;
        assert_eq!(r.status, Status::NotFound, "{path}");
        assert!(r.body.starts_with('{'), "a JSON error: {}", r.body);
    }
    for path in ["/api/v1/open-data/calls/abc/releases.json", "/api/v1/open-data/calls/1e99/record.json"] {
        assert!(a.get(&app, path).await.status.code < 500, "{path}");
    }
}

#[rocket::async_test]
async fn the_bulk_download_streams_every_release_of_a_range_and_refuses_bad_ranges() {
    use chrono::Datelike;
    let app = TestApp::new().await;
    fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
    let mut a = app.agent();
    // Every release of every call, one call at a time, to count what the years must hold.
    let calls = <entity::call::Entity as sea_orm::EntityTrait>::find().all(app.db()).await.expect("calls");
    let mut all: Vec<Value> = Vec::new();
    for c in calls.iter().filter(|c| c.status != entity::enums::CallStatus::Draft) {
        let p: Value =
            serde_json::from_str(&a.get(&app, &format!("/api/v1/open-data/calls/{}/releases.json", c.id)).await.body)
                .expect("json");
        all.extend(p["releases"].as_array().cloned().unwrap_or_default());
    }
    let releases = validator(RELEASE_PACKAGE);
    let year = app.clock.now().year();
    let mut seen = 0;
    for y in [year - 2, year - 1, year] {
        let r = a.get(&app, &format!("/api/v1/open-data/{y}/releases.json")).await;
        assert_eq!(r.status, Status::Ok);
        assert!(r.header("Content-Type").unwrap_or_default().contains("json"));
        let package: Value = serde_json::from_str(&r.body).expect("the stream is one JSON document");
        let n = package["releases"].as_array().map(Vec::len).unwrap_or_default();
        if n > 0 {
            assert_valid(&releases, &package, &format!("the releases of {y}"));
        }
        assert!(package["releases"].as_array().expect("array").iter().all(|r| {
            r["date"].as_str().is_some_and(|d| d.starts_with(&y.to_string()) || d.starts_with(&(y - 1).to_string()))
        }));
        seen += n;
    }
    assert_eq!(seen, all.len(), "each release is in exactly one year");
    // A range: the same releases as the year it covers.
    let r = a.get(&app, &format!("/api/v1/open-data/releases.json?from={year}-01-01&to={}-01-01", year + 1)).await;
    let in_range: Value = serde_json::from_str(&r.body).expect("json");
    let yearly: Value =
        serde_json::from_str(&a.get(&app, &format!("/api/v1/open-data/{year}/releases.json")).await.body)
            .expect("json");
    assert_eq!(in_range["releases"], yearly["releases"]);
    // Bad ranges: a clear 422 naming the field, never a 500.
    for (q, field) in [
        ("from=abc&to=2026-02-01", "from"),
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("from=2020-01-01&to=2026-02-01", "to"),
    ] {
        let r = a.get(&app, &format!("/api/v1/open-data/releases.json?{q}")).await;
        assert_eq!(r.status, Status::UnprocessableEntity, "{q}: {}", r.body);
        assert!(r.body.contains(field), "{q}: {}", r.body);
    }
    assert!(a.get(&app, "/api/v1/open-data/releases.json").await.status.code < 500);
    assert_eq!(a.get(&app, "/api/v1/open-data/99999/releases.json").await.status, Status::NotFound);
}

#[rocket::async_test]
async fn the_calls_feed_lists_published_calls_escaped_and_never_a_draft() {
    use crate::support::calls::{draft, fields, with};
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let f = with(with(fields(d), "require_annual_report", ""), "title", "上门 & <探访> 服务");
    let id = draft(&app, &mut officer, &f).await;
    let r = officer.post(&app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let hidden = draft(&app, &mut officer, &with(fields(d), "title", "尚未发布的草稿项目")).await;
    let feed = app.agent().get(&app, "/calls.atom").await;
    assert_eq!(feed.status, Status::Ok);
    assert!(feed.header("Content-Type").unwrap_or_default().starts_with("application/atom+xml"));
    let body = &feed.body;
    assert!(body.starts_with("<?xml") && body.trim_end().ends_with("</feed>"));
    assert!(body.contains("<title>上门 &amp; &lt;探访&gt; 服务</title>"), "{body}");
    assert!(body.contains(&format!("<id>{ORIGIN}/calls/{id}</id>")), "{body}");
    assert!(!body.contains("尚未发布的草稿项目") && !body.contains(&format!("/calls/{hidden}<")), "{body}");
    assert_eq!(body.matches("<entry>").count(), body.matches("</entry>").count());
    assert_eq!(body.matches("<entry>").count(), 1);
    let list = app.agent().get(&app, "/calls").await;
    assert!(list.body.contains("href=\"/calls.atom\""), "the list offers the feed");
}
