//! The hub's decision on an application: accept (within the round's places, the hub's
//! capacity and a free seat), waitlist or reject; and the lapse of the waitlist when a
//! round closes. The applicant is told by email either way.
use super::applications::{check_organization, with_names};
use super::rounds;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::fields::{field_error, int_field};
use crate::i18n::{Locale, Msg};
use crate::organization_input::parse_date;
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use entity::enums::{ApplicationStatus, MembershipStage};
use entity::{hub, hub_application, hub_membership, hub_round, hub_seat, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};

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
        match parse_date(&i.started_on) {
            None => {
                e.add("started_on", Msg::new("date.invalid"));
                None
            }
            Some(d) if d < round.opens_on - Duration::days(365) || d > round.closes_on + Duration::days(365) => {
                e.add("started_on", Msg::new("hub.start_out_of_range"));
                None
            }
            d => d,
        }
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

/// Admits an accepted applicant: a member of the hub from the agreed day, with a place of the
/// round and, in a physical hub, a seat.
async fn admit(
    txn: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    hub_id: i32,
    round: &hub_round::Model,
    a: &hub_application::Model,
    acc: Acceptance,
) -> AppResult<hub_membership::Model> {
    // The organization may have been listed or suspended since it applied, or admitted
    // through another round.
    if let Some(org) = a.organization_id {
        check_organization(txn, org).await?;
    }
    if is_current_member(txn, hub_id, a).await? {
        return Err(AppError::Conflict(Msg::new("hub.already_member")));
    }
    take_places(txn, round).await?;
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
    .insert(txn)
    .await?;
    if let Some(seat) = acc.seat_id {
        hold_seat(txn, hub_id, seat, m.id).await?;
    }
    Ok(m)
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
    let note = crate::clean(&i.note).chars().take(2000).collect::<String>();
    if to == ApplicationStatus::Rejected && note.is_empty() {
        return Err(field_error("note", Msg::new("hub.reject_needs_note")));
    }
    let status = a.status.transition(to)?;
    let h = super::get(&txn, hub_id).await?;
    let acceptance = if to == ApplicationStatus::Accepted { Some(parse_acceptance(&h, &round, i)?) } else { None };
    // First, so that of two decisions at once the second finds nothing left to decide.
    claim_status(&txn, &a, status).await?;
    let membership = match acceptance {
        Some(acc) => Some(admit(&txn, now, hub_id, &round, &a, acc).await?),
        None => None,
    };
    let mut am: hub_application::ActiveModel = a.clone().into();
    am.status = Set(status);
    if !status.is_open() {
        am.open_key = Set(None);
    }
    am.decision_note = Set(note.clone());
    am.decided_by = Set(Some(u.id));
    am.decided_at = Set(Some(now));
    let a = am.update(&txn).await?;
    tell_applicant(&txn, emails, origin, now, (&h, &round), &a, membership.as_ref()).await?;
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

/// Moves an application to `to` only while it is still as it was read: of two decisions
/// taken at once, the second changes nothing and is refused.
pub(super) async fn claim_status<C: ConnectionTrait>(
    db: &C,
    a: &hub_application::Model,
    to: ApplicationStatus,
) -> AppResult<()> {
    let r = hub_application::Entity::update_many()
        .col_expr(hub_application::Column::Status, Expr::value(to.code()))
        .filter(hub_application::Column::Id.eq(a.id))
        .filter(hub_application::Column::Status.eq(a.status))
        .exec(db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("hub.already_decided")));
    }
    Ok(())
}

/// Whether the applicant (the organization, or the team's account) is in this hub now.
async fn is_current_member<C: ConnectionTrait>(db: &C, hub_id: i32, a: &hub_application::Model) -> AppResult<bool> {
    let who = match a.organization_id {
        Some(o) => Condition::all().add(hub_membership::Column::OrganizationId.eq(o)),
        None => Condition::all()
            .add(hub_membership::Column::OrganizationId.is_null())
            .add(hub_membership::Column::MemberUserId.eq(a.applicant_user_id)),
    };
    Ok(hub_membership::Entity::find()
        .filter(hub_membership::Column::HubId.eq(hub_id))
        .filter(hub_membership::Column::Stage.is_in([MembershipStage::Incubating, MembershipStage::Extended]))
        .filter(who)
        .count(db)
        .await?
        > 0)
}

/// The decision email, in the applicant's language.
async fn tell_applicant<C: ConnectionTrait>(
    db: &C,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    (h, round): (&hub::Model, &hub_round::Model),
    a: &hub_application::Model,
    membership: Option<&hub_membership::Model>,
) -> AppResult<()> {
    let applicant = user::Entity::find_by_id(a.applicant_user_id).one(db).await?.ok_or(AppError::NotFound)?;
    let name = with_names(db, vec![a.clone()]).await?.remove(0).applicant_name;
    let locale = Locale::from_tag(&applicant.locale).unwrap_or(Locale::ZhCn);
    outbox::enqueue(
        db,
        emails,
        now,
        &applicant.email,
        locale,
        &format!("hub_{}", a.status.code()),
        serde_json::json!({
            "name": applicant.display_name, "applicant": name, "hub": h.name, "round": round.name,
            "note": a.decision_note,
            "started_on": membership.map(|m| m.started_on.to_string()),
            "planned_end_on": membership.map(|m| m.planned_end_on.to_string()),
            "agreement_no": membership.map(|m| m.agreement_no.clone()),
            "url": format!("{origin}/hubs/{}/applications/{}", h.id, a.id),
        }),
    )
    .await?;
    Ok(())
}

/// When a round closes, its waitlist lapses: each waitlisted application is rejected with
/// that reason, and the applicant is told. Call inside the transaction that closes it.
pub(super) async fn lapse_waitlist(
    txn: &sea_orm::DatabaseTransaction,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    round: &hub_round::Model,
) -> AppResult<usize> {
    use sea_orm::QueryOrder;
    let h = super::get(txn, round.hub_id).await?;
    let waiting = hub_application::Entity::find()
        .filter(hub_application::Column::RoundId.eq(round.id))
        .filter(hub_application::Column::Status.eq(ApplicationStatus::Waitlisted))
        .order_by_asc(hub_application::Column::Id)
        .all(txn)
        .await?;
    for a in &waiting {
        let status = a.status.transition(ApplicationStatus::Rejected)?;
        claim_status(txn, a, status).await?;
        let note = Locale::ZhCn.t("hub.waitlist_lapsed").to_string();
        let mut am: hub_application::ActiveModel = a.clone().into();
        am.status = Set(status);
        am.open_key = Set(None);
        am.decision_note = Set(note);
        am.decided_by = Set(Some(u.id));
        am.decided_at = Set(Some(now));
        let a = am.update(txn).await?;
        tell_applicant(txn, emails, origin, now, (&h, round), &a, None).await?;
        audit::append(
            txn,
            now,
            &Actor::user(u),
            "hub_application.rejected",
            "hub_application",
            a.id,
            serde_json::json!({"note": "waitlist lapsed"}),
        )
        .await?;
    }
    Ok(waiting.len())
}
