//! Organization input: the text a form, a JSON body or an import row carries, and the
//! parse that turns it into a checked `NewOrganization` or a list of field errors.
use super::money::Money;
use super::uscc::{self, UsccProblem};
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::NaiveDate;
use entity::enums::{OrgType, ServiceCategory};
use entity::{community, district, organization};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};

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

/// A calendar date as people type it, between 1900 and 2199: no record of the platform is
/// outside that, and PostgreSQL refuses years chrono accepts (e.g. -5000).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y.%m.%d"))
        .ok()
        .filter(|d| (1900..2200).contains(&chrono::Datelike::year(d)))
}

/// One line of required text (every field of the registry but the business scope).
pub(crate) fn required(errs: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    required_text(errs, field, &super::clean_line(value), max)
}

/// Required text that may run to several lines.
pub(crate) fn required_text(errs: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let v = super::clean(value);
    let v = v.as_str();
    if v.is_empty() {
        errs.add(field, Msg::new("field.required"));
    } else if v.chars().count() > max {
        errs.add(field, Msg::new("field.too_long").arg("max", max));
    }
    v.to_string()
}

pub(crate) fn optional(errs: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> Option<String> {
    let v = super::clean_line(value);
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

/// Contact person, phone and email, each optional; the phone keeps to digits and + - ( ).
pub(crate) fn parse_contacts(e: &mut FieldErrors, name: &str, phone: &str, email: &str) -> (String, String, String) {
    let name = optional(e, "contact_name", name, 50).unwrap_or_default();
    let phone = optional(e, "contact_phone", phone, 30).unwrap_or_default();
    if !phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        e.add("contact_phone", Msg::new("phone.invalid"));
    }
    let email = match super::non_blank(email) {
        None => String::new(),
        Some(s) => super::accounts::parse_email(&s).unwrap_or_else(|m| {
            e.add("contact_email", m);
            String::new()
        }),
    };
    (name, phone, email)
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
    let uscc = parse_uscc(&mut e, &input.uscc, org_type, allow_override, override_reason.is_some());
    let registration_date = past_date(&mut e, "registration_date", &input.registration_date, today);
    let registration_authority = required(&mut e, "registration_authority", &input.registration_authority, 100);
    let legal_representative = required(&mut e, "legal_representative", &input.legal_representative, 50);
    let address = required(&mut e, "address", &input.address, 200);
    let (district, community_id) = parse_place(&mut e, places, &input.district_id, &input.community_id);
    let business_scope = required_text(&mut e, "business_scope", &input.business_scope, 2000);
    let registered_funds = if input.registered_funds.trim().is_empty() {
        Money(0)
    } else {
        Money::parse_yuan(&input.registered_funds).unwrap_or_else(|m| {
            e.add("registered_funds", m);
            Money(0)
        })
    };
    let supervising_unit = optional(&mut e, "supervising_unit", &input.supervising_unit, 100);
    let certificate_valid_until = certificate_date(&mut e, &input.certificate_valid_until, registration_date);
    let categories = parse_categories(&mut e, &input.categories);
    let (contact_name, contact_phone, contact_email) =
        parse_contacts(&mut e, &input.contact_name, &input.contact_phone, &input.contact_email);
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

/// The USCC as typed, normalized; one that fails its checksum is taken only when the actor
/// `may_override` and gave a reason. A filing organization may have none.
fn parse_uscc(
    e: &mut FieldErrors,
    typed: &str,
    org_type: Option<OrgType>,
    may_override: bool,
    has_reason: bool,
) -> Option<String> {
    if typed.trim().is_empty() {
        if org_type != Some(OrgType::Filing) {
            e.add("uscc", Msg::new("uscc.required"));
        }
        return None;
    }
    match uscc::normalize(typed) {
        Ok(c) => Some(c),
        Err((c, UsccProblem::Checksum)) if may_override && has_reason => Some(c),
        Err((_, UsccProblem::Checksum)) if !may_override => {
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
}

/// A required date, not after `today`.
fn past_date(e: &mut FieldErrors, field: &'static str, typed: &str, today: NaiveDate) -> Option<NaiveDate> {
    match parse_date(typed) {
        Some(d) if d > today => {
            e.add(field, Msg::new("date.future"));
            None
        }
        Some(d) => Some(d),
        None => {
            e.add(field, Msg::new(if typed.trim().is_empty() { "field.required" } else { "date.invalid" }));
            None
        }
    }
}

/// The district (required) and the community in it (optional), by id, code or name.
fn parse_place<'p>(
    e: &mut FieldErrors,
    places: &'p Places,
    district_key: &str,
    community_key: &str,
) -> (Option<&'p district::Model>, Option<i32>) {
    let district = places.district(district_key);
    if district.is_none() {
        e.add(
            "district_id",
            Msg::new(if district_key.trim().is_empty() { "field.required" } else { "district.unknown" }),
        );
    }
    let community_id = match (district, super::non_blank(community_key)) {
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
    (district, community_id)
}

/// The certificate's expiry, optional, not before the registration.
fn certificate_date(e: &mut FieldErrors, typed: &str, registered: Option<NaiveDate>) -> Option<NaiveDate> {
    let s = super::non_blank(typed)?;
    match parse_date(&s) {
        Some(d) if registered.is_some_and(|r| d < r) => {
            e.add("certificate_valid_until", Msg::new("date.before_registration"));
            None
        }
        Some(d) => Some(d),
        None => {
            e.add("certificate_valid_until", Msg::new("date.invalid"));
            None
        }
    }
}

/// Service categories by code or Chinese label, several to a cell (separated by ; 、 ,), each
/// once; at least one.
fn parse_categories(e: &mut FieldErrors, typed: &[String]) -> Vec<ServiceCategory> {
    let mut categories = Vec::new();
    for c in typed {
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
    categories
}

/// Chinese labels are accepted in imports ("养老", "儿童").
fn category_by_label(label: &str) -> Option<ServiceCategory> {
    ServiceCategory::ALL
        .iter()
        .copied()
        .find(|c| crate::i18n::Locale::ZhCn.t(&format!("category.{}", c.code())) == label)
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
