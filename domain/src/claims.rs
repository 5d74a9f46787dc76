//! An NGO member claims the organization it works for by USCC; an officer decides.
use super::audit::{self, Actor};
use super::outbox::{self, EmailTemplates};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, Utc};
use entity::enums::{ClaimStatus, Role};
use entity::{claim, organization, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Serialize;

pub async fn submit(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    uscc: &str,
    note: &str,
) -> AppResult<claim::Model> {
    if u.role != Role::NgoMember {
        return Err(AppError::Forbidden);
    }
    if u.organization_id.is_some() {
        return Err(AppError::Conflict(Msg::new("claim.already_linked")));
    }
    let code = super::clean(uscc).to_ascii_uppercase();
    let txn = db.begin().await?;
    let Some(org) = organization::Entity::find().filter(organization::Column::Uscc.eq(&code)).one(&txn).await? else {
        let mut e = FieldErrors::default();
        e.add("uscc", Msg::new(if code.is_empty() { "field.required" } else { "claim.no_such_uscc" }));
        return Err(AppError::Invalid(e));
    };
    let pending = claim::Entity::find()
        .filter(claim::Column::UserId.eq(u.id))
        .filter(claim::Column::Status.eq(ClaimStatus::Pending))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(AppError::Conflict(Msg::new("claim.pending_exists")));
    }
    let c = claim::ActiveModel {
        user_id: Set(u.id),
        organization_id: Set(org.id),
        status: Set(ClaimStatus::Pending),
        note: Set(super::clean(note).chars().take(1000).collect()),
        decided_by: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "claim.submitted",
        "claim",
        c.id,
        serde_json::json!({"organization_id": org.id, "uscc": code}),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

#[derive(Debug, Serialize)]
pub struct ClaimView {
    pub claim: claim::Model,
    pub user_email: String,
    pub user_name: String,
    pub organization_name: String,
    pub organization_uscc: Option<String>,
    /// Still awaiting the bureau's decision.
    pub decidable: bool,
}

pub async fn list(db: &DatabaseConnection, status: Option<ClaimStatus>) -> AppResult<Vec<ClaimView>> {
    let mut q = claim::Entity::find().order_by_desc(claim::Column::Id);
    if let Some(s) = status {
        q = q.filter(claim::Column::Status.eq(s));
    }
    let claims = q.all(db).await?;
    let user_ids: Vec<i32> = claims.iter().map(|c| c.user_id).collect();
    let org_ids: Vec<i32> = claims.iter().map(|c| c.organization_id).collect();
    let users = user::Entity::find().filter(user::Column::Id.is_in(user_ids)).all(db).await?;
    let orgs = organization::Entity::find().filter(organization::Column::Id.is_in(org_ids)).all(db).await?;
    Ok(claims
        .into_iter()
        .map(|c| {
            let u = users.iter().find(|u| u.id == c.user_id);
            let o = orgs.iter().find(|o| o.id == c.organization_id);
            ClaimView {
                user_email: u.map(|u| u.email.clone()).unwrap_or_default(),
                user_name: u.map(|u| u.display_name.clone()).unwrap_or_default(),
                organization_name: o.map(|o| o.name.clone()).unwrap_or_default(),
                organization_uscc: o.and_then(|o| o.uscc.clone()),
                decidable: c.status.transition(ClaimStatus::Approved).is_ok(),
                claim: c,
            }
        })
        .collect())
}

pub async fn mine(db: &DatabaseConnection, u: &user::Model) -> AppResult<Vec<claim::Model>> {
    Ok(claim::Entity::find().filter(claim::Column::UserId.eq(u.id)).order_by_desc(claim::Column::Id).all(db).await?)
}

/// Approve links the member to the organization; reject records why. The member is told.
pub async fn decide(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    officer: &user::Model,
    now: DateTime<Utc>,
    claim_id: i32,
    approve: bool,
    note: &str,
) -> AppResult<claim::Model> {
    let to = if approve { ClaimStatus::Approved } else { ClaimStatus::Rejected };
    let txn = db.begin().await?;
    let c = claim::Entity::find_by_id(claim_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let status = c.status.transition(to)?;
    super::move_once::<claim::Entity, _, _>(&txn, (claim::Column::Id, c.id), claim::Column::Status, c.status, status)
        .await?;
    let member = user::Entity::find_by_id(c.user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let org = organization::Entity::find_by_id(c.organization_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if approve {
        if member.organization_id.is_some() {
            return Err(AppError::Conflict(Msg::new("claim.already_linked")));
        }
        let mut am: user::ActiveModel = member.clone().into();
        am.organization_id = Set(Some(org.id));
        am.update(&txn).await?;
        // A team incubated before it registered brings its hub record along.
        super::hubs::memberships::adopt_team(&txn, member.id, org.id).await?;
    }
    let mut am: claim::ActiveModel = c.into();
    am.status = Set(status);
    am.decided_by = Set(Some(officer.id));
    am.decided_at = Set(Some(now));
    if !super::clean(note).is_empty() {
        am.note = Set(super::clean(note).chars().take(1000).collect());
    }
    let c = am.update(&txn).await?;
    let locale = Locale::from_tag(&member.locale).unwrap_or(Locale::ZhCn);
    outbox::enqueue(&txn, emails, now, &member.email, locale, if approve { "claim_approved" } else { "claim_rejected" }, serde_json::json!({
        "name": member.display_name, "organization": org.name, "note": super::clean(note), "url": format!("{origin}/account"),
    }))
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(officer),
        if approve { "claim.approved" } else { "claim.rejected" },
        "claim",
        claim_id,
        serde_json::json!({"user_id": member.id, "organization_id": org.id, "note": super::clean(note)}),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}
