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

/// One mark of a chart, in points from the chart's top left (y grows downward; a text's y
/// is its baseline). The PDF and the SVG draw the same marks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    Rect { x: f32, y: f32, w: f32, h: f32, fill: (f32, f32, f32) },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, grey: f32 },
    Text { x: f32, y: f32, size: f32, text: String },
}

/// A chart laid out in a given width: its marks, its height and its words in reading order.
pub(crate) struct Plot {
    pub marks: Vec<Mark>,
    pub height: f32,
    pub lines: Vec<String>,
}

impl Plot {
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.marks.push(Mark::Text { x, y, size, text: text.to_string() });
        self.lines.push(text.to_string());
    }
}

/// Lays out the bar chart `c` in `total_w` points: caption, legend, one bar a row (the light
/// bar the maximum, the filled one the value, on one scale), grid lines with their numbers.
pub(crate) fn plot(m: &impl Measure, c: &Chart, total_w: f32) -> Plot {
    let mut p = Plot { marks: Vec::new(), height: 0.0, lines: Vec::new() };
    let size = TABLE_SIZE;
    let lh = size * 1.4;
    let label_w = c.bars.iter().map(|b| width(m, &b.label, size)).fold(0.0_f32, f32::max).min(total_w * 0.3) + 8.0;
    let text_w = c.bars.iter().map(|b| width(m, &b.text, size)).fold(0.0_f32, f32::max) + 8.0;
    let x0 = label_w;
    let bar_w = (total_w - label_w - text_w).max(60.0);
    let top_max = c.bars.iter().map(|b| b.max.max(b.value)).fold(0.0_f32, f32::max).max(1.0);
    let step = grid_step(top_max);
    let scale_max = (top_max / step).ceil() * step;
    let scale = bar_w / scale_max;
    let mut y = 0.0;
    for (line, _) in wrap(m, &c.caption, BODY, total_w).into_iter().filter(|(l, _)| !l.is_empty()) {
        let x = (total_w - width(m, &line, BODY)) / 2.0;
        p.text(x, y + baseline(BODY * 1.6, BODY), BODY, &line);
        y += BODY * 1.6;
    }
    y += 4.0;
    let mut lx = x0;
    for (fill, word) in [(VALUE_FILL, &c.value_legend), (MAX_FILL, &c.max_legend)] {
        if word.is_empty() {
            continue;
        }
        p.marks.push(Mark::Rect { x: lx, y: y + 1.0, w: 14.0, h: 8.0, fill });
        p.text(lx + 18.0, y + baseline(10.0, size), size, word);
        lx += 18.0 + width(m, word, size) + 16.0;
    }
    y += 10.0 + ROW_GAP;
    let plot_top = y;
    for b in &c.bars {
        let labels = wrap(m, &b.label, size, label_w - 8.0);
        let row_h = (labels.len() as f32 * lh).max(BAR_H + 2.0 * 3.0);
        let bar_top = y + (row_h - BAR_H) / 2.0;
        for (k, (line, _)) in labels.iter().enumerate() {
            let ly = y + (row_h - labels.len() as f32 * lh) / 2.0 + k as f32 * lh;
            p.text(x0 - 8.0 - width(m, line, size), ly + baseline(lh, size), size, line);
        }
        let max_w = b.max.max(0.0) * scale;
        let value_w = b.value.clamp(0.0, b.max.max(b.value)) * scale;
        if max_w > 0.0 {
            p.marks.push(Mark::Rect { x: x0, y: bar_top, w: max_w, h: BAR_H, fill: MAX_FILL });
        }
        if value_w > 0.0 {
            p.marks.push(Mark::Rect { x: x0, y: bar_top, w: value_w, h: BAR_H, fill: VALUE_FILL });
        }
        p.text(x0 + max_w.max(value_w) + 6.0, y + baseline(row_h, size), size, &b.text);
        y += row_h + ROW_GAP / 2.0;
    }
    let plot_bottom = y;
    let mut v = 0.0;
    while v <= scale_max + 1e-3 {
        let x = x0 + v * scale;
        p.marks.push(Mark::Line { x1: x, y1: plot_top - 4.0, x2: x, y2: plot_bottom, grey: 0.75 });
        let n = number(v);
        p.text(x - width(m, &n, size * 0.85) / 2.0, plot_bottom + baseline(lh, size * 0.85), size * 0.85, &n);
        v += step;
    }
    p.marks.push(Mark::Line { x1: x0, y1: plot_top - 4.0, x2: x0, y2: plot_bottom, grey: 0.2 });
    p.height = plot_bottom + lh;
    p
}

impl<M: Measure> Flow<'_, M> {
    pub(super) fn chart(&mut self, c: &Chart) {
        if c.bars.is_empty() {
            return;
        }
        let p = plot(self.m, c, CONTENT_W);
        let mut u = Unit { gap: BODY, keep_with_next: false, ..Unit::default() };
        for mark in p.marks {
            match mark {
                Mark::Rect { x, y, w, h, fill } => {
                    u.items.push(Item::Shape { x: MARGIN + x, y: -(y + h), w, h, fill: Some(fill) })
                }
                Mark::Line { x1, y1, x2, y2, grey } => {
                    u.items.push(Item::Rule { x1: MARGIN + x1, y1: -y1, x2: MARGIN + x2, y2: -y2, grey })
                }
                Mark::Text { x, y, size, text } => u.text(MARGIN + x, -y, size, &text, Spacing::None),
            }
        }
        u.lines = p.lines;
        u.height = p.height;
        self.push(u);
        self.gap += 0.6 * BODY;
    }
}

fn rgb((r, g, b): (f32, f32, f32)) -> String {
    let c = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", c(r), c(g), c(b))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The chart as an SVG element for a page: the same marks as in a PDF, its words as text
/// (so a screen reader and a search find them), its caption as the accessible name.
pub(crate) fn svg(m: &impl Measure, c: &Chart, total_w: f32) -> String {
    use std::fmt::Write;
    // The page heads the chart with its caption; the drawing carries it as its name only.
    let p = plot(m, &Chart { caption: String::new(), ..c.clone() }, total_w);
    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total_w:.0} {:.0}\" role=\"img\" aria-label=\"{}\">",
        p.height.ceil(),
        escape(&c.caption)
    );
    for mark in &p.marks {
        let _ = match mark {
            Mark::Rect { x, y, w, h, fill } => {
                write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"/>",
                    rgb(*fill)
                )
            }
            Mark::Line { x1, y1, x2, y2, grey } => write!(
                out,
                "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{}\" stroke-width=\"0.6\"/>",
                rgb((*grey, *grey, *grey))
            ),
            Mark::Text { x, y, size, text } => {
                write!(out, "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size:.1}\">{}</text>", escape(text))
            }
        };
    }
    out.push_str("</svg>");
    out
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
