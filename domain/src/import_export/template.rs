//! The import template: an empty sheet with the columns an import reads, drop-down lists of
//! the allowed values (organization type, district, community, service category), date and
//! number checks where Excel can make them, and a sheet explaining each column.
use super::COLUMNS;
use super::xlsx::COLUMN_WIDTHS;
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::organizations::Places;
use crate::sheets::{Formats, xlsx_error};
use entity::enums::{OrgType, ServiceCategory};
use rust_xlsxwriter::{DataValidation, DataValidationRule, ExcelDateTime, Formula, Workbook, XlsxError};

/// Rows of the import sheet that carry the checks.
const ROWS: u32 = 5000;

/// Required columns (an import refuses a file without them).
const REQUIRED: [&str; 3] = ["name", "org_type", "district"];

/// Explanation of each column, in `COLUMNS` order: (zh, en).
const HELP: &[(&str, &str)] = &[
    ("与登记证书一致的全称。", "The full name as on the registration certificate."),
    (
        "18 位统一社会信用代码，校验位须正确；尚未取得可留空。",
        "The 18-character code with a valid check digit; blank if not yet issued.",
    ),
    ("从下拉列表选择。", "Choose from the list."),
    ("日期，如 2024-03-01。", "A date, such as 2024-03-01."),
    ("如：三亚市民政局。", "For example: Sanya Civil Affairs Bureau."),
    ("", ""),
    ("", ""),
    ("从下拉列表选择。", "Choose from the list."),
    (
        "从下拉列表选择，须属于所选的区；可留空。",
        "Choose from the list; it must be in the district chosen. May be blank.",
    ),
    ("", ""),
    ("以元为单位的金额，如 30000 或 30000.50。", "An amount in yuan, such as 30000 or 30000.50."),
    ("社会团体、民办非企业单位须填写。", "Required of social groups and private non-enterprise units."),
    ("日期，如 2029-12-31。", "A date, such as 2029-12-31."),
    ("一个或多个，用“；”分隔，取值见“取值”表。", "One or more, separated by “；”; the values are on the Values sheet."),
    ("", ""),
    ("手机或座机号码。", "A mobile or landline number."),
    ("", ""),
];

/// The values an import accepts, in Chinese whatever the page's language (the import reads
/// Chinese labels and codes).
fn list_values(places: &Places) -> [Vec<String>; 4] {
    let types = OrgType::ALL.iter().map(|t| Locale::ZhCn.t(&format!("org_type.{}", t.code())).to_string()).collect();
    let districts = places.districts.iter().map(|d| d.name_zh.clone()).collect();
    let communities = places.communities.iter().map(|c| c.name_zh.clone()).collect();
    let cats =
        ServiceCategory::ALL.iter().map(|c| Locale::ZhCn.t(&format!("category.{}", c.code())).to_string()).collect();
    [types, districts, communities, cats]
}

/// The template as an XLSX workbook: 导入 (to fill in), 说明 (the columns explained), 取值 (the lists).
pub fn template_xlsx(places: &Places, locale: Locale) -> AppResult<Vec<u8>> {
    build(places, locale).map_err(xlsx_error)
}

fn build(places: &Places, locale: Locale) -> Result<Vec<u8>, XlsxError> {
    let en = locale == Locale::En;
    let f = Formats::new();
    let (fill, help, values) = if en { ("Import", "Explanation", "Values") } else { ("导入", "说明", "取值") };
    let lists = list_values(places);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(fill)?;
    for (c, (_, zh, en_name)) in COLUMNS.iter().enumerate() {
        // The headers stay in Chinese (or English) exactly as the import reads them.
        ws.write_string_with_format(0, c as u16, if en { *en_name } else { *zh }, &f.bold)?;
        ws.set_column_width(c as u16, COLUMN_WIDTHS.get(c).copied().unwrap_or(16.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let col_of = |code: &str| COLUMNS.iter().position(|(c, _, _)| *c == code).unwrap_or(0) as u16;
    let (title, choose) =
        if en { ("Choose", "Choose a value from the list.") } else { ("请选择", "请从下拉列表中选择。") };
    for (i, code) in ["org_type", "district", "community"].into_iter().enumerate() {
        let range =
            format!("='{values}'!${}$2:${}${}", (b'A' + i as u8) as char, (b'A' + i as u8) as char, lists[i].len() + 1);
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_input_title(title)?
            .set_input_message(choose)?
            .set_error_message(choose)?;
        ws.add_data_validation(1, col_of(code), ROWS, col_of(code), &v)?;
    }
    let (date_msg, yuan_msg) = if en {
        ("A date such as 2024-03-01.", "An amount in yuan, zero or more.")
    } else {
        ("请填写日期，如 2024-03-01。", "请填写以元为单位的金额，不小于 0。")
    };
    let earliest = ExcelDateTime::from_ymd(1949, 10, 1)?;
    for code in ["registration_date", "certificate_valid_until"] {
        let v = DataValidation::new()
            .allow_date(DataValidationRule::GreaterThanOrEqualTo(earliest.clone()))
            .set_input_message(date_msg)?
            .set_error_message(date_msg)?;
        ws.add_data_validation(1, col_of(code), ROWS, col_of(code), &v)?;
        ws.set_column_range_format(col_of(code), col_of(code), &f.date)?;
    }
    let v = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_input_message(yuan_msg)?
        .set_error_message(yuan_msg)?;
    ws.add_data_validation(1, col_of("registered_funds"), ROWS, col_of("registered_funds"), &v)?;
    explanation(wb.add_worksheet(), help, en, &f)?;
    let ws = wb.add_worksheet();
    ws.set_name(values)?;
    let heads = if en {
        ["Type", "District", "Community", "Service categories"]
    } else {
        ["类型", "所属区", "所属社区", "服务领域"]
    };
    for (c, (h, list)) in heads.iter().zip(&lists).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
        ws.set_column_width(c as u16, 24.0)?;
        for (r, v) in list.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    wb.save_to_buffer()
}

fn explanation(ws: &mut rust_xlsxwriter::Worksheet, name: &str, en: bool, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let heads = if en { ["Column", "Required", "What to enter"] } else { ["列名", "是否必填", "填写说明"] };
    for (c, (h, w)) in heads.iter().zip([28.0, 10.0, 70.0]).enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.bold)?;
        ws.set_column_width(c as u16, w)?;
    }
    let (yes, no) = if en { ("Yes", "No") } else { ("是", "否") };
    for (r, ((code, zh, en_name), (help_zh, help_en))) in COLUMNS.iter().zip(HELP).enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, if en { *en_name } else { *zh })?;
        ws.write_string(r, 1, if REQUIRED.contains(code) { yes } else { no })?;
        ws.write_string_with_format(r, 2, if en { *help_en } else { *help_zh }, &f.wrap)?;
    }
    let note = if en {
        "Fill in one organization per row on the Import sheet from row 2. If any row is wrong, nothing is imported and every problem is listed by row."
    } else {
        "在“导入”表第 2 行起每行填写一个社会组织。只要有一行有误，整个文件都不会导入，并按行列出所有问题。"
    };
    ws.write_string_with_format(COLUMNS.len() as u32 + 2, 0, note, &f.bold)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_column_has_its_explanation() {
        assert_eq!(super::HELP.len(), super::COLUMNS.len());
    }
}
