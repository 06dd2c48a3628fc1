//! Printing answers: human text, or one JSON object with `--json`.
//!
//! Answers go to stdout, everything else (errors, warnings, progress) to
//! stderr, so `xianjie --json … | jq` always sees exactly one JSON value.
//! Also here: the wording shared by several commands (times, evidence
//! categories and classes).

use std::io::Write;

use anyhow::Context as _;
use serde_json::Value;
use xianjie_ledger::model::{EvidenceCategory, EvidenceClass};

/// Where answers go and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// Text (`json == false`) or JSON.
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints the answer: `json` as one pretty JSON document with `--json`,
    /// otherwise the text that `human` builds (only built when needed).
    pub fn emit(&self, json: &Value, human: impl FnOnce() -> String) -> anyhow::Result<()> {
        let text = if self.json {
            serde_json::to_string_pretty(json).context("could not format the JSON answer")?
        } else {
            human()
        };
        write_stdout(&text)
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    // writeln! instead of println!: a closed pipe (`| head`) becomes an error, not a panic.
    writeln!(stdout, "{}", text.trim_end_matches('\n'))
        .and_then(|()| stdout.flush())
        .context("could not write to stdout")
}

/// China has used UTC+8 all year since 1991, so a fixed offset gives
/// Asia/Shanghai local time without a time zone database.
const CHINA_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// A block time as UTC and as Beijing time, e.g.
/// `2023-11-14 22:13:20.000 UTC (2023-11-15 06:13:20.000 +08:00 Asia/Shanghai)`.
pub fn format_time_ms(time_ms: u64) -> String {
    let utc = i64::try_from(time_ms).unwrap_or(i64::MAX - CHINA_OFFSET_MS);
    format!(
        "{} UTC ({} +08:00 Asia/Shanghai)",
        format_civil_ms(utc),
        format_civil_ms(utc + CHINA_OFFSET_MS)
    )
}

/// A Unix time in seconds (as in `collected_at`), in the same form.
pub fn format_time_seconds(seconds: u64) -> String {
    format_time_ms(seconds.saturating_mul(1000))
}

/// `YYYY-MM-DD hh:mm:ss.mmm` of a millisecond count since 1970-01-01 (no offset applied).
fn format_civil_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let ms_of_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, milli) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{milli:03}")
}

/// Proleptic Gregorian date of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The letter and what the class means for criminal proceedings (DOMAIN §e).
pub fn class_meaning(class: EvidenceClass) -> &'static str {
    match class {
        EvidenceClass::DirectUse => {
            "A: usable directly as criminal evidence (CPL Art 54); the court still checks \
             authenticity and lawful collection"
        }
        EvidenceClass::AfterReview => {
            "B: usable after review by police or procuratorate; the court examines the \
             examiner's qualification, method and sample custody"
        }
        EvidenceClass::Recollect => {
            "C: must be re-collected: investigators take fresh statements (not covered by CPL Art 54)"
        }
    }
}

/// The category's name on the command line and its legal name.
pub fn category_label(category: EvidenceCategory) -> String {
    let legal = match category {
        EvidenceCategory::Physical => "物证 physical evidence",
        EvidenceCategory::Documentary => "书证 documentary evidence",
        EvidenceCategory::Audiovisual => "视听资料 audio-visual material",
        EvidenceCategory::Electronic => "电子数据 electronic data",
        EvidenceCategory::Appraisal => "鉴定意见/检验报告 appraisal or test report",
        EvidenceCategory::InspectionRecord => "勘验/检查笔录 inspection record",
        EvidenceCategory::OnsiteRecord => "现场笔录 on-site record",
        EvidenceCategory::Witness => "证人证言 witness statement",
        EvidenceCategory::Party => "当事人陈述 party statement",
        EvidenceCategory::EnvironmentalMonitoring => {
            "生态环境监测数据 environmental monitoring data"
        }
        EvidenceCategory::AccidentInvestigation => "事故调查报告 accident investigation report",
        EvidenceCategory::VictimStatement => "被害人陈述 victim statement",
    };
    format!("{} ({legal})", wire_name(&category))
}

/// The serde (API and command line) name of a ledger enum value, e.g. `inspection-record`.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(
            format_time_ms(0),
            "1970-01-01 00:00:00.000 UTC (1970-01-01 08:00:00.000 +08:00 Asia/Shanghai)"
        );
        // `date -u -d @1700000000`: Tue Nov 14 22:13:20 UTC 2023.
        assert_eq!(
            format_time_ms(1_700_000_000_123),
            "2023-11-14 22:13:20.123 UTC (2023-11-15 06:13:20.123 +08:00 Asia/Shanghai)"
        );
        assert_eq!(
            format_time_seconds(1_700_000_000),
            format_time_ms(1_700_000_000_000)
        );
    }

    #[test]
    fn leap_days_and_year_ends_cross_correctly() {
        // 2000-02-29 00:00:00 UTC (a leap day of a century leap year).
        assert!(format_time_ms(951_782_400_000).starts_with("2000-02-29 00:00:00.000 UTC"));
        // 2024-02-28 20:00 UTC is already 2024-02-29 04:00 in Beijing.
        assert!(format_time_ms(1_709_150_400_000).contains("(2024-02-29 04:00:00.000 +08:00"));
        // 2023-12-31 16:00 UTC is new year in Beijing.
        assert!(format_time_ms(1_704_038_400_000).contains("(2024-01-01 00:00:00.000 +08:00"));
        // 2100 is not a leap year: 2100-02-28 is followed by 2100-03-01.
        assert_eq!(civil_from_days(47_540), (2100, 2, 28));
        assert_eq!(civil_from_days(47_541), (2100, 3, 1));
    }

    #[test]
    fn absurd_times_do_not_panic() {
        assert!(format_time_ms(u64::MAX).contains("UTC"));
    }

    #[test]
    fn labels_use_the_api_names() {
        assert_eq!(
            wire_name(&EvidenceCategory::InspectionRecord),
            "inspection-record"
        );
        assert!(category_label(EvidenceCategory::Electronic).starts_with("electronic ("));
        assert!(class_meaning(EvidenceClass::Recollect).starts_with("C:"));
    }
}
