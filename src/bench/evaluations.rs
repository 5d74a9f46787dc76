//! The evaluation report benchmark (bench/evaluation_report.sh): for the demo's released final
//! evaluation, the time to read it from the database into its view (what the evaluation page
//! and the report are built from) and to draw its report PDF, `n` times each; and the same
//! for the largest evaluation the platform allows (60 indicators, 9 evaluators, every score
//! with a comment), to show the worst case.
use entity::enums::{EvaluationKind, EvaluationStatus};
use entity::{contract, evaluation};
use fuhua::domain::evaluations::access::Viewer;
use fuhua::domain::evaluations::view::{self, EvaluationView, ScoreView};
use fuhua::domain::evaluations::{EvaluationRules, templates};
use fuhua::error::{AppError, AppResult};
use fuhua::pdf::FontBook;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::path::Path;
use std::time::Instant;

pub struct Timing {
    pub median_ms: f64,
    pub p99_ms: f64,
}

pub struct Figures {
    pub runs: usize,
    pub view: Timing,
    pub pdf: Timing,
    pub pages: usize,
    pub bytes: usize,
    pub large_pdf: Timing,
    pub large_pages: usize,
    pub large_bytes: usize,
}

fn timing(mut times: Vec<f64>) -> Timing {
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Timing { median_ms: at(0.5), p99_ms: at(0.99) }
}

/// The demo's view grown to the limits: 60 indicators in 10 dimensions, 9 evaluators each
/// writing a two-sentence comment on every indicator.
fn largest(v: &EvaluationView) -> EvaluationView {
    let mut big = v.clone();
    let Some(proto) = v.dimensions.first().cloned() else { return big };
    let Some(ind) = proto.indicators.first().cloned() else { return big };
    big.dimensions = (0..templates::MAX_DIMENSIONS)
        .map(|d| {
            let mut dim = proto.clone();
            dim.position = d as i32 + 1;
            dim.name = format!("{}{}", proto.name, d + 1);
            dim.indicators = (0..templates::MAX_INDICATORS / templates::MAX_DIMENSIONS)
                .map(|i| {
                    let mut x = ind.clone();
                    x.name = format!("{}（第{}项）", ind.name, i + 1);
                    x.scores = (0..fuhua::domain::evaluations::schedule::MAX_EVALUATORS)
                        .map(|e| ScoreView {
                            evaluator: format!("评估人员{}", e + 1),
                            score: ind.mean.clone().unwrap_or_default(),
                            score_centi: 0,
                            comment: "服务记录完整，抽查结果与台账一致；个别记录缺少服务时长，建议改进。".into(),
                        })
                        .collect();
                    x
                })
                .collect();
            dim
        })
        .collect();
    big
}

pub async fn run(db: &DatabaseConnection, n: usize, out: &Path) -> AppResult<Figures> {
    let ev = evaluation::Entity::find()
        .filter(evaluation::Column::Kind.eq(EvaluationKind::Final))
        .filter(evaluation::Column::Status.eq(EvaluationStatus::Released))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("no released final evaluation: load the demo first".into()))?;
    let k = contract::Entity::find_by_id(ev.contract_id).one(db).await?.ok_or(AppError::NotFound)?;
    let rules = EvaluationRules::default();
    let mut view_times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        std::hint::black_box(view::build(db, &ev, &k, Viewer::Bureau, &rules).await?);
        view_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let v = view::build(db, &ev, &k, Viewer::Bureau, &rules).await?;
    let fonts = FontBook::embedded()?;
    let draw = |v: &EvaluationView, n: usize| -> AppResult<(Timing, fuhua::pdf::Rendered)> {
        let doc = fuhua::pdf::evaluation_report::document(v, &rules);
        let first = fuhua::pdf::render(&fonts, &doc)?;
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            std::hint::black_box(fuhua::pdf::render(&fonts, &doc)?.bytes.len());
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok((timing(times), first))
    };
    let (pdf, first) = draw(&v, n)?;
    let (large_pdf, large) = draw(&largest(&v), (n / 10).max(1))?;
    std::fs::create_dir_all(out).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(out.join("evaluation-report.pdf"), &first.bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(out.join("evaluation-report-large.pdf"), &large.bytes)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Figures {
        runs: n,
        view: timing(view_times),
        pdf,
        pages: first.pages,
        bytes: first.bytes.len(),
        large_pdf,
        large_pages: large.pages,
        large_bytes: large.bytes.len(),
    })
}
