//! Cell encodings of Snowflake's JSON result format, both ways.
//!
//! In a JSON rowset every cell is a string (or null), but dates and times are not
//! in display form: DATE is days since 1970-01-01, TIME seconds since midnight,
//! TIMESTAMP_NTZ/LTZ seconds since the epoch (`"1700000000.123000000"`),
//! TIMESTAMP_TZ the same plus the offset in minutes + 1440 (`"… 1500"`), BOOLEAN
//! `"1"`/`"0"`. [`decode`] turns them into the text Snowflake displays with its
//! default output formats (timestamps `YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM`, local
//! time zone shown as UTC), so a row read over the wire reads like one from the
//! emulator; [`encode`] is the inverse, for serving results.

/// The wire value of `display` for a column of Snowflake type `type_name`, or
/// `None` when the text is not in a form this type can carry.
pub fn encode(type_name: &str, display: &str) -> Option<String> {
    match type_name.to_ascii_uppercase().as_str() {
        "DATE" => {
            let (y, m, d) = parse_date(display.trim())?;
            Some(days_from_civil(y, m, d).to_string())
        }
        "TIME" => {
            let (secs, nanos) = parse_time(display.trim())?;
            Some(format!("{secs}.{nanos:09}"))
        }
        "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "TIMESTAMP_TZ" | "TIMESTAMP" => {
            let (local, nanos, offset) = parse_timestamp(display.trim())?;
            let epoch = epoch_text(local - i64::from(offset) * 60, nanos);
            if type_name.eq_ignore_ascii_case("TIMESTAMP_TZ") {
                Some(format!("{epoch} {}", i64::from(offset) + 1440))
            } else {
                Some(epoch)
            }
        }
        "BOOLEAN" => match display.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some("1".to_string()),
            "false" | "0" => Some("0".to_string()),
            _ => None,
        },
        _ => Some(display.to_string()),
    }
}

/// The display text of wire value `wire` in a column of type `type_name`. Values
/// that do not parse are returned unchanged (never dropped).
pub fn decode(type_name: &str, wire: &str) -> String {
    decode_opt(type_name, wire).unwrap_or_else(|| wire.to_string())
}

fn decode_opt(type_name: &str, wire: &str) -> Option<String> {
    match type_name.to_ascii_uppercase().as_str() {
        "DATE" => {
            let (y, m, d) = civil_from_days(wire.trim().parse().ok()?);
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        "TIME" => {
            let (secs, nanos) = parse_epoch(wire.trim())?;
            let s = secs.rem_euclid(86_400);
            Some(format!(
                "{:02}:{:02}:{:02}{}",
                s / 3600,
                s / 60 % 60,
                s % 60,
                fraction(nanos)
            ))
        }
        "TIMESTAMP_NTZ" => {
            let (secs, nanos) = parse_epoch(wire.trim())?;
            Some(format!("{}.{:03}", datetime(secs), nanos / 1_000_000))
        }
        "TIMESTAMP_LTZ" | "TIMESTAMP" => {
            let (secs, nanos) = parse_epoch(wire.trim())?;
            Some(format!("{}.{:03} +0000", datetime(secs), nanos / 1_000_000))
        }
        "TIMESTAMP_TZ" => {
            let (epoch, tz) = wire.trim().split_once(' ')?;
            let (secs, nanos) = parse_epoch(epoch)?;
            let offset = tz.trim().parse::<i64>().ok()? - 1440;
            let sign = if offset < 0 { '-' } else { '+' };
            Some(format!(
                "{}.{:03} {sign}{:02}{:02}",
                datetime(secs + offset * 60),
                nanos / 1_000_000,
                offset.abs() / 60,
                offset.abs() % 60
            ))
        }
        "BOOLEAN" => match wire.trim() {
            "1" | "TRUE" | "true" => Some("true".to_string()),
            "0" | "FALSE" | "false" => Some("false".to_string()),
            _ => None,
        },
        _ => Some(wire.to_string()),
    }
}

/// Seconds and a non-negative fraction as Snowflake writes them: `-1.25` s is
/// `"-1.250000000"`, not `-2 + 0.75`.
fn epoch_text(secs: i64, nanos: u32) -> String {
    if secs < 0 && nanos > 0 {
        format!("-{}.{:09}", -(secs + 1), 1_000_000_000 - nanos)
    } else {
        format!("{secs}.{nanos:09}")
    }
}

fn fraction(nanos: u32) -> String {
    if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_string()
    }
}

fn datetime(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `"<seconds>[.<fraction>]"` → (seconds, nanoseconds); negative values borrow.
fn parse_epoch(text: &str) -> Option<(i64, u32)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let negative = int.starts_with('-');
    let secs: i64 = int.parse().ok()?;
    let nanos = parse_fraction(frac)?;
    if negative && nanos > 0 {
        Some((secs - 1, 1_000_000_000 - nanos))
    } else {
        Some((secs, nanos))
    }
}

fn parse_fraction(frac: &str) -> Option<u32> {
    if frac.is_empty() {
        return Some(0);
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    format!("{frac:0<9}").parse().ok()
}

fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let mut parts = text.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// `HH:MM:SS[.fraction]` → (seconds since midnight, nanoseconds).
fn parse_time(text: &str) -> Option<(i64, u32)> {
    let (hms, frac) = text.split_once('.').unwrap_or((text, ""));
    let mut parts = hms.splitn(3, ':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next()?.parse().ok()?;
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some((h * 3600 + m * 60 + s, parse_fraction(frac)?))
}

/// `YYYY-MM-DD[ T]HH:MM:SS[.f][ ]([+-]HHMM|[+-]HH:MM|Z)?` → (local seconds since
/// the epoch, nanoseconds, offset in minutes).
fn parse_timestamp(text: &str) -> Option<(i64, u32, i32)> {
    let (date, rest) = text.split_at(text.find([' ', 'T'])?);
    let rest = &rest[1..];
    let (y, m, d) = parse_date(date)?;
    let zone_start = rest.find(['+', '-', 'Z', ' ']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_start);
    let (secs, nanos) = parse_time(time)?;
    let zone = zone.trim();
    let offset = if zone.is_empty() || zone == "Z" {
        0
    } else {
        let sign = match zone.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
        if digits.len() != 4 {
            return None;
        }
        let h: i32 = digits[..2].parse().ok()?;
        let mm: i32 = digits[2..].parse().ok()?;
        sign * (h * 60 + mm)
    };
    Some((days_from_civil(y, m, d) * 86_400 + secs, nanos, offset))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_snowflake_json_cells() {
        assert_eq!(decode("DATE", "19675"), "2023-11-14");
        assert_eq!(decode("date", "-1"), "1969-12-31");
        assert_eq!(
            decode("TIMESTAMP_NTZ", "1700000000.123000000"),
            "2023-11-14 22:13:20.123"
        );
        assert_eq!(
            decode("TIMESTAMP_LTZ", "1700000000.000000000"),
            "2023-11-14 22:13:20.000 +0000"
        );
        assert_eq!(
            decode("TIMESTAMP_TZ", "1700000000.500000000 1020"),
            "2023-11-14 15:13:20.500 -0700"
        );
        assert_eq!(decode("TIME", "3723.5"), "01:02:03.5");
        assert_eq!(decode("BOOLEAN", "1"), "true");
        assert_eq!(decode("TEXT", "1"), "1");
        assert_eq!(decode("TIMESTAMP_LTZ", "not a number"), "not a number");
    }

    #[test]
    fn encode_is_the_inverse_of_decode() {
        for (ty, wire) in [
            ("DATE", "19675"),
            ("DATE", "-719000"),
            ("TIMESTAMP_NTZ", "1700000000.123000000"),
            ("TIMESTAMP_LTZ", "-1.250000000"),
            ("TIMESTAMP_TZ", "1700000000.500000000 1020"),
            ("TIMESTAMP_TZ", "1700000000.000000000 1980"),
            ("TIME", "3723.500000000"),
            ("BOOLEAN", "0"),
            ("FIXED", "42"),
        ] {
            let shown = decode(ty, wire);
            assert_eq!(encode(ty, &shown).as_deref(), Some(wire), "{ty} {shown}");
        }
    }

    #[test]
    fn encode_accepts_common_spellings_and_rejects_others() {
        assert_eq!(
            encode("TIMESTAMP_LTZ", "2023-11-14T22:13:20Z").as_deref(),
            Some("1700000000.000000000")
        );
        assert_eq!(
            encode("TIMESTAMP_LTZ", "2023-11-14 14:13:20.000 -08:00").as_deref(),
            Some("1700000000.000000000")
        );
        assert_eq!(encode("TIMESTAMP_LTZ", "yesterday"), None);
        assert_eq!(encode("DATE", "2023-13-01"), None);
        assert_eq!(encode("BOOLEAN", "Y"), None);
    }
}
