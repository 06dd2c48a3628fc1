//! `GET /livez` and `GET /readyz` of a dev node, and their OpenAPI entries.

mod common;

use axum::http::StatusCode;
use common::TestChain;

#[tokio::test]
async fn a_running_dev_node_is_live_and_ready() {
    let chain = TestChain::start().await;
    let live = chain.get("/livez").await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.json["live"], true);
    let ready = chain.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.json);
    assert_eq!(ready.json["ready"], true);
    let names: Vec<&str> = ready.json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["store", "caught_up"], "{}", ready.json);
}

#[tokio::test]
async fn the_openapi_document_lists_every_answer_of_the_health_endpoints() {
    let chain = TestChain::start().await;
    let paths = chain.get("/v1/openapi.json").await.json["paths"].clone();
    let live = &paths["/livez"]["get"]["responses"];
    assert!(live["200"].is_object(), "{paths}");
    let ready = &paths["/readyz"]["get"]["responses"];
    assert!(ready["200"].is_object(), "{paths}");
    assert!(ready["503"].is_object(), "{paths}");
}
