//! Probe: A4 Chinese contract with printpdf 0.12.8 (feature `text_layout` for subsetting).
//!
//! Usage: pdfprobe <font.ttf|otf> [out.pdf] [iterations] [expected.txt]
use printpdf::*;
use std::collections::HashMap;
use std::time::Instant;

// ---------------------------------------------------------------- geometry
const PAGE_W: f32 = 595.276; // A4 in pt (210 mm)
const PAGE_H: f32 = 841.89; // A4 in pt (297 mm)
const MARGIN_L: f32 = 70.87; // 25 mm
const MARGIN_R: f32 = 70.87;
const MARGIN_T: f32 = 70.87;
const MARGIN_B: f32 = 70.87;
const CONTENT_W: f32 = PAGE_W - MARGIN_L - MARGIN_R;

// ---------------------------------------------------------------- font metrics
/// Advance widths in em, cached per char. Built once from the parsed font.
struct Metrics {
    adv: HashMap<char, f32>,
    gid: HashMap<char, u16>,
    fallback: f32,
    /// true: ShowText with TextItem::Text (printpdf looks every char up in the
    /// font cmap); false: TextItem::GlyphIds with our own gid + ToUnicode text.
    use_text_items: bool,
}

impl Metrics {
    fn new(font: &ParsedFont) -> Self {
        let upm = font.pdf_font_metrics.units_per_em as f32;
        let mut adv = HashMap::new();
        let mut gids = HashMap::new();
        // Cover the characters we will ever draw: walk a generous range and keep
        // the ones that map to a real glyph.
        for cp in (0x20u32..0x3000).chain(0x3000..0xA000).chain(0xFF00..0xFFF0) {
            if let Some(gid) = font.lookup_glyph_index(cp) {
                if gid != 0 {
                    #[cfg(feature = "layout")]
                    let w = font.get_horizontal_advance(gid) as f32 / upm;
                    #[cfg(not(feature = "layout"))]
                    let w = font.get_glyph_width(gid).unwrap_or(0) as f32 / upm;
                    adv.insert(char::from_u32(cp).unwrap(), w);
                    gids.insert(char::from_u32(cp).unwrap(), gid);
                }
            }
        }
        let use_text_items = std::env::var("TEXT_ITEMS").is_ok() || cfg!(not(feature = "layout"));
        Metrics { adv, gid: gids, fallback: 1.0, use_text_items }
    }
    fn em(&self, c: char) -> f32 {
        *self.adv.get(&c).unwrap_or(&self.fallback)
    }
    fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.em(c)).sum::<f32>() * size
    }
}

// ---------------------------------------------------------------- line breaking
/// Must not begin a line (closing punctuation etc.).
const NO_START: &str = "，。、；：？！）」』》〉】〕”’…—·％,.;:?!)]}%";
/// Must not end a line (opening punctuation).
const NO_END: &str = "（「『《〈【〔“‘([{¥￥$";

/// Break units: a run of ASCII letters/digits stays together, everything else is one char.
fn units(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None::<usize>;
    for (i, c) in s.char_indices() {
        // Runs of printable ASCII (words, numbers like 1,234,567.89, codes like FH-2025-001)
        // are not broken; brackets stay separate so kinsoku rules apply to them.
        let word = c.is_ascii_graphic() && !"([{)]}".contains(c);
        match (word, start) {
            (true, None) => start = Some(i),
            (true, Some(_)) => {}
            (false, Some(st)) => {
                out.push(&s[st..i]);
                start = None;
                out.push(&s[i..i + c.len_utf8()]);
            }
            (false, None) => out.push(&s[i..i + c.len_utf8()]),
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

fn first_char(u: &str) -> char {
    u.chars().next().unwrap()
}

/// Greedy wrap with kinsoku: a unit from NO_START is never put at the start of a
/// line (the previous unit is carried over with it), a NO_END unit never ends one.
fn wrap(m: &Metrics, text: &str, size: f32, max_w: f32) -> Vec<String> {
    wrap2(m, text, size, max_w, max_w)
}

/// Like `wrap`, but the first line may be wider (hanging indent for the rest).
fn wrap2(m: &Metrics, text: &str, size: f32, first_w: f32, rest_w: f32) -> Vec<String> {
    let mut max_w = first_w;
    let us = units(text);
    let mut lines: Vec<Vec<&str>> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut cur_w = 0.0;
    for u in us {
        let w = m.width(u, size);
        if cur.is_empty() || cur_w + w <= max_w + 0.01 {
            cur.push(u);
            cur_w += w;
            continue;
        }
        let mut next = vec![u];
        loop {
            let bad_start = NO_START.contains(first_char(next[0]));
            let bad_end = cur.last().is_some_and(|l| NO_END.contains(first_char(l)));
            if (bad_start || bad_end) && cur.len() > 1 {
                next.insert(0, cur.pop().unwrap());
            } else {
                break;
            }
        }
        // A space that ends up at the start of a line is dropped.
        if next[0] == " " {
            next.remove(0);
        }
        lines.push(std::mem::take(&mut cur));
        max_w = rest_w;
        cur_w = next.iter().map(|u| m.width(u, size)).sum();
        cur = next;
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines.into_iter().map(|l| l.concat()).collect()
}

// ---------------------------------------------------------------- page builder
struct Doc<'a> {
    m: &'a Metrics,
    font: FontId,
    pages: Vec<Vec<Op>>,
    y: f32, // baseline cursor, pt from bottom
    /// Every string drawn, per page, in drawing order (for the extraction check).
    drawn: Vec<Vec<String>>,
}

/// Glyph ids from our own char->gid table; `cid` carries the text for /ToUnicode.
/// Characters missing from the font are reported, not silently dropped.
fn glyph_item(m: &Metrics, s: &str) -> TextItem {
    TextItem::GlyphIds(
        s.chars()
            .map(|c| {
                let gid = m.gid.get(&c).copied().unwrap_or_else(|| {
                    static ONCE: std::sync::Once = std::sync::Once::new(); ONCE.call_once(|| eprintln!("missing glyph for {c:?} U+{:04X}", c as u32));
                    0
                });
                Codepoint { gid, offset: 0.0, cid: Some(c.to_string()) }
            })
            .collect(),
    )
}

fn black() -> Color {
    Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None))
}
fn red() -> Color {
    Color::Rgb(Rgb::new(0.85, 0.1, 0.1, None))
}

impl<'a> Doc<'a> {
    fn new(m: &'a Metrics, font: FontId) -> Self {
        let mut d = Doc { m, font, pages: Vec::new(), y: 0.0, drawn: Vec::new() };
        d.new_page();
        d
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().unwrap()
    }
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.drawn.push(Vec::new());
        self.y = PAGE_H - MARGIN_T;
    }
    fn ensure(&mut self, h: f32) {
        if self.y - h < MARGIN_B {
            self.new_page();
        }
    }
    /// Draw one line of text with its baseline at (x, y); `tc` = extra spacing per glyph (pt).
    fn text_at(&mut self, x: f32, y: f32, size: f32, s: &str, tc: f32) {
        let font = self.font.clone();
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) });
        if tc != 0.0 {
            ops.push(Op::SetCharacterSpacing { multiplier: tc });
        }
        ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(y)) });
        let item = if self.m.use_text_items {
            TextItem::Text(s.to_string())
        } else {
            glyph_item(self.m, s)
        };
        let ops = self.ops();
        ops.push(Op::ShowText { items: vec![item] });
        ops.push(Op::EndTextSection);
        self.drawn.last_mut().unwrap().push(s.to_string());
    }
    fn centered(&mut self, size: f32, s: &str) {
        let lh = size * 1.6;
        self.ensure(lh);
        self.y -= lh;
        let x = (PAGE_W - self.m.width(s, size)) / 2.0;
        let y = self.y;
        self.text_at(x, y, size, s, 0.0);
    }
    /// Paragraph with hanging indent `indent` (pt) for lines after the first,
    /// justified except for the last line.
    fn paragraph(&mut self, size: f32, s: &str, indent: f32) {
        let lh = size * 1.75;
        let lines = wrap2(self.m, s, size, CONTENT_W, CONTENT_W - indent);
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            self.ensure(lh);
            self.y -= lh;
            let x = MARGIN_L + if i == 0 { 0.0 } else { indent };
            let avail = CONTENT_W - if i == 0 { 0.0 } else { indent };
            let nat = self.m.width(line, size);
            let glyphs = line.chars().count();
            let tc = if i + 1 < n && glyphs > 1 { (avail - nat) / (glyphs - 1) as f32 } else { 0.0 };
            let y = self.y;
            self.text_at(x, y, size, line, tc);
        }
        self.y -= size * 0.4;
    }
    fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<f32>) {
        let ops = self.ops();
        if let Some(g) = fill {
            ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(g, None)) });
            ops.push(Op::DrawRectangle {
                rectangle: Rect { mode: Some(PaintMode::FillStroke), ..Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h)) },
            });
            ops.push(Op::SetFillColor { col: black() });
        } else {
            ops.push(Op::DrawRectangle {
                rectangle: Rect { mode: Some(PaintMode::Stroke), ..Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h)) },
            });
        }
    }
    /// Table with wrapped cells; header row is repeated on each new page.
    fn table(&mut self, size: f32, cols: &[f32], header: &[&str], rows: &[Vec<String>]) {
        let total: f32 = cols.iter().sum();
        let widths: Vec<f32> = cols.iter().map(|c| c / total * CONTENT_W).collect();
        let pad = 4.0;
        let lh = size * 1.45;
        let layout = |m: &Metrics, cells: &[String]| -> (Vec<Vec<String>>, f32) {
            let wrapped: Vec<Vec<String>> =
                cells.iter().zip(&widths).map(|(c, w)| wrap(m, c, size, w - 2.0 * pad)).collect();
            let n = wrapped.iter().map(|l| l.len()).max().unwrap_or(1).max(1);
            (wrapped, n as f32 * lh + 2.0 * pad)
        };
        let header_cells: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let (hw, hh) = layout(self.m, &header_cells);
        let mut draw_row = |d: &mut Doc, cells: &Vec<Vec<String>>, h: f32, shade: bool| {
            let top = d.y;
            let mut x = MARGIN_L;
            d.ops().push(Op::SetOutlineThickness { pt: Pt(0.6) });
            for (lines, w) in cells.iter().zip(&widths) {
                d.stroke_rect(x, top - h, *w, h, if shade { Some(0.9) } else { None });
                for (i, l) in lines.iter().enumerate() {
                    let by = top - pad - size * 0.95 - i as f32 * lh;
                    d.text_at(x + pad, by, size, l, 0.0);
                }
                x += w;
            }
            d.y -= h;
        };
        self.ensure(hh + lh * 2.0);
        draw_row(self, &hw, hh, true);
        for r in rows {
            let (rw, rh) = layout(self.m, r);
            if self.y - rh < MARGIN_B {
                self.new_page();
                draw_row(self, &hw, hh, true); // repeated header
            }
            draw_row(self, &rw, rh, false);
        }
        self.y -= size;
    }
    /// Red seal: circle of radius r around (cx, cy), drawn with 4 cubic beziers.
    fn seal(&mut self, cx: f32, cy: f32, r: f32) {
        let k = 0.5523 * r;
        let p = |x: f32, y: f32, b: bool| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: b };
        let pts = vec![
            p(cx + r, cy, false),
            p(cx + r, cy + k, true), p(cx + k, cy + r, true), p(cx, cy + r, false),
            p(cx - k, cy + r, true), p(cx - r, cy + k, true), p(cx - r, cy, false),
            p(cx - r, cy - k, true), p(cx - k, cy - r, true), p(cx, cy - r, false),
            p(cx + k, cy - r, true), p(cx + r, cy - k, true), p(cx + r, cy, false),
        ];
        let ops = self.ops();
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetOutlineColor { col: red() });
        ops.push(Op::SetOutlineThickness { pt: Pt(1.5) });
        ops.push(Op::DrawLine { line: Line { points: pts, is_closed: true } });
        ops.push(Op::RestoreGraphicsState);
    }
    fn signature_block(&mut self, size: f32) {
        let lh = size * 2.2;
        self.ensure(lh * 5.0 + 20.0);
        self.y -= 20.0;
        let top = self.y;
        let half = CONTENT_W / 2.0;
        let left = ["甲方（盖章）：", "法定代表人或授权代表（签字）：", "日期：    年  月  日"];
        let right = ["乙方（盖章）：", "法定代表人或授权代表（签字）：", "日期：    年  月  日"];
        for (i, (l, r)) in left.iter().zip(right.iter()).enumerate() {
            let y = top - (i as f32 + 1.0) * lh;
            self.text_at(MARGIN_L, y, size, l, 0.0);
            self.text_at(MARGIN_L + half, y, size, r, 0.0);
        }
        self.seal(MARGIN_L + 120.0, top - lh * 1.2, 36.0);
        self.seal(MARGIN_L + half + 120.0, top - lh * 1.2, 36.0);
        self.y = top - lh * 4.0;
    }
    /// Footer "第 N 页 / 共 M 页" once the page count is known.
    fn finish(mut self, size: f32) -> (Vec<PdfPage>, Vec<String>) {
        let total = self.pages.len();
        for i in 0..total {
            let s = format!("第 {} 页 / 共 {} 页", i + 1, total);
            let x = (PAGE_W - self.m.width(&s, size)) / 2.0;
            let font = self.font.clone();
            let ops = &mut self.pages[i];
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont { font: PdfFontHandle::External(font), size: Pt(size) });
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(40.0)) });
            let item = if self.m.use_text_items { TextItem::Text(s.clone()) } else { glyph_item(self.m, &s) };
            ops.push(Op::ShowText { items: vec![item] });
            ops.push(Op::EndTextSection);
            self.drawn[i].push(s);
        }
        let pages = self
            .pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        (pages, self.drawn.into_iter().flatten().collect())
    }
}

// ---------------------------------------------------------------- the contract
const CLAUSES: &[(&str, &str)] = &[
    ("服务内容", "乙方应按照本合同及其附件的约定，向甲方提供社区居家养老服务，包括助餐、助洁、助浴、助医及精神慰藉等项目；服务对象为甲方确定的辖区内六十周岁以上的困难老年人。"),
    ("服务期限", "本合同服务期限自2025年1月1日起至2025年12月31日止。服务期满，经甲方绩效评价合格的，双方可依法续签合同；评价不合格的，本合同自动终止。"),
    ("合同金额", "本合同总金额为人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分（¥1,234,567.89），该金额已包含乙方履行本合同所需的人工、材料、交通、保险、税费及其他全部费用。"),
    ("甲方的权利和义务", "甲方有权对乙方的服务质量、服务进度和资金使用情况进行监督检查；甲方应当按照本合同约定及时足额支付服务费用，并为乙方开展服务提供必要的协助，包括提供服务对象名单、联系方式及相关政策文件。"),
    ("乙方的权利和义务", "乙方应当建立健全服务管理制度，配备与服务规模相适应的专业人员（其中持证社会工作者不少于3名）；乙方不得将本合同项下的服务转包，未经甲方书面同意，亦不得分包。"),
    ("绩效评价", "甲方每季度对乙方的服务情况开展一次绩效评价，评价结果分为优秀、良好、合格、不合格四个等次；评价结果作为支付服务费用、续签合同的重要依据。"),
    ("信息公开与保密", "乙方对在履行本合同过程中知悉的服务对象个人信息负有保密义务，不得泄露、出售或者非法向他人提供；本条款在合同终止后继续有效。"),
    ("违约责任", "任何一方违反本合同约定的，应当承担继续履行、采取补救措施或者赔偿损失等违约责任；乙方提供的服务不符合约定标准的，甲方有权要求其限期整改，逾期未整改的，甲方可按合同金额的千分之五按日计收违约金。"),
    ("争议解决", "因本合同引起的或者与本合同有关的任何争议，双方应当友好协商解决；协商不成的，任何一方均可向甲方所在地有管辖权的人民法院提起诉讼。"),
    ("其他", "本合同一式肆份，甲乙双方各执贰份，具有同等法律效力；本合同自双方法定代表人或授权代表签字并加盖公章之日起生效。本合同未尽事宜，由双方另行签订补充协议，补充协议与本合同具有同等法律效力。"),
];

fn cn_num(n: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][n - 1]
}

thread_local! { static T0: std::cell::Cell<Instant> = std::cell::Cell::new(Instant::now()); static PH: std::cell::Cell<[u128; 4]> = const { std::cell::Cell::new([0; 4]) }; static LAYOUT_NS: std::cell::Cell<u128> = const { std::cell::Cell::new(0) }; }

fn build(font: &ParsedFont, m: &Metrics, seq: usize) -> (Vec<u8>, Vec<String>, usize) {
    T0.with(|t| t.set(Instant::now()));
    let mut doc = PdfDocument::new("政府购买服务合同");
    // Mode A (feature "layout" = printpdf/text_layout): register the big font, printpdf subsets on save.
    #[cfg(feature = "layout")]
    let fid = doc.add_font(font);
    // Mode B: a fixed id now, the per-document subset is registered after layout.
    #[cfg(not(feature = "layout"))]
    let fid = FontId("FCJK".to_string());
    let mut d = Doc::new(m, fid.clone());
    d.centered(20.0, "政府购买服务合同");
    d.centered(10.5, &format!("合同编号：FH-2025-{:05}", seq));
    d.paragraph(11.0, "甲方（购买主体）：某市某区民政局", 0.0);
    d.paragraph(11.0, "乙方（承接主体）：某市福华社会工作服务中心", 0.0);
    d.paragraph(11.0, "根据《中华人民共和国民法典》《中华人民共和国政府采购法》及《政府购买服务管理办法》等有关规定，甲乙双方在平等、自愿、公平、诚实信用的基础上，就甲方向乙方购买社区居家养老服务事宜，经协商一致，订立本合同。", 0.0);
    for (i, (title, body)) in CLAUSES.iter().enumerate() {
        let head = format!("第{}条　{}：", cn_num(i + 1), title);
        let indent = m.width("第一条　", 11.0);
        d.paragraph(11.0, &format!("{head}{body}"), indent);
        if i == 2 {
            let rows: Vec<Vec<String>> = (1..=18)
                .map(|k| {
                    vec![
                        k.to_string(),
                        ["助餐服务", "助洁服务", "助浴服务", "助医服务", "精神慰藉"][k % 5].to_string(),
                        format!("为服务对象提供上门服务不少于{}人次，服务满意度不低于95%", 100 * k),
                        "人次".to_string(),
                        format!("{}", 100 * k),
                    ]
                })
                .collect();
            d.table(10.0, &[0.6, 1.6, 4.2, 0.9, 1.0], &["序号", "产出指标", "指标内容及标准", "单位", "数量"], &rows);
        }
    }
    d.paragraph(11.0, "附表：付款计划", 0.0);
    let pay: Vec<Vec<String>> = [
        ("第一期", "合同签订后15个工作日内", "30%", "370,370.37"),
        ("第二期", "第二季度绩效评价合格后", "30%", "370,370.37"),
        ("第三期", "第三季度绩效评价合格后", "20%", "246,913.58"),
        ("尾款", "年度绩效评价合格后", "20%", "246,913.57"),
    ]
    .iter()
    .map(|(a, b, c, e)| vec![a.to_string(), b.to_string(), c.to_string(), e.to_string()])
    .collect();
    d.table(10.0, &[1.0, 3.2, 1.0, 1.8], &["期次", "支付条件", "支付比例", "金额（元）"], &pay);
    d.signature_block(11.0);
    let (pages, drawn) = d.finish(9.0);
    let t_layout = T0.with(|t| t.get().elapsed());
    let npages = pages.len();
    let mut warnings = Vec::new();
    #[cfg(not(feature = "layout"))]
    {
        let t1 = Instant::now();
        let sub = subset_for(font, &drawn);
        let mut fw = Vec::new();
        let mut parsed = ParsedFont::from_bytes(&sub, 0, &mut fw).expect("subset parse");
        // /BaseFont gets the ISO 32000 subset tag only if we put it there ourselves.
        parsed.font_name = Some(format!("{}+NotoSerifSC-Regular", subset_tag(&drawn)));
        doc.resources.fonts.map.insert(fid, PdfFont::new(parsed));
        PH.with(|c| { let mut v = c.get(); v[0] += t1.elapsed().as_nanos(); c.set(v) });
    }
    doc.with_pages(pages);
    let bytes = match std::env::var("ZLEVEL").ok().and_then(|v| v.parse::<u32>().ok()) {
        None => {
            let t1 = Instant::now();
            let b = doc.save(&PdfSaveOptions { subset_fonts: true, ..Default::default() }, &mut warnings);
            PH.with(|c| { let mut v = c.get(); v[1] += t1.elapsed().as_nanos(); c.set(v) });
            b
        }
        Some(level) => {
            // Same document, but compress the streams ourselves at `level`
            // instead of lopdf's Compression::best().
            let opts = PdfSaveOptions { subset_fonts: true, optimize: false, ..Default::default() };
            let t1 = Instant::now();
            let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
            PH.with(|c| { let mut v = c.get(); v[1] += t1.elapsed().as_nanos(); c.set(v) });
            let t1 = Instant::now();
            for obj in lo.objects.values_mut() {
                if let lopdf::Object::Stream(st) = obj {
                    let is_font_program = st.dict.get(b"Length1").is_ok();
                    if st.dict.get(b"Filter").is_err() && !(is_font_program && std::env::var("NOFONTZ").is_ok()) {
                        use std::io::Write;
                        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
                        e.write_all(&st.content).unwrap();
                        let z = e.finish().unwrap();
                        if z.len() < st.content.len() {
                            st.dict.set("Filter", "FlateDecode");
                            st.set_content(z);
                        }
                    }
                }
            }
            PH.with(|c| { let mut v = c.get(); v[2] += t1.elapsed().as_nanos(); c.set(v) });
            let t1 = Instant::now();
            let mut out = Vec::new();
            lo.save_to(&mut out).unwrap();
            PH.with(|c| { let mut v = c.get(); v[3] += t1.elapsed().as_nanos(); c.set(v) });
            out
        }
    };
    LAYOUT_NS.with(|c| c.set(c.get() + t_layout.as_nanos()));
    for w in &warnings {
        if seq == 0 {
            eprintln!("warning: {:?}", w);
        }
    }
    (bytes, drawn, npages)
}

/// Mode B: subset the (already GB2312-cut) font to the glyphs of this document
/// with allsorts, keeping a Unicode cmap so printpdf's TextItem::Text lookups work.
/// Six upper-case letters derived from the content (ISO 32000-1 9.6.4 subset tag).
#[cfg(not(feature = "layout"))]
fn subset_tag(texts: &[String]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    texts.hash(&mut h);
    let mut x = h.finish();
    (0..6).map(|_| { let c = (b'A' + (x % 26) as u8) as char; x /= 26; c }).collect()
}

#[cfg(not(feature = "layout"))]
fn subset_for(font: &ParsedFont, texts: &[String]) -> Vec<u8> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};
    let mut gids: Vec<u16> = texts
        .iter()
        .flat_map(|t| t.chars())
        .filter_map(|c| font.lookup_glyph_index(c as u32))
        .filter(|g| *g != 0)
        .collect();
    gids.sort_unstable();
    gids.dedup();
    gids.insert(0, 0); // .notdef first, no duplicates
    let data = ReadScope::new(&font.original_bytes).read::<FontData<'_>>().unwrap();
    let provider = data.table_provider(font.font_index as usize).unwrap();
    subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let font_path = &args[1];
    let out = args.get(2).cloned().unwrap_or("/tmp/pdfprobe/out.pdf".into());
    let iters: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);

    let t = Instant::now();
    let bytes = std::fs::read(font_path).unwrap();
    let t_read = t.elapsed();
    let t = Instant::now();
    let mut fw = Vec::new();
    let index: usize = std::env::var("FONT_INDEX").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let font = ParsedFont::from_bytes(&bytes, index, &mut fw).expect("font parse");
    let t_parse = t.elapsed();
    let t = Instant::now();
    let m = Metrics::new(&font);
    let t_metrics = t.elapsed();
    println!(
        "font {} bytes: read {:?}, parse {:?}, metrics table ({} chars) {:?}, warnings {}",
        bytes.len(), t_read, t_parse, m.adv.len(), t_metrics, fw.len()
    );

    let (pdf, drawn, npages) = build(&font, &m, 0);
    std::fs::write(&out, &pdf).unwrap();
    std::fs::write(format!("{out}.expected.txt"), drawn.join("\n")).unwrap();
    println!("wrote {out}: {} bytes, {} pages", pdf.len(), npages);

    // benchmark
    let mut times = Vec::with_capacity(iters);
    let t_all = Instant::now();
    for i in 0..iters {
        let t = Instant::now();
        let (pdf, _, _) = build(&font, &m, i + 1);
        std::hint::black_box(pdf);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let layout_ms = LAYOUT_NS.with(|c| c.get()) as f64 / 1e6;
    println!("layout+ops share: {:.3} ms/doc (incl. add_font clone)", layout_ms / (iters + 1) as f64);
    let ph = PH.with(|c| c.get());
    let n = (iters + 1) as f64;
    println!("per doc: own subset {:.3} ms, printpdf save/to_lopdf {:.3} ms, own compress {:.3} ms, save_to {:.3} ms", ph[0] as f64 / 1e6 / n, ph[1] as f64 / 1e6 / n, ph[2] as f64 / 1e6 / n, ph[3] as f64 / 1e6 / n);
    if iters > 0 {
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{} docs in {:.2?}: median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
            iters,
            t_all.elapsed(),
            times[iters / 2],
            times[iters * 95 / 100],
            times[iters - 1]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn mono() -> Metrics {
        // every char 1 em wide
        Metrics { adv: HashMap::new(), gid: HashMap::new(), fallback: 1.0, use_text_items: true }
    }
    #[test]
    fn closing_punct_never_starts_a_line() {
        // 4 em per line: "四" would end line 1 and "，" start line 2 -> "四" moves down.
        assert_eq!(wrap(&mono(), "一二三四，五六七八", 1.0, 4.0), vec!["一二三", "四，五六", "七八"]);
        // two closing marks in a row: "）。" both move with the preceding char
        assert_eq!(wrap(&mono(), "一二三四）。五", 1.0, 4.0), vec!["一二三", "四）。五"]);
    }
    #[test]
    fn opening_punct_never_ends_a_line() {
        assert_eq!(wrap(&mono(), "一二三《四五》", 1.0, 4.0), vec!["一二三", "《四五》"]);
    }
    #[test]
    fn numbers_are_not_split() {
        let l = wrap(&mono(), "金额为1,234,567.89元", 1.0, 6.0);
        assert!(l.iter().any(|x| x.contains("1,234,567.89")), "{l:?}");
    }
}
