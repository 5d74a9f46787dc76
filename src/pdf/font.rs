//! The one font every Fuhua PDF is set in: parsed once at start-up, measured per character
//! during layout, and cut down to the glyphs of each document before it is embedded.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use allsorts::binary::read::ReadScope;
use allsorts::error::ParseError;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use allsorts::tables::cmap::Cmap;
use allsorts::tables::{FontTableProvider, HeadTable, HheaTable, HmtxTable, MaxpTable};
use allsorts::tag;
use printpdf::ParsedFont;

use super::PdfError;
use super::wrap::Measure;

/// Noto Serif SC Regular cut to GBK + Latin-1 + punctuation (assets/fonts/README.md).
/// Compiled in so a deployment cannot lose it and start-up cannot fail on a missing file.
static EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/NotoSerifSC-Regular-GBK.ttf");
const EMBEDDED_NAME: &str = "NotoSerifSC-Regular";

/// Glyph id and advance width (font units) of one character; id 0 means "not in the font".
#[derive(Clone, Copy, Default)]
struct Glyph {
    id: u16,
    advance: u16,
}

/// The parsed font. Build it once (it takes tens of milliseconds) and share it between
/// requests: it is immutable, `Send` and `Sync`.
pub struct FontBook {
    provider: DynamicFontTableProvider<'static>,
    /// Indexed by code point: a flat table is the fastest lookup for the BMP, where all of
    /// the font's characters live.
    bmp: Vec<Glyph>,
    /// Characters above U+FFFF, should a future cut contain any.
    astral: HashMap<char, Glyph>,
    units_per_em: f32,
    name: &'static str,
}

impl fmt::Debug for FontBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chars = self.bmp.iter().filter(|g| g.id != 0).count() + self.astral.len();
        f.debug_struct("FontBook").field("name", &self.name).field("chars", &chars).finish()
    }
}

impl FontBook {
    /// The font compiled into the binary.
    pub fn embedded() -> Result<FontBook, PdfError> {
        FontBook::parse(EMBEDDED, EMBEDDED_NAME)
    }

    fn parse(bytes: &'static [u8], name: &'static str) -> Result<FontBook, PdfError> {
        let font_err = |e: &dyn fmt::Display| PdfError::Font(format!("{name}: {e}"));
        let data = ReadScope::new(bytes).read::<FontData<'static>>().map_err(|e| font_err(&e))?;
        let provider = data.table_provider(0).map_err(|e| font_err(&e))?;

        let table = |t: u32| provider.read_table_data(t).map_err(|e| font_err(&e));
        let head_data = table(tag::HEAD)?;
        let head = ReadScope::new(&head_data).read::<HeadTable>().map_err(|e| font_err(&e))?;
        let maxp_data = table(tag::MAXP)?;
        let maxp = ReadScope::new(&maxp_data).read::<MaxpTable>().map_err(|e| font_err(&e))?;
        let hhea_data = table(tag::HHEA)?;
        let hhea = ReadScope::new(&hhea_data).read::<HheaTable>().map_err(|e| font_err(&e))?;
        let hmtx_data = table(tag::HMTX)?;
        let hmtx = ReadScope::new(&hmtx_data)
            .read_dep::<HmtxTable<'_>>((usize::from(maxp.num_glyphs), usize::from(hhea.num_h_metrics)))
            .map_err(|e| font_err(&e))?;
        let cmap_data = table(tag::CMAP)?;
        let cmap = ReadScope::new(&cmap_data).read::<Cmap<'_>>().map_err(|e| font_err(&e))?;
        let (_, subtable) = allsorts::font::read_cmap_subtable(&cmap)
            .map_err(|e| font_err(&e))?
            .ok_or_else(|| font_err(&"no Unicode cmap"))?;

        let mut bmp = vec![Glyph::default(); 0x1_0000];
        let mut astral = HashMap::new();
        subtable
            .mappings_fn(|cp, id| {
                let Some(c) = char::from_u32(cp) else { return };
                if id == 0 {
                    return;
                }
                // A glyph without an hmtx entry cannot be laid out; treat it as absent.
                let Ok(advance) = hmtx.horizontal_advance(id) else { return };
                let glyph = Glyph { id, advance };
                match bmp.get_mut(cp as usize) {
                    Some(slot) => *slot = glyph,
                    None => {
                        astral.insert(c, glyph);
                    }
                }
            })
            .map_err(|e| font_err(&e))?;
        if head.units_per_em == 0 {
            return Err(font_err(&"units per em is 0"));
        }
        Ok(FontBook { provider, bmp, astral, units_per_em: f32::from(head.units_per_em), name })
    }

    fn glyph(&self, c: char) -> Option<Glyph> {
        let g = match self.bmp.get(c as usize) {
            Some(g) => *g,
            None => self.astral.get(&c).copied()?,
        };
        (g.id != 0).then_some(g)
    }

    /// The distinct characters of `text` that the font cannot draw, in order of first
    /// appearance ('\n' and ' ' are layout, not glyphs, and are never reported).
    pub fn missing(&self, text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if c != '\n' && c != ' ' && self.glyph(c).is_none() && !out.contains(c) {
                out.push(c);
            }
        }
        out
    }

    /// A font holding only the glyphs of `texts`, ready to hand to printpdf.
    ///
    /// Subsetting per document keeps a PDF at ~100 KB instead of embedding 10 MB.
    pub(crate) fn subset<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Result<ParsedFont, PdfError> {
        let mut used: BTreeMap<char, u16> = BTreeMap::new();
        for c in texts.flat_map(str::chars) {
            if let Some(g) = self.glyph(c) {
                used.insert(c, g.id);
            }
        }
        // allsorts wants .notdef first and no duplicates.
        let gids: BTreeSet<u16> = used.values().copied().collect();
        let gids: Vec<u16> = std::iter::once(0).chain(gids).collect();

        // allsorts picks the cmap entries to keep by scanning every mapping of the font
        // against the glyph list (quadratic: ~5 ms for 22,000 characters). Handing it a cmap
        // with only this document's characters makes that scan trivial.
        let provider = OwnCmap { inner: &self.provider, cmap: cmap_format12(&used) };
        let bytes = subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| PdfError::Font(format!("subsetting {}: {e}", self.name)))?;
        let mut warnings = Vec::new();
        let mut font = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
            .ok_or_else(|| PdfError::Font(format!("subset of {} does not parse: {warnings:?}", self.name)))?;
        // printpdf writes the name as given: the tag marks a subset (ISO 32000-1, 9.6.4).
        font.font_name = Some(format!("{}+{}", subset_tag(&gids), self.name));
        Ok(font)
    }
}

impl Measure for FontBook {
    fn advance(&self, c: char) -> f32 {
        // Unknown characters never reach layout (render refuses them first); one em keeps
        // the arithmetic sane if that ever changes.
        self.glyph(c).map_or(1.0, |g| f32::from(g.advance) / self.units_per_em)
    }
}

/// Six capital letters derived from the glyph set, so equal subsets get equal tags.
fn subset_tag(gids: &[u16]) -> String {
    let mut h = DefaultHasher::new();
    gids.hash(&mut h);
    let mut x = h.finish();
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (x % 26) as u8);
            x /= 26;
            c
        })
        .collect()
}

/// A `cmap` table with one format 12 subtable (Windows, UCS-4) mapping `map`.
fn cmap_format12(map: &BTreeMap<char, u16>) -> Vec<u8> {
    // (first char, last char, first glyph): runs of consecutive chars and glyphs share one.
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for (&c, &g) in map {
        let (c, g) = (c as u32, u32::from(g));
        match groups.last_mut() {
            Some(last) if last.1 + 1 == c && last.2 + (c - last.0) == g => last.1 = c,
            _ => groups.push((c, c, g)),
        }
    }
    let sub_len = 16 + 12 * groups.len();
    let mut out = Vec::with_capacity(12 + sub_len);
    // cmap header: version 0, one encoding record (platform 3, encoding 10, offset 12).
    for v in [0u16, 1, 3, 10] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&12u32.to_be_bytes());
    // Subtable: format 12, reserved, length, language, group count, groups.
    out.extend_from_slice(&12u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    for v in [sub_len as u32, 0, groups.len() as u32] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for (first, last, glyph) in groups {
        for v in [first, last, glyph] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out
}

/// The font's tables, except that `cmap` is replaced by our own.
struct OwnCmap<'a> {
    inner: &'a DynamicFontTableProvider<'static>,
    cmap: Vec<u8>,
}

impl FontTableProvider for OwnCmap<'_> {
    fn table_data(&self, t: u32) -> Result<Option<Cow<'_, [u8]>>, ParseError> {
        if t == tag::CMAP { Ok(Some(Cow::Borrowed(&self.cmap))) } else { self.inner.table_data(t) }
    }

    fn has_table(&self, t: u32) -> bool {
        t == tag::CMAP || self.inner.has_table(t)
    }

    fn table_tags(&self) -> Option<Vec<u32>> {
        self.inner.table_tags()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn book() -> &'static FontBook {
        super::super::tests::fonts()
    }

    #[test]
    fn covers_gbk_names_latin_and_punctuation() {
        assert_eq!(book().missing("赟玥喆堃 张三 Zhang Sàn ¥1,234.56（盖章）：“”…—①　"), "");
    }

    #[test]
    fn reports_missing_chars_once_in_order() {
        assert_eq!(book().missing("甲𠀀乙😀\n𠀀 丙\t"), "𠀀😀\t");
    }

    #[test]
    fn advances_are_em_fractions() {
        assert!((book().advance('中') - 1.0).abs() < 1e-6);
        let a = book().advance('a');
        assert!(a > 0.3 && a < 0.7, "{a}");
    }

    #[test]
    fn subset_keeps_only_used_chars_and_tags_the_name() {
        let font = book().subset(["合同编号：FH-1", "第 1 页"].into_iter()).unwrap();
        assert!(font.lookup_glyph_index('合' as u32).is_some());
        assert!(font.lookup_glyph_index('F' as u32).is_some());
        assert!(font.lookup_glyph_index('乙' as u32).is_none());
        let name = font.font_name.unwrap();
        assert_eq!(name.len(), 7 + EMBEDDED_NAME.len(), "{name}");
        assert!(name[..6].bytes().all(|b| b.is_ascii_uppercase()) && name[6..].starts_with('+'));
        assert!(font.original_bytes.len() < 100_000, "{}", font.original_bytes.len());
    }
}
