//! The node's one clock. Block times, the drift allowed to a proposal, and
//! the windows of sessions and signed reads are all read from a [`Clock`]
//! that the node is given at start, so every task agrees on where time
//! comes from and a test can hand in its own.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the node reads the time.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// A clock shared by the node's tasks.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
    }
}

/// The wall clock, shared.
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}
