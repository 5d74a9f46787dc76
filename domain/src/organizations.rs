//! The registry of social organizations: parsing input, creating, editing, status
//! changes, listing with filters and search, and the detail with its credit summary.
use super::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{OrgStatus, ServiceCategory};
use entity::{organization, organization_category};
use pinyin::ToPinyin;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};

pub use super::listing::{OrgFilter, OrgPage, OrgRow, PER_PAGE, SEARCH_COUNT_CAP, bigrams, list, list_all};
use super::organization_input::parse_contacts;
pub use super::organization_input::{NewOrganization, OrganizationInput, Places, parse, parse_date, to_input};
pub use super::records::{CreditSummary, OrgRecords, currently_on};

/// Replaces the organization's name bigrams (inside the caller's transaction).
pub async fn write_grams<C: ConnectionTrait>(db: &C, org_id: i32, name: &str) -> AppResult<()> {
    use entity::organization_name_gram as g;
    g::Entity::delete_many().filter(g::Column::OrganizationId.eq(org_id)).exec(db).await?;
    let grams = bigrams(name);
    if grams.is_empty() {
        return Ok(());
    }
    g::Entity::insert_many(
        grams.into_iter().map(|gram| g::ActiveModel { gram: Set(gram), organization_id: Set(org_id) }),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Lower-case pinyin initials; letters and digits are kept as they are.
pub fn initials(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(p) => p.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// Duplicate checks against the registry (same USCC, or the same name).
pub async fn check_unique<C: ConnectionTrait>(
    db: &C,
    o: &NewOrganization,
    except_id: Option<i32>,
) -> AppResult<FieldErrors> {
    let mut e = FieldErrors::default();
    let mut by_name = organization::Entity::find().filter(organization::Column::Name.eq(&o.name));
    if let Some(id) = except_id {
        by_name = by_name.filter(organization::Column::Id.ne(id));
    }
    if by_name.count(db).await? > 0 {
        e.add("name", Msg::new("organization.duplicate_name"));
    }
    if let Some(code) = &o.uscc {
        let mut by_code = organization::Entity::find().filter(organization::Column::Uscc.eq(code));
        if let Some(id) = except_id {
            by_code = by_code.filter(organization::Column::Id.ne(id));
        }
        if by_code.count(db).await? > 0 {
            e.add("uscc", Msg::new("organization.duplicate_uscc"));
        }
    }
    Ok(e)
}

fn audit_payload(o: &NewOrganization) -> serde_json::Value {
    serde_json::json!({
        "name": o.name, "uscc": o.uscc, "uscc_override_reason": o.uscc_override_reason,
        "org_type": o.org_type.code(), "district_id": o.district_id,
        "categories": o.categories.iter().map(|c| c.code()).collect::<Vec<_>>(),
    })
}

async fn write_categories<C: ConnectionTrait>(db: &C, org_id: i32, cats: &[ServiceCategory]) -> AppResult<()> {
    organization_category::Entity::delete_many()
        .filter(organization_category::Column::OrganizationId.eq(org_id))
        .exec(db)
        .await?;
    if cats.is_empty() {
        return Ok(());
    }
    organization_category::Entity::insert_many(
        cats.iter().map(|c| organization_category::ActiveModel { organization_id: Set(org_id), category: Set(*c) }),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn new_row(o: &NewOrganization, now: DateTime<Utc>) -> organization::ActiveModel {
    organization::ActiveModel {
        name: Set(o.name.clone()),
        name_initials: Set(initials(&o.name)),
        uscc: Set(o.uscc.clone()),
        uscc_override_reason: Set(o.uscc_override_reason.clone()),
        org_type: Set(o.org_type),
        status: Set(OrgStatus::Active),
        registration_date: Set(o.registration_date),
        registration_authority: Set(o.registration_authority.clone()),
        legal_representative: Set(o.legal_representative.clone()),
        address: Set(o.address.clone()),
        district_id: Set(o.district_id),
        community_id: Set(o.community_id),
        business_scope: Set(o.business_scope.clone()),
        registered_funds_fen: Set(o.registered_funds.fen()),
        supervising_unit: Set(o.supervising_unit.clone()),
        certificate_valid_until: Set(o.certificate_valid_until),
        contact_name: Set(o.contact_name.clone()),
        contact_phone: Set(o.contact_phone.clone()),
        contact_email: Set(o.contact_email.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Inserts one organization (inside the caller's transaction) and audits it.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    o: &NewOrganization,
    action: &str,
) -> AppResult<organization::Model> {
    let row = new_row(o, now).insert(db).await?;
    write_new(db, actor, now, &[o], &[row.id], action).await?;
    Ok(row)
}

/// Inserts new organizations (inside the caller's transaction) in a few statements: each
/// row, then all their service categories, all their name grams and all their audit
/// entries at once. Returns the new ids in order; on a refused row (a code registered
/// meanwhile), the error and the row's index.
pub async fn insert_batch<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[&NewOrganization],
    action: &str,
) -> Result<Vec<i32>, (Option<usize>, AppError)> {
    let mut ids = Vec::with_capacity(rows.len());
    for (i, o) in rows.iter().enumerate() {
        let made = organization::Entity::insert(new_row(o, now)).exec(db).await;
        ids.push(made.map_err(|e| (Some(i), e.into()))?.last_insert_id);
    }
    write_new(db, actor, now, rows, &ids, action).await.map_err(|e| (None, e))?;
    Ok(ids)
}

/// What goes with organizations just inserted under `ids`: their service categories, their
/// name grams and their audit entries, one statement per table.
async fn write_new<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[&NewOrganization],
    ids: &[i32],
    action: &str,
) -> AppResult<()> {
    use entity::organization_name_gram as g;
    let cats: Vec<_> = rows
        .iter()
        .zip(ids)
        .flat_map(|(o, id)| {
            o.categories
                .iter()
                .map(|c| organization_category::ActiveModel { organization_id: Set(*id), category: Set(*c) })
        })
        .collect();
    if !cats.is_empty() {
        organization_category::Entity::insert_many(cats).exec_without_returning(db).await?;
    }
    let grams: Vec<_> = rows
        .iter()
        .zip(ids)
        .flat_map(|(o, id)| {
            bigrams(&o.name).into_iter().map(|gram| g::ActiveModel { gram: Set(gram), organization_id: Set(*id) })
        })
        .collect();
    // Well under either database's limit of bound parameters per statement.
    for chunk in grams.chunks(2000) {
        g::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    let entries = rows.iter().zip(ids).map(|(o, id)| (id.to_string(), audit_payload(o)));
    audit::append_many(db, now, actor, action, "organization", entries).await
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    input: &OrganizationInput,
) -> AppResult<organization::Model> {
    let places = Places::load(db).await?;
    let o = parse(input, &places, today, true).map_err(AppError::Invalid)?;
    let txn = db.begin().await?;
    check_unique(&txn, &o, None).await?.into_result()?;
    let row = insert(&txn, actor, now, &o, "organization.created").await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    id: i32,
    input: &OrganizationInput,
) -> AppResult<organization::Model> {
    let places = Places::load(db).await?;
    let existing = organization::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut o = parse(input, &places, today, true).map_err(AppError::Invalid)?;
    // An accepted override stays with its code unless the code changes.
    if o.uscc == existing.uscc && o.uscc_override_reason.is_none() {
        o.uscc_override_reason = existing.uscc_override_reason.clone();
    }
    if is_closed(existing.status) {
        return Err(AppError::Conflict(Msg::new("organization.closed")));
    }
    let txn = db.begin().await?;
    check_unique(&txn, &o, Some(id)).await?.into_result()?;
    let mut am: organization::ActiveModel = existing.into();
    am.name = Set(o.name.clone());
    am.name_initials = Set(initials(&o.name));
    am.uscc = Set(o.uscc.clone());
    am.uscc_override_reason = Set(o.uscc_override_reason.clone());
    am.org_type = Set(o.org_type);
    am.registration_date = Set(o.registration_date);
    am.registration_authority = Set(o.registration_authority.clone());
    am.legal_representative = Set(o.legal_representative.clone());
    am.address = Set(o.address.clone());
    am.district_id = Set(o.district_id);
    am.community_id = Set(o.community_id);
    am.business_scope = Set(o.business_scope.clone());
    am.registered_funds_fen = Set(o.registered_funds.fen());
    am.supervising_unit = Set(o.supervising_unit.clone());
    am.certificate_valid_until = Set(o.certificate_valid_until);
    am.contact_name = Set(o.contact_name.clone());
    am.contact_phone = Set(o.contact_phone.clone());
    am.contact_email = Set(o.contact_email.clone());
    am.updated_at = Set(now);
    let row = am.update(&txn).await?;
    write_categories(&txn, id, &o.categories).await?;
    write_grams(&txn, id, &o.name).await?;
    audit::append(&txn, now, actor, "organization.updated", "organization", id, audit_payload(&o)).await?;
    txn.commit().await?;
    Ok(row)
}

/// What the organization's own member may change: how to reach it.
pub struct ContactInput {
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
}

pub async fn update_contacts(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i32,
    input: &ContactInput,
) -> AppResult<organization::Model> {
    let mut e = FieldErrors::default();
    let (name, phone, email) = parse_contacts(&mut e, &input.contact_name, &input.contact_phone, &input.contact_email);
    e.into_result()?;
    let txn = db.begin().await?;
    let existing = organization::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let mut am: organization::ActiveModel = existing.into();
    am.contact_name = Set(name.clone());
    am.contact_phone = Set(phone.clone());
    am.contact_email = Set(email.clone());
    am.updated_at = Set(now);
    let row = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        actor,
        "organization.contacts_updated",
        "organization",
        id,
        serde_json::json!({"contact_name": name, "contact_phone": phone, "contact_email": email}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Suspend, reinstate, deregister or revoke, with a reason for the record.
pub async fn change_status(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i32,
    to: OrgStatus,
    reason: &str,
) -> AppResult<organization::Model> {
    let reason = super::clean(reason);
    let reason = reason.as_str();
    if reason.is_empty() {
        let mut e = FieldErrors::default();
        e.add("reason", Msg::new("field.required"));
        return Err(AppError::Invalid(e));
    }
    let txn = db.begin().await?;
    let existing = organization::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let from = existing.status;
    let status = from.transition(to)?;
    super::move_once::<organization::Entity, _, _>(
        &txn,
        (organization::Column::Id, id),
        organization::Column::Status,
        from,
        status,
    )
    .await?;
    let mut am: organization::ActiveModel = existing.into();
    am.status = Set(status);
    am.updated_at = Set(now);
    let row = am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        actor,
        "organization.status_changed",
        "organization",
        id,
        serde_json::json!({"from": from.code(), "to": status.code(), "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<organization::Model> {
    organization::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn categories(db: &DatabaseConnection, id: i32) -> AppResult<Vec<ServiceCategory>> {
    Ok(organization_category::Entity::find()
        .filter(organization_category::Column::OrganizationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.category)
        .collect())
}

/// A deregistered or revoked organization's record is closed: it is no longer edited.
pub fn is_closed(status: OrgStatus) -> bool {
    matches!(status, OrgStatus::Deregistered | OrgStatus::Revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_chinese_names() {
        assert_eq!(initials("三亚市阳光社工服务中心"), "sysygsgfwzx");
        assert_eq!(initials("ABC志愿者协会"), "abczyzxh");
    }
}
