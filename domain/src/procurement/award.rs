//! The award (成交): the officer confirms the panel's recommendation, or chooses another
//! bid that stands and says why. The award is published with the panel list, every bidder
//! is emailed, a challenge window (质疑) opens, and the contract is drafted from the call's
//! payment schedule for the officer to complete. A call whose bids all fall is failed.
use super::calls;
use super::panel;
use super::panel_report;
use super::panel_report::Report;
use super::rules::ProcurementRules;
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::fields::field_error;
use crate::i18n::{Locale, Msg};
use crate::money::Money;
use crate::outbox::{self, EmailTemplates};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use entity::enums::{CallStatus, ContractStatus, Role};
use entity::{award, bid, call, challenge, contract, contract_instalment, organization, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

/// The end (midnight, Asia/Shanghai) of the n-th working day (Monday to Friday) after `from`.
/// Public holidays are not known to the platform; an officer extending a window for one
/// records it as an answer to the challenge.
pub fn working_days_after(from: DateTime<Utc>, n: i64) -> DateTime<Utc> {
    let mut d: NaiveDate = crate::i18n::to_local(from).date_naive();
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    let next = d.succ_opt().unwrap_or(d).and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Asia::Shanghai.from_local_datetime(&next).single().map(|t| t.with_timezone(&Utc)).unwrap_or(from)
}

pub async fn get<C: ConnectionTrait>(db: &C, call_id: i32) -> AppResult<Option<award::Model>> {
    Ok(award::Entity::find().filter(award::Column::CallId.eq(call_id)).one(db).await?)
}

/// Splits the amount by the instalments' percentages in fen; the last takes the remainder,
/// so the parts always add up to the whole.
pub fn split(amount_fen: i64, percents: &[i32]) -> Vec<i64> {
    let mut out: Vec<i64> = percents.iter().map(|p| amount_fen * *p as i64 / 100).collect();
    if let Some(last) = out.last_mut() {
        *last += amount_fen - percents.iter().map(|p| amount_fen * *p as i64 / 100).sum::<i64>();
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub async fn award(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    rules: &ProcurementRules,
    call_id: i32,
    bid_id: i32,
    deviation_reason: &str,
) -> AppResult<award::Model> {
    let reason = crate::fields::bounded("deviation_reason", deviation_reason, 2000)?;
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status == CallStatus::Awarded || get(&txn, call_id).await?.is_some() {
        return Err(AppError::Conflict(Msg::new("award.already")));
    }
    let status = c.status.transition(CallStatus::Awarded)?;
    let r = panel_report::report(&txn, rules, &c).await?;
    if !r.complete {
        return Err(AppError::Conflict(Msg::new("award.report_incomplete")));
    }
    let chosen = r.bids.iter().find(|b| b.bid_id == bid_id && !b.excluded).ok_or(AppError::NotFound)?;
    // Eligibility holds on the day of the award too: a bidder listed, suspended or barred
    // since opening is refused, with the rule it fails.
    if let Some(failed) = super::eligibility::first_failure(&txn, &c, chosen.organization_id, now).await? {
        return Err(AppError::Conflict(
            Msg::new("award.not_eligible").arg("org", &chosen.organization).arg("rule", Locale::ZhCn.msg(&failed)),
        ));
    }
    let recommended = r.recommended_bid_id.unwrap_or(bid_id);
    if bid_id != recommended && reason.is_empty() {
        return Err(field_error("deviation_reason", Msg::new("award.deviation_needs_reason")));
    }
    let a = award::ActiveModel {
        call_id: Set(call_id),
        bid_id: Set(bid_id),
        organization_id: Set(chosen.organization_id),
        amount_fen: Set(chosen.price_fen.fen()),
        recommended_bid_id: Set(recommended),
        deviation_reason: Set(if bid_id != recommended { Some(reason.clone()) } else { None }),
        decided_by: Set(u.id),
        decided_at: Set(now),
        challenge_until: Set(working_days_after(now, rules.challenge_working_days)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Only while still opened: a failure declared at the same moment wins, and this is refused.
    calls::move_status(&txn, &c, status, now, None, Msg::new("award.already")).await?;
    let contract_id = draft_contract(&txn, now, &c, &a).await?;
    crate::contracts::terms::seed(&txn, now, contract_id).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "call.awarded",
        "call",
        call_id,
        serde_json::json!({
            "bid": bid_id, "organization": a.organization_id, "amount_fen": a.amount_fen,
            "recommended": recommended, "deviation_reason": a.deviation_reason, "contract": contract_id,
            "ranking": r.bids.iter().map(|b| serde_json::json!([b.bid_id, b.total, b.rank])).collect::<Vec<_>>(),
        }),
    )
    .await?;
    tell_bidders(&txn, emails, origin, now, &c, &a, &r).await?;
    txn.commit().await?;
    Ok(a)
}

/// The contract in draft: provider, amount, term and the payment schedule from the call.
async fn draft_contract(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    c: &call::Model,
    a: &award::Model,
) -> AppResult<i32> {
    let k = contract::ActiveModel {
        call_id: Set(c.id),
        award_id: Set(a.id),
        organization_id: Set(a.organization_id),
        amount_fen: Set(a.amount_fen),
        term_months: Set(c.term_months),
        status: Set(ContractStatus::Draft),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let plan = calls::instalments(txn, c.id).await?;
    let amounts = split(a.amount_fen, &plan.iter().map(|p| p.percent).collect::<Vec<_>>());
    for (p, amount) in plan.iter().zip(amounts) {
        contract_instalment::ActiveModel {
            contract_id: Set(k.id),
            position: Set(p.position),
            percent: Set(p.percent),
            amount_fen: Set(amount),
            condition: Set(p.condition),
            description: Set(p.description.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(k.id)
}

/// Each bidder's submitter hears the result: the winner that it won, the others the winner,
/// the amount, their own rank and the challenge deadline.
async fn tell_bidders(
    txn: &DatabaseTransaction,
    emails: &EmailTemplates,
    origin: &str,
    now: DateTime<Utc>,
    c: &call::Model,
    a: &award::Model,
    r: &Report,
) -> AppResult<()> {
    let winner = r.bids.iter().find(|b| b.bid_id == a.bid_id).map(|b| b.organization.clone()).unwrap_or_default();
    for (b, to) in super::bids::submitters(txn, c.id).await? {
        let locale = Locale::from_tag(&to.locale).unwrap_or(Locale::ZhCn);
        let rank = r.bids.iter().find(|x| x.bid_id == b.id).and_then(|x| x.rank);
        // A bid out of the ranking is told why, not given an empty rank.
        let ruling = if rank.is_some() {
            None
        } else if let Some(x) = r.bids.iter().find(|x| x.bid_id == b.id && x.excluded) {
            Some(locale.msg(&Msg::new("award.reason_low_price").arg("note", x.ruling_note.clone().unwrap_or_default())))
        } else {
            r.invalid.iter().find(|x| x.bid_id == b.id).map(|x| match &x.ineligible_reason {
                Some(why) => locale.msg(&Msg::new("award.reason_ineligible").arg("reason", why)),
                None => locale.msg(&Msg::new("award.reason_digest")),
            })
        };
        outbox::enqueue(
            txn,
            emails,
            now,
            &to.email,
            locale,
            if b.id == a.bid_id { "award_won" } else { "award_lost" },
            serde_json::json!({
                "name": to.display_name, "call": c.title, "reference": c.reference, "winner": winner,
                "amount": crate::i18n::format_money(a.amount_fen),
                "rank": rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                "ruling": ruling,
                "challenge_until": crate::i18n::format_datetime(a.challenge_until),
                "url": format!("{origin}/calls/{}#award", c.id),
            }),
        )
        .await?;
    }
    Ok(())
}

/// Ends an opened call without an award: no bid stands, or the panel found none acceptable.
pub async fn fail(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    note: &str,
) -> AppResult<()> {
    let note = crate::fields::bounded("note", note, 2000)?;
    if note.is_empty() {
        return Err(field_error("note", Msg::new("award.fail_needs_reason")));
    }
    let txn = db.begin().await?;
    let c = calls::get(&txn, call_id).await?;
    if c.status != CallStatus::Opened {
        return Err(c.status.transition(CallStatus::Failed).err().map(AppError::from).unwrap_or(AppError::NotFound));
    }
    // Only while still opened: an award at the same moment wins, and this is refused.
    calls::move_status(&txn, &c, CallStatus::Failed, now, Some(note.clone()), Msg::new("error.concurrent_change"))
        .await?;
    audit::append(&txn, now, &Actor::user(u), "call.failed", "call", call_id, serde_json::json!({"note": note}))
        .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct ChallengeView {
    pub id: i32,
    pub organization: String,
    pub text: String,
    pub filed_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub mine: bool,
}

/// Challenges as `viewer` may read them: the bureau all, a bidder its own.
pub async fn challenges<C: ConnectionTrait>(
    db: &C,
    viewer: Option<&user::Model>,
    call_id: i32,
) -> AppResult<Vec<ChallengeView>> {
    let bureau = viewer.is_some_and(|u| u.role.is_bureau());
    let own_org = viewer.filter(|u| u.role == Role::NgoMember).and_then(|u| u.organization_id);
    if !bureau && own_org.is_none() {
        return Ok(vec![]);
    }
    let mut q = challenge::Entity::find().filter(challenge::Column::CallId.eq(call_id));
    if !bureau {
        q = q.filter(challenge::Column::OrganizationId.eq(own_org.unwrap_or(0)));
    }
    let rows = q.order_by_asc(challenge::Column::Id).all(db).await?;
    let orgs = organization::Entity::find()
        .filter(organization::Column::Id.is_in(rows.iter().map(|r| r.organization_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| ChallengeView {
            id: r.id,
            organization: orgs.iter().find(|o| o.id == r.organization_id).map(|o| o.name.clone()).unwrap_or_default(),
            mine: own_org == Some(r.organization_id),
            text: r.text,
            filed_at: r.filed_at,
            answer: r.answer,
            answered_at: r.answered_at,
        })
        .collect())
}

/// A bidder challenges the result within the window.
pub async fn file_challenge(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    text: &str,
) -> AppResult<challenge::Model> {
    let text = crate::fields::bounded("text", text, 5000)?;
    let org = u.organization_id.filter(|_| u.role == Role::NgoMember).ok_or(AppError::Forbidden)?;
    let txn = db.begin().await?;
    let a = get(&txn, call_id).await?.ok_or(AppError::Conflict(Msg::new("challenge.no_award")))?;
    let bidder = bid::Entity::find()
        .filter(bid::Column::CallId.eq(call_id))
        .filter(bid::Column::OrganizationId.eq(org))
        .filter(bid::Column::Status.eq(entity::enums::BidStatus::Submitted))
        .one(&txn)
        .await?;
    if bidder.is_none() {
        return Err(AppError::Conflict(Msg::new("challenge.bidders_only")));
    }
    if now >= a.challenge_until {
        return Err(AppError::Conflict(
            Msg::new("challenge.window_closed").arg("at", crate::i18n::format_datetime(a.challenge_until)),
        ));
    }
    if text.is_empty() {
        return Err(field_error("text", Msg::new("field.required")));
    }
    let ch = challenge::ActiveModel {
        call_id: Set(call_id),
        organization_id: Set(org),
        filed_by: Set(u.id),
        text: Set(text),
        filed_at: Set(now),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "challenge.filed",
        "call",
        call_id,
        serde_json::json!({"challenge": ch.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(ch)
}

/// The officer's written answer to a challenge; the challenger is emailed.
#[allow(clippy::too_many_arguments)]
pub async fn answer_challenge(
    db: &DatabaseConnection,
    emails: &EmailTemplates,
    origin: &str,
    u: &user::Model,
    now: DateTime<Utc>,
    call_id: i32,
    challenge_id: i32,
    text: &str,
) -> AppResult<()> {
    let text = crate::fields::bounded("text", text, 5000)?;
    if text.is_empty() {
        return Err(field_error("text", Msg::new("field.required")));
    }
    let txn = db.begin().await?;
    let ch = challenge::Entity::find_by_id(challenge_id)
        .filter(challenge::Column::CallId.eq(call_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if ch.answer.is_some() {
        return Err(AppError::Conflict(Msg::new("challenge.already_answered")));
    }
    let c = calls::get(&txn, call_id).await?;
    let filer = user::Entity::find_by_id(ch.filed_by).one(&txn).await?;
    let mut am: challenge::ActiveModel = ch.into();
    am.answer = Set(Some(text.clone()));
    am.answered_by = Set(Some(u.id));
    am.answered_at = Set(Some(now));
    am.update(&txn).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        "challenge.answered",
        "call",
        call_id,
        serde_json::json!({"challenge": challenge_id}),
    )
    .await?;
    if let Some(to) = filer {
        outbox::enqueue(
            &txn,
            emails,
            now,
            &to.email,
            Locale::from_tag(&to.locale).unwrap_or(Locale::ZhCn),
            "challenge_answered",
            serde_json::json!({"name": to.display_name, "call": c.title, "answer": text,
                "url": format!("{origin}/calls/{call_id}#challenges")}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// What the public sees of an award: the winner, amount, ranking totals and the panel list.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub award: award::Model,
    pub organization: String,
    pub recommended_organization: String,
    pub ranking: Vec<(usize, String, Money, i64)>,
    pub panel: Vec<panel::Member>,
    pub contract_id: Option<i32>,
}

pub async fn published(
    db: &DatabaseConnection,
    rules: &ProcurementRules,
    c: &call::Model,
) -> AppResult<Option<Published>> {
    let Some(a) = get(db, c.id).await? else { return Ok(None) };
    let r = panel_report::report(db, rules, c).await?;
    let name_of = |id: i32| r.bids.iter().find(|b| b.bid_id == id).map(|b| b.organization.clone()).unwrap_or_default();
    let k = contract::Entity::find().filter(contract::Column::CallId.eq(c.id)).one(db).await?;
    Ok(Some(Published {
        organization: name_of(a.bid_id),
        recommended_organization: name_of(a.recommended_bid_id),
        ranking: r
            .bids
            .iter()
            .filter_map(|b| b.rank.map(|rank| (rank, b.organization.clone(), b.price_fen, b.total)))
            .collect(),
        panel: r.members.into_iter().filter(|m| m.status == entity::enums::PanelMemberStatus::Seated).collect(),
        contract_id: k.map(|k| k.id),
        award: a,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instalments_add_up_to_the_amount() {
        assert_eq!(split(10_000_001, &[30, 40, 30]), vec![3_000_000, 4_000_000, 3_000_001]);
        assert_eq!(split(99, &[50, 50]), vec![49, 50]);
        assert_eq!(split(12_000_000, &[100]), vec![12_000_000]);
    }

    #[test]
    fn challenge_window_counts_working_days() {
        // Friday 2026-11-27 10:00 Shanghai + 7 working days → Tuesday 2026-12-08, open until midnight.
        let from = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap().with_timezone(&Utc);
        let until = working_days_after(from, 7);
        assert_eq!(crate::i18n::to_local(until).to_string(), "2026-12-09 00:00:00 CST");
    }
}
