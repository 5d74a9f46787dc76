//! The contracts list: the bureau sees every contract (or those with reports waiting), a
//! provider's members their own organization's, once sent.
use super::access::provider_may_see;
use crate::error::AppResult;
use crate::money::Money;
use chrono::NaiveDate;
use entity::enums::{ContractStatus, MilestoneStatus, Role};
use entity::{call, contract, milestone, organization, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ContractRow {
    pub id: i32,
    pub number: Option<String>,
    pub call_reference: Option<String>,
    pub call_title: String,
    pub provider: String,
    pub status: ContractStatus,
    pub amount_fen: Money,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub waiting: usize,
    pub overdue: usize,
    pub next_due: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    /// For the list's filters: the call's category and districts, the year it was signed
    /// (or drafted, until it is signed).
    pub category: entity::enums::ServiceCategory,
    pub district_ids: Vec<i32>,
    pub year: i32,
}

pub async fn list<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    today: NaiveDate,
    waiting_only: bool,
) -> AppResult<Vec<ContractRow>> {
    let mut q = contract::Entity::find().order_by_desc(contract::Column::Id);
    if !u.role.is_bureau() {
        match (u.role, u.organization_id) {
            (Role::NgoMember, Some(org)) => q = q.filter(contract::Column::OrganizationId.eq(org)),
            _ => return Ok(Vec::new()),
        }
    }
    let rows: Vec<contract::Model> =
        q.all(db).await?.into_iter().filter(|k| u.role.is_bureau() || provider_may_see(k.status)).collect();
    let ids: Vec<i32> = rows.iter().map(|k| k.id).collect();
    let calls = call::Entity::find().filter(call::Column::Id.is_in(rows.iter().map(|k| k.call_id))).all(db).await?;
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(rows.iter().map(|k| k.organization_id)))
        .all(db)
        .await?;
    let ms = milestone::Entity::find().filter(milestone::Column::ContractId.is_in(ids)).all(db).await?;
    let out = rows
        .into_iter()
        .filter_map(|k| {
            let mine: Vec<&milestone::Model> = ms.iter().filter(|m| m.contract_id == k.id).collect();
            let c = calls.iter().find(|c| c.id == k.call_id)?;
            let signed_on = k.signed_at.map(|t| crate::i18n::to_local(t).date_naive());
            Some(ContractRow {
                id: k.id,
                number: k.number.clone(),
                call_reference: c.reference.clone(),
                call_title: c.title.clone(),
                provider: orgs.iter().find(|o| o.id == k.organization_id).map(|o| o.name.clone()).unwrap_or_default(),
                status: k.status,
                amount_fen: Money(k.amount_fen),
                starts_on: k.starts_on,
                ends_on: k.ends_on,
                waiting: mine.iter().filter(|m| m.status == MilestoneStatus::Submitted).count(),
                overdue: if k.status == ContractStatus::Active {
                    mine.iter().filter(|m| super::milestones::is_overdue(m, today)).count()
                } else {
                    0
                },
                next_due: mine.iter().filter(|m| m.status != MilestoneStatus::Accepted).map(|m| m.due_on).min(),
                signed_on,
                category: c.category,
                district_ids: crate::lists::call_districts(c),
                year: chrono::Datelike::year(&signed_on.unwrap_or(crate::i18n::to_local(k.created_at).date_naive())),
            })
        })
        .filter(|r| !waiting_only || r.waiting > 0)
        .collect();
    Ok(out)
}
