//! Excel workbooks as Fuhua writes them: each sheet named, its header row bold and frozen
//! with a filter on every column, widths by column, and typed cells — dates and times as
//! Excel dates, money as numbers shown in yuan, counts and scores as numbers, codes and
//! names as text (never a formula, whatever they begin with).
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// One cell's value, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    /// A moment, shown as Beijing time.
    Time(DateTime<Utc>),
    /// Money in fen, written as yuan with the ¥ format.
    Fen(i64),
    Int(i64),
    /// A number with two decimals (a score).
    Decimal(f64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    pub fn time(t: Option<DateTime<Utc>>) -> Cell {
        t.map_or(Cell::Empty, Cell::Time)
    }
}

/// A column: its header in each language and its width in characters.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
    pub width: f64,
}

pub const fn col(zh: &'static str, en: &'static str, width: f64) -> Column {
    Column { zh, en, width }
}

pub struct Sheet {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

pub(crate) fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(e.to_string())
}

/// The cell formats a workbook uses.
pub(crate) struct Formats {
    pub bold: Format,
    pub date: Format,
    pub time: Format,
    pub yuan: Format,
    pub decimal: Format,
    pub wrap: Format,
}

impl Formats {
    pub fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            yuan: Format::new().set_num_format("¥#,##0.00"),
            decimal: Format::new().set_num_format("0.00"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn excel_time(t: DateTime<Utc>) -> Result<ExcelDateTime, XlsxError> {
    let local = crate::i18n::to_local(t);
    excel_date(local.date_naive())?.and_hms(local.hour() as u16, local.minute() as u8, local.second())
}

pub(crate) fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
        Cell::Date(d) => ws.write_datetime_with_format(r, c, excel_date(*d)?, &f.date).map(|_| ()),
        Cell::Time(t) => ws.write_datetime_with_format(r, c, excel_time(*t)?, &f.time).map(|_| ()),
        Cell::Fen(fen) => ws.write_number_with_format(r, c, *fen as f64 / 100.0, &f.yuan).map(|_| ()),
        Cell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
        Cell::Decimal(x) => ws.write_number_with_format(r, c, *x, &f.decimal).map(|_| ()),
        Cell::Empty => Ok(()),
    }
}

/// Names the sheet, writes the header row with the widths, freezes it and filters every column.
pub(crate) fn header(
    ws: &mut Worksheet,
    name: &str,
    columns: &[Column],
    rows: usize,
    locale: Locale,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, column) in columns.iter().enumerate() {
        let h = if locale == Locale::En { column.en } else { column.zh };
        ws.write_string_with_format(0, c as u16, h, &f.bold)?;
        ws.set_column_width(c as u16, column.width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if !columns.is_empty() {
        ws.autofilter(0, 0, rows as u32, columns.len() as u16 - 1)?;
    }
    Ok(())
}

/// A workbook of the given sheets.
pub fn workbook(sheets: &[Sheet], locale: Locale) -> AppResult<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        let name = if locale == Locale::En { s.name_en } else { s.name_zh };
        header(ws, name, &s.columns, s.rows.len(), locale, &f).map_err(xlsx_error)?;
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, r as u32 + 1, c as u16, cell, &f).map_err(xlsx_error)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Whether a free-text search matches any of the texts (case-insensitive, blank matches all).
/// Whether a search matches any of the texts: as written, or (for a query of Latin letters)
/// by the pinyin initials of the Chinese in them, so "sylr" finds 三亚老人….
pub fn matches_search(q: &str, texts: &[&str]) -> bool {
    let q = q.trim().to_lowercase();
    if q.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&q)) {
        return true;
    }
    q.chars().all(|c| c.is_ascii_alphanumeric()) && texts.iter().any(|t| crate::organizations::initials(t).contains(&q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_reads_back_with_its_types() {
        use calamine::{Data, Reader, Xlsx};
        let sheet = Sheet {
            name_zh: "合同",
            name_en: "Contracts",
            columns: vec![col("编号", "Number", 18.0), col("金额", "Amount", 14.0), col("日期", "Date", 12.0)],
            rows: vec![vec![
                Cell::text("=1+1"),
                Cell::Fen(123_456),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")),
            ]],
        };
        let bytes = workbook(&[sheet], Locale::ZhCn).expect("workbook");
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
        assert_eq!(x.sheet_names(), vec!["合同".to_string()]);
        let range = x.worksheet_range("合同").expect("sheet");
        assert_eq!(range.get((1, 0)), Some(&Data::String("=1+1".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(1234.56)));
        assert!(matches!(range.get((1, 2)), Some(Data::DateTime(_))));
    }

    #[test]
    fn search_is_case_blind_and_blank_matches_everything() {
        assert!(matches_search("", &["x"]));
        assert!(matches_search("syht", &["SYHT-2026-001"]));
        assert!(!matches_search("养老", &["儿童服务"]));
    }
}
