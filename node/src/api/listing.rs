//! What the organisation lists (`GET /v1/clues`, `GET /v1/requests`) have in
//! common: the query's `direction`, `state` and `limit`, and the walk over an
//! organisation's newest ids that keeps what the reader may see.

use std::str::FromStr;

use serde::Serialize;

use super::ApiError;

/// `direction` of a list: `incoming` (Some(true)), `outgoing` (Some(false))
/// or both (None).
pub(super) fn incoming(direction: Option<&str>) -> Result<Option<bool>, ApiError> {
    match direction {
        None => Ok(None),
        Some("incoming") => Ok(Some(true)),
        Some("outgoing") => Ok(Some(false)),
        Some(other) => Err(ApiError::BadQuery(format!(
            "`direction` {other:?} is not incoming or outgoing"
        ))),
    }
}

/// `state` of a list, read by the record's own state names.
pub(super) fn wanted_state<S: FromStr<Err = String>>(
    state: Option<&str>,
) -> Result<Option<S>, ApiError> {
    state
        .map(str::parse::<S>)
        .transpose()
        .map_err(ApiError::BadQuery)
}

/// `limit` of a list: at most `most`, and `most` when absent.
pub(super) fn limit(asked: Option<usize>, most: usize) -> usize {
    asked.unwrap_or(most).min(most)
}

/// Walks `ids` (newest first) and keeps the records `keep` returns (None:
/// not shown to this reader or not matching the filters): all are counted,
/// and only the first `limit` are made into views by `view`.
pub(super) fn kept<I, T, V>(
    ids: &[I],
    limit: usize,
    mut keep: impl FnMut(&I) -> Result<Option<T>, ApiError>,
    mut view: impl FnMut(T) -> Result<V, ApiError>,
) -> Result<(Vec<V>, usize), ApiError> {
    let mut out = Vec::new();
    let mut total = 0;
    for id in ids {
        if let Some(record) = keep(id)? {
            total += 1;
            if out.len() < limit {
                out.push(view(record)?);
            }
        }
    }
    Ok((out, total))
}

/// A record as JSON for an answer; failing is the node's fault.
pub(super) fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|error| ApiError::Internal(format!("to JSON: {error}")))
}
