//! Faults: the database going away under a running server.
use crate::support::proxy::Relay;
use crate::support::*;
use rocket::http::Status;

fn retry_after(p: &Page) -> Option<&str> {
    p.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after")).map(|(_, v)| v.as_str())
}

/// On PostgreSQL (a server that can go away; a SQLite file beside the server cannot):
/// with the database cut off, pages and the API answer 503 with Retry-After and a message
/// that nothing was changed, not a 500 after a long wait; once it is back, the same server
/// serves again without a restart.
#[rocket::async_test]
async fn while_the_database_is_away_requests_get_a_503_and_the_server_recovers_by_itself() {
    let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) else {
        return;
    };
    let parsed = url::Url::parse(&url).expect("url");
    let upstream = format!("{}:{}", parsed.host_str().expect("host"), parsed.port().unwrap_or(5432));
    let relay = Relay::start(upstream).await;
    let app = TestApp::with(Options { database_port: Some(relay.port), ..Options::default() }).await;
    let mut officer = app.officer().await;
    assert_eq!(officer.get(&app, "/organizations").await.status, Status::Ok);

    relay.cut();
    let page = officer.get(&app, "/organizations").await;
    assert_eq!(page.status, Status::ServiceUnavailable, "{}", page.body);
    assert_eq!(retry_after(&page), Some("5"));
    assert!(page.body.contains("数据库暂时无法连接"), "{}", page.body);
    // The next ones are answered by the gate, without waiting for a connection.
    let api = officer.get(&app, "/api/v1/organizations").await;
    assert_eq!(api.status, Status::ServiceUnavailable);
    assert_eq!(api.json()["error"], "unavailable");
    let post = officer.post(&app, "/organizations/new", &[("name", "三亚市断线测试中心")]).await;
    assert_eq!(post.status, Status::ServiceUnavailable);
    assert_eq!(app.agent().get(&app, "/").await.status, Status::ServiceUnavailable);
    assert_eq!(app.agent().get(&app, "/static/fuhua.css").await.status.code / 100, 2, "static files still served");

    relay.restore();
    let mut back = false;
    for _ in 0..100 {
        if officer.get(&app, "/organizations").await.status == Status::Ok {
            back = true;
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(back, "the server serves again once the database is back");
    assert_eq!(app.count("organizations WHERE name = '三亚市断线测试中心'").await, 0);
}
