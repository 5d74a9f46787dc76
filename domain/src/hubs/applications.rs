//! Applications to a round (入驻申请): by a registered organization, or by an unregistered
//! team as a prospective organization; the hub's decision (accept / waitlist / reject)
//! within the round's places and the hub's capacity.
pub use super::decisions::{DecisionInput, decide};
use super::rounds::{self, accepts_applications, questions_of};
use super::{line_field, text_field};
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ApplicationStatus, ListKind, OrgStatus, Role};
use entity::{hub_application, hub_membership, list_entry, organization, user};
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
pub(super) async fn check_organization<C: ConnectionTrait>(db: &C, org_id: i32) -> AppResult<organization::Model> {
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

/// An answer to each of the round's `n` questions, every one required and at most 2,000
/// characters.
fn answers_to(e: &mut FieldErrors, n: usize, typed: &[String]) -> Vec<String> {
    let mut answers = Vec::with_capacity(n);
    for k in 0..n {
        let a = crate::clean(typed.get(k).map(String::as_str).unwrap_or(""));
        if a.is_empty() {
            e.add("answers", Msg::new("hub.answer_every_question"));
        } else if a.chars().count() > 2000 {
            e.add("answers", Msg::new("field.too_long").arg("max", 2000));
        }
        answers.push(a);
    }
    answers
}

/// An organization that is a member of the hub now does not apply again.
async fn not_a_member_yet(txn: &sea_orm::DatabaseTransaction, hub_id: i32, org_id: i32) -> AppResult<()> {
    let member_now = hub_membership::Entity::find()
        .filter(hub_membership::Column::HubId.eq(hub_id))
        .filter(hub_membership::Column::OrganizationId.eq(org_id))
        .all(txn)
        .await?
        .iter()
        .any(|m| m.stage.is_current());
    if member_now { Err(AppError::Conflict(Msg::new("hub.already_member"))) } else { Ok(()) }
}

/// An application to an open round, from an organization or a team not yet registered.
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
        None => Some(line_field(&mut e, "team_name", &i.team_name, 100)),
    };
    let core_members = if u.organization_id.is_none() {
        text_field(&mut e, "core_members", &i.core_members, 2000)
    } else {
        crate::clean(&i.core_members).chars().take(2000).collect()
    };
    let plan = text_field(&mut e, "plan", &i.plan, crate::fields::LONG_TEXT);
    let answers = answers_to(&mut e, questions_of(&round).len(), &i.answers);
    e.into_result()?;
    if let Some(org_id) = u.organization_id {
        check_organization(&txn, org_id).await?;
        not_a_member_yet(&txn, hub_id, org_id).await?;
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

pub(super) async fn with_names<C: ConnectionTrait>(
    db: &C,
    apps: Vec<hub_application::Model>,
) -> AppResult<Vec<ApplicationRow>> {
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
    super::decisions::claim_status(&txn, &a, status).await?;
    let mut am: hub_application::ActiveModel = a.into();
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

/// What the reader may do with an application now. Each step checks its state again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApplicationCan {
    /// The applicant of a team application still in play: the steps to registration.
    pub see_team_steps: bool,
    /// The hub's staff, while the round is open and the application awaits a decision.
    pub decide: bool,
    /// Putting it on the waiting list is a decision not yet taken.
    pub waitlist: bool,
    /// The applicant, while it awaits a decision.
    pub withdraw: bool,
}

impl ApplicationCan {
    pub fn of(staff: bool, mine: bool, row: &ApplicationRow, round: &entity::hub_round::Model) -> ApplicationCan {
        use ApplicationStatus as S;
        let a = &row.application;
        let pending = matches!(a.status, S::Submitted | S::Waitlisted);
        ApplicationCan {
            see_team_steps: mine && row.is_team && !matches!(a.status, S::Rejected | S::Withdrawn),
            decide: staff && pending && round.status.takes_decisions(),
            waitlist: a.status != S::Waitlisted,
            withdraw: mine && pending,
        }
    }
}
