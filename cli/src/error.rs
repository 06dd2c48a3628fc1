//! How a command ends, and the exit code each ending maps to.
//!
//! Commands return `anyhow::Result<Exit>`: `Ok(Exit::Success)` and
//! `Ok(Exit::Negative)` are answers (the command already printed them);
//! `Err(_)` is a failure that [`crate::run`] prints on stderr and turns into
//! exit code 2. Negative answers are values, not errors, so that scripts can
//! tell "this file is not anchored" (1) from "I could not find out" (2).

use std::process::ExitCode;

/// The end of a command that ran to completion or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked (exit 0).
    Success,
    /// A definite negative answer: the file is not anchored, or the ledger
    /// refused the transaction (exit 1).
    Negative,
    /// The command could not give an answer: bad usage, unreadable files,
    /// unreachable node, inconsistent proof (exit 2).
    Failure,
}

impl Exit {
    /// The numeric exit code.
    pub const fn as_u8(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Negative => 1,
            Exit::Failure => 2,
        }
    }

    /// The process exit code.
    pub fn code(self) -> ExitCode {
        ExitCode::from(self.as_u8())
    }
}
