//! Documents the rules issue, asked for by what they say: a contract or an amendment
//! (`contracts::documents::ContractDocument`), an evaluation report
//! (`evaluations::ReportDocument`). How they are drawn is the application's
//! business: it hands the rules something that [`Draws`] them (the PDF drawer in
//! `fuhua::pdf`), so this crate knows no PDF library, and this module knows no area.
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use std::sync::Arc;

/// A drawn document.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// The distinct characters the font cannot draw; they would silently vanish.
    #[error("the document font cannot draw these characters: {0}")]
    MissingGlyphs(String),
    #[error("{0}")]
    Failed(String),
}

impl From<DrawError> for AppError {
    fn from(e: DrawError) -> Self {
        match e {
            DrawError::MissingGlyphs(chars) => {
                AppError::Conflict(Msg::new("contract.missing_glyphs").arg("chars", chars))
            }
            DrawError::Failed(why) => AppError::Internal(format!("document: {why}")),
        }
    }
}

/// Draws documents of kind `R`. Called on a blocking thread: drawing is CPU-bound (a few
/// milliseconds).
pub trait Draws<R>: Send + Sync + 'static {
    fn draw(&self, request: &R) -> Result<Drawn, DrawError>;
}

/// Draws `request` off the async workers.
pub async fn render<R, D>(drawer: &Arc<D>, request: R) -> AppResult<Drawn>
where
    R: Send + 'static,
    D: Draws<R> + ?Sized,
{
    let drawer = drawer.clone();
    tokio::task::spawn_blocking(move || drawer.draw(&request))
        .await
        .map_err(|e| AppError::Internal(format!("document worker: {e}")))?
        .map_err(AppError::from)
}
