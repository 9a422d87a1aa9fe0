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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsetless_date_times_are_amsterdam_time() {
        let summer = parse_date_time("2022-06-21T12:45:00").map(|d| format_date_time(&d));
        assert_eq!(summer.as_deref(), Some("2022-06-21T12:45:00+02:00"));
        let winter = parse_date_time_or_date("2020-11-16").map(|d| format_date_time(&d));
        assert_eq!(winter.as_deref(), Some("2020-11-16T00:00:00+01:00"));
        assert!(parse_date_time("21-06-2022 12:45").is_none());
    }
}
