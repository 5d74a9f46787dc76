//! The contract PDF benchmark (bench/contract_pdf.sh): draws the demo's contract in force
//! `n` times in this process and reports the time per document, its size and the peak
//! memory; and writes the same document as an HTML page, for the comparison with
//! Chromium's print-to-PDF.
use entity::contract;
use entity::enums::ContractStatus;
use fuhua::domain::contracts::{ContractRules, access, view};
use fuhua::error::{AppError, AppResult};
use fuhua::i18n::Locale;
use fuhua::pdf::{Align, Block, Document, FontBook};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::path::Path;
use std::time::Instant;

pub struct Figures {
    pub docs: usize,
    pub pages: usize,
    pub bytes: usize,
    pub median_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub peak_rss_kib: u64,
}

/// Peak resident memory of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

pub async fn run(db: &DatabaseConnection, n: usize, out: &Path) -> AppResult<Figures> {
    let k = contract::Entity::find()
        .filter(contract::Column::Status.eq(ContractStatus::Active))
        .order_by_asc(contract::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("no active contract: load the demo first".into()))?;
    let rules = ContractRules::default();
    let today = fuhua::i18n::to_local(chrono::Utc::now()).date_naive();
    let v = view::build(db, &k, access::Viewer::Bureau, &rules, today).await?;
    let doc = fuhua::pdf::contract::document(&v, Locale::ZhCn, false);
    let fonts = FontBook::embedded()?;
    let first = fuhua::pdf::render(&fonts, &doc)?;
    std::fs::create_dir_all(out).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(out.join("contract.pdf"), &first.bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    std::fs::write(out.join("contract.html"), html(&doc)).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = fuhua::pdf::render(&fonts, &doc)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r.bytes.len());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Ok(Figures {
        docs: n,
        pages: first.pages,
        bytes: first.bytes.len(),
        median_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        peak_rss_kib: peak_rss_kib(),
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', "<br>")
}

/// The same document as an A4 print page: the same blocks, tables with headers that repeat
/// on each page, page numbers in the bottom margin.
pub fn html(doc: &Document) -> String {
    let mut b = String::from("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
    b.push_str(&esc(&doc.title));
    b.push_str(
        "</title><style>@page{size:A4;margin:25mm;@bottom-center{content:\"第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页\";font-size:9pt}}\
body{font-family:'Noto Serif CJK SC','Noto Serif SC',serif;font-size:11pt;line-height:1.6;margin:0}\
h1{text-align:center;font-size:20pt;font-weight:normal;margin:0 0 8pt}.sub{text-align:center;font-size:10.5pt;margin:2pt 0}\
h2{font-size:12pt;font-weight:normal;margin:10pt 0 4pt;break-after:avoid}p{margin:4pt 0;text-align:justify;line-break:strict}\
.lead{display:inline}table{border-collapse:collapse;width:100%;font-size:10pt;margin:6pt 0}th,td{border:0.8pt solid #000;padding:3pt 4pt}\
thead{display:table-header-group}tr{break-inside:avoid}.r{text-align:right}.c{text-align:center}\
dl{display:grid;grid-template-columns:max-content 1fr;margin:4pt 0}dt{text-align:right}dd{margin:0}\
.sig{display:grid;grid-template-columns:1fr 1fr;break-inside:avoid;margin-top:12pt}.seal{width:72pt;height:72pt;border:1.2pt solid #c00;border-radius:50%;float:right}</style></head><body>",
    );
    for block in &doc.blocks {
        match block {
            Block::Title(t) => b.push_str(&format!("<h1>{}</h1>", esc(t))),
            Block::Subtitle(t) => b.push_str(&format!("<p class=\"sub\">{}</p>", esc(t))),
            Block::Heading(t) => b.push_str(&format!("<h2>{}</h2>", esc(t))),
            Block::Paragraph { lead, text } => {
                b.push_str(&format!("<p><span class=\"lead\">{}</span>{}</p>", esc(lead), esc(text)))
            }
            Block::Fields(rows) => {
                b.push_str("<dl>");
                for (l, v) in rows {
                    b.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(l), esc(v)));
                }
                b.push_str("</dl>");
            }
            Block::Table { columns, rows, total } => {
                let class = |a: Align| match a {
                    Align::Left => "",
                    Align::Center => " class=\"c\"",
                    Align::Right => " class=\"r\"",
                };
                let sum: f32 = columns.iter().map(|c| c.weight).sum::<f32>().max(1.0);
                b.push_str("<table><colgroup>");
                for c in columns {
                    b.push_str(&format!("<col style=\"width:{:.1}%\">", c.weight / sum * 100.0));
                }
                b.push_str("</colgroup><thead><tr>");
                for c in columns {
                    b.push_str(&format!("<th>{}</th>", esc(&c.title)));
                }
                b.push_str("</tr></thead><tbody>");
                for row in rows.iter().chain(total.iter()) {
                    b.push_str("<tr>");
                    for (c, cell) in columns.iter().zip(row) {
                        b.push_str(&format!("<td{}>{}</td>", class(c.align), esc(cell)));
                    }
                    b.push_str("</tr>");
                }
                b.push_str("</tbody></table>");
            }
            Block::Signatures { left, right, seals } => {
                b.push_str("<div class=\"sig\">");
                for side in [left, right] {
                    b.push_str("<div>");
                    if *seals {
                        b.push_str("<div class=\"seal\"></div>");
                    }
                    for l in side {
                        b.push_str(&format!("<p>{}</p>", esc(l)));
                    }
                    b.push_str("</div>");
                }
                b.push_str("</div>");
            }
            // The contract has no chart; the HTML route is only a yardstick for contracts.
            Block::Chart(c) => b.push_str(&format!("<p>{}</p>", esc(&c.caption))),
            Block::Spacer(pt) => b.push_str(&format!("<div style=\"height:{pt}pt\"></div>")),
        }
    }
    b.push_str("</body></html>");
    b
}
