//! Rendered registry pages for visitors without an account. The public list is what
//! citizens load most, and it is the same for all of them: a page is kept until the
//! registry changes. "Changes" is read from the audit log, which every change of state
//! appends to, so no write path can forget to invalidate; the local date is part of the
//! key because grades expire by date.
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct PageCache {
    enabled: bool,
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    version: i64,
    day: NaiveDate,
    html: Arc<str>,
}

impl PageCache {
    pub fn new(enabled: bool, capacity: usize) -> Self {
        PageCache { enabled, capacity, entries: Mutex::new(HashMap::new()) }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn get(&self, key: &str, version: i64, day: NaiveDate) -> Option<Arc<str>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|e| e.version == version && e.day == day).map(|e| e.html.clone())
    }

    pub fn put(&self, key: String, version: i64, day: NaiveDate, html: Arc<str>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: when full, start over rather than track recency.
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, Entry { version, day, html });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_or_a_new_day_misses() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        let c = PageCache::new(true, 2);
        c.put("a".into(), 7, day, Arc::from("x"));
        assert_eq!(c.get("a", 7, day).as_deref(), Some("x"));
        assert!(c.get("a", 8, day).is_none());
        assert!(c.get("a", 7, day.succ_opt().unwrap_or(day)).is_none());
        c.put("b".into(), 7, day, Arc::from("y"));
        c.put("c".into(), 7, day, Arc::from("z"));
        assert!(c.get("a", 7, day).is_none(), "bounded");
        assert_eq!(c.get("c", 7, day).as_deref(), Some("z"));
    }
}
