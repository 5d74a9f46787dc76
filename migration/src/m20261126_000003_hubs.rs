//! Incubation hubs: the hubs and their managers, checklist and seats; admission rounds
//! (cohorts) and applications; memberships with the services given and the graduation
//! assessments.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: &'static str, col: &'static str, to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, "id").on_delete(ForeignKeyAction::Restrict).take()
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

fn code(col: &'static str) -> ColumnDef {
    string_len(col, 32)
}

/// Creates hubs, hub_managers and hub_checklist_items.
async fn create_hubs(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("hubs")
            .col(pk_auto("id"))
            .col(string_uniq("name"))
            .col(code("hub_type"))
            .col(integer("district_id"))
            .col(integer_null("community_id"))
            .col(string("address"))
            .col(integer("capacity"))
            .col(code("mode"))
            .col(code("space_unit"))
            .col(integer("default_term_months"))
            .col(text("description"))
            .col(integer("occupied"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk("hubs", "district_id", "districts"))
            .foreign_key(&mut fk("hubs", "community_id", "communities"))
            .take(),
        Table::create()
            .table("hub_managers")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(integer("user_id"))
            .foreign_key(&mut fk("hub_managers", "hub_id", "hubs"))
            .foreign_key(&mut fk("hub_managers", "user_id", "users"))
            .take(),
        Table::create()
            .table("hub_checklist_items")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(string("title"))
            .col(boolean("required"))
            .col(integer("position"))
            .col(boolean("retired"))
            .foreign_key(&mut fk("hub_checklist_items", "hub_id", "hubs"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates hub_rounds and hub_applications.
async fn create_rounds_and_applications(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("hub_rounds")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(string("name"))
            .col(date("opens_on"))
            .col(date("closes_on"))
            .col(date("starts_on"))
            .col(integer("places"))
            .col(integer("accepted"))
            .col(text("questions"))
            .col(code("status"))
            .col(integer_null("created_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("hub_rounds", "hub_id", "hubs"))
            .take(),
        Table::create()
            .table("hub_applications")
            .col(pk_auto("id"))
            .col(integer("round_id"))
            .col(integer("hub_id"))
            .col(integer_null("organization_id"))
            .col(integer("applicant_user_id"))
            .col(string_null("team_name"))
            .col(text("core_members"))
            .col(text("plan"))
            .col(text("answers"))
            .col(code("status"))
            .col(string_len_null("open_key", 40))
            .col(text("decision_note"))
            .col(integer_null("decided_by"))
            .col(timestamp_with_time_zone_null("decided_at"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("hub_applications", "round_id", "hub_rounds"))
            .foreign_key(&mut fk("hub_applications", "organization_id", "organizations"))
            .foreign_key(&mut fk("hub_applications", "applicant_user_id", "users"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates hub_memberships and hub_seats.
async fn create_memberships_and_seats(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("hub_memberships")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(integer("round_id"))
            .col(integer_uniq("application_id"))
            .col(integer_null("organization_id"))
            .col(string_null("team_name"))
            .col(integer("member_user_id"))
            .col(code("stage"))
            .col(string_len_uniq("agreement_no", 40))
            .col(date("started_on"))
            .col(date("planned_end_on"))
            .col(date_null("ended_on"))
            .col(date_null("reminder_sent_for"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("hub_memberships", "hub_id", "hubs"))
            .foreign_key(&mut fk("hub_memberships", "round_id", "hub_rounds"))
            .foreign_key(&mut fk("hub_memberships", "application_id", "hub_applications"))
            .foreign_key(&mut fk("hub_memberships", "organization_id", "organizations"))
            .take(),
        Table::create()
            .table("hub_seats")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(string_len("label", 40))
            // NULL when free. Unique: one seat per member, and never two members on one.
            .col(integer_null("held_by").unique_key().take())
            .foreign_key(&mut fk("hub_seats", "hub_id", "hubs"))
            .foreign_key(&mut fk("hub_seats", "held_by", "hub_memberships"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates hub_services and hub_assessments.
async fn create_services_and_assessments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let tables: Vec<TableCreateStatement> = vec![
        Table::create()
            .table("hub_services")
            .col(pk_auto("id"))
            .col(integer("hub_id"))
            .col(integer("membership_id"))
            .col(code("kind"))
            .col(date("delivered_on"))
            .col(string("title"))
            .col(integer("minutes"))
            .col(integer_null("attendees"))
            .col(text("note"))
            .col(integer_null("recorded_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("hub_services", "membership_id", "hub_memberships"))
            .take(),
        Table::create()
            .table("hub_assessments")
            .col(pk_auto("id"))
            .col(integer("membership_id"))
            .col(code("outcome"))
            .col(date("assessed_on"))
            .col(date_null("new_end_on"))
            .col(text("note"))
            .col(text("items"))
            .col(integer_null("assessed_by"))
            .col(timestamp_with_time_zone("created_at"))
            .foreign_key(&mut fk("hub_assessments", "membership_id", "hub_memberships"))
            .take(),
    ];
    for t in tables {
        m.create_table(t).await?;
    }
    Ok(())
}

/// Creates the indexes on the hub tables.
async fn create_hub_indexes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    for i in [
        idx("hub_managers", "ux_hub_managers", &["hub_id", "user_id"], true),
        idx("hub_managers", "ix_hub_managers_user", &["user_id"], false),
        idx("hub_checklist_items", "ix_hub_checklist_hub", &["hub_id", "position"], false),
        idx("hub_seats", "ux_hub_seats_label", &["hub_id", "label"], true),
        idx("hub_rounds", "ix_hub_rounds_hub", &["hub_id", "opens_on"], false),
        // One open application per organization (or team) per round, whatever the race.
        idx("hub_applications", "ux_hub_applications_open", &["round_id", "open_key"], true),
        idx("hub_applications", "ix_hub_applications_org", &["organization_id"], false),
        idx("hub_applications", "ix_hub_applications_user", &["applicant_user_id"], false),
        idx("hub_memberships", "ix_hub_memberships_hub", &["hub_id", "stage"], false),
        idx("hub_memberships", "ix_hub_memberships_org", &["organization_id"], false),
        idx("hub_memberships", "ix_hub_memberships_end", &["stage", "planned_end_on"], false),
        idx("hub_services", "ix_hub_services_member", &["membership_id", "delivered_on"], false),
        idx("hub_services", "ix_hub_services_hub", &["hub_id", "delivered_on"], false),
        idx("hub_assessments", "ix_hub_assessments_member", &["membership_id"], false),
    ] {
        m.create_index(i).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_hubs(m).await?;
        create_rounds_and_applications(m).await?;
        create_memberships_and_seats(m).await?;
        create_services_and_assessments(m).await?;
        create_hub_indexes(m).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "hub_assessments",
            "hub_services",
            "hub_seats",
            "hub_memberships",
            "hub_applications",
            "hub_rounds",
            "hub_checklist_items",
            "hub_managers",
            "hubs",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
