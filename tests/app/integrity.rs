//! Integrity red flags from real records: bids count only once opened, a bidder's contacts
//! are the bureau's alone, each flag names its rule, and the list downloads as a workbook.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::panel::opened_call;
use crate::support::*;
use fuhua::domain::procurement::{bids, opening};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::Value;

fn flags_on(list: &Value, call: i32) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|f| f["subject"] == "call" && f["subject_id"] == call)
        .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn same_phone(app: &TestApp, users: &[entity::user::Model]) {
    for u in users {
        let org = entity::organization::Entity::find_by_id(u.organization_id.expect("org"))
            .one(app.db())
            .await
            .expect("q")
            .expect("org");
        let mut a: entity::organization::ActiveModel = org.into();
        a.contact_phone = Set("0898-6666 1234".into());
        a.update(app.db()).await.expect("update");
    }
}

#[rocket::async_test]
async fn flags_rest_on_opened_bids_and_contacts_stay_with_the_bureau() {
    let app = TestApp::new().await;
    // A sealed call with one bid at the ceiling: nothing is said of it.
    let sealed = published_call(&app, "competitive_consultation").await;
    let u = member(&app, 61).await;
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &u,
        app.clock.now(),
        sealed,
        &bid("119900"),
    )
    .await
    .expect("bid");
    let mut visitor = app.agent();
    let before = visitor.get(&app, "/api/v1/integrity").await;
    assert_eq!(before.status, Status::Ok, "{}", before.body);
    assert!(flags_on(&before.json(), sealed).is_empty(), "a sealed call raises nothing: {}", before.body);
    // Opened: one of three bids at 99.9% of the ¥120,000 ceiling; two bidders share a phone.
    let (opened, bidders, _) = opened_call(&app, &["119900", "90000", "95000"]).await;
    same_phone(&app, &bidders[..2]).await;
    let public = visitor.get(&app, "/api/v1/integrity").await.json();
    assert_eq!(flags_on(&public, opened), ["ceiling_price"], "{public:#}");
    assert!(public["rules"].as_array().expect("rules").iter().all(|r| r["code"] != "shared_contacts"));
    assert!(!visitor.get(&app, "/integrity").await.body.contains("联系方式相同"));
    let mut officer = app.officer_again().await;
    let internal = officer.get(&app, "/api/v1/integrity").await.json();
    let mut rules = flags_on(&internal, opened);
    rules.sort();
    assert_eq!(rules, ["ceiling_price", "shared_contacts"]);
    let page = officer.get(&app, "/integrity?rule=shared_contacts").await;
    assert!(page.body.contains("2 家供应商登记的电话或邮箱相同"), "{}", page.body);
    // One valid bid only.
    let single = published_call(&app, "competitive_consultation").await;
    let w = member(&app, 71).await;
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &w,
        app.clock.now(),
        single,
        &bid("80000"),
    )
    .await
    .expect("bid");
    let chair = app.user("chair2@bureau.cn", entity::enums::Role::Officer, None).await;
    opening::open(app.db(), &app.state().sealer, &chair, deadline(), single, None, "").await.expect("open");
    let after = visitor.get(&app, "/api/v1/integrity?rule=single_bid").await.json();
    assert_eq!(flags_on(&after, single), ["single_bid"]);
    assert!(
        after["items"].as_array().expect("items").iter().all(|f| f["rule"] == "single_bid"),
        "narrowed to the rule"
    );
    // The workbook holds the rows the reader may see.
    let xlsx = visitor.get(&app, "/integrity/export.xlsx").await;
    assert_eq!(xlsx.status, Status::Ok);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).expect("xlsx");
    let range = wb.worksheet_range("风险提示").expect("sheet");
    let text: Vec<String> =
        range.rows().skip(1).map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|")).collect();
    assert!(text.iter().any(|r| r.contains("报价贴近预算上限")), "{text:?}");
    assert!(text.iter().all(|r| !r.contains("联系方式")), "no internal flag for a visitor");
    // Odd filters narrow nothing; odd pages show a page.
    for q in ["?rule=nonsense", "?page=abc", "?page=999999", "?rule=%00&page=-1"] {
        assert_eq!(visitor.get(&app, &format!("/integrity{q}")).await.status, Status::Ok, "{q}");
        assert_eq!(visitor.get(&app, &format!("/api/v1/integrity{q}")).await.status, Status::Ok, "{q}");
    }
}
