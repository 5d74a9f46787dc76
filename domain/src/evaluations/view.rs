//! What a page, the API and the report get of an evaluation. Each viewer sees its part:
//! the bureau everything; an evaluator its own scores (never another's before the release);
//! the provider its self-evaluation, and the results once released.
use super::access::Viewer;
use super::grading::{self, points, suggestion_centi};
use super::rules::EvaluationRules;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, format_date, format_datetime};
use crate::money::Money;
use entity::enums::{
    Affiliation, ConflictKind, EvaluationGrade, EvaluationKind, EvaluationStatus, EvaluatorStatus, IndicatorLink,
};
use entity::{
    call, contract, contract_output, evaluation, evaluation_evaluator, evaluation_output, evaluation_score,
    organization, user,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub evaluator: String,
    pub score: String,
    pub score_centi: i32,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorView {
    pub id: i32,
    pub name: String,
    pub weight: i32,
    pub guide: String,
    pub link: IndicatorLink,
    /// For an output-linked indicator: the contract output it measures.
    pub output_id: Option<i32>,
    /// What the suggestion rests on, e.g. "180 / 200 户次" or "96.50 %".
    pub basis: Option<String>,
    pub suggestion: Option<String>,
    pub self_score: Option<String>,
    pub self_comment: String,
    /// The mean over evaluators, for the bureau (and everyone once released).
    pub mean: Option<String>,
    pub scores: Vec<ScoreView>,
    /// The viewing evaluator's own score and comment.
    pub mine: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionView {
    pub position: i32,
    pub name: String,
    pub weight: i32,
    pub score: Option<String>,
    pub score_centi: Option<i32>,
    pub indicators: Vec<IndicatorView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluatorView {
    pub user_id: i32,
    pub name: String,
    pub affiliation: Affiliation,
    pub status: EvaluatorStatus,
    pub conflict: Option<ConflictKind>,
    pub conflict_note: Option<String>,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutputRow {
    pub output_id: i32,
    pub name: String,
    pub unit: String,
    pub planned: i64,
    pub achieved: i64,
    /// Achieved of planned, "90.00".
    pub rate: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    pub id: i32,
    pub contract_id: i32,
    pub number: Option<String>,
    pub project: String,
    pub call_id: i32,
    pub call_reference: Option<String>,
    pub provider: String,
    pub organization_id: i32,
    pub purchaser: String,
    pub amount_fen: Money,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub kind: EvaluationKind,
    pub status: EvaluationStatus,
    pub template_name: String,
    pub visit_on: String,
    pub self_due_on: String,
    pub method: String,
    pub self_summary: Option<String>,
    pub self_submitted_at: Option<String>,
    pub evaluators: Vec<EvaluatorView>,
    pub dimensions: Vec<DimensionView>,
    pub outputs: Vec<OutputRow>,
    pub surveyed: Option<i32>,
    pub satisfied: Option<String>,
    pub survey_method: String,
    pub findings: String,
    pub recommendations: String,
    pub total: Option<String>,
    pub total_centi: Option<i32>,
    pub grade: Option<EvaluationGrade>,
    pub released_at: Option<String>,
    pub report_document_id: Option<i32>,
    /// What stands in the way of the release (bureau only); pages localize it.
    #[serde(skip)]
    pub blockers: Vec<Msg>,
    /// Whether means and the total may be shown to this viewer.
    pub results_visible: bool,
    pub has_satisfaction: bool,
}

fn rate(achieved: i64, planned: i64) -> String {
    if planned <= 0 {
        return "—".into();
    }
    let bp = (achieved.max(0) as i128 * 10000 * 2 + planned as i128) / (2 * planned as i128);
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// The view for `viewer`. `rules` grade the live total the bureau sees before release.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    ev: &evaluation::Model,
    k: &contract::Model,
    viewer: Viewer,
    rules: &EvaluationRules,
) -> AppResult<EvaluationView> {
    build_for(db, ev, k, viewer, None, rules).await
}

/// The evaluation's seats, the people in them and every score entered, in order.
async fn seats_and_scores<C: ConnectionTrait>(
    db: &C,
    evaluation_id: i32,
) -> AppResult<(Vec<evaluation_evaluator::Model>, Vec<user::Model>, Vec<evaluation_score::Model>)> {
    let seats = evaluation_evaluator::Entity::find()
        .filter(evaluation_evaluator::Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(evaluation_evaluator::Column::Id)
        .all(db)
        .await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(seats.iter().map(|s| s.user_id))).all(db).await?;
    let scores = evaluation_score::Entity::find()
        .filter(evaluation_score::Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(evaluation_score::Column::Id)
        .all(db)
        .await?;
    Ok((seats, people, scores))
}

/// The evaluators as this viewer sees them: a conflict declared is the bureau's and the
/// evaluator's own business.
fn evaluator_views(seats: &[evaluation_evaluator::Model], seen: &Seen, bureau: bool) -> Vec<EvaluatorView> {
    let me = seen.me;
    seats
        .iter()
        .map(|s| EvaluatorView {
            user_id: s.user_id,
            name: seen.name_of(s.user_id),
            affiliation: s.affiliation,
            status: s.status,
            conflict: s.conflict.filter(|_| bureau || me == Some(s.user_id)),
            conflict_note: s.conflict_note.clone().filter(|_| bureau || me == Some(s.user_id)),
            submitted_at: s.submitted_at.map(format_datetime),
        })
        .collect()
}

/// The view for the account `me`: an officer who is also one of the evaluators sees, until
/// the release, no more of the others' scores than any evaluator does.
pub async fn build_for<C: ConnectionTrait>(
    db: &C,
    ev: &evaluation::Model,
    k: &contract::Model,
    viewer: Viewer,
    me: Option<i32>,
    rules: &EvaluationRules,
) -> AppResult<EvaluationView> {
    let c = call::Entity::find_by_id(k.call_id).one(db).await?.ok_or(AppError::NotFound)?;
    let org = organization::Entity::find_by_id(k.organization_id).one(db).await?.ok_or(AppError::NotFound)?;
    let inds = super::conduct::indicators(db, ev.id).await?;
    let (seats, people, scores) = seats_and_scores(db, ev.id).await?;
    // Only scores of cleared evaluators count (a removed or conflicted one's never do).
    let counted: Vec<&evaluation_score::Model> = scores
        .iter()
        .filter(|s| {
            s.user_id.is_some_and(|u| seats.iter().any(|x| x.user_id == u && x.status == EvaluatorStatus::Cleared))
        })
        .collect();
    let results = grading::results(&inds, &counted.iter().map(|s| (s.indicator_id, s.score_centi)).collect::<Vec<_>>());
    let outputs = output_rows(db, ev.id, k.id).await?;
    let released = ev.status == EvaluationStatus::Released;
    let bureau = viewer.is_bureau();
    let me = me.filter(|uid| seats.iter().any(|s| s.user_id == *uid));
    let results_visible = released || (bureau && me.is_none());
    let seen =
        Seen { scores: &scores, counted: &counted, results: &results, visible: results_visible, me, people: &people };
    let dimensions = dimension_views(&inds, ev, &outputs, &seen);
    let total_centi = if released { ev.total_centi } else { results.total_centi.filter(|_| results_visible) };
    let grade = if released { ev.grade } else { total_centi.map(|t| rules.grade(t)) };
    let has_satisfaction = inds.iter().any(|i| i.link == IndicatorLink::Satisfaction);
    let evaluators = evaluator_views(&seats, &seen, bureau);
    let mut v = EvaluationView {
        id: ev.id,
        contract_id: k.id,
        number: k.number.clone(),
        project: c.title.clone(),
        call_id: c.id,
        call_reference: c.reference.clone(),
        provider: org.name.clone(),
        organization_id: org.id,
        purchaser: k.purchaser_name.clone(),
        amount_fen: Money(k.amount_fen),
        starts_on: k.starts_on.map(format_date),
        ends_on: k.ends_on.map(format_date),
        kind: ev.kind,
        status: ev.status,
        template_name: ev.template_name.clone(),
        visit_on: format_date(ev.visit_on),
        self_due_on: format_date(ev.self_due_on),
        method: ev.method.clone(),
        self_summary: ev.self_summary.clone(),
        self_submitted_at: ev.self_submitted_at.map(format_datetime),
        evaluators,
        dimensions,
        outputs,
        surveyed: ev.survey_surveyed,
        satisfied: ev.survey_satisfied_bp.map(points),
        survey_method: ev.survey_method.clone(),
        // Drafts until the release, for the bureau only.
        findings: if bureau || released { ev.findings.clone() } else { String::new() },
        recommendations: if bureau || released { ev.recommendations.clone() } else { String::new() },
        total: total_centi.map(points),
        total_centi,
        grade,
        released_at: ev.released_at.map(format_datetime),
        report_document_id: ev.report_document_id,
        blockers: vec![],
        results_visible,
        has_satisfaction,
    };
    if bureau {
        v.blockers = super::release::blockers(&v, &seats);
    }
    Ok(v)
}

/// The outputs the evaluation measures, with what was planned and achieved.
async fn output_rows<C: ConnectionTrait>(db: &C, evaluation_id: i32, contract_id: i32) -> AppResult<Vec<OutputRow>> {
    let rows = evaluation_output::Entity::find()
        .filter(evaluation_output::Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(evaluation_output::Column::Id)
        .all(db)
        .await?;
    let contract_outputs =
        contract_output::Entity::find().filter(contract_output::Column::ContractId.eq(contract_id)).all(db).await?;
    Ok(rows
        .iter()
        .filter_map(|o| {
            let co = contract_outputs.iter().find(|c| c.id == o.output_id)?;
            Some(OutputRow {
                output_id: o.output_id,
                name: co.name.clone(),
                unit: co.unit.clone(),
                planned: o.planned,
                achieved: o.achieved,
                rate: rate(o.achieved, o.planned),
            })
        })
        .collect())
}

/// The scores as this viewer may see them.
struct Seen<'a> {
    scores: &'a [evaluation_score::Model],
    /// Scores of cleared evaluators, the ones that count.
    counted: &'a [&'a evaluation_score::Model],
    results: &'a grading::Results,
    /// Whether means, totals and others' scores are shown.
    visible: bool,
    /// The viewer, when seated as an evaluator.
    me: Option<i32>,
    people: &'a [user::Model],
}

impl Seen<'_> {
    fn name_of(&self, id: i32) -> String {
        self.people.iter().find(|p| p.id == id).map(|p| p.display_name.clone()).unwrap_or_default()
    }
}

/// What an indicator's score rests on (the output achieved, the satisfaction surveyed) and
/// the score that suggests.
fn basis_of(
    i: &entity::evaluation_indicator::Model,
    ev: &evaluation::Model,
    outputs: &[OutputRow],
) -> (Option<String>, Option<i32>) {
    match i.link {
        IndicatorLink::Output => match outputs.iter().find(|o| Some(o.output_id) == i.output_id) {
            Some(o) => (
                Some(format!("{} / {} {}（{} %）", o.achieved, o.planned, o.unit, o.rate)),
                suggestion_centi(i.weight, o.achieved, o.planned),
            ),
            None => (None, None),
        },
        IndicatorLink::Satisfaction => match ev.survey_satisfied_bp {
            Some(bp) => (Some(format!("{} %", points(bp))), suggestion_centi(i.weight, bp as i64, 10000)),
            None => (None, None),
        },
        IndicatorLink::None => (None, None),
    }
}

fn indicator_view(
    i: &entity::evaluation_indicator::Model,
    ev: &evaluation::Model,
    outputs: &[OutputRow],
    seen: &Seen,
) -> IndicatorView {
    let (basis, suggestion) = basis_of(i, ev, outputs);
    let own = seen.scores.iter().find(|s| s.indicator_id == i.id && s.user_id.is_none());
    IndicatorView {
        id: i.id,
        name: i.name.clone(),
        weight: i.weight,
        guide: i.guide.clone(),
        link: i.link,
        output_id: i.output_id,
        basis,
        suggestion: suggestion.map(points),
        self_score: own.map(|s| points(s.score_centi)),
        self_comment: own.map(|s| s.comment.clone()).unwrap_or_default(),
        mean: if seen.visible { seen.results.indicators.get(&i.id).copied().flatten().map(points) } else { None },
        scores: if seen.visible {
            seen.counted
                .iter()
                .filter(|s| s.indicator_id == i.id)
                .map(|s| ScoreView {
                    evaluator: seen.name_of(s.user_id.unwrap_or_default()),
                    score: points(s.score_centi),
                    score_centi: s.score_centi,
                    comment: s.comment.clone(),
                })
                .collect()
        } else {
            vec![]
        },
        mine: seen.me.and_then(|uid| {
            seen.scores
                .iter()
                .find(|s| s.indicator_id == i.id && s.user_id == Some(uid))
                .map(|s| (points(s.score_centi), s.comment.clone()))
        }),
    }
}

/// The indicators grouped by dimension, in the template's order.
fn dimension_views(
    inds: &[entity::evaluation_indicator::Model],
    ev: &evaluation::Model,
    outputs: &[OutputRow],
    seen: &Seen,
) -> Vec<DimensionView> {
    let mut dimensions: Vec<DimensionView> = Vec::new();
    for i in inds {
        let view = indicator_view(i, ev, outputs, seen);
        match dimensions.iter_mut().find(|d| d.position == i.dimension_position) {
            Some(d) => d.indicators.push(view),
            None => {
                let r = seen.results.dimensions.iter().find(|d| d.position == i.dimension_position);
                let score_centi = r.and_then(|d| d.score_centi).filter(|_| seen.visible);
                dimensions.push(DimensionView {
                    position: i.dimension_position,
                    name: i.dimension.clone(),
                    weight: i.dimension_weight,
                    score: score_centi.map(points),
                    score_centi,
                    indicators: vec![view],
                })
            }
        }
    }
    dimensions
}
