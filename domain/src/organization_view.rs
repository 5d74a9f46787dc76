//! An organization as pages, the API and exports show it: never the raw row, and only what
//! the reader may see (the bureau everything, its own members their contact details, the
//! public the registry's public fields of active organizations), with what the reader may do.
use crate::access::Viewer;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::organizations::{self, Places};
use crate::records::{self, CreditSummary, OrgRecords};
use chrono::NaiveDate;
use entity::enums::{OrgStatus, OrgType, ServiceCategory};
use entity::{organization, user};
use sea_orm::DatabaseConnection;
use serde::Serialize;

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
    pub registered_funds_fen: Money,
    pub supervising_unit: Option<String>,
    pub certificate_valid_until: Option<NaiveDate>,
    pub categories: Vec<ServiceCategory>,
    pub credit: CreditSummary,
    pub records: OrgRecords,
    /// Present only for the bureau and the organization itself.
    pub private: Option<OrgPrivate>,
    pub can: OrgCan,
}

/// What the reader may do with the organization's record.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OrgCan {
    /// The bureau edits the registration, until the organization is deregistered or revoked.
    pub edit: bool,
    /// Its own members keep their contact details up to date.
    pub edit_contacts: bool,
    /// The bureau records grades, annual reports, list entries, penalties and status changes.
    pub keep_records: bool,
}

impl OrgCan {
    fn of(viewer: Viewer, status: OrgStatus) -> OrgCan {
        OrgCan {
            edit: viewer.is_bureau() && !organizations::is_closed(status),
            edit_contacts: viewer == Viewer::Member,
            keep_records: viewer.is_bureau(),
        }
    }
}

/// The organization as `viewer` may see it; a non-active one is "not found" to the public.
pub async fn organization(
    db: &DatabaseConnection,
    places: &Places,
    viewer: Option<&user::Model>,
    id: i32,
    today: NaiveDate,
) -> AppResult<OrgView> {
    let o = organizations::get(db, id).await?;
    let acc = Viewer::of_organization(viewer, id);
    if acc == Viewer::Public && o.status != OrgStatus::Active {
        return Err(AppError::NotFound);
    }
    let cats = organizations::categories(db, id).await?;
    let recs = records::load(db, id).await?;
    Ok(build(o, cats, recs, places, acc, today))
}

fn build(
    o: organization::Model,
    categories: Vec<ServiceCategory>,
    recs: OrgRecords,
    places: &Places,
    acc: Viewer,
    today: NaiveDate,
) -> OrgView {
    let credit = records::credit_summary(&o, &recs, today);
    OrgView {
        can: OrgCan::of(acc, o.status),
        private: (acc != Viewer::Public).then(|| OrgPrivate {
            contact_name: o.contact_name.clone(),
            contact_phone: o.contact_phone.clone(),
            contact_email: o.contact_email.clone(),
            uscc_override_reason: if acc.is_bureau() { o.uscc_override_reason.clone() } else { None },
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
        registered_funds_fen: Money(o.registered_funds_fen),
        supervising_unit: o.supervising_unit,
        certificate_valid_until: o.certificate_valid_until,
        categories,
        credit,
        records: recs,
    }
}
