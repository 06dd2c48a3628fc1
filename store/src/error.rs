//! The one error type of the store.

use xianjie_ledger::error::CodecError;

/// Failures of the sled store, and of what is built by reading it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// sled itself failed.
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    /// The database was written by a different schema version.
    #[error("database schema version {found} is not supported (this build reads {expected}); migrate or use a fresh --home")]
    SchemaVersion {
        /// Version found on disk.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// A stored record could not be decoded: the database is corrupt.
    #[error("corrupt record under {key}: {reason}")]
    Corrupt {
        /// The key, printed for the operator.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A block was committed out of order.
    #[error("block height {got} does not follow the tip {tip}")]
    OutOfOrder {
        /// Height offered.
        got: u64,
        /// Current tip.
        tip: u64,
    },
    /// sled's files could not be put on stable storage (`fsync` failed):
    /// what was just written is not committed.
    #[error("could not sync {path} to stable storage: {source}; the last write is not durable, so the node must stop; check the disk and its free space")]
    Sync {
        /// The file or directory, printed for the operator.
        path: String,
        /// What the system answered.
        source: std::io::Error,
    },
    /// An earlier `fsync` of this store failed, so no later write can be
    /// trusted to be durable.
    #[error(
        "an earlier sync of the store at {path} failed; restart the node once the disk is checked"
    )]
    SyncFailedBefore {
        /// The store's directory.
        path: String,
    },
    /// The Merkle tree layer failed.
    #[error("state tree: {0}")]
    Tree(String),
    /// A block was offered with results for a different number of transactions.
    #[error("the block has {txs} transactions but {results} results")]
    ResultsMismatch {
        /// Transactions in the block.
        txs: usize,
        /// Results offered with it.
        results: usize,
    },
    /// A history tree larger than the chain was asked for.
    #[error("the history tree has {tip} headers; no tree of {size} exists yet")]
    HistoryBeyondTip {
        /// Size asked for.
        size: u64,
        /// Headers committed.
        tip: u64,
    },
    /// A block's header names another history than the committed headers'.
    #[error("block {height} names history root {found}, but the committed headers before it give {expected}")]
    HistoryMismatch {
        /// The block.
        height: u64,
        /// The root of the stored history.
        expected: String,
        /// The root the header names.
        found: String,
    },
    /// What was read would not fit the limits of what is built from it (a
    /// receipt with more custody events or validator-set changes than a
    /// receipt may carry).
    #[error(transparent)]
    Codec(#[from] CodecError),
}
