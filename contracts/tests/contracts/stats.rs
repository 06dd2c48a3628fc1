//! Supervision statistics (DOMAIN §d): the counts, stage medians, overdue
//! duties and flags of a simulated chain, bulletins anchored and checked by
//! recomputation, and who may read or publish which slice.

use xianjie_contracts::bulletin;
use xianjie_contracts::index::{IndexMeta, IndexPage};
use xianjie_contracts::policy::authorize_stats_read;
use xianjie_contracts::stats::compute;
use xianjie_ledger::codec::encode;
use xianjie_ledger::hash::Hash;
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::state::keys;
use xianjie_ledger::stats::{StatsRow, StatsScope, StatsTable};
use xianjie_ledger::supervision::{FlagKind, SupervisionFlag};
use xianjie_ledger::tx::{Call, PublishBulletin};

use crate::expect::{open_case, perform};
use crate::sim::{self, local_ms, org_id, Sim, DAY_MS};

/// Two general cases and one food case of `market`:
///
/// | case | opened | suspected | transferred | then |
/// |---|---|---|---|---|
/// | A | 06-01 | 06-03 | 06-05 | filed 06-06 |
/// | B | 06-01 | 06-05 | 06-05 | declined 06-06, supervision, order to file |
/// | C (food_drug) | 06-06 | | | |
fn chain() -> (Sim, CaseId, CaseId, CaseId) {
    let mut sim = Sim::new();
    let a = open_case(&mut sim, "general");
    let b = open_case(&mut sim, "general");
    perform(&mut sim, &a, "open-admin-case", None);
    perform(&mut sim, &b, "open-admin-case", None);
    sim.advance(2 * DAY_MS);
    perform(&mut sim, &a, "mark-suspected", None);
    sim.advance(2 * DAY_MS);
    perform(&mut sim, &b, "mark-suspected", None);
    for case in [&a, &b] {
        for action in [
            "form-taskforce",
            "submit-report",
            "approve-transfer",
            "transfer",
            "receive",
        ] {
            perform(&mut sim, case, action, None);
        }
    }
    sim.advance(DAY_MS);
    perform(&mut sim, &a, "file", None);
    perform(&mut sim, &b, "decline-filing", None);
    perform(&mut sim, &b, "request-supervision", None);
    perform(&mut sim, &b, "order-filing", None);
    let c = open_case(&mut sim, "food_drug");
    (sim, a, b, c)
}

fn table(sim: &Sim, scope: StatsScope) -> StatsTable {
    compute(sim, &scope, sim.height, sim.time_ms).expect("the table computes")
}

fn row(table: &StatsTable, domain: &str) -> StatsRow {
    table
        .rows
        .iter()
        .find(|row| row.domain == domain)
        .unwrap_or_else(|| panic!("no {domain} row in {:?}", table.rows))
        .clone()
}

fn medians(table: &StatsTable) -> Vec<(&str, Option<u64>, u64)> {
    table
        .stage_days
        .iter()
        .map(|stage| (stage.stage.as_str(), stage.median_days, stage.cases))
        .collect()
}

fn region(code: &str) -> StatsScope {
    StatsScope {
        region: Some(code.into()),
        ..StatsScope::default()
    }
}

#[test]
fn counts_and_lower_medians_of_a_simulated_chain() {
    let (sim, ..) = chain();
    let all = table(&sim, StatsScope::default());
    let general = row(&all, "general");
    assert_eq!(
        (general.org.as_str(), general.region.as_str()),
        ("market", "330100")
    );
    let counts = |row: &StatsRow| {
        [
            row.opened,
            row.suspected,
            row.transferred,
            row.filed,
            row.declined,
            row.supervised,
            row.ordered_to_file,
            row.prosecuted,
            row.judged,
        ]
    };
    assert_eq!(counts(&general), [2, 2, 2, 1, 1, 1, 1, 0, 0]);
    assert_eq!(counts(&row(&all, "food_drug")), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // A took 2 days to suspicion, B 4: the lower middle of [2, 4] is 2.
    // Suspicion to transfer: A 2 days, B 0 → [0, 2] → 0.
    assert_eq!(
        medians(&all),
        [
            ("opened-suspected", Some(2), 2),
            ("suspected-transferred", Some(0), 2),
            ("transferred-filing-decision", Some(1), 2),
            ("filed-prosecution-decision", None, 0),
            ("indicted-judged", None, 0),
        ]
    );
    // The same state gives the same bytes.
    assert_eq!(all.digest(), table(&sim, StatsScope::default()).digest());

    // One day: only what first happened on 2026-06-05.
    let day = table(
        &sim,
        StatsScope {
            from: Some(20260605),
            to: Some(20260605),
            ..StatsScope::default()
        },
    );
    assert_eq!(counts(&row(&day, "general")), [0, 1, 2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(counts(&row(&day, "food_drug")), [0; 9]);
    assert_eq!(medians(&day)[0], ("opened-suspected", Some(4), 1));

    // Scopes narrow: another region has nothing, a domain one row, and the
    // police see the two cases they are a party to, under their owner.
    assert!(table(&sim, region("330200")).rows.is_empty());
    let food = table(
        &sim,
        StatsScope {
            domain: Some("food_drug".into()),
            ..StatsScope::default()
        },
    );
    assert_eq!(food.rows.len(), 1);
    let police = table(
        &sim,
        StatsScope {
            org: Some(org_id("police")),
            ..StatsScope::default()
        },
    );
    assert_eq!(police.rows.len(), 1);
    assert_eq!(counts(&police.rows[0]), [2, 2, 2, 1, 1, 1, 1, 0, 0]);
}

#[test]
fn overdue_duties_are_counted_at_the_block_time_by_party_and_rule() {
    let (sim, ..) = chain();
    let now = table(&sim, StatsScope::default());
    assert!(now.overdue.is_empty(), "{:?}", now.overdue);
    // A month later the agency has not handed the items over (T10, 3 days)
    // and the police have not filed on the order (D4b, 15 days).
    let later = compute(
        &sim,
        &StatsScope::default(),
        sim.height,
        sim.time_ms + 30 * DAY_MS,
    )
    .expect("the table computes");
    let parties: Vec<(Option<&str>, &str, u64)> = later
        .overdue
        .iter()
        .map(|o| {
            (
                o.org.as_ref().map(|org| org.as_str()),
                o.party.as_str(),
                o.count,
            )
        })
        .collect();
    assert!(
        parties.contains(&(Some("market"), "AEA", 1)),
        "{:?}",
        later.overdue
    );
    assert!(
        parties.contains(&(Some("police"), "PSB", 1)),
        "{:?}",
        later.overdue
    );
    assert_ne!(now.digest(), later.digest());
}

/// Writes a flag as the supervision contract does: the record and its entry
/// in `index/flag/all` (a one-entry paged index).
fn put_flag(sim: &mut Sim, case_id: &CaseId, raised_at_ms: u64, resolved_at_ms: Option<u64>) {
    let kind = FlagKind::UntransferredSuspectedCrime.name();
    let flag = SupervisionFlag {
        case_id: case_id.into(),
        kind: FlagKind::UntransferredSuspectedCrime,
        matched: Vec::new(),
        owner: org_id("market"),
        region: "330100".into(),
        domain: "food_drug".into(),
        raised_height: sim.height,
        raised_at_ms,
        resolved_height: resolved_at_ms.map(|_| sim.height),
        resolved_at_ms,
    };
    let entry = format!("{case_id}/{kind}");
    let name = keys::index::FLAGS;
    sim.state.insert(keys::flag(case_id, kind), encode(&flag));
    sim.state
        .insert(name.to_vec(), encode(&IndexMeta { len: 1 }));
    sim.state.insert(
        [name, b"#p0"].concat(),
        encode(&IndexPage(vec![entry.clone().into_bytes()])),
    );
    sim.state.insert(
        [name, b"#e", entry.as_bytes()].concat(),
        encode(&IndexMeta { len: 0 }),
    );
}

#[test]
fn flags_count_when_raised_and_when_resolved() {
    let (mut sim, _, _, c) = chain();
    put_flag(
        &mut sim,
        &c,
        local_ms(20260606, 13, 0),
        Some(local_ms(20260608, 9, 0)),
    );
    let food = |from, to| {
        row(
            &table(
                &sim,
                StatsScope {
                    from: Some(from),
                    to: Some(to),
                    ..StatsScope::default()
                },
            ),
            "food_drug",
        )
    };
    let june = food(20260601, 20260630);
    assert_eq!((june.flags_raised, june.flags_resolved), (1, 1));
    let raised_only = food(20260606, 20260607);
    assert_eq!(
        (raised_only.flags_raised, raised_only.flags_resolved),
        (1, 0)
    );
    let resolved_only = food(20260608, 20260630);
    assert_eq!(
        (resolved_only.flags_raised, resolved_only.flags_resolved),
        (0, 1)
    );
}

fn publish(height: u64, scope: StatsScope, digest: Hash) -> Call {
    Call::PublishBulletin(PublishBulletin {
        height,
        scope,
        digest,
    })
}

#[test]
fn a_bulletin_is_anchored_recomputed_and_a_changed_number_refused() {
    let (mut sim, ..) = chain();
    let at = sim.clone();
    let computed = table(&at, region("330100"));
    let tx = sim
        .run(
            &sim::officer("proc"),
            publish(at.height, region("330100"), computed.digest()),
        )
        .expect("the procuratorate publishes");
    let id = bulletin::bulletin_id_for(&tx);
    let record = bulletin::bulletin(&sim, &id).unwrap().expect("stored");
    assert_eq!(bulletin::bulletins(&sim).unwrap(), vec![id.clone()]);
    assert_eq!(
        (
            record.height,
            record.publisher.as_str(),
            record.published_height
        ),
        (at.height, "proc", at.height + 1)
    );

    // Checking: recompute at the bulletin's height with its scope.
    let recomputed = compute(&at, &record.scope, record.height, at.time_ms).unwrap();
    assert_eq!(recomputed.digest(), record.digest);
    // A table whose numbers were changed does not give the anchored digest.
    let mut changed = recomputed.clone();
    changed.rows[0].transferred += 1;
    assert_ne!(changed.digest(), record.digest);
    // Nor does the table of a later height.
    let later = compute(&sim, &record.scope, sim.height, sim.time_ms).unwrap();
    assert_ne!(later.digest(), record.digest);
}

/// The people's government leading the linkage work (GOV_SUPERIOR) anchors
/// its region's table as a procuratorate does, and anyone checks it by
/// recomputing.
#[test]
fn a_government_office_anchors_a_bulletin_that_anyone_recomputes() {
    let (mut sim, ..) = chain();
    let at = sim.clone();
    let computed = table(&at, region("330100"));
    let tx = sim
        .run(
            &sim::officer("gov"),
            publish(at.height, region("330100"), computed.digest()),
        )
        .expect("the government office publishes");
    let id = bulletin::bulletin_id_for(&tx);
    let record = bulletin::bulletin(&sim, &id).unwrap().expect("stored");
    assert_eq!(record.publisher.as_str(), "gov");
    assert_eq!(bulletin::bulletins(&sim).unwrap(), vec![id]);
    let recomputed = compute(&at, &record.scope, record.height, at.time_ms).unwrap();
    assert_eq!(recomputed.digest(), record.digest);
    let mut changed = recomputed;
    changed.rows[0].filed += 1;
    assert_ne!(changed.digest(), record.digest);
}

#[test]
fn only_a_supervisor_publishes_a_committed_height_of_a_slice_it_may_see() {
    let (mut sim, ..) = chain();
    let digest = table(&sim, region("330100")).digest();
    // Heights relative to the last committed one (each refused call still
    // takes a block of the simulation).
    let cases = [
        // The police and an administrative agency supervise nobody.
        ("police", region("330100"), 0, "wrong_org_kind"),
        ("market", region("330100"), 0, "wrong_org_kind"),
        ("lab", region("330100"), 0, "wrong_org_kind"),
        // Another region's government office (the policy set).
        ("gov-b", region("330100"), 0, "policy_denied"),
        ("gov", StatsScope::default(), 0, "policy_denied"),
        // A height not committed yet.
        ("proc", region("330100"), 1, "bulletin_height_ahead"),
        // Another region's procuratorate (the policy set).
        ("proc-b", region("330100"), 0, "policy_denied"),
        // The whole chain is no procuratorate's slice.
        ("proc", StatsScope::default(), 0, "policy_denied"),
        (
            "proc",
            StatsScope {
                from: Some(20260630),
                to: Some(20260601),
                ..region("330100")
            },
            0,
            "invalid_field",
        ),
        (
            "proc",
            StatsScope {
                org: Some(org_id("nobody")),
                ..region("330100")
            },
            0,
            "unknown_org",
        ),
    ];
    for (org, scope, ahead, code) in cases {
        let at = sim.height + ahead;
        let before = sim.state.clone();
        assert_eq!(
            sim.code(&sim::officer(org), publish(at, scope.clone(), digest)),
            code,
            "{org} publishing {scope:?} at {at}"
        );
        assert_eq!(sim.state, before, "a refusal changes nothing");
    }
    assert!(bulletin::bulletins(&sim).unwrap().is_empty());
}

#[test]
fn an_organisation_reads_its_own_slice_and_a_supervisor_its_region() {
    let (sim, ..) = chain();
    let policies = sim::policies();
    let org = |name: &str| StatsScope {
        org: Some(org_id(name)),
        ..StatsScope::default()
    };
    let cases = [
        ("market", org("market"), "ok"),
        ("police", org("police"), "ok"),
        ("market", org("police"), "policy_denied"),
        ("market", region("330100"), "policy_denied"),
        ("market", StatsScope::default(), "policy_denied"),
        ("proc", region("330100"), "ok"),
        ("proc", region("330200"), "policy_denied"),
        ("proc-b", region("330200"), "ok"),
        ("proc", StatsScope::default(), "policy_denied"),
        // The government office sees its region, as a procuratorate does.
        ("gov", region("330100"), "ok"),
        ("gov", region("330200"), "policy_denied"),
        ("gov-b", region("330200"), "ok"),
        ("gov", StatsScope::default(), "policy_denied"),
        ("gov", org("market"), "policy_denied"),
        ("gov", org("gov"), "ok"),
    ];
    for (reader, scope, expected) in cases {
        let key = sim::officer(reader).public_key().id();
        let found = match authorize_stats_read(&policies, &sim, &key, &scope) {
            Ok(()) => "ok",
            Err(error) => error.code(),
        };
        assert_eq!(found, expected, "{reader} reading {scope:?}");
    }
}
