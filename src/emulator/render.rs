//! Value formatting shared by every SHOW/DESCRIBE: timestamps in Snowflake's
//! default output format, Y/N and true/false flags, query ids.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2023-01-27 14:57:07.768 +0000` (TIMESTAMP_LTZ in UTC).
pub fn ts(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{milli:03} +0000",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `Thu, 26 Nov 2026 20:45:59 GMT` (LIST's last_modified).
pub fn http_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn yn(b: bool) -> String {
    if b { "Y" } else { "N" }.to_string()
}

pub fn tf(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

pub fn on_off(b: bool) -> String {
    if b { "ON" } else { "OFF" }.to_string()
}

/// A query id shaped like Snowflake's (`01b2c3d4-0000-…`).
pub fn query_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = now_millis() as u64;
    format!(
        "{:08x}-0000-{:04x}-0000-{:012x}",
        (t / 1000) as u32,
        std::process::id() & 0xffff,
        n
    )
}

/// A name part as it appears inside a fully-qualified name in values
/// (bare when simple upper-case, else double-quoted).
pub fn quote_part(part: &str) -> String {
    let simple = part
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && part
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if simple {
        part.to_string()
    } else {
        format!("\"{}\"", part.replace('"', "\"\""))
    }
}

pub fn fqn(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| quote_part(p))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_like_snowflake() {
        assert_eq!(ts(0), "1970-01-01 00:00:00.000 +0000");
        assert_eq!(ts(1_674_860_227_768), "2023-01-27 22:57:07.768 +0000");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn names_quote_only_when_needed() {
        assert_eq!(fqn(&["DB", "S", "customer_ID"]), "DB.S.\"customer_ID\"");
    }
}
