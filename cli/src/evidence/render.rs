//! The human form of an evidence record, shared by `verify` and `show`.

use xianjie_ledger::model::{CustodyEvent, EvidenceClass, EvidenceRecord};
use xianjie_ledger::Hash;

use crate::output::{
    category_label, class_meaning, format_time_ms, format_time_seconds, wire_name,
};

/// The record as labelled lines, custody chain last.
pub fn describe_record(digest: &Hash, record: &EvidenceRecord) -> String {
    let anchor = &record.anchor;
    let mut lines = vec![
        format!("digest        {digest}"),
        format!("class         {}", class_meaning(record.class)),
        format!("category      {}", category_label(anchor.category)),
        format!("anchored      {}", format_time_ms(record.time_ms)),
        format!(
            "              by officer {} of {}, block {}",
            record.anchored_by, record.org, record.height
        ),
        format!("              tx {}", record.tx),
        format!(
            "case          {}",
            anchor.case_id.as_deref().unwrap_or("(none)")
        ),
        format!("file          {} bytes, {}", anchor.size, anchor.media_type),
        format!("collected     {}", format_time_seconds(anchor.collected_at)),
        format!("              by {}", collectors_signed(record)),
        format!(
            "capture       {} with {}",
            anchor.capture_method, anchor.capture_tool
        ),
    ];
    if let Some(note) = &anchor.provenance_note_digest {
        lines.push(format!("provenance    note digest {note}"));
    }
    if let Some(earlier) = &anchor.supersedes {
        lines.push(format!("supersedes    {earlier}"));
    }
    lines.extend(status_lines(record));
    lines.extend(custody_lines(&record.custody));
    lines.join("\n")
}

fn status_lines(record: &EvidenceRecord) -> Vec<String> {
    let mut lines = Vec::new();
    let pending = match &record.pending_transfer {
        Some(to) => format!(" (transfer to {to} pending until {to} records `receive`)"),
        None => String::new(),
    };
    lines.push(format!("holder        {}{pending}", record.holder));
    if record.class == EvidenceClass::Recollect {
        lines.push(
            "note          investigators must re-collect this statement for criminal proceedings"
                .into(),
        );
    }
    if let Some(later) = &record.superseded_by {
        lines.push(format!(
            "superseded by {later} (a later anchor replaces this one)"
        ));
    }
    if record.destroyed {
        lines.push("destroyed     yes (the record remains)".into());
    }
    lines
}

fn custody_lines(custody: &[CustodyEvent]) -> Vec<String> {
    if custody.is_empty() {
        return vec!["custody       (no events since anchoring)".into()];
    }
    let count = match custody.len() {
        1 => "1 event".to_owned(),
        many => format!("{many} events, oldest first"),
    };
    let mut lines = vec![format!("custody       {count}")];
    for (number, event) in custody.iter().enumerate() {
        let to = event
            .to
            .as_ref()
            .map(|to| format!(" -> {to}"))
            .unwrap_or_default();
        lines.push(format!(
            "  {}. {}{to} by {} (officer {}), block {}",
            number + 1,
            wire_name(&event.action),
            event.org,
            event.officer,
            event.height
        ));
        lines.push(format!("     {}", format_time_ms(event.time_ms)));
        lines.push(format!("     tx {}", event.tx));
        if let Some(note) = &event.note_digest {
            lines.push(format!("     note digest {note}"));
        }
    }
    lines
}

/// Each collector with whether and how they signed the anchor: the
/// transaction's signer, a co-signer, or (on a record the chain's rule
/// would refuse) not at all.
pub fn collectors_signed(record: &EvidenceRecord) -> String {
    let anchor = &record.anchor;
    let described = anchor.collected_by.iter().map(|id| {
        let how = if *id == record.anchored_by {
            "signed the anchor"
        } else if anchor.co_signatures.iter().any(|c| c.officer() == *id) {
            "co-signed"
        } else {
            "NOT signed"
        };
        format!("{id} ({how})")
    });
    join_ids(described)
}

fn join_ids<T: std::fmt::Display>(ids: impl Iterator<Item = T>) -> String {
    let joined: Vec<String> = ids.map(|id| id.to_string()).collect();
    if joined.is_empty() {
        "(nobody named)".into()
    } else {
        joined.join(", ")
    }
}
