//! Signing and verifying consensus messages with the validator's ledger key.
//!
//! A vote's signature is over exactly
//! [`vote_digest`](xianjie_ledger::crypto::vote_digest)`(chain_id, height,
//! round, kind, block hash or nil)`, so the precommits of a Malachite commit
//! certificate are the signatures of a ledger [`Commit`](xianjie_ledger::block::Commit).
//! A proposal's signature is over its own domain ([`Domain::Proposal`]).
//! Verification is the ledger's one rule everywhere (`crypto::verify`).
//!
//! The validator's key signs through [`xianjie_keyfile::Signer`]: the node
//! key in memory, or a key on a PKCS#11 token (`consensus_key` in
//! `config.toml`). A token's signature runs on a blocking thread, so a slow
//! cipher machine never stalls the runtime.

use std::sync::Arc;

use async_trait::async_trait;
use malachitebft_app_channel::app::types::core::{
    NilOrVal, Round, SignedMessage, ValidatorProof, VoteExtensionScope, VoteType,
};
use malachitebft_app_channel::{Signer, Verifier};
use malachitebft_signing::{Error as SigningError, VerificationResult};
use xianjie_keyfile::Signer as KeySigner;
use xianjie_ledger::crypto::{self, vote_digest, PublicKey, Signature, VoteKind};
use xianjie_ledger::hash::{hash_parts, Domain};
use xianjie_ledger::Hash;

use super::context::{Ctx, Proposal, Vote};

/// The digest a validator signs for a vote, or `None` for a vote without a
/// round (which no honest engine produces).
pub fn vote_signing_digest(chain_id: &str, vote: &Vote) -> Option<Hash> {
    let round = vote.round.as_u32()?;
    let kind = match vote.kind {
        VoteType::Prevote => VoteKind::Prevote,
        VoteType::Precommit => VoteKind::Precommit,
    };
    Some(vote_digest(
        chain_id,
        vote.height.0,
        round,
        kind,
        match &vote.value {
            NilOrVal::Nil => None,
            NilOrVal::Val(hash) => Some(hash),
        },
    ))
}

/// The digest a proposer signs: chain, height, round, polka round, block hash
/// and proposer, under the proposal domain.
pub fn proposal_signing_digest(chain_id: &str, proposal: &Proposal) -> Hash {
    hash_parts(
        Domain::Proposal,
        &[
            &(chain_id.len() as u64).to_be_bytes(),
            chain_id.as_bytes(),
            &proposal.height.0.to_be_bytes(),
            &round_bytes(proposal.round),
            &round_bytes(proposal.pol_round),
            &proposal.value.header().hash().0,
            &proposal.proposer.0 .0,
        ],
    )
}

fn round_bytes(round: Round) -> [u8; 8] {
    round.as_i64().to_be_bytes()
}

fn result(ok: bool) -> Result<VerificationResult, SigningError> {
    Ok(VerificationResult::from_bool(ok))
}

/// Checks signatures of consensus messages of one chain.
#[derive(Clone)]
pub struct ConsensusVerifier {
    chain_id: Arc<str>,
}

impl ConsensusVerifier {
    /// A verifier for `chain_id`.
    pub fn new(chain_id: &str) -> Self {
        ConsensusVerifier {
            chain_id: chain_id.into(),
        }
    }
}

#[async_trait]
impl Verifier<Ctx> for ConsensusVerifier {
    async fn verify_signed_vote(
        &self,
        vote: &Vote,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        let Some(digest) = vote_signing_digest(&self.chain_id, vote) else {
            return result(false);
        };
        result(crypto::verify(public_key, &digest.0, signature).is_ok())
    }

    async fn verify_signed_proposal(
        &self,
        proposal: &Proposal,
        signature: &Signature,
        public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        let digest = proposal_signing_digest(&self.chain_id, proposal);
        result(crypto::verify(public_key, &digest.0, signature).is_ok())
    }

    async fn verify_signed_vote_extension(
        &self,
        _scope: &VoteExtensionScope<Ctx>,
        _extension: &(),
        _signature: &Signature,
        _public_key: &PublicKey,
    ) -> Result<VerificationResult, SigningError> {
        // Vote extensions are disabled on this chain: none is valid.
        result(false)
    }

    async fn verify_validator_proof(
        &self,
        proof: &ValidatorProof<Ctx>,
    ) -> Result<VerificationResult, SigningError> {
        let Ok(key) = <[u8; 32]>::try_from(proof.public_key.as_slice()).map(PublicKey) else {
            return result(false);
        };
        // The proof-of-validator protocol signs its own bytes, unprefixed.
        let message = ValidatorProof::<Ctx>::signing_bytes(&proof.public_key, &proof.peer_id);
        result(crypto::verify(&key, &message, &proof.signature).is_ok())
    }
}

/// Signs this validator's votes and proposals.
#[derive(Clone)]
pub struct ConsensusSigner {
    key: Arc<dyn KeySigner>,
    chain_id: Arc<str>,
}

impl ConsensusSigner {
    /// A signer with the validator's key for `chain_id`.
    pub fn new(key: Arc<dyn KeySigner>, chain_id: &str) -> Self {
        ConsensusSigner {
            key,
            chain_id: chain_id.into(),
        }
    }

    /// The validator's public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// `key`'s signature of `message`, made on a blocking thread.
    async fn sign(&self, message: Vec<u8>) -> Result<Signature, SigningError> {
        let key = Arc::clone(&self.key);
        let signed = tokio::task::spawn_blocking(move || key.sign(&message))
            .await
            .map_err(|join| SigningError::from_source(join.to_string()))?;
        signed.map_err(|error| {
            tracing::error!(%error, "the validator key did not sign");
            SigningError::from_source(error)
        })
    }
}

#[async_trait]
impl Signer<Ctx> for ConsensusSigner {
    async fn sign_vote(&self, vote: Vote) -> Result<SignedMessage<Ctx, Vote>, SigningError> {
        let digest = vote_signing_digest(&self.chain_id, &vote)
            .ok_or_else(|| SigningError::from_source("a vote must have a round"))?;
        let signature = self.sign(digest.0.to_vec()).await?;
        Ok(SignedMessage::new(vote, signature))
    }

    async fn sign_proposal(
        &self,
        proposal: Proposal,
    ) -> Result<SignedMessage<Ctx, Proposal>, SigningError> {
        let digest = proposal_signing_digest(&self.chain_id, &proposal);
        let signature = self.sign(digest.0.to_vec()).await?;
        Ok(SignedMessage::new(proposal, signature))
    }

    async fn sign_vote_extension(
        &self,
        _scope: VoteExtensionScope<Ctx>,
        _extension: (),
    ) -> Result<SignedMessage<Ctx, ()>, SigningError> {
        Err(SigningError::from_source(
            "vote extensions are disabled on this chain",
        ))
    }

    async fn sign_validator_proof(
        &self,
        public_key: Vec<u8>,
        peer_id: Vec<u8>,
    ) -> Result<ValidatorProof<Ctx>, SigningError> {
        let message = ValidatorProof::<Ctx>::signing_bytes(&public_key, &peer_id);
        let signature = self.sign(message).await?;
        Ok(ValidatorProof::new(public_key, peer_id, signature))
    }
}
