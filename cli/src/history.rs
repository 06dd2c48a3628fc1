//! `xianjie history`: checks that the chain's history was only ever
//! extended, from the history tree over its headers
//! (`GET /v1/history/consistency`, `GET /v1/history/inclusion`).
//!
//! The tree over the first `n` headers is fixed by header `n + 1`, whose
//! `history_root` the validators certify. So the command checks the proof
//! against the roots of the certified headers that name them, never against
//! roots the node merely states; with `--genesis FILE` it also checks those
//! headers' commit certificates against the genesis validators. Keep the
//! roots it prints (or a receipt's header) and check a later history
//! against them: a history rewritten after you looked is refused.

use std::path::PathBuf;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use serde_json::json;
use xianjie_api::chain::BlockView;
use xianjie_api::history::{ConsistencyView, HistoryInclusionView};
use xianjie_ledger::hash::Hash;

use crate::client::NodeClient;
use crate::events::BlockVerifier;
use crate::{Context, Exit};

/// `xianjie history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    command: HistoryCommand,
}

#[derive(Debug, Subcommand)]
enum HistoryCommand {
    /// Check that the history over the first --to headers extends the one
    /// over the first --from headers.
    #[command(after_help = "Examples:\n  xianjie history consistency --from 120\n  \
                      xianjie history consistency --from 120 --to 4000 --root 9f3c…  --genesis genesis.json")]
    Consistency {
        /// Headers in the earlier history (0 or more).
        #[arg(long, value_name = "N")]
        from: u64,
        /// Headers in the later history (default: the newest certified
        /// history, every header but the latest).
        #[arg(long, value_name = "N")]
        to: Option<u64>,
        /// The earlier history's root as you recorded it (hex); it must be
        /// the root the chain certifies today.
        #[arg(long, value_name = "HEX")]
        root: Option<Hash>,
        /// The chain's genesis document: check the certifying headers'
        /// commit certificates against its validators.
        #[arg(long, value_name = "FILE")]
        genesis: Option<PathBuf>,
    },
    /// Check that header --height is in the history over the first --size
    /// headers.
    Inclusion {
        /// The header's height.
        #[arg(long, value_name = "H")]
        height: u64,
        /// Headers in the history (default: the newest certified history).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        /// The chain's genesis document, as for `consistency`.
        #[arg(long, value_name = "FILE")]
        genesis: Option<PathBuf>,
    },
}

/// Runs `xianjie history`.
pub fn execute(context: &Context, args: HistoryArgs) -> anyhow::Result<Exit> {
    let client = NodeClient::new(&context.node_url);
    match args.command {
        HistoryCommand::Consistency {
            from,
            to,
            root,
            genesis,
        } => consistency(context, &client, from, to, root, genesis),
        HistoryCommand::Inclusion {
            height,
            size,
            genesis,
        } => inclusion(context, &client, height, size, genesis),
    }
}

fn consistency(
    context: &Context,
    client: &NodeClient,
    from: u64,
    to: Option<u64>,
    recorded_root: Option<Hash>,
    genesis: Option<PathBuf>,
) -> anyhow::Result<Exit> {
    let certifier = Certifier::new(client, genesis)?;
    let to = certifier.size_or_newest(to)?;
    let path = format!("/v1/history/consistency?from={from}&to={to}");
    let view: ConsistencyView = client.get_typed(&path)?;
    if (view.from, view.to) != (from, to) {
        bail!(
            "the node answered a proof for {} → {} headers, not {from} → {to}",
            view.from,
            view.to
        );
    }
    let from_root = certifier.certified_root(from)?;
    let to_root = certifier.certified_root(to)?;
    if let Some(recorded) = recorded_root {
        if recorded != from_root {
            bail!(
                "the history over the first {from} headers is now certified with root {from_root}, \
                 not the {recorded} you recorded: this chain's history was rewritten, or you \
                 recorded the root of another chain or size"
            );
        }
    }
    view.proof.verify(&from_root, &to_root).with_context(|| {
        format!(
            "the history over {to} headers does NOT extend the history over {from}: its history \
             was rewritten after header {from} was certified (or the node's proof is damaged)"
        )
    })?;
    let json = json!({
        "consistent": true,
        "from": from,
        "to": to,
        "from_root": from_root,
        "to_root": to_root,
        "certified_by": [from + 1, to + 1],
        "certificates_checked": certifier.checks_certificates(),
    });
    context.output.emit(&json, || {
        format!(
            "consistent: the history over {to} headers (root {to_root}, header {}) extends the \
             history over {from} (root {from_root}, header {}){}",
            to + 1,
            from + 1,
            certifier.trust_note()
        )
    })?;
    Ok(Exit::Success)
}

fn inclusion(
    context: &Context,
    client: &NodeClient,
    height: u64,
    size: Option<u64>,
    genesis: Option<PathBuf>,
) -> anyhow::Result<Exit> {
    let certifier = Certifier::new(client, genesis)?;
    let size = certifier.size_or_newest(size)?;
    let path = format!("/v1/history/inclusion?height={height}&size={size}");
    let view: HistoryInclusionView = client.get_typed(&path)?;
    if (view.height, view.size) != (height, size) {
        bail!(
            "the node answered a proof for header {} of {}, not {height} of {size}",
            view.height,
            view.size
        );
    }
    let header_hash = certifier.certified_block(height)?.header.hash();
    let root = certifier.certified_root(size)?;
    view.proof.verify(&header_hash, &root).with_context(|| {
        format!("header {height} is NOT in the certified history: the node's proof fails")
    })?;
    let json = json!({
        "included": true,
        "height": height,
        "header_hash": header_hash,
        "size": size,
        "root": root,
        "certificates_checked": certifier.checks_certificates(),
    });
    context.output.emit(&json, || {
        format!(
            "included: header {height} ({header_hash}) is in the history over {size} headers \
             (root {root}, header {}){}",
            size + 1,
            certifier.trust_note()
        )
    })?;
    Ok(Exit::Success)
}

/// Reads certified headers, checking their certificates when a genesis
/// document is given.
struct Certifier<'a> {
    client: &'a NodeClient,
    verifier: Option<BlockVerifier>,
}

impl<'a> Certifier<'a> {
    fn new(client: &'a NodeClient, genesis: Option<PathBuf>) -> anyhow::Result<Self> {
        let verifier = match genesis {
            Some(path) => Some(BlockVerifier::new(crate::verify::read_genesis(&path)?)),
            None => None,
        };
        Ok(Certifier { client, verifier })
    }

    /// `size`, or the newest history a header certifies: every header but
    /// the latest.
    fn size_or_newest(&self, size: Option<u64>) -> anyhow::Result<u64> {
        let tip = self.client.status()?.height;
        let newest = tip.saturating_sub(1);
        match size {
            None => Ok(newest),
            Some(size) if size > newest => bail!(
                "the history over {size} headers is not certified yet: header {} names its root, \
                 and the chain is at height {tip} (the newest certified history has {newest} headers)",
                size + 1
            ),
            Some(size) => Ok(size),
        }
    }

    /// The block at `height`, its certificate checked if it can be.
    fn certified_block(&self, height: u64) -> anyhow::Result<BlockView> {
        let path = format!("/v1/blocks/{height}");
        let block: BlockView = self.client.get_typed(&path)?;
        if block.header.height != height {
            bail!(
                "the node answered block {} for height {height}",
                block.header.height
            );
        }
        if let Some(verifier) = &self.verifier {
            verifier.check_block(&block)?;
        }
        Ok(block)
    }

    /// The root of the history over the first `size` headers, as header
    /// `size + 1` names it.
    fn certified_root(&self, size: u64) -> anyhow::Result<Hash> {
        Ok(self.certified_block(size + 1)?.header.history_root)
    }

    fn checks_certificates(&self) -> bool {
        self.verifier.is_some()
    }

    fn trust_note(&self) -> &'static str {
        if self.checks_certificates() {
            "; both headers' certificates verify against the genesis validators"
        } else {
            "\n(roots as the node's headers give them; add --genesis FILE to check their certificates)"
        }
    }
}
