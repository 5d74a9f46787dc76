//! What templates and the API get: never raw rows, and only what the reader may see.
use crate::domain::organizations::{self, Audience, Places};
use crate::domain::records::{self, CreditSummary, OrgRecords};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use entity::enums::{OrgStatus, OrgType, Role, ServiceCategory};
use entity::{organization, user};
use sea_orm::DatabaseConnection;
use serde::Serialize;

/// How the reader stands to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Officers and admins: everything.
    Bureau,
    /// Its own linked NGO member: everything about itself.
    Own,
    /// Everyone else: public fields of active organizations.
    Public,
}

pub fn access(viewer: Option<&user::Model>, org_id: i32) -> Access {
    match viewer {
        Some(u) if u.role.is_bureau() => Access::Bureau,
        Some(u) if u.role == Role::NgoMember && u.organization_id == Some(org_id) => Access::Own,
        _ => Access::Public,
    }
}

pub fn audience(viewer: Option<&user::Model>) -> Audience {
    match viewer {
        Some(u) if u.role.is_bureau() => Audience::Bureau,
        _ => Audience::Public,
    }
}

#[derive(Debug, Serialize)]
pub struct OrgPrivate {
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub uscc_override_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OrgView {
    pub id: i32,
    pub name: String,
    pub uscc: Option<String>,
    pub org_type: OrgType,
    pub status: OrgStatus,
    pub registration_date: NaiveDate,
    pub registration_authority: String,
    pub legal_representative: String,
    pub address: String,
    pub district_id: i32,
    pub district: String,
    pub community_id: Option<i32>,
    pub community: String,
    pub business_scope: String,
    pub registered_funds_fen: i64,
    pub supervising_unit: Option<String>,
    pub certificate_valid_until: Option<NaiveDate>,
    pub categories: Vec<ServiceCategory>,
    pub credit: CreditSummary,
    pub records: OrgRecords,
    /// Present only for the bureau and the organization itself.
    pub private: Option<OrgPrivate>,
}

/// The organization as `viewer` may see it; a non-active one is "not found" to the public.
pub async fn organization(
    db: &DatabaseConnection,
    places: &Places,
    viewer: Option<&user::Model>,
    id: i32,
    today: NaiveDate,
) -> AppResult<(OrgView, Access)> {
    let o = organizations::get(db, id).await?;
    let acc = access(viewer, id);
    if acc == Access::Public && o.status != OrgStatus::Active {
        return Err(AppError::NotFound);
    }
    let cats = organizations::categories(db, id).await?;
    let recs = records::load(db, id).await?;
    Ok((build(o, cats, recs, places, acc, today), acc))
}

fn build(
    o: organization::Model,
    categories: Vec<ServiceCategory>,
    recs: OrgRecords,
    places: &Places,
    acc: Access,
    today: NaiveDate,
) -> OrgView {
    let credit = records::credit_summary(&o, &recs, today);
    OrgView {
        private: (acc != Access::Public).then(|| OrgPrivate {
            contact_name: o.contact_name.clone(),
            contact_phone: o.contact_phone.clone(),
            contact_email: o.contact_email.clone(),
            uscc_override_reason: if acc == Access::Bureau { o.uscc_override_reason.clone() } else { None },
        }),
        district: places.district_name(o.district_id).to_string(),
        community: places.community_name(o.community_id).to_string(),
        id: o.id,
        name: o.name,
        uscc: o.uscc,
        org_type: o.org_type,
        status: o.status,
        registration_date: o.registration_date,
        registration_authority: o.registration_authority,
        legal_representative: o.legal_representative,
        address: o.address,
        district_id: o.district_id,
        community_id: o.community_id,
        business_scope: o.business_scope,
        registered_funds_fen: o.registered_funds_fen,
        supervising_unit: o.supervising_unit,
        certificate_valid_until: o.certificate_valid_until,
        categories,
        credit,
        records: recs,
    }
}

#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<i32>,
    pub locale: String,
    pub email_verified: bool,
    pub disabled: bool,
}

impl From<&user::Model> for UserView {
    fn from(u: &user::Model) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            organization_id: u.organization_id,
            locale: u.locale.clone(),
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled,
        }
    }
}

/// A hub as pages and the API show it: its row and the names of its district and community.
pub fn hub(places: &crate::domain::organizations::Places, h: &entity::hub::Model) -> serde_json::Value {
    let mut v = serde_json::json!(h);
    v["district"] = serde_json::json!(places.district_name(h.district_id));
    v["community"] = serde_json::json!(places.community_name(h.community_id));
    v
}
