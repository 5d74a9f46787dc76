//! Bounds on an uploaded workbook, checked before the spreadsheet reader sees it. The reader
//! reserves memory by what a file declares — the shared strings' `uniqueCount`, a sheet's
//! dimension or its farthest cell — so a 2 kB file declaring ten billion strings, or cells
//! at A1 and XFD1048576, would make it ask for hundreds of gigabytes and stop the process.
//! Here every part is decompressed once through a counter (never more than the limits), the
//! shared strings' declared counts are checked, and every sheet's cells are walked in order
//! (explicit or implicit positions) to find how far they reach.
use crate::i18n::Msg;
use std::io::Read;

/// The most rows and columns a sheet may reach: five times the import's row limit, and far
/// more columns than any import has.
pub const MAX_ROWS: u64 = 100_000;
pub const MAX_COLUMNS: u64 = 200;
/// Decompressed, per part and for the whole file.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;
pub const MAX_PARTS: usize = 1000;
/// Shared strings a workbook may declare.
pub const MAX_STRINGS: u64 = 2_000_000;

fn bad() -> Msg {
    Msg::new("import.bad_xlsx")
}

/// Ok when the workbook stays within every bound; else the refusal, naming the limit.
pub fn check(bytes: &[u8]) -> Result<(), Msg> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| bad())?;
    if zip.len() > MAX_PARTS {
        return Err(Msg::new("import.xlsx_too_many_parts").arg("max", MAX_PARTS));
    }
    let too_big = || Msg::new("import.xlsx_too_big").arg("mib", MAX_TOTAL_BYTES / 1024 / 1024);
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| bad())?;
        // Every part is read, whatever its name: the reader finds parts by names it
        // lower-cases ("xl/SharedStrings.XML" is its shared strings) and finds the sheets
        // wherever the workbook's relationships point, so a name says nothing.
        let mut text = Vec::new();
        let read = (&mut part).take(MAX_PART_BYTES + 1).read_to_end(&mut text).map_err(|_| bad())? as u64;
        total += read;
        if read > MAX_PART_BYTES || total > MAX_TOTAL_BYTES {
            return Err(too_big());
        }
        // Excel writes its parts in UTF-8; a part in UTF-16 would pass the checks below
        // unread (they look for ASCII tags), so it is refused.
        if [&[0xFF, 0xFE][..], &[0xFE, 0xFF], b"<\0", b"\0<"].iter().any(|p| text.starts_with(p)) {
            return Err(bad());
        }
        if looks_like_xml(&text) {
            check_strings(&text)?;
            check_sheet(&text)?;
        }
    }
    Ok(())
}

/// Whether a part could be read as XML (after a byte-order mark and white space, a tag);
/// pictures and other binary parts are not.
fn looks_like_xml(text: &[u8]) -> bool {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    text.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'<')
}

/// The value of attribute `name` in the tag text `tag` (from after the tag name to `>`).
fn attribute<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut i = 0;
    while i + name.len() + 2 <= tag.len() {
        let before_ok = i == 0 || tag[i - 1].is_ascii_whitespace();
        if before_ok && tag[i..].starts_with(name) && tag[i + name.len()..].starts_with(b"=") {
            let q = *tag.get(i + name.len() + 1)?;
            if q != b'"' && q != b'\'' {
                return None;
            }
            let start = i + name.len() + 2;
            let end = start + tag[start..].iter().position(|&c| c == q)?;
            return Some(&tag[start..end]);
        }
        i += 1;
    }
    None
}

fn number(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.trim().parse().ok()
}

fn check_strings(xml: &[u8]) -> Result<(), Msg> {
    for (name, tag) in tags(xml) {
        if name == b"sst" {
            for attr in [&b"uniqueCount"[..], b"count"] {
                let declared = attribute(tag, attr).map(|v| number(v).ok_or_else(bad)).transpose()?;
                if declared.is_some_and(|n| n > MAX_STRINGS) {
                    return Err(Msg::new("import.xlsx_too_many_strings").arg("max", MAX_STRINGS));
                }
            }
            return Ok(());
        }
    }
    Ok(())
}

/// A cell reference's (column, row), both from 1: "XFD1048576" is (16384, 1048576).
fn cell_ref(v: &[u8]) -> Option<(u64, u64)> {
    let letters = v.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = v[..letters].iter().fold(0u64, |n, c| n * 26 + u64::from(c.to_ascii_uppercase() - b'A' + 1));
    let row = number(&v[letters..])?;
    Some((col, row))
}

fn check_sheet(xml: &[u8]) -> Result<(), Msg> {
    let refuse = |col: u64, row: u64| {
        Msg::new("import.xlsx_too_large")
            .arg("rows", MAX_ROWS)
            .arg("columns", MAX_COLUMNS)
            .arg("cell", cell_name(col, row))
    };
    let (mut row, mut col) = (0u64, 0u64);
    for (name, tag) in tags(xml) {
        match name {
            b"dimension" => {
                let range = attribute(tag, b"ref").unwrap_or_default();
                for end in range.split(|&c| c == b':') {
                    if let Some((c, r)) = cell_ref(end)
                        && (r > MAX_ROWS || c > MAX_COLUMNS)
                    {
                        return Err(refuse(c, r));
                    }
                }
            }
            b"row" => {
                row = match attribute(tag, b"r") {
                    Some(v) => number(v).ok_or_else(bad)?,
                    None => row + 1,
                };
                col = 0;
            }
            b"c" => {
                (col, row) = match attribute(tag, b"r") {
                    Some(v) => cell_ref(v).ok_or_else(bad)?,
                    None => (col + 1, row.max(1)),
                };
            }
            _ => continue,
        }
        if row > MAX_ROWS || col > MAX_COLUMNS {
            return Err(refuse(col.max(1), row.max(1)));
        }
    }
    Ok(())
}

fn cell_name(col: u64, row: u64) -> String {
    let mut letters = Vec::new();
    let mut n = col;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

/// Every start tag in the text: its local name (any `prefix:` dropped) and the rest of the
/// tag up to `>`. Comments, declarations and end tags are skipped.
fn tags(xml: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            let start = i + xml.get(i..)?.iter().position(|&c| c == b'<')? + 1;
            let end = start + xml.get(start..)?.iter().position(|&c| c == b'>')?;
            i = end + 1;
            let tag = &xml[start..end];
            if matches!(tag.first(), Some(b'/' | b'!' | b'?') | None) {
                continue;
            }
            let name_len = tag.iter().position(|c| c.is_ascii_whitespace() || *c == b'/').unwrap_or(tag.len());
            let full = &tag[..name_len];
            let local = full.iter().rposition(|&c| c == b':').map(|p| &full[p + 1..]).unwrap_or(full);
            return Some((local, &tag[name_len..]));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_reach_as_far_as_their_references_or_positions_say() {
        assert_eq!(cell_ref(b"XFD1048576"), Some((16384, 1_048_576)));
        assert_eq!(cell_ref(b"A1"), Some((1, 1)));
        assert_eq!(cell_name(16384, 7), "XFD7");
        assert_eq!(cell_name(28, 2), "AB2");
        let ok = br#"<worksheet><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1"/><c/><c/></row><row><c/></row></sheetData></worksheet>"#;
        assert!(check_sheet(ok).is_ok());
        let far = br#"<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="2000"><c r="XFD2000"/></row></sheetData></worksheet>"#;
        assert_eq!(check_sheet(far).err().map(|m| m.key), Some("import.xlsx_too_large"));
        let declared = br#"<x:worksheet><x:dimension ref="A1:XFD1048576"/></x:worksheet>"#;
        assert!(check_sheet(declared).is_err());
        // Implicit positions count too: 201 cells in one row.
        let wide = format!("<worksheet><sheetData><row>{}</row></sheetData></worksheet>", "<c/>".repeat(201));
        assert!(check_sheet(wide.as_bytes()).is_err());
        let strings = br#"<?xml version="1.0"?><sst xmlns="x" count="5" uniqueCount="10000000000"><si/></sst>"#;
        assert_eq!(check_strings(strings).err().map(|m| m.key), Some("import.xlsx_too_many_strings"));
        assert!(check_strings(br#"<sst count="2" uniqueCount="2"><si><t>a</t></si></sst>"#).is_ok());
    }
}
