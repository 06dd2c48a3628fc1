//! `GET /v1/evidence/{digest}` and `GET /v1/evidence/{digest}/proof`.
//!
//! The proof bundle lets anyone holding the validator set (from the genesis)
//! check, without trusting this node, that the record is in the state under
//! a committed header and that its anchoring and custody transactions are in
//! committed blocks. [`EvidenceProof::verify`] is that check.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xianjie_ledger::block::{Commit, CommitError, Header};
use xianjie_ledger::codec;
use xianjie_ledger::error::{CodecError, ProofError};
use xianjie_ledger::merkle::{self, InclusionProof};
use xianjie_ledger::model::EvidenceRecord;
use xianjie_ledger::state::{keys, StateProof};
use xianjie_ledger::tx::SignedTx;
use xianjie_ledger::validators::ValidatorSet;
use xianjie_ledger::Hash;
use xianjie_store::Store;

use super::{parse_hash, ApiError, AppState, ErrorBody, Shared};
use crate::chain::read_validator_set;

/// The state proof of the evidence record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StateEntryProof {
    /// The state key, hex.
    pub key: String,
    /// The canonical `EvidenceRecord`, hex.
    pub value: String,
    /// The canonical `StateProof`, hex.
    pub proof: String,
}

/// A transaction and the proof that it is in a committed block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TxInclusion {
    /// The canonical `SignedTx`, hex.
    pub tx: String,
    /// Its hash, hex.
    pub tx_hash: String,
    /// Height of its block.
    pub height: u64,
    /// Position in the block.
    pub index: u32,
    /// Header of its block.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Commit certificate of its block.
    #[schema(value_type = Object)]
    pub commit: Commit,
    /// RFC 6962 inclusion proof against `header.tx_root`.
    #[schema(value_type = Object)]
    pub inclusion: InclusionProof,
}

/// Proofs of an evidence record and of its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceProof {
    /// The evidence digest (BLAKE3 of the file), hex.
    pub digest: String,
    /// The height the state proof is against (the tip when asked).
    pub height: u64,
    /// Header at that height.
    #[schema(value_type = Object)]
    pub header: Header,
    /// Its hash, hex.
    pub block_hash: String,
    /// Its commit certificate.
    #[schema(value_type = Object)]
    pub commit: Commit,
    /// The validator set that committed it.
    #[schema(value_type = Object)]
    pub validators: ValidatorSet,
    /// The record and its state proof against `header.state_root`.
    pub state: StateEntryProof,
    /// The anchoring transaction.
    pub anchor: TxInclusion,
    /// One entry per custody event, oldest first.
    pub custody: Vec<TxInclusion>,
}

/// Why a proof bundle does not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofCheckError {
    /// A hex field is not hex.
    #[error("field {field} is not hex")]
    Hex {
        /// The field.
        field: &'static str,
    },
    /// A field does not decode.
    #[error("field {field}: {source}")]
    Decode {
        /// The field.
        field: &'static str,
        /// Why.
        source: CodecError,
    },
    /// A header is not committed by the trusted validators.
    #[error("header at height {height}: {source}")]
    Commit {
        /// Its height.
        height: u64,
        /// Why.
        source: CommitError,
    },
    /// A Merkle or state proof fails.
    #[error("{what}: {source}")]
    Proof {
        /// Which proof.
        what: &'static str,
        /// Why.
        source: ProofError,
    },
    /// Fields that must agree do not.
    #[error("inconsistent bundle: {0}")]
    Inconsistent(&'static str),
}

impl EvidenceProof {
    /// Checks every proof in the bundle against `trusted` validators (from
    /// the genesis, not from the bundle) using the ledger's verify functions.
    pub fn verify(&self, trusted: &ValidatorSet) -> Result<EvidenceRecord, ProofCheckError> {
        let digest =
            Hash::from_hex(&self.digest).map_err(|_| ProofCheckError::Hex { field: "digest" })?;
        if self.header.hash().to_hex() != self.block_hash || self.header.height != self.height {
            return Err(ProofCheckError::Inconsistent(
                "block_hash or height does not match the header",
            ));
        }
        verify_committed(&self.header, &self.commit, trusted)?;
        let key = from_hex(&self.state.key, "state.key")?;
        if key != keys::evidence(&digest) {
            return Err(ProofCheckError::Inconsistent(
                "state.key is not the key of this digest",
            ));
        }
        let value = from_hex(&self.state.value, "state.value")?;
        let proof: StateProof = decode(&self.state.proof, "state.proof")?;
        proof
            .verify(&self.header.state_root, &key, Some(&value))
            .map_err(|source| ProofCheckError::Proof {
                what: "state proof",
                source,
            })?;
        let record: EvidenceRecord =
            codec::decode(&value).map_err(|source| ProofCheckError::Decode {
                field: "state.value",
                source,
            })?;
        if record.anchor.digest != digest {
            return Err(ProofCheckError::Inconsistent(
                "the record is for another digest",
            ));
        }
        self.anchor.verify(&record.tx, trusted)?;
        if self.custody.len() != record.custody.len() {
            return Err(ProofCheckError::Inconsistent(
                "custody proofs do not match the record's events",
            ));
        }
        for (inclusion, event) in self.custody.iter().zip(&record.custody) {
            inclusion.verify(&event.tx, trusted)?;
        }
        Ok(record)
    }
}

impl TxInclusion {
    /// Checks that this is transaction `expected` and that it is in a block
    /// committed by `trusted`.
    pub fn verify(&self, expected: &Hash, trusted: &ValidatorSet) -> Result<(), ProofCheckError> {
        let tx: SignedTx = decode(&self.tx, "tx")?;
        let tx_hash = tx.hash();
        if &tx_hash != expected || tx_hash.to_hex() != self.tx_hash {
            return Err(ProofCheckError::Inconsistent(
                "tx is not the transaction the record names",
            ));
        }
        if self.header.height != self.height || self.inclusion.leaf_index != u64::from(self.index) {
            return Err(ProofCheckError::Inconsistent(
                "height or index does not match the proof",
            ));
        }
        verify_committed(&self.header, &self.commit, trusted)?;
        self.inclusion
            .verify(&tx_hash, &self.header.tx_root)
            .map_err(|source| ProofCheckError::Proof {
                what: "transaction inclusion proof",
                source,
            })
    }
}

fn verify_committed(
    header: &Header,
    commit: &Commit,
    trusted: &ValidatorSet,
) -> Result<(), ProofCheckError> {
    if header.validators_hash != trusted.hash() {
        return Err(ProofCheckError::Inconsistent(
            "header names another validator set",
        ));
    }
    commit
        .verify(header, trusted)
        .map_err(|source| ProofCheckError::Commit {
            height: header.height,
            source,
        })
}

fn from_hex(text: &str, field: &'static str) -> Result<Vec<u8>, ProofCheckError> {
    hex::decode(text).map_err(|_| ProofCheckError::Hex { field })
}

fn decode<T: codec::Canonical>(text: &str, field: &'static str) -> Result<T, ProofCheckError> {
    codec::decode(&from_hex(text, field)?)
        .map_err(|source| ProofCheckError::Decode { field, source })
}

/// An anchored evidence record: class, holder, custody history.
///
/// The body is the on-chain `EvidenceRecord` as JSON with `digest` added:
/// `digest, class ("A"/"B"/"C"), org, anchored_by, height, time_ms, tx,
/// holder, pending_transfer, custody [{action, org, officer, to, …}],
/// superseded_by, destroyed, anchor {…}`.
#[utoipa::path(
    get,
    path = "/v1/evidence/{digest}",
    tag = "evidence",
    params(("digest" = String, Path, description = "BLAKE3 of the file, 64 hex characters (as b3sum prints it)")),
    responses(
        (status = 200, description = "the record", body = Object),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "not_anchored", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    ),
    security(("signed_read" = []), ("session" = []))
)]
pub async fn record(
    State(state): State<AppState>,
    digest: Result<Path<String>, PathRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let digest = parse_hash(&digest?.0)?;
    let record = state
        .blocking(move |shared| read_record(&shared.store, &digest))
        .await?
        .ok_or(ApiError::NotAnchored(digest))?;
    let mut json = serde_json::to_value(&record)
        .map_err(|error| ApiError::Internal(format!("evidence record to JSON: {error}")))?;
    if let Some(object) = json.as_object_mut() {
        object.insert("digest".into(), serde_json::Value::String(digest.to_hex()));
    }
    Ok(Json(json))
}

fn read_record(store: &Store, digest: &Hash) -> Result<Option<EvidenceRecord>, ApiError> {
    xianjie_contracts::read::evidence(store, digest)
        .map_err(|error| ApiError::Internal(format!("reading evidence {digest}: {error}")))
}

/// Proofs of an evidence record against the latest header.
///
/// Check it with the validator set of the genesis: the commit certificate
/// signs the header, the state proof shows the record under
/// `header.state_root`, and each transaction's inclusion proof shows it under
/// its own committed header's `tx_root`.
#[utoipa::path(
    get,
    path = "/v1/evidence/{digest}/proof",
    tag = "evidence",
    params(("digest" = String, Path, description = "BLAKE3 of the file, 64 hex characters")),
    responses(
        (status = 200, description = "the proof bundle", body = EvidenceProof),
        (status = 400, description = "bad_digest", body = ErrorBody),
        (status = 401, description = "unsigned_read, bad_read_signature, stale_read, future_read, replayed_read (a signed read serves one request), bad_session", body = ErrorBody),
        (status = 403, description = "read_denied, unknown_signer, revoked_signer", body = ErrorBody),
        (status = 404, description = "not_anchored", body = ErrorBody),
        (status = 503, description = "signed_reads_busy: the node's memory of fresh signed reads (kept to refuse replays) is full; retry shortly", body = ErrorBody),
    ),
    security(("signed_read" = []), ("session" = []))
)]
pub async fn proof(
    State(state): State<AppState>,
    digest: Result<Path<String>, PathRejection>,
) -> Result<Json<EvidenceProof>, ApiError> {
    let digest = parse_hash(&digest?.0)?;
    let height = state.tip().height;
    state
        .blocking(move |shared| build_proof(shared, digest, height))
        .await?
        .map(Json)
        .ok_or(ApiError::NotAnchored(digest))
}

/// Everything is read as of `height`, so the bundle is consistent even if a
/// block is committed meanwhile.
fn build_proof(
    shared: &Shared,
    digest: Hash,
    height: u64,
) -> Result<Option<EvidenceProof>, ApiError> {
    let store = &shared.store;
    let key = keys::evidence(&digest);
    let (value, state_proof) = store.state_proof(&key, height)?;
    let Some(value) = value else {
        return Ok(None);
    };
    let record: EvidenceRecord = codec::decode(&value).map_err(|error| {
        ApiError::Internal(format!("stored evidence {digest} does not decode: {error}"))
    })?;
    let (header, commit) = committed_header(store, height)?;
    let validators = read_validator_set(store)?;
    let anchor = tx_inclusion(store, &record.tx)?;
    let custody = record
        .custody
        .iter()
        .map(|event| tx_inclusion(store, &event.tx))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(EvidenceProof {
        digest: digest.to_hex(),
        height,
        block_hash: commit.block_hash.to_hex(),
        header,
        commit,
        validators,
        state: StateEntryProof {
            key: hex::encode(&key),
            value: hex::encode(&value),
            proof: hex::encode(codec::encode(&state_proof)),
        },
        anchor,
        custody,
    }))
}

fn committed_header(store: &Store, height: u64) -> Result<(Header, Commit), ApiError> {
    let missing = |what: &str| ApiError::Internal(format!("no {what} stored at height {height}"));
    let header = store.header(height)?.ok_or_else(|| missing("header"))?;
    let commit = store.commit(height)?.ok_or_else(|| missing("commit"))?;
    Ok((header, commit))
}

fn tx_inclusion(store: &Store, tx_hash: &Hash) -> Result<TxInclusion, ApiError> {
    let location = store
        .tx_location(tx_hash)?
        .ok_or_else(|| ApiError::Internal(format!("recorded tx {tx_hash} is not in any block")))?;
    let block = store.block(location.height)?.ok_or_else(|| {
        ApiError::Internal(format!("no block stored at height {}", location.height))
    })?;
    let index = location.index as usize;
    let inclusion = merkle::prove(&block.tx_hashes(), index).ok_or_else(|| {
        ApiError::Internal(format!(
            "tx index {index} outside block {}",
            location.height
        ))
    })?;
    let (header, commit) = committed_header(store, location.height)?;
    Ok(TxInclusion {
        tx: hex::encode(codec::encode(&block.txs[index])),
        tx_hash: tx_hash.to_hex(),
        height: location.height,
        index: location.index,
        header,
        commit,
        inclusion,
    })
}
