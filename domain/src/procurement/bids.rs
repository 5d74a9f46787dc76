//! Bids (响应文件). An eligible organization submits before the deadline and gets a
//! receipt: the server's time and the SHA-256 digest of the bid exactly as stored, in its
//! canonical form (`domain::canonical`), whose bytes the bidder can download and check
//! with any SHA-256 tool; the receipt is emailed to the member who submitted. It may
//! revise (a new version; the latest counts) or withdraw until the deadline; the server's
//! clock decides. Until the call is opened the bids are sealed: only the bidding
//! organization sees its own, each event goes into the call's sealed chain, and the content
//! is stored encrypted under the call's key (`domain::sealing`), never in the clear.
use super::calls;
use super::eligibility;
use super::receipts::{self, Receipt, receipt};
use crate::audit;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::text_field;
use crate::i18n::Msg;
use crate::money::Money;
use crate::outbox::EmailTemplates;
use crate::sealing::{self, Sealer};
use chrono::{DateTime, Utc};
use entity::enums::{BidStatus, CallStatus, Role};
use entity::{bid, bid_version, call, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MAX_OUTPUTS: usize = 8;
pub const MAX_BUDGET_LINES: usize = 10;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OutputInput {
    pub indicator: String,
    pub quantity: String,
    pub unit: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetLineInput {
    pub category: String,
    pub description: String,
    /// Yuan, as typed.
    pub amount: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BidInput {
    pub service_plan: String,
    pub team: String,
    pub outputs: Vec<OutputInput>,
    pub budget: Vec<BudgetLineInput>,
}

/// The bid as stored and digested, in its canonical form (keys sorted, no white space), so
/// the same bid always has the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidContent {
    pub service_plan: String,
    pub team: String,
    pub outputs: Vec<Output>,
    pub budget: Vec<BudgetLine>,
    pub total_fen: i64,
    /// The files attached when this version was submitted.
    #[serde(default)]
    pub attachments: Vec<super::attachments::AttachmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub indicator: String,
    pub quantity: i64,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub category: String,
    pub description: String,
    pub amount_fen: i64,
}

pub fn digest(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

fn parse(i: &BidInput, ceiling_fen: i64) -> Result<BidContent, AppError> {
    let mut e = FieldErrors::default();
    let service_plan = text_field(&mut e, "service_plan", &i.service_plan, crate::fields::SERVICE_PLAN);
    let team = text_field(&mut e, "team", &i.team, crate::fields::LONG_TEXT);
    // A row is skipped only when nothing at all was typed in it; otherwise its first bad
    // cell is named (row, column and the value refused), so nothing typed is dropped unseen.
    let mut outputs = Vec::new();
    for (row, o) in i.outputs.iter().take(MAX_OUTPUTS).enumerate() {
        let indicator = crate::clean(&o.indicator);
        if indicator.is_empty() && o.quantity.trim().is_empty() && o.unit.trim().is_empty() {
            continue;
        }
        let quantity = o.quantity.trim().replace(',', "").parse::<i64>().ok();
        if !(1..=crate::fields::SHORT_TEXT).contains(&indicator.chars().count()) {
            e.add("outputs", Msg::new("bid.output_indicator_cell").arg("row", row + 1));
            break;
        }
        match quantity.filter(|q| crate::fields::OUTPUT_QUANTITY.contains(q)) {
            Some(q) => {
                outputs.push(Output { indicator, quantity: q, unit: crate::clean(&o.unit).chars().take(20).collect() })
            }
            None => {
                let value: String = o.quantity.trim().chars().take(30).collect();
                e.add("outputs", Msg::new("bid.output_quantity_cell").arg("row", row + 1).arg("value", value));
                break;
            }
        }
    }
    if outputs.is_empty() && !e.has("outputs") {
        e.add("outputs", Msg::new("bid.outputs_required"));
    }
    let mut budget = Vec::new();
    for (row, b) in i.budget.iter().take(MAX_BUDGET_LINES).enumerate() {
        let category = crate::clean(&b.category);
        if category.is_empty() && b.amount.trim().is_empty() && b.description.trim().is_empty() {
            continue;
        }
        if !(1..=100).contains(&category.chars().count()) {
            e.add("budget", Msg::new("bid.budget_category_cell").arg("row", row + 1));
            break;
        }
        match Money::parse_yuan(&b.amount) {
            Ok(m) if m.fen() > 0 => budget.push(BudgetLine {
                category,
                description: crate::clean(&b.description).chars().take(500).collect(),
                amount_fen: m.fen(),
            }),
            _ => {
                let value: String = b.amount.trim().chars().take(30).collect();
                e.add("budget", Msg::new("bid.budget_amount_cell").arg("row", row + 1).arg("value", value));
                break;
            }
        }
    }
    let total_fen: i64 = budget.iter().map(|b| b.amount_fen).sum();
    if budget.is_empty() && !e.has("budget") {
        e.add("budget", Msg::new("bid.budget_required"));
    } else if total_fen > ceiling_fen {
        e.add(
            "budget",
            Msg::new("bid.over_ceiling")
                .arg("total", crate::i18n::format_money(total_fen))
                .arg("ceiling", crate::i18n::format_money(ceiling_fen)),
        );
    }
    e.into_result()?;
    Ok(BidContent { service_plan, team, outputs, budget, total_fen, attachments: vec![] })
}

/// The call is taking bids at `now`, by the server's clock: published and before the deadline.
/// Whether the call's own bid may still be withdrawn (or changed): it stands, and the call
/// still takes bids. The page offers the step on this; the step checks it again.
pub fn may_withdraw(b: &bid::Model, c: &call::Model, now: DateTime<Utc>) -> bool {
    b.status == BidStatus::Submitted && taking_bids(c, now).is_ok()
}

fn taking_bids(c: &call::Model, now: DateTime<Utc>) -> AppResult<()> {
    match (c.status, c.bid_deadline) {
        (CallStatus::Published, Some(deadline)) if now < deadline => Ok(()),
        (CallStatus::Published, _) => Err(AppError::Conflict(Msg::new("bid.deadline_passed"))),
        _ => Err(AppError::Conflict(Msg::new("bid.call_not_open"))),
    }
}

pub(super) fn organization_of(u: &user::Model) -> AppResult<i32> {
    if u.role != Role::NgoMember {
        return Err(AppError::Forbidden);
    }
    u.organization_id.ok_or_else(|| AppError::Conflict(Msg::new("bid.needs_organization")))
}

/// A bid event goes into its call's sealed chain (`audit::append_sealed`), whose head the
/// opening writes into the audit log; the log itself never counts bid events.
async fn audit_sealed<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    call_id: i32,
    payload: serde_json::Value,
) -> AppResult<()> {
    audit::append_sealed(db, now, call_id, payload).await?;
    still_taking(db, call_id, now).await
}

/// Checked again inside a bid's transaction, after the sealed chain's lock: the call is
/// still unopened and before its deadline. An opening that began meanwhile has taken that
/// lock first, so this bid then waits for it, finds the call opened, and is refused whole.
pub(super) async fn still_taking<C: ConnectionTrait>(db: &C, call_id: i32, now: DateTime<Utc>) -> AppResult<()> {
    let c = calls::get(db, call_id).await?;
    if c.opened_at.is_some() {
        return Err(AppError::Conflict(Msg::new("bid.deadline_passed")));
    }
    taking_bids(&c, now)
}

fn unique_violation(e: &AppError) -> bool {
    matches!(e, AppError::Conflict(m) if m.key == "error.concurrent_change")
}

/// Submits (or revises) the organization's bid. Submitting the very bid that is already the
/// latest version changes nothing and returns its receipt again, so a double click or 20
/// identical requests at once make one version.
pub async fn submit(
    db: &DatabaseConnection,
    (mail, sealer): ((&EmailTemplates, &str), &Sealer),
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    i: &BidInput,
) -> AppResult<Receipt> {
    let org = organization_of(u)?;
    let c = calls::visible(db, Some(u), call_id).await?;
    taking_bids(&c, now)?;
    if let Some(failed) = eligibility::first_failure(db, &c, org, now).await? {
        return Err(AppError::Conflict(
            Msg::new("bid.not_eligible").arg("rule", crate::i18n::Locale::ZhCn.msg(&failed)),
        ));
    }
    let mut content = parse(i, c.budget_ceiling_fen)?;
    let key = sealer.call_key(&c)?;
    content.attachments =
        super::attachments::refs(db, key.as_ref(), call_id, org).await?.into_iter().map(|(_, a)| a).collect();
    let text = crate::canonical::of(&content).map_err(|e| AppError::Internal(e.to_string()))?;
    let sum = digest(&text);
    let files: Vec<String> = content.attachments.iter().map(|a| a.sha256.clone()).collect();
    // A concurrent first submission may create the bid row first; then try again.
    for _ in 0..5 {
        match submit_once(db, (mail, sealer), u, now, (&c, org), (&text, &sum, &files), content.total_fen).await {
            Err(e) if unique_violation(&e) => continue,
            other => return other,
        }
    }
    Err(AppError::Conflict(Msg::new("error.concurrent_change")))
}

/// The organization's bid on the call, made (with no version yet) on its first submission.
async fn bid_of(txn: &DatabaseTransaction, call_id: i32, org: i32, now: DateTime<Utc>) -> AppResult<bid::Model> {
    let existing = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::OrganizationId.eq(org))
        .one(txn)
        .await?;
    Ok(match existing {
        Some(b) => b,
        None => bid::ActiveModel {
            public_ref: Set(crate::secrets::random_ref()),
            call_id: Set(call_id),
            organization_id: Set(org),
            status: Set(BidStatus::Submitted),
            version_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(|e: DbErr| AppError::from(e))?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn submit_once(
    db: &DatabaseConnection,
    (mail, sealer): ((&EmailTemplates, &str), &Sealer),
    u: &user::Model,
    now: DateTime<Utc>,
    (c, org): (&call::Model, i32),
    (text, sum, files): (&str, &str, &[String]),
    total_fen: i64,
) -> AppResult<Receipt> {
    let txn = db.begin().await?;
    let b = bid_of(&txn, c.id, org, now).await?;
    for _ in 0..20 {
        let latest = latest_version(&txn, b.id).await?;
        let current = bid::Entity::find_by_id(b.id).one(&txn).await?.ok_or(AppError::NotFound)?;
        if let Some(mut v) = latest.filter(|v| v.digest == sum && current.status == BidStatus::Submitted) {
            txn.commit().await?;
            // The same digest: the same bytes, which this request holds in the clear.
            (v.content, v.total_fen) = (text.to_string(), total_fen);
            return Ok(receipt(&v, c));
        }
        // Take the next version number only if nobody took it meanwhile.
        let status = current.status.transition(BidStatus::Submitted)?;
        let taken = bid::Entity::update_many()
            .col_expr(bid::Column::VersionCount, Expr::col(bid::Column::VersionCount).add(1))
            .col_expr(bid::Column::Status, Expr::value(status.code()))
            .col_expr(bid::Column::UpdatedAt, Expr::value(now))
            .filter(bid::Column::Id.eq(b.id))
            .filter(bid::Column::VersionCount.eq(current.version_count))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 0 {
            continue;
        }
        super::attachments::keep_for_version(&txn, c.id, org, files).await?;
        // Stored sealed: the content under the call's key, no price in the clear.
        let key = sealing::key_for(&txn, sealer, c.id).await?;
        let version_no = current.version_count + 1;
        let mut v = bid_version::ActiveModel {
            bid_id: Set(b.id),
            version_no: Set(version_no),
            content: Set(String::new()),
            total_fen: Set(0),
            sealed: Set(Some(key.seal(&sealing::version_purpose(b.id, version_no), text.as_bytes())?)),
            digest: Set(sum.to_string()),
            submitted_by: Set(u.id),
            submitted_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        (v.content, v.total_fen, v.sealed) = (text.to_string(), total_fen, None);
        audit_sealed(
            &txn,
            now,
            c.id,
            serde_json::json!({"event": "submitted", "bid": b.id, "version": v.version_no, "digest": sum}),
        )
        .await?;
        let r = receipt(&v, c);
        receipts::tell(&txn, mail, now, u, c, "sealed_bid_receipt", Some(&r)).await?;
        txn.commit().await?;
        return Ok(r);
    }
    Err(AppError::Conflict(Msg::new("error.concurrent_change")))
}

pub(super) async fn latest_version<C: ConnectionTrait>(db: &C, bid_id: i32) -> AppResult<Option<bid_version::Model>> {
    Ok(bid_version::Entity::find()
        .filter(bid_version::Column::BidId.eq(bid_id))
        .order_by_desc(bid_version::Column::VersionNo)
        .one(db)
        .await?)
}

pub async fn withdraw(
    db: &DatabaseConnection,
    mail: (&EmailTemplates, &str),
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
) -> AppResult<()> {
    let org = organization_of(u)?;
    let c = calls::visible(db, Some(u), call_id).await?;
    taking_bids(&c, now)?;
    let txn = db.begin().await?;
    let r = bid::Entity::update_many()
        .col_expr(bid::Column::Status, Expr::value(BidStatus::Submitted.transition(BidStatus::Withdrawn)?.code()))
        .col_expr(bid::Column::UpdatedAt, Expr::value(now))
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::OrganizationId.eq(org))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("bid.nothing_to_withdraw")));
    }
    audit_sealed(&txn, now, call_id, serde_json::json!({"event": "withdrawn", "organization": org})).await?;
    receipts::tell(&txn, mail, now, u, &c, "sealed_bid_withdrawn", None).await?;
    txn.commit().await?;
    Ok(())
}

/// The organization's own bid on a call, with its latest version (decrypted for them):
/// for its members only.
pub async fn own(
    db: &DatabaseConnection,
    sealer: &Sealer,
    u: &user::Model,
    call_id: i32,
) -> AppResult<Option<(bid::Model, Option<(bid_version::Model, BidContent)>)>> {
    let Some(org) = u.organization_id.filter(|_| u.role == Role::NgoMember) else { return Ok(None) };
    let Some(b) = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::OrganizationId.eq(org))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let key = sealer.call_key(&calls::get(db, call_id).await?)?;
    let latest = latest_version(db, b.id).await?.map(|v| sealing::reveal(key.as_ref(), v));
    let parsed = latest.and_then(|v| serde_json::from_str::<BidContent>(&v.content).ok().map(|c| (v, c)));
    Ok(Some((b, parsed)))
}

/// The bid's content as form values again (for a revision).
pub fn to_input(c: &BidContent) -> BidInput {
    BidInput {
        service_plan: c.service_plan.clone(),
        team: c.team.clone(),
        outputs: c
            .outputs
            .iter()
            .map(|o| OutputInput {
                indicator: o.indicator.clone(),
                quantity: o.quantity.to_string(),
                unit: o.unit.clone(),
            })
            .collect(),
        budget: c
            .budget
            .iter()
            .map(|b| BudgetLineInput {
                category: b.category.clone(),
                description: b.description.clone(),
                amount: Money(b.amount_fen).to_yuan_input(),
            })
            .collect(),
    }
}

/// Every standing bid's latest content, for the panel and the bureau. Empty while sealed.
pub async fn latest_contents<C: ConnectionTrait>(db: &C, c: &call::Model) -> AppResult<Vec<serde_json::Value>> {
    let opened = super::opening::opened_bids(db, c).await?;
    if opened.is_empty() {
        return Ok(vec![]);
    }
    let versions = bid_version::Entity::find()
        .filter(bid_version::Column::BidId.is_in(opened.iter().map(|b| b.bid_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(opened
        .iter()
        .filter_map(|b| {
            let v = versions.iter().find(|v| v.bid_id == b.bid_id && v.version_no == b.version_no)?;
            let content: BidContent = serde_json::from_str(&v.content).ok()?;
            Some(serde_json::json!({"bid_ref": b.bid_ref, "organization": b.organization, "content": content,
                "attachments": b.attachments}))
        })
        .collect())
}

/// Each standing bid with the account that submitted its latest version: whom to tell
/// about the call. Never shown to anyone while the call is sealed. Three queries, however
/// many bids.
pub async fn submitters<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Vec<(bid::Model, user::Model)>> {
    let rows = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .order_by_asc(bid::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let versions = latest_versions(db, &rows).await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(versions.iter().map(|v| v.submitted_by).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|b| {
            let v = versions.iter().find(|v| v.bid_id == b.id)?;
            let u = users.iter().find(|u| u.id == v.submitted_by)?.clone();
            Some((b, u))
        })
        .collect())
}

/// The latest version of each bid (its number is the bid's version count), in one query.
pub async fn latest_versions<C: ConnectionTrait>(db: &C, rows: &[bid::Model]) -> AppResult<Vec<bid_version::Model>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let latest = rows.iter().fold(sea_orm::Condition::any(), |c, b| {
        c.add(
            sea_orm::Condition::all()
                .add(bid_version::Column::BidId.eq(b.id))
                .add(bid_version::Column::VersionNo.eq(b.version_count)),
        )
    });
    Ok(bid_version::Entity::find().filter(latest).all(db).await?)
}
