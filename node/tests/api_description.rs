//! The OpenAPI document (`GET /v1/openapi.json`) against the route table
//! (`xianjie_node::api::routes`, from which the router is built): every
//! route is documented, with every status it can answer and the error body
//! schema on every error status.
//!
//! What a route must document is derived from the route itself, not copied:
//! its access (a signed read may be refused 401, 403 and 503), its path
//! parameters (400 malformed, 404 unknown), its query parameters and body
//! (400, 413), its group (408 under the request timeout), and what it
//! answers to probes: unsigned and signed, with a malformed and with an
//! unknown parameter, with a junk body. A new route, under `/v1` or not,
//! fails here until it is documented.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{now_ms, TestChain};
use serde_json::Value;
use tower::ServiceExt as _;
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::read_auth::SignedRead;
use xianjie_node::api::{routes, Access, ApiRoute, Group};
use xianjie_node::dev::DEV_CHAIN_ID;

/// The keys of an OpenAPI path item that name operations.
const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Statuses a route must document, each with the reason, from its kind.
fn expected_by_kind(route: &ApiRoute, operation: &Value) -> BTreeMap<u16, String> {
    let mut wanted = BTreeMap::new();
    let mut want = |status: u16, why: &str| {
        wanted.entry(status).or_insert_with(|| why.to_owned());
    };
    want(500, "any route can fail inside the node");
    if route.group != Group::Streaming {
        want(408, "it runs under the request timeout");
    }
    match route.access {
        Access::Public => {}
        Access::Officer | Access::SignedOnly => {
            want(
                401,
                "it takes a signed read (unsigned, bad, stale, future, replayed)",
            );
            want(403, "it takes a signed read (unknown or revoked signer)");
            want(503, "it takes a signed read (signed_reads_busy)");
        }
        Access::Session => want(401, "it takes a session token"),
    }
    if route.path.contains('{') {
        want(400, "it has a path parameter, which may be malformed");
        want(404, "it looks up what its path parameter names");
    }
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if parameters
        .iter()
        .any(|parameter| parameter["in"] == "query")
    {
        want(400, "it has query parameters, which may be malformed");
    }
    if operation.get("requestBody").is_some() {
        want(400, "it takes a body, which may be malformed");
        want(413, "it takes a body, which may be too large");
    }
    wanted
}

/// A request to `route` with every path parameter replaced by `filler`,
/// signed by `key` if given, with a junk body for methods that take one.
fn probe(route: &ApiRoute, filler: &str, key: Option<&SecretKey>) -> (String, Request<Body>) {
    let uri = route
        .path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                filler
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut builder = Request::builder()
        .method(route.method.clone())
        .uri(&uri)
        .header("content-type", "application/octet-stream");
    if let Some(key) = key {
        let read = SignedRead::sign(key, DEV_CHAIN_ID, route.method.as_str(), &uri, now_ms());
        for (name, value) in read.headers() {
            builder = builder.header(name, value);
        }
    }
    let body = if matches!(route.method, Method::POST | Method::PUT) {
        Body::from(b"junk".to_vec())
    } else {
        Body::empty()
    };
    (uri, builder.body(body).expect("probe request"))
}

/// What `route` answers to the probes, each with the probe that got it.
async fn probe_answers(
    chain: &TestChain,
    route: &ApiRoute,
    reader: &SecretKey,
) -> BTreeMap<u16, String> {
    // `%FF` is no UTF-8: malformed for every parameter. 64 zeros are a
    // well-formed digest, a height, an id, naming nothing on the dev chain.
    let fillers: &[&str] = if route.path.contains('{') {
        &["%FF", &"0".repeat(64)]
    } else {
        &[""]
    };
    let mut answers = BTreeMap::new();
    for filler in fillers {
        for key in [None, Some(reader)] {
            let (uri, request) = probe(route, filler, key);
            let response = chain.router().oneshot(request).await.expect("infallible");
            let signed = if key.is_some() { "signed" } else { "unsigned" };
            answers
                .entry(response.status().as_u16())
                .or_insert_with(|| format!("it answered a {signed} {} {uri}", route.method));
        }
    }
    answers
}

/// Problems with the declared access: unsigned, a route for officers
/// answers 401, a public one does not.
async fn access_problems(chain: &TestChain, route: &ApiRoute) -> Option<String> {
    let filler = "0".repeat(64);
    let (uri, request) = probe(route, &filler, None);
    let status = chain
        .router()
        .oneshot(request)
        .await
        .expect("infallible")
        .status();
    let refused = status == StatusCode::UNAUTHORIZED;
    let declared = route.access != Access::Public;
    (refused != declared).then(|| {
        format!(
            "{} {}: declared {:?} in the route table, but unsigned {uri} answered {status}",
            route.method, route.path, route.access
        )
    })
}

fn error_schema_problems(
    route: &ApiRoute,
    responses: &serde_json::Map<String, Value>,
) -> Vec<String> {
    let schema =
        |response: &Value| response["content"]["application/json"]["schema"]["$ref"].clone();
    // A route whose refusal is its answer itself (`/readyz` answers 503 with
    // the same checks it answers 200 with) documents that answer's schema.
    let answer_schema = responses.get("200").map(schema);
    responses
        .iter()
        .filter(|(status, _)| status.parse::<u16>().is_ok_and(|status| status >= 400))
        .filter(|(_, response)| {
            let documented = schema(response);
            documented != "#/components/schemas/ErrorBody"
                && Some(&documented) != answer_schema.as_ref()
        })
        .map(|(status, _)| {
            format!(
                "{} {}: {status} is documented without the ErrorBody schema",
                route.method, route.path
            )
        })
        .collect()
}

#[tokio::test]
async fn every_route_is_documented_with_every_status_it_answers() {
    let chain = TestChain::start().await;
    let document = chain.get("/v1/openapi.json").await.json;
    let reader = chain.judicial_reader();
    let table = routes();
    let mut problems = Vec::new();
    for route in &table {
        let operation = &document["paths"][route.path][route.method.as_str().to_lowercase()];
        let Some(responses) = operation["responses"].as_object() else {
            problems.push(format!(
                "{} {} is not in the OpenAPI document: annotate its handler with #[utoipa::path] and list it in ApiDoc",
                route.method, route.path
            ));
            continue;
        };
        let listed: BTreeSet<u16> = responses
            .keys()
            .filter_map(|status| status.parse().ok())
            .collect();
        let mut wanted = expected_by_kind(route, operation);
        for (status, why) in probe_answers(&chain, route, &reader).await {
            wanted.entry(status).or_insert(why);
        }
        for (status, why) in wanted {
            if !listed.contains(&status) {
                problems.push(format!(
                    "{} {} does not document {status}, which it can answer: {why}",
                    route.method, route.path
                ));
            }
        }
        problems.extend(error_schema_problems(route, responses));
        problems.extend(access_problems(&chain, route).await);
    }
    // And nothing is documented that the router does not route.
    let routed: BTreeSet<(String, String)> = table
        .iter()
        .map(|route| (route.path.to_owned(), route.method.as_str().to_lowercase()))
        .collect();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let methods = item.as_object().expect("path item").keys();
        for method in methods.filter(|key| HTTP_METHODS.contains(&key.as_str())) {
            if !routed.contains(&(path.clone(), method.clone())) {
                problems.push(format!("{method} {path} is documented but not routed"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
