//! The genesis hash from `docs/receipt.md` alone.
//!
//! A third party holding only the document and a genesis.json must be able
//! to compute the genesis hash. This test is such a third party: it uses
//! none of the ledger's code. It reads the structure tables of §6.1 (field
//! order, types, enum indexes), encodes the worked example of §6.2 with its
//! own writers following §4, hashes with BLAKE3 `derive_key` under the
//! context string of §6, and compares with the bytes and hashes the document
//! prints. The ledger's own test (`ledger/tests/genesis_document.rs`) checks
//! the same printed values against the code, so the document, this reading
//! of it and the code cannot drift apart without one of them failing.

use std::collections::BTreeMap;

use serde_json::Value;

const DOC: &str = include_str!("../../docs/receipt.md");

/// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn section(name: &str) -> &'static str {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let start = DOC
        .find(&begin)
        .unwrap_or_else(|| panic!("{begin} in the doc"))
        + begin.len();
    let stop = DOC[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("{end} in the doc"));
    &DOC[start..start + stop]
}

/// The body of the one fenced code block in `text`.
fn fenced(text: &str) -> &str {
    let open = text.find("```").expect("a code block");
    let body = &text[open..];
    let body = &body[body.find('\n').expect("a fence line") + 1..];
    &body[..body.find("```").expect("a closing fence")]
}

/// The cells of a markdown table row, trimmed, without backticks.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let inner = line
        .strip_prefix('|')
        .and_then(|rest| rest.strip_suffix('|'))
        .unwrap_or(line);
    inner
        .split(" | ")
        .map(|cell| cell.trim().trim_matches('`').to_owned())
        .collect()
}

/// A table row that is not the separator under the header.
fn is_table_row(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('|') && !line.contains("---")
}

// ---------------------------------------------------------------- types

/// A type as the structure tables write it.
#[derive(Debug, Clone)]
enum Type {
    U8,
    Varint(u32),
    Bool,
    Text,
    PublicKey,
    Option(Box<Type>),
    List(Box<Type>),
    Tuple(Vec<Type>),
    Record(Vec<(String, Type)>),
    Named(String),
}

/// A structure or an enumeration of §6.1.
#[derive(Debug, Clone)]
enum Definition {
    Struct(Vec<(String, Type)>),
    /// Variants by index: the JSON name and the payload, if any.
    Enum(BTreeMap<u64, (String, Option<Type>)>),
}

fn definitions() -> BTreeMap<String, Definition> {
    let mut found = BTreeMap::new();
    let mut current: Option<(String, Vec<Vec<String>>)> = None;
    for line in section("genesis-types").lines() {
        if let Some(heading) = line.strip_prefix("#### ") {
            if let Some((name, rows)) = current.take() {
                found.insert(name, definition(rows));
            }
            let name = heading.split('`').nth(1).expect("a type name in backticks");
            current = Some((name.to_owned(), Vec::new()));
        } else if is_table_row(line) {
            let (_, rows) = current.as_mut().expect("a table under a heading");
            rows.push(cells(line));
        }
    }
    if let Some((name, rows)) = current {
        found.insert(name, definition(rows));
    }
    found
}

/// A table's rows (the header row first) as a definition.
fn definition(rows: Vec<Vec<String>>) -> Definition {
    let (header, rows) = rows.split_first().expect("a header row");
    if header[1].starts_with("field") {
        let fields = rows
            .iter()
            .enumerate()
            .map(|(at, row)| {
                assert_eq!(row[0], (at + 1).to_string(), "fields are numbered in order");
                (row[1].clone(), parse_type(&row[2]))
            })
            .collect();
        Definition::Struct(fields)
    } else {
        let variants = rows
            .iter()
            .map(|row| {
                let index = row[0].parse().expect("a variant index");
                let name = row[1].trim_matches('"').to_owned();
                let payload = (row[2] != "—").then(|| parse_type(&row[2]));
                (index, (name, payload))
            })
            .collect();
        Definition::Enum(variants)
    }
}

fn parse_type(text: &str) -> Type {
    let tokens = tokenize(text);
    let mut at = 0;
    let parsed = type_at(&tokens, &mut at);
    assert_eq!(at, tokens.len(), "the whole of {text:?} is one type");
    parsed
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    tokens
}

fn expect(tokens: &[String], at: &mut usize, token: &str) {
    assert_eq!(tokens[*at], token, "in {tokens:?}");
    *at += 1;
}

fn type_at(tokens: &[String], at: &mut usize) -> Type {
    let token = tokens[*at].clone();
    *at += 1;
    match token.as_str() {
        "(" => {
            let mut parts = vec![type_at(tokens, at)];
            while tokens[*at] == "," {
                *at += 1;
                parts.push(type_at(tokens, at));
            }
            expect(tokens, at, ")");
            Type::Tuple(parts)
        }
        "{" => {
            let mut fields = Vec::new();
            loop {
                let name = tokens[*at].clone();
                *at += 1;
                expect(tokens, at, ":");
                fields.push((name, type_at(tokens, at)));
                if tokens[*at] == "}" {
                    *at += 1;
                    return Type::Record(fields);
                }
                expect(tokens, at, ",");
            }
        }
        "Option" | "Vec" => {
            expect(tokens, at, "<");
            let inner = Box::new(type_at(tokens, at));
            expect(tokens, at, ">");
            if token == "Option" {
                Type::Option(inner)
            } else {
                Type::List(inner)
            }
        }
        // §4: the primitive types.
        "u8" => Type::U8,
        "u16" => Type::Varint(16),
        "u32" => Type::Varint(32),
        "u64" => Type::Varint(64),
        "bool" => Type::Bool,
        "String" | "OrgId" => Type::Text,
        "PublicKey" => Type::PublicKey,
        name => Type::Named(name.to_owned()),
    }
}

// ---------------------------------------------------------------- encoding

/// One encoded value, as the annotated table of §6.2 shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    offset: usize,
    bytes: Vec<u8>,
    field: String,
    value: String,
}

/// The bytes written so far and what each run of them is.
struct Writer<'a> {
    types: &'a BTreeMap<String, Definition>,
    bytes: Vec<u8>,
    rows: Vec<Row>,
}

impl Writer<'_> {
    fn emit(&mut self, field: &str, bytes: Vec<u8>, value: String) {
        self.rows.push(Row {
            offset: self.bytes.len(),
            bytes: bytes.clone(),
            field: field.to_owned(),
            value,
        });
        self.bytes.extend(bytes);
    }

    fn value(&mut self, kind: &Type, json: &Value, path: &str) {
        match kind {
            Type::U8 => {
                let number = json.as_u64().filter(|n| *n <= 0xff);
                let number = number.unwrap_or_else(|| panic!("{path}: a u8, found {json}"));
                self.emit(path, vec![number as u8], number.to_string());
            }
            Type::Varint(bits) => {
                let number = json.as_u64().unwrap_or_else(|| panic!("{path}: a number"));
                assert!(
                    *bits == 64 || number >> bits == 0,
                    "{path}: {number} fits u{bits}"
                );
                self.emit(path, varint(number), number.to_string());
            }
            Type::Bool => {
                let flag = json.as_bool().unwrap_or_else(|| panic!("{path}: a bool"));
                self.emit(path, vec![u8::from(flag)], flag.to_string());
            }
            Type::Text => {
                let text = json.as_str().unwrap_or_else(|| panic!("{path}: a string"));
                let mut bytes = varint(text.len() as u64);
                bytes.extend(text.as_bytes());
                self.emit(path, bytes, quoted(text));
            }
            Type::PublicKey => {
                let text = json.as_str().unwrap_or_else(|| panic!("{path}: a hex key"));
                let key = unhex(text);
                assert_eq!(key.len(), 32, "{path}: 32 bytes");
                self.emit(path, key, "key".into());
            }
            Type::Option(inner) => {
                if json.is_null() {
                    self.emit(path, vec![0], "none".into());
                } else {
                    self.emit(path, vec![1], "some".into());
                    self.value(inner, json, path);
                }
            }
            Type::List(inner) => {
                let items = json.as_array().unwrap_or_else(|| panic!("{path}: a list"));
                self.emit(
                    path,
                    varint(items.len() as u64),
                    format!("count {}", items.len()),
                );
                for (at, item) in items.iter().enumerate() {
                    self.value(inner, item, &format!("{path}[{at}]"));
                }
            }
            Type::Tuple(parts) => {
                let items = json.as_array().unwrap_or_else(|| panic!("{path}: a tuple"));
                assert_eq!(items.len(), parts.len(), "{path}: tuple length");
                for (at, (part, item)) in parts.iter().zip(items).enumerate() {
                    self.value(part, item, &format!("{path}.{at}"));
                }
            }
            Type::Record(fields) => self.fields(fields, json, path),
            Type::Named(name) => {
                let types = self.types;
                match &types[name.as_str()] {
                    Definition::Struct(fields) => self.fields(fields, json, path),
                    Definition::Enum(variants) => self.variant(variants, json, path),
                }
            }
        }
    }

    fn fields(&mut self, fields: &[(String, Type)], json: &Value, path: &str) {
        for (name, kind) in fields {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let value = json
                .get(name)
                .unwrap_or_else(|| panic!("{child} is missing from the example"));
            self.value(kind, value, &child);
        }
    }

    /// A unit variant is a JSON string; a variant with a payload is an
    /// object with the variant's name as its one key.
    fn variant(
        &mut self,
        variants: &BTreeMap<u64, (String, Option<Type>)>,
        json: &Value,
        path: &str,
    ) {
        let (name, payload) = match json {
            Value::String(name) => (name.as_str(), None),
            Value::Object(object) if object.len() == 1 => {
                let (name, payload) = object.iter().next().expect("one entry");
                (name.as_str(), Some(payload))
            }
            other => panic!("{path}: an enum value, found {other}"),
        };
        let (index, kind) = variants
            .iter()
            .find(|(_, (variant, _))| variant == name)
            .map(|(index, (_, kind))| (*index, kind.clone()))
            .unwrap_or_else(|| panic!("{path}: {name} is a variant of the documented enum"));
        self.emit(path, varint(index), name.to_owned());
        match (kind, payload) {
            (None, None) => {}
            (Some(kind), Some(payload)) => self.value(&kind, payload, &format!("{path}.{name}")),
            _ => panic!("{path}: {name}'s payload is as documented"),
        }
    }
}

/// §4: unsigned LEB128, shortest form.
fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return out;
        }
        out.push(low | 0x80);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "hex of whole bytes: {text}");
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex digits"))
        .collect()
}

/// A string for the value column: quoted, shortened past 40 characters, and
/// without the table's separator.
fn quoted(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    let more = if shown.len() < text.len() { "…" } else { "" };
    format!("\"{shown}{more}\"")
        .replace('|', "\\|")
        .replace('\n', "\\n")
}

/// The bytes column: whole up to 32 bytes, else the first and last eight.
fn shown_bytes(bytes: &[u8]) -> String {
    if bytes.len() <= 32 {
        hex(bytes)
    } else {
        format!(
            "{}…{} ({} bytes)",
            hex(&bytes[..8]),
            hex(&bytes[bytes.len() - 8..]),
            bytes.len()
        )
    }
}

// ---------------------------------------------------------------- the example

fn example_json() -> Value {
    serde_json::from_str(fenced(section("genesis-example-json"))).expect("the example is JSON")
}

/// §6: the context string of `H_genesis`, from the table of hashes.
fn genesis_context() -> String {
    let row = DOC
        .lines()
        .find(|line| line.starts_with("| `H_genesis` |"))
        .expect("H_genesis in the table of hashes");
    cells(row)[1].clone()
}

/// The example encoded by the document's rules.
struct Encoded {
    /// `01 ‖ postcard(Genesis)`.
    bytes: Vec<u8>,
    /// What each run of `bytes` is.
    rows: Vec<Row>,
    /// The bytes that are hashed: without the final `00` when
    /// `threshold_rules` is empty or absent.
    hashed: Vec<u8>,
}

fn encode(document: &Value) -> Encoded {
    // §6.1: an absent `threshold_rules` is an empty list.
    let mut document = document.clone();
    if document.get("threshold_rules").is_none() {
        document["threshold_rules"] = Value::Array(Vec::new());
    }
    let types = definitions();
    let mut writer = Writer {
        types: &types,
        bytes: Vec::new(),
        rows: Vec::new(),
    };
    writer.emit("(codec version)", vec![0x01], "1".into());
    writer.value(&Type::Named("Genesis".into()), &document, "");
    let mut hashed = writer.bytes.clone();
    if document["threshold_rules"] == Value::Array(Vec::new()) {
        assert_eq!(hashed.pop(), Some(0), "an empty list ends the encoding");
    }
    Encoded {
        bytes: writer.bytes,
        rows: writer.rows,
        hashed,
    }
}

fn genesis_hash(hashed: &[u8]) -> String {
    hex(blake3::derive_key(&genesis_context(), hashed).as_slice())
}

/// The hashes printed in §6.2, by label.
fn documented_hashes() -> BTreeMap<String, String> {
    fenced(section("genesis-example-hash"))
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (label, hash) = line.trim().rsplit_once(' ').expect("label and hash");
            (label.trim().to_owned(), hash.to_owned())
        })
        .collect()
}

fn documented_hex() -> String {
    fenced(section("genesis-example-hex"))
        .split_whitespace()
        .collect()
}

const HASH_LABEL: &str = "genesis hash";
const EMPTY_RULES_LABEL: &str = "genesis hash with \"threshold_rules\": []";

#[test]
fn the_documented_hash_follows_from_the_documented_rules() {
    let encoded = encode(&example_json());
    assert_eq!(
        hex(&encoded.bytes),
        documented_hex(),
        "the example's bytes written by §4 and §6.1 are not the hex of §6.2"
    );
    let hashes = documented_hashes();
    assert_eq!(genesis_hash(&encoded.hashed), hashes[HASH_LABEL]);
}

#[test]
fn an_empty_rule_list_is_left_out_of_the_hashed_bytes() {
    let mut document = example_json();
    document["threshold_rules"] = Value::Array(Vec::new());
    let empty = encode(&document);
    assert_eq!(empty.bytes.last(), Some(&0));
    assert_eq!(empty.hashed.len(), empty.bytes.len() - 1);
    let hashes = documented_hashes();
    assert_eq!(genesis_hash(&empty.hashed), hashes[EMPTY_RULES_LABEL]);
    // Absent is empty.
    document.as_object_mut().unwrap().remove("threshold_rules");
    assert_eq!(encode(&document).hashed, empty.hashed);
}

#[test]
fn the_annotated_table_names_each_field_at_its_offset() {
    let encoded = encode(&example_json());
    let documented: Vec<(String, String, String)> = section("genesis-example-fields")
        .lines()
        .filter(|line| is_table_row(line))
        .skip(1)
        .map(|line| {
            let row = cells(line);
            (row[0].clone(), row[1].clone(), row[2].clone())
        })
        .collect();
    let computed: Vec<(String, String, String)> = encoded
        .rows
        .iter()
        .map(|row| {
            (
                row.offset.to_string(),
                shown_bytes(&row.bytes),
                row.field.clone(),
            )
        })
        .collect();
    assert_eq!(documented, computed);
}

#[test]
fn every_documented_type_is_defined_and_every_enum_counts_from_zero() {
    let types = definitions();
    let mut used = Vec::new();
    for definition in types.values() {
        match definition {
            Definition::Struct(fields) => used.extend(fields.iter().map(|(_, kind)| kind.clone())),
            Definition::Enum(variants) => {
                let indexes: Vec<u64> = variants.keys().copied().collect();
                assert_eq!(indexes, (0..variants.len() as u64).collect::<Vec<_>>());
                used.extend(variants.values().filter_map(|(_, kind)| kind.clone()));
            }
        }
    }
    while let Some(kind) = used.pop() {
        match kind {
            Type::Named(name) => assert!(types.contains_key(&name), "{name} is defined"),
            Type::Option(inner) | Type::List(inner) => used.push(*inner),
            Type::Tuple(parts) => used.extend(parts),
            Type::Record(fields) => used.extend(fields.into_iter().map(|(_, kind)| kind)),
            _ => {}
        }
    }
}

/// The tables of §6.2 are exactly what the example JSON renders to, section
/// by section; after the JSON or the structure tables change, regenerate
/// them from the printed text: `cargo test -p xianjie-tests --test
/// genesis_document the_example_sections_are_rendered -- --nocapture`.
#[test]
fn the_example_sections_are_rendered_from_the_example_json() {
    use std::fmt::Write as _;
    let mut out = String::new();
    macro_rules! emit {
        ($($arg:tt)*) => { writeln!(out, $($arg)*).unwrap() };
    }
    let document = example_json();
    let encoded = encode(&document);
    emit!("<!-- genesis-example-hex:begin -->\n```text");
    for line in encoded.bytes.chunks(32) {
        emit!("{}", hex(line));
    }
    emit!("```\n<!-- genesis-example-hex:end -->\n");
    emit!("<!-- genesis-example-fields:begin -->");
    emit!("| offset | bytes | field | value |\n|---:|---|---|---|");
    for row in &encoded.rows {
        emit!(
            "| {} | `{}` | `{}` | {} |",
            row.offset,
            shown_bytes(&row.bytes),
            row.field,
            row.value
        );
    }
    emit!("<!-- genesis-example-fields:end -->\n");
    let mut empty = document.clone();
    empty["threshold_rules"] = Value::Array(Vec::new());
    emit!("<!-- genesis-example-hash:begin -->\n```text");
    emit!("{HASH_LABEL:<40} {}", genesis_hash(&encoded.hashed));
    emit!(
        "{EMPTY_RULES_LABEL:<40} {}",
        genesis_hash(&encode(&empty).hashed)
    );
    emit!("```\n<!-- genesis-example-hash:end -->");
    println!("{out}");
    for name in [
        "genesis-example-hex",
        "genesis-example-fields",
        "genesis-example-hash",
    ] {
        let begin = format!("<!-- {name}:begin -->");
        let end = format!("<!-- {name}:end -->");
        let start = out.find(&begin).expect("rendered") + begin.len();
        let stop = start + out[start..].find(&end).expect("rendered");
        assert_eq!(
            section(name),
            &out[start..stop],
            "docs/receipt.md's {name} is stale: paste the section printed above"
        );
    }
}
