//! The evaluation panel (评审小组) of an opened call: an odd number of members, at least
//! the method's minimum, experts at least two thirds, the experts drawn at random from the
//! pool of those with the call's specialty. Before seeing any bid each member declares,
//! for each bidder, any tie (employment or board seat in the last three years, close kin,
//! other); a declared tie recuses the member (回避) and the officer draws a replacement.
use super::calls;
use super::rules::ProcurementRules;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::{Locale, Msg};
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, Utc};
use entity::enums::{CallStatus, ConflictKind, PanelMemberStatus, PanelSeat, Role, ServiceCategory};
use entity::{bid, call, expert_profile, organization, panel, panel_member, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

/// An expert account with its place in the pool (none yet: no specialties, not drawn).
#[derive(Debug, Clone, Serialize)]
pub struct PoolExpert {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub specialties: Vec<ServiceCategory>,
    pub affiliation: String,
    pub available: bool,
}

pub async fn pool<C: ConnectionTrait>(db: &C) -> AppResult<Vec<PoolExpert>> {
    let experts = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Expert))
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let profiles = expert_profile::Entity::find().all(db).await?;
    Ok(experts
        .into_iter()
        .map(|u| {
            let p = profiles.iter().find(|p| p.user_id == u.id);
            PoolExpert {
                user_id: u.id,
                name: u.display_name,
                email: u.email,
                specialties: p
                    .map(|p| p.specialties.split(',').filter_map(ServiceCategory::from_code).collect())
                    .unwrap_or_default(),
                affiliation: p.map(|p| p.affiliation.clone()).unwrap_or_default(),
                available: p.is_some_and(|p| p.available),
            }
        })
        .collect())
}

/// Sets an expert's specialties, affiliation and availability (bureau staff).
pub async fn set_profile(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    expert_id: i32,
    specialties: &[ServiceCategory],
    affiliation: &str,
    available: bool,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let e = user::Entity::find_by_id(expert_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if e.role != Role::Expert {
        return Err(AppError::NotFound);
    }
    let codes: Vec<&str> = ServiceCategory::ALL.iter().filter(|c| specialties.contains(c)).map(|c| c.code()).collect();
    let affiliation = crate::fields::bounded("affiliation", affiliation, 200)?;
    let existing =
        expert_profile::Entity::find().filter(expert_profile::Column::UserId.eq(expert_id)).one(&txn).await?;
    let mut am = match existing {
        Some(p) => p.into(),
        None => expert_profile::ActiveModel { user_id: Set(expert_id), ..Default::default() },
    };
    am.specialties = Set(codes.join(","));
    am.affiliation = Set(affiliation.clone());
    am.available = Set(available);
    am.updated_at = Set(now);
    am.save(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "expert.profile_set",
        "user",
        expert_id,
        serde_json::json!({"specialties": codes, "affiliation": affiliation, "available": available}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub affiliation: String,
    pub seat: PanelSeat,
    pub status: PanelMemberStatus,
    pub recusal_reason: Option<String>,
    pub declared: bool,
    pub submitted: bool,
    /// Seated: a column of the score sheets.
    pub scores: bool,
}

pub async fn get_panel<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Option<panel::Model>> {
    Ok(panel::Entity::find().filter(panel::Column::CallId.eq(call_id)).one(db).await?)
}

pub async fn members<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Vec<Member>> {
    let rows = panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .order_by_asc(panel_member::Column::Id)
        .all(db)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|m| m.user_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let profiles = expert_profile::Entity::find()
        .filter(expert_profile::Column::UserId.is_in(rows.iter().map(|m| m.user_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| Member {
            id: m.id,
            user_id: m.user_id,
            name: users.iter().find(|u| u.id == m.user_id).map(|u| u.display_name.clone()).unwrap_or_default(),
            affiliation: profiles
                .iter()
                .find(|p| p.user_id == m.user_id)
                .map(|p| p.affiliation.clone())
                .unwrap_or_default(),
            seat: m.seat,
            scores: m.status == PanelMemberStatus::Seated,
            status: m.status,
            recusal_reason: m.recusal_reason,
            declared: m.declared_at.is_some(),
            submitted: m.submitted_at.is_some(),
        })
        .collect())
}

/// The viewer's own seat on the call's panel, if any.
pub async fn seat_of<C: ConnectionTrait>(
    db: &C,
    u: &user::Model,
    call_id: i32,
) -> AppResult<Option<panel_member::Model>> {
    Ok(panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .filter(panel_member::Column::UserId.eq(u.id))
        .one(db)
        .await?)
}

/// Draws `n` experts at random from the available pool with the specialty, leaving out
/// anyone already on this panel (in any state). Refuses, naming the shortage, when the
/// pool is too small.
async fn draw(txn: &DatabaseTransaction, c: &call::Model, n: usize) -> AppResult<(Vec<i32>, usize)> {
    use rand::seq::SliceRandom;
    let taken: Vec<i32> = panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(c.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let candidates: Vec<i32> = pool(txn)
        .await?
        .into_iter()
        .filter(|e| e.available && e.specialties.contains(&c.category) && !taken.contains(&e.user_id))
        .map(|e| e.user_id)
        .collect();
    if candidates.len() < n {
        return Err(AppError::Conflict(
            Msg::new("panel.pool_too_small").arg("needed", n).arg("available", candidates.len()),
        ));
    }
    let chosen = candidates.choose_multiple(&mut rand::thread_rng(), n).copied().collect();
    Ok((chosen, candidates.len()))
}

async fn seat(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    call_id: i32,
    user_id: i32,
    seat: PanelSeat,
) -> AppResult<()> {
    panel_member::ActiveModel {
        call_id: Set(call_id),
        user_id: Set(user_id),
        seat: Set(seat),
        status: Set(PanelMemberStatus::Drawn),
        declaration: Set("[]".into()),
        recusal_reason: Set(None),
        drawn_at: Set(now),
        declared_at: Set(None),
        submitted_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Each member drawn is emailed: the call, and that the declaration comes before the bids.
async fn tell_drawn(
    txn: &DatabaseTransaction,
    (emails, origin): (&EmailTemplates, &str),
    now: DateTime<Utc>,
    c: &call::Model,
    ids: impl Iterator<Item = &i32>,
) -> AppResult<()> {
    for id in ids {
        let Some(to) = user::Entity::find_by_id(*id).one(txn).await? else { continue };
        outbox::enqueue(
            txn,
            emails,
            now,
            &to.email,
            Locale::from_tag(&to.locale).unwrap_or(Locale::ZhCn),
            "panel_drawn",
            serde_json::json!({"name": to.display_name, "call": c.title, "reference": c.reference,
                "url": format!("{origin}/calls/{}/panel", c.id)}),
        )
        .await?;
    }
    Ok(())
}

/// Forms the panel of an opened call: `size` seats, `reps` of them the purchaser's
/// representatives (bureau staff), the rest experts drawn at random.
#[allow(clippy::too_many_arguments)]
pub async fn form(
    db: &DatabaseConnection,
    mail: (&EmailTemplates, &str),
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    call_id: i32,
    size: i32,
    reps: &[i32],
) -> AppResult<Vec<Member>> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("panel.call_not_opened")));
    }
    if get_panel(&txn, call_id).await?.is_some() {
        return Err(AppError::Conflict(Msg::new("panel.already_formed")));
    }
    let min = rules.min_panel(c.method);
    if size < min || size % 2 == 0 || size > 25 {
        return Err(field_error("size", Msg::new("panel.size_rule").arg("min", min)));
    }
    let mut reps: Vec<i32> = reps.to_vec();
    reps.sort_unstable();
    reps.dedup();
    let experts = size - reps.len() as i32;
    if experts * 3 < size * 2 {
        return Err(field_error("reps", Msg::new("panel.experts_two_thirds").arg("max", size / 3)));
    }
    let staff = user::Entity::find().filter(user::Column::Id.is_in(reps.clone())).all(&txn).await?;
    if staff.len() != reps.len() || staff.iter().any(|s| s.disabled || !s.role.is_bureau()) {
        return Err(field_error("reps", Msg::new("panel.reps_are_staff")));
    }
    let (drawn, pool_size) = draw(&txn, &c, experts as usize).await?;
    panel::ActiveModel {
        call_id: Set(call_id),
        size: Set(size),
        purchaser_reps: Set(reps.len() as i32),
        formed_by: Set(u.id),
        formed_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for id in &reps {
        seat(&txn, now, call_id, *id, PanelSeat::PurchaserRep).await?;
    }
    for id in &drawn {
        seat(&txn, now, call_id, *id, PanelSeat::Expert).await?;
    }
    tell_drawn(&txn, mail, now, &c, reps.iter().chain(&drawn)).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "panel.formed",
        "call",
        call_id,
        serde_json::json!({"size": size, "purchaser_reps": reps, "experts_drawn": drawn, "pool": pool_size}),
    )
    .await?;
    let out = members(&txn, call_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Draws experts for the seats that recused members left, so the panel is full again.
pub async fn replace_recused(
    db: &DatabaseConnection,
    mail: (&EmailTemplates, &str),
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
) -> AppResult<Vec<i32>> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    let p = get_panel(&txn, call_id).await?.ok_or(AppError::Conflict(Msg::new("panel.not_formed")))?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("panel.call_not_opened")));
    }
    // Touch the panel row first: two officers replacing at once wait for each other here.
    panel::Entity::update_many()
        .col_expr(panel::Column::FormedAt, Expr::col(panel::Column::FormedAt))
        .filter(panel::Column::Id.eq(p.id))
        .exec(&txn)
        .await?;
    let active = panel_member::Entity::find()
        .filter(panel_member::Column::CallId.eq(call_id))
        .filter(panel_member::Column::Status.ne(PanelMemberStatus::Recused))
        .all(&txn)
        .await?
        .len() as i32;
    let missing = (p.size - active).max(0) as usize;
    if missing == 0 {
        return Err(AppError::Conflict(Msg::new("panel.full")));
    }
    let (drawn, pool_size) = draw(&txn, &c, missing).await?;
    for id in &drawn {
        seat(&txn, now, call_id, *id, PanelSeat::Expert).await?;
    }
    tell_drawn(&txn, mail, now, &c, drawn.iter()).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "panel.replaced",
        "call",
        call_id,
        serde_json::json!({"experts_drawn": drawn, "pool": pool_size}),
    )
    .await?;
    txn.commit().await?;
    Ok(drawn)
}

/// One line of a declaration: the bidding organization and the tie, if any.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Declared {
    pub organization_id: i32,
    pub conflict: ConflictKind,
    #[serde(default)]
    pub note: String,
}

/// The bidders a member declares against: every organization with an opened bid standing
/// on the call that was eligible at opening. None while the call is sealed.
pub async fn bidders<C: ConnectionTrait>(db: &C, c: &call::Model) -> AppResult<Vec<(i32, String)>> {
    if calls::sealed(c) {
        return Ok(vec![]);
    }
    let call_id = c.id;
    let ids: Vec<i32> = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::Status.eq(entity::enums::BidStatus::Submitted))
        .filter(bid::Column::OpenedAt.is_not_null())
        // One found ineligible at opening is out of the evaluation: nothing to declare against.
        .filter(bid::Column::IneligibleReason.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.organization_id)
        .collect();
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .order_by_asc(organization::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// A drawn member's declaration, one line per bidder. Any tie recuses the member; else
/// the member takes the seat and may read and score the bids.
pub async fn declare(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    lines: &[Declared],
) -> AppResult<PanelMemberStatus> {
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    let m = seat_of(&txn, u, call_id).await?.ok_or(AppError::NotFound)?;
    if c.status != CallStatus::Opened {
        return Err(AppError::Conflict(Msg::new("panel.call_not_opened")));
    }
    let bidders = bidders(&txn, &c).await?;
    let mut out = Vec::new();
    for (org, name) in &bidders {
        let Some(l) = lines.iter().find(|l| l.organization_id == *org) else {
            return Err(field_error("declaration", Msg::new("panel.declare_every_bidder").arg("org", name)));
        };
        let note = crate::fields::bounded("declaration", &l.note, 500)?;
        if l.conflict != ConflictKind::None && note.is_empty() {
            return Err(field_error("declaration", Msg::new("panel.conflict_needs_note").arg("org", name)));
        }
        out.push(Declared { organization_id: *org, conflict: l.conflict, note });
    }
    let conflicts: Vec<String> = out
        .iter()
        .filter(|l| l.conflict != ConflictKind::None)
        .map(|l| {
            let name = bidders.iter().find(|b| b.0 == l.organization_id).map(|b| b.1.as_str()).unwrap_or_default();
            format!("{name}: {} ({})", l.conflict.code(), l.note)
        })
        .collect();
    let to = if conflicts.is_empty() { PanelMemberStatus::Seated } else { PanelMemberStatus::Recused };
    let to = m.status.transition(to)?;
    let json = serde_json::to_string(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    let res = panel_member::Entity::update_many()
        .col_expr(panel_member::Column::Status, Expr::value(to))
        .col_expr(panel_member::Column::Declaration, Expr::value(json))
        .col_expr(
            panel_member::Column::RecusalReason,
            Expr::value(if conflicts.is_empty() { None } else { Some(conflicts.join("; ")) }),
        )
        .col_expr(panel_member::Column::DeclaredAt, Expr::value(now))
        .filter(panel_member::Column::Id.eq(m.id))
        .filter(panel_member::Column::Status.eq(PanelMemberStatus::Drawn))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict(Msg::new("panel.already_declared")));
    }
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if to == PanelMemberStatus::Seated { "panel.seated" } else { "panel.recused" },
        "call",
        call_id,
        serde_json::json!({"member": m.id, "declaration": out}),
    )
    .await?;
    txn.commit().await?;
    Ok(to)
}

/// A seated member, or the refusal that says why this account may not read or score bids.
pub async fn seated<C: ConnectionTrait>(db: &C, u: &user::Model, call_id: i32) -> AppResult<panel_member::Model> {
    match seat_of(db, u, call_id).await? {
        None => Err(AppError::Forbidden),
        Some(m) => match m.status {
            PanelMemberStatus::Seated => Ok(m),
            PanelMemberStatus::Drawn => Err(AppError::Conflict(Msg::new("panel.declare_first"))),
            PanelMemberStatus::Recused => Err(AppError::Conflict(Msg::new("panel.recused_cannot_score"))),
        },
    }
}
