//! Procuratorial supervision (DOMAIN §d, §g): key facts recorded where the
//! agency decides, threshold rules evaluated on them, and the flags the
//! chain raises when a case meets a rule but was not transferred.
//!
//! - `open-admin-case`, `mark-suspected` and `penalty-decision` may carry
//!   facts ([`Call::CaseStep`](xianjie_ledger::tx::Call)); at each of these
//!   steps, with or without new facts, the chain evaluates every applicable
//!   rule on the facts on record ([`evaluate`]).
//! - A penalty decision (any outcome) on a case that meets a rule and was
//!   never transferred raises `penalty_instead_of_transfer` (以罚代刑).
//! - A case that meets a rule while on the administrative side starts the
//!   `UNTRANSFERRED_SUSPECTED_CRIME` clock (a `threshold-met` mark); when it
//!   runs out, the first block of the next China-local day raises
//!   `untransferred_suspected_crime` (有案不移) in [`end_block`], whatever
//!   transactions that block holds.
//! - A later transfer resolves the case's open flags.
//!
//! Predicates are data ([`Predicate`]) run by one evaluator in 128-bit
//! integers: sums over every fact of a kind (so multi-year amounts add up),
//! weighted sums, and per-year ratios compared by cross-multiplication.
//! A case with no facts, no rules matched and no record writes nothing, so
//! chains written before supervision replay unchanged.

use xianjie_ledger::case::{Case, Outcome};
use xianjie_ledger::ids::CaseId;
use xianjie_ledger::params::Params;
use xianjie_ledger::state::{keys, StateView};
use xianjie_ledger::supervision::{
    CaseFacts, DueCases, DueDays, Fact, FactKind, FlagKind, Operand, PenaltyKind, PenaltyRecord,
    PenaltyTerms, Predicate, RecordedFact, RuleMatch, SupervisionFlag, ThresholdRule,
    MAX_CASE_FACTS, MAX_CASE_PENALTIES, MAX_PREDICATE_DEPTH, MAX_PREDICATE_NODES, MAX_RULE_ID_LEN,
    MAX_RULE_TEXT_LEN, MAX_STEP_FACTS, MAX_THRESHOLD_RULES,
};
use xianjie_ledger::tx::CaseStep;

use crate::deadline;
use crate::error::{ContractError, Result};
use crate::overlay::Overlay;
use crate::{index, read, BlockCtx};

/// The actions that may carry facts, and at which the rules are evaluated.
pub const FACT_ACTIONS: [&str; 3] = ["open-admin-case", "mark-suspected", "penalty-decision"];
pub use xianjie_ledger::supervision::{THRESHOLD_MET, UNTRANSFERRED_RULE, UNTRANSFERRED_STATES};
/// Most cases one block checks for 有案不移 (the rest wait for the next).
const MAX_CHECKS_PER_BLOCK: usize = 256;

// --- facts ------------------------------------------------------------

/// Checks a step's facts, violation date and penalty terms before anything
/// is written.
pub fn check_step(step: &CaseStep, block_date: u32) -> Result<()> {
    let action = step.action.action.as_str();
    let carries = !step.facts.is_empty() || step.violation_date.is_some() || step.penalty.is_some();
    if carries && !FACT_ACTIONS.contains(&action) {
        return Err(ContractError::FactsNotAllowed {
            action: action.into(),
        });
    }
    if step.facts.len() > MAX_STEP_FACTS {
        return Err(crate::evidence::invalid(
            "facts",
            format!("at most {MAX_STEP_FACTS} facts per step"),
        ));
    }
    for (position, fact) in step.facts.iter().enumerate() {
        check_fact(fact)?;
        let repeated = step.facts[..position]
            .iter()
            .any(|earlier| earlier.kind == fact.kind && earlier.year == fact.year);
        if repeated {
            return Err(ContractError::InvalidFact {
                kind: fact.kind,
                reason: "given twice in one step; give each kind (and tax year) once".into(),
            });
        }
    }
    if let Some(date) = step.violation_date {
        if !deadline::is_valid_date(date) || date > block_date {
            return Err(crate::evidence::invalid(
                "violation_date",
                format!("a valid yyyymmdd date not after the block's date {block_date}"),
            ));
        }
    }
    match (&step.penalty, action) {
        (Some(_), action) if action != "penalty-decision" => Err(ContractError::FactsNotAllowed {
            action: action.into(),
        }),
        (Some(terms), _) => check_terms(terms, step.action.outcome),
        (None, _) => Ok(()),
    }
}

fn check_fact(fact: &Fact) -> Result<()> {
    let expected = fact.kind.unit();
    let unit = fact.unit.ok_or(ContractError::FactUnitMissing {
        kind: fact.kind,
        expected,
    })?;
    if unit != expected {
        return Err(ContractError::FactWrongUnit {
            kind: fact.kind,
            unit,
            expected,
        });
    }
    if fact.value < 0 {
        return Err(ContractError::FactNegative {
            kind: fact.kind,
            value: fact.value,
        });
    }
    if fact.value > unit.max_value() {
        return Err(ContractError::FactOutOfRange {
            kind: fact.kind,
            value: fact.value,
            max: unit.max_value(),
            unit,
        });
    }
    if fact.evidence.is_none() {
        return Err(ContractError::FactWithoutEvidence { kind: fact.kind });
    }
    match (fact.kind.per_year(), fact.year) {
        (true, None) => Err(ContractError::InvalidFact {
            kind: fact.kind,
            reason: "is per tax year; give the year".into(),
        }),
        (true, Some(year)) if !(1990..=2200).contains(&year) => Err(ContractError::InvalidFact {
            kind: fact.kind,
            reason: format!("tax year {year} is not a plausible year"),
        }),
        (false, Some(_)) => Err(ContractError::InvalidFact {
            kind: fact.kind,
            reason: "is not per year; leave the year out".into(),
        }),
        _ => Ok(()),
    }
}

fn check_terms(terms: &PenaltyTerms, outcome: Option<Outcome>) -> Result<()> {
    let fail = |reason: &str| {
        Err(ContractError::InvalidPenaltyTerms {
            reason: reason.into(),
        })
    };
    let mut kinds = terms.kinds.clone();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() != terms.kinds.len() || kinds.is_empty() {
        return fail("name each penalty kind once, and at least one");
    }
    let fined = terms.kinds.contains(&PenaltyKind::Fine);
    if fined != (terms.fine_fen > 0) {
        return fail("a fine needs its amount in fen, and an amount needs the kind `fine`");
    }
    if terms.fine_fen > xianjie_ledger::supervision::FactUnit::Fen.max_value() as u64 {
        return fail("the fine is beyond any real decision; check the amount (in fen)");
    }
    match outcome {
        Some(Outcome::Fine) if fined => Ok(()),
        Some(Outcome::Penalty) if !fined => Ok(()),
        Some(Outcome::Fine) => fail("the outcome `fine` needs the kind `fine` and its amount"),
        Some(Outcome::Penalty) => fail("a decision with a fine has the outcome `fine`"),
        _ => fail("penalty terms go with the outcome `penalty` or `fine`"),
    }
}

/// Merges a step's facts into the record: the latest fact of each kind (and
/// tax year) wins; the event log keeps the earlier ones.
fn merge_facts(record: &mut CaseFacts, step: &CaseStep, height: u64) -> Result<()> {
    for fact in &step.facts {
        let recorded = RecordedFact {
            fact: *fact,
            action: step.action.action.clone(),
            height,
        };
        let same = |r: &RecordedFact| r.fact.kind == fact.kind && r.fact.year == fact.year;
        let full = record.facts.len() >= MAX_CASE_FACTS;
        match record.facts.iter_mut().find(|r| same(r)) {
            Some(existing) => *existing = recorded,
            None if full => {
                return Err(crate::evidence::invalid(
                    "facts",
                    format!("a case keeps at most {MAX_CASE_FACTS} facts"),
                ))
            }
            None => record.facts.push(recorded),
        }
    }
    if step.violation_date.is_some() {
        record.violation_date = step.violation_date;
    }
    Ok(())
}

// --- rules ------------------------------------------------------------

/// Every threshold rule on chain, in the order they were first installed.
pub fn rules(view: &dyn StateView) -> Result<Vec<ThresholdRule>> {
    index::text_entries(view, keys::index::THRESHOLD_RULES)?
        .iter()
        .map(|id| read::required(view, &keys::threshold_rule(id)))
        .collect()
}

/// Whether `rule` governs a violation on `date` in `domain`: its domain
/// list names the domain (or is empty), it is in force on that date, and no
/// successor on chain took over by then.
fn applies(view: &dyn StateView, rule: &ThresholdRule, domain: &str, date: u32) -> Result<bool> {
    if !rule.domains.is_empty() && !rule.domains.iter().any(|d| d == domain) {
        return Ok(false);
    }
    if date < rule.effective_from {
        return Ok(false);
    }
    let Some(successor) = &rule.superseded_by else {
        return Ok(true);
    };
    let successor: Option<ThresholdRule> = read::record(view, &keys::threshold_rule(successor))?;
    Ok(successor.is_none_or(|next| date < next.effective_from))
}

/// The rules the facts on record meet, for a case of `domain`. The
/// violation date decides which version applies; without one, the block's
/// date does.
pub fn evaluate(
    view: &dyn StateView,
    domain: &str,
    record: &CaseFacts,
    block_date: u32,
) -> Result<Vec<RuleMatch>> {
    let date = record.violation_date.unwrap_or(block_date);
    let facts: Vec<Fact> = record.facts.iter().map(|r| r.fact).collect();
    let mut matched = Vec::new();
    for rule in rules(view)? {
        if applies(view, &rule, domain, date)? && holds(&rule.predicate, &facts) {
            matched.push(RuleMatch {
                rule_id: rule.rule_id.clone(),
                version: rule.version,
                facts: facts
                    .iter()
                    .filter(|fact| rule.inputs.contains(&fact.kind))
                    .copied()
                    .collect(),
            });
        }
    }
    Ok(matched)
}

fn sum(facts: &[Fact], kind: FactKind) -> u128 {
    facts
        .iter()
        .filter(|fact| fact.kind == kind)
        .map(|fact| fact.value.max(0) as u128)
        .sum()
}

fn value(operand: &Operand, facts: &[Fact]) -> u128 {
    match operand {
        Operand::Sum(kind) => sum(facts, *kind),
        Operand::Weighted(terms) => terms
            .iter()
            .map(|(weight, kind)| u128::from(*weight) * sum(facts, *kind))
            .sum(),
    }
}

/// Whether the predicate holds on the facts. Facts reaching here are
/// checked (non-negative, bounded), so 128-bit sums cannot overflow.
pub fn holds(predicate: &Predicate, facts: &[Fact]) -> bool {
    match predicate {
        Predicate::All(parts) => parts.iter().all(|part| holds(part, facts)),
        Predicate::Any(parts) => parts.iter().any(|part| holds(part, facts)),
        Predicate::Not(part) => !holds(part, facts),
        Predicate::AtLeast(operand, threshold) => value(operand, facts) >= u128::from(*threshold),
        Predicate::Below(operand, threshold) => value(operand, facts) < u128::from(*threshold),
        Predicate::YearRatioAtLeast {
            numerator,
            denominator,
            num,
            den,
        } => facts
            .iter()
            .filter(|fact| fact.kind == *numerator)
            .any(|above| {
                let below: u128 = facts
                    .iter()
                    .filter(|fact| fact.kind == *denominator && fact.year == above.year)
                    .map(|fact| fact.value.max(0) as u128)
                    .sum();
                below > 0
                    && above.value.max(0) as u128 * u128::from(*den) >= u128::from(*num) * below
            }),
    }
}

/// Checks a rule's shape: ids and texts bounded, the predicate bounded in
/// depth and size, ratios with a positive denominator, and `inputs` exactly
/// the kinds the predicate reads.
pub fn check_rule(rule: &ThresholdRule) -> Result<()> {
    let fail = |reason: String| {
        Err(ContractError::InvalidThresholdRule {
            rule_id: rule.rule_id.clone(),
            reason,
        })
    };
    let id_ok = !rule.rule_id.is_empty()
        && rule.rule_id.len() <= MAX_RULE_ID_LEN
        && rule
            .rule_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !id_ok {
        return fail(format!(
            "the id must be 1-{MAX_RULE_ID_LEN} characters of A-Z, a-z, 0-9, -, _ and ."
        ));
    }
    for text in [&rule.crime, &rule.source] {
        if text.trim().is_empty() || text.len() > MAX_RULE_TEXT_LEN {
            return fail(format!(
                "crime and source must be 1-{MAX_RULE_TEXT_LEN} bytes"
            ));
        }
    }
    if !deadline::is_valid_date(rule.effective_from) {
        return fail("effective_from must be a yyyymmdd date".into());
    }
    if rule.superseded_by.as_deref() == Some(rule.rule_id.as_str()) {
        return fail("a rule cannot supersede itself".into());
    }
    let mut nodes = 0;
    shape(&rule.predicate, 1, &mut nodes).or_else(fail)?;
    let mut reads = Vec::new();
    rule.predicate.collect_inputs(&mut reads);
    let mut inputs = rule.inputs.clone();
    reads.sort_unstable();
    inputs.sort_unstable();
    if reads != inputs {
        return fail("inputs must list exactly the fact kinds the predicate reads".into());
    }
    Ok(())
}

fn shape(predicate: &Predicate, depth: usize, nodes: &mut usize) -> Result<(), String> {
    *nodes += 1;
    if depth > MAX_PREDICATE_DEPTH || *nodes > MAX_PREDICATE_NODES {
        return Err(format!(
            "the predicate may nest {MAX_PREDICATE_DEPTH} deep and hold {MAX_PREDICATE_NODES} parts"
        ));
    }
    match predicate {
        Predicate::All(parts) | Predicate::Any(parts) if parts.is_empty() => {
            Err("an all/any needs at least one part".into())
        }
        Predicate::All(parts) | Predicate::Any(parts) => parts
            .iter()
            .try_for_each(|part| shape(part, depth + 1, nodes)),
        Predicate::Not(part) => shape(part, depth + 1, nodes),
        Predicate::AtLeast(Operand::Weighted(terms), _)
        | Predicate::Below(Operand::Weighted(terms), _)
            if terms.is_empty() || terms.len() > 8 =>
        {
            Err("a weighted sum has 1-8 terms".into())
        }
        Predicate::YearRatioAtLeast {
            numerator,
            denominator,
            den,
            ..
        } if *den == 0 || !numerator.per_year() || !denominator.per_year() => {
            Err("a yearly ratio compares two per-year kinds with a positive denominator".into())
        }
        _ => Ok(()),
    }
}

/// Installs a rule (genesis or governance): a new id starts at version 1, a
/// replacement must carry the next version, and a named successor must be
/// on chain.
pub(crate) fn install_rule(stage: &mut Overlay<'_>, rule: &ThresholdRule) -> Result<()> {
    check_rule(rule)?;
    let fail = |reason: String| ContractError::InvalidThresholdRule {
        rule_id: rule.rule_id.clone(),
        reason,
    };
    let key = keys::threshold_rule(&rule.rule_id);
    let expected = match read::record::<ThresholdRule>(stage, &key)? {
        Some(current) => current.version + 1,
        None => 1,
    };
    if rule.version != expected {
        return Err(fail(format!("the next version is {expected}")));
    }
    if let Some(successor) = &rule.superseded_by {
        if read::record::<ThresholdRule>(stage, &keys::threshold_rule(successor))?.is_none() {
            return Err(fail(format!(
                "its successor {successor} is not on chain; install that first"
            )));
        }
    }
    if expected == 1
        && index::len(stage, keys::index::THRESHOLD_RULES)? as usize >= MAX_THRESHOLD_RULES
    {
        return Err(fail(format!(
            "the chain holds at most {MAX_THRESHOLD_RULES} rules"
        )));
    }
    read::put(stage, key, rule);
    index::insert(stage, keys::index::THRESHOLD_RULES, rule.rule_id.as_bytes())
}

// --- steps and flags ----------------------------------------------------

/// Records a fact-bearing step on the case (already moved to its next
/// state, with `seq` the step's event): merges the facts, keeps the penalty
/// decision, evaluates the rules and raises or schedules flags.
pub(crate) fn on_step(
    stage: &mut Overlay<'_>,
    ctx: &BlockCtx,
    params: &Params,
    case: &mut Case,
    (action, step): (&str, Option<&CaseStep>),
    seq: u32,
) -> Result<()> {
    if !FACT_ACTIONS.contains(&action) {
        return Ok(());
    }
    let step =
        step.filter(|s| !s.facts.is_empty() || s.violation_date.is_some() || s.penalty.is_some());
    let key = keys::case_facts(&case.id);
    let existing: Option<CaseFacts> = read::record(stage, &key)?;
    let had_record = existing.is_some();
    let mut record = existing.unwrap_or_else(|| CaseFacts {
        case_id: case.id.clone(),
        ..CaseFacts::default()
    });
    if let Some(step) = step {
        merge_facts(&mut record, step, ctx.height)?;
    }
    if action == "penalty-decision" {
        if record.penalties.len() >= MAX_CASE_PENALTIES {
            return Err(crate::evidence::invalid(
                "penalty",
                format!("a case keeps at most {MAX_CASE_PENALTIES} penalty decisions"),
            ));
        }
        record.penalties.push(PenaltyRecord {
            seq,
            terms: step.and_then(|s| s.penalty.clone()),
            height: ctx.height,
            time_ms: ctx.time_ms,
        });
    }
    let block_date = deadline::local_date(ctx.time_ms);
    record.matched = evaluate(stage, &case.domain, &record, block_date)?;
    record.evaluated_height = ctx.height;
    if !had_record && step.is_none() && record.matched.is_empty() {
        // Nothing recorded and nothing met: a chain without supervision data
        // stays byte for byte what it was.
        return Ok(());
    }
    if !record.matched.is_empty() {
        if action == "penalty-decision" && case.mark("transfer").is_none() {
            raise(
                stage,
                ctx,
                case,
                FlagKind::PenaltyInsteadOfTransfer,
                &record.matched,
            )?;
        }
        if UNTRANSFERRED_STATES.contains(&case.state) && case.mark(THRESHOLD_MET).is_none() {
            start_untransferred_clock(stage, ctx, params, case, seq)?;
        }
    }
    read::put(stage, key, &record);
    Ok(())
}

fn start_untransferred_clock(
    stage: &mut Overlay<'_>,
    ctx: &BlockCtx,
    params: &Params,
    case: &mut Case,
    seq: u32,
) -> Result<()> {
    crate::case::set_mark(case, THRESHOLD_MET, seq, ctx, None);
    schedule(stage, params, case, ctx.time_ms)
}

/// Queues the case for the 有案不移 check on the China-local day after its
/// clock is due. Without the rule in the parameters there is no clock.
fn schedule(stage: &mut Overlay<'_>, params: &Params, case: &Case, now_ms: u64) -> Result<()> {
    let Some(rule) = params.deadlines.iter().find(|r| r.id == UNTRANSFERRED_RULE) else {
        return Ok(());
    };
    let Some(clock) = deadline::clock(params, rule, case, now_ms) else {
        return Ok(());
    };
    let day = u32::try_from(deadline::local_day(clock.due_at_ms) + 1).unwrap_or(u32::MAX);
    let mut days: DueDays = read::record(stage, keys::SUPERVISION_DUE)?.unwrap_or_default();
    if let Err(position) = days.0.binary_search(&day) {
        days.0.insert(position, day);
    }
    let bucket_key = keys::supervision_due(day);
    let mut bucket: DueCases = read::record(stage, &bucket_key)?.unwrap_or_default();
    if !bucket.0.contains(&case.id) {
        bucket.0.push(case.id.clone());
    }
    read::put(stage, bucket_key, &bucket);
    read::put(stage, keys::SUPERVISION_DUE.to_vec(), &days);
    Ok(())
}

/// Raises a flag on the case unless one of the kind is open already.
fn raise(
    stage: &mut Overlay<'_>,
    ctx: &BlockCtx,
    case: &Case,
    kind: FlagKind,
    matched: &[RuleMatch],
) -> Result<()> {
    let key = keys::flag(&case.id, kind.name());
    if let Some(flag) = read::record::<SupervisionFlag>(stage, &key)? {
        if flag.resolved_height.is_none() {
            return Ok(());
        }
    }
    let flag = SupervisionFlag {
        case_id: case.id.clone(),
        kind,
        matched: matched.to_vec(),
        owner: case.owner.clone(),
        region: case.region.clone(),
        domain: case.domain.clone(),
        raised_height: ctx.height,
        raised_at_ms: ctx.time_ms,
        resolved_height: None,
        resolved_at_ms: None,
    };
    read::put(stage, key, &flag);
    let entry = format!("{}/{}", case.id, kind.name());
    index::insert(stage, keys::index::FLAGS, entry.as_bytes())?;
    index::insert(
        stage,
        &keys::index::region_flags(&case.region),
        entry.as_bytes(),
    )
}

/// A transfer resolves the case's open flags.
pub(crate) fn on_transfer(stage: &mut Overlay<'_>, ctx: &BlockCtx, case: &Case) -> Result<()> {
    for kind in FlagKind::ALL {
        let key = keys::flag(&case.id, kind.name());
        if let Some(mut flag) = read::record::<SupervisionFlag>(stage, &key)? {
            if flag.resolved_height.is_none() {
                flag.resolved_height = Some(ctx.height);
                flag.resolved_at_ms = Some(ctx.time_ms);
                read::put(stage, key, &flag);
            }
        }
    }
    Ok(())
}

/// The 有案不移 check at the end of every block: cases queued for a day
/// that has passed are flagged if their clock ran out (still meeting a rule,
/// still not transferred), queued again if it was extended, and dropped if
/// they moved on. Reads one record when nothing is queued.
pub(crate) fn end_block(stage: &mut Overlay<'_>, ctx: &BlockCtx) -> Result<()> {
    let Some(mut days) = read::record::<DueDays>(stage, keys::SUPERVISION_DUE)? else {
        return Ok(());
    };
    let today = deadline::local_day(ctx.time_ms);
    let params = read::params_shared(stage)?;
    let mut checked = 0;
    while let Some(&day) = days.0.first() {
        if i64::from(day) > today || checked >= MAX_CHECKS_PER_BLOCK {
            break;
        }
        days.0.remove(0);
        let bucket_key = keys::supervision_due(day);
        let bucket: DueCases = read::record(stage, &bucket_key)?.unwrap_or_default();
        stage.put(bucket_key, None);
        // Written first: a case re-queued below reads the current list.
        write_days(stage, &days);
        for case_id in &bucket.0 {
            check_untransferred(stage, ctx, &params, case_id)?;
            checked += 1;
        }
        days = read::record(stage, keys::SUPERVISION_DUE)?.unwrap_or_default();
    }
    Ok(())
}

fn write_days(stage: &mut Overlay<'_>, days: &DueDays) {
    if days.0.is_empty() {
        stage.put(keys::SUPERVISION_DUE.to_vec(), None);
    } else {
        read::put(stage, keys::SUPERVISION_DUE.to_vec(), days);
    }
}

fn check_untransferred(
    stage: &mut Overlay<'_>,
    ctx: &BlockCtx,
    params: &Params,
    case_id: &CaseId,
) -> Result<()> {
    let Some(case) = read::case(stage, case_id)? else {
        return Ok(());
    };
    let Some(rule) = params.deadlines.iter().find(|r| r.id == UNTRANSFERRED_RULE) else {
        return Ok(());
    };
    let Some(clock) = deadline::clock(params, rule, &case, ctx.time_ms) else {
        return Ok(());
    };
    if !clock.expired {
        return schedule(stage, params, &case, ctx.time_ms);
    }
    let record: Option<CaseFacts> = read::record(stage, &keys::case_facts(case_id))?;
    match record {
        Some(record) if !record.matched.is_empty() => raise(
            stage,
            ctx,
            &case,
            FlagKind::UntransferredSuspectedCrime,
            &record.matched,
        ),
        _ => Ok(()),
    }
}
