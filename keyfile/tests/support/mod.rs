//! Helpers of the keyfile tests.

pub mod softhsm;
