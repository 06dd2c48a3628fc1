//! Contract tests: every rule of membership, evidence and custody, each
//! refusal with its exact code, block execution and determinism; the case
//! transition table row by row, statutory deadlines, the
//! no-penalty-instead-of-transfer guard, inspection recognition, policies and
//! governance.

mod harness;
mod sim;

mod block;
mod custody;
mod encoding;
mod envelope;
mod evidence;
mod genesis;
mod membership;

mod cases;
mod clues;
mod court;
mod deadlines;
mod draws;
mod expect;
mod governance;
mod improper_filing;
mod inspections;
mod policies;
mod requests;
mod stats;
mod supervision;
mod transitions;
