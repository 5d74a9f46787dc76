//! The bar chart block: dimension scores against their maxima, drawn with rectangles and
//! lines so the chart stays sharp at any zoom and its words remain text.
use super::Chart;
use super::layout::{BODY, CONTENT_W, Flow, Item, MARGIN, TABLE_SIZE, Unit, baseline};
use super::wrap::{Measure, Spacing, width, wrap};

const BAR_H: f32 = 12.0;
const ROW_GAP: f32 = 8.0;
const VALUE_FILL: (f32, f32, f32) = (0.16, 0.38, 0.65);
const MAX_FILL: (f32, f32, f32) = (0.88, 0.91, 0.95);

/// A round step for about four to eight grid lines up to `max`.
fn grid_step(max: f32) -> f32 {
    [1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .find(|s| max / s <= 8.0)
        .unwrap_or(max.max(1.0))
}

fn number(v: f32) -> String {
    if (v - v.round()).abs() < 1e-3 { format!("{}", v.round() as i64) } else { format!("{v:.1}") }
}

impl<M: Measure> Flow<'_, M> {
    pub(super) fn chart(&mut self, c: &Chart) {
        if c.bars.is_empty() {
            return;
        }
        let size = TABLE_SIZE;
        let lh = size * 1.4;
        let label_w =
            c.bars.iter().map(|b| width(self.m, &b.label, size)).fold(0.0_f32, f32::max).min(CONTENT_W * 0.3) + 8.0;
        let text_w = c.bars.iter().map(|b| width(self.m, &b.text, size)).fold(0.0_f32, f32::max) + 8.0;
        let x0 = MARGIN + label_w;
        let bar_w = (CONTENT_W - label_w - text_w).max(60.0);
        let top_max = c.bars.iter().map(|b| b.max.max(b.value)).fold(0.0_f32, f32::max).max(1.0);
        let step = grid_step(top_max);
        let scale_max = (top_max / step).ceil() * step;
        let scale = bar_w / scale_max;

        let mut u = Unit { gap: BODY, keep_with_next: false, ..Unit::default() };
        let mut y = 0.0; // distance from the unit's top
        // Caption, centred.
        for (line, _) in wrap(self.m, &c.caption, BODY, CONTENT_W) {
            let x = MARGIN + (CONTENT_W - width(self.m, &line, BODY)) / 2.0;
            u.text(x, -(y + baseline(BODY * 1.6, BODY)), BODY, &line, Spacing::None);
            u.lines.push(line);
            y += BODY * 1.6;
        }
        // Legend: a filled swatch and a light one, each with its word.
        y += 4.0;
        let mut lx = x0;
        for (fill, word) in [(VALUE_FILL, &c.value_legend), (MAX_FILL, &c.max_legend)] {
            u.items.push(Item::Shape { x: lx, y: -(y + 9.0), w: 14.0, h: 8.0, fill: Some(fill) });
            u.text(lx + 18.0, -(y + baseline(10.0, size)), size, word, Spacing::None);
            u.lines.push(word.clone());
            lx += 18.0 + width(self.m, word, size) + 16.0;
        }
        y += 10.0 + ROW_GAP;
        let plot_top = y;
        for b in &c.bars {
            let labels = wrap(self.m, &b.label, size, label_w - 8.0);
            let row_h = (labels.len() as f32 * lh).max(BAR_H + 2.0 * 3.0);
            let bar_top = y + (row_h - BAR_H) / 2.0;
            for (k, (line, _)) in labels.iter().enumerate() {
                let ly = y + (row_h - labels.len() as f32 * lh) / 2.0 + k as f32 * lh;
                let lx = x0 - 8.0 - width(self.m, line, size);
                u.text(lx, -(ly + baseline(lh, size)), size, line, Spacing::None);
                u.lines.push(line.clone());
            }
            let max_w = b.max.max(0.0) * scale;
            let value_w = b.value.clamp(0.0, b.max.max(b.value)) * scale;
            u.items.push(Item::Shape { x: x0, y: -(bar_top + BAR_H), w: max_w, h: BAR_H, fill: Some(MAX_FILL) });
            if value_w > 0.0 {
                u.items.push(Item::Shape {
                    x: x0,
                    y: -(bar_top + BAR_H),
                    w: value_w,
                    h: BAR_H,
                    fill: Some(VALUE_FILL),
                });
            }
            u.text(x0 + max_w.max(value_w) + 6.0, -(y + baseline(row_h, size)), size, &b.text, Spacing::None);
            u.lines.push(b.text.clone());
            y += row_h + ROW_GAP / 2.0;
        }
        let plot_bottom = y;
        // Grid lines with the scale under them.
        let mut v = 0.0;
        while v <= scale_max + 1e-3 {
            let x = x0 + v * scale;
            u.items.push(Item::Rule { x1: x, y1: -(plot_top - 4.0), x2: x, y2: -plot_bottom, grey: 0.75 });
            let n = number(v);
            let nx = x - width(self.m, &n, size * 0.85) / 2.0;
            u.text(nx, -(plot_bottom + baseline(lh, size * 0.85)), size * 0.85, &n, Spacing::None);
            u.lines.push(n);
            v += step;
        }
        u.items.push(Item::Rule { x1: x0, y1: -(plot_top - 4.0), x2: x0, y2: -plot_bottom, grey: 0.2 });
        u.height = plot_bottom + lh;
        self.push(u);
        self.gap += 0.6 * BODY;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Bar, Block, Document, Footer, layout::layout};
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(grid_step(50.0), 10.0);
        assert_eq!(grid_step(8.0), 1.0);
        assert_eq!(grid_step(100.0), 20.0);
    }

    #[test]
    fn bars_are_as_long_as_their_values_on_one_scale() {
        struct Mono;
        impl Measure for Mono {
            fn advance(&self, _: char) -> f32 {
                1.0
            }
        }
        let bars = vec![
            Bar { label: "产出".into(), value: 45.0, max: 50.0, text: "45.00 / 50".into() },
            Bar { label: "满意度".into(), value: 5.0, max: 10.0, text: "5.00 / 10".into() },
        ];
        let doc = Document {
            title: String::new(),
            blocks: vec![Block::Chart(Chart {
                caption: "图".into(),
                bars,
                value_legend: "得分".into(),
                max_legend: "分值".into(),
            })],
            footer: Footer::Zh,
            watermark: None,
        };
        let pages = layout(&Mono, &doc);
        assert_eq!(pages.len(), 1);
        let widths: Vec<(f32, bool)> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Shape { w, h, fill, .. } if *h == BAR_H => Some((*w, *fill == Some(VALUE_FILL))),
                _ => None,
            })
            .collect();
        // max 50, value 45, max 10, value 5: all on the same scale
        assert_eq!(widths.len(), 4);
        let (m1, v1, m2, v2) = (widths[0].0, widths[1].0, widths[2].0, widths[3].0);
        assert!(widths[1].1 && widths[3].1 && !widths[0].1);
        assert!((v1 / m1 - 0.9).abs() < 1e-4 && (v2 / m2 - 0.5).abs() < 1e-4 && (m1 / m2 - 5.0).abs() < 1e-4);
        assert!(pages[0].lines.contains(&"45.00 / 50".to_string()));
        assert!(
            pages[0].items.iter().filter(|i| matches!(i, Item::Rule { .. })).count() >= 6,
            "grid 0..50 by 10 and the axis"
        );
    }
}
