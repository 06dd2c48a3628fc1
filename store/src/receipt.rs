//! The receipt builder: reads from a [`Store`] everything a
//! [`Receipt`] carries. The receipt type and its verifier are pure and live
//! in `xianjie_ledger::receipt`.

use std::collections::BTreeSet;

use xianjie_ledger::checkpoint::{Checkpoint, SignedNote};
use xianjie_ledger::codec;
use xianjie_ledger::deposit::Deposits;
use xianjie_ledger::error::CodecError;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::merkle;
use xianjie_ledger::model::EvidenceRecord;
use xianjie_ledger::receipt::{
    CertifiedHeader, ProvenDeposits, Receipt, TimestampedCheckpoint, TxProof, ValidatorChange,
    WitnessedCheckpoint, MAX_RECEIPT_CUSTODY, MAX_RECEIPT_TIMESTAMPED,
    MAX_RECEIPT_VALIDATOR_CHANGES, MAX_RECEIPT_WITNESSED,
};
use xianjie_ledger::state::keys;
use xianjie_ledger::timestamps::{first_covering, TimestampLog, TimestampOrgs, TimestampRecord};
use xianjie_ledger::validators::ValidatorSet;

use crate::{corrupt, CosignedCheckpoint, StorageError, Store, StoreResult};

/// The receipt of `digest` as a court would want it: carrying as many
/// witnesses' cosignatures as can be. It is built at the largest height
/// that every witness's newest checkpoint covers (the smallest of their
/// sizes), so that each of them counts; if the record did not exist yet at
/// that height, at the newest size a witness co-signed; else at `tip`,
/// carrying no witnessed checkpoint (a later receipt will, once the
/// witnesses have co-signed past it).
pub fn build_witnessed_or_latest(
    store: &Store,
    digest: &Hash,
    tip: u64,
) -> StoreResult<Option<Receipt>> {
    let sizes: BTreeSet<u64> = store
        .cosigned()?
        .iter()
        .map(|cosigned| cosigned.checkpoint.size)
        .filter(|&size| size >= 1 && size <= tip)
        .collect();
    let candidates = [sizes.first(), sizes.last()];
    for &size in candidates.iter().flatten() {
        if let Some(receipt) = build(store, digest, *size)? {
            if !receipt.witnessed.is_empty() {
                return Ok(Some(receipt));
            }
        }
    }
    build(store, digest, tip)
}

/// Builds the receipt of `digest` at `height` from `store`: pure reads,
/// all as of `height` but the time-stamp token (which proves itself, and is
/// taken from the newest state), so a block committed meanwhile changes
/// nothing the chain proves.
/// `Ok(None)` if no evidence with this digest is in the state at `height`.
///
/// Cost: besides the few blocks the record names, finding the
/// validator-set changes reads every header from 1 to `height` once
/// (about 300 bytes each, decoded and compared by `validators_hash`),
/// so O(height) reads and no large allocation.
pub fn build(store: &Store, digest: &Hash, height: u64) -> StoreResult<Option<Receipt>> {
    let key = keys::evidence(digest);
    let (value, record_proof) = store.state_proof(&key, height)?;
    let Some(value) = value else {
        return Ok(None);
    };
    let record: EvidenceRecord = codec::decode(&value).map_err(|error| corrupt(&key, error))?;
    let genesis_hash = store
        .genesis_hash()?
        .ok_or_else(|| corrupt(b"m:genesis_hash", "no genesis applied"))?;
    let validator_changes = find_validator_changes(store, height)?;
    let limits = [
        ("receipt custody", record.custody.len(), MAX_RECEIPT_CUSTODY),
        (
            "receipt validator changes",
            validator_changes.len(),
            MAX_RECEIPT_VALIDATOR_CHANGES,
        ),
    ];
    for (kind, len, max) in limits {
        if len > max {
            return Err(StorageError::Codec(CodecError::TooLarge { kind, len, max }));
        }
    }
    let mut needed: BTreeSet<u64> = [1, height, record.height].into_iter().collect();
    needed.extend(record.custody.iter().map(|event| event.height));
    needed.extend(validator_changes.iter().map(|change| change.height));
    let headers = needed
        .into_iter()
        .map(|h| certified_header(store, h))
        .collect::<Result<Vec<_>, _>>()?;
    let chain_id = headers
        .last()
        .map(|certified| certified.header.chain_id.clone())
        .unwrap_or_default();
    let witnessed = witnessed_checkpoints(store, &headers, height)?;
    let timestamped = timestamped_checkpoints(store, &record)?;
    let deposits = proven_deposits(store, digest, height)?;
    let anchor = tx_proof(store, &record.tx, record.height)?;
    let custody = record
        .custody
        .iter()
        .map(|event| tx_proof(store, &event.tx, event.height))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Receipt {
        chain_id,
        genesis_hash,
        digest: *digest,
        height,
        headers,
        validator_changes,
        record,
        record_proof,
        anchor,
        custody,
        witnessed,
        timestamped,
        deposits,
    }))
}

/// How many recorded tokens past the first covering one the builder looks
/// at before giving up: tokens for checkpoints this node's headers do not
/// state (recorded in error or in bad faith) are skipped.
const TIMESTAMP_CANDIDATES: u64 = 8;

/// For each organisation that stamps, its earliest recorded token whose
/// checkpoint holds the anchor's block and is stated by this store's own
/// header, with the anchor's inclusion in it: the strongest "existed by"
/// each TSA attests, and one per log so that a verifier finds the TSA it
/// trusts. Read from the newest state, not the state at the receipt height:
/// a token proves itself, and one recorded after a witnessed receipt height
/// still dates the anchor.
fn timestamped_checkpoints(
    store: &Store,
    record: &EvidenceRecord,
) -> StoreResult<Vec<TimestampedCheckpoint>> {
    let orgs: TimestampOrgs = newest_record(store, keys::TIMESTAMP_ORGS)?.unwrap_or_default();
    let mut found = Vec::new();
    for org in orgs.0.iter().take(MAX_RECEIPT_TIMESTAMPED) {
        if let Some(stamped) = first_stated_token(store, org, record.height)? {
            found.push(stamped);
        }
    }
    Ok(found)
}

/// `org`'s first token whose checkpoint holds block `anchor_height` and
/// that this store's header states, looking at most [`TIMESTAMP_CANDIDATES`]
/// past the first that covers it.
fn first_stated_token(
    store: &Store,
    org: &OrgId,
    anchor_height: u64,
) -> StoreResult<Option<TimestampedCheckpoint>> {
    let log: TimestampLog = newest_record(store, &keys::timestamp_log(org))?.unwrap_or_default();
    let read = |seq: u64| -> StoreResult<TimestampRecord> {
        let key = keys::timestamp(org, seq);
        newest_record(store, &key)?
            .ok_or_else(|| corrupt(&key, "the timestamp log counts a missing record"))
    };
    let Some(first) = first_covering(log.count, anchor_height, read)? else {
        return Ok(None);
    };
    let last = log.count.min(first.seq + TIMESTAMP_CANDIDATES);
    for seq in first.seq..last {
        let stamped = if seq == first.seq {
            first.clone()
        } else {
            read(seq)?
        };
        match stated_checkpoint(store, &stamped.checkpoint)? {
            Some(checkpoint) => {
                let anchor_inclusion = history_inclusion(store, anchor_height, checkpoint.size)?;
                return Ok(Some(TimestampedCheckpoint {
                    checkpoint: stamped.checkpoint,
                    token: stamped.token,
                    anchor_inclusion,
                }));
            }
            None => continue,
        }
    }
    Ok(None)
}

/// The checkpoint `body` states, if it parses and this store's header at
/// its block states it.
fn stated_checkpoint(store: &Store, body: &str) -> StoreResult<Option<Checkpoint>> {
    let Ok(checkpoint) = Checkpoint::parse_body(body) else {
        return Ok(None);
    };
    let stated = store
        .header(checkpoint.block_height)?
        .is_some_and(|header| checkpoint.is_stated_by(&header));
    Ok(stated.then_some(checkpoint))
}

/// Header `height` in the history of `size` headers, which must be there.
fn history_inclusion(store: &Store, height: u64, size: u64) -> StoreResult<merkle::InclusionProof> {
    store.history_inclusion(height, size)?.ok_or_else(|| {
        corrupt(
            b"y:",
            format!("no inclusion of header {height} in the history of {size}"),
        )
    })
}

/// The deposits recorded for `digest` by `height`, with their proof.
fn proven_deposits(
    store: &Store,
    digest: &Hash,
    height: u64,
) -> StoreResult<Option<ProvenDeposits>> {
    let key = keys::deposits(digest);
    let (value, proof) = store.state_proof(&key, height)?;
    let Some(value) = value else {
        return Ok(None);
    };
    let deposits: Deposits = codec::decode(&value).map_err(|error| corrupt(&key, error))?;
    Ok(Some(ProvenDeposits { deposits, proof }))
}

/// The record under `key` in the newest committed state, decoded.
fn newest_record<T: codec::Canonical>(store: &Store, key: &[u8]) -> StoreResult<Option<T>> {
    store
        .state_value(key)?
        .map(|bytes| codec::decode(&bytes).map_err(|error| corrupt(key, error)))
        .transpose()
}

/// The cosigned checkpoints that hold every header of the receipt and whose
/// header the set in force at `height` certified (a verifier could not
/// check another), witnesses of one checkpoint merged into one note.
fn witnessed_checkpoints(
    store: &Store,
    headers: &[CertifiedHeader],
    height: u64,
) -> StoreResult<Vec<WitnessedCheckpoint>> {
    let set_hash = headers
        .last()
        .map(|certified| certified.header.validators_hash)
        .unwrap_or_default();
    let mut by_body: std::collections::BTreeMap<String, (Checkpoint, SignedNote)> =
        std::collections::BTreeMap::new();
    for CosignedCheckpoint {
        checkpoint, note, ..
    } in store.cosigned()?
    {
        if checkpoint.size < height {
            continue;
        }
        by_body
            .entry(note.text.clone())
            .and_modify(|(_, merged)| merged.signatures.extend(note.signatures.clone()))
            .or_insert((checkpoint, note));
    }
    let mut witnessed = Vec::new();
    for (checkpoint, note) in by_body.into_values().take(MAX_RECEIPT_WITNESSED) {
        let certified = certified_header(store, checkpoint.block_height)?;
        if certified.header.validators_hash != set_hash
            || certified.header.hash() != checkpoint.block_hash
        {
            continue;
        }
        let inclusions = headers
            .iter()
            .map(|certified| {
                let h = certified.header.height;
                store.history_inclusion(h, checkpoint.size)?.ok_or_else(|| {
                    corrupt(
                        b"y:",
                        format!(
                            "no inclusion of header {h} in the history of {}",
                            checkpoint.size
                        ),
                    )
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        witnessed.push(WitnessedCheckpoint {
            note: note.to_text(),
            certified,
            inclusions,
        });
    }
    Ok(witnessed)
}

fn certified_header(store: &Store, height: u64) -> StoreResult<CertifiedHeader> {
    let header = store
        .header(height)?
        .ok_or_else(|| corrupt(format!("h:{height}").as_bytes(), "header missing"))?;
    let commit = store
        .commit(height)?
        .ok_or_else(|| corrupt(format!("c:{height}").as_bytes(), "commit missing"))?;
    Ok(CertifiedHeader { header, commit })
}

/// The heights `h < height` after which the validator set changed, found as
/// a change of `validators_hash` from header `h` to header `h + 1`, each with
/// the new set and its state proof at `h`.
fn find_validator_changes(store: &Store, height: u64) -> StoreResult<Vec<ValidatorChange>> {
    validator_changes_between(store, 1, height)
}

/// The validator-set changes written by blocks `c` with `from ≤ c < to`
/// (the sets that commit headers `from + 1` to `to`), each with the new set
/// and its state proof at `c`: what anyone who trusts the set in force at
/// header `from` needs to trust the one at header `to`. Reads headers
/// `from` to `to` once.
pub fn validator_changes_between(
    store: &Store,
    from: u64,
    to: u64,
) -> StoreResult<Vec<ValidatorChange>> {
    let mut changes = Vec::new();
    let mut previous: Option<Hash> = None;
    for h in from.max(1)..=to {
        let header = store
            .header(h)?
            .ok_or_else(|| corrupt(format!("h:{h}").as_bytes(), "header missing"))?;
        if let Some(before) = previous {
            if header.validators_hash != before {
                changes.push(validator_change(store, h - 1, &header.validators_hash)?);
            }
        }
        previous = Some(header.validators_hash);
    }
    Ok(changes)
}

/// [`validator_changes_between`], each change with the certified header of
/// the block that wrote it.
pub fn certified_validator_changes(
    store: &Store,
    from: u64,
    to: u64,
) -> StoreResult<Vec<(CertifiedHeader, ValidatorChange)>> {
    validator_changes_between(store, from, to)?
        .into_iter()
        .map(|change| Ok((certified_header(store, change.height)?, change)))
        .collect()
}

fn validator_change(store: &Store, height: u64, expected: &Hash) -> StoreResult<ValidatorChange> {
    let (value, proof) = store.state_proof(keys::VALIDATORS, height)?;
    let value = value.ok_or_else(|| corrupt(keys::VALIDATORS, "no validator set"))?;
    let validators: ValidatorSet =
        codec::decode(&value).map_err(|error| corrupt(keys::VALIDATORS, error))?;
    if validators.hash() != *expected {
        return Err(corrupt(
            keys::VALIDATORS,
            format!(
                "the set after block {height} is not the one block {} names",
                height + 1
            ),
        ));
    }
    Ok(ValidatorChange {
        height,
        validators,
        proof,
    })
}

fn tx_proof(store: &Store, tx_hash: &Hash, height: u64) -> StoreResult<TxProof> {
    let key = format!("t:{tx_hash}");
    let location = store
        .tx_location(tx_hash)?
        .ok_or_else(|| corrupt(key.as_bytes(), "recorded transaction is in no block"))?;
    if location.height != height {
        return Err(corrupt(
            key.as_bytes(),
            format!("in block {}, the record says {height}", location.height),
        ));
    }
    let block = store
        .block(height)?
        .ok_or_else(|| corrupt(format!("b:{height}").as_bytes(), "block missing"))?;
    let index = location.index as usize;
    let tx = block
        .txs
        .get(index)
        .cloned()
        .ok_or_else(|| corrupt(key.as_bytes(), "index outside its block"))?;
    let inclusion = merkle::prove(&block.tx_hashes(), index)
        .ok_or_else(|| corrupt(key.as_bytes(), "index outside its block"))?;
    Ok(TxProof { tx, inclusion })
}
