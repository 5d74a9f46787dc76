//! Reads back the text of a PDF that Fuhua drew, with where every character lands, so the
//! tests (and anyone checking an issued document) can confirm that every character comes
//! back, in order, and that none lies outside its page — with no program but this one.
//!
//! It follows the text operators the drawing code uses (BT/ET, Tf, Tm, Td, Tc, Tw, Tz, TL,
//! T*, Tj, TJ, ' and ") and the graphics state (q, Q, cm); characters are decoded through
//! each font's ToUnicode map and advanced by the widths the font declares.
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, HashMap};

/// One page's text: each text object (one drawn line) in content-stream order.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    pub width: f32,
    pub height: f32,
    /// The MediaBox: x0, y0, x1, y1.
    pub bounds: [f32; 4],
    pub lines: Vec<String>,
    /// Characters any part of whose box (advance × font size, from the baseline up) falls
    /// outside the page, with the corner that does.
    pub outside: Vec<(char, f32, f32)>,
}

/// The text of a document: its pages, and the whole as `pdftotext -raw` would order it.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub pages: Vec<PageText>,
}

impl Text {
    /// Every line of every page, one per line.
    pub fn joined(&self) -> String {
        let lines: Vec<&str> = self.pages.iter().flat_map(|p| p.lines.iter().map(String::as_str)).collect();
        lines.join("\n")
    }

    /// Characters drawn outside their page, with the page number (from 1).
    pub fn outside(&self) -> Vec<(usize, char, f32, f32)> {
        let pages = self.pages.iter().enumerate();
        pages.flat_map(|(n, p)| p.outside.iter().map(move |&(c, x, y)| (n + 1, c, x, y))).collect()
    }
}

type Matrix = [f32; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b` (row vectors, as PDF writes them).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

/// A font as the reader needs it: code length, widths and the way back to Unicode.
struct Font<'a> {
    encoding: lopdf::Encoding<'a>,
    two_byte: bool,
    widths: HashMap<u32, f32>,
    default_width: f32,
}

fn number(o: &Object) -> Option<f32> {
    o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32))
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

impl<'a> Font<'a> {
    fn load(doc: &'a Document, dict: &'a Dictionary) -> Result<Font<'a>, String> {
        let encoding = dict.get_font_encoding(doc).map_err(|e| format!("font encoding: {e}"))?;
        let subtype = dict.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
        let mut widths = HashMap::new();
        let mut default_width = 0.0;
        if subtype == b"Type0" {
            let descendants = dict.get(b"DescendantFonts").map(|o| deref(doc, o)).and_then(Object::as_array);
            let cid = descendants
                .ok()
                .and_then(|a| a.first())
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok())
                .ok_or("a Type0 font without its descendant font")?;
            default_width = cid.get(b"DW").ok().and_then(number).unwrap_or(1000.0);
            if let Ok(w) = cid.get(b"W").map(|o| deref(doc, o)).and_then(Object::as_array) {
                // [c [w1 w2 …]] or [c_first c_last w]
                let mut i = 0;
                while i < w.len() {
                    let first = number(deref(doc, &w[i])).ok_or("bad W array")? as u32;
                    match w.get(i + 1).map(|o| deref(doc, o)) {
                        Some(Object::Array(list)) => {
                            for (k, v) in list.iter().enumerate() {
                                widths.insert(first + k as u32, number(v).ok_or("bad W width")?);
                            }
                            i += 2;
                        }
                        Some(last) => {
                            let last = number(last).ok_or("bad W range")? as u32;
                            let width = w.get(i + 2).and_then(number).ok_or("bad W range width")?;
                            for c in first..=last.min(first.saturating_add(65_535)) {
                                widths.insert(c, width);
                            }
                            i += 3;
                        }
                        None => break,
                    }
                }
            }
        } else {
            let first = dict.get(b"FirstChar").ok().and_then(number).unwrap_or(0.0) as u32;
            if let Ok(list) = dict.get(b"Widths").map(|o| deref(doc, o)).and_then(Object::as_array) {
                for (k, v) in list.iter().enumerate() {
                    widths.insert(first + k as u32, number(deref(doc, v)).unwrap_or(0.0));
                }
            }
        }
        Ok(Font { encoding, two_byte: subtype == b"Type0", widths, default_width })
    }

    /// The codes of a string, each with its bytes.
    fn codes<'b>(&self, bytes: &'b [u8]) -> Vec<(u32, &'b [u8])> {
        if self.two_byte {
            bytes.chunks(2).map(|c| (c.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)), c)).collect()
        } else {
            bytes.chunks(1).map(|c| (u32::from(c[0]), c)).collect()
        }
    }
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    tm: Matrix,
    line: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
}

impl State {
    fn new() -> State {
        State {
            ctm: IDENTITY,
            tm: IDENTITY,
            line: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
        }
    }

    fn move_line(&mut self, tx: f32, ty: f32) {
        self.line = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.line);
        self.tm = self.line;
    }
}

fn operand(op: &lopdf::content::Operation, i: usize) -> f32 {
    op.operands.get(i).and_then(number).unwrap_or(0.0)
}

/// The page's MediaBox as (x0, y0, x1, y1).
fn media_box(doc: &Document, page: ObjectId) -> [f32; 4] {
    let mut id = Some(page);
    while let Some(current) = id {
        let Ok(dict) = doc.get_dictionary(current) else { break };
        if let Ok(b) = dict.get(b"MediaBox").map(|o| deref(doc, o)).and_then(Object::as_array) {
            let n: Vec<f32> = b.iter().filter_map(|o| number(deref(doc, o))).collect();
            if n.len() == 4 {
                return [n[0].min(n[2]), n[1].min(n[3]), n[0].max(n[2]), n[1].max(n[3])];
            }
        }
        id = dict.get(b"Parent").and_then(Object::as_reference).ok();
    }
    [0.0; 4]
}

/// Reads every page of the document.
pub fn read(bytes: &[u8]) -> Result<Text, String> {
    let doc = Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    let mut pages = Vec::new();
    for (_, page_id) in doc.get_pages() {
        pages.push(read_page(&doc, page_id)?);
    }
    Ok(Text { pages })
}

fn read_page(doc: &Document, page_id: ObjectId) -> Result<PageText, String> {
    let bounds = media_box(doc, page_id);
    let (width, height) = (bounds[2] - bounds[0], bounds[3] - bounds[1]);
    let dicts: BTreeMap<Vec<u8>, &Dictionary> = doc.get_page_fonts(page_id).map_err(|e| format!("fonts: {e}"))?;
    let mut fonts = HashMap::new();
    for (name, dict) in dicts {
        fonts.insert(name, Font::load(doc, dict)?);
    }
    let content = Content::decode(&doc.get_page_content(page_id)).map_err(|e| format!("page content: {e}"))?;
    let mut page = PageText { width, height, bounds, lines: Vec::new(), outside: Vec::new() };
    let mut stack: Vec<State> = Vec::new();
    let mut st = State::new();
    let mut line = String::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(st.clone()),
            "Q" => st = stack.pop().unwrap_or_else(State::new),
            "cm" => st.ctm = mul(&std::array::from_fn(|i| operand(op, i)), &st.ctm),
            "BT" => {
                st.tm = IDENTITY;
                st.line = IDENTITY;
            }
            "ET" => page.lines.push(std::mem::take(&mut line)),
            "Tf" => {
                st.font = op.operands.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec);
                st.size = operand(op, 1);
            }
            "Tc" => st.char_spacing = operand(op, 0),
            "Tw" => st.word_spacing = operand(op, 0),
            "Tz" => st.scale = operand(op, 0) / 100.0,
            "TL" => st.leading = operand(op, 0),
            "Tm" => {
                st.line = std::array::from_fn(|i| operand(op, i));
                st.tm = st.line;
            }
            "Td" => st.move_line(operand(op, 0), operand(op, 1)),
            "TD" => {
                st.leading = -operand(op, 1);
                st.move_line(operand(op, 0), operand(op, 1));
            }
            "T*" => st.move_line(0.0, -st.leading),
            "Tj" | "'" | "\"" | "TJ" => {
                if op.operator == "'" || op.operator == "\"" {
                    if op.operator == "\"" {
                        st.word_spacing = operand(op, 0);
                        st.char_spacing = operand(op, 1);
                    }
                    st.move_line(0.0, -st.leading);
                }
                let font = st.font.as_ref().and_then(|f| fonts.get(f)).ok_or("text shown before a font is set")?;
                let parts: Vec<&Object> = match op.operator.as_str() {
                    "TJ" => op.operands.first().and_then(|o| o.as_array().ok()).map(|a| a.iter().collect()),
                    _ => op.operands.last().map(|o| vec![o]),
                }
                .unwrap_or_default();
                for part in parts {
                    match part {
                        Object::String(bytes, _) => show(&mut st, font, bytes, &mut line, &mut page)?,
                        other => {
                            let adjust = number(other).unwrap_or(0.0);
                            let tx = -adjust / 1000.0 * st.size * st.scale;
                            st.tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &st.tm);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if !line.is_empty() {
        page.lines.push(line);
    }
    Ok(page)
}

/// Draws one string: each character is decoded, its box checked against the page, and the
/// text matrix advanced past it.
fn show(st: &mut State, font: &Font<'_>, bytes: &[u8], line: &mut String, page: &mut PageText) -> Result<(), String> {
    for (code, raw) in font.codes(bytes) {
        let text = Document::decode_text(&font.encoding, raw).map_err(|e| format!("undecodable text: {e}"))?;
        let width = font.widths.get(&code).copied().unwrap_or(font.default_width) / 1000.0;
        let spacing = st.char_spacing + if !font.two_byte && code == 32 { st.word_spacing } else { 0.0 };
        let advance = (width * st.size + spacing) * st.scale;
        let render = mul(&[st.size * st.scale, 0.0, 0.0, st.size, 0.0, 0.0], &mul(&st.tm, &st.ctm));
        // The glyph's box in text space: its advance wide, from the descent to the ascent.
        for (x, y) in [(0.0, -0.12), (width, -0.12), (0.0, 0.88), (width, 0.88)] {
            let (px, py) = apply(&render, x, y);
            let slack = 0.01;
            let [x0, y0, x1, y1] = page.bounds;
            if px < x0 - slack || py < y0 - slack || px > x1 + slack || py > y1 + slack {
                for c in text.chars() {
                    page.outside.push((c, px, py));
                }
                break;
            }
        }
        line.push_str(&text);
        st.tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], &st.tm);
    }
    Ok(())
}

/// The document's text, one drawn line per line, or why it could not be read.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    read(bytes).map(|t| t.joined())
}

/// Set to 1 (as CI does) to have [`checked_text`] compare every reading with poppler's
/// `pdftotext` as well: an independent reader, required then, never skipped silently.
pub const POPPLER_CHECK: &str = "FUHUA_TEST_PDFTOTEXT";

/// The document's text, refused if any character lies outside its page, and compared with
/// `pdftotext -raw` (ignoring white space) when [`POPPLER_CHECK`] is set to 1.
pub fn checked_text(bytes: &[u8]) -> Result<String, String> {
    let text = read(bytes)?;
    let outside = text.outside();
    if !outside.is_empty() {
        return Err(format!("{} characters drawn outside their page, first {:?}", outside.len(), outside[0]));
    }
    let joined = text.joined();
    if std::env::var(POPPLER_CHECK).is_ok_and(|v| v == "1") {
        let poppler = poppler_text(bytes)?;
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if squash(&poppler) != squash(&joined) {
            return Err(format!("pdftotext reads otherwise:\n{poppler}\n-- this reader --\n{joined}"));
        }
    }
    Ok(joined)
}

fn poppler_text(bytes: &[u8]) -> Result<String, String> {
    let path = temp_copy(bytes)?;
    let out = std::process::Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    let out = out.map_err(|e| format!("{POPPLER_CHECK}=1 but pdftotext cannot run: {e}"))?;
    if !out.status.success() {
        return Err(format!("pdftotext failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("pdftotext gave no UTF-8: {e}"))
}

/// The document in a file of its own (tests read many at once), for pdftotext.
fn temp_copy(bytes: &[u8]) -> Result<std::path::PathBuf, String> {
    use std::io::Write;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("fuhua-readback-{}-{n}.pdf", std::process::id()));
    let mut file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::layout::Item;
    use super::super::tests::fonts;
    use super::super::wrap::Spacing;
    use super::*;

    fn text(x: f32, y: f32, size: f32, text: &str, spacing: Spacing) -> Item {
        Item::Text { x, y, size, text: text.to_string(), spacing }
    }

    fn draw(pages: &[Vec<Item>]) -> Vec<u8> {
        super::super::write(fonts(), "probe", pages.iter().map(Vec::as_slice)).unwrap()
    }

    #[test]
    fn reads_every_line_in_order_on_its_page() {
        let bytes = draw(&[
            vec![
                Item::Watermark { x: 150.0, y: 300.0, size: 60.0, angle: 45.0, text: "草稿".into() },
                text(72.0, 760.0, 12.0, "合同金额：¥1,234,567.89（壹佰贰拾叁万）", Spacing::Chars(0.5)),
                text(72.0, 740.0, 10.0, "Signed in Sanya by 张赟", Spacing::Words(3.0)),
            ],
            vec![text(72.0, 60.0, 9.0, "第 2 页 / 共 2 页", Spacing::None)],
        ]);
        let read = read(&bytes).unwrap();
        assert_eq!(read.pages.len(), 2);
        assert_eq!((read.pages[0].width.round(), read.pages[0].height.round()), (595.0, 842.0));
        assert_eq!(read.pages[0].lines, ["草稿", "合同金额：¥1,234,567.89（壹佰贰拾叁万）", "Signed in Sanya by 张赟"]);
        assert_eq!(read.pages[1].lines, ["第 2 页 / 共 2 页"]);
        assert!(read.outside().is_empty(), "{:?}", read.outside());
        assert_eq!(checked_text(&bytes).unwrap().lines().count(), 4);
    }

    #[test]
    fn finds_characters_past_each_edge() {
        // 595 pt wide: at 20 pt a Chinese character is 20 pt, so the 4th of 4 from 520 ends at 600.
        let right = draw(&[vec![text(520.0, 400.0, 20.0, "一二三四", Spacing::None)]]);
        let outside = read(&right).unwrap().outside();
        assert_eq!(outside.iter().map(|o| o.1).collect::<String>(), "四");
        assert!(checked_text(&right).unwrap_err().contains("outside"));
        // Character spacing pushes the last one over too: from 510, 24 pt each, the 4th ends at 602.
        let spaced = draw(&[vec![text(510.0, 400.0, 20.0, "一二三四", Spacing::Chars(4.0))]]);
        assert_eq!(read(&spaced).unwrap().outside().iter().map(|o| o.1).collect::<String>(), "四");
        // Above the top, below the bottom, left of the margin.
        let top = draw(&[vec![text(72.0, 830.0, 20.0, "顶", Spacing::None)]]);
        assert_eq!(read(&top).unwrap().outside().len(), 1);
        let bottom = draw(&[vec![text(72.0, -1.0, 10.0, "底", Spacing::None)]]);
        assert_eq!(read(&bottom).unwrap().outside().len(), 1);
        let left = draw(&[vec![text(-5.0, 400.0, 10.0, "左", Spacing::None)]]);
        assert_eq!(read(&left).unwrap().outside()[0].0, 1);
        // A rotated watermark reaching past the top right corner.
        let mark =
            draw(&[vec![Item::Watermark { x: 450.0, y: 700.0, size: 80.0, angle: 45.0, text: "未发布".into() }]]);
        assert!(!read(&mark).unwrap().outside().is_empty());
    }

    #[test]
    fn refuses_what_is_not_a_pdf() {
        assert!(read(b"%PDF-1.7 not really").is_err());
        assert!(checked_text(b"").is_err());
    }
}
