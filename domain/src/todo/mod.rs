//! 待办: what is waiting for each account, in sections that link to the exact place where
//! the step is taken. An officer sees the bureau's decisions that are due, an NGO member
//! its organization's contracts, milestones, evaluations and bids, a hub manager the
//! applications and members of the hubs it runs, an expert and an evaluator their open
//! panels and evaluations. The navigation shows the number of steps waiting (`count`),
//! read with the same queries as the page but without loading the items.
mod bureau;
mod member;
mod others;

use crate::error::AppResult;
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::Role;
use entity::{call, contract, organization, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;

/// Items shown in a section; the section's count and its "all" link reach the rest.
pub const SHOWN: u64 = 8;

/// One thing waiting: what it is, where to act on it, and the date that matters.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Item {
    /// The call's or project's title, or the organization's or team's name.
    pub title: String,
    /// The call reference, contract number or bid receipt.
    pub reference: Option<String>,
    /// Who else is concerned: the provider, the claimant, the hub.
    pub party: Option<String>,
    /// A free-text detail: the milestone's title, the instalment's description.
    pub detail: Option<String>,
    /// A catalogue key naming the step when a section holds several kinds ("declare", "score").
    pub step: Option<&'static str>,
    /// The exact page (and place on it) where the step is taken.
    pub href: String,
    /// The date that matters: a deadline, a due date, the day of a payment.
    pub on: Option<NaiveDate>,
    /// The date has passed.
    pub late: bool,
    pub amount: Option<Money>,
}

/// A kind of thing waiting. `key` names its heading (`todo.<key>`) and its date's label
/// (`todo.<key>.on`); an action section counts in the navigation, an information section
/// (payments received, open calls) does not.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub key: &'static str,
    pub action: bool,
    pub count: u64,
    pub items: Vec<Item>,
    /// The list holding every item, when there are more than shown.
    pub all_href: Option<String>,
}

impl Section {
    fn new(key: &'static str, action: bool, count: u64, items: Vec<Item>) -> Section {
        Section { key, action, count, items, all_href: None }
    }
    fn all(mut self, href: &str) -> Section {
        if self.count > self.items.len() as u64 {
            self.all_href = Some(href.to_string());
        }
        self
    }
}

/// Whose page it is: each has its own sections and its own sentence when nothing waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TodoFor {
    Bureau,
    Member,
    /// An NGO member whose account is not linked to an organization yet.
    MemberUnlinked,
    HubManager,
    Expert,
    Evaluator,
}

/// Everything waiting for one account.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    pub role: TodoFor,
    /// Sections with something in them, action sections first.
    pub sections: Vec<Section>,
    /// Steps waiting across the action sections: the navigation's number.
    pub waiting: u64,
}

/// Whether a reader wants the items or only how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Items,
    Count,
}

impl Want {
    fn items(self) -> bool {
        self == Want::Items
    }
}

/// What `now` and the reader's date are, for every section.
#[derive(Debug, Clone, Copy)]
pub(crate) struct When {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

impl When {
    fn at(now: DateTime<Utc>) -> When {
        When { now, today: crate::i18n::to_local(now).date_naive() }
    }
}

/// The account's to-do page.
pub async fn for_user<C: ConnectionTrait>(db: &C, u: &user::Model, now: DateTime<Utc>) -> AppResult<Todo> {
    build(db, u, When::at(now), Want::Items).await
}

/// How many steps wait for this account (the navigation's number).
pub async fn count<C: ConnectionTrait>(db: &C, u: &user::Model, now: DateTime<Utc>) -> AppResult<u64> {
    Ok(build(db, u, When::at(now), Want::Count).await?.waiting)
}

async fn build<C: ConnectionTrait>(db: &C, u: &user::Model, at: When, want: Want) -> AppResult<Todo> {
    let (role, sections) = match (u.role, u.organization_id) {
        (Role::Admin | Role::Officer, _) => (TodoFor::Bureau, bureau::sections(db, at, want).await?),
        (Role::NgoMember, Some(org)) => (TodoFor::Member, member::sections(db, org, at, want).await?),
        (Role::NgoMember, None) => (TodoFor::MemberUnlinked, member::unlinked(db, u, want).await?),
        (Role::HubManager, _) => (TodoFor::HubManager, others::hub_manager(db, u.id, at, want).await?),
        (Role::Expert, _) => (TodoFor::Expert, others::expert(db, u.id, want).await?),
        (Role::Evaluator, _) => (TodoFor::Evaluator, others::evaluator(db, u.id, at, want).await?),
    };
    let waiting = sections.iter().filter(|s| s.action).map(|s| s.count).sum();
    let mut sections: Vec<Section> = sections.into_iter().filter(|s| s.count > 0).collect();
    sections.sort_by_key(|s| !s.action);
    Ok(Todo { role, sections, waiting })
}

/// How many rows `q` matches and, for the page, the first `SHOWN` of `ordered` (the same
/// query in the section's order): read at the same time, each on its own connection. The
/// count is taken without the order, so the database does not sort what it only counts.
async fn count_and_first<E, C>(
    db: &C,
    q: sea_orm::Select<E>,
    ordered: sea_orm::Select<E>,
    want: Want,
) -> AppResult<(u64, Vec<E::Model>)>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    if !want.items() {
        return Ok((q.count(db).await?, Vec::new()));
    }
    let (n, rows) = tokio::try_join!(q.count(db), ordered.limit(SHOWN).all(db))?;
    Ok((n, rows))
}

/// Calls by id, for the titles and references of items.
async fn calls_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, call::Model>> {
    let ids: Vec<i32> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(call::Entity::find().filter(call::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|c| (c.id, c)).collect())
}

/// Organization names by id.
async fn names_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i32>,
) -> AppResult<HashMap<i32, String>> {
    let ids: Vec<i32> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// Contracts by id with their calls' titles: what names a project in every item about it.
struct Projects {
    contracts: HashMap<i32, contract::Model>,
    calls: HashMap<i32, call::Model>,
    providers: HashMap<i32, String>,
}

impl Projects {
    fn empty() -> Projects {
        Projects { contracts: HashMap::new(), calls: HashMap::new(), providers: HashMap::new() }
    }

    async fn load<C: ConnectionTrait>(db: &C, ids: impl IntoIterator<Item = i32>) -> AppResult<Projects> {
        let ids: Vec<i32> = ids.into_iter().collect();
        let contracts: HashMap<i32, contract::Model> = if ids.is_empty() {
            HashMap::new()
        } else {
            contract::Entity::find()
                .filter(contract::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|k| (k.id, k))
                .collect()
        };
        let (calls, providers) = tokio::try_join!(
            calls_by_id(db, contracts.values().map(|k| k.call_id)),
            names_by_id(db, contracts.values().map(|k| k.organization_id)),
        )?;
        Ok(Projects { contracts, calls, providers })
    }

    /// An item about contract `id`: the project's title, the contract's number, the provider.
    fn item(&self, id: i32, href: String) -> Item {
        let k = self.contracts.get(&id);
        Item {
            title: k.and_then(|k| self.calls.get(&k.call_id)).map(|c| c.title.clone()).unwrap_or_default(),
            reference: k.and_then(|k| k.number.clone()),
            party: k.and_then(|k| self.providers.get(&k.organization_id).cloned()),
            href,
            ..Item::default()
        }
    }

    /// An item about a milestone: its project, its title and due date, linked to its card.
    fn milestone(&self, m: &entity::milestone::Model, today: NaiveDate) -> Item {
        Item {
            detail: Some(m.title.clone()),
            on: Some(m.due_on),
            late: m.due_on < today,
            ..self.item(m.contract_id, format!("/contracts/{}#milestone-{}", m.contract_id, m.id))
        }
    }
}

/// The step's name for an evaluation of this kind.
fn kind_step(kind: entity::enums::EvaluationKind) -> &'static str {
    match kind {
        entity::enums::EvaluationKind::Final => "todo.final",
        entity::enums::EvaluationKind::Midterm => "todo.midterm",
    }
}

/// An item about a call: its title and reference.
fn call_item(c: Option<&call::Model>, href: String) -> Item {
    Item {
        title: c.map(|c| c.title.clone()).unwrap_or_default(),
        reference: c.and_then(|c| c.reference.clone()),
        href,
        ..Item::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_links_to_its_list_only_when_items_are_left_out() {
        let s = Section::new("payable", true, 3, vec![Item::default(); 3]).all("/contracts");
        assert_eq!(s.all_href, None);
        let s = Section::new("payable", true, 12, vec![Item::default(); SHOWN as usize]).all("/contracts");
        assert_eq!(s.all_href.as_deref(), Some("/contracts"));
    }
}
