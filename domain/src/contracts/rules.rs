//! What a bureau sets for its contracts: the numbering scheme, the purchaser's particulars
//! printed on every contract, the bond ceiling and when reminders go out. Override with
//! FUHUA_CONTRACTS__<FIELD> (e.g. FUHUA_CONTRACTS__NUMBER_FORMAT="SYHT-{year}-{seq:04}").
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractRules {
    /// `{year}` is the year of approval (Beijing time), `{seq}` or `{seq:N}` the running
    /// number within that year, zero-padded to N digits.
    pub number_format: String,
    pub purchaser_name: String,
    pub purchaser_address: String,
    pub purchaser_representative: String,
    /// Performance bond (履约保证金) ceiling, percent of the contract amount.
    pub max_bond_percent: i32,
    /// Days before a milestone is due on which the provider is reminded.
    pub remind_days_before: Vec<i64>,
    /// Hour (Beijing time) from which officers' daily digest goes out.
    pub digest_hour: u32,
}

impl Default for ContractRules {
    fn default() -> Self {
        ContractRules {
            number_format: "SYHT-{year}-{seq:03}".into(),
            purchaser_name: "三亚市民政局".into(),
            purchaser_address: "海南省三亚市吉阳区新风街".into(),
            purchaser_representative: "局长".into(),
            max_bond_percent: 10,
            remind_days_before: vec![14, 3],
            digest_hour: 8,
        }
    }
}

impl ContractRules {
    /// The number for the `seq`-th contract approved in `year`.
    pub fn number(&self, year: i32, seq: i64) -> String {
        let mut out = self.number_format.replace("{year}", &year.to_string());
        if let Some((start, len)) = out.find("{seq").and_then(|s| out[s..].find('}').map(|l| (s, l))) {
            let spec = &out[start + 4..start + len];
            let width = spec.strip_prefix(':').and_then(|w| w.trim_start_matches('0').parse::<usize>().ok());
            let n = match width {
                Some(w) => format!("{seq:0w$}"),
                None => seq.to_string(),
            };
            out.replace_range(start..=start + len, &n);
        }
        out
    }

    /// The part of a number before the running number, to count this year's contracts.
    pub fn prefix(&self, year: i32) -> String {
        let s = self.number_format.replace("{year}", &year.to_string());
        s.split("{seq").next().unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_scheme() {
        let r = ContractRules::default();
        assert_eq!(r.number(2026, 7), "SYHT-2026-007");
        assert_eq!(r.number(2026, 1234), "SYHT-2026-1234");
        assert_eq!(r.prefix(2026), "SYHT-2026-");
        let r = ContractRules { number_format: "民政购〔{year}〕{seq}号".into(), ..Default::default() };
        assert_eq!(r.number(2027, 12), "民政购〔2027〕12号");
        assert_eq!(r.prefix(2027), "民政购〔2027〕");
    }
}
