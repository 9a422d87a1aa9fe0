//! The official documents: rendered when the exam is signed, complete, archival, the same
//! bytes every time, a new version after a correction, and only for the school's own SIS
//! and people. Checked with the tools an archivist would use: qpdf, pdftotext, pdffonts.

use crate::helpers::*;
use proeve::report::{documents, record::Record};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::process::Command;

fn sha256(bytes: &[u8]) -> String {
    documents::hex(&Sha256::digest(bytes))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proeve-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is needed for these tests (qpdf, poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Checks a PDF with qpdf and returns its text, whitespace collapsed (table cells wrap).
fn check_pdf(bytes: &[u8], name: &str) -> String {
    assert!(bytes.starts_with(b"%PDF-1.7\n"), "not a PDF 1.7 file");
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    let p = path.to_str().unwrap();
    let checked = run("qpdf", &["--check", p]);
    assert!(
        checked.contains("No syntax or stream encoding errors"),
        "{checked}"
    );
    // Every font embedded; PDF/A identification and an output intent present.
    let fonts = run("pdffonts", &[p]);
    for line in fonts.lines().skip(2) {
        assert!(line.contains(" yes "), "a font is not embedded: {line}");
    }
    // -raw: the text in the order it is drawn, so a table row reads cell by cell.
    let text = run("pdftotext", &["-raw", "-enc", "UTF-8", p, "-"]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_has(text: &str, what: &[&str]) {
    for w in what {
        let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&w), "missing {w:?} in:\n{text}");
    }
}

fn example() -> Record {
    let text = std::fs::read_to_string(repo().join("examples/case.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Where the tests leave files a person looks at.
fn artifacts() -> PathBuf {
    let dir = repo().join("test-artifacts/documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_example_case_renders_complete_archival_and_identical_every_time() {
    let r = example();
    let a = documents::render(&r).unwrap();
    let b = documents::render(&r).unwrap();
    assert_eq!(
        a.form, b.form,
        "the assessment form differs between two renderings"
    );
    assert_eq!(
        a.report, b.report,
        "the proces-verbaal differs between two renderings"
    );
    assert_eq!(a.form_sha256, sha256(&a.form));

    let (form_name, report_name) = documents::file_names(&r);
    let form = check_pdf(&a.form, &form_name);
    // The assessment form: school, exam, model version, candidate (name on the identity
    // document, student number), date, planned and actual times, place, assessors with
    // role and signatures, every criterion with score, scale word and note, knock-outs,
    // rawScore/maxRawScore, the result, pass, irregularities, the acknowledgement, and both
    // judgements where the assessors disagreed.
    assert_has(
        &form,
        &[
            "Beoordelingsformulier",
            "ROC Zuidrand — Techniek & Mobiliteit",
            "PVB-AUTO-3 — Proeve van bekwaamheid Eerste Autotechnicus",
            "Beoordelingsmodel versie 3",
            "Ayşe Çelik-Đorđević",
            "Naam op identiteitsbewijs Çelik-Đorđević, Ayşe Zoë",
            "Studentnummer s1234567",
            "Poging 1",
            "Datum 20-11-2026",
            "Gepland 20-11-2026 09:30–13:30",
            "Werkelijk begin en einde 20-11-2026 09:41–13:52",
            "Garage Hoekstra & Zn., Kerkstraat 12, 's-Hertogenbosch (werkplek)",
            "Łukasz Wiśniewski (eerste beoordelaar)",
            "Mariëlle van den Bőrg (tweede beoordelaar)",
            "WP3 Storingen diagnosticeren (onderdeel B Diagnose en reparatie)",
            "WP5.2 Rapporteert in het werkplaatssysteem",
            "Knock-out: minimaal 2 voldoende",
            "3 goed",
            "Łukasz Wiśniewski: Gehoorbescherming pas na aanwijzing opgezet.",
            "Gezamenlijk: Samen besproken",
            "68 van 90 punten (cesuur 55 punten)",
            "Knock-outcriteria alle gehaald",
            "7,1 (een cijfer van 0,0 tot 10,0, geslaagd vanaf 5,5)",
            "Punten 68 van 90",
            "Beoord. 1 en 2: de eigen oordelen van Łukasz Wiśniewski (eerste beoordelaar) en",
            "7,1 — geslaagd",
            "WP3.3 2 voldoende 1 matig 2 voldoende",
            "WP4.5 2 voldoende 3 goed 2 voldoende",
            "Brandalarm om 10:15",
            "Handtekening eerste beoordelaar",
            "Handtekening tweede beoordelaar",
            "Voor gezien: kandidaat",
            "20-11-2026 14:05:12",
            "pagina 1 van 5",
            "pagina 5 van 5",
        ],
    );
    let report = check_pdf(&a.report, &report_name);
    // The proces-verbaal: school, exam, candidate, date, place, planned and actual start,
    // assessors and exam leader, identity check and how, attendance, needs granted,
    // irregularities, disagreements, parts not assessed, remarks, signatures with name and
    // time, and the SHA-256 of its assessment form.
    assert_has(
        &report,
        &[
            "Proces-verbaal",
            "ROC Zuidrand — Techniek & Mobiliteit",
            "PVB-AUTO-3 — Proeve van bekwaamheid Eerste Autotechnicus",
            "Kandidaat Ayşe Çelik-Đorđević",
            "Datum 20-11-2026",
            "Garage Hoekstra & Zn.",
            "Gepland 20-11-2026 09:30–13:30",
            "Werkelijk begin en einde 20-11-2026 09:41–13:52",
            "Łukasz Wiśniewski",
            "Examenleider Łukasz Wiśniewski (eerste beoordelaar)",
            "Identiteitscontrole en aanwezigheid",
            "rijbewijs vergeleken met de naam op de lijst",
            "Vastgestelde aanwezigheid aanwezig",
            "ExtraTime25%: 25% extra tijd bij schriftelijke onderdelen",
            "Voorleessoftware",
            "Brandalarm om 10:15",
            "WP3.3 (2 / 1 → 2)",
            "Niet beoordeelde onderdelen Geen: alle onderdelen en criteria zijn beoordeeld.",
            "Opmerkingen Geen.",
            &format!("SHA-256 {}", documents::grouped(&a.form_sha256)),
            &form_name.replace(".pdf", ""),
            "Mariëlle van den Bőrg",
            "20-11-2026 14:06:40",
            "pagina 1 van",
        ],
    );

    // What a person looks at: the files and an image of the first page of each.
    let dir = artifacts();
    for (name, bytes) in [
        ("assessment-form.pdf", &a.form),
        ("session-report.pdf", &a.report),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let stem = dir.join(name.trim_end_matches(".pdf"));
        run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                path.to_str().unwrap(),
                stem.to_str().unwrap(),
            ],
        );
    }
}

#[test]
fn the_files_say_they_are_pdf_a_2b_with_an_srgb_output_intent() {
    let r = example();
    let a = documents::render(&r).unwrap();
    // The XMP packet is stored uncompressed, so it can be read straight from the bytes.
    let raw = String::from_utf8_lossy(&a.form);
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>"));
    assert!(raw.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    let path = scratch("form.pdf");
    std::fs::write(&path, &a.form).unwrap();
    // qpdf's QDF form: every stream inflated, so the whole file reads as text.
    let qdf = scratch("form.qdf.pdf");
    run(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            path.to_str().unwrap(),
            qdf.to_str().unwrap(),
        ],
    );
    let all = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    assert!(all.contains("/S /GTS_PDFA1"), "no PDF/A output intent");
    assert!(all.contains("/DestinationOutputProfile"));
    assert!(
        all.contains("/FontFile2"),
        "fonts not embedded as TrueType programs"
    );
    // No transparency anywhere: no soft masks, no constant alpha, no transparency groups.
    for forbidden in ["/SMask", "/CA ", "/ca ", "/Transparency"] {
        assert!(!all.contains(forbidden), "{forbidden} found");
    }
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(info.contains("Pages:           5"), "{info}");
    assert!(info.contains("Producer:        Proeve"), "{info}");
}

#[test]
fn a_record_missing_a_field_is_refused_by_name() {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("examples/case.json")).unwrap())
            .unwrap();
    v.as_object_mut().unwrap().remove("candidate");
    let path = scratch("case.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let err = proeve::cli::run_render(&path, &scratch("out"), 0, false).unwrap_err();
    assert!(err.contains("candidate"), "{err}");
}

/// GETs an absolute path (as `href` gives it) with the person's session.
async fn bytes(app: &TestApp, who: &Session, path: &str) -> Response {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap();
    Response::read(r).await
}

async fn oke_document(app: &TestApp, tenant: &str, id: &str) -> Response {
    let r = app
        .client
        .get(app.url(tenant, &format!("/documents/{id}")))
        .bearer_auth(token(tenant, &["nl-test-admin-flow-1-5"]))
        .send()
        .await
        .unwrap();
    Response::read(r).await
}

fn by_type<'a>(list: &'a Value, kind: &str, version: i64) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["documentType"] == kind && d["version"] == version)
        .unwrap_or_else(|| panic!("no {kind} version {version} in {list}"))
}

#[tokio::test]
async fn a_signed_exam_has_both_documents_for_its_own_school_and_people_only() {
    let app = demo_app().await;
    let w = world(&app).await;
    let signed = to_signed(&app, &w, 2).await;

    let list = app.api("roc-a", &w.student).documents(w.case).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_described(&app, "DocumentList", &list.body).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let form = by_type(&list.body, "assessmentForm", 1);
    let report = by_type(&list.body, "sessionReport", 1);

    // The candidate downloads the form; it is what was stored, and it says what happened.
    let got = bytes(&app, &w.student, form["href"].as_str().unwrap()).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), "application/pdf");
    assert_eq!(sha256(&got.bytes), form["sha256"].as_str().unwrap());
    assert_eq!(got.bytes.len() as i64, form["size"].as_i64().unwrap());
    let text = check_pdf(&got.bytes, "form.pdf");
    let candidate = signed["candidate"]["displayName"].as_str().unwrap();
    let assessor = signed["assessors"][0]["displayName"].as_str().unwrap();
    assert_has(
        &text,
        &[
            candidate,
            assessor,
            "Beoordelingsformulier",
            "Handtekening eerste beoordelaar",
            "Motivering en feedback aan de kandidaat",
            &format!("{assessor}: Werkt netjes en op tijd; proef vaker tussendoor."),
        ],
    );
    let pv = bytes(&app, &w.office, report["href"].as_str().unwrap()).await;
    let pv_text = check_pdf(&pv.bytes, "pv.pdf");
    assert_has(
        &pv_text,
        &[
            "Proces-verbaal",
            candidate,
            &format!(
                "SHA-256 {}",
                documents::grouped(form["sha256"].as_str().unwrap())
            ),
        ],
    );

    // The school's SIS gets the same bytes through OKE; another school's SIS gets nothing.
    let id = form["documentId"].as_str().unwrap();
    let oke = oke_document(&app, "roc-a", id).await;
    assert_eq!(oke.status, 200);
    assert_eq!(oke.bytes, got.bytes);
    assert_eq!(oke.header("content-type"), "application/octet-stream");
    oke_document(&app, "roc-b", id).await.assert_problem(404);

    // The exam office's record renders to the very bytes that were stored.
    let record = app.api("roc-a", &w.office).record(w.case).await;
    assert_eq!(record.status, 200, "{}", record.body);
    let record: Record = serde_json::from_value(record.body).unwrap();
    let again = documents::render(&record).unwrap();
    assert_eq!(sha256(&again.form), form["sha256"].as_str().unwrap());
    assert_eq!(sha256(&again.report), report["sha256"].as_str().unwrap());
    // Only the exam office reads the whole record.
    let r = app.api("roc-a", &w.first).record(w.case).await;
    r.assert_problem(403);

    // Rendering again (the catch-up after a crash) adds nothing.
    let again = proeve::report::render_missing(&app.app.db, &app.app.catalog, &app.app.tenants)
        .await
        .unwrap();
    assert_eq!(again, 0);
    let trail = app.api("roc-a", &w.office).audit(w.case).await;
    let rendered = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "documents rendered")
        .count();
    assert_eq!(rendered, 1);
}

#[tokio::test]
async fn a_correction_renders_a_second_version_and_the_first_still_downloads_unchanged() {
    let app = demo_app().await;
    let w = world(&app).await;
    let signed = to_signed(&app, &w, 2).await;
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let v1 = by_type(&list.body, "assessmentForm", 1).clone();
    let v1_bytes = bytes(&app, &w.office, v1["href"].as_str().unwrap())
        .await
        .bytes;

    let explained: Vec<Value> = scores(&app, 1)
        .into_iter()
        .map(|mut s| {
            s["note"] = json!("herzien na bezwaar");
            s
        })
        .collect();
    let body = json!({"revision": signed["revision"], "attendance": "present",
        "scores": explained, "reason": "Telfout ontdekt bij bezwaar van de kandidaat",
        "authority": "appeal"});
    // On whose authority is part of the correction.
    let mut without = body.clone();
    without.as_object_mut().unwrap().remove("authority");
    let r = app.api("roc-a", &w.office).correct(w.case, without).await;
    assert!(r.assert_problem(400).contains("authority"), "{}", r.body);
    let r = app.api("roc-a", &w.office).correct(w.case, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["corrections"][0]["authority"], "appeal");

    let list = app.api("roc-a", &w.student).documents(w.case).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        4,
        "{}",
        list.body
    );
    assert_eq!(list.body["items"][0]["version"], 2, "newest first");
    let v2 = by_type(&list.body, "assessmentForm", 2);
    assert_ne!(v2["documentId"], v1["documentId"]);
    assert_ne!(v2["sha256"], v1["sha256"]);
    let text = check_pdf(
        &bytes(&app, &w.student, v2["href"].as_str().unwrap())
            .await
            .bytes,
        "v2.pdf",
    );
    assert_has(
        &text,
        &[
            "versie 2 — correctie van",
            "Oordeel na correctie",
            "Telfout ontdekt bij bezwaar van de kandidaat",
            "uitspraak in beroep",
            "Deze handtekeningen horen bij versie 1",
            "niet geslaagd",
        ],
    );
    // Version 1 is exactly as it was, through the app and through OKE.
    let again = bytes(&app, &w.student, v1["href"].as_str().unwrap()).await;
    assert_eq!(again.bytes, v1_bytes);
    let oke = oke_document(&app, "roc-a", v1["documentId"].as_str().unwrap()).await;
    assert_eq!(sha256(&oke.bytes), v1["sha256"].as_str().unwrap());

    // The committee then determines the corrected result: version 3 keeps the corrected
    // scores and says who decided.
    let fin = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(fin.body["items"][0]["state"], "final", "{}", fin.body);
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let v3 = by_type(&list.body, "assessmentForm", 3);
    let text = check_pdf(
        &bytes(&app, &w.office, v3["href"].as_str().unwrap())
            .await
            .bytes,
        "v3.pdf",
    );
    assert_has(
        &text,
        &[
            "versie 3 — vastgesteld door de examencommissie",
            "Oordeel na correctie",
            "herzien na bezwaar",
            "niet geslaagd",
            "uitspraak in beroep",
        ],
    );
    assert!(!text.contains("Voorlopige uitslag"), "{text}");

    // Corrected again after the decision: version 4, numbered alike on screen and on paper,
    // and provisional again until the committee decides anew.
    let now = app.api("roc-a", &w.office).case(w.case).await.body;
    let again = json!({"revision": now["revision"], "attendance": "present",
        "scores": scores(&app, 2), "reason": "Tweede bezwaar gegrond", "authority": "examCommittee"});
    let r = app.api("roc-a", &w.office).correct(w.case, again).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let versions: Vec<i64> = r.body["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 4], "{}", r.body);
    assert_eq!(r.body["resultProvisional"], true);
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let v4 = by_type(&list.body, "assessmentForm", 4);
    let text = check_pdf(
        &bytes(&app, &w.office, v4["href"].as_str().unwrap())
            .await
            .bytes,
        "v4.pdf",
    );
    assert_has(
        &text,
        &[
            "versie 4 — correctie van",
            "Voorlopige uitslag: nog niet vastgesteld door de examencommissie",
            "Tweede bezwaar gegrond",
        ],
    );
}

#[tokio::test]
async fn documents_are_not_there_before_signing_and_not_for_other_people() {
    let app = demo_app().await;
    let w = world(&app).await;
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"], json!([]));
    let r = app.api("roc-a", &w.office).record(w.case).await;
    r.assert_problem(404);
    to_signed(&app, &w, 2).await;
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let href = list.body["items"][0]["href"].as_str().unwrap().to_string();
    // A document id of this case under another case's path is not found.
    let other = href.replace(&w.case.to_string(), &uuid::Uuid::new_v4().to_string());
    let r = bytes(&app, &w.office, &other).await;
    assert_eq!(r.status, 404);
    // Signed out: nothing.
    let r = app
        .client
        .get(format!("{}{href}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn the_assessors_of_a_judged_exam_stay_on_its_record_when_the_sis_cancels_it() {
    let app = demo_app().await;
    let w = world(&app).await;
    let judged = to_judged(&app, &w, 2).await;
    let offering = judged["offeringId"].as_str().unwrap().to_string();
    // The SIS withdraws the test selection after the exam, before the signatures: the
    // enrolments are canceled, the assessors' too.
    assert_eq!(
        app.patch(
            "roc-a",
            &format!("/offerings/{offering}"),
            &cancel_offering()
        )
        .await
        .status,
        200
    );
    let names: Vec<String> = judged["assessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["displayName"].as_str().unwrap().to_string())
        .collect();
    // Everyone on the exam keeps their data: the SIS reads the persons back, the case names
    // them, and the assessors can still sign in (a link needs their address) and sign.
    for (id, name) in [w.ids.0, w.ids.1].iter().zip(&names) {
        let p = app.get("roc-a", &format!("/persons/{id}")).await;
        assert_eq!(p.status, 200, "{}", p.body);
        assert_eq!(p.body["displayName"], json!(name));
    }
    let seen = app.api("roc-a", &w.office).case(w.case).await;
    assert_eq!(seen.body["state"], "assessed");
    let shown: Vec<&str> = seen.body["assessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["displayName"].as_str().unwrap_or("(none)"))
        .collect();
    assert_eq!(shown, names);
    let signed = sign_all(&app, &w).await;
    assert_eq!(signed["state"], "signed");
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let form = by_type(&list.body, "assessmentForm", 1);
    let got = bytes(&app, &w.office, form["href"].as_str().unwrap()).await;
    let text = check_pdf(&got.bytes, "form.pdf");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_has(&text, &names);
}

#[tokio::test]
async fn the_committees_decision_is_a_new_version_of_the_documents_and_until_then_it_is_provisional(
) {
    let app = demo_app().await;
    let w = world(&app).await;
    to_signed(&app, &w, 2).await;
    // Signed, not yet determined: the school finalises in Proeve, so version 1 says the
    // result is provisional.
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let v1 = by_type(&list.body, "assessmentForm", 1);
    let text = check_pdf(
        &bytes(&app, &w.office, v1["href"].as_str().unwrap())
            .await
            .bytes,
        "v1.pdf",
    );
    assert_has(
        &text,
        &["Voorlopige uitslag: nog niet vastgesteld door de examencommissie"],
    );

    let seen = app.api("roc-a", &w.student).case(w.case).await.body;
    assert_eq!(seen["resultProvisional"], true, "{seen}");

    let fin = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(fin.body["items"][0]["state"], "final", "{}", fin.body);
    let seen = app.api("roc-a", &w.student).case(w.case).await.body;
    assert_eq!(seen["resultProvisional"], false, "{seen}");
    let list = app.api("roc-a", &w.student).documents(w.case).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        4,
        "{}",
        list.body
    );
    let committee = "Pieter";
    for (kind, file) in [
        ("assessmentForm", "form-v2.pdf"),
        ("sessionReport", "pv-v2.pdf"),
    ] {
        let v2 = by_type(&list.body, kind, 2);
        let text = check_pdf(
            &bytes(&app, &w.student, v2["href"].as_str().unwrap())
                .await
                .bytes,
            file,
        );
        assert_has(
            &text,
            &[
                "Vaststelling door de examencommissie",
                "namens de examencommissie",
                committee,
                "Deze handtekeningen horen bij versie 1",
            ],
        );
        assert!(!text.contains("Voorlopige uitslag"), "{kind}: {text}");
    }
    let form = by_type(&list.body, "assessmentForm", 2);
    let text = check_pdf(
        &bytes(&app, &w.student, form["href"].as_str().unwrap())
            .await
            .bytes,
        "form-v2-line.pdf",
    );
    assert_has(
        &text,
        &["versie 2 — vastgesteld door de examencommissie op"],
    );
    // Version 1 stays as it was.
    let again = bytes(&app, &w.office, v1["href"].as_str().unwrap()).await;
    assert_eq!(sha256(&again.bytes), v1["sha256"].as_str().unwrap());
}

#[tokio::test]
async fn a_signature_keeps_when_it_was_drawn_beside_when_it_arrived() {
    let app = demo_app().await;
    let w = world(&app).await;
    to_judged(&app, &w, 2).await;
    // A phone that was offline sends its signature minutes after it was drawn (not before
    // Proeve knew of the exam: the test made it a moment ago).
    let drawn = chrono::Utc::now() - chrono::Duration::minutes(5);
    let future = chrono::Utc::now() + chrono::Duration::hours(2);
    let r = app
        .api("roc-a", &w.first)
        .sign(
            w.case,
            json!({"role": "assessor", "image": PNG, "drawnAt": future}),
        )
        .await;
    assert!(r.assert_problem(400).contains("drawnAt"), "{}", r.body);
    for (who, role) in [
        (&w.first, "assessor"),
        (&w.second, "assessor"),
        (&w.first, "candidate"),
    ] {
        let r = app
            .api("roc-a", who)
            .sign(
                w.case,
                json!({"role": role, "image": PNG, "drawnAt": drawn}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let seen = app.api("roc-a", &w.office).case(w.case).await.body;
    for s in seen["signatures"].as_array().unwrap() {
        let at: chrono::DateTime<chrono::Utc> = s["drawnAt"].as_str().unwrap().parse().unwrap();
        assert_eq!(at.timestamp(), drawn.timestamp(), "{s}");
        assert_ne!(s["signedAt"], s["drawnAt"]);
    }
    let record = app.api("roc-a", &w.office).record(w.case).await.body;
    assert!(record["signatures"][0]["drawnAt"].is_string(), "{record}");
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let form = by_type(&list.body, "assessmentForm", 1);
    let text = check_pdf(
        &bytes(&app, &w.office, form["href"].as_str().unwrap())
            .await
            .bytes,
        "drawn.pdf",
    );
    let local = drawn
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%H:%M")
        .to_string();
    assert_has(&text, &["(ontvangen", &local]);
}

#[tokio::test]
async fn the_session_report_says_the_assessors_agreed_only_when_both_stand_behind_the_joint_judgement(
) {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    // The assessors differ on every criterion (2 against 3).
    score_mine(&app, &w.first, w.case, 2).await;
    score_mine(&app, &w.second, w.case, 3).await;
    // The first records the joint judgement with its rationale, alone.
    let joint = json!({"revision": 0, "attendance": "present", "identityChecked": true,
        "identityMethod": "ID-kaart", "scores": scores(&app, 3),
        "motivation": "Samen nagekeken: het werk verdient overal een 3."});
    let saved = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "joint", joint)
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let sheets = app.api("roc-a", &w.second).sheets(w.case).await.body;
    let listed = sheets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sheet"] == "joint")
        .unwrap()
        .clone();
    assert_eq!(listed["backedBy"], json!([w.ids.0]), "{listed}");
    // A stale confirmation is refused; the office cannot confirm.
    let stale = app
        .api("roc-a", &w.second)
        .call(
            "POST",
            &format!("/cases/{}/sheets/joint/confirm", w.case),
            Some(json!({"revision": 0})),
        )
        .await;
    stale.assert_problem(409);
    let office = app
        .api("roc-a", &w.office)
        .call(
            "POST",
            &format!("/cases/{}/sheets/joint/confirm", w.case),
            Some(json!({"revision": saved.body["revision"]})),
        )
        .await;
    office.assert_problem(403);

    // Both finish: the exam waits for the second's confirmation of the joint judgement.
    finish(&app, &w.first, w.case).await;
    let waiting = finish(&app, &w.second, w.case).await;
    assert_eq!(waiting["state"], "planned", "{waiting}");
    assert_eq!(waiting["finishing"]["jointComplete"], true);
    assert_eq!(
        waiting["finishing"]["jointBackedBy"],
        json!([{"personId": w.ids.0, "displayName": waiting["assessors"][0]["displayName"]}])
    );
    assert_eq!(
        waiting["finishing"]["differences"].as_array().map(Vec::len),
        Some(27)
    );
    // The second confirms and finishes once more: judged. The report says they came to it
    // together, and why.
    let confirmed = app
        .api("roc-a", &w.second)
        .call(
            "POST",
            &format!("/cases/{}/sheets/joint/confirm", w.case),
            Some(json!({"revision": saved.body["revision"]})),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(finish(&app, &w.second, w.case).await["state"], "assessed");
    sign_all(&app, &w).await;
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let pv = by_type(&list.body, "sessionReport", 1);
    let text = check_pdf(
        &bytes(&app, &w.office, pv["href"].as_str().unwrap())
            .await
            .bytes,
        "joint.pdf",
    );
    assert_has(
        &text,
        &[
            "de beoordelaars kwamen samen tot het eindoordeel",
            "Onderbouwing van het gezamenlijke oordeel: Samen nagekeken: het werk verdient overal een 3.",
        ],
    );
}

#[tokio::test]
async fn a_joint_judgement_changed_after_it_was_confirmed_waits_for_a_new_confirmation() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    score_mine(&app, &w.first, w.case, 2).await;
    score_mine(&app, &w.second, w.case, 3).await;
    let joint = |revision: i64, method: &str| {
        json!({"revision": revision, "attendance": "present", "identityChecked": true,
            "identityMethod": method, "scores": scores(&app, 3)})
    };
    let confirm = |revision: Value| json!({"revision": revision});
    let path = format!("/cases/{}/sheets/joint/confirm", w.case);
    let saved = app
        .api("roc-a", &w.first)
        .save_sheet(w.case, "joint", joint(0, "ID-kaart"))
        .await;
    let r = app
        .api("roc-a", &w.second)
        .call("POST", &path, Some(confirm(saved.body["revision"].clone())))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Saved again as it was, it changes nothing: the confirmation stands.
    let same = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "joint",
            joint(saved.body["revision"].as_i64().unwrap(), "ID-kaart"),
        )
        .await;
    assert_eq!(
        same.body["revision"], saved.body["revision"],
        "{}",
        same.body
    );
    // The first changes it after the confirmation: it is the first's alone again.
    let changed = app
        .api("roc-a", &w.first)
        .save_sheet(
            w.case,
            "joint",
            joint(saved.body["revision"].as_i64().unwrap(), "paspoort"),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    finish(&app, &w.first, w.case).await;
    let waiting = finish(&app, &w.second, w.case).await;
    assert_eq!(waiting["state"], "planned", "{waiting}");
    assert_eq!(
        waiting["finishing"]["jointBackedBy"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let r = app
        .api("roc-a", &w.second)
        .call(
            "POST",
            &path,
            Some(confirm(changed.body["revision"].clone())),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(finish(&app, &w.second, w.case).await["state"], "assessed");
    sign_all(&app, &w).await;
    let (_, text) = newest_text(&app, &w, "sessionReport").await;
    assert_has(&text, &["de beoordelaars kwamen samen tot het eindoordeel"]);
}

/// The text of the newest document of `kind`, after the checks an archivist would run.
async fn newest_text(app: &TestApp, w: &World, kind: &str) -> (i64, String) {
    let list = app.api("roc-a", &w.office).documents(w.case).await;
    let newest = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["documentType"] == kind)
        .max_by_key(|d| d["version"].as_i64())
        .unwrap()
        .clone();
    let pdf = bytes(app, &w.office, newest["href"].as_str().unwrap()).await;
    (
        newest["version"].as_i64().unwrap(),
        check_pdf(&pdf.bytes, &format!("{kind}.pdf")),
    )
}

#[tokio::test]
async fn an_exam_far_from_its_plan_closes_only_with_the_reason_which_the_report_gives() {
    let app = demo_app().await;
    let w = world(&app).await;
    // Planned for 8 December, taken today: neither sheet says why yet.
    planned(&app, &w).await;
    for who in [&w.first, &w.second] {
        let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
            "identityMethod": "ID-kaart", "scores": scores(&app, 2)});
        let r = app
            .api("roc-a", who)
            .save_sheet(w.case, "mine", sheet)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let revision = app.api("roc-a", &w.first).case(w.case).await.body["revision"].clone();
    let r = app
        .api("roc-a", &w.first)
        .judge(w.case, json!({"revision": revision}))
        .await;
    let detail = r.assert_problem(400);
    assert!(
        detail.contains("timesReason") && detail.contains("60 minutes"),
        "{detail}"
    );
    // Each assessor says why; the sheet keeps it and the report shows it.
    for who in [&w.first, &w.second] {
        let why = json!({"revision": 1, "timesReason": "Vervroegd op verzoek van het leerbedrijf"});
        let r = app.api("roc-a", who).save_sheet(w.case, "mine", why).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let sheets = app.api("roc-a", &w.first).sheets(w.case).await.body;
    assert_eq!(
        sheets["items"][0]["timesReason"], "Vervroegd op verzoek van het leerbedrijf",
        "{sheets}"
    );
    judged(&app, &w).await;
    sign_all(&app, &w).await;
    let (_, text) = newest_text(&app, &w, "sessionReport").await;
    assert_has(
        &text,
        &[
            "afwijking van de planning:",
            "Vervroegd op verzoek van het leerbedrijf",
        ],
    );
}

#[tokio::test]
async fn an_exam_that_kept_to_its_plan_needs_no_reason() {
    let app = demo_app().await;
    let w = world(&app).await;
    // Planned from an hour ago until five hours from now: the moment it is taken.
    let now = chrono::Utc::now();
    let revision = app.api("roc-a", &w.office).case(w.case).await.body["revision"].clone();
    let plan = json!({"revision": revision,
        "start": (now - chrono::Duration::minutes(50)).to_rfc3339(),
        "end": (now + chrono::Duration::hours(5)).to_rfc3339(),
        "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1]});
    assert_eq!(
        app.api("roc-a", &w.office).plan(w.case, plan).await.status,
        200
    );
    for who in [&w.first, &w.second] {
        let sheet = json!({"revision": 0, "attendance": "present", "identityChecked": true,
            "identityMethod": "ID-kaart", "scores": scores(&app, 2)});
        let r = app
            .api("roc-a", who)
            .save_sheet(w.case, "mine", sheet)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    judged(&app, &w).await;
    sign_all(&app, &w).await;
    let (_, text) = newest_text(&app, &w, "sessionReport").await;
    assert!(!text.contains("afwijking van de planning"), "{text}");
}

#[tokio::test]
async fn the_assessors_see_a_correction_and_their_countersignature_is_a_new_version() {
    let app = demo_app().await;
    let w = world(&app).await;
    let signed = to_signed(&app, &w, 2).await;
    // Nothing to countersign before a correction.
    let none = app
        .api("roc-a", &w.first)
        .call(
            "POST",
            &format!("/cases/{}/corrections/countersign", w.case),
            Some(json!({"revision": signed["revision"]})),
        )
        .await;
    assert!(
        none.assert_problem(400).contains("no correction"),
        "{}",
        none.body
    );
    assert_eq!(
        app.api("roc-a", &w.first).case(w.case).await.body["countersignDue"],
        false
    );
    let body = json!({"revision": signed["revision"], "attendance": "present",
        "scores": scores(&app, 3), "reason": "Telfout in onderdeel 2",
        "authority": "examCommittee"});
    let corrected = app.api("roc-a", &w.office).correct(w.case, body).await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    // Both assessors are told; the office and the candidate have nothing to countersign.
    for who in [&w.first, &w.second] {
        let seen = app.api("roc-a", who).case(w.case).await.body;
        assert_eq!(seen["countersignDue"], true, "{seen}");
        assert_described(&app, "CaseView", &seen).await;
    }
    assert_eq!(
        app.api("roc-a", &w.office).case(w.case).await.body["countersignDue"],
        false
    );
    let path = format!("/cases/{}/corrections/countersign", w.case);
    let revision = corrected.body["revision"].clone();
    for who in [&w.office, &w.student] {
        let r = app
            .api("roc-a", who)
            .call("POST", &path, Some(json!({"revision": revision})))
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
    // Version 2 (the correction) names who has not countersigned yet.
    let (v, text) = newest_text(&app, &w, "assessmentForm").await;
    assert_eq!(v, 2);
    assert_has(&text, &["is (nog) niet medeondertekend door"]);
    let first = app
        .api("roc-a", &w.first)
        .call("POST", &path, Some(json!({"revision": revision})))
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["countersignDue"], false);
    let by = &first.body["corrections"][0]["countersignedBy"];
    assert_eq!(by.as_array().map(Vec::len), Some(1), "{by}");
    assert_eq!(by[0]["person"]["personId"], w.ids.0.to_string());
    // Once is enough; a stale revision is a conflict.
    let again = app
        .api("roc-a", &w.first)
        .call(
            "POST",
            &path,
            Some(json!({"revision": first.body["revision"]})),
        )
        .await;
    assert!(
        again.assert_problem(400).contains("already"),
        "{}",
        again.body
    );
    let stale = app
        .api("roc-a", &w.second)
        .call("POST", &path, Some(json!({"revision": revision})))
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    // Version 3 shows it, and the second assessor as still to countersign.
    let first_name = first.body["assessors"][0]["displayName"]
        .as_str()
        .unwrap()
        .to_string();
    let second_name = first.body["assessors"][1]["displayName"]
        .as_str()
        .unwrap()
        .to_string();
    let (v, text) = newest_text(&app, &w, "assessmentForm").await;
    assert_eq!(v, 3);
    assert_has(
        &text,
        &[
            &format!("versie 3 — correctie (versie 2) medeondertekend door {first_name}"),
            "Medeondertekening door de beoordelaars",
            &format!("niet medeondertekend door {second_name}"),
        ],
    );
    let r = app
        .api("roc-a", &w.second)
        .call(
            "POST",
            &path,
            Some(json!({"revision": first.body["revision"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (v, text) = newest_text(&app, &w, "sessionReport").await;
    assert_eq!(v, 4);
    assert!(!text.contains("niet medeondertekend"), "{text}");
    // The committee's decision after it is the next version, numbered alike everywhere.
    let fin = app
        .api("roc-a", &w.committee)
        .finalise(json!({"caseIds": [w.case]}))
        .await;
    assert_eq!(fin.body["items"][0]["state"], "final", "{}", fin.body);
    let (v, text) = newest_text(&app, &w, "assessmentForm").await;
    assert_eq!(v, 5);
    assert_has(&text, &["versie 5 — vastgesteld door de examencommissie"]);
}

#[tokio::test]
async fn the_exam_office_names_the_examenleider_and_the_report_says_who_led() {
    let app = demo_app().await;
    let w = world(&app).await;
    let leader = staff(&app, "roc-a", "ria@roc.example", "Ria Examenleider").await;
    let planned = planned(&app, &w).await;
    let replan = |revision: &Value, leader: Value| {
        json!({"revision": revision, "start": "2026-12-08T08:00:00Z", "end": "2026-12-08T14:00:00Z",
            "place": {"kind": "school", "location": "Keuken 2"}, "assessors": [w.ids.0, w.ids.1],
            "examLeader": leader})
    };
    // An assessor moves the exam but does not name its leader.
    let r = app
        .api("roc-a", &w.first)
        .plan(w.case, replan(&planned["revision"], json!(leader)))
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    // Not the candidate, not somebody unknown.
    let student =
        app.api("roc-a", &w.office).case(w.case).await.body["candidate"]["personId"].clone();
    for who in [student, json!(id())] {
        let r = app
            .api("roc-a", &w.office)
            .plan(w.case, replan(&planned["revision"], who))
            .await;
        assert!(r.assert_problem(400).contains("examLeader"), "{}", r.body);
    }
    let r = app
        .api("roc-a", &w.office)
        .plan(w.case, replan(&planned["revision"], json!(leader)))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let name = r.body["examLeader"]["displayName"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(name.contains("Ria Examenleider"), "{name}");
    // The assessors keep it when they move the exam (they send no leader).
    let mut moved = replan(&r.body["revision"], Value::Null);
    moved.as_object_mut().unwrap().remove("examLeader");
    moved["start"] = json!("2026-12-08T09:00:00Z");
    let r = app.api("roc-a", &w.first).plan(w.case, moved).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["examLeader"]["personId"], leader.to_string());
    for who in [&w.first, &w.second] {
        score_mine(&app, who, w.case, 2).await;
    }
    judged(&app, &w).await;
    sign_all(&app, &w).await;
    let (_, text) = newest_text(&app, &w, "sessionReport").await;
    assert_has(
        &text,
        &[&format!(
            "Examenleider {name} (aangewezen door het examenbureau)"
        )],
    );
}

#[test]
fn the_documents_show_each_result_unit_and_the_conversion_table_that_applied() {
    use proeve::assessment::scoring;
    use proeve::report::record::ScoreRecord;
    let catalog = proeve::catalog::Catalog::load(&repo().join("catalog")).unwrap();
    let exam = catalog
        .get("5d0c8e27-93fa-4b16-b7d4-6e1a2f9c0835".parse().unwrap())
        .unwrap();
    // The example record, as the electrician's exam: parts A, C, D at the top of their
    // scales, part B (installing) at level 1 — below its pass mark.
    let mut r = example();
    r.model = exam.model.clone();
    r.exam.code = exam.code.clone();
    r.exam.name = exam.name.clone();
    r.exam.result_value_type = exam.result_value_type.as_str().into();
    r.exam.pass_from = exam.pass_from.clone();
    let mut given = scoring::Scores::new();
    for s in &exam.model.sections {
        for c in &s.criteria {
            let top = exam.model.scale(&c.scale).unwrap().levels.len() as u32 - 1;
            let level = if s.part.as_deref() == Some("B") {
                1
            } else {
                top
            };
            given.insert(c.code.clone(), level);
        }
    }
    for sheet in &mut r.sheets {
        sheet.scores = given
            .iter()
            .map(|(criterion, level)| ScoreRecord {
                criterion: criterion.clone(),
                level: *level,
                note: None,
            })
            .collect();
    }
    let o = scoring::score(exam, &given).unwrap();
    r.outcome.raw_score = Some(o.raw_score as i32);
    r.outcome.max_raw_score = Some(o.max_raw_score as i32);
    r.outcome.passed = Some(o.passed);
    r.outcome.score = Some(o.score.clone());
    assert_eq!((o.raw_score, o.passed, o.score.as_str()), (54, false, "5"));
    let form = check_pdf(&documents::assessment_form(&r).unwrap(), "units-form.pdf");
    assert_has(
        &form,
        &[
            "Resultaten per onderdeel",
            "Onderdeel A Werkvoorbereiding (PVB-EMEI3-2425-A) 15 van 15 (cesuur 9) alle gehaald 10 geslaagd",
            "Onderdeel B Installeren (PVB-EMEI3-2425-B) 10 van 28 (cesuur 17)",
            "54 van 72 punten (cijfer uit de omzettingstabel hieronder)",
            "Omzetting van punten naar cijfer",
            "Tabel als een onderdeel onvoldoende is (toegepast): vanaf 0: 1;",
        ],
    );
    let report = check_pdf(
        &documents::session_report(&r, "00", "form.pdf").unwrap(),
        "units-report.pdf",
    );
    assert_has(
        &report,
        &[
            "Resultaten per onderdeel",
            "Onderdeel B Installeren (PVB-EMEI3-2425-B) 4 — niet geslaagd",
        ],
    );
    std::fs::write(
        artifacts().join("assessment-form-in-parts.pdf"),
        documents::assessment_form(&r).unwrap(),
    )
    .unwrap();
    // The form of part B alone, for the SIS's enrolment on part B: its criteria and its
    // result only, an extract of the exam's form (named by its hash).
    let b: uuid::Uuid = "5d0c8e27-93fa-4b16-b7d4-6e1a2f9c08b2".parse().unwrap();
    let rendered = documents::render_units(&r, &[b], "ab12cd34ef56").unwrap();
    assert_eq!(rendered.len(), 1);
    let (_, name, bytes) = &rendered[0];
    assert!(name.contains("PVB-EMEI3-2425-B"), "{name}");
    let part_b = check_pdf(bytes, "unit-form.pdf");
    assert_has(
        &part_b,
        &[
            "Uittreksel van het beoordelingsformulier van PVB-EMEI3-2425",
            "ab12cd34 ef56",
            "Onderdeel B Installeren",
            "B1-K1-W2.1",
            "10 van 28 punten",
        ],
    );
    assert!(
        !part_b.contains("B1-K1-W1.1"),
        "part A's criterion on part B's form"
    );
    assert!(!part_b.contains("Omzetting van punten naar cijfer"));
    std::fs::write(artifacts().join("assessment-form-part-b.pdf"), bytes).unwrap();
}
