//! The history tree: an append-only RFC 6962 / RFC 9162 Merkle tree whose
//! leaves are the hashes of the committed headers, block 1 first.
//!
//! Each header commits, in `history_root`, the published root of the tree
//! over every header before it (the tree of size `height - 1`), so the
//! history up to any block is fixed by a header that the validators certify.
//! Two kinds of proof follow, both `O(log n)` hashes:
//!
//! - **inclusion**: header `h` is leaf `h - 1` of the tree of size `n`
//!   (an RFC 6962 audit path, [`InclusionProof`]);
//! - **consistency**: the tree of size `n` extends the tree of size `m`,
//!   leaf for leaf ([`ConsistencyProof`], RFC 9162 §2.1.4). A history that
//!   was rewritten, even far back, cannot be shown consistent with a root
//!   published before.
//!
//! Hashes are [`merkle`]'s: the same leaf, node and size-binding roots as the
//! transaction and result trees. The tree is kept as its perfect subtrees
//! (see [`HistoryNodes`]): appending a leaf adds at most `log2 n` of them
//! (one on average beyond the leaf), and any root or proof is read from
//! `O(log² n)` of them, never by rehashing the history.

use serde::{Deserialize, Serialize};

use crate::error::ProofError;
use crate::hash::Hash;
use crate::merkle::{self, InclusionProof, MAX_PROOF_PATH};

/// The perfect subtrees of a history tree, as its keeper stores them.
///
/// `perfect(level, index)` is the RFC 6962 hash of the `2^level` leaves
/// from `index · 2^level` on; level 0 holds the leaf hashes. Only subtrees
/// whose leaves are all appended are asked for.
pub trait HistoryNodes {
    /// Why a subtree could not be read (a storage failure, or one missing).
    type Fault;
    /// The hash of the perfect subtree at `level` and `index`.
    fn perfect(&self, level: u32, index: u64) -> Result<Hash, Self::Fault>;
}

/// A perfect subtree added by an append: at `level` and `index`, `hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewNode {
    /// Its level (0: the leaf).
    pub level: u32,
    /// Its index at that level.
    pub index: u64,
    /// Its hash.
    pub hash: Hash,
}

/// The subtrees that appending `header_hash` as leaf number `size` (the
/// tree had `size` leaves) completes: the leaf, then each perfect subtree
/// it closes, reading their left siblings from `nodes`.
pub fn append<N: HistoryNodes>(
    nodes: &N,
    size: u64,
    header_hash: &Hash,
) -> Result<Vec<NewNode>, N::Fault> {
    let mut hash = merkle::leaf_hash(&header_hash.0);
    let (mut level, mut index) = (0, size);
    let mut added = vec![NewNode { level, index, hash }];
    while index & 1 == 1 {
        let left = nodes.perfect(level, index - 1)?;
        hash = merkle::node_hash(&left, &hash);
        level += 1;
        index >>= 1;
        added.push(NewNode { level, index, hash });
    }
    Ok(added)
}

/// The published root of the tree of the first `size` leaves (the value a
/// header at height `size + 1` holds in `history_root`).
pub fn root<N: HistoryNodes>(nodes: &N, size: u64) -> Result<Hash, N::Fault> {
    if size == 0 {
        return Ok(merkle::empty_root());
    }
    Ok(merkle::bind_size(size, &range_hash(nodes, 0, size)?))
}

/// RFC 6962 `MTH(D[start:end])` for a range the tree's recursion visits:
/// one read if it is a perfect subtree, else split at the largest power of
/// two below its length.
fn range_hash<N: HistoryNodes>(nodes: &N, start: u64, end: u64) -> Result<Hash, N::Fault> {
    let length = end - start;
    if length.is_power_of_two() && start.is_multiple_of(length) {
        return nodes.perfect(length.trailing_zeros(), start / length);
    }
    let split = start + largest_power_below(length);
    Ok(merkle::node_hash(
        &range_hash(nodes, start, split)?,
        &range_hash(nodes, split, end)?,
    ))
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn largest_power_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The proof that leaf `index` (header `index + 1`) is in the tree of the
/// first `size` leaves. `None` if `index` is not below `size`.
pub fn prove_inclusion<N: HistoryNodes>(
    nodes: &N,
    index: u64,
    size: u64,
) -> Result<Option<InclusionProof>, N::Fault> {
    if index >= size {
        return Ok(None);
    }
    let mut path = Vec::new();
    audit_path(nodes, index, 0, size, &mut path)?;
    Ok(Some(InclusionProof {
        leaf_index: index,
        tree_size: size,
        path,
    }))
}

/// RFC 6962 §2.1.1 `PATH(m, D[start:end])`, sibling hashes leaf first.
fn audit_path<N: HistoryNodes>(
    nodes: &N,
    index: u64,
    start: u64,
    end: u64,
    path: &mut Vec<Hash>,
) -> Result<(), N::Fault> {
    if end - start <= 1 {
        return Ok(());
    }
    let split = start + largest_power_below(end - start);
    if index < split {
        audit_path(nodes, index, start, split, path)?;
        path.push(range_hash(nodes, split, end)?);
    } else {
        audit_path(nodes, index, split, end, path)?;
        path.push(range_hash(nodes, start, split)?);
    }
    Ok(())
}

/// Proof that the tree of `to_size` leaves extends the tree of `from_size`
/// leaves: RFC 9162 §2.1.4's consistency path, except that when
/// `from_size` is a power of two the first tree's own hash is its first
/// element (the step 2 of the RFC's verification, done by the prover): the
/// published root binds the size, so a verifier cannot take the hash from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// Size of the earlier tree.
    pub from_size: u64,
    /// Size of the later tree.
    pub to_size: u64,
    /// The hashes, as above.
    pub path: Vec<Hash>,
}

/// The consistency proof from the tree of `from_size` leaves to the tree of
/// `to_size` leaves.
pub fn prove_consistency<N: HistoryNodes>(
    nodes: &N,
    from_size: u64,
    to_size: u64,
) -> Result<Result<ConsistencyProof, ProofError>, N::Fault> {
    if from_size > to_size {
        return Ok(Err(ProofError::SizesOutOfOrder {
            from: from_size,
            to: to_size,
        }));
    }
    let mut path = Vec::new();
    if from_size > 0 && from_size < to_size {
        if from_size.is_power_of_two() {
            path.push(range_hash(nodes, 0, from_size)?);
        }
        subproof(nodes, from_size, 0, to_size, true, &mut path)?;
    }
    Ok(Ok(ConsistencyProof {
        from_size,
        to_size,
        path,
    }))
}

/// RFC 6962 §2.1.2 `SUBPROOF(m, D[start:end], b)`, with `m` counted from
/// `start`.
fn subproof<N: HistoryNodes>(
    nodes: &N,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    path: &mut Vec<Hash>,
) -> Result<(), N::Fault> {
    if start + m == end {
        if !whole {
            path.push(range_hash(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = largest_power_below(end - start);
    if m <= k {
        subproof(nodes, m, start, start + k, whole, path)?;
        path.push(range_hash(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, path)?;
        path.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

impl ConsistencyProof {
    /// Checks that `to_root` (published root of `to_size` leaves) extends
    /// `from_root` (published root of `from_size` leaves), RFC 9162
    /// §2.1.4.2.
    pub fn verify(&self, from_root: &Hash, to_root: &Hash) -> Result<(), ProofError> {
        let (first, second) = (self.from_size, self.to_size);
        if first > second {
            return Err(ProofError::SizesOutOfOrder {
                from: first,
                to: second,
            });
        }
        if self.path.len() > 2 * MAX_PROOF_PATH {
            return Err(ProofError::WrongPathLength);
        }
        if first == 0 || first == second {
            return self.verify_trivial(from_root, to_root);
        }
        let (first_hash, second_hash) = self.recompute()?;
        if &merkle::bind_size(first, &first_hash) == from_root
            && &merkle::bind_size(second, &second_hash) == to_root
        {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        }
    }

    /// An empty tree is extended by every tree, and a tree by itself; the
    /// proof is then empty.
    fn verify_trivial(&self, from_root: &Hash, to_root: &Hash) -> Result<(), ProofError> {
        if !self.path.is_empty() {
            return Err(ProofError::WrongPathLength);
        }
        let first_ok = if self.from_size == 0 {
            from_root == &merkle::empty_root()
        } else {
            from_root == to_root
        };
        if first_ok {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        }
    }

    /// RFC 9162 §2.1.4.2 steps 3–7 for 0 < first < second: the two tree
    /// hashes the path leads to.
    fn recompute(&self) -> Result<(Hash, Hash), ProofError> {
        let (mut fn_, mut sn) = (self.from_size - 1, self.to_size - 1);
        while fn_ & 1 == 1 {
            fn_ >>= 1;
            sn >>= 1;
        }
        let (start, rest) = self.path.split_first().ok_or(ProofError::WrongPathLength)?;
        let (mut fr, mut sr) = (*start, *start);
        for c in rest {
            if sn == 0 {
                return Err(ProofError::WrongPathLength);
            }
            if fn_ & 1 == 1 || fn_ == sn {
                fr = merkle::node_hash(c, &fr);
                sr = merkle::node_hash(c, &sr);
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = merkle::node_hash(&sr, c);
            }
            fn_ >>= 1;
            sn >>= 1;
        }
        if sn != 0 {
            return Err(ProofError::WrongPathLength);
        }
        Ok((fr, sr))
    }
}

/// A history held in memory as its header hashes: for tests and for
/// verifiers that have every header (it rehashes on every read).
#[derive(Debug, Clone, Default)]
pub struct HeaderHashes(pub Vec<Hash>);

impl HistoryNodes for HeaderHashes {
    type Fault = ProofError;

    fn perfect(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        let width = 1usize
            .checked_shl(level)
            .ok_or(ProofError::WrongPathLength)?;
        let start = usize::try_from(index)
            .ok()
            .and_then(|index| index.checked_mul(width))
            .ok_or(ProofError::WrongPathLength)?;
        let leaves = self
            .0
            .get(start..start.saturating_add(width))
            .filter(|leaves| leaves.len() == width)
            .ok_or(ProofError::IndexOutOfRange {
                index: start as u64,
                size: self.0.len() as u64,
            })?;
        Ok(merkle::tree_hash(leaves))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::hash::{hash_with, Domain};

    fn headers(n: u64) -> Vec<Hash> {
        (1..=n)
            .map(|height| hash_with(Domain::Header, &height.to_be_bytes()))
            .collect()
    }

    /// The tree as a store keeps it: only what `append` wrote.
    #[derive(Default)]
    struct Appended(BTreeMap<(u32, u64), Hash>, u64);

    impl HistoryNodes for Appended {
        type Fault = ProofError;
        fn perfect(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
            self.0
                .get(&(level, index))
                .copied()
                .ok_or(ProofError::WrongPathLength)
        }
    }

    impl Appended {
        fn push(&mut self, header: &Hash) {
            for node in append(self, self.1, header).unwrap() {
                self.0.insert((node.level, node.index), node.hash);
            }
            self.1 += 1;
        }
    }

    fn appended(leaves: &[Hash]) -> Appended {
        let mut tree = Appended::default();
        leaves.iter().for_each(|leaf| tree.push(leaf));
        tree
    }

    #[test]
    fn appended_roots_are_the_merkle_roots_of_the_header_hashes() {
        let leaves = headers(70);
        let mut tree = Appended::default();
        assert_eq!(root(&tree, 0).unwrap(), merkle::empty_root());
        for (i, leaf) in leaves.iter().enumerate() {
            tree.push(leaf);
            assert_eq!(
                root(&tree, i as u64 + 1).unwrap(),
                merkle::root(&leaves[..=i])
            );
        }
        // At most one node per level of a 70-leaf tree, and one per leaf on average more.
        assert!(tree.0.len() < 2 * leaves.len());
    }

    #[test]
    fn inclusion_proofs_match_the_transaction_tree_proofs() {
        let leaves = headers(37);
        let tree = appended(&leaves);
        for size in 1..=37u64 {
            let root = root(&tree, size).unwrap();
            for index in 0..size {
                let proof = prove_inclusion(&tree, index, size).unwrap().unwrap();
                assert_eq!(
                    Some(&proof),
                    merkle::prove(&leaves[..size as usize], index as usize).as_ref()
                );
                proof.verify(&leaves[index as usize], &root).unwrap();
            }
            assert!(prove_inclusion(&tree, size, size).unwrap().is_none());
        }
    }

    #[test]
    fn every_pair_of_sizes_up_to_65_is_consistent() {
        let leaves = headers(65);
        let tree = appended(&leaves);
        let in_memory = HeaderHashes(leaves.clone());
        for to in 0..=65u64 {
            let to_root = root(&tree, to).unwrap();
            for from in 0..=to {
                let from_root = root(&tree, from).unwrap();
                let proof = prove_consistency(&tree, from, to).unwrap().unwrap();
                assert_eq!(
                    proof,
                    prove_consistency(&in_memory, from, to).unwrap().unwrap()
                );
                proof
                    .verify(&from_root, &to_root)
                    .unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
                assert!(proof.path.len() <= 2 * 7, "{from} → {to}");
            }
        }
    }

    #[test]
    fn a_rewritten_history_is_not_consistent() {
        let leaves = headers(40);
        let mut forked = leaves.clone();
        forked[12] = hash_with(Domain::Header, b"rewritten block 13");
        let (honest, fork) = (appended(&leaves), appended(&forked));
        for (from, to) in [(13, 40), (20, 33), (16, 32), (13, 13)] {
            let from_root = root(&honest, from).unwrap();
            let to_root = root(&fork, to).unwrap();
            // Neither history's proof links the honest earlier root to the
            // forked later one.
            for tree in [&honest, &fork] {
                let proof = prove_consistency(tree, from, to).unwrap().unwrap();
                assert_eq!(
                    proof.verify(&from_root, &to_root),
                    Err(ProofError::RootMismatch),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn flipping_any_byte_or_size_of_a_consistency_proof_fails() {
        let leaves = headers(53);
        let tree = appended(&leaves);
        for (from, to) in [(1, 53), (8, 53), (21, 53), (32, 33), (52, 53)] {
            let (from_root, to_root) = (root(&tree, from).unwrap(), root(&tree, to).unwrap());
            let proof = prove_consistency(&tree, from, to).unwrap().unwrap();
            for step in 0..proof.path.len() {
                for byte in 0..32 {
                    let mut bad = proof.clone();
                    bad.path[step].0[byte] ^= 0x01;
                    assert!(bad.verify(&from_root, &to_root).is_err());
                }
            }
            for (from_size, to_size) in [(from + 1, to), (from - 1, to), (from, to + 1)] {
                let bad = ConsistencyProof {
                    from_size,
                    to_size,
                    path: proof.path.clone(),
                };
                assert!(bad.verify(&from_root, &to_root).is_err());
            }
            let mut short = proof.clone();
            short.path.pop();
            assert!(short.verify(&from_root, &to_root).is_err());
            let mut long = proof.clone();
            long.path.push(from_root);
            assert!(long.verify(&from_root, &to_root).is_err());
            assert!(proof.verify(&to_root, &from_root).is_err());
        }
    }

    #[test]
    fn trivial_proofs_hold_only_for_their_roots() {
        let leaves = headers(9);
        let tree = appended(&leaves);
        let nine = root(&tree, 9).unwrap();
        let empty = prove_consistency(&tree, 0, 9).unwrap().unwrap();
        assert!(empty.path.is_empty());
        empty.verify(&merkle::empty_root(), &nine).unwrap();
        assert!(empty.verify(&root(&tree, 1).unwrap(), &nine).is_err());
        let same = prove_consistency(&tree, 9, 9).unwrap().unwrap();
        same.verify(&nine, &nine).unwrap();
        assert!(same.verify(&root(&tree, 8).unwrap(), &nine).is_err());
        assert_eq!(
            prove_consistency(&tree, 9, 8).unwrap(),
            Err(ProofError::SizesOutOfOrder { from: 9, to: 8 })
        );
    }
}
