//! Page layout: Fuhua's document blocks become positioned text lines and shapes on A4 pages.
//!
//! Blocks are first cut into units (a paragraph line, a table row, the signature block) whose
//! height is known, then the units are dealt onto pages; a table row taller than a page is
//! split between its lines there (see [`super::table`]). Page numbers and the watermark are
//! added once the page count is known.

use super::table::Split;
use super::wrap::{EPS, Measure, Spacing, justify, width, wrap};
use super::{Align, Block, Document, Footer};

const PAGE_W: f32 = 595.276; // A4, 210 mm
pub(super) const PAGE_H: f32 = 841.89; // A4, 297 mm
pub(super) const MARGIN: f32 = 70.866; // 25 mm on every side
pub(super) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
pub(super) const CONTENT_H: f32 = PAGE_H - 2.0 * MARGIN;

pub(super) const BODY: f32 = 11.0;
const LEADING: f32 = 1.6;
pub(super) const TABLE_SIZE: f32 = 10.0;
pub(super) const CELL_PAD: f32 = 4.0;
const FOOTER_SIZE: f32 = 9.0;
pub(super) const FOOTER_BASELINE: f32 = 36.0;
const SEAL_R: f32 = 24.0;

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
    /// Rectangle outlined in grey, filled with `fill` (RGB) if given; `y` is the bottom edge.
    Shape {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<(f32, f32, f32)>,
    },
    /// Thin straight line in a grey `level` (0 black, 1 white).
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        grey: f32,
    },
}

impl Item {
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Item::Text { text, .. } | Item::Watermark { text, .. } => Some(text),
            Item::Cell { .. } | Item::Seal { .. } | Item::Shape { .. } | Item::Rule { .. } => None,
        }
    }

    fn shift_y(&mut self, dy: f32) {
        match self {
            Item::Text { y, .. }
            | Item::Watermark { y, .. }
            | Item::Cell { y, .. }
            | Item::Seal { y, .. }
            | Item::Shape { y, .. } => *y += dy,
            Item::Rule { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
    }
}

pub(crate) struct Page {
    pub items: Vec<Item>,
    /// The text lines of `items`, in drawing order (a line may be two items: lead + text).
    pub lines: Vec<String>,
}

/// A piece that is never split across pages, except a table row taller than a page (which
/// carries its `split`). Items' y are relative to the unit's top.
#[derive(Clone, Default)]
pub(super) struct Unit {
    /// Space above, dropped at the top of a page.
    pub(super) gap: f32,
    pub(super) height: f32,
    pub(super) items: Vec<Item>,
    pub(super) lines: Vec<String>,
    /// Move to the next page together with the following unit (headings, table headers).
    pub(super) keep_with_next: bool,
    /// A row of table n: after a page break the table's header row is repeated first.
    pub(super) table: Option<usize>,
    /// The lines of a row taller than a page, to deal it out over several pages.
    pub(super) split: Option<Split>,
}

impl Unit {
    pub(super) fn text(&mut self, x: f32, y: f32, size: f32, text: &str, spacing: Spacing) {
        self.items.push(Item::Text { x, y, size, text: text.to_string(), spacing });
    }
}

/// Baseline offset from the top of a line box: the em box (0.88 em above the baseline and
/// 0.12 em below in this font) is centred in the box.
pub(super) fn baseline(line_h: f32, size: f32) -> f32 {
    (line_h - size) / 2.0 + 0.88 * size
}

// ------------------------------------------------------------------ blocks → units

pub(super) struct Flow<'a, M: Measure> {
    pub(super) m: &'a M,
    units: Vec<Unit>,
    /// Header rows of the tables so far, indexed by `Unit::table`; `None` for a header too
    /// tall to repeat.
    pub(super) headers: Vec<Option<Unit>>,
    /// Space owed before the next unit.
    pub(super) gap: f32,
}

impl<M: Measure> Flow<'_, M> {
    pub(super) fn push(&mut self, mut unit: Unit) {
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
            // A field is kept on one page unless it is taller than a page: then it flows
            // line by line, like a paragraph.
            let per_unit = if rows as f32 * lh > CONTENT_H { 1 } else { rows.max(1) };
            for first in (0..rows).step_by(per_unit) {
                let last = (first + per_unit).min(rows);
                let mut u = Unit { height: (last - first) as f32 * lh, ..Unit::default() };
                for i in first..last {
                    let y = -((i - first) as f32 * lh + baseline(lh, BODY));
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
        }
        self.gap += 0.6 * BODY;
    }

    fn signatures(&mut self, left: &[String], right: &[String], seals: bool) {
        let lh = BODY * 2.4; // room to sign
        let gutter = 2.0 * BODY;
        let col_w = (CONTENT_W - gutter) / 2.0;
        // Text keeps clear of where the seals are pressed, and the two columns stay in step:
        // each line pair takes the rows of the longer of the two once wrapped, so a long name
        // on one side never pushes that side's lines below the other's.
        // The seal's place is the top right of each column, beside the first rows.
        let seal_rows = if seals { ((2.0 * SEAL_R + 4.0) / lh).ceil() as usize } else { 0 };
        let narrow = col_w - 2.0 * SEAL_R - 10.0;
        let wrap_one =
            |l: &String, w: f32| -> Vec<String> { wrap(self.m, l, BODY, w).into_iter().map(|(l, _)| l).collect() };
        let (mut left_rows, mut right_rows) = (Vec::new(), Vec::new());
        for i in 0..left.len().max(right.len()) {
            let w = if left_rows.len() < seal_rows { narrow } else { col_w };
            let mut a = left.get(i).map(|l| wrap_one(l, w)).unwrap_or_default();
            let mut b = right.get(i).map(|l| wrap_one(l, w)).unwrap_or_default();
            let n = a.len().max(b.len());
            a.resize(n, String::new());
            b.resize(n, String::new());
            left_rows.extend(a);
            right_rows.extend(b);
        }
        let (left, right) = (left_rows, right_rows);
        // Never alone on its page: the last lines before the block go with it.
        let n = self.units.len();
        for u in &mut self.units[n.saturating_sub(2)..] {
            u.keep_with_next = true;
        }
        let rows = left.len().max(right.len());
        let seal_h = if seals { 2.0 * SEAL_R + 4.0 } else { 0.0 };
        // Kept on one page; only a block taller than a page (never seen with real parties)
        // breaks between lines, its first piece tall enough for the seals.
        let bounds: Vec<usize> = if rows as f32 * lh <= CONTENT_H {
            vec![0, rows]
        } else {
            std::iter::once(0).chain(((seal_h / lh).ceil() as usize).clamp(1, rows)..=rows).collect()
        };
        for (k, range) in bounds.windows(2).enumerate() {
            let (first, last) = (range[0], range[1]);
            let mut u = Unit { height: (last - first) as f32 * lh, ..Unit::default() };
            for i in first..last {
                let y = -((i - first) as f32 * lh + baseline(lh, BODY));
                for (col, x) in [(&left, MARGIN), (&right, MARGIN + col_w + gutter)] {
                    if let Some(line) = col.get(i).filter(|l| !l.is_empty()) {
                        u.text(x, y, BODY, line, Spacing::None);
                        u.lines.push(line.clone());
                    }
                }
            }
            if k == 0 {
                (u.gap, u.height) = (2.0 * BODY, u.height.max(seal_h));
                if seals {
                    // Top right of each column, over the "（盖章）" line, where the seal is pressed.
                    for x in [MARGIN, MARGIN + col_w + gutter] {
                        u.items.push(Item::Seal { x: x + col_w - SEAL_R - 6.0, y: -(SEAL_R + 2.0), r: SEAL_R });
                    }
                }
            }
            self.push(u);
        }
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
            Block::Chart(c) => flow.chart(c),
            Block::Spacer(h) => flow.gap += h.max(0.0),
        }
    }
    let mut pages = paginate(flow.units, &flow.headers);
    decorate(m, doc, &mut pages);
    pages
}

/// Height of unit i plus the units chained to it by `keep_with_next`; of the last unit of a
/// chain only what must stay with the others counts (the head of a row taller than a page).
fn chain_height(units: &[Unit], i: usize) -> f32 {
    let mut h = 0.0;
    let mut j = i;
    while units[j].keep_with_next && j + 1 < units.len() {
        h += units[j].height + units[j + 1].gap;
        j += 1;
    }
    h + units[j].min_head()
}

fn paginate(units: Vec<Unit>, headers: &[Option<Unit>]) -> Vec<Page> {
    let chains: Vec<f32> = (0..units.len()).map(|i| chain_height(&units, i)).collect();
    let mut pager =
        Pager { pages: vec![Page { items: Vec::new(), lines: Vec::new() }], used: 0.0, fresh: true, headers };
    for (unit, chain) in units.into_iter().zip(chains) {
        pager.add(unit, chain);
    }
    pager.pages
}

struct Pager<'a> {
    pages: Vec<Page>,
    /// Height taken on the current page.
    used: f32,
    /// The current page holds nothing yet but a repeated table header.
    fresh: bool,
    headers: &'a [Option<Unit>],
}

impl Pager<'_> {
    fn add(&mut self, mut unit: Unit, chain: f32) {
        // Must fit here: the unit, or the least head of a row taller than a page; a chain
        // taller than a page cannot be kept together, then only the unit counts.
        let fits = |h: f32| self.used + unit.gap + h <= CONTENT_H + EPS;
        if self.used > 0.0 && !self.fresh && (!fits(unit.min_head()) || (chain <= CONTENT_H && !fits(chain))) {
            self.new_page(unit.table);
        }
        loop {
            let gap = if self.used > 0.0 { unit.gap } else { 0.0 };
            let space = CONTENT_H - self.used - gap;
            if unit.height <= space + EPS {
                break;
            }
            if let Some((head, rest)) = unit.split(space) {
                self.place(head, gap);
                self.new_page(rest.table);
                unit = rest;
            } else if self.fresh {
                break; // cannot be cut and no page has more room: draw it here
            } else {
                self.new_page(unit.table);
            }
        }
        let gap = if self.used > 0.0 { unit.gap } else { 0.0 };
        self.place(unit.realize(), gap);
    }

    /// Starts a page, with the header row of `table` on top if it is repeated.
    fn new_page(&mut self, table: Option<usize>) {
        self.pages.push(Page { items: Vec::new(), lines: Vec::new() });
        self.used = 0.0;
        if let Some(header) = table.and_then(|t| self.headers.get(t)).and_then(Option::as_ref) {
            self.place(header.clone(), 0.0);
        }
        self.fresh = true;
    }

    fn place(&mut self, unit: Unit, gap: f32) {
        let top = PAGE_H - MARGIN - self.used - gap;
        self.used += gap + unit.height;
        self.fresh = false;
        if let Some(page) = self.pages.last_mut() {
            page.items.extend(unit.items.into_iter().map(|mut it| {
                it.shift_y(top);
                it
            }));
            page.lines.extend(unit.lines);
        }
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
#[path = "layout_tests.rs"]
mod tests;
