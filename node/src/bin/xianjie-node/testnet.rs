//! `xianjie-node testnet`: the genesis and one home per node of an N-node
//! network on this machine.
//!
//! ```text
//! OUT/genesis.json              the chain's genesis (also copied into every home)
//! OUT/keys/<org>-<role>.key     demo officer keys, named as in dev mode
//! OUT/node0 … OUT/node{N-1}     validator homes (see `home`)
//! OUT/node{N} …                 homes of extra nodes (`--extra-nodes`), whose keys are
//!                               not registered: governance can add them later
//! ```
//!
//! Ports, from the base port P (default 7070): node i serves its API on
//! `127.0.0.1:P+i`, consensus on `P+100+i` and transaction gossip on
//! `P+200+i`, so up to 100 nodes never collide.

use std::path::{Path, PathBuf};
use std::time::Duration;

use xianjie_ledger::crypto::SecretKey;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::params::Params;
use xianjie_ledger::validators::Validator;

use xianjie_node::clock::{Clock as _, SystemClock};
use xianjie_node::dev::{demo_org_id, demo_org_ids, demo_orgs, new_key_file, write_atomically};
use xianjie_node::error::{Error, Result};
use xianjie_node::home::{
    config_text, ConfigValues, NodeHome, DEFAULT_EMPTY_BLOCK_WAIT, DEFAULT_TIMEOUT_PROPOSE,
};
use xianjie_node::p2p;

/// Chain id of a generated test network.
pub const TESTNET_CHAIN_ID: &str = "xianjie-testnet";
/// Default base port.
pub const DEFAULT_BASE_PORT: u16 = 7070;
/// Offset of the consensus ports from the base port.
pub const CONSENSUS_PORT_OFFSET: u16 = 100;
/// Offset of the gossip ports from the base port.
pub const GOSSIP_PORT_OFFSET: u16 = 200;

/// What to generate.
#[derive(Debug, Clone)]
pub struct TestnetOptions {
    /// Number of validators (1-100).
    pub validators: usize,
    /// Homes of nodes whose keys are not in the genesis.
    pub extra_nodes: usize,
    /// Output directory.
    pub out: PathBuf,
    /// Base port.
    pub base_port: u16,
    /// `consensus.timeout_propose` of every node.
    pub timeout_propose: Duration,
    /// `consensus.empty_block_wait` of every node.
    pub empty_block_wait: Duration,
}

impl TestnetOptions {
    /// Defaults for `validators` nodes in `out`.
    pub fn new(validators: usize, out: impl Into<PathBuf>) -> Self {
        TestnetOptions {
            validators,
            extra_nodes: 0,
            out: out.into(),
            base_port: DEFAULT_BASE_PORT,
            timeout_propose: DEFAULT_TIMEOUT_PROPOSE,
            empty_block_wait: DEFAULT_EMPTY_BLOCK_WAIT,
        }
    }
}

/// One generated node.
#[derive(Debug, Clone)]
pub struct TestnetNode {
    /// Its home.
    pub home: PathBuf,
    /// API address.
    pub api: String,
    /// libp2p peer id (the tests check the written peers name it; the
    /// command prints homes and addresses only).
    #[cfg_attr(not(test), allow(dead_code))]
    pub peer_id: String,
    /// Whether its key is in the genesis validator set.
    pub validator: bool,
}

fn ports(base: u16, index: usize) -> Result<(u16, u16, u16)> {
    let index = u16::try_from(index)
        .ok()
        .filter(|i| *i < CONSENSUS_PORT_OFFSET);
    let port = |offset: u16| index.and_then(|i| base.checked_add(offset + i));
    match (port(0), port(CONSENSUS_PORT_OFFSET), port(GOSSIP_PORT_OFFSET)) {
        (Some(api), Some(consensus), Some(gossip)) => Ok((api, consensus, gossip)),
        _ => Err(Error::Config {
            reason: format!("base port {base} leaves no room for node {index:?} (at most 100 nodes below port 65335)"),
        }),
    }
}

/// Writes the network. Refuses an output directory that already has a genesis.
pub fn write_testnet(options: &TestnetOptions) -> Result<Vec<TestnetNode>> {
    if options.validators == 0 || options.validators + options.extra_nodes > 100 {
        return Err(Error::Config {
            reason: "a test network has 1-100 nodes".into(),
        });
    }
    let out = &options.out;
    let genesis_path = out.join("genesis.json");
    if genesis_path.exists() {
        return Err(Error::Config {
            reason: format!(
                "{} already exists; choose an empty --out directory",
                genesis_path.display()
            ),
        });
    }
    std::fs::create_dir_all(out).map_err(Error::io("creating", out))?;
    let orgs = demo_orgs(&out.join("keys"))?;
    let org_ids: Vec<&str> = demo_org_ids().collect();
    let total = options.validators + options.extra_nodes;
    let mut keys: Vec<SecretKey> = Vec::with_capacity(total);
    for index in 0..total {
        let home = NodeHome::new(out.join(format!("node{index}")));
        let keys_dir = home
            .node_key_path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        std::fs::create_dir_all(&keys_dir).map_err(Error::io("creating", &keys_dir))?;
        xianjie_node::dev::restrict_to_owner(&keys_dir, 0o700)?;
        keys.push(new_key_file(&home.node_key_path())?);
    }
    let validators = keys[..options.validators]
        .iter()
        .enumerate()
        .map(|(index, key)| Validator {
            public_key: key.public_key(),
            power: 1,
            org: demo_org_id(org_ids[index % org_ids.len()]),
        })
        .collect();
    let genesis = Genesis {
        chain_id: TESTNET_CHAIN_ID.to_owned(),
        genesis_time_ms: SystemClock.now_ms(),
        orgs,
        validators,
        params: Params::default(),
        threshold_rules: xianjie_ledger::supervision::default_threshold_rules(),
    };
    genesis.validate()?;
    let genesis_json = genesis.to_json();
    let mut peers = Vec::with_capacity(total);
    for (index, key) in keys.iter().enumerate() {
        let (_, consensus, gossip) = ports(options.base_port, index)?;
        let peer_id = p2p::peer_id(&key.public_key()).expect("generated keys are valid");
        peers.push((
            format!("/ip4/127.0.0.1/tcp/{consensus}/p2p/{peer_id}"),
            format!("/ip4/127.0.0.1/tcp/{gossip}/p2p/{peer_id}"),
            peer_id,
        ));
    }
    let mut nodes = Vec::with_capacity(total);
    for index in 0..total {
        let home = NodeHome::new(out.join(format!("node{index}")));
        let (api, consensus, gossip) = ports(options.base_port, index)?;
        let others = |pick: fn(&(String, String, libp2p::PeerId)) -> &String| -> Vec<String> {
            peers[..options.validators]
                .iter()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .map(|(_, peer)| pick(peer).clone())
                .collect()
        };
        let moniker = format!("node{index}");
        let api_listen = format!("127.0.0.1:{api}")
            .parse()
            .expect("a loopback socket address");
        let text = config_text(&ConfigValues {
            moniker: &moniker,
            api_listen,
            p2p_listen: &format!("/ip4/127.0.0.1/tcp/{consensus}"),
            gossip_listen: &format!("/ip4/127.0.0.1/tcp/{gossip}"),
            persistent_peers: &others(|peer| &peer.0),
            gossip_peers: &others(|peer| &peer.1),
            timeout_propose: options.timeout_propose,
            empty_block_wait: options.empty_block_wait,
        });
        write_atomically(&home.config_path(), text.as_bytes())?;
        write_atomically(&home.genesis_path(), genesis_json.as_bytes())?;
        nodes.push(TestnetNode {
            home: home.root().to_owned(),
            api: format!("http://127.0.0.1:{api}"),
            peer_id: peers[index].2.to_string(),
            validator: index < options.validators,
        });
    }
    write_atomically(&genesis_path, genesis_json.as_bytes())?;
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_homes_with_disjoint_ports_and_a_shared_genesis() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = TestnetOptions::new(4, dir.path().join("net"));
        options.extra_nodes = 1;
        let nodes = write_testnet(&options).unwrap();
        assert_eq!(nodes.len(), 5);
        assert!(nodes[3].validator && !nodes[4].validator);
        assert_eq!(nodes[1].api, "http://127.0.0.1:7071");
        let genesis = std::fs::read_to_string(dir.path().join("net/genesis.json")).unwrap();
        let genesis = Genesis::from_json(&genesis).unwrap();
        assert_eq!(genesis.validators.len(), 4);
        for node in &nodes {
            let home = NodeHome::new(&node.home);
            let config = home.read_config().unwrap();
            assert_eq!(
                config.p2p.persistent_peers.len(),
                if node.validator { 3 } else { 4 }
            );
            assert!(!config
                .p2p
                .persistent_peers
                .iter()
                .any(|peer| peer.ends_with(&node.peer_id)));
            let copy = std::fs::read_to_string(home.genesis_path()).unwrap();
            assert_eq!(Genesis::from_json(&copy).unwrap().hash(), genesis.hash());
        }
        assert!(dir.path().join("net/keys/court-head.key").exists());
        assert!(write_testnet(&options).is_err(), "refuses to overwrite");
    }
}
