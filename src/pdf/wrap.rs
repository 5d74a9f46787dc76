//! Line breaking for Fuhua's PDFs: Chinese kinsoku rules, unbreakable Latin runs,
//! English word wrapping and justification.

/// Slack for float rounding when deciding whether something fits.
pub(crate) const EPS: f32 = 0.01;

/// Horizontal advance of a character, in em.
pub(crate) trait Measure {
    fn advance(&self, c: char) -> f32;
}

pub(crate) fn width(m: &impl Measure, s: &str, size: f32) -> f32 {
    s.chars().map(|c| m.advance(c)).sum::<f32>() * size
}

/// Extra space added to stretch a justified line to the full measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Spacing {
    None,
    /// pt after every character (Chinese lines).
    Chars(f32),
    /// pt after every space (Latin lines: letter-spacing would look wrong there).
    Words(f32),
}

/// May not begin a line: closing punctuation.
const NO_START: &str = "，。、；：？！）」』》〉】〕”’…—·％,.;:?!)]}%";
/// May not end a line: opening punctuation and currency signs.
const NO_END: &str = "（「『《〈【〔“‘([{¥￥$";

/// Chinese characters and full-width punctuation: each one is a break opportunity.
/// Anything else that is not a space joins its neighbours into one unbreakable run, so
/// numbers (1,234,567.89), codes (SYHT-2026-001), e-mail addresses, URLs and English words
/// stay whole.
fn breaks_freely(c: char) -> bool {
    c == ' ' || c >= '\u{2E80}'
}

/// Break units of one line of text: runs, single Chinese characters and single spaces.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if !breaks_freely(c) {
            run.get_or_insert(i);
            continue;
        }
        if let Some(start) = run.take() {
            out.push(&s[start..i]);
        }
        out.push(&s[i..i + c.len_utf8()]);
    }
    if let Some(start) = run {
        out.push(&s[start..]);
    }
    out
}

fn bad_start(unit: &str) -> bool {
    unit.chars().next().is_some_and(|c| NO_START.contains(c))
}

fn bad_end(unit: &str) -> bool {
    unit.chars().next_back().is_some_and(|c| NO_END.contains(c))
}

/// Greedy line breaking of `text` (may contain '\n') into lines no wider than `max_w`.
/// Returns each line and whether it ends a paragraph (such lines are not justified).
pub(crate) fn wrap(m: &impl Measure, text: &str, size: f32, max_w: f32) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for hard in text.split('\n') {
        let lines = wrap_hard_line(m, hard.trim_end_matches('\r'), size, max_w);
        let n = lines.len();
        out.extend(lines.into_iter().enumerate().map(|(i, l)| (l, i + 1 == n)));
    }
    out
}

fn wrap_hard_line(m: &impl Measure, text: &str, size: f32, max_w: f32) -> Vec<String> {
    let mut units: Vec<(&str, f32)> = Vec::new();
    for t in tokens(text) {
        let w = width(m, t, size);
        if w > max_w + EPS && t.chars().count() > 1 {
            // A run wider than the line can only be broken between its characters.
            units.extend(t.char_indices().map(|(i, c)| {
                let s = &t[i..i + c.len_utf8()];
                (s, width(m, s, size))
            }));
        } else {
            units.push((t, w));
        }
    }
    let total = |us: &[(&str, f32)]| us.iter().map(|u| u.1).sum::<f32>();

    let mut lines: Vec<Vec<(&str, f32)>> = Vec::new();
    let mut cur: Vec<(&str, f32)> = Vec::new();
    let mut cur_w = 0.0;
    for u in units {
        if cur.is_empty() && u.0 == " " && !lines.is_empty() {
            continue; // a wrapped line never starts with a space
        }
        if cur.is_empty() || cur_w + u.1 <= max_w + EPS {
            cur_w += u.1;
            cur.push(u);
            continue;
        }
        if u.0 == " " {
            lines.push(std::mem::take(&mut cur));
            cur_w = 0.0;
            continue;
        }
        // Kinsoku: carry units over to the next line until it does not start with closing
        // punctuation (or a space) and this one does not end with opening punctuation.
        let mut next = vec![u];
        let mut kept = cur.len();
        while kept > 1 && (next[0].0 == " " || bad_start(next[0].0) || bad_end(cur[kept - 1].0)) {
            kept -= 1;
            next.insert(0, cur[kept]);
        }
        while next.first().is_some_and(|u| u.0 == " ") {
            next.remove(0);
        }
        if total(&next) > max_w + EPS {
            // Carrying over would overflow the next line: break here after all.
            next = vec![u];
            kept = cur.len();
        }
        cur.truncate(kept);
        lines.push(std::mem::replace(&mut cur, next));
        cur_w = total(&cur);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().map(|u| u.0).collect::<String>().trim_end_matches(' ').to_string())
        .collect()
}

/// How to stretch `line` (natural width `natural`) to `max_w`; stretching is skipped where
/// it would open visibly loose gaps.
pub(crate) fn justify(line: &str, natural: f32, max_w: f32, size: f32) -> Spacing {
    let slack = max_w - natural;
    if slack <= EPS {
        return Spacing::None;
    }
    let chars = line.chars().count();
    let spaces = line.chars().filter(|&c| c == ' ').count();
    let cjk = line.chars().filter(|&c| c >= '\u{2E80}').count();
    if spaces > 0 && cjk * 2 < chars {
        // Mostly Latin: widen the word gaps, by at most one em each.
        let extra = slack / spaces as f32;
        return if extra <= size { Spacing::Words(extra) } else { Spacing::None };
    }
    // Chinese: spread the slack over every gap between characters, up to half an em.
    let extra = slack / chars.saturating_sub(1).max(1) as f32;
    if chars > 1 && extra <= 0.5 * size { Spacing::Chars(extra) } else { Spacing::None }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pdf::tests::fonts;

    const CONTENT_W: f32 = 453.5;
    const BODY: f32 = 11.0;

    struct Mono;
    impl Measure for Mono {
        fn advance(&self, _: char) -> f32 {
            1.0
        }
    }

    fn lines(text: &str, max: f32) -> Vec<String> {
        wrap(&Mono, text, 1.0, max).into_iter().map(|(l, _)| l).collect()
    }

    fn check_kinsoku(lines: &[String]) {
        for (i, l) in lines.iter().enumerate() {
            assert!(
                !l.starts_with(|c| NO_START.contains(c)) && !l.starts_with(' '),
                "line {i} starts badly: {lines:?}"
            );
            assert!(!l.ends_with(|c| NO_END.contains(c)), "line {i} ends badly: {lines:?}");
        }
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        assert_eq!(lines("一二三四，五六七八", 4.0), ["一二三", "四，五六", "七八"]);
        assert_eq!(lines("一二三四）。五", 4.0), ["一二三", "四）。五"]);
        assert_eq!(lines("一二三四……五", 4.0), ["一二三", "四……五"]);
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        assert_eq!(lines("一二三《四五》", 4.0), ["一二三", "《四五》"]);
        assert_eq!(lines("金额一二（¥100）", 6.0), ["金额一二", "（¥100）"]);
    }

    #[test]
    fn ascii_runs_stay_whole_unless_wider_than_the_line() {
        assert_eq!(lines("金额为1,234,567.89元", 14.0), ["金额为", "1,234,567.89元"]);
        assert_eq!(lines("编号SYHT-2026-001，邮箱a@b.cn", 14.0), ["编号", "SYHT-2026-001，", "邮箱a@b.cn"]);
        assert_eq!(lines("见https://fuhua.example/x", 8.0), ["见https:/", "/fuhua.e", "xample/x"]);
    }

    #[test]
    fn english_breaks_at_spaces() {
        let text = "The Supplier shall deliver the services described in Annex 1, at its own cost.";
        let got = lines(text, 20.0);
        assert_eq!(got, ["The Supplier shall", "deliver the services", "described in Annex", "1, at its own cost."]);
        check_kinsoku(&got);
        // Real font: every word intact and the text reassembles exactly.
        let real: Vec<String> = wrap(fonts(), text, 11.0, 150.0).into_iter().map(|(l, _)| l).collect();
        assert!(real.len() > 2, "{real:?}");
        assert_eq!(real.join(" "), text);
        for l in &real {
            assert!(width(fonts(), l, 11.0) <= 150.0 + EPS, "{l}");
        }
    }

    #[test]
    fn newlines_end_paragraph_lines() {
        let got = wrap(&Mono, "一二三四五\n六\n\n七", 1.0, 3.0);
        let expect = [("一二三", false), ("四五", true), ("六", true), ("", true), ("七", true)];
        assert_eq!(got, expect.map(|(l, last)| (l.to_string(), last)));
    }

    #[test]
    fn real_paragraph_obeys_kinsoku_and_width() {
        let text = "甲方应当按照本合同约定及时足额支付服务费用（含税），并为乙方开展服务提供必要的协助；\
                    乙方应于每季度结束后10个工作日内提交《服务报告》，金额¥1,234,567.89元整。"
            .repeat(6);
        for measure in [CONTENT_W, CONTENT_W - 44.0, 200.0, 123.0] {
            let got: Vec<String> = wrap(fonts(), &text, BODY, measure).into_iter().map(|(l, _)| l).collect();
            check_kinsoku(&got);
            assert_eq!(got.concat(), text);
            for l in &got {
                assert!(width(fonts(), l, BODY) <= measure + EPS, "{l}");
            }
        }
    }
}
