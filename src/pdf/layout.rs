//! Page layout: Fuhua's document blocks become positioned text lines and shapes on A4 pages.
//!
//! Blocks are first cut into units (a paragraph line, a table row, the signature block) whose
//! height is known, then the units are dealt onto pages. Page numbers and the watermark are
//! added once the page count is known.

use super::wrap::{EPS, Measure, Spacing, justify, width, wrap};
use super::{Align, Block, Column, Document, Footer};

const PAGE_W: f32 = 595.276; // A4, 210 mm
const PAGE_H: f32 = 841.89; // A4, 297 mm
const MARGIN: f32 = 70.866; // 25 mm on every side
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const CONTENT_H: f32 = PAGE_H - 2.0 * MARGIN;

const BODY: f32 = 11.0;
const LEADING: f32 = 1.6;
const TABLE_SIZE: f32 = 10.0;
const CELL_PAD: f32 = 4.0;
const FOOTER_SIZE: f32 = 9.0;
const FOOTER_BASELINE: f32 = 36.0;
const SEAL_R: f32 = 36.0;

/// Something drawn on a page; coordinates in pt from the bottom left, y of text = baseline.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        spacing: Spacing,
    },
    /// Light grey text rotated by `angle` degrees, behind everything else.
    Watermark {
        x: f32,
        y: f32,
        size: f32,
        angle: f32,
        text: String,
    },
    /// Ruled table cell; `y` is the bottom edge.
    Cell {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        shaded: bool,
    },
    /// Red circle outline where the seal goes.
    Seal {
        x: f32,
        y: f32,
        r: f32,
    },
}

impl Item {
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Item::Text { text, .. } | Item::Watermark { text, .. } => Some(text),
            Item::Cell { .. } | Item::Seal { .. } => None,
        }
    }

    fn shift_y(&mut self, dy: f32) {
        match self {
            Item::Text { y, .. } | Item::Watermark { y, .. } | Item::Cell { y, .. } | Item::Seal { y, .. } => *y += dy,
        }
    }
}

pub(crate) struct Page {
    pub items: Vec<Item>,
    /// The text lines of `items`, in drawing order (a line may be two items: lead + text).
    pub lines: Vec<String>,
}

/// A piece that is never split across pages. Items' y are relative to the unit's top.
#[derive(Clone, Default)]
struct Unit {
    /// Space above, dropped at the top of a page.
    gap: f32,
    height: f32,
    items: Vec<Item>,
    lines: Vec<String>,
    /// Move to the next page together with the following unit (headings, table headers).
    keep_with_next: bool,
    /// A row of table n: after a page break the table's header row is repeated first.
    table: Option<usize>,
}

impl Unit {
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str, spacing: Spacing) {
        self.items.push(Item::Text { x, y, size, text: text.to_string(), spacing });
    }
}

/// Baseline offset from the top of a line box: the em box (0.88 em above the baseline and
/// 0.12 em below in this font) is centred in the box.
fn baseline(line_h: f32, size: f32) -> f32 {
    (line_h - size) / 2.0 + 0.88 * size
}

// ------------------------------------------------------------------ blocks → units

struct Flow<'a, M: Measure> {
    m: &'a M,
    units: Vec<Unit>,
    /// Header rows of the tables so far, indexed by `Unit::table`.
    headers: Vec<Unit>,
    /// Space owed before the next unit.
    gap: f32,
}

impl<M: Measure> Flow<'_, M> {
    fn push(&mut self, mut unit: Unit) {
        unit.gap += std::mem::take(&mut self.gap);
        self.units.push(unit);
    }

    /// Wrapped lines of one size, aligned in the content width.
    fn lines(&mut self, text: &str, size: f32, align: Align, keep_with_next: bool) {
        let lh = size * LEADING;
        for (line, _) in wrap(self.m, text, size, CONTENT_W) {
            let w = width(self.m, &line, size);
            let x = match align {
                Align::Left => MARGIN,
                Align::Center => MARGIN + (CONTENT_W - w) / 2.0,
                Align::Right => MARGIN + CONTENT_W - w,
            };
            let mut u = Unit { height: lh, keep_with_next, ..Unit::default() };
            if !line.is_empty() {
                u.text(x, -baseline(lh, size), size, &line, Spacing::None);
                u.lines.push(line);
            }
            self.push(u);
        }
    }

    fn paragraph(&mut self, lead: &str, text: &str) {
        let lh = BODY * LEADING;
        let mut indent = width(self.m, lead, BODY);
        let (lead, text) = if indent > CONTENT_W / 2.0 {
            // A lead this long is really part of the text; hanging the text behind it
            // would leave a ribbon of a column.
            indent = 0.0;
            ("", format!("{lead}{text}"))
        } else {
            (lead, text.to_string())
        };
        let measure = CONTENT_W - indent;
        for (i, (line, last)) in wrap(self.m, &text, BODY, measure).into_iter().enumerate() {
            let natural = width(self.m, &line, BODY);
            let spacing = if last { Spacing::None } else { justify(&line, natural, measure, BODY) };
            let mut u = Unit { height: lh, ..Unit::default() };
            let y = -baseline(lh, BODY);
            let lead = if i == 0 { lead } else { "" };
            if !lead.is_empty() {
                u.text(MARGIN, y, BODY, lead, Spacing::None);
            }
            if !line.is_empty() {
                u.text(MARGIN + indent, y, BODY, &line, spacing);
            }
            if !lead.is_empty() || !line.is_empty() {
                u.lines.push(format!("{lead}{line}"));
            }
            self.push(u);
        }
        self.gap += 0.4 * BODY;
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let lh = BODY * LEADING;
        let widest = fields.iter().map(|(l, _)| width(self.m, l, BODY)).fold(0.0, f32::max);
        let label_w = widest.min(CONTENT_W * 0.4);
        let value_w = CONTENT_W - label_w;
        for (label, value) in fields {
            let labels = wrap(self.m, label, BODY, label_w);
            let values = wrap(self.m, value, BODY, value_w);
            let rows = labels.len().max(values.len());
            let mut u = Unit { height: rows as f32 * lh, ..Unit::default() };
            for i in 0..rows {
                let y = -(i as f32 * lh + baseline(lh, BODY));
                let mut line = String::new();
                // Right-aligned labels line their colons up against the values.
                if let Some((l, _)) = labels.get(i).filter(|(l, _)| !l.is_empty()) {
                    u.text(MARGIN + label_w - width(self.m, l, BODY), y, BODY, l, Spacing::None);
                    line.push_str(l);
                }
                if let Some((v, _)) = values.get(i).filter(|(v, _)| !v.is_empty()) {
                    u.text(MARGIN + label_w, y, BODY, v, Spacing::None);
                    line.push_str(v);
                }
                if !line.is_empty() {
                    u.lines.push(line);
                }
            }
            self.push(u);
        }
        self.gap += 0.6 * BODY;
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>], total: Option<&Vec<String>>) {
        if columns.is_empty() {
            return;
        }
        let weight: f32 = columns.iter().map(|c| c.weight.max(0.0)).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| if weight > 0.0 { c.weight.max(0.0) / weight } else { 1.0 / columns.len() as f32 } * CONTENT_W)
            .collect();
        let titles: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        let aligns: Vec<Align> = columns.iter().map(|c| c.align).collect();
        let mut header = self.row(&titles, &widths, &vec![Align::Center; columns.len()], true);
        header.keep_with_next = true; // a header alone at the foot of a page is useless
        let id = self.headers.len();
        self.headers.push(header.clone());
        self.gap += 0.4 * BODY;
        self.push(header);
        for cells in rows.iter().chain(total) {
            let mut u = self.row(cells, &widths, &aligns, false);
            u.table = Some(id);
            self.push(u);
        }
        self.gap += 0.8 * BODY;
    }

    /// One ruled table row; missing cells are blank, extra cells are ignored.
    fn row(&self, cells: &[String], widths: &[f32], aligns: &[Align], shaded: bool) -> Unit {
        let lh = TABLE_SIZE * 1.45;
        let wrapped: Vec<Vec<(String, bool)>> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| wrap(self.m, cells.get(i).map_or("", String::as_str), TABLE_SIZE, w - 2.0 * CELL_PAD))
            .collect();
        let n = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let h = n as f32 * lh + 2.0 * CELL_PAD;
        let mut u = Unit { height: h, ..Unit::default() };
        let mut x = MARGIN;
        for ((lines, w), align) in wrapped.iter().zip(widths).zip(aligns) {
            u.items.push(Item::Cell { x, y: -h, w: *w, h, shaded });
            for (i, (line, _)) in lines.iter().enumerate().filter(|(_, (l, _))| !l.is_empty()) {
                let lw = width(self.m, line, TABLE_SIZE);
                let lx = match align {
                    Align::Left => x + CELL_PAD,
                    Align::Center => x + (w - lw) / 2.0,
                    Align::Right => x + w - CELL_PAD - lw,
                };
                let y = -(CELL_PAD + i as f32 * lh + baseline(lh, TABLE_SIZE));
                u.text(lx, y, TABLE_SIZE, line, Spacing::None);
                u.lines.push(line.clone());
            }
            x += w;
        }
        u
    }

    fn signatures(&mut self, left: &[String], right: &[String], seals: bool) {
        let lh = BODY * 2.4; // room to sign
        let gutter = 2.0 * BODY;
        let col_w = (CONTENT_W - gutter) / 2.0;
        let wrap_col = |lines: &[String]| -> Vec<String> {
            lines.iter().flat_map(|l| wrap(self.m, l, BODY, col_w)).map(|(l, _)| l).collect()
        };
        let (left, right) = (wrap_col(left), wrap_col(right));
        let rows = left.len().max(right.len());
        let seal_h = if seals { 2.0 * SEAL_R + 4.0 } else { 0.0 };
        let mut u = Unit { gap: 2.0 * BODY, height: (rows as f32 * lh).max(seal_h), ..Unit::default() };
        for i in 0..rows {
            let y = -(i as f32 * lh + baseline(lh, BODY));
            for (col, x) in [(&left, MARGIN), (&right, MARGIN + col_w + gutter)] {
                if let Some(line) = col.get(i).filter(|l| !l.is_empty()) {
                    u.text(x, y, BODY, line, Spacing::None);
                    u.lines.push(line.clone());
                }
            }
        }
        if seals {
            // Top right of each column, over the "（盖章）" line, where the seal is pressed.
            for x in [MARGIN, MARGIN + col_w + gutter] {
                u.items.push(Item::Seal { x: x + col_w - SEAL_R - 6.0, y: -(SEAL_R + 2.0), r: SEAL_R });
            }
        }
        self.push(u);
    }
}

// ------------------------------------------------------------------ pagination

/// Lay the document out on pages, with footer and watermark.
pub(crate) fn layout(m: &impl Measure, doc: &Document) -> Vec<Page> {
    let mut flow = Flow { m, units: Vec::new(), headers: Vec::new(), gap: 0.0 };
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                flow.lines(t, 20.0, Align::Center, false);
                flow.gap += 0.4 * BODY;
            }
            Block::Subtitle(t) => {
                flow.lines(t, 10.5, Align::Center, false);
                flow.gap += BODY;
            }
            Block::Heading(t) => {
                flow.gap += 0.8 * BODY;
                flow.lines(t, 12.0, Align::Left, true);
                flow.gap += 0.2 * BODY;
            }
            Block::Paragraph { lead, text } => flow.paragraph(lead, text),
            Block::Fields(fields) => flow.fields(fields),
            Block::Table { columns, rows, total } => flow.table(columns, rows, total.as_ref()),
            Block::Signatures { left, right, seals } => flow.signatures(left, right, *seals),
            Block::Spacer(h) => flow.gap += h.max(0.0),
        }
    }
    let mut pages = paginate(flow.units, &flow.headers);
    decorate(m, doc, &mut pages);
    pages
}

/// Height of unit i plus the units chained to it by `keep_with_next`.
fn chain_height(units: &[Unit], i: usize) -> f32 {
    let mut h = units[i].height;
    let mut j = i;
    while units[j].keep_with_next && j + 1 < units.len() {
        j += 1;
        h += units[j].gap + units[j].height;
    }
    h
}

fn paginate(units: Vec<Unit>, headers: &[Unit]) -> Vec<Page> {
    let mut pages = vec![Page { items: Vec::new(), lines: Vec::new() }];
    let mut used = 0.0; // height taken on the current page
    let chains: Vec<f32> = (0..units.len()).map(|i| chain_height(&units, i)).collect();
    for (unit, chain) in units.into_iter().zip(chains) {
        let fits = |h: f32| used + unit.gap + h <= CONTENT_H + EPS;
        // A chain taller than a page cannot be kept together; then only the unit counts.
        if used > 0.0 && (!fits(unit.height) || (chain <= CONTENT_H && !fits(chain))) {
            pages.push(Page { items: Vec::new(), lines: Vec::new() });
            used = 0.0;
            if let Some(header) = unit.table.and_then(|t| headers.get(t)) {
                place(&mut pages, header.clone(), &mut used, 0.0);
            }
        }
        let gap = if used > 0.0 { unit.gap } else { 0.0 };
        place(&mut pages, unit, &mut used, gap);
    }
    pages
}

fn place(pages: &mut [Page], unit: Unit, used: &mut f32, gap: f32) {
    let top = PAGE_H - MARGIN - *used - gap;
    *used += gap + unit.height;
    if let Some(page) = pages.last_mut() {
        page.items.extend(unit.items.into_iter().map(|mut it| {
            it.shift_y(top);
            it
        }));
        page.lines.extend(unit.lines);
    }
}

/// Page numbers at the foot and the watermark behind the content of every page.
fn decorate(m: &impl Measure, doc: &Document, pages: &mut [Page]) {
    let total = pages.len();
    let mark = doc.watermark.as_deref().filter(|w| !w.trim().is_empty()).map(|text| {
        // One line: a line break has no glyph to draw.
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text.as_str();
        let angle: f32 = 45.0;
        let em = width(m, text, 1.0).max(0.5);
        // As large as fits comfortably across the page diagonal.
        let size = (0.7 * PAGE_W.hypot(PAGE_H) / em).min(110.0);
        let (sin, cos) = angle.to_radians().sin_cos();
        let (half_w, mid_h) = (width(m, text, size) / 2.0, 0.38 * size);
        let x = PAGE_W / 2.0 - half_w * cos + mid_h * sin;
        let y = PAGE_H / 2.0 - half_w * sin - mid_h * cos;
        (Item::Watermark { x, y, size, angle, text: text.to_string() }, text.to_string())
    });
    for (i, page) in pages.iter_mut().enumerate() {
        let footer = match doc.footer {
            Footer::Zh => format!("第 {} 页 / 共 {} 页", i + 1, total),
            Footer::En => format!("Page {} of {}", i + 1, total),
        };
        let x = (PAGE_W - width(m, &footer, FOOTER_SIZE)) / 2.0;
        page.items.push(Item::Text {
            x,
            y: FOOTER_BASELINE,
            size: FOOTER_SIZE,
            text: footer.clone(),
            spacing: Spacing::None,
        });
        page.lines.push(footer);
        if let Some((item, text)) = &mark {
            page.items.insert(0, item.clone());
            page.lines.insert(0, text.clone());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pdf::tests::fonts;

    fn doc(blocks: Vec<Block>) -> Document {
        Document { title: "t".into(), blocks, footer: Footer::Zh, watermark: None }
    }

    fn para(n: usize) -> Block {
        Block::Paragraph { lead: String::new(), text: format!("第{n}段").repeat(30) }
    }

    #[test]
    fn heading_is_never_last_on_a_page() {
        // Find how many paragraphs fill page 1, then put a heading right after them.
        for n in 10..40 {
            let mut blocks: Vec<Block> = (0..n).map(para).collect();
            blocks.push(Block::Heading("第二部分".into()));
            blocks.push(para(99));
            let pages = layout(fonts(), &doc(blocks));
            for p in &pages {
                let i = p.lines.iter().position(|l| l == "第二部分");
                // The heading is followed by at least one body line (and the footer).
                assert!(i.is_none_or(|i| i + 2 < p.lines.len()), "{n}: {:?}", p.lines);
            }
        }
    }

    #[test]
    fn table_header_repeats_and_rows_stay_whole() {
        let columns =
            ["序号", "内容", "金额"].map(|t| Column { title: t.into(), weight: 1.0, align: Align::Left }).to_vec();
        let rows: Vec<Vec<String>> =
            (1..=80).map(|i| vec![format!("R{i}"), format!("第{i}行内容").repeat(4), format!("{i}.00")]).collect();
        let total = Some(vec!["合计".into(), String::new(), "3240.00".into()]);
        let pages = layout(fonts(), &doc(vec![para(1), Block::Table { columns, rows, total }]));
        assert!(pages.len() >= 3, "{}", pages.len());
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p.lines.iter().filter(|l| *l == "序号").count(), 1, "page {i}");
            // The header is the first thing on continuation pages.
            if i > 0 {
                assert_eq!(p.lines[..3], ["序号", "内容", "金额"]);
            }
        }
        // Every row (id + both wrapped lines of its content) lands on a single page.
        for r in 1..=80 {
            let on: Vec<usize> = (0..pages.len())
                .filter(|&i| pages[i].lines.iter().any(|l| l.contains(&format!("第{r}行")) || *l == format!("R{r}")))
                .collect();
            assert_eq!(on.len(), 1, "row {r} on pages {on:?}");
        }
        assert_eq!(pages.last().unwrap().lines.iter().filter(|l| *l == "合计").count(), 1);
    }

    #[test]
    fn footer_counts_pages_in_both_languages() {
        let blocks: Vec<Block> = (0..60).map(para).collect();
        let mut d = doc(blocks);
        let pages = layout(fonts(), &d);
        let n = pages.len();
        assert!(n >= 3);
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p.lines.last().unwrap(), &format!("第 {} 页 / 共 {n} 页", i + 1));
        }
        d.footer = Footer::En;
        d.watermark = Some("DRAFT".into());
        let pages = layout(fonts(), &d);
        assert_eq!(pages.len(), n);
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p.lines.first().unwrap(), "DRAFT");
            assert_eq!(p.lines.last().unwrap(), &format!("Page {} of {n}", i + 1));
        }
    }

    #[test]
    fn signatures_stay_together() {
        let left =
            vec!["甲方（盖章）：某市某区民政局".into(), "代表人（签字）：".into(), "日期：　　年　　月　　日".into()];
        let right = vec!["乙方（盖章）：某市福华社会工作服务中心".into(), "代表人（签字）：".into(), "日期：".into()];
        for n in 10..40 {
            let mut blocks: Vec<Block> = (0..n).map(para).collect();
            blocks.push(Block::Signatures { left: left.clone(), right: right.clone(), seals: true });
            let pages = layout(fonts(), &doc(blocks));
            let last = pages.last().unwrap();
            assert!(last.lines.contains(&"日期：".to_string()) && last.lines.contains(&left[0]), "{n}");
            assert_eq!(last.items.iter().filter(|i| matches!(i, Item::Seal { .. })).count(), 2);
            for it in &last.items {
                if let Item::Text { y, .. } = it {
                    assert!(*y >= FOOTER_BASELINE - EPS && *y < PAGE_H - MARGIN, "{y}");
                }
            }
        }
    }
}
