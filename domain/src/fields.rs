//! Form fields as people type them, parsed at the boundary: required text, whole numbers
//! in a range, ticked checkboxes; and a one-field refusal.
use crate::error::{AppError, FieldErrors};
use crate::i18n::Msg;

/// The longest free text of one part of a record (a plan, a clause, an answer, a comment, a
/// note): 4,000 characters, what a page of A4 holds.
pub const LONG_TEXT: usize = 4000;
/// The longest one-line text (a name, a title, an indicator): 200 characters.
pub const SHORT_TEXT: usize = 200;
/// A bid's service plan, the one long document typed into a form: 20,000 characters.
pub const SERVICE_PLAN: usize = 20_000;
/// A quantity a bid promises for one output: 1 to ten million.
pub const OUTPUT_QUANTITY: std::ops::RangeInclusive<i64> = 1..=10_000_000;

/// A refusal naming one field.
pub fn field_error(field: &'static str, msg: Msg) -> AppError {
    let mut e = FieldErrors::default();
    e.add(field, msg);
    AppError::Invalid(e)
}

/// A whole number in `range`, or a field error.
pub fn int_field(
    e: &mut FieldErrors,
    field: &'static str,
    s: &str,
    range: std::ops::RangeInclusive<i32>,
) -> Option<i32> {
    if s.trim().is_empty() {
        e.add(field, Msg::new("field.required"));
        return None;
    }
    match s.trim().parse::<i32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            e.add(field, Msg::new("number.range").arg("min", range.start()).arg("max", range.end()));
            None
        }
    }
}

pub fn text_field(e: &mut FieldErrors, field: &'static str, s: &str, max: usize) -> String {
    let t = super::clean(s);
    if t.is_empty() {
        e.add(field, Msg::new("field.required"));
    } else if t.chars().count() > max {
        e.add(field, Msg::new("field.too_long").arg("max", max));
    }
    t
}

/// One line of required text (a name, a title): as `text_field`, with `clean_line`.
pub fn line_field(e: &mut FieldErrors, field: &'static str, s: &str, max: usize) -> String {
    text_field(e, field, &super::clean_line(s), max)
}

/// A ticked checkbox ("on"), or a true value from the API.
pub fn truthy(s: &str) -> bool {
    matches!(s.trim(), "on" | "true" | "1" | "yes")
}

/// Free text, cleaned, refused (not cut) when longer than `max` characters, so nothing a
/// user wrote is silently lost. Empty is allowed; the caller decides whether it may be.
pub fn bounded(field: &'static str, s: &str, max: usize) -> Result<String, crate::error::AppError> {
    let t = super::clean(s);
    if t.chars().count() > max {
        return Err(field_error(field, Msg::new("field.too_long").arg("max", max)));
    }
    Ok(t)
}
