//! The procurement panel: experts, clean declarations, scoring sheets, an opened call.
use crate::support::bids::{bid, deadline, member, published_call};
use crate::support::calls::call_row;
use crate::support::*;
use entity::enums::{CallStatus, ConflictKind, PanelMemberStatus, Role, ServiceCategory};
use fuhua::domain::procurement::{bids, opening, panel, score_sheets};
use sea_orm::EntityTrait;

pub fn after() -> chrono::DateTime<chrono::Utc> {
    deadline() + chrono::Duration::hours(1)
}

/// An opened consultation call with one bid per price (yuan); the bidders in that order.
pub async fn opened_call(app: &TestApp, prices: &[&str]) -> (i32, Vec<entity::user::Model>, entity::user::Model) {
    let id = published_call(app, "competitive_consultation").await;
    let mut bidders = vec![];
    for (n, p) in prices.iter().enumerate() {
        let u = member(app, 40 + n as u32).await;
        bids::submit(app.db(), ((&app.state().emails, ORIGIN), &app.state().sealer), &u, app.clock.now(), id, &bid(p))
            .await
            .expect("bid");
        bidders.push(u);
    }
    let officer = app.user("chair@bureau.cn", Role::Officer, None).await;
    let (status, _) =
        opening::open(app.db(), &app.state().sealer, &officer, deadline(), id, None, "").await.expect("open");
    assert_eq!(status, CallStatus::Opened);
    (id, bidders, officer)
}

/// `n` expert accounts with these specialties, available for panels.
pub async fn experts(
    app: &TestApp,
    officer: &entity::user::Model,
    from: u32,
    n: u32,
    cats: &[ServiceCategory],
) -> Vec<entity::user::Model> {
    let mut out = vec![];
    for i in from..from + n {
        let e = app.user(&format!("expert{i}@pool.cn"), Role::Expert, None).await;
        panel::set_profile(app.db(), officer, after(), e.id, cats, &format!("海南大学 {i}"), true)
            .await
            .expect("profile");
        out.push(e);
    }
    out
}

pub fn clean_declaration(bidders: &[entity::user::Model]) -> Vec<panel::Declared> {
    bidders
        .iter()
        .map(|b| panel::Declared {
            organization_id: b.organization_id.expect("org"),
            conflict: ConflictKind::None,
            note: String::new(),
        })
        .collect()
}

/// A full sheet: `scores[bid index][criterion index]` over the call's technical criteria.
pub async fn sheet(app: &TestApp, call: i32, scores: &[[i32; 3]]) -> Vec<score_sheets::ScoreInput> {
    let c = call_row(app, call).await;
    let bids = score_sheets::scored_bids(app.db(), &c).await.expect("bids");
    let criteria: Vec<_> = fuhua::domain::procurement::calls::criteria(app.db(), call)
        .await
        .expect("criteria")
        .into_iter()
        .filter(|c| !c.is_price)
        .collect();
    let mut by_bid: Vec<_> = bids.iter().collect();
    by_bid.sort_by_key(|b| b.bid_id);
    let mut out = vec![];
    for (b, row) in by_bid.iter().zip(scores) {
        for (cr, s) in criteria.iter().zip(row) {
            out.push(score_sheets::ScoreInput {
                bid: b.bid_ref.clone(),
                criterion_id: cr.id,
                score: s.to_string(),
                comment: "依据方案".into(),
            });
        }
    }
    out
}

pub async fn seated_members(app: &TestApp, call: i32) -> Vec<entity::user::Model> {
    let mut out = vec![];
    for m in panel::members(app.db(), call).await.expect("members") {
        if m.status != PanelMemberStatus::Recused {
            out.push(entity::user::Entity::find_by_id(m.user_id).one(app.db()).await.expect("q").expect("user"));
        }
    }
    out
}
