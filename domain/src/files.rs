//! Files people upload (bid attachments, report evidence, countersigned scans): what kind a
//! file is by its bytes, and the checks every upload passes before it is stored.
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;

/// The largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most files on one bid or one report.
pub const MAX_FILES: u64 = 10;

/// What the bytes are: a PDF, an Office Open XML document or workbook, a PNG or a JPEG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if bytes.starts_with(b"PK\x03\x04") && has(b"[Content_Types].xml") {
        // Office Open XML: a zip whose parts name what it is.
        if has(b"word/") {
            Some("docx")
        } else if has(b"xl/") {
            Some("xlsx")
        } else {
            None
        }
    } else {
        None
    }
}

fn extension_fits(name: &str, kind: &str) -> bool {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match kind {
        "jpeg" => ext == "jpg" || ext == "jpeg",
        k => ext == k,
    }
}

fn refuse(key: &'static str) -> AppError {
    let mut e = crate::error::FieldErrors::default();
    e.add("file", Msg::new(key));
    AppError::Invalid(e)
}

/// An uploaded file's name (path dropped) and kind, or the refusal: empty, over 10 MiB,
/// not one of the accepted kinds by its bytes, or named as another kind.
pub fn checked_file(name: &str, bytes: &[u8]) -> AppResult<(String, &'static str)> {
    let name: String = crate::clean(name.rsplit(['/', '\\']).next().unwrap_or_default()).chars().take(120).collect();
    if bytes.is_empty() || name.is_empty() {
        return Err(refuse("attachment.empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse("attachment.too_large"));
    }
    let Some(kind) = sniff(bytes) else { return Err(refuse("attachment.kind")) };
    if !extension_fits(&name, kind) {
        return Err(refuse("attachment.extension"));
    }
    Ok((name, kind))
}
