//! The bureau's annual report as a Chinese A4 document: the year in figures, the dashboard's
//! charts (the same marks the dashboard shows as SVG), the projects with their grades, and
//! the red flags with what was done about them.
use super::{Align, Block, Column, Document, Footer};
use domain::bureau_report::AnnualReport;
use domain::i18n::{Locale, format_date, format_money, to_local};

fn col(title: &str, weight: f32, align: Align) -> Column {
    Column { title: title.to_string(), weight, align }
}

fn permille(p: i64) -> String {
    format!("{}.{}%", p / 10, p % 10)
}

/// The year in one paragraph.
fn summary(r: &AnnualReport) -> Block {
    let d = &r.dashboard;
    let c = &d.calls;
    let f = &d.figures;
    let per_call = format!("{}.{:02}", c.bids_per_call_centi / 100, c.bids_per_call_centi % 100);
    Block::Paragraph {
        lead: String::new(),
        text: format!(
            "{year} 年共签订政府购买服务合同金额 {contracted}，支付 {paid}；年内实施项目 {projects} 个，\
                 由 {orgs} 家社会组织承接。全年发布采购公告 {published} 个，开标 {opened} 个，共收到响应 {bids} 份，\
                 平均每个项目 {per_call} 份；响应不足三家的项目 {under} 个，占 {share}。成交 {awarded} 个，采购失败 {failed} 个。\
                 里程碑已验收 {accepted} 个，其中按期提交 {on_time} 个；目前逾期未验收 {overdue} 个。",
            year = r.year,
            contracted = format_money(f.contracted.0),
            paid = format_money(f.paid.0),
            projects = f.projects,
            orgs = f.organizations_serving,
            published = c.published,
            opened = c.opened,
            bids = c.bids,
            per_call = per_call,
            under = c.under_three,
            share = permille(c.under_three_permille),
            awarded = c.awarded,
            failed = c.failed,
            accepted = d.milestones_accepted,
            on_time = d.milestones_on_time,
            overdue = d.milestones_overdue,
        ),
    }
}

fn projects(r: &AnnualReport) -> Block {
    let zh = Locale::ZhCn;
    Block::Table {
        columns: vec![
            col("合同编号", 2.2, Align::Left),
            col("项目", 3.4, Align::Left),
            col("承接主体", 3.0, Align::Left),
            col("合同金额", 1.8, Align::Right),
            col("年内支付", 1.8, Align::Right),
            col("评价等次", 1.2, Align::Center),
        ],
        rows: r
            .projects
            .iter()
            .map(|p| {
                vec![
                    p.number.clone(),
                    p.title.clone(),
                    p.provider.clone(),
                    format_money(p.amount.0),
                    format_money(p.paid_in_year.0),
                    p.grade
                        .map(|g| zh.t(&format!("evaluation_grade.{}", g.code())).to_string())
                        .unwrap_or_else(|| "—".into()),
                ]
            })
            .collect(),
        total: None,
    }
}

pub fn document(r: &AnnualReport) -> Document {
    let zh = Locale::ZhCn;
    let d = &r.dashboard;
    let mut blocks = vec![
        Block::Title(format!("{} 年政府购买社会组织服务年度报告", r.year)),
        Block::Subtitle(format!("{} · {}编制", r.purchaser, format_date(to_local(r.issued_at).date_naive()))),
        Block::Heading("一、总体情况".into()),
        summary(r),
        Block::Heading("二、图表".into()),
    ];
    blocks.extend(super::figures::dashboard_charts(d, zh).into_iter().map(|(_, chart)| Block::Chart(chart)));
    blocks.push(Block::Heading("三、项目与绩效评价".into()));
    blocks.push(projects(r));
    blocks.push(Block::Heading("四、廉政风险提示及处理情况".into()));
    if r.flags.is_empty() {
        blocks.push(Block::Paragraph { lead: String::new(), text: "本年度没有风险提示。".into() });
    } else {
        blocks.push(Block::Table {
            columns: vec![
                col("日期", 1.6, Align::Left),
                col("规则", 2.2, Align::Left),
                col("项目", 2.8, Align::Left),
                col("事实", 3.6, Align::Left),
                col("处理情况", 3.2, Align::Left),
            ],
            rows: r
                .flags
                .iter()
                .map(|x| {
                    vec![
                        format_date(x.on),
                        x.rule_name.clone(),
                        x.title.clone(),
                        x.facts.clone(),
                        x.note.clone().unwrap_or_else(|| "尚未记录".into()),
                    ]
                })
                .collect(),
            total: None,
        });
    }
    blocks.push(Block::Paragraph {
        lead: String::new(),
        text: "说明：金额单位为元；风险提示由平台按公开的规则和阈值自动生成，不等于违规认定；本报告的 SHA-256 摘要可在平台“文件核验”页面核对。".into(),
    });
    Document { title: format!("{} 年度报告", r.year), blocks, footer: Footer::Zh, watermark: None }
}
