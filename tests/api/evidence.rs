//! Evidence on the exam record: declared, sent in stretches that resume, checked against its
//! type and hash, seen by the right people, frozen with the signed record, on the record.

use crate::helpers::*;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A real photo (96×64, made by Chromium's canvas), for the thumbnail on the form.
const PHOTO: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCABAAGADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAAAgMEBwX/xAAVEAEBAAAAAAAAAAAAAAAAAAACAP/EABgBAQEBAQEAAAAAAAAAAAAAAAMEBwUG/8QAFxEAAwEAAAAAAAAAAAAAAAAAAAECA//aAAwDAQACEQMRAD8A95qg1Jqg1Z7nB6mmBqg1Jqg1X5wDTC1Z2ptUGq/OAaYGqDUmqDVfnAFMDVBqbVnar84BphaoNSaoNV+cA0zpbVBqTVBqz7ODt0wtWdqbVnar84BphaoNSaoNV+cA0wNUGpNUGq/OAKYWrO1Nqg1X5wDTA1Qak1Qar84ApnS2qDU2rO1Z9nB3KYWqDUmqDVfnANMDVBqTVBqvzgCmFqztTas7VfnANMLVBqTVBqvzgGmBqg1Jqg1X5wBTOmNWdqbVBqz7ODuUwNUGpNUGq/OAKYGqDU2rO1X5wDTC1Qak1Qar84BpgaoNSaoNV+cAUwtWdqbVnar84Bpn/9k=";

/// The start of a JPEG, then filler: enough for its type to be read from the bytes.
fn jpeg_like(len: usize) -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
    ];
    b.extend((0..len - b.len()).map(|i| (i % 251) as u8));
    b
}

async fn put_bytes(
    app: &TestApp,
    who: &Session,
    case: Uuid,
    id: Uuid,
    offset: usize,
    bytes: &[u8],
) -> (u16, Value) {
    let r = app
        .client
        .put(format!(
            "{}/api/roc-a/cases/{case}/evidence/{id}/content",
            app.address
        ))
        .header("cookie", &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header("upload-offset", offset.to_string())
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn declaration(id: Uuid, kind: &str, bytes: &[u8]) -> Value {
    json!({"id": id, "kind": kind, "fileName": "C:\\fotos\\werkstuk.jpg", "size": bytes.len(),
        "sha256": hex(bytes), "capturedAt": chrono::Utc::now()})
}

#[tokio::test]
async fn evidence_arrives_in_stretches_is_checked_and_frozen_with_the_record() {
    let app = demo_app().await;
    let w = world(&app).await;
    planned(&app, &w).await;
    let photo = jpeg_like(3000);
    let id = Uuid::new_v4();
    let first = app.api("roc-a", &w.first);
    let d = first
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(id, "photo", &photo)),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.body);
    assert_eq!(d.body["fileName"], "werkstuk.jpg");
    assert_eq!(d.body["received"], 0);
    // The same declaration again (an answer lost on the way) is the same evidence.
    let again = first
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(id, "photo", &photo)),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);

    // The first stretch arrives; a retry of it finds the server's copy further on.
    let (s, b) = put_bytes(&app, &w.first, w.case, id, 0, &photo[..2000]).await;
    assert_eq!((s, b["received"].as_i64()), (200, Some(2000)), "{b}");
    let (s, b) = put_bytes(&app, &w.first, w.case, id, 0, &photo[..2000]).await;
    assert_eq!(s, 409, "{b}");
    let status = first
        .call("GET", &format!("/cases/{}/evidence/{id}", w.case), None)
        .await;
    assert_eq!(status.body["received"], 2000);
    assert_eq!(status.body["state"], "uploading");

    // The second assessor does not see it before their own sheet is complete.
    let second = app.api("roc-a", &w.second);
    let list = second
        .call("GET", &format!("/cases/{}/evidence", w.case), None)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    let peek = second
        .call(
            "GET",
            &format!("/cases/{}/evidence/{id}/content", w.case),
            None,
        )
        .await;
    assert_eq!(peek.status, 404);

    // The rest goes on from where the server's copy ends; then it is whole and kept.
    let (s, b) = put_bytes(&app, &w.first, w.case, id, 2000, &photo[2000..]).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["state"], "received", "{b}");
    assert_eq!(b["contentType"], "image/jpeg");
    let got = app
        .client
        .get(format!(
            "{}/api/roc-a/cases/{}/evidence/{id}/content",
            app.address, w.case
        ))
        .header("cookie", &w.first.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(hex(&got.bytes().await.unwrap()), hex(&photo));

    // Bytes that claim to be a photo but are not are refused, and say so.
    let fake = b"just a text file pretending to be a photo of the work".repeat(4);
    let fid = Uuid::new_v4();
    let d = first
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(fid, "photo", &fake)),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let (s, b) = put_bytes(&app, &w.first, w.case, fid, 0, &fake).await;
    assert_eq!(s, 400, "{b}");
    assert_eq!(b["code"], "notThatType", "{b}");

    // Bytes that are not the ones declared (their hash differs) are refused too.
    let other = jpeg_like(500);
    let hid = Uuid::new_v4();
    let mut decl = declaration(hid, "photo", &other);
    decl["sha256"] = json!(hex(b"something else"));
    let d = first
        .call("POST", &format!("/cases/{}/evidence", w.case), Some(decl))
        .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let (s, b) = put_bytes(&app, &w.first, w.case, hid, 0, &other).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("hashMismatch")), "{b}");

    // Only an assessor of the exam adds evidence; a bad field is named.
    let by_student = app
        .api("roc-a", &w.student)
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(Uuid::new_v4(), "photo", &photo)),
        )
        .await;
    assert_eq!(by_student.status, 403, "{}", by_student.body);
    let mut bad = declaration(Uuid::new_v4(), "hologram", &photo);
    bad["size"] = json!(10);
    let r = first
        .call("POST", &format!("/cases/{}/evidence", w.case), Some(bad))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["detail"].as_str().unwrap().contains("kind"),
        "{}",
        r.body
    );

    // A clip half sent when the exam is signed: the documents wait for it.
    let clip = jpeg_like(4000);
    let cid = Uuid::new_v4();
    let d = first
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(cid, "photo", &clip)),
        )
        .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let (s, _) = put_bytes(&app, &w.first, w.case, cid, 0, &clip[..1000]).await;
    assert_eq!(s, 200);

    // A real photo on a criterion: its thumbnail goes on the form, the criterion names it.
    let real = base64::engine::general_purpose::STANDARD
        .decode(PHOTO)
        .unwrap();
    let criterion = scores(&app, 2)[0]["criterion"]
        .as_str()
        .unwrap()
        .to_string();
    let rid = Uuid::new_v4();
    let mut decl = declaration(rid, "photo", &real);
    decl["criterion"] = json!(criterion);
    let d = first
        .call("POST", &format!("/cases/{}/evidence", w.case), Some(decl))
        .await;
    assert_eq!(d.status, 201, "{}", d.body);
    let (s, b) = put_bytes(&app, &w.first, w.case, rid, 0, &real).await;
    assert_eq!((s, b["state"].as_str()), (200, Some("received")), "{b}");

    // Signed, the evidence is frozen: no more, none deleted; the record lists it with its hash.
    for who in [&w.first, &w.second] {
        score_mine(&app, who, w.case, 2).await;
    }
    judged(&app, &w).await;
    sign_all(&app, &w).await;
    let late = first
        .call(
            "POST",
            &format!("/cases/{}/evidence", w.case),
            Some(declaration(Uuid::new_v4(), "photo", &jpeg_like(100))),
        )
        .await;
    assert_eq!(
        (late.status, late.body["code"].as_str()),
        (400, Some("evidenceFrozen")),
        "{}",
        late.body
    );
    let del = first
        .call("DELETE", &format!("/cases/{}/evidence/{id}", w.case), None)
        .await;
    assert_eq!(del.status, 400, "{}", del.body);
    let docs = app.api("roc-a", &w.office).documents(w.case).await;
    assert_eq!(
        docs.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        docs.body
    );
    let (s, b) = put_bytes(&app, &w.first, w.case, cid, 1000, &clip[1000..]).await;
    assert_eq!((s, b["state"].as_str()), (200, Some("received")), "{b}");
    let docs = app.api("roc-a", &w.office).documents(w.case).await;
    assert_eq!(
        docs.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        docs.body
    );
    // The form lists each piece where it belongs, with its hash; the proces-verbaal counts them.
    let mut texts = std::collections::HashMap::new();
    for d in docs.body["items"].as_array().unwrap() {
        let r = app
            .client
            .get(format!("{}{}", app.address, d["href"].as_str().unwrap()))
            .header("cookie", &w.office.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let bytes = r.bytes().await.unwrap();
        if let Ok(dir) = std::env::var("PROEVE_KEEP_PDF") {
            std::fs::write(
                format!("{dir}/evidence-{}.pdf", d["documentType"].as_str().unwrap()),
                &bytes,
            )
            .unwrap();
        }
        texts.insert(
            d["documentType"].as_str().unwrap().to_string(),
            crate::delivery::pdf_text(&bytes),
        );
    }
    let form = &texts["assessmentForm"];
    let grouped = proeve::report::documents::grouped(&hex(&photo));
    for want in [
        "Bewijs",
        "foto: werkstuk.jpg",
        "bij het examen als geheel",
        &grouped[..17],
    ] {
        assert!(form.contains(want), "{want:?} not in the form: {form}");
    }
    assert!(
        form.contains("Bewijs: 3"),
        "the criterion names its evidence: {form}"
    );
    assert!(
        form.contains(&format!("bij criterium {criterion}")),
        "{form}"
    );
    let report = &texts["sessionReport"];
    assert!(report.contains("3 stuk(s): 3 × foto"), "{report}");
    let record = app
        .api("roc-a", &w.office)
        .call("GET", &format!("/cases/{}/record", w.case), None)
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    let listed = record.body["evidence"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{}", record.body["evidence"]);
    let with_thumb: Vec<&Value> = listed
        .iter()
        .filter(|e| e["thumbnail"].is_string())
        .collect();
    assert_eq!(
        with_thumb.len(),
        1,
        "only the real photo decodes: {}",
        record.body["evidence"]
    );
    assert_eq!(with_thumb[0]["criterion"], json!(criterion));
    assert_eq!(listed[0]["sha256"], hex(&photo));
    assert_eq!(listed[0]["received"], true);
    // The second assessor sees it now, and the view is on the trail.
    let seen = second
        .call(
            "GET",
            &format!("/cases/{}/evidence/{id}/content", w.case),
            None,
        )
        .await;
    assert_eq!(seen.status, 200);
    let trail = app
        .api("roc-a", &w.office)
        .call("GET", &format!("/cases/{}/audit", w.case), None)
        .await;
    assert!(
        trail.body.to_string().contains("viewed evidence"),
        "{}",
        trail.body
    );
}
