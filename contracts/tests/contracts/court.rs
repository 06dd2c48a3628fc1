//! What the chain keeps for courts outside it: RFC 3161 tokens over history
//! checkpoints (tokens from a real `openssl ts`), and the numbers court
//! chains gave deposits of evidence. Every refusal with its code.

// The TSA is outside the contracts: `openssl ts` reads and writes its
// configuration and tokens in a temporary directory, so the contracts' ban
// on I/O does not apply to it.
#[allow(dead_code, clippy::disallowed_methods, clippy::disallowed_types)]
#[path = "../../../timestamp/tests/support/mod.rs"]
mod tsa_pki;

use xianjie_contracts::{deposit, timestamps};
use xianjie_ledger::checkpoint::Checkpoint;
use xianjie_ledger::deposit::MAX_DEPOSITS;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::timestamps::{first_covering, imprint_of};
use xianjie_ledger::tx::{Call, RecordDeposit, RecordTimestamp};
use xianjie_timestamp::{parse_response, TimestampRequest};

use crate::policies::anchor;
use crate::sim::{self, Sim, CHAIN};

/// A checkpoint body of the sim chain over `size` headers, named by block
/// `size + 1`.
fn body(size: u64, origin_chain: &str) -> String {
    Checkpoint {
        origin: Checkpoint::origin_for(origin_chain, &Hash([0x47; 32])),
        size,
        root: Hash([size as u8; 32]),
        block_height: size + 1,
        block_hash: Hash([0xbb; 32]),
        time_ms: 1_780_000_000_000,
    }
    .to_body()
}

fn token_over(pki: &tsa_pki::Pki, data: &str) -> Vec<u8> {
    let request = TimestampRequest::for_sha256(imprint_of(data), 9);
    let response = pki.reply("tsa", &tsa_pki::TsSettings::default(), &request.to_der());
    parse_response(&response)
        .expect("openssl grants")
        .into_der()
}

fn stamp(sim: &mut Sim, checkpoint: String, token: Vec<u8>) -> String {
    stamp_as(sim, "lab", checkpoint, token)
}

fn stamp_as(sim: &mut Sim, org: &str, checkpoint: String, token: Vec<u8>) -> String {
    sim.code(
        &sim::officer(org),
        Call::RecordTimestamp(RecordTimestamp { checkpoint, token }),
    )
}

#[test]
fn a_token_is_recorded_only_over_its_own_committed_checkpoint_and_sizes_only_grow() {
    let pki = tsa_pki::Pki::new(tsa_pki::KeyKind::P256, "Court Test CA");
    pki.issue_tsa(
        "tsa",
        tsa_pki::KeyKind::P256,
        tsa_pki::Eku::CriticalTimeStamping,
        3,
    );
    let mut sim = Sim::new();
    for n in 0..6 {
        anchor(&mut sim, "market", format!("e{n}").as_bytes(), None);
    }
    let four = body(4, CHAIN);
    // The checkpoint: another chain's, not committed yet, or no checkpoint.
    let foreign = body(4, "another-chain");
    assert_eq!(
        stamp(&mut sim, foreign.clone(), token_over(&pki, &foreign)),
        "invalid_checkpoint"
    );
    // A chain whose id extends this one's is another chain too.
    let longer = body(4, &format!("{CHAIN}/x"));
    assert_eq!(
        stamp(&mut sim, longer.clone(), token_over(&pki, &longer)),
        "invalid_checkpoint"
    );
    let ahead = body(sim.height, CHAIN);
    assert_eq!(
        stamp(&mut sim, ahead.clone(), token_over(&pki, &ahead)),
        "invalid_checkpoint"
    );
    assert_eq!(
        stamp(&mut sim, "4\n".into(), token_over(&pki, "4\n")),
        "invalid_checkpoint"
    );
    let empty = body(0, CHAIN);
    assert_eq!(
        stamp(&mut sim, empty.clone(), token_over(&pki, &empty)),
        "invalid_checkpoint"
    );
    // The token: none, not DER, or over another body.
    assert_eq!(
        stamp(&mut sim, four.clone(), Vec::new()),
        "timestamp_not_for_checkpoint"
    );
    assert_eq!(
        stamp(&mut sim, four.clone(), vec![0x30, 0x00]),
        "timestamp_not_for_checkpoint"
    );
    let other = token_over(&pki, &body(3, CHAIN));
    assert_eq!(
        stamp(&mut sim, four.clone(), other),
        "timestamp_not_for_checkpoint"
    );
    let lab = sim::org_id("lab");
    assert_eq!(
        timestamps::log(&sim, &lab).unwrap().count,
        0,
        "refusals write nothing"
    );
    assert!(timestamps::orgs(&sim).unwrap().0.is_empty());

    let token = token_over(&pki, &four);
    assert_eq!(stamp(&mut sim, four.clone(), token.clone()), "ok");
    let recorded = timestamps::record(&sim, &lab, 0)
        .unwrap()
        .expect("recorded");
    assert_eq!((recorded.seq, recorded.size), (0, 4));
    assert_eq!(
        (recorded.checkpoint, recorded.token),
        (four.clone(), token.clone())
    );
    assert_eq!(recorded.org, sim::org_id("lab"));
    // The same checkpoint again, or an older one: the log stays sorted.
    assert_eq!(stamp(&mut sim, four.clone(), token), "timestamp_not_newer");
    let three = body(3, CHAIN);
    assert_eq!(
        stamp(&mut sim, three.clone(), token_over(&pki, &three)),
        "timestamp_not_newer"
    );
    let nine = body(9, CHAIN);
    assert_eq!(stamp(&mut sim, nine.clone(), token_over(&pki, &nine)), "ok");
    let log = timestamps::log(&sim, &lab).unwrap();
    assert_eq!((log.count, log.last_size), (2, 9));

    // Another organisation keeps its own log: the lab's stamps, from
    // whatever TSA, never stand in its way.
    assert_eq!(
        stamp_as(&mut sim, "court", four.clone(), token_over(&pki, &four)),
        "ok"
    );
    assert_eq!(
        stamp_as(&mut sim, "court", four.clone(), token_over(&pki, &four)),
        "timestamp_not_newer"
    );
    let court = sim::org_id("court");
    assert_eq!(timestamps::log(&sim, &court).unwrap().last_size, 4);
    assert_eq!(timestamps::orgs(&sim).unwrap().0, [court, lab.clone()]);

    // A receipt builder's search over the lab's log.
    let at = |seq| Ok::<_, ()>(timestamps::record(&sim, &lab, seq).unwrap().unwrap());
    let covering = |height| {
        first_covering(log.count, height, at)
            .unwrap()
            .map(|r| r.size)
    };
    assert_eq!(covering(1), Some(4));
    assert_eq!(covering(4), Some(4));
    assert_eq!(covering(5), Some(9));
    assert_eq!(covering(10), None);
}

fn deposit_call(digest: Hash, chain: &str, number: &str) -> Call {
    Call::RecordDeposit(RecordDeposit {
        digest,
        court_chain: chain.into(),
        deposit_id: number.into(),
        bundle_sha256: Hash([0x5e; 32]),
    })
}

#[test]
fn a_deposit_number_is_recorded_once_by_a_party_of_the_evidence() {
    let mut sim = Sim::new();
    let digest = anchor(&mut sim, "market", b"ledger book", None);
    let market = sim::officer("market");
    let cases = [
        (
            "market",
            deposit_call(Hash([1; 32]), "tianping", "TP-1"),
            "unknown_evidence",
        ),
        (
            "market",
            deposit_call(digest, "天平链", "TP-1"),
            "invalid_field",
        ),
        (
            "market",
            deposit_call(digest, "tianping", "TP 1"),
            "invalid_field",
        ),
        ("market", deposit_call(digest, "", "TP-1"), "invalid_field"),
        (
            "market",
            deposit_call(digest, "tianping", &"9".repeat(129)),
            "invalid_field",
        ),
        // An identity card number is no deposit number.
        (
            "market",
            deposit_call(digest, "tianping", "11010519491231002X"),
            "personal_information",
        ),
        // Neither anchoring organisation, holder, procuratorate nor court,
        // even with a label the rules refuse: the policy speaks first.
        (
            "police",
            deposit_call(digest, "tianping", "TP-1"),
            "policy_denied",
        ),
        (
            "tax",
            deposit_call(digest, "天平链", "TP-1"),
            "policy_denied",
        ),
        ("market", deposit_call(digest, "tianping", "TP-1"), "ok"),
        (
            "proc",
            deposit_call(digest, "tianping", "TP-1"),
            "deposit_exists",
        ),
        (
            "court",
            deposit_call(digest, "hangzhou-court", "TP-1"),
            "ok",
        ),
    ];
    for (org, call, expected) in cases {
        assert_eq!(sim.code(&sim::officer(org), call), expected, "{org}");
    }
    let list = deposit::deposits(&sim, &digest).unwrap().0;
    let recorded: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|d| {
            (
                d.court_chain.as_str(),
                d.deposit_id.as_str(),
                d.org.as_str(),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        [
            ("tianping", "TP-1", "market"),
            ("hangzhou-court", "TP-1", "court")
        ]
    );
    for n in list.len()..MAX_DEPOSITS {
        let call = deposit_call(digest, "tianping", &format!("TP-{}", n + 100));
        assert_eq!(sim.code(&market, call), "ok");
    }
    let full = deposit_call(digest, "tianping", "TP-999");
    assert_eq!(sim.code(&market, full), "deposits_full");
}
