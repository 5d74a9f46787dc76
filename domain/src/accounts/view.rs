//! An account as the administrator's list and the API show it: never the password hash.
use entity::enums::Role;
use entity::user;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<i32>,
    pub locale: String,
    pub email_verified: bool,
    pub disabled: bool,
}

impl From<&user::Model> for UserView {
    fn from(u: &user::Model) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            organization_id: u.organization_id,
            locale: u.locale.clone(),
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled,
        }
    }
}

/// Which accounts of the administrator's list are wanted: by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Active,
    Stopped,
    Unverified,
}

impl UserState {
    pub const ALL: [UserState; 3] = [UserState::Active, UserState::Stopped, UserState::Unverified];

    pub fn code(self) -> &'static str {
        match self {
            UserState::Active => "active",
            UserState::Stopped => "disabled",
            UserState::Unverified => "unverified",
        }
    }

    pub fn from_code(s: &str) -> Option<UserState> {
        UserState::ALL.into_iter().find(|x| x.code() == s.trim())
    }

    fn holds(self, u: &user::Model) -> bool {
        match self {
            UserState::Active => !u.disabled,
            UserState::Stopped => u.disabled,
            UserState::Unverified => u.email_verified_at.is_none(),
        }
    }
}

/// The accounts list's filters: a search of address, name and organization, the role, the state.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: String,
    pub role: Option<Role>,
    pub state: Option<UserState>,
}

/// An account of the list, with its organization's name (not its number).
#[derive(Debug, Serialize)]
pub struct ListedUser {
    #[serde(flatten)]
    pub user: UserView,
    pub organization_name: Option<String>,
}

/// The accounts the filter keeps, each with its organization's name.
pub async fn listed(db: &sea_orm::DatabaseConnection, f: &UserFilter) -> crate::error::AppResult<Vec<ListedUser>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let users = super::list_users(db).await?;
    let orgs: std::collections::HashMap<i32, String> = entity::organization::Entity::find()
        .filter(entity::organization::Column::Id.is_in(users.iter().filter_map(|u| u.organization_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(users
        .iter()
        .filter(|u| f.role.is_none_or(|r| u.role == r) && f.state.is_none_or(|s| s.holds(u)))
        .map(|u| ListedUser {
            organization_name: u.organization_id.and_then(|id| orgs.get(&id).cloned()),
            user: UserView::from(u),
        })
        .filter(|l| {
            let org = l.organization_name.as_deref().unwrap_or("");
            crate::sheets::matches_search(&f.q, &[&l.user.email, &l.user.display_name, org])
        })
        .collect())
}
