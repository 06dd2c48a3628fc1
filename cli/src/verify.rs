//! `xianjie verify --receipt FILE [--file EVIDENCE] --genesis GENESIS`:
//! check an evidence receipt offline.
//!
//! No node and no network: the receipt (`xianjie evidence receipt`) carries
//! every proof, and the genesis document carries the trust root (chain id,
//! genesis hash, first validator set). The checks are the ledger's
//! [`xianjie_ledger::receipt::Receipt::verify`], specified in
//! `docs/receipt.md`: every header's certificate against the validator set
//! in force (following each proven validator-set change from the genesis),
//! the state proof of the record, the inclusion proof, signature and content
//! of the anchor and of every custody transaction, and — with `--file` — the
//! file's BLAKE3 digest.
//!
//! Exit codes: 0 valid; 1 invalid, with the first failed check as a stable
//! reason code and a Chinese and an English message; 2 usage errors and
//! unreadable inputs.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde_json::{json, Value};
use xianjie_ledger::checkpoint::WitnessList;
use xianjie_ledger::error::Error as LedgerError;
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::ids::OrgId;
use xianjie_ledger::model::{CustodyAction, CustodyEvent, EvidenceClass};
use xianjie_ledger::receipt::{
    verify_bytes, Receipt, ReceiptError, TrustRoot, VerifiedReceipt, MAX_RECEIPT_BYTES,
};
use xianjie_ledger::receipt_external::CheckpointToCheck;
use xianjie_ledger::receipt_witnesses::Witnessed;
use xianjie_timestamp::{TimestampToken, TrustedCertificate, VerifiedTimestamp};

use crate::hashing::{hash_file, FileDigest, Progress};
use crate::output::{category_label, class_meaning, format_time_ms, wire_name};
use crate::{Context, Exit};

/// `xianjie verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The receipt file, as written by `xianjie evidence receipt DIGEST -o FILE`.
    #[arg(long, value_name = "FILE")]
    pub receipt: PathBuf,
    /// The evidence file in hand: its BLAKE3 digest must be the anchored one.
    #[arg(long, value_name = "EVIDENCE")]
    pub file: Option<PathBuf>,
    /// The chain's genesis document (`genesis.json`), obtained from the
    /// network's operators: it is the root of trust.
    #[arg(long, value_name = "GENESIS")]
    pub genesis: PathBuf,
    /// A list of witnesses (one vkey per line, and `require M`): refuse the
    /// receipt unless M of them co-signed a checkpoint of a history holding
    /// all its headers (docs/receipt.md §10.1). Default M: all listed.
    #[arg(long, value_name = "FILE")]
    pub witnesses: Option<PathBuf>,
    /// A time-stamp authority's certificate, or the CA that issued it (PEM
    /// or DER): refuse the receipt unless it carries an RFC 3161 token of
    /// that TSA over a checkpoint holding the anchor's block
    /// (docs/receipt.md §10.2).
    /// Repeat for several TSAs; the earliest date any of them attests is
    /// shown.
    #[arg(long, value_name = "FILE")]
    pub tsa_cert: Vec<PathBuf>,
}

/// Verifies the receipt and prints the proven facts (exit 0) or the first
/// failed check (exit 1).
pub fn execute(context: &Context, args: VerifyArgs) -> anyhow::Result<Exit> {
    let genesis = read_genesis(&args.genesis)?;
    let bytes = read_receipt(&args.receipt)?;
    let file = match &args.file {
        Some(path) => {
            let progress = if context.output.is_json() {
                Progress::Hidden
            } else {
                Progress::OnTerminal
            };
            Some(
                hash_file(path, progress)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            )
        }
        None => None,
    };
    let report = Report {
        args: &args,
        genesis: &genesis,
        file: file.as_ref(),
        witnessed: None,
        timestamp: None,
    };
    let tsas = args
        .tsa_cert
        .iter()
        .map(|path| crate::checkpoint::read_certificate(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let witnesses = match &args.witnesses {
        Some(path) => Some(read_witnesses(path)?),
        None => None,
    };
    let digest = file.as_ref().map(|file| &file.digest);
    let verified = verify_bytes(&bytes, &genesis, digest).and_then(|facts| {
        let timestamp = if tsas.is_empty() {
            None
        } else {
            Some(earliest_verified_timestamp(&facts, &tsas)?)
        };
        let Some(list) = &witnesses else {
            return Ok((facts, None, timestamp));
        };
        let required = list.required.unwrap_or(list.witnesses.len());
        let receipt = Receipt::from_bytes(&bytes)?;
        let witnessed = receipt.verify_witnessed(
            &TrustRoot::from_genesis(&genesis),
            &list.witnesses,
            required,
        )?;
        Ok((
            facts,
            Some((witnessed, required, receipt.witnessed.len())),
            timestamp,
        ))
    });
    match verified {
        Ok((facts, witnessed, timestamp)) => {
            let report = Report {
                witnessed: witnessed.as_ref(),
                timestamp: timestamp.as_ref(),
                ..report
            };
            context
                .output
                .emit(&report.valid_json(&facts), || report.valid_text(&facts))?;
            Ok(Exit::Success)
        }
        Err(error) => {
            context
                .output
                .emit(&report.invalid_json(&error), || report.invalid_text(&error))?;
            Ok(Exit::Negative)
        }
    }
}

/// Reads the trust root. The document must spell out every field its hash
/// encodes (`docs/receipt.md` §6.1): a field left to a default built into
/// this program would make the hash one that no other verifier reproduces.
pub(crate) fn read_genesis(path: &Path) -> anyhow::Result<Genesis> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the genesis file {}", path.display()))?;
    Genesis::from_complete_json(&text).map_err(|error| match error {
        LedgerError::IncompleteGenesis { .. } => anyhow::anyhow!(
            "{}: {error}; the genesis hash encodes every field, so a verifier cannot fill \
             them in: ask the network's operators for the complete genesis.json \
             (xianjie-node writes it at HOME/genesis.json; for a file written before a \
             field existed, `xianjie-node genesis --home HOME --out FILE` writes it in full \
             and checks its hash)",
            path.display()
        ),
        _ => anyhow::Error::new(error).context(format!(
            "{} is not a Xianjie genesis document; pass the chain's genesis.json",
            path.display()
        )),
    })
}

/// Reads at most one byte more than the largest receipt, so that an
/// oversized file is reported as an invalid receipt rather than read whole.
fn read_receipt(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the receipt {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_RECEIPT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the receipt {}", path.display()))?;
    Ok(bytes)
}

/// What the answer is printed from.
struct Report<'a> {
    args: &'a VerifyArgs,
    genesis: &'a Genesis,
    file: Option<&'a FileDigest>,
    /// With `--witnesses`: who co-signed, how many were required, and how
    /// many witnessed checkpoints the receipt carries.
    witnessed: Option<&'a (Witnessed, usize, usize)>,
    /// With `--tsa-cert`: the token that verified.
    timestamp: Option<&'a StampedAnchor>,
}

/// A verified token and the checkpoint it stamps.
struct StampedAnchor {
    /// Headers of the stamped history.
    size: u64,
    verified: VerifiedTimestamp,
    tsa_subject: String,
}

/// Of the timestamped checkpoints whose token verifies against one of the
/// `trusted` certificates (the ledger has checked the rest), the one with
/// the earliest time; `timestamp_unverified` if none does.
fn earliest_verified_timestamp(
    facts: &VerifiedReceipt,
    trusted: &[TrustedCertificate],
) -> Result<StampedAnchor, ReceiptError> {
    let mut failures = Vec::new();
    let mut earliest: Option<StampedAnchor> = None;
    for stamped in &facts.timestamped {
        match verify_token(stamped, trusted) {
            Ok(found) => {
                let earlier = earliest.as_ref().is_none_or(|best| {
                    found.verified.gen_time_unix_ms < best.verified.gen_time_unix_ms
                });
                if earlier {
                    earliest = Some(found);
                }
            }
            Err(error) => failures.push(format!(
                "the token over the checkpoint of {} headers: {error}",
                stamped.checkpoint.size
            )),
        }
    }
    earliest.ok_or_else(|| {
        let reason = if failures.is_empty() {
            "the receipt carries no time-stamp token; get a newer receipt once a token over a \
             checkpoint after the anchor is recorded (`xianjie checkpoint timestamp`)"
                .to_owned()
        } else {
            failures.join("; ")
        };
        ReceiptError::TimestampUnverified { reason }
    })
}

/// The token verified under the first of `trusted` that accepts it.
fn verify_token(
    stamped: &CheckpointToCheck,
    trusted: &[TrustedCertificate],
) -> Result<StampedAnchor, xianjie_timestamp::Error> {
    let token = TimestampToken::from_der(&stamped.token)?;
    let mut last_error = None;
    for certificate in trusted {
        match token.verify(&stamped.imprint, None, std::slice::from_ref(certificate)) {
            Ok(verified) => {
                return Ok(StampedAnchor {
                    size: stamped.checkpoint.size,
                    verified,
                    tsa_subject: certificate.subject(),
                })
            }
            Err(error) => last_error = Some(error),
        }
    }
    // `trusted` is never empty here; the fallback only keeps this total.
    Err(last_error.unwrap_or(xianjie_timestamp::Error::SignerCertificateNotFound))
}

/// How the TSA's time stands to the anchor's block time: after it, as it
/// must, by how much; or before it by more than the TSA's accuracy and its
/// whole-second precision allow, which the TSA contradicts.
fn gap_to_block_time(verified: &VerifiedTimestamp, block_time_ms: u64) -> String {
    let gen_time_ms = verified.gen_time_unix_ms;
    let allowance = 1_000 + verified.accuracy_ms.unwrap_or(0);
    match gen_time_ms.checked_sub(block_time_ms) {
        Some(after) => format!(
            "{} s after the block time 晚于区块时间 {} 秒",
            after / 1000,
            after / 1000
        ),
        None if block_time_ms - gen_time_ms <= allowance => {
            "at the block time, within the TSA's precision 与区块时间一致（在精度范围内）"
                .to_owned()
        }
        None => format!(
            "WARNING 警告: {} s BEFORE the block time: the block's stated time is later than \
             the TSA attests 区块声明的时间晚于可信时间戳",
            (block_time_ms - gen_time_ms) / 1000
        ),
    }
}

/// Reads a witness list (`docs/checkpoint.md` §8).
fn read_witnesses(path: &Path) -> anyhow::Result<WitnessList> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the witness list {}", path.display()))?;
    WitnessList::parse(&text).with_context(|| {
        format!(
            "{} is not a witness list: one vkey per line (as `xianjie-node witness --show-vkey` \
             prints it) and optionally `require M`",
            path.display()
        )
    })
}

impl Report<'_> {
    fn org_name(&self, id: &OrgId) -> Option<&str> {
        self.genesis
            .orgs
            .iter()
            .find(|entry| &entry.org.id == id)
            .map(|entry| entry.org.name.as_str())
    }

    /// `market (杭州市市场监督管理局)`, or just the id for an organisation
    /// added after the genesis.
    fn org_label(&self, id: &OrgId) -> String {
        match self.org_name(id) {
            Some(name) => format!("{id} ({name})"),
            None => id.to_string(),
        }
    }

    fn file_json(&self) -> Value {
        match (&self.args.file, self.file) {
            (Some(path), Some(file)) => json!({
                "path": path.display().to_string(),
                "size": file.size,
                "digest": file.digest,
            }),
            _ => Value::Null,
        }
    }

    fn valid_json(&self, facts: &VerifiedReceipt) -> Value {
        let custody: Vec<Value> = facts
            .custody
            .iter()
            .map(|event| {
                json!({
                    "action": event.action,
                    "org": event.org,
                    "org_name": self.org_name(&event.org),
                    "officer": event.officer,
                    "to": event.to,
                    "note_digest": event.note_digest,
                    "height": event.height,
                    "time_ms": event.time_ms,
                    "time": format_time_ms(event.time_ms),
                    "tx": event.tx,
                })
            })
            .collect();
        let record = &facts.record;
        json!({
            "valid": true,
            "receipt": self.args.receipt.display().to_string(),
            "file": self.file_json(),
            "file_checked": facts.file_checked,
            "chain_id": facts.chain_id,
            "genesis_hash": facts.genesis_hash,
            "digest": facts.digest,
            "height": facts.height,
            "block_hash": facts.block_hash,
            "time_ms": facts.time_ms,
            "time": format_time_ms(facts.time_ms),
            "org": facts.org,
            "org_name": self.org_name(&facts.org),
            "officer": facts.officer,
            "collected_by": record.anchor.collected_by,
            "signed_by": facts.signed_by,
            "anchor_height": facts.anchor_height,
            "anchor_time_ms": facts.anchor_time_ms,
            "anchor_time": format_time_ms(facts.anchor_time_ms),
            "anchor_tx": facts.anchor_tx,
            "class": facts.class,
            "category": facts.category,
            "case_id": facts.case_id,
            "holder": record.holder,
            "pending_transfer": record.pending_transfer,
            "superseded_by": record.superseded_by,
            "destroyed": record.destroyed,
            "custody": custody,
            "validator_changes": facts.validator_changes,
            "certified_headers": facts.certified_headers,
            "witnessed": self.witnessed.map(|(witnessed, required, _)| json!({
                "witnesses": witnessed.witnesses,
                "required": required,
                "history_size": witnessed.size,
            })),
            "timestamp": self.timestamp.map(|stamped| json!({
                "gen_time_ms": stamped.verified.gen_time_unix_ms,
                "gen_time": format_time_ms(stamped.verified.gen_time_unix_ms),
                "serial": stamped.verified.serial_hex(),
                "policy": stamped.verified.policy_oid,
                "tsa_subject": stamped.tsa_subject,
                "tsa_certificate_sha256": hex::encode(stamped.verified.tsa_certificate_sha256),
                "history_size": stamped.size,
                "after_block_time_ms": i128::from(stamped.verified.gen_time_unix_ms)
                    - i128::from(facts.anchor_time_ms),
            })),
            "timestamps_carried": facts.timestamped.len(),
            "deposits": facts.deposits,
            "record": record,
        })
    }

    fn valid_text(&self, facts: &VerifiedReceipt) -> String {
        let record = &facts.record;
        let anchor = &record.anchor;
        let mut lines = vec![
            "VALID 有效: the receipt proves this evidence is anchored and unchanged since anchoring".to_owned(),
            "          回执验证通过：该证据已在区块链上存证，自存证以来未被改动".to_owned(),
            String::new(),
            self.file_line(facts),
            format!("摘要 digest         {} (BLAKE3)", facts.digest),
            format!(
                "链 chain            {}, genesis {}",
                facts.chain_id, facts.genesis_hash
            ),
            format!(
                "存证机关 anchored by {}, officer 执法人员 {}",
                self.org_label(&facts.org),
                facts.officer
            ),
            format!(
                "存证时间 anchored at {}",
                format_time_ms(facts.anchor_time_ms)
            ),
            format!(
                "                    block 区块 {}, tx 交易 {}",
                facts.anchor_height, facts.anchor_tx
            ),
            format!(
                "证据分类 class       {} / {}",
                class_zh(facts.class),
                class_meaning(facts.class)
            ),
            format!("证据种类 category    {}", category_label(facts.category)),
            format!(
                "采集人 collected by  {} (每人均已签名 each signed)",
                crate::evidence::render::collectors_signed(record)
            ),
            format!(
                "案件 case           {}",
                facts.case_id.as_deref().unwrap_or("(none 无)")
            ),
            format!(
                "文件 file info      {} bytes 字节, {}",
                anchor.size, anchor.media_type
            ),
            format!("当前持有 holder      {}", self.org_label(&record.holder)),
        ];
        if let Some(to) = &record.pending_transfer {
            lines.push(format!(
                "待接收 pending       transfer to {} not yet received 移交尚未接收",
                self.org_label(to)
            ));
        }
        if record.destroyed {
            lines.push("已销毁 destroyed     yes 是 (the record remains 记录保留)".into());
        }
        lines.extend(self.custody_lines(&facts.custody));
        lines.push(format!(
            "证明 proof           record in the state of block {} ({}), {} certified headers;",
            facts.height,
            format_time_ms(facts.time_ms),
            facts.certified_headers
        ));
        lines.push(
            "                    each signed by validators holding more than 2/3 of the voting power in force"
                .into(),
        );
        lines.push(
            "                    每个区块头均由当时持有超过三分之二投票权的验证节点签名确认".into(),
        );
        lines.push(match self.witnessed {
            Some((witnessed, required, _)) => format!(
                "见证 witnesses       {} (at least {required} required 至少需 {required} 个) co-signed \
                 a history of {} headers holding every header above 见证方已会签包含上述全部区块头的历史",
                witnessed.witnesses.join(", "),
                witnessed.size
            ),
            None => "见证 witnesses       not checked 未核验 (add --witnesses FILE)".to_owned(),
        });
        lines.push(self.timestamp_line(facts));
        lines.extend(facts.deposits.iter().map(|deposit| {
            format!(
                "司法链存证 deposit   {} no. 编号 {} (bundle SHA-256 {}, recorded by 记录机关 {} at block {})",
                deposit.court_chain,
                deposit.deposit_id,
                deposit.bundle_sha256,
                self.org_label(&deposit.org),
                deposit.height
            )
        }));
        lines.push(match facts.validator_changes.as_slice() {
            [] => "验证节点变更 validator set changes: none 无".to_owned(),
            heights => format!(
                "验证节点变更 validator set changes after blocks {} (each proven 均已证明)",
                heights
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        lines.join("\n")
    }

    fn timestamp_line(&self, facts: &VerifiedReceipt) -> String {
        match (self.timestamp, facts.timestamped.len()) {
            (Some(stamped), _) => format!(
                "可信时间戳 timestamp the anchor's block existed by 存证区块不晚于 {} (TSA {}, serial {}; \
                 a history of {} headers); {}",
                format_time_ms(stamped.verified.gen_time_unix_ms),
                stamped.tsa_subject,
                stamped.verified.serial_hex(),
                stamped.size,
                gap_to_block_time(&stamped.verified, facts.anchor_time_ms)
            ),
            (None, 0) => "可信时间戳 timestamp none 无".to_owned(),
            (None, _) => "可信时间戳 timestamp carried, not checked 未核验 (add --tsa-cert FILE)".to_owned(),
        }
    }

    fn file_line(&self, facts: &VerifiedReceipt) -> String {
        match (&self.args.file, self.file) {
            (Some(path), Some(file)) if facts.file_checked => format!(
                "文件 file           {} ({} bytes): BLAKE3 matches the anchored digest 与上链摘要一致",
                path.display(),
                file.size
            ),
            _ => "文件 file           not checked 未核对 (pass --file to compare the file in hand)"
                .to_owned(),
        }
    }

    fn custody_lines(&self, custody: &[CustodyEvent]) -> Vec<String> {
        if custody.is_empty() {
            return vec!["保管链 custody       no events since anchoring 存证后无保管事件".into()];
        }
        let mut lines = vec![format!(
            "保管链 custody       {} events 条, oldest first 按时间先后",
            custody.len()
        )];
        for (number, event) in custody.iter().enumerate() {
            let to = event
                .to
                .as_ref()
                .map(|to| format!(" -> {}", self.org_label(to)))
                .unwrap_or_default();
            lines.push(format!(
                "  {}. {} {}{to} by {}, officer {}",
                number + 1,
                wire_name(&event.action),
                action_zh(event.action),
                self.org_label(&event.org),
                event.officer
            ));
            lines.push(format!(
                "     {}, block 区块 {}",
                format_time_ms(event.time_ms),
                event.height
            ));
            lines.push(format!("     tx 交易 {}", event.tx));
            if let Some(note) = &event.note_digest {
                lines.push(format!("     note digest 备注摘要 {note}"));
            }
        }
        lines
    }

    fn invalid_json(&self, error: &ReceiptError) -> Value {
        json!({
            "valid": false,
            "reason": error.code(),
            "message": error.to_string(),
            "message_zh": error.message_zh(),
            "receipt": self.args.receipt.display().to_string(),
            "file": self.file_json(),
        })
    }

    fn invalid_text(&self, error: &ReceiptError) -> String {
        let mut lines = vec![
            format!("INVALID 无效 [{}]", error.code()),
            error.message_zh(),
            error.to_string(),
        ];
        if let ReceiptError::FileMismatch { .. } = error {
            lines.push(
                "The receipt itself is genuine; the file in hand is not the anchored file. \
                 回执本身有效，但所持文件不是上链存证的文件。"
                    .into(),
            );
        } else {
            lines.push(
                "Do not rely on this receipt. 请勿依据该回执。 Ask the anchoring agency for a new one \
                 (xianjie evidence receipt DIGEST -o FILE) and check the genesis file."
                    .into(),
            );
        }
        lines.join("\n")
    }
}

fn class_zh(class: EvidenceClass) -> &'static str {
    match class {
        EvidenceClass::DirectUse => "A 类：可直接作为刑事诉讼证据使用（刑诉法第五十四条）",
        EvidenceClass::AfterReview => "B 类：经审查后方可使用",
        EvidenceClass::Recollect => "C 类：须由侦查人员重新收集",
    }
}

fn action_zh(action: CustodyAction) -> &'static str {
    match action {
        CustodyAction::Transfer => "移交",
        CustodyAction::Receive => "接收",
        CustodyAction::Seal => "封存",
        CustodyAction::Examine => "检验",
        CustodyAction::Store => "入库保管",
        CustodyAction::Return => "返还",
        CustodyAction::Destroy => "销毁",
        CustodyAction::Cancel => "撤回移交",
        CustodyAction::Refuse => "拒收",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_takes_a_receipt_a_genesis_and_optionally_a_file() {
        use crate::{Cli, Command};
        use clap::Parser;
        let cli = Cli::parse_from([
            "xianjie",
            "verify",
            "--receipt",
            "r",
            "--file",
            "f",
            "--genesis",
            "g",
        ]);
        let Command::Verify(args) = cli.command else {
            panic!("not a verify command");
        };
        assert_eq!(args.receipt, PathBuf::from("r"));
        assert_eq!(args.file, Some(PathBuf::from("f")));
        assert_eq!(args.genesis, PathBuf::from("g"));
        let cli = Cli::parse_from([
            "xianjie",
            "--json",
            "verify",
            "--receipt",
            "r",
            "--genesis",
            "g",
        ]);
        assert!(matches!(
            cli.command,
            Command::Verify(VerifyArgs { file: None, .. })
        ));
        let missing_genesis = Cli::try_parse_from(["xianjie", "verify", "--receipt", "r"]);
        assert_eq!(missing_genesis.unwrap_err().exit_code(), 2);
        assert!(Cli::try_parse_from(["xianjie", "verify", "--genesis", "g"]).is_err());
    }

    #[test]
    fn every_action_and_class_has_a_chinese_name() {
        for action in [
            CustodyAction::Transfer,
            CustodyAction::Receive,
            CustodyAction::Seal,
            CustodyAction::Examine,
            CustodyAction::Store,
            CustodyAction::Return,
            CustodyAction::Destroy,
            CustodyAction::Cancel,
            CustodyAction::Refuse,
        ] {
            assert!(!action_zh(action).is_empty());
        }
        assert!(class_zh(EvidenceClass::DirectUse).starts_with('A'));
        assert!(class_zh(EvidenceClass::Recollect).starts_with('C'));
    }

    #[test]
    fn unreadable_inputs_are_errors_not_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(read_receipt(&missing).is_err());
        assert!(read_genesis(&missing).is_err());
        let not_genesis = dir.path().join("g.json");
        std::fs::write(&not_genesis, "{}").unwrap();
        let error = read_genesis(&not_genesis).unwrap_err();
        assert!(format!("{error:#}").contains("not a Xianjie genesis"));
    }

    #[test]
    fn a_genesis_without_a_hashed_field_is_refused_with_its_name_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("genesis.json");
        let mut document: Value = serde_json::from_str(&example_genesis().to_json()).unwrap();
        std::fs::write(&path, document.to_string()).unwrap();
        assert_eq!(read_genesis(&path).unwrap(), example_genesis());
        document["params"]
            .as_object_mut()
            .unwrap()
            .remove("uscc_allow_list");
        std::fs::write(&path, document.to_string()).unwrap();
        let message = format!("{:#}", read_genesis(&path).unwrap_err());
        assert!(message.contains("params.uscc_allow_list"), "{message}");
        assert!(message.contains("HOME/genesis.json"), "{message}");
    }

    fn example_genesis() -> Genesis {
        use xianjie_ledger::crypto::SecretKey;
        use xianjie_ledger::genesis::{GenesisOfficer, GenesisOrg};
        use xianjie_ledger::model::{Org, OrgKind, OrgLevel, Role};
        use xianjie_ledger::params::Params;
        use xianjie_ledger::validators::Validator;
        let key = SecretKey::from_bytes(&[7; 32]).public_key();
        let org = OrgId::new("market").unwrap();
        Genesis {
            chain_id: "xianjie-test".into(),
            genesis_time_ms: 1,
            orgs: vec![GenesisOrg {
                org: Org {
                    id: org.clone(),
                    name: "Market".into(),
                    kind: OrgKind::AdministrativeAgency,
                    uscc: "11330100002494385M".into(),
                    region: "330100".into(),
                    level: OrgLevel::Prefecture,
                },
                officers: vec![GenesisOfficer {
                    public_key: key,
                    role: Role::Admin,
                }],
            }],
            validators: vec![Validator {
                public_key: key,
                power: 1,
                org,
            }],
            params: Params::default(),
            threshold_rules: Vec::new(),
        }
    }

    #[test]
    fn a_receipt_file_is_read_up_to_one_byte_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xjrcpt");
        std::fs::write(&path, b"XJRCPT\x01\x01").unwrap();
        assert_eq!(read_receipt(&path).unwrap(), b"XJRCPT\x01\x01");
    }
}
