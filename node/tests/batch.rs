//! `POST /v1/txs/batch`: each transaction of a batch is judged exactly as
//! `POST /v1/txs` judges it, on its own; only a body that is not a batch is
//! refused as a whole.

mod common;

use axum::http::{Method, StatusCode};
use common::{anchor_call, signed, signed_for, Reply, TestChain};
use serde_json::Value;
use xianjie_ledger::codec;
use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::hash::file_digest;
use xianjie_ledger::tx::{Call, RevokeOfficer, SignedTx};
use xianjie_node::mempool::{TxBatchBody, MAX_BATCH_BYTES, MAX_BATCH_TXS};

async fn submit_batch(chain: &TestChain, txs: Vec<Vec<u8>>) -> Reply {
    let body = codec::encode(&TxBatchBody { txs });
    chain.request(Method::POST, "/v1/txs/batch", body).await
}

fn results(reply: &Reply) -> &Vec<Value> {
    reply.json["results"].as_array().expect("results")
}

/// Polls `GET /v1/txs/{hash}` until the transaction is committed.
async fn committed(chain: &TestChain, tx: &SignedTx) -> Value {
    for _ in 0..3_000 {
        let reply = chain.get(&format!("/v1/txs/{}", tx.hash())).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        if reply.json["status"] == "committed" {
            return reply.json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("transaction {} was never committed", tx.hash());
}

#[tokio::test]
async fn each_transaction_of_a_batch_is_admitted_or_refused_on_its_own() {
    let chain = TestChain::start().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let first = signed(
        &key,
        anchor_call(&key, &colleague, file_digest(b"batch one")),
    );
    let second = signed(
        &key,
        anchor_call(&key, &colleague, file_digest(b"batch two")),
    );
    let mut forged = signed(
        &key,
        anchor_call(&key, &colleague, file_digest(b"batch forged")),
    );
    forged.signature.0[3] ^= 0x01;
    let other_chain = signed_for(
        "xianjie-other",
        &key,
        anchor_call(&key, &colleague, file_digest(b"batch other chain")),
    );
    let stranger = SecretKey::from_bytes(&[42; 32]);
    let unknown = signed(
        &stranger,
        anchor_call(&stranger, &stranger, file_digest(b"batch stranger")),
    );
    let mut trailing = codec::encode(&second);
    trailing.push(0);

    let reply = submit_batch(
        &chain,
        vec![
            codec::encode(&first),
            b"not a transaction".to_vec(),
            codec::encode(&forged),
            codec::encode(&other_chain),
            codec::encode(&first),
            codec::encode(&unknown),
            trailing,
            codec::encode(&second),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["admitted"], 2);
    assert_eq!(reply.json["refused"], 6);
    let outcomes = results(&reply);
    let expected: [(u64, Option<&str>, Option<&SignedTx>); 8] = [
        (202, None, Some(&first)),
        (400, Some("malformed_tx"), None),
        (401, Some("bad_signature"), Some(&forged)),
        (400, Some("wrong_chain"), Some(&other_chain)),
        (409, Some("duplicate_tx"), Some(&first)),
        (403, Some("unknown_signer"), Some(&unknown)),
        (400, Some("malformed_tx"), None),
        (202, None, Some(&second)),
    ];
    assert_eq!(outcomes.len(), expected.len());
    for (i, (result, (status, code, tx))) in outcomes.iter().zip(expected).enumerate() {
        assert_eq!(result["status"], status, "result {i}: {result}");
        match code {
            None => assert!(result.get("error").is_none(), "result {i}: {result}"),
            Some(code) => {
                assert_eq!(result["error"]["code"], code, "result {i}: {result}");
                assert!(result["error"]["message"].as_str().is_some());
            }
        }
        match tx {
            Some(tx) => assert_eq!(result["hash"], tx.hash().to_hex(), "result {i}"),
            None => assert!(result.get("hash").is_none(), "result {i}: {result}"),
        }
    }

    // The admitted ones commit like any other; sent again, they are duplicates.
    assert_eq!(committed(&chain, &first).await["outcome"]["status"], "ok");
    assert_eq!(committed(&chain, &second).await["outcome"]["status"], "ok");
    let again = submit_batch(&chain, vec![codec::encode(&second)]).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert_eq!(again.json["admitted"], 0);
    assert_eq!(results(&again)[0]["status"], 409);
    assert_eq!(results(&again)[0]["error"]["code"], "duplicate_tx");
    let evidence = chain.evidence(&file_digest(b"batch two")).await;
    assert_eq!(evidence.status, StatusCode::OK, "{}", evidence.json);
}

/// A batch reads the state through one memo; the next batch reads it
/// afresh, so a revocation committed between two batches is seen.
#[tokio::test]
async fn each_batch_judges_its_signers_against_the_state_when_it_arrives() {
    let chain = TestChain::start().await;
    let admin = chain.key("police", "admin");
    let officer = chain.key("police", "officer2");
    let colleague = chain.key("police", "officer");
    let before = signed(
        &officer,
        anchor_call(
            &officer,
            &colleague,
            file_digest(b"batch before revocation"),
        ),
    );
    let by_colleague = signed(
        &colleague,
        anchor_call(&colleague, &officer, file_digest(b"batch by a colleague")),
    );
    let reply = submit_batch(
        &chain,
        vec![codec::encode(&before), codec::encode(&by_colleague)],
    )
    .await;
    assert_eq!(reply.json["admitted"], 2, "{}", reply.json);
    committed(&chain, &before).await;

    let revoke = Call::RevokeOfficer(RevokeOfficer {
        officer: officer.public_key().id(),
    });
    chain.submit_ok(&signed(&admin, revoke)).await;
    let after = signed(
        &officer,
        anchor_call(&officer, &colleague, file_digest(b"batch after revocation")),
    );
    let still_active = signed(
        &colleague,
        anchor_call(&colleague, &admin, file_digest(b"batch colleague again")),
    );
    let reply = submit_batch(
        &chain,
        vec![codec::encode(&after), codec::encode(&still_active)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let outcomes = results(&reply);
    assert_eq!(outcomes[0]["status"], 403, "{}", reply.json);
    assert_eq!(outcomes[0]["error"]["code"], "revoked_signer");
    assert_eq!(outcomes[1]["status"], 202, "{}", reply.json);
}

#[tokio::test]
async fn a_full_mempool_refuses_the_rest_of_a_batch_with_503() {
    let chain = TestChain::start_with(|config| config.mempool.max_txs = 2).await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let txs: Vec<SignedTx> = (0..3u8)
        .map(|i| signed(&key, anchor_call(&key, &colleague, file_digest(&[b'f', i]))))
        .collect();
    let reply = submit_batch(&chain, txs.iter().map(codec::encode).collect()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let outcomes = results(&reply);
    assert_eq!(outcomes[0]["status"], 202);
    assert_eq!(outcomes[1]["status"], 202);
    assert_eq!(outcomes[2]["status"], 503);
    assert_eq!(outcomes[2]["error"]["code"], "mempool_full");
    // The room check before decoding ran for the whole batch before any
    // insertion (the batch's signatures are checked together between the
    // two), so insertion found the mempool full at the third, which decoded
    // and is named.
    assert_eq!(
        outcomes[2]["hash"],
        txs[2].hash().to_hex(),
        "{}",
        outcomes[2]
    );
    committed(&chain, &txs[1]).await;
}

#[tokio::test]
async fn an_empty_batch_admits_nothing() {
    let chain = TestChain::start().await;
    let reply = submit_batch(&chain, Vec::new()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["admitted"], 0);
    assert!(results(&reply).is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_a_batch_is_refused_whole() {
    let chain = TestChain::start().await;
    let before = chain.height_and_root().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let tx = signed(&key, anchor_call(&key, &colleague, file_digest(b"whole")));
    let mut trailing = codec::encode(&TxBatchBody {
        txs: vec![codec::encode(&tx)],
    });
    trailing.push(0);
    // A single transaction's bytes are not a batch of it.
    for body in [
        Vec::new(),
        b"garbage".to_vec(),
        trailing,
        codec::encode(&tx),
    ] {
        let reply = chain.request(Method::POST, "/v1/txs/batch", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
        assert_eq!(reply.code(), "bad_body");
    }
    assert_eq!(chain.height_and_root().await, before);
    assert_eq!(chain.status().await["mempool_size"], 0);
}

#[tokio::test]
async fn batches_over_the_count_or_size_limit_are_refused_whole() {
    let chain = TestChain::start().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let tx = codec::encode(&signed(
        &key,
        anchor_call(&key, &colleague, file_digest(b"limit")),
    ));

    let too_many = submit_batch(&chain, vec![tx.clone(); MAX_BATCH_TXS + 1]).await;
    assert_eq!(
        too_many.status,
        StatusCode::BAD_REQUEST,
        "{}",
        too_many.json
    );
    assert_eq!(too_many.code(), "bad_body");
    assert!(too_many.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&MAX_BATCH_TXS.to_string()));

    // Just over the byte limit, and far over it (cut off while streaming).
    for len in [MAX_BATCH_BYTES + 1, 3 * MAX_BATCH_BYTES] {
        let reply = chain
            .request(Method::POST, "/v1/txs/batch", vec![1; len])
            .await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            reply.json
        );
        assert_eq!(reply.code(), "body_too_large");
        assert!(reply.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&MAX_BATCH_BYTES.to_string()));
    }
    assert_eq!(chain.status().await["mempool_size"], 0);

    // The largest batch by count is accepted.
    let key = chain.key("police", "officer");
    let colleague = chain.key("police", "officer2");
    let full: Vec<Vec<u8>> = (0..MAX_BATCH_TXS as u32)
        .map(|i| {
            codec::encode(&signed(
                &key,
                anchor_call(&key, &colleague, file_digest(&i.to_be_bytes())),
            ))
        })
        .collect();
    let reply = submit_batch(&chain, full).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["admitted"], MAX_BATCH_TXS);
}

#[tokio::test]
async fn a_batch_announcing_too_many_transactions_is_refused_before_decoding() {
    let chain = TestChain::start().await;
    // The attack body: a count of about four million, then that many empty
    // transactions (one 0x00 length byte each), just within 4 MiB. Decoding
    // it first would allocate some 100 MB of vectors.
    let count = MAX_BATCH_BYTES - 8;
    let mut flood = vec![codec::FORMAT_VERSION];
    let mut rest = count;
    loop {
        let byte = (rest & 0x7f) as u8;
        rest >>= 7;
        if rest == 0 {
            flood.push(byte);
            break;
        }
        flood.push(byte | 0x80);
    }
    let announced_only = flood.clone();
    flood.resize(flood.len() + count, 0);
    assert!(flood.len() <= MAX_BATCH_BYTES);
    // The same count with nothing after it: refused for its count, which
    // shows the count is judged before the body is decoded.
    for body in [flood, announced_only] {
        let reply = chain.request(Method::POST, "/v1/txs/batch", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
        assert_eq!(reply.code(), "bad_body");
        let message = reply.json["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!(
                "holds {count} transactions; the limit is {MAX_BATCH_TXS}"
            )),
            "{message}"
        );
    }
    assert_eq!(chain.status().await["mempool_size"], 0);
}

#[tokio::test]
async fn the_openapi_document_lists_the_batch_endpoint() {
    let chain = TestChain::start().await;
    let reply = chain.get("/v1/openapi.json").await;
    let batch = &reply.json["paths"]["/v1/txs/batch"]["post"];
    assert!(batch.is_object(), "{}", reply.json["paths"]);
    for status in ["200", "400", "413"] {
        assert!(batch["responses"][status].is_object(), "{status}");
    }
}
