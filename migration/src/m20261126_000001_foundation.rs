//! Accounts, sessions, the organization registry and its linked records, the audit log
//! and the email outbox.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str, to_col: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, to_col).on_delete(ForeignKeyAction::Restrict).take()
}

fn idx(table: &'static str, name: &str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.take()
}

/// Short codes for enums; a state is never an integer.
fn code(col: &'static str) -> ColumnDef {
    string_len(col, 32)
}

/// Creates districts, communities and users.
async fn create_places_and_users(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("districts")
            .col(pk_auto("id"))
            .col(string_len_uniq("code", 12))
            .col(string("name_zh"))
            .col(string("name_en"))
            .take(),
        Table::create()
            .table("communities")
            .col(pk_auto("id"))
            .col(integer("district_id"))
            .col(string("name_zh"))
            .col(code("kind"))
            .foreign_key(&mut fk("communities", "district_id", "districts", "id"))
            .take(),
        Table::create()
            .table("users")
            .col(pk_auto("id"))
            .col(string_uniq("email"))
            .col(string("password_hash"))
            .col(string("display_name"))
            .col(code("role"))
            .col(integer_null("organization_id"))
            .col(timestamp_with_time_zone_null("email_verified_at"))
            .col(string_len("locale", 8))
            .col(boolean("disabled"))
            .col(timestamp_with_time_zone("created_at"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates organizations and organization_categories.
async fn create_organizations(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("organizations")
            .col(pk_auto("id"))
            .col(string("name"))
            .col(string("name_initials"))
            .col(string_len_null("uscc", 18).unique_key().take())
            .col(text_null("uscc_override_reason"))
            .col(code("org_type"))
            .col(code("status"))
            .col(date("registration_date"))
            .col(string("registration_authority"))
            .col(string("legal_representative"))
            .col(string("address"))
            .col(integer("district_id"))
            .col(integer_null("community_id"))
            .col(text("business_scope"))
            .col(big_integer("registered_funds_fen"))
            .col(string_null("supervising_unit"))
            .col(date_null("certificate_valid_until"))
            .col(string("contact_name"))
            .col(string("contact_phone"))
            .col(string("contact_email"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("organizations", "district_id", "districts", "id"))
            .foreign_key(&mut fk("organizations", "community_id", "communities", "id"))
            .take(),
        Table::create()
            .table("organization_categories")
            .col(integer("organization_id"))
            .col(code("category"))
            .primary_key(Index::create().col("organization_id").col("category"))
            .foreign_key(&mut fk("organization_categories", "organization_id", "organizations", "id"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates annual_reports, assessment_grades, list_entries and penalties.
async fn create_organization_records(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("annual_reports")
            .col(pk_auto("id"))
            .col(integer("organization_id"))
            .col(integer("year"))
            .col(code("result"))
            .col(text("note"))
            .col(integer_null("recorded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("annual_reports", "organization_id", "organizations", "id"))
            .foreign_key(&mut fk("annual_reports", "recorded_by", "users", "id"))
            .take(),
        Table::create()
            .table("assessment_grades")
            .col(pk_auto("id"))
            .col(integer("organization_id"))
            .col(integer("grade"))
            .col(date("valid_from"))
            .col(date("valid_to"))
            .col(integer_null("recorded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("assessment_grades", "organization_id", "organizations", "id"))
            .foreign_key(&mut fk("assessment_grades", "recorded_by", "users", "id"))
            .take(),
        Table::create()
            .table("list_entries")
            .col(pk_auto("id"))
            .col(integer("organization_id"))
            .col(code("kind"))
            .col(date("entered_on"))
            .col(text("reason"))
            .col(date_null("removed_on"))
            .col(text_null("removal_reason"))
            .col(integer_null("recorded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("list_entries", "organization_id", "organizations", "id"))
            .foreign_key(&mut fk("list_entries", "recorded_by", "users", "id"))
            .take(),
        Table::create()
            .table("penalties")
            .col(pk_auto("id"))
            .col(integer("organization_id"))
            .col(date("decided_on"))
            .col(string("authority"))
            .col(string("decision_number"))
            .col(text("description"))
            .col(big_integer_null("fine_fen"))
            .col(integer_null("recorded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("penalties", "organization_id", "organizations", "id"))
            .foreign_key(&mut fk("penalties", "recorded_by", "users", "id"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates sessions, email_tokens, login_failures and api_tokens.
async fn create_auth_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("sessions")
            .col(string_len("id_hash", 64).primary_key().take())
            .col(integer("user_id"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("last_seen_at"))
            .foreign_key(&mut fk("sessions", "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade).take())
            .take(),
        Table::create()
            .table("email_tokens")
            .col(string_len("token_hash", 64).primary_key().take())
            .col(integer("user_id"))
            .col(code("purpose"))
            .col(timestamp_with_time_zone("expires_at"))
            .col(timestamp_with_time_zone_null("used_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("email_tokens", "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade).take())
            .take(),
        Table::create()
            .table("login_failures")
            .col(pk_auto("id"))
            .col(string("email"))
            .col(string_len("ip", 64))
            .col(timestamp_with_time_zone("at"))
            .take(),
        Table::create()
            .table("api_tokens")
            .col(pk_auto("id"))
            .col(integer("user_id"))
            .col(string("name"))
            .col(string_len_uniq("token_hash", 64))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("revoked_at"))
            .foreign_key(&mut fk("api_tokens", "user_id", "users", "id").on_delete(ForeignKeyAction::Cascade).take())
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates claims, audit_log and outbox.
async fn create_claims_audit_outbox(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("claims")
            .col(pk_auto("id"))
            .col(integer("user_id"))
            .col(integer("organization_id"))
            .col(code("status"))
            .col(text("note"))
            .col(integer_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("claims", "user_id", "users", "id"))
            .foreign_key(&mut fk("claims", "organization_id", "organizations", "id"))
            .take(),
        Table::create()
            .table("audit_log")
            .col(big_integer("seq").primary_key().take())
            .col(timestamp_with_time_zone("at"))
            .col(integer_null("actor_user_id"))
            .col(string("actor"))
            .col(string("action"))
            .col(string("object_type"))
            .col(string("object_id"))
            .col(text("payload"))
            .col(string_len("payload_hash", 64))
            .col(string_len_uniq("prev_hash", 64))
            .col(string_len_uniq("hash", 64))
            .take(),
        Table::create()
            .table("outbox")
            .col(pk_auto("id"))
            .col(string("kind"))
            .col(string("to_address"))
            .col(text("subject"))
            .col(text("body_text"))
            .col(text("body_html"))
            .col(code("status"))
            .col(integer("attempts"))
            .col(timestamp_with_time_zone("next_attempt_at"))
            .col(text_null("last_error"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates the indexes on the tables above.
async fn create_foundation_indexes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let indexes = vec![
        idx("communities", "ix_communities_district", &["district_id"], false),
        idx("organizations", "ix_org_district_name", &["district_id", "name"], false),
        idx("organizations", "ix_org_status_name", &["status", "name"], false),
        idx("organizations", "ix_org_name", &["name"], false),
        idx("organizations", "ix_org_initials", &["name_initials"], false),
        idx("organization_categories", "ix_orgcat_category", &["category", "organization_id"], false),
        idx("annual_reports", "ux_annual_org_year", &["organization_id", "year"], true),
        idx("assessment_grades", "ix_grades_org", &["organization_id"], false),
        idx("list_entries", "ix_lists_org", &["organization_id"], false),
        idx("penalties", "ix_penalties_org", &["organization_id"], false),
        idx("sessions", "ix_sessions_user", &["user_id"], false),
        idx("login_failures", "ix_failures_email_at", &["email", "at"], false),
        idx("login_failures", "ix_failures_ip_at", &["ip", "at"], false),
        idx("claims", "ix_claims_status", &["status"], false),
        idx("outbox", "ix_outbox_due", &["status", "next_attempt_at"], false),
        idx("users", "ix_users_org", &["organization_id"], false),
    ];
    for i in indexes {
        m.create_index(i).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_places_and_users(m).await?;
        create_organizations(m).await?;
        create_organization_records(m).await?;
        create_auth_tables(m).await?;
        create_claims_audit_outbox(m).await?;
        create_foundation_indexes(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "outbox",
            "audit_log",
            "claims",
            "api_tokens",
            "login_failures",
            "email_tokens",
            "sessions",
            "penalties",
            "list_entries",
            "assessment_grades",
            "annual_reports",
            "organization_categories",
            "organizations",
            "users",
            "communities",
            "districts",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
