//! Template helpers: `t(k=…, l=lang, …args)`, and filters `money`, `dt`, `code_label`, `points`.
use super::{Locale, format_datetime, format_money};
use std::collections::HashMap;
use tera::{Tera, Value};

fn locale_arg(args: &HashMap<String, Value>) -> Locale {
    args.get("l").and_then(Value::as_str).and_then(Locale::from_tag).unwrap_or(Locale::ZhCn)
}

pub fn register(tera: &mut Tera) {
    tera.register_function("t", |args: &HashMap<String, Value>| {
        let key = args.get("k").and_then(Value::as_str).ok_or_else(|| tera::Error::msg("t() needs k"))?;
        let locale = locale_arg(args);
        let extra: Vec<(&str, String)> = args
            .iter()
            .filter(|(n, _)| n.as_str() != "k" && n.as_str() != "l")
            .map(|(n, v)| (n.as_str(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
            .collect();
        Ok(Value::String(locale.tf(key, &extra)))
    });
    // The punctuation of the page's language around Fuhua's own words: full-width in
    // Chinese, ASCII with its spaces in English. `punct(k="open"|"close"|"colon"|"comma", l=lang)`.
    tera.register_function("punct", |args: &HashMap<String, Value>| {
        let zh = locale_arg(args) != Locale::En;
        let mark = match (args.get("k").and_then(Value::as_str).unwrap_or_default(), zh) {
            ("open", true) => "（",
            ("open", false) => " (",
            ("close", true) => "）",
            ("close", false) => ")",
            ("colon", true) => "：",
            ("colon", false) => ": ",
            ("comma", true) => "，",
            ("comma", false) => ", ",
            ("list_sep", true) => "、",
            ("list_sep", false) => ", ",
            (other, _) => return Err(tera::Error::msg(format!("punct() knows no {other:?}"))),
        };
        Ok(Value::String(mark.to_string()))
    });
    tera.register_filter("money", |v: &Value, _: &HashMap<String, Value>| {
        Ok(Value::String(v.as_i64().map(format_money).unwrap_or_default()))
    });
    // Hundredths of a point, as points: 8850 → "88.50".
    tera.register_filter("points", |v: &Value, _: &HashMap<String, Value>| {
        let c = v.as_i64().unwrap_or_default();
        Ok(Value::String(format!("{}{}.{:02}", if c < 0 { "-" } else { "" }, c.abs() / 100, c.abs() % 100)))
    });
    tera.register_filter("dt", |v: &Value, _: &HashMap<String, Value>| {
        let s = v.as_str().unwrap_or_default();
        let shown = chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| format_datetime(t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|_| s.to_string());
        Ok(Value::String(shown))
    });
    // `{{ org.status | code_label(p="status", l=lang) }}` looks up "status.active".
    tera.register_filter("code_label", |v: &Value, args: &HashMap<String, Value>| {
        let prefix = args.get("p").and_then(Value::as_str).unwrap_or_default();
        let code = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
        let key = format!("{prefix}.{code}");
        let text = locale_arg(args).t(&key);
        Ok(Value::String(if text.is_empty() { code } else { text.to_string() }))
    });
}
