//! `xianjie evidence hash FILE`: print a file's digest, as `b3sum` would,
//! without contacting a node. Handy in scripts: `D=$(xianjie evidence hash f)`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::hashing_progress;
use crate::hashing::hash_file;
use crate::{Context, Exit};

/// `xianjie evidence hash`
#[derive(Debug, Args)]
pub struct HashArgs {
    /// The file to hash.
    pub file: PathBuf,
}

/// Prints the digest (text: the digest alone on one line).
pub fn execute(context: &Context, args: HashArgs) -> anyhow::Result<Exit> {
    let file = hash_file(&args.file, hashing_progress(context))
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let json = json!({
        "digest": file.digest,
        "size": file.size,
        "file": args.file.display().to_string(),
    });
    context.output.emit(&json, || file.digest.to_hex())?;
    Ok(Exit::Success)
}
