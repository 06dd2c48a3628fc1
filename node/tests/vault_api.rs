//! The evidence vault's HTTP API on a dev node (`PUT /v1/vault`,
//! `GET /v1/vault/{digest}`): what is stored, what is refused, and that a
//! refusal leaves nothing behind.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestChain;
use tower::ServiceExt as _;
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::read_auth::SignedRead;
use xianjie_node::dev::DEV_CHAIN_ID;

/// Sends a signed request and returns status and raw body.
async fn signed_raw(
    chain: &TestChain,
    method: Method,
    uri: &str,
    body: Vec<u8>,
    key: Option<&SecretKey>,
) -> (StatusCode, Vec<u8>) {
    let mut builder = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header("content-type", "application/octet-stream")
        .header("content-length", body.len().to_string());
    if let Some(key) = key {
        let read = SignedRead::sign(key, DEV_CHAIN_ID, method.as_str(), uri, common::now_ms());
        for (name, value) in read.headers() {
            builder = builder.header(name, value);
        }
    }
    let response = chain
        .router()
        .oneshot(builder.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

fn code(body: &[u8]) -> String {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    json["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn vault_files(chain: &TestChain) -> Vec<std::path::PathBuf> {
    let root = chain.dir.path().join("home").join("vault");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test]
async fn anchored_evidence_is_stored_once_and_read_under_the_policies() {
    let chain = TestChain::start().await;
    let file = b"seizure record, page 1 of 1".to_vec();
    let digest = chain.anchor("market", &file).await;
    let market = chain.key("market", "officer");

    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        "/v1/vault",
        file.clone(),
        Some(&market),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let stored: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(stored["digest"], digest.to_hex().as_str());
    assert_eq!(stored["stored"], "new");
    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        "/v1/vault",
        file.clone(),
        Some(&market),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["stored"],
        "existing"
    );
    assert_eq!(vault_files(&chain).len(), 1);

    // A procuratorate reads every record; the police, no party, may not.
    let uri = format!("/v1/vault/{digest}");
    let (status, body) = signed_raw(
        &chain,
        Method::GET,
        &uri,
        Vec::new(),
        Some(&chain.key("procuratorate", "officer")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, file);
    let (status, body) = signed_raw(
        &chain,
        Method::GET,
        &uri,
        Vec::new(),
        Some(&chain.key("police", "officer")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "read_denied");
    let (status, body) = signed_raw(&chain, Method::GET, &uri, Vec::new(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unsigned_read");

    // Anchored but never uploaded: the dev node has no other node to ask.
    let other = chain.anchor("market", b"never uploaded").await;
    let (status, body) = signed_raw(
        &chain,
        Method::GET,
        &format!("/v1/vault/{other}"),
        Vec::new(),
        Some(&market),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_in_vault");
}

#[tokio::test]
async fn refused_uploads_leave_nothing_in_the_vault() {
    let chain = TestChain::start_with(|config| config.vault.max_file_bytes = 1000).await;
    let market = chain.key("market", "officer");

    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        "/v1/vault",
        b"not evidence".to_vec(),
        Some(&market),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(code(&body), "not_anchored");

    let file = b"the anchored file".to_vec();
    let digest = chain.anchor("market", &file).await;
    // Named, the digest is checked against the policies before the body is
    // read; an anchored one the officer may read, then the content.
    let wrong = chain.anchor("market", b"something else").await;
    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        &format!("/v1/vault?digest={wrong}"),
        file.clone(),
        Some(&market),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&body), "digest_mismatch");

    // The police may not read the market regulator's loose record, so may
    // not store it either.
    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        &format!("/v1/vault?digest={digest}"),
        file.clone(),
        Some(&chain.key("police", "officer")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "read_denied");

    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        "/v1/vault",
        vec![0; 1001],
        Some(&market),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code(&body), "file_too_large");

    let (status, body) = signed_raw(&chain, Method::PUT, "/v1/vault", file.clone(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&body), "unsigned_read");

    assert_eq!(vault_files(&chain), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn an_upload_that_would_eat_the_disk_reserve_is_refused() {
    let chain = TestChain::start_with(|config| config.vault.min_free_bytes = u64::MAX).await;
    let file = b"evidence".to_vec();
    chain.anchor("market", &file).await;
    let (status, body) = signed_raw(
        &chain,
        Method::PUT,
        "/v1/vault",
        file,
        Some(&chain.key("market", "officer")),
    )
    .await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(code(&body), "disk_full");
    assert!(vault_files(&chain).is_empty());
}

/// A body that sends `first` and then nothing, never ending.
fn stalling_body(first: &'static [u8]) -> Body {
    use libp2p::futures::stream::{self, StreamExt as _};
    let stream =
        stream::once(async move { Ok::<_, std::io::Error>(bytes::Bytes::from_static(first)) })
            .chain(stream::pending());
    Body::from_stream(stream)
}

/// Sends a signed `PUT uri` with `body`; `None` if no answer came in `wait`.
async fn put_signed(
    chain: &TestChain,
    uri: &str,
    body: Body,
    key: &SecretKey,
    wait: std::time::Duration,
) -> Option<(StatusCode, Vec<u8>)> {
    let read = SignedRead::sign(key, DEV_CHAIN_ID, "PUT", uri, common::now_ms());
    let mut builder = Request::builder()
        .method(Method::PUT)
        .uri(uri)
        .header("content-type", "application/octet-stream");
    for (name, value) in read.headers() {
        builder = builder.header(name, value);
    }
    let response = tokio::time::timeout(wait, chain.router().oneshot(builder.body(body).unwrap()))
        .await
        .ok()?
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Some((status, bytes.to_vec()))
}

#[tokio::test]
async fn an_upload_naming_a_digest_the_officer_may_not_read_is_refused_before_its_body() {
    let chain = TestChain::start().await;
    let file = b"the market regulator's loose record".to_vec();
    let digest = chain.anchor("market", &file).await;
    // The body never ends: only a refusal that does not wait for it answers.
    let answer = put_signed(
        &chain,
        &format!("/v1/vault?digest={digest}"),
        stalling_body(b"the market"),
        &chain.key("police", "officer"),
        std::time::Duration::from_secs(5),
    )
    .await
    .expect("refused without reading the body");
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    assert_eq!(code(&answer.1), "read_denied");
    let unanchored = file_digest(b"never anchored");
    let answer = put_signed(
        &chain,
        &format!("/v1/vault?digest={unanchored}"),
        stalling_body(b"never"),
        &chain.key("market", "officer"),
        std::time::Duration::from_secs(5),
    )
    .await
    .expect("refused without reading the body");
    assert_eq!(answer.0, StatusCode::NOT_FOUND);
    assert_eq!(code(&answer.1), "not_anchored");
    assert!(vault_files(&chain).is_empty());
}

#[tokio::test]
async fn an_upload_that_stops_sending_is_abandoned_and_leaves_nothing() {
    let chain = TestChain::start_with(|config| {
        config.api.commit_wait = std::time::Duration::from_secs(1);
        config.api.request_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    assert_upload_abandoned(
        &chain,
        b"a long video, trickled",
        stalling_body(b"a long video"),
        "upload_stalled",
    )
    .await;
}

/// Uploads `body` as the market's officer for a file it anchored, and
/// insists the node gives up on it with 408 `expected` and keeps nothing.
async fn assert_upload_abandoned(chain: &TestChain, file: &[u8], body: Body, expected: &str) {
    let digest = chain.anchor("market", file).await;
    let answer = put_signed(
        chain,
        &format!("/v1/vault?digest={digest}"),
        body,
        &chain.key("market", "officer"),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("an abandoned upload is answered");
    assert_eq!(
        answer.0,
        StatusCode::REQUEST_TIMEOUT,
        "{}",
        String::from_utf8_lossy(&answer.1)
    );
    assert_eq!(code(&answer.1), expected);
    assert!(vault_files(chain).is_empty(), "{:?}", vault_files(chain));
}

/// A body that sends `burst` at once, then `piece` every `pause`, for ever:
/// never idle long enough to be called stalled.
fn trickling_body(burst: Vec<u8>, piece: &'static [u8], pause: std::time::Duration) -> Body {
    use libp2p::futures::stream::{self, StreamExt as _};
    let trickle = stream::unfold((), move |()| async move {
        tokio::time::sleep(pause).await;
        Some((
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(piece)),
            (),
        ))
    });
    let stream = stream::once(async move { Ok(bytes::Bytes::from(burst)) }).chain(trickle);
    Body::from_stream(stream.boxed())
}

#[tokio::test]
async fn an_upload_trickled_below_the_floor_is_cut_off_and_leaves_nothing() {
    let chain = TestChain::start_with(|config| {
        config.api.commit_wait = std::time::Duration::from_millis(500);
        config.api.request_timeout = std::time::Duration::from_secs(1);
        config.vault.min_upload_bytes_per_sec = 1000;
    })
    .await;
    // A 256 KiB burst, which would keep an average since the start above the
    // floor for minutes, then 10 bytes every 200 ms: never idle for a whole
    // second, 50 bytes/s.
    assert_upload_abandoned(
        &chain,
        b"a long video, trickled a byte at a time",
        trickling_body(
            vec![7; 256 * 1024],
            b"a long vid",
            std::time::Duration::from_millis(200),
        ),
        "upload_too_slow",
    )
    .await;
}

#[tokio::test]
async fn a_refused_upload_never_removes_what_an_allowed_one_stored() {
    let chain = TestChain::start().await;
    let market = chain.key("market", "officer");
    let police = chain.key("police", "officer");
    for round in 0..20u32 {
        let file = format!("seized ledger, page {round}").into_bytes();
        let digest = chain.anchor("market", &file).await;
        // The police may not read the record: their upload of the same
        // content, at the same moment, is refused and must leave the
        // market's stored file in place.
        let (allowed, refused) = tokio::join!(
            signed_raw(
                &chain,
                Method::PUT,
                "/v1/vault",
                file.clone(),
                Some(&market)
            ),
            signed_raw(
                &chain,
                Method::PUT,
                "/v1/vault",
                file.clone(),
                Some(&police)
            ),
        );
        assert!(
            allowed.0 == StatusCode::CREATED || allowed.0 == StatusCode::OK,
            "round {round}: {}",
            String::from_utf8_lossy(&allowed.1)
        );
        assert_eq!(refused.0, StatusCode::FORBIDDEN, "round {round}");
        let (status, body) = signed_raw(
            &chain,
            Method::GET,
            &format!("/v1/vault/{digest}"),
            Vec::new(),
            Some(&market),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "round {round}: {}", code(&body));
        assert_eq!(body, file, "round {round}");
    }
}

#[tokio::test]
async fn malformed_vault_queries_and_paths_are_json_errors() {
    let chain = TestChain::start().await;
    let market = chain.key("market", "officer");
    let digest = file_digest(b"x");
    let reply = chain
        .request_as(
            Method::PUT,
            &format!("/v1/vault?digest={digest}&digest={digest}"),
            b"x".to_vec(),
            &market,
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "bad_query"),
        "{}",
        reply.json
    );
    let reply = chain.get_as("/v1/vault/%FF%FE", &market).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "bad_path"),
        "{}",
        reply.json
    );
    let reply = chain.get_as("/v1/vault/abc", &market).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "bad_digest"),
        "{}",
        reply.json
    );
}
