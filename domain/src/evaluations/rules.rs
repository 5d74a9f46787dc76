//! What a bureau sets for its evaluations: the grade bands, what 合格 deducts from the
//! last instalment, how long 不合格 bars an organization from calls, how long 优秀/良好
//! counts as a preference, and when the provider is reminded of its self-evaluation.
//! Override with FUHUA_EVALUATIONS__<FIELD> (e.g. FUHUA_EVALUATIONS__PASS_DEDUCTION_PERCENT=20).
use entity::enums::EvaluationGrade;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationRules {
    /// Lowest total (points) graded 优秀.
    pub excellent_from: i32,
    /// Lowest total graded 良好.
    pub good_from: i32,
    /// Lowest total graded 合格; below it, 不合格.
    pub pass_from: i32,
    /// Percent of the final instalment deducted when the final grade is 合格.
    pub pass_deduction_percent: i32,
    /// Months after a 不合格 final evaluation in which calls published refuse the organization.
    pub ineligible_months: u32,
    /// Months in which a 优秀/良好 final evaluation counts as a preference.
    pub preference_months: u32,
    /// Days before the self-evaluation is due on which the provider is reminded.
    pub self_remind_days_before: Vec<i64>,
}

impl Default for EvaluationRules {
    fn default() -> Self {
        EvaluationRules {
            excellent_from: 90,
            good_from: 80,
            pass_from: 60,
            pass_deduction_percent: 10,
            ineligible_months: 12,
            preference_months: 36,
            self_remind_days_before: vec![3],
        }
    }
}

impl EvaluationRules {
    /// The grade of a total in hundredths of a point: 89.99 is 良好, 90.00 优秀.
    pub fn grade(&self, total_centi: i32) -> EvaluationGrade {
        if total_centi >= self.excellent_from * 100 {
            EvaluationGrade::Excellent
        } else if total_centi >= self.good_from * 100 {
            EvaluationGrade::Good
        } else if total_centi >= self.pass_from * 100 {
            EvaluationGrade::Pass
        } else {
            EvaluationGrade::Fail
        }
    }

    /// Refuses bands out of order or outside 1–100, and a deduction outside 0–100 %, so a
    /// mistyped setting stops start-up instead of grading wrongly.
    pub fn check(&self) -> Result<(), String> {
        let ordered = 0 < self.pass_from
            && self.pass_from <= self.good_from
            && self.good_from <= self.excellent_from
            && self.excellent_from <= 100;
        if !ordered {
            return Err(format!(
                "evaluation grade bands must satisfy 0 < pass ({}) ≤ good ({}) ≤ excellent ({}) ≤ 100",
                self.pass_from, self.good_from, self.excellent_from
            ));
        }
        if !(0..=100).contains(&self.pass_deduction_percent) {
            return Err(format!("evaluation deduction must be 0–100 %, not {}", self.pass_deduction_percent));
        }
        Ok(())
    }

    /// The bands as shown on pages and in the report, e.g. "优秀 ≥ 90".
    pub fn bands(&self) -> [(EvaluationGrade, i32, Option<i32>); 4] {
        [
            (EvaluationGrade::Excellent, self.excellent_from, None),
            (EvaluationGrade::Good, self.good_from, Some(self.excellent_from)),
            (EvaluationGrade::Pass, self.pass_from, Some(self.good_from)),
            (EvaluationGrade::Fail, 0, Some(self.pass_from)),
        ]
    }

    /// Deduction from an instalment of `amount_fen` for a 合格 final grade, rounded to the fen.
    pub fn deduction_fen(&self, amount_fen: i64) -> i64 {
        (amount_fen * self.pass_deduction_percent.clamp(0, 100) as i64 + 50) / 100
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_at_their_edges() {
        let r = EvaluationRules::default();
        assert_eq!(r.grade(5999), EvaluationGrade::Fail);
        assert_eq!(r.grade(6000), EvaluationGrade::Pass);
        assert_eq!(r.grade(7999), EvaluationGrade::Pass);
        assert_eq!(r.grade(8000), EvaluationGrade::Good);
        assert_eq!(r.grade(8999), EvaluationGrade::Good);
        assert_eq!(r.grade(9000), EvaluationGrade::Excellent);
        assert_eq!(r.grade(10000), EvaluationGrade::Excellent);
        assert_eq!(r.deduction_fen(9_120_000), 912_000);
        assert_eq!(r.deduction_fen(5), 1, "half a fen rounds up");
        assert!(r.check().is_ok());
        assert!(EvaluationRules { good_from: 95, ..EvaluationRules::default() }.check().is_err());
        assert!(EvaluationRules { pass_deduction_percent: 120, ..EvaluationRules::default() }.check().is_err());
    }
}
