//! What the case, inspection, laboratory and governance commands share:
//! argument parsers, submitting a call and printing the outcome, and
//! signed reads whose refusal is an answer (exit 1), not a failure.

use std::path::Path;

use anyhow::Context as _;
use serde_json::{json, Value};
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::tx::Call;
use xianjie_ledger::Hash;

use crate::client::{ApiError, Committed, Submission};
use crate::output::format_time_ms;
use crate::{Context, Exit};

/// A digest given as 64 hex characters, or `@FILE` to hash a file (plain
/// BLAKE3, as `b3sum` and `xianjie evidence hash`).
pub fn digest_or_file(text: &str) -> anyhow::Result<Hash> {
    if let Some(path) = text.strip_prefix('@') {
        return crate::hashing::hash_file(Path::new(path), crate::hashing::Progress::Hidden)
            .map(|file| file.digest)
            .with_context(|| format!("cannot hash {path}"));
    }
    Hash::from_hex(text).map_err(|_| {
        anyhow::anyhow!(
            "{text:?} is neither a digest (64 hex characters, as `xianjie evidence hash FILE` prints) nor @FILE"
        )
    })
}

/// An officer given by id (40 hex characters, as `xianjie keys show`
/// prints) or by the path of their key file (only the public key is used).
pub fn officer_id(text: &str) -> anyhow::Result<KeyId> {
    if let Ok(id) = KeyId::from_hex(text) {
        return Ok(id);
    }
    let path = Path::new(text);
    if path.exists() {
        return Ok(crate::keys::read_public_key(path)?.id());
    }
    Err(anyhow::anyhow!(
        "{text:?} is neither an officer id (40 hex characters, `xianjie keys show`) nor a key file"
    ))
}

/// Signs `call` with `--key`, submits it, waits for the commit and prints
/// `fields` plus `tx`, `height`, `index` (or the refusal, exit 1).
pub fn submit(
    context: &Context,
    call: Call,
    fields: impl FnOnce(&Committed) -> Value,
    human: impl FnOnce(&Committed) -> String,
) -> anyhow::Result<Exit> {
    let key = context.load_key()?;
    let submission = context.client().sign_and_submit(key.as_ref(), call)?;
    match submission {
        Submission::Committed(committed) => {
            let mut answer = fields(&committed);
            if let Value::Object(map) = &mut answer {
                map.insert("tx".into(), json!(committed.hash));
                map.insert("height".into(), json!(committed.height));
                map.insert("index".into(), json!(committed.index));
            }
            context.output.emit(&answer, || human(&committed))?;
            Ok(Exit::Success)
        }
        Submission::Refused { tx, error } => {
            eprintln!("refused by the ledger: {}: {}", error.code, error.message);
            eprintln!("transaction {tx}{}", hint(&error.code));
            if context.output.is_json() {
                let answer = json!({
                    "refused": true,
                    "code": error.code,
                    "message": error.message,
                    "tx": tx,
                    "height": error.details.get("height").cloned().unwrap_or(Value::Null),
                });
                context.output.emit(&answer, String::new)?;
            }
            Ok(Exit::Negative)
        }
    }
}

fn hint(code: &str) -> &'static str {
    match code {
        "wrong_role" => "\nthis decision is the head's: sign with the head's key (e.g. --key $K/<org>-head.key)",
        "invalid_transition" | "not_case_party" | "wrong_org_kind" => {
            "\n`xianjie case actions CASE` lists what your key may do next, and why not the rest"
        }
        "missing_attachment" => "\nattach it with --attach KIND=DIGEST (or KIND=@FILE); `xianjie case actions CASE` lists the kinds",
        "policy_denied" => "\nthe on-chain policies refuse this; `xianjie policy show` prints them",
        "unknown_signer" => "\nyour key is not registered on this chain: give `xianjie keys show` output to your organisation's admin",
        _ => "",
    }
}

/// A signed read: `Ok(Ok(json))`, or `Ok(Err(exit))` after printing a
/// refusal the node gave on purpose (403, 404: exit 1).
pub fn read(context: &Context, path: &str) -> anyhow::Result<Result<Value, Exit>> {
    let client = context.client();
    match client.get_json(path)? {
        Ok(value) => Ok(Ok(value)),
        Err(error) if matches!(error.status, 403 | 404) => {
            print_read_refusal(context, &error)?;
            Ok(Err(Exit::Negative))
        }
        Err(error) => Err(client.unexpected(path, &error)),
    }
}

/// A signed read whose answer is the API type `T`: `Ok(Ok((json, typed)))`
/// (the JSON for `--json`, passed through unchanged), or `Ok(Err(exit))` as
/// [`read`].
pub fn read_typed<T: serde::de::DeserializeOwned>(
    context: &Context,
    path: &str,
) -> anyhow::Result<Result<(Value, T), Exit>> {
    match read(context, path)? {
        Ok(json) => {
            let typed = context.client().typed(path, json.clone())?;
            Ok(Ok((json, typed)))
        }
        Err(exit) => Ok(Err(exit)),
    }
}

fn print_read_refusal(context: &Context, error: &ApiError) -> anyhow::Result<()> {
    eprintln!("read refused: {}: {}", error.code, error.message);
    if context.output.is_json() {
        let answer = json!({ "refused": true, "code": error.code, "message": error.message });
        context.output.emit(&answer, String::new)?;
    }
    Ok(())
}

/// clap parser for a ledger enum typed by its names (`xianjie_ledger::names`):
/// `--help` lists each name with its `help` line, and a wrong name gets
/// clap's error listing every allowed one.
pub fn ledger_names<T>(
    names: &'static [(T, &'static str)],
    help: fn(T) -> &'static str,
) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Copy + PartialEq + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    ledger_spellings(names, &[], help)
}

/// As [`ledger_names`], but a value with another spelling (the enum's
/// `SPELLINGS`) is listed by that spelling, and its name is still accepted
/// (as a hidden alias). The value is parsed with the enum's `FromStr`,
/// which accepts both.
pub fn ledger_spellings<T>(
    names: &'static [(T, &'static str)],
    spellings: &'static [(T, &'static str)],
    help: fn(T) -> &'static str,
) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Copy + PartialEq + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(names.iter().map(|&(value, name)| {
        let possible = match spellings.iter().find(|(other, _)| *other == value) {
            Some(&(_, spelling)) => PossibleValue::new(spelling).alias(name),
            None => PossibleValue::new(name),
        };
        possible.help(help(value))
    }))
    .map(|name| {
        name.parse::<T>()
            .expect("clap admits only the ledger's names")
    })
}

/// `base` with its query filters, if any (`/v1/clues?direction=incoming`).
pub fn with_filters(base: &str, filters: &[String]) -> String {
    match filters.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", filters.join("&")),
    }
}

/// The `direction` filter of a list's `--incoming` and `--outgoing` flags.
pub fn direction_filters(incoming: bool, outgoing: bool) -> Vec<String> {
    let mut filters = Vec::new();
    if incoming {
        filters.push("direction=incoming".to_owned());
    }
    if outgoing {
        filters.push("direction=outgoing".to_owned());
    }
    filters
}

/// One indented line per clock of a record as the node shows it (`rule`,
/// `due_at_ms`, `overdue`), each marked when it is overdue.
pub fn clock_lines(clocks: &[Value]) -> String {
    clocks
        .iter()
        .map(|clock| {
            let overdue = match clock["overdue"].as_bool() {
                Some(true) => "  OVERDUE",
                _ => "",
            };
            format!(
                "\n    clock {}: due {}{overdue}",
                clock["rule"].as_str().unwrap_or("?"),
                format_time_ms(clock["due_at_ms"].as_u64().unwrap_or(0))
            )
        })
        .collect()
}

/// The text of a listing: its lines (or `empty`), then how many were shown
/// of how many matched, and a note when the node examined only the newest.
pub fn listing(lines: Vec<String>, total: usize, complete: bool, empty: String) -> String {
    if lines.is_empty() && complete {
        return empty;
    }
    let shown = lines.len();
    let mut out = lines;
    if total > shown {
        out.push(format!("… {shown} of {total} shown"));
    }
    if !complete {
        out.push("… only the newest 5,000 were examined; older ones are not listed".to_owned());
    }
    out.join("\n")
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_says_what_it_left_out() {
        let empty = || "none".to_owned();
        assert_eq!(listing(Vec::new(), 0, true, empty()), "none");
        let two = || vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(listing(two(), 2, true, empty()), "a\nb");
        assert_eq!(listing(two(), 5, true, empty()), "a\nb\n… 2 of 5 shown");
        let partial = listing(Vec::new(), 0, false, empty());
        assert!(partial.contains("only the newest 5,000"), "{partial}");
        assert_eq!(with_filters("/v1/x", &[]), "/v1/x");
        assert_eq!(
            with_filters("/v1/x", &["a=1".into(), "b=2".into()]),
            "/v1/x?a=1&b=2"
        );
    }

    #[test]
    fn digests_officers_and_query_values() {
        let hex = "ab".repeat(32);
        assert_eq!(digest_or_file(&hex).unwrap().to_hex(), hex);
        assert!(digest_or_file("nope").is_err());
        assert!(digest_or_file("@/definitely/missing").is_err());
        assert!(officer_id(&"cd".repeat(20)).is_ok());
        assert!(officer_id("bob").is_err());
        assert_eq!(query_value("S8_FILED"), "S8_FILED");
        assert_eq!(query_value("a b&c"), "a%20b%26c");
    }
}
