//! The public portal: the front page (calls open now with the days left, recent awards,
//! projects under way per district, hubs, the year's figures), district and project pages.
//! A visitor sees a signed contract and nothing unsigned; a sealed bid shows nowhere; the
//! kept copy of the front page follows both the data and the clock.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::*;
use entity::enums::{CallStatus, ContractStatus, DocumentKind};
use fuhua::domain::procurement::bids;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

async fn demo(app: &TestApp) {
    fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
}

async fn calls(app: &TestApp) -> Vec<entity::call::Model> {
    entity::call::Entity::find().all(app.db()).await.expect("calls")
}

async fn contracts(app: &TestApp) -> Vec<entity::contract::Model> {
    entity::contract::Entity::find().all(app.db()).await.expect("contracts")
}

fn between<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let start = body.find(from).unwrap_or_else(|| panic!("{from} not on the page"));
    let rest = &body[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

#[rocket::async_test]
async fn the_front_page_shows_open_calls_awards_districts_hubs_and_the_year() {
    let app = TestApp::new().await;
    demo(&app).await;
    let now = app.clock.now();
    let mut visitor = app.agent();
    let home = visitor.get(&app, "/").await;
    assert_eq!(home.status, Status::Ok);
    let open_section = between(&home.body, "id=\"open-h\"", "id=\"awards-h\"");
    for c in calls(&app).await {
        let open = c.status == CallStatus::Published && c.bid_deadline.is_some_and(|d| d > now);
        assert_eq!(open_section.contains(&c.title), open, "{} ({:?}) open: {open}", c.title, c.status);
        if open {
            let days = fuhua::domain::portal::days_left(now, c.bid_deadline.expect("deadline"));
            assert!(open_section.contains(&format!("还剩 {days} 天")), "{days} days left for {}", c.title);
        }
        if c.status == CallStatus::Draft {
            assert!(!home.body.contains(&c.title), "a draft on the front page: {}", c.title);
        }
    }
    // Each award names its winner.
    let awards = entity::award::Entity::find().all(app.db()).await.expect("awards");
    assert!(!awards.is_empty());
    let awards_section = between(&home.body, "id=\"awards-h\"", "id=\"districts-h\"");
    for a in &awards {
        let org =
            entity::organization::Entity::find_by_id(a.organization_id).one(app.db()).await.expect("q").expect("org");
        assert!(awards_section.contains(&org.name), "{} won", org.name);
    }
    let hubs = entity::hub::Entity::find().all(app.db()).await.expect("hubs");
    assert!(hubs.iter().all(|h| home.body.contains(&h.name)));
    // The year's figures agree with the contracts signed and the payments made this year.
    let api = visitor.get(&app, "/api/v1/portal").await.json();
    let year = 2026;
    let signed: i64 = contracts(&app)
        .await
        .iter()
        .filter(|k| fuhua::domain::portal::is_public(k.status))
        .filter(|k| k.signed_at.is_some_and(|t| fuhua::domain::i18n::to_local(t).format("%Y").to_string() == "2026"))
        .map(|k| k.amount_fen)
        .sum();
    let paid: i64 = entity::payment::Entity::find()
        .all(app.db())
        .await
        .expect("payments")
        .iter()
        .filter(|p| p.paid_on.format("%Y").to_string() == "2026")
        .map(|p| p.amount_fen)
        .sum();
    assert_eq!(api["figures"]["year"], year);
    assert_eq!(api["figures"]["contracted"].as_i64(), Some(signed));
    assert_eq!(api["figures"]["paid"].as_i64(), Some(paid));
    assert!(signed > 0 && paid > 0);
    // An open call says nothing about its bids.
    for c in api["open_calls"].as_array().expect("open calls") {
        let keys: Vec<&str> = c.as_object().expect("object").keys().map(String::as_str).collect();
        assert!(keys.iter().all(|k| !k.contains("bid") || *k == "bid_deadline"), "{keys:?}");
    }
}

#[rocket::async_test]
async fn a_project_page_shows_a_signed_contract_and_nothing_unsigned() {
    let app = TestApp::new().await;
    demo(&app).await;
    let mut visitor = app.agent();
    let (mut shown, mut hidden) = (0, 0);
    for k in contracts(&app).await {
        let page = visitor.get(&app, &format!("/projects/{}", k.id)).await;
        let api = visitor.get(&app, &format!("/api/v1/projects/{}", k.id)).await;
        if !matches!(k.status, ContractStatus::Active | ContractStatus::Completed | ContractStatus::Terminated) {
            hidden += 1;
            assert_eq!(page.status, Status::NotFound, "an unsigned contract ({:?}) is not public", k.status);
            assert_eq!(api.status, Status::NotFound);
            continue;
        }
        shown += 1;
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        assert!(page.body.contains(k.number.as_deref().expect("number")));
        let v = api.json();
        let paid: i64 = entity::payment::Entity::find()
            .filter(entity::payment::Column::ContractId.eq(k.id))
            .all(app.db())
            .await
            .expect("payments")
            .iter()
            .map(|p| p.amount_fen)
            .sum();
        assert_eq!(v["paid"].as_i64(), Some(paid));
        assert_eq!(v["amount"].as_i64(), Some(k.amount_fen));
        // Every public document downloads as stored; the provider's countersigned scan does not.
        let docs = entity::contract_document::Entity::find()
            .filter(entity::contract_document::Column::ContractId.eq(k.id))
            .all(app.db())
            .await
            .expect("docs");
        for d in docs {
            let r = visitor.get(&app, &format!("/projects/{}/documents/{}", k.id, d.id)).await;
            if d.kind == DocumentKind::Countersigned {
                assert_eq!(r.status, Status::NotFound);
            } else {
                assert_eq!(r.status, Status::Ok);
                assert_eq!(fuhua::domain::contracts::documents::sha256_hex(&r.bytes), d.sha256);
                assert!(page.body.contains(&d.sha256), "the page gives the digest to check a copy against");
            }
        }
        // A released evaluation shows with its grade.
        for e in v["evaluations"].as_array().expect("evaluations") {
            assert!(e["grade"].is_string() && e["report"]["sha256"].is_string(), "{e}");
        }
    }
    assert!(shown >= 2 && hidden >= 1, "{shown} shown, {hidden} hidden");
    // A document of another contract, an unknown project: not found.
    let other = contracts(&app).await.into_iter().find(|k| k.status == ContractStatus::Active).expect("active");
    let any_doc = entity::contract_document::Entity::find()
        .filter(entity::contract_document::Column::ContractId.ne(other.id))
        .one(app.db())
        .await
        .expect("q")
        .expect("a document");
    assert_eq!(
        visitor.get(&app, &format!("/projects/{}/documents/{}", other.id, any_doc.id)).await.status,
        Status::NotFound
    );
    assert_eq!(visitor.get(&app, "/projects/999999").await.status, Status::NotFound);
    assert_eq!(visitor.get(&app, "/projects/abc").await.status, Status::NotFound);
}

#[rocket::async_test]
async fn a_district_page_lists_what_was_bought_there() {
    let app = TestApp::new().await;
    demo(&app).await;
    let mut visitor = app.agent();
    let tianya = app.district_id("天涯区").await;
    let page = visitor.get(&app, &format!("/districts/{tianya}")).await;
    assert_eq!(page.status, Status::Ok);
    let serving: Vec<entity::contract::Model> = {
        let mut out = Vec::new();
        for k in contracts(&app).await.into_iter().filter(|k| fuhua::domain::portal::is_public(k.status)) {
            let c = entity::call::Entity::find_by_id(k.call_id).one(app.db()).await.expect("q").expect("call");
            let ds: Vec<i32> = serde_json::from_str(&c.area_district_ids).expect("ids");
            if ds.is_empty() || ds.contains(&tianya) {
                out.push(k);
            }
        }
        out
    };
    assert!(!serving.is_empty());
    for k in &serving {
        assert!(page.body.contains(&format!("/projects/{}\"", k.id)), "project {} serves 天涯区", k.id);
    }
    let api = visitor.get(&app, &format!("/api/v1/districts/{tianya}")).await.json();
    assert_eq!(api["projects_total"].as_u64(), Some(serving.len() as u64));
    // Odd page numbers show a page; an unknown district is not found.
    for q in ["?page=abc", "?page=0", "?page=99999999", "?page=-3"] {
        assert_eq!(visitor.get(&app, &format!("/districts/{tianya}{q}")).await.status, Status::Ok, "{q}");
    }
    assert_eq!(visitor.get(&app, "/districts/99999").await.status, Status::NotFound);
    let missing = visitor.get(&app, "/api/v1/districts/99999").await;
    assert_eq!(missing.status, Status::NotFound);
    assert!(missing.json()["error"].is_object() || missing.json()["error"].is_string(), "{}", missing.body);
}

#[rocket::async_test]
async fn the_kept_front_page_follows_new_calls_and_passing_deadlines_and_shows_no_sealed_bid() {
    let app = TestApp::new().await;
    let mut visitor = app.agent();
    assert!(visitor.get(&app, "/").await.body.contains("目前没有正在征集的项目"));
    // Published through the pages: the kept page is stale at once.
    let id = published_call(&app, "competitive_consultation").await;
    let c = entity::call::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("call");
    let home = visitor.get(&app, "/").await;
    assert!(home.body.contains(&c.title), "a new call shows");
    // A bid sealed into it shows nowhere on the portal.
    let u = member(&app, 31).await;
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &u,
        app.clock.now(),
        id,
        &bid("98765.43"),
    )
    .await
    .expect("bid");
    let org = entity::organization::Entity::find_by_id(u.organization_id.expect("org"))
        .one(app.db())
        .await
        .expect("q")
        .expect("org");
    let district = app.district_id("吉阳区").await;
    for path in [
        "/".to_string(),
        "/api/v1/portal".into(),
        format!("/districts/{district}"),
        format!("/api/v1/districts/{district}"),
    ] {
        let body = visitor.get(&app, &path).await.body;
        for secret in [org.name.as_str(), "98765.43", "98,765.43"] {
            assert!(!body.contains(secret), "{secret} on {path} while the call is sealed");
        }
    }
    // The deadline passes with nothing written: the kept page no longer lists the call as open.
    app.clock.set(deadline() + chrono::Duration::minutes(1));
    let after = visitor.get(&app, "/").await;
    let open_section = between(&after.body, "id=\"open-h\"", "id=\"awards-h\"");
    assert!(!open_section.contains(&c.title), "closed at its deadline");
    let _: Value = visitor.get(&app, "/api/v1/portal").await.json();
}
