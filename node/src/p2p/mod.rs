//! Who may connect: libp2p identities derived from ledger keys, and the
//! allow-list drawn from the chain's state.
//!
//! A node's libp2p key is its ed25519 node key (the consensus key of a
//! validator) itself: `Keypair::ed25519_from_bytes(seed)`. So the peer id of
//! any key registered on chain is computable, and a connection is accepted
//! only from a peer id in [`AllowList`] — the peer ids of the keys that
//! [`allowed_keys`] reads from the state after every block (validators and
//! registered node keys), plus the peers written in this node's
//! `config.toml` (the operator's explicit choice).
//! Both libp2p networks apply it: consensus through Malachite's
//! `persistent_peers_only` mode (see `consensus::engine`), transaction
//! gossip through `libp2p::allow_block_list` ([`gossip`]).

pub mod gossip;

use std::collections::BTreeSet;

use libp2p::identity::{self, Keypair};
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};
use xianjie_ledger::crypto::{PublicKey, SecretKey};
use xianjie_store::Store;

use crate::error::{Error, Result};

/// Peer ids allowed to connect.
pub type AllowList = BTreeSet<PeerId>;

/// The libp2p identity of a node key: the same ed25519 key.
pub fn keypair(key: &SecretKey) -> Keypair {
    Keypair::ed25519_from_bytes(key.to_bytes()).expect("an ed25519 seed is 32 bytes")
}

/// The peer id of the node that holds `key`, if it is a valid ed25519 key.
pub fn peer_id(key: &PublicKey) -> Option<PeerId> {
    identity::ed25519::PublicKey::try_from_bytes(&key.0)
        .ok()
        .map(|key| identity::PublicKey::from(key).to_peer_id())
}

/// The node keys the chain's current state lets into the network: the
/// validators' consensus keys and the node keys organisations registered
/// (`contracts::read::node_keys`).
pub fn allowed_keys(store: &Store) -> Result<Vec<PublicKey>> {
    xianjie_contracts::read::node_keys(store).map_err(|source| Error::StateRead {
        what: "node keys",
        source,
    })
}

/// The peer ids of the validators in force (`contracts::read::validators`).
pub fn validator_peers(store: &Store) -> Result<BTreeSet<PeerId>> {
    let set = xianjie_contracts::read::validators(store).map_err(|source| Error::StateRead {
        what: "validator set",
        source,
    })?;
    Ok(set
        .validators
        .iter()
        .filter_map(|validator| peer_id(&validator.public_key))
        .collect())
}

/// The allow-list: peer ids of [`allowed_keys`] plus `extra` (configured peers).
pub fn allow_list(store: &Store, extra: &[PeerId]) -> Result<AllowList> {
    let mut list: AllowList = allowed_keys(store)?.iter().filter_map(peer_id).collect();
    list.extend(extra.iter().copied());
    Ok(list)
}

/// Parses a multiaddr from the configuration.
pub fn parse_addr(text: &str) -> Result<Multiaddr> {
    text.parse().map_err(|e| Error::Config {
        reason: format!("{text:?} is not a libp2p multiaddr: {e}"),
    })
}

/// The peer id an address pins with `/p2p/<id>`.
pub fn addr_peer_id(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter().find_map(|protocol| match protocol {
        Protocol::P2p(id) => Some(id),
        _ => None,
    })
}

/// `/p2p/<id>`: an address that names a peer without a place to dial it.
pub fn peer_only_addr(peer: PeerId) -> Multiaddr {
    Multiaddr::empty().with(Protocol::P2p(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_id_follows_from_the_public_key_alone() {
        let key = SecretKey::from_bytes(&[5; 32]);
        let from_secret = keypair(&key).public().to_peer_id();
        assert_eq!(peer_id(&key.public_key()), Some(from_secret));
        let addr: Multiaddr = format!("/ip4/127.0.0.1/tcp/1/p2p/{from_secret}")
            .parse()
            .unwrap();
        assert_eq!(addr_peer_id(&addr), Some(from_secret));
        assert_eq!(
            addr_peer_id(&peer_only_addr(from_secret)),
            Some(from_secret)
        );
    }
}
