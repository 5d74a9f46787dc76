//! Import from CSV (UTF-8, GB18030) and XLSX, all or nothing with every bad row named;
//! export of the filtered list as XLSX and as CSV with a BOM.
use crate::support::files::{read_xlsx, sheet_of, workbook, workbook_at};
use crate::support::*;
use rocket::http::Status;

const HEADER: &str = "名称,统一社会信用代码,类型,登记日期,登记管理机关,法定代表人,住所,所属区,所属社区,业务范围,注册资金（元）,服务领域,联系电话";

fn row(name: &str, uscc: &str, district: &str) -> String {
    format!(
        "{name},{uscc},社会服务机构,2021-03-01,三亚市民政局,陈明,三亚市吉阳区1号,{district},,社区服务,50000,养老；志愿服务,0898-1234567"
    )
}

#[rocket::async_test]
async fn a_clean_utf8_file_is_imported_whole() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let csv = format!(
        "\u{feff}{HEADER}\n{}\n{}\n{}\n",
        row("三亚市导入一号中心", &code(1), "吉阳区"),
        row("三亚市导入二号中心", &code(2), "天涯区"),
        row("三亚市导入三号中心", &code(3), "460204")
    );
    let r = officer.post_multipart(&app, "/organizations/import", "orgs.csv", csv.as_bytes()).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let list = officer.get(&app, "/organizations").await;
    assert!(list.body.contains("已导入 3 家社会组织"));
    assert!(list.body.contains("三亚市导入二号中心"));
    let tianya = officer.get(&app, &format!("/organizations?district_id={}", app.district_id("天涯区").await)).await;
    assert!(tianya.body.contains("共 2 条"), "district by name or by code");
    let imported = app.count("audit_log").await;
    assert!(imported >= 5, "each imported organization is audited");
}

#[rocket::async_test]
async fn every_bad_row_is_reported_and_nothing_is_imported() {
    let app = TestApp::new().await;
    app.org("三亚市已存在中心", &code(9), "吉阳区").await;
    let mut officer = app.officer().await;
    let bad_check = format!("{}{}", &code(4)[..17], if code(4).ends_with('0') { '1' } else { '0' });
    let csv = [
        HEADER.to_string(),
        row("三亚市好的一行中心", &code(5), "吉阳区"),
        row("三亚市校验错中心", &bad_check, "吉阳区"),
        row("", &code(6), "吉阳区"),
        row("三亚市未知区中心", &code(7), "火星区"),
        row("三亚市已存在中心", &code(8), "吉阳区"),
        row("三亚市好的一行中心", &code(10), "吉阳区"),
    ]
    .join("\n");
    let before = (app.count("organizations").await, app.count("audit_log").await);
    let r = officer.post_multipart(&app, "/organizations/import", "orgs.csv", csv.as_bytes()).await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    let body = without_labels(&r.body);
    let table = body.split("h-row-errors").last().expect("error table");
    for (line, why) in
        [(3, "校验码不正确"), (4, "此项必填"), (5, "没有这个区"), (6, "名录中已有"), (7, "与第 2 行重复")]
    {
        assert!(table.contains(&format!("<td>{line}</td>")), "line {line} reported in {table}");
        assert!(table.contains(why), "reason {why}");
    }
    assert_eq!((app.count("organizations").await, app.count("audit_log").await), before, "all or nothing");
}

#[rocket::async_test]
async fn gb18030_csv_from_chinese_excel_is_read() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let text = format!("{HEADER}\r\n{}\r\n", row("三亚市国标编码中心", &code(11), "崖州区"));
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let r = officer.post_multipart(&app, "/organizations/import", "导出.csv", &bytes).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert!(officer.get(&app, "/organizations?q=%E5%9B%BD%E6%A0%87").await.body.contains("三亚市国标编码中心"));
}

#[rocket::async_test]
async fn xlsx_is_imported_and_dates_are_understood() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "name",
        "uscc",
        "org_type",
        "registration_date",
        "registration_authority",
        "legal_representative",
        "address",
        "district",
        "business_scope",
        "categories",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 7, 15).expect("date");
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let values = [
        "三亚市表格导入协会",
        &code(12),
        "social_group",
        "",
        "三亚市民政局",
        "黄伟",
        "三亚市海棠区2号",
        "海棠区",
        "文体活动",
        "culture_sports",
    ];
    for (c, v) in values.iter().enumerate() {
        if c == 3 {
            ws.write_datetime_with_format(1, 3, &date, &fmt).expect("date cell");
        } else {
            ws.write_string(1, c as u16, *v).expect("cell");
        }
    }
    let bytes = wb.save_to_buffer().expect("xlsx");
    let r = officer.post_multipart(&app, "/organizations/import", "orgs.xlsx", &bytes).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let page = officer.get(&app, "/organizations?q=%E8%A1%A8%E6%A0%BC").await;
    assert!(page.body.contains("三亚市表格导入协会") && page.body.contains("2019-07-15"));
}

#[rocket::async_test]
async fn garbage_files_are_refused_clearly() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let r = officer.post_multipart(&app, "/organizations/import", "x.xlsx", b"PK\x03\x04 not really a zip").await;
    assert_eq!(r.status, Status::BadRequest);
    assert!(r.body.contains("无法读取 Excel 文件"));
    let r = officer.post_multipart(&app, "/organizations/import", "x.csv", b"foo,bar\n1,2\n").await;
    assert!(r.body.contains("缺少必需的列"));
    let r = officer.post_multipart(&app, "/organizations/import", "x.csv", b"").await;
    assert_eq!(r.status, Status::BadRequest);
    assert_eq!(app.count("organizations").await, 0);
}

#[rocket::async_test]
async fn export_follows_the_filter_and_opens_in_excel() {
    let app = TestApp::new().await;
    app.org("三亚市导出甲中心", &code(13), "吉阳区").await;
    app.org("三亚市导出乙中心", &code(14), "天涯区").await;
    let mut officer = app.officer().await;
    let d = app.district_id("吉阳区").await;
    let csv = officer.get(&app, &format!("/organizations/export.csv?district_id={d}")).await;
    assert_eq!(csv.status, Status::Ok);
    assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    assert!(csv.header("Content-Disposition").unwrap_or_default().contains("attachment"));
    let text = String::from_utf8(csv.bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("名称,统一社会信用代码"));
    assert!(text.contains("三亚市导出甲中心") && !text.contains("三亚市导出乙中心"));
    assert!(text.contains("0898-88123456"), "the bureau's export has contacts");

    let xlsx = officer.get(&app, "/organizations/export.xlsx").await;
    let sheet = read_xlsx(&xlsx.bytes);
    assert!(sheet.contains("三亚市导出甲中心") && sheet.contains("三亚市导出乙中心") && sheet.contains("养老"));
    // Excel-grade: a named sheet, typed cells (dates as dates, money as a number in yuan,
    // codes as text), the header frozen with a filter on every column.
    {
        use calamine::{Data, Reader};
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).expect("xlsx");
        assert_eq!(wb.sheet_names(), vec!["社会组织".to_string()]);
        let range = wb.worksheet_range("社会组织").expect("sheet");
        let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
        let row = range.rows().nth(1).expect("a row");
        assert!(matches!(row[col("登记日期")], Data::DateTime(_)), "a date: {:?}", row[col("登记日期")]);
        assert!(
            matches!(row[col("注册资金（元）")], Data::Float(f) if f == 30000.0),
            "{:?}",
            row[col("注册资金（元）")]
        );
        assert!(matches!(row[col("统一社会信用代码")], Data::String(_)), "a code stays text");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.bytes.clone())).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"), &mut xml)
            .expect("read");
        assert!(xml.contains("state=\"frozen\"") && xml.contains("<autoFilter"), "header frozen, filters on");
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").expect("styles"), &mut styles).expect("read");
        assert!(styles.contains("¥#,##0.00") && styles.contains("yyyy-mm-dd"), "money and date formats");
    }

    // An exported file imports back into an empty registry.
    let app2 = TestApp::new().await;
    let mut officer2 = app2.officer().await;
    let r = officer2.post_multipart(&app2, "/organizations/import", "round.csv", &csv.bytes).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert!(officer2.get(&app2, "/organizations").await.body.contains("三亚市导出甲中心"));
}

const STRINGS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>名称</t></si><si><t>类型</t></si><si><t>区</t></si></sst>"#;

#[rocket::async_test]
async fn a_workbook_that_declares_more_than_it_holds_is_refused_and_the_server_lives() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let header =
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>"#;
    let huge_strings =
        STRINGS.replace(r#"count="3" uniqueCount="3""#, r#"count="10000000000" uniqueCount="10000000000""#);
    let cases = [
        // Ten billion shared strings declared in 2 kB.
        (workbook(&sheet_of(header), &huge_strings), "共享字符串超过"),
        // Cells at A1 and at the sheet's last cell.
        (
            workbook(&sheet_of(&format!(r#"{header}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#)), STRINGS),
            "1048576",
        ),
        // Cells at A1 and XFD2000: not fatal before, but 1.7 GB.
        (
            workbook(&sheet_of(&format!(r#"{header}<row r="2000"><c r="XFD2000"><v>1</v></c></row>"#)), STRINGS),
            "XFD2000",
        ),
    ];
    // The same, under names the spreadsheet reader finds too: it lower-cases names, and
    // reads a sheet wherever the workbook's relationships point.
    let far = sheet_of(&format!(r#"{header}<row r="2000"><c r="XFD2000"><v>1</v></c></row>"#));
    let renamed = [
        (
            workbook_at(["xl/worksheets/sheet1.xml", "xl/SharedStrings.XML"], &sheet_of(header), &huge_strings),
            "共享字符串超过",
        ),
        (workbook_at(["xl/media/image1.bin", "xl/sharedStrings.xml"], &far, STRINGS), "XFD2000"),
    ];
    for (bytes, says) in cases.into_iter().chain(renamed) {
        assert!(bytes.len() < 3000, "{} bytes", bytes.len());
        let r = officer.post_multipart(&app, "/organizations/import", "bomb.xlsx", &bytes).await;
        assert_eq!(r.status, Status::BadRequest, "{}", r.body);
        assert!(r.body.contains(says), "{says}: {}", r.body);
        assert!(r.body.contains("100000 行") || r.body.contains("共享字符串"), "names the limit: {}", r.body);
        // Still answering, and nothing imported.
        assert_eq!(app.agent().get(&app, "/").await.status, Status::Ok);
    }
    assert!(
        officer
            .post_multipart(&app, "/organizations/import", "bomb.xlsx", &cases_dimension())
            .await
            .body
            .contains("XFD1048576")
    );
    assert_eq!(app.count("organizations").await, 0);
    // A workbook within the bounds is read as before (here: its header, and no rows).
    let fine = workbook(&sheet_of(header), STRINGS);
    let r = officer.post_multipart(&app, "/organizations/import", "fine.xlsx", &fine).await;
    assert!(!r.body.contains("无法读取") && !r.body.contains("超出限制"), "{}", r.body);
}

/// A sheet whose declared dimension is the whole grid, with one cell.
fn cases_dimension() -> Vec<u8> {
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    workbook(sheet, STRINGS)
}

fn many(n: usize, bad_at: Option<usize>) -> String {
    let mut csv = format!("{HEADER}\n");
    for i in 0..n {
        let district = if Some(i) == bad_at { "不存在区" } else { "吉阳区" };
        csv.push_str(&row(&format!("三亚市批量导入第{i}号服务中心"), &code(1000 + i as u32), district));
        csv.push('\n');
    }
    csv
}

/// Polls the job's page until it has finished.
async fn finished(app: &TestApp, officer: &mut Agent, path: &str) -> Page {
    for _ in 0..600 {
        let p = officer.get(app, path).await;
        assert_eq!(p.status, Status::Ok, "{}", p.body);
        if !p.body.contains("http-equiv=\"refresh\"") {
            return p;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

#[rocket::async_test]
async fn a_large_file_is_checked_and_applied_in_the_background_with_its_progress_on_a_page() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let r = officer.post_multipart(&app, "/organizations/import", "large.csv", many(600, None).as_bytes()).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let path = r.location.clone().expect("to the job's page");
    assert!(path.starts_with("/organizations/import/jobs/"), "{path}");
    // The page shows the progress (a bar, the rows) and asks to be refreshed until done.
    let first = officer.get(&app, &path).await;
    assert!(first.body.contains("<progress") && first.body.contains("共 600 行"), "{}", first.body);
    // Someone outside the bureau does not see it.
    let (mut ngo, _) = crate::support::hubs::ngo(&app, 3).await;
    assert!(ngo.get(&app, &path).await.status.code >= 400);
    let done = finished(&app, &mut officer, &path).await;
    assert!(done.body.contains("data-status=\"done\""), "{}", done.body);
    assert!(done.body.contains("已导入 600 个社会组织"), "{}", done.body);
    assert!(done.body.contains("value=\"100\""), "the bar is full");
    assert_eq!(app.count("organizations WHERE name LIKE '三亚市批量导入%'").await, 600);
    assert_eq!(app.count("audit_log WHERE action = 'organization.imported'").await, 600);
    assert_eq!(app.count("audit_log WHERE action = 'import_job.done'").await, 1);
    // Written ten entries to a statement, the chain still verifies link by link.
    let entries = app.count("audit_log").await;
    assert_eq!(
        fuhua::domain::audit::verify(app.db()).await.expect("verify"),
        fuhua::domain::audit::VerifyOutcome::Intact { entries: entries as _ }
    );
}

#[rocket::async_test]
async fn a_large_file_with_one_bad_row_imports_nothing_and_names_the_row() {
    let app = TestApp::new().await;
    let mut officer = app.officer().await;
    let r = officer.post_multipart(&app, "/organizations/import", "bad.csv", many(600, Some(549)).as_bytes()).await;
    let path = r.location.clone().expect("to the job's page");
    let done = finished(&app, &mut officer, &path).await;
    assert!(done.body.contains("data-status=\"refused\""), "{}", done.body);
    assert!(without_labels(&done.body).contains("<td>551</td>"), "line 551 of the file (the header is line 1)");
    assert_eq!(app.count("organizations").await, 0);
}

#[rocket::async_test]
async fn a_step_that_fails_undoes_the_steps_before_it_and_a_stopped_import_is_undone_at_start() {
    use fuhua::domain::{import_export, import_jobs};
    let app = TestApp::new().await;
    let officer = app.user("importer@bureau.cn", entity::enums::Role::Officer, None).await;
    let actor = fuhua::domain::audit::Actor::user(&officer);
    let s = app.state();
    let today = s.clock.today_local();
    let prepared = import_export::prepare("a.csv", many(100, None).as_bytes()).expect("read");
    let rows = import_export::check(app.db(), today, fuhua::i18n::Locale::ZhCn, prepared, None)
        .await
        .expect("check")
        .expect("all rows pass");
    // Between the check and the writing, someone registers row 81's code.
    app.org("三亚市抢先登记服务中心", &code(1080), "吉阳区").await;
    let job = import_jobs::create(app.db(), &officer, s.clock.now(), fuhua::i18n::Locale::ZhCn, "a.csv", 100)
        .await
        .expect("job");
    let r = import_jobs::apply_in_steps(app.db(), &actor, &s.clock, job.id, &rows).await;
    match r {
        Err(fuhua::error::AppError::Conflict(m)) => {
            assert_eq!(m.key, "import.step_failed");
            assert!(fuhua::i18n::Locale::ZhCn.msg(&m).contains("第 82 行"), "{m:?}");
        }
        other => panic!("the step fails: {other:?}"),
    }
    assert_eq!(app.count("organizations").await, 1, "the 80 rows of the steps before were undone");
    assert_eq!(app.count("audit_log WHERE action = 'organization.import_undone'").await, 1);

    // A server stopped while applying: at the next start the steps are undone and the job
    // says why.
    let other = import_export::prepare("b.csv", many(50, None).as_bytes()).expect("read");
    // (Its 50 codes are not the one registered meanwhile.)
    let other_rows = import_export::check(app.db(), today, fuhua::i18n::Locale::ZhCn, other, None)
        .await
        .expect("check")
        .expect("pass");
    let job = import_jobs::create(app.db(), &officer, s.clock.now(), fuhua::i18n::Locale::ZhCn, "b.csv", 50)
        .await
        .expect("job");
    import_jobs::apply_in_steps(app.db(), &actor, &s.clock, job.id, &other_rows).await.expect("applied");
    {
        use sea_orm::{ConnectionTrait, Statement};
        let sql = format!("UPDATE import_jobs SET status = 'applying' WHERE id = {}", job.id);
        app.db().execute_raw(Statement::from_string(app.db().get_database_backend(), sql)).await.expect("u");
    }
    assert_eq!(app.count("organizations").await, 51);
    // (The first job, driven by hand above, was left "checking": it ends as failed too.)
    assert_eq!(import_jobs::recover(app.db(), s.clock.now()).await.expect("recover"), 2);
    assert_eq!(app.count("organizations").await, 1);
    let view = import_jobs::view(&import_jobs::get(app.db(), &job.public_ref).await.expect("job"));
    assert_eq!(view.status, "failed");
    assert!(view.message.unwrap_or_default().contains("已写入的行均已撤销"));
}
