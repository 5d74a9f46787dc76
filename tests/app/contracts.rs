//! Contracts from the award's draft to payment: terms and their refusals, approval with its
//! number, the PDF (its text read back) sent over SMTP with its digest, signing in
//! the platform or by scan, milestone reports returned and accepted, instalments made
//! payable and paid, amendments, reminders sent once, and what another organization sees.
use crate::support::contracts::{active, awarded, complete_terms, now, output, pay, pdf_text, report, squeeze};
use crate::support::smtp::{SmtpServer, subject};
use crate::support::*;
use entity::enums::{ContractStatus, InstalmentStatus, MilestoneStatus};
use fuhua::domain::contracts::milestones::{IndicatorInput, MilestoneInput};
use fuhua::domain::contracts::{milestones, payments, reminders, reports, signing, terms};
use fuhua::error::AppError;
use fuhua::i18n::Locale;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn contract(app: &TestApp, id: i32) -> entity::contract::Model {
    entity::contract::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("contract")
}

/// The base64 body of the message part with this content type, decoded.
fn attachment(raw: &str, content_type: &str) -> Vec<u8> {
    use base64::Engine;
    let mut lines =
        raw.lines().skip_while(|l| !l.to_ascii_lowercase().starts_with(&format!("content-type: {content_type}")));
    let mut b64 = String::new();
    let mut in_body = false;
    for l in lines.by_ref() {
        if in_body {
            if l.starts_with("--") {
                break;
            }
            b64.push_str(l.trim());
        } else if l.trim().is_empty() {
            in_body = true;
        }
    }
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default()
}

#[rocket::async_test]
async fn a_draft_is_completed_approved_sent_as_a_pdf_over_smtp_and_signed() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::with(Options { smtp_url: Some(smtp.url()), ..Options::default() }).await;
    let w = awarded(&app).await;
    let s = app.state();
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    // The award seeded the draft: provider particulars, a term, one milestone for each
    // instalment that waits for results (mid-term and final).
    let k = contract(&app, w.contract).await;
    assert_eq!((k.status, k.number.clone()), (ContractStatus::Draft, None));
    let seeded = milestones::of_contract(app.db(), k.id).await.expect("q");
    assert_eq!(seeded.len(), 2);
    assert!(seeded.iter().all(|m| m.instalment_id.is_some()));

    // Not complete yet: approval is refused and names why; nothing changes.
    let r = signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, k.id).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key.starts_with("contract.blocker")), "{r:?}");
    // Bad terms: a 13-month term, a bond of 11%, an output without a quantity; all named, nothing saved.
    let mut bad = complete_terms();
    bad.ends_on = "2028-01-31".into();
    bad.bond_percent = "11".into();
    bad.outputs[1].quantity = "".into();
    match terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &bad).await {
        Err(AppError::Invalid(e)) => {
            for f in ["ends_on", "bond_percent", "outputs"] {
                assert!(e.has(f), "{f}: {e:?}");
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count("contract_outputs").await, 0);
    // Figures that would overflow are refused with the row named, never a 500.
    let mut huge = complete_terms();
    huge.outputs =
        vec![output("家庭探访", "10000000", "999999999999"), output("成长小组活动", "10000000", "999999999999")];
    let r = terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &huge).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("outputs")), "{r:?}");
    // A clause one character past its limit goes through the form and is refused by its own
    // rule (not by the size of the request); nothing is saved.
    let mut officer_page = app.relogin(&w.officer.email).await;
    let long = "服".repeat(4001);
    let r = officer_page
        .post(&app, &format!("/contracts/{}/terms", k.id), &[("service_content", &long), ("breach_terms", &long)])
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert!(r.body.contains("不能超过 4000 个字"), "{}", r.body);
    // Outputs that do not add up to the amount block approval.
    let mut short = complete_terms();
    short.outputs.pop();
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &short).await.expect("save");
    let r = signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, k.id).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "contract.blocker.outputs_total"), "{r:?}");
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &complete_terms())
        .await
        .expect("save");
    // A milestone due outside the term is refused.
    let ms = MilestoneInput {
        title: "季度走访".into(),
        due_on: "2028-02-01".into(),
        deliverables: "走访记录".into(),
        indicators: vec![IndicatorInput { name: "家庭探访".into(), unit: "人次".into(), target: "100".into() }],
    };
    assert!(
        matches!(milestones::add(app.db(), &w.officer, now(), k.id, &ms).await, Err(AppError::Invalid(ref e)) if e.has("due_on"))
    );
    let first = MilestoneInput { due_on: "2027-03-31".into(), ..ms };
    let m1 = milestones::add(app.db(), &w.officer, now(), k.id, &first).await.expect("milestone");

    // A character the font lacks: the PDF cannot be drawn, approval is refused, nothing changes.
    let mut odd = complete_terms();
    odd.provider_representative = "李𠀀".into();
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &odd).await.expect("save");
    let r = signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, k.id).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "contract.missing_glyphs"), "{r:?}");
    assert_eq!(contract(&app, k.id).await.status, ContractStatus::Draft);
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &complete_terms())
        .await
        .expect("save");

    // Approval numbers it by the scheme; reopening and approving again keeps the number.
    let number = signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, k.id).await.expect("approve");
    assert_eq!(number, "SYHT-2027-001");
    signing::reopen(app.db(), &w.officer, now(), k.id).await.expect("reopen");
    assert_eq!(
        signing::approve(app.db(), &s.documents, &w.officer, now(), rules, proc, k.id).await.expect("again"),
        number
    );
    // The provider does not see an unsent contract.
    let mut provider = app.relogin(&w.provider.email).await;
    assert_eq!(provider.get(&app, &format!("/contracts/{}", k.id)).await.status, Status::NotFound);

    // Sending issues the PDF, stores it with its digest and emails it as an attachment.
    let doc_id =
        signing::send(app.db(), &s.documents, &s.emails, "http://x", &w.officer, now(), rules, k.id, Locale::ZhCn)
            .await
            .expect("send");
    let doc = entity::contract_document::Entity::find_by_id(doc_id).one(app.db()).await.expect("q").expect("doc");
    assert_eq!(doc.sha256, fuhua::domain::contracts::documents::sha256_hex(&doc.data));
    let text = pdf_text(&doc.data);
    let flat = squeeze(&text);
    for expected in [
        "政府购买服务合同",
        "合同编号：SYHT-2027-001",
        "甲方（购买主体）：三亚市民政局",
        "乙方（承接主体）：",
        "李赟",
        "人民币壹拾贰万元整（¥120,000.00）",
        "家庭探访",
        "60,000.00",
        "成长小组活动",
        "第1期",
        "36,000.00",
        "48,000.00",
        "履约保证金人民币陆仟元整（¥6,000.00）",
        "季度走访",
        "乙方（盖章）：",
    ] {
        assert!(flat.contains(&squeeze(expected)), "missing {expected} in\n{text}");
    }
    let pages = flat.matches("页/共").count();
    assert!(pages >= 2, "{text}");
    assert!(
        flat.contains(&format!("第1页/共{pages}页")) && flat.contains(&format!("第{pages}页/共{pages}页")),
        "{text}"
    );
    // No line starts with closing punctuation.
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with(['，', '。', '、', '；', '：', '）']),
            "line starts with punctuation: {line}"
        );
    }
    app.clock.set(now());
    fuhua::worker::deliver_due(s).await.expect("deliver");
    let sent = smtp.messages();
    let subjects: Vec<String> = sent.iter().map(|m| subject(&m.data)).collect();
    let mail = sent
        .iter()
        .find(|m| squeeze(&subject(&m.data)) == "[SYHT-2027-001]请签署政府购买服务合同")
        .unwrap_or_else(|| panic!("contract mail, filed under its number, among {subjects:?}"));
    assert_eq!(mail.to, vec![w.provider.email.clone()]);
    assert_eq!(attachment(&mail.data, "application/pdf"), doc.data, "the attachment is the stored PDF, byte for byte");

    // A sent contract cannot be edited; the terms stay as they were.
    let r = terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, k.id, &short).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "contract.signed_no_edit"), "{r:?}");
    assert_eq!(app.count("contract_outputs").await, 2);

    // Another organization sees nothing: not the page, not the PDF, not in its list.
    let mut other = app.relogin(&w.other.email).await;
    assert_eq!(other.get(&app, &format!("/contracts/{}", k.id)).await.status, Status::NotFound);
    assert_eq!(other.get(&app, &format!("/contracts/{}/documents/{doc_id}", k.id)).await.status, Status::NotFound);
    assert!(!other.get(&app, "/contracts").await.body.contains("SYHT-2027-001"));
    // The provider reads it, downloads the same bytes, and a scan in the wrong format is refused.
    let mut provider = app.relogin(&w.provider.email).await;
    let page = provider.get(&app, &format!("/contracts/{}", k.id)).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("SYHT-2027-001") && page.body.contains(&doc.sha256));
    let got = provider.get(&app, &format!("/contracts/{}/documents/{doc_id}", k.id)).await;
    assert_eq!(got.bytes, doc.data);
    let r = provider.post_multipart(&app, &format!("/contracts/{}/countersign", k.id), "scan.pdf", b"not a pdf").await;
    assert_eq!(r.status, Status::UnprocessableEntity);
    assert_eq!(contract(&app, k.id).await.status, ContractStatus::Sent);
    // Signing asks first, and asks for the box "I have read the contract" to be ticked.
    let at = format!("/contracts/{}/accept", k.id);
    let r = provider.post(&app, &at, &[]).await;
    assert_eq!(r.status, Status::Ok);
    assert!(r.body.contains("我已阅读合同全文，同意合同条款") && r.body.contains("SYHT-2027-001"), "{}", r.body);
    let r = provider.post(&app, &at, &[("confirmed", "1")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "the box left empty");
    assert!(r.body.contains("请先勾选确认"));
    assert_eq!(contract(&app, k.id).await.status, ContractStatus::Sent, "not signed yet");
    let r = provider.post(&app, &at, &[("confirmed", "1"), ("acknowledged", "1")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let k = contract(&app, k.id).await;
    assert_eq!((k.status, k.signed_via.as_deref()), (ContractStatus::Active, Some("platform")));
    // Signing makes the first instalment (30% on signing) payable.
    let inst = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(k.id))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .all(app.db())
        .await
        .expect("q");
    assert_eq!(
        inst.iter().map(|i| i.status).collect::<Vec<_>>(),
        vec![InstalmentStatus::Payable, InstalmentStatus::Pending, InstalmentStatus::Pending]
    );
    // Anyone can check the PDF against the platform by its digest.
    let mut visitor = app.agent();
    let v = visitor.get(&app, &format!("/documents/verify?sha256={}", doc.sha256.to_uppercase())).await;
    assert!(v.status == Status::Ok && v.body.contains("SYHT-2027-001"), "{}", v.body);
    let v = visitor.get(&app, &format!("/documents/verify?sha256={}", "0".repeat(64))).await;
    assert!(!v.body.contains("SYHT-2027-001"));
    let v = visitor.get(&app, "/documents/verify?sha256=xyz").await;
    assert_eq!(v.status, Status::UnprocessableEntity);
    assert!(m1.id > 0);
}

#[rocket::async_test]
async fn milestones_are_reported_returned_accepted_and_instalments_paid_never_beyond_what_is_payable() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    let ms = active(&app, &w).await;
    let s = app.state();
    let mid = &ms[0];
    let indicator = entity::milestone_indicator::Entity::find()
        .filter(entity::milestone_indicator::Column::MilestoneId.eq(mid.id))
        .one(app.db())
        .await
        .expect("q")
        .expect("indicator");
    let inst = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(w.contract))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .all(app.db())
        .await
        .expect("q");
    let when = chrono::DateTime::parse_from_rfc3339("2027-02-01T02:00:00Z").expect("t").with_timezone(&chrono::Utc);

    // Paying: the pending mid-term instalment is refused, more than the signing instalment's
    // ¥36,000 is refused, junk is refused with the field named; nothing is recorded.
    let r =
        payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[1].id, "100", "PZ-1")).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "payment.not_payable"), "{r:?}");
    let r =
        payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "36000.01", "PZ-1"))
            .await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("amount")), "{r:?}");
    let r = payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "-5", "")).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("amount") && e.has("voucher_no")), "{r:?}");
    let mut future = pay(inst[0].id, "100", "PZ-1");
    future.paid_on = "2027-03-01".into();
    assert!(
        matches!(payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &future).await, Err(AppError::Invalid(ref e)) if e.has("paid_on"))
    );
    assert_eq!(app.count("payments").await, 0);
    // Paid in two parts; the second closes the instalment; a voucher is used once.
    payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "20000", "PZ-1"))
        .await
        .expect("pay");
    let r =
        payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "1", "PZ-1")).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("voucher_no")), "{r:?}");
    payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "16000", "PZ-2"))
        .await
        .expect("pay");
    let r =
        payments::record(app.db(), &s.emails, "o", &w.officer, when, w.contract, &pay(inst[0].id, "1", "PZ-3")).await;
    assert!(matches!(r, Err(AppError::Conflict(ref m)) if m.key == "payment.already_paid"), "{r:?}");

    // The provider reports; the officer cannot return it without a comment; returns it;
    // the provider reports again (version 2); the officer accepts; a second acceptance is refused.
    let bad = report(indicator.id, "-3");
    assert!(
        matches!(reports::submit(app.db(), &w.provider, when, mid.id, &bad, &[]).await, Err(AppError::Invalid(ref e)) if e.has("achieved"))
    );
    assert!(matches!(
        reports::submit(app.db(), &w.other, when, mid.id, &report(indicator.id, "180"), &[]).await,
        Err(AppError::NotFound)
    ));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    reports::submit(app.db(), &w.provider, when, mid.id, &report(indicator.id, "180"), &[("照片.png".into(), png)])
        .await
        .expect("report");
    assert!(
        matches!(
            reports::submit(app.db(), &w.provider, when, mid.id, &report(indicator.id, "180"), &[]).await,
            Err(AppError::Conflict(_))
        ),
        "one open report at a time"
    );
    let r = reports::decide(app.db(), &s.emails, "o", &w.officer, when, mid.id, false, " ").await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("comment")), "{r:?}");
    reports::decide(app.db(), &s.emails, "o", &w.officer, when, mid.id, false, "请补充探访记录").await.expect("return");
    reports::submit(app.db(), &w.provider, when, mid.id, &report(indicator.id, "200"), &[]).await.expect("again");
    reports::decide(app.db(), &s.emails, "o", &w.officer, when, mid.id, true, "").await.expect("accept");
    let twice = reports::decide(app.db(), &s.emails, "o", &w.officer, when, mid.id, true, "").await;
    assert!(matches!(twice, Err(AppError::Conflict(ref m)) if m.key == "milestone.nothing_to_decide"), "{twice:?}");
    let versions: Vec<(i32, Option<entity::enums::ReportDecision>)> = entity::milestone_report::Entity::find()
        .filter(entity::milestone_report::Column::MilestoneId.eq(mid.id))
        .order_by_asc(entity::milestone_report::Column::Version)
        .all(app.db())
        .await
        .expect("q")
        .into_iter()
        .map(|r| (r.version, r.decision))
        .collect();
    use entity::enums::ReportDecision::*;
    assert_eq!(versions, vec![(1, Some(Returned)), (2, Some(Accepted))]);
    // The accepted milestone's instalment (¥48,000) also waits for the mid-term evaluation;
    // once that has passed, it is payable.
    assert_eq!(
        entity::contract_instalment::Entity::find_by_id(inst[1].id).one(app.db()).await.expect("q").expect("i").status,
        InstalmentStatus::Pending
    );
    let sheet = [["36", "18", "27", "9"]];
    crate::support::evaluations::released(&app, &w, entity::enums::EvaluationKind::Midterm, &sheet).await;
    let k = contract(&app, w.contract).await;
    let v = fuhua::domain::contracts::view::build(
        app.db(),
        &k,
        fuhua::domain::contracts::access::Viewer::Bureau,
        &s.config.contracts,
        when.date_naive(),
    )
    .await
    .expect("view");
    assert_eq!((v.totals.paid_fen, v.totals.payable_fen, v.totals.remaining_fen), (3_600_000, 4_800_000, 8_400_000));
    let mail = app.outbox().await;
    assert!(mail.iter().any(|m| m.kind == "milestone_returned" && m.body_text.contains("请补充探访记录")));
    assert!(mail.iter().any(|m| m.kind == "milestone_accepted"));
    assert_eq!(mail.iter().filter(|m| m.kind == "payment_recorded").count(), 2);
    // Through the page: a payment with junk gets the form again (422), never a 500.
    app.clock.set(when);
    let mut officer2 = app.relogin(&w.officer.email).await;
    let r = officer2
        .post(
            &app,
            &format!("/contracts/{}/payments", w.contract),
            &[
                ("instalment_id", &inst[1].id.to_string()),
                ("amount", "四万"),
                ("paid_on", "明天"),
                ("voucher_no", "PZ-9"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    // Every field in error is listed at the top, each linking to its field, with focus there.
    let summary = &r.body[r.body.find("class=\"error-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").expect("end")];
    assert!(summary.contains("autofocus") && summary.contains("有 2 处需要修改"), "{summary}");
    assert!(summary.contains("href=\"#f-amount\"") && summary.contains("href=\"#f-paid_on\""), "{summary}");
    assert!(r.body.contains("id=\"f-amount\"") && r.body.contains("id=\"f-paid_on\""), "the links lead to fields");
    let iid = inst[1].id.to_string();
    let typed =
        [("instalment_id", iid.as_str()), ("amount", "48000"), ("paid_on", "2027-02-01"), ("voucher_no", "PZ-9")];
    // A valid payment is first shown for confirmation, and nothing is recorded yet.
    let r = officer2.post(&app, &format!("/contracts/{}/payments", w.contract), &typed).await;
    assert_eq!(r.status, Status::Ok, "{}", r.body);
    assert!(r.body.contains("确认登记付款") && r.body.contains("¥48,000.00") && r.body.contains("PZ-9"), "{}", r.body);
    assert!(r.body.contains("name=\"confirmed\" value=\"1\""));
    assert_eq!(
        payments::of_contract(app.db(), w.contract).await.expect("q").len(),
        2,
        "not recorded before confirmation"
    );
    let confirmed = [&typed[..], &[("confirmed", "1")]].concat();
    let r = officer2.post(&app, &format!("/contracts/{}/payments", w.contract), &confirmed).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    assert_eq!(
        entity::contract_instalment::Entity::find_by_id(inst[1].id).one(app.db()).await.expect("q").expect("i").status,
        InstalmentStatus::Paid
    );
    let page = officer2.get(&app, &format!("/contracts/{}", w.contract)).await;
    assert!(page.body.contains("¥84,000.00") && page.body.contains("¥36,000.00"), "paid and remaining shown");

    // Recorded by mistake: reversed with a reason, by an entry; nothing deleted.
    let paid = payments::of_contract(app.db(), w.contract).await.expect("q");
    let wrong = paid.iter().find(|p| p.voucher_no == "PZ-9").expect("PZ-9").clone();
    let at = format!("/contracts/{}/payments/{}/reverse", w.contract, wrong.id);
    let form = officer2.get(&app, &at).await;
    assert_eq!(form.status, Status::Ok);
    assert!(form.body.contains("冲销付款记录") && form.body.contains("PZ-9"));
    let r = officer2.post(&app, &at, &[("text", "")]).await;
    assert_eq!(r.status, Status::UnprocessableEntity, "a reason is required");
    assert!(r.body.contains("请填写冲销理由"), "{}", r.body);
    assert_eq!(payments::of_contract(app.db(), w.contract).await.expect("q").len(), 3, "nothing changed");
    let mut provider = app.relogin(&w.provider.email).await;
    assert_ne!(provider.post(&app, &at, &[("text", "试图冲销")]).await.status, Status::SeeOther, "officers only");
    let r = officer2.post(&app, &at, &[("text", "金额录入错误，应为第三期")]).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let after = payments::of_contract(app.db(), w.contract).await.expect("q");
    assert_eq!(after.len(), 4, "the payment stays, a reversal entry is added");
    let entry = after.iter().find(|p| p.reverses_id == Some(wrong.id)).expect("reversal entry");
    assert_eq!(entry.amount_fen, -wrong.amount_fen);
    assert_eq!(entry.reason.as_deref(), Some("金额录入错误，应为第三期"));
    assert_eq!(
        entity::contract_instalment::Entity::find_by_id(inst[1].id).one(app.db()).await.expect("q").expect("i").status,
        InstalmentStatus::Payable,
        "the instalment is payable again"
    );
    let page = officer2.get(&app, &format!("/contracts/{}", w.contract)).await;
    assert!(page.body.contains("已冲销") && page.body.contains("冲销 PZ-9"), "the entry and its mark are shown");
    assert!(page.body.contains("¥36,000.00"), "paid is back to what it was");
    // Once only: neither the payment again nor the reversal entry.
    assert_eq!(officer2.post(&app, &at, &[("text", "再次冲销")]).await.status, Status::NotFound);
    let again = format!("/contracts/{}/payments/{}/reverse", w.contract, entry.id);
    assert_eq!(officer2.post(&app, &again, &[("text", "冲销冲销记录")]).await.status, Status::NotFound);
    assert!(matches!(
        payments::reverse(app.db(), &s.emails, ORIGIN, &w.officer, when, w.contract, wrong.id, "再次").await,
        Err(AppError::Conflict(_))
    ));
    let mail = app.outbox().await;
    assert!(mail.iter().any(|m| m.kind == "payment_reversed" && m.body_text.contains("金额录入错误")));
    // Mail people can file: the subject names the contract.
    assert!(
        mail.iter().filter(|m| m.kind.starts_with("payment_")).all(|m| m.subject.starts_with("[SYHT-")),
        "{:?}",
        mail.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    let audit = entity::audit_log::Entity::find().all(app.db()).await.expect("q");
    assert!(audit.iter().any(|a| a.action == "contract.payment_reversed"));
    // The status of the final milestone is unchanged by all this.
    let last = milestones::of_contract(app.db(), w.contract).await.expect("q").pop().expect("m");
    assert_eq!(last.status, MilestoneStatus::Scheduled);
}

#[rocket::async_test]
async fn providers_are_reminded_14_and_3_days_before_and_when_overdue_once_each_and_officers_get_a_digest() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    let ms = active(&app, &w).await;
    let s = app.state();
    let rules = &s.config.contracts;
    // The mid-term milestone is due 2027-06-30 (Beijing).
    let at = |date: &str| {
        chrono::DateTime::parse_from_rfc3339(&format!("{date}T01:00:00Z")).expect("t").with_timezone(&chrono::Utc)
    };
    let run = |t: chrono::DateTime<chrono::Utc>| async move {
        let (a, b) = rocket::tokio::join!(
            reminders::run(&s.db, &s.emails, "http://x", t, rules),
            reminders::run(&s.db, &s.emails, "http://x", t, rules)
        );
        a.expect("run") + b.expect("run")
    };
    assert_eq!(run(at("2027-06-15")).await, 0, "fifteen days before: nothing");
    assert_eq!(run(at("2027-06-16")).await, 1, "fourteen days before: one, even with two workers at once");
    assert_eq!(run(at("2027-06-20")).await, 0);
    assert_eq!(run(at("2027-06-27")).await, 1, "three days before");
    assert_eq!(run(at("2027-06-30")).await, 0, "due today is not yet overdue");
    assert_eq!(run(at("2027-07-01")).await, 1, "overdue");
    assert_eq!(run(at("2027-07-02")).await, 0);
    let mail = app.outbox().await;
    let count = |kind: &str| mail.iter().filter(|m| m.kind == kind).count();
    assert_eq!((count("milestone_due"), count("milestone_overdue")), (2, 1));
    let due = mail.iter().find(|m| m.kind == "milestone_due").expect("due");
    assert_eq!(due.to_address, w.provider.email);
    assert!(due.body_text.contains("2027-06-30"));
    // The overdue flag shows on the contract.
    let k = contract(&app, w.contract).await;
    let v = fuhua::domain::contracts::view::build(
        app.db(),
        &k,
        fuhua::domain::contracts::access::Viewer::Member,
        rules,
        at("2027-07-02").date_naive(),
    )
    .await
    .expect("view");
    assert_eq!(v.overdue_count, 1);
    // A report in: officers get one digest a day (after 08:00 Beijing), none on a quiet day.
    let indicator = entity::milestone_indicator::Entity::find()
        .filter(entity::milestone_indicator::Column::MilestoneId.eq(ms[0].id))
        .one(app.db())
        .await
        .expect("q")
        .expect("i");
    reports::submit(app.db(), &w.provider, at("2027-07-02"), ms[0].id, &report(indicator.id, "190"), &[])
        .await
        .expect("report");
    let early = chrono::DateTime::parse_from_rfc3339("2027-07-02T23:30:00Z").expect("t").with_timezone(&chrono::Utc);
    assert_eq!(run(early).await, 0, "07:30 Beijing: too early for the digest");
    let officers: Vec<String> = entity::user::Entity::find()
        .filter(entity::user::Column::Role.eq(entity::enums::Role::Officer))
        .all(app.db())
        .await
        .expect("q")
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(run(at("2027-07-03")).await, officers.len(), "one digest per officer");
    assert_eq!(run(at("2027-07-03")).await, 0);
    let digests: Vec<_> = app.outbox().await.into_iter().filter(|m| m.kind == "review_digest").collect();
    assert_eq!(digests.iter().map(|d| d.to_address.clone()).collect::<Vec<_>>(), officers);
    assert!(digests[0].body_text.contains("SYHT-2027-001"));
}

#[rocket::async_test]
async fn a_signed_contract_changes_only_by_amendment_with_its_own_pdf_and_the_api_keeps_organizations_apart() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    active(&app, &w).await;
    let s = app.state();
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    let (officer_row, contract_id) = (&w.officer, w.contract);
    let amend = |input: fuhua::domain::contracts::amendments::AmendmentInput| async move {
        fuhua::domain::contracts::amendments::amend(
            &s.db,
            &s.documents,
            &s.emails,
            "http://x",
            officer_row,
            now(),
            rules,
            proc,
            contract_id,
            &input,
            Locale::ZhCn,
        )
        .await
    };
    use fuhua::domain::contracts::amendments::AmendmentInput;
    // Nothing to change, a term past twelve months, an end before the last milestone: refused.
    let r = amend(AmendmentInput { reason: "无".into(), ..Default::default() }).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("reason")), "{r:?}");
    let r = amend(AmendmentInput { reason: "延期".into(), ends_on: "2028-01-31".into(), ..Default::default() }).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("ends_on")), "{r:?}");
    let r = amend(AmendmentInput { reason: "提前".into(), ends_on: "2027-05-31".into(), ..Default::default() }).await;
    assert!(matches!(r, Err(AppError::Invalid(ref e)) if e.has("ends_on")), "{r:?}");
    assert_eq!(app.count("contract_amendments").await, 0);
    let seq = amend(AmendmentInput {
        reason: "服务对象增加".into(),
        performance_targets: "服务对象满意度不低于 95%。".into(),
        ..Default::default()
    })
    .await
    .expect("amend");
    assert_eq!(seq, 1);
    let k = contract(&app, w.contract).await;
    assert_eq!(k.performance_targets, "服务对象满意度不低于 95%。");
    let doc = entity::contract_document::Entity::find()
        .filter(entity::contract_document::Column::Kind.eq(entity::enums::DocumentKind::Amendment))
        .one(app.db())
        .await
        .expect("q")
        .expect("amendment pdf");
    let text = squeeze(&pdf_text(&doc.data));
    for expected in
        ["补充协议", "原合同编号：SYHT-2027-001", "补充协议第1号", "服务对象增加", "服务对象满意度不低于95%。"]
    {
        assert!(text.contains(&squeeze(expected)), "missing {expected}: {text}");
    }
    assert!(
        app.outbox().await.iter().any(|m| m.kind == "contract_amended" && m.attachment_document_id == Some(doc.id))
    );

    // The English draft preview, for the officer only.
    app.clock.set(now());
    let mut officer = app.relogin(&w.officer.email).await;
    let pdf = officer.get(&app, &format!("/contracts/{}/preview.pdf?lang=en", w.contract)).await;
    assert_eq!(pdf.status, Status::Ok);
    let text = pdf_text(&pdf.bytes);
    for expected in [
        "Government Service Purchase Contract",
        "Contract No.: SYHT-2027-001",
        "Article 1. Service content.",
        "Page 1 of",
        "(in Chinese capital",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    // English punctuation in the English document: no 人民币, no full-width colon or brackets
    // of Fuhua's own making (names typed in Chinese keep theirs).
    assert!(!text.contains("人民币") && !text.contains("Party A)：") && !text.contains("：2"), "{text}");
    // The English page too: its own punctuation, not the Chinese page's.
    let mut english = officer.clone().with_header("Accept-Language", "en");
    let page = english.get(&app, &format!("/contracts/{}", w.contract)).await;
    let main = &page.body[page.body.find("<main").unwrap_or(0)..];
    for mark in ["人民币", "（", "）", "："] {
        assert!(!main.contains(mark), "{mark} on the English page: {main}");
    }
    assert!(main.contains("(in Chinese capital numerals: "), "{main}");
    let mut provider = app.relogin(&w.provider.email).await;
    assert_eq!(provider.get(&app, &format!("/contracts/{}/preview.pdf", w.contract)).await.status, Status::Forbidden);

    // The API: the provider lists its contract, another organization lists none and gets 404.
    let app_ref = &app;
    let token = |u: entity::user::Model| async move {
        let t = fuhua::domain::accounts::create_api_token(app_ref.db(), &u, "t", now()).await.expect("token");
        app_ref.agent().with_header("Authorization", &format!("Bearer {t}"))
    };
    let mut p = token(w.provider.clone()).await;
    let listed = p.get(&app, "/api/v1/contracts").await.json();
    assert_eq!(listed["contracts"].as_array().map(Vec::len), Some(1), "{listed}");
    let one = p.get(&app, &format!("/api/v1/contracts/{}", w.contract)).await.json();
    assert_eq!(one["number"], "SYHT-2027-001");
    assert_eq!(one["totals"]["remaining_fen"], 12_000_000);
    // The reader is named by party, and told what it may do: nothing on an active contract.
    assert_eq!(one["viewer"], "provider", "{one}");
    assert_eq!(one["can"]["sign"], false, "{one}");
    assert_eq!(one["can"]["manage"], false, "{one}");
    let mut o = token(w.other.clone()).await;
    assert_eq!(o.get(&app, "/api/v1/contracts").await.json()["contracts"], serde_json::json!([]));
    assert_eq!(o.get(&app, &format!("/api/v1/contracts/{}", w.contract)).await.status, Status::NotFound);
    // The provider cannot pay itself; junk gets a clear 422; the officer pays through the API.
    let body = serde_json::json!({"instalment_id": "x", "amount": "三万", "paid_on": "", "voucher_no": ""});
    let r = p
        .send_json(&app, rocket::http::Method::Post, &format!("/api/v1/contracts/{}/payments", w.contract), &body)
        .await;
    assert_eq!(r.status, Status::Forbidden);
    let mut off = token(w.officer.clone()).await;
    let r = off
        .send_json(&app, rocket::http::Method::Post, &format!("/api/v1/contracts/{}/payments", w.contract), &body)
        .await;
    assert_eq!(r.status, Status::UnprocessableEntity, "{}", r.body);
    let inst = entity::contract_instalment::Entity::find()
        .filter(entity::contract_instalment::Column::ContractId.eq(w.contract))
        .order_by_asc(entity::contract_instalment::Column::Position)
        .one(app.db())
        .await
        .expect("q")
        .expect("i");
    let body = serde_json::json!({"instalment_id": inst.id.to_string(), "amount": "36000", "paid_on": "2027-01-09", "voucher_no": "API-1"});
    let r = off
        .send_json(&app, rocket::http::Method::Post, &format!("/api/v1/contracts/{}/payments", w.contract), &body)
        .await;
    assert_eq!(r.status, Status::Created, "{}", r.body);
    // Anyone can check a digest through the API.
    let r = app.agent().get(&app, &format!("/api/v1/documents/{}", doc.sha256)).await;
    assert_eq!(r.json()["kind"], "amendment");
}

#[rocket::async_test]
async fn the_longest_terms_the_forms_allow_print_in_full() {
    let app = TestApp::new().await;
    let w = awarded(&app).await;
    let s = app.state();
    let (rules, proc) = (&s.config.contracts, &s.config.procurement);
    let text = |n: usize| "每户探访须记录老人健康状况，".chars().cycle().take(n).collect::<String>();
    let mut t = complete_terms();
    t.service_content = text(4000);
    t.outputs[0].standard = text(500);
    t.outputs[0].name = text(100);
    terms::save(app.db(), &w.officer, now(), proc, rules.max_bond_percent, w.contract, &t).await.expect("terms");
    let long = MilestoneInput {
        title: text(100),
        due_on: "2027-09-30".into(),
        deliverables: text(1000),
        indicators: (0..10)
            .map(|i| IndicatorInput { name: format!("{i}{}", text(99)), unit: "人次".into(), target: "100".into() })
            .collect(),
    };
    milestones::add(app.db(), &w.officer, now(), w.contract, &long).await.expect("milestone");
    let k = contract(&app, w.contract).await;
    let v = fuhua::domain::contracts::view::build(
        app.db(),
        &k,
        fuhua::domain::contracts::access::Viewer::Bureau,
        rules,
        now().date_naive(),
    )
    .await
    .expect("view");
    let request = fuhua::domain::contracts::documents::ContractDocument::Contract {
        view: Box::new(v),
        language: Locale::ZhCn,
        draft: false,
    };
    let pdf = fuhua::domain::documents::render(&s.documents, request).await.expect("pdf");
    let got = squeeze(&pdf_text(&pdf.bytes));
    // Every character typed comes back: count one that only the typed text uses.
    let typed: String =
        [&t.service_content, &t.outputs[0].standard, &t.outputs[0].name, &long.title, &long.deliverables]
            .into_iter()
            .cloned()
            .chain(long.indicators.iter().map(|i| i.name.clone()))
            .collect();
    let count = |s: &str| s.chars().filter(|c| *c == '康').count();
    assert_eq!(count(&got), count(&typed), "text lost over {} pages", pdf.pages);
    for i in 0..10 {
        assert!(got.contains(&format!("{i}{}", &squeeze(&text(20)))), "indicator {i}");
    }
    assert!(pdf.pages >= 4, "{} pages", pdf.pages);
}
