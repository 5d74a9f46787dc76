//! Comprehensive scoring (综合评分法) as arithmetic, apart from who types the scores:
//! the price score from the benchmark price, totals from the experts' scores, the ranking
//! with its tie-breaks, and the abnormally low price flag. Scores are kept in hundredths of
//! a point (integers), so every total is exact and rounding happens once, half up.
use serde::Serialize;

/// Hundredths of a point: 1234 is 12.34 points.
pub type Centi = i64;

/// An exact number of hundredths of a point, `num / den` (den > 0), kept as a fraction so
/// that a bid's total is the exact sum of its parts and is rounded once.
#[derive(Debug, Clone, Copy)]
pub struct Exact {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    (a, b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Exact {
    pub const ZERO: Exact = Exact { num: 0, den: 1 };

    fn new(num: i128, den: i128) -> Exact {
        if den == 0 {
            return Exact::ZERO;
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Exact { num: sign * num / g, den: sign * den / g }
    }

    /// Rounded to whole hundredths, halves up (the one rounding a score gets).
    pub fn round(self) -> Centi {
        (2 * self.num + self.den).div_euclid(2 * self.den) as Centi
    }
}

impl std::ops::Add for Exact {
    type Output = Exact;
    fn add(self, other: Exact) -> Exact {
        Exact::new(self.num * other.den + other.num * self.den, self.den * other.den)
    }
}

impl PartialEq for Exact {
    fn eq(&self, other: &Exact) -> bool {
        self.num * other.den == other.num * self.den
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Exact) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Exact) -> std::cmp::Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::ZERO, |a, b| a + b)
    }
}

/// The price score, exactly: benchmark (lowest valid price) ÷ bid price × price weight × 100,
/// where the weight is a percentage of the total, so the lowest bid gets the whole weight.
pub fn price_exact(benchmark_fen: i64, bid_fen: i64, price_weight_pct: i32) -> Exact {
    if bid_fen <= 0 || benchmark_fen <= 0 {
        return Exact::ZERO;
    }
    Exact::new(benchmark_fen as i128 * price_weight_pct as i128 * 100, bid_fen as i128)
}

/// The price score as shown. E.g. benchmark ¥90,000, bid ¥100,000, weight 20%:
/// 90000/100000 × 20 = 18.00 points.
pub fn price_score(benchmark_fen: i64, bid_fen: i64, price_weight_pct: i32) -> Centi {
    price_exact(benchmark_fen, bid_fen, price_weight_pct).round()
}

/// One criterion's points for a bid, exactly: the mean of the experts' scores (each 0–100)
/// times the criterion's weight.
pub fn criterion_exact(expert_scores: &[i32], weight_pct: i32) -> Exact {
    if expert_scores.is_empty() {
        return Exact::ZERO;
    }
    let sum: i128 = expert_scores.iter().map(|s| *s as i128).sum();
    Exact::new(sum * weight_pct as i128, expert_scores.len() as i128)
}

/// One criterion's points as shown. E.g. scores 80, 85, 90 on a 40% criterion: 85 × 0.4 = 34.00.
pub fn criterion_points(expert_scores: &[i32], weight_pct: i32) -> Centi {
    criterion_exact(expert_scores, weight_pct).round()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub bid_id: i32,
    pub price_fen: i64,
    /// Points from the non-price criteria, rounded for display.
    pub technical: Centi,
    /// The price score, rounded for display.
    pub price: Centi,
    /// The exact sum of every part, rounded once: this is what ranks.
    pub total: Centi,
    pub rank: usize,
    #[serde(skip)]
    pub technical_exact: Exact,
}

/// Ranks bids: higher total (to 0.01) first; on a tie, the lower price; then the higher
/// technical score (exactly); then the earlier bid, so the order is always the same.
pub fn rank(mut bids: Vec<Scored>) -> Vec<Scored> {
    bids.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.price_fen.cmp(&b.price_fen))
            .then(b.technical_exact.cmp(&a.technical_exact))
            .then(a.bid_id.cmp(&b.bid_id))
    });
    for (i, b) in bids.iter_mut().enumerate() {
        b.rank = i + 1;
    }
    bids
}

/// Scores and ranks: `technical` holds each bid's exact points from the non-price criteria.
/// The total is the exact sum of technical and price points, rounded once, half up.
pub fn score(bids: &[(i32, i64, Exact)], price_weight_pct: i32) -> Vec<Scored> {
    let benchmark = bids.iter().map(|b| b.1).filter(|p| *p > 0).min().unwrap_or(0);
    rank(
        bids.iter()
            .map(|&(bid_id, price_fen, technical)| {
                let price = price_exact(benchmark, price_fen, price_weight_pct);
                Scored {
                    bid_id,
                    price_fen,
                    technical: technical.round(),
                    price: price.round(),
                    total: (technical + price).round(),
                    rank: 0,
                    technical_exact: technical,
                }
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

    fn scored(bid_id: i32, price_fen: i64, technical: Centi, price: Centi, total: Centi) -> Scored {
        let technical_exact = Exact::new(technical as i128, 1);
        Scored { bid_id, price_fen, technical, price, total, rank: 0, technical_exact }
    }

    fn whole(c: Centi) -> Exact {
        Exact::new(c as i128, 1)
    }

    #[test]
    fn ties_go_to_the_lower_price_then_the_higher_technical_score() {
        // A and B tie on 80.00; B is cheaper. C ties with D on total and price; D is better technically.
        let ranked = rank(vec![
            scored(1, 100, 6000, 2000, 8000),
            scored(2, 90, 6100, 1900, 8000),
            scored(3, 120, 5000, 1000, 6000),
            scored(4, 120, 5500, 500, 6000),
        ]);
        assert_eq!(ranked.iter().map(|b| (b.bid_id, b.rank)).collect::<Vec<_>>(), vec![(2, 1), (1, 2), (4, 3), (3, 4)]);
    }

    #[test]
    fn a_whole_call_scored_by_hand() {
        // Price weight 20. Technical points already summed per bid.
        // Bid 1: ¥100,000, technical 70.00 → price 90/100 × 20 = 18.00 → 88.00
        // Bid 2: ¥90,000,  technical 66.00 → price 20.00 → 86.00
        // Bid 3: ¥120,000, technical 72.00 → price 15.00 → 87.00
        let s = score(&[(1, 10_000_000, whole(7000)), (2, 9_000_000, whole(6600)), (3, 12_000_000, whole(7200))], 20);
        assert_eq!(s.iter().map(|b| (b.bid_id, b.total)).collect::<Vec<_>>(), vec![(1, 8800), (3, 8700), (2, 8600)]);
    }

    #[test]
    fn the_total_is_rounded_once_from_the_exact_parts() {
        // Three experts; criterion A (weight 50): 81, 82, 82 → 245 × 50 / 3 = 4083.333…
        // (40.83 shown); criterion B (weight 30): 80, 80, 81 → 241 × 30 / 3 = 2410 (24.10);
        // price (weight 20): 90,000 / 90,300 × 20 = 19.9335… (19.93 shown).
        // Rounded parts add to 84.86; the exact total 84.8668… rounds once to 84.87.
        let technical = criterion_exact(&[81, 82, 82], 50) + criterion_exact(&[80, 80, 81], 30);
        assert_eq!((criterion_points(&[81, 82, 82], 50), criterion_points(&[80, 80, 81], 30)), (4083, 2410));
        assert_eq!(price_score(9_000_000, 9_030_000, 20), 1993);
        let s = score(&[(1, 9_030_000, technical), (2, 9_000_000, Exact::ZERO)], 20);
        let first = s.iter().find(|b| b.bid_id == 1).expect("bid 1");
        assert_eq!((first.technical, first.price), (6493, 1993));
        assert_eq!(first.total, 8487, "not 64.93 + 19.93 = 84.86");
    }

    #[test]
    fn exact_fractions_compare_add_and_round_half_up() {
        assert_eq!(Exact::new(1, 2).round(), 1);
        assert_eq!(Exact::new(149, 100).round(), 1);
        assert_eq!(Exact::new(5, 2).round(), 3);
        assert_eq!(Exact::new(1, 3) + Exact::new(1, 6), Exact::new(1, 2));
        assert!(Exact::new(2, 3) > Exact::new(66, 100));
        assert_eq!([Exact::new(1, 3), Exact::new(1, 3), Exact::new(1, 3)].into_iter().sum::<Exact>(), whole(1));
        assert_eq!(price_exact(1, 0, 20), Exact::ZERO);
    }

    #[test]
    fn abnormally_low_is_below_the_threshold_of_the_others_mean() {
        assert!(abnormally_low(7_000_000, &[10_000_000, 11_000_000], 80));
        assert!(!abnormally_low(8_400_000, &[10_000_000, 11_000_000], 80));
        assert!(!abnormally_low(1, &[], 80));
    }
}
