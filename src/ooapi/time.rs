//! OKE dates and date-times. A date-time without offset (seen in examples) is read as
//! Europe/Amsterdam local time, as the digest prescribes; a bare date as its start of day there.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone};
use chrono_tz::Europe::Amsterdam;

pub fn parse_date_time(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .ok()?;
    let dt = Amsterdam.from_local_datetime(&local).earliest()?;
    tracing::info!(
        value = s,
        "date-time without offset read as Europe/Amsterdam"
    );
    Some(dt.fixed_offset())
}

/// A date-time, or (leniently) a bare date meaning the start of that day in Amsterdam.
pub fn parse_date_time_or_date(s: &str) -> Option<DateTime<FixedOffset>> {
    parse_date_time(s).or_else(|| {
        let d = parse_date(s)?;
        let dt = Amsterdam
            .from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()?;
        Some(dt.fixed_offset())
    })
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

pub fn format_date_time(dt: &DateTime<FixedOffset>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An ISO 8601 duration such as `PT40M` or `P1DT2H` (the OKE pattern).
pub fn is_iso_duration(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    if b.get(i) != Some(&b'P') {
        return false;
    }
    i += 1;
    let mut in_time = false;
    let mut any = false;
    let mut time_part = false;
    let mut digits = false;
    let mut allowed: &[u8] = b"YMDW";
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (c == b'.' && digits && in_time) {
            digits = true;
        } else if c == b'T' && !in_time && !digits {
            in_time = true;
            time_part = true;
            allowed = b"HMS";
        } else if allowed.contains(&c) && digits {
            let pos = allowed.iter().position(|&a| a == c).unwrap_or(0);
            allowed = &allowed[pos + 1..];
            digits = false;
            any = true;
            time_part = false;
        } else {
            return false;
        }
        i += 1;
    }
    any && !digits && !time_part
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_oke_pattern() {
        for ok in ["PT40M", "P1D", "PT1H30M", "P1DT2H", "PT0.5S", "P2W"] {
            assert!(is_iso_duration(ok), "{ok}");
        }
        for bad in ["", "P", "PT", "40M", "PT40", "P1H", "PTM", "PT1M1H", "P1DT"] {
            assert!(!is_iso_duration(bad), "{bad}");
        }
    }

    #[test]
    fn offsetless_date_times_are_amsterdam_time() {
        let summer = parse_date_time("2022-06-21T12:45:00").map(|d| format_date_time(&d));
        assert_eq!(summer.as_deref(), Some("2022-06-21T12:45:00+02:00"));
        let winter = parse_date_time_or_date("2020-11-16").map(|d| format_date_time(&d));
        assert_eq!(winter.as_deref(), Some("2020-11-16T00:00:00+01:00"));
        assert!(parse_date_time("21-06-2022 12:45").is_none());
    }
}
