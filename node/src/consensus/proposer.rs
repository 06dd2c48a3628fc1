//! Who proposes at a height and round: a weighted round robin over the
//! validators that proposed recently, with a probe turn now and then for
//! those that did not.
//!
//! A stopped validator, or one whose blocks are refused (a skewed clock),
//! would otherwise cost a whole `timeout_propose` at each of its turns: with
//! one of four down, every fourth height. Who is *absent* is read from the
//! last committed headers only — each names its `proposer` and the
//! `validators_hash` of the set that commits it — so every node, including
//! one that syncs or restarts, computes the same schedule. The local commit
//! certificates (whose signers differ from node to node) and the round a node
//! decided in play no part.
//!
//! - The window of height `h` is the [`window`] headers before it. A
//!   validator that proposed none of them is absent at `h`. A validator that
//!   is up proposes about `power / total` of any stretch of heights, so with
//!   a window of twice the total power it proposes in every window.
//! - Nobody is absent while the window is not full (the first heights of the
//!   chain) or holds a header of another validator set: a change of the set
//!   starts with everybody present.
//! - The round robin runs over the present validators. At heights that are
//!   multiples of [`PROBE_INTERVAL`], round 0 goes to one absent validator,
//!   in turn, and the later rounds to the present ones. A validator that is
//!   back proposes that probe block and is present again from the next
//!   height; one that is still down costs one `timeout_propose` per
//!   [`PROBE_INTERVAL`] heights.
//! - With nobody absent the schedule is the plain weighted round robin
//!   `(height + round) mod total power`.

use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::Hash;

/// Every this many heights, round 0 goes to an absent validator. The cost
/// while one is down: one `timeout_propose` per this many heights. The
/// delay for one that is back: up to this many heights before it proposes.
pub const PROBE_INTERVAL: u64 = 100;

/// Most headers in a window, whatever the powers (it bounds the reads per
/// height). A validator with less than 1/128 of the power may then be taken
/// for absent while up; its probe turns bring it back.
pub const MAX_WINDOW: u64 = 256;

/// What a committed header says about its proposer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proposed {
    /// The validator that built the block.
    pub proposer: KeyId,
    /// The validator set that committed it.
    pub validators_hash: Hash,
}

/// How many headers before a height decide who is absent there: twice the
/// total power, at least one per validator, at most [`MAX_WINDOW`] (or the
/// number of validators if that is more).
pub fn window(powers: &[u64]) -> u64 {
    let total = powers.iter().fold(0u64, |sum, p| sum.saturating_add(*p));
    let count = powers.len() as u64;
    total.saturating_mul(2).min(MAX_WINDOW).max(count)
}

/// The indices (ascending) of the `members` absent at a height, given the
/// headers of the [`window`] before it (`recent`, oldest first) and the hash
/// of the set in force. Nobody is absent when `recent` is shorter than the
/// window, when a header of it was committed by another set, or when nobody
/// would be left.
pub fn absent(members: &[(KeyId, u64)], set_hash: &Hash, recent: &[Proposed]) -> Vec<usize> {
    let powers: Vec<u64> = members.iter().map(|(_, power)| *power).collect();
    let window = usize::try_from(window(&powers)).unwrap_or(usize::MAX);
    if recent.len() < window {
        return Vec::new();
    }
    let recent = &recent[recent.len() - window..];
    if recent.iter().any(|p| p.validators_hash != *set_hash) {
        return Vec::new();
    }
    let absent: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| recent.iter().all(|p| p.proposer != *id))
        .map(|(index, _)| index)
        .collect();
    if absent.len() == members.len() {
        return Vec::new();
    }
    absent
}

/// The index of the proposer of `(height, round)` among validators of
/// `powers` (in the set's order), `absent` as [`absent`] returns it; `None`
/// for a set without power.
pub fn proposer(powers: &[u64], absent: &[usize], height: u64, round: u32) -> Option<usize> {
    let present: Vec<usize> = (0..powers.len())
        .filter(|index| !absent.contains(index))
        .collect();
    if absent.is_empty() || present.is_empty() {
        let all: Vec<usize> = (0..powers.len()).collect();
        return round_robin(powers, &all, height.wrapping_add(u64::from(round)));
    }
    if height.is_multiple_of(PROBE_INTERVAL) {
        if round == 0 {
            let turn = (height / PROBE_INTERVAL) % absent.len() as u64;
            return absent.get(usize::try_from(turn).ok()?).copied();
        }
        return round_robin(powers, &present, height.wrapping_add(u64::from(round - 1)));
    }
    round_robin(powers, &present, height.wrapping_add(u64::from(round)))
}

/// Position `point mod (their total power)` on the validators `among`, laid
/// end to end by power in the set's order.
fn round_robin(powers: &[u64], among: &[usize], point: u64) -> Option<usize> {
    let total = among
        .iter()
        .fold(0u64, |sum, index| sum.saturating_add(powers[*index]));
    if total == 0 {
        return None;
    }
    let mut point = point % total;
    for index in among {
        if point < powers[*index] {
            return Some(*index);
        }
        point -= powers[*index];
    }
    None
}

/// The `(proposer, validators_hash)` of recent committed headers, kept
/// between heights so each height reads only the headers it has not seen.
/// Committed headers never change, so a cached one is always right.
#[derive(Debug, Default)]
pub struct RecentHeaders {
    /// `(height, what it says)`, ascending and contiguous.
    kept: std::collections::VecDeque<(u64, Proposed)>,
}

impl RecentHeaders {
    /// The headers of heights `tip - len + 1 ..= tip` that exist (fewer near
    /// the start of the chain), oldest first; `read` gives a committed
    /// header's record, `None` if it has none.
    pub fn window<E>(
        &mut self,
        tip: u64,
        len: u64,
        mut read: impl FnMut(u64) -> Result<Option<Proposed>, E>,
    ) -> Result<Vec<Proposed>, E> {
        let first = tip.saturating_sub(len.saturating_sub(1)).max(1);
        self.kept
            .retain(|(height, _)| *height >= first && *height <= tip);
        let mut next = match self.kept.back() {
            Some((height, _)) if self.kept.front().is_some_and(|(h, _)| *h == first) => height + 1,
            _ => {
                self.kept.clear();
                first
            }
        };
        while next <= tip && len > 0 {
            match read(next)? {
                Some(proposed) => self.kept.push_back((next, proposed)),
                None => break,
            }
            next += 1;
        }
        Ok(self.kept.iter().map(|(_, proposed)| *proposed).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> KeyId {
        KeyId([n; 20])
    }

    const SET: Hash = Hash([7; 32]);
    const OTHER_SET: Hash = Hash([8; 32]);

    fn members(powers: &[u64]) -> Vec<(KeyId, u64)> {
        powers
            .iter()
            .enumerate()
            .map(|(i, p)| (id(i as u8), *p))
            .collect()
    }

    /// Headers proposed by `proposers` (member indices), oldest first.
    fn headers(proposers: &[u8]) -> Vec<Proposed> {
        proposers
            .iter()
            .map(|n| Proposed {
                proposer: id(*n),
                validators_hash: SET,
            })
            .collect()
    }

    #[test]
    fn the_window_is_twice_the_power_within_bounds() {
        assert_eq!(window(&[1, 1, 1, 1]), 8);
        assert_eq!(window(&[3, 1]), 8);
        assert_eq!(window(&[100, 100]), MAX_WINDOW);
        assert_eq!(window(&[1; 300]), 300, "at least one height per validator");
        assert_eq!(window(&[u64::MAX, 1]), MAX_WINDOW, "no overflow");
    }

    #[test]
    fn absent_are_those_that_proposed_nothing_in_the_window() {
        let four = members(&[1, 1, 1, 1]);
        // (window, absent)
        let table: &[(&[u8], &[usize])] = &[
            (&[0, 1, 2, 3, 0, 1, 2, 3], &[]),
            (&[0, 1, 2, 0, 0, 1, 2, 0], &[3]),
            (&[0, 1, 0, 0, 0, 1, 0, 0], &[2, 3]),
            // Only the last eight count: 3's block is older.
            (&[3, 0, 1, 2, 0, 0, 1, 2, 0], &[3]),
            // One block in the window is enough.
            (&[0, 1, 2, 0, 3, 1, 2, 0], &[]),
            // Too few headers (the chain's first heights): nobody is absent.
            (&[0, 1, 2, 0, 0, 1, 2], &[]),
        ];
        for (recent, expected) in table {
            assert_eq!(
                absent(&four, &SET, &headers(recent)),
                expected.to_vec(),
                "window {recent:?}"
            );
        }
    }

    #[test]
    fn a_change_of_validator_set_resets_who_is_absent() {
        let four = members(&[1, 1, 1, 1]);
        let mut recent = headers(&[0, 1, 2, 0, 0, 1, 2, 0]);
        assert_eq!(absent(&four, &SET, &recent), vec![3]);
        recent[0].validators_hash = OTHER_SET;
        assert_eq!(absent(&four, &SET, &recent), Vec::<usize>::new());
        // Once the whole window is of the new set, absence counts again.
        let mut longer = headers(&[0]);
        longer[0].validators_hash = OTHER_SET;
        longer.extend(headers(&[0, 1, 2, 0, 0, 1, 2, 0]));
        assert_eq!(absent(&four, &SET, &longer), vec![3]);
    }

    #[test]
    fn present_validators_rotate_and_absent_ones_are_skipped() {
        let powers = [1, 1, 1, 1];
        // (absent, height, proposers of rounds 0, 1, 2)
        let table: &[(&[usize], u64, [usize; 3])] = &[
            (&[], 1, [1, 2, 3]),
            (&[], 3, [3, 0, 1]),
            (&[3], 1, [1, 2, 0]),
            (&[3], 2, [2, 0, 1]),
            (&[3], 3, [0, 1, 2]),
            (&[3], 4, [1, 2, 0]),
            (&[1, 3], 5, [2, 0, 2]),
        ];
        for (absent, height, rounds) in table {
            let picked: Vec<usize> = (0..3)
                .map(|round| proposer(&powers, absent, *height, round).unwrap())
                .collect();
            assert_eq!(
                picked,
                rounds.to_vec(),
                "absent {absent:?}, height {height}"
            );
        }
        // Over many heights only present validators propose in round 0,
        // apart from the probe heights.
        for height in 1..1_000 {
            let pick = proposer(&powers, &[3], height, 0).unwrap();
            assert_eq!(
                pick == 3,
                height.is_multiple_of(PROBE_INTERVAL),
                "height {height}"
            );
        }
    }

    #[test]
    fn weighted_round_robin_over_the_present_keeps_proportions() {
        let powers = [3, 1, 2];
        let count = |who: usize| {
            (1..=500u64)
                .filter(|h| !h.is_multiple_of(PROBE_INTERVAL))
                .filter(|h| proposer(&powers, &[2], *h, 0) == Some(who))
                .count()
        };
        assert_eq!((count(0), count(1), count(2)), (370, 125, 0));
        // With nobody absent, today's schedule.
        let all = (0..8)
            .map(|h| proposer(&powers, &[], h, 0).unwrap())
            .collect::<Vec<_>>();
        assert_eq!(all, vec![0, 0, 0, 1, 2, 2, 0, 0]);
    }

    #[test]
    fn absent_validators_get_round_zero_of_probe_heights_in_turn() {
        let powers = [1, 1, 1, 1];
        let absent = [1, 3];
        let probe = |height: u64, round: u32| proposer(&powers, &absent, height, round).unwrap();
        assert_eq!(probe(PROBE_INTERVAL, 0), 3);
        assert_eq!(probe(2 * PROBE_INTERVAL, 0), 1);
        assert_eq!(probe(3 * PROBE_INTERVAL, 0), 3);
        // A probe that times out: round 1 goes to the present rotation.
        let after = probe(PROBE_INTERVAL, 1);
        assert!(after == 0 || after == 2, "round 1 went to {after}");
        assert_eq!(probe(PROBE_INTERVAL, 2), if after == 0 { 2 } else { 0 });
        // The cost while they are down: one probe round per interval.
        let probes = (1..=10 * PROBE_INTERVAL)
            .filter(|h| absent.contains(&probe(*h, 0)))
            .count();
        assert_eq!(probes, 10);
    }

    #[test]
    fn a_validator_that_proposes_its_probe_block_is_present_again() {
        let four = members(&[1, 1, 1, 1]);
        let powers = [1, 1, 1, 1];
        // Validator 3 has been down: absent at the probe height.
        let mut recent = headers(&[0, 1, 2, 0, 1, 2, 0, 1]);
        let set = absent(&four, &SET, &recent);
        assert_eq!(set, vec![3]);
        assert_eq!(proposer(&powers, &set, PROBE_INTERVAL, 0), Some(3));
        // It is back and its probe block is committed.
        recent.remove(0);
        recent.extend(headers(&[3]));
        let set = absent(&four, &SET, &recent);
        assert!(set.is_empty(), "still absent: {set:?}");
        let next: Vec<usize> = (1..=4)
            .map(|h| proposer(&powers, &set, PROBE_INTERVAL + h, 0).unwrap())
            .collect();
        assert!(next.contains(&3), "3 has turns again: {next:?}");
    }

    #[test]
    fn nobody_is_absent_if_nobody_would_be_left() {
        let two = members(&[1, 1]);
        let strangers: Vec<Proposed> = (0..4)
            .map(|_| Proposed {
                proposer: id(9),
                validators_hash: SET,
            })
            .collect();
        assert!(absent(&two, &SET, &strangers).is_empty());
        assert_eq!(proposer(&[1, 1], &[0, 1], 3, 0), Some(1));
        assert_eq!(proposer(&[], &[], 3, 0), None);
    }

    #[test]
    fn recent_headers_are_read_once_each() {
        let mut recent = RecentHeaders::default();
        let mut reads = Vec::new();
        let mut read = |height: u64| -> Result<Option<Proposed>, ()> {
            reads.push(height);
            Ok(Some(Proposed {
                proposer: id(height as u8),
                validators_hash: SET,
            }))
        };
        let first = recent.window(3, 8, &mut read).unwrap();
        assert_eq!(first.len(), 3, "only heights 1..=3 exist");
        let second = recent.window(10, 8, &mut read).unwrap();
        assert_eq!(
            second.iter().map(|p| p.proposer).collect::<Vec<_>>(),
            (3..=10).map(id).collect::<Vec<_>>()
        );
        // A shorter window after a set change, and a missing header.
        let third = recent.window(10, 4, &mut read).unwrap();
        assert_eq!(third.len(), 4);
        assert_eq!(reads, (1..=10).collect::<Vec<_>>(), "each header read once");
        let mut none = |_: u64| -> Result<Option<Proposed>, ()> { Ok(None) };
        assert_eq!(recent.window(12, 4, &mut none).unwrap().len(), 2);
    }
}
