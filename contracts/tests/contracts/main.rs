//! Contract tests: every rule of membership, evidence and custody, each
//! refusal with its exact code, block execution and determinism.

mod harness;

mod block;
mod custody;
mod encoding;
mod envelope;
mod evidence;
mod genesis;
mod membership;
