//! The registry of social organizations: parsing input, creating, editing, status
//! changes, listing with filters and search, and the detail with its credit summary.
use super::audit::{self, Actor};
use super::money::Money;
use super::uscc::{self, UsccProblem};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{ListKind, OrgStatus, OrgType, ServiceCategory};
use entity::{community, district, organization, organization_category};
use pinyin::ToPinyin;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub use super::records::{CreditSummary, OrgRecords};

/// What a form, a JSON body or an import row says, as text. Nothing is trusted yet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationInput {
    pub name: String,
    pub uscc: String,
    pub uscc_override_reason: String,
    pub org_type: String,
    pub registration_date: String,
    pub registration_authority: String,
    pub legal_representative: String,
    pub address: String,
    pub district_id: String,
    pub community_id: String,
    pub business_scope: String,
    pub registered_funds: String,
    pub supervising_unit: String,
    pub certificate_valid_until: String,
    pub categories: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
}

/// Input that passed every check.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub uscc: Option<String>,
    pub uscc_override_reason: Option<String>,
    pub org_type: OrgType,
    pub registration_date: NaiveDate,
    pub registration_authority: String,
    pub legal_representative: String,
    pub address: String,
    pub district_id: i32,
    pub community_id: Option<i32>,
    pub business_scope: String,
    pub registered_funds: Money,
    pub supervising_unit: Option<String>,
    pub certificate_valid_until: Option<NaiveDate>,
    pub categories: Vec<ServiceCategory>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
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

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y.%m.%d"))
        .ok()
}

fn required(errs: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let v = super::clean(value);
    let v = v.as_str();
    if v.is_empty() {
        errs.add(field, Msg::new("field.required"));
    } else if v.chars().count() > max {
        errs.add(field, Msg::new("field.too_long").arg("max", max));
    }
    v.to_string()
}

fn optional(errs: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> Option<String> {
    let v = super::clean(value);
    let v = v.as_str();
    if v.chars().count() > max {
        errs.add(field, Msg::new("field.too_long").arg("max", max));
    }
    super::non_blank(v)
}

/// Districts and communities, loaded once per parse (or once per import).
pub struct Places {
    pub districts: Vec<district::Model>,
    pub communities: Vec<community::Model>,
}

impl Places {
    pub async fn load<C: ConnectionTrait>(db: &C) -> AppResult<Places> {
        Ok(Places {
            districts: district::Entity::find().order_by_asc(district::Column::Id).all(db).await?,
            communities: community::Entity::find().order_by_asc(community::Column::Id).all(db).await?,
        })
    }
    /// By id, GB/T 2260 code or Chinese name.
    pub fn district(&self, key: &str) -> Option<&district::Model> {
        let k = key.trim();
        self.districts
            .iter()
            .find(|d| d.id.to_string() == k || d.code == k || d.name_zh == k || d.name_en.eq_ignore_ascii_case(k))
    }
    pub fn community(&self, district_id: i32, key: &str) -> Option<&community::Model> {
        let k = key.trim();
        self.communities.iter().find(|c| c.district_id == district_id && (c.id.to_string() == k || c.name_zh == k))
    }
    pub fn district_name(&self, id: i32) -> &str {
        self.districts.iter().find(|d| d.id == id).map(|d| d.name_zh.as_str()).unwrap_or("")
    }
    pub fn community_name(&self, id: Option<i32>) -> &str {
        id.and_then(|id| self.communities.iter().find(|c| c.id == id)).map(|c| c.name_zh.as_str()).unwrap_or("")
    }
}

/// Checks everything that can be checked without the rest of the registry.
/// `allow_override`: the actor may accept a USCC that fails its checksum with a reason.
pub fn parse(
    input: &OrganizationInput,
    places: &Places,
    today: NaiveDate,
    allow_override: bool,
) -> Result<NewOrganization, FieldErrors> {
    let mut e = FieldErrors::default();
    let name = required(&mut e, "name", &input.name, 100);
    if !name.is_empty() && name.chars().count() < 2 {
        e.add("name", Msg::new("field.too_short").arg("min", 2));
    }
    let org_type = OrgType::from_code(input.org_type.trim());
    if org_type.is_none() {
        e.add("org_type", Msg::new("field.choose"));
    }
    let override_reason = super::non_blank(&input.uscc_override_reason);
    let uscc = if input.uscc.trim().is_empty() {
        if org_type != Some(OrgType::Filing) {
            e.add("uscc", Msg::new("uscc.required"));
        }
        None
    } else {
        match uscc::normalize(&input.uscc) {
            Ok(c) => Some(c),
            Err((c, UsccProblem::Checksum)) if allow_override && override_reason.is_some() => Some(c),
            Err((_, UsccProblem::Checksum)) if !allow_override => {
                e.add("uscc", UsccProblem::Checksum.msg());
                None
            }
            Err((_, p)) => {
                let mut m = p.msg();
                if p == UsccProblem::Checksum {
                    m = Msg::new("uscc.checksum_override");
                }
                e.add("uscc", m);
                None
            }
        }
    };
    let registration_date = match parse_date(&input.registration_date) {
        Some(d) if d > today => {
            e.add("registration_date", Msg::new("date.future"));
            None
        }
        Some(d) => Some(d),
        None => {
            e.add(
                "registration_date",
                Msg::new(if input.registration_date.trim().is_empty() { "field.required" } else { "date.invalid" }),
            );
            None
        }
    };
    let registration_authority = required(&mut e, "registration_authority", &input.registration_authority, 100);
    let legal_representative = required(&mut e, "legal_representative", &input.legal_representative, 50);
    let address = required(&mut e, "address", &input.address, 200);
    let district = places.district(&input.district_id);
    if district.is_none() {
        e.add(
            "district_id",
            Msg::new(if input.district_id.trim().is_empty() { "field.required" } else { "district.unknown" }),
        );
    }
    let community_id = match (district, super::non_blank(&input.community_id)) {
        (_, None) => None,
        (Some(d), Some(key)) => match places.community(d.id, &key) {
            Some(c) => Some(c.id),
            None => {
                e.add("community_id", Msg::new("community.unknown"));
                None
            }
        },
        (None, Some(_)) => None,
    };
    let business_scope = required(&mut e, "business_scope", &input.business_scope, 2000);
    let registered_funds = if input.registered_funds.trim().is_empty() {
        Money(0)
    } else {
        Money::parse_yuan(&input.registered_funds).unwrap_or_else(|m| {
            e.add("registered_funds", m);
            Money(0)
        })
    };
    let supervising_unit = optional(&mut e, "supervising_unit", &input.supervising_unit, 100);
    let certificate_valid_until = match super::non_blank(&input.certificate_valid_until) {
        None => None,
        Some(s) => match parse_date(&s) {
            Some(d) if registration_date.is_some_and(|r| d < r) => {
                e.add("certificate_valid_until", Msg::new("date.before_registration"));
                None
            }
            Some(d) => Some(d),
            None => {
                e.add("certificate_valid_until", Msg::new("date.invalid"));
                None
            }
        },
    };
    let mut categories = Vec::new();
    for c in &input.categories {
        for part in c.split([';', '；', '、', ',', '，']).map(str::trim).filter(|p| !p.is_empty()) {
            match ServiceCategory::from_code(part).or_else(|| category_by_label(part)) {
                Some(cat) if !categories.contains(&cat) => categories.push(cat),
                Some(_) => {}
                None => e.add("categories", Msg::new("category.unknown").arg("value", part)),
            }
        }
    }
    if categories.is_empty() && !e.has("categories") {
        e.add("categories", Msg::new("category.required"));
    }
    let contact_name = optional(&mut e, "contact_name", &input.contact_name, 50).unwrap_or_default();
    let contact_phone = optional(&mut e, "contact_phone", &input.contact_phone, 30).unwrap_or_default();
    if !contact_phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        e.add("contact_phone", Msg::new("phone.invalid"));
    }
    let contact_email = match super::non_blank(&input.contact_email) {
        None => String::new(),
        Some(s) => super::accounts::parse_email(&s).unwrap_or_else(|m| {
            e.add("contact_email", m);
            String::new()
        }),
    };
    if !e.is_empty() {
        return Err(e);
    }
    let (Some(org_type), Some(registration_date), Some(district)) = (org_type, registration_date, district) else {
        return Err(e);
    };
    Ok(NewOrganization {
        name,
        uscc_override_reason: if uscc.as_deref().is_some_and(|c| uscc::normalize(c).is_err()) {
            override_reason
        } else {
            None
        },
        uscc,
        org_type,
        registration_date,
        registration_authority,
        legal_representative,
        address,
        district_id: district.id,
        community_id,
        business_scope,
        registered_funds,
        supervising_unit,
        certificate_valid_until,
        categories,
        contact_name,
        contact_phone,
        contact_email,
    })
}

/// Chinese labels are accepted in imports ("养老", "儿童").
fn category_by_label(label: &str) -> Option<ServiceCategory> {
    ServiceCategory::ALL
        .iter()
        .copied()
        .find(|c| crate::i18n::Locale::ZhCn.t(&format!("category.{}", c.code())) == label)
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

/// Inserts one organization (inside the caller's transaction) and audits it.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    o: &NewOrganization,
    action: &str,
) -> AppResult<organization::Model> {
    let row = organization::ActiveModel {
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
    .insert(db)
    .await?;
    write_categories(db, row.id, &o.categories).await?;
    audit::append(db, now, actor, action, "organization", row.id, audit_payload(o)).await?;
    Ok(row)
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
    if matches!(existing.status, OrgStatus::Deregistered | OrgStatus::Revoked) {
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
    let name = optional(&mut e, "contact_name", &input.contact_name, 50).unwrap_or_default();
    let phone = optional(&mut e, "contact_phone", &input.contact_phone, 30).unwrap_or_default();
    if !phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        e.add("contact_phone", Msg::new("phone.invalid"));
    }
    let email = match super::non_blank(&input.contact_email) {
        None => String::new(),
        Some(s) => super::accounts::parse_email(&s).unwrap_or_else(|m| {
            e.add("contact_email", m);
            String::new()
        }),
    };
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

/// Who is looking decides what is listed: the public and NGOs see active organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Bureau,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgFilter {
    pub q: String,
    pub org_type: String,
    pub district_id: String,
    pub community_id: String,
    pub category: String,
    pub status: String,
    pub grade: String,
    /// "yes": on the abnormal or dishonesty list now; "no": on neither.
    pub listed: String,
    pub sort: String,
    pub dir: String,
    pub page: u64,
}

pub const PER_PAGE: u64 = 20;

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn contains(col: organization::Column, needle: &str) -> Expr {
    Expr::col((organization::Entity, col))
        .like(sea_orm::sea_query::LikeExpr::new(format!("%{}%", like_escape(needle))).escape('\\'))
}

/// Builds the filtered query; unknown filter values are ignored rather than refused so a
/// hand-edited URL still shows a list.
fn filtered(f: &OrgFilter, audience: Audience, today: NaiveDate) -> sea_orm::Select<organization::Entity> {
    let mut q = organization::Entity::find();
    match (audience, OrgStatus::from_code(f.status.trim())) {
        (Audience::Public, _) => q = q.filter(organization::Column::Status.eq(OrgStatus::Active)),
        (Audience::Bureau, Some(s)) => q = q.filter(organization::Column::Status.eq(s)),
        (Audience::Bureau, None) => {}
    }
    if let Some(t) = OrgType::from_code(f.org_type.trim()) {
        q = q.filter(organization::Column::OrgType.eq(t));
    }
    if let Ok(d) = f.district_id.trim().parse::<i32>() {
        q = q.filter(organization::Column::DistrictId.eq(d));
    }
    if let Ok(c) = f.community_id.trim().parse::<i32>() {
        q = q.filter(organization::Column::CommunityId.eq(c));
    }
    if let Some(cat) = ServiceCategory::from_code(f.category.trim()) {
        q = q.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(organization_category::Column::OrganizationId)
                    .from(organization_category::Entity)
                    .and_where(organization_category::Column::Category.eq(cat))
                    .take(),
            ),
        );
    }
    if let Ok(g) = f.grade.trim().parse::<i32>() {
        q = q.filter(
            organization::Column::Id.in_subquery(
                Query::select()
                    .column(entity::assessment_grade::Column::OrganizationId)
                    .from(entity::assessment_grade::Entity)
                    .and_where(entity::assessment_grade::Column::Grade.eq(g))
                    .and_where(entity::assessment_grade::Column::ValidFrom.lte(today))
                    .and_where(entity::assessment_grade::Column::ValidTo.gte(today))
                    .take(),
            ),
        );
    }
    let on_list = Query::select()
        .column(entity::list_entry::Column::OrganizationId)
        .from(entity::list_entry::Entity)
        .and_where(entity::list_entry::Column::RemovedOn.is_null())
        .take();
    match f.listed.trim() {
        "yes" => q = q.filter(organization::Column::Id.in_subquery(on_list)),
        "no" => q = q.filter(organization::Column::Id.not_in_subquery(on_list)),
        _ => {}
    }
    let needle = super::clean(&f.q);
    let needle = needle.as_str();
    if !needle.is_empty() {
        let mut any = Condition::any().add(contains(organization::Column::Name, needle));
        let upper = needle.to_ascii_uppercase();
        if upper.chars().all(|c| c.is_ascii_alphanumeric()) {
            any = any.add(
                Expr::col((organization::Entity, organization::Column::Uscc)).like(format!("{}%", like_escape(&upper))),
            );
        }
        if needle.chars().all(|c| c.is_ascii_alphabetic()) {
            any = any.add(contains(organization::Column::NameInitials, &needle.to_ascii_lowercase()));
        }
        q = q.filter(any);
    }
    let desc = f.dir == "desc";
    let col = match f.sort.as_str() {
        "registration_date" => organization::Column::RegistrationDate,
        "updated" => organization::Column::UpdatedAt,
        _ => organization::Column::Name,
    };
    q = if desc { q.order_by_desc(col) } else { q.order_by_asc(col) };
    q.order_by_asc(organization::Column::Id)
}

/// One line of the list, with what the list shows beside the name.
#[derive(Debug, Clone, Serialize)]
pub struct OrgRow {
    pub id: i32,
    pub name: String,
    pub uscc: Option<String>,
    pub org_type: OrgType,
    pub status: OrgStatus,
    pub district: String,
    pub community: String,
    pub registration_date: NaiveDate,
    pub grade: Option<i32>,
    pub listed: bool,
}

pub struct OrgPage {
    pub rows: Vec<OrgRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

pub async fn list(
    db: &DatabaseConnection,
    f: &OrgFilter,
    audience: Audience,
    today: NaiveDate,
    places: &Places,
) -> AppResult<OrgPage> {
    let q = filtered(f, audience, today);
    let total = q.clone().count(db).await?;
    let pages = Ord::max(total.div_ceil(PER_PAGE), 1);
    let page = f.page.clamp(1, pages);
    let orgs = q.offset((page - 1) * PER_PAGE).limit(PER_PAGE).all(db).await?;
    let rows = decorate(db, orgs, today, places).await?;
    Ok(OrgPage { rows, total, page, pages })
}

/// Every match, for export (capped so one request cannot take the server down).
pub async fn list_all(
    db: &DatabaseConnection,
    f: &OrgFilter,
    audience: Audience,
    today: NaiveDate,
) -> AppResult<Vec<organization::Model>> {
    Ok(filtered(f, audience, today).limit(200_000).all(db).await?)
}

async fn decorate(
    db: &DatabaseConnection,
    orgs: Vec<organization::Model>,
    today: NaiveDate,
    places: &Places,
) -> AppResult<Vec<OrgRow>> {
    let ids: Vec<i32> = orgs.iter().map(|o| o.id).collect();
    let grades = entity::assessment_grade::Entity::find()
        .filter(entity::assessment_grade::Column::OrganizationId.is_in(ids.clone()))
        .filter(entity::assessment_grade::Column::ValidFrom.lte(today))
        .filter(entity::assessment_grade::Column::ValidTo.gte(today))
        .all(db)
        .await?;
    let listed: Vec<i32> = entity::list_entry::Entity::find()
        .filter(entity::list_entry::Column::OrganizationId.is_in(ids))
        .filter(entity::list_entry::Column::RemovedOn.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.organization_id)
        .collect();
    Ok(orgs
        .into_iter()
        .map(|o| OrgRow {
            grade: grades.iter().filter(|g| g.organization_id == o.id).map(|g| g.grade).max(),
            listed: listed.contains(&o.id),
            district: places.district_name(o.district_id).to_string(),
            community: places.community_name(o.community_id).to_string(),
            id: o.id,
            name: o.name,
            uscc: o.uscc,
            org_type: o.org_type,
            status: o.status,
            registration_date: o.registration_date,
        })
        .collect())
}

pub async fn get(db: &DatabaseConnection, id: i32) -> AppResult<organization::Model> {
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

/// The form's text for an existing organization (edit page, API round trip).
pub fn to_input(o: &organization::Model, cats: &[ServiceCategory]) -> OrganizationInput {
    OrganizationInput {
        name: o.name.clone(),
        uscc: o.uscc.clone().unwrap_or_default(),
        uscc_override_reason: String::new(),
        org_type: o.org_type.code().into(),
        registration_date: o.registration_date.to_string(),
        registration_authority: o.registration_authority.clone(),
        legal_representative: o.legal_representative.clone(),
        address: o.address.clone(),
        district_id: o.district_id.to_string(),
        community_id: o.community_id.map(|c| c.to_string()).unwrap_or_default(),
        business_scope: o.business_scope.clone(),
        registered_funds: Money(o.registered_funds_fen).to_yuan_input(),
        supervising_unit: o.supervising_unit.clone().unwrap_or_default(),
        certificate_valid_until: o.certificate_valid_until.map(|d| d.to_string()).unwrap_or_default(),
        categories: cats.iter().map(|c| c.code().to_string()).collect(),
        contact_name: o.contact_name.clone(),
        contact_phone: o.contact_phone.clone(),
        contact_email: o.contact_email.clone(),
    }
}

/// Whether the organization is on a list now (removed entries no longer count).
pub fn currently_on(entries: &[entity::list_entry::Model], kind: ListKind) -> bool {
    entries.iter().any(|e| e.kind == kind && e.removed_on.is_none())
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
