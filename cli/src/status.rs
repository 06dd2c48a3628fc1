//! `xianjie status`: which chain the node serves and how far it is.

use clap::Args;
use xianjie_api::chain::StatusView;

use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie status` (no options of its own).
#[derive(Debug, Args)]
pub struct StatusArgs {}

/// Prints the node's status; `--json` passes the node's answer through unchanged.
pub fn execute(context: &Context, _args: StatusArgs) -> anyhow::Result<Exit> {
    let status = context.client().status()?;
    context.output.emit(&status.raw, || {
        human_status(&context.node_url, &status.view)
    })?;
    Ok(Exit::Success)
}

fn human_status(node_url: &str, status: &StatusView) -> String {
    [
        format!("node          {node_url} (version {})", status.version),
        format!("chain         {}", status.chain_id),
        format!("height        {}", status.height),
        format!("latest block  {}", status.latest_block_hash),
        format!("latest time   {}", format_time_ms(status.latest_time_ms)),
        format!("state root    {}", status.state_root),
        format!("genesis       {}", status.genesis_hash),
        format!("mempool       {} transactions", status.mempool_size),
        format!("validators    {}", status.validators.len()),
    ]
    .join("\n")
}
