//! The contract as a document: title, number, parties, numbered clauses, the outputs and
//! payment tables, the milestones, signature and seal blocks. Labels and standard clauses
//! come from the message catalogue in the language chosen for the PDF; what the officer
//! wrote is printed as written.
use super::{Align, Block, Column, Document, Footer};
use crate::domain::contracts::view::ContractView;
use crate::i18n::Locale;

fn col(title: &str, weight: f32, align: Align) -> Column {
    Column { title: title.to_string(), weight, align }
}

/// The officer's text, or the standard clause when it is empty.
fn or_standard(l: Locale, text: &str, key: &str) -> String {
    if text.trim().is_empty() { l.t(key).to_string() } else { text.to_string() }
}

/// The title, number and project, and the two parties.
fn head(v: &ContractView, l: Locale, reference: &str) -> Vec<Block> {
    let t = |k: &str| l.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| l.tf(k, args);
    let number = v.number.clone().unwrap_or_else(|| t("pdf.contract.number_pending"));
    vec![
        Block::Title(t("pdf.contract.title")),
        Block::Subtitle(tf("pdf.contract.number", &[("number", number)])),
        Block::Subtitle(tf(
            "pdf.contract.project",
            &[("title", v.call_title.clone()), ("reference", reference.to_string())],
        )),
        Block::Heading(t("pdf.contract.parties")),
        Block::Fields(vec![
            (t("pdf.contract.purchaser"), v.purchaser_name.clone()),
            (t("pdf.contract.address"), v.purchaser_address.clone()),
            (t("pdf.contract.representative"), v.purchaser_representative.clone()),
        ]),
        Block::Spacer(6.0),
        Block::Fields(vec![
            (t("pdf.contract.provider"), v.provider_name.clone()),
            (t("pdf.contract.uscc"), v.provider_uscc.clone().unwrap_or_else(|| "—".into())),
            (t("pdf.contract.address"), v.provider_address.clone()),
            (t("pdf.contract.representative"), v.provider_representative.clone()),
        ]),
        Block::Spacer(6.0),
    ]
}

/// The outputs with their quantities, unit prices and subtotals.
fn outputs_table(v: &ContractView, l: Locale) -> Block {
    let t = |k: &str| l.t(k).to_string();
    let mut rows: Vec<Vec<String>> = v
        .outputs
        .iter()
        .map(|o| {
            vec![
                o.position.to_string(),
                o.name.clone(),
                o.standard.clone(),
                o.unit.clone(),
                o.quantity.to_string(),
                yuan(o.unit_price_fen),
                yuan(o.subtotal_fen),
            ]
        })
        .collect();
    if rows.is_empty() {
        rows.push(vec!["—".into(); 7]);
    }
    Block::Table {
        columns: vec![
            col(&t("pdf.contract.t_no"), 0.5, Align::Center),
            col(&t("pdf.contract.t_output"), 1.6, Align::Left),
            col(&t("pdf.contract.t_standard"), 2.4, Align::Left),
            col(&t("pdf.contract.t_unit"), 0.6, Align::Center),
            col(&t("pdf.contract.t_quantity"), 0.7, Align::Right),
            col(&t("pdf.contract.t_unit_price"), 1.1, Align::Right),
            col(&t("pdf.contract.t_subtotal"), 1.2, Align::Right),
        ],
        rows,
        total: Some(vec![
            String::new(),
            t("pdf.contract.t_total"),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            yuan(v.outputs_total_fen),
        ]),
    }
}

/// The instalments with their shares, amounts and conditions.
fn payment_table(v: &ContractView, l: Locale) -> Block {
    let t = |k: &str| l.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| l.tf(k, args);
    Block::Table {
        columns: vec![
            col(&t("pdf.contract.t_instalment"), 0.8, Align::Center),
            col(&t("pdf.contract.t_percent"), 0.7, Align::Right),
            col(&t("pdf.contract.t_amount"), 1.3, Align::Right),
            col(&t("pdf.contract.t_condition"), 1.6, Align::Left),
            col(&t("pdf.contract.t_milestone"), 2.0, Align::Left),
        ],
        rows: v
            .instalments
            .iter()
            .map(|i| {
                vec![
                    tf("pdf.contract.instalment_n", &[("n", i.position.to_string())]),
                    format!("{}%", i.percent),
                    yuan(i.amount_fen),
                    t(&format!("condition.{}", i.condition.code())),
                    i.milestone
                        .clone()
                        .unwrap_or_else(|| if i.description.is_empty() { "—".into() } else { i.description.clone() }),
                ]
            })
            .collect(),
        total: Some(vec![t("pdf.contract.t_total"), "100%".into(), yuan(v.amount_fen), String::new(), String::new()]),
    }
}

/// The milestones with their due dates, deliverables and indicators, if any.
fn milestones_table(v: &ContractView, l: Locale) -> Option<Block> {
    let t = |k: &str| l.t(k).to_string();
    if v.milestones.is_empty() {
        return None;
    }
    Some(Block::Table {
        columns: vec![
            col(&t("pdf.contract.t_no"), 0.5, Align::Center),
            col(&t("pdf.contract.t_milestone"), 2.0, Align::Left),
            col(&t("pdf.contract.t_due"), 1.2, Align::Center),
            col(&t("pdf.contract.t_deliverables"), 3.0, Align::Left),
        ],
        rows: v
            .milestones
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut d = m.deliverables.clone();
                for ind in &m.indicators {
                    if !d.is_empty() {
                        d.push('\n');
                    }
                    // The colon of the document's language: full-width in Chinese only.
                    let colon = if l == Locale::En { ": " } else { "：" };
                    d.push_str(&format!("{}{colon}{} {}", ind.name, ind.target, ind.unit));
                }
                vec![(i + 1).to_string(), m.title.clone(), m.due_on.clone(), if d.is_empty() { "—".into() } else { d }]
            })
            .collect(),
        total: None,
    })
}

/// The performance bond, or that there is none.
fn bond_text(v: &ContractView, l: Locale) -> String {
    let t = |k: &str| l.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| l.tf(k, args);
    if v.bond_percent > 0 {
        tf(
            "pdf.contract.bond",
            &[
                ("capitals", v.bond_capitals.clone()),
                ("amount", v.bond.clone()),
                ("percent", v.bond_percent.to_string()),
            ],
        )
    } else {
        t("pdf.contract.no_bond")
    }
}

/// Both parties' signature and seal blocks.
fn signatures(v: &ContractView, l: Locale) -> Block {
    let t = |k: &str| l.t(k).to_string();
    // The party on one line and its name on the next, so a long name wraps within its own
    // line rather than after the label.
    let sign = |party: &str, name: &str| {
        vec![
            party.trim_end().to_string(),
            name.to_string(),
            t("pdf.contract.sign_representative"),
            t("pdf.contract.sign_date"),
        ]
    };
    Block::Signatures {
        left: sign(&t("pdf.contract.sign_purchaser"), &v.purchaser_name),
        right: sign(&t("pdf.contract.sign_provider"), &v.provider_name),
        seals: true,
    }
}

/// The document for a contract. `draft` marks every page, for previews before sending.
pub fn document(v: &ContractView, l: Locale, draft: bool) -> Document {
    let t = |k: &str| l.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| l.tf(k, args);
    let reference = v.call_reference.clone().unwrap_or_else(|| "—".into());
    let mut blocks = head(v, l, &reference);
    let method = t(&format!("method.{}", v.method.code()));
    let category = t(&format!("category.{}", v.category.code()));
    let mut preamble =
        tf("pdf.contract.preamble", &[("method", method), ("reference", reference), ("title", v.call_title.clone())]);
    if !v.legal_basis.trim().is_empty() {
        preamble = format!("{preamble}{}", tf("pdf.contract.legal_basis_extra", &[("basis", v.legal_basis.clone())]));
    }
    blocks.push(Block::Paragraph { lead: String::new(), text: preamble });
    let mut n = 0;
    let mut clause = |blocks: &mut Vec<Block>, title: String, text: String| {
        n += 1;
        blocks.push(Block::Paragraph {
            lead: tf("pdf.contract.article", &[("n", article_number(l, n)), ("title", title)]),
            text,
        });
    };
    clause(
        &mut blocks,
        t("pdf.contract.c_content"),
        format!("{}{}", tf("pdf.contract.category", &[("category", category)]), v.service_content),
    );
    clause(&mut blocks, t("pdf.contract.c_outputs"), t("pdf.contract.outputs_intro"));
    blocks.push(outputs_table(v, l));
    clause(
        &mut blocks,
        t("pdf.contract.c_targets"),
        or_standard(l, &v.performance_targets, "pdf.contract.targets_standard"),
    );
    clause(
        &mut blocks,
        t("pdf.contract.c_term"),
        tf(
            "pdf.contract.term",
            &[
                ("start", v.starts_on.clone().unwrap_or_default()),
                ("end", v.ends_on.clone().unwrap_or_default()),
                ("months", v.term_months.to_string()),
            ],
        ),
    );
    clause(
        &mut blocks,
        t("pdf.contract.c_amount"),
        tf("pdf.contract.amount", &[("capitals", v.amount_capitals.clone()), ("amount", v.amount.clone())]),
    );
    clause(&mut blocks, t("pdf.contract.c_payment"), t("pdf.contract.payment_intro"));
    blocks.push(payment_table(v, l));
    clause(&mut blocks, t("pdf.contract.c_bond"), bond_text(v, l));
    clause(
        &mut blocks,
        t("pdf.contract.c_acceptance"),
        or_standard(l, &v.acceptance_terms, "pdf.contract.acceptance_standard"),
    );
    blocks.extend(milestones_table(v, l));
    clause(&mut blocks, t("pdf.contract.c_breach"), or_standard(l, &v.breach_terms, "pdf.contract.breach_standard"));
    clause(
        &mut blocks,
        t("pdf.contract.c_disputes"),
        or_standard(l, &v.dispute_terms, "pdf.contract.disputes_standard"),
    );
    clause(&mut blocks, t("pdf.contract.c_other"), t("pdf.contract.other_standard"));
    blocks.push(Block::Paragraph { lead: String::new(), text: t("pdf.contract.no_more_text") });
    blocks.push(Block::Spacer(12.0));
    blocks.push(signatures(v, l));
    Document {
        title: format!("{} {}", t("pdf.contract.title"), v.number.clone().unwrap_or_default()).trim().to_string(),
        blocks,
        footer: if l == Locale::En { Footer::En } else { Footer::Zh },
        watermark: draft.then(|| t("pdf.contract.draft_mark")),
    }
}

/// A supplementary agreement (补充协议) changing a signed contract.
pub fn amendment(
    v: &ContractView,
    seq: i32,
    reason: &str,
    changes: &[(String, String, String)],
    l: Locale,
) -> Document {
    let t = |k: &str| l.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| l.tf(k, args);
    let number = v.number.clone().unwrap_or_default();
    let sign = |party: &str, name: &str| {
        vec![
            party.trim_end().to_string(),
            name.to_string(),
            t("pdf.contract.sign_representative"),
            t("pdf.contract.sign_date"),
        ]
    };
    let blocks = vec![
        Block::Title(t("pdf.amendment.title")),
        Block::Subtitle(tf("pdf.amendment.number", &[("number", number.clone()), ("seq", seq.to_string())])),
        Block::Fields(vec![
            (t("pdf.contract.purchaser"), v.purchaser_name.clone()),
            (t("pdf.contract.provider"), v.provider_name.clone()),
        ]),
        Block::Spacer(6.0),
        Block::Paragraph {
            lead: String::new(),
            text: tf(
                "pdf.amendment.intro",
                &[
                    ("signed", v.signed_at.clone().unwrap_or_default().chars().take(10).collect()),
                    ("number", number),
                    ("title", v.call_title.clone()),
                    ("reason", reason.to_string()),
                ],
            ),
        },
        Block::Table {
            columns: vec![
                col(&t("pdf.contract.t_no"), 0.5, Align::Center),
                col(&t("pdf.amendment.t_item"), 1.3, Align::Left),
                col(&t("pdf.amendment.t_before"), 2.5, Align::Left),
                col(&t("pdf.amendment.t_after"), 2.5, Align::Left),
            ],
            rows: changes
                .iter()
                .enumerate()
                .map(|(i, (field, before, after))| {
                    let or_dash = |s: &str| if s.trim().is_empty() { "—".to_string() } else { s.to_string() };
                    vec![(i + 1).to_string(), t(field), or_dash(before), or_dash(after)]
                })
                .collect(),
            total: None,
        },
        Block::Paragraph { lead: String::new(), text: t("pdf.amendment.closing") },
        Block::Spacer(12.0),
        Block::Signatures {
            left: sign(&t("pdf.contract.sign_purchaser"), &v.purchaser_name),
            right: sign(&t("pdf.contract.sign_provider"), &v.provider_name),
            seals: true,
        },
    ];
    Document {
        title: t("pdf.amendment.title"),
        blocks,
        footer: if l == Locale::En { Footer::En } else { Footer::Zh },
        watermark: None,
    }
}

/// "一", "十二" in Chinese; "1", "12" in English.
fn article_number(l: Locale, n: usize) -> String {
    if l == Locale::En {
        return n.to_string();
    }
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n - 10]),
        _ => format!("{}十{}", D[n / 10], D[n % 10]),
    }
}

/// "1,234.56" (the table headers say 元).
fn yuan(fen: impl Into<i64>) -> String {
    crate::i18n::format_money(fen).trim_start_matches('¥').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_numbered_in_chinese() {
        assert_eq!(article_number(Locale::ZhCn, 1), "一");
        assert_eq!(article_number(Locale::ZhCn, 10), "十");
        assert_eq!(article_number(Locale::ZhCn, 11), "十一");
        assert_eq!(article_number(Locale::ZhCn, 21), "二十一");
        assert_eq!(article_number(Locale::En, 11), "11");
    }
}
