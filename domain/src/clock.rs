//! The server's clock decides every deadline and expiry. Tests fix and move it.
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn real() -> Self {
        Clock { fixed: None }
    }

    /// A clock that stands still at `at` until moved with [`Clock::advance`] or [`Clock::set`].
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock { fixed: Some(Arc::new(Mutex::new(at))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    pub fn today_local(&self) -> chrono::NaiveDate {
        crate::i18n::to_local(self.now()).date_naive()
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(t) = &self.fixed {
            *t.lock().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Some(t) = &self.fixed {
            let mut g = t.lock().unwrap_or_else(|e| e.into_inner());
            *g += by;
        }
    }
}
