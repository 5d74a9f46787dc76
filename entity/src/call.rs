#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub reference: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub purchase_type: PurchaseType,
    pub method: ProcurementMethod,
    pub budget_ceiling_fen: i64,
    /// Service area: district ids, then community ids, as JSON arrays.
    pub area_district_ids: String,
    pub area_community_ids: String,
    pub target_groups: String,
    pub outputs_expected: String,
    pub term_months: i32,
    pub multi_year: bool,
    pub min_years_registered: i32,
    /// Minimum current assessment grade (1–5); 0: none asked.
    pub min_grade: i32,
    pub require_annual_report: bool,
    pub hub_rule: HubRule,
    /// Show (and let the panel weigh) a 优秀/良好 final evaluation in the last years.
    pub evaluation_preference: bool,
    /// Organization types allowed, comma-separated codes; empty: all.
    pub org_types: String,
    pub question_deadline: Option<DateTimeUtc>,
    /// The bid deadline, which is also the opening time.
    pub bid_deadline: Option<DateTimeUtc>,
    pub status: CallStatus,
    pub published_at: Option<DateTimeUtc>,
    /// When its bids were opened; never for a call cancelled before opening.
    pub opened_at: Option<DateTimeUtc>,
    /// The call's own key for its sealed bids, wrapped by the sealing key (which is kept
    /// outside the database); made with the first bid. Never in any JSON.
    #[serde(skip_serializing)]
    pub sealing_key: Option<Vec<u8>>,
    pub cancel_reason: Option<String>,
    /// A staff or member account id: kept out of every JSON the platform gives.
    #[serde(skip_serializing)]
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
