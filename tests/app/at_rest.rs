//! Sealed at rest: a copy of the database taken before opening — the SQLite file, or every
//! row of every table on PostgreSQL — holds no plan, team, price, file or file name of any
//! bid; the bidder still reads its own; opening decrypts the latest versions, and a server
//! with another sealing key opens nothing.
use crate::support::bids::{deadline, published_call};
use crate::support::calls::{call_row, refs};
use crate::support::hubs::ngo;
use crate::support::*;
use entity::enums::{CallStatus, Role};
use fuhua::domain::procurement::opening;
use fuhua::domain::sealing::{self, Sealer};
use fuhua::error::AppError;
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

const PLAN_1: &str = "上门服务方案甲-PLN8841";
const PLAN_2: &str = "上门服务方案乙-PLN9902";
const TEAM: &str = "团队名单保密-TM5520";
const PRICE_YUAN: &str = "112345.67";
const PRICE_FEN: &str = "11234567";
const FILE_NAME: &str = "报价明细-QX7R.pdf";
const FILE_BODY: &[u8] = b"%PDF-1.7 attachment body ZK-MARKER-5531";

fn bid_form(plan: &str) -> Vec<(String, String)> {
    vec![
        ("service_plan".into(), plan.into()),
        ("team".into(), TEAM.into()),
        ("outputs[0].indicator".into(), "上门探访".into()),
        ("outputs[0].quantity".into(), "2000".into()),
        ("outputs[0].unit".into(), "人次".into()),
        ("budget[0].category".into(), "人员经费".into()),
        ("budget[0].amount".into(), PRICE_YUAN.into()),
    ]
}

fn holds(raw: &[u8], secret: &[u8]) -> bool {
    let hex = hex::encode(secret);
    raw.windows(secret.len()).any(|w| w == secret) || raw.windows(hex.len()).any(|w| w == hex.as_bytes())
}

#[rocket::async_test]
async fn a_copy_of_the_database_before_opening_holds_no_bid() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut bidder, _) = ngo(&app, 1).await;
    let up = format!("/calls/{id}/bid/attachments");
    assert_eq!(bidder.post_multipart(&app, &up, FILE_NAME, FILE_BODY).await.status, Status::SeeOther);
    for plan in [PLAN_1, PLAN_2] {
        let r = bidder.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_form(plan))).await;
        assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    }
    // The bidder reads its own bid and files, decrypted for it.
    let page = bidder.get(&app, &format!("/calls/{id}/bid")).await;
    assert!(page.body.contains(PLAN_2) && page.body.contains(TEAM) && page.body.contains(FILE_NAME), "{}", page.body);
    let first = bidder.get(&app, &format!("/calls/{id}/bid/versions/1/receipt.json")).await;
    assert!(first.body.contains(PLAN_1), "{}", first.body);
    let file = entity::bid_attachment::Entity::find().one(app.db()).await.expect("q").expect("file");
    let path = format!("/calls/{id}/bid/attachments/{}", file.public_ref);
    assert_eq!(bidder.get(&app, &path).await.bytes, FILE_BODY);

    // The database holds none of it: not in the bids, the files, the mail queue or the log.
    let raw = app.raw_database().await;
    for secret in [PLAN_1.as_bytes(), PLAN_2.as_bytes(), TEAM.as_bytes(), PRICE_FEN.as_bytes(), FILE_NAME.as_bytes()] {
        assert!(!holds(&raw, secret), "{} is in the database", String::from_utf8_lossy(secret));
    }
    assert!(!holds(&raw, b"ZK-MARKER-5531"), "the file's bytes are in the database");
    assert!(!holds(&raw, PRICE_YUAN.as_bytes()) && !holds(&raw, "112,345.67".as_bytes()));

    // A server with another sealing key (a restored database without its key) opens
    // nothing, says why, and changes nothing.
    let officer = app.user("opener@bureau.cn", Role::Officer, None).await;
    let stranger = Sealer::from_key(&[42u8; 32]);
    let r = opening::open(app.db(), &stranger, &officer, deadline(), id, None, "").await;
    assert!(matches!(&r, Err(AppError::Conflict(m)) if m.key == "sealing.wrong_key"), "{r:?}");
    let c = call_row(&app, id).await;
    assert!(c.status == CallStatus::Published && c.opened_at.is_none());

    // Opening decrypts the latest version into the clear; the superseded version and the
    // file stay sealed at rest, and the file is served decrypted to the bureau.
    let (status, opened) =
        opening::open(app.db(), &app.state().sealer, &officer, deadline(), id, None, "").await.expect("open");
    assert_eq!(status, CallStatus::Failed, "one bid is too few");
    assert!(opened.len() == 1 && opened[0].digest_ok && opened[0].total_fen.fen() == 11_234_567, "{opened:?}");
    let raw = app.raw_database().await;
    assert!(holds(&raw, PLAN_2.as_bytes()) && holds(&raw, TEAM.as_bytes()), "the opened version is in the clear");
    assert!(!holds(&raw, PLAN_1.as_bytes()), "a superseded version stays sealed");
    assert!(!holds(&raw, b"ZK-MARKER-5531"), "files stay sealed at rest");
    app.clock.set(deadline() + chrono::Duration::hours(1));
    let fetched = app.officer_again().await.get(&app, &path).await;
    assert_eq!(fetched.status, Status::Ok);
    assert_eq!(fetched.bytes, FILE_BODY);
}

#[rocket::async_test]
async fn bids_stored_in_the_clear_by_an_earlier_version_are_sealed_at_start() {
    let app = TestApp::new().await;
    let id = published_call(&app, "competitive_consultation").await;
    let (mut bidder, _) = ngo(&app, 1).await;
    let up = format!("/calls/{id}/bid/attachments");
    assert_eq!(bidder.post_multipart(&app, &up, FILE_NAME, FILE_BODY).await.status, Status::SeeOther);
    let r = bidder.post(&app, &format!("/calls/{id}/bid"), &refs(&bid_form(PLAN_1))).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    // Put them back in the clear, as a database from before sealing at rest has them.
    let v = entity::bid_version::Entity::find().one(app.db()).await.expect("q").expect("v");
    let clear = crate::support::bids::revealed(&app, v.clone()).await;
    let mut am: entity::bid_version::ActiveModel = v.into();
    (am.content, am.total_fen, am.sealed) = (Set(clear.content.clone()), Set(clear.total_fen), Set(None));
    am.update(app.db()).await.expect("clear");
    let a = entity::bid_attachment::Entity::find().one(app.db()).await.expect("q").expect("file");
    let mut am: entity::bid_attachment::ActiveModel = a.clone().into();
    (am.file_name, am.data, am.sealed_name) = (Set(FILE_NAME.into()), Set(FILE_BODY.to_vec()), Set(None));
    am.update(app.db()).await.expect("clear");

    // As the migration to sealing at rest lists them.
    {
        use sea_orm::{ConnectionTrait, Statement};
        let db = app.db();
        let sql =
            format!("INSERT INTO seal_pending (kind, row_id) VALUES ('version', {}), ('file', {})", clear.id, a.id);
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("pending");
    }
    let sealed = sealing::seal_pending(app.db(), &app.state().sealer).await.expect("seal");
    assert_eq!(sealed, (1, 1));
    let v = entity::bid_version::Entity::find().one(app.db()).await.expect("q").expect("v");
    assert!(v.content.is_empty() && v.total_fen == 0 && v.sealed.is_some());
    let a = entity::bid_attachment::Entity::find().one(app.db()).await.expect("q").expect("file");
    assert!(a.file_name.is_empty() && a.sealed_name.is_some() && a.data != FILE_BODY);
    // Nothing else to seal the second time, and the bidder reads them as before.
    assert_eq!(sealing::seal_pending(app.db(), &app.state().sealer).await.expect("seal"), (0, 0));
    assert_eq!(app.count("seal_pending").await, 0);
    let page = bidder.get(&app, &format!("/calls/{id}/bid")).await;
    assert!(page.body.contains(PLAN_1) && page.body.contains(FILE_NAME));
    assert_eq!(bidder.get(&app, &format!("/calls/{id}/bid/attachments/{}", a.public_ref)).await.bytes, FILE_BODY);
    assert_eq!(clear.digest, fuhua::domain::procurement::bids::digest(&clear.content));
}
