//! `GET /livez` and `GET /readyz`: for process supervisors and load balancers.
//!
//! Liveness says only that the process serves HTTP; restart the node when it
//! fails. Readiness says whether this node's answers are current: its store
//! reads, its consensus network listens (network nodes), and its latest
//! block is recent. Take the node out of rotation while it fails; do not
//! restart it for that (a node catching up needs time, not a restart).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::{ApiError, AppState};
use crate::status::NetworkStatus;
pub use xianjie_api::health::{Liveness, Readiness, ReadinessCheck};

/// Whether the process is up.
#[utoipa::path(
    get,
    path = "/livez",
    tag = "health",
    responses((status = 200, description = "the process serves HTTP (it never answers otherwise)", body = Liveness))
)]
pub async fn livez() -> Json<Liveness> {
    Json(Liveness { live: true })
}

/// Whether this node's answers are current.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "ready: every check passes", body = Readiness),
        (status = 503, description = "not ready: the checks with `ok: false` say which condition fails", body = Readiness),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut checks = vec![store_check(&state).await];
    let tip_time_ms = state.tip().time_ms;
    let max_age_ms =
        u64::try_from(state.shared().config.ready_max_block_age.as_millis()).unwrap_or(u64::MAX);
    match &state.shared().network {
        Some(network) => checks.extend(network_checks(
            network,
            state.shared().clock.now_ms(),
            tip_time_ms,
            max_age_ms,
        )),
        None => checks.push(ReadinessCheck::new(
            "caught_up",
            true,
            "a dev node makes its own blocks: it is never behind".into(),
        )),
    }
    let ready = checks.iter().all(|check| check.ok);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Readiness { ready, checks }))
}

/// The store answers a read of its genesis hash and tip, and the genesis is
/// the one this node runs.
async fn store_check(state: &AppState) -> ReadinessCheck {
    let expected = state.genesis_hash();
    let read = state
        .blocking(move |shared| {
            let genesis = shared.store.genesis_hash().map_err(ApiError::from)?;
            let tip = shared.store.tip().map_err(ApiError::from)?;
            Ok((genesis, tip))
        })
        .await;
    match read {
        Ok((Some(genesis), tip)) if genesis == expected => ReadinessCheck::new(
            "store",
            true,
            format!("open; tip at height {}", tip.unwrap_or(0)),
        ),
        Ok((genesis, _)) => ReadinessCheck::new(
            "store",
            false,
            format!(
                "the store holds genesis {}, not {expected}; stop the node and check its data directory",
                genesis.map_or_else(|| "none".to_owned(), |hash| hash.to_hex())
            ),
        ),
        Err(error) => {
            tracing::error!(?error, "readiness: reading the store failed");
            ReadinessCheck::new(
            "store",
            false,
                "reading the store failed (see the node's log); stop the node and check its data directory"
                    .into(),
            )
        }
    }
}

/// The consensus network listens, and the latest block (at `tip_time_ms`)
/// is at most `max_age_ms` old at `now_ms` with no sync in progress.
fn network_checks(
    network: &NetworkStatus,
    now_ms: u64,
    tip_time_ms: u64,
    max_age_ms: u64,
) -> [ReadinessCheck; 2] {
    let listening = if network.consensus_listening() {
        ReadinessCheck::new("consensus_listening", true, "listening".into())
    } else {
        ReadinessCheck::new(
            "consensus_listening",
            false,
            "the consensus network is not running: this node hears no votes or blocks; \
             restart it and read its log"
                .into(),
        )
    };
    let age_ms = now_ms.saturating_sub(tip_time_ms);
    let sync = network.sync_state();
    let caught_up = if sync != "caught_up" {
        ReadinessCheck::new("caught_up", false, format!("sync state is {sync}"))
    } else if age_ms > max_age_ms {
        ReadinessCheck::new(
            "caught_up",
            false,
            format!(
                "the latest block is {age_ms} ms old, more than api.ready_max_block_age \
                 ({max_age_ms} ms): this node, or the network, is not committing blocks; \
                 /v1/status shows its peers and unconnected validators"
            ),
        )
    } else {
        ReadinessCheck::new(
            "caught_up",
            true,
            format!("the latest block is {age_ms} ms old"),
        )
    };
    [listening, caught_up]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_names(checks: &[ReadinessCheck]) -> Vec<(&str, bool)> {
        checks
            .iter()
            .map(|check| (check.name.as_str(), check.ok))
            .collect()
    }

    #[test]
    fn a_network_node_is_ready_only_listening_and_with_a_recent_block() {
        let network = NetworkStatus::new("n".into(), "p".into());
        let checks = network_checks(&network, 10_000, 9_000, 5_000);
        assert_eq!(
            ok_names(&checks),
            [("consensus_listening", false), ("caught_up", false)]
        );
        assert!(checks[1].detail.contains("not_listening"), "{checks:?}");
        network.set_consensus_listening(true);
        let checks = network_checks(&network, 10_000, 9_000, 5_000);
        assert_eq!(
            ok_names(&checks),
            [("consensus_listening", true), ("caught_up", true)]
        );
        let checks = network_checks(&network, 10_000, 4_000, 5_000);
        assert_eq!(
            ok_names(&checks),
            [("consensus_listening", true), ("caught_up", false)]
        );
        assert!(
            checks[1].detail.contains("api.ready_max_block_age"),
            "{checks:?}"
        );
        network.synced_one();
        let checks = network_checks(&network, 10_000, 9_000, 5_000);
        assert_eq!(checks[1].detail, "sync state is syncing");
    }
}
