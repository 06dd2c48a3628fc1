//! State-tree nodes stored in groups: every node that one version of the
//! tree writes under the same first two nibbles shares one sled record.
//!
//! sled's cost is per record (each insert may split a 16-entry leaf and is
//! logged on its own), and a block of N transactions writes about 2.5 N
//! tree nodes. Grouped, the same block writes at most 1 + 16 + 256 records
//! for its tree. A node's key already names its version, so a lookup reads
//! exactly one group: the one of that version and path prefix.
//!
//! Key: `n:` ‖ version (u64 BE) ‖ prefix, where the prefix is `[0]` for the
//! root, `[1, n0]` for a path of one nibble and `[2, n0 << 4 | n1]` for
//! longer paths. Value: entries one after the other, each
//! `path length (u16 LE) ‖ borsh NibblePath ‖ node length (u32 LE) ‖ borsh Node`,
//! in the order of the update batch.

use std::collections::BTreeMap;

use jmt::storage::{Node, NodeKey};

use crate::StorageError;

/// The key prefix of node groups.
pub(super) const PREFIX: &[u8] = b"n:";

/// The record a node belongs to.
pub(super) fn group_key(node_key: &NodeKey) -> Vec<u8> {
    let path = node_key.nibble_path();
    let mut key = Vec::with_capacity(PREFIX.len() + 8 + 2);
    key.extend_from_slice(PREFIX);
    key.extend_from_slice(&node_key.version().to_be_bytes());
    match path.num_nibbles() {
        0 => key.push(0),
        1 => key.extend_from_slice(&[1, u8::from(path.get_nibble(0))]),
        _ => key.extend_from_slice(&[
            2,
            u8::from(path.get_nibble(0)) << 4 | u8::from(path.get_nibble(1)),
        ]),
    }
    key
}

fn path_bytes(node_key: &NodeKey) -> Result<Vec<u8>, StorageError> {
    borsh::to_vec(node_key.nibble_path()).map_err(|e| StorageError::Tree(e.to_string()))
}

/// Groups a batch of new nodes into records (key, value), in key order.
pub(super) fn group<'a>(
    nodes: impl IntoIterator<Item = (&'a NodeKey, &'a Node)>,
) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, StorageError> {
    let mut groups: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    for (node_key, node) in nodes {
        let path = path_bytes(node_key)?;
        let node = borsh::to_vec(node).map_err(|e| StorageError::Tree(e.to_string()))?;
        let entry = groups.entry(group_key(node_key)).or_default();
        let path_len = u16::try_from(path.len()).expect("a nibble path is at most 44 bytes");
        let node_len = u32::try_from(node.len()).expect("a tree node is far below 4 GiB");
        entry.extend_from_slice(&path_len.to_le_bytes());
        entry.extend_from_slice(&path);
        entry.extend_from_slice(&node_len.to_le_bytes());
        entry.extend_from_slice(&node);
    }
    Ok(groups)
}

/// The node at `node_key` in its group's record, if the group holds it.
pub(super) fn find(group: &[u8], node_key: &NodeKey) -> Result<Option<Node>, StorageError> {
    let wanted = path_bytes(node_key)?;
    let mut rest = group;
    while !rest.is_empty() {
        let path = take_sized::<2>(&mut rest)?;
        let node = take_sized::<4>(&mut rest)?;
        if path == wanted.as_slice() {
            let node = borsh::from_slice(node).map_err(|e| StorageError::Tree(e.to_string()))?;
            return Ok(Some(node));
        }
    }
    Ok(None)
}

/// Splits a little-endian length of `N` bytes and that many bytes off `rest`.
fn take_sized<'a, const N: usize>(rest: &mut &'a [u8]) -> Result<&'a [u8], StorageError> {
    let truncated = || StorageError::Tree("a state tree node group is truncated".to_owned());
    if rest.len() < N {
        return Err(truncated());
    }
    let (len, tail) = rest.split_at(N);
    let mut bytes = [0u8; 8];
    bytes[..N].copy_from_slice(len);
    let len = usize::try_from(u64::from_le_bytes(bytes)).map_err(|_| truncated())?;
    if tail.len() < len {
        return Err(truncated());
    }
    let (value, tail) = tail.split_at(len);
    *rest = tail;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use xianjie_ledger::state::WriteSet;

    /// A tree update over enough keys to have nodes at every prefix length.
    fn update_of(keys: u16) -> crate::StateUpdate {
        let store = Store::temporary().unwrap();
        let writes: WriteSet = (0..keys)
            .map(|i| (i.to_be_bytes().to_vec(), Some(vec![1; 3])))
            .collect();
        store.compute_state_update(writes, 7).unwrap()
    }

    #[test]
    fn every_node_is_found_in_its_group_and_nowhere_else() {
        let update = update_of(2_000);
        let nodes = update.tree.node_batch.nodes();
        let groups = group(nodes).unwrap();
        assert!(groups.len() < nodes.len() / 4, "{} groups", groups.len());
        let depths: std::collections::BTreeSet<usize> = nodes
            .keys()
            .map(|k| k.nibble_path().num_nibbles().min(2))
            .collect();
        assert_eq!(depths.len(), 3, "root, one-nibble and longer paths");
        for (node_key, node) in nodes {
            let key = group_key(node_key);
            assert_eq!(find(&groups[&key], node_key).unwrap().as_ref(), Some(node));
            let elsewhere = groups.iter().filter(|(other, _)| **other != key);
            for (_, group) in elsewhere.take(20) {
                assert_eq!(find(group, node_key).unwrap(), None);
            }
        }
    }

    #[test]
    fn a_group_cut_inside_an_entry_is_an_error_not_an_answer() {
        let update = update_of(300);
        let groups = group(update.tree.node_batch.nodes()).unwrap();
        let (key, bytes) = groups.iter().max_by_key(|(_, g)| g.len()).unwrap();
        let last = update
            .tree
            .node_batch
            .nodes()
            .keys()
            .rfind(|k| group_key(k) == *key)
            .unwrap();
        for cut in [1, 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(find(&bytes[..cut], last).is_err(), "cut at {cut}");
        }
    }
}
