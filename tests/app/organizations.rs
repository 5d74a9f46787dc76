//! The registry: officers create, edit, change status and record; everyone lists,
//! filters and searches; each sees only what it may.
use crate::support::*;
use entity::enums::Role;
use rocket::http::Status;

fn form_fields(name: &str, uscc: &str, district: &str) -> Vec<(String, String)> {
    let i = org_input(name, uscc, district);
    vec![
        ("name".into(), i.name),
        ("uscc".into(), i.uscc),
        ("org_type".into(), i.org_type),
        ("registration_date".into(), i.registration_date),
        ("registration_authority".into(), i.registration_authority),
        ("legal_representative".into(), i.legal_representative),
        ("address".into(), i.address),
        ("district_id".into(), i.district_id),
        ("business_scope".into(), i.business_scope),
        ("registered_funds".into(), "1,234,567.89".into()),
        ("categories".into(), "elderly".into()),
        ("categories".into(), "volunteer".into()),
        ("contact_name".into(), i.contact_name),
        ("contact_phone".into(), i.contact_phone),
        ("contact_email".into(), i.contact_email),
    ]
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn set(v: &mut [(String, String)], key: &str, value: &str) {
    for (k, val) in v.iter_mut() {
        if k == key {
            *val = value.to_string();
        }
    }
}

#[rocket::async_test]
async fn officer_registers_an_organization() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("天涯区").await.to_string();
    let fields = form_fields("三亚市阳光社会工作服务中心", &code(1), &d);
    let r = officer.post(&app, "/organizations", &refs(&fields)).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let loc = r.location.expect("redirect to the new page");
    let page = officer.get(&app, &loc).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("三亚市阳光社会工作服务中心"));
    assert!(page.body.contains("¥1,234,567.89"), "money shown with separators");
    assert!(page.body.contains("养老") && page.body.contains("志愿服务"));
    assert!(page.body.contains(&code(1)));
    let audit = app.count("audit_log").await;
    assert!(audit >= 2, "login and creation are audited");
}

#[rocket::async_test]
async fn bad_form_is_shown_again_with_marks_and_values_and_writes_nothing() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await.to_string();
    let mut fields = form_fields("三亚市测试服务中心", &code(2), &d);
    set(&mut fields, "registration_date", "2020-13-45");
    set(&mut fields, "registered_funds", "12.345");
    set(&mut fields, "contact_email", "not mail");
    set(&mut fields, "district_id", "99999");
    let before = (app.count("organizations").await, app.count("audit_log").await);
    let r = officer.post(&app, "/organizations", &refs(&fields)).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    for msg in ["日期格式不对", "金额最多两位小数", "请输入有效的电子邮箱地址", "没有这个区"]
    {
        assert!(r.body.contains(msg), "missing message {msg}");
    }
    assert!(r.body.contains("value=\"三亚市测试服务中心\""), "name kept");
    assert!(r.body.contains("value=\"12.345\""), "bad value kept for correction");
    assert!(r.body.contains("checked"), "categories kept");
    assert_eq!((app.count("organizations").await, app.count("audit_log").await), before);
}

#[rocket::async_test]
async fn uscc_checksum_is_refused_unless_an_officer_gives_a_reason() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await.to_string();
    let good = code(3);
    let bad = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let mut fields = form_fields("三亚市老代码协会", &bad, &d);
    let r = officer.post(&app, "/organizations", &refs(&fields)).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("校验码不正确"));
    assert_eq!(app.count("organizations").await, 0);

    fields.push(("uscc_override_reason".into(), "证书原件如此，2015年换证前代码".into()));
    let r = officer.post(&app, "/organizations", &refs(&fields)).await;
    assert_eq!(r.status, Status::SeeOther);
    use sea_orm::{EntityTrait, QueryOrder};
    let last = entity::audit_log::Entity::find()
        .order_by_desc(entity::audit_log::Column::Seq)
        .one(app.db())
        .await
        .ok()
        .flatten()
        .expect("audit");
    assert_eq!(last.action, "organization.created");
    assert!(last.payload.contains("证书原件如此"), "the override reason is audited");
    let page = officer.get(&app, r.location.as_deref().unwrap_or("/")).await;
    assert!(page.body.contains("证书原件如此"));

    // Length and alphabet errors cannot be overridden.
    let mut f2 = form_fields("三亚市短代码协会", "12345", &d);
    f2.push(("uscc_override_reason".into(), "试试".into()));
    assert_eq!(officer.post(&app, "/organizations", &refs(&f2)).await.status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn duplicates_are_refused() {
    let app = TestApp::new().await;
    app.org("三亚市椰风养老服务中心", &code(4), "吉阳区").await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await.to_string();
    let r = officer.post(&app, "/organizations", &refs(&form_fields("三亚市椰风养老服务中心", &code(5), &d))).await;
    assert!(r.body.contains("已有同名的社会组织"));
    let r = officer.post(&app, "/organizations", &refs(&form_fields("三亚市另一家中心", &code(4), &d))).await;
    assert!(r.body.contains("已有使用该统一社会信用代码的社会组织"));
    assert_eq!(app.count("organizations").await, 1);
}

#[rocket::async_test]
async fn edit_status_changes_and_illegal_transitions() {
    let app = TestApp::new().await;
    let id = app.org("三亚市海韵服务中心", &code(6), "海棠区").await;
    let mut officer = app.officer().await;
    let edit = officer.get(&app, &format!("/organizations/{id}/edit")).await;
    assert!(edit.body.contains("value=\"三亚市海韵服务中心\""));
    let d = app.district_id("海棠区").await.to_string();
    let mut fields = form_fields("三亚市海韵社会服务中心", &code(6), &d);
    set(&mut fields, "address", "三亚市海棠区新地址8号");
    assert_eq!(officer.post(&app, &format!("/organizations/{id}"), &refs(&fields)).await.status, Status::SeeOther);
    let page = officer.get(&app, &format!("/organizations/{id}")).await;
    assert!(page.body.contains("三亚市海韵社会服务中心") && page.body.contains("新地址8号"));

    let s = |to: &'static str| vec![("to", to), ("reason", "年检不合格")];
    assert_eq!(
        officer.post(&app, &format!("/organizations/{id}/status"), &s("suspended")).await.status,
        Status::SeeOther
    );
    assert_eq!(officer.post(&app, &format!("/organizations/{id}/status"), &s("active")).await.status, Status::SeeOther);
    assert_eq!(
        officer.post(&app, &format!("/organizations/{id}/status"), &s("deregistered")).await.status,
        Status::SeeOther
    );
    let r = officer.post(&app, &format!("/organizations/{id}/status"), &s("active")).await;
    assert_eq!(r.status, Status::Conflict);
    assert!(r.body.contains("状态不能从"));
    // A deregistered organization can no longer be edited.
    assert_eq!(officer.post(&app, &format!("/organizations/{id}"), &refs(&fields)).await.status, Status::Conflict);
    // A status change needs a reason.
    let id2 = app.org("三亚市原因测试中心", &code(7), "海棠区").await;
    let r = officer.post(&app, &format!("/organizations/{id2}/status"), &[("to", "suspended"), ("reason", "")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn linked_records_and_credit_summary() {
    let app = TestApp::new().await;
    let id = app.org("三亚市南山公益服务中心", &code(8), "崖州区").await;
    let mut officer = app.officer().await;
    let base = format!("/organizations/{id}");
    assert_eq!(
        officer
            .post(&app, &format!("{base}/annual-reports"), &[("year", "2025"), ("result", "passed"), ("note", "")])
            .await
            .status,
        Status::SeeOther
    );
    let dup = officer
        .post(&app, &format!("{base}/annual-reports"), &[("year", "2025"), ("result", "failed"), ("note", "")])
        .await;
    assert_eq!(dup.status, Status::UnprocessableEntity);
    assert!(dup.body.contains("该年度已有年检"));
    assert_eq!(
        officer
            .post(&app, &format!("{base}/grades"), &[("grade", "4A"), ("valid_from", "2024-06-01"), ("valid_to", "")])
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        officer
            .post(&app, &format!("{base}/grades"), &[("grade", "6"), ("valid_from", "2024-06-01"), ("valid_to", "")])
            .await
            .status,
        Status::UnprocessableEntity
    );
    let page = officer.get(&app, &base).await;
    assert!(page.body.contains("2029-05-31"), "a grade is valid five years by default");
    assert!(page.body.contains("信用概况: 良好"));

    assert_eq!(
        officer
            .post(
                &app,
                &format!("{base}/list-entries"),
                &[("kind", "abnormal_list"), ("entered_on", "2026-10-01"), ("reason", "未按时年报")]
            )
            .await
            .status,
        Status::SeeOther
    );
    let again = officer
        .post(
            &app,
            &format!("{base}/list-entries"),
            &[("kind", "abnormal_list"), ("entered_on", "2026-10-02"), ("reason", "重复")],
        )
        .await;
    assert_eq!(again.status, Status::Conflict);
    let page = officer.get(&app, &base).await;
    assert!(page.body.contains("信用概况: 需关注"));

    let entry = {
        use sea_orm::EntityTrait;
        entity::list_entry::Entity::find().one(app.db()).await.ok().flatten().expect("entry").id
    };
    let early = officer
        .post(
            &app,
            &format!("{base}/list-entries/{entry}/remove"),
            &[("removed_on", "2026-09-01"), ("removal_reason", "已补报")],
        )
        .await;
    assert_eq!(early.status, Status::UnprocessableEntity, "removal before entry");
    assert_eq!(
        officer
            .post(
                &app,
                &format!("{base}/list-entries/{entry}/remove"),
                &[("removed_on", "2026-11-20"), ("removal_reason", "已补报")]
            )
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        officer
            .post(
                &app,
                &format!("{base}/list-entries/{entry}/remove"),
                &[("removed_on", "2026-11-21"), ("removal_reason", "再次")]
            )
            .await
            .status,
        Status::Conflict
    );

    assert_eq!(
        officer
            .post(
                &app,
                &format!("{base}/penalties"),
                &[
                    ("decided_on", "2026-03-01"),
                    ("authority", "三亚市民政局"),
                    ("decision_number", "三民罚〔2026〕1号"),
                    ("description", "警告"),
                    ("fine", "5000")
                ]
            )
            .await
            .status,
        Status::SeeOther
    );
    let page = officer.get(&app, &base).await;
    assert!(page.body.contains("三民罚〔2026〕1号") && page.body.contains("¥5,000.00"));
    assert!(page.body.contains("近三年行政处罚 1 次"));
    assert!(page.body.contains("已补报"));

    assert_eq!(
        officer
            .post(
                &app,
                &format!("{base}/list-entries"),
                &[("kind", "dishonesty_list"), ("entered_on", "2026-11-01"), ("reason", "严重失信")]
            )
            .await
            .status,
        Status::SeeOther
    );
    assert!(officer.get(&app, &base).await.body.contains("信用概况: 受限"));
    // Future dates are refused.
    let r = officer
        .post(
            &app,
            &format!("{base}/penalties"),
            &[
                ("decided_on", "2027-01-01"),
                ("authority", "x"),
                ("decision_number", "y"),
                ("description", "z"),
                ("fine", ""),
            ],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn list_filters_sorts_pages_and_searches() {
    let app = TestApp::new().await;
    let a = app.org("三亚市阳光社会工作服务中心", &code(10), "吉阳区").await;
    let b = app.org("三亚市夕阳红养老服务中心", &code(11), "天涯区").await;
    let c = app.org("海棠湾志愿者协会", &code(12), "海棠区").await;
    for i in 0..25 {
        app.org(&format!("崖州区第{i:02}号文体队"), &code(100 + i), "崖州区").await;
    }
    let mut public = app.agent();
    let all = public.get(&app, "/organizations").await;
    assert!(all.body.contains("共 28 条"));
    assert!(all.body.contains("第 1 页 &#x2F; 共 2 页"));
    let p2 = public.get(&app, "/organizations?page=2").await;
    assert_eq!(p2.body.matches("<tr>").count() - 1, 8, "20 on page one, 8 on page two");

    let by_district =
        public.get(&app, &format!("/organizations?district_id={}", app.district_id("天涯区").await)).await;
    assert!(by_district.body.contains("共 1 条") && by_district.body.contains(&format!("/organizations/{b}\"")));

    let sysy = public.get(&app, "/organizations?q=sysy").await;
    assert!(sysy.body.contains(&format!("/organizations/{a}\"")), "pinyin initials find 三亚市阳光…");
    assert!(!sysy.body.contains(&format!("/organizations/{c}\"")));
    let frag = public.get(&app, "/organizations?q=%E5%A4%95%E9%98%B3").await; // 夕阳
    assert!(frag.body.contains("共 1 条") && frag.body.contains(&format!("/organizations/{b}\"")));
    let by_code = public.get(&app, &format!("/organizations?q={}", &code(12)[..17])).await;
    assert!(by_code.body.contains(&format!("/organizations/{c}\"")));
    let pct = public.get(&app, "/organizations?q=%25").await;
    assert!(pct.body.contains("共 0 条"), "LIKE wildcards are literal");

    app.org("Alpha志愿队", &code(90), "吉阳区").await;
    app.org("Zulu志愿队", &code(91), "吉阳区").await;
    let asc = public.get(&app, "/organizations?q=%E5%BF%97%E6%84%BF%E9%98%9F&sort=name").await; // 志愿队
    let desc = public.get(&app, "/organizations?q=%E5%BF%97%E6%84%BF%E9%98%9F&sort=name&dir=desc").await;
    let pos = |body: &str, n: &str| body.find(n).unwrap_or_else(|| panic!("{n} listed"));
    assert!(pos(&asc.body, "Alpha志愿队") < pos(&asc.body, "Zulu志愿队"));
    assert!(pos(&desc.body, "Zulu志愿队") < pos(&desc.body, "Alpha志愿队"));

    let mut officer = app.officer().await;
    officer
        .post(
            &app,
            &format!("/organizations/{c}/list-entries"),
            &[("kind", "abnormal_list"), ("entered_on", "2026-01-01"), ("reason", "r")],
        )
        .await;
    officer
        .post(
            &app,
            &format!("/organizations/{a}/grades"),
            &[("grade", "5"), ("valid_from", "2025-01-01"), ("valid_to", "")],
        )
        .await;
    let listed = public.get(&app, "/organizations?listed=yes").await;
    assert!(listed.body.contains("共 1 条") && listed.body.contains("海棠湾志愿者协会"));
    assert!(public.get(&app, "/organizations?listed=no").await.body.contains("共 29 条"));
    let graded = public.get(&app, "/organizations?grade=5").await;
    assert!(graded.body.contains("共 1 条") && graded.body.contains("三亚市阳光社会工作服务中心"));
    assert!(
        public
            .get(&app, "/organizations?category=elderly&org_type=social_service_institution")
            .await
            .body
            .contains("共 30 条")
    );
    assert!(public.get(&app, "/organizations?category=children").await.body.contains("共 0 条"));
    // Junk in the query string is ignored, never a 500.
    assert_eq!(public.get(&app, "/organizations?page=abc&grade=x&district_id=%00&sort=;drop").await.status, Status::Ok);
}

#[rocket::async_test]
async fn the_public_sees_active_organizations_without_contacts() {
    let app = TestApp::new().await;
    let active = app.org("三亚市公开中心", &code(20), "吉阳区").await;
    let hidden = app.org("三亚市暂停中心", &code(21), "吉阳区").await;
    let mut officer = app.officer().await;
    officer.post(&app, &format!("/organizations/{hidden}/status"), &[("to", "suspended"), ("reason", "r")]).await;

    let mut public = app.agent();
    let list = public.get(&app, "/organizations?status=suspended").await;
    assert!(!list.body.contains("三亚市暂停中心"), "the status filter is the bureau's");
    assert_eq!(public.get(&app, &format!("/organizations/{hidden}")).await.status, Status::NotFound);
    let page = public.get(&app, &format!("/organizations/{active}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(!page.body.contains("0898-88123456"), "contacts are private");
    assert!(!page.body.contains("/edit"));

    let bureau = officer.get(&app, "/organizations?status=suspended").await;
    assert!(bureau.body.contains("三亚市暂停中心"));
    assert!(officer.get(&app, &format!("/organizations/{active}")).await.body.contains("0898-88123456"));
}

#[rocket::async_test]
async fn claim_by_uscc_approved_by_an_officer() {
    let app = TestApp::new().await;
    let id = app.org("三亚市认领测试中心", &code(30), "吉阳区").await;
    let mut ngo = app.login_as("ngo@test.cn", Role::NgoMember, None).await;
    let r = ngo.post(&app, "/account/claim", &[("uscc", "52460200MJ9999999X"), ("note", "")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("没有找到使用该统一社会信用代码的社会组织"));
    assert_eq!(
        ngo.post(&app, "/account/claim", &[("uscc", &code(30).to_lowercase()), ("note", "我是办公室主任")])
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        ngo.post(&app, "/account/claim", &[("uscc", &code(30)), ("note", "")]).await.status,
        Status::Conflict,
        "one pending claim"
    );
    // Before approval the member sees only public fields.
    assert!(!ngo.get(&app, &format!("/organizations/{id}")).await.body.contains("0898-88123456"));

    let mut officer = app.officer().await;
    let queue = officer.get(&app, "/claims").await;
    assert!(queue.body.contains("三亚市认领测试中心") && queue.body.contains("我是办公室主任"));
    let claim_id = {
        use sea_orm::EntityTrait;
        entity::claim::Entity::find().one(app.db()).await.ok().flatten().expect("claim").id
    };
    assert_eq!(
        ngo.post(&app, &format!("/claims/{claim_id}/decide"), &[("decision", "approve"), ("note", "")]).await.status,
        Status::Forbidden,
        "an NGO cannot approve itself"
    );
    assert_eq!(
        officer
            .post(&app, &format!("/claims/{claim_id}/decide"), &[("decision", "approve"), ("note", "核实无误")])
            .await
            .status,
        Status::SeeOther
    );
    assert_eq!(
        officer.post(&app, &format!("/claims/{claim_id}/decide"), &[("decision", "reject"), ("note", "")]).await.status,
        Status::Conflict,
        "decided once"
    );

    let page = ngo.get(&app, &format!("/organizations/{id}")).await;
    assert!(page.body.contains("0898-88123456"), "now its own organization");
    let mails = app.outbox().await;
    let approved = mails.iter().find(|m| m.kind == "claim_approved").expect("member told");
    assert_eq!(approved.to_address, "ngo@test.cn");
    assert!(approved.body_text.contains("三亚市认领测试中心"));

    let r = ngo
        .post(
            &app,
            &format!("/organizations/{id}/contacts"),
            &[("contact_name", "新联系人"), ("contact_phone", "13800000000"), ("contact_email", "new@example.org")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther);
    assert!(ngo.get(&app, &format!("/organizations/{id}")).await.body.contains("13800000000"));
}

#[rocket::async_test]
async fn english_is_selectable_and_dates_are_shown_in_shanghai_time() {
    let app = TestApp::new().await;
    let mut admin = app.admin().await;
    let r = admin.get(&app, "/lang/en?back=/admin/audit").await;
    assert_eq!(r.location.as_deref(), Some("/admin/audit"));
    let page = admin.get(&app, "/admin/audit").await;
    assert!(page.body.contains("Audit log"));
    // t0 is 02:00 UTC: 10:00 in Shanghai.
    assert!(page.body.contains("2026-11-26 10:00"), "{}", page.body);
    let mut visitor = app.agent().with_header("Accept-Language", "en-GB,en;q=0.9");
    assert!(visitor.get(&app, "/organizations").await.body.contains("Registry of social organizations"));
    assert_eq!(
        admin.get(&app, "/lang/zh-CN?back=https://evil.example").await.location.as_deref(),
        Some("/"),
        "no open redirect"
    );
}

#[rocket::async_test]
async fn search_by_longer_fragments_uses_every_piece_in_order() {
    let app = TestApp::new().await;
    let a = app.org("三亚市阳光社会工作服务中心", &code(40), "吉阳区").await;
    let b = app.org("三亚市社会阳光志愿者协会", &code(41), "吉阳区").await;
    let mut public = app.agent();
    let q = |s: &str| {
        format!("/organizations?q={}", url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())
    };
    let r = public.get(&app, &q("阳光社会")).await;
    assert!(
        r.body.contains("共 1 条") && r.body.contains(&format!("/organizations/{a}\"")),
        "contiguous fragment only"
    );
    let r = public.get(&app, &q("社会阳光")).await;
    assert!(r.body.contains("共 1 条") && r.body.contains(&format!("/organizations/{b}\"")));
    let r = public.get(&app, &q("阳光")).await;
    assert!(r.body.contains("共 2 条"));
    let r = public.get(&app, &q("光社会工")).await;
    assert!(r.body.contains("共 1 条"));
    let r = public.get(&app, &q("阳")).await;
    assert!(r.body.contains("共 2 条"), "one character falls back to a scan");
    // A renamed organization is found by its new name only.
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await.to_string();
    let mut fields = org_input("三亚市晨曦家庭服务中心", &code(40), &d);
    fields.categories = vec!["women_family".into()];
    fuhua::domain::organizations::update(
        app.db(),
        &fuhua::domain::audit::Actor::system("test"),
        app.clock.now(),
        app.clock.today_local(),
        a,
        &fields,
    )
    .await
    .expect("rename");
    assert!(officer.get(&app, &q("阳光社会")).await.body.contains("共 0 条"));
    assert!(officer.get(&app, &q("晨曦")).await.body.contains("共 1 条"));
}

#[rocket::async_test]
async fn the_search_index_migration_backfills_existing_names() {
    use migration::MigratorTrait;
    let app = TestApp::new().await;
    app.org("三亚市回填测试服务中心", &code(50), "吉阳区").await;
    migration::Migrator::down(app.db(), Some(1)).await.expect("down one");
    migration::Migrator::up(app.db(), None).await.expect("up again");
    assert!(app.count("organization_name_grams").await >= 10);
    let mut public = app.agent();
    assert!(public.get(&app, "/organizations?q=%E5%9B%9E%E5%A1%AB").await.body.contains("共 1 条"));
}

#[rocket::async_test]
async fn the_public_list_is_cached_only_until_the_registry_changes() {
    let app = TestApp::new().await;
    let first = app.org("三亚市缓存一号中心", &code(60), "吉阳区").await;
    let mut public = app.agent();
    let before = public.get(&app, "/organizations?district_id=2").await;
    assert!(before.body.contains("三亚市缓存一号中心") && before.body.contains("共 1 条"));
    let again = public.get(&app, "/organizations?district_id=2").await;
    assert_eq!(again.body, before.body);

    app.org("三亚市缓存二号中心", &code(61), "吉阳区").await;
    let after = public.get(&app, "/organizations?district_id=2").await;
    assert!(
        after.body.contains("三亚市缓存二号中心") && after.body.contains("共 2 条"),
        "a new organization shows at once"
    );

    let mut officer = app.officer().await;
    officer.post(&app, &format!("/organizations/{first}/status"), &[("to", "suspended"), ("reason", "核查")]).await;
    let bureau = officer.get(&app, "/organizations?district_id=2").await;
    assert!(bureau.body.contains("officer@test.cn"), "an account never gets the visitors' page");
    let public_now = public.get(&app, "/organizations?district_id=2").await;
    assert!(!public_now.body.contains("三亚市缓存一号中心"), "a suspension hides it from the public at once");
    assert!(!public_now.body.contains("officer@test.cn"));
    let english = app.agent().with_header("Accept-Language", "en").get(&app, "/organizations?district_id=2").await;
    assert!(english.body.contains("1 found"), "each language has its own page");
}

#[rocket::async_test]
async fn a_write_through_this_server_refreshes_the_public_page_at_once() {
    // The audit log is not re-read during this test: only the local write can invalidate.
    let app = TestApp::with(Options { page_cache_recheck_ms: 3_600_000, ..Options::default() }).await;
    let id = app.org("三亚市即时刷新中心", &code(70), "吉阳区").await;
    let mut public = app.agent();
    assert!(public.get(&app, "/organizations").await.body.contains("三亚市即时刷新中心"));
    let mut officer = app.officer().await;
    assert_eq!(
        officer
            .post(&app, &format!("/organizations/{id}/status"), &[("to", "suspended"), ("reason", "r")])
            .await
            .status,
        Status::SeeOther
    );
    assert!(!public.get(&app, "/organizations").await.body.contains("三亚市即时刷新中心"));
}
