//! Access, generated from the route table: every route the server mounts (so a new route is
//! covered without anyone adding it here), asked by every kind of person — a visitor, a
//! member of another organization, an expert, an evaluator and a hub manager who have
//! nothing to do with it, the bureau, and the owner — about the objects of one organization
//! (its sealed bid and file, its contract, milestones, evaluation, hub membership, account).
//! None answers 5xx; no page or JSON shows an outsider the organization's sealed bid, its
//! file or its member's address, nor the bureau the sealed bid before opening; and no
//! request by an outsider changes anything.
use crate::support::*;
use entity::enums::{CallStatus, Role};
use fuhua::domain::procurement::{bids, calls};
use rocket::http::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

const SEALED_PLAN: &str = "封存方案-ACCESS-7Q2";
const FILE_NAME: &str = "附件-ACCESS-9K4.pdf";
const FILE_BODY: &[u8] = b"%PDF-1.7 ACCESS-FILE-3M8";

/// The organization whose objects everyone asks about, and those objects by what a route's
/// segment names them.
struct Owner {
    email: String,
    password: String,
    values: BTreeMap<&'static str, Vec<String>>,
}

async fn first_id<E>(app: &TestApp, q: sea_orm::Select<E>) -> Option<i32>
where
    E: EntityTrait,
    E::Model: serde::Serialize,
{
    let row = q.one(app.db()).await.expect("q")?;
    serde_json::to_value(row).ok()?.get("id")?.as_i64().map(|v| v as i32)
}

async fn owner(app: &TestApp) -> Owner {
    let accounts = fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
    let (email, _, password) = accounts.iter().find(|a| a.0 == "provider@fuhua.local").expect("provider").clone();
    let users = entity::user::Entity::find().all(app.db()).await.expect("users");
    let member = users.iter().find(|u| u.email == email).expect("provider account").clone();
    let org = member.organization_id.expect("provider organization");

    // A sealed bid with a file, on the demo's call still taking bids.
    let open = entity::call::Entity::find()
        .filter(entity::call::Column::Status.eq(CallStatus::Published))
        .all(app.db())
        .await
        .expect("calls")
        .into_iter()
        .find(|c| c.bid_deadline.is_some_and(|d| d > app.clock.now()))
        .expect("a call taking bids");
    fuhua::domain::procurement::attachments::add(
        app.db(),
        (&app.state().sealer, &app.state().config.procurement),
        &member,
        app.clock.now(),
        open.id,
        FILE_NAME,
        FILE_BODY,
    )
    .await
    .expect("file");
    let mut input = crate::support::bids::bid("90000");
    input.service_plan = SEALED_PLAN.into();
    bids::submit(
        app.db(),
        ((&app.state().emails, ORIGIN), &app.state().sealer),
        &member,
        app.clock.now(),
        open.id,
        &input,
    )
    .await
    .expect("sealed bid");
    let file_ref = entity::bid_attachment::Entity::find()
        .filter(entity::bid_attachment::Column::OrganizationId.eq(org))
        .one(app.db())
        .await
        .expect("q")
        .expect("file")
        .public_ref;

    let contract = entity::contract::Entity::find()
        .filter(entity::contract::Column::OrganizationId.eq(org))
        .one(app.db())
        .await
        .expect("q")
        .expect("the provider's contract");
    let milestone = entity::milestone::Entity::find()
        .filter(entity::milestone::Column::ContractId.eq(contract.id))
        .order_by_asc(entity::milestone::Column::Id)
        .one(app.db())
        .await
        .expect("q")
        .expect("milestone");
    let evaluation = first_id(
        app,
        entity::evaluation::Entity::find().filter(entity::evaluation::Column::ContractId.eq(contract.id)),
    )
    .await;
    let document = first_id(
        app,
        entity::contract_document::Entity::find().filter(entity::contract_document::Column::ContractId.eq(contract.id)),
    )
    .await;
    let membership = entity::hub_membership::Entity::find().one(app.db()).await.expect("q").expect("membership");
    let application = first_id(
        app,
        entity::hub_application::Entity::find().filter(entity::hub_application::Column::HubId.eq(membership.hub_id)),
    )
    .await;
    let token = fuhua::domain::accounts::create_api_token(app.db(), &member, "t", app.clock.now()).await.expect("t");
    let token_id = entity::api_token::Entity::find()
        .filter(entity::api_token::Column::UserId.eq(member.id))
        .one(app.db())
        .await
        .expect("q")
        .expect("token")
        .id;
    drop(token);
    let text = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_else(|| "1".into());
    let mut values: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    values.insert("calls", vec![open.id.to_string(), contract.call_id.to_string()]);
    values.insert("organizations", vec![org.to_string()]);
    values.insert("contracts", vec![contract.id.to_string()]);
    values.insert("milestones", vec![milestone.id.to_string()]);
    values.insert("evaluations", vec![text(evaluation)]);
    values.insert("documents", vec![text(document)]);
    values.insert("hubs", vec![membership.hub_id.to_string()]);
    values.insert("members", vec![membership.id.to_string()]);
    values.insert("applications", vec![text(application)]);
    values.insert("attachments", vec![file_ref]);
    values.insert("tokens", vec![token_id.to_string()]);
    values.insert("users", vec![member.id.to_string()]);
    values.insert("rounds", vec![membership.round_id.to_string()]);
    values.insert("versions", vec!["1".into()]);
    values.insert("lang", vec!["en".into()]);
    values.insert("static", vec!["style.css".into()]);
    Owner { email, password, values }
}

/// The concrete paths for a route: each dynamic segment filled with the owner's object that
/// the segment before it names (several when there are several, e.g. a sealed and an
/// opened call); anything else gets "1".
fn paths(template: &str, o: &Owner) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut previous = "";
    for seg in template.trim_start_matches('/').split('/') {
        let choices: Vec<String> = if seg.starts_with('<') {
            let name = seg.trim_matches(|c| c == '<' || c == '>' || c == '.');
            let key = match (previous, name) {
                (_, "action") => "action",
                ("lang", _) => "lang",
                ("static", _) => "static",
                (p, _) => p,
            };
            match key {
                "action" => vec!["deactivate".into()],
                _ => o.values.get(key).cloned().unwrap_or_else(|| vec!["1".into()]),
            }
        } else {
            vec![seg.to_string()]
        };
        out = out.iter().flat_map(|p| choices.iter().map(move |c| format!("{p}/{c}"))).collect();
        previous = seg;
    }
    out
}

/// What everything that changes state leaves behind: outsiders must leave all of it as it was.
async fn traces(app: &TestApp) -> Vec<i64> {
    // A failed sign-in is recorded whoever tries it: that is the one entry anyone may add.
    let mut out = vec![app.count("audit_log WHERE action <> 'account.login_failed'").await];
    for t in ["sealed_events", "outbox", "bid_versions", "bid_attachments", "api_tokens", "claims"] {
        out.push(app.count(t).await);
    }
    out
}

#[rocket::async_test]
async fn every_route_for_every_role_keeps_another_organizations_objects() {
    let app = TestApp::new().await;
    let o = owner(&app).await;
    let bystander = app.org("三亚市旁观公益服务中心", &code(77), "吉阳区").await;
    let mut people: Vec<(&str, bool, Agent)> = vec![
        ("visitor", true, app.agent()),
        ("other organization", true, app.login_as("other@ngo.cn", Role::NgoMember, Some(bystander)).await),
        ("expert", true, app.login_as("stranger-expert@x.cn", Role::Expert, None).await),
        ("evaluator", true, app.login_as("stranger-evaluator@x.cn", Role::Evaluator, None).await),
        ("hub manager", true, app.login_as("stranger-manager@x.cn", Role::HubManager, None).await),
        ("officer", false, app.login_as("route-officer@bureau.cn", Role::Officer, None).await),
        ("admin", false, app.login_as("route-admin@bureau.cn", Role::Admin, None).await),
    ];
    let mut owner_agent = app.agent();
    owner_agent.login(&app, &o.email, &o.password).await;
    people.push(("owner", false, owner_agent));

    let routes: Vec<(Method, String)> =
        app.client.rocket().routes().map(|r| (r.method, r.uri.path().to_string())).collect();
    assert!(routes.len() > 150, "{} routes", routes.len());
    let mut asked = 0;
    let mut owner_saw_its_bid = false;
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for (who, outsider, agent) in people.iter_mut() {
        for (method, template) in &routes {
            // Signing out would end this person's session for the routes after it.
            if template == "/logout" || template == "/logout-everywhere" {
                continue;
            }
            // The database gate's answer (503 by design) while the database is away.
            if template.ends_with("/_unavailable") {
                continue;
            }
            for path in paths(template, &o) {
                let before = if *outsider { traces(&app).await } else { vec![] };
                let api = path.starts_with("/api/");
                let page = match (method, api) {
                    (Method::Get, _) => agent.get(&app, &path).await,
                    (_, true) => {
                        let mut a = agent.clone().with_header("Origin", ORIGIN);
                        a.send_json(&app, *method, &path, &serde_json::json!({})).await
                    }
                    (Method::Post, false) => agent.post(&app, &path, &[]).await,
                    (m, false) => {
                        let mut a = agent.clone();
                        a.send_json(&app, *m, &path, &serde_json::json!({})).await
                    }
                };
                asked += 1;
                if *method == Method::Get && page.status.code == 200 {
                    *found.entry(*who).or_insert(0) += 1;
                }
                assert!(page.status.code < 500, "{who}: {method} {path} answered {}", page.status);
                let shown = String::from_utf8_lossy(&page.bytes).to_string() + &page.body;
                if *who == "owner" {
                    owner_saw_its_bid |= shown.contains(SEALED_PLAN);
                    continue;
                }
                // Sealed from everyone but its organization, the bureau included.
                assert!(!shown.contains(SEALED_PLAN), "{who}: {method} {path} shows the sealed bid");
                assert!(!shown.contains("ACCESS-FILE-3M8"), "{who}: {method} {path} serves the sealed file");
                if *outsider {
                    assert!(!shown.contains(FILE_NAME), "{who}: {method} {path} names the sealed file");
                    assert!(!shown.contains(&o.email), "{who}: {method} {path} shows the member's address");
                    assert_eq!(traces(&app).await, before, "{who}: {method} {path} changed something");
                }
            }
        }
    }
    // The paths name real objects: the bureau reads most pages (so the refusals above are
    // refusals, not addresses that lead nowhere).
    let gets = routes.iter().filter(|r| r.0 == Method::Get).count();
    assert!(found.get("officer").copied().unwrap_or(0) * 4 >= gets * 3, "{found:?} of {gets}");
    assert!(owner_saw_its_bid, "the owner reads its own sealed bid somewhere: the check can fail");
    assert!(asked >= routes.len() * 8, "every route asked by every person ({asked})");
    // And after all that, the sealed bid is still sealed.
    let open: i32 = o.values["calls"][0].parse().expect("id");
    assert!(calls::sealed(&calls::get(app.db(), open).await.expect("call")));
}
