//! Web helpers the pages share: the small forms many actions post, a file download, and
//! the bytes of an uploaded file.
use crate::error::AppError;
use rocket::FromForm;
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header};

/// A form with nothing but its CSRF token (and, for documents, the language asked for).
#[derive(FromForm)]
pub(crate) struct CsrfForm {
    #[field(default = String::new())]
    pub(crate) csrf: String,
    #[field(default = String::new())]
    pub(crate) language: String,
}
crate::csrf_field!(CsrfForm);

/// An irreversible step's form: its CSRF token, whether the confirmation page was seen
/// (`confirmed=1`) and, where a box must be ticked, whether it was (`acknowledged=1`).
#[derive(FromForm)]
pub(crate) struct ConfirmForm {
    #[field(default = String::new())]
    pub(crate) csrf: String,
    #[field(default = String::new())]
    pub(crate) confirmed: String,
    #[field(default = String::new())]
    pub(crate) acknowledged: String,
}
crate::csrf_field!(ConfirmForm);

/// A form with its CSRF token and one text: a reason, an answer, an explanation.
#[derive(FromForm)]
pub(crate) struct TextForm {
    #[field(default = String::new())]
    pub(crate) csrf: String,
    #[field(default = String::new())]
    pub(crate) text: String,
}
crate::csrf_field!(TextForm);

/// A file sent to the browser, saved or shown inline, named in UTF-8.
#[derive(rocket::Responder)]
pub(crate) struct Download {
    bytes: Vec<u8>,
    kind: ContentType,
    disposition: Header<'static>,
}

impl Download {
    /// Bytes of a given content type, named `name`; `inline` shows them in the browser
    /// instead of saving them.
    pub(crate) fn new(bytes: Vec<u8>, kind: ContentType, name: &str, inline: bool) -> Download {
        let encoded = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>();
        let how = if inline { "inline" } else { "attachment" };
        Download {
            bytes,
            kind,
            disposition: Header::new("Content-Disposition", format!("{how}; filename*=UTF-8''{encoded}")),
        }
    }

    /// A stored file: `kind` is what its bytes are (pdf, png, jpeg, json; anything else is
    /// sent as bytes).
    pub(crate) fn file(bytes: Vec<u8>, kind: &str, name: &str, inline: bool) -> Download {
        let kind = match kind {
            "pdf" => ContentType::PDF,
            "png" => ContentType::PNG,
            "jpeg" => ContentType::JPEG,
            "json" => ContentType::JSON,
            _ => ContentType::Binary,
        };
        Download::new(bytes, kind, name, inline)
    }

    /// An Excel workbook to save.
    pub(crate) fn xlsx(bytes: Vec<u8>, name: &str) -> Download {
        let kind = ContentType::new("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        Download::new(bytes, kind, name, false)
    }
}

/// The bytes of an uploaded file.
pub(crate) async fn bytes_of(file: &TempFile<'_>) -> Result<Vec<u8>, AppError> {
    use rocket::tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut f = file.open().await.map_err(|e| AppError::Internal(format!("upload: {e}")))?;
    f.read_to_end(&mut bytes).await.map_err(|e| AppError::Internal(format!("upload: {e}")))?;
    Ok(bytes)
}
