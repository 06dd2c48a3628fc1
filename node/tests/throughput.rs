//! A rough local measurement, not a pass/fail test:
//! `cargo test -p xianjie-node --release --test throughput -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use axum::http::{Method, StatusCode};
use common::{anchor_call, signed, TestChain};
use xianjie_ledger::codec;
use xianjie_ledger::hash::file_digest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run by hand"]
async fn anchors_per_second_through_the_router() {
    const CLIENTS: u32 = 64;
    const PER_CLIENT: u32 = 50;
    let chain = TestChain::start().await;
    let key = chain.key("market", "officer");
    let colleague = chain.key("market", "officer2");
    let start_height = chain.status().await["height"].as_u64().unwrap();
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        let router = chain.router();
        let key = key.clone();
        let colleague = colleague.clone();
        clients.spawn(async move {
            for i in 0..PER_CLIENT {
                let digest = file_digest(format!("{client}/{i}").as_bytes());
                let body = codec::encode(&signed(&key, anchor_call(&key, &colleague, digest)));
                let reply =
                    common::send(router.clone(), Method::POST, "/v1/txs?wait=true", body).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
            }
        });
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let blocks = chain.status().await["height"].as_u64().unwrap() - start_height;
    let txs = f64::from(CLIENTS * PER_CLIENT);
    println!(
        "{txs} anchors in {elapsed:.2} s: {:.0} tx/s, {blocks} blocks ({:.1} blocks/s, {:.1} tx/block)",
        txs / elapsed,
        blocks as f64 / elapsed,
        txs / blocks as f64
    );
}
