//! From draft to signed: the officer approves a complete draft (it gets its number), sends
//! it (the PDF is issued, stored and emailed), and the provider accepts it here or uploads
//! the countersigned scan; the contract is then active and the instalments due on signing
//! become payable. An approved contract can be reopened for changes until it is sent.
use super::documents;
use super::documents::ContractDocument;
use super::view::{self, ContractView};
use super::{ContractRules, access, terms};
use crate::audit::{self, Actor};
use crate::documents::{self as drawing, Draws};
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Msg};
use crate::outbox::EmailTemplates;
use crate::procurement_rules::ProcurementRules;
use chrono::{DateTime, Datelike, Utc};
use entity::enums::{ContractStatus, DocumentKind, InstalmentStatus, PaymentCondition};
use entity::{call, contract, contract_instalment, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use std::sync::Arc;

/// What still keeps a draft from approval, each as a message naming the problem.
pub fn blockers(v: &ContractView, max_term: i32, max_bond: i32) -> Vec<Msg> {
    let mut out = Vec::new();
    if v.provider_address.trim().is_empty() || v.provider_representative.trim().is_empty() {
        out.push(Msg::new("contract.blocker.provider"));
    }
    if v.service_content.trim().is_empty() {
        out.push(Msg::new("contract.blocker.content"));
    }
    if v.starts_on.is_none() || v.ends_on.is_none() {
        out.push(Msg::new("contract.blocker.term"));
    } else if v.term_months > max_term {
        out.push(Msg::new("contract.term_too_long").arg("max", max_term));
    }
    if v.outputs.is_empty() {
        out.push(Msg::new("contract.blocker.outputs"));
    } else if v.outputs_total_fen != v.amount_fen {
        out.push(Msg::new("contract.blocker.outputs_total").arg("total", &v.outputs_total).arg("amount", &v.amount));
    }
    for i in v.instalments.iter().filter(|i| i.condition != PaymentCondition::Signing && i.milestone.is_none()) {
        out.push(Msg::new("contract.blocker.instalment_milestone").arg("n", i.position));
    }
    let (start, end) = (v.starts_on.clone().unwrap_or_default(), v.ends_on.clone().unwrap_or_default());
    for m in v.milestones.iter().filter(|m| m.due_on < start || m.due_on > end) {
        out.push(Msg::new("contract.milestone_outside_term").arg("title", &m.title).arg("due", &m.due_on));
    }
    if v.bond_percent > max_bond {
        out.push(Msg::new("contract.blocker.bond").arg("max", max_bond));
    }
    out
}

async fn max_term<C: ConnectionTrait>(db: &C, k: &contract::Model, rules: &ProcurementRules) -> AppResult<i32> {
    let c = call::Entity::find_by_id(k.call_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(terms::max_term_months(&c, rules))
}

/// Moves the contract by a conditional update: only from the state it was read in.
async fn move_state(
    txn: &DatabaseTransaction,
    k: &contract::Model,
    to: ContractStatus,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = k.status.transition(to)?;
    let moved = contract::Entity::update_many()
        .col_expr(contract::Column::Status, Expr::value(to.code()))
        .col_expr(contract::Column::UpdatedAt, Expr::value(now))
        .filter(contract::Column::Id.eq(k.id))
        .filter(contract::Column::Status.eq(k.status))
        // Unchanged since it was read: what was checked and drawn is what moves on.
        .filter(contract::Column::UpdatedAt.eq(k.updated_at))
        .exec(txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::Conflict(Msg::new("error.concurrent_change")));
    }
    Ok(())
}

/// Approves a complete draft: it is numbered by the configured scheme, the purchaser's
/// particulars are fixed, and the PDF is drawn once to be sure it can be (every character
/// in the font).
#[allow(clippy::too_many_arguments)]
pub async fn approve<D: Draws<ContractDocument> + ?Sized>(
    db: &DatabaseConnection,
    renderer: &Arc<D>,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ContractRules,
    procurement: &ProcurementRules,
    id: i32,
) -> AppResult<String> {
    let k = access::for_bureau(db, u, id).await?;
    if k.status != ContractStatus::Draft {
        return Err(k
            .status
            .transition(ContractStatus::Approved)
            .err()
            .map(AppError::from)
            .unwrap_or(AppError::NotFound));
    }
    let today = crate::i18n::to_local(now).date_naive();
    let v = view::build(db, &k, access::Viewer::Bureau, rules, today).await?;
    let blocking = blockers(&v, max_term(db, &k, procurement).await?, rules.max_bond_percent);
    if let Some(first) = blocking.into_iter().next() {
        return Err(AppError::Conflict(first));
    }
    drawing::render(
        renderer,
        ContractDocument::Contract { view: Box::new(v.clone()), language: Locale::ZhCn, draft: false },
    )
    .await?;
    let txn = db.begin().await?;
    let number = match &k.number {
        Some(n) => n.clone(),
        None => {
            let year = crate::i18n::to_local(now).year();
            let taken = contract::Entity::find()
                .filter(contract::Column::Number.starts_with(rules.prefix(year)))
                .count(&txn)
                .await?;
            rules.number(year, taken as i64 + 1)
        }
    };
    move_state(&txn, &k, ContractStatus::Approved, now).await?;
    let mut am: contract::ActiveModel = k.clone().into();
    am.number = Set(Some(number.clone()));
    am.purchaser_name = Set(v.purchaser_name.clone());
    am.purchaser_address = Set(v.purchaser_address.clone());
    am.purchaser_representative = Set(v.purchaser_representative.clone());
    am.status = Set(ContractStatus::Approved);
    am.updated_at = Set(now);
    am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.approved",
        "contract",
        id,
        serde_json::json!({"number": number}),
    )
    .await?;
    txn.commit().await?;
    Ok(number)
}

/// Back to draft, before it is sent.
pub async fn reopen(db: &DatabaseConnection, u: &user::Model, now: DateTime<Utc>, id: i32) -> AppResult<()> {
    let txn = db.begin().await?;
    let k = access::for_bureau(&txn, u, id).await?;
    move_state(&txn, &k, ContractStatus::Draft, now).await?;
    audit::append(&txn, now, &Actor::user(u), "contract.reopened", "contract", id, serde_json::json!({})).await?;
    txn.commit().await?;
    Ok(())
}

/// Issues the contract PDF in `language`, stores it with its digest and emails it to the
/// provider. Drawn before anything is written: a failure changes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn send<D: Draws<ContractDocument> + ?Sized>(
    db: &DatabaseConnection,
    renderer: &Arc<D>,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ContractRules,
    id: i32,
    language: Locale,
) -> AppResult<i32> {
    let k = access::for_bureau(db, u, id).await?;
    k.status.transition(ContractStatus::Sent)?;
    let today = crate::i18n::to_local(now).date_naive();
    let v = view::build(db, &k, access::Viewer::Bureau, rules, today).await?;
    let pdf =
        drawing::render(renderer, ContractDocument::Contract { view: Box::new(v.clone()), language, draft: false })
            .await?;
    let number = k.number.clone().unwrap_or_default();
    let txn = db.begin().await?;
    move_state(&txn, &k, ContractStatus::Sent, now).await?;
    let file_name = format!("{number}-{}.pdf", language.tag());
    let d = documents::store(&txn, now, u, &k, DocumentKind::Contract, None, language, file_name, pdf.bytes).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.sent",
        "contract",
        id,
        serde_json::json!({"document": d.id, "sha256": d.sha256, "language": language.tag(), "pages": pdf.pages}),
    )
    .await?;
    let ctx = serde_json::json!({
        "title": v.call_title, "amount": v.amount, "sha256": d.sha256,
        "url": format!("{origin}/contracts/{}", k.id),
    });
    access::notify_provider(&txn, emails, now, &k, "contract_sent", Some(d.id), ctx).await?;
    txn.commit().await?;
    Ok(d.id)
}

async fn activate(
    txn: &DatabaseTransaction,
    k: &contract::Model,
    u: &user::Model,
    now: DateTime<Utc>,
    via: &str,
    document: Option<(i32, String)>,
) -> AppResult<()> {
    move_state(txn, k, ContractStatus::Active, now).await?;
    let mut am: contract::ActiveModel = k.clone().into();
    am.status = Set(ContractStatus::Active);
    am.signed_via = Set(Some(via.to_string()));
    am.signed_at = Set(Some(now));
    am.updated_at = Set(now);
    am.update(txn).await?;
    let signing = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .filter(contract_instalment::Column::Condition.eq(PaymentCondition::Signing))
        .filter(contract_instalment::Column::Status.eq(InstalmentStatus::Pending))
        .all(txn)
        .await?;
    for i in signing {
        super::reports::make_payable(txn, now, i.id).await?;
    }
    audit::append(
        txn,
        now,
        &Actor::user(u),
        "contract.signed",
        "contract",
        k.id,
        serde_json::json!({"via": via, "document": document.as_ref().map(|d| d.0), "sha256": document.map(|d| d.1)}),
    )
    .await?;
    Ok(())
}

/// The provider accepts the contract in the platform.
pub async fn accept(db: &DatabaseConnection, u: &user::Model, now: DateTime<Utc>, id: i32) -> AppResult<()> {
    let txn = db.begin().await?;
    let k = access::for_provider(&txn, u, id).await?;
    if k.status != ContractStatus::Sent {
        return Err(AppError::Conflict(Msg::new("contract.not_awaiting_signature")));
    }
    activate(&txn, &k, u, now, "platform", None).await?;
    txn.commit().await?;
    Ok(())
}

/// The provider uploads the countersigned contract (a PDF or a photo of it).
pub async fn countersign(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: i32,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<()> {
    let (name, kind) = crate::files::checked_file(name, &bytes)?;
    if !matches!(kind, "pdf" | "png" | "jpeg") {
        return Err(crate::fields::field_error("file", Msg::new("contract.scan_kind")));
    }
    let txn = db.begin().await?;
    let k = access::for_provider(&txn, u, id).await?;
    if k.status != ContractStatus::Sent {
        return Err(AppError::Conflict(Msg::new("contract.not_awaiting_signature")));
    }
    let d = documents::store(&txn, now, u, &k, DocumentKind::Countersigned, None, Locale::ZhCn, name, bytes).await?;
    activate(&txn, &k, u, now, "scan", Some((d.id, d.sha256))).await?;
    txn.commit().await?;
    Ok(())
}
