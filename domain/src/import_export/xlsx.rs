//! The registry's export as an Excel workbook: a named sheet, typed cells (dates as dates,
//! registered funds as a number shown in yuan, codes and names as text), the header row
//! frozen with a filter on every column, and widths by column.
use super::{COLUMNS, categories_of, export_rows, headers, visible_columns};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::organizations::Places;
use chrono::Datelike;
use entity::organization;
use sea_orm::DatabaseConnection;

pub async fn export_xlsx(
    db: &DatabaseConnection,
    places: &Places,
    orgs: &[organization::Model],
    locale: Locale,
    include_contacts: bool,
) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let cats = categories_of(db, orgs).await?;
    let n = visible_columns(include_contacts);
    let x = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let yuan = Format::new().set_num_format("¥#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name(if locale == Locale::En { "Organizations" } else { "社会组织" }).map_err(x)?;
    for (c, h) in headers(locale, n).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(x)?;
        ws.set_column_width(c as u16, COLUMN_WIDTHS.get(c).copied().unwrap_or(16.0)).map_err(x)?;
    }
    // Typed cells: dates as dates, money as numbers shown in yuan, codes and names as text.
    let as_date = |d: chrono::NaiveDate| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8);
    for (r, (o, row)) in orgs.iter().zip(export_rows(orgs, &cats, places, locale)).enumerate() {
        let r = r as u32 + 1;
        for (c, v) in row.iter().take(n).enumerate() {
            let c16 = c as u16;
            let day = match COLUMNS[c].0 {
                "registration_date" => Some(o.registration_date),
                "certificate_valid_until" => o.certificate_valid_until,
                _ => None,
            };
            match (day, COLUMNS[c].0) {
                (Some(d), _) => ws.write_datetime_with_format(r, c16, as_date(d).map_err(x)?, &date),
                (None, "registered_funds") => {
                    ws.write_number_with_format(r, c16, o.registered_funds_fen as f64 / 100.0, &yuan)
                }
                _ => ws.write_string(r, c16, v),
            }
            .map_err(x)?;
        }
    }
    // The header stays in view, with a filter on every column.
    ws.set_freeze_panes(1, 0).map_err(x)?;
    ws.autofilter(0, 0, orgs.len() as u32, n as u16 - 1).map_err(x)?;
    wb.save_to_buffer().map_err(x)
}

/// Column widths of the export (characters), in `COLUMNS` order: names, addresses and the
/// business scope wide, codes as wide as an 18-character USCC.
const COLUMN_WIDTHS: &[f64] =
    &[36.0, 22.0, 14.0, 12.0, 18.0, 12.0, 36.0, 12.0, 16.0, 40.0, 16.0, 18.0, 14.0, 24.0, 10.0, 16.0, 26.0];
