//! One's own account in the JSON API.
use crate::auth::{ApiMember, Lang};
use crate::domain::accounts;
use crate::domain::accounts::UserView;
use crate::i18n::Locale;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::serde::json::Json;
use rocket::{State, get, put};
use serde::Deserialize;

use crate::routes::api::body;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![me, update_me]
}

#[get("/me")]
fn me(m: ApiMember) -> Json<UserView> {
    Json(UserView::from(&m.0))
}

#[derive(Deserialize)]
struct ProfileBody {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

#[put("/me", data = "<input>")]
async fn update_me(
    m: ApiMember,
    lang: Lang,
    input: Result<Json<ProfileBody>, rocket::serde::json::Error<'_>>,
    app: &State<App>,
) -> Result<Json<UserView>, ApiError> {
    let input = body(input)?;
    let locale = Locale::from_tag(&input.locale).unwrap_or(lang.0);
    let u = accounts::update_profile(&app.db, &m.0, &input.display_name, locale, app.clock.now()).await?;
    Ok(Json(UserView::from(&u)))
}
