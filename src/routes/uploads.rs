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
crate::csrf_field!(FileForm<'_>);

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

/// At most this many requests hold uploaded files in memory at once (read from their
/// temporary file, checked, sealed, stored); the others wait their turn, their bodies
/// already on disk. Each holds a few copies of at most 12 MiB, so however many uploads
/// arrive together the server's memory for them stays near `UPLOAD_SLOTS` × 50 MiB.
pub(crate) const UPLOAD_SLOTS: usize = 4;

static SLOTS: rocket::tokio::sync::Semaphore = rocket::tokio::sync::Semaphore::const_new(UPLOAD_SLOTS);

/// One of the `UPLOAD_SLOTS`, held until dropped. Taken in the handler, once the body has
/// arrived, so that a client sending its file slowly holds no slot meanwhile.
pub(crate) struct UploadSlot(Option<rocket::tokio::sync::SemaphorePermit<'static>>);

pub(crate) async fn slot() -> UploadSlot {
    UploadSlot(SLOTS.acquire().await.ok())
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        drop(self.0.take());
        // The last upload done: give the freed buffers back to the system (the allocator
        // keeps them otherwise, and the server's memory stayed at its peak).
        if SLOTS.available_permits() == UPLOAD_SLOTS {
            crate::memory::give_back();
        }
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
