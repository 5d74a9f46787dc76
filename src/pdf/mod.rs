//! PDF generation for Fuhua's documents (contracts and their drafts): A4 pages set in an
//! embedded Chinese serif font, with Chinese line-breaking rules, ruled tables and signature
//! blocks.
//!
//! Build one [`FontBook`] at start-up and call [`render`] per document. Rendering is CPU-bound
//! (a few milliseconds): call it from `spawn_blocking` in async handlers. [`Drawer`] is the
//! drawer the rules ask for their documents through (`domain::documents::Draws`).

pub mod bureau_report;
mod chart;
pub mod contract;
mod draw;
pub mod evaluation_report;
pub mod figures;
mod font;
mod layout;
pub mod readback;
mod table;
mod wrap;

use domain::contracts::documents::ContractDocument;
use domain::documents::{DrawError, Drawn, Draws};
use domain::evaluations::ReportDocument;
use std::io::Write as _;
use std::sync::Arc;

use printpdf::{Mm, PdfDocument, PdfPage, PdfSaveOptions};

pub use font::FontBook;
use layout::Item;

/// A document to render.
#[derive(Debug, Clone)]
pub struct Document {
    /// PDF metadata title (not drawn; put a [`Block::Title`] in `blocks` for that).
    pub title: String,
    pub blocks: Vec<Block>,
    /// Language of the page numbers at the foot of every page.
    pub footer: Footer,
    /// Drawn large, light grey and diagonally behind every page, e.g. "草稿" on previews.
    pub watermark: Option<String>,
}

/// Page number style: `Zh` "第 N 页 / 共 M 页", `En` "Page N of M".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    Zh,
    En,
}

#[derive(Debug, Clone)]
pub enum Block {
    /// Centred, 20 pt, wraps if long.
    Title(String),
    /// Centred, 10.5 pt, e.g. "合同编号：SYHT-2026-001".
    Subtitle(String),
    /// Left, 12 pt, space before; never left alone at the foot of a page.
    Heading(String),
    /// `lead` (e.g. "第一条　", may be empty) then `text`, wrapped and justified; the
    /// following lines hang at the width of `lead`. '\n' in `text` starts a new line.
    Paragraph { lead: String, text: String },
    /// Label / value rows, labels right-aligned in a column as wide as the widest label
    /// (at most 40 % of the line), values wrapped. A row is kept on one page unless it is
    /// taller than a page.
    Fields(Vec<(String, String)>),
    /// Ruled table with wrapping cells. A row that does not fit on the rest of the page moves
    /// whole to the next; only a row taller than a page is split between lines, every cell
    /// continuing on the next page. The header row is repeated on every page the table
    /// continues on; `total` is an ordinary last row.
    Table { columns: Vec<Column>, rows: Vec<Vec<String>>, total: Option<Vec<String>> },
    /// Two columns of signature lines side by side, kept on one page (unless taller than a
    /// page: then they break between lines); `seals` draws a red circle in each column where
    /// the seal goes.
    Signatures { left: Vec<String>, right: Vec<String>, seals: bool },
    /// A horizontal bar chart drawn as vector graphics (not an image), kept on one page.
    Chart(Chart),
    /// Vertical space in pt (dropped at the top of a page).
    Spacer(f32),
}

/// Bars of values against their maxima: for each bar a light bar as long as its maximum,
/// a filled bar as long as its value, the label on the left and `text` on the right, over a
/// scale with grid lines.
#[derive(Debug, Clone)]
pub struct Chart {
    pub caption: String,
    pub bars: Vec<Bar>,
    /// Legend words for the filled bar and the light one, e.g. "得分" and "分值".
    pub value_legend: String,
    pub max_legend: String,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f32,
    pub max: f32,
    /// Shown right of the bar, e.g. "45.20 / 50".
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    /// Share of the content width, relative to the other columns' weights.
    pub weight: f32,
    pub align: Align,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Every text line drawn, in drawing order (watermark, content, footer per page).
    pub lines: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The distinct characters the font has no glyph for; they would silently vanish.
    #[error("the PDF font cannot draw these characters: {0}")]
    MissingGlyphs(String),
    #[error("PDF font error: {0}")]
    Font(String),
    #[error("PDF write error: {0}")]
    Write(String),
}

/// Draws the documents the rules issue, with the embedded font parsed once.
pub struct Drawer {
    fonts: Arc<FontBook>,
}

impl Drawer {
    pub fn new(fonts: Arc<FontBook>) -> Drawer {
        Drawer { fonts }
    }

    /// What the rules take: one drawer, shared.
    pub fn shared(fonts: Arc<FontBook>) -> Documents {
        Arc::new(Drawer::new(fonts))
    }

    /// A chart as SVG for a page, measured with the documents' font.
    pub fn svg(&self, c: &Chart) -> String {
        chart::svg(&*self.fonts, c, 560.0)
    }

    fn drawn(&self, doc: &Document) -> Result<Drawn, DrawError> {
        let r = render(&self.fonts, doc)?;
        Ok(Drawn { bytes: r.bytes, pages: r.pages })
    }
}

/// The drawer the application hands the rules.
pub type Documents = Arc<Drawer>;

/// The contract or amendment `request` describes, laid out but not yet drawn.
pub fn contract_document(request: &ContractDocument) -> Document {
    match request {
        ContractDocument::Contract { view, language, draft } => contract::document(view, *language, *draft),
        ContractDocument::Amendment { view, seq, reason, changes, language } => {
            contract::amendment(view, *seq, reason, changes, *language)
        }
    }
}

impl From<PdfError> for DrawError {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::MissingGlyphs(chars) => DrawError::MissingGlyphs(chars),
            other => DrawError::Failed(other.to_string()),
        }
    }
}

impl From<PdfError> for domain::error::AppError {
    fn from(e: PdfError) -> Self {
        DrawError::from(e).into()
    }
}

impl Draws<ContractDocument> for Drawer {
    fn draw(&self, request: &ContractDocument) -> Result<Drawn, DrawError> {
        self.drawn(&contract_document(request))
    }
}

impl Draws<domain::bureau_report::AnnualReport> for Drawer {
    fn draw(&self, request: &domain::bureau_report::AnnualReport) -> Result<Drawn, DrawError> {
        self.drawn(&bureau_report::document(request))
    }
}

impl Draws<ReportDocument> for Drawer {
    fn draw(&self, request: &ReportDocument) -> Result<Drawn, DrawError> {
        self.drawn(&evaluation_report::document(&request.view, &request.rules))
    }
}

/// Lay out and write `doc`. Refuses text the font cannot draw before doing any work.
pub fn render(fonts: &FontBook, doc: &Document) -> Result<Rendered, PdfError> {
    let missing = fonts.missing(&drawn_text(doc));
    if !missing.is_empty() {
        return Err(PdfError::MissingGlyphs(missing));
    }
    let pages = layout::layout(fonts, doc);
    let bytes = write(fonts, &doc.title, pages.iter().map(|p| p.items.as_slice()))?;
    Ok(Rendered { bytes, pages: pages.len(), lines: pages.into_iter().flat_map(|p| p.lines).collect() })
}

/// Draws laid-out pages on A4 with the font cut down to what they use.
fn write<'a>(
    fonts: &FontBook,
    title: &str,
    pages: impl Iterator<Item = &'a [Item]> + Clone,
) -> Result<Vec<u8>, PdfError> {
    let font = fonts.subset(pages.clone().flat_map(|items| items.iter().filter_map(Item::text)))?;
    let mut pdf = PdfDocument::new(title);
    let now = printpdf::OffsetDateTime::now_utc();
    let info = &mut pdf.metadata.info;
    (info.creation_date, info.modification_date, info.metadata_date) = (now, now, now);
    (info.creator, info.producer) = ("Fuhua".to_string(), "Fuhua".to_string());
    let font_id = pdf.add_font(&font);
    let pdf_pages = pages.map(|items| PdfPage::new(Mm(210.0), Mm(297.0), draw::page_ops(items, &font_id))).collect();
    pdf.with_pages(pdf_pages);
    save(&pdf)
}

/// All text of `doc` that ends up on a page, including the fixed footer words.
fn drawn_text(doc: &Document) -> String {
    let mut s = String::from(match doc.footer {
        Footer::Zh => "第页共/0123456789",
        Footer::En => "Page of 0123456789",
    });
    s.push_str(doc.watermark.as_deref().unwrap_or_default());
    for block in &doc.blocks {
        match block {
            Block::Title(t) | Block::Subtitle(t) | Block::Heading(t) => s.push_str(t),
            Block::Paragraph { lead, text } => {
                s.push_str(lead);
                s.push_str(text);
            }
            Block::Fields(fields) => fields.iter().for_each(|(l, v)| {
                s.push_str(l);
                s.push_str(v);
            }),
            Block::Table { columns, rows, total } => {
                columns.iter().for_each(|c| s.push_str(&c.title));
                rows.iter().chain(total).flatten().for_each(|c| s.push_str(c));
            }
            Block::Signatures { left, right, .. } => left.iter().chain(right).for_each(|l| s.push_str(l)),
            Block::Chart(c) => {
                s.push_str(&c.caption);
                s.push_str(&c.value_legend);
                s.push_str(&c.max_legend);
                c.bars.iter().for_each(|b| {
                    s.push_str(&b.label);
                    s.push_str(&b.text);
                });
                s.push_str("0123456789.");
            }
            Block::Spacer(_) => {}
        }
    }
    // Browsers submit textarea line breaks as CRLF; layout treats those like '\n'.
    s.replace("\r\n", "\n")
}

/// Serialise with fast compression: printpdf's own `optimize` compresses at the best (and
/// slowest) level, which alone would take longer than the whole rest of the render.
fn save(pdf: &PdfDocument) -> Result<Vec<u8>, PdfError> {
    // `subset_fonts` would only act with printpdf's text_layout feature; our font is a
    // subset already.
    let opts = PdfSaveOptions { optimize: false, subset_fonts: false, ..PdfSaveOptions::default() };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    for obj in lo.objects.values_mut() {
        let lopdf::Object::Stream(stream) = obj else { continue };
        if stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&stream.content).map_err(|e| PdfError::Write(e.to_string()))?;
        let packed = z.finish().map_err(|e| PdfError::Write(e.to_string()))?;
        if packed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(packed);
        }
    }
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use std::sync::OnceLock;

    pub(crate) fn fonts() -> &'static FontBook {
        static FONTS: OnceLock<FontBook> = OnceLock::new();
        FONTS.get_or_init(|| FontBook::embedded().unwrap())
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    /// A three-page service contract with every kind of block.
    fn contract(footer: Footer, watermark: Option<&str>) -> Document {
        let clauses = [
            "乙方应按照本合同及其附件的约定，向甲方提供社区居家养老服务，包括助餐、助洁、助浴、助医及精神慰藉等项目；服务对象为甲方确定的辖区内六十周岁以上的困难老年人。",
            "本合同服务期限自2026年1月1日起至2026年12月31日止。服务期满，经甲方绩效评价合格的，双方可依法续签合同；评价不合格的，本合同自动终止。",
            "本合同总金额为人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分（¥1,234,567.89），该金额已包含乙方履行本合同所需的人工、材料、交通、保险、税费及其他全部费用。",
            "甲方有权对乙方的服务质量、服务进度和资金使用情况进行监督检查；甲方应当按照本合同约定及时足额支付服务费用，并为乙方开展服务提供必要的协助。\n联系人：王玥，电话：010-12345678，邮箱：service@fuhua.example。",
            "乙方应当建立健全服务管理制度，配备与服务规模相适应的专业人员（其中持证社会工作者不少于3名）；乙方不得将本合同项下的服务转包，未经甲方书面同意，亦不得分包。",
        ];
        let mut blocks = vec![
            Block::Title(s("政府购买服务合同")),
            Block::Subtitle(s("合同编号：SYHT-2026-001")),
            Block::Fields(vec![
                (s("甲方（购买主体）："), s("某市某区民政局")),
                (s("统一社会信用代码："), s("11110000000000000X")),
                (s("法定代表人："), s("张赟")),
                (s("乙方（承接主体）："), s("某市福华社会工作服务中心")),
                (s("地址："), s("某市某区某某路88号福华大厦12层1201室（邮编100000）")),
                (s("法定代表人："), s("李喆堃")),
            ]),
            Block::Paragraph {
                lead: String::new(),
                text: s(
                    "根据《中华人民共和国民法典》《中华人民共和国政府采购法》及《政府购买服务管理办法》等有关规定，甲乙双方在平等、自愿、公平、诚实信用的基础上，经协商一致，订立本合同。",
                ),
            },
        ];
        let nums = ["一", "二", "三", "四", "五"];
        for (n, text) in nums.iter().zip(clauses) {
            blocks.push(Block::Paragraph { lead: format!("第{n}条　"), text: s(text) });
        }
        blocks.push(Block::Heading(s("附件一：产出指标")));
        let columns = vec![
            Column { title: s("序号"), weight: 0.6, align: Align::Center },
            Column { title: s("产出指标"), weight: 1.6, align: Align::Left },
            Column { title: s("指标内容及标准"), weight: 4.2, align: Align::Left },
            Column { title: s("数量（人次）"), weight: 1.4, align: Align::Right },
        ];
        let kinds = ["助餐服务", "助洁服务", "助浴服务", "助医服务", "精神慰藉"];
        let rows = (1..=20)
            .map(|k| {
                vec![
                    k.to_string(),
                    s(kinds[k % 5]),
                    format!("为服务对象提供上门服务不少于{}人次，服务满意度不低于95%", 100 * k),
                    format!("{}", 100 * k),
                ]
            })
            .collect();
        let total = Some(vec![s(""), s("合计"), s(""), s("21,000")]);
        blocks.push(Block::Table { columns, rows, total });
        blocks.push(Block::Heading(s("附件二：付款计划")));
        let columns = vec![
            Column { title: s("期次"), weight: 1.0, align: Align::Center },
            Column { title: s("支付条件"), weight: 3.2, align: Align::Left },
            Column { title: s("金额（元）"), weight: 1.8, align: Align::Right },
        ];
        let rows = vec![
            vec![s("第一期"), s("合同签订后15个工作日内"), s("370,370.37")],
            vec![s("第二期"), s("第二季度绩效评价合格后"), s("370,370.37")],
            vec![s("尾款"), s("年度绩效评价合格后"), s("493,826.15")],
        ];
        blocks.push(Block::Table { columns, rows, total: Some(vec![s("合计"), s(""), s("1,234,567.89")]) });
        blocks.push(Block::Spacer(12.0));
        blocks.push(Block::Paragraph { lead: String::new(), text: s("（以下无正文）") });
        blocks.push(Block::Signatures {
            left: vec![
                s("甲方（盖章）：某市某区民政局"),
                s("法定代表人或授权代表（签字）："),
                s("日期：　　年　　月　　日"),
            ],
            right: vec![
                s("乙方（盖章）：某市福华社会工作服务中心"),
                s("法定代表人或授权代表（签字）："),
                s("日期：　　年　　月　　日"),
            ],
            seals: true,
        });
        Document { title: s("政府购买服务合同 SYHT-2026-001"), blocks, footer, watermark: watermark.map(s) }
    }

    fn english() -> Document {
        let text = "The Supplier shall provide the home-care services described in Annex 1 to the elderly residents \
                    designated by the Purchaser, at the prices and on the dates set out in this Contract. Payment of \
                    CNY 1,234,567.89 is due within 15 working days of each accepted quarterly report (see \
                    https://fuhua.example/contracts/SYHT-2026-001). ";
        Document {
            title: s("Service Contract"),
            blocks: vec![
                Block::Title(s("Government Service Purchase Contract")),
                Block::Heading(s("Article 1 Services")),
                Block::Paragraph { lead: s("1.1 "), text: s(text).repeat(2).trim_end().to_string() },
                Block::Paragraph {
                    lead: s("1.2 "),
                    text: s("Signed in Beijing by 张赟\r\nfor the Purchaser (CRLF from a form)."),
                },
            ],
            footer: Footer::En,
            watermark: Some(s("DRAFT")),
        }
    }

    pub(crate) fn squash(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The PDF's text as read back in content-stream order, nothing outside a page (and the
    /// same as pdftotext's when CI asks for that second reader).
    pub(crate) fn pdf_text(bytes: &[u8], name: &str) -> String {
        readback::checked_text(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn contract_renders_on_three_pages_and_extracts_exactly() {
        let d = contract(Footer::Zh, Some("草稿"));
        table::tests::assert_inside(&layout::layout(fonts(), &d));
        let r = render(fonts(), &d).unwrap();
        assert_eq!(r.pages, 3);
        assert!(r.bytes.starts_with(b"%PDF-"));
        assert!(r.bytes.len() < 300_000, "{} bytes", r.bytes.len());
        for p in 1..=3 {
            assert!(r.lines.contains(&format!("第 {p} 页 / 共 3 页")));
        }
        // The outputs table crosses a page: its header is drawn once per page it is on.
        assert_eq!(r.lines.iter().filter(|l| *l == "指标内容及标准").count(), 2);
        let text = pdf_text(&r.bytes, "zh");
        assert_eq!(squash(&text), squash(&r.lines.concat()));
        assert!(text.contains("张赟") && text.contains("李喆堃") && text.contains("¥1,234,567.89"));
    }

    #[test]
    fn english_contract_extracts_exactly() {
        let r = render(fonts(), &english()).unwrap();
        assert_eq!(r.lines.last().unwrap(), &format!("Page {n} of {n}", n = r.pages));
        assert_eq!(squash(&pdf_text(&r.bytes, "en")), squash(&r.lines.concat()));
    }

    #[test]
    fn refuses_characters_the_font_lacks() {
        let mut d = contract(Footer::Zh, None);
        d.blocks.push(Block::Fields(vec![(s("名称："), s("𠀀记😀"))]));
        d.blocks.push(Block::Table {
            columns: vec![Column { title: s("列"), weight: 1.0, align: Align::Left }],
            rows: vec![vec![s("😀𠀀ꙮ")]],
            total: None,
        });
        match render(fonts(), &d) {
            Err(PdfError::MissingGlyphs(chars)) => assert_eq!(chars, "𠀀😀ꙮ"),
            other => panic!("expected MissingGlyphs, got {other:?}"),
        }
        d.blocks.truncate(d.blocks.len() - 2);
        d.watermark = Some(s("草稿🚧"));
        assert!(matches!(render(fonts(), &d), Err(PdfError::MissingGlyphs(c)) if c == "🚧"));
    }

    #[test]
    fn font_book_is_shareable() {
        fn shareable<T: Send + Sync>() {}
        shareable::<FontBook>();
    }
}
