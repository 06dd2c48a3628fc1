//! `xianjie status`: which chain the node serves and how far it is.

use clap::Args;
use serde_json::Value;

use crate::output::format_time_ms;
use crate::{Context, Exit};

/// `xianjie status` (no options of its own).
#[derive(Debug, Args)]
pub struct StatusArgs {}

/// Prints the node's status; `--json` passes the node's answer through unchanged.
pub fn execute(context: &Context, _args: StatusArgs) -> anyhow::Result<Exit> {
    let status = context.client().status()?;
    context
        .output
        .emit(&status.raw, || human_status(&context.node_url, &status.raw))?;
    Ok(Exit::Success)
}

fn human_status(node_url: &str, raw: &Value) -> String {
    let text = |field: &str| raw[field].as_str().unwrap_or("?").to_owned();
    let latest_time = raw["latest_time_ms"]
        .as_u64()
        .map(format_time_ms)
        .unwrap_or_else(|| "?".into());
    let validators = raw["validators"].as_array().map_or(0, Vec::len);
    [
        format!("node          {node_url} (version {})", text("version")),
        format!("chain         {}", text("chain_id")),
        format!("height        {}", raw["height"]),
        format!("latest block  {}", text("latest_block_hash")),
        format!("latest time   {latest_time}"),
        format!("state root    {}", text("state_root")),
        format!("genesis       {}", text("genesis_hash")),
        format!("mempool       {} transactions", raw["mempool_size"]),
        format!("validators    {validators}"),
    ]
    .join("\n")
}
