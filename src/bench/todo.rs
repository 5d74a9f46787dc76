//! Test data for the to-do page benchmark (bench/todo.sh): a bureau with 2,000
//! organizations, 600 calls (30 drafts, 60 published of which half past their deadline,
//! 10 opened, and the 500 awarded over the years whose contracts these are) and 500
//! contracts (25 drafts, 25 sent, 25 completed, the rest in force) with four milestones and three instalments each, payments, 100 evaluations
//! (half in scoring, with their evaluators), pending claims and unanswered challenges.
//! The member account of `bench-seed-bids` (bench-ngo-0) gets five of the contracts; the
//! officer, an evaluator and that member are the pages measured.
//!
//! Inserted directly and not audited: this is test data, not anyone's act.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::*;
use entity::{
    award, bid, call, challenge, claim, contract, contract_instalment, evaluation, evaluation_evaluator,
    indicator_template, milestone, organization, payment, user,
};
use fuhua::domain::secrets;
use fuhua::error::{AppError, AppResult};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

pub const CALLS: usize = 600;
pub const AWARDED: usize = 500;
pub const CONTRACTS: usize = 500;
pub const EVALUATOR_EMAIL: &str = "bench-evaluator@fuhua.local";

/// What every inserted row shares.
struct Cx {
    now: DateTime<Utc>,
    today: NaiveDate,
    officer: i32,
    orgs: Vec<i32>,
    /// The member's organization (bench-ngo-0).
    member_org: i32,
    stamp: i64,
}

/// Seeds the bureau's work on a database holding `bench-seed` organizations and the
/// accounts of `bench-seed-bids` (with --orgs 1).
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>, password: &str) -> AppResult<()> {
    let officer = user::Entity::find()
        .filter(user::Column::Email.eq(super::bids::OFFICER_EMAIL))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("run bench-seed-bids --orgs 1 first".into()))?;
    let member = user::Entity::find()
        .filter(user::Column::Email.eq(super::bids::ngo_email(0)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("run bench-seed-bids --orgs 1 first".into()))?;
    let orgs: Vec<i32> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .order_by_asc(organization::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let cx = Cx {
        now,
        today: fuhua::i18n::to_local(now).date_naive(),
        officer: officer.id,
        member_org: member.organization_id.unwrap_or_default(),
        orgs,
        stamp: now.timestamp_millis(),
    };
    let txn = db.begin().await?;
    let awarded = insert_calls(&txn, &cx).await?;
    let contracts = insert_contracts(&txn, &cx, &awarded).await?;
    insert_delivery(&txn, &cx, &contracts).await?;
    insert_evaluations(&txn, &cx, &contracts, password).await?;
    insert_claims_and_challenges(&txn, &cx, &awarded).await?;
    txn.commit().await?;
    Ok(())
}

fn call_row(cx: &Cx, n: usize, status: CallStatus) -> call::ActiveModel {
    let deadline = match status {
        CallStatus::Published if n.is_multiple_of(2) => cx.now + Duration::days(10 + n as i64 % 20),
        CallStatus::Draft => cx.now + Duration::days(30),
        _ => cx.now - Duration::days(1 + n as i64 % 200),
    };
    call::ActiveModel {
        reference: Set(Some(format!("SYCG-B{}-{n:03}", cx.stamp))),
        title: Set(format!("基准测试第{n}号社区养老服务项目")),
        category: Set(ServiceCategory::ALL[n % ServiceCategory::ALL.len()]),
        purchase_type: Set(PurchaseType::SpecificProject),
        method: Set(ProcurementMethod::CompetitiveConsultation),
        budget_ceiling_fen: Set(20_000_000),
        area_district_ids: Set("[]".into()),
        area_community_ids: Set("[]".into()),
        target_groups: Set("辖区内有需要的老人。".into()),
        outputs_expected: Set("上门服务 2000 人次。".into()),
        term_months: Set(12),
        multi_year: Set(false),
        min_years_registered: Set(0),
        min_grade: Set(0),
        require_annual_report: Set(false),
        hub_rule: Set(HubRule::None),
        org_types: Set(String::new()),
        question_deadline: Set(Some(deadline - Duration::days(5))),
        bid_deadline: Set(Some(deadline)),
        status: Set(status),
        published_at: Set((status != CallStatus::Draft).then_some(deadline - Duration::days(20))),
        opened_at: Set(matches!(status, CallStatus::Opened | CallStatus::Awarded).then_some(deadline)),
        created_by: Set(Some(cx.officer)),
        created_at: Set(deadline - Duration::days(25)),
        updated_at: Set(deadline - Duration::days(20)),
        ..Default::default()
    }
}

/// The calls in their states; returns the awarded ones as (call, award, organization).
async fn insert_calls(txn: &DatabaseTransaction, cx: &Cx) -> AppResult<Vec<(i32, i32, i32)>> {
    let mut awarded = Vec::with_capacity(AWARDED);
    for n in 0..CALLS {
        let status = match n {
            0..30 => CallStatus::Draft,
            30..90 => CallStatus::Published,
            90..100 => CallStatus::Opened,
            _ => CallStatus::Awarded,
        };
        let id = call::Entity::insert(call_row(cx, n, status)).exec(txn).await?.last_insert_id;
        if status == CallStatus::Awarded {
            let org = cx.orgs[(n * 7) % cx.orgs.len()];
            let b = bid::Entity::insert(bid::ActiveModel {
                public_ref: Set(secrets::random_ref()),
                call_id: Set(id),
                organization_id: Set(org),
                status: Set(BidStatus::Submitted),
                version_count: Set(1),
                opened_at: Set(Some(cx.now)),
                created_at: Set(cx.now),
                updated_at: Set(cx.now),
                ..Default::default()
            })
            .exec(txn)
            .await?
            .last_insert_id;
            let a = award::Entity::insert(award::ActiveModel {
                call_id: Set(id),
                bid_id: Set(b),
                organization_id: Set(org),
                amount_fen: Set(18_000_000),
                recommended_bid_id: Set(b),
                decided_by: Set(cx.officer),
                decided_at: Set(cx.now - Duration::days(30)),
                challenge_until: Set(cx.now - Duration::days(20)),
                ..Default::default()
            })
            .exec(txn)
            .await?
            .last_insert_id;
            awarded.push((id, a, org));
        }
    }
    Ok(awarded)
}

/// The contracts; returns (id, status).
async fn insert_contracts(
    txn: &DatabaseTransaction,
    cx: &Cx,
    awarded: &[(i32, i32, i32)],
) -> AppResult<Vec<(i32, ContractStatus)>> {
    let mut out = Vec::with_capacity(CONTRACTS);
    for c in 0..CONTRACTS {
        let status = match c % 20 {
            0 => ContractStatus::Draft,
            1 => ContractStatus::Sent,
            2 => ContractStatus::Completed,
            _ => ContractStatus::Active,
        };
        let (call_id, award_id, org) = awarded[c % awarded.len()];
        let org = if c % 100 == 3 || c == 1 { cx.member_org } else { org };
        let id = contract::Entity::insert(contract::ActiveModel {
            call_id: Set(call_id),
            award_id: Set(award_id),
            organization_id: Set(org),
            amount_fen: Set(18_000_000),
            term_months: Set(12),
            status: Set(status),
            number: Set((status != ContractStatus::Draft).then(|| format!("SYHT-B{}-{c:04}", cx.stamp))),
            purchaser_name: Set("三亚市民政局".into()),
            starts_on: Set(Some(cx.today - Duration::days(180))),
            ends_on: Set(Some(cx.today + Duration::days(185))),
            bond_percent: Set(5),
            created_at: Set(cx.now - Duration::days(200)),
            updated_at: Set(cx.now - Duration::days(200)),
            ..Default::default()
        })
        .exec(txn)
        .await?
        .last_insert_id;
        out.push((id, status));
    }
    Ok(out)
}

/// Four milestones and three instalments a contract; the first instalment paid where in force.
async fn insert_delivery(txn: &DatabaseTransaction, cx: &Cx, contracts: &[(i32, ContractStatus)]) -> AppResult<()> {
    for (c, &(id, status)) in contracts.iter().enumerate() {
        let live = matches!(status, ContractStatus::Active | ContractStatus::Completed);
        let mut ms = Vec::new();
        for i in 0..4usize {
            let due = cx.today - Duration::days(150) + Duration::days((i as i64) * 90 + (c as i64 % 30));
            let state = match (live, due < cx.today, (c + i) % 10) {
                (true, true, 0) => MilestoneStatus::Submitted,
                (true, true, 1) => MilestoneStatus::Returned,
                (true, true, 2) => MilestoneStatus::Scheduled,
                (true, true, _) => MilestoneStatus::Accepted,
                (true, false, 0) => MilestoneStatus::Submitted,
                _ => MilestoneStatus::Scheduled,
            };
            ms.push(milestone::ActiveModel {
                contract_id: Set(id),
                position: Set(i as i32 + 1),
                title: Set(format!("第{}季度服务", i + 1)),
                due_on: Set(due),
                deliverables: Set("季度服务报告".into()),
                status: Set(state),
                created_at: Set(cx.now),
                updated_at: Set(cx.now - Duration::days((c % 9) as i64)),
                ..Default::default()
            });
        }
        milestone::Entity::insert_many(ms).exec_without_returning(txn).await?;
        for (i, percent) in [30, 40, 30].into_iter().enumerate() {
            let state = match (live, i, c % 5) {
                (true, 0, _) => InstalmentStatus::Paid,
                (true, 1, 0) => InstalmentStatus::Payable,
                _ => InstalmentStatus::Pending,
            };
            let inst = contract_instalment::Entity::insert(contract_instalment::ActiveModel {
                contract_id: Set(id),
                position: Set(i as i32 + 1),
                percent: Set(percent),
                amount_fen: Set(180_000 * percent as i64),
                condition: Set(if i == 0 { PaymentCondition::Signing } else { PaymentCondition::MilestoneAccepted }),
                description: Set(String::new()),
                status: Set(state),
                payable_at: Set((state != InstalmentStatus::Pending).then_some(cx.now - Duration::days(20))),
                deduction_fen: Set(0),
                ..Default::default()
            })
            .exec(txn)
            .await?
            .last_insert_id;
            if state == InstalmentStatus::Paid {
                payment::Entity::insert(payment::ActiveModel {
                    contract_id: Set(id),
                    instalment_id: Set(inst),
                    amount_fen: Set(180_000 * percent as i64),
                    paid_on: Set(cx.today - Duration::days((c % 120) as i64)),
                    voucher_no: Set(format!("PZ-B{}-{c:04}", cx.stamp)),
                    recorded_by: Set(cx.officer),
                    recorded_at: Set(cx.now),
                    ..Default::default()
                })
                .exec_without_returning(txn)
                .await?;
            }
        }
    }
    Ok(())
}

async fn new_evaluator(txn: &DatabaseTransaction, cx: &Cx, hash: String) -> AppResult<i32> {
    Ok(user::Entity::insert(user::ActiveModel {
        email: Set(EVALUATOR_EMAIL.into()),
        password_hash: Set(hash),
        display_name: Set("基准测试 评价人".into()),
        role: Set(Role::Evaluator),
        email_verified_at: Set(Some(cx.now)),
        locale: Set("zh-CN".into()),
        disabled: Set(false),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id)
}

/// One midterm evaluation for every fifth contract in force: half scheduled, half in
/// scoring with the bench evaluator (and, for half of those, scores submitted).
async fn insert_evaluations(
    txn: &DatabaseTransaction,
    cx: &Cx,
    contracts: &[(i32, ContractStatus)],
    password: &str,
) -> AppResult<()> {
    let hash = secrets::hash_password(password).map_err(AppError::Internal)?;
    // Seeded again on top (a bureau twice the size), the evaluator is the same account.
    let existing = user::Entity::find().filter(user::Column::Email.eq(EVALUATOR_EMAIL)).one(txn).await?.map(|u| u.id);
    let evaluator = match existing {
        Some(id) => id,
        None => new_evaluator(txn, cx, hash).await?,
    };
    let template = indicator_template::Entity::insert(indicator_template::ActiveModel {
        name: Set("基准测试评价模板".into()),
        category: Set(ServiceCategory::Elderly),
        description: Set(String::new()),
        created_by: Set(cx.officer),
        created_at: Set(cx.now),
        updated_at: Set(cx.now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;
    let active = contracts.iter().filter(|(_, s)| *s == ContractStatus::Active).map(|(id, _)| *id);
    for (n, id) in active.step_by(4).take(100).enumerate() {
        let scoring = n % 2 == 1;
        let ev = evaluation::Entity::insert(evaluation::ActiveModel {
            contract_id: Set(id),
            kind: Set(EvaluationKind::Midterm),
            template_id: Set(template),
            template_name: Set("基准测试评价模板".into()),
            status: Set(if scoring { EvaluationStatus::Scoring } else { EvaluationStatus::Scheduled }),
            visit_on: Set(cx.today + Duration::days(n as i64 % 30 - 10)),
            self_due_on: Set(cx.today + Duration::days(n as i64 % 30 - 15)),
            method: Set("资料审阅".into()),
            self_submitted_at: Set(scoring.then_some(cx.now)),
            survey_method: Set(String::new()),
            findings: Set(String::new()),
            recommendations: Set(String::new()),
            version: Set(1),
            created_by: Set(cx.officer),
            created_at: Set(cx.now),
            updated_at: Set(cx.now),
            ..Default::default()
        })
        .exec(txn)
        .await?
        .last_insert_id;
        evaluation_evaluator::Entity::insert(evaluation_evaluator::ActiveModel {
            evaluation_id: Set(ev),
            user_id: Set(evaluator),
            affiliation: Set(Affiliation::ThirdParty),
            status: Set(if scoring { EvaluatorStatus::Cleared } else { EvaluatorStatus::Assigned }),
            conflict: Set(scoring.then_some(ConflictKind::None)),
            declared_at: Set(scoring.then_some(cx.now)),
            submitted_at: Set((scoring && n % 4 == 1).then_some(cx.now)),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Twenty claims waiting for the bureau (each by its own new account) and ten challenges.
async fn insert_claims_and_challenges(
    txn: &DatabaseTransaction,
    cx: &Cx,
    awarded: &[(i32, i32, i32)],
) -> AppResult<()> {
    for n in 0..20usize {
        let u = user::Entity::insert(user::ActiveModel {
            email: Set(format!("bench-claimant-{}-{n}@fuhua.local", cx.stamp)),
            password_hash: Set(String::new()),
            display_name: Set(format!("基准测试 认领人 {n}")),
            role: Set(Role::NgoMember),
            locale: Set("zh-CN".into()),
            disabled: Set(false),
            created_at: Set(cx.now),
            ..Default::default()
        })
        .exec(txn)
        .await?
        .last_insert_id;
        claim::Entity::insert(claim::ActiveModel {
            user_id: Set(u),
            organization_id: Set(cx.orgs[(n * 97) % cx.orgs.len()]),
            status: Set(ClaimStatus::Pending),
            note: Set("本人为机构负责人。".into()),
            created_at: Set(cx.now - Duration::days(n as i64)),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    for &(call_id, _, org) in awarded.iter().take(10) {
        challenge::Entity::insert(challenge::ActiveModel {
            call_id: Set(call_id),
            organization_id: Set(org),
            filed_by: Set(cx.officer),
            text: Set("对评审结果提出质疑。".into()),
            filed_at: Set(cx.now - Duration::days(3)),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}
