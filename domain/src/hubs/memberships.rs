//! Hub members during incubation: the services the hub gives them, their seat, and the
//! graduation assessment (出壳) against the hub's checklist.
use super::decisions::hold_seat;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::{field_error, int_field, line_field};
use crate::i18n::Msg;
use crate::organization_input::parse_date;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{AssessmentOutcome, HubServiceKind, MembershipStage};
use entity::{hub, hub_assessment, hub_membership, hub_seat, hub_service, organization, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    #[serde(flatten)]
    pub membership: hub_membership::Model,
    pub member_name: String,
    pub is_team: bool,
    pub seat: Option<String>,
}

/// Whether `u` is the member: the account that applied, or a member of its organization.
pub fn is_member(u: &user::Model, m: &hub_membership::Model) -> bool {
    m.member_user_id == u.id || (m.organization_id.is_some() && m.organization_id == u.organization_id)
}

async fn rows<C: ConnectionTrait>(db: &C, ms: Vec<hub_membership::Model>) -> AppResult<Vec<MemberRow>> {
    let org_ids: Vec<i32> = ms.iter().filter_map(|m| m.organization_id).collect();
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(db).await?;
    let ids: Vec<i32> = ms.iter().map(|m| m.id).collect();
    let seats = hub_seat::Entity::find().filter(hub_seat::Column::HeldBy.is_in(ids)).all(db).await?;
    Ok(ms
        .into_iter()
        .map(|m| {
            let member_name = match m.organization_id {
                Some(o) => orgs.iter().find(|x| x.id == o).map(|x| x.name.clone()).unwrap_or_default(),
                None => m.team_name.clone().unwrap_or_default(),
            };
            MemberRow {
                is_team: m.organization_id.is_none(),
                seat: seats.iter().find(|s| s.held_by == Some(m.id)).map(|s| s.label.clone()),
                member_name,
                membership: m,
            }
        })
        .collect())
}

/// The hub's members: those in incubation (soonest end first), then those who have left
/// (latest first), at most `past_limit` of them. Also returns how many have left in all.
pub async fn of_hub<C: ConnectionTrait>(
    db: &C,
    hub_id: i32,
    past_limit: Option<u64>,
) -> AppResult<(Vec<MemberRow>, u64)> {
    let current_stages = [MembershipStage::Incubating, MembershipStage::Extended];
    let mut ms = hub_membership::Entity::find()
        .filter(hub_membership::Column::HubId.eq(hub_id))
        .filter(hub_membership::Column::Stage.is_in(current_stages))
        .order_by_asc(hub_membership::Column::PlannedEndOn)
        .all(db)
        .await?;
    let past = hub_membership::Entity::find()
        .filter(hub_membership::Column::HubId.eq(hub_id))
        .filter(hub_membership::Column::Stage.is_not_in(current_stages));
    let past_total = past.clone().count(db).await?;
    ms.extend(
        past.order_by_desc(hub_membership::Column::EndedOn)
            .order_by_desc(hub_membership::Column::Id)
            .limit(past_limit)
            .all(db)
            .await?,
    );
    Ok((rows(db, ms).await?, past_total))
}

pub async fn mine(db: &DatabaseConnection, u: &user::Model) -> AppResult<Vec<MemberRow>> {
    let mut cond = sea_orm::Condition::any().add(hub_membership::Column::MemberUserId.eq(u.id));
    if let Some(o) = u.organization_id {
        cond = cond.add(hub_membership::Column::OrganizationId.eq(o));
    }
    let ms = hub_membership::Entity::find().filter(cond).order_by_desc(hub_membership::Column::Id).all(db).await?;
    rows(db, ms).await
}

/// A membership as `u` may see it (the hub's staff or the member); returns whether `u` is staff.
pub async fn visible(db: &DatabaseConnection, u: &user::Model, hub_id: i32, id: i32) -> AppResult<(MemberRow, bool)> {
    let m = find(db, hub_id, id).await?;
    let staff = super::is_staff(db, Some(u), hub_id).await?;
    if !staff && !is_member(u, &m) {
        return Err(AppError::NotFound);
    }
    Ok((rows(db, vec![m]).await?.remove(0), staff))
}

async fn find<C: ConnectionTrait>(db: &C, hub_id: i32, id: i32) -> AppResult<hub_membership::Model> {
    hub_membership::Entity::find_by_id(id)
        .filter(hub_membership::Column::HubId.eq(hub_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn services(db: &DatabaseConnection, membership_id: i32) -> AppResult<Vec<hub_service::Model>> {
    Ok(hub_service::Entity::find()
        .filter(hub_service::Column::MembershipId.eq(membership_id))
        .order_by_desc(hub_service::Column::DeliveredOn)
        .order_by_desc(hub_service::Column::Id)
        .all(db)
        .await?)
}

/// An assessment with its checklist as assessed.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentView {
    #[serde(flatten)]
    pub assessment: hub_assessment::Model,
    pub items: Vec<AssessedItem>,
}

impl From<hub_assessment::Model> for AssessmentView {
    fn from(a: hub_assessment::Model) -> Self {
        AssessmentView { items: serde_json::from_str(&a.items).unwrap_or_default(), assessment: a }
    }
}

pub async fn assessments(db: &DatabaseConnection, membership_id: i32) -> AppResult<Vec<AssessmentView>> {
    Ok(hub_assessment::Entity::find()
        .filter(hub_assessment::Column::MembershipId.eq(membership_id))
        .order_by_desc(hub_assessment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AssessmentView::from)
        .collect())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceInput {
    pub kind: String,
    pub delivered_on: String,
    /// Course, topic or funder.
    pub title: String,
    /// Hours, to one decimal place ("2.5").
    pub hours: String,
    pub attendees: String,
    pub note: String,
}

/// Hours as typed ("2", "1.5") to whole minutes.
fn minutes_of(s: &str) -> Option<i32> {
    let h: f64 = s.trim().parse().ok()?;
    if !(0.0..=200.0).contains(&h) || h.is_nan() {
        return None;
    }
    Some((h * 60.0).round() as i32)
}

#[allow(clippy::too_many_arguments)]
pub async fn add_service(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    hub_id: i32,
    id: i32,
    i: &ServiceInput,
) -> AppResult<hub_service::Model> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let m = find(&txn, hub_id, id).await?;
    let mut e = FieldErrors::default();
    let kind = HubServiceKind::from_code(i.kind.trim());
    if kind.is_none() {
        e.add("kind", Msg::new("field.choose"));
    }
    let delivered_on = parse_date(&i.delivered_on);
    match delivered_on {
        None => e.add(
            "delivered_on",
            Msg::new(if i.delivered_on.trim().is_empty() { "field.required" } else { "date.invalid" }),
        ),
        Some(d) if d > today => e.add("delivered_on", Msg::new("date.future")),
        Some(d) if d < m.started_on => e.add("delivered_on", Msg::new("hub.service_before_start")),
        Some(_) => {}
    }
    let title = line_field(&mut e, "title", &i.title, 200);
    let minutes = if i.hours.trim().is_empty() {
        Some(0)
    } else {
        let m = minutes_of(&i.hours);
        if m.is_none() {
            e.add("hours", Msg::new("hub.hours_invalid"));
        }
        m
    };
    let attendees =
        if i.attendees.trim().is_empty() { None } else { int_field(&mut e, "attendees", &i.attendees, 0..=100_000) };
    if kind == Some(HubServiceKind::Training) && minutes == Some(0) && !e.has("hours") {
        e.add("hours", Msg::new("hub.training_needs_hours"));
    }
    e.into_result()?;
    let (Some(kind), Some(delivered_on), Some(minutes)) = (kind, delivered_on, minutes) else {
        return Err(field_error("kind", Msg::new("field.choose")));
    };
    if !m.stage.is_current() && delivered_on > m.ended_on.unwrap_or(delivered_on) {
        return Err(AppError::Conflict(Msg::new("hub.member_ended")));
    }
    let s = hub_service::ActiveModel {
        hub_id: Set(hub_id),
        membership_id: Set(m.id),
        kind: Set(kind),
        delivered_on: Set(delivered_on),
        title: Set(title),
        minutes: Set(minutes),
        attendees: Set(attendees),
        note: Set(crate::clean(&i.note).chars().take(1000).collect()),
        recorded_by: Set(Some(u.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_service.recorded",
        "hub_membership",
        m.id,
        serde_json::json!({"service": s.id, "kind": kind.code(), "on": delivered_on, "minutes": minutes}),
    )
    .await?;
    txn.commit().await?;
    Ok(s)
}

/// Moves a current member to a free seat (the old one, if any, is released).
pub async fn assign_seat(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    hub_id: i32,
    id: i32,
    seat_id: &str,
) -> AppResult<()> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let m = find(&txn, hub_id, id).await?;
    if !m.stage.is_current() {
        return Err(AppError::Conflict(Msg::new("hub.member_ended")));
    }
    let Ok(seat) = seat_id.trim().parse::<i32>() else {
        return Err(field_error("seat_id", Msg::new("hub.seat_unknown")));
    };
    release_seat(&txn, m.id).await?;
    hold_seat(&txn, hub_id, seat, m.id).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_membership.seat_assigned",
        "hub_membership",
        m.id,
        serde_json::json!({"seat": seat}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn release_seat<C: ConnectionTrait>(db: &C, membership_id: i32) -> AppResult<()> {
    hub_seat::Entity::update_many()
        .col_expr(hub_seat::Column::HeldBy, Expr::value(Option::<i32>::None))
        .filter(hub_seat::Column::HeldBy.eq(membership_id))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessmentInput {
    /// graduated, extended or exited
    pub outcome: String,
    pub note: String,
    /// For an extension: the new planned end.
    pub new_end_on: String,
    /// Ids of the checklist items met.
    pub met: Vec<String>,
    /// Evidence per checklist item, keyed by the item's id.
    pub evidence: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssessedItem {
    pub item_id: i32,
    pub title: String,
    pub required: bool,
    pub met: bool,
    pub evidence: String,
}

/// The checklist as assessed, the note and an extension's new end, checked against the
/// outcome: every field in error is named at once.
fn assessed(
    m: &hub_membership::Model,
    outcome: AssessmentOutcome,
    checklist: &[entity::hub_checklist_item::Model],
    i: &AssessmentInput,
    today: NaiveDate,
) -> AppResult<(Vec<AssessedItem>, String, Option<NaiveDate>)> {
    let mut e = FieldErrors::default();
    let note = crate::clean(&i.note).chars().take(crate::fields::LONG_TEXT).collect::<String>();
    let items: Vec<AssessedItem> = checklist
        .iter()
        .map(|c| {
            let key = c.id.to_string();
            AssessedItem {
                item_id: c.id,
                title: c.title.clone(),
                required: c.required,
                met: i.met.iter().any(|x| x.trim() == key),
                evidence: crate::clean(i.evidence.get(&key).map(String::as_str).unwrap_or(""))
                    .chars()
                    .take(1000)
                    .collect(),
            }
        })
        .collect();
    if items.iter().any(|it| it.met && it.evidence.is_empty()) {
        e.add("evidence", Msg::new("hub.evidence_needed"));
    }
    let mut new_end_on = None;
    match outcome {
        AssessmentOutcome::Graduated => {
            if today < m.started_on {
                e.add("outcome", Msg::new("hub.graduate_before_start"));
            }
            let missing: Vec<&str> =
                items.iter().filter(|it| it.required && !it.met).map(|it| it.title.as_str()).collect();
            if !missing.is_empty() {
                e.add("met", Msg::new("hub.required_items_missing").arg("items", missing.join(" · ")));
            }
        }
        AssessmentOutcome::Extended => match parse_date(&i.new_end_on) {
            Some(d) if d > m.planned_end_on.checked_add_months(chrono::Months::new(24)).unwrap_or(d) => {
                e.add("new_end_on", Msg::new("hub.extension_too_long"))
            }
            Some(d) if d > m.planned_end_on && d > today => new_end_on = Some(d),
            Some(_) => e.add("new_end_on", Msg::new("hub.extension_not_later")),
            None => e.add("new_end_on", Msg::new("date.invalid")),
        },
        AssessmentOutcome::Exited => {
            if note.is_empty() {
                e.add("note", Msg::new("hub.exit_needs_note"));
            }
        }
    }
    e.into_result()?;
    Ok((items, note, new_end_on))
}

/// The assessment: graduation needs every required item met, each with its evidence; an
/// extension needs a later end date; an exit needs a reason. The member's place (and seat)
/// is freed when they graduate or leave.
#[allow(clippy::too_many_arguments)]
pub async fn assess(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    hub_id: i32,
    id: i32,
    i: &AssessmentInput,
) -> AppResult<hub_assessment::Model> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let m = find(&txn, hub_id, id).await?;
    let Some(outcome) = AssessmentOutcome::from_code(i.outcome.trim()) else {
        return Err(field_error("outcome", Msg::new("field.choose")));
    };
    let stage = m.stage.transition(outcome.stage())?;
    // First, so that of two assessments at once the second finds the stage changed.
    let claimed = hub_membership::Entity::update_many()
        .col_expr(hub_membership::Column::Stage, Expr::value(stage.code()))
        .filter(hub_membership::Column::Id.eq(m.id))
        .filter(hub_membership::Column::Stage.eq(m.stage))
        .filter(hub_membership::Column::PlannedEndOn.eq(m.planned_end_on))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.already_assessed")));
    }
    let checklist = super::checklist(&txn, hub_id).await?;
    let (items, note, new_end_on) = assessed(&m, outcome, &checklist, i, today)?;
    let a = hub_assessment::ActiveModel {
        membership_id: Set(m.id),
        outcome: Set(outcome),
        assessed_on: Set(today),
        new_end_on: Set(new_end_on),
        note: Set(note),
        items: Set(serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())),
        assessed_by: Set(Some(u.id)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let from = m.stage;
    let mut am: hub_membership::ActiveModel = m.clone().into();
    am.stage = Set(stage);
    if let Some(d) = new_end_on {
        am.planned_end_on = Set(d);
    }
    if !stage.is_current() {
        am.ended_on = Set(Some(today));
        release_seat(&txn, m.id).await?;
        hub::Entity::update_many()
            .col_expr(hub::Column::Occupied, Expr::col(hub::Column::Occupied).sub(1))
            .filter(hub::Column::Id.eq(hub_id))
            .filter(hub::Column::Occupied.gt(0))
            .exec(&txn)
            .await?;
    }
    am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_membership.assessed",
        "hub_membership",
        m.id,
        serde_json::json!({"from": from.code(), "to": stage.code(), "assessment": a.id, "new_end_on": new_end_on}),
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

/// When a team's member account is linked to its newly registered organization, the
/// team's applications and membership follow it.
pub async fn adopt_team<C: ConnectionTrait>(db: &C, user_id: i32, org_id: i32) -> AppResult<u64> {
    use entity::hub_application;
    let team_key = format!("team:{user_id}");
    let org_key = format!("org:{org_id}");
    let open = hub_application::Entity::find()
        .filter(hub_application::Column::ApplicantUserId.eq(user_id))
        .filter(hub_application::Column::OpenKey.eq(team_key.clone()))
        .all(db)
        .await?;
    for a in open {
        // The team's open application becomes the organization's, unless the organization
        // already has its own in that round; then the team's stays as it is.
        let clash = hub_application::Entity::find()
            .filter(hub_application::Column::RoundId.eq(a.round_id))
            .filter(hub_application::Column::OpenKey.eq(org_key.clone()))
            .one(db)
            .await?
            .is_some();
        if !clash {
            hub_application::Entity::update_many()
                .col_expr(hub_application::Column::OpenKey, Expr::value(org_key.clone()))
                .filter(hub_application::Column::Id.eq(a.id))
                .exec(db)
                .await?;
        }
    }
    hub_application::Entity::update_many()
        .col_expr(hub_application::Column::OrganizationId, Expr::value(org_id))
        .filter(hub_application::Column::ApplicantUserId.eq(user_id))
        .filter(hub_application::Column::OrganizationId.is_null())
        .exec(db)
        .await?;
    let r = hub_membership::Entity::update_many()
        .col_expr(hub_membership::Column::OrganizationId, Expr::value(org_id))
        .filter(hub_membership::Column::MemberUserId.eq(user_id))
        .filter(hub_membership::Column::OrganizationId.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
