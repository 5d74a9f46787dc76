//! Bulk import of organizations from CSV (UTF-8 or GB18030) and XLSX, all or nothing,
//! and export of a filtered list as XLSX or as CSV with a BOM for Excel.
use super::audit::Actor;
use super::organizations::{self, NewOrganization, OrganizationInput, Places};
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Msg};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{OrgType, ServiceCategory};
use entity::organization;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use std::collections::HashMap;

mod template;
mod xlsx;
pub use template::template_xlsx;
pub use xlsx::export_xlsx;

/// Columns in file order for export, and the names accepted on import (code, zh, en).
pub const COLUMNS: &[(&str, &str, &str)] = &[
    ("name", "名称", "Name"),
    ("uscc", "统一社会信用代码", "USCC"),
    ("org_type", "类型", "Type"),
    ("registration_date", "登记日期", "Registration date"),
    ("registration_authority", "登记管理机关", "Registration authority"),
    ("legal_representative", "法定代表人", "Legal representative"),
    ("address", "住所", "Address"),
    ("district", "所属区", "District"),
    ("community", "所属社区", "Community"),
    ("business_scope", "业务范围", "Business scope"),
    ("registered_funds", "注册资金（元）", "Registered funds (yuan)"),
    ("supervising_unit", "业务主管单位", "Supervising unit"),
    ("certificate_valid_until", "证书有效期至", "Certificate valid until"),
    ("categories", "服务领域", "Service categories"),
    ("contact_name", "联系人", "Contact"),
    ("contact_phone", "联系电话", "Phone"),
    ("contact_email", "联系邮箱", "Email"),
];

pub const MAX_ROWS: usize = 20_000;
/// Files of up to this many rows are imported while the officer waits (one transaction
/// of a few dozen milliseconds); larger ones run as a background job (`import_jobs`).
pub const INLINE_MAX: usize = 200;
/// Rows checked between two progress notes (and two yields to the server's other work).
const CHECK_STEP: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// Line in the file as a spreadsheet shows it (the header is line 1).
    pub line: usize,
    pub message: String,
}

#[derive(Debug)]
pub enum ImportOutcome {
    Imported(usize),
    Refused(Vec<RowError>),
}

/// Checked rows: each organization to create with its line in the file.
pub type NewRows = Vec<(usize, NewOrganization)>;

/// Text of a CSV upload: UTF-8 (with or without BOM), else GB18030 as Chinese Excel writes it.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn parse_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Msg> {
    let text = decode_text(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Msg::new("import.bad_csv").arg("detail", e.to_string()))?;
        // An apostrophe put before a formula-like cell by our export comes off again.
        rows.push(rec.iter().map(|c| exported_text(c).to_string()).collect());
    }
    Ok(rows)
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.as_datetime().map(|d| d.date().to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(_) => String::new(),
    }
}

fn parse_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Msg> {
    use calamine::Reader;
    // Bounded first: the reader would reserve whatever the file declares.
    super::xlsx_limits::check(bytes)?;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| Msg::new("import.bad_xlsx"))?;
    let range =
        wb.worksheet_range_at(0).ok_or(Msg::new("import.bad_xlsx"))?.map_err(|_| Msg::new("import.bad_xlsx"))?;
    Ok(range.rows().map(|r| r.iter().map(cell_text).collect()).collect())
}

fn org_type_from(s: &str) -> String {
    let s = s.trim();
    OrgType::ALL
        .iter()
        .find(|t| t.code() == s || Locale::ZhCn.t(&format!("org_type.{}", t.code())) == s)
        .map(|t| t.code().to_string())
        .unwrap_or_else(|| s.to_string())
}

/// A file read and its header understood: which column holds which field, and the rows.
pub struct Prepared {
    col_of: HashMap<&'static str, usize>,
    /// Each row with its line in the file (the header is line 1).
    rows: Vec<(usize, Vec<String>)>,
}

impl Prepared {
    /// Data rows that are not blank.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Reads the file (bounded, see `xlsx_limits`) and its header. A file that cannot be read,
/// has no data, lacks a required column or has more than `MAX_ROWS` rows is refused here,
/// before anything is queued.
pub fn prepare(filename: &str, bytes: &[u8]) -> AppResult<Prepared> {
    let is_xlsx = filename.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04");
    let rows = if is_xlsx { parse_xlsx(bytes) } else { parse_csv(bytes) }.map_err(AppError::BadRequest)?;
    let mut rows = rows.into_iter();
    let header = rows.next().ok_or(AppError::BadRequest(Msg::new("import.empty")))?;
    let mut col_of: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        if let Some((code, _, _)) = COLUMNS.iter().find(|(c, zh, en)| h == *c || h == *zh || h.eq_ignore_ascii_case(en))
        {
            col_of.insert(code, i);
        }
    }
    let missing: Vec<&str> = ["name", "org_type", "district"].into_iter().filter(|c| !col_of.contains_key(c)).collect();
    if !missing.is_empty() {
        return Err(AppError::BadRequest(Msg::new("import.missing_columns").arg("columns", missing.join(", "))));
    }
    // Blank rows are skipped; each keeps its line.
    let rows: Vec<(usize, Vec<String>)> =
        rows.enumerate().filter(|(_, r)| !r.iter().all(|c| c.trim().is_empty())).map(|(idx, r)| (idx + 2, r)).collect();
    if rows.is_empty() {
        return Err(AppError::BadRequest(Msg::new("import.empty")));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::BadRequest(Msg::new("import.too_many_rows").arg("max", MAX_ROWS)));
    }
    Ok(Prepared { col_of, rows })
}

/// A row of the file as the registry form would have it.
fn row_input(col_of: &HashMap<&'static str, usize>, row: &[String]) -> OrganizationInput {
    let get = |c: &str| col_of.get(c).and_then(|i| row.get(*i)).cloned().unwrap_or_default();
    OrganizationInput {
        name: get("name"),
        uscc: get("uscc"),
        org_type: org_type_from(&get("org_type")),
        registration_date: get("registration_date"),
        registration_authority: get("registration_authority"),
        legal_representative: get("legal_representative"),
        address: get("address"),
        district_id: get("district"),
        community_id: get("community"),
        business_scope: get("business_scope"),
        registered_funds: get("registered_funds"),
        supervising_unit: get("supervising_unit"),
        certificate_valid_until: get("certificate_valid_until"),
        categories: vec![get("categories")],
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        contact_email: get("contact_email"),
        uscc_override_reason: String::new(),
    }
}

/// The rows whose name or code the registry already holds; names and codes are looked up
/// 500 at a time.
async fn in_registry(
    db: &DatabaseConnection,
    locale: Locale,
    parsed: &[(usize, NewOrganization)],
) -> AppResult<Vec<RowError>> {
    let names: Vec<String> = parsed.iter().map(|(_, o)| o.name.clone()).collect();
    let codes: Vec<String> = parsed.iter().filter_map(|(_, o)| o.uscc.clone()).collect();
    let mut existing_names = std::collections::HashSet::new();
    let mut existing_codes = std::collections::HashSet::new();
    for chunk in names.chunks(500) {
        existing_names.extend(
            organization::Entity::find()
                .filter(organization::Column::Name.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|o| o.name),
        );
    }
    for chunk in codes.chunks(500) {
        existing_codes.extend(
            organization::Entity::find()
                .filter(organization::Column::Uscc.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .filter_map(|o| o.uscc),
        );
    }
    let mut errors = Vec::new();
    for (line, o) in parsed {
        if existing_names.contains(&o.name) {
            errors.push(RowError {
                line: *line,
                message: locale.tf("import.duplicate_in_registry", &[("value", o.name.clone())]),
            });
        }
        if let Some(code) = &o.uscc
            && existing_codes.contains(code)
        {
            errors.push(RowError {
                line: *line,
                message: locale.tf("import.duplicate_in_registry", &[("value", code.clone())]),
            });
        }
    }
    Ok(errors)
}

/// Every row checked (the same rules as the form, duplicates within the file and against
/// the registry): the organizations to create with their lines, or every problem found.
/// With a job, its count of rows checked moves on as the rows are.
pub async fn check(
    db: &DatabaseConnection,
    today: NaiveDate,
    locale: Locale,
    p: Prepared,
    job: Option<(i32, &crate::clock::Clock)>,
) -> AppResult<Result<NewRows, Vec<RowError>>> {
    let places = Places::load(db).await?;
    let mut errors = Vec::new();
    let mut parsed: Vec<(usize, NewOrganization)> = Vec::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let col_of = &p.col_of;
    let row_count = p.rows.len();
    for (n, (line, row)) in p.rows.into_iter().enumerate() {
        if n > 0 && n % CHECK_STEP == 0 {
            if let Some((id, clock)) = job {
                progress(db, id, entity::import_job::Column::RowsChecked, n, clock.now()).await?;
            }
            // Let the server's other work run between steps.
            tokio::task::yield_now().await;
        }
        let input = row_input(col_of, &row);
        // An import cannot carry an officer's written override: a bad checksum is refused.
        match organizations::parse(&input, &places, today, false) {
            Err(fe) => {
                for e in fe.0 {
                    errors.push(RowError {
                        line,
                        message: format!("{}: {}", locale.t(&format!("field.{}", e.field)), locale.msg(&e.msg)),
                    });
                }
            }
            Ok(o) => {
                if let Some(first) = seen_names.insert(o.name.clone(), line) {
                    errors.push(RowError {
                        line,
                        message: locale
                            .tf("import.duplicate_in_file", &[("line", first.to_string()), ("value", o.name.clone())]),
                    });
                }
                if let Some(code) = &o.uscc
                    && let Some(first) = seen_codes.insert(code.clone(), line)
                {
                    errors.push(RowError {
                        line,
                        message: locale
                            .tf("import.duplicate_in_file", &[("line", first.to_string()), ("value", code.clone())]),
                    });
                }
                parsed.push((line, o));
            }
        }
    }
    errors.extend(in_registry(db, locale, &parsed).await?);
    if let Some((id, clock)) = job {
        progress(db, id, entity::import_job::Column::RowsChecked, row_count, clock.now()).await?;
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(Err(errors));
    }
    Ok(Ok(parsed))
}

/// Reads, checks every row, and imports all rows in one transaction, or none: for files
/// of up to `INLINE_MAX` rows, done while the officer waits (a short transaction). Larger
/// files go to `import_jobs`.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    locale: Locale,
    filename: &str,
    bytes: &[u8],
) -> AppResult<ImportOutcome> {
    import_prepared(db, actor, now, today, locale, prepare(filename, bytes)?).await
}

pub async fn import_prepared(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    today: NaiveDate,
    locale: Locale,
    p: Prepared,
) -> AppResult<ImportOutcome> {
    let parsed = match check(db, today, locale, p, None).await? {
        Err(errors) => return Ok(ImportOutcome::Refused(errors)),
        Ok(parsed) => parsed,
    };
    let txn = db.begin().await?;
    let orgs: Vec<_> = parsed.iter().map(|(_, o)| o).collect();
    organizations::insert_batch(&txn, actor, now, &orgs, "organization.imported").await.map_err(|(_, e)| e)?;
    txn.commit().await?;
    Ok(ImportOutcome::Imported(parsed.len()))
}

pub(crate) fn export_rows(
    orgs: &[organization::Model],
    cats: &HashMap<i32, Vec<ServiceCategory>>,
    places: &Places,
    locale: Locale,
) -> Vec<Vec<String>> {
    orgs.iter()
        .map(|o| {
            vec![
                o.name.clone(),
                o.uscc.clone().unwrap_or_default(),
                locale.t(&format!("org_type.{}", o.org_type.code())).to_string(),
                o.registration_date.to_string(),
                o.registration_authority.clone(),
                o.legal_representative.clone(),
                o.address.clone(),
                places.district_name(o.district_id).to_string(),
                places.community_name(o.community_id).to_string(),
                o.business_scope.clone(),
                super::money::Money(o.registered_funds_fen).to_yuan_input(),
                o.supervising_unit.clone().unwrap_or_default(),
                o.certificate_valid_until.map(|d| d.to_string()).unwrap_or_default(),
                cats.get(&o.id)
                    .map(|cs| {
                        cs.iter().map(|c| locale.t(&format!("category.{}", c.code()))).collect::<Vec<_>>().join("；")
                    })
                    .unwrap_or_default(),
                o.contact_name.clone(),
                o.contact_phone.clone(),
                o.contact_email.clone(),
            ]
        })
        .collect()
}

/// How many columns the audience may see: the public never gets the contact columns.
pub(crate) fn visible_columns(include_contacts: bool) -> usize {
    if include_contacts { COLUMNS.len() } else { COLUMNS.len() - 3 }
}

pub(crate) async fn categories_of(
    db: &DatabaseConnection,
    orgs: &[organization::Model],
) -> AppResult<HashMap<i32, Vec<ServiceCategory>>> {
    let mut map: HashMap<i32, Vec<ServiceCategory>> = HashMap::new();
    let ids: Vec<i32> = orgs.iter().map(|o| o.id).collect();
    for chunk in ids.chunks(1000) {
        for c in entity::organization_category::Entity::find()
            .filter(entity::organization_category::Column::OrganizationId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            map.entry(c.organization_id).or_default().push(c.category);
        }
    }
    Ok(map)
}

pub(crate) fn headers(locale: Locale, n: usize) -> Vec<String> {
    COLUMNS
        .iter()
        .take(n)
        .map(|(_, zh, en)| if locale == Locale::En { en.to_string() } else { zh.to_string() })
        .collect()
}

/// A cell Excel or LibreOffice would take for a formula (it begins with = + - @, a tab or a
/// carriage return) gets a leading apostrophe, so it is shown as the text it is.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The text of a cell `inert_cell` protected.
fn exported_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// CSV with a UTF-8 BOM, so Excel opens Chinese text correctly.
pub async fn export_csv(
    db: &DatabaseConnection,
    places: &Places,
    orgs: &[organization::Model],
    locale: Locale,
    include_contacts: bool,
) -> AppResult<Vec<u8>> {
    let cats = categories_of(db, orgs).await?;
    let n = visible_columns(include_contacts);
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let io = |e: csv::Error| AppError::Internal(e.to_string());
        w.write_record(headers(locale, n)).map_err(io)?;
        for r in export_rows(orgs, &cats, places, locale) {
            w.write_record(r[..n].iter().map(|cell| inert_cell(cell).into_owned())).map_err(io)?;
        }
        w.flush().map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(out)
}

/// A background import's progress: rows checked or applied so far (see `import_jobs`).
pub(crate) async fn progress<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i32,
    col: entity::import_job::Column,
    n: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use entity::import_job;
    import_job::Entity::update_many()
        .col_expr(col, sea_orm::sea_query::Expr::value(n as i32))
        .col_expr(import_job::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(import_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_exported_as_text_and_read_back_whole() {
        for (cell, out) in [
            ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
            ("+86 898 1234", "'+86 898 1234"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("张三", "张三"),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(inert_cell(cell), out);
            assert_eq!(exported_text(&inert_cell(cell)), cell);
        }
    }

    #[test]
    fn gb18030_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("名称,类型\n三亚市阳光社工服务中心,社会服务机构\n");
        assert!(decode_text(&bytes).contains("三亚市阳光社工服务中心"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFname"), "name");
    }
}
