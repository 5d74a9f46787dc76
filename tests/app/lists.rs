//! The working lists: calls, contracts, evaluations and accounts narrowed by status, year,
//! district, category and search; each list as an Excel workbook with typed cells and only
//! the rows its reader may see; the import template with its drop-down lists; the registry
//! reaching past its first thousand matches; the self-evaluation's draft and confirmation;
//! and a declaration that starts unanswered.
use crate::support::contracts::{active, awarded, pay};
use crate::support::evaluations::{indicator_ids, scheduled};
use crate::support::panel::{after, opened_call, seated_members};
use crate::support::*;
use calamine::{Data, Reader};
use entity::enums::{EvaluationKind, Role};
use fuhua::domain::contracts::payments;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

type Sheets = Vec<(String, Vec<Vec<Data>>)>;

fn sheets(bytes: &[u8]) -> Sheets {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let rows = wb.worksheet_range(&n).expect("sheet").rows().map(|r| r.to_vec()).collect();
            (n, rows)
        })
        .collect()
}

/// The cell of `row` (1 = first data row) under the header `name`.
fn cell<'a>(rows: &'a [Vec<Data>], row: usize, name: &str) -> &'a Data {
    let at = rows[0]
        .iter()
        .position(|h| matches!(h, Data::String(s) if s == name))
        .unwrap_or_else(|| panic!("{name} in {:?}", rows[0]));
    &rows[row][at]
}

fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).expect("sheet"), &mut xml)
        .expect("read");
    xml
}

#[rocket::async_test]
async fn contracts_export_typed_with_payments_and_reversals_and_only_the_readers_rows() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let s = app.state();
    let inst = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(w.contract))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .all(app.db())
        .await
        .expect("q");
    let when = chrono::DateTime::parse_from_rfc3339("2027-02-01T02:00:00Z").expect("t").with_timezone(&chrono::Utc);
    let p = payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "20000", "PZ-1"))
        .await
        .expect("pay");
    payments::reverse(app.db(), &s.emails, "o", &w.officer, when, w.contract, p.id, "凭证号录错")
        .await
        .expect("reverse");

    let mut officer = app.relogin(&w.officer.email).await;
    let x = officer.get(&app, "/contracts/export.xlsx").await;
    assert_eq!(x.status, Status::Ok);
    assert!(x.header("Content-Type").unwrap_or_default().contains("spreadsheetml"));
    let book = sheets(&x.bytes);
    assert_eq!(book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["合同", "付款"]);
    let k = &book[0].1;
    assert_eq!(k.len(), 2, "one contract");
    assert_eq!(cell(k, 1, "合同金额（元）"), &Data::Float(120000.0), "money is a number");
    assert_eq!(cell(k, 1, "已支付（元）"), &Data::Float(0.0), "a reversed payment is not paid");
    assert!(matches!(cell(k, 1, "开始日期"), Data::DateTime(_)), "a date: {:?}", cell(k, 1, "开始日期"));
    assert_eq!(cell(k, 1, "状态"), &Data::String("履行中".into()));
    let pays = &book[1].1;
    assert_eq!(pays.len(), 3, "the payment and its reversal");
    assert_eq!(cell(pays, 1, "金额（元）"), &Data::Float(20000.0));
    assert_eq!(cell(pays, 2, "金额（元）"), &Data::Float(-20000.0));
    assert_eq!(cell(pays, 2, "冲正原因"), &Data::String("凭证号录错".into()));
    assert!(matches!(cell(pays, 1, "支付日期"), Data::DateTime(_)));
    let xml = sheet_xml(&x.bytes, 1);
    assert!(xml.contains("state=\"frozen\"") && xml.contains("<autoFilter"), "header frozen, filters on");

    // Filters narrow the export as they narrow the page.
    let none = officer.get(&app, "/contracts/export.xlsx?status=completed").await;
    assert_eq!(sheets(&none.bytes)[0].1.len(), 1, "only the header");
    let page = officer.get(&app, "/contracts?status=completed").await;
    assert!(page.body.contains("没有符合条件的记录"), "{}", page.body);
    let page = officer.get(&app, "/contracts?q=%E4%B8%8D%E5%AD%98%E5%9C%A8&year=abc&district=x").await;
    assert_eq!(page.status, Status::Ok, "nonsense narrows nothing but the search");
    let page = officer.get(&app, "/contracts?status=active").await;
    assert!(page.body.contains(&format!("/contracts/{}", w.contract)));

    // The losing bidder's member sees none of it; the provider sees its own.
    let mut other = app.relogin(&w.other.email).await;
    let theirs = other.get(&app, "/contracts/export.xlsx").await;
    assert_eq!(theirs.status, Status::Ok);
    let book = sheets(&theirs.bytes);
    assert_eq!(book[0].1.len(), 1, "no one else's contract");
    assert_eq!(book[1].1.len(), 1, "no one else's payment");
    let mut provider = app.relogin(&w.provider.email).await;
    assert_eq!(sheets(&provider.get(&app, "/contracts/export.xlsx").await.bytes)[0].1.len(), 2);
    assert_ne!(app.agent().get(&app, "/contracts/export.xlsx").await.status, Status::Ok, "an account's list");
}

#[rocket::async_test]
async fn calls_and_evaluations_filter_and_export_with_types() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let (_ev, _people) = scheduled(&app, &w, EvaluationKind::Final, 1).await;
    let mut officer = app.relogin(&w.officer.email).await;

    let calls = app.agent().get(&app, "/calls/export.xlsx").await;
    assert_eq!(calls.status, Status::Ok, "the calls list is public, and so is its export");
    let book = sheets(&calls.bytes);
    assert_eq!(book[0].0, "采购项目");
    let rows = &book[0].1;
    assert!(rows.len() >= 2);
    assert!(matches!(cell(rows, 1, "预算上限（元）"), Data::Float(_)), "{:?}", cell(rows, 1, "预算上限（元）"));
    assert!(matches!(cell(rows, 1, "响应截止时间"), Data::DateTime(_)));
    assert!(matches!(cell(rows, 1, "服务期（月）"), Data::Float(_)));
    let awarded_only = app.agent().get(&app, "/calls?status=awarded").await;
    assert!(awarded_only.body.contains("已成交"));
    let cancelled = app.agent().get(&app, "/calls/export.xlsx?status=cancelled").await;
    assert_eq!(sheets(&cancelled.bytes)[0].1.len(), 1);
    let english = app.agent().with_header("Accept-Language", "en").get(&app, "/calls/export.xlsx").await;
    assert_eq!(english.status, Status::Ok);
    let book = sheets(&english.bytes);
    assert_eq!(book[0].0, "Calls");
    assert_eq!(book[0].1[0][0], Data::String("Reference".into()));

    let page = officer.get(&app, "/evaluations?status=scheduled").await;
    assert!(page.body.contains("末期评估") || page.body.contains("/evaluations/"), "{}", page.body);
    let e = officer.get(&app, "/evaluations/export.xlsx").await;
    let book = sheets(&e.bytes);
    assert_eq!(book[0].0, "绩效评估");
    assert_eq!(book[0].1.len(), 2);
    assert!(matches!(cell(&book[0].1, 1, "现场评估日期"), Data::DateTime(_)));
    assert_eq!(cell(&book[0].1, 1, "等级"), &Data::Empty, "no grade before the release");
    let none = officer.get(&app, "/evaluations/export.xlsx?status=released").await;
    assert_eq!(sheets(&none.bytes)[0].1.len(), 1);
    let mut other = app.relogin(&w.other.email).await;
    assert_eq!(sheets(&other.get(&app, "/evaluations/export.xlsx").await.bytes)[0].1.len(), 1, "not theirs");
}

#[rocket::async_test]
async fn the_import_template_offers_the_allowed_values_and_explains_each_column() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let t = officer.get(&app, "/organizations/import/template.xlsx").await;
    assert_eq!(t.status, Status::Ok);
    let book = sheets(&t.bytes);
    assert_eq!(book.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["导入", "说明", "取值"]);
    assert_eq!(book[0].1.len(), 1, "an empty sheet to fill in: headers only");
    assert_eq!(book[0].1[0][0], Data::String("名称".into()));
    let help = &book[1].1;
    assert!(help.iter().any(|r| r[0] == Data::String("所属区".into()) && r[1] == Data::String("是".into())));
    let values = &book[2].1;
    assert!(values.iter().any(|r| r[1] == Data::String("吉阳区".into())), "the districts are listed");
    let xml = sheet_xml(&t.bytes, 1);
    assert!(xml.contains("<dataValidation type=\"list\""), "drop-down lists");
    assert!(xml.contains("'取值'!$B$2"), "the district list comes from the values sheet");
    // The template, filled in, imports as it is.
    let page = officer.get(&app, "/organizations/import").await;
    assert!(page.body.contains("/organizations/import/template.xlsx"));
    assert_ne!(app.agent().get(&app, "/organizations/import/template.xlsx").await.status, Status::Ok);

    // The export adds status and grade after the columns an import reads.
    app.org("三亚市状态测试中心", &code(7), "吉阳区").await;
    let x = officer.get(&app, "/organizations/export.xlsx").await;
    let rows = &sheets(&x.bytes)[0].1;
    assert_eq!(cell(rows, 1, "状态"), &Data::String("正常".into()));
    assert_eq!(cell(rows, 1, "评估等级"), &Data::Empty);
}

#[rocket::async_test]
async fn a_search_with_more_than_a_thousand_matches_reaches_every_one() {
    use sea_orm::ActiveValue::Set;
    let app = TestApp::new().await;
    let district = app.district_id("吉阳区").await;
    let rows: Vec<entity::organization::ActiveModel> = (0..1030)
        .map(|i| entity::organization::ActiveModel {
            name: Set(format!("Fuhua Paging Org {i:04}")),
            name_initials: Set(String::new()),
            org_type: Set(entity::enums::OrgType::SocialGroup),
            status: Set(entity::enums::OrgStatus::Active),
            registration_date: Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("d")),
            registration_authority: Set("三亚市民政局".into()),
            legal_representative: Set("张三".into()),
            address: Set("三亚市吉阳区".into()),
            business_scope: Set("社区服务".into()),
            registered_funds_fen: Set(3_000_000),
            contact_name: Set(String::new()),
            contact_phone: Set(String::new()),
            contact_email: Set(String::new()),
            district_id: Set(district),
            created_at: Set(t0()),
            updated_at: Set(t0()),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(200) {
        entity::organization::Entity::insert_many(chunk.to_vec()).exec(app.db()).await.expect("insert");
    }
    let mut a = app.agent();
    let first = a.get(&app, "/organizations?q=Paging&sort=name").await;
    assert!(first.body.contains("超过 1000 条"), "{}", &first.body[..first.body.len().min(3000)]);
    assert!(first.body.contains("name=\"page\""), "a page jump");
    // The last page: page 52 of 1,030 (20 a page) shows the last ten.
    let last = a.get(&app, "/organizations?q=Paging&sort=name&page=52").await;
    assert!(last.body.contains("Fuhua Paging Org 1029"), "the last match is reached");
    assert!(last.body.contains("共 1030 条"), "counted in full once the pages reach it");
    assert!(!last.body.contains("rel=\"next\""));
}

#[rocket::async_test]
async fn a_self_evaluation_is_saved_as_a_draft_seen_only_by_its_organization_and_submitted_after_confirmation() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let (ev, _people) = scheduled(&app, &w, EvaluationKind::Final, 1).await;
    let ids = indicator_ids(&app, ev).await;
    let mut provider = app.relogin(&w.provider.email).await;
    let path = format!("/evaluations/{ev}/self");
    let mut form: Vec<(String, String)> =
        vec![("action".into(), "draft".into()), ("summary".into(), "草稿：上半年探访 90 人次".into())];
    form.push((format!("scores[{}].indicator_id", ids[0]), ids[0].to_string()));
    form.push((format!("scores[{}].score", ids[0]), "30".into()));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = provider.post(&app, &path, &refs).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = provider.get(&app, &format!("/evaluations/{ev}")).await;
    assert!(page.body.contains("草稿：上半年探访 90 人次") && page.body.contains("已保存的草稿"), "{}", page.body);
    let row = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("ev");
    assert_eq!(row.status, entity::enums::EvaluationStatus::Scheduled, "a draft submits nothing");
    assert!(row.self_submitted_at.is_none());
    let mut officer = app.relogin(&w.officer.email).await;
    let seen = officer.get(&app, &format!("/evaluations/{ev}")).await;
    assert!(!seen.body.contains("草稿：上半年探访"), "the bureau does not see a draft");
    let api = officer.get(&app, &format!("/api/v1/evaluations/{ev}")).await;
    assert!(!api.body.contains("草稿：上半年探访") && !api.body.contains("self_draft"));

    // Submitting an incomplete sheet: refused with every problem, the draft kept.
    let submit: Vec<(&str, &str)> =
        refs.iter().map(|(k, v)| if *k == "action" { (*k, "submit") } else { (*k, *v) }).collect();
    let r = provider.post(&app, &path, &submit).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    // Complete: the first post asks for confirmation and changes nothing.
    let mut full: Vec<(String, String)> =
        vec![("action".into(), "submit".into()), ("summary".into(), "全年探访 180 人次".into())];
    for (i, s) in ids.iter().zip(["38", "18", "27", "9"]) {
        full.push((format!("scores[{i}].indicator_id"), i.to_string()));
        full.push((format!("scores[{i}].score"), s.into()));
    }
    for o in entity::evaluation_output::Entity::find()
        .filter(entity::evaluation_output::Column::EvaluationId.eq(ev))
        .all(app.db())
        .await
        .expect("q")
    {
        full.push((format!("achieved[{}].output_id", o.output_id), o.output_id.to_string()));
        full.push((format!("achieved[{}].achieved", o.output_id), "180".into()));
    }
    let refs: Vec<(&str, &str)> = full.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let ask = provider.post(&app, &path, &refs).await;
    assert_eq!(ask.status, Status::Ok);
    assert!(ask.body.contains("确认提交自评") && ask.body.contains("name=\"confirmed\""));
    let row = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("ev");
    assert_eq!(row.status, entity::enums::EvaluationStatus::Scheduled);
    // The confirmation posts nothing but itself: what was saved is submitted.
    let r = provider.post(&app, &path, &[("action", "submit"), ("confirmed", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let row = entity::evaluation::Entity::find_by_id(ev).one(app.db()).await.expect("q").expect("ev");
    assert_eq!(row.status, entity::enums::EvaluationStatus::Scoring);
    assert_eq!(row.self_summary.as_deref(), Some("全年探访 180 人次"));
    assert!(row.self_draft.is_none(), "submitting clears the draft");
    let again = provider.post(&app, &path, &[("action", "draft"), ("summary", "late")]).await;
    assert_eq!(again.status, Status::Conflict, "no draft after submission");
}

#[rocket::async_test]
async fn an_experts_declaration_starts_unanswered_and_a_blank_answer_is_refused() {
    let app = TestApp::new().await;
    let (id, bidders, officer) = opened_call(&app, &["100000", "90000", "120000"]).await;
    crate::support::panel::experts(&app, &officer, 1, 3, &[entity::enums::ServiceCategory::Elderly]).await;
    let rules = &app.state().config.procurement;
    fuhua::domain::procurement::panel::form(
        app.db(),
        (&app.state().emails, "http://x"),
        &officer,
        after(),
        rules,
        id,
        3,
        &[],
    )
    .await
    .expect("form");
    app.clock.set(after());
    let member = seated_members(&app, id).await.remove(0);
    let mut expert = app.relogin(&member.email).await;
    let page = expert.get(&app, &format!("/calls/{id}/panel")).await;
    assert!(page.body.contains("<option value=\"\">— 请选择 —</option>"), "{}", page.body);
    assert!(!page.body.contains("value=\"none\" selected"), "nothing is declared for the expert");
    let orgs: Vec<String> = bidders.iter().map(|b| b.organization_id.expect("org").to_string()).collect();
    let r = expert
        .post(
            &app,
            &format!("/calls/{id}/panel/declaration"),
            &[
                ("lines[0].organization_id", &orgs[0]),
                ("lines[0].conflict", "none"),
                ("lines[1].organization_id", &orgs[1]),
                ("lines[1].conflict", ""),
                ("lines[2].organization_id", &orgs[2]),
                ("lines[2].conflict", "none"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("还有 1 个投标人未作声明"), "{}", r.body);
    assert!(r.body.contains("value=\"none\" selected"), "the answer given is kept");
    let seat = entity::panel_member::Entity::find()
        .filter(entity::panel_member::Column::UserId.eq(member.id))
        .one(app.db())
        .await
        .expect("q")
        .expect("seat");
    assert_eq!(seat.status, entity::enums::PanelMemberStatus::Drawn, "nothing declared");
}

#[rocket::async_test]
async fn the_accounts_list_filters_by_role_state_and_search() {
    let app = TestApp::new().await;
    let mut admin = app.admin().await;
    app.user("expert-a@lists.cn", Role::Expert, None).await;
    app.user("officer-b@lists.cn", Role::Officer, None).await;
    let all = admin.get(&app, "/admin/users").await;
    assert!(all.body.contains("expert-a@lists.cn") && all.body.contains("officer-b@lists.cn"));
    let experts = admin.get(&app, "/admin/users?role=expert").await;
    assert!(experts.body.contains("expert-a@lists.cn") && !experts.body.contains("officer-b@lists.cn"));
    let found = admin.get(&app, "/admin/users?q=OFFICER-B").await;
    assert!(found.body.contains("officer-b@lists.cn") && !found.body.contains("expert-a@lists.cn"));
    let stopped = admin.get(&app, "/admin/users?state=disabled").await;
    assert!(!stopped.body.contains("expert-a@lists.cn"));
}

#[rocket::async_test]
async fn an_address_a_form_posts_to_leads_back_to_the_forms_page_when_reloaded() {
    let app = TestApp::new().await;
    let mut a = app.agent();
    for (from, to) in [
        ("/contracts/7/payments", "/contracts/7#payments"),
        ("/calls/5/panel/declaration", "/calls/5/panel#declaration"),
        ("/organizations/3/status", "/organizations/3#status"),
        ("/evaluations/2/self", "/evaluations/2#self"),
    ] {
        let r = a.get(&app, from).await;
        assert_eq!(r.status, Status::SeeOther, "{from}");
        assert_eq!(r.location.as_deref(), Some(to), "{from}");
    }
    for missing in ["/no/such/page", "/contracts/7/nothing", "/organizations/abc", "/contracts/7/milestones/3"] {
        let r = a.get(&app, missing).await;
        assert_ne!(r.status, Status::SeeOther, "{missing}");
    }
    assert_eq!(a.get(&app, "/no/such/page").await.status, Status::NotFound);
}
