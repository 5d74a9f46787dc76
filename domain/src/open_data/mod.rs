//! Open contracting data: every published call as Open Contracting Data Standard 1.1
//! releases (`releases`), a release package per call, and a record whose compiled release
//! is the releases merged as the standard merges them. Nothing sealed appears before
//! opening: bids enter the data only with the opening, through the same function the call
//! page uses (`opening::opened_bids`), which returns none for a sealed call.
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use entity::call;
use entity::enums::CallStatus;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

mod releases;

/// The publisher's settings (FUHUA_OPEN_DATA__<FIELD>).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OpenDataRules {
    /// The ocid prefix the Open Contracting Partnership registered for the publisher.
    pub ocid_prefix: String,
    /// The publisher's name in packages.
    pub publisher_name: String,
    /// The scheme of organization identifiers (the unified social credit code), as
    /// org-id.guide names it for the publisher.
    pub identifier_scheme: String,
    /// The licence of the data.
    pub license: String,
    /// The longest date range one bulk download may ask for, in days.
    pub max_span_days: i64,
}

impl Default for OpenDataRules {
    fn default() -> Self {
        OpenDataRules {
            ocid_prefix: "ocds-fuhua1".into(),
            publisher_name: "三亚市民政局".into(),
            identifier_scheme: "CN-USCC".into(),
            license: "https://creativecommons.org/licenses/by/4.0/".into(),
            max_span_days: 366,
        }
    }
}

/// Where the data is published: its settings, the server's public origin and the buyer.
pub struct Publisher<'a> {
    pub rules: &'a OpenDataRules,
    pub origin: &'a str,
    pub buyer_name: &'a str,
}

impl Publisher<'_> {
    pub fn ocid(&self, c: &call::Model) -> Option<String> {
        c.reference.as_ref().map(|r| format!("{}-{r}", self.rules.ocid_prefix))
    }

    fn package_shell(&self, path: &str, published: DateTime<Utc>) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("uri".into(), json!(format!("{}{path}", self.origin.trim_end_matches('/'))));
        m.insert("version".into(), json!("1.1"));
        m.insert("publishedDate".into(), json!(stamp(published)));
        m.insert("publisher".into(), json!({"name": self.rules.publisher_name}));
        m.insert("license".into(), json!(self.rules.license));
        m.insert(
            "extensions".into(),
            json!([
                "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
            ]),
        );
        m
    }
}

/// The start of a bulk release package, up to the opening of its `releases` array; the
/// releases follow, separated by commas, and `]}` closes it.
pub fn package_head(p: &Publisher<'_>, path: &str, now: DateTime<Utc>) -> String {
    let shell = Value::Object(p.package_shell(path, now)).to_string();
    format!("{},\"releases\":[", shell.trim_end_matches('}'))
}

/// A page of the calls that may have releases before `to`: published, by id, after `after`.
pub async fn calls_page<C: ConnectionTrait>(
    db: &C,
    to: DateTime<Utc>,
    after: i32,
    limit: u64,
) -> AppResult<Vec<call::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(call::Entity::find()
        .filter(call::Column::Status.ne(CallStatus::Draft))
        .filter(call::Column::Reference.is_not_null())
        .filter(call::Column::PublishedAt.lt(to))
        .filter(call::Column::Id.gt(after))
        .order_by_asc(call::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The call's releases dated in [from, to).
pub async fn releases_in(
    db: &sea_orm::DatabaseConnection,
    p: &Publisher<'_>,
    c: &call::Model,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Vec<Value>> {
    let (from, to) = (stamp(from), stamp(to));
    // Stamps are RFC 3339 in UTC to the second: as strings they sort as the times do.
    Ok(releases::build(db, p, c)
        .await?
        .into_iter()
        .filter(|r| r["date"].as_str().is_some_and(|d| d >= from.as_str() && d < to.as_str()))
        .collect())
}

/// An OCDS date: RFC 3339 in UTC, to the second.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A published call, or not found (a draft has no open data).
async fn published_call<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<call::Model> {
    match call::Entity::find_by_id(id).one(db).await? {
        Some(c) if c.status != CallStatus::Draft && c.reference.is_some() => Ok(c),
        _ => Err(AppError::NotFound),
    }
}

/// The call's releases, oldest first.
pub async fn releases_of(db: &sea_orm::DatabaseConnection, p: &Publisher<'_>, id: i32) -> AppResult<Vec<Value>> {
    let c = published_call(db, id).await?;
    releases::build(db, p, &c).await
}

/// The call's releases as a release package.
pub async fn release_package(
    db: &sea_orm::DatabaseConnection,
    p: &Publisher<'_>,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let releases = releases_of(db, p, id).await?;
    let mut m = p.package_shell(&format!("/api/v1/open-data/calls/{id}/releases.json"), now);
    m.insert("releases".into(), Value::Array(releases));
    Ok(Value::Object(m))
}

/// The call's record: its releases and the compiled release.
pub async fn record_package(
    db: &sea_orm::DatabaseConnection,
    p: &Publisher<'_>,
    id: i32,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let releases = releases_of(db, p, id).await?;
    let ocid = releases.first().and_then(|r| r["ocid"].as_str()).unwrap_or_default().to_string();
    let compiled = compile(&releases);
    let mut m = p.package_shell(&format!("/api/v1/open-data/calls/{id}/record.json"), now);
    m.insert("records".into(), json!([{"ocid": ocid, "releases": releases, "compiledRelease": compiled}]));
    Ok(Value::Object(m))
}

/// The releases merged as OCDS merges them: objects field by field, arrays of objects by
/// their `id`, anything else the later value; the compiled release's own id, date and tag.
pub fn compile(releases: &[Value]) -> Value {
    let mut out = Value::Object(Map::new());
    for r in releases {
        merge(&mut out, r);
    }
    if let (Some(last), Value::Object(m)) = (releases.last(), &mut out) {
        let ocid = last["ocid"].as_str().unwrap_or_default();
        m.insert("id".into(), json!(format!("{ocid}-compiled")));
        m.insert("date".into(), last["date"].clone());
        m.insert("tag".into(), json!(["compiled"]));
    }
    out
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if b.iter().all(|x| x.get("id").is_some()) && !b.is_empty() => {
            for item in b {
                match a.iter_mut().find(|x| x.get("id") == item.get("id")) {
                    Some(existing) => merge(existing, item),
                    None => a.push(item.clone()),
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiling_merges_objects_and_arrays_by_id_and_the_later_value_wins() {
        let r1 = json!({"ocid": "o", "id": "1", "date": "d1", "tag": ["tender"],
            "tender": {"id": "t", "status": "active", "amendments": [{"id": "a1"}]},
            "parties": [{"id": "p1", "roles": ["buyer"]}]});
        let r2 = json!({"ocid": "o", "id": "2", "date": "d2", "tag": ["award"],
            "tender": {"id": "t", "status": "complete", "amendments": [{"id": "a2"}]},
            "parties": [{"id": "p2", "roles": ["supplier"]}, {"id": "p1", "name": "局"}]});
        let c = compile(&[r1, r2]);
        assert_eq!(c["tag"], json!(["compiled"]));
        assert_eq!(c["date"], "d2");
        assert_eq!(c["tender"]["status"], "complete");
        assert_eq!(c["tender"]["amendments"].as_array().map(Vec::len), Some(2));
        assert_eq!(c["parties"][0], json!({"id": "p1", "roles": ["buyer"], "name": "局"}));
        assert_eq!(c["parties"].as_array().map(Vec::len), Some(2));
    }
}
