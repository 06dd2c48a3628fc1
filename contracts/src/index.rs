//! Secondary indexes kept inside the state, so that listing "cases of this
//! organisation" or "results for this entity" needs no scan and is covered by
//! the state root.
//!
//! An index is a paged set of byte strings under a name
//! (`xianjie_ledger::state::keys::index`):
//!
//! ```text
//!   <name>            IndexMeta { len }            number of entries
//!   <name>#p<page>    IndexPage(entries)           PAGE_SIZE entries per page
//!   <name>#e<entry>   IndexMeta { len: position }  where the entry sits
//! ```
//!
//! Insertion appends to the last page; removal moves the last entry into the
//! hole, so pages stay dense and every operation touches a constant number of
//! keys. Entries keep insertion order, except that a removal moves the last
//! entry into the removed one's place. The position record makes insertion
//! idempotent.

use serde::{Deserialize, Serialize};
use xianjie_ledger::codec::{encode, Canonical};
use xianjie_ledger::state::StateView;

use crate::error::Result;
use crate::overlay::Overlay;
use crate::read;

/// Entries per page.
pub const PAGE_SIZE: u32 = 64;
/// Longest entry.
pub const MAX_ENTRY_LEN: usize = 96;

/// The entry count of an index, or an entry's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// Count (under the name) or position (under an entry key).
    pub len: u32,
}

/// One page of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPage(pub Vec<Vec<u8>>);

impl Canonical for IndexMeta {
    const KIND: &'static str = "index entry count";
    const MAX_ENCODED_LEN: usize = 8;
}

impl Canonical for IndexPage {
    const KIND: &'static str = "index page";
    const MAX_ENCODED_LEN: usize = (PAGE_SIZE as usize) * (MAX_ENTRY_LEN + 2) + 8;
}

fn page_key(name: &[u8], page: u32) -> Vec<u8> {
    [name, format!("#p{page}").as_bytes()].concat()
}

fn entry_key(name: &[u8], entry: &[u8]) -> Vec<u8> {
    [name, b"#e", entry].concat()
}

fn len_of(view: &dyn StateView, name: &[u8]) -> Result<u32> {
    Ok(read::record::<IndexMeta>(view, name)?.map_or(0, |meta| meta.len))
}

fn page_of(view: &dyn StateView, name: &[u8], page: u32) -> Result<IndexPage> {
    Ok(read::record::<IndexPage>(view, &page_key(name, page))?.unwrap_or_default())
}

fn put<T: Canonical>(stage: &mut Overlay<'_>, key: Vec<u8>, value: Option<&T>) {
    stage.put(key, value.map(encode));
}

/// Whether the index holds `entry`.
pub fn contains(view: &dyn StateView, name: &[u8], entry: &[u8]) -> Result<bool> {
    Ok(read::record::<IndexMeta>(view, &entry_key(name, entry))?.is_some())
}

/// Number of entries.
pub fn len(view: &dyn StateView, name: &[u8]) -> Result<u32> {
    len_of(view, name)
}

/// Adds `entry` (no-op if present).
pub(crate) fn insert(stage: &mut Overlay<'_>, name: &[u8], entry: &[u8]) -> Result<()> {
    debug_assert!(!entry.is_empty() && entry.len() <= MAX_ENTRY_LEN);
    if contains(stage, name, entry)? {
        return Ok(());
    }
    let len = len_of(stage, name)?;
    let page_number = len / PAGE_SIZE;
    let mut page = page_of(stage, name, page_number)?;
    page.0.push(entry.to_vec());
    put(stage, page_key(name, page_number), Some(&page));
    put(stage, entry_key(name, entry), Some(&IndexMeta { len }));
    put(stage, name.to_vec(), Some(&IndexMeta { len: len + 1 }));
    Ok(())
}

/// Removes `entry` (no-op if absent).
pub(crate) fn remove(stage: &mut Overlay<'_>, name: &[u8], entry: &[u8]) -> Result<()> {
    let Some(IndexMeta { len: position }) = read::record(stage, &entry_key(name, entry))? else {
        return Ok(());
    };
    let len = len_of(stage, name)?;
    let last = len.saturating_sub(1);
    let last_page_number = last / PAGE_SIZE;
    let mut last_page = page_of(stage, name, last_page_number)?;
    let moved = last_page.0.pop();
    if position != last {
        // Fill the hole with the last entry.
        if let Some(moved) = moved {
            let page_number = position / PAGE_SIZE;
            let slot = (position % PAGE_SIZE) as usize;
            let mut page = if page_number == last_page_number {
                last_page.clone()
            } else {
                page_of(stage, name, page_number)?
            };
            if let Some(cell) = page.0.get_mut(slot) {
                *cell = moved.clone();
            }
            if page_number == last_page_number {
                last_page = page;
            } else {
                put(stage, page_key(name, page_number), Some(&page));
            }
            put(
                stage,
                entry_key(name, &moved),
                Some(&IndexMeta { len: position }),
            );
        }
    }
    let last_key = page_key(name, last_page_number);
    if last_page.0.is_empty() {
        put::<IndexPage>(stage, last_key, None);
    } else {
        put(stage, last_key, Some(&last_page));
    }
    put::<IndexMeta>(stage, entry_key(name, entry), None);
    if last == 0 {
        put::<IndexMeta>(stage, name.to_vec(), None);
    } else {
        put(stage, name.to_vec(), Some(&IndexMeta { len: last }));
    }
    Ok(())
}

/// Every entry, in index order.
pub fn entries(view: &dyn StateView, name: &[u8]) -> Result<Vec<Vec<u8>>> {
    let len = len_of(view, name)?;
    let pages = len.div_ceil(PAGE_SIZE);
    let mut out = Vec::with_capacity(len as usize);
    for page in 0..pages {
        out.extend(page_of(view, name, page)?.0);
    }
    Ok(out)
}

/// At most `at_most` entries from the end of the index, last first, reading
/// only the pages they are on: the newest entries of an index nothing is
/// removed from (clues, requests), for reads that must stay bounded however
/// long the index grows.
pub fn last_entries(view: &dyn StateView, name: &[u8], at_most: usize) -> Result<Vec<Vec<u8>>> {
    let len = len_of(view, name)?;
    let mut out = Vec::with_capacity(at_most.min(len as usize));
    let mut page = len.div_ceil(PAGE_SIZE);
    while page > 0 && out.len() < at_most {
        page -= 1;
        let entries = page_of(view, name, page)?.0;
        let wanted = at_most - out.len();
        out.extend(entries.into_iter().rev().take(wanted));
    }
    Ok(out)
}

/// The ids of the `at_most` newest entries of an index of record ids,
/// newest first, and whether they are all it has.
pub fn newest_ids<Id: From<String>>(
    view: &dyn StateView,
    name: &[u8],
    at_most: usize,
) -> Result<(Vec<Id>, bool)> {
    let ids: Vec<Id> = last_entries(view, name, at_most)?
        .into_iter()
        .map(|entry| Id::from(String::from_utf8_lossy(&entry).into_owned()))
        .collect();
    let all = ids.len() as u64 >= u64::from(len_of(view, name)?);
    Ok((ids, all))
}

/// Every entry as text (indexes of ids).
pub fn text_entries(view: &dyn StateView, name: &[u8]) -> Result<Vec<String>> {
    Ok(entries(view, name)?
        .into_iter()
        .map(|entry| String::from_utf8_lossy(&entry).into_owned())
        .collect())
}

/// The entries of a set of record ids (cases, results, proposals), in order.
pub fn id_entries<Id: From<String>>(view: &dyn StateView, name: &[u8]) -> Result<Vec<Id>> {
    Ok(text_entries(view, name)?
        .into_iter()
        .map(Id::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use xianjie_ledger::state::WriteSet;

    #[derive(Default)]
    struct Map(BTreeMap<Vec<u8>, Vec<u8>>);

    impl StateView for Map {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.0.get(key).cloned()
        }
    }

    fn apply(map: &mut Map, writes: WriteSet) {
        for (key, value) in writes {
            match value {
                Some(value) => map.0.insert(key, value),
                None => map.0.remove(&key),
            };
        }
    }

    #[test]
    fn the_last_entries_are_read_newest_first_across_pages() {
        let mut map = Map::default();
        let name = b"index/newest";
        assert!(last_entries(&map, name, 10).unwrap().is_empty());
        let entry = |i: u32| format!("e{i:04}").into_bytes();
        for i in 0..150 {
            let mut stage = Overlay::new(&map);
            insert(&mut stage, name, &entry(i)).unwrap();
            let writes = stage.into_writes();
            apply(&mut map, writes);
        }
        let newest = last_entries(&map, name, 70).unwrap();
        assert_eq!(newest, (80..150).rev().map(entry).collect::<Vec<_>>());
        let all = last_entries(&map, name, 1_000).unwrap();
        assert_eq!(all, (0..150).rev().map(entry).collect::<Vec<_>>());
        assert_eq!(last_entries(&map, name, 0).unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn insert_remove_and_list_across_pages() {
        let mut map = Map::default();
        let name = b"index/test";
        let mut model: Vec<Vec<u8>> = Vec::new();
        let ops: Vec<(bool, u32)> = (0..300).map(|i| (i % 3 != 2, (i * 7919) % 150)).collect();
        for (add, n) in ops {
            let entry = format!("e{n}").into_bytes();
            let mut stage = Overlay::new(&map);
            if add {
                insert(&mut stage, name, &entry).unwrap();
                if !model.contains(&entry) {
                    model.push(entry);
                }
            } else {
                remove(&mut stage, name, &entry).unwrap();
                model.retain(|e| *e != entry);
            }
            let writes = stage.into_writes();
            apply(&mut map, writes);
            let mut listed = entries(&map, name).unwrap();
            let mut expected = model.clone();
            listed.sort();
            expected.sort();
            assert_eq!(listed, expected);
            assert_eq!(len(&map, name).unwrap() as usize, model.len());
        }
        // Removing everything leaves no keys behind.
        for entry in model.clone() {
            let mut stage = Overlay::new(&map);
            remove(&mut stage, name, &entry).unwrap();
            let writes = stage.into_writes();
            apply(&mut map, writes);
        }
        assert!(map.0.is_empty(), "{:?}", map.0.keys().collect::<Vec<_>>());
    }
}
