//! A large synthetic hub for the benchmark: years of rounds, applications, members and a
//! year of services, inserted in batches (not audited: this is test data, not anyone's
//! act). Needs organizations to exist (`bench-seed` first).
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use entity::enums::{
    ApplicationStatus, HubServiceKind, HubType, IncubationMode, MembershipStage, Role, RoundStatus, SpaceUnit,
};
use entity::{hub, hub_application, hub_membership, hub_round, hub_seat, hub_service, organization, user};
use fuhua::error::{AppError, AppResult};
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryOrder, QuerySelect, TransactionTrait,
};

pub const ROUNDS: usize = 30;
pub const APPLICATIONS_PER_ROUND: usize = 100;
pub const ADMITTED_PER_ROUND: usize = 40;
/// Rounds whose members are still in incubation (the most recent ones).
pub const CURRENT_ROUNDS: usize = 5;

/// Adds one hub with `ROUNDS` cohorts and `services` services over the last year. Returns the hub's id.
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>, services: usize) -> AppResult<i32> {
    let today = fuhua::i18n::to_local(now).date_naive();
    let orgs = applicant_organizations(db).await?;
    let applicant = applicant_account(db, now).await?;
    let txn = db.begin().await?;
    let h = insert_hub(&txn, now).await?;
    let cx = Rounds { txn: &txn, hub: h, today, now, applicant, orgs: &orgs };
    let mut member_ids = Vec::new();
    for r in 0..ROUNDS {
        insert_round(&cx, r, &mut member_ids).await?;
    }
    insert_seats(&txn, h, &member_ids).await?;
    txn.commit().await?;
    insert_services(db, h, today, now, services, &member_ids).await?;
    Ok(h)
}

/// The organizations that apply, in id order; refuses a registry too small for every round.
async fn applicant_organizations(db: &DatabaseConnection) -> AppResult<Vec<i32>> {
    let orgs: Vec<i32> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .order_by_asc(organization::Column::Id)
        .limit((ROUNDS * APPLICATIONS_PER_ROUND) as u64)
        .into_tuple()
        .all(db)
        .await?;
    if orgs.len() < ROUNDS * APPLICATIONS_PER_ROUND {
        return Err(AppError::Internal(format!(
            "bench-seed-hubs needs {} organizations; run bench-seed first",
            ROUNDS * APPLICATIONS_PER_ROUND
        )));
    }
    Ok(orgs)
}

/// The account every application is made from: the first user, or a new member account.
async fn applicant_account(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<i32> {
    let applicant = user::Entity::find().order_by_asc(user::Column::Id).one(db).await?.map(|u| u.id);
    Ok(match applicant {
        Some(id) => id,
        None => {
            let txn = db.begin().await?;
            let (u, _) = fuhua::domain::accounts::create_account(
                &txn,
                &fuhua::domain::audit::Actor::system("bench"),
                now,
                "bench-member@fuhua.local",
                "bench",
                Role::NgoMember,
                None,
                None,
            )
            .await?;
            txn.commit().await?;
            u.id
        }
    })
}

/// Inserts the hub, full to its capacity of the current cohorts; returns its id.
async fn insert_hub(txn: &DatabaseTransaction, now: DateTime<Utc>) -> AppResult<i32> {
    let capacity = (CURRENT_ROUNDS * ADMITTED_PER_ROUND) as i32;
    Ok(hub::Entity::insert(hub::ActiveModel {
        name: Set(format!("基准测试孵化基地 {}", now.timestamp())),
        hub_type: Set(HubType::ServiceCentre),
        district_id: Set(1),
        community_id: Set(None),
        address: Set("三亚市".into()),
        capacity: Set(capacity),
        mode: Set(IncubationMode::Physical),
        space_unit: Set(SpaceUnit::Desk),
        default_term_months: Set(24),
        description: Set(String::new()),
        occupied: Set(capacity),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id)
}

/// What every round of the hub shares.
struct Rounds<'a> {
    txn: &'a DatabaseTransaction,
    hub: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
    /// The account every application is made from.
    applicant: i32,
    /// The applying organizations, `APPLICATIONS_PER_ROUND` for each round in turn.
    orgs: &'a [i32],
}

/// Inserts the `r`-th round (oldest first) with its applications and memberships; adds the
/// memberships of a current round to `member_ids`.
async fn insert_round(cx: &Rounds<'_>, r: usize, member_ids: &mut Vec<i32>) -> AppResult<()> {
    // Oldest first; a round every two months.
    let opens = cx.today - Duration::days(60 * (ROUNDS - r) as i64);
    let current = r >= ROUNDS - CURRENT_ROUNDS;
    let round = hub_round::Entity::insert(hub_round::ActiveModel {
        hub_id: Set(cx.hub),
        name: Set(format!("第 {} 批", r + 1)),
        opens_on: Set(opens),
        closes_on: Set(opens + Duration::days(20)),
        starts_on: Set(opens + Duration::days(30)),
        places: Set(ADMITTED_PER_ROUND as i32),
        accepted: Set(ADMITTED_PER_ROUND as i32),
        questions: Set("[\"使命\"]".into()),
        status: Set(RoundStatus::Closed),
        created_by: Set(None),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec(cx.txn)
    .await?
    .last_insert_id;
    for a in 0..APPLICATIONS_PER_ROUND {
        let org = cx.orgs[r * APPLICATIONS_PER_ROUND + a];
        let admitted = a < ADMITTED_PER_ROUND;
        let app = insert_application(cx, round, org, admitted).await?;
        if !admitted {
            continue;
        }
        let m = insert_membership(cx, round, opens, current, a, org, app).await?;
        if current {
            member_ids.push(m);
        }
    }
    Ok(())
}

/// Inserts an organization's decided application to a round; returns its id.
async fn insert_application(cx: &Rounds<'_>, round: i32, org: i32, admitted: bool) -> AppResult<i32> {
    Ok(hub_application::Entity::insert(hub_application::ActiveModel {
        round_id: Set(round),
        hub_id: Set(cx.hub),
        organization_id: Set(Some(org)),
        applicant_user_id: Set(cx.applicant),
        team_name: Set(None),
        core_members: Set(String::new()),
        plan: Set("发展计划".into()),
        answers: Set("[\"服务社区\"]".into()),
        status: Set(if admitted { ApplicationStatus::Accepted } else { ApplicationStatus::Rejected }),
        open_key: Set(admitted.then(|| format!("org:{org}"))),
        decision_note: Set(String::new()),
        decided_by: Set(None),
        decided_at: Set(Some(cx.now)),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec(cx.txn)
    .await?
    .last_insert_id)
}

/// Inserts the membership of an admitted application (the `a`-th of its round): incubating
/// in a current round, otherwise ended; returns its id.
async fn insert_membership(
    cx: &Rounds<'_>,
    round: i32,
    opens: NaiveDate,
    current: bool,
    a: usize,
    org: i32,
    app: i32,
) -> AppResult<i32> {
    let started = opens + Duration::days(30);
    let stage = match (current, a % 4) {
        (true, _) => MembershipStage::Incubating,
        (false, 0) => MembershipStage::Exited,
        (false, _) => MembershipStage::Graduated,
    };
    let end = started.checked_add_months(Months::new(24)).unwrap_or(started);
    Ok(hub_membership::Entity::insert(hub_membership::ActiveModel {
        hub_id: Set(cx.hub),
        round_id: Set(round),
        application_id: Set(app),
        organization_id: Set(Some(org)),
        team_name: Set(None),
        member_user_id: Set(cx.applicant),
        stage: Set(stage),
        agreement_no: Set(format!("B{}-R{round}-A{app}", cx.hub)),
        started_on: Set(started),
        planned_end_on: Set(end),
        ended_on: Set((!current).then_some(end)),
        reminder_sent_for: Set(None),
        created_at: Set(cx.now),
        ..Default::default()
    })
    .exec(cx.txn)
    .await?
    .last_insert_id)
}

/// Inserts one seat for each current member, numbered from 001.
async fn insert_seats(txn: &DatabaseTransaction, h: i32, member_ids: &[i32]) -> AppResult<()> {
    for (n, m) in member_ids.iter().enumerate() {
        hub_seat::Entity::insert(hub_seat::ActiveModel {
            hub_id: Set(h),
            label: Set(format!("{:03}", n + 1)),
            held_by: Set(Some(*m)),
            ..Default::default()
        })
        .exec(txn)
        .await?;
    }
    Ok(())
}

/// Inserts `services` services to the current members over the last year, a thousand at a time.
async fn insert_services(
    db: &DatabaseConnection,
    h: i32,
    today: NaiveDate,
    now: DateTime<Utc>,
    services: usize,
    member_ids: &[i32],
) -> AppResult<()> {
    let kinds = HubServiceKind::ALL;
    let mut i = 0;
    while i < services {
        let end = (i + 1000).min(services);
        let batch: Vec<hub_service::ActiveModel> = (i..end)
            .map(|n| {
                let day: NaiveDate = today - Duration::days((n % 365) as i64);
                hub_service::ActiveModel {
                    hub_id: Set(h),
                    membership_id: Set(member_ids[n % member_ids.len()]),
                    kind: Set(kinds[n % kinds.len()]),
                    delivered_on: Set(day),
                    title: Set("培训".into()),
                    minutes: Set(90),
                    attendees: Set(Some(5)),
                    note: Set(String::new()),
                    recorded_by: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                }
            })
            .collect();
        hub_service::Entity::insert_many(batch).exec(db).await?;
        i = end;
    }
    Ok(())
}
