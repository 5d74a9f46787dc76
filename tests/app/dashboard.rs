//! The bureau's dashboard (figures, SVG charts with their tables, the workbook), the annual
//! report (a PDF kept with its digest and checkable by anyone) and the notes on red flags.
use crate::support::contracts::{pdf_text, squeeze};
use crate::support::*;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn demo(app: &TestApp) {
    fuhua::demo::load(app.db(), &app.state().emails, &app.state().sealer, ORIGIN, app.clock.now())
        .await
        .expect("demo loads");
}

#[rocket::async_test]
async fn the_dashboard_draws_the_years_figures_for_the_bureau_only() {
    let app = TestApp::new().await;
    demo(&app).await;
    let mut visitor = app.agent();
    let refused = visitor.get(&app, "/dashboard").await;
    assert!(
        matches!(refused.status, Status::SeeOther | Status::Unauthorized | Status::Forbidden),
        "{}",
        refused.status
    );
    assert!(matches!(visitor.get(&app, "/api/v1/dashboard").await.status, Status::Unauthorized | Status::Forbidden));
    let mut officer = app.officer().await;
    let page = officer.get(&app, "/dashboard").await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert_eq!(page.body.matches("<svg class=\"chart\"").count(), 7, "seven charts");
    // The charts carry their words as text, and each has its table.
    assert!(page.body.contains("<text") && page.body.contains(">养老</text>"));
    assert_eq!(page.body.matches("以表格查看").count(), 7);
    let api = officer.get(&app, "/api/v1/dashboard").await.json();
    let portal = app.agent().get(&app, "/api/v1/portal").await.json();
    assert_eq!(api["figures"], portal["figures"], "one set of figures");
    assert_eq!(api["year"], 2026);
    let older = officer.get(&app, "/api/v1/dashboard?year=2025").await.json();
    assert_eq!(older["year"], 2025);
    assert_ne!(older["figures"]["contracted"], api["figures"]["contracted"]);
    for q in ["?year=abc", "?year=1900", "?year=99999999999"] {
        let r = officer.get(&app, &format!("/dashboard{q}")).await;
        assert_eq!(r.status, Status::Ok, "{q}");
    }
    // The workbook: a sheet a table, money as numbers.
    let xlsx = officer.get(&app, "/dashboard/export.xlsx?year=2026").await;
    assert_eq!(xlsx.status, Status::Ok);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).expect("xlsx");
    assert!(
        ["按服务类别", "按区", "按年度", "采购", "组织", "评估等次", "风险提示"]
            .iter()
            .all(|s| wb.sheet_names().contains(&s.to_string()))
    );
    let by_year = wb.worksheet_range("按年度").expect("sheet");
    let row_2026 = by_year
        .rows()
        .find(|r| r[0] == calamine::Data::Float(2026.0) || r[0] == calamine::Data::Int(2026))
        .expect("2026 row");
    let contracted = api["figures"]["contracted"].as_i64().expect("fen") as f64 / 100.0;
    assert_eq!(row_2026[1], calamine::Data::Float(contracted));
}

#[rocket::async_test]
async fn an_annual_report_is_issued_kept_and_checkable_with_what_was_done_about_each_flag() {
    let app = TestApp::new().await;
    demo(&app).await;
    let mut officer = app.officer().await;
    // The demo raises flags; the officer notes what was done about one.
    let flags = officer.get(&app, "/api/v1/integrity").await.json();
    let flag = flags["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|f| f["on"].as_str().is_some_and(|d| d.starts_with("2026")))
        .expect("a 2026 flag")
        .clone();
    let (rule, subject, id) =
        (flag["rule"].as_str().expect("rule"), flag["subject"].as_str().expect("s"), flag["subject_id"].to_string());
    let page = officer.get(&app, "/integrity").await;
    assert!(page.body.contains("记录处理情况"));
    let long = "核".repeat(2001);
    let refused = officer
        .post(&app, "/integrity/review", &[("rule", rule), ("subject", subject), ("subject_id", &id), ("note", &long)])
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(refused.body.contains(&long), "the typed note comes back");
    let note = "已核实：该项目仅一家响应系因服务区域偏远，已在下一轮公告中扩大宣传。";
    let saved = officer
        .post(&app, "/integrity/review", &[("rule", rule), ("subject", subject), ("subject_id", &id), ("note", note)])
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    assert!(officer.get(&app, "/integrity").await.body.contains(note));
    assert!(!app.agent().get(&app, "/integrity").await.body.contains(note), "the bureau's notes stay with the bureau");
    let unknown = officer
        .post(
            &app,
            "/integrity/review",
            &[("rule", "nonsense"), ("subject", "call"), ("subject_id", "1"), ("note", "x")],
        )
        .await;
    assert_eq!(unknown.status, Status::NotFound);
    // The report: the figures, the projects and the note, drawn and kept.
    let issued = officer.post(&app, "/dashboard/annual-report", &[("year", "2026")]).await;
    assert_eq!(issued.status, Status::SeeOther, "{}", issued.body);
    let at = issued.location.clone().expect("where the report is kept");
    let pdf = officer.get(&app, &at).await;
    assert_eq!(pdf.status, Status::Ok, "{}", pdf.body);
    assert!(officer.get(&app, "/dashboard?year=2026").await.body.contains(&at), "listed on the dashboard");
    let text = squeeze(&pdf_text(&pdf.bytes));
    assert!(text.contains("2026年政府购买社会组织服务年度报告"), "{text}");
    assert!(text.contains(&squeeze(note)));
    let active = entity::contract::Entity::find()
        .filter(entity::contract::Column::Status.eq(entity::enums::ContractStatus::Active))
        .one(app.db())
        .await
        .expect("q")
        .expect("an active contract");
    assert!(text.contains(active.number.as_deref().expect("number")));
    let digest = fuhua::domain::contracts::documents::sha256_hex(&pdf.bytes);
    let check = app.agent().get(&app, &format!("/documents/verify?sha256={digest}")).await;
    assert!(check.body.contains("年度报告") && check.body.contains("2026"), "{}", check.body);
    let audit = entity::audit_log::Entity::find().all(app.db()).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "bureau_report.issued"));
    assert!(audit.iter().any(|e| e.action == "integrity.flag_reviewed"));
    // Only the bureau issues it.
    let mut member = app.login_as("member@ngo.cn", entity::enums::Role::NgoMember, None).await;
    for r in [member.get(&app, &at).await, member.post(&app, "/dashboard/annual-report", &[("year", "2026")]).await] {
        assert!(matches!(r.status, Status::Forbidden | Status::SeeOther | Status::NotFound), "{}", r.status);
        assert!(r.location.as_deref().is_none_or(|l| !l.starts_with("/dashboard/annual-reports/")));
    }
    assert_eq!(app.agent().get(&app, &at).await.status, Status::SeeOther, "a visitor is sent to log in");
}
