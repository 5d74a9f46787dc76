//! Incubation hubs (孵化基地): the hub itself, its managers, its graduation checklist and
//! its seats. Admission rounds, applications, memberships and the dashboard live in the
//! submodules.
pub mod applications;
mod checklists;
pub mod dashboard;
pub mod decisions;
pub mod memberships;
pub mod reminders;
pub mod rounds;
pub mod view;

use crate::fields::{field_error, int_field, line_field, text_field};
pub use checklists::{ChecklistItemInput, add_checklist_item, checklist, retire_checklist_item};

use super::audit::{self, Actor};
use super::organization_input::Places;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::{HubType, IncubationMode, MembershipStage, Role, SpaceUnit};
use entity::{hub, hub_manager, hub_membership, hub_seat, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_CAPACITY: i32 = 500;

/// Minutes as hours for people: "2", "2.5", "0.3".
pub fn hours(minutes: i64) -> String {
    let tenths = (minutes as f64 / 6.0).round() as i64;
    if tenths % 10 == 0 { format!("{}", tenths / 10) } else { format!("{}.{}", tenths / 10, tenths % 10) }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HubInput {
    pub name: String,
    pub hub_type: String,
    pub district_id: String,
    pub community_id: String,
    pub address: String,
    pub capacity: String,
    pub mode: String,
    pub space_unit: String,
    pub default_term_months: String,
    pub description: String,
    /// Ids of hub_manager accounts.
    pub managers: Vec<String>,
}

struct ParsedHub {
    name: String,
    hub_type: HubType,
    district_id: i32,
    community_id: Option<i32>,
    address: String,
    capacity: i32,
    mode: IncubationMode,
    space_unit: SpaceUnit,
    default_term_months: i32,
    description: String,
    managers: Vec<i32>,
}

async fn parse<C: ConnectionTrait>(db: &C, places: &Places, i: &HubInput) -> AppResult<ParsedHub> {
    let mut e = FieldErrors::default();
    let name = line_field(&mut e, "name", &i.name, 100);
    let hub_type = HubType::from_code(i.hub_type.trim());
    if hub_type.is_none() {
        e.add("hub_type", Msg::new("field.choose"));
    }
    let district = places.district(&i.district_id).map(|d| d.id);
    if district.is_none() {
        e.add("district_id", Msg::new("field.choose"));
    }
    let community_id = match (district, i.community_id.trim()) {
        (_, "") => None,
        (Some(d), c) => match places.community(d, c) {
            Some(c) => Some(c.id),
            None => {
                e.add("community_id", Msg::new("community.unknown"));
                None
            }
        },
        (None, _) => None,
    };
    let address = line_field(&mut e, "address", &i.address, 200);
    let capacity = int_field(&mut e, "capacity", &i.capacity, 1..=MAX_CAPACITY);
    let mode = IncubationMode::from_code(i.mode.trim());
    if mode.is_none() {
        e.add("mode", Msg::new("field.choose"));
    }
    let space_unit = SpaceUnit::from_code(i.space_unit.trim()).unwrap_or(SpaceUnit::Desk);
    let term = if i.default_term_months.trim().is_empty() {
        Some(12)
    } else {
        int_field(&mut e, "default_term_months", &i.default_term_months, 1..=36)
    };
    let description = super::clean(&i.description).chars().take(2000).collect();
    let mut managers = Vec::new();
    for m in &i.managers {
        let Ok(id) = m.trim().parse::<i32>() else {
            e.add("managers", Msg::new("hub.manager_invalid"));
            break;
        };
        let ok = user::Entity::find_by_id(id)
            .filter(user::Column::Role.eq(Role::HubManager))
            .filter(user::Column::Disabled.eq(false))
            .count(db)
            .await?
            > 0;
        if !ok {
            e.add("managers", Msg::new("hub.manager_invalid"));
            break;
        }
        if !managers.contains(&id) {
            managers.push(id);
        }
    }
    e.into_result()?;
    match (hub_type, district, capacity, mode, term) {
        (Some(hub_type), Some(district_id), Some(capacity), Some(mode), Some(default_term_months)) => Ok(ParsedHub {
            name,
            hub_type,
            district_id,
            community_id,
            address,
            capacity,
            mode,
            space_unit,
            default_term_months,
            description,
            managers,
        }),
        _ => Err(AppError::Invalid(FieldErrors::default())),
    }
}

async fn name_taken<C: ConnectionTrait>(db: &C, name: &str, except: Option<i32>) -> AppResult<bool> {
    let mut q = hub::Entity::find().filter(hub::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(hub::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

/// Seat labels are numbers ("01", "02", …) shown with the hub's unit (desk or room).
fn seat_label(n: i32) -> String {
    format!("{n:02}")
}

/// Brings the seats in line with the capacity: a physical hub has one seat per place; a
/// virtual hub has none. A held seat is never removed: lowering the capacity below it is refused.
async fn sync_seats<C: ConnectionTrait>(db: &C, h: &hub::Model) -> AppResult<()> {
    let seats = hub_seat::Entity::find().filter(hub_seat::Column::HubId.eq(h.id)).all(db).await?;
    let wanted = if h.mode == IncubationMode::Physical { h.capacity } else { 0 };
    for s in &seats {
        let n = s.label.parse::<i32>().unwrap_or(i32::MAX);
        if n > wanted {
            if s.held_by.is_some() {
                return Err(AppError::Conflict(Msg::new("hub.seat_in_use").arg("seat", &s.label)));
            }
            hub_seat::Entity::delete_by_id(s.id).exec(db).await?;
        }
    }
    for n in 1..=wanted {
        let label = seat_label(n);
        if !seats.iter().any(|s| s.label == label) {
            hub_seat::ActiveModel { hub_id: Set(h.id), label: Set(label), held_by: Set(None), ..Default::default() }
                .insert(db)
                .await?;
        }
    }
    Ok(())
}

async fn set_managers<C: ConnectionTrait>(db: &C, hub_id: i32, managers: &[i32]) -> AppResult<()> {
    hub_manager::Entity::delete_many().filter(hub_manager::Column::HubId.eq(hub_id)).exec(db).await?;
    for m in managers {
        hub_manager::ActiveModel { hub_id: Set(hub_id), user_id: Set(*m), ..Default::default() }.insert(db).await?;
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    places: &Places,
    i: &HubInput,
) -> AppResult<hub::Model> {
    let txn = db.begin().await?;
    let p = parse(&txn, places, i).await?;
    if name_taken(&txn, &p.name, None).await? {
        return Err(field_error("name", Msg::new("hub.name_taken")));
    }
    let h = hub::ActiveModel {
        name: Set(p.name),
        hub_type: Set(p.hub_type),
        district_id: Set(p.district_id),
        community_id: Set(p.community_id),
        address: Set(p.address),
        capacity: Set(p.capacity),
        mode: Set(p.mode),
        space_unit: Set(p.space_unit),
        default_term_months: Set(p.default_term_months),
        description: Set(p.description),
        occupied: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_managers(&txn, h.id, &p.managers).await?;
    sync_seats(&txn, &h).await?;
    audit::append(
        &txn,
        now,
        actor,
        "hub.created",
        "hub",
        h.id,
        serde_json::json!({"name": h.name, "capacity": h.capacity, "managers": p.managers}),
    )
    .await?;
    txn.commit().await?;
    Ok(h)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    places: &Places,
    id: i32,
    i: &HubInput,
) -> AppResult<hub::Model> {
    let txn = db.begin().await?;
    let h = hub::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let p = parse(&txn, places, i).await?;
    if name_taken(&txn, &p.name, Some(id)).await? {
        return Err(field_error("name", Msg::new("hub.name_taken")));
    }
    // Conditional, so a member admitted meanwhile is counted.
    let fits = hub::Entity::update_many()
        .col_expr(hub::Column::Capacity, sea_orm::sea_query::Expr::value(p.capacity))
        .filter(hub::Column::Id.eq(id))
        .filter(hub::Column::Occupied.lte(p.capacity))
        .exec(&txn)
        .await?;
    if fits.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.capacity_below_occupancy").arg("n", h.occupied)));
    }
    let mut am: hub::ActiveModel = h.into();
    am.name = Set(p.name);
    am.hub_type = Set(p.hub_type);
    am.district_id = Set(p.district_id);
    am.community_id = Set(p.community_id);
    am.address = Set(p.address);
    am.capacity = Set(p.capacity);
    am.mode = Set(p.mode);
    am.space_unit = Set(p.space_unit);
    am.default_term_months = Set(p.default_term_months);
    am.description = Set(p.description);
    am.updated_at = Set(now);
    let h = am.update(&txn).await?;
    set_managers(&txn, h.id, &p.managers).await?;
    sync_seats(&txn, &h).await?;
    audit::append(
        &txn,
        now,
        actor,
        "hub.updated",
        "hub",
        h.id,
        serde_json::json!({"name": h.name, "capacity": h.capacity, "mode": h.mode.code(), "managers": p.managers}),
    )
    .await?;
    txn.commit().await?;
    Ok(h)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<hub::Model> {
    hub::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<hub::Model>> {
    Ok(hub::Entity::find().order_by_asc(hub::Column::Id).all(db).await?)
}

/// Whether `u` runs this hub: bureau staff run every hub, a hub manager the hubs they manage.
pub async fn is_staff<C: ConnectionTrait>(db: &C, u: Option<&user::Model>, hub_id: i32) -> AppResult<bool> {
    Ok(match u {
        Some(u) if u.role.is_bureau() => true,
        Some(u) if u.role == Role::HubManager => {
            hub_manager::Entity::find()
                .filter(hub_manager::Column::HubId.eq(hub_id))
                .filter(hub_manager::Column::UserId.eq(u.id))
                .count(db)
                .await?
                > 0
        }
        _ => false,
    })
}

pub async fn require_staff<C: ConnectionTrait>(db: &C, u: &user::Model, hub_id: i32) -> AppResult<()> {
    get(db, hub_id).await?;
    if is_staff(db, Some(u), hub_id).await? { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The hubs a hub manager runs.
pub async fn managed_by(db: &DatabaseConnection, user_id: i32) -> AppResult<Vec<i32>> {
    Ok(hub_manager::Entity::find()
        .filter(hub_manager::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.hub_id)
        .collect())
}

pub async fn managers(db: &DatabaseConnection, hub_id: i32) -> AppResult<Vec<user::Model>> {
    let ids: Vec<i32> = hub_manager::Entity::find()
        .filter(hub_manager::Column::HubId.eq(hub_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).order_by_asc(user::Column::Id).all(db).await?)
}

/// Accounts that may be made managers of a hub.
pub async fn manager_candidates(db: &DatabaseConnection) -> AppResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::HubManager))
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

pub async fn seats<C: ConnectionTrait>(db: &C, hub_id: i32) -> AppResult<Vec<hub_seat::Model>> {
    Ok(hub_seat::Entity::find()
        .filter(hub_seat::Column::HubId.eq(hub_id))
        .order_by_asc(hub_seat::Column::Label)
        .all(db)
        .await?)
}

/// What later rules (procurement eligibility, the credit summary) need to know about an
/// organization's incubation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HubStanding {
    pub current_member: bool,
    pub ever_member: bool,
    pub graduated: bool,
    pub memberships: Vec<StandingEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StandingEntry {
    pub hub_id: i32,
    pub hub_name: String,
    pub stage: MembershipStage,
    pub started_on: chrono::NaiveDate,
    pub planned_end_on: chrono::NaiveDate,
    pub ended_on: Option<chrono::NaiveDate>,
}

pub async fn standing<C: ConnectionTrait>(db: &C, org_id: i32) -> AppResult<HubStanding> {
    Ok(standings(db, &[org_id]).await?.remove(&org_id).unwrap_or_default())
}

/// The standing of each of these organizations, in two queries however many.
pub async fn standings<C: ConnectionTrait>(
    db: &C,
    org_ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, HubStanding>> {
    let rows = hub_membership::Entity::find()
        .filter(hub_membership::Column::OrganizationId.is_in(org_ids.iter().copied()))
        .order_by_desc(hub_membership::Column::StartedOn)
        .all(db)
        .await?;
    let hub_ids: Vec<i32> = rows.iter().map(|m| m.hub_id).collect();
    let hubs = hub::Entity::find().filter(hub::Column::Id.is_in(hub_ids)).all(db).await?;
    let mut all: std::collections::HashMap<i32, HubStanding> = std::collections::HashMap::new();
    for m in rows {
        let Some(org) = m.organization_id else { continue };
        let s = all.entry(org).or_default();
        let h = hubs.iter().find(|h| h.id == m.hub_id);
        s.ever_member = true;
        s.current_member |= m.stage.is_current();
        s.graduated |= m.stage == MembershipStage::Graduated;
        s.memberships.push(StandingEntry {
            hub_id: m.hub_id,
            hub_name: h.map(|h| h.name.clone()).unwrap_or_default(),
            stage: m.stage,
            started_on: m.started_on,
            planned_end_on: m.planned_end_on,
            ended_on: m.ended_on,
        });
    }
    Ok(all)
}
