//! `xianjie --key MINE.key evidence cosign DRAFT`: a collector adds their
//! co-signature to an anchor draft (see [`super::draft`]).
//!
//! Nothing is sent to a node: the co-signature covers the draft's chain id,
//! the officer who will submit it and every field of the anchor, which this
//! command prints so the collector sees what they sign.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use clap::Args;
use serde_json::json;

use super::draft::{self, Draft};
use crate::hashing::{hash_file, Progress};
use crate::output::{category_label, format_time_seconds};
use crate::{Context, Exit};

/// `xianjie evidence cosign`
#[derive(Debug, Args)]
pub struct CosignArgs {
    /// The draft written by `xianjie evidence anchor … --unsigned-out DRAFT`;
    /// your co-signature is added to it in place.
    pub draft: PathBuf,
    /// The evidence file in hand: co-sign only if its digest is the draft's.
    #[arg(long, value_name = "EVIDENCE")]
    pub file: Option<PathBuf>,
}

/// Adds the `--key` officer's co-signature to the draft.
pub fn execute(context: &Context, args: CosignArgs) -> anyhow::Result<Exit> {
    let key = context.load_key()?;
    let me = key.public_key().id();
    let mut draft = Draft::read(&args.draft)?;
    if me == draft.signer {
        bail!(
            "you wrote this draft and sign it by submitting it (`xianjie evidence anchor --draft {}`); \
             co-signing is for the other collectors named in it: {}",
            args.draft.display(),
            draft::list(&draft.missing())
        );
    }
    if !draft.anchor.collected_by.contains(&me) {
        bail!(
            "your key {me} is not named as a collector in this draft (named: {}); only the officers who collected the item co-sign it",
            draft::list(&draft.anchor.collected_by)
        );
    }
    if !draft.missing().contains(&me) {
        bail!("you have already co-signed this draft; nothing to do");
    }
    draft.check_co_signatures()?;
    if let Some(file) = &args.file {
        let hashed = hash_file(file, Progress::Hidden)
            .with_context(|| format!("cannot read {}", file.display()))?;
        if hashed.digest != draft.anchor.digest {
            bail!(
                "{} has digest {}, the draft anchors {}: do not co-sign an anchor of another file",
                file.display(),
                hashed.digest,
                draft.anchor.digest
            );
        }
    }
    super::co_sign(
        &mut draft.anchor,
        &draft.chain_id,
        &draft.signer,
        key.as_ref(),
    )?;
    draft.write(&args.draft)?;
    print_co_signed(context, &args.draft, &draft, me)
}

fn print_co_signed(
    context: &Context,
    path: &std::path::Path,
    draft: &Draft,
    me: xianjie_ledger::crypto::KeyId,
) -> anyhow::Result<Exit> {
    let anchor = &draft.anchor;
    let missing = draft.missing();
    let answer = json!({
        "draft": path,
        "digest": anchor.digest,
        "co_signed_by": me,
        "signer": draft.signer,
        "chain_id": draft.chain_id,
        "missing_co_signatures": missing,
    });
    context.output.emit(&answer, || {
        let next = if missing.is_empty() {
            format!(
                "every collector has signed: officer {} submits it with `xianjie evidence anchor --draft {}`",
                draft.signer,
                path.display()
            )
        } else {
            format!("still to co-sign: {}", draft::list(&missing))
        };
        format!(
            "co-signed {}\nfile      {} bytes, {}, {}\ncase      {}\ncollected {} by {}\nsubmitter officer {} on chain {}\nnext      {next}",
            anchor.digest,
            anchor.size,
            anchor.media_type,
            category_label(anchor.category),
            anchor.case_id.as_deref().unwrap_or("(none)"),
            format_time_seconds(anchor.collected_at),
            draft::list(&anchor.collected_by),
            draft.signer,
            draft.chain_id,
        )
    })?;
    Ok(Exit::Success)
}
