//! The evaluation report (绩效评估报告), in Chinese on A4: the project and contract, the
//! evaluators and method, every indicator with its weight, score and comments, the total and
//! grade, a bar chart of dimension scores against their maxima, outputs planned versus
//! achieved, beneficiary satisfaction, the self-evaluation, findings, recommendations, what
//! the result means for payment and eligibility, and the signature block.
use super::{Align, Bar, Block, Chart, Column, Document, Footer};
use crate::domain::evaluations::EvaluationRules;
use crate::domain::evaluations::grading::points;
use crate::domain::evaluations::view::EvaluationView;
use crate::i18n::format_money;
use entity::enums::{Affiliation, EvaluationGrade, EvaluationKind, EvaluationStatus, EvaluatorStatus};

fn col(title: &str, weight: f32, align: Align) -> Column {
    Column { title: title.to_string(), weight, align }
}

pub fn kind_zh(k: EvaluationKind) -> &'static str {
    match k {
        EvaluationKind::Midterm => "中期评估",
        EvaluationKind::Final => "末期评估",
    }
}

pub fn grade_zh(g: EvaluationGrade) -> &'static str {
    match g {
        EvaluationGrade::Excellent => "优秀",
        EvaluationGrade::Good => "良好",
        EvaluationGrade::Pass => "合格",
        EvaluationGrade::Fail => "不合格",
    }
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() { "—".into() } else { s.to_string() }
}

/// What the grade does, in the report's words.
fn consequence(v: &EvaluationView, grade: EvaluationGrade, rules: &EvaluationRules) -> String {
    match (v.kind, grade) {
        (EvaluationKind::Midterm, g) if g.passed() => {
            "中期评估合格，与中期评估挂钩的款项在对应里程碑验收后予以支付。".into()
        }
        (EvaluationKind::Midterm, _) => "中期评估不合格，与中期评估挂钩的款项不予支付。".into(),
        (EvaluationKind::Final, EvaluationGrade::Pass) => {
            format!("末期评估等次为合格，尾款扣减 {}% 后支付。", rules.pass_deduction_percent)
        }
        (EvaluationKind::Final, EvaluationGrade::Fail) => format!(
            "末期评估不合格，尾款不予支付；承接主体自结果公布之日起 {} 个月内不得参加本局发布的政府购买服务项目。",
            rules.ineligible_months
        ),
        (EvaluationKind::Final, _) => format!(
            "末期评估等次为{}，尾款全额支付；{} 个月内参加本局政府购买服务项目时可作为优先条件。",
            grade_zh(grade),
            rules.preference_months
        ),
    }
}

/// Who evaluated, and whether each declared a conflict.
fn evaluators_table(v: &EvaluationView) -> Block {
    let evaluator_rows: Vec<Vec<String>> = v
        .evaluators
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.name.clone(),
                match e.affiliation {
                    Affiliation::Bureau => "购买主体".into(),
                    Affiliation::ThirdParty => "第三方评估机构".into(),
                },
                match e.status {
                    EvaluatorStatus::Cleared => "无利益冲突，参与评分".into(),
                    EvaluatorStatus::Conflicted => "申报回避，未参与评分".into(),
                    EvaluatorStatus::Assigned => "未申报".into(),
                },
            ]
        })
        .collect();
    Block::Table {
        columns: vec![
            col("序号", 0.6, Align::Center),
            col("姓名", 1.6, Align::Left),
            col("类别", 1.8, Align::Left),
            col("回避申报", 2.4, Align::Left),
        ],
        rows: evaluator_rows,
        total: None,
    }
}

/// Every indicator's mean score and comments, by dimension with subtotals.
fn scores_table(v: &EvaluationView) -> Block {
    let mut rows = Vec::new();
    for d in &v.dimensions {
        for i in &d.indicators {
            let comments: Vec<String> = i
                .scores
                .iter()
                .filter(|s| !s.comment.trim().is_empty())
                .map(|s| format!("{}：{}", s.evaluator, s.comment))
                .collect();
            rows.push(vec![
                d.name.clone(),
                i.name.clone(),
                i.weight.to_string(),
                i.mean.clone().unwrap_or_else(|| "—".into()),
                if comments.is_empty() { "—".into() } else { comments.join("\n") },
            ]);
        }
        rows.push(vec![
            format!("{}小计", d.name),
            String::new(),
            d.weight.to_string(),
            d.score.clone().unwrap_or_else(|| "—".into()),
            String::new(),
        ]);
    }
    let total = v.total.clone().unwrap_or_else(|| "—".into());
    Block::Table {
        columns: vec![
            col("维度", 1.3, Align::Left),
            col("指标", 2.2, Align::Left),
            col("分值", 0.7, Align::Right),
            col("得分", 0.8, Align::Right),
            col("评语", 3.4, Align::Left),
        ],
        rows,
        total: Some(vec!["合计".into(), String::new(), "100".into(), total, String::new()]),
    }
}

/// Each dimension's score against its weight.
fn dimensions_chart(v: &EvaluationView) -> Block {
    Block::Chart(Chart {
        caption: "图 1　各维度得分与分值".into(),
        bars: v
            .dimensions
            .iter()
            .map(|d| {
                let score = d.score_centi.unwrap_or(0);
                Bar {
                    label: d.name.clone(),
                    value: score as f32 / 100.0,
                    max: d.weight as f32,
                    text: format!("{} / {}", d.score.clone().unwrap_or_else(|| points(score)), d.weight),
                }
            })
            .collect(),
        value_legend: "得分".into(),
        max_legend: "分值".into(),
    })
}

/// The provider's self-evaluation: its total and summary, or that none was handed in.
fn self_evaluation(v: &EvaluationView) -> String {
    let self_total: Option<i32> = v
        .dimensions
        .iter()
        .flat_map(|d| d.indicators.iter())
        .map(|i| {
            i.self_score.as_deref().and_then(|s| crate::domain::evaluations::grading::parse_points(s, i.weight).ok())
        })
        .sum();
    match (&v.self_summary, self_total) {
        (Some(summary), Some(t)) => format!("自评得分 {} 分。{}", points(t), summary),
        (Some(summary), None) => summary.clone(),
        _ => "承接主体未在规定期限内提交自评。".into(),
    }
}

/// Each output planned and achieved, with its rate.
fn outputs_table(v: &EvaluationView) -> Block {
    if v.outputs.is_empty() {
        return Block::Paragraph { lead: String::new(), text: "合同未列明分项产出。".into() };
    }
    Block::Table {
        columns: vec![
            col("产出", 2.6, Align::Left),
            col("单位", 0.8, Align::Center),
            col("计划", 1.0, Align::Right),
            col("完成", 1.0, Align::Right),
            col("完成率", 1.0, Align::Right),
        ],
        rows: v
            .outputs
            .iter()
            .map(|o| {
                vec![
                    o.name.clone(),
                    o.unit.clone(),
                    o.planned.to_string(),
                    o.achieved.to_string(),
                    format!("{}%", o.rate),
                ]
            })
            .collect(),
        total: None,
    }
}

/// What the satisfaction survey found, or that there was none.
fn satisfaction(v: &EvaluationView) -> String {
    match (v.surveyed, &v.satisfied) {
        (Some(n), Some(s)) => {
            let method = if v.survey_method.trim().is_empty() {
                String::new()
            } else {
                format!("调查方式：{}。", v.survey_method)
            };
            format!("共调查服务对象 {n} 人，满意率 {s}%。{method}")
        }
        _ => "本次评估未开展满意度调查。".into(),
    }
}

/// The total and its grade, with the bands that decide it, once there is a grade.
fn grade_paragraph(v: &EvaluationView, rules: &EvaluationRules) -> Option<Block> {
    let g = v.grade?;
    let b = rules.bands();
    let total = v.total.clone().unwrap_or_else(|| "—".into());
    Some(Block::Paragraph {
        lead: String::new(),
        text: format!(
            "总分 {total} 分，评估等次：{}。（等次划分：优秀 ≥ {}；良好 {}–{}（不含）；合格 {}–{}（不含）；不合格 < {}。）",
            grade_zh(g),
            b[0].1,
            b[1].1,
            b[0].1,
            b[2].1,
            b[1].1,
            b[2].1,
        ),
    })
}

/// The report of an evaluation, in Chinese; unreleased, it carries 未发布 on every page.
pub fn document(v: &EvaluationView, rules: &EvaluationRules) -> Document {
    let kind = kind_zh(v.kind);
    let number = v.number.clone().unwrap_or_else(|| "—".into());
    let term = match (&v.starts_on, &v.ends_on) {
        (Some(s), Some(e)) => format!("{s} 至 {e}"),
        _ => "—".into(),
    };
    let mut blocks = vec![
        Block::Title("政府购买服务项目绩效评估报告".into()),
        Block::Subtitle(format!("（{kind}）")),
        Block::Subtitle(format!("合同编号：{number}")),
        Block::Heading("一、项目与合同概况".into()),
        Block::Fields(vec![
            ("项目名称：".into(), v.project.clone()),
            ("采购编号：".into(), v.call_reference.clone().unwrap_or_else(|| "—".into())),
            ("购买主体：".into(), v.purchaser.clone()),
            ("承接主体：".into(), v.provider.clone()),
            ("合同金额：".into(), format_money(v.amount_fen)),
            ("服务期限：".into(), term),
            ("评估类别：".into(), kind.into()),
            ("评估日期：".into(), v.visit_on.clone()),
            ("指标体系：".into(), v.template_name.clone()),
        ]),
        Block::Heading("二、评估组织与方法".into()),
        Block::Paragraph {
            lead: String::new(),
            text: if v.method.trim().is_empty() {
                "评估组采用资料审阅、实地查看、服务对象访谈与满意度调查相结合的方式，按指标体系逐项评分，各指标得分取评估人员评分的算术平均值（保留两位小数），总分为各指标得分之和。".into()
            } else {
                v.method.clone()
            },
        },
    ];
    blocks.push(evaluators_table(v));

    blocks.push(Block::Heading("三、评分结果".into()));
    blocks.push(scores_table(v));
    blocks.extend(grade_paragraph(v, rules));
    blocks.push(dimensions_chart(v));

    blocks.push(Block::Heading("四、产出目标完成情况".into()));
    blocks.push(outputs_table(v));
    blocks.push(Block::Heading("五、服务对象满意度".into()));
    blocks.push(Block::Paragraph { lead: String::new(), text: satisfaction(v) });
    blocks.push(Block::Heading("六、承接主体自评".into()));
    blocks.push(Block::Paragraph { lead: String::new(), text: self_evaluation(v) });
    blocks.push(Block::Heading("七、主要发现".into()));
    blocks.push(Block::Paragraph { lead: String::new(), text: or_dash(&v.findings) });
    blocks.push(Block::Heading("八、意见与建议".into()));
    blocks.push(Block::Paragraph { lead: String::new(), text: or_dash(&v.recommendations) });
    let released = v.status == EvaluationStatus::Released;
    if let Some(g) = v.grade.filter(|_| released) {
        blocks.push(Block::Heading("九、评估结论与结果运用".into()));
        blocks.push(Block::Paragraph { lead: String::new(), text: consequence(v, g, rules) });
    }
    let scorers: Vec<String> =
        v.evaluators.iter().filter(|e| e.status == EvaluatorStatus::Cleared).map(|e| e.name.clone()).collect();
    let mut left = vec!["评估组成员（签字）：".to_string()];
    left.extend(scorers);
    let date = v.released_at.clone().map(|d| d.chars().take(10).collect::<String>()).unwrap_or_default();
    blocks.push(Block::Signatures {
        left,
        right: vec![format!("购买主体：{}", v.purchaser), "（盖章）".into(), format!("日期：{date}")],
        seals: false,
    });
    Document {
        title: format!("{}{}报告", v.project, kind),
        blocks,
        footer: Footer::Zh,
        // A preview before the release must never pass for the report.
        watermark: if released { None } else { Some("未发布".into()) },
    }
}
