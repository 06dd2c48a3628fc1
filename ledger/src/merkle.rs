//! RFC 6962 / RFC 9162 Merkle trees over transaction and result hashes.
//!
//! Leaves and inner nodes are hashed under different BLAKE3 contexts (the
//! RFC's 0x00 / 0x01 prefixes), so a leaf can never pose as a node. The tree
//! over `n` leaves splits at the largest power of two below `n`, exactly as in
//! RFC 6962 §2.1, and an inclusion proof is the RFC's audit path. The
//! published root binds the leaf count to the RFC tree root
//! (`H_root(count ‖ tree_root)`), so a proof cannot lie about the tree size
//! and so about the leaf's position.

use serde::{Deserialize, Serialize};

use crate::error::ProofError;
use crate::hash::{hash_parts, hash_with, Domain, Hash};

/// Most hashes an inclusion proof may carry (a tree of 2^64 leaves needs 64).
pub const MAX_PROOF_PATH: usize = 64;

/// The hash of a leaf holding `data`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    hash_with(Domain::MerkleLeaf, data)
}

/// The hash of an inner node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    hash_parts(Domain::MerkleNode, &[&left.0, &right.0])
}

/// The RFC 6962 hash of the empty tree (the node hash of no input).
pub(crate) fn empty_tree_hash() -> Hash {
    hash_with(Domain::MerkleNode, &[])
}

/// Binds the leaf count to an RFC 6962 tree root.
pub(crate) fn bind_size(tree_size: u64, tree_root: &Hash) -> Hash {
    hash_parts(
        Domain::MerkleRoot,
        &[&tree_size.to_be_bytes(), &tree_root.0],
    )
}

/// The published root of the empty tree.
pub fn empty_root() -> Hash {
    bind_size(0, &empty_tree_hash())
}

/// The published root over leaves whose data are the given hashes (tx or result hashes).
pub fn root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    let hashed: Vec<Hash> = leaves.iter().map(|leaf| leaf_hash(&leaf.0)).collect();
    bind_size(leaves.len() as u64, &subtree_root(&hashed))
}

/// The RFC 6962 tree hash `MTH` (not bound to the size) over leaves whose
/// data are the given hashes; at least one leaf.
pub(crate) fn tree_hash(leaves: &[Hash]) -> Hash {
    let hashed: Vec<Hash> = leaves.iter().map(|leaf| leaf_hash(&leaf.0)).collect();
    subtree_root(&hashed)
}

fn subtree_root(hashed_leaves: &[Hash]) -> Hash {
    match hashed_leaves {
        [single] => *single,
        _ => {
            let split = split_point(hashed_leaves.len());
            node_hash(
                &subtree_root(&hashed_leaves[..split]),
                &subtree_root(&hashed_leaves[split..]),
            )
        }
    }
}

/// The largest power of two strictly less than `n` (n ≥ 2).
pub(crate) fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// An RFC 6962 audit path for one leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// Position of the leaf, from 0.
    pub leaf_index: u64,
    /// Number of leaves in the tree.
    pub tree_size: u64,
    /// Sibling hashes from the leaf up to the root.
    pub path: Vec<Hash>,
}

/// Builds the inclusion proof of leaf `index`, or `None` if out of range.
pub fn prove(leaves: &[Hash], index: usize) -> Option<InclusionProof> {
    if index >= leaves.len() {
        return None;
    }
    let hashed: Vec<Hash> = leaves.iter().map(|leaf| leaf_hash(&leaf.0)).collect();
    let mut path = Vec::new();
    audit_path(&hashed, index, &mut path);
    Some(InclusionProof {
        leaf_index: index as u64,
        tree_size: leaves.len() as u64,
        path,
    })
}

fn audit_path(hashed_leaves: &[Hash], index: usize, path: &mut Vec<Hash>) {
    if hashed_leaves.len() <= 1 {
        return;
    }
    let split = split_point(hashed_leaves.len());
    if index < split {
        audit_path(&hashed_leaves[..split], index, path);
        path.push(subtree_root(&hashed_leaves[split..]));
    } else {
        audit_path(&hashed_leaves[split..], index - split, path);
        path.push(subtree_root(&hashed_leaves[..split]));
    }
}

impl InclusionProof {
    /// Checks that `leaf` (a tx or result hash) is at `leaf_index` in the tree with `root`
    /// (RFC 9162 §2.1.3.2).
    pub fn verify(&self, leaf: &Hash, root: &Hash) -> Result<(), ProofError> {
        if self.leaf_index >= self.tree_size {
            return Err(ProofError::IndexOutOfRange {
                index: self.leaf_index,
                size: self.tree_size,
            });
        }
        if self.path.len() > MAX_PROOF_PATH {
            return Err(ProofError::WrongPathLength);
        }
        let mut fn_index = self.leaf_index;
        let mut sn = self.tree_size - 1;
        let mut running = leaf_hash(&leaf.0);
        for sibling in &self.path {
            if sn == 0 {
                return Err(ProofError::WrongPathLength);
            }
            if fn_index & 1 == 1 || fn_index == sn {
                running = node_hash(sibling, &running);
                if fn_index & 1 == 0 {
                    while fn_index & 1 == 0 && fn_index != 0 {
                        fn_index >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                running = node_hash(&running, sibling);
            }
            fn_index >>= 1;
            sn >>= 1;
        }
        if sn != 0 {
            return Err(ProofError::WrongPathLength);
        }
        if &bind_size(self.tree_size, &running) == root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| hash_with(Domain::Tx, &(i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn every_leaf_of_every_small_tree_proves() {
        for n in 1..=33 {
            let leaves = leaves(n);
            let root = root(&leaves);
            for i in 0..n {
                let proof = prove(&leaves, i).unwrap();
                proof
                    .verify(&leaves[i], &root)
                    .unwrap_or_else(|e| panic!("n={n} i={i}: {e}"));
                // The proof does not verify another leaf or position.
                let other = leaves[(i + 1) % n];
                if n > 1 {
                    assert!(proof.verify(&other, &root).is_err());
                }
            }
            assert!(prove(&leaves, n).is_none());
        }
    }

    #[test]
    fn matches_rfc6962_shape_for_three_leaves() {
        let l = leaves(3);
        let expected = node_hash(
            &node_hash(&leaf_hash(&l[0].0), &leaf_hash(&l[1].0)),
            &leaf_hash(&l[2].0),
        );
        assert_eq!(root(&l), bind_size(3, &expected));
        assert_eq!(root(&l[..1]), bind_size(1, &leaf_hash(&l[0].0)));
        assert_ne!(root(&[]), root(&l[..1]));
    }

    #[test]
    fn flipping_any_byte_of_a_proof_fails() {
        let leaves = leaves(11);
        let root = root(&leaves);
        let proof = prove(&leaves, 6).unwrap();
        for step in 0..proof.path.len() {
            for byte in 0..32 {
                let mut bad = proof.clone();
                bad.path[step].0[byte] ^= 0x01;
                assert!(bad.verify(&leaves[6], &root).is_err());
            }
        }
        let mut bad_root = root;
        bad_root.0[0] ^= 1;
        assert!(proof.verify(&leaves[6], &bad_root).is_err());
        let mut wrong_index = proof.clone();
        wrong_index.leaf_index = 7;
        assert!(wrong_index.verify(&leaves[6], &root).is_err());
        let mut wrong_size = proof.clone();
        wrong_size.tree_size = 12;
        assert!(wrong_size.verify(&leaves[6], &root).is_err());
        let mut short = proof;
        short.path.pop();
        assert!(short.verify(&leaves[6], &root).is_err());
    }
}
