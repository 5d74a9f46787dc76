//! Who may see a contract: the bureau (officers, administrators) sees every contract; the
//! provider's members see their own organization's once it has been sent to them; nobody
//! else learns that it exists.
pub use crate::access::Viewer;
use crate::access::is_member_of;
use crate::error::{AppError, AppResult};
use entity::enums::{ContractStatus, Role};
use entity::{contract, user};
use sea_orm::{ConnectionTrait, EntityTrait};

/// What the reader may do with a contract in its present state. Pages, the API and templates
/// take these flags instead of comparing roles and states themselves; the steps check the
/// same states again when they are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ContractCan {
    /// The bureau, on a draft: edit the terms and milestones, preview, approve.
    pub prepare: bool,
    /// The bureau, once approved: send it to the provider, or reopen it.
    pub send: bool,
    /// The provider, once sent: accept it or upload the countersigned scan.
    pub sign: bool,
    /// The bureau, while it runs: record payments, amend it, schedule evaluations.
    pub manage: bool,
}

impl ContractCan {
    pub fn of(viewer: Viewer, status: ContractStatus) -> ContractCan {
        let bureau = viewer.is_bureau();
        ContractCan {
            prepare: bureau && status == ContractStatus::Draft,
            send: bureau && status == ContractStatus::Approved,
            sign: viewer == Viewer::Member && status == ContractStatus::Sent,
            manage: bureau && status == ContractStatus::Active,
        }
    }
}

/// A draft or approved contract is still the bureau's working copy.
pub fn provider_may_see(status: ContractStatus) -> bool {
    !matches!(status, ContractStatus::Draft | ContractStatus::Approved)
}

pub async fn load<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<(contract::Model, Viewer)> {
    let k = contract::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if u.role.is_bureau() {
        return Ok((k, Viewer::Bureau));
    }
    if is_member_of(u, k.organization_id) && provider_may_see(k.status) {
        return Ok((k, Viewer::Member));
    }
    Err(AppError::NotFound)
}

/// The contract, for a change only the bureau may make.
pub async fn for_bureau<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<contract::Model> {
    match load(db, u, id).await? {
        (k, Viewer::Bureau) => Ok(k),
        _ => Err(AppError::Forbidden),
    }
}

/// The contract, for a step only its provider takes.
pub async fn for_provider<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<contract::Model> {
    match load(db, u, id).await? {
        (k, Viewer::Member) => Ok(k),
        _ => Err(AppError::Forbidden),
    }
}

/// The provider's people to write to: its active member accounts.
pub async fn provider_members<C: ConnectionTrait>(db: &C, organization_id: i32) -> AppResult<Vec<user::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(user::Entity::find()
        .filter(user::Column::OrganizationId.eq(organization_id))
        .filter(user::Column::Role.eq(Role::NgoMember))
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// The officers who review reports.
pub async fn officers<C: ConnectionTrait>(db: &C) -> AppResult<Vec<user::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Officer))
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// Emails each of the provider's members (or, if it has none, its contact address) one
/// message of `kind`; `ctx` gets the recipient's name and the contract number. With
/// `attachment`, the stored document goes with each message. Use the step's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn notify_provider(
    txn: &sea_orm::DatabaseTransaction,
    emails: &crate::outbox::EmailTemplates,
    now: chrono::DateTime<chrono::Utc>,
    k: &entity::contract::Model,
    kind: &str,
    attachment: Option<i32>,
    ctx: serde_json::Value,
) -> AppResult<()> {
    use crate::i18n::Locale;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut to: Vec<(String, String, Locale)> = provider_members(txn, k.organization_id)
        .await?
        .into_iter()
        .map(|m| (m.email, m.display_name, Locale::from_tag(&m.locale).unwrap_or(Locale::ZhCn)))
        .collect();
    if to.is_empty() {
        let org =
            entity::organization::Entity::find_by_id(k.organization_id).one(txn).await?.ok_or(AppError::NotFound)?;
        if !org.contact_email.trim().is_empty() {
            to.push((org.contact_email, org.contact_name, Locale::ZhCn));
        }
    }
    for (address, name, locale) in to {
        let mut message = serde_json::json!({"name": name, "number": k.number});
        if let (Some(m), Some(c)) = (message.as_object_mut(), ctx.as_object()) {
            m.extend(c.clone());
        }
        let id = crate::outbox::enqueue(txn, emails, now, &address, locale, kind, message).await?;
        if let Some(doc) = attachment {
            entity::outbox::Entity::update_many()
                .col_expr(entity::outbox::Column::AttachmentDocumentId, Expr::value(doc))
                .filter(entity::outbox::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}
