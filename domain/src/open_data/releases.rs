//! A call's releases, one per step as it happened: the tender at publication, each
//! amendment, the opening (bid statistics and details), the award, each contract signed and
//! its implementation (milestones met, payments made), and a cancellation or failure.
use super::{Publisher, stamp};
use crate::error::AppResult;
use crate::procurement::opening::{self, OpenedBid};
use crate::procurement::{amendments, award, calls};
use chrono::{DateTime, Utc};
use entity::enums::{CallStatus, ContractStatus, MilestoneStatus, ProcurementMethod};
use entity::{call, contract, milestone, organization, payment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

fn yuan(fen: i64) -> Value {
    json!({"amount": fen as f64 / 100.0, "currency": "CNY"})
}

/// The organization as a party: the unified social credit code as its identifier.
fn party(p: &Publisher<'_>, o: &organization::Model, roles: &[&str]) -> Value {
    let mut v = json!({"id": party_id(o), "name": o.name, "roles": roles});
    if let Some(uscc) = &o.uscc {
        v["identifier"] = json!({"scheme": p.rules.identifier_scheme, "id": uscc, "legalName": o.name});
    }
    v
}

fn party_id(o: &organization::Model) -> String {
    format!("org-{}", o.id)
}

fn reference(o: &organization::Model) -> Value {
    json!({"id": party_id(o), "name": o.name})
}

fn buyer(p: &Publisher<'_>) -> Value {
    json!({"id": "buyer", "name": p.buyer_name})
}

struct Step {
    tag: &'static str,
    date: DateTime<Utc>,
    body: Value,
}

fn method(m: ProcurementMethod) -> &'static str {
    match m {
        ProcurementMethod::OpenTender => "open",
        ProcurementMethod::CompetitiveConsultation | ProcurementMethod::Other => "selective",
    }
}

async fn tender<C: ConnectionTrait>(db: &C, p: &Publisher<'_>, c: &call::Model) -> AppResult<Value> {
    let criteria = calls::criteria(db, c.id).await?;
    let details: Vec<String> = criteria.iter().map(|k| format!("{} {}", k.name, k.weight)).collect();
    let published = c.published_at.unwrap_or(c.created_at);
    let mut t = json!({
        "id": c.reference,
        "title": c.title,
        "description": c.outputs_expected,
        "status": "active",
        "procuringEntity": buyer(p),
        "value": yuan(c.budget_ceiling_fen),
        "procurementMethod": method(c.method),
        "procurementMethodDetails": crate::i18n::Locale::ZhCn.t(&format!("method.{}", c.method.code())),
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": details.join("；"),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": stamp(published)},
        "enquiryPeriod": {"startDate": stamp(published)},
        "contractPeriod": {"durationInDays": c.term_months as i64 * 30},
    });
    if let Some(d) = c.bid_deadline {
        t["tenderPeriod"]["endDate"] = json!(stamp(d));
    }
    if let Some(d) = c.question_deadline {
        t["enquiryPeriod"]["endDate"] = json!(stamp(d));
    }
    Ok(t)
}

fn opening_step(
    c: &call::Model,
    opened: &[OpenedBid],
    orgs: &[organization::Model],
    p: &Publisher<'_>,
) -> Option<Step> {
    let at = c.opened_at?;
    let valid = opened.iter().filter(|b| b.valid()).count();
    let details: Vec<Value> = opened
        .iter()
        .map(|b| {
            let tenderer = orgs.iter().find(|o| o.id == b.organization_id);
            json!({
                "id": b.bid_ref,
                "date": stamp(b.submitted_at),
                "status": if b.valid() { "valid" } else { "disqualified" },
                "tenderers": tenderer.map(reference).into_iter().collect::<Vec<_>>(),
                "value": yuan(b.total_fen.0),
            })
        })
        .collect();
    let parties: Vec<Value> = orgs
        .iter()
        .filter(|o| opened.iter().any(|b| b.organization_id == o.id))
        .map(|o| party(p, o, &["tenderer"]))
        .collect();
    let tenderers: Vec<Value> =
        orgs.iter().filter(|o| opened.iter().any(|b| b.organization_id == o.id)).map(reference).collect();
    Some(Step {
        tag: "tenderUpdate",
        date: at,
        body: json!({
            "parties": parties,
            "tender": {"id": c.reference, "numberOfTenderers": opened.len(), "tenderers": tenderers},
            "bids": {
                "statistics": [
                    {"id": "bids", "measure": "bids", "value": opened.len(), "date": stamp(at)},
                    {"id": "validBids", "measure": "validBids", "value": valid, "date": stamp(at)},
                ],
                "details": details,
            },
        }),
    })
}

async fn award_step<C: ConnectionTrait>(
    db: &C,
    p: &Publisher<'_>,
    c: &call::Model,
    opened: &[OpenedBid],
    orgs: &[organization::Model],
) -> AppResult<Option<Step>> {
    let Some(a) = award::get(db, c.id).await? else { return Ok(None) };
    let Some(winner) = orgs.iter().find(|o| o.id == a.organization_id) else { return Ok(None) };
    let bid_ref = opened.iter().find(|b| b.bid_id == a.bid_id).map(|b| b.bid_ref.clone());
    let mut award = json!({
        "id": format!("{}-award", c.reference.clone().unwrap_or_default()),
        "title": c.title,
        "status": "active",
        "date": stamp(a.decided_at),
        "value": yuan(a.amount_fen),
        "suppliers": [reference(winner)],
    });
    if let Some(r) = bid_ref {
        award["relatedBid"] = json!(r);
    }
    Ok(Some(Step {
        tag: "award",
        date: a.decided_at,
        body: json!({
            "parties": [party(p, winner, &["tenderer", "supplier"])],
            "tender": {"id": c.reference, "status": "complete"},
            "awards": [award],
        }),
    }))
}

fn contract_status(s: ContractStatus) -> &'static str {
    match s {
        ContractStatus::Draft | ContractStatus::Approved | ContractStatus::Sent => "pending",
        ContractStatus::Active => "active",
        ContractStatus::Completed | ContractStatus::Terminated => "terminated",
    }
}

async fn contract_steps<C: ConnectionTrait>(db: &C, c: &call::Model, p: &Publisher<'_>) -> AppResult<Vec<Step>> {
    let award_id = format!("{}-award", c.reference.clone().unwrap_or_default());
    let mut steps = Vec::new();
    for k in contract::Entity::find().filter(contract::Column::CallId.eq(c.id)).all(db).await? {
        // A contract enters the data once signed: a draft is the bureau's work in progress.
        let (Some(signed), Some(number)) = (k.signed_at, k.number.clone()) else { continue };
        let mut body = json!({
            "id": number, "awardID": award_id, "title": c.title, "status": contract_status(k.status),
            "value": yuan(k.amount_fen), "dateSigned": stamp(signed),
            "documents": [{
                "id": format!("{number}-signed"), "documentType": "contractSigned", "format": "application/pdf",
                "title": format!("{} 合同", c.title),
                "url": format!("{}/documents/verify", p.origin.trim_end_matches('/')),
            }],
        });
        if let (Some(s), Some(e)) = (k.starts_on, k.ends_on) {
            body["period"] =
                json!({"startDate": format!("{s}T00:00:00+08:00"), "endDate": format!("{e}T23:59:59+08:00")});
        }
        steps.push(Step { tag: "contract", date: signed, body: json!({"contracts": [body]}) });
        if let Some(step) = implementation(db, &k, (&number, &award_id), p).await? {
            steps.push(step);
        }
    }
    Ok(steps)
}

async fn implementation<C: ConnectionTrait>(
    db: &C,
    k: &contract::Model,
    (number, award_id): (&str, &str),
    p: &Publisher<'_>,
) -> AppResult<Option<Step>> {
    let ms = milestone::Entity::find()
        .filter(milestone::Column::ContractId.eq(k.id))
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?;
    let pays = payment::Entity::find()
        .filter(payment::Column::ContractId.eq(k.id))
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?;
    let provider = organization::Entity::find_by_id(k.organization_id).one(db).await?;
    let milestones: Vec<Value> = ms
        .iter()
        .map(|m| {
            let status = match m.status {
                MilestoneStatus::Accepted => "met",
                _ => "scheduled",
            };
            json!({"id": format!("{number}-m{}", m.position), "title": m.title, "type": "delivery",
                "dueDate": format!("{}T23:59:59+08:00", m.due_on), "status": status})
        })
        .collect();
    let transactions: Vec<Value> = pays
        .iter()
        .map(|t| {
            let mut v = json!({"id": format!("{number}-t{}", t.id), "source": p.origin, "date": stamp(t.recorded_at),
                "value": yuan(t.amount_fen), "payer": buyer(p)});
            if let Some(o) = &provider {
                v["payee"] = reference(o);
            }
            v
        })
        .collect();
    let last = pays.iter().map(|t| t.recorded_at).chain(ms.iter().map(|m| m.updated_at)).max();
    let Some(date) = last.filter(|_| !pays.is_empty() || ms.iter().any(|m| m.status == MilestoneStatus::Accepted))
    else {
        return Ok(None);
    };
    let implementation = json!({"milestones": milestones, "transactions": transactions});
    Ok(Some(Step {
        tag: "implementation",
        date,
        body: json!({"contracts": [{"id": number, "awardID": award_id, "implementation": implementation}]}),
    }))
}

/// The releases of a published call, oldest first.
pub(super) async fn build(
    db: &sea_orm::DatabaseConnection,
    p: &Publisher<'_>,
    c: &call::Model,
) -> AppResult<Vec<Value>> {
    let Some(ocid) = p.ocid(c) else { return Ok(vec![]) };
    let mut steps = vec![Step {
        tag: "tender",
        date: c.published_at.unwrap_or(c.created_at),
        body: json!({"tender": tender(db, p, c).await?}),
    }];
    for a in amendments::list(db, c.id).await? {
        let mut t = json!({"id": c.reference, "amendments": [{
            "id": format!("amendment-{}", a.id), "date": stamp(a.made_at), "rationale": a.note, "description": a.changes,
        }]});
        if let Some(d) = a.new_deadline {
            t["tenderPeriod"] = json!({"endDate": stamp(d)});
        }
        steps.push(Step { tag: "tenderAmendment", date: a.made_at, body: json!({"tender": t}) });
    }
    // Bids only once opened: none for a sealed call, whatever its status.
    let opened = opening::opened_bids(db, c).await?;
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(opened.iter().map(|b| b.organization_id)))
        .all(db)
        .await?;
    steps.extend(opening_step(c, &opened, &orgs, p));
    steps.extend(award_step(db, p, c, &opened, &orgs).await?);
    match c.status {
        CallStatus::Cancelled => steps.push(Step {
            tag: "tenderCancellation",
            date: c.updated_at,
            body: json!({"tender": {"id": c.reference, "status": "cancelled"}}),
        }),
        CallStatus::Failed => steps.push(Step {
            tag: "tenderUpdate",
            date: c.updated_at,
            body: json!({"tender": {"id": c.reference, "status": "unsuccessful"}}),
        }),
        _ => {}
    }
    steps.extend(contract_steps(db, c, p).await?);
    steps.sort_by_key(|s| s.date);
    Ok(steps
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let mut r = json!({
                "ocid": ocid, "id": format!("{ocid}-{:02}-{}", n + 1, s.tag), "date": stamp(s.date),
                "tag": [s.tag], "initiationType": "tender", "language": "zh",
                "buyer": buyer(p),
            });
            let mut parties = vec![json!({"id": "buyer", "name": p.buyer_name, "roles": ["buyer", "procuringEntity"]})];
            if let Some(Value::Array(more)) = s.body.get("parties") {
                parties.extend(more.iter().cloned());
            }
            r["parties"] = Value::Array(parties);
            if let Value::Object(m) = s.body {
                for (k, v) in m.into_iter().filter(|(k, _)| k != "parties") {
                    r[k] = v;
                }
            }
            r
        })
        .collect())
}
