//! Tests of the page layout (`layout.rs`).
use super::*;
use crate::pdf::tests::fonts;

fn doc(blocks: Vec<Block>) -> Document {
    Document { title: "t".into(), blocks, footer: Footer::Zh, watermark: None }
}

fn para(n: usize) -> Block {
    Block::Paragraph { lead: String::new(), text: format!("第{n}段").repeat(30) }
}

#[test]
fn heading_is_never_last_on_a_page() {
    // Find how many paragraphs fill page 1, then put a heading right after them.
    for n in 10..40 {
        let mut blocks: Vec<Block> = (0..n).map(para).collect();
        blocks.push(Block::Heading("第二部分".into()));
        blocks.push(para(99));
        let pages = layout(fonts(), &doc(blocks));
        for p in &pages {
            let i = p.lines.iter().position(|l| l == "第二部分");
            // The heading is followed by at least one body line (and the footer).
            assert!(i.is_none_or(|i| i + 2 < p.lines.len()), "{n}: {:?}", p.lines);
        }
    }
}

#[test]
fn footer_counts_pages_in_both_languages() {
    let blocks: Vec<Block> = (0..60).map(para).collect();
    let mut d = doc(blocks);
    let pages = layout(fonts(), &d);
    let n = pages.len();
    assert!(n >= 3);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.lines.last().unwrap(), &format!("第 {} 页 / 共 {n} 页", i + 1));
    }
    d.footer = Footer::En;
    d.watermark = Some("DRAFT".into());
    let pages = layout(fonts(), &d);
    assert_eq!(pages.len(), n);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p.lines.first().unwrap(), "DRAFT");
        assert_eq!(p.lines.last().unwrap(), &format!("Page {} of {n}", i + 1));
    }
}

#[test]
fn fields_and_signatures_taller_than_a_page_break() {
    let value = "甲乙丙丁。".repeat(600);
    let sigs: Vec<String> = (1..=40).map(|i| format!("第{i}位代表（签字）：")).collect();
    let blocks = vec![
        Block::Fields(vec![("成果：".into(), value.clone())]),
        Block::Signatures { left: sigs.clone(), right: sigs[..3].to_vec(), seals: true },
    ];
    let pages = layout(fonts(), &doc(blocks));
    crate::pdf::table::tests::assert_inside(&pages);
    let lines: Vec<&String> = pages.iter().flat_map(|p| &p.lines).collect();
    let drawn: String = lines.iter().flat_map(|l| l.chars()).filter(|c| "甲乙丙丁。".contains(*c)).collect();
    assert_eq!(drawn, value);
    assert!(sigs.iter().all(|s| lines.contains(&s)));
    let seals = pages.iter().map(|p| p.items.iter().filter(|i| matches!(i, Item::Seal { .. })).count());
    assert_eq!(seals.sum::<usize>(), 2);
}

#[test]
fn signatures_stay_together() {
    let left: Vec<String> = vec![
        "甲方（盖章）：".into(),
        "某市某区民政局".into(),
        "代表人（签字）：".into(),
        "日期：　　年　　月　　日".into(),
    ];
    let right: Vec<String> =
        vec!["乙方（盖章）：".into(), "某市福华社会工作服务中心".into(), "代表人（签字）：".into(), "日期：".into()];
    for n in 10..40 {
        let mut blocks: Vec<Block> = (0..n).map(para).collect();
        blocks.push(Block::Signatures { left: left.clone(), right: right.clone(), seals: true });
        let pages = layout(fonts(), &doc(blocks));
        let last = pages.last().unwrap();
        assert!(last.lines.contains(&"日期：".to_string()) && last.lines.contains(&left[0]), "{n}");
        assert_eq!(last.items.iter().filter(|i| matches!(i, Item::Seal { .. })).count(), 2);
        for it in &last.items {
            if let Item::Text { y, .. } = it {
                assert!(*y >= FOOTER_BASELINE - EPS && *y < PAGE_H - MARGIN, "{y}");
            }
        }
    }
}

#[test]
fn signature_columns_stay_in_step_clear_of_the_seals_and_never_alone_on_a_page() {
    let left: Vec<String> =
        vec!["甲方（盖章）：".into(), "三亚市民政局".into(), "法定代表人或授权代表（签字）：".into(), "日期：".into()];
    let right: Vec<String> = vec![
        "乙方（盖章）：".into(),
        "三亚市吉阳区阳光社会工作服务中心附属社区服务站".into(),
        "法定代表人或授权代表（签字）：".into(),
        "日期：".into(),
    ];
    for n in 10..40 {
        let mut blocks: Vec<Block> = (0..n).map(para).collect();
        blocks.push(Block::Signatures { left: left.clone(), right: right.clone(), seals: true });
        let pages = layout(fonts(), &doc(blocks));
        let last = pages.last().expect("a page");
        assert!(last.lines.iter().any(|l| l.contains('段')), "{n}: the block is not alone: {:?}", last.lines);
        let texts: Vec<(f32, f32, &str)> = last
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text { x, y, text, .. } => Some((*x, *y, text.as_str())),
                _ => None,
            })
            .collect();
        // Both dates on one line: the long name did not push the provider's side down.
        let dates: Vec<f32> = texts.iter().filter(|t| t.2 == "日期：").map(|t| t.1).collect();
        assert_eq!(dates.len(), 2, "{n}");
        assert!((dates[0] - dates[1]).abs() < EPS, "{n}: {dates:?}");
        // No text reaches into a seal's square.
        let m = fonts();
        for it in &last.items {
            if let Item::Seal { x, y, r } = it {
                for (tx, ty, text) in &texts {
                    let w = super::width(m, text, BODY);
                    let overlaps_x = *tx < x + r && tx + w > x - r;
                    let overlaps_y = *ty < y + r && *ty + BODY > y - r;
                    assert!(!(overlaps_x && overlaps_y), "{n}: {text} at ({tx}, {ty}) under the seal at ({x}, {y})");
                }
            }
        }
    }
}
