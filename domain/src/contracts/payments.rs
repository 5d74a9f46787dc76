//! Payments: an officer records a payment (date, amount, voucher number) against a payable
//! instalment. No instalment is paid beyond its amount, so the contract never is; an
//! instalment paid in full is closed, and a contract whose instalments are all paid is
//! completed.
use super::access;
use super::terms::parse_term_date;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::field_error;
use crate::i18n::Msg;
use crate::money::Money;
use crate::outbox::EmailTemplates;
use chrono::{DateTime, Utc};
use entity::enums::{ContractStatus, InstalmentStatus};
use entity::{contract, contract_instalment, payment, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentInput {
    pub instalment_id: String,
    /// Yuan, as typed.
    pub amount: String,
    pub paid_on: String,
    pub voucher_no: String,
}

/// Paid, payable (made payable and not yet paid), forfeited (withheld or deducted after an
/// evaluation) and remaining (amount less paid and forfeited), in fen.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub payable_fen: i64,
    pub forfeited_fen: i64,
    pub remaining_fen: i64,
}

/// What an instalment pays: its amount less any deduction.
pub fn due_fen(i: &contract_instalment::Model) -> i64 {
    i.amount_fen - i.deduction_fen
}

pub fn totals(amount_fen: i64, instalments: &[contract_instalment::Model], payments: &[payment::Model]) -> Totals {
    let paid_on = |iid: i32| payments.iter().filter(|p| p.instalment_id == iid).map(|p| p.amount_fen).sum::<i64>();
    let paid_fen = payments.iter().map(|p| p.amount_fen).sum();
    let payable_fen = instalments
        .iter()
        .filter(|i| i.status == InstalmentStatus::Payable)
        .map(|i| (due_fen(i) - paid_on(i.id)).max(0))
        .sum();
    let forfeited_fen = instalments
        .iter()
        .map(|i| if i.status == InstalmentStatus::Withheld { i.amount_fen - paid_on(i.id) } else { i.deduction_fen })
        .sum();
    Totals { amount_fen, paid_fen, payable_fen, forfeited_fen, remaining_fen: amount_fen - paid_fen - forfeited_fen }
}

pub async fn of_contract<C: ConnectionTrait>(db: &C, contract_id: i32) -> AppResult<Vec<payment::Model>> {
    Ok(payment::Entity::find()
        .filter(payment::Column::ContractId.eq(contract_id))
        .order_by_asc(payment::Column::PaidOn)
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?)
}

/// Moves an instalment on, once: by its transition function and only while it is still in
/// the state read (`move_once`); the moment it becomes payable is kept. Returns it as saved.
pub(crate) async fn move_instalment(
    txn: &sea_orm::DatabaseTransaction,
    i: &contract_instalment::Model,
    to: InstalmentStatus,
    now: DateTime<Utc>,
) -> AppResult<contract_instalment::Model> {
    let to = i.status.transition(to)?;
    crate::move_once::<contract_instalment::Entity, _, _>(
        txn,
        (contract_instalment::Column::Id, i.id),
        contract_instalment::Column::Status,
        i.status,
        to,
    )
    .await?;
    let mut a: contract_instalment::ActiveModel = i.clone().into();
    a.status = Set(to);
    if to == InstalmentStatus::Payable {
        a.payable_at = Set(Some(now));
    }
    Ok(a.update(txn).await?)
}

/// A payment as typed, parsed.
struct Parsed {
    amount: i64,
    paid_on: chrono::NaiveDate,
    voucher: String,
    instalment_id: i32,
}

/// An amount over zero, a date not after `today`, a voucher number, an instalment chosen;
/// every field in error is named at once.
fn parse(input: &PaymentInput, today: chrono::NaiveDate) -> AppResult<Parsed> {
    let mut e = FieldErrors::default();
    let amount = match Money::parse_yuan(&input.amount) {
        Ok(m) if m.fen() > 0 => Some(m.fen()),
        Ok(_) => {
            e.add("amount", Msg::new("payment.amount_positive"));
            None
        }
        Err(m) => {
            e.add("amount", m);
            None
        }
    };
    let paid_on = parse_term_date(&input.paid_on);
    match paid_on {
        None => e.add("paid_on", Msg::new("field.date")),
        Some(d) if d > today => e.add("paid_on", Msg::new("payment.date_future")),
        _ => {}
    }
    let voucher = crate::fields::line_field(&mut e, "voucher_no", &input.voucher_no, 64);
    let instalment_id = input.instalment_id.trim().parse::<i32>().ok();
    if instalment_id.is_none() {
        e.add("instalment_id", Msg::new("field.choose"));
    }
    e.into_result()?;
    match (amount, paid_on, instalment_id) {
        (Some(amount), Some(paid_on), Some(instalment_id)) => Ok(Parsed { amount, paid_on, voucher, instalment_id }),
        _ => Err(AppError::Internal("parsed payment".into())),
    }
}

/// What is still to pay on an instalment: its amount due less what its payments (and
/// reversals) add up to.
fn open_on(i: &contract_instalment::Model, payments: &[payment::Model]) -> i64 {
    due_fen(i) - payments.iter().filter(|p| p.instalment_id == i.id).map(|p| p.amount_fen).sum::<i64>()
}

/// A voucher number is used once.
async fn refuse_used_voucher<C: ConnectionTrait>(db: &C, voucher: &str) -> AppResult<()> {
    if payment::Entity::find().filter(payment::Column::VoucherNo.eq(voucher)).one(db).await?.is_some() {
        return Err(field_error("voucher_no", Msg::new("payment.voucher_used")));
    }
    Ok(())
}

/// Checks a payment as typed before the officer is asked to confirm it: every field in
/// error named at once, then the instalment (the contract's), the amount against what is
/// still open on it, and the voucher number. `record` checks all again, under its locks.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    contract_id: i32,
    input: &PaymentInput,
    today: chrono::NaiveDate,
) -> AppResult<()> {
    let p = parse(input, today)?;
    let inst = contract_instalment::Entity::find_by_id(p.instalment_id)
        .filter(contract_instalment::Column::ContractId.eq(contract_id))
        .one(db)
        .await?
        .ok_or_else(|| field_error("instalment_id", Msg::new("field.choose")))?;
    let open = open_on(&inst, &of_contract(db, contract_id).await?);
    if inst.status == InstalmentStatus::Payable && p.amount > open {
        let payable = crate::i18n::format_money(open);
        return Err(field_error("amount", Msg::new("payment.over_payable").arg("payable", payable)));
    }
    refuse_used_voucher(db, &p.voucher).await?;
    Ok(())
}

/// The instalment to pay, if it is the contract's and payable now. The contract's row and
/// the instalment's are touched first: on PostgreSQL this holds them until commit, so
/// payments on one contract are counted one after the other (and the last one completes it).
async fn lock_payable(
    txn: &sea_orm::DatabaseTransaction,
    contract_id: i32,
    instalment_id: i32,
) -> AppResult<contract_instalment::Model> {
    contract::Entity::update_many()
        .col_expr(contract::Column::UpdatedAt, Expr::col(contract::Column::UpdatedAt))
        .filter(contract::Column::Id.eq(contract_id))
        .exec(txn)
        .await?;
    let touched = contract_instalment::Entity::update_many()
        .col_expr(contract_instalment::Column::Position, Expr::col(contract_instalment::Column::Position))
        .filter(contract_instalment::Column::Id.eq(instalment_id))
        .filter(contract_instalment::Column::ContractId.eq(contract_id))
        .exec(txn)
        .await?;
    if touched.rows_affected != 1 {
        return Err(field_error("instalment_id", Msg::new("field.choose")));
    }
    let inst = contract_instalment::Entity::find_by_id(instalment_id).one(txn).await?.ok_or(AppError::NotFound)?;
    match inst.status {
        InstalmentStatus::Pending => Err(AppError::Conflict(Msg::new("payment.not_payable"))),
        InstalmentStatus::Paid => Err(AppError::Conflict(Msg::new("payment.already_paid"))),
        InstalmentStatus::Withheld => Err(AppError::Conflict(Msg::new("payment.withheld"))),
        InstalmentStatus::Payable => Ok(inst),
    }
}

/// Records a payment. Refused, with nothing changed: an instalment not yet payable or
/// already paid, an amount over what is still payable on it, a date in the future or
/// before signing, a voucher number already used.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    contract_id: i32,
    input: &PaymentInput,
) -> AppResult<payment::Model> {
    let Parsed { amount, paid_on, voucher, instalment_id } = parse(input, crate::i18n::to_local(now).date_naive())?;
    let txn = db.begin().await?;
    let k = access::for_bureau(&txn, u, contract_id).await?;
    if k.status != ContractStatus::Active {
        return Err(AppError::Conflict(Msg::new("contract.not_active")));
    }
    if k.signed_at.is_some_and(|s| paid_on < crate::i18n::to_local(s).date_naive()) {
        return Err(field_error("paid_on", Msg::new("payment.before_signing")));
    }
    let inst = lock_payable(&txn, contract_id, instalment_id).await?;
    let payments = of_contract(&txn, contract_id).await?;
    let open = open_on(&inst, &payments);
    let paid_all: i64 = payments.iter().map(|p| p.amount_fen).sum();
    if amount > open || paid_all + amount > k.amount_fen {
        return Err(field_error(
            "amount",
            Msg::new("payment.over_payable")
                .arg("payable", crate::i18n::format_money(open.min(k.amount_fen - paid_all))),
        ));
    }
    refuse_used_voucher(&txn, &voucher).await?;
    let p = payment::ActiveModel {
        contract_id: Set(contract_id),
        instalment_id: Set(inst.id),
        amount_fen: Set(amount),
        paid_on: Set(paid_on),
        voucher_no: Set(voucher.clone()),
        recorded_by: Set(u.id),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if amount == open {
        move_instalment(&txn, &inst, InstalmentStatus::Paid, now).await?;
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.payment_recorded",
        "contract",
        contract_id,
        serde_json::json!({"instalment": inst.position, "amount_fen": amount, "paid_on": paid_on, "voucher_no": voucher}),
    )
    .await?;
    complete_when_settled(&txn, u, now, &k).await?;
    let ctx = serde_json::json!({
        "instalment": inst.position, "amount": crate::i18n::format_money(amount), "paid_on": paid_on.to_string(),
        "url": format!("{origin}/contracts/{contract_id}#payments"),
    });
    access::notify_provider(&txn, emails, now, &k, "payment_recorded", None, ctx).await?;
    txn.commit().await?;
    Ok(p)
}

/// Reverses a payment recorded by mistake: an entry of the opposite amount that names the
/// payment and the officer's reason, dated today; the instalment it paid is payable again
/// and a contract it completed is in force again. Nothing is deleted. Refused: a reversal
/// entry, a payment already reversed (once, however many officers try at the same moment:
/// the entry's `reverses_id` is unique), a reason left empty.
#[allow(clippy::too_many_arguments)]
pub async fn reverse(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    contract_id: i32,
    payment_id: i32,
    reason: &str,
) -> AppResult<payment::Model> {
    let reason = crate::fields::bounded("reason", reason, 1000)?;
    if reason.chars().count() < 2 {
        return Err(field_error("reason", Msg::new("payment.reason_required")));
    }
    let txn = db.begin().await?;
    let k = access::for_bureau(&txn, u, contract_id).await?;
    let p = payment::Entity::find_by_id(payment_id)
        .filter(payment::Column::ContractId.eq(contract_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.reverses_id.is_some() || p.amount_fen <= 0 {
        return Err(AppError::Conflict(Msg::new("payment.reversal_of_reversal")));
    }
    if payment::Entity::find().filter(payment::Column::ReversesId.eq(p.id)).one(&txn).await?.is_some() {
        return Err(AppError::Conflict(Msg::new("payment.already_reversed")));
    }
    let reversal = payment::ActiveModel {
        contract_id: Set(contract_id),
        instalment_id: Set(p.instalment_id),
        amount_fen: Set(-p.amount_fen),
        paid_on: Set(crate::i18n::to_local(now).date_naive()),
        voucher_no: Set(format!("{}-R{}", p.voucher_no, p.id)),
        recorded_by: Set(u.id),
        recorded_at: Set(now),
        reverses_id: Set(Some(p.id)),
        reason: Set(Some(reason.clone())),
        ..Default::default()
    };
    // The unique reverses_id decides a race: the second officer's insert fails (409).
    let reversal = reversal.insert(&txn).await?;
    let inst = contract_instalment::Entity::find_by_id(p.instalment_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if inst.status == InstalmentStatus::Paid {
        move_instalment(&txn, &inst, InstalmentStatus::Payable, now).await?;
    }
    if k.status == ContractStatus::Completed {
        reopen(&txn, now, &k).await?;
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "contract.payment_reversed",
        "contract",
        contract_id,
        serde_json::json!({"voucher_no": p.voucher_no, "amount_fen": p.amount_fen, "reason": reason}),
    )
    .await?;
    let ctx = serde_json::json!({
        "instalment": inst.position, "amount": crate::i18n::format_money(p.amount_fen),
        "voucher_no": p.voucher_no, "reason": reason,
        "url": format!("{origin}/contracts/{contract_id}#payments"),
    });
    access::notify_provider(&txn, emails, now, &k, "payment_reversed", None, ctx).await?;
    txn.commit().await?;
    Ok(reversal)
}

/// A contract completed by a payment since reversed is in force again.
async fn reopen(txn: &sea_orm::DatabaseTransaction, now: DateTime<Utc>, k: &contract::Model) -> AppResult<()> {
    let to = k.status.transition(ContractStatus::Active)?;
    crate::move_once::<contract::Entity, _, _>(
        txn,
        (contract::Column::Id, k.id),
        contract::Column::Status,
        k.status,
        to,
    )
    .await?;
    contract::Entity::update_many()
        .col_expr(contract::Column::UpdatedAt, Expr::value(now))
        .filter(contract::Column::Id.eq(k.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A contract whose instalments are all paid (or withheld after a failed evaluation) is
/// completed.
pub(crate) async fn complete_when_settled(
    txn: &sea_orm::DatabaseTransaction,
    u: &user::Model,
    now: DateTime<Utc>,
    k: &contract::Model,
) -> AppResult<()> {
    let open = contract_instalment::Entity::find()
        .filter(contract_instalment::Column::ContractId.eq(k.id))
        .filter(contract_instalment::Column::Status.is_not_in([InstalmentStatus::Paid, InstalmentStatus::Withheld]))
        .one(txn)
        .await?;
    if open.is_none() {
        let to = k.status.transition(ContractStatus::Completed)?;
        crate::move_once::<contract::Entity, _, _>(
            txn,
            (contract::Column::Id, k.id),
            contract::Column::Status,
            k.status,
            to,
        )
        .await?;
        let mut am: contract::ActiveModel = k.clone().into();
        am.status = Set(to);
        am.updated_at = Set(now);
        am.update(txn).await?;
        audit::append(txn, now, &Actor::user(u), "contract.completed", "contract", k.id, serde_json::json!({})).await?;
    }
    Ok(())
}
