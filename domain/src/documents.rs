//! Documents the rules issue (a contract, its amendments, an evaluation report), asked for by
//! what they say. How they are drawn is the application's business: it hands the rules a
//! [`Renderer`] (the PDF drawer in `fuhua::pdf`), so this crate knows no PDF library.
use crate::contracts::view::ContractView;
use crate::error::{AppError, AppResult};
use crate::evaluations::rules::EvaluationRules;
use crate::evaluations::view::EvaluationView;
use crate::i18n::{Locale, Msg};
use std::sync::Arc;

/// What a document says.
#[derive(Debug, Clone)]
pub enum Request {
    /// The contract text in `language`; a draft carries a watermark.
    Contract { view: Box<ContractView>, language: Locale, draft: bool },
    /// Amendment number `seq`, with its reason and each change as (field, before, after).
    Amendment {
        view: Box<ContractView>,
        seq: i32,
        reason: String,
        changes: Vec<(String, String, String)>,
        language: Locale,
    },
    /// An evaluation's report, in Chinese.
    EvaluationReport { view: Box<EvaluationView>, rules: EvaluationRules },
}

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

/// Draws documents. Called on a blocking thread: drawing is CPU-bound (a few milliseconds).
pub trait Renderer: Send + Sync + 'static {
    fn draw(&self, request: &Request) -> Result<Drawn, DrawError>;
}

/// The renderer the application wired up.
pub type Documents = Arc<dyn Renderer>;

/// Draws `request` off the async workers.
pub async fn render(documents: &Documents, request: Request) -> AppResult<Drawn> {
    let renderer = documents.clone();
    tokio::task::spawn_blocking(move || renderer.draw(&request))
        .await
        .map_err(|e| AppError::Internal(format!("document worker: {e}")))?
        .map_err(AppError::from)
}
