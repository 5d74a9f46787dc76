//! Who may see a contract: the bureau (officers, administrators) sees every contract; the
//! provider's members see their own organization's once it has been sent to them; nobody
//! else learns that it exists.
use crate::error::{AppError, AppResult};
use entity::enums::{ContractStatus, Role};
use entity::{contract, user};
use sea_orm::{ConnectionTrait, EntityTrait};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewer {
    Bureau,
    Provider,
}

pub fn is_bureau(u: &user::Model) -> bool {
    matches!(u.role, Role::Officer | Role::Admin)
}

/// A draft or approved contract is still the bureau's working copy.
pub fn provider_may_see(status: ContractStatus) -> bool {
    !matches!(status, ContractStatus::Draft | ContractStatus::Approved)
}

pub async fn load<C: ConnectionTrait>(db: &C, u: &user::Model, id: i32) -> AppResult<(contract::Model, Viewer)> {
    let k = contract::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if is_bureau(u) {
        return Ok((k, Viewer::Bureau));
    }
    if u.role == Role::NgoMember && u.organization_id == Some(k.organization_id) && provider_may_see(k.status) {
        return Ok((k, Viewer::Provider));
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
        (k, Viewer::Provider) => Ok(k),
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
