//! Calls for proposals in the JSON API: the same domain calls as the pages.
use crate::auth::{ApiMember, ApiOfficer, ApiVisitor, Lang};
use crate::domain::procurement::bids::{self, BidInput};
use crate::domain::procurement::call_view::CallView;
use crate::domain::procurement::calls::{self, CallInput};
use crate::domain::procurement::opening::{self, WithTwo};
use crate::domain::procurement::questions;
use crate::routes::api::body;
use crate::routes::errors::ApiError;
use crate::state::App;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, create, update, publish, cancel, ask, answer, own_bid, submit_bid, withdraw_bid, open]
}

type ApiResult = Result<Json<Value>, ApiError>;
type Created = Result<(Status, Json<Value>), ApiError>;
type JsonIn<'a, T> = Result<Json<T>, rocket::serde::json::Error<'a>>;

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextBody {
    text: String,
}

#[get("/calls")]
async fn list(v: ApiVisitor, app: &State<App>) -> ApiResult {
    let now = app.clock.now();
    let items: Vec<Value> = calls::list(&app.db, v.0.as_ref())
        .await?
        .iter()
        .map(|c| {
            let mut x = json!(c);
            x["phase"] = json!(calls::phase(c, now));
            x
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// The call with its criteria, payment schedule and the questions the reader may see; after
/// opening, the bids for the bureau and the bidders; an NGO member also gets its
/// organization's eligibility, rule by rule.
#[get("/calls/<id>")]
async fn show(v: ApiVisitor, lang: Lang, id: i32, app: &State<App>) -> ApiResult {
    let viewer = v.0.as_ref();
    let now = app.clock.now();
    let c = calls::visible(&app.db, viewer, id).await?;
    let v = CallView::build(&app.db, viewer, c, now, lang.0).await?;
    let mut out = json!(v.call);
    out["phase"] = json!(calls::phase(&v.call, now));
    out["criteria"] = json!(v.criteria);
    out["instalments"] = json!(v.instalments);
    out["questions"] = json!(v.questions);
    if let Some(bids) = v.bids {
        out["bids"] = json!(bids);
    }
    if let Some(e) = v.eligibility {
        out["eligibility"] = json!({"eligible": e.eligible, "checks": e.checks});
    }
    Ok(Json(out))
}

#[post("/calls", data = "<input>")]
async fn create(o: ApiOfficer, input: JsonIn<'_, CallInput>, app: &State<App>) -> Created {
    let input = body(input)?;
    let c = calls::create(&app.db, &o.0, app.clock.now(), &app.places, &input).await?;
    Ok((Status::Created, Json(json!(c))))
}

#[put("/calls/<id>", data = "<input>")]
async fn update(o: ApiOfficer, id: i32, input: JsonIn<'_, CallInput>, app: &State<App>) -> ApiResult {
    let input = body(input)?;
    Ok(Json(json!(calls::update(&app.db, &o.0, app.clock.now(), &app.places, id, &input).await?)))
}

#[post("/calls/<id>/publish")]
async fn publish(o: ApiOfficer, id: i32, app: &State<App>) -> ApiResult {
    Ok(Json(json!(calls::publish(&app.db, &o.0, app.clock.now(), &app.config.procurement, id).await?)))
}

#[post("/calls/<id>/cancel", data = "<input>")]
async fn cancel(o: ApiOfficer, id: i32, input: JsonIn<'_, TextBody>, app: &State<App>) -> ApiResult {
    let input = body(input)?;
    Ok(Json(json!(calls::cancel(&app.db, &o.0, app.clock.now(), id, &input.text).await?)))
}

#[post("/calls/<id>/questions", data = "<input>")]
async fn ask(m: ApiMember, id: i32, input: JsonIn<'_, TextBody>, app: &State<App>) -> Created {
    let input = body(input)?;
    calls::visible(&app.db, Some(&m.0), id).await?;
    let q = questions::ask(&app.db, &m.0, app.clock.now(), id, &input.text).await?;
    Ok((Status::Created, Json(json!({"id": q.id, "question": q.question, "asked_at": q.asked_at}))))
}

#[post("/calls/<id>/questions/<qid>/answer", data = "<input>")]
async fn answer(o: ApiOfficer, id: i32, qid: i32, input: JsonIn<'_, TextBody>, app: &State<App>) -> ApiResult {
    let input = body(input)?;
    let q = questions::answer(&app.db, &o.0, app.clock.now(), id, qid, &input.text).await?;
    Ok(Json(json!({"id": q.id, "question": q.question, "answer": q.answer, "answered_at": q.answered_at})))
}

/// The caller's own bid on the call, with its latest version (its receipt).
#[get("/calls/<id>/bid")]
async fn own_bid(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    calls::visible(&app.db, Some(&m.0), id).await?;
    match bids::own(&app.db, &app.sealer, &m.0, id).await? {
        None => Err(ApiError(crate::error::AppError::NotFound)),
        Some((b, latest)) => Ok(Json(json!({
            "status": b.status,
            "version_count": b.version_count,
            "latest": latest.map(|(v, content)| json!({
                "version_no": v.version_no, "digest": v.digest, "submitted_at": v.submitted_at,
                "total_fen": v.total_fen, "content": content,
                // The exact bytes the digest covers.
                "canonical": v.content,
            })),
        }))),
    }
}

#[post("/calls/<id>/bid", data = "<input>")]
async fn submit_bid(m: ApiMember, id: i32, input: JsonIn<'_, BidInput>, app: &State<App>) -> Created {
    let input = body(input)?;
    let r = bids::submit(
        &app.db,
        ((&app.emails, &app.config.public_origin), &app.sealer),
        &m.0,
        app.clock.now(),
        id,
        &input,
    )
    .await?;
    Ok((Status::Created, Json(json!(r))))
}

#[post("/calls/<id>/bid/withdraw")]
async fn withdraw_bid(m: ApiMember, id: i32, app: &State<App>) -> ApiResult {
    bids::withdraw(&app.db, (&app.emails, &app.config.public_origin), &m.0, app.clock.now(), id).await?;
    Ok(Json(json!({"status": "withdrawn"})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OpenBody {
    /// "continue" or "fail", when only two bids are valid under consultation.
    with_two: String,
    note: String,
}

#[post("/calls/<id>/open", data = "<input>")]
async fn open(o: ApiOfficer, id: i32, input: JsonIn<'_, OpenBody>, app: &State<App>) -> ApiResult {
    let input = body(input)?;
    let with_two = match input.with_two.as_str() {
        "continue" => Some(WithTwo::Continue),
        "fail" => Some(WithTwo::Fail),
        _ => None,
    };
    let (status, bids) = opening::open(&app.db, &app.sealer, &o.0, app.clock.now(), id, with_two, &input.note).await?;
    app.checkpoint().await;
    Ok(Json(json!({"status": status, "bids": bids})))
}
