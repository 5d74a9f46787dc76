//! Files sent with a form, shared by every page that takes one (bid attachments, milestone
//! evidence, countersigned contracts, documents to check, imports, receipts): a file over
//! the limit is refused by name, never taken for "no file".
use crate::error::AppError;
use rocket::form::FromForm;
use rocket::fs::TempFile;

#[derive(FromForm)]
pub(crate) struct FileForm<'r> {
    #[field(default = String::new())]
    pub(crate) csrf: String,
    pub(crate) file: UploadField<'r>,
}

/// A file field as Rocket parsed it: kept as a result, so a file over the size limit is
/// told apart from no file at all.
pub(crate) type UploadField<'r> = rocket::form::Result<'r, TempFile<'r>>;

/// The largest file a form takes (Rocket's `limits.file`), as people read it.
pub(crate) const FILE_LIMIT: &str = "10 MiB";

/// The chosen file, none when the field was left empty, or a 413 naming the limit when the
/// file was larger than it.
pub(crate) fn chosen<'a, 'r>(field: &'a UploadField<'r>) -> Result<Option<&'a TempFile<'r>>, AppError> {
    match field {
        Ok(f) => Ok(Some(f)),
        Err(errors)
            if errors.iter().any(|e| matches!(e.kind, rocket::form::error::ErrorKind::InvalidLength { .. })) =>
        {
            Err(AppError::TooLarge(crate::i18n::Msg::new("upload.too_large").arg("limit", FILE_LIMIT)))
        }
        Err(_) => Ok(None),
    }
}

/// A file from a form, as (name, bytes); empty when none was chosen.
pub(crate) async fn read_upload(f: Option<&TempFile<'_>>) -> Result<(String, Vec<u8>), AppError> {
    use rocket::tokio::io::AsyncReadExt;
    match f {
        Some(f) if f.len() > 0 => {
            let name =
                f.raw_name().map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string()).unwrap_or_default();
            let mut bytes = Vec::new();
            let mut r = f.open().await.map_err(|e| AppError::Internal(format!("upload: {e}")))?;
            r.read_to_end(&mut bytes).await.map_err(|e| AppError::Internal(format!("upload: {e}")))?;
            Ok((name, bytes))
        }
        _ => Ok((String::new(), Vec::new())),
    }
}
