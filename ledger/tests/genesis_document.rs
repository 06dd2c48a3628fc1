//! `docs/receipt.md` §6.1–§6.2 against the code: the worked example's JSON
//! is what the ledger reads, encodes to the printed hex and hashes to the
//! printed hashes; every enumeration table gives the indexes the codec
//! writes; and a genesis document that leaves out a hashed field is refused
//! by the strict reader while the node's reader still fills defaults.
//!
//! (`tests/tests/genesis_document.rs` checks the same printed values from
//! the document alone, without this crate.)

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use xianjie_ledger::case::{AttachmentKind, CaseState, Outcome};
use xianjie_ledger::codec::encode;
use xianjie_ledger::deadline::{ClockKind, RuleScope, TimeUnit, Verification};
use xianjie_ledger::genesis::Genesis;
use xianjie_ledger::model::{EvidenceCategory, EvidenceClass, OrgKind, OrgLevel, Role};
use xianjie_ledger::supervision::{FactKind, Operand, Predicate};
use xianjie_ledger::Error;

const DOC: &str = include_str!("../../docs/receipt.md");

mod doc_sections;
use doc_sections::fenced;

/// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn section(name: &str) -> &'static str {
    doc_sections::between(DOC, name)
}

fn example_text() -> &'static str {
    fenced(section("genesis-example-json"))
}

fn documented_hex() -> String {
    fenced(section("genesis-example-hex"))
        .split_whitespace()
        .collect()
}

fn documented_hash(label: &str) -> String {
    fenced(section("genesis-example-hash"))
        .lines()
        .find_map(|line| {
            let (name, hash) = line.trim().rsplit_once(' ')?;
            (name.trim() == label).then(|| hash.to_owned())
        })
        .unwrap_or_else(|| panic!("the hash labelled {label:?}"))
}

#[test]
fn the_worked_example_is_what_the_ledger_encodes_and_hashes() {
    let genesis = Genesis::from_complete_json(example_text()).expect("a complete genesis");
    assert_eq!(
        hex::encode(encode(&genesis)),
        documented_hex(),
        "docs/receipt.md §6.2 is stale: regenerate it (see there)"
    );
    assert_eq!(genesis.hash().to_string(), documented_hash("genesis hash"));
    let without_rules = Genesis {
        threshold_rules: Vec::new(),
        ..genesis
    };
    assert_eq!(
        without_rules.hash().to_string(),
        documented_hash("genesis hash with \"threshold_rules\": []")
    );
}

/// The rows of the table under `#### \`NAME\` (enum)`: (index, JSON name).
fn enum_rows(name: &str) -> Vec<(u64, String)> {
    let heading = format!("#### `{name}` (enum)");
    let types = section("genesis-types");
    let start = types.find(&heading).unwrap_or_else(|| panic!("{heading}"));
    types[start + heading.len()..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let index = cells[1].parse().expect("an index");
            (
                index,
                cells[2].trim_matches('`').trim_matches('"').to_owned(),
            )
        })
        .collect()
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}

/// Every row names a variant whose encoding is its index, and the index
/// after the last row is not a variant: the table is the whole enum.
fn check_unit_enum<T: Serialize + DeserializeOwned>(name: &str) {
    let rows = enum_rows(name);
    assert!(!rows.is_empty(), "{name} has rows");
    for (index, json) in &rows {
        let value: T = serde_json::from_value(Value::String(json.clone()))
            .unwrap_or_else(|e| panic!("{name}: {json:?} is not a variant: {e}"));
        assert_eq!(
            postcard::to_allocvec(&value).unwrap(),
            varint(*index),
            "{name}::{json}"
        );
    }
    check_no_variant_after::<T>(name, rows.len());
}

fn check_no_variant_after<T: DeserializeOwned>(name: &str, count: usize) {
    assert!(
        postcard::from_bytes::<T>(&varint(count as u64)).is_err(),
        "{name} has a variant at index {count} that the document does not list"
    );
}

#[test]
fn every_enumeration_table_gives_the_encoded_indexes() {
    check_unit_enum::<OrgKind>("OrgKind");
    check_unit_enum::<OrgLevel>("OrgLevel");
    check_unit_enum::<Role>("Role");
    check_unit_enum::<EvidenceCategory>("EvidenceCategory");
    check_unit_enum::<EvidenceClass>("EvidenceClass");
    check_unit_enum::<AttachmentKind>("AttachmentKind");
    check_unit_enum::<CaseState>("CaseState");
    check_unit_enum::<Outcome>("Outcome");
    check_unit_enum::<RuleScope>("RuleScope");
    check_unit_enum::<TimeUnit>("TimeUnit");
    check_unit_enum::<ClockKind>("ClockKind");
    check_unit_enum::<Verification>("Verification");
    check_unit_enum::<FactKind>("FactKind");
    // The variants with payloads occur in the worked example, whose bytes
    // are checked above; here only that none is missing from the tables.
    check_no_variant_after::<Predicate>("Predicate", enum_rows("Predicate").len());
    check_no_variant_after::<Operand>("Operand", enum_rows("Operand").len());
}

/// The example as JSON, with the object at `path` (keys joined by `.`)
/// lacking `key`.
fn example_without(path: &[&str], key: &str) -> String {
    let mut document: Value = serde_json::from_str(example_text()).unwrap();
    let mut object = &mut document;
    for step in path {
        object = match step.parse::<usize>() {
            Ok(index) => &mut object[index],
            Err(_) => &mut object[*step],
        };
    }
    assert!(
        object.as_object_mut().unwrap().remove(key).is_some(),
        "{key} was there"
    );
    document.to_string()
}

fn missing_fields(text: &str) -> Vec<String> {
    match Genesis::from_complete_json(text) {
        Err(Error::IncompleteGenesis { missing }) => missing,
        other => panic!("not refused as incomplete: {other:?}"),
    }
}

#[test]
fn a_document_without_a_hashed_field_is_refused_by_the_strict_reader_only() {
    for (path, key, named) in [
        (&[][..], "params", "params"),
        (&["params"][..], "policy_set", "params.policy_set"),
        (&["params"][..], "uscc_allow_list", "params.uscc_allow_list"),
        (&["params"][..], "cases", "params.cases"),
        (
            &["params", "cases"][..],
            "supervision_during_reconsideration",
            "params.cases.supervision_during_reconsideration",
        ),
        (
            &["params", "deadlines", "1"][..],
            "scope",
            "params.deadlines[1].scope",
        ),
        (
            &["params", "deadlines", "0"][..],
            "extension",
            "params.deadlines[0].extension",
        ),
        (
            &["threshold_rules", "0"][..],
            "superseded_by",
            "threshold_rules[0].superseded_by",
        ),
    ] {
        let text = example_without(path, key);
        if named == "params" {
            // No default for the whole parameter set: both readers refuse.
            assert!(Genesis::from_json(&text).is_err());
            continue;
        }
        assert_eq!(missing_fields(&text), vec![named.to_owned()]);
        // The node's reader still fills the default, as before.
        Genesis::from_json(&text).expect("the node reads older documents");
    }
}

#[test]
fn the_refusal_names_every_missing_field() {
    let mut document: Value = serde_json::from_str(example_text()).unwrap();
    let params = document["params"].as_object_mut().unwrap();
    params.remove("policy_set");
    params.remove("calendar");
    let message = match Genesis::from_complete_json(&document.to_string()) {
        Err(error) => error.to_string(),
        Ok(_) => panic!("refused"),
    };
    assert!(message.contains("params.policy_set"), "{message}");
    assert!(message.contains("params.calendar"), "{message}");
}

#[test]
fn absent_threshold_rules_are_an_empty_list_and_hash_alike() {
    let mut document: Value = serde_json::from_str(example_text()).unwrap();
    document["threshold_rules"] = Value::Array(Vec::new());
    let empty = Genesis::from_complete_json(&document.to_string()).unwrap();
    document.as_object_mut().unwrap().remove("threshold_rules");
    let absent = Genesis::from_complete_json(&document.to_string()).unwrap();
    assert_eq!(absent, empty);
    assert_eq!(
        absent.hash().to_string(),
        documented_hash("genesis hash with \"threshold_rules\": []")
    );
}

#[test]
fn a_document_written_by_the_node_is_complete() {
    let genesis = Genesis::from_complete_json(example_text()).unwrap();
    assert_eq!(
        Genesis::from_complete_json(&genesis.to_json()).unwrap(),
        genesis
    );
}
