//! Minimal: 2-page A4 PDF, Chinese text in an embedded *subset* TrueType font,
//! extractable with pdftotext. printpdf 0.12.8 with default-features = false
//! (no `text_layout`), subsetting done with allsorts-azul (the crate printpdf itself uses).
//!
//! Cargo.toml:
//!   printpdf = { version = "0.12.8", default-features = false }
//!   allsorts = { package = "allsorts-azul", version = "0.17.2", default-features = false, features = ["flate2_rust"] }
//!
//! Usage: minimal FONT.ttf OUT.pdf
use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use printpdf::*;

/// Glyph ids for `text` in `font`, .notdef first, sorted, no duplicates (allsorts' contract).
fn used_glyphs(font: &ParsedFont, text: &str) -> Vec<u16> {
    let mut g: Vec<u16> = text.chars().filter_map(|c| font.lookup_glyph_index(c as u32)).filter(|&g| g != 0).collect();
    g.sort_unstable();
    g.dedup();
    g.insert(0, 0);
    g
}

/// Text width in pt from the font's hmtx advances (for centring / wrapping).
fn width(font: &ParsedFont, s: &str, size: f32) -> f32 {
    let upm = font.units_per_em as f32;
    s.chars()
        .map(|c| font.lookup_glyph_index(c as u32).and_then(|g| font.get_glyph_width(g)).unwrap_or(0) as f32)
        .sum::<f32>()
        * size
        / upm
}

fn line(ops: &mut Vec<Op>, font: &FontId, size: f32, x: f32, y: f32, s: &str) {
    ops.extend([
        Op::StartTextSection,
        Op::SetFont { font: PdfFontHandle::External(font.clone()), size: Pt(size) },
        // absolute position (Td from SetTextCursor would be relative to the line start)
        Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(y)) },
        Op::ShowText { items: vec![TextItem::Text(s.to_string())] },
        Op::EndTextSection,
    ]);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full_bytes = std::fs::read(&args[1]).expect("font file");
    // Parse ONCE at start-up and keep it (≈4 ms for the 3 MB GB2312 cut).
    let full = ParsedFont::from_bytes(&full_bytes, 0, &mut Vec::new()).expect("parse font");

    let pages_text = [
        vec!["政府购买服务合同", "第一条　服务内容：乙方应按照本合同约定提供服务。", "金额：人民币壹佰贰拾叁万元整（¥1,230,000.00）"],
        vec!["第二条　争议解决：协商不成的，向人民法院起诉。", "甲方（盖章）：　　　　乙方（盖章）："],
    ];
    let all: String = pages_text.iter().flatten().copied().collect::<String>() + "第页共/ 0123456789";

    // Per document: subset to exactly the glyphs used, keep a Unicode cmap in the subset
    // so printpdf can map chars -> new glyph ids and write /W + /ToUnicode for them.
    let data = ReadScope::new(&full_bytes).read::<FontData<'_>>().unwrap();
    let provider = data.table_provider(0).unwrap();
    let sub_bytes = subset(&provider, &used_glyphs(&full, &all), &SubsetProfile::Pdf, CmapTarget::Unicode).unwrap();
    let mut sub = ParsedFont::from_bytes(&sub_bytes, 0, &mut Vec::new()).unwrap();
    sub.font_name = Some("ABCDEF+NotoSerifSC-Regular".into()); // subset tag on /BaseFont

    let mut doc = PdfDocument::new("合同");
    let fid = doc.add_font(&sub);
    let n = pages_text.len();
    let mut pages = Vec::new();
    for (i, lines) in pages_text.iter().enumerate() {
        let mut ops = Vec::new();
        let mut y = 841.89 - 72.0;
        for (k, s) in lines.iter().enumerate() {
            let size = if i == 0 && k == 0 { 20.0 } else { 12.0 };
            let x = if i == 0 && k == 0 { (595.276 - width(&full, s, size)) / 2.0 } else { 72.0 };
            line(&mut ops, &fid, size, x, y, s);
            y -= size * 1.8;
        }
        // a table-ish box and a rule: vector graphics
        ops.push(Op::SetOutlineThickness { pt: Pt(0.8) });
        ops.push(Op::DrawRectangle {
            rectangle: Rect { mode: Some(PaintMode::Stroke), ..Rect::from_xywh(Pt(72.0), Pt(y - 60.0), Pt(451.0), Pt(50.0)) },
        });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint { p: Point { x: Pt(72.0), y: Pt(60.0) }, bezier: false },
                    LinePoint { p: Point { x: Pt(523.0), y: Pt(60.0) }, bezier: false },
                ],
                is_closed: false,
            },
        });
        let footer = format!("第 {} 页 / 共 {} 页", i + 1, n);
        line(&mut ops, &fid, 9.0, (595.276 - width(&full, &footer, 9.0)) / 2.0, 45.0, &footer);
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let mut warnings = Vec::new();
    let bytes = doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings);
    for w in &warnings {
        eprintln!("{w:?}");
    }
    std::fs::write(&args[2], &bytes).unwrap();
    println!("{} bytes", bytes.len());
}

#[allow(dead_code)]
fn _assert_shareable() {
    fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<ParsedFont>(); // share one parsed font across Rocket workers
    is_send_sync::<PdfDocument>();
}
