//! Reference data: Sanya's districts and communities, kept in `reference/sanya-places.tsv`
//! (built into the binary) and loaded into a database that has none. Organizations, hubs
//! and calls name them; the demo and the benchmarks only use them.
use crate::error::{AppError, AppResult};
use entity::enums::CommunityKind;
use entity::{community, district};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

const FILE: &str = include_str!("../../reference/sanya-places.tsv");

/// A district: its code, Chinese and English names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictRow {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// A community: its district's code, its name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityRow {
    pub district_code: &'static str,
    pub name_zh: &'static str,
    pub kind: CommunityKind,
}

/// The file's districts and communities, in its order; a line the file should not hold is
/// named in the error.
pub fn reference() -> Result<(Vec<DistrictRow>, Vec<CommunityRow>), String> {
    let (mut districts, mut communities) = (Vec::new(), Vec::new());
    for (n, line) in FILE.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("reference/sanya-places.tsv line {}: {line:?}", n + 1);
        match line.split('\t').collect::<Vec<_>>()[..] {
            ["district", code, name_zh, name_en] => districts.push(DistrictRow { code, name_zh, name_en }),
            ["community", district_code, name_zh, kind] => {
                if !districts.iter().any(|d: &DistrictRow| d.code == district_code) {
                    return Err(bad());
                }
                let kind = CommunityKind::from_code(kind).ok_or_else(bad)?;
                communities.push(CommunityRow { district_code, name_zh, kind });
            }
            _ => return Err(bad()),
        }
    }
    Ok((districts, communities))
}

/// Loads the districts and communities into a database that has no district yet.
pub async fn ensure(db: &DatabaseConnection) -> AppResult<()> {
    if district::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let (districts, communities) = reference().map_err(AppError::Internal)?;
    let txn = db.begin().await?;
    for d in &districts {
        district::Entity::insert(district::ActiveModel {
            code: Set(d.code.to_string()),
            name_zh: Set(d.name_zh.to_string()),
            name_en: Set(d.name_en.to_string()),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
    }
    let stored = district::Entity::find().all(&txn).await?;
    for c in &communities {
        let Some(d) = stored.iter().find(|d| d.code == c.district_code) else { continue };
        community::Entity::insert(community::ActiveModel {
            district_id: Set(d.id),
            name_zh: Set(c.name_zh.to_string()),
            kind: Set(c.kind),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reference_file_holds_sanyas_five_districts_and_their_communities() {
        let (districts, communities) = super::reference().expect("the file reads");
        let names: Vec<_> = districts.iter().map(|d| d.name_zh).collect();
        assert_eq!(names, ["海棠区", "吉阳区", "天涯区", "崖州区", "育才生态区"]);
        assert_eq!(communities.len(), 18);
        assert!(communities.iter().any(|c| c.name_zh == "南新农场社区" && c.district_code == "460203"));
    }
}
