//! Calls for proposals: the form fields, a draft, a call row.
use crate::support::*;
use rocket::http::Status;
use sea_orm::EntityTrait;

/// A complete call: consultation, price weight 20, instalments 30/40/30, questions close
/// 2026-12-10 and bids 2026-12-20 (t0 is 2026-11-26).
pub fn fields(district: i32) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("title", "吉阳区居家养老上门服务项目".to_string()),
        ("category", "elderly".into()),
        ("purchase_type", "specific_project".into()),
        ("method", "competitive_consultation".into()),
        ("budget", "120000".into()),
        ("districts", district.to_string()),
        ("target_groups", "辖区 80 岁以上独居老人".into()),
        ("outputs_expected", "上门探访 2,000 人次；助餐 5,000 人次".into()),
        ("term_months", "12".into()),
        ("require_annual_report", "on".into()),
        ("question_deadline", "2026-12-10T17:00".into()),
        ("bid_deadline", "2026-12-20T09:30".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let criteria = [("服务方案", "40", false), ("团队", "20", false), ("业绩", "20", false), ("报价", "20", true)];
    for (n, (name, weight, price)) in criteria.iter().enumerate() {
        f.push((format!("criteria[{n}].name"), name.to_string()));
        f.push((format!("criteria[{n}].weight"), weight.to_string()));
        if *price {
            f.push((format!("criteria[{n}].is_price"), "on".into()));
        }
    }
    for (n, (pct, cond)) in [("30", "signing"), ("40", "midterm_passed"), ("30", "final_passed")].iter().enumerate() {
        f.push((format!("instalments[{n}].percent"), pct.to_string()));
        f.push((format!("instalments[{n}].condition"), cond.to_string()));
    }
    f
}

/// The fields with one value replaced in place (a browser sends a row's fields together).
pub fn with(mut f: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    match f.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value.to_string(),
        None => f.push((key.to_string(), value.to_string())),
    }
    f
}

pub fn refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub async fn call_row(app: &TestApp, id: i32) -> entity::call::Model {
    entity::call::Entity::find_by_id(id).one(app.db()).await.expect("q").expect("call")
}

pub async fn draft(app: &TestApp, officer: &mut Agent, f: &[(String, String)]) -> i32 {
    let r = officer.post(app, "/calls", &refs(f)).await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    crate::support::hubs::id_from(&r.location)
}
