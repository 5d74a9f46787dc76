#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// An organization an import job created: what undoing the job deletes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_job_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
