//! Integrity red flags (廉政风险提示): patterns in the purchases that deserve a second look,
//! computed from the same records the pages show and explained in words. A flag is not a
//! finding of wrongdoing: it names its rule, the threshold it crossed and the facts, so an
//! officer can check them and a citizen can see what was checked. Every threshold is
//! configuration (FUHUA_INTEGRITY__<FIELD>); the methodology is in the README.
//!
//! Nothing sealed is read: bids enter only once opened (their price is stored in the clear
//! only then), and a flag about bidders is computed only for an opened call.
use crate::error::AppResult;
use crate::i18n::{Locale, Msg};
use crate::organizations::Places;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

mod checks;
mod facts;
pub mod reviews;

pub use checks::evaluate;
pub use facts::Facts;

/// The thresholds (FUHUA_INTEGRITY__<FIELD>).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct IntegrityRules {
    /// A consultation call that took bids for fewer days than this (the law's floor is 10).
    pub short_period_days_consultation: i64,
    /// An open tender that took bids for fewer days than this (the law's floor is 20).
    pub short_period_days_tender: i64,
    /// A bid deadline moved when fewer than this many days were left before it.
    pub late_move_days: i64,
    /// A bid priced at or above this share of the ceiling, in percent.
    pub ceiling_percent: i64,
    /// The same organization winning this many calls or more in one category, or in one
    /// district, in one year.
    pub repeat_wins: usize,
    /// A contract amended within this many days of its signing.
    pub amended_within_days: i64,
    /// An evaluation released more than this many days after its visit (or not yet released
    /// that long after it).
    pub release_within_days: i64,
}

impl Default for IntegrityRules {
    fn default() -> Self {
        IntegrityRules {
            short_period_days_consultation: 15,
            short_period_days_tender: 25,
            late_move_days: 3,
            ceiling_percent: 98,
            repeat_wins: 3,
            amended_within_days: 30,
            release_within_days: 30,
        }
    }
}

/// The rules, each with a stable code (in the API, the XLSX and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    SingleBid,
    ShortPeriod,
    LateDeadlineMove,
    CeilingPrice,
    RepeatWinner,
    SharedContacts,
    AwardNotTopRanked,
    EarlyAmendment,
    PaymentAhead,
    LateRelease,
}

impl Rule {
    pub const ALL: &'static [Rule] = &[
        Rule::SingleBid,
        Rule::ShortPeriod,
        Rule::LateDeadlineMove,
        Rule::CeilingPrice,
        Rule::RepeatWinner,
        Rule::SharedContacts,
        Rule::AwardNotTopRanked,
        Rule::EarlyAmendment,
        Rule::PaymentAhead,
        Rule::LateRelease,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::SingleBid => "single_bid",
            Rule::ShortPeriod => "short_period",
            Rule::LateDeadlineMove => "late_deadline_move",
            Rule::CeilingPrice => "ceiling_price",
            Rule::RepeatWinner => "repeat_winner",
            Rule::SharedContacts => "shared_contacts",
            Rule::AwardNotTopRanked => "award_not_top_ranked",
            Rule::EarlyAmendment => "early_amendment",
            Rule::PaymentAhead => "payment_ahead",
            Rule::LateRelease => "late_release",
        }
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Whether the facts behind the flag are public by law (calls, opened bids, awards,
    /// contracts, payments, released evaluations). Bidders' contacts are not: that flag is
    /// the bureau's alone.
    pub fn public(self) -> bool {
        self != Rule::SharedContacts
    }
}

/// What a flag is about: a call or a contract (an evaluation is shown on its contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Call,
    Contract,
}

/// One red flag.
#[derive(Debug, Clone, Serialize)]
pub struct RedFlag {
    pub rule: Rule,
    pub subject: Subject,
    pub subject_id: i32,
    /// The call's reference or the contract's number.
    pub reference: Option<String>,
    pub title: String,
    /// When the flagged thing happened (for the year and the order of the list).
    pub on: NaiveDate,
    /// The facts, in words (a catalogue key and its values).
    #[serde(skip)]
    pub detail: Msg,
    /// What the bureau did about it, and when (read for the bureau only).
    #[serde(skip)]
    pub review: Option<(String, DateTime<Utc>)>,
}

/// Every flag in the records, newest first; the public ones only unless `bureau`.
pub async fn flags<C: ConnectionTrait>(
    db: &C,
    rules: &IntegrityRules,
    places: &Places,
    now: DateTime<Utc>,
    bureau: bool,
) -> AppResult<Vec<RedFlag>> {
    let facts = Facts::load(db, bureau).await?;
    let mut out = evaluate(&facts, rules, now);
    out.retain(|f| bureau || f.rule.public());
    if bureau {
        reviews::attach(db, &mut out).await?;
    }
    // Names for the repeat winners (a handful of organizations, read once).
    let winners =
        out.iter().filter(|f| f.rule == Rule::RepeatWinner).filter_map(|f| arg(&f.detail, "org")?.parse().ok());
    let names = crate::portal::home::organization_names(db, winners.collect::<Vec<i32>>()).await?;
    for f in out.iter_mut().filter(|f| f.rule == Rule::RepeatWinner) {
        for (name, value) in f.detail.args.iter_mut() {
            match *name {
                "org" => *value = value.parse().ok().and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
                "district" => *value = value.parse().map(|id| places.district_name(id).to_string()).unwrap_or_default(),
                _ => {}
            }
        }
    }
    Ok(out)
}

fn arg<'a>(m: &'a Msg, name: &str) -> Option<&'a str> {
    m.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// A flag's facts in the reader's language (a category named in it, too).
pub fn describe(f: &RedFlag, locale: Locale) -> String {
    let mut m = f.detail.clone();
    for (name, value) in m.args.iter_mut() {
        if *name == "category" {
            *value = locale.t(&format!("category.{value}")).to_string();
        }
    }
    locale.msg(&m)
}

/// How many flags each rule raised, in the order of `Rule::ALL`.
pub fn counts(flags: &[RedFlag]) -> Vec<(Rule, usize)> {
    Rule::ALL.iter().map(|r| (*r, flags.iter().filter(|f| f.rule == *r).count())).collect()
}

/// A rule as the page and the README explain it: its name, what it checks with its
/// threshold, whether its flags are public, and how many it raised.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub code: &'static str,
    pub name: String,
    pub checks: String,
    pub public: bool,
    pub count: usize,
}

/// What each rule checks, with the thresholds in force.
pub fn rule_text(rule: Rule, rules: &IntegrityRules) -> Msg {
    let m = Msg::new(match rule {
        Rule::SingleBid => "flag.help.single_bid",
        Rule::ShortPeriod => "flag.help.short_period",
        Rule::LateDeadlineMove => "flag.help.late_deadline_move",
        Rule::CeilingPrice => "flag.help.ceiling_price",
        Rule::RepeatWinner => "flag.help.repeat_winner",
        Rule::SharedContacts => "flag.help.shared_contacts",
        Rule::AwardNotTopRanked => "flag.help.award_not_top_ranked",
        Rule::EarlyAmendment => "flag.help.early_amendment",
        Rule::PaymentAhead => "flag.help.payment_ahead",
        Rule::LateRelease => "flag.help.late_release",
    });
    m.arg("consultation", rules.short_period_days_consultation)
        .arg("tender", rules.short_period_days_tender)
        .arg("late", rules.late_move_days)
        .arg("percent", rules.ceiling_percent)
        .arg("wins", rules.repeat_wins)
        .arg("amended", rules.amended_within_days)
        .arg("release", rules.release_within_days)
}

pub fn summaries(flags: &[RedFlag], rules: &IntegrityRules, locale: Locale, bureau: bool) -> Vec<RuleSummary> {
    counts(flags)
        .into_iter()
        .filter(|(r, _)| bureau || r.public())
        .map(|(r, count)| RuleSummary {
            code: r.code(),
            name: locale.t(&format!("flag.rule.{}", r.code())).to_string(),
            checks: locale.msg(&rule_text(r, rules)),
            public: r.public(),
            count,
        })
        .collect()
}

/// A flag as a row of the page, the API and the workbook.
#[derive(Debug, Clone, Serialize)]
pub struct FlagRow {
    pub rule: &'static str,
    pub rule_name: String,
    pub subject: Subject,
    pub subject_id: i32,
    pub reference: Option<String>,
    pub title: String,
    pub on: NaiveDate,
    pub facts: String,
    pub public: bool,
    pub note: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

pub fn rows(flags: &[RedFlag], locale: Locale) -> Vec<FlagRow> {
    flags
        .iter()
        .map(|f| FlagRow {
            rule: f.rule.code(),
            rule_name: locale.t(&format!("flag.rule.{}", f.rule.code())).to_string(),
            subject: f.subject,
            subject_id: f.subject_id,
            reference: f.reference.clone(),
            title: f.title.clone(),
            on: f.on,
            facts: describe(f, locale),
            public: f.rule.public(),
            note: f.review.as_ref().map(|r| r.0.clone()),
            reviewed_at: f.review.as_ref().map(|r| r.1),
        })
        .collect()
}

const COLUMNS: &[crate::sheets::Column] = &[
    crate::sheets::col("日期", "Date", 12.0),
    crate::sheets::col("规则", "Rule", 24.0),
    crate::sheets::col("编号", "Reference", 18.0),
    crate::sheets::col("项目", "Project", 40.0),
    crate::sheets::col("事实", "Facts", 60.0),
    crate::sheets::col("公开", "Public", 8.0),
    crate::sheets::col("处理情况", "What was done", 40.0),
];

/// The flags as a worksheet: the same rows the page lists for the reader.
pub fn sheet(rows: &[FlagRow], locale: Locale) -> crate::sheets::Sheet {
    use crate::sheets::Cell;
    let yes_no = |b: bool| locale.t(if b { "flag.public_yes" } else { "flag.internal" }).to_string();
    crate::sheets::Sheet {
        name_zh: "风险提示",
        name_en: "Red flags",
        columns: COLUMNS.to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Date(r.on),
                    Cell::Text(r.rule_name.clone()),
                    Cell::Text(r.reference.clone().unwrap_or_default()),
                    Cell::Text(r.title.clone()),
                    Cell::Text(r.facts.clone()),
                    Cell::Text(yes_no(r.public)),
                    Cell::Text(r.note.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }
}
