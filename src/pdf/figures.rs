//! The dashboard's charts, drawn once as marks (see `chart`) and shown either as SVG on the
//! dashboard or in the annual report's PDF: the same bars, scales and words in both.
use super::{Bar, Chart};
use domain::dashboard::Dashboard;
use domain::i18n::{Locale, format_money};

/// Money on a chart: in 万元 (ten thousand yuan), so the scale's numbers stay short.
fn wan(fen: i64) -> f32 {
    fen as f32 / 1_000_000.0
}

fn money_bar(label: String, contracted: i64, paid: i64) -> Bar {
    Bar {
        label,
        value: wan(paid),
        max: wan(contracted),
        text: format!("{} / {}", format_money(paid), format_money(contracted)),
    }
}

fn count_bar(label: String, n: i64, of: i64) -> Bar {
    Bar { label, value: n as f32, max: of as f32, text: n.to_string() }
}

fn money_chart(locale: Locale, caption: String, bars: Vec<Bar>) -> Chart {
    Chart {
        caption,
        bars,
        value_legend: locale.t("dashboard.legend_paid").into(),
        max_legend: locale.t("dashboard.legend_contracted").into(),
    }
}

fn count_chart(caption: String, bars: Vec<Bar>) -> Chart {
    Chart { caption, bars, value_legend: String::new(), max_legend: String::new() }
}

/// The dashboard's charts, each with a stable id (the page's anchors and the tables').
pub fn dashboard_charts(d: &Dashboard, locale: Locale) -> Vec<(&'static str, Chart)> {
    let t = |k: &str| locale.t(k).to_string();
    let tf = |k: &str, args: &[(&str, String)]| locale.tf(k, args);
    let year = d.year.to_string();
    let categories = d
        .figures
        .by_category
        .iter()
        .map(|c| money_bar(t(&format!("category.{}", c.category.code())), c.contracted.0, c.paid.0))
        .collect();
    let districts = d.districts.iter().map(|x| money_bar(x.district.clone(), x.contracted.0, x.paid.0)).collect();
    let years = d.by_year.iter().map(|y| money_bar(y.year.to_string(), y.contracted.0, y.paid.0)).collect();
    let c = &d.calls;
    let calls = vec![
        count_bar(t("dashboard.calls_published"), c.published as i64, c.published as i64),
        count_bar(t("dashboard.calls_opened"), c.opened as i64, c.published as i64),
        count_bar(t("dashboard.calls_under_three"), c.under_three as i64, c.opened as i64),
        count_bar(t("dashboard.calls_awarded"), c.awarded as i64, c.published as i64),
        count_bar(t("dashboard.calls_failed"), c.failed as i64, c.published as i64),
    ];
    let graded_total: i64 = d.grades.iter().map(|g| g.n).sum();
    let grades = d
        .grades
        .iter()
        .map(|g| {
            let label = if g.key == 0 { t("dashboard.no_grade") } else { format!("{}A", g.key) };
            count_bar(label, g.n, graded_total)
        })
        .collect();
    let released: i64 = d.grades_released.iter().map(|g| g.n).sum();
    let evaluations = d
        .grades_released
        .iter()
        .map(|g| count_bar(t(&format!("evaluation_grade.{}", g.key.code())), g.n, released))
        .collect();
    let flagged = d.flags.iter().map(|(_, n)| *n as i64).max().unwrap_or(0);
    let flags =
        d.flags.iter().map(|(r, n)| count_bar(t(&format!("flag.rule.{}", r.code())), *n as i64, flagged)).collect();
    let wan_note = t("dashboard.unit_wan");
    vec![
        (
            "by-category",
            money_chart(
                locale,
                tf("dashboard.chart_category", &[("year", year.clone()), ("unit", wan_note.clone())]),
                categories,
            ),
        ),
        (
            "by-district",
            money_chart(
                locale,
                tf("dashboard.chart_district", &[("year", year.clone()), ("unit", wan_note.clone())]),
                districts,
            ),
        ),
        ("by-year", money_chart(locale, tf("dashboard.chart_years", &[("unit", wan_note)]), years)),
        ("calls", count_chart(tf("dashboard.chart_calls", &[("year", year.clone())]), calls)),
        ("grades", count_chart(t("dashboard.chart_grades"), grades)),
        ("evaluations", count_chart(tf("dashboard.chart_evaluations", &[("year", year)]), evaluations)),
        ("flags", count_chart(t("dashboard.chart_flags"), flags)),
    ]
}
