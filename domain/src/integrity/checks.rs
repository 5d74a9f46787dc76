//! The rules themselves, over the facts: plain functions, one a rule.
use super::facts::{CallFacts, ContractFacts, Facts};
use super::{IntegrityRules, RedFlag, Rule, Subject};
use crate::i18n::{Msg, format_date, to_local};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::ProcurementMethod;
use std::collections::{BTreeMap, HashMap};

/// Every flag the facts raise, newest first.
pub fn evaluate(f: &Facts, rules: &IntegrityRules, now: DateTime<Utc>) -> Vec<RedFlag> {
    let mut out = Vec::new();
    bids_at_opening(f, rules, &mut out);
    short_periods(f, rules, &mut out);
    late_moves(f, rules, &mut out);
    repeat_winners(f, rules, &mut out);
    deviations(f, &mut out);
    early_amendments(f, rules, &mut out);
    payments_ahead(f, &mut out);
    late_releases(f, rules, now, &mut out);
    out.sort_by(|a, b| b.on.cmp(&a.on).then(a.rule.cmp(&b.rule)).then(b.subject_id.cmp(&a.subject_id)));
    out
}

fn day(t: DateTime<Utc>) -> NaiveDate {
    to_local(t).date_naive()
}

fn on_call(rule: Rule, c: &CallFacts, on: NaiveDate, detail: Msg) -> RedFlag {
    RedFlag {
        rule,
        subject: Subject::Call,
        subject_id: c.id,
        reference: c.reference.clone(),
        title: c.title.clone(),
        on,
        detail,
        review: None,
    }
}

fn on_contract(rule: Rule, f: &Facts, k: &ContractFacts, on: NaiveDate, detail: Msg) -> RedFlag {
    RedFlag {
        rule,
        subject: Subject::Contract,
        subject_id: k.id,
        reference: k.number.clone(),
        title: f.calls.get(&k.call_id).map(|c| c.title.clone()).unwrap_or_default(),
        on,
        detail,
        review: None,
    }
}

/// At an opened call: a single valid bid; bids priced at the ceiling; bidders sharing a
/// telephone number or an email address (the last only when contacts were read).
fn bids_at_opening(f: &Facts, rules: &IntegrityRules, out: &mut Vec<RedFlag>) {
    let mut by_call: BTreeMap<i32, Vec<&super::facts::BidFacts>> = BTreeMap::new();
    for b in &f.bids {
        by_call.entry(b.call_id).or_default().push(b);
    }
    for (call_id, bids) in by_call {
        let Some(c) = f.calls.get(&call_id) else { continue };
        let Some(opened) = c.opened_at else { continue };
        let on = day(opened);
        if bids.iter().filter(|b| b.counts).count() == 1 {
            out.push(on_call(Rule::SingleBid, c, on, Msg::new("flag.single_bid.detail").arg("n", bids.len())));
        }
        let at_ceiling = bids
            .iter()
            .filter(|b| {
                c.ceiling_fen > 0
                    && i128::from(b.total_fen) * 100 >= i128::from(c.ceiling_fen) * i128::from(rules.ceiling_percent)
            })
            .count();
        if at_ceiling > 0 {
            let detail = Msg::new("flag.ceiling_price.detail")
                .arg("n", at_ceiling)
                .arg("of", bids.len())
                .arg("percent", rules.ceiling_percent);
            out.push(on_call(Rule::CeilingPrice, c, on, detail));
        }
        let sharing = shared_contacts(f, &bids);
        if sharing > 1 {
            out.push(on_call(Rule::SharedContacts, c, on, Msg::new("flag.shared_contacts.detail").arg("n", sharing)));
        }
    }
}

/// How many of the bidders share a telephone number or an email address with another.
fn shared_contacts(f: &Facts, bids: &[&super::facts::BidFacts]) -> usize {
    let norm_phone = |p: &str| p.chars().filter(char::is_ascii_digit).collect::<String>();
    let mut seen: HashMap<String, Vec<i32>> = HashMap::new();
    for b in bids {
        let Some((phone, email)) = f.contacts.get(&b.organization_id) else { continue };
        for key in [format!("p:{}", norm_phone(phone)), format!("e:{}", email.trim().to_lowercase())] {
            if key.len() > 6 {
                let orgs = seen.entry(key).or_default();
                if !orgs.contains(&b.organization_id) {
                    orgs.push(b.organization_id);
                }
            }
        }
    }
    let mut sharing: Vec<i32> = seen.into_values().filter(|o| o.len() > 1).flatten().collect();
    sharing.sort_unstable();
    sharing.dedup();
    sharing.len()
}

fn short_periods(f: &Facts, rules: &IntegrityRules, out: &mut Vec<RedFlag>) {
    for c in f.calls.values() {
        let (Some(published), Some(deadline)) = (c.published_at, c.bid_deadline) else { continue };
        let floor = match c.method {
            ProcurementMethod::OpenTender => rules.short_period_days_tender,
            _ => rules.short_period_days_consultation,
        };
        if deadline - published < Duration::days(floor) {
            let days = (deadline - published).num_hours() / 24;
            let detail = Msg::new("flag.short_period.detail").arg("days", days).arg("floor", floor);
            out.push(on_call(Rule::ShortPeriod, c, day(published), detail));
        }
    }
}

fn late_moves(f: &Facts, rules: &IntegrityRules, out: &mut Vec<RedFlag>) {
    for m in &f.deadline_moves {
        let Some(c) = f.calls.get(&m.call_id) else { continue };
        if m.made_at < m.old && m.old - m.made_at < Duration::days(rules.late_move_days) {
            let detail = Msg::new("flag.late_deadline_move.detail")
                .arg("old", crate::i18n::format_datetime(m.old))
                .arg("new", crate::i18n::format_datetime(m.new))
                .arg("hours", (m.old - m.made_at).num_hours());
            out.push(on_call(Rule::LateDeadlineMove, c, day(m.made_at), detail));
        }
    }
}

/// The same organization winning `repeat_wins` calls or more in one category, or in one
/// district, in one year: one flag a group, on its latest award.
fn repeat_winners(f: &Facts, rules: &IntegrityRules, out: &mut Vec<RedFlag>) {
    type Wins<'a> = Vec<(&'a CallFacts, DateTime<Utc>)>;
    let mut groups: BTreeMap<(i32, i32, String), Wins> = BTreeMap::new();
    for a in &f.awards {
        let Some(c) = f.calls.get(&a.call_id) else { continue };
        let year = to_local(a.decided_at).year();
        groups
            .entry((a.organization_id, year, format!("c:{}", c.category.code())))
            .or_default()
            .push((c, a.decided_at));
        for d in &c.districts {
            groups.entry((a.organization_id, year, format!("d:{d}"))).or_default().push((c, a.decided_at));
        }
    }
    for ((organization_id, year, group), mut wins) in groups {
        if wins.len() < rules.repeat_wins.max(2) {
            continue;
        }
        wins.sort_by_key(|w| w.1);
        let Some((latest, at)) = wins.last() else { continue };
        // The organization's and the district's names are put in by `super::flags`.
        let (key, what) = match group.split_once(':') {
            Some(("c", code)) => ("flag.repeat_winner.category", ("category", code.to_string())),
            _ => ("flag.repeat_winner.district", ("district", group[2..].to_string())),
        };
        let detail =
            Msg::new(key).arg("org", organization_id).arg("n", wins.len()).arg("year", year).arg(what.0, what.1);
        out.push(on_call(Rule::RepeatWinner, latest, day(*at), detail));
    }
}

fn deviations(f: &Facts, out: &mut Vec<RedFlag>) {
    for a in f.awards.iter().filter(|a| a.deviated) {
        let Some(c) = f.calls.get(&a.call_id) else { continue };
        out.push(on_call(Rule::AwardNotTopRanked, c, day(a.decided_at), Msg::new("flag.award_not_top_ranked.detail")));
    }
}

fn early_amendments(f: &Facts, rules: &IntegrityRules, out: &mut Vec<RedFlag>) {
    for (contract_id, seq, made_at) in &f.contract_amendments {
        let Some(k) = f.contracts.get(contract_id) else { continue };
        let Some(signed) = k.signed_at else { continue };
        if *made_at - signed < Duration::days(rules.amended_within_days) {
            let detail = Msg::new("flag.early_amendment.detail")
                .arg("seq", seq)
                .arg("days", (*made_at - signed).num_days().max(0))
                .arg("limit", rules.amended_within_days);
            out.push(on_contract(Rule::EarlyAmendment, f, k, day(*made_at), detail));
        }
    }
}

fn payments_ahead(f: &Facts, out: &mut Vec<RedFlag>) {
    for p in &f.payments {
        let Some(k) = f.contracts.get(&p.contract_id) else { continue };
        if p.payable_at.is_none_or(|at| p.recorded_at < at) {
            let detail = Msg::new("flag.payment_ahead.detail").arg("paid_on", format_date(p.paid_on));
            out.push(on_contract(Rule::PaymentAhead, f, k, p.paid_on, detail));
        }
    }
}

fn late_releases(f: &Facts, rules: &IntegrityRules, now: DateTime<Utc>, out: &mut Vec<RedFlag>) {
    let today = day(now);
    for e in &f.evaluations {
        let Some(k) = f.contracts.get(&e.contract_id) else { continue };
        let (until, released) = match e.released_at {
            Some(at) => (day(at), true),
            None => (today, false),
        };
        let days = (until - e.visit_on).num_days();
        if days > rules.release_within_days {
            let key = if released { "flag.late_release.detail" } else { "flag.late_release.pending" };
            let detail = Msg::new(key).arg("days", days).arg("limit", rules.release_within_days);
            out.push(on_contract(Rule::LateRelease, f, k, until, detail));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::{AwardFacts, BidFacts, DeadlineMove, EvaluationFacts, PaymentFacts};
    use super::*;
    use chrono::TimeZone;
    use entity::enums::{CallStatus, ServiceCategory};

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).single().unwrap_or_default()
    }

    fn call(id: i32, method: ProcurementMethod, published: DateTime<Utc>, deadline: DateTime<Utc>) -> CallFacts {
        CallFacts {
            id,
            reference: Some(format!("C-{id}")),
            title: format!("call {id}"),
            category: ServiceCategory::Elderly,
            method,
            ceiling_fen: 100_000,
            districts: vec![7],
            status: CallStatus::Awarded,
            published_at: Some(published),
            bid_deadline: Some(deadline),
            opened_at: Some(deadline),
        }
    }

    fn empty() -> Facts {
        Facts {
            calls: HashMap::new(),
            bids: vec![],
            awards: vec![],
            deadline_moves: vec![],
            contracts: HashMap::new(),
            contract_amendments: vec![],
            payments: vec![],
            evaluations: vec![],
            contacts: HashMap::new(),
        }
    }

    fn rules_hit(f: &Facts) -> Vec<(Rule, i32)> {
        evaluate(f, &IntegrityRules::default(), at(31, 0)).iter().map(|x| (x.rule, x.subject_id)).collect()
    }

    #[test]
    fn each_rule_fires_at_its_threshold_and_not_below() {
        use ProcurementMethod::*;
        let mut f = empty();
        // 14 days for a consultation (floor 15): short; 15 days: not.
        f.calls.insert(1, call(1, CompetitiveConsultation, at(1, 0), at(15, 0)));
        f.calls.insert(2, call(2, CompetitiveConsultation, at(1, 0), at(16, 0)));
        f.calls.insert(3, call(3, OpenTender, at(1, 0), at(26, 0)));
        let bid = |call_id, org, total, counts| BidFacts { call_id, organization_id: org, total_fen: total, counts };
        // Call 1: one valid bid of two, priced at 98% of the ceiling; call 2: two valid bids under it.
        f.bids = vec![
            bid(1, 10, 98_000, true),
            bid(1, 11, 50_000, false),
            bid(2, 10, 97_999, true),
            bid(2, 12, 90_000, true),
        ];
        f.contacts = HashMap::from([
            (10, ("0898-8888 1234".into(), "a@ngo.cn".into())),
            (11, ("089888881234".into(), "b@ngo.cn".into())),
            (12, ("13900000000".into(), "c@ngo.cn".into())),
        ]);
        let hit = rules_hit(&f);
        assert!(hit.contains(&(Rule::ShortPeriod, 1)) && !hit.contains(&(Rule::ShortPeriod, 2)), "{hit:?}");
        assert!(!hit.contains(&(Rule::ShortPeriod, 3)), "25 days is the tender floor");
        assert!(hit.contains(&(Rule::SingleBid, 1)) && !hit.contains(&(Rule::SingleBid, 2)));
        assert!(hit.contains(&(Rule::CeilingPrice, 1)) && !hit.contains(&(Rule::CeilingPrice, 2)));
        assert!(
            hit.contains(&(Rule::SharedContacts, 1)) && !hit.contains(&(Rule::SharedContacts, 2)),
            "same phone, written two ways"
        );
    }

    #[test]
    fn awards_contracts_payments_and_evaluations() {
        use ProcurementMethod::*;
        let mut f = empty();
        for id in 1..=3 {
            f.calls.insert(id, call(id, CompetitiveConsultation, at(1, 0), at(25, 0)));
        }
        let award =
            |call_id, org, deviated, d| AwardFacts { call_id, organization_id: org, deviated, decided_at: at(d, 0) };
        f.awards = vec![award(1, 10, false, 26), award(2, 10, true, 27), award(3, 10, false, 28)];
        // A deadline moved 2 days before it fell (floor 3), and one moved 5 days before.
        let moved = |call_id, made| DeadlineMove { call_id, old: at(25, 0), new: at(28, 0), made_at: at(made, 0) };
        f.deadline_moves = vec![moved(1, 23), moved(2, 20)];
        let signed = Some(at(2, 0));
        f.contracts.insert(9, ContractFacts { id: 9, number: Some("K-9".into()), call_id: 1, signed_at: signed });
        f.contract_amendments = vec![(9, 1, at(20, 0))];
        f.payments = vec![
            PaymentFacts {
                contract_id: 9,
                recorded_at: at(3, 0),
                paid_on: at(3, 0).date_naive(),
                payable_at: Some(at(4, 0)),
            },
            PaymentFacts {
                contract_id: 9,
                recorded_at: at(5, 0),
                paid_on: at(5, 0).date_naive(),
                payable_at: Some(at(4, 0)),
            },
        ];
        f.evaluations = vec![EvaluationFacts { contract_id: 9, visit_on: at(1, 0).date_naive(), released_at: None }];
        let flags = evaluate(&f, &IntegrityRules::default(), at(31, 12) + Duration::days(1));
        let hit: Vec<(Rule, i32)> = flags.iter().map(|x| (x.rule, x.subject_id)).collect();
        assert!(hit.contains(&(Rule::LateDeadlineMove, 1)) && !hit.contains(&(Rule::LateDeadlineMove, 2)), "{hit:?}");
        assert_eq!(
            hit.iter().filter(|h| h.0 == Rule::RepeatWinner).count(),
            2,
            "three wins in one category and one district"
        );
        assert!(hit.contains(&(Rule::RepeatWinner, 3)), "flagged on the latest win");
        assert_eq!(
            hit.iter().filter(|h| h.0 == Rule::AwardNotTopRanked).collect::<Vec<_>>(),
            [&(Rule::AwardNotTopRanked, 2)]
        );
        assert!(hit.contains(&(Rule::EarlyAmendment, 9)));
        assert_eq!(
            hit.iter().filter(|h| h.0 == Rule::PaymentAhead).count(),
            1,
            "only the payment recorded before it was payable"
        );
        assert!(hit.contains(&(Rule::LateRelease, 9)), "31 days after the visit and not released");
        let strict = IntegrityRules {
            repeat_wins: 4,
            amended_within_days: 10,
            release_within_days: 60,
            ..IntegrityRules::default()
        };
        let relaxed: Vec<Rule> = evaluate(&f, &strict, at(31, 12)).iter().map(|x| x.rule).collect();
        assert!(
            !relaxed.contains(&Rule::RepeatWinner)
                && !relaxed.contains(&Rule::EarlyAmendment)
                && !relaxed.contains(&Rule::LateRelease)
        );
        // Newest first.
        assert!(flags.windows(2).all(|w| w[0].on >= w[1].on));
    }
}
