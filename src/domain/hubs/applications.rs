//! Applications to a round (入驻申请): by a registered organization, or by an unregistered
//! team as a prospective organization; the hub's decision (accept / waitlist / reject)
//! within the round's places and the hub's capacity.
use super::rounds::{self, accepts_applications, questions_of};
use super::{field_error, int_field, text_field};
use crate::domain::audit::{self, Actor};
use crate::domain::organization_input::parse_date;
use crate::domain::outbox::{self, EmailTemplates};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::enums::{ApplicationStatus, ListKind, OrgStatus, Role};
use entity::{hub, hub_application, hub_membership, hub_round, hub_seat, list_entry, organization, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyInput {
    /// For a team without a registered organization.
    pub team_name: String,
    pub core_members: String,
    pub plan: String,
    /// One answer per question of the round, in order.
    pub answers: Vec<String>,
}

/// The applicant's name as shown: the organization's, or the team's.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRow {
    #[serde(flatten)]
    pub application: hub_application::Model,
    pub applicant_name: String,
    pub is_team: bool,
}

fn open_key(org: Option<i32>, user_id: i32) -> String {
    match org {
        Some(o) => format!("org:{o}"),
        None => format!("team:{user_id}"),
    }
}

fn unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Refuses an organization that may not enter a hub now, with the reason.
async fn check_organization<C: ConnectionTrait>(db: &C, org_id: i32) -> AppResult<organization::Model> {
    let org = organization::Entity::find_by_id(org_id).one(db).await?.ok_or(AppError::NotFound)?;
    if org.status != OrgStatus::Active {
        return Err(AppError::Conflict(Msg::new("hub.apply_org_not_active")));
    }
    let listed = list_entry::Entity::find()
        .filter(list_entry::Column::OrganizationId.eq(org_id))
        .filter(list_entry::Column::RemovedOn.is_null())
        .order_by_desc(list_entry::Column::EnteredOn)
        .all(db)
        .await?;
    for kind in [ListKind::DishonestyList, ListKind::AbnormalList] {
        if let Some(entry) = listed.iter().find(|e| e.kind == kind) {
            let key = match kind {
                ListKind::DishonestyList => "hub.apply_on_dishonesty_list",
                ListKind::AbnormalList => "hub.apply_on_abnormal_list",
            };
            return Err(AppError::Conflict(Msg::new(key).arg("since", entry.entered_on).arg("reason", &entry.reason)));
        }
    }
    Ok(org)
}

pub async fn apply(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    today: NaiveDate,
    hub_id: i32,
    round_id: i32,
    i: &ApplyInput,
) -> AppResult<hub_application::Model> {
    if u.role != Role::NgoMember {
        return Err(AppError::Forbidden);
    }
    let txn = db.begin().await?;
    let round = rounds::get(&txn, hub_id, round_id).await?;
    if !accepts_applications(&round, today) {
        return Err(AppError::Conflict(Msg::new("hub.round_not_accepting")));
    }
    let mut e = FieldErrors::default();
    let team_name = match u.organization_id {
        Some(_) => None,
        None => Some(text_field(&mut e, "team_name", &i.team_name, 100)),
    };
    let core_members = if u.organization_id.is_none() {
        text_field(&mut e, "core_members", &i.core_members, 2000)
    } else {
        crate::domain::clean(&i.core_members).chars().take(2000).collect()
    };
    let plan = text_field(&mut e, "plan", &i.plan, 4000);
    let questions = questions_of(&round);
    let mut answers = Vec::with_capacity(questions.len());
    for n in 0..questions.len() {
        let a = crate::domain::clean(i.answers.get(n).map(String::as_str).unwrap_or(""));
        if a.is_empty() {
            e.add("answers", Msg::new("hub.answer_every_question"));
        } else if a.chars().count() > 2000 {
            e.add("answers", Msg::new("field.too_long").arg("max", 2000));
        }
        answers.push(a);
    }
    e.into_result()?;
    if let Some(org_id) = u.organization_id {
        check_organization(&txn, org_id).await?;
        let member_now = hub_membership::Entity::find()
            .filter(hub_membership::Column::HubId.eq(hub_id))
            .filter(hub_membership::Column::OrganizationId.eq(org_id))
            .all(&txn)
            .await?
            .iter()
            .any(|m| m.stage.is_current());
        if member_now {
            return Err(AppError::Conflict(Msg::new("hub.already_member")));
        }
    }
    let key = open_key(u.organization_id, u.id);
    let taken = hub_application::Entity::find()
        .filter(hub_application::Column::RoundId.eq(round_id))
        .filter(hub_application::Column::OpenKey.eq(key.clone()))
        .count(&txn)
        .await?;
    if taken > 0 {
        return Err(AppError::Conflict(Msg::new("hub.already_applied")));
    }
    let row = hub_application::ActiveModel {
        round_id: Set(round_id),
        hub_id: Set(hub_id),
        organization_id: Set(u.organization_id),
        applicant_user_id: Set(u.id),
        team_name: Set(team_name),
        core_members: Set(core_members),
        plan: Set(plan),
        answers: Set(serde_json::to_string(&answers).unwrap_or_else(|_| "[]".into())),
        status: Set(ApplicationStatus::Submitted),
        open_key: Set(Some(key)),
        decision_note: Set(String::new()),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| if unique_violation(&e) { AppError::Conflict(Msg::new("hub.already_applied")) } else { e.into() })?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_application.submitted",
        "hub_application",
        row.id,
        serde_json::json!({"hub_id": hub_id, "round_id": round_id, "organization_id": u.organization_id, "team": row.team_name}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether `u` is the applicant: the account that applied, or a member of the organization.
pub fn is_applicant(u: &user::Model, a: &hub_application::Model) -> bool {
    a.applicant_user_id == u.id || (a.organization_id.is_some() && a.organization_id == u.organization_id)
}

/// An application as `u` may see it: the hub's staff and the applicant; to anyone else it
/// does not exist. Returns the row and whether `u` is staff.
pub async fn visible(
    db: &DatabaseConnection,
    u: &user::Model,
    hub_id: i32,
    id: i32,
) -> AppResult<(ApplicationRow, bool)> {
    let a = hub_application::Entity::find_by_id(id)
        .filter(hub_application::Column::HubId.eq(hub_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = super::is_staff(db, Some(u), hub_id).await?;
    if !staff && !is_applicant(u, &a) {
        return Err(AppError::NotFound);
    }
    Ok((with_names(db, vec![a]).await?.remove(0), staff))
}

pub fn answers_of(a: &hub_application::Model) -> Vec<String> {
    serde_json::from_str(&a.answers).unwrap_or_default()
}

async fn with_names<C: ConnectionTrait>(db: &C, apps: Vec<hub_application::Model>) -> AppResult<Vec<ApplicationRow>> {
    let ids: Vec<i32> = apps.iter().filter_map(|a| a.organization_id).collect();
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(ids)).all(db).await?;
    Ok(apps
        .into_iter()
        .map(|a| {
            let name = match (&a.team_name, a.organization_id) {
                (Some(t), None) => t.clone(),
                (_, Some(o)) => orgs.iter().find(|x| x.id == o).map(|x| x.name.clone()).unwrap_or_default(),
                (None, None) => String::new(),
            };
            ApplicationRow { is_team: a.organization_id.is_none(), applicant_name: name, application: a }
        })
        .collect())
}

/// A round's applications, for the hub's staff.
pub async fn of_round(db: &DatabaseConnection, round_id: i32) -> AppResult<Vec<ApplicationRow>> {
    let apps = hub_application::Entity::find()
        .filter(hub_application::Column::RoundId.eq(round_id))
        .order_by_asc(hub_application::Column::Id)
        .all(db)
        .await?;
    with_names(db, apps).await
}

/// The applications an NGO member made, or made for their organization.
pub async fn mine(db: &DatabaseConnection, u: &user::Model) -> AppResult<Vec<ApplicationRow>> {
    let mut cond = sea_orm::Condition::any().add(hub_application::Column::ApplicantUserId.eq(u.id));
    if let Some(o) = u.organization_id {
        cond = cond.add(hub_application::Column::OrganizationId.eq(o));
    }
    let apps = hub_application::Entity::find().filter(cond).order_by_desc(hub_application::Column::Id).all(db).await?;
    with_names(db, apps).await
}

pub async fn count_undecided<C: ConnectionTrait>(db: &C, round_id: i32) -> AppResult<u64> {
    Ok(hub_application::Entity::find()
        .filter(hub_application::Column::RoundId.eq(round_id))
        .filter(hub_application::Column::Status.eq(ApplicationStatus::Submitted))
        .count(db)
        .await?)
}

pub async fn withdraw(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    hub_id: i32,
    id: i32,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let a = hub_application::Entity::find_by_id(id)
        .filter(hub_application::Column::HubId.eq(hub_id))
        .one(&txn)
        .await?
        .filter(|a| is_applicant(u, a))
        .ok_or(AppError::NotFound)?;
    let status = a.status.transition(ApplicationStatus::Withdrawn)?;
    let mut am: hub_application::ActiveModel = a.into();
    am.status = Set(status);
    am.open_key = Set(None);
    am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "hub_application.withdrawn",
        "hub_application",
        id,
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DecisionInput {
    /// accept, waitlist or reject
    pub decision: String,
    pub note: String,
    /// On acceptance: the start of incubation (default: the round's start date).
    pub started_on: String,
    /// On acceptance: the term in months (default: the hub's).
    pub term_months: String,
    /// On acceptance, for a physical hub: the seat or room, optional.
    pub seat_id: String,
}

/// Takes one place in the round and one in the hub, or refuses when either is full. Each
/// is one UPDATE that only matches while a place is free, so two decisions at once cannot
/// both take the last place.
async fn take_places<C: ConnectionTrait>(db: &C, round: &hub_round::Model) -> AppResult<()> {
    let r = hub_round::Entity::update_many()
        .col_expr(hub_round::Column::Accepted, Expr::col(hub_round::Column::Accepted).add(1))
        .filter(hub_round::Column::Id.eq(round.id))
        .filter(Expr::col(hub_round::Column::Accepted).lt(Expr::col(hub_round::Column::Places)))
        .exec(db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.round_full").arg("n", round.places)));
    }
    let h = hub::Entity::update_many()
        .col_expr(hub::Column::Occupied, Expr::col(hub::Column::Occupied).add(1))
        .filter(hub::Column::Id.eq(round.hub_id))
        .filter(Expr::col(hub::Column::Occupied).lt(Expr::col(hub::Column::Capacity)))
        .exec(db)
        .await?;
    if h.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.full")));
    }
    Ok(())
}

/// Gives a free seat of the hub to a membership; a seat already held is refused.
pub(crate) async fn hold_seat<C: ConnectionTrait>(
    db: &C,
    hub_id: i32,
    seat_id: i32,
    membership_id: i32,
) -> AppResult<()> {
    let seat = hub_seat::Entity::find_by_id(seat_id)
        .filter(hub_seat::Column::HubId.eq(hub_id))
        .one(db)
        .await?
        .ok_or_else(|| field_error("seat_id", Msg::new("hub.seat_unknown")))?;
    let r = hub_seat::Entity::update_many()
        .col_expr(hub_seat::Column::HeldBy, Expr::value(membership_id))
        .filter(hub_seat::Column::Id.eq(seat_id))
        .filter(hub_seat::Column::HeldBy.is_null())
        .exec(db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.seat_taken").arg("seat", seat.label)));
    }
    Ok(())
}

struct Acceptance {
    started_on: NaiveDate,
    planned_end_on: NaiveDate,
    seat_id: Option<i32>,
}

fn parse_acceptance(h: &hub::Model, round: &hub_round::Model, i: &DecisionInput) -> AppResult<Acceptance> {
    let mut e = FieldErrors::default();
    let started_on = if i.started_on.trim().is_empty() {
        Some(round.starts_on)
    } else {
        let d = parse_date(&i.started_on);
        if d.is_none() {
            e.add("started_on", Msg::new("date.invalid"));
        }
        d
    };
    let term = if i.term_months.trim().is_empty() {
        Some(h.default_term_months)
    } else {
        int_field(&mut e, "term_months", &i.term_months, 1..=36)
    };
    let seat_id = match i.seat_id.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.add("seat_id", Msg::new("hub.seat_unknown"));
                None
            }
        },
    };
    e.into_result()?;
    let (Some(started_on), Some(term)) = (started_on, term) else {
        return Err(field_error("started_on", Msg::new("date.invalid")));
    };
    let planned_end_on = started_on
        .checked_add_months(Months::new(term as u32))
        .ok_or_else(|| field_error("term_months", Msg::new("date.invalid")))?;
    Ok(Acceptance { started_on, planned_end_on, seat_id })
}

/// The hub's decision on an application. The applicant is told by email.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    hub_id: i32,
    id: i32,
    i: &DecisionInput,
) -> AppResult<hub_application::Model> {
    let txn = db.begin().await?;
    super::require_staff(&txn, u, hub_id).await?;
    let a = hub_application::Entity::find_by_id(id)
        .filter(hub_application::Column::HubId.eq(hub_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let round = rounds::get(&txn, hub_id, a.round_id).await?;
    if !round.status.takes_decisions() {
        return Err(AppError::Conflict(Msg::new("hub.round_closed")));
    }
    let to = match i.decision.trim() {
        "accept" => ApplicationStatus::Accepted,
        "waitlist" => ApplicationStatus::Waitlisted,
        "reject" => ApplicationStatus::Rejected,
        _ => return Err(field_error("decision", Msg::new("field.choose"))),
    };
    let note = crate::domain::clean(&i.note).chars().take(2000).collect::<String>();
    if to == ApplicationStatus::Rejected && note.is_empty() {
        return Err(field_error("note", Msg::new("hub.reject_needs_note")));
    }
    let status = a.status.transition(to)?;
    let h = super::get(&txn, hub_id).await?;
    let mut membership = None;
    if to == ApplicationStatus::Accepted {
        let acc = parse_acceptance(&h, &round, i)?;
        take_places(&txn, &round).await?;
        let m = hub_membership::ActiveModel {
            hub_id: Set(hub_id),
            round_id: Set(round.id),
            application_id: Set(a.id),
            organization_id: Set(a.organization_id),
            team_name: Set(a.team_name.clone()),
            member_user_id: Set(a.applicant_user_id),
            stage: Set(entity::enums::MembershipStage::Incubating),
            agreement_no: Set(format!("H{hub_id:02}-R{:03}-A{:05}", round.id, a.id)),
            started_on: Set(acc.started_on),
            planned_end_on: Set(acc.planned_end_on),
            ended_on: Set(None),
            reminder_sent_for: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(seat) = acc.seat_id {
            hold_seat(&txn, hub_id, seat, m.id).await?;
        }
        membership = Some(m);
    }
    let mut am: hub_application::ActiveModel = a.clone().into();
    am.status = Set(status);
    if !status.is_open() {
        am.open_key = Set(None);
    }
    am.decision_note = Set(note.clone());
    am.decided_by = Set(Some(u.id));
    am.decided_at = Set(Some(now));
    let a = am.update(&txn).await?;
    let applicant = user::Entity::find_by_id(a.applicant_user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let name = with_names(&txn, vec![a.clone()]).await?.remove(0).applicant_name;
    let locale = Locale::from_tag(&applicant.locale).unwrap_or(Locale::ZhCn);
    outbox::enqueue(
        &txn,
        emails,
        now,
        &applicant.email,
        locale,
        &format!("hub_{}", status.code()),
        serde_json::json!({
            "name": applicant.display_name, "applicant": name, "hub": h.name, "round": round.name, "note": note,
            "started_on": membership.as_ref().map(|m| m.started_on.to_string()),
            "planned_end_on": membership.as_ref().map(|m| m.planned_end_on.to_string()),
            "agreement_no": membership.as_ref().map(|m| m.agreement_no.clone()),
            "url": format!("{origin}/hubs/{hub_id}/applications/{id}"),
        }),
    )
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        &format!("hub_application.{}", status.code()),
        "hub_application",
        id,
        serde_json::json!({"note": note, "membership_id": membership.as_ref().map(|m| m.id)}),
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}
