//! The canonical form a bid is stored and digested in: JSON as RFC 8785 (JCS) writes it for
//! the values a bid holds — no white space, object keys sorted, strings escaped the short
//! way (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`,
//! everything else as UTF-8), integers in plain decimal. A bidder keeps these exact bytes
//! and checks them with any SHA-256 tool: `sha256sum receipt.json` prints the digest.
use serde_json::Value;

/// The canonical bytes of `v`.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write(v, &mut out);
    out
}

/// The canonical bytes of a serializable value.
pub fn of<T: serde::Serialize>(v: &T) -> Result<String, serde_json::Error> {
    serde_json::to_value(v).map(|v| to_string(&v))
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            // Keys compared by UTF-16 code units, as RFC 8785 asks.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                if let Some(x) = map.get(k) {
                    write(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::String(s) => string(s, out),
        // Bids hold integers only (fen, quantities); serde_json prints them in plain decimal.
        other => out.push_str(&other.to_string()),
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_without_white_space() {
        let v = json!({"team": "社工 3 名", "budget": [{"z": 1, "amount_fen": 9000000}], "a": null, "b": true});
        assert_eq!(to_string(&v), r#"{"a":null,"b":true,"budget":[{"amount_fen":9000000,"z":1}],"team":"社工 3 名"}"#);
    }

    #[test]
    fn strings_are_escaped_the_short_way_and_the_rest_is_utf8() {
        let v = json!("引号\"反斜杠\\换行\n回车\r制表\t\u{1}\u{1f}/€😀");
        assert_eq!(to_string(&v), "\"引号\\\"反斜杠\\\\换行\\n回车\\r制表\\t\\u0001\\u001f/€😀\"");
        // The same as serde_json writes strings, so stored text reads back unchanged.
        assert_eq!(to_string(&v), serde_json::to_string(&v).expect("json"));
    }

    #[test]
    fn reading_and_writing_again_gives_the_same_bytes() {
        let text =
            to_string(&json!({"service_plan": "每周上门\n两次", "outputs": [{"quantity": 2000, "unit": "人次"}]}));
        let again: Value = serde_json::from_str(&text).expect("parse");
        assert_eq!(to_string(&again), text);
    }
}
