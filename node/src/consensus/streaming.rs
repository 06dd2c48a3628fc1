//! Splitting a proposal into parts and putting received parts back together,
//! with limits: parts may come from any peer, in any order, and unsigned.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::core::Round;
use malachitebft_app_channel::app::types::PeerId;
use xianjie_ledger::block::{Block, Header, MAX_BLOCK_BYTES, MAX_BLOCK_TXS};
use xianjie_ledger::codec;
use xianjie_ledger::tx::{SignedTx, MAX_TX_BYTES};

use super::codec::MAX_PART_BYTES;
use super::context::{Address, Height, ProposalPart};

/// Transactions per part: a part of maximum-size transactions still fits
/// [`MAX_PART_BYTES`].
pub const TXS_PER_PART: usize = 128;
const _: () = assert!(TXS_PER_PART * (MAX_TX_BYTES + 4) + 1024 <= MAX_PART_BYTES);

/// Most parts of one stream: a block of the most transactions, plus Init,
/// Fin and the end marker.
pub const MAX_PARTS_PER_STREAM: usize = MAX_BLOCK_TXS / TXS_PER_PART + 4;
/// Most streams being assembled at once; the oldest is dropped beyond this.
pub const MAX_OPEN_STREAMS: usize = 16;
/// Most transaction bytes of one stream: what any valid proposal may carry.
pub const MAX_STREAM_TX_BYTES: usize = MAX_BLOCK_BYTES / 2;

/// The stream id of this node's proposal for (height, round).
pub fn stream_id(height: Height, round: Round) -> StreamId {
    let mut bytes = height.0.to_be_bytes().to_vec();
    bytes.extend(round.as_i64().to_be_bytes());
    StreamId::new(Bytes::from(bytes))
}

/// The stream messages of a proposal: Init, transaction chunks, Fin, end.
pub fn split(
    block: &Block,
    round: Round,
    pol_round: Round,
    proposer: Address,
) -> Vec<StreamMessage<ProposalPart>> {
    let height = Height(block.header.height);
    let id = stream_id(height, round);
    let mut contents = vec![StreamContent::Data(ProposalPart::Init {
        height,
        round,
        pol_round,
        proposer,
    })];
    for chunk in block.txs.chunks(TXS_PER_PART) {
        contents.push(StreamContent::Data(ProposalPart::Txs(chunk.to_vec())));
    }
    contents.push(StreamContent::Data(ProposalPart::Fin(block.header.clone())));
    contents.push(StreamContent::Fin);
    contents
        .into_iter()
        .enumerate()
        .map(|(sequence, content)| StreamMessage::new(id.clone(), sequence as u64, content))
        .collect()
}

/// A proposal put back together from its parts.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// Polka round of a re-proposal.
    pub pol_round: Round,
    /// This round's proposer, as the stream claims.
    pub proposer: Address,
    /// The block.
    pub block: Block,
    /// The peer that published the stream, when the transport says so.
    pub publisher: Option<PeerId>,
}

#[derive(Default)]
struct Partial {
    parts: BTreeMap<u64, ProposalPart>,
    end: Option<u64>,
    opened: u64,
    tx_bytes: usize,
}

/// Streams being assembled, keyed by publisher and stream id.
#[derive(Default)]
pub struct Streams {
    open: HashMap<(PeerId, Bytes), Partial>,
    counter: u64,
}

impl Streams {
    /// Adds a message received from `from` and published by `published_by`;
    /// returns the proposal when its stream is complete. Malformed or
    /// oversized streams are dropped.
    pub fn insert(
        &mut self,
        from: PeerId,
        published_by: Option<PeerId>,
        message: StreamMessage<ProposalPart>,
    ) -> Option<Assembled> {
        let key = (published_by.unwrap_or(from), message.stream_id.to_bytes());
        if !self.open.contains_key(&key) && self.open.len() >= MAX_OPEN_STREAMS {
            self.drop_oldest();
        }
        self.counter += 1;
        let opened = self.counter;
        let partial = self.open.entry(key.clone()).or_insert_with(|| Partial {
            opened,
            ..Partial::default()
        });
        if message.sequence >= MAX_PARTS_PER_STREAM as u64 {
            self.open.remove(&key);
            return None;
        }
        match message.content {
            StreamContent::Data(part) => {
                if let ProposalPart::Txs(txs) = &part {
                    partial.tx_bytes += txs.iter().map(|tx| codec::encode(tx).len()).sum::<usize>();
                    if partial.tx_bytes > MAX_STREAM_TX_BYTES {
                        self.open.remove(&key);
                        return None;
                    }
                }
                partial.parts.insert(message.sequence, part);
            }
            StreamContent::Fin => partial.end = Some(message.sequence),
        }
        let end = partial.end?;
        if partial.parts.len() as u64 != end {
            return None;
        }
        let partial = self.open.remove(&key)?;
        let mut assembled = assemble(partial)?;
        assembled.publisher = published_by;
        Some(assembled)
    }

    /// Drops the streams of heights below `height`.
    pub fn prune_below(&mut self, height: Height) {
        self.open.retain(|_, partial| match partial.parts.get(&0) {
            Some(ProposalPart::Init { height: h, .. }) => *h >= height,
            _ => true,
        });
    }

    fn drop_oldest(&mut self) {
        if let Some(key) = self
            .open
            .iter()
            .min_by_key(|(_, partial)| partial.opened)
            .map(|(key, _)| key.clone())
        {
            self.open.remove(&key);
        }
    }
}

fn assemble(partial: Partial) -> Option<Assembled> {
    let mut parts = partial.parts.into_values();
    let Some(ProposalPart::Init {
        height,
        round,
        pol_round,
        proposer,
    }) = parts.next()
    else {
        return None;
    };
    let mut txs: Vec<SignedTx> = Vec::new();
    let mut header: Option<Header> = None;
    for part in parts {
        match (part, &header) {
            (ProposalPart::Txs(chunk), None) => {
                if txs.len() + chunk.len() > MAX_BLOCK_TXS {
                    return None;
                }
                txs.extend(chunk);
            }
            (ProposalPart::Fin(fin), None) => header = Some(fin),
            _ => return None,
        }
    }
    let header = header?;
    if header.height != height.0 {
        return None;
    }
    Some(Assembled {
        height,
        round,
        pol_round,
        proposer,
        block: Block { header, txs },
        publisher: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::crypto::{KeyId, SecretKey};
    use xianjie_ledger::tx::{Call, RevokeOfficer, Tx};
    use xianjie_ledger::Hash;

    fn block(count: usize) -> Block {
        let key = SecretKey::from_bytes(&[3; 32]);
        let txs = (0..count as u64)
            .map(|nonce| {
                Tx {
                    chain_id: "c".into(),
                    signer: key.public_key(),
                    nonce,
                    valid_until: 9,
                    call: Call::RevokeOfficer(RevokeOfficer {
                        officer: KeyId([1; 20]),
                    }),
                }
                .sign(&key)
            })
            .collect();
        Block {
            header: Header {
                chain_id: "c".into(),
                height: 4,
                time_ms: 1,
                prev_hash: Hash::default(),
                history_root: Hash::default(),
                tx_root: Hash::default(),
                tx_count: count as u32,
                state_root: Hash::default(),
                results_root: Hash::default(),
                validators_hash: Hash::default(),
                proposer: KeyId::default(),
            },
            txs,
        }
    }

    #[test]
    fn parts_reassemble_in_any_order_and_per_publisher() {
        let block = block(300);
        let mut messages = split(&block, Round::new(1), Round::Nil, Address(KeyId([2; 20])));
        assert_eq!(messages.len(), 1 + 3 + 1 + 1);
        messages.reverse();
        let mut streams = Streams::default();
        let peer = |seed: u8| {
            let id = crate::p2p::keypair(&SecretKey::from_bytes(&[seed; 32]))
                .public()
                .to_peer_id();
            PeerId::from_bytes(&id.to_bytes()).unwrap()
        };
        let alice = peer(1);
        let bob = peer(2);
        let (last, rest) = messages.split_last().unwrap();
        for message in rest {
            // Relayed by bob, published by alice.
            assert!(streams.insert(bob, Some(alice), message.clone()).is_none());
        }
        assert!(
            streams.insert(bob, Some(bob), last.clone()).is_none(),
            "another publisher's stream"
        );
        let assembled = streams
            .insert(alice, Some(alice), last.clone())
            .expect("complete");
        assert_eq!(assembled.publisher, Some(alice));
        assert_eq!(assembled.block, block);
        assert_eq!(assembled.round, Round::new(1));
        for message in rest {
            streams.insert(alice, None, message.clone());
        }
        assert_eq!(streams.open.len(), 2);
        streams.prune_below(Height(5));
        assert_eq!(
            streams.open.len(),
            1,
            "only the undated stream of bob is left"
        );
    }
}
