//! Filters and exports of the working lists — calls, contracts and evaluations: by status,
//! year, district and service category, with a free-text search, and each list as an Excel
//! workbook with typed cells (the same rows the page shows, so an export never reveals
//! more than the list).
use crate::contracts::listing::ContractRow;
use crate::error::AppResult;
use crate::evaluations::listing::EvaluationRow;
use crate::i18n::{Locale, to_local};
use crate::procurement::calls::Phase;
use crate::sheets::{Cell, Column, Sheet, col};
use chrono::{DateTime, Datelike, Utc};
use entity::{call, contract_instalment, payment};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// What a list is narrowed to; a value that means nothing (an unknown status, a year that is
/// not a number) narrows nothing, so a hand-edited address still shows a list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    pub q: String,
    pub status: String,
    pub year: String,
    pub district: String,
    pub category: String,
}

/// What a filter looks at in one row.
pub struct Facts<'a> {
    pub texts: &'a [&'a str],
    pub status: &'a str,
    pub year: Option<i32>,
    /// The districts served; none means the whole city.
    pub districts: &'a [i32],
    pub category: &'a str,
}

impl ListFilter {
    pub fn keeps(&self, f: &Facts) -> bool {
        let status = self.status.trim();
        let category = self.category.trim();
        (status.is_empty() || status == f.status)
            && (category.is_empty() || category == f.category)
            && self.year.trim().parse::<i32>().map_or(true, |y| f.year == Some(y))
            && self.district.trim().parse::<i32>().map_or(true, |d| f.districts.is_empty() || f.districts.contains(&d))
            && crate::sheets::matches_search(&self.q, f.texts)
    }

    pub fn is_narrowed(&self) -> bool {
        [&self.q, &self.status, &self.year, &self.district, &self.category].iter().any(|v| !v.trim().is_empty())
    }
}

/// The districts of a call's area (stored as a JSON list of ids).
pub fn call_districts(c: &call::Model) -> Vec<i32> {
    serde_json::from_str(&c.area_district_ids).unwrap_or_default()
}

/// The year a call belongs to: its publication's, else its creation's (Beijing time).
pub fn call_year(c: &call::Model) -> i32 {
    to_local(c.published_at.unwrap_or(c.created_at)).year()
}

/// Keeps the calls the filter keeps, with their phases.
pub fn filter_calls(f: &ListFilter, calls: Vec<(call::Model, Phase)>) -> Vec<(call::Model, Phase)> {
    calls
        .into_iter()
        .filter(|(c, p)| {
            let texts = [c.title.as_str(), c.reference.as_deref().unwrap_or("")];
            let districts = call_districts(c);
            f.keeps(&Facts {
                texts: &texts,
                status: p.code(),
                year: Some(call_year(c)),
                districts: &districts,
                category: c.category.code(),
            })
        })
        .collect()
}

pub fn filter_contracts(f: &ListFilter, rows: Vec<ContractRow>) -> Vec<ContractRow> {
    rows.into_iter()
        .filter(|k| {
            let texts = [k.call_title.as_str(), k.provider.as_str(), k.number.as_deref().unwrap_or("")];
            f.keeps(&Facts {
                texts: &texts,
                status: k.status.code(),
                year: Some(k.year),
                districts: &k.district_ids,
                category: k.category.code(),
            })
        })
        .collect()
}

pub fn filter_evaluations(f: &ListFilter, rows: Vec<EvaluationRow>) -> Vec<EvaluationRow> {
    rows.into_iter()
        .filter(|e| {
            let texts = [e.project.as_str(), e.provider.as_str(), e.number.as_deref().unwrap_or("")];
            f.keeps(&Facts {
                texts: &texts,
                status: e.status.code(),
                year: Some(e.year),
                districts: &e.district_ids,
                category: e.category.code(),
            })
        })
        .collect()
}

const CALL_COLUMNS: &[Column] = &[
    col("项目编号", "Reference", 18.0),
    col("项目名称", "Title", 40.0),
    col("服务领域", "Category", 14.0),
    col("采购方式", "Method", 14.0),
    col("服务区域", "Area", 20.0),
    col("预算上限（元）", "Budget ceiling (yuan)", 16.0),
    col("服务期（月）", "Term (months)", 10.0),
    col("发布日期", "Published", 12.0),
    col("响应截止时间", "Bid deadline", 18.0),
    col("状态", "Status", 16.0),
];

const CONTRACT_COLUMNS: &[Column] = &[
    col("合同编号", "Contract number", 18.0),
    col("项目编号", "Call reference", 18.0),
    col("项目名称", "Project", 40.0),
    col("承接方", "Provider", 32.0),
    col("服务领域", "Category", 14.0),
    col("服务区域", "Area", 20.0),
    col("合同金额（元）", "Amount (yuan)", 16.0),
    col("已支付（元）", "Paid (yuan)", 16.0),
    col("签订日期", "Signed", 12.0),
    col("开始日期", "Starts", 12.0),
    col("结束日期", "Ends", 12.0),
    col("状态", "Status", 12.0),
];

const PAYMENT_COLUMNS: &[Column] = &[
    col("合同编号", "Contract number", 18.0),
    col("期次", "Instalment", 8.0),
    col("付款条件", "Condition", 30.0),
    col("金额（元）", "Amount (yuan)", 16.0),
    col("支付日期", "Paid on", 12.0),
    col("凭证号", "Voucher", 18.0),
    col("冲正原因", "Reversal reason", 30.0),
];

const EVALUATION_COLUMNS: &[Column] = &[
    col("合同编号", "Contract number", 18.0),
    col("项目名称", "Project", 40.0),
    col("承接方", "Provider", 32.0),
    col("服务领域", "Category", 14.0),
    col("服务区域", "Area", 20.0),
    col("评估类型", "Kind", 12.0),
    col("现场评估日期", "Visit on", 12.0),
    col("自评截止日期", "Self-evaluation due", 12.0),
    col("状态", "Status", 12.0),
    col("总分", "Total", 8.0),
    col("等级", "Grade", 10.0),
];

fn label(locale: Locale, prefix: &str, code: &str) -> Cell {
    Cell::text(locale.t(&format!("{prefix}.{code}")))
}

fn districts_text(ids: &[i32], places: &crate::organizations::Places, locale: Locale) -> String {
    if ids.is_empty() {
        return locale.t("list.whole_city").to_string();
    }
    ids.iter().map(|d| places.district_name(*d)).collect::<Vec<_>>().join("、")
}

fn local_date(t: Option<DateTime<Utc>>) -> Cell {
    Cell::date(t.map(|t| to_local(t).date_naive()))
}

pub fn calls_sheet(calls: &[(call::Model, Phase)], places: &crate::organizations::Places, locale: Locale) -> Sheet {
    let rows = calls
        .iter()
        .map(|(c, p)| {
            vec![
                Cell::text(c.reference.clone().unwrap_or_default()),
                Cell::text(&c.title),
                label(locale, "category", c.category.code()),
                label(locale, "method", c.method.code()),
                Cell::text(districts_text(&call_districts(c), places, locale)),
                if c.budget_ceiling_fen > 0 { Cell::Fen(c.budget_ceiling_fen) } else { Cell::Empty },
                Cell::Int(c.term_months as i64),
                local_date(c.published_at),
                Cell::time(c.bid_deadline),
                label(locale, "phase", p.code()),
            ]
        })
        .collect();
    Sheet { name_zh: "采购项目", name_en: "Calls", columns: CALL_COLUMNS.to_vec(), rows }
}

/// The contracts and, on a second sheet, every payment on them (reversals as negative entries).
pub async fn contracts_sheets<C: ConnectionTrait>(
    db: &C,
    rows: &[ContractRow],
    places: &crate::organizations::Places,
    locale: Locale,
) -> AppResult<[Sheet; 2]> {
    let ids: Vec<i32> = rows.iter().map(|k| k.id).collect();
    let mut payments = Vec::new();
    let mut instalments = Vec::new();
    for chunk in ids.chunks(1000) {
        payments.extend(
            payment::Entity::find()
                .filter(payment::Column::ContractId.is_in(chunk.to_vec()))
                .order_by_asc(payment::Column::PaidOn)
                .order_by_asc(payment::Column::Id)
                .all(db)
                .await?,
        );
        instalments.extend(
            contract_instalment::Entity::find()
                .filter(contract_instalment::Column::ContractId.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    let paid = |id: i32| payments.iter().filter(|p| p.contract_id == id).map(|p| p.amount_fen).sum::<i64>();
    let contracts = rows
        .iter()
        .map(|k| {
            vec![
                Cell::text(k.number.clone().unwrap_or_default()),
                Cell::text(k.call_reference.clone().unwrap_or_default()),
                Cell::text(&k.call_title),
                Cell::text(&k.provider),
                label(locale, "category", k.category.code()),
                Cell::text(districts_text(&k.district_ids, places, locale)),
                Cell::Fen(k.amount_fen.0),
                Cell::Fen(paid(k.id)),
                Cell::date(k.signed_on),
                Cell::date(k.starts_on),
                Cell::date(k.ends_on),
                label(locale, "contract_status", k.status.code()),
            ]
        })
        .collect();
    let number_of = |id: i32| rows.iter().find(|k| k.id == id).and_then(|k| k.number.clone()).unwrap_or_default();
    let payment_rows = payments
        .iter()
        .map(|p| {
            let inst = instalments.iter().find(|i| i.id == p.instalment_id);
            vec![
                Cell::text(number_of(p.contract_id)),
                inst.map_or(Cell::Empty, |i| Cell::Int(i.position as i64)),
                Cell::text(inst.map(|i| i.description.clone()).unwrap_or_default()),
                Cell::Fen(p.amount_fen),
                Cell::Date(p.paid_on),
                Cell::text(&p.voucher_no),
                Cell::text(if p.reverses_id.is_some() { p.reason.clone().unwrap_or_default() } else { String::new() }),
            ]
        })
        .collect();
    Ok([
        Sheet { name_zh: "合同", name_en: "Contracts", columns: CONTRACT_COLUMNS.to_vec(), rows: contracts },
        Sheet { name_zh: "付款", name_en: "Payments", columns: PAYMENT_COLUMNS.to_vec(), rows: payment_rows },
    ])
}

pub fn evaluations_sheet(rows: &[EvaluationRow], places: &crate::organizations::Places, locale: Locale) -> Sheet {
    let rows = rows
        .iter()
        .map(|e| {
            vec![
                Cell::text(e.number.clone().unwrap_or_default()),
                Cell::text(&e.project),
                Cell::text(&e.provider),
                label(locale, "category", e.category.code()),
                Cell::text(districts_text(&e.district_ids, places, locale)),
                label(locale, "evaluation_kind", e.kind.code()),
                Cell::Date(e.visit_on),
                Cell::Date(e.self_due_on),
                label(locale, "evaluation_status", e.status.code()),
                e.total_centi.map_or(Cell::Empty, |c| Cell::Decimal(c as f64 / 100.0)),
                e.grade.map_or(Cell::Empty, |g| label(locale, "evaluation_grade", g.code())),
            ]
        })
        .collect();
    Sheet { name_zh: "绩效评估", name_en: "Evaluations", columns: EVALUATION_COLUMNS.to_vec(), rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(texts: &'a [&'a str], districts: &'a [i32]) -> Facts<'a> {
        Facts { texts, status: "active", year: Some(2026), districts, category: "elderly" }
    }

    #[test]
    fn each_filter_narrows_and_nonsense_narrows_nothing() {
        let f = |status: &str, year: &str, district: &str, q: &str| ListFilter {
            q: q.into(),
            status: status.into(),
            year: year.into(),
            district: district.into(),
            category: String::new(),
        };
        let texts = ["三亚市长者照护项目", "SYHT-2026-001"];
        assert!(f("active", "2026", "2", "照护").keeps(&facts(&texts, &[2, 3])));
        assert!(!f("completed", "", "", "").keeps(&facts(&texts, &[2])));
        assert!(!f("", "2025", "", "").keeps(&facts(&texts, &[2])));
        assert!(!f("", "", "4", "").keeps(&facts(&texts, &[2])));
        // A project for the whole city serves every district.
        assert!(f("", "", "4", "").keeps(&facts(&texts, &[])));
        assert!(f("", "twenty", "x", "syht").keeps(&facts(&texts, &[2])));
        assert!(!f("", "", "", "儿童").keeps(&facts(&texts, &[2])));
    }
}
