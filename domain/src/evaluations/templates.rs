//! Indicator templates (绩效指标体系): dimensions with weights summing to 100 and, under each,
//! indicators whose weights sum to the dimension's. An indicator's weight is the most points
//! it can score; a scoring guide tells evaluators how to score it; an indicator may be linked
//! to a contract output or to the satisfaction survey so that its evaluators get a suggestion.
//! Evaluations copy the indicators when they are scheduled, so editing a template never
//! changes an evaluation under way.
use crate::audit::{self, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use chrono::{DateTime, Utc};
use entity::enums::{IndicatorLink, ServiceCategory};
use entity::{indicator_template, template_dimension, template_indicator, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub const MAX_DIMENSIONS: usize = 10;
pub const MAX_INDICATORS: usize = 60;

/// Accepts 30 or "30" from JSON, so API clients may send numbers.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum V {
        S(String),
        I(i64),
        F(f64),
    }
    Ok(match V::deserialize(d)? {
        V::S(s) => s,
        V::I(i) => i.to_string(),
        V::F(f) => f.to_string(),
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DimensionInput {
    pub name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub weight: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    /// The dimension's row number, from 1.
    #[serde(deserialize_with = "text_or_number")]
    pub dimension: String,
    pub name: String,
    #[serde(deserialize_with = "text_or_number")]
    pub weight: String,
    pub guide: String,
    /// "none", "output" or "satisfaction".
    pub link: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateInput {
    pub name: String,
    pub category: String,
    pub description: String,
    pub dimensions: Vec<DimensionInput>,
    pub indicators: Vec<IndicatorInput>,
}

struct Parsed {
    name: String,
    category: ServiceCategory,
    description: String,
    dimensions: Vec<(String, i32)>,
    /// (dimension index, name, weight, guide, link)
    indicators: Vec<(usize, String, i32, String, IndicatorLink)>,
}

fn blank(parts: &[&String]) -> bool {
    parts.iter().all(|s| s.trim().is_empty())
}

/// The indicators typed, each under a dimension named by its row in the form, with weights
/// that add up to their dimension's.
fn parse_indicators(
    e: &mut FieldErrors,
    inds: &[&IndicatorInput],
    kept: &[(usize, &DimensionInput)],
    dimensions: &[(String, i32)],
) -> Vec<(usize, String, i32, String, IndicatorLink)> {
    let weight = |s: &str| s.trim().parse::<i32>().ok().filter(|w| (1..=100).contains(w));
    let mut indicators = Vec::new();
    for (i, x) in inds.iter().enumerate() {
        let row = i + 1;
        let d = x.dimension.trim().parse::<usize>().ok().and_then(|row| kept.iter().position(|(r, _)| *r == row));
        let n = crate::clean(&x.name);
        let w = weight(&x.weight);
        let guide = crate::clean(&x.guide);
        let link =
            if x.link.trim().is_empty() { Some(IndicatorLink::None) } else { IndicatorLink::from_code(x.link.trim()) };
        if d.is_none() || n.is_empty() || n.chars().count() > 200 || w.is_none() || link.is_none() {
            e.add("indicators", Msg::new("template.indicator_row").arg("row", row));
        }
        if guide.chars().count() > 2000 {
            e.add("indicators", Msg::new("field.too_long").arg("max", 2000));
        }
        if let (Some(d), Some(w), Some(link)) = (d, w, link) {
            indicators.push((d, n, w, guide, link));
        }
    }
    for (di, (dname, dw)) in dimensions.iter().enumerate() {
        let sum: i32 = indicators.iter().filter(|i| i.0 == di).map(|i| i.2).sum();
        if sum != *dw && !dname.is_empty() {
            e.add(
                "indicators",
                Msg::new("template.indicator_sum").arg("dimension", dname).arg("weight", dw).arg("sum", sum),
            );
        }
    }
    indicators
}

fn parse(input: &TemplateInput) -> AppResult<Parsed> {
    use crate::fields::line_field;
    let mut e = FieldErrors::default();
    let name = line_field(&mut e, "name", &input.name, 200);
    let category = ServiceCategory::from_code(input.category.trim());
    if category.is_none() {
        e.add("category", Msg::new("field.choose"));
    }
    let description = crate::clean(&input.description);
    if description.chars().count() > crate::fields::LONG_TEXT {
        e.add("description", Msg::new("field.too_long").arg("max", crate::fields::LONG_TEXT));
    }
    // Indicators name their dimension by its row in the form (from 1); blank rows are
    // skipped, so the rows kept are mapped from their row numbers, not their order.
    let kept: Vec<(usize, &DimensionInput)> = input
        .dimensions
        .iter()
        .enumerate()
        .filter(|(_, d)| !blank(&[&d.name, &d.weight]))
        .map(|(i, d)| (i + 1, d))
        .collect();
    let dims: Vec<&DimensionInput> = kept.iter().map(|(_, d)| *d).collect();
    let inds: Vec<&IndicatorInput> =
        input.indicators.iter().filter(|i| !blank(&[&i.name, &i.weight, &i.guide])).collect();
    if dims.is_empty() {
        e.add("dimensions", Msg::new("template.no_dimensions"));
    }
    if dims.len() > MAX_DIMENSIONS {
        e.add("dimensions", Msg::new("template.too_many").arg("max", MAX_DIMENSIONS));
    }
    if inds.len() > MAX_INDICATORS {
        e.add("indicators", Msg::new("template.too_many").arg("max", MAX_INDICATORS));
    }
    let weight = |s: &str| s.trim().parse::<i32>().ok().filter(|w| (1..=100).contains(w));
    let mut dimensions = Vec::new();
    for (i, d) in dims.iter().enumerate() {
        let n = crate::clean(&d.name);
        let w = weight(&d.weight);
        if n.is_empty() || n.chars().count() > 100 || w.is_none() {
            e.add("dimensions", Msg::new("template.dimension_row").arg("row", i + 1));
        }
        dimensions.push((n, w.unwrap_or(0)));
    }
    let dim_sum: i32 = dimensions.iter().map(|d| d.1).sum();
    if !dimensions.is_empty() && dim_sum != 100 {
        e.add("dimensions", Msg::new("template.weights_sum").arg("sum", dim_sum));
    }
    let indicators = parse_indicators(&mut e, &inds, &kept, &dimensions);
    e.into_result()?;
    Ok(Parsed {
        name,
        category: category.ok_or(AppError::Internal("category".into()))?,
        description,
        dimensions,
        indicators,
    })
}

/// The template's dimensions and indicators, in their order.
async fn write_rows(txn: &DatabaseTransaction, template_id: i32, p: &Parsed) -> AppResult<()> {
    let mut dim_ids = Vec::new();
    for (pos, (name, weight)) in p.dimensions.iter().enumerate() {
        let d = template_dimension::ActiveModel {
            template_id: Set(template_id),
            position: Set(pos as i32 + 1),
            name: Set(name.clone()),
            weight: Set(*weight),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        dim_ids.push(d.id);
    }
    for (pos, (d, name, weight, guide, link)) in p.indicators.iter().enumerate() {
        template_indicator::ActiveModel {
            template_id: Set(template_id),
            dimension_id: Set(dim_ids[*d]),
            position: Set(pos as i32 + 1),
            name: Set(name.clone()),
            weight: Set(*weight),
            guide: Set(guide.clone()),
            link: Set(*link),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Creates (`id` None) or replaces a template. Only the bureau defines templates.
pub async fn save(
    db: &DatabaseConnection,
    u: &user::Model,
    now: DateTime<Utc>,
    id: Option<i32>,
    input: &TemplateInput,
) -> AppResult<indicator_template::Model> {
    if !u.role.is_bureau() {
        return Err(AppError::Forbidden);
    }
    let p = parse(input)?;
    let txn = db.begin().await?;
    let t = match id {
        None => {
            indicator_template::ActiveModel {
                name: Set(p.name.clone()),
                category: Set(p.category),
                description: Set(p.description.clone()),
                created_by: Set(u.id),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
        Some(id) => {
            let t = indicator_template::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
            template_indicator::Entity::delete_many()
                .filter(template_indicator::Column::TemplateId.eq(id))
                .exec(&txn)
                .await?;
            template_dimension::Entity::delete_many()
                .filter(template_dimension::Column::TemplateId.eq(id))
                .exec(&txn)
                .await?;
            let mut a: indicator_template::ActiveModel = t.into();
            a.name = Set(p.name.clone());
            a.category = Set(p.category);
            a.description = Set(p.description.clone());
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
    };
    write_rows(&txn, t.id, &p).await?;
    audit::append(
        &txn,
        now,
        &Actor::user(u),
        if id.is_none() { "evaluation_template.created" } else { "evaluation_template.updated" },
        "indicator_template",
        t.id,
        serde_json::json!({"name": p.name, "dimensions": p.dimensions.len(), "indicators": p.indicators.len()}),
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateIndicator {
    pub position: i32,
    pub name: String,
    pub weight: i32,
    pub guide: String,
    pub link: IndicatorLink,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateDimension {
    pub position: i32,
    pub name: String,
    pub weight: i32,
    pub indicators: Vec<TemplateIndicator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Template {
    #[serde(flatten)]
    pub template: indicator_template::Model,
    pub dimensions: Vec<TemplateDimension>,
}

impl Template {
    /// The template as form rows, so the edit form starts from what is stored.
    pub fn input(&self) -> TemplateInput {
        TemplateInput {
            name: self.template.name.clone(),
            category: self.template.category.code().into(),
            description: self.template.description.clone(),
            dimensions: self
                .dimensions
                .iter()
                .map(|d| DimensionInput { name: d.name.clone(), weight: d.weight.to_string() })
                .collect(),
            indicators: self
                .dimensions
                .iter()
                .flat_map(|d| {
                    d.indicators.iter().map(|i| IndicatorInput {
                        dimension: d.position.to_string(),
                        name: i.name.clone(),
                        weight: i.weight.to_string(),
                        guide: i.guide.clone(),
                        link: i.link.code().into(),
                    })
                })
                .collect(),
        }
    }
}

pub async fn get<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Template> {
    let t = indicator_template::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let dims = template_dimension::Entity::find()
        .filter(template_dimension::Column::TemplateId.eq(id))
        .order_by_asc(template_dimension::Column::Position)
        .all(db)
        .await?;
    let inds = template_indicator::Entity::find()
        .filter(template_indicator::Column::TemplateId.eq(id))
        .order_by_asc(template_indicator::Column::Position)
        .all(db)
        .await?;
    let dimensions = dims
        .into_iter()
        .map(|d| TemplateDimension {
            position: d.position,
            indicators: inds
                .iter()
                .filter(|i| i.dimension_id == d.id)
                .map(|i| TemplateIndicator {
                    position: i.position,
                    name: i.name.clone(),
                    weight: i.weight,
                    guide: i.guide.clone(),
                    link: i.link,
                })
                .collect(),
            name: d.name,
            weight: d.weight,
        })
        .collect();
    Ok(Template { template: t, dimensions })
}

pub async fn list<C: ConnectionTrait>(db: &C) -> AppResult<Vec<indicator_template::Model>> {
    Ok(indicator_template::Entity::find()
        .order_by_asc(indicator_template::Column::Category)
        .order_by_asc(indicator_template::Column::Name)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(dims: &[(&str, &str)], inds: &[(&str, &str, &str)]) -> TemplateInput {
        TemplateInput {
            name: "养老服务".into(),
            category: "elderly".into(),
            dimensions: dims
                .iter()
                .map(|(n, w)| DimensionInput { name: n.to_string(), weight: w.to_string() })
                .collect(),
            indicators: inds
                .iter()
                .map(|(d, n, w)| IndicatorInput {
                    dimension: d.to_string(),
                    name: n.to_string(),
                    weight: w.to_string(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn refusals(i: &TemplateInput) -> Vec<&'static str> {
        match parse(i) {
            Err(AppError::Invalid(e)) => e.0.iter().map(|f| f.msg.key).collect(),
            Err(other) => panic!("{other:?}"),
            Ok(_) => vec![],
        }
    }

    #[test]
    fn weights_must_add_up() {
        let ok = input(&[("产出", "60"), ("满意度", "40")], &[("1", "入户", "60"), ("2", "满意率", "40")]);
        assert!(refusals(&ok).is_empty());
        let dims_off = input(&[("产出", "60"), ("满意度", "39")], &[("1", "入户", "60"), ("2", "满意率", "39")]);
        assert_eq!(refusals(&dims_off), vec!["template.weights_sum"]);
        let inds_off = input(&[("产出", "60"), ("满意度", "40")], &[("1", "入户", "50"), ("2", "满意率", "40")]);
        assert_eq!(refusals(&inds_off), vec!["template.indicator_sum"]);
        let bad_row = input(&[("产出", "100")], &[("3", "入户", "100")]);
        assert!(refusals(&bad_row).contains(&"template.indicator_row"));
        let blank_rows_ignored = {
            let mut i = ok.clone();
            i.dimensions.push(DimensionInput::default());
            i.indicators.push(IndicatorInput::default());
            i
        };
        assert!(refusals(&blank_rows_ignored).is_empty());
        // A blank row between dimensions: indicators still find theirs by row number, and
        // one pointing at the blank row is refused.
        let mut gap =
            input(&[("产出", "60"), ("", ""), ("满意度", "40")], &[("1", "入户", "60"), ("3", "满意率", "40")]);
        assert!(refusals(&gap).is_empty(), "{:?}", refusals(&gap));
        gap.indicators[1].dimension = "2".into();
        assert!(refusals(&gap).contains(&"template.indicator_row"));
    }
}
