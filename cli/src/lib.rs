//! The xianjie command: officers anchor, hand over and verify evidence from a terminal.
//!
//! `xianjie` talks to one node's HTTP API and signs transactions locally: the
//! officer's key file never leaves the machine.
//!
//! ```text
//! xianjie [--node URL] [--key FILE] [--passphrase-fd N] [--json] <command>
//!
//!   keys new --out FILE [--plain]   generate a key file (mode 0600), encrypted
//!                                under a passphrase unless --plain
//!   keys encrypt FILE            encrypt a plain key file in place
//!   keys change-passphrase FILE  change an encrypted key file's passphrase
//!   keys show                    id and public key of --key
//!   status                       the node's chain, height and validators
//!   evidence anchor FILE ...     hash a file and anchor it with its category
//!   evidence verify FILE         is this exact file anchored? checks the proof
//!   evidence hash FILE           the file's digest (plain BLAKE3, as b3sum), offline
//!   evidence show DIGEST         the record and custody chain of a digest
//!   evidence custody DIGEST ...  record a custody event (transfer, receive, seal …)
//!   evidence receipt DIGEST -o FILE   save the court-grade receipt of a digest
//!   verify --receipt FILE [--file EVIDENCE] --genesis GENESIS
//!                                check a receipt offline, without any node
//!   case open|act|actions|show|list   case transfers (行刑衔接) and their clocks
//!   clue send|accept|decline|forward|convert|show|list   clues (线索) between organs
//!   request ask|answer|show|list   consultations (咨询) and assistance (协助) between organs
//!   draw item|inspector|snapshot|plan|commit|reveal|name|recuse|result|show|list|verify
//!                                双随机 random draws anyone can re-run
//!   inspection record|show|list|recognize|dispute   results and 互认
//!   lab accredit                 a laboratory's CMA certificate
//!   policy show                  the Cedar policies in force
//!   gov propose|approve|list     M-of-N governance (admin keys), including
//!                                validators joining and leaving
//!   officer register|revoke      an organisation's officer keys (admin key)
//!   node-key register|revoke     an organisation's network nodes (admin key)
//!   login [--open]               a short-lived web console link (the key stays here)
//!   stats [--height H] [--org O] [--region R] [--domain D] [--from D] [--to D]
//!                                supervision statistics at a height (signed read)
//!   stats publish ... | check BUL-… [--table FILE] | bulletins
//!                                anchor a bulletin (通报); recompute and compare digests
//!   events [--after CURSOR | --from-start] [--follow] [--count N] [--verify --genesis FILE]
//!   history consistency --from N [--to N] [--root HEX] [--genesis FILE]
//!   history inclusion --height H [--size N] [--genesis FILE]
//!                                the committed transactions you may read (signed reads)
//! ```
//!
//! Reads of cases, evidence records and inspection results are signed with
//! `--key` (`xianjie_ledger::read_auth`); without a key the node refuses them.
//!
//! Key files (`--key`, `XIANJIE_KEY`, key files given to `--collected-by`
//! and the like) may be plain or encrypted (`docs/keyfile.md`) and are
//! refused unless only their owner can read them. An encrypted one's
//! passphrase comes from `--passphrase-fd N`, else `XIANJIE_PASSPHRASE`,
//! else the terminal.
//!
//! Exit codes: 0 success; 1 a negative answer (the file is not anchored, or
//! the ledger refused the transaction); 2 anything else (usage, unreadable
//! files or keys, an unreachable node, an unexpected answer).
//!
//! The library exists so that tests and the hashing benchmark can call the
//! same code as the binary:
//!
//! ```
//! use clap::Parser;
//! use xianjie_cli::{Cli, Command};
//!
//! let cli = Cli::parse_from(["xianjie", "--json", "status"]);
//! assert!(cli.global.json);
//! assert!(matches!(cli.command, Command::Status(_)));
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Args, Parser, Subcommand};
use xianjie_keyfile::{PassphraseSources, Signer};
use xianjie_ledger::crypto::SecretKey;

pub mod case;
pub mod checkpoint;
pub mod client;
pub mod clue;
pub mod common;
pub mod draw;
pub mod error;
pub mod events;
pub mod evidence;
pub mod gov;
pub mod hashing;
pub mod history;
pub mod inspection;
pub mod keys;
pub mod login;
pub mod members;
pub mod output;
pub mod request;
pub mod stats;
pub mod status;
pub mod supervision;
pub mod verify;

pub use error::Exit;

use client::NodeClient;
use output::Output;

/// The node the CLI talks to unless `--node` or `XIANJIE_NODE` says otherwise
/// (the address `xianjie-node dev` listens on).
pub const DEFAULT_NODE_URL: &str = "http://127.0.0.1:7070";

/// The version printed by `--version` and written into `capture_tool`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "xianjie",
    version,
    about = "Anchor, hand over and verify evidence on the Xianjie ledger."
)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Base URL of the node's HTTP API.
    #[arg(long, global = true, env = "XIANJIE_NODE", default_value = DEFAULT_NODE_URL, value_name = "URL")]
    pub node: String,
    /// The officer's key: a key file, or a key on a PKCS#11 token (UKey)
    /// as `pkcs11:token=LABEL;object=LABEL[?module-path=…&pin-source=FILE]`;
    /// used to sign locally, never sent anywhere.
    #[arg(long, global = true, env = "XIANJIE_KEY", value_name = "FILE|URI")]
    pub key: Option<PathBuf>,
    /// Print one stable JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Read the passphrase of an encrypted key file from this open file
    /// descriptor (one line); else XIANJIE_PASSPHRASE, else the terminal asks.
    #[arg(long, global = true, value_name = "N")]
    pub passphrase_fd: Option<u32>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate and inspect officer keys.
    Keys(keys::KeysArgs),
    /// Show the node's chain id, height and validators.
    Status(status::StatusArgs),
    /// Anchor, verify, show and hand over evidence.
    Evidence(evidence::EvidenceArgs),
    /// Check an evidence receipt offline, against the genesis (no node needed).
    Verify(verify::VerifyArgs),
    /// Open and move case transfers (行刑衔接); see where a case stands.
    Case(case::CaseArgs),
    /// Ask other organs questions (咨询) or for assistance (协助); answer theirs.
    #[command(visible_aliases = ["consult", "assist"])]
    Request(request::RequestArgs),
    /// Send clues (线索) to other organs; accept, decline, forward or convert them.
    Clue(clue::ClueArgs),
    /// 双随机: inspection items, inspectors, entity snapshots and random draws anyone can re-run.
    Draw(draw::DrawArgs),
    /// Record inspection results, recognise (互认) or dispute them.
    Inspection(inspection::InspectionArgs),
    /// Laboratories' CMA certificates.
    Lab(inspection::LabArgs),
    /// Procuratorial supervision: cases flagged as 以罚代刑 or 有案不移.
    Supervision(supervision::SupervisionArgs),
    /// The threshold rules (追诉标准) cases are measured against.
    Rules(supervision::RulesArgs),
    /// The on-chain Cedar policies.
    Policy(gov::PolicyArgs),
    /// M-of-N governance: propose and approve changes (admin keys).
    Gov(gov::GovArgs),
    /// Register or revoke your organisation's officer keys (admin key).
    Officer(members::OfficerArgs),
    /// Register or revoke your organisation's network node keys (admin key).
    NodeKey(members::NodeKeyArgs),
    /// Sign in to the node's web console: prints a short-lived link (the key stays here).
    Login(login::LoginArgs),
    /// Supervision statistics at a height; publish and check bulletins (通报).
    Stats(stats::StatsArgs),
    /// Follow the committed transactions you may read (cases, evidence,
    /// custody, inspections, governance), resumable from a cursor.
    Events(events::EventsArgs),
    /// Check that the chain's history was only ever extended (consistency
    /// and inclusion proofs over its certified headers).
    History(history::HistoryArgs),
    /// Time-stamp the history's checkpoints with a time-stamp authority
    /// (RFC 3161) and record the tokens on chain.
    Checkpoint(checkpoint::CheckpointArgs),
}

/// What every command receives: the global flags, resolved.
#[derive(Debug, Clone)]
pub struct Context {
    /// Where the node is.
    pub node_url: String,
    /// The key file, if one was given.
    pub key_path: Option<PathBuf>,
    /// Text or JSON.
    pub output: Output,
    /// Where the passphrase of an encrypted key file comes from.
    pub passphrases: Arc<PassphraseSources>,
    /// The `--key` key once unlocked: a passphrase or PIN is asked for once per run.
    unlocked_key: Arc<Mutex<Option<Arc<dyn Signer>>>>,
}

impl Context {
    /// Resolves the global flags.
    pub fn new(global: &GlobalArgs) -> Self {
        Context {
            node_url: global.node.clone(),
            key_path: global.key.clone(),
            output: Output::new(global.json),
            passphrases: Arc::new(keys::passphrase_sources(global.passphrase_fd)),
            unlocked_key: Arc::new(Mutex::new(None)),
        }
    }

    /// A client for the node. With `--key` / `XIANJIE_KEY` it signs every
    /// read (`xianjie_ledger::read_auth`); an unreadable key file is reported
    /// by the commands that sign transactions, and reads then go unsigned.
    pub fn client(&self) -> NodeClient {
        let reader = self.key_path.as_ref().and_then(|_| self.load_key().ok());
        NodeClient::new(&self.node_url).signing_reads_with(reader)
    }

    /// Loads the signing key named by `--key` / `XIANJIE_KEY`, unlocking an
    /// encrypted one with a passphrase, or logging in to its token (once
    /// per run).
    pub fn load_key(&self) -> anyhow::Result<Arc<dyn Signer>> {
        let path = self.key_path.as_deref().ok_or_else(|| {
            anyhow::anyhow!(
                "this command signs a transaction and needs a key: pass --key FILE (or --key pkcs11:URI \
                 for a key on a UKey) or set XIANJIE_KEY (create a key file with `xianjie keys new --out FILE`)"
            )
        })?;
        let mut unlocked = self
            .unlocked_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(key) = unlocked.as_ref() {
            return Ok(key.clone());
        }
        let key = keys::open_key(path, &self.passphrases)?;
        *unlocked = Some(Arc::clone(&key));
        Ok(key)
    }

    /// Reads another key file (a colleague's), unlocking it with a
    /// passphrase from the same sources as `--key`'s.
    pub fn read_key_file(&self, path: &std::path::Path) -> anyhow::Result<SecretKey> {
        keys::read_key_file(path, &self.passphrases)
    }
}

/// Runs a parsed command line and returns the process exit code. Errors are
/// printed on stderr here, once.
pub fn run(cli: Cli) -> ExitCode {
    let context = Context::new(&cli.global);
    let result = match cli.command {
        Command::Keys(args) => keys::execute(&context, args),
        Command::Status(args) => status::execute(&context, args),
        Command::Evidence(args) => evidence::execute(&context, args),
        Command::Verify(args) => verify::execute(&context, args),
        Command::Case(args) => case::execute(&context, args),
        Command::Clue(args) => clue::execute(&context, args),
        Command::Request(args) => request::execute(&context, args),
        Command::Draw(args) => draw::execute(&context, args),
        Command::Inspection(args) => inspection::execute(&context, args),
        Command::Lab(args) => inspection::execute_lab(&context, args),
        Command::Supervision(args) => supervision::execute(&context, args),
        Command::Rules(args) => supervision::execute_rules(&context, args),
        Command::Policy(args) => gov::execute_policy(&context, args),
        Command::Gov(args) => gov::execute(&context, args),
        Command::Officer(args) => members::execute_officer(&context, args),
        Command::NodeKey(args) => members::execute_node_key(&context, args),
        Command::Login(args) => login::execute(&context, args),
        Command::Stats(args) => stats::execute(&context, args),
        Command::Events(args) => events::execute(&context, args),
        Command::History(args) => history::execute(&context, args),
        Command::Checkpoint(args) => checkpoint::execute(&context, args),
    };
    match result {
        Ok(exit) => exit.code(),
        Err(error) => {
            eprintln!("error: {error:#}");
            Exit::Failure.code()
        }
    }
}

/// Parses the process arguments (clap exits with 2 on usage errors) and runs.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

#[cfg(test)]
mod tests {
    use super::*;
    use evidence::anchor::CategoryArg;
    use evidence::custody::ActionArg;
    use evidence::EvidenceCommand;

    fn parse(args: &[&str]) -> Cli {
        Cli::parse_from(std::iter::once("xianjie").chain(args.iter().copied()))
    }

    fn anchor_args(cli: Cli) -> evidence::anchor::AnchorArgs {
        match cli.command {
            Command::Evidence(evidence::EvidenceArgs {
                command: EvidenceCommand::Anchor(args),
            }) => args,
            other => panic!("not an anchor command: {other:?}"),
        }
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        let before = parse(&[
            "--node",
            "http://n:1",
            "--key",
            "k.json",
            "--json",
            "status",
        ]);
        let after = parse(&[
            "status",
            "--json",
            "--key",
            "k.json",
            "--node",
            "http://n:1",
        ]);
        for cli in [before, after] {
            assert_eq!(cli.global.node, "http://n:1");
            assert_eq!(
                cli.global.key.as_deref(),
                Some(std::path::Path::new("k.json"))
            );
            assert!(cli.global.json);
        }
    }

    #[test]
    fn node_defaults_to_the_dev_node() {
        // Only meaningful when the environment does not override it.
        if std::env::var_os("XIANJIE_NODE").is_none() {
            assert_eq!(parse(&["status"]).global.node, DEFAULT_NODE_URL);
        }
        assert!(!parse(&["status"]).global.json);
    }

    #[test]
    fn every_category_parses_including_the_two_word_ones() {
        for (name, expected) in [
            ("physical", CategoryArg::Physical),
            ("documentary", CategoryArg::Documentary),
            ("audiovisual", CategoryArg::Audiovisual),
            ("electronic", CategoryArg::Electronic),
            ("appraisal", CategoryArg::Appraisal),
            ("inspection-record", CategoryArg::InspectionRecord),
            ("onsite-record", CategoryArg::OnsiteRecord),
            ("witness", CategoryArg::Witness),
            ("party", CategoryArg::Party),
            (
                "environmental-monitoring",
                CategoryArg::EnvironmentalMonitoring,
            ),
            ("accident-investigation", CategoryArg::AccidentInvestigation),
            ("victim-statement", CategoryArg::VictimStatement),
        ] {
            let args = anchor_args(parse(&["evidence", "anchor", "f.pdf", "--category", name]));
            assert_eq!(args.category, Some(expected));
        }
        assert!(Cli::try_parse_from([
            "xianjie",
            "evidence",
            "anchor",
            "f",
            "--category",
            "rumour"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["xianjie", "evidence", "anchor", "f"]).is_err());
    }

    #[test]
    fn anchor_options_parse_with_defaults() {
        let me = "11".repeat(20);
        let other = "22".repeat(20);
        let digest = "ab".repeat(32);
        let args = anchor_args(parse(&[
            "evidence",
            "anchor",
            "scan.pdf",
            "--category",
            "documentary",
            "--case",
            "CASE-7",
            "--note",
            "seized at the warehouse",
            "--collected-by",
            &format!("{me},{other}"),
            "--collected-by",
            &me,
            "--collected-at",
            "1700000000",
            "--supersedes",
            &digest,
        ]));
        assert_eq!(args.file, Some(std::path::PathBuf::from("scan.pdf")));
        assert_eq!(args.case_id.as_deref(), Some("CASE-7"));
        assert_eq!(args.collected_by.len(), 3);
        assert_eq!(args.collected_at, Some(1_700_000_000));
        assert_eq!(args.capture_method, "file");
        assert_eq!(args.capture_tool, None);
        assert_eq!(args.supersedes.map(|hash| hash.to_hex()), Some(digest));
        let bad_id = Cli::try_parse_from([
            "xianjie",
            "evidence",
            "anchor",
            "f",
            "--category",
            "witness",
            "--collected-by",
            "bob",
        ]);
        assert!(bad_id.is_err());
    }

    #[test]
    fn fined_outcomes_parse_for_judgment_and_penalty_decision() {
        use xianjie_ledger::case::Outcome;
        for (text, expected) in [
            ("convicted-fined", Outcome::ConvictedFined),
            ("fine", Outcome::Fine),
            ("penalty", Outcome::Penalty),
        ] {
            let cli = parse(&[
                "case",
                "act",
                "CASE-1",
                "penalty-decision",
                "--outcome",
                text,
            ]);
            let Command::Case(case::CaseArgs {
                command: case::CaseCommand::Act(args),
            }) = cli.command
            else {
                panic!("not a case action")
            };
            assert_eq!(args.outcome, Some(expected));
        }
        let unknown = [
            "xianjie",
            "case",
            "act",
            "CASE-1",
            "judgment",
            "--outcome",
            "fined",
        ];
        assert!(Cli::try_parse_from(unknown).is_err());
    }

    #[test]
    fn every_custody_action_parses() {
        let digest = "cd".repeat(32);
        for (name, expected) in [
            ("transfer", ActionArg::Transfer),
            ("receive", ActionArg::Receive),
            ("seal", ActionArg::Seal),
            ("examine", ActionArg::Examine),
            ("store", ActionArg::Store),
            ("return", ActionArg::Return),
            ("destroy", ActionArg::Destroy),
        ] {
            let cli = parse(&[
                "evidence",
                "custody",
                &digest,
                "--action",
                name,
                "--to",
                "police-330100",
            ]);
            let Command::Evidence(evidence::EvidenceArgs {
                command: EvidenceCommand::Custody(args),
            }) = cli.command
            else {
                panic!("not a custody command");
            };
            assert_eq!(args.action, expected);
            assert_eq!(
                args.to.as_ref().map(|org| org.as_str()),
                Some("police-330100")
            );
        }
        let bad_org = Cli::try_parse_from([
            "xianjie",
            "evidence",
            "custody",
            &digest,
            "--action",
            "transfer",
            "--to",
            "Police HQ",
        ]);
        assert!(bad_org.is_err());
        let bad_digest =
            Cli::try_parse_from(["xianjie", "evidence", "custody", "abc", "--action", "seal"]);
        assert!(bad_digest.is_err());
    }

    #[test]
    fn keys_and_show_and_verify_parse() {
        assert!(matches!(
            parse(&["keys", "new", "--out", "me.key"]).command,
            Command::Keys(keys::KeysArgs {
                command: keys::KeysCommand::New(_)
            })
        ));
        assert!(matches!(parse(&["keys", "show"]).command, Command::Keys(_)));
        assert!(Cli::try_parse_from(["xianjie", "keys", "new"]).is_err());
        assert!(matches!(
            parse(&["evidence", "verify", "f.bin"]).command,
            Command::Evidence(_)
        ));
        assert!(matches!(
            parse(&["evidence", "show", &"00".repeat(32)]).command,
            Command::Evidence(_)
        ));
    }

    #[test]
    fn member_and_validator_commands_parse_beside_the_global_key() {
        let key = "11".repeat(32);
        let revoke = parse(&["--key", "admin.key", "officer", "revoke", &key]);
        assert_eq!(revoke.global.key, Some(PathBuf::from("admin.key")));
        assert!(matches!(
            revoke.command,
            Command::Officer(members::OfficerArgs {
                command: members::OfficerCommand::Revoke { ref officer }
            }) if *officer == key
        ));
        let register = parse(&["officer", "register", &key, "--role", "head", "--key", "a"]);
        assert!(matches!(
            register.command,
            Command::Officer(members::OfficerArgs {
                command: members::OfficerCommand::Register {
                    role: members::RoleArg::Head,
                    ..
                }
            })
        ));
        let remove = parse(&["--key", "a", "gov", "propose", "remove-validator", &key]);
        assert!(matches!(
            remove.command,
            Command::Gov(gov::GovArgs {
                command: gov::GovCommand::Propose(gov::ProposeArgs {
                    change: gov::ChangeArg::RemoveValidator { ref validator }
                })
            }) if *validator == key
        ));
        assert!(matches!(
            parse(&["gov", "propose", "add-validator", &key, "--org", "lab"]).command,
            Command::Gov(_)
        ));
        assert!(Cli::try_parse_from(["xianjie", "gov", "propose", "add-validator", &key]).is_err());
        assert!(matches!(
            parse(&["node-key", "revoke", &key]).command,
            Command::NodeKey(_)
        ));
    }

    #[test]
    fn usage_errors_exit_with_two() {
        let error = Cli::try_parse_from(["xianjie", "frobnicate"]).unwrap_err();
        assert_eq!(error.exit_code(), i32::from(Exit::Failure.as_u8()));
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
