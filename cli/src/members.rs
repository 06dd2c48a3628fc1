//! `xianjie officer …` and `xianjie node-key …`: an organisation's admin
//! registers and revokes its officers' keys and its network nodes' keys.
//!
//! Keys are named by their public key (what `xianjie keys new` prints), so the
//! officer or the agency running the node never hands over the key file.

use anyhow::{anyhow, Context as _};
use clap::{Args, Subcommand};
use serde_json::json;
use xianjie_ledger::crypto::{KeyId, PublicKey};
use xianjie_ledger::model::Role;
use xianjie_ledger::tx::{Call, NodeKeyCall, RegisterOfficer, RevokeOfficer};

use crate::common::submit;
use crate::{Context, Exit};

/// `xianjie officer …`
#[derive(Debug, Args)]
pub struct OfficerArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: OfficerCommand,
}

/// The `officer` subcommands (the organisation's admin key).
#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Register an officer's public key in your organisation, with a role.
    Register {
        /// The officer's public key (64 hex characters, as `xianjie keys new` prints it).
        public_key: String,
        /// What the key may sign.
        #[arg(long, value_parser = role_parser(), default_value_t = RoleArg::Officer)]
        role: RoleArg,
    },
    /// Revoke one of your organisation's officer keys: it signs nothing from then on.
    Revoke {
        /// The officer's public key (64 hex characters) or key id (40).
        // Not `key`: that is the global `--key` (the admin's key file).
        #[arg(value_name = "KEY")]
        officer: String,
    },
}

/// An officer's role, as the command line names it: the ledger's [`Role`]
/// by its names (`xianjie_ledger::names`).
pub type RoleArg = Role;

/// The help line of each role in `--help`.
fn role_help(role: Role) -> &'static str {
    match role {
        Role::Officer => "Day-to-day acts",
        Role::Head => "Decisions the law reserves to the organisation's head",
        Role::Admin => "Manages officers and votes in governance",
    }
}

/// clap parser for `--role`.
fn role_parser() -> impl clap::builder::TypedValueParser<Value = Role> {
    crate::common::ledger_names(Role::NAMES, role_help)
}

/// `xianjie node-key …`
#[derive(Debug, Args)]
pub struct NodeKeyArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: NodeKeyCommand,
}

/// The `node-key` subcommands (the organisation's admin key).
#[derive(Debug, Subcommand)]
pub enum NodeKeyCommand {
    /// Allow a node of your organisation onto the network (its `keys/node.key`).
    Register {
        /// The node's public key (64 hex characters).
        public_key: String,
    },
    /// Refuse one of your organisation's nodes from now on.
    Revoke {
        /// The node's public key (64 hex characters).
        public_key: String,
    },
}

/// Parses a public key given on the command line.
pub fn parse_public_key(text: &str) -> anyhow::Result<PublicKey> {
    let key = PublicKey::from_hex(text).with_context(|| format!("{text:?} is not a public key"))?;
    if !key.is_valid() {
        return Err(anyhow!(
            "{text} is not a usable ed25519 public key (not a curve point, or a weak one)"
        ));
    }
    Ok(key)
}

/// A key id from either a public key (64 hex characters) or an id (40).
pub fn parse_key_id(text: &str) -> anyhow::Result<KeyId> {
    let text = text.trim();
    match text.len() {
        64 => Ok(parse_public_key(text)?.id()),
        40 => KeyId::from_hex(text).with_context(|| format!("{text:?} is not a key id")),
        length => Err(anyhow!(
            "{text:?} is neither a public key (64 hex characters) nor a key id (40); it has {length}"
        )),
    }
}

/// Runs an `officer` subcommand.
pub fn execute_officer(context: &Context, args: OfficerArgs) -> anyhow::Result<Exit> {
    match args.command {
        OfficerCommand::Register { public_key, role } => {
            let public_key = parse_public_key(&public_key)?;
            let id = public_key.id().to_hex();
            submit(
                context,
                Call::RegisterOfficer(RegisterOfficer { public_key, role }),
                |_| json!({ "id": id, "role": role }),
                |c| {
                    format!(
                        "registered officer {id} as {:?} (height {}, tx {})",
                        role, c.height, c.hash
                    )
                },
            )
        }
        OfficerCommand::Revoke { officer } => {
            let officer = parse_key_id(&officer)?;
            let id = officer.to_hex();
            submit(
                context,
                Call::RevokeOfficer(RevokeOfficer { officer }),
                |_| json!({ "id": id, "revoked": true }),
                |c| format!("revoked officer {id} (height {}, tx {})", c.height, c.hash),
            )
        }
    }
}

/// Runs a `node-key` subcommand.
pub fn execute_node_key(context: &Context, args: NodeKeyArgs) -> anyhow::Result<Exit> {
    let (public_key, register) = match &args.command {
        NodeKeyCommand::Register { public_key } => (parse_public_key(public_key)?, true),
        NodeKeyCommand::Revoke { public_key } => (parse_public_key(public_key)?, false),
    };
    let text = public_key.to_hex();
    let (call, verb) = if register {
        (
            Call::RegisterNodeKey(NodeKeyCall { public_key }),
            "registered",
        )
    } else {
        (Call::RevokeNodeKey(NodeKeyCall { public_key }), "revoked")
    };
    submit(
        context,
        call,
        |_| json!({ "public_key": text, "registered": register }),
        |c| {
            format!(
                "{verb} node key {text} (height {}, tx {}); every node applies it from this block on",
                c.height, c.hash
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_a_public_key_or_an_id() {
        let key = xianjie_ledger::crypto::SecretKey::from_bytes(&[7u8; 32]).public_key();
        assert_eq!(parse_key_id(&key.to_hex()).unwrap(), key.id());
        assert_eq!(parse_key_id(&key.id().to_hex()).unwrap(), key.id());
        assert!(parse_key_id("abcd").is_err());
        assert!(parse_public_key(&"zz".repeat(32)).is_err());
        // The identity point is a valid encoding but a weak key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(parse_public_key(&hex::encode(identity)).is_err());
    }
}
