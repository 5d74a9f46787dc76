//! Drawing laid-out pages as PDF operations: text (with word spacing for justified Latin
//! text), the watermark, table cells, chart bars and rules, seal circles.
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};

use super::layout::Item;
use super::wrap::Spacing;

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

fn text_ops(ops: &mut Vec<Op>, font: &FontId, size: f32, matrix: TextMatrix, items: Vec<TextItem>) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont { font: PdfFontHandle::External(font.clone()), size: Pt(size) });
    ops.push(Op::SetTextMatrix { matrix });
    ops.push(Op::ShowText { items });
    ops.push(Op::EndTextSection);
}

pub(super) fn page_ops(items: &[Item], font: &FontId) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 6 + 4);
    ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
    // Character spacing is text state that outlives BT/ET, so track it and reset it.
    let mut char_spacing = 0.0;
    for item in items {
        match item {
            Item::Text { x, y, size, text, spacing } => {
                let want = if let Spacing::Chars(c) = spacing { *c } else { 0.0 };
                if want != char_spacing {
                    ops.push(Op::SetCharacterSpacing { multiplier: want });
                    char_spacing = want;
                }
                let items = match spacing {
                    Spacing::Words(extra) => word_spaced(text, *extra, *size),
                    Spacing::None | Spacing::Chars(_) => vec![TextItem::Text(text.clone())],
                };
                text_ops(&mut ops, font, *size, TextMatrix::Translate(Pt(*x), Pt(*y)), items);
            }
            Item::Watermark { x, y, size, angle, text } => {
                let (sin, cos) = angle.to_radians().sin_cos();
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetFillColor { col: grey(0.85) });
                let matrix = TextMatrix::Raw([cos, sin, -sin, cos, *x, *y]);
                text_ops(&mut ops, font, *size, matrix, vec![TextItem::Text(text.clone())]);
                ops.push(Op::RestoreGraphicsState);
            }
            Item::Cell { x, y, w, h, shaded } => {
                let rect = Rect::from_xywh(Pt(*x), Pt(*y), Pt(*w), Pt(*h));
                if *shaded {
                    ops.push(Op::SetFillColor { col: grey(0.92) });
                    ops.push(Op::DrawRectangle { rectangle: Rect { mode: Some(PaintMode::FillStroke), ..rect } });
                    ops.push(Op::SetFillColor { col: grey(0.0) });
                } else {
                    ops.push(Op::DrawRectangle { rectangle: Rect { mode: Some(PaintMode::Stroke), ..rect } });
                }
            }
            Item::Shape { x, y, w, h, fill } => {
                let rect = Rect::from_xywh(Pt(*x), Pt(*y), Pt(*w), Pt(*h));
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetOutlineColor { col: grey(0.45) });
                let mode = match fill {
                    Some((r, g, b)) => {
                        ops.push(Op::SetFillColor { col: Color::Rgb(Rgb::new(*r, *g, *b, None)) });
                        PaintMode::FillStroke
                    }
                    None => PaintMode::Stroke,
                };
                ops.push(Op::DrawRectangle { rectangle: Rect { mode: Some(mode), ..rect } });
                ops.push(Op::RestoreGraphicsState);
            }
            Item::Rule { x1, y1, x2, y2, grey: level } => {
                let p = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetOutlineColor { col: grey(*level) });
                ops.push(Op::SetOutlineThickness { pt: Pt(0.4) });
                ops.push(Op::DrawLine { line: Line { points: vec![p(*x1, *y1), p(*x2, *y2)], is_closed: false } });
                ops.push(Op::RestoreGraphicsState);
            }
            Item::Seal { x, y, r } => {
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetOutlineColor { col: Color::Rgb(Rgb::new(0.85, 0.1, 0.1, None)) });
                ops.push(Op::SetOutlineThickness { pt: Pt(1.2) });
                ops.push(Op::DrawLine { line: circle(*x, *y, *r) });
                ops.push(Op::RestoreGraphicsState);
            }
        }
    }
    ops
}

/// `text` with `extra` pt after each space, as TJ offsets: the word-spacing operator does
/// not apply to the two-byte codes of our CID font.
fn word_spaced(text: &str, extra: f32, size: f32) -> Vec<TextItem> {
    let offset = -extra * 1000.0 / size; // thousandths of an em; negative moves right
    let mut items = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            items.push(TextItem::Text(text[start..=i].to_string()));
            items.push(TextItem::Offset(offset));
            start = i + 1;
        }
    }
    if start < text.len() {
        items.push(TextItem::Text(text[start..].to_string()));
    }
    items
}

/// Circle of radius `r` around (`cx`, `cy`) from four cubic Béziers.
fn circle(cx: f32, cy: f32, r: f32) -> Line {
    let k = 0.552_284_8 * r;
    let p = |x: f32, y: f32, bezier: bool| LinePoint { p: Point { x: Pt(cx + x), y: Pt(cy + y) }, bezier };
    let points = vec![
        p(r, 0.0, false),
        p(r, k, true),
        p(k, r, true),
        p(0.0, r, false),
        p(-k, r, true),
        p(-r, k, true),
        p(-r, 0.0, false),
        p(-r, -k, true),
        p(-k, -r, true),
        p(0.0, -r, false),
        p(k, -r, true),
        p(r, -k, true),
        p(r, 0.0, false),
    ];
    Line { points, is_closed: true }
}
