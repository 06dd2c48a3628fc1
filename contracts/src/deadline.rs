//! Statutory clocks: from block time to due times, by the chain's deadline
//! rules, day-counting convention and holiday calendar (DOMAIN §0.3,
//! Appendix A). Pure functions of their arguments.
//!
//! Time: block time is Unix milliseconds; China has one time zone without
//! daylight saving, so local time is UTC+08:00 ([`CHINA_UTC_OFFSET_MS`]).
//! Dates are `yyyymmdd` numbers in local time.
//!
//! Counting (a rule's limit `n` from a starting instant `t` on local day `D`):
//!
//! | unit | due (inclusive) |
//! |---|---|
//! | `hour` | `t + n` hours |
//! | `calendar_day` | end of day `D + n` (start day excluded) or `D + n − 1` (included); a last day that is not a working day rolls over to the next working day if `holiday_roll_over` |
//! | `working_day` | end of the `n`-th working day after `D` (or counting `D` itself when it is a working day and the start day is included) |
//! | `month` | end of the day with `D`'s day number `n` months later (the month's last day if it is shorter, and always the month's last day if `D` is the last day of its month: 28 February + 1 month ends on 31 March); one day earlier if the start day is included; rolled over like calendar days |
//!
//! A working day is a Monday–Friday that is not in the calendar's holidays,
//! or a make-up working day (调休). A clock is overdue once block time is
//! past its due instant.
//!
//! A rule may carry a lawful extension, granted by recording its case action
//! while the clock runs and before it is due (once per start). In the rule's
//! own unit the periods add up; in another unit the extra time follows the
//! original last day before any roll-over ([`clock`]).
//!
//! A rule may also be stopped and resumed (中止审查, DOMAIN §c.2 R2s; the
//! excluded time of testing, appraisal and hearings in the penalty-decision
//! period): its stop action records the units the clock has run (the day of
//! the stop counts as used), summed over every stop since the clock started;
//! after the resume action the units left count from the resumption as from
//! a fresh start ([`stop_clocks`], [`clock`]). A stop action may leave the
//! clock's states (`suspend-review` → R2S) or stay in them
//! (`start-excluded-time`): either way the clock does not run between the
//! stop and the resumption ([`is_stopped`]). Only day units may stop; a rule
//! that also has an extension has it in the same unit, and the extra units
//! add to what is left after the stops.
//!
//! A request addressed to the clock's party may hold a clock that stops on
//! it until the party answers ([`HELD_UNTIL_ANSWERED`]: the D3 检察意见 and
//! the agency's written answer hold the APL Art 60 penalty-decision
//! period): the request records the units used, as a pause does, and the
//! answer resumes the clock with what was left.
//!
//! Where Appendix A names a trigger the chain does not record, the default
//! rules use the nearest on-chain event: `PROC_INFORM_AEA_REASONS_VALID`
//! starts at the police's explanation (the procuratorate's finding is
//! internal), `PROC_URGE_INVESTIGATION` at the order to file, and
//! `PSB_NOTIFY_AEA_CASE_MOVED` is dormant (moving a filed case between police
//! organs is not recorded yet).

use serde::{Deserialize, Serialize};
use xianjie_ledger::case::{ActionMark, Case, CaseState, PausedClock};
use xianjie_ledger::clue::{Clue, ClueAction};
use xianjie_ledger::deadline::{
    Calendar, ClockKind, DayCounting, DeadlineRule, RuleExtension, RulePause, RuleScope, TimeUnit,
    Verification,
};
use xianjie_ledger::inspection::ObjectionWindow;
use xianjie_ledger::params::Params;
use xianjie_ledger::request::{OrganRequest, RequestState};
use xianjie_ledger::supervision::PSB_WITHDRAW_AFTER_NOTICE;

/// UTC+08:00 in milliseconds.
pub const CHINA_UTC_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Largest limit a rule may set (validated with the parameters).
pub const MAX_LIMIT: u32 = 1000;

/// A running clock of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The rule.
    pub rule: String,
    /// What passing the due time means.
    pub kind: ClockKind,
    /// The state it runs in (the case's current state).
    pub state: CaseState,
    /// Who must act.
    pub actor: String,
    /// When it started (block time of the starting action, Unix ms).
    pub started_at_ms: u64,
    /// The last instant that is still in time (Unix ms).
    pub due_at_ms: u64,
    /// Whether the time asked about is past `due_at_ms` and the clock is a duty.
    pub overdue: bool,
    /// Whether the time asked about is past `due_at_ms` (any kind).
    pub expired: bool,
    /// The limit applied.
    pub limit: u32,
    /// Its unit.
    pub unit: TimeUnit,
    /// The sector override applied, if any.
    pub override_id: Option<String>,
    /// How far the applied source was checked.
    pub verified: Verification,
    /// The applied source.
    pub source: String,
    /// The extension granted, if any (`due_at_ms` includes it).
    pub extension: Option<ClockExtension>,
    /// The stops the clock went through, if it was stopped and resumed
    /// (`due_at_ms` counts the units left from the resumption).
    pub pause: Option<ClockPause>,
    /// Whether computing `due_at_ms` needed holidays of a year the chain's
    /// calendar does not cover: the due time treats that year's weekdays
    /// as working days and may be early. Governance adds the year with a
    /// `Holidays` change.
    #[serde(default)]
    pub calendar_incomplete: bool,
}

/// How a resumed clock stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockPause {
    /// Units of the limit used before the stops.
    pub used: u32,
    /// When it last resumed (block time, Unix ms).
    pub resumed_at_ms: u64,
    /// Source.
    pub source: String,
    /// How far the source was checked.
    pub verified: Verification,
}

/// An extension granted on a running clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockExtension {
    /// How many more units.
    pub limit: u32,
    /// Their unit.
    pub unit: TimeUnit,
    /// When it was granted (block time, Unix ms).
    pub granted_at_ms: u64,
    /// Source.
    pub source: String,
    /// How far the source was checked.
    pub verified: Verification,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The day number of a `yyyymmdd` date, if it is a real date (years 1900–9999).
pub fn day_number(date: u32) -> Option<i64> {
    let (year, month, day) = (i64::from(date / 10_000), date / 100 % 100, date % 100);
    let valid = (1900..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day);
    valid.then(|| days_from_civil(year, month, day))
}

/// The `yyyymmdd` date of a day number.
pub fn date_of_day(days: i64) -> u32 {
    let (year, month, day) = civil_from_days(days);
    (year.clamp(0, 9999) as u32) * 10_000 + month * 100 + day
}

/// Whether `date` is a real `yyyymmdd` date.
pub fn is_valid_date(date: u32) -> bool {
    day_number(date).is_some()
}

/// The local day number of an instant.
pub fn local_day(time_ms: u64) -> i64 {
    (time_ms as i64)
        .saturating_add(CHINA_UTC_OFFSET_MS)
        .div_euclid(DAY_MS)
}

/// The local `yyyymmdd` date of an instant.
pub fn local_date(time_ms: u64) -> u32 {
    date_of_day(local_day(time_ms))
}

/// The last millisecond of a local day.
pub fn end_of_day_ms(days: i64) -> u64 {
    let end = (days + 1) * DAY_MS - CHINA_UTC_OFFSET_MS - 1;
    end.max(0) as u64
}

/// Whether a local day is a working day under the calendar.
pub fn is_working_day(calendar: &Calendar, days: i64) -> bool {
    let date = date_of_day(days);
    if calendar.makeup_workdays.binary_search(&date).is_ok() {
        return true;
    }
    if calendar.holidays.binary_search(&date).is_ok() {
        return false;
    }
    // 1970-01-01 was a Thursday; 0 = Sunday.
    let weekday = (days + 4).rem_euclid(7);
    (1..=5).contains(&weekday)
}

/// The first working day on or after `days` (bounded: a calendar has finitely
/// many holidays, so at most that many plus a weekend are skipped).
fn roll_over(calendar: &Calendar, mut days: i64) -> i64 {
    let bound = calendar.holidays.len() + 7;
    for _ in 0..bound {
        if is_working_day(calendar, days) {
            break;
        }
        days += 1;
    }
    days
}

/// The last instant in time for a period of `limit` `unit`s that started at
/// `start_ms`.
pub fn due_at(
    calendar: &Calendar,
    counting: &DayCounting,
    unit: TimeUnit,
    limit: u32,
    start_ms: u64,
) -> u64 {
    let limit_days = i64::from(limit);
    let start_day = local_day(start_ms);
    let first_counted = if counting.start_day_excluded { 1 } else { 0 };
    let roll = |day: i64| {
        if counting.holiday_roll_over {
            roll_over(calendar, day)
        } else {
            day
        }
    };
    match unit {
        TimeUnit::Hour => start_ms.saturating_add((limit_days * HOUR_MS) as u64),
        TimeUnit::CalendarDay => {
            let last = start_day + limit_days - 1 + first_counted;
            end_of_day_ms(roll(last.max(start_day)))
        }
        TimeUnit::WorkingDay => {
            let mut day = start_day;
            let mut counted = 0i64;
            if !counting.start_day_excluded && is_working_day(calendar, day) {
                counted = 1;
            }
            let bound = limit_days * 7 + calendar.holidays.len() as i64 + 7;
            for _ in 0..bound {
                if counted >= limit_days {
                    break;
                }
                day += 1;
                if is_working_day(calendar, day) {
                    counted += 1;
                }
            }
            end_of_day_ms(day)
        }
        TimeUnit::Month => {
            let (year, month, day) = civil_from_days(start_day);
            let months = i64::from(month) - 1 + limit_days;
            let target_year = year + months.div_euclid(12);
            let target_month = (months.rem_euclid(12) + 1) as u32;
            let target_length = days_in_month(target_year, target_month);
            // Month-end rule: a period that starts on the last day of a
            // month ends on the last day of the target month (28 February
            // + 1 month = 31 March); otherwise on the same day number, or
            // the target month's last day if it is shorter (31 January + 1
            // month = 28 or 29 February).
            let target_day = if day == days_in_month(year, month) {
                target_length
            } else {
                day.min(target_length)
            };
            let mut last = days_from_civil(target_year, target_month, target_day);
            if !counting.start_day_excluded {
                last -= 1;
            }
            end_of_day_ms(roll(last.max(start_day)))
        }
    }
}

/// The limit, unit, override id, source and verification a rule has for a
/// case domain.
fn applied<'a>(
    rule: &'a DeadlineRule,
    domain: &str,
) -> (u32, TimeUnit, Option<&'a str>, &'a str, Verification) {
    match rule.overrides.iter().find(|o| o.domain == domain) {
        Some(o) => (o.limit, o.unit, Some(o.id.as_str()), &o.source, o.verified),
        None => (rule.limit, rule.unit, None, &rule.source, rule.verified),
    }
}

/// The action that started the rule's clock on this case, if it is running
/// (see `DeadlineRule`): the case is in one of `on`, a `start` action happened
/// (with the rule's outcome, if it names one) and no `stop` action since;
/// a sector rule ([`RuleScope::SectorCase`]) runs only on a case of a
/// domain its overrides name. A clock stopped by its rule's pause is not
/// running ([`is_stopped`]).
pub fn started_by<'a>(rule: &DeadlineRule, case: &'a Case) -> Option<&'a ActionMark> {
    started(rule, case).filter(|start| !stopped_in_place(rule, case, start))
}

/// The start of the rule's clock, running or stopped by its pause.
fn started<'a>(rule: &DeadlineRule, case: &'a Case) -> Option<&'a ActionMark> {
    if !rule.scope.is_case() || !rule.on.contains(&case.state) {
        return None;
    }
    if rule.scope == RuleScope::SectorCase
        && !rule.overrides.iter().any(|o| o.domain == case.domain)
    {
        return None;
    }
    let start = rule
        .start
        .iter()
        .filter_map(|action| case.mark(action))
        .max_by_key(|mark| mark.seq)?;
    if let Some(wanted) = rule.outcome {
        if !start.outcome.is_some_and(|outcome| outcome.is_a(wanted)) {
            return None;
        }
    }
    let stopped = rule
        .stop
        .iter()
        .filter_map(|action| case.mark(action))
        .any(|mark| mark.seq >= start.seq && held_answer(rule, case, start, mark).is_none());
    (!stopped).then_some(start)
}

/// Requests that hold the clock of the party they are addressed to while it
/// answers, as (request, answer, source): a rule that stops on the request
/// (its `stop` names it) runs again on the answer with the units it had
/// used. The table's answering row names the same request
/// (`Guard::Answers`).
///
/// The D3 检察意见 bars an administrative decision while the agency prepares
/// the transfer (SPP-Rules-2019 Art 557 ¶3; SC-Transfer Art 11 ¶1), so the
/// APL Art 60 period stops; when the agency's head answers in writing that
/// it will not transfer, administrative handling goes on and so does the
/// period. Whether the days already used count (the default here, as for
/// excluded testing time) or the period starts afresh is not settled by the
/// sources read (UNVERIFIED): a chain that wants a fresh period adds
/// `answer-opinion` to the rule's `start`, one that wants the period to run
/// through the opinion removes `suggest-transfer` from its `stop`.
pub const HELD_UNTIL_ANSWERED: &[(&str, &str, &str)] = &[(
    "suggest-transfer",
    "answer-opinion",
    "APL Art 60; SPP-Rules-2019 Art 557 ¶3 (period held while the 检察意见 is answered; UNVERIFIED)",
)];

/// Whether a chain has the supervision rules that came with the D6 notice to
/// correct: the notice from S8–S10 once `PSB_WITHDRAW_AFTER_NOTICE` has run
/// out, and the holds of [`HELD_UNTIL_ANSWERED`]. They change what earlier
/// blocks would do, so a chain whose parameters predate that rule replays as
/// it was written, and takes them on by a governance proposal adding the
/// rule (a new chain's defaults have it).
pub fn has_withdrawal_notice_rules(params: &Params) -> bool {
    params
        .deadlines
        .iter()
        .any(|rule| rule.id == PSB_WITHDRAW_AFTER_NOTICE)
}

/// The key of the units a clock had used when a held request stopped it,
/// in `Case::paused` (beside the rule's own pause under its id).
fn held_key(rule: &DeadlineRule, request: &str) -> String {
    format!("{}/{request}", rule.id)
}

/// If `stop` (a mark of one of the rule's stop actions) is a held request
/// that stopped the clock started at `start` while it ran, and it was
/// answered since: the answer's mark, the units used, and the source.
fn held_answer<'a>(
    rule: &DeadlineRule,
    case: &'a Case,
    start: &ActionMark,
    stop: &ActionMark,
) -> Option<(&'a ActionMark, u32, &'static str)> {
    let (_, answer, source) = HELD_UNTIL_ANSWERED
        .iter()
        .find(|(request, ..)| *request == stop.action)?;
    let answered = case.mark(answer).filter(|mark| mark.seq > stop.seq)?;
    let key = held_key(rule, &stop.action);
    let held = case
        .paused
        .iter()
        .find(|entry| entry.rule == key && entry.start_seq == start.seq)?;
    Some((answered, held.used, source))
}

/// Whether the rule's pause stopped the clock that started at `start` and
/// it has not resumed: its stop action was recorded since the start, and
/// its resume action not since the stop. (A stop that leaves the clock's
/// states, such as 中止审查, also stops it by the state; one that stays in
/// them, such as the start of excluded testing time, only by this.)
fn stopped_in_place(rule: &DeadlineRule, case: &Case, start: &ActionMark) -> bool {
    let Some(pause) = rule.pause.as_deref() else {
        return false;
    };
    let Some(stop) = case
        .mark(&pause.suspend)
        .filter(|mark| mark.seq > start.seq)
    else {
        return false;
    };
    case.mark(&pause.resume)
        .is_none_or(|resumption| resumption.seq < stop.seq)
}

/// Whether the rule's clock on this case is stopped by its pause, in a
/// state where it would otherwise run.
pub fn is_stopped(rule: &DeadlineRule, case: &Case) -> bool {
    started(rule, case).is_some_and(|start| stopped_in_place(rule, case, start))
}

/// The extension granted on the rule's clock since `start`, if any.
pub fn extension_granted<'a>(
    rule: &'a DeadlineRule,
    case: &'a Case,
    start: &ActionMark,
) -> Option<(&'a RuleExtension, &'a ActionMark)> {
    let extension = rule.extension.as_deref()?;
    let granted = case
        .mark(&extension.action)
        .filter(|mark| mark.seq > start.seq)?;
    Some((extension, granted))
}

/// The due instant after an extension, for a period of `left` units
/// counted from `from_ms` (the whole limit from the start, or what a stopped
/// clock had left from its resumption). In the rule's own unit the periods
/// add up (two months and one more end three months after the start, as
/// CPL Art 208 counts). In another unit the extra time follows the last day
/// of the original period, before any holiday roll-over and whatever the
/// chain's start-day convention; the new last day rolls over as usual.
fn extended_due_at(
    params: &Params,
    (left, unit): (u32, TimeUnit),
    extension: &RuleExtension,
    from_ms: u64,
) -> u64 {
    let calendar = &params.calendar;
    if extension.unit == unit {
        let total = left.saturating_add(extension.limit);
        return due_at(calendar, &params.counting, unit, total, from_ms);
    }
    let unrolled = DayCounting {
        holiday_roll_over: false,
        ..params.counting
    };
    let original_last_day = due_at(calendar, &unrolled, unit, left, from_ms);
    let after_last_day = DayCounting {
        start_day_excluded: true,
        ..params.counting
    };
    due_at(
        calendar,
        &after_last_day,
        extension.unit,
        extension.limit,
        original_last_day,
    )
}

/// Units of a day-unit period that ran from `from_ms` to `to_ms`, counted
/// as [`due_at`] counts them (the first day excluded or not, by the
/// convention) with the last day counted as used; at most `cap`.
pub fn units_run(
    calendar: &Calendar,
    counting: &DayCounting,
    unit: TimeUnit,
    (from_ms, to_ms): (u64, u64),
    cap: u32,
) -> u32 {
    let first = local_day(from_ms) + if counting.start_day_excluded { 1 } else { 0 };
    let last = local_day(to_ms);
    let cap = i64::from(cap);
    let count = match unit {
        TimeUnit::CalendarDay => (last - first + 1).clamp(0, cap),
        TimeUnit::WorkingDay => {
            let mut counted = 0;
            let mut day = first;
            while day <= last && counted < cap {
                if is_working_day(calendar, day) {
                    counted += 1;
                }
                day += 1;
            }
            counted
        }
        // The parameters allow stops on day units only.
        TimeUnit::Hour | TimeUnit::Month => 0,
    };
    u32::try_from(count).unwrap_or(0)
}

/// The units a stoppable rule's clock used before its stops, and the mark
/// of its latest resumption, if it was stopped and resumed since `start`.
fn resumed<'a>(
    rule: &'a DeadlineRule,
    case: &'a Case,
    start: &ActionMark,
) -> Option<(Resumption<'a>, u32, &'a ActionMark)> {
    let paused = rule.pause.as_deref().and_then(|pause| {
        let used = case
            .paused
            .iter()
            .find(|entry| entry.rule == rule.id && entry.start_seq == start.seq)?
            .used;
        let resumption = case
            .mark(&pause.resume)
            .filter(|mark| mark.seq > start.seq)?;
        Some((Resumption::Pause(pause), used, resumption))
    });
    let held = rule
        .stop
        .iter()
        .filter_map(|action| case.mark(action))
        .filter(|mark| mark.seq >= start.seq)
        .filter_map(|stop| held_answer(rule, case, start, stop))
        .map(|(answer, used, source)| (Resumption::Answered(source), used, answer));
    // The latest resumption carries the units used by every stop before it.
    paused
        .into_iter()
        .chain(held)
        .max_by_key(|(.., mark)| mark.seq)
}

/// What let a stopped clock run again.
enum Resumption<'a> {
    /// The rule's own pause (`RulePause::resume`).
    Pause(&'a RulePause),
    /// The answer to a held request ([`HELD_UNTIL_ANSWERED`]), with its source.
    Answered(&'static str),
}

impl Resumption<'_> {
    fn source(&self) -> (String, Verification) {
        match self {
            Resumption::Pause(pause) => (pause.source.clone(), pause.verified),
            Resumption::Answered(source) => ((*source).to_owned(), Verification::Unverified),
        }
    }
}

/// Records `action` stopping clocks: every running clock whose rule stops on
/// it adds the units it ran since it started or last resumed to the units
/// used. Called before the action changes the case's state.
pub fn stop_clocks(params: &Params, case: &mut Case, action: &str, now_ms: u64) {
    let held = has_withdrawal_notice_rules(params)
        && HELD_UNTIL_ANSWERED
            .iter()
            .any(|(request, ..)| *request == action);
    let stopped_here = |rule: &&DeadlineRule| {
        rule.pause
            .as_ref()
            .is_some_and(|pause| pause.suspend == action)
            || (held && rule.stop.iter().any(|stop| stop == action))
    };
    for rule in params.deadlines.iter().filter(stopped_here) {
        let by_pause = rule
            .pause
            .as_ref()
            .is_some_and(|pause| pause.suspend == action);
        // A held request also holds a clock its own pause has stopped (a
        // 检察意见 during excluded testing time): it keeps what the clock had
        // used, so that the answer and the pause's end both find it.
        let start = if by_pause {
            started_by(rule, case)
        } else {
            started(rule, case)
        };
        let Some(start) = start else {
            continue;
        };
        let start_seq = start.seq;
        let used = if !by_pause && stopped_in_place(rule, case, start) {
            case.paused
                .iter()
                .find(|entry| entry.rule == rule.id && entry.start_seq == start_seq)
                .map_or(0, |entry| entry.used)
        } else {
            units_used_until(params, rule, case, start, now_ms)
        };
        let key = if by_pause {
            rule.id.clone()
        } else {
            held_key(rule, action)
        };
        let entry = PausedClock {
            rule: key,
            start_seq,
            used,
        };
        match case.paused.iter_mut().find(|e| e.rule == entry.rule) {
            Some(existing) => *existing = entry,
            None => case.paused.push(entry),
        }
    }
}

/// The units the rule's running clock, started at `start`, has used by
/// `now_ms`: what it used before its last resumption and what it ran since.
fn units_used_until(
    params: &Params,
    rule: &DeadlineRule,
    case: &Case,
    start: &ActionMark,
    now_ms: u64,
) -> u32 {
    let (limit, unit, ..) = applied(rule, &case.domain);
    // A granted extension in the clock's own unit adds to what can be used.
    let limit = match extension_granted(rule, case, start) {
        Some((extension, _)) if extension.unit == unit => limit.saturating_add(extension.limit),
        _ => limit,
    };
    let (used_before, ran_from) = match resumed(rule, case, start) {
        Some((_, used, resumption)) => (used, resumption.time_ms),
        None => (0, start.time_ms),
    };
    let run = units_run(
        &params.calendar,
        &params.counting,
        unit,
        (ran_from, now_ms),
        limit,
    );
    used_before.saturating_add(run).min(limit)
}

/// Whether a period counted in `units` from `start_ms` to `due_ms` needed a
/// year the calendar does not cover: working days look at every day from
/// the start; calendar days and months only at the last day, and only if a
/// last day that is not a working day rolls over; hours never.
pub fn calendar_incomplete(
    calendar: &Calendar,
    counting: &DayCounting,
    units: &[TimeUnit],
    (start_ms, due_ms): (u64, u64),
) -> bool {
    let year = |time_ms| u16::try_from(civil_from_days(local_day(time_ms)).0).unwrap_or(u16::MAX);
    let first = if units.contains(&TimeUnit::WorkingDay) {
        year(start_ms)
    } else if counting.holiday_roll_over
        && units
            .iter()
            .any(|unit| matches!(unit, TimeUnit::CalendarDay | TimeUnit::Month))
    {
        year(due_ms)
    } else {
        return false;
    };
    !calendar.covers(first, year(due_ms))
}

/// The rule's clock on a case, if it is running, evaluated at `at_ms`.
pub fn clock(params: &Params, rule: &DeadlineRule, case: &Case, at_ms: u64) -> Option<Clock> {
    let start = started_by(rule, case)?;
    let (limit, unit, override_id, source, verified) = applied(rule, &case.domain);
    let pause = resumed(rule, case, start).map(|(by, used, resumption)| {
        let (source, verified) = by.source();
        ClockPause {
            used,
            resumed_at_ms: resumption.time_ms,
            source,
            verified,
        }
    });
    // A stopped and resumed clock counts what it had left from the
    // resumption; a granted extension adds to it (in the clock's own unit)
    // or follows its last day (in another unit).
    let used = pause.as_ref().map_or(0, |pause| pause.used);
    let counted_from_ms = pause
        .as_ref()
        .map_or(start.time_ms, |pause| pause.resumed_at_ms);
    let granted = extension_granted(rule, case, start);
    let due_at_ms = match granted {
        Some((extension, _)) if extension.unit == unit => due_at(
            &params.calendar,
            &params.counting,
            unit,
            limit.saturating_add(extension.limit).saturating_sub(used),
            counted_from_ms,
        ),
        Some((extension, _)) => extended_due_at(
            params,
            (limit.saturating_sub(used), unit),
            extension,
            counted_from_ms,
        ),
        None => due_at(
            &params.calendar,
            &params.counting,
            unit,
            limit.saturating_sub(used),
            counted_from_ms,
        ),
    };
    let extension = granted.map(|(extension, granted)| ClockExtension {
        limit: extension.limit,
        unit: extension.unit,
        granted_at_ms: granted.time_ms,
        source: extension.source.clone(),
        verified: extension.verified,
    });
    let units: Vec<TimeUnit> = std::iter::once(unit)
        .chain(extension.as_ref().map(|extension| extension.unit))
        .collect();
    let calendar_incomplete = calendar_incomplete(
        &params.calendar,
        &params.counting,
        &units,
        (start.time_ms, due_at_ms),
    );
    let expired = at_ms > due_at_ms;
    Some(Clock {
        rule: rule.id.clone(),
        kind: rule.kind,
        state: case.state,
        actor: rule.actor.clone(),
        started_at_ms: start.time_ms,
        due_at_ms,
        overdue: expired && rule.kind == ClockKind::Duty,
        expired,
        limit,
        unit,
        override_id: override_id.map(str::to_owned),
        verified,
        source: source.to_owned(),
        extension,
        pause,
        calendar_incomplete,
    })
}

/// Every running clock of a case, evaluated at `at_ms`.
pub fn case_clocks(params: &Params, case: &Case, at_ms: u64) -> Vec<Clock> {
    params
        .deadlines
        .iter()
        .filter_map(|rule| clock(params, rule, case, at_ms))
        .collect()
}

/// Whether a case has an overdue duty at `at_ms`.
pub fn is_overdue(params: &Params, case: &Case, at_ms: u64) -> bool {
    case_clocks(params, case, at_ms)
        .iter()
        .any(|clock| clock.overdue)
}

/// The last instant of an inspection result's objection window, if its rule
/// exists and is an inspection rule. The window counts from the day the
/// party was notified.
pub fn objection_due_at(params: &Params, window: &ObjectionWindow) -> Option<u64> {
    let rule = params
        .deadlines
        .iter()
        .find(|rule| rule.id == window.rule && rule.scope == RuleScope::InspectionResult)?;
    let day = day_number(window.notified_on)?;
    let start_ms = end_of_day_ms(day - 1).saturating_add(1);
    Some(due_at(
        &params.calendar,
        &params.counting,
        rule.unit,
        rule.limit,
        start_ms,
    ))
}

/// A running clock of a clue or a request: started by one step, stopped by
/// a later one (`RuleScope::Clue`, `RuleScope::Request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepClock {
    /// The rule.
    pub rule: String,
    /// Who must act.
    pub actor: String,
    /// When it started (block time of the starting step, Unix ms).
    pub started_at_ms: u64,
    /// The last instant to act (Unix ms).
    pub due_at_ms: u64,
    /// Whether the due time has passed.
    pub overdue: bool,
    /// The period.
    pub limit: u32,
    /// Its unit.
    pub unit: TimeUnit,
    /// How far the rule's source was checked.
    pub verified: Verification,
    /// The source.
    pub source: String,
}

fn step_clock(params: &Params, rule: &DeadlineRule, started_at_ms: u64, at_ms: u64) -> StepClock {
    let due_at_ms = due_at(
        &params.calendar,
        &params.counting,
        rule.unit,
        rule.limit,
        started_at_ms,
    );
    StepClock {
        rule: rule.id.clone(),
        actor: rule.actor.clone(),
        started_at_ms,
        due_at_ms,
        overdue: at_ms > due_at_ms && rule.kind == ClockKind::Duty,
        limit: rule.limit,
        unit: rule.unit,
        verified: rule.verified,
        source: rule.source.clone(),
    }
}

/// Every running clock of a clue at `at_ms`: for each clue rule, from the
/// latest step that starts it, unless a step after that stops it.
pub fn clue_clocks(params: &Params, clue: &Clue, at_ms: u64) -> Vec<StepClock> {
    let names = |list: &[String], action: ClueAction| list.iter().any(|a| a == action.name());
    params
        .deadlines
        .iter()
        .filter(|rule| rule.scope == RuleScope::Clue)
        .filter_map(|rule| {
            let start = clue
                .steps
                .iter()
                .rposition(|step| names(&rule.start, step.action))?;
            if clue.steps[start + 1..]
                .iter()
                .any(|step| names(&rule.stop, step.action))
            {
                return None;
            }
            Some(step_clock(params, rule, clue.steps[start].time_ms, at_ms))
        })
        .collect()
}

/// The running clock of an open request at `at_ms`: the request rule whose
/// `start` names its kind, from the time it was asked.
pub fn request_clocks(params: &Params, request: &OrganRequest, at_ms: u64) -> Vec<StepClock> {
    if request.state != RequestState::Open {
        return Vec::new();
    }
    params
        .deadlines
        .iter()
        .filter(|rule| rule.scope == RuleScope::Request)
        .filter(|rule| rule.start.iter().any(|kind| kind == request.kind.name()))
        .map(|rule| step_clock(params, rule, request.asked.time_ms, at_ms))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        for days in [-1000i64, 0, 59, 60, 10_000, 20_000, 20_454] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(day_number(20240229).map(date_of_day), Some(20240229));
        assert_eq!(day_number(20230229), None);
        assert_eq!(day_number(20261301), None);
        // 2026-05-28 is a Thursday.
        let thursday = day_number(20260528).unwrap();
        assert_eq!((thursday + 4).rem_euclid(7), 4);
    }

    #[test]
    fn local_time_is_utc_plus_eight() {
        // 2026-10-01 00:00 +08:00 = 2026-09-30 16:00 UTC.
        let midnight_utc_ms = (day_number(20261001).unwrap() * DAY_MS) as u64;
        assert_eq!(local_date(midnight_utc_ms), 20261001);
        assert_eq!(local_date(midnight_utc_ms - 8 * HOUR_MS as u64), 20261001);
        assert_eq!(
            local_date(midnight_utc_ms - 8 * HOUR_MS as u64 - 1),
            20260930
        );
    }
}
