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
