//! The planned exam as a calendar file (iCalendar), for the people of the exam.

use super::access::{case_in_path, CaseErrors};
use crate::case::CaseState;
use crate::http::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

/// Text for an iCalendar property value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    // A bare CR would end the line in some readers: every line break becomes an escaped \n,
    // and no other control character gets through.
    let s: String = s
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        if len + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += ch.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// What the candidate needs to know for the exam: to bring a valid identity document, and
/// whom to contact (the school's words).
fn description(exam: &str, school: &crate::config::TenantSettings) -> String {
    let mut text = format!(
        "{exam} ({}).\nNeem een geldig identiteitsbewijs mee: paspoort, identiteitskaart of \
         rijbewijs. Zonder kan de beoordelaar je identiteit niet controleren.",
        school.name
    );
    if let Some(contact) = school.contact.as_deref().filter(|c| !c.trim().is_empty()) {
        text.push_str(&format!("\nVragen, of ben je ziek? {contact}"));
    }
    text
}

#[utoipa::path(
    get,
    path = "/api/{slug}/cases/{id}/calendar.ics",
    tag = "cases",
    summary = "The planned exam as a calendar file (iCalendar)",
    params(("slug" = String, Path, description = "the school"), ("id" = Uuid, Path, description = "the exam case")),
    responses((status = 200, description = "text/calendar", content_type = "text/calendar"), CaseErrors)
)]
pub async fn calendar(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (tenant, _, c, _) = case_in_path(&state, &req, false).await?;
    let slug = tenant.settings.slug.as_str();
    let (Some(start), Some(end)) = (c.planned_start, c.planned_end) else {
        return Err(ApiError::NotFound("this exam is not planned yet".into()));
    };
    if c.state == CaseState::Canceled {
        return Err(ApiError::NotFound("this exam is canceled".into()));
    }
    let exam = c
        .component_id
        .and_then(|id| state.catalog.get(id))
        .map_or_else(|| "Praktijkexamen".to_string(), |e| e.name.clone());
    let place = [c.place_name.as_deref(), c.place_address.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut ics = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Proeve//Praktijkexamens//NL".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@{}.proeve", c.case_id, slug),
        // Changes with every re-plan, so a calendar replaces the older copy.
        format!("SEQUENCE:{}", c.revision),
        format!("DTSTAMP:{}", stamp(c.updated_at)),
        format!("DTSTART:{}", stamp(start)),
        format!("DTEND:{}", stamp(end)),
        format!("SUMMARY:{}", ics_text(&exam)),
        format!("LOCATION:{}", ics_text(&place)),
        format!(
            "DESCRIPTION:{}",
            ics_text(&description(&exam, &tenant.settings))
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ] {
        ics.push_str(&fold(&line));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"praktijkexamen.ics\"",
        ))
        .body(ics))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_text_is_escaped_and_folded_between_characters() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        assert_eq!(
            ics_text("x\rBEGIN:VALARM\r\ny\u{7}"),
            "x\\nBEGIN:VALARM\\ny"
        );
        let long = format!("SUMMARY:{}", "ő".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
    }
}
