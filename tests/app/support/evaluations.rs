//! Evaluations of contracts: scheduled, self-evaluated, scored, surveyed, released.
use crate::support::contracts::Awarded;
use crate::support::*;
use entity::enums::{ConflictKind, EvaluationKind, Role};
use fuhua::domain::evaluations::assessment::{self, FindingsInput, SurveyInput};
use fuhua::domain::evaluations::conduct::{self, AchievedLine, ScoreLine, SelfInput};
use fuhua::domain::evaluations::schedule::{self, ScheduleInput};
use fuhua::domain::evaluations::templates::{self, DimensionInput, IndicatorInput, TemplateInput};
use fuhua::domain::evaluations::{release, view};
use fuhua::error::AppError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Schedules an evaluation with `n` third-party evaluators; returns it and them.
pub async fn scheduled(app: &TestApp, w: &Awarded, kind: EvaluationKind, n: usize) -> (i32, Vec<entity::user::Model>) {
    let s = app.state();
    let t = templates::save(app.db(), &w.officer, t0(), None, &template_input()).await.expect("template");
    let mut people = Vec::new();
    for i in 0..n {
        people.push(app.user(&format!("{}-{i}@pg.test", kind.code()), Role::Evaluator, None).await);
    }
    let input = ScheduleInput {
        kind: kind.code().into(),
        template_id: t.id.to_string(),
        visit_on: "2027-06-20".into(),
        self_due_on: "2027-06-10".into(),
        method: "资料审阅、入户回访".into(),
        evaluators: people.iter().map(|p| p.id).collect(),
    };
    let ev = schedule::schedule(app.db(), &s.emails, "http://x", &w.officer, t0(), today(), w.contract, &input)
        .await
        .expect("schedule");
    (ev.id, people)
}

pub async fn self_evaluate(app: &TestApp, w: &Awarded, ev: i32) {
    let ids = indicator_ids(app, ev).await;
    let outputs = entity::evaluation_output::Entity::find()
        .filter(entity::evaluation_output::Column::EvaluationId.eq(ev))
        .all(app.db())
        .await
        .expect("q");
    let input = SelfInput {
        summary: "按合同完成家庭探访和成长小组。".into(),
        scores: lines(&ids, &["38", "18", "27", "9"]),
        achieved: outputs.iter().map(|o| AchievedLine { output_id: o.output_id, achieved: "180".into() }).collect(),
    };
    conduct::submit_self(app.db(), &app.state().emails, "o", &w.provider, t0(), ev, &input).await.expect("self");
}

/// Each evaluator declares no tie and scores the four indicators.
pub async fn score_all(app: &TestApp, ev: i32, people: &[entity::user::Model], sheets: &[[&str; 4]]) {
    let ids = indicator_ids(app, ev).await;
    for (p, sheet) in people.iter().zip(sheets) {
        conduct::declare(app.db(), p, t0(), ev, ConflictKind::None, "").await.expect("declare");
        conduct::score(app.db(), p, t0(), ev, &lines(&ids, sheet)).await.expect("score");
    }
}

pub async fn survey_and_findings(app: &TestApp, w: &Awarded, ev: i32) {
    let survey =
        SurveyInput { surveyed: "120".into(), satisfied_percent: "93.5".into(), survey_method: "电话回访".into() };
    assessment::survey(app.db(), &w.officer, t0(), ev, &survey).await.expect("survey");
    let f = FindingsInput {
        method: "资料审阅、入户回访与满意度调查".into(),
        findings: "探访记录完整，个别家庭回访间隔偏长。".into(),
        recommendations: "建立回访提醒台账。".into(),
    };
    assessment::findings(app.db(), &w.officer, t0(), ev, &f).await.expect("findings");
}

/// A released evaluation of `kind` with one evaluator per sheet.
pub async fn released(app: &TestApp, w: &Awarded, kind: EvaluationKind, sheets: &[[&str; 4]]) -> view::EvaluationView {
    let (ev, people) = scheduled(app, w, kind, sheets.len()).await;
    self_evaluate(app, w, ev).await;
    score_all(app, ev, &people, sheets).await;
    survey_and_findings(app, w, ev).await;
    release_now(app, w, ev).await.expect("release")
}

/// 产出 60 (家庭探访完成率 40, linked to the output; 服务记录规范 20) and 效益与满意度 40
/// (服务成效 30; 服务对象满意度 10, linked to the survey).
pub fn template_input() -> TemplateInput {
    TemplateInput {
        name: "儿童家庭服务绩效指标".into(),
        category: "children".into(),
        description: String::new(),
        dimensions: vec![dim("产出", "60"), dim("效益与满意度", "40")],
        indicators: vec![
            ind("1", "家庭探访完成率", "40", "output"),
            ind("1", "服务记录规范", "20", "none"),
            ind("2", "服务成效", "30", "none"),
            ind("2", "服务对象满意度", "10", "satisfaction"),
        ],
    }
}

pub fn today() -> chrono::NaiveDate {
    fuhua::i18n::to_local(t0()).date_naive()
}

pub async fn indicator_ids(app: &TestApp, ev: i32) -> Vec<i32> {
    conduct::indicators(app.db(), ev).await.expect("q").into_iter().map(|i| i.id).collect()
}

pub fn lines(ids: &[i32], scores: &[&str]) -> Vec<ScoreLine> {
    ids.iter()
        .zip(scores)
        .map(|(i, s)| ScoreLine { indicator_id: *i, score: s.to_string(), comment: format!("评语{s}") })
        .collect()
}

pub async fn release_now(app: &TestApp, w: &Awarded, ev: i32) -> Result<view::EvaluationView, AppError> {
    let s = app.state();
    release::release(app.db(), &s.emails, &s.documents, "http://x", &w.officer, t0(), &s.config.evaluations, ev).await
}

pub fn dim(name: &str, weight: &str) -> DimensionInput {
    DimensionInput { name: name.into(), weight: weight.into() }
}

pub fn ind(d: &str, name: &str, weight: &str, link: &str) -> IndicatorInput {
    IndicatorInput {
        dimension: d.into(),
        name: name.into(),
        weight: weight.into(),
        guide: "按完成情况评分".into(),
        link: link.into(),
    }
}
