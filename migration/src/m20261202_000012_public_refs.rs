//! Row ids run across every organization, so an id a person sees counts what others did:
//! a bidder's attachment ids count the files other bidders uploaded before, and the mail
//! queue's ids count the sealed notices sent to bidders. Attachments and queued messages
//! get a random reference for every address and page instead.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let random = match backend {
            DatabaseBackend::Postgres => "md5(random()::text || clock_timestamp()::text || id::text)",
            _ => "lower(hex(randomblob(16)))",
        };
        for table in ["bid_attachments", "outbox"] {
            m.alter_table(Table::alter().table(table).add_column(string_len_null("public_ref", 32)).take()).await?;
            db.execute_raw(Statement::from_string(backend, format!("UPDATE {table} SET public_ref = {random}")))
                .await?;
            m.create_index(
                Index::create().name(format!("ux_{table}_public_ref")).table(table).col("public_ref").unique().take(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["bid_attachments", "outbox"] {
            m.drop_index(Index::drop().name(format!("ux_{table}_public_ref")).table(table).to_owned()).await?;
            m.alter_table(Table::alter().table(table).drop_column("public_ref").take()).await?;
        }
        Ok(())
    }
}
