//! Comprehensive scoring (综合评分法) as arithmetic, apart from who types the scores:
//! the price score from the benchmark price, totals from the experts' scores, the ranking
//! with its tie-breaks, and the abnormally low price flag. Scores are kept in hundredths of
//! a point (integers), so every total is exact and rounding happens once, half up.
use serde::Serialize;

/// Hundredths of a point: 1234 is 12.34 points.
pub type Centi = i64;

/// Rounds `num / den` to the nearest integer, halves up (both positive).
fn div_round(num: i128, den: i128) -> i64 {
    if den == 0 {
        return 0;
    }
    ((2 * num + den) / (2 * den)) as i64
}

/// The price score: benchmark (lowest valid price) ÷ bid price × price weight × 100, where
/// the weight is a percentage of the total, so the lowest bid gets the whole weight.
/// E.g. benchmark ¥90,000, bid ¥100,000, weight 20%: 90000/100000 × 20 = 18.00 points.
pub fn price_score(benchmark_fen: i64, bid_fen: i64, price_weight_pct: i32) -> Centi {
    if bid_fen <= 0 || benchmark_fen <= 0 {
        return 0;
    }
    div_round(benchmark_fen as i128 * price_weight_pct as i128 * 100, bid_fen as i128)
}

/// One criterion's points for a bid: the mean of the experts' scores (each 0–100) times the
/// criterion's weight. E.g. scores 80, 85, 90 on a 40% criterion: 85 × 0.4 = 34.00 points.
pub fn criterion_points(expert_scores: &[i32], weight_pct: i32) -> Centi {
    if expert_scores.is_empty() {
        return 0;
    }
    let sum: i128 = expert_scores.iter().map(|s| *s as i128).sum();
    div_round(sum * weight_pct as i128, expert_scores.len() as i128)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub bid_id: i32,
    pub price_fen: i64,
    /// Points from the non-price criteria.
    pub technical: Centi,
    pub price: Centi,
    pub total: Centi,
    pub rank: usize,
}

/// Ranks bids: higher total first; on a tie, the lower price; then the higher technical
/// score; then the earlier bid, so the order is always the same.
pub fn rank(mut bids: Vec<Scored>) -> Vec<Scored> {
    bids.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.price_fen.cmp(&b.price_fen))
            .then(b.technical.cmp(&a.technical))
            .then(a.bid_id.cmp(&b.bid_id))
    });
    for (i, b) in bids.iter_mut().enumerate() {
        b.rank = i + 1;
    }
    bids
}

/// Scores and ranks: `technical` holds each bid's points from the non-price criteria.
pub fn score(bids: &[(i32, i64, Centi)], price_weight_pct: i32) -> Vec<Scored> {
    let benchmark = bids.iter().map(|b| b.1).filter(|p| *p > 0).min().unwrap_or(0);
    rank(
        bids.iter()
            .map(|&(bid_id, price_fen, technical)| {
                let price = price_score(benchmark, price_fen, price_weight_pct);
                Scored { bid_id, price_fen, technical, price, total: technical + price, rank: 0 }
            })
            .collect(),
    )
}

/// Whether a price is abnormally low: below `threshold_pct` percent of the mean of the
/// other valid prices. Such a bid needs a written explanation, and the panel decides.
pub fn abnormally_low(price_fen: i64, others: &[i64], threshold_pct: i64) -> bool {
    if others.is_empty() {
        return false;
    }
    let mean = others.iter().map(|p| *p as i128).sum::<i128>() / others.len() as i128;
    (price_fen as i128) * 100 < mean * threshold_pct as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_scores_by_hand() {
        // The benchmark bid gets the whole weight.
        assert_eq!(price_score(9_000_000, 9_000_000, 20), 2000);
        // 90,000 / 100,000 × 20 = 18.00
        assert_eq!(price_score(9_000_000, 10_000_000, 20), 1800);
        // 90,000 / 120,000 × 30 = 22.50
        assert_eq!(price_score(9_000_000, 12_000_000, 30), 2250);
        // 100,000 / 300,000 × 10 = 3.333… → 3.33
        assert_eq!(price_score(10_000_000, 30_000_000, 10), 333);
        // 2 / 3 × 10 = 6.666… → 6.67 (half up)
        assert_eq!(price_score(200, 300, 10), 667);
        assert_eq!(price_score(9_000_000, 0, 20), 0);
    }

    #[test]
    fn criterion_points_are_the_experts_mean_times_the_weight() {
        assert_eq!(criterion_points(&[80, 85, 90], 40), 3400);
        // (70 + 75 + 81) / 3 = 75.333… × 0.2 = 15.066… → 15.07
        assert_eq!(criterion_points(&[70, 75, 81], 20), 1507);
        assert_eq!(criterion_points(&[], 40), 0);
    }

    #[test]
    fn ties_go_to_the_lower_price_then_the_higher_technical_score() {
        // A and B tie on 80.00; B is cheaper. C ties with D on total and price; D is better technically.
        let ranked = rank(vec![
            Scored { bid_id: 1, price_fen: 100, technical: 6000, price: 2000, total: 8000, rank: 0 },
            Scored { bid_id: 2, price_fen: 90, technical: 6100, price: 1900, total: 8000, rank: 0 },
            Scored { bid_id: 3, price_fen: 120, technical: 5000, price: 1000, total: 6000, rank: 0 },
            Scored { bid_id: 4, price_fen: 120, technical: 5500, price: 500, total: 6000, rank: 0 },
        ]);
        assert_eq!(ranked.iter().map(|b| (b.bid_id, b.rank)).collect::<Vec<_>>(), vec![(2, 1), (1, 2), (4, 3), (3, 4)]);
    }

    #[test]
    fn a_whole_call_scored_by_hand() {
        // Price weight 20. Technical points already summed per bid.
        // Bid 1: ¥100,000, technical 70.00 → price 90/100 × 20 = 18.00 → 88.00
        // Bid 2: ¥90,000,  technical 66.00 → price 20.00 → 86.00
        // Bid 3: ¥120,000, technical 72.00 → price 15.00 → 87.00
        let s = score(&[(1, 10_000_000, 7000), (2, 9_000_000, 6600), (3, 12_000_000, 7200)], 20);
        assert_eq!(s.iter().map(|b| (b.bid_id, b.total)).collect::<Vec<_>>(), vec![(1, 8800), (3, 8700), (2, 8600)]);
    }

    #[test]
    fn abnormally_low_is_below_the_threshold_of_the_others_mean() {
        assert!(abnormally_low(7_000_000, &[10_000_000, 11_000_000], 80));
        assert!(!abnormally_low(8_400_000, &[10_000_000, 11_000_000], 80));
        assert!(!abnormally_low(1, &[], 80));
    }
}
