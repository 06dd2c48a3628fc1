//! `xianjie-node usage --home H`: where a stopped node's store spends its
//! bytes, per record kind (the store's key prefixes) and per committed
//! transaction, beside what sled occupies on disk. The figures behind the
//! disk-per-transaction rows of BENCHMARKS.md.

use std::path::Path;

use anyhow::Context as _;
use xianjie_store::Store;

use crate::backup::TOOL_CACHE_BYTES;

/// The store's record kinds.
const KINDS: &[(&[u8], &str)] = &xianjie_store::RECORD_KINDS;

/// One kind's records.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct KindUsage {
    /// Records.
    pub records: u64,
    /// Key and value bytes.
    pub bytes: u64,
}

/// What `usage` found.
#[derive(Debug)]
pub struct Usage {
    /// Per kind, in [`KINDS`] order.
    pub kinds: Vec<(&'static str, &'static str, KindUsage)>,
    /// Committed transactions (records of `t:`).
    pub txs: u64,
    /// sled's files.
    pub on_disk: u64,
}

/// Counts the records of the store in `home/data` (the node must be stopped).
pub fn measure(home: &Path) -> anyhow::Result<Usage> {
    let data_dir = home.join("data");
    crate::verify_db::ensure_not_locked(&data_dir)?;
    let store = Store::open_with_cache(&data_dir, TOOL_CACHE_BYTES)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let mut kinds = Vec::new();
    for (prefix, name) in KINDS {
        let mut usage = KindUsage::default();
        for record in store.raw_records(prefix) {
            let (key, value) = record?;
            usage.records += 1;
            usage.bytes += (key.len() + value.len()) as u64;
        }
        let prefix = std::str::from_utf8(prefix).unwrap_or("?");
        kinds.push((prefix, *name, usage));
    }
    let txs = kinds
        .iter()
        .find(|(prefix, ..)| *prefix == "t:")
        .map_or(0, |(.., usage)| usage.records);
    let on_disk = store.size_on_disk()?;
    drop(store);
    crate::verify_db::wait_until_released(&data_dir);
    Ok(Usage {
        kinds,
        txs,
        on_disk,
    })
}

/// The table `usage` prints.
pub fn render(usage: &Usage) -> String {
    let per_tx = |bytes: u64| {
        if usage.txs == 0 {
            "-".to_owned()
        } else {
            format!("{:.0}", bytes as f64 / usage.txs as f64)
        }
    };
    let mut out = format!(
        "{:<6} {:<26} {:>12} {:>14} {:>10}\n",
        "prefix", "records of", "records", "bytes", "bytes/tx"
    );
    let mut total = 0;
    for (prefix, name, kind) in &usage.kinds {
        total += kind.bytes;
        out.push_str(&format!(
            "{prefix:<6} {name:<26} {:>12} {:>14} {:>10}\n",
            kind.records,
            kind.bytes,
            per_tx(kind.bytes)
        ));
    }
    out.push_str(&format!(
        "{:<33} {:>12} {:>14} {:>10}\n",
        "all records (key and value bytes)",
        "",
        total,
        per_tx(total)
    ));
    out.push_str(&format!(
        "{:<33} {:>12} {:>14} {:>10}\n",
        "sled's files on disk",
        "",
        usage.on_disk,
        per_tx(usage.on_disk)
    ));
    out.push_str(&format!("{} committed transactions\n", usage.txs));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_divides_by_the_transactions() {
        let usage = Usage {
            kinds: vec![
                (
                    "b:",
                    "blocks",
                    KindUsage {
                        records: 2,
                        bytes: 1_000,
                    },
                ),
                (
                    "t:",
                    "transaction locations",
                    KindUsage {
                        records: 4,
                        bytes: 200,
                    },
                ),
            ],
            txs: 4,
            on_disk: 8_000,
        };
        let table = render(&usage);
        let line = |start: &str| {
            table
                .lines()
                .find(|line| line.starts_with(start))
                .unwrap()
                .split_whitespace()
                .last()
                .unwrap()
                .to_owned()
        };
        assert_eq!(line("b:"), "250");
        assert_eq!(line("t:"), "50");
        assert_eq!(line("all records"), "300");
        assert_eq!(line("sled's files"), "2000");
    }
}
