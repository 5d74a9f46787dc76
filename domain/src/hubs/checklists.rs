//! A hub's graduation checklist: items required or optional to graduate. An item is
//! retired, never deleted; assessments keep their own copy of the items as assessed.
use super::get;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::{line_field, truthy};
use chrono::{DateTime, Utc};
use entity::hub_checklist_item;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub async fn checklist<C: ConnectionTrait>(db: &C, hub_id: i32) -> AppResult<Vec<hub_checklist_item::Model>> {
    Ok(hub_checklist_item::Entity::find()
        .filter(hub_checklist_item::Column::HubId.eq(hub_id))
        .filter(hub_checklist_item::Column::Retired.eq(false))
        .order_by_asc(hub_checklist_item::Column::Position)
        .order_by_asc(hub_checklist_item::Column::Id)
        .all(db)
        .await?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChecklistItemInput {
    pub title: String,
    /// "on" (a ticked checkbox) or "true" when the item is required to graduate.
    pub required: String,
}

pub async fn add_checklist_item(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    hub_id: i32,
    i: &ChecklistItemInput,
) -> AppResult<hub_checklist_item::Model> {
    let mut e = FieldErrors::default();
    let title = line_field(&mut e, "title", &i.title, 200);
    e.into_result()?;
    let txn = db.begin().await?;
    get(&txn, hub_id).await?;
    let position = checklist(&txn, hub_id).await?.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    let item = hub_checklist_item::ActiveModel {
        hub_id: Set(hub_id),
        title: Set(title),
        required: Set(truthy(&i.required)),
        position: Set(position),
        retired: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        actor,
        "hub.checklist_item_added",
        "hub",
        hub_id,
        serde_json::json!({"item": item.id, "title": item.title, "required": item.required}),
    )
    .await?;
    txn.commit().await?;
    Ok(item)
}

/// An item leaves the checklist; assessments already made keep their copy of it.
pub async fn retire_checklist_item(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    hub_id: i32,
    item_id: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let item = hub_checklist_item::Entity::find_by_id(item_id)
        .filter(hub_checklist_item::Column::HubId.eq(hub_id))
        .filter(hub_checklist_item::Column::Retired.eq(false))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut am: hub_checklist_item::ActiveModel = item.into();
    am.retired = Set(true);
    am.update(&txn).await?;
    audit::append(&txn, now, actor, "hub.checklist_item_retired", "hub", hub_id, serde_json::json!({"item": item_id}))
        .await?;
    txn.commit().await?;
    Ok(())
}
