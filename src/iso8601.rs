//! ISO 8601 durations (`PT40M`, `P1DT2H`), in the pattern OKE uses: the catalogue's exam
//! durations are served in flow 0 and offerings carry them in flow 1, so the catalogue and
//! the wire format share this check from below both.

/// An ISO 8601 duration such as `PT40M` or `P1DT2H` (the OKE pattern).
pub fn is_duration(s: &str) -> bool {
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
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["", "P", "PT", "40M", "PT40", "P1H", "PTM", "PT1M1H", "P1DT"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
