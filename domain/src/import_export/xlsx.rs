//! The registry's export as an Excel workbook: a named sheet, typed cells (dates as dates,
//! registered funds as a number shown in yuan, codes and names as text), the header row
//! frozen with a filter on every column, widths by column, and the organization's status
//! and current assessment grade after the columns an import reads.
use super::{COLUMNS, categories_of, export_rows, visible_columns};
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::organizations::Places;
use crate::sheets::{Cell, Column, Sheet, col, workbook};
use chrono::NaiveDate;
use entity::{assessment_grade, organization};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;

/// Current grades (the highest valid today) of the organizations.
async fn grades_of(
    db: &DatabaseConnection,
    orgs: &[organization::Model],
    today: NaiveDate,
) -> AppResult<HashMap<i32, i32>> {
    let mut map: HashMap<i32, i32> = HashMap::new();
    let ids: Vec<i32> = orgs.iter().map(|o| o.id).collect();
    for chunk in ids.chunks(1000) {
        for g in assessment_grade::Entity::find()
            .filter(assessment_grade::Column::OrganizationId.is_in(chunk.to_vec()))
            .filter(assessment_grade::Column::ValidFrom.lte(today))
            .filter(assessment_grade::Column::ValidTo.gte(today))
            .all(db)
            .await?
        {
            let e = map.entry(g.organization_id).or_insert(g.grade);
            *e = (*e).max(g.grade);
        }
    }
    Ok(map)
}

/// Status and grade: shown, not read by an import.
const EXTRA: [Column; 2] = [col("状态", "Status", 12.0), col("评估等级", "Assessment grade", 12.0)];

pub async fn export_xlsx(
    db: &DatabaseConnection,
    places: &Places,
    orgs: &[organization::Model],
    locale: Locale,
    include_contacts: bool,
    today: NaiveDate,
) -> AppResult<Vec<u8>> {
    let cats = categories_of(db, orgs).await?;
    let grades = grades_of(db, orgs, today).await?;
    let n = visible_columns(include_contacts);
    let mut columns: Vec<Column> = COLUMNS
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, (_, zh, en))| col(zh, en, COLUMN_WIDTHS.get(i).copied().unwrap_or(16.0)))
        .collect();
    columns.extend(EXTRA);
    let rows = orgs
        .iter()
        .zip(export_rows(orgs, &cats, places, locale))
        .map(|(o, row)| {
            let mut cells: Vec<Cell> = row
                .into_iter()
                .take(n)
                .enumerate()
                .map(|(c, v)| match COLUMNS[c].0 {
                    "registration_date" => Cell::Date(o.registration_date),
                    "certificate_valid_until" => Cell::date(o.certificate_valid_until),
                    "registered_funds" => Cell::Fen(o.registered_funds_fen),
                    _ => Cell::Text(v),
                })
                .collect();
            cells.push(Cell::text(locale.t(&format!("status.{}", o.status.code()))));
            cells.push(grades.get(&o.id).map_or(Cell::Empty, |g| Cell::text(format!("{g}A"))));
            cells
        })
        .collect();
    let sheet = Sheet { name_zh: "社会组织", name_en: "Organizations", columns, rows };
    workbook(&[sheet], locale)
}

/// Column widths of the export (characters), in `COLUMNS` order: names, addresses and the
/// business scope wide, codes as wide as an 18-character USCC.
pub(crate) const COLUMN_WIDTHS: &[f64] =
    &[36.0, 22.0, 14.0, 12.0, 18.0, 12.0, 36.0, 12.0, 16.0, 40.0, 16.0, 18.0, 14.0, 24.0, 10.0, 16.0, 26.0];
