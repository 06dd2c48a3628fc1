//! Our Malachite `Context`: heights are block heights, a validator's address
//! is its ledger key id, the decided value is a block header (its id is the
//! block hash) and signatures are the ledger's ed25519 (one rule, `crypto::verify`).

use std::cmp::Ordering;
use std::fmt;

use malachitebft_app_channel::app::types::core::{
    self as mcore, LinearTimeouts, NilOrVal, Round, SignedExtension, VoteType, VotingPower,
};
use xianjie_ledger::block::Header;
use xianjie_ledger::crypto::{KeyId, PublicKey, SecretKey, Signature};
use xianjie_ledger::Hash;

use super::proposer;

/// A block height as the engine sees it.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Height(pub u64);

impl fmt::Display for Height {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mcore::Height for Height {
    const ZERO: Self = Height(0);
    const INITIAL: Self = Height(1);

    fn increment_by(&self, n: u64) -> Self {
        Height(self.0.saturating_add(n))
    }

    fn decrement_by(&self, n: u64) -> Option<Self> {
        self.0.checked_sub(n).map(Height)
    }

    fn as_u64(&self) -> u64 {
        self.0
    }
}

/// A validator's address: the key id of its consensus key.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub KeyId);

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl mcore::Address for Address {}

/// The value consensus decides: a block header. The transactions travel in
/// the proposal parts and are kept by the node, so the engine's write-ahead
/// log stays small. The id is the block hash, computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    header: Header,
    id: Hash,
}

impl Value {
    /// Wraps a header.
    pub fn new(header: Header) -> Self {
        let id = header.hash();
        Value { header, id }
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        // The id is a hash of the header, so equal ids mean equal headers.
        self.id.cmp(&other.id)
    }
}

impl mcore::Value for Value {
    type Id = Hash;

    fn id(&self) -> Hash {
        self.id
    }
}

/// A signed proposal: this round's proposer proposes a block header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The proposed header.
    pub value: Value,
    /// The round in which the value got a polka, if it is re-proposed.
    pub pol_round: Round,
    /// The proposer of this round.
    pub proposer: Address,
}

impl mcore::Proposal<Ctx> for Proposal {
    fn height(&self) -> Height {
        self.height
    }
    fn round(&self) -> Round {
        self.round
    }
    fn value(&self) -> &Value {
        &self.value
    }
    fn take_value(self) -> Value {
        self.value
    }
    fn pol_round(&self) -> Round {
        self.pol_round
    }
    fn validator_address(&self) -> &Address {
        &self.proposer
    }
}

/// One part of a streamed proposal: `Init`, then transaction chunks, then
/// `Fin` with the header. Parts are not signed; the assembled header's hash
/// must match the id in the signed [`Proposal`], so a forged part can only
/// waste bandwidth, which the reassembly limits bound.
// Short-lived messages, a few per round: a box would only add an
// allocation to each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalPart {
    /// Opens the stream.
    Init {
        /// Height.
        height: Height,
        /// Round.
        round: Round,
        /// Round of the polka, for a re-proposal.
        pol_round: Round,
        /// The proposer of this round.
        proposer: Address,
    },
    /// A chunk of the block's transactions, in order.
    Txs(Vec<xianjie_ledger::tx::SignedTx>),
    /// Closes the stream with the header.
    Fin(Header),
}

impl mcore::ProposalPart<Ctx> for ProposalPart {
    fn is_first(&self) -> bool {
        matches!(self, ProposalPart::Init { .. })
    }
    fn is_last(&self) -> bool {
        matches!(self, ProposalPart::Fin(_))
    }
}

/// A prevote or precommit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    /// Prevote or precommit.
    pub kind: VoteType,
    /// Height.
    pub height: Height,
    /// Round.
    pub round: Round,
    /// The block hash voted for, or nil.
    pub value: NilOrVal<Hash>,
    /// The voter.
    pub validator: Address,
    /// Always `None`: vote extensions are disabled.
    pub extension: Option<SignedExtension<Ctx>>,
}

impl mcore::Vote<Ctx> for Vote {
    fn height(&self) -> Height {
        self.height
    }
    fn round(&self) -> Round {
        self.round
    }
    fn value(&self) -> &NilOrVal<Hash> {
        &self.value
    }
    fn take_value(self) -> NilOrVal<Hash> {
        self.value
    }
    fn vote_type(&self) -> VoteType {
        self.kind
    }
    fn validator_address(&self) -> &Address {
        &self.validator
    }
    fn extension(&self) -> Option<&SignedExtension<Ctx>> {
        self.extension.as_ref()
    }
    fn take_extension(&mut self) -> Option<SignedExtension<Ctx>> {
        self.extension.take()
    }
    fn extend(self, extension: SignedExtension<Ctx>) -> Self {
        Vote {
            extension: Some(extension),
            ..self
        }
    }
}

/// A validator as the engine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validator {
    /// Key id of the consensus key.
    pub address: Address,
    /// The consensus key.
    pub public_key: PublicKey,
    /// Voting power.
    pub voting_power: VotingPower,
}

impl mcore::Validator<Ctx> for Validator {
    fn address(&self) -> &Address {
        &self.address
    }
    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
    fn voting_power(&self) -> VotingPower {
        self.voting_power
    }
}

/// The validators of a height, sorted by address (as the ledger sorts them),
/// and those of them that proposed none of the recent blocks (see
/// [`proposer`](super::proposer)): the proposer schedule of the height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorSet {
    /// Members, sorted by address.
    pub validators: Vec<Validator>,
    /// Indices (ascending) of the members absent at this height.
    pub absent: Vec<usize>,
}

impl ValidatorSet {
    /// The engine's view of a ledger validator set, everybody present.
    pub fn from_ledger(set: &xianjie_ledger::validators::ValidatorSet) -> Self {
        let mut validators: Vec<Validator> = set
            .validators
            .iter()
            .map(|v| Validator {
                address: Address(v.public_key.id()),
                public_key: v.public_key,
                voting_power: v.power,
            })
            .collect();
        validators.sort_by_key(|v| v.address);
        ValidatorSet {
            validators,
            absent: Vec::new(),
        }
    }

    /// The same set with the members absent at a height, from the
    /// `recent` headers before it (oldest first) and the hash of the set.
    pub fn with_recent(mut self, set_hash: &Hash, recent: &[proposer::Proposed]) -> Self {
        let members: Vec<(KeyId, VotingPower)> = self
            .validators
            .iter()
            .map(|v| (v.address.0, v.voting_power))
            .collect();
        self.absent = proposer::absent(&members, set_hash, recent);
        self
    }

    /// The voting powers, in order.
    pub fn powers(&self) -> Vec<VotingPower> {
        self.validators.iter().map(|v| v.voting_power).collect()
    }
}

impl mcore::ValidatorSet<Ctx> for ValidatorSet {
    fn count(&self) -> usize {
        self.validators.len()
    }
    fn total_voting_power(&self) -> VotingPower {
        self.validators.iter().map(|v| v.voting_power).sum()
    }
    fn get_by_address(&self, address: &Address) -> Option<&Validator> {
        self.validators
            .binary_search_by(|v| v.address.cmp(address))
            .ok()
            .map(|index| &self.validators[index])
    }
    fn get_by_index(&self, index: usize) -> Option<&Validator> {
        self.validators.get(index)
    }
}

/// ed25519 with the ledger's types and verification rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ed25519;

impl mcore::SigningScheme for Ed25519 {
    type DecodingError = String;
    type Signature = Signature;
    type PublicKey = PublicKey;
    type PrivateKey = SecretKey;

    fn decode_signature(bytes: &[u8]) -> Result<Signature, String> {
        <[u8; 64]>::try_from(bytes)
            .map(Signature)
            .map_err(|_| format!("a signature is 64 bytes, got {}", bytes.len()))
    }
    fn encode_signature(signature: &Signature) -> Vec<u8> {
        signature.0.to_vec()
    }
    fn decode_public_key(bytes: &[u8]) -> Result<PublicKey, String> {
        let key = <[u8; 32]>::try_from(bytes)
            .map(PublicKey)
            .map_err(|_| format!("a public key is 32 bytes, got {}", bytes.len()))?;
        if key.is_valid() {
            Ok(key)
        } else {
            Err("not a valid ed25519 public key".into())
        }
    }
    fn encode_public_key(public_key: &PublicKey) -> Vec<u8> {
        public_key.0.to_vec()
    }
}

/// The context type that ties the engine to our types.
#[derive(Clone, Debug, Default)]
pub struct Ctx;

impl mcore::Context for Ctx {
    type Address = Address;
    type Height = Height;
    type ProposalPart = ProposalPart;
    type Proposal = Proposal;
    type Validator = Validator;
    type ValidatorSet = ValidatorSet;
    type Timeouts = LinearTimeouts;
    type Value = Value;
    type Vote = Vote;
    type Extension = ();
    type SigningScheme = Ed25519;

    /// Weighted round robin over the validators that proposed recently, with
    /// probe turns for the others ([`proposer`](super::proposer)). Every
    /// present validator proposes in proportion to its power, and the next
    /// round of a height always has another proposer when there are several.
    fn select_proposer<'a>(
        &self,
        validator_set: &'a ValidatorSet,
        height: Height,
        round: Round,
    ) -> &'a Validator {
        proposer_index(validator_set, height.0, round.as_u32().unwrap_or(0))
            .and_then(|index| validator_set.validators.get(index))
            .expect("the engine never runs a height with an empty validator set")
    }

    fn new_proposal(
        &self,
        height: Height,
        round: Round,
        value: Value,
        pol_round: Round,
        address: Address,
    ) -> Proposal {
        Proposal {
            height,
            round,
            value,
            pol_round,
            proposer: address,
        }
    }

    fn new_prevote(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<Hash>,
        address: Address,
    ) -> Vote {
        Vote {
            kind: VoteType::Prevote,
            height,
            round,
            value: value_id,
            validator: address,
            extension: None,
        }
    }

    fn new_precommit(
        &self,
        height: Height,
        round: Round,
        value_id: NilOrVal<Hash>,
        address: Address,
    ) -> Vote {
        Vote {
            kind: VoteType::Precommit,
            height,
            round,
            value: value_id,
            validator: address,
            extension: None,
        }
    }
}

/// The index of the proposer of `(height, round)` in `set`.
pub fn proposer_index(set: &ValidatorSet, height: u64, round: u32) -> Option<usize> {
    proposer::proposer(&set.powers(), &set.absent, height, round)
}

/// Timeouts for one height, from the node's configuration.
pub fn timeouts(config: &crate::home::ConsensusSection) -> LinearTimeouts {
    let mut timeouts = LinearTimeouts {
        propose: config.timeout_propose,
        propose_delta: config.timeout_propose_delta,
        prevote: config.timeout_prevote,
        prevote_delta: config.timeout_vote_delta,
        precommit: config.timeout_precommit,
        precommit_delta: config.timeout_vote_delta,
        ..LinearTimeouts::default()
    };
    timeouts.rebroadcast = timeouts.propose + timeouts.prevote + timeouts.precommit;
    timeouts
}

#[cfg(test)]
mod tests {
    use super::*;
    use mcore::Context as _;

    fn set(powers: &[u64]) -> ValidatorSet {
        ValidatorSet {
            validators: powers
                .iter()
                .enumerate()
                .map(|(i, p)| Validator {
                    address: Address(KeyId([i as u8; 20])),
                    public_key: SecretKey::from_bytes(&[i as u8 + 1; 32]).public_key(),
                    voting_power: *p,
                })
                .collect(),
            absent: Vec::new(),
        }
    }

    #[test]
    fn the_engine_skips_a_validator_absent_from_the_recent_headers() {
        let four = set(&[1, 1, 1, 1]);
        let set_hash = Hash([5; 32]);
        let recent: Vec<proposer::Proposed> = [0u8, 1, 2, 0, 1, 2, 0, 1]
            .iter()
            .map(|n| proposer::Proposed {
                proposer: KeyId([*n; 20]),
                validators_hash: set_hash,
            })
            .collect();
        let with = four.clone().with_recent(&set_hash, &recent);
        assert_eq!(with.absent, vec![3]);
        let picks: Vec<_> = (1..=6)
            .map(|h| Ctx.select_proposer(&with, Height(h), Round::new(0)).address)
            .collect();
        assert!(
            !picks.contains(&with.validators[3].address),
            "validator 3 proposes: {picks:?}"
        );
        let before: Vec<_> = (1..=6)
            .map(|h| Ctx.select_proposer(&four, Height(h), Round::new(0)).address)
            .collect();
        assert!(before.contains(&four.validators[3].address));
    }

    #[test]
    fn proposers_rotate_in_proportion_to_power() {
        let equal = set(&[1, 1, 1, 1]);
        let picks: Vec<_> = (0..4)
            .map(|h| proposer_index(&equal, h, 0).unwrap())
            .collect();
        assert_eq!(picks, vec![0, 1, 2, 3]);
        assert_ne!(
            proposer_index(&equal, 5, 0),
            proposer_index(&equal, 5, 1),
            "the next round has another proposer"
        );
        let weighted = set(&[3, 1]);
        let count = (0..400)
            .filter(|h| proposer_index(&weighted, *h, 0) == Some(0))
            .count();
        assert_eq!(count, 300);
    }
}
