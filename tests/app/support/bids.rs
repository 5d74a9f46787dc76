//! Bids on a published call: a member, a bid, the deadline passed, opened bids revealed.
use crate::support::calls::{draft, fields, with};
use crate::support::*;
use entity::enums::Role;
use fuhua::domain::procurement::bids::{BidInput, BudgetLineInput, OutputInput};
use rocket::http::Status;
use sea_orm::EntityTrait;

/// A published call (consultation, ceiling ¥120,000, bids close 2026-12-20 09:30 Beijing).
pub async fn published_call(app: &TestApp, method: &str) -> i32 {
    let exists =
        entity::user::Entity::find().all(app.db()).await.expect("q").iter().any(|u| u.email == "officer@test.cn");
    let mut officer = if exists { app.officer_again().await } else { app.officer().await };
    let d = app.district_id("吉阳区").await;
    let f = with(with(fields(d), "require_annual_report", ""), "method", method);
    let f = if method == "open_tender" { with(f, "bid_deadline", "2026-12-20T09:30") } else { f };
    let id = draft(app, &mut officer, &f).await;
    let r = officer.post(app, &format!("/calls/{id}/publish"), &[("confirmed", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    id
}

pub fn bid(total_yuan: &str) -> BidInput {
    BidInput {
        service_plan: "每周上门探访两次，建立个案档案。".into(),
        team: "项目主管 1 名，社工 3 名。".into(),
        outputs: vec![OutputInput { indicator: "上门探访".into(), quantity: "2000".into(), unit: "人次".into() }],
        budget: vec![BudgetLineInput {
            category: "人员经费".into(),
            description: String::new(),
            amount: total_yuan.into(),
        }],
    }
}

pub async fn member(app: &TestApp, n: u32) -> entity::user::Model {
    let org = app.org(&format!("三亚市第{n}号投标服务中心"), &code(n), "吉阳区").await;
    app.user(&format!("bidder{n}@ngo.cn"), Role::NgoMember, Some(org)).await
}

/// A stored version as its bidder reads it: decrypted with its call's key.
pub async fn revealed(app: &TestApp, v: entity::bid_version::Model) -> entity::bid_version::Model {
    let b = entity::bid::Entity::find_by_id(v.bid_id).one(app.db()).await.expect("q").expect("bid");
    let c = fuhua::domain::procurement::calls::get(app.db(), b.call_id).await.expect("call");
    fuhua::domain::sealing::reveal(app.state().sealer.call_key(&c).expect("key").as_ref(), v)
}

pub fn deadline() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-20T01:30:00Z").expect("time").with_timezone(&chrono::Utc)
}

/// `s` without runs of 16 or more hex digits.
pub fn without_hex_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() < 16 {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    if run.len() < 16 {
        out.push_str(&run);
    }
    out
}
