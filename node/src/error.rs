//! The one error type of the node library.
//!
//! These are failures of the node itself (files, storage, genesis, keys).
//! Refusals of a client's request are [`crate::api::ApiError`], and refusals
//! of a transaction at the mempool door are [`crate::mempool::AdmissionError`].

use std::path::PathBuf;

use xianjie_contracts::ContractError;
use xianjie_ledger::error::CryptoError;
use xianjie_ledger::Hash;
use xianjie_store::StorageError;

/// Everything that can stop the node from starting or running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What the node was doing (`reading`, `writing`, `creating` …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The HTTP server failed.
    #[error("serving the API on {}: {source}", address.map_or_else(|| "its listener".to_owned(), |a| a.to_string()))]
    Serve {
        /// The listening address, if known.
        address: Option<std::net::SocketAddr>,
        /// The error.
        source: std::io::Error,
    },
    /// The sled store failed; the node stops rather than guess.
    #[error("storage failed: {0}")]
    Storage(#[from] StorageError),
    /// A ledger document (genesis) was malformed.
    #[error(transparent)]
    Ledger(#[from] xianjie_ledger::Error),
    /// A key file could not be parsed.
    #[error("key file {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        source: CryptoError,
    },
    /// A network node's key file could not be read or unlocked.
    #[error("node key {path}: {reason}")]
    NodeKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it, or why it could not be unlocked (not a
        /// `source`: the message already says it, once).
        reason: xianjie_keyfile::Error,
    },
    /// The `consensus_key` of `config.toml` could not be opened.
    #[error("consensus_key {key} in config.toml: {reason}")]
    ConsensusKey {
        /// The key as configured (a URI's query, which may name a PIN file, included).
        key: String,
        /// Why it could not be opened (not a `source`: the message says it once).
        reason: xianjie_keyfile::Error,
    },
    /// The policy schema compiled into this binary does not load.
    #[error("the policy schema built into this binary does not load: {0}")]
    PolicySchema(ContractError),
    /// The genesis document was refused by the contracts.
    #[error("the contracts refuse the genesis document: {0}")]
    GenesisRefused(ContractError),
    /// The data directory belongs to another chain.
    #[error(
        "the store in {data_dir} was created from genesis {stored}, but genesis.json hashes to \
         {expected}; point --home at the matching directory or move {data_dir} away to start a new chain"
    )]
    GenesisMismatch {
        /// The data directory.
        data_dir: PathBuf,
        /// The genesis hash recorded in the store.
        stored: Hash,
        /// The hash of the genesis document on disk.
        expected: Hash,
    },
    /// The validator key on disk is not in the genesis validator set.
    #[error("validator key {key_id} is not a validator of chain {chain_id}")]
    NotAValidator {
        /// The key's id.
        key_id: String,
        /// The chain.
        chain_id: String,
    },
    /// A record every chain has is missing from the state: the store is corrupt.
    #[error("the state has no {what}; the store is corrupt or was not initialised")]
    MissingState {
        /// The missing record.
        what: &'static str,
    },
    /// Executing a transaction hit a damaged state record.
    #[error("executing a block found damaged state ({fault}); stop this node and restore its data from a backup")]
    CorruptState {
        /// What the contracts found.
        fault: xianjie_contracts::ContractError,
    },
    /// A state record could not be read by the contracts.
    #[error("reading {what} from the state: {source}")]
    StateRead {
        /// The record.
        what: &'static str,
        /// The contracts' error.
        source: ContractError,
    },
    /// The configuration is inconsistent.
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A vault file would exceed the configured size limit.
    #[error("the file is larger than the vault's limit of {limit} bytes (vault.max_file_bytes)")]
    VaultFileTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Storing a vault file would leave less free disk than configured.
    #[error(
        "the vault's disk has {available} bytes free; storing {needed} more would go below the \
         reserve of {reserve} bytes (vault.min_free_bytes)"
    )]
    VaultDiskFull {
        /// Free bytes on the vault's file system.
        available: u64,
        /// Bytes the file needs.
        needed: u64,
        /// The reserve kept free.
        reserve: u64,
    },
    /// Consensus cannot go on from this node's state (a decided block it
    /// does not have or executes differently, a malformed certificate).
    #[error("consensus: {reason}")]
    Consensus {
        /// What happened.
        reason: String,
    },
    /// The consensus engine or a network could not start.
    #[error("starting {what}: {reason}")]
    Network {
        /// The part that failed.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The consensus network could not listen on its address.
    #[error(
        "the consensus network cannot listen on {address} (p2p.listen in config.toml): {reason}; \
         stop whatever uses that address (perhaps another node on this machine) or set another \
         p2p.listen, and the matching address in the other nodes' persistent_peers"
    )]
    ConsensusListen {
        /// The configured multiaddr.
        address: String,
        /// What the operating system or the engine said.
        reason: String,
    },
    /// A directory given as a node's home lacks what every home has.
    #[error("{home} is not a node home: {reason}")]
    NotAHome {
        /// The directory.
        home: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// Another process, most likely a running node, holds the store's lock.
    #[error(
        "the store in {data_dir} is in use by another process, most likely a running node; \
         stop the node and try again"
    )]
    DatabaseLocked {
        /// The data directory.
        data_dir: PathBuf,
    },
    /// The committed-tip record in the home cannot be trusted.
    #[error(
        "{path}: {reason}. The file records the last committed block so that a store which lost \
         blocks is caught at start. If `xianjie-node verify-db` finds the store consistent, move \
         the file aside and start again: the node records the store's tip anew"
    )]
    CommittedTipFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store lost or changed committed blocks (or sled cannot read it):
    /// starting would roll the chain back.
    #[error(
        "the store in {data_dir} is damaged: {damage}. The node does not start on it, since that \
         would roll back blocks already committed. {remedy}"
    )]
    StoreDamaged {
        /// The data directory.
        data_dir: PathBuf,
        /// What was found, against what was recorded.
        damage: String,
        /// What to do.
        remedy: String,
    },
    /// A re-synced store reached the recorded height with another block.
    #[error(
        "the chain fetched from peers has block {synced} at height {height}, but this node had \
         committed block {recorded} there ({file}); it stops rather than follow another chain. \
         Compare the two blocks with the other agencies before going on"
    )]
    ResyncDiverged {
        /// The height.
        height: u64,
        /// The block recorded before the re-sync.
        recorded: Hash,
        /// The block fetched.
        synced: Hash,
        /// The committed-tip file.
        file: PathBuf,
    },
    /// A background task panicked or was cancelled.
    #[error("{task} stopped unexpectedly: {reason}")]
    Task {
        /// The task.
        task: &'static str,
        /// The runtime's explanation.
        reason: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with what was being done to which path.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}
