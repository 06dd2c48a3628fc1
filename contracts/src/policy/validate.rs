//! What a policy set must be before genesis or governance accepts it.

use std::str::FromStr;

use cedar_policy::{PolicySet, Schema, ValidationMode, Validator};
use xianjie_ledger::governance::MAX_POLICY_BYTES;

use super::{MAX_NESTING, SCHEMA_TEXT};

/// Deepest nesting of `(`, `[` and `{` outside strings and comments.
pub(super) fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Checks a policy set as genesis and governance must: size, nesting,
/// Cedar syntax and strict validation against [`SCHEMA_TEXT`].
pub fn validate_policy_set(text: &str) -> std::result::Result<(), String> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(format!(
            "it has {} bytes, more than the limit of {MAX_POLICY_BYTES}",
            text.len()
        ));
    }
    let depth = nesting(text);
    if depth > MAX_NESTING {
        return Err(format!(
            "it nests brackets {depth} deep, more than the limit of {MAX_NESTING}"
        ));
    }
    let policies = PolicySet::from_str(text).map_err(|error| format!("does not parse: {error}"))?;
    // Parsed here, not kept: policy sets are validated at genesis and in
    // governance proposals only.
    let (schema, _warnings) =
        Schema::from_cedarschema_str(SCHEMA_TEXT).map_err(|error| error.to_string())?;
    let result = Validator::new(schema).validate(&policies, ValidationMode::Strict);
    if result.validation_passed() {
        Ok(())
    } else {
        let errors: Vec<String> = result
            .validation_errors()
            .take(3)
            .map(|error| error.to_string())
            .collect();
        Err(format!("does not validate: {}", errors.join("; ")))
    }
}
