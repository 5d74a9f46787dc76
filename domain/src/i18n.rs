//! Locale negotiation, the message catalogue (zh-CN first, en), and the ways dates and
//! money are shown. Every user-visible string goes through [`Locale::t`].
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Locale {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

static ZH: &str = include_str!("../../i18n/zh-CN.txt");
static EN: &str = include_str!("../../i18n/en.txt");

static CATALOGUES: LazyLock<[HashMap<&'static str, &'static str>; 2]> = LazyLock::new(|| [parse(ZH), parse(EN)]);

fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v))
        .collect()
}

/// Keys of each catalogue, for the test that keeps them in step.
pub fn catalogue_keys(locale: Locale) -> Vec<&'static str> {
    let mut keys: Vec<_> = CATALOGUES[locale as usize].keys().copied().collect();
    keys.sort_unstable();
    keys
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        let t = tag.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if t.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// First supported language in an Accept-Language header, else Chinese.
    pub fn negotiate(accept_language: Option<&str>) -> Locale {
        accept_language
            .into_iter()
            .flat_map(|h| h.split(','))
            .filter_map(|part| Locale::from_tag(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or(Locale::ZhCn)
    }

    /// The message for `key`: from the locale's catalogue, else the Chinese one, else empty
    /// (and a warning in the log). `tf` and `msg` show the key itself instead; the test
    /// `every_key_used_in_code_and_templates_is_in_both_catalogues` keeps this from happening.
    /// The message for `key` if the catalogue has one (no warning when it does not).
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        CATALOGUES[self as usize].get(key).or_else(|| CATALOGUES[0].get(key)).copied()
    }

    pub fn t(self, key: &str) -> &'static str {
        CATALOGUES[self as usize].get(key).or_else(|| CATALOGUES[0].get(key)).copied().unwrap_or_else(|| {
            log::warn!("missing message key {key}");
            ""
        })
    }

    pub fn tf(self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.t(key).to_string();
        if s.is_empty() {
            return key.to_string();
        }
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn msg(self, m: &Msg) -> String {
        self.tf(m.key, &m.args)
    }
}

/// A message to be shown in the reader's language: a catalogue key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg { key, args: Vec::new() }
    }
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }
}

pub fn to_local(t: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&Shanghai)
}

/// "2026-11-27 02:30" in Asia/Shanghai.
pub fn format_datetime(t: DateTime<Utc>) -> String {
    to_local(t).format("%Y-%m-%d %H:%M").to_string()
}

pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Fen (or [`crate::money::Money`]) as "¥1,234.56".
pub fn format_money(fen: impl Into<i64>) -> String {
    let fen: i64 = fen.into();
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let yuan = (abs / 100).to_string();
    let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}¥{grouped}.{:02}", abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped() {
        assert_eq!(format_money(123_456), "¥1,234.56");
        assert_eq!(format_money(5), "¥0.05");
        assert_eq!(format_money(100_000_000), "¥1,000,000.00");
        assert_eq!(format_money(-1999), "-¥19.99");
    }

    #[test]
    fn negotiation_prefers_first_supported() {
        assert_eq!(Locale::negotiate(Some("fr-FR, en-US;q=0.8, zh;q=0.5")), Locale::En);
        assert_eq!(Locale::negotiate(Some("de")), Locale::ZhCn);
        assert_eq!(Locale::negotiate(None), Locale::ZhCn);
    }

    #[test]
    fn catalogues_have_the_same_keys() {
        assert_eq!(catalogue_keys(Locale::ZhCn), catalogue_keys(Locale::En));
    }

    #[test]
    fn shanghai_is_eight_hours_ahead() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T18:30:00Z").map(|t| t.with_timezone(&Utc));
        assert_eq!(t.map(format_datetime).ok().as_deref(), Some("2026-11-27 02:30"));
    }
}
