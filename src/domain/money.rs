//! Money is integer fen. Input is yuan with up to two decimals; never a float.
use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Money(pub i64);

impl Money {
    pub fn fen(self) -> i64 {
        self.0
    }

    /// "120000", "1,234.5", "¥99.99" → fen. Refuses negatives, >2 decimals and junk.
    pub fn parse_yuan(input: &str) -> Result<Money, Msg> {
        let s: String = input.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',').collect();
        if s.is_empty() {
            return Err(Msg::new("money.required"));
        }
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Msg::new("money.invalid"));
        }
        if frac.len() > 2 {
            return Err(Msg::new("money.too_precise"));
        }
        let yuan: i64 = whole.parse().map_err(|_| Msg::new("money.too_large"))?;
        let frac_fen: i64 = format!("{frac:0<2}").parse().unwrap_or(0);
        yuan.checked_mul(100)
            .and_then(|f| f.checked_add(frac_fen))
            .filter(|f| *f <= 100_000_000_000_000)
            .map(Money)
            .ok_or(Msg::new("money.too_large"))
    }

    /// Yuan as typed back into a form: "1234.50".
    pub fn to_yuan_input(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_to_fen() {
        assert_eq!(Money::parse_yuan("1,234.5"), Ok(Money(123_450)));
        assert_eq!(Money::parse_yuan("¥30000"), Ok(Money(3_000_000)));
        assert_eq!(Money::parse_yuan("0.07"), Ok(Money(7)));
        assert!(Money::parse_yuan("1.005").is_err());
        assert!(Money::parse_yuan("-5").is_err());
        assert!(Money::parse_yuan("1e5").is_err());
        assert!(Money::parse_yuan("99999999999999999999").is_err());
    }
}
