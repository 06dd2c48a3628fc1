//! What unsigned or malformed reads may not reach: the fields of a
//! transaction behind the policy-gated endpoints, the inspection index's own
//! pages, and an evidence record behind a percent-encoded digest.

mod common;

use axum::http::StatusCode;
use common::{anchor_call, signed, TestChain};
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::tx::{Call, OpenCase};

/// A shop's 统一社会信用代码 (synthetic, valid under GB 32100).
const SHOP: &str = "91330100MA2H3K4L50";
const TITLE: &str = "超市销售过期食品";

#[tokio::test]
async fn a_transaction_by_hash_shows_its_kind_but_not_its_fields() {
    let chain = TestChain::start().await;
    let market = chain.key("market", "officer");
    let open = signed(
        &market,
        Call::OpenCase(OpenCase {
            title: TITLE.into(),
            entity: SHOP.into(),
            domain: "food_drug".into(),
            lead: xianjie_ledger::case::LeadSource {
                kind: xianjie_ledger::case::LeadKind::Complaint,
                reference: None,
            },
        }),
    );
    let committed = chain.submit_ok(&open).await;
    let height = committed.json["height"].clone();

    let reply = chain.get(&format!("/v1/txs/{}", open.hash())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(
        reply.json,
        serde_json::json!({
            "hash": open.hash().to_hex(),
            "status": "committed",
            "height": height,
            "index": 0,
            "outcome": {"status": "ok"},
            "call": "open_case",
        })
    );
    let text = reply.json.to_string();
    for secret in [TITLE, SHOP] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }

    let doc = chain.get("/v1/openapi.json").await.json;
    let view = &doc["components"]["schemas"]["TxView"]["properties"];
    assert!(view["call"].is_object(), "{view}");
    assert!(view.get("tx").is_none(), "{view}");
}

#[tokio::test]
async fn inspection_queries_with_a_malformed_entity_or_matter_are_bad_queries() {
    let chain = TestChain::start().await;
    chain.record_lab_inspection(SHOP, "GB2763-pesticide").await;
    let police = chain.key("police", "officer");
    let valid = chain
        .get_as(
            &format!("/v1/inspections?entity={SHOP}&matter=GB2763-pesticide"),
            &police,
        )
        .await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.json);
    assert_eq!(valid.json["results"].as_array().unwrap().len(), 1);

    // `…#p0` names page 0 of that matter's index, which used to be read as
    // an index of its own and answer 500 internal ("corrupt state").
    for (query, names) in [
        (
            format!("entity={SHOP}&matter=GB2763-pesticide%23p0"),
            "`matter`",
        ),
        (format!("entity={SHOP}&matter="), "`matter`"),
        (format!("entity={SHOP}&matter=a%2Fb"), "`matter`"),
        (
            format!("entity={SHOP}&matter={}", "m".repeat(49)),
            "`matter`",
        ),
        ("entity=91330100MA2H3K4L51".to_owned(), "`entity`"),
        ("entity=not-a-code%23p0".to_owned(), "`entity`"),
    ] {
        let reply = chain
            .get_as(&format!("/v1/inspections?{query}"), &police)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "bad_query"),
            "{query}: {}",
            reply.json
        );
        let message = reply.json["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{query}: {message}");
    }
}

#[tokio::test]
async fn a_percent_encoded_evidence_digest_is_refused_before_the_handler() {
    let chain = TestChain::start().await;
    // A file whose digest starts with `a`, so that `%61` can stand for it.
    let file = (0u32..)
        .map(|i| format!("till records {i}").into_bytes())
        .find(|file| file_digest(file).to_hex().starts_with('a'))
        .unwrap();
    let market = chain.key("market", "officer");
    let market_colleague = chain.key("market", "officer2");
    let digest = file_digest(&file);
    chain
        .submit_ok(&signed(
            &market,
            anchor_call(&market, &market_colleague, digest),
        ))
        .await;
    let hex = digest.to_hex();
    let encoded = format!("/v1/evidence/%61{}", &hex[1..]);

    // The laboratory may not read the record; spelled plainly, it is refused.
    let lab = chain.key("lab", "officer");
    let plain = chain.get_as(&format!("/v1/evidence/{hex}"), &lab).await;
    assert_eq!(plain.code(), "read_denied", "{}", plain.json);
    // Spelled with `%61`, correctly signed over that raw path, it must not
    // reach the handler, whose extractor would decode it to the digest.
    for path in [
        encoded.clone(),
        format!("{encoded}/proof"),
        format!("{encoded}/receipt"),
    ] {
        for key in [&lab, &market] {
            let reply = chain.get_as(&path, key).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::BAD_REQUEST, "bad_digest"),
                "{path}: {}",
                reply.json
            );
        }
    }
}
