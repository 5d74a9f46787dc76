//! Money is integer fen. Input is yuan with up to two decimals; never a float.
use crate::i18n::Msg;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Money(pub i64);

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

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

    /// The amount in Chinese capital numerals (大写金额) as contracts and vouchers write it:
    /// ¥120,000.00 → 人民币壹拾贰万元整 (without the 人民币 prefix here). One 零 stands for
    /// any run of zeros between digits; "整" follows 元 when there are no 角 or 分.
    pub fn capitals(self) -> String {
        const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
        const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
        const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];
        let fen = self.0.max(0);
        let (mut yuan, jiao, fen) = (fen / 100, (fen / 10 % 10) as usize, (fen % 10) as usize);
        let mut groups = Vec::new();
        while yuan > 0 {
            groups.push((yuan % 10_000) as usize);
            yuan /= 10_000;
        }
        let mut out = String::new();
        let mut zero_pending = false;
        for (section, g) in groups.iter().enumerate().rev() {
            if *g == 0 {
                zero_pending = !out.is_empty();
                continue;
            }
            if (zero_pending || *g < 1000) && !out.is_empty() {
                out.push('零');
            }
            // Digits of the group, thousands first; a run of zeros inside becomes one 零.
            let (mut started, mut zero) = (false, false);
            for place in (0..4).rev() {
                let d = g / 10usize.pow(place as u32) % 10;
                if d == 0 {
                    zero = started;
                    continue;
                }
                if zero {
                    out.push('零');
                    zero = false;
                }
                out.push(DIGITS[d]);
                out.push_str(PLACES[place]);
                started = true;
            }
            out.push_str(SECTIONS[section]);
            zero_pending = false;
        }
        let whole = !out.is_empty();
        if whole {
            out.push('元');
        }
        match (jiao, fen) {
            (0, 0) if whole => out.push('整'),
            (0, 0) => out.push_str("零元整"),
            (0, f) => {
                if whole {
                    out.push('零');
                }
                out.push(DIGITS[f]);
                out.push('分');
            }
            (j, f) => {
                out.push(DIGITS[j]);
                out.push('角');
                if f > 0 {
                    out.push(DIGITS[f]);
                    out.push('分');
                }
            }
        }
        out
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

    #[test]
    fn capitals_as_vouchers_write_them() {
        let cases = [
            (12_000_000, "壹拾贰万元整"),
            (140_950, "壹仟肆佰零玖元伍角"),
            (600_714, "陆仟零柒元壹角肆分"),
            (168_032, "壹仟陆佰捌拾元叁角贰分"),
            (10_700_053, "壹拾万柒仟元伍角叁分"),
            (32_504, "叁佰贰拾伍元零肆分"),
            (100_000_500, "壹佰万零伍元整"),
            (1_050_000_000, "壹仟零伍拾万元整"),
            (10_100_100_000, "壹亿零壹佰万壹仟元整"),
            (100_000_000_000, "壹拾亿元整"),
            (1_000_000_000_000, "壹佰亿元整"),
            (1_001_000, "壹万零壹拾元整"),
            (50, "伍角"),
            (7, "柒分"),
            (0, "零元整"),
        ];
        for (fen, text) in cases {
            assert_eq!(Money(fen).capitals(), text, "{fen} fen");
        }
    }
}
