//! Rendered registry pages for visitors without an account. The public list is what
//! citizens load most, and it is the same for all of them: a page is kept until the
//! registry changes.
//!
//! "Changes" has two sources. Every write request this server answers bumps a local
//! generation at once (a response fairing), and the audit log's newest entry, which every
//! change of state appends to, is re-read at most once per `recheck` so changes made by
//! another server or the command line show within that time. The local date is part of
//! the key because grades expire by date.
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct PageCache {
    enabled: bool,
    capacity: usize,
    recheck: Duration,
    generation: AtomicU64,
    state: Mutex<State>,
}

struct State {
    entries: HashMap<String, Entry>,
    /// Computed values (the red flags, the dashboard's figures), kept on the same terms as
    /// the pages: until something changes, and for the day.
    memos: HashMap<String, Memo>,
    audit_seq: i64,
    checked_at: Option<Instant>,
}

struct Memo {
    generation: u64,
    day: NaiveDate,
    value: Arc<dyn std::any::Any + Send + Sync>,
}

struct Entry {
    generation: u64,
    day: NaiveDate,
    /// A page that changes with the clock alone (a deadline passing) is good until then.
    until: Option<DateTime<Utc>>,
    html: Arc<str>,
}

impl PageCache {
    pub fn new(enabled: bool, capacity: usize, recheck: Duration) -> Self {
        PageCache {
            enabled,
            capacity,
            recheck,
            generation: AtomicU64::new(0),
            state: Mutex::new(State {
                entries: HashMap::new(),
                memos: HashMap::new(),
                audit_seq: -1,
                checked_at: None,
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A write went through this server: every kept page is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether the audit log should be read again before trusting the cache.
    pub fn needs_recheck(&self) -> bool {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.checked_at.is_none_or(|t| t.elapsed() >= self.recheck)
    }

    /// Records the audit log's newest entry; a new one invalidates.
    pub fn observe_audit_seq(&self, seq: i64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.audit_seq != seq {
            s.audit_seq = seq;
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        s.checked_at = Some(Instant::now());
    }

    pub fn get(&self, key: &str, day: NaiveDate, now: DateTime<Utc>) -> Option<Arc<str>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.entries
            .get(key)
            .filter(|e| e.generation == generation && e.day == day && e.until.is_none_or(|u| now < u))
            .map(|e| e.html.clone())
    }

    /// Keeps a page rendered from data read at `generation` (taken before reading), good on
    /// `day` and, when the page shows a deadline, until it passes.
    pub fn put(&self, key: String, generation: u64, day: NaiveDate, until: Option<DateTime<Utc>>, html: Arc<str>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: when full, start over rather than track recency.
        if s.entries.len() >= self.capacity && !s.entries.contains_key(&key) {
            s.entries.clear();
        }
        s.entries.insert(key, Entry { generation, day, until, html });
    }

    /// A value computed from data read at the present generation, on `day`.
    pub fn memo<T: std::any::Any + Send + Sync>(&self, key: &str, day: NaiveDate) -> Option<Arc<T>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let m = s.memos.get(key).filter(|m| m.generation == generation && m.day == day)?;
        m.value.clone().downcast::<T>().ok()
    }

    /// Keeps a value computed from data read at `generation` (taken before reading).
    pub fn keep<T: std::any::Any + Send + Sync>(&self, key: String, generation: u64, day: NaiveDate, value: Arc<T>) {
        if !self.enabled {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.memos.len() >= self.capacity && !s.memos.contains_key(&key) {
            s.memos.clear();
        }
        s.memos.insert(key, Memo { generation, day, value });
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Bumps the cache's generation after every request that may have written.
pub struct InvalidateOnWrite(pub Arc<PageCache>);

#[rocket::async_trait]
impl rocket::fairing::Fairing for InvalidateOnWrite {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info { name: "page cache invalidation", kind: rocket::fairing::Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r rocket::Request<'_>, _res: &mut rocket::Response<'r>) {
        use rocket::http::Method;
        if !matches!(req.method(), Method::Get | Method::Head | Method::Options) {
            self.0.invalidate();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_or_a_new_day_misses() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let now = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        let c = PageCache::new(true, 2, Duration::from_secs(3600));
        c.observe_audit_seq(7);
        assert!(!c.needs_recheck());
        c.put("a".into(), c.generation(), day, None, Arc::from("x"));
        assert_eq!(c.get("a", day, now).as_deref(), Some("x"));
        assert!(c.get("a", day.succ_opt().unwrap_or(day), now).is_none(), "a new day");
        c.observe_audit_seq(7);
        assert_eq!(c.get("a", day, now).as_deref(), Some("x"), "nothing changed");
        c.observe_audit_seq(8);
        assert!(c.get("a", day, now).is_none(), "the audit log moved");
        c.put("a".into(), c.generation(), day, None, Arc::from("x2"));
        c.invalidate();
        assert!(c.get("a", day, now).is_none(), "a local write");
        let g = c.generation();
        for k in ["b", "c", "d"] {
            c.put(k.into(), g, day, None, Arc::from(k));
        }
        assert!(c.get("b", day, now).is_none(), "bounded");
        assert_eq!(c.get("d", day, now).as_deref(), Some("d"));
    }

    #[test]
    fn a_kept_value_lasts_until_a_change() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
        let c = PageCache::new(true, 4, Duration::from_secs(3600));
        c.keep("flags".into(), c.generation(), day, Arc::new(vec![1, 2, 3]));
        assert_eq!(c.memo::<Vec<i32>>("flags", day).as_deref(), Some(&vec![1, 2, 3]));
        assert!(c.memo::<String>("flags", day).is_none(), "asked as another type");
        c.invalidate();
        assert!(c.memo::<Vec<i32>>("flags", day).is_none());
    }

    #[test]
    fn a_page_with_a_deadline_is_good_until_it_passes() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
        let now = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap_or_default();
        let deadline = now + chrono::Duration::minutes(5);
        let c = PageCache::new(true, 4, Duration::from_secs(3600));
        c.put("home".into(), c.generation(), day, Some(deadline), Arc::from("open"));
        assert_eq!(c.get("home", day, now).as_deref(), Some("open"));
        assert!(c.get("home", day, deadline).is_none(), "the call it listed as open has closed");
    }
}
