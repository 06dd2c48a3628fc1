//! `xianjie-node genesis --home H [--out FILE]`: the node's genesis document
//! with every field written out.
//!
//! A genesis.json written before a field existed is read by the node with
//! that field's built-in default, and `xianjie verify` refuses it, since an
//! outside verifier cannot know the default (docs/receipt.md §6.1). The
//! operators' node is the authority on what its chain began with: this
//! writes the document as the node reads it and checks that its hash is the
//! genesis hash the node's store was started with, so the completed file
//! proves exactly what the old one did.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use xianjie_ledger::genesis::Genesis;
use xianjie_store::Store;

use crate::backup::TOOL_CACHE_BYTES;

/// What `genesis` wrote.
#[derive(Debug)]
pub struct Completed {
    /// The complete document.
    pub json: String,
    /// Its hash, equal to the store's.
    pub hash: String,
}

/// Reads `home/genesis.json` as the node does and checks its hash against
/// the store of `home/data` (the node must be stopped).
pub fn complete(home: &Path) -> anyhow::Result<Completed> {
    let path = home.join("genesis.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let genesis = Genesis::from_json(&text)
        .with_context(|| format!("{} is not a genesis document", path.display()))?;
    let data_dir = home.join("data");
    crate::verify_db::ensure_not_locked(&data_dir)?;
    let store = Store::open_with_cache(&data_dir, TOOL_CACHE_BYTES)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let Some(started_with) = store.genesis_hash()? else {
        bail!(
            "the store in {} was never started: there is no chain whose genesis to confirm",
            data_dir.display()
        );
    };
    let hash = genesis.hash();
    if hash != started_with {
        bail!(
            "{} hashes to {hash} as this build reads it, but the chain began with genesis \
             {started_with}: this build's defaults are not what the chain was started with; \
             complete the file with the release that started the chain",
            path.display()
        );
    }
    Ok(Completed {
        json: genesis.to_json(),
        hash: hash.to_hex(),
    })
}

/// Writes the document to `out` (which must not exist) or stdout.
pub fn write(completed: &Completed, out: Option<&PathBuf>) -> anyhow::Result<()> {
    match out {
        Some(out) => {
            let mut file = std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(out)
                .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
            std::io::Write::write_all(&mut file, completed.json.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {} (genesis {})", out.display(), completed.hash);
        }
        None => {
            println!("{}", completed.json);
            eprintln!("genesis {}", completed.hash);
        }
    }
    Ok(())
}
