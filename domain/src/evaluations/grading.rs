//! The arithmetic of an evaluation, in whole hundredths of a point so that nothing is lost
//! to floating point: a score per indicator is the mean over the evaluators who scored it,
//! rounded half up to 0.01; a dimension's score is the sum of its indicators' and the total
//! the sum of the dimensions'. An indicator's weight is the most points it can score, so the
//! total is the weighted sum and a perfect evaluation makes 100.
use crate::i18n::Msg;
use entity::evaluation_indicator;
use std::collections::BTreeMap;

/// Points as typed ("8", "8.5", "8.25") within 0..=max, as hundredths.
pub fn parse_points(s: &str, max_points: i32) -> Result<i32, Msg> {
    let out_of_range = || Msg::new("evaluation.score_range").arg("max", max_points);
    let t = s.trim();
    if t.is_empty() {
        return Err(Msg::new("field.required"));
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 4 {
        return Err(out_of_range());
    }
    let whole: i32 = whole.parse().map_err(|_| out_of_range())?;
    let frac: i32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| out_of_range())? };
    let centi = whole * 100 + frac;
    if centi > max_points * 100 { Err(out_of_range()) } else { Ok(centi) }
}

/// A share as typed ("96.5", in percent, 0–100, two decimals at most) as basis points.
pub fn parse_percent(s: &str) -> Result<i32, Msg> {
    parse_points(s, 100).map_err(|m| if m.key == "field.required" { m } else { Msg::new("evaluation.percent_range") })
}

/// "87.35", "90.00".
pub fn points(centi: i32) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// Mean of non-negative hundredths, rounded half up to a hundredth.
pub fn mean_centi(scores: &[i32]) -> Option<i32> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len() as i64;
    let sum: i64 = scores.iter().map(|s| *s as i64).sum();
    Some(((2 * sum + n) / (2 * n)) as i32)
}

/// `weight` points scaled by `num / den` (capped at 1), rounded half up: the suggestion for an
/// indicator linked to an output (achieved of planned) or to satisfaction (bp of 10000).
pub fn suggestion_centi(weight: i32, num: i64, den: i64) -> Option<i32> {
    if den <= 0 || num < 0 {
        return None;
    }
    let num = num.min(den) as i128;
    let w = weight as i128 * 100;
    Some(((2 * w * num + den as i128) / (2 * den as i128)) as i32)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimensionResult {
    pub position: i32,
    pub name: String,
    pub weight: i32,
    /// None until every indicator of the dimension has a score.
    pub score_centi: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    /// Mean per indicator id (None: nobody scored it yet).
    pub indicators: BTreeMap<i32, Option<i32>>,
    pub dimensions: Vec<DimensionResult>,
    /// None until every indicator has a score.
    pub total_centi: Option<i32>,
}

/// Results from the indicators and the evaluators' scores (indicator id, hundredths).
pub fn results(indicators: &[evaluation_indicator::Model], scores: &[(i32, i32)]) -> Results {
    let mut by_indicator: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for (iid, s) in scores {
        by_indicator.entry(*iid).or_default().push(*s);
    }
    let means: BTreeMap<i32, Option<i32>> =
        indicators.iter().map(|i| (i.id, by_indicator.get(&i.id).and_then(|v| mean_centi(v)))).collect();
    let mut dims: Vec<DimensionResult> = Vec::new();
    for i in indicators {
        let mean = means.get(&i.id).copied().flatten();
        match dims.iter_mut().find(|d| d.position == i.dimension_position) {
            Some(d) => d.score_centi = d.score_centi.zip(mean).map(|(a, b)| a + b),
            None => dims.push(DimensionResult {
                position: i.dimension_position,
                name: i.dimension.clone(),
                weight: i.dimension_weight,
                score_centi: mean,
            }),
        }
    }
    dims.sort_by_key(|d| d.position);
    let total = dims.iter().try_fold(0, |acc, d| d.score_centi.map(|s| acc + s));
    let total_centi = if dims.is_empty() { None } else { total };
    Results { indicators: means, dimensions: dims, total_centi }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::IndicatorLink;

    fn ind(id: i32, dim: i32, weight: i32) -> evaluation_indicator::Model {
        evaluation_indicator::Model {
            id,
            evaluation_id: 1,
            position: id,
            dimension_position: dim,
            dimension: format!("维度{dim}"),
            dimension_weight: 0,
            name: format!("指标{id}"),
            weight,
            guide: String::new(),
            link: IndicatorLink::None,
            output_id: None,
        }
    }

    #[test]
    fn points_are_parsed_to_hundredths_within_the_weight() {
        assert_eq!(parse_points("8", 10), Ok(800));
        assert_eq!(parse_points(" 8.5 ", 10), Ok(850));
        assert_eq!(parse_points("8.25", 10), Ok(825));
        assert_eq!(parse_points("10", 10), Ok(1000));
        assert_eq!(parse_points("0", 10), Ok(0));
        for bad in ["10.01", "-1", "8.255", "abc", "1e1", ".5", "8.", "99999"] {
            let ok_dot = bad == "8.";
            assert_eq!(parse_points(bad, 10).is_err(), !ok_dot, "{bad}");
        }
        assert_eq!(parse_points("", 10).expect_err("blank").key, "field.required");
        assert_eq!(parse_percent("96.5"), Ok(9650));
        assert!(parse_percent("100.5").is_err());
    }

    #[test]
    fn means_round_half_up_to_a_hundredth() {
        assert_eq!(mean_centi(&[800, 850, 900]), Some(850));
        // (8.00 + 8.50 + 8.75) / 3 = 8.41666… → 8.42
        assert_eq!(mean_centi(&[800, 850, 875]), Some(842));
        // (8.01 + 8.02) / 2 = 8.015 → 8.02 (half up)
        assert_eq!(mean_centi(&[801, 802]), Some(802));
        // (7 + 7 + 8) / 3 = 7.3333… → 7.33
        assert_eq!(mean_centi(&[700, 700, 800]), Some(733));
        assert_eq!(mean_centi(&[]), None);
        assert_eq!(points(842), "8.42");
        assert_eq!(points(9000), "90.00");
        assert_eq!(points(5), "0.05");
    }

    #[test]
    fn suggestions_scale_the_weight() {
        assert_eq!(suggestion_centi(20, 180, 200), Some(1800), "180 of 200 visits on 20 points");
        assert_eq!(suggestion_centi(20, 250, 200), Some(2000), "capped at the weight");
        assert_eq!(suggestion_centi(10, 9650, 10000), Some(965), "96.5 % satisfied on 10 points");
        assert_eq!(suggestion_centi(15, 1, 3), Some(500));
        assert_eq!(suggestion_centi(10, 1, 0), None);
    }

    #[test]
    fn totals_sum_the_rounded_means() {
        let inds = vec![ind(1, 1, 10), ind(2, 1, 20), ind(3, 2, 70)];
        let scores = vec![(1, 800), (1, 850), (1, 875), (2, 1500), (2, 1601), (3, 6000), (3, 6100)];
        let r = results(&inds, &scores);
        assert_eq!(r.indicators[&1], Some(842));
        assert_eq!(r.indicators[&2], Some(1551), "15.505 → 15.51");
        assert_eq!(r.indicators[&3], Some(6050));
        assert_eq!(r.dimensions[0].score_centi, Some(842 + 1551));
        assert_eq!(r.dimensions[1].score_centi, Some(6050));
        assert_eq!(r.total_centi, Some(8443));
        let partial = results(&inds, &scores[..3]);
        assert_eq!(partial.total_centi, None, "no total until every indicator is scored");
        assert_eq!(partial.dimensions[0].score_centi, None);
    }
}
