//! `xianjie evidence custody DIGEST --action …`: record a chain-of-custody event.
//!
//! A handoff between organisations takes two events: the holder records
//! `transfer --to ORG`, then the receiver records `receive`. The contract
//! decides who may record what; a refusal (e.g. `not_holder`) exits with 1.

use anyhow::bail;
use clap::Args;
use serde_json::json;
use xianjie_ledger::hash::note_digest;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::CustodyAction;
use xianjie_ledger::tx::{Call, RecordCustody};
use xianjie_ledger::Hash;

use super::{parse_digest, parse_org_id, print_submission};
use crate::output::wire_name;
use crate::{Context, Exit};

/// `xianjie evidence custody`
#[derive(Debug, Args)]
pub struct CustodyArgs {
    /// Digest of the anchored evidence.
    #[arg(value_parser = parse_digest)]
    pub digest: Hash,
    /// What happens to the item.
    #[arg(long, value_parser = action_parser())]
    pub action: ActionArg,
    /// For `transfer`: the receiving organisation (e.g. police-330100).
    #[arg(long, value_name = "ORG", value_parser = parse_org_id)]
    pub to: Option<OrgId>,
    /// A note about the event; only its digest goes on chain.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Custody actions as typed on the command line: the ledger's
/// [`CustodyAction`] by its names (`xianjie_ledger::names`).
pub type ActionArg = CustodyAction;

/// The help line of each action in `--help`.
fn action_help(action: CustodyAction) -> &'static str {
    match action {
        CustodyAction::Transfer => {
            "Hand the item to another organisation (needs --to; completed by its `receive`)."
        }
        CustodyAction::Receive => "Take an item transferred to your organisation.",
        CustodyAction::Seal => "Seal it (封存).",
        CustodyAction::Examine => "Examine or test it.",
        CustodyAction::Store => "Put it in storage.",
        CustodyAction::Return => "Return it to its owner.",
        CustodyAction::Destroy => "Destroy it; the record remains.",
        CustodyAction::Cancel => {
            "Withdraw your organisation's pending transfer (not yet received)."
        }
        CustodyAction::Refuse => {
            "Decline a transfer addressed to your organisation; the sender keeps the item."
        }
    }
}

/// clap parser for `--action`: the ledger's names, listed in `--help` and in
/// the error for a wrong one.
fn action_parser() -> impl clap::builder::TypedValueParser<Value = CustodyAction> {
    crate::common::ledger_names(CustodyAction::NAMES, action_help)
}

/// Records the event and prints tx and height.
pub fn execute(context: &Context, args: CustodyArgs) -> anyhow::Result<Exit> {
    let action: CustodyAction = args.action;
    check_recipient(action, args.to.as_ref())?;
    let key = context.load_key()?;
    let call = Call::RecordCustody(RecordCustody {
        digest: args.digest,
        action,
        to: args.to.clone(),
        note_digest: args.note.as_deref().map(note_digest),
    });
    let submission = context.client().sign_and_submit(key.as_ref(), call)?;
    let fields = json!({ "digest": args.digest, "action": action, "to": args.to });
    print_submission(context, &submission, fields, |committed| {
        let to = args
            .to
            .as_ref()
            .map(|to| format!(" -> {to}"))
            .unwrap_or_default();
        format!(
            "recorded  {}{to}\ndigest    {}\ntx        {}\nblock     {}",
            wire_name(&action),
            args.digest,
            committed.hash,
            committed.height
        )
    })
}

/// `--to` names the receiver of a transfer and means nothing for other actions.
fn check_recipient(action: CustodyAction, to: Option<&OrgId>) -> anyhow::Result<()> {
    match (action, to) {
        (CustodyAction::Transfer, None) => {
            bail!("--action transfer needs --to ORG, the organisation receiving the item")
        }
        (CustodyAction::Transfer, Some(_)) | (_, None) => Ok(()),
        (other, Some(_)) => bail!(
            "--to only goes with --action transfer, not {}",
            wire_name(&other)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_flag_named_as_in_the_api() {
        use clap::builder::TypedValueParser as _;
        for flag in action_parser().possible_values().unwrap() {
            let ledger: CustodyAction = flag.get_name().parse().unwrap();
            assert_eq!(flag.get_name(), wire_name(&ledger));
        }
    }

    #[test]
    fn transfer_needs_a_recipient_and_nothing_else_takes_one() {
        let police = OrgId::new("police").unwrap();
        assert!(check_recipient(CustodyAction::Transfer, None).is_err());
        assert!(check_recipient(CustodyAction::Transfer, Some(&police)).is_ok());
        assert!(check_recipient(CustodyAction::Seal, None).is_ok());
        assert!(check_recipient(CustodyAction::Receive, Some(&police)).is_err());
    }
}
