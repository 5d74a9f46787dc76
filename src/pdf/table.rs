//! Ruled tables: rows of wrapping cells under a shaded header row, and the splitting of a
//! row taller than a page between its lines.

use std::rc::Rc;

use super::layout::{BODY, CELL_PAD, CONTENT_H, CONTENT_W, Flow, Item, MARGIN, TABLE_SIZE, Unit, baseline};
use super::wrap::{EPS, Measure, Spacing, width, wrap};
use super::{Align, Column};

/// Fewest lines of a split row drawn at the foot of a page; fewer go to the next page.
const MIN_LINES: usize = 2;

/// A row taller than a page, and the first of its lines not yet drawn.
#[derive(Clone)]
pub(super) struct Split {
    row: Rc<Row>,
    from: usize,
}

/// A table row as wrapped lines, from which any run of lines can be drawn.
struct Row {
    line_h: f32,
    shaded: bool,
    cells: Vec<Cell>,
    /// Line count of the tallest cell.
    n: usize,
}

struct Cell {
    x: f32,
    w: f32,
    /// Each line with the x it is drawn at.
    lines: Vec<(f32, String)>,
}

impl Row {
    fn height(&self, lines: usize) -> f32 {
        lines as f32 * self.line_h + 2.0 * CELL_PAD
    }

    /// Lines `from..to` of every cell, each cell ruled around them.
    fn unit(&self, from: usize, to: usize) -> Unit {
        let h = self.height(to - from);
        let mut u = Unit { height: h, ..Unit::default() };
        for cell in &self.cells {
            u.items.push(Item::Cell { x: cell.x, y: -h, w: cell.w, h, shaded: self.shaded });
            let lines = cell.lines.get(from..to.min(cell.lines.len())).unwrap_or_default();
            for (i, (x, line)) in lines.iter().enumerate().filter(|(_, (_, l))| !l.is_empty()) {
                let y = -(CELL_PAD + i as f32 * self.line_h + baseline(self.line_h, TABLE_SIZE));
                u.text(*x, y, TABLE_SIZE, line, Spacing::None);
                u.lines.push(line.clone());
            }
        }
        u
    }

    /// The whole row. A row taller than `room`, the height of an empty page under the
    /// table's repeated header, keeps its lines to be split, drawn only once placed.
    fn into_unit(self, room: f32) -> Unit {
        let height = self.height(self.n);
        if height > room + EPS {
            return Unit { height, split: Some(Split { row: Rc::new(self), from: 0 }), ..Unit::default() };
        }
        self.unit(0, self.n)
    }
}

impl Unit {
    /// The least of the unit that may stand at the foot of a page: the first lines of a row
    /// taller than a page, else all of it.
    pub(super) fn min_head(&self) -> f32 {
        match &self.split {
            Some(s) => s.row.height(MIN_LINES.min(s.row.n - s.from)).min(self.height),
            None => self.height,
        }
    }

    /// A row taller than a page cut into the lines that fit in `space` and the rest, or
    /// `None` if it cannot be split or fewer than `MIN_LINES` lines fit.
    pub(super) fn split(&self, space: f32) -> Option<(Unit, Unit)> {
        let Split { row, from } = self.split.as_ref()?;
        let left = row.n - from;
        let fit = ((space - 2.0 * CELL_PAD + EPS) / row.line_h).floor().max(0.0) as usize;
        if fit < MIN_LINES.min(left) || fit >= left {
            return None;
        }
        let mut head = row.unit(*from, from + fit);
        head.gap = self.gap;
        head.table = self.table;
        let rest = Unit {
            height: row.height(left - fit),
            keep_with_next: self.keep_with_next,
            table: self.table,
            split: Some(Split { row: Rc::clone(row), from: from + fit }),
            ..Unit::default()
        };
        Some((head, rest))
    }

    /// The unit ready to place: the rest of a split row is drawn only now.
    pub(super) fn realize(self) -> Unit {
        match &self.split {
            Some(Split { row, from }) => Unit { gap: self.gap, ..row.unit(*from, row.n) },
            None => self,
        }
    }
}

impl<M: Measure> Flow<'_, M> {
    pub(super) fn table(&mut self, columns: &[Column], rows: &[Vec<String>], total: Option<&Vec<String>>) {
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
        let mut header = self.row(&titles, &widths, &vec![Align::Center; columns.len()], true).into_unit(CONTENT_H);
        header.keep_with_next = true; // a header alone at the foot of a page is useless
        // A header taller than a third of a page would crowd out the rows: drawn once only.
        let repeat = header.height <= CONTENT_H / 3.0;
        let room = CONTENT_H - if repeat { header.height } else { 0.0 };
        let id = self.headers.len();
        self.headers.push(repeat.then(|| header.clone()));
        self.gap += 0.4 * BODY;
        self.push(header);
        for cells in rows.iter().chain(total) {
            let mut u = self.row(cells, &widths, &aligns, false).into_unit(room);
            u.table = Some(id);
            self.push(u);
        }
        self.gap += 0.8 * BODY;
    }

    /// One ruled table row; missing cells are blank, extra cells are ignored.
    fn row(&self, cells: &[String], widths: &[f32], aligns: &[Align], shaded: bool) -> Row {
        let line_h = TABLE_SIZE * 1.45;
        let mut x = MARGIN;
        let mut row = Row { line_h, shaded, cells: Vec::with_capacity(widths.len()), n: 1 };
        for (i, (w, align)) in widths.iter().zip(aligns).enumerate() {
            let text = cells.get(i).map_or("", String::as_str);
            let lines = wrap(self.m, text, TABLE_SIZE, w - 2.0 * CELL_PAD)
                .into_iter()
                .map(|(line, _)| {
                    let lw = width(self.m, &line, TABLE_SIZE);
                    let lx = match align {
                        Align::Left => x + CELL_PAD,
                        Align::Center => x + (w - lw) / 2.0,
                        Align::Right => x + w - CELL_PAD - lw,
                    };
                    (lx, line)
                })
                .collect::<Vec<_>>();
            row.n = row.n.max(lines.len());
            row.cells.push(Cell { x, w: *w, lines });
            x += w;
        }
        row
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(super) mod tests {
    use super::super::layout::{FOOTER_BASELINE, PAGE_H, Page, layout};
    use super::super::tests::{fonts, pdf_text, squash};
    use super::super::{Block, Document, Footer, render};
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document { title: "t".into(), blocks, footer: Footer::Zh, watermark: None }
    }

    fn para(n: usize) -> Block {
        Block::Paragraph { lead: String::new(), text: format!("第{n}段").repeat(30) }
    }

    /// Everything but the footer lies inside the margins.
    pub(in super::super) fn assert_inside(pages: &[Page]) {
        let (bottom, top) = (MARGIN - EPS, PAGE_H - MARGIN + EPS);
        for (p, page) in pages.iter().enumerate() {
            for it in &page.items {
                let (low, high) = match *it {
                    Item::Text { y, .. } if y == FOOTER_BASELINE => continue,
                    Item::Text { y, size, .. } => (y - 0.12 * size, y + 0.88 * size),
                    Item::Cell { y, h, .. } | Item::Shape { y, h, .. } => (y, y + h),
                    Item::Rule { y1, y2, .. } => (y1.min(y2), y1.max(y2)),
                    Item::Seal { y, r, .. } => (y - r, y + r),
                    Item::Watermark { .. } => continue,
                };
                assert!(low >= bottom && high <= top, "page {p}: {it:?} outside {bottom}..{top}");
            }
        }
    }

    /// ~3,000 characters that appear nowhere else in the test tables (nor in the footer).
    fn long_text() -> String {
        let pool: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥服对象满意度，。；、（）".chars().collect();
        (0..3000).map(|i| pool[(i * 7 + i / 13) % pool.len()]).collect()
    }

    fn columns() -> Vec<Column> {
        [("序号", 0.6), ("交付内容", 1.2), ("指标", 4.0), ("金额", 1.0)]
            .map(|(t, w)| Column { title: t.into(), weight: w, align: Align::Left })
            .to_vec()
    }

    fn short_row(i: usize) -> Vec<String> {
        vec![format!("R{i}"), "按期".into(), "验收合格".into(), format!("{i}.00")]
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
    fn row_taller_than_a_page_is_split_and_nothing_is_lost() {
        let long = long_text();
        let row = vec!["1".into(), long.clone(), "按季考核验收".repeat(30), "9.00".into()];
        let d = doc(vec![Block::Table { columns: columns(), rows: vec![row], total: None }]);
        let pages = layout(fonts(), &d);
        assert!(pages.len() >= 5, "{} pages", pages.len());
        assert_inside(&pages);
        // Every part of the row fills its page to within a line.
        for page in &pages[..pages.len() - 1] {
            let low = page.items.iter().filter_map(|it| if let Item::Cell { y, .. } = it { Some(*y) } else { None });
            let low = low.fold(f32::MAX, f32::min);
            assert!(low < MARGIN + TABLE_SIZE * 1.45, "{low}");
        }
        let r = render(fonts(), &d).unwrap();
        assert_eq!(r.pages, pages.len());
        let text = pdf_text(&r.bytes, "split-row");
        assert_eq!(squash(&text), squash(&r.lines.concat()));
        let pool: String = long.chars().collect();
        let drawn: String = text.chars().filter(|c| pool.contains(*c)).collect();
        assert_eq!(drawn, long);
    }

    #[test]
    fn header_repeats_on_every_page_a_split_row_continues_on() {
        let long = long_text();
        let mut rows: Vec<Vec<String>> = (1..=20).map(short_row).collect();
        rows.push(vec!["21".into(), long.clone(), "见附件".into(), "9.00".into()]);
        rows.push(short_row(22));
        let d = doc(vec![para(1), Block::Table { columns: columns(), rows, total: None }]);
        let pages = layout(fonts(), &d);
        assert_inside(&pages);
        let with_long: Vec<usize> =
            (0..pages.len()).filter(|&p| pages[p].lines.iter().any(|l| long.contains(l.as_str()))).collect();
        assert!(with_long.len() >= 5, "{with_long:?}");
        // The split row starts under row 20 and runs on, page after page, to row 22.
        assert!(pages[with_long[0]].lines.contains(&"R20".to_string()));
        assert!(pages[*with_long.last().unwrap()].lines.contains(&"R22".to_string()));
        assert!(with_long.windows(2).all(|w| w[1] == w[0] + 1));
        let drawn: String = with_long
            .iter()
            .flat_map(|&p| pages[p].lines.iter())
            .filter(|l| long.contains(l.as_str()))
            .cloned()
            .collect();
        assert_eq!(drawn, long);
        for &p in &with_long[1..] {
            let page = &pages[p];
            assert_eq!(page.lines[..4], ["序号", "交付内容", "指标", "金额"], "page {p}");
            assert_eq!(page.lines.iter().filter(|l| *l == "序号").count(), 1, "page {p}");
            // Shaded header cells on top, then the part of the row right under them, every
            // cell of the part as tall as the others.
            let cells: Vec<(f32, f32, bool)> = page
                .items
                .iter()
                .filter_map(|it| if let Item::Cell { y, h, shaded, .. } = it { Some((*y, *h, *shaded)) } else { None })
                .collect();
            assert!(cells[..4].iter().all(|c| c.2 && (c.0 + c.1 - (PAGE_H - MARGIN)).abs() < EPS), "{cells:?}");
            assert!(cells[4..8].iter().all(|c| !c.2 && (c.0 + c.1 - cells[0].0).abs() < EPS && c == &cells[4]));
        }
    }

    #[test]
    fn row_too_tall_for_the_room_under_a_header_is_split() {
        // Fits on an empty page, but not under the repeated header: split, not overflowing.
        let n = ((CONTENT_H - 2.0 * CELL_PAD) / (TABLE_SIZE * 1.45)) as usize;
        let long: String = long_text().chars().take(n).collect();
        let cell = long.chars().map(String::from).collect::<Vec<_>>().join("\n");
        let rows = vec![short_row(1), vec!["2".into(), cell, String::new(), String::new()]];
        let pages = layout(fonts(), &doc(vec![Block::Table { columns: columns(), rows, total: None }]));
        assert_eq!(pages.len(), 2);
        assert_inside(&pages);
        let drawn: String =
            pages.iter().flat_map(|p| p.lines.iter()).filter(|l| long.contains(l.as_str())).cloned().collect();
        assert_eq!(drawn, long);
    }
}
