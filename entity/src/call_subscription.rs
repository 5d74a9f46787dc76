#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A visitor's subscription to new calls by email (all calls, or one service category):
/// pending until the link mailed to the address is followed, ended by one click.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "call_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub email: String,
    pub locale: String,
    /// A service category's code; empty: every call.
    pub category: String,
    /// The secret in the confirmation and unsubscribe links. Never in any JSON.
    #[serde(skip_serializing)]
    pub token: String,
    pub confirmed_at: Option<DateTimeUtc>,
    pub unsubscribed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
