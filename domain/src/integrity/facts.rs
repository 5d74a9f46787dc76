//! The records the rules look at, read narrowly (the columns they need, one query a table),
//! so a city's ten thousand calls cost a handful of statements, not one per call.
use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{BidStatus, CallStatus, ContractStatus, EvaluationStatus, ProcurementMethod, ServiceCategory};
use entity::{
    award, bid, bid_ruling, bid_version, call, call_amendment, contract, contract_amendment, contract_instalment,
    evaluation, organization, payment,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

pub struct CallFacts {
    pub id: i32,
    pub reference: Option<String>,
    pub title: String,
    pub category: ServiceCategory,
    pub method: ProcurementMethod,
    pub ceiling_fen: i64,
    pub districts: Vec<i32>,
    pub status: CallStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub bid_deadline: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
}

/// An opened bid: its latest version's price, and whether it still counts (eligible at
/// opening, not ruled out as abnormally low).
pub struct BidFacts {
    pub call_id: i32,
    pub organization_id: i32,
    pub total_fen: i64,
    pub counts: bool,
}

pub struct AwardFacts {
    pub call_id: i32,
    pub organization_id: i32,
    pub deviated: bool,
    pub decided_at: DateTime<Utc>,
}

pub struct ContractFacts {
    pub id: i32,
    pub number: Option<String>,
    pub call_id: i32,
    pub signed_at: Option<DateTime<Utc>>,
}

pub struct PaymentFacts {
    pub contract_id: i32,
    pub recorded_at: DateTime<Utc>,
    pub paid_on: NaiveDate,
    /// When its instalment became payable; none: it never did.
    pub payable_at: Option<DateTime<Utc>>,
}

pub struct EvaluationFacts {
    pub contract_id: i32,
    pub visit_on: NaiveDate,
    pub released_at: Option<DateTime<Utc>>,
}

/// A bid deadline moved: the call, the old and new deadlines, and when.
pub struct DeadlineMove {
    pub call_id: i32,
    pub old: DateTime<Utc>,
    pub new: DateTime<Utc>,
    pub made_at: DateTime<Utc>,
}

type Moment = DateTime<Utc>;

pub struct Facts {
    pub calls: HashMap<i32, CallFacts>,
    pub bids: Vec<BidFacts>,
    pub awards: Vec<AwardFacts>,
    pub deadline_moves: Vec<DeadlineMove>,
    pub contracts: HashMap<i32, ContractFacts>,
    /// (contract, amendment number, made at)
    pub contract_amendments: Vec<(i32, i32, DateTime<Utc>)>,
    pub payments: Vec<PaymentFacts>,
    pub evaluations: Vec<EvaluationFacts>,
    /// Bidders' contacts (phone, email), read for the bureau only.
    pub contacts: HashMap<i32, (String, String)>,
}

type CallColumns = (
    i32,
    Option<String>,
    String,
    ServiceCategory,
    ProcurementMethod,
    i64,
    String,
    CallStatus,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

impl Facts {
    pub async fn load<C: ConnectionTrait>(db: &C, bureau: bool) -> AppResult<Facts> {
        let calls = load_calls(db).await?;
        let bids = load_bids(db).await?;
        let contacts = if bureau { load_contacts(db, &bids).await? } else { HashMap::new() };
        Ok(Facts {
            calls,
            awards: load_awards(db).await?,
            deadline_moves: load_moves(db).await?,
            contracts: load_contracts(db).await?,
            contract_amendments: contract_amendment::Entity::find()
                .select_only()
                .columns([
                    contract_amendment::Column::ContractId,
                    contract_amendment::Column::Seq,
                    contract_amendment::Column::MadeAt,
                ])
                .into_tuple()
                .all(db)
                .await?,
            payments: load_payments(db).await?,
            evaluations: load_evaluations(db).await?,
            contacts,
            bids,
        })
    }
}

async fn load_calls<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i32, CallFacts>> {
    use call::Column as K;
    let rows: Vec<CallColumns> = call::Entity::find()
        .select_only()
        .columns([
            K::Id,
            K::Reference,
            K::Title,
            K::Category,
            K::Method,
            K::BudgetCeilingFen,
            K::AreaDistrictIds,
            K::Status,
            K::PublishedAt,
            K::BidDeadline,
            K::OpenedAt,
        ])
        .filter(K::Status.ne(CallStatus::Draft))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                reference,
                title,
                category,
                method,
                ceiling_fen,
                area,
                status,
                published_at,
                bid_deadline,
                opened_at,
            )| {
                let districts = serde_json::from_str(&area).unwrap_or_default();
                let c = CallFacts {
                    id,
                    reference,
                    title,
                    category,
                    method,
                    ceiling_fen,
                    districts,
                    status,
                    published_at,
                    bid_deadline,
                    opened_at,
                };
                (id, c)
            },
        )
        .collect())
}

/// Opened bids only: a sealed bid's row says nothing here, and its versions carry no price
/// in the clear until opening.
async fn load_bids<C: ConnectionTrait>(db: &C) -> AppResult<Vec<BidFacts>> {
    let rows: Vec<(i32, i32, i32, i32, Option<String>)> = bid::Entity::find()
        .select_only()
        .columns([
            bid::Column::Id,
            bid::Column::CallId,
            bid::Column::OrganizationId,
            bid::Column::VersionCount,
            bid::Column::IneligibleReason,
        ])
        .filter(bid::Column::OpenedAt.is_not_null())
        .filter(bid::Column::Status.eq(BidStatus::Submitted))
        .into_tuple()
        .all(db)
        .await?;
    let opened: HashSet<i32> = rows.iter().map(|r| r.0).collect();
    let mut prices: HashMap<(i32, i32), i64> = HashMap::new();
    let versions: Vec<(i32, i32, i64)> = bid_version::Entity::find()
        .select_only()
        .columns([bid_version::Column::BidId, bid_version::Column::VersionNo, bid_version::Column::TotalFen])
        .filter(bid_version::Column::TotalFen.gt(0))
        .into_tuple()
        .all(db)
        .await?;
    for (bid_id, version_no, total) in versions.into_iter().filter(|v| opened.contains(&v.0)) {
        prices.insert((bid_id, version_no), total);
    }
    let ruled_out: HashSet<i32> = bid_ruling::Entity::find()
        .select_only()
        .column(bid_ruling::Column::BidId)
        .filter(bid_ruling::Column::Stands.eq(false))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, call_id, organization_id, version_count, ineligible)| {
            let total_fen = *prices.get(&(id, version_count))?;
            let counts = ineligible.is_none() && !ruled_out.contains(&id);
            Some(BidFacts { call_id, organization_id, total_fen, counts })
        })
        .collect())
}

async fn load_contacts<C: ConnectionTrait>(db: &C, bids: &[BidFacts]) -> AppResult<HashMap<i32, (String, String)>> {
    let mut ids: Vec<i32> = bids.iter().map(|b| b.organization_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i32, String, String)> = organization::Entity::find()
            .select_only()
            .columns([organization::Column::Id, organization::Column::ContactPhone, organization::Column::ContactEmail])
            .filter(organization::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(id, phone, email)| (id, (phone, email))));
    }
    Ok(out)
}

async fn load_awards<C: ConnectionTrait>(db: &C) -> AppResult<Vec<AwardFacts>> {
    let rows: Vec<(i32, i32, i32, i32, DateTime<Utc>)> = award::Entity::find()
        .select_only()
        .columns([
            award::Column::CallId,
            award::Column::OrganizationId,
            award::Column::BidId,
            award::Column::RecommendedBidId,
            award::Column::DecidedAt,
        ])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(call_id, organization_id, bid_id, recommended, decided_at)| AwardFacts {
            call_id,
            organization_id,
            deviated: bid_id != recommended,
            decided_at,
        })
        .collect())
}

async fn load_moves<C: ConnectionTrait>(db: &C) -> AppResult<Vec<DeadlineMove>> {
    use call_amendment::Column as A;
    let rows: Vec<(i32, Option<Moment>, Option<Moment>, Moment)> = call_amendment::Entity::find()
        .select_only()
        .columns([A::CallId, A::OldDeadline, A::NewDeadline, A::MadeAt])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(call, old, new, at)| match (old, new) {
            (Some(old), Some(new)) if old != new => Some(DeadlineMove { call_id: call, old, new, made_at: at }),
            _ => None,
        })
        .collect())
}

async fn load_contracts<C: ConnectionTrait>(db: &C) -> AppResult<HashMap<i32, ContractFacts>> {
    use contract::Column as K;
    let rows: Vec<(i32, Option<String>, i32, Option<Moment>)> = contract::Entity::find()
        .select_only()
        .columns([K::Id, K::Number, K::CallId, K::SignedAt])
        .filter(K::Status.is_in([ContractStatus::Active, ContractStatus::Completed, ContractStatus::Terminated]))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, call_id, signed_at)| (id, ContractFacts { id, number, call_id, signed_at }))
        .collect())
}

/// Payments that stand (neither a reversal nor reversed), with when their instalment
/// became payable.
async fn load_payments<C: ConnectionTrait>(db: &C) -> AppResult<Vec<PaymentFacts>> {
    let rows: Vec<(i32, i32, i32, Moment, NaiveDate, Option<i32>)> = payment::Entity::find()
        .select_only()
        .columns([
            payment::Column::Id,
            payment::Column::ContractId,
            payment::Column::InstalmentId,
            payment::Column::RecordedAt,
            payment::Column::PaidOn,
            payment::Column::ReversesId,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let reversed: HashSet<i32> = rows.iter().filter_map(|r| r.5).collect();
    let payable: HashMap<i32, Option<DateTime<Utc>>> = contract_instalment::Entity::find()
        .select_only()
        .columns([contract_instalment::Column::Id, contract_instalment::Column::PayableAt])
        .into_tuple::<(i32, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| r.5.is_none() && !reversed.contains(&r.0))
        .map(|(_, contract_id, instalment_id, recorded_at, paid_on, _)| PaymentFacts {
            contract_id,
            recorded_at,
            paid_on,
            payable_at: payable.get(&instalment_id).copied().flatten(),
        })
        .collect())
}

async fn load_evaluations<C: ConnectionTrait>(db: &C) -> AppResult<Vec<EvaluationFacts>> {
    let rows: Vec<(i32, NaiveDate, EvaluationStatus, Option<DateTime<Utc>>)> = evaluation::Entity::find()
        .select_only()
        .columns([
            evaluation::Column::ContractId,
            evaluation::Column::VisitOn,
            evaluation::Column::Status,
            evaluation::Column::ReleasedAt,
        ])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(contract_id, visit_on, status, released_at)| EvaluationFacts {
            contract_id,
            visit_on,
            released_at: released_at.filter(|_| status == EvaluationStatus::Released),
        })
        .collect())
}
