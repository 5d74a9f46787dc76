//! A hub as pages and the API show it: its row and the names of its district and community.
use crate::error::AppResult;
use crate::organization_input::Places;
use entity::hub;
use sea_orm::DatabaseConnection;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct HubView {
    #[serde(flatten)]
    pub hub: hub::Model,
    pub district: String,
    pub community: String,
}

impl HubView {
    /// Every hub, in the order of [`super::list`].
    pub async fn all(db: &DatabaseConnection, places: &Places) -> AppResult<Vec<HubView>> {
        Ok(super::list(db).await?.iter().map(|h| HubView::of(places, h)).collect())
    }

    pub fn of(places: &Places, h: &hub::Model) -> HubView {
        HubView {
            hub: h.clone(),
            district: places.district_name(h.district_id).to_string(),
            community: places.community_name(h.community_id).to_string(),
        }
    }
}
