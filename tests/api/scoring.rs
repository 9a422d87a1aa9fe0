//! Scoring a planned exam: two assessors each fill in their sheet, a joint judgement where
//! they disagree, and the outcome from the scoring engine; every save in the audit trail.

use crate::helpers::*;
use proeve::assessment::sheets::{self, ScoreInput, Sheet, SheetUpdate};
use proeve::audit::{self, Actor};
use proeve::case::CaseError;
use proeve::planning::{self, Place, Plan, Planner};
use uuid::Uuid;

struct Planned {
    case: entity::exam_case::Model,
    first: Uuid,
    second: Uuid,
    offering: Uuid,
    student: Uuid,
}

async fn planned_exam(app: &TestApp) -> Planned {
    let (o, _, s, _, first) = enrolment(app, "roc-a").await;
    let second = second_assessor(app, o).await;
    let case = planning::cases(&app.app.db, "roc-a", None)
        .await
        .unwrap()
        .remove(0);
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let plan = Plan {
        start: at("2026-12-08T09:00:00+01:00"),
        end: at("2026-12-08T15:00:00+01:00"),
        place: Place::School {
            location: "Leerrestaurant, gebouw B".into(),
        },
        assessors: vec![first, second],
        reason: None,
        leader: None,
    };
    let case = planning::plan(
        &app.exams("roc-a"),
        case.case_id,
        1,
        &plan,
        &Planner {
            actor: Actor::System,
            exam_office: false,
        },
    )
    .await
    .unwrap();
    Planned {
        case,
        first,
        second,
        offering: o,
        student: s,
    }
}

/// Every criterion of the Kok model at `level` (with a note where that fails), except the
/// overrides.
fn all_at(app: &TestApp, level: u32, overrides: &[(&str, u32)]) -> Vec<ScoreInput> {
    let exam = app.app.catalog.get(KOK.parse().unwrap()).unwrap();
    exam.model
        .sections
        .iter()
        .flat_map(|s| &s.criteria)
        .map(|c| {
            let level = overrides
                .iter()
                .find(|(code, _)| *code == c.code)
                .map_or(level, |(_, l)| *l);
            ScoreInput {
                criterion: c.code.clone(),
                level,
                note: sheets::fails(c, level)
                    .then(|| "Niet aangetoond: zie toelichting".to_string()),
            }
        })
        .collect()
}

fn present(scores: Vec<ScoreInput>) -> SheetUpdate {
    SheetUpdate {
        attendance: Some("present".into()),
        identity: Some((true, "identiteitsbewijs vergeleken met idCheckName".into())),
        irregularities: None,
        scores,
        times_reason: Some(EARLIER.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn two_assessors_who_agree_give_the_outcome_and_the_result_is_owed_from_then_on() {
    let app = spawn_app().await;
    let p = planned_exam(&app).await;
    let db = &app.app.db;
    for who in [p.first, p.second] {
        // Saved in two small steps, as a phone would.
        let all = all_at(&app, 2, &[]);
        let (head, tail) = all.split_at(10);
        let r1 = sheets::save(
            &app.exams("roc-a"),
            p.case.case_id,
            Sheet::Assessor(who),
            0,
            &present(head.to_vec()),
            &Actor::Person(who),
        )
        .await
        .unwrap();
        let r2 = sheets::save(
            &app.exams("roc-a"),
            p.case.case_id,
            Sheet::Assessor(who),
            r1,
            &SheetUpdate {
                scores: tail.to_vec(),
                ..Default::default()
            },
            &Actor::Person(who),
        )
        .await
        .unwrap();
        assert_eq!((r1, r2), (1, 2));
    }
    let judged = finish_both(&app, &p).await.unwrap();
    assert_eq!(judged.state.as_str(), "assessed");
    assert_eq!(
        (judged.raw_score, judged.max_raw_score, judged.passed),
        (Some(54), Some(81), Some(true))
    );
    assert_eq!(judged.score.as_deref(), Some("6.5"));
    assert_eq!(judged.attendance.as_deref(), Some("present"));
    let trail = audit::trail(db, "roc-a", p.case.case_id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "received", "planned", "scored", "scored", "scored", "scored", "finished", "finished",
            "judged"
        ]
    );

    // The SIS cancels afterwards: the enrolment is canceled, but the student's data stays
    // because the result must still be delivered.
    assert_eq!(
        app.patch(
            "roc-a",
            &format!("/offerings/{}", p.offering),
            &cancel_offering()
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.get("roc-a", &format!("/persons/{}", p.student))
            .await
            .status,
        200
    );
    let still = planning::cases(db, "roc-a", None).await.unwrap().remove(0);
    assert_eq!(
        still.state.as_str(),
        "assessed",
        "an assessed exam is not canceled"
    );
}

#[tokio::test]
async fn a_disagreement_needs_a_joint_judgement_which_is_kept() {
    let app = spawn_app().await;
    let p = planned_exam(&app).await;
    let db = &app.app.db;
    let case = p.case.case_id;
    sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Assessor(p.first),
        0,
        &present(all_at(&app, 2, &[])),
        &Actor::Person(p.first),
    )
    .await
    .unwrap();
    sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Assessor(p.second),
        0,
        &present(all_at(&app, 2, &[("B1-K1-W1.1", 3)])),
        &Actor::Person(p.second),
    )
    .await
    .unwrap();
    // Both finished, they differ: the exam waits for their joint judgement.
    let waiting = finish_both(&app, &p).await.unwrap();
    assert_eq!(waiting.state.as_str(), "planned");
    let progress = sheets::progress_of(db, &waiting).await.unwrap().unwrap();
    assert_eq!(progress.differences, vec!["B1-K1-W1.1".to_string()]);
    assert!(progress.waiting_for.is_empty() && !progress.joint_complete);
    let joint = sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Joint,
        0,
        &present(all_at(&app, 2, &[("B1-K1-W1.1", 3)])),
        &Actor::Person(p.first),
    )
    .await
    .unwrap();
    // Saved by the first alone, it does not decide yet.
    let alone = sheets::judge(
        &app.exams("roc-a"),
        case,
        p.case.revision,
        &Actor::Person(p.first),
    )
    .await
    .unwrap();
    assert_eq!(alone.state.as_str(), "planned");
    sheets::confirm_joint(&app.exams("roc-a"), case, joint, p.second)
        .await
        .unwrap();
    let judged = sheets::judge(
        &app.exams("roc-a"),
        case,
        p.case.revision,
        &Actor::Person(p.second),
    )
    .await
    .unwrap();
    assert_eq!(judged.raw_score, Some(55));
    let last = audit::trail(db, "roc-a", case)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let after: serde_json::Value = serde_json::from_str(last.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["disagreements"][0]["criterion"], "B1-K1-W1.1");
    assert_eq!(
        (
            after["disagreements"][0]["first"].as_u64(),
            after["disagreements"][0]["second"].as_u64()
        ),
        (Some(2), Some(3))
    );
    // Every sheet stays readable next to the outcome.
    assert_eq!(sheets::sheets(db, "roc-a", case).await.unwrap().len(), 3);
}

#[tokio::test]
async fn bad_saves_are_refused_and_stale_ones_are_told_the_current_revision() {
    let app = spawn_app().await;
    let p = planned_exam(&app).await;
    let case = p.case.case_id;
    let one = |criterion: &str, level: u32, note: Option<&str>| SheetUpdate {
        scores: vec![ScoreInput {
            criterion: criterion.into(),
            level,
            note: note.map(str::to_string),
        }],
        ..Default::default()
    };
    let me = Actor::Person(p.first);
    let cases = [
        (
            Sheet::Assessor(p.first),
            one("B1-K1-W1.1", 0, None),
            "needs a note",
        ),
        (
            Sheet::Assessor(p.first),
            one("B1-K1-W1.1", 0, Some("  ")),
            "needs a note",
        ),
        (
            Sheet::Assessor(p.first),
            one("B1-K1-W1.1", 7, None),
            "not on its scale",
        ),
        (
            Sheet::Assessor(p.first),
            one("X-1", 2, None),
            "not in this exam",
        ),
        (
            Sheet::Assessor(p.student),
            one("B1-K1-W1.1", 2, None),
            "only the planned assessors",
        ),
        (
            Sheet::Assessor(p.first),
            SheetUpdate {
                attendance: Some("absent".into()),
                ..Default::default()
            },
            "attendance",
        ),
    ];
    for (sheet, update, expected) in cases {
        match sheets::save(&app.exams("roc-a"), case, sheet, 0, &update, &me).await {
            Err(e @ (CaseError::Invalid(_) | CaseError::Refused(_))) => {
                let m = e.to_string();
                assert!(m.contains(expected), "{expected}: {m}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
    let rev = sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Assessor(p.first),
        0,
        &one("B1-K1-W1.1", 0, Some("Geen planning gemaakt")),
        &me,
    )
    .await
    .unwrap();
    let stale = sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Assessor(p.first),
        0,
        &one("B1-K1-W1.1", 1, None),
        &me,
    )
    .await;
    assert!(matches!(stale, Err(CaseError::Stale { current, .. }) if current == rev));
    let judged = sheets::judge(&app.exams("roc-a"), case, p.case.revision, &me).await;
    assert!(
        matches!(&judged, Err(e @ (CaseError::Invalid(_) | CaseError::Refused(_))) if e.to_string().contains("not")),
        "{judged:?}"
    );
}

#[tokio::test]
async fn an_absent_candidate_is_judged_without_a_score() {
    let app = spawn_app().await;
    let p = planned_exam(&app).await;
    let absent = SheetUpdate {
        attendance: Some("notPresent".into()),
        ..Default::default()
    };
    for who in [p.first, p.second] {
        sheets::save(
            &app.exams("roc-a"),
            p.case.case_id,
            Sheet::Assessor(who),
            0,
            &absent,
            &Actor::Person(who),
        )
        .await
        .unwrap();
    }
    let judged = finish_both(&app, &p).await.unwrap();
    assert_eq!(
        (
            judged.state.as_str(),
            judged.attendance.as_deref(),
            judged.score.as_deref()
        ),
        ("assessed", Some("notPresent"), None)
    );
    // Nothing can be scored any more.
    let late = sheets::save(
        &app.exams("roc-a"),
        p.case.case_id,
        Sheet::Assessor(p.first),
        1,
        &absent,
        &Actor::Person(p.first),
    )
    .await;
    assert!(matches!(
        late,
        Err(CaseError::Invalid(_) | CaseError::Refused(_))
    ));
}

/// Both assessors finish their sheets, the first first; the second's answer: the exam as it
/// then stands.
async fn finish_both(app: &TestApp, p: &Planned) -> Result<entity::exam_case::Model, CaseError> {
    let case = p.case.case_id;
    let first = sheets::judge(
        &app.exams("roc-a"),
        case,
        p.case.revision,
        &Actor::Person(p.first),
    )
    .await?;
    assert_eq!(
        first.state.as_str(),
        "planned",
        "the first waits for the second"
    );
    sheets::judge(
        &app.exams("roc-a"),
        case,
        p.case.revision,
        &Actor::Person(p.second),
    )
    .await
}

/// A tiny valid-looking PNG (the signature pad sends one).
fn png(tag: u8) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R', tag]);
    v
}

async fn judged_exam(app: &TestApp) -> Planned {
    let p = planned_exam(app).await;
    for who in [p.first, p.second] {
        sheets::save(
            &app.exams("roc-a"),
            p.case.case_id,
            Sheet::Assessor(who),
            0,
            &present(all_at(app, 2, &[])),
            &Actor::Person(who),
        )
        .await
        .unwrap();
    }
    finish_both(app, &p).await.unwrap();
    p
}

#[tokio::test]
async fn every_signature_makes_the_exam_signed_and_the_committee_finalises_it() {
    use proeve::assessment::signing::{self, Signer};
    let app = spawn_app().await;
    let p = judged_exam(&app).await;
    let db = &app.app.db;
    let case = p.case.case_id;
    let after_first = signing::sign(
        &app.exams("roc-a"),
        case,
        &Signer::Assessor {
            person_id: p.first,
            image: png(1),
        },
        "jo@roc-a",
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        after_first.state.as_str(),
        "assessed",
        "one signature is not enough"
    );
    let refusals = [
        (
            Signer::Assessor {
                person_id: p.first,
                image: png(2),
            },
            "never replaced",
        ),
        (
            Signer::Assessor {
                person_id: p.student,
                image: png(3),
            },
            "only the planned assessors",
        ),
        (
            Signer::Assessor {
                person_id: p.second,
                image: b"GIF89a".to_vec(),
            },
            "PNG",
        ),
        (
            Signer::CandidateRefused {
                recorded_by: p.second,
                reason: " ".into(),
            },
            "say why",
        ),
    ];
    for (signer, expected) in refusals {
        match signing::sign(&app.exams("roc-a"), case, &signer, "x", None).await {
            Err(e @ (CaseError::Invalid(_) | CaseError::Refused(_))) => {
                let m = e.to_string();
                assert!(m.contains(expected), "{expected}: {m}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
    signing::sign(
        &app.exams("roc-a"),
        case,
        &Signer::Assessor {
            person_id: p.second,
            image: png(4),
        },
        "chris@roc-a",
        None,
    )
    .await
    .unwrap();
    let signed = signing::sign(
        &app.exams("roc-a"),
        case,
        &Signer::Candidate { image: png(5) },
        "ayse@student",
        None,
    )
    .await
    .unwrap();
    assert_eq!(signed.state.as_str(), "signed");
    assert!(signed.signed_at.is_some());
    let stored = signing::signatures(db, "roc-a", case).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert!(stored
        .iter()
        .all(|s| s.image_sha256.as_ref().is_some_and(|h| h.len() == 64)));

    // The record is frozen: no more scoring or judging.
    let late = sheets::save(
        &app.exams("roc-a"),
        case,
        Sheet::Assessor(p.first),
        1,
        &present(vec![]),
        &Actor::Person(p.first),
    )
    .await;
    assert!(matches!(
        late,
        Err(CaseError::Invalid(_) | CaseError::Refused(_))
    ));

    // The committee finalises in bulk; an exam that is not signed yet is reported, not fatal.
    let other = id();
    let results = signing::finalise(&app.exams("roc-a"), &[case, other], id()).await;
    assert_eq!(
        results[0].1.as_ref().map(|c| c.state.as_str()).ok(),
        Some("final")
    );
    assert!(matches!(results[1].1, Err(CaseError::NotFound(_))));
    let again = signing::finalise(&app.exams("roc-a"), &[case], id()).await;
    assert!(matches!(&again[0].1, Err(CaseError::Invalid(m)) if m.contains("final")));
    let actions: Vec<String> = audit::trail(db, "roc-a", case)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    // Signing and finalising render the documents themselves: no caller has to remember to.
    assert_eq!(
        actions[actions.len() - 7..],
        [
            "signed by assessor",
            "signed by assessor",
            "acknowledged by candidate",
            "signed",
            "documents rendered",
            "finalised",
            "documents rendered"
        ]
    );
}

#[tokio::test]
async fn a_refused_acknowledgement_is_recorded_and_a_school_that_finalises_in_its_sis_cannot_finalise_here(
) {
    use proeve::assessment::signing::{self, Signer};
    let app = spawn_app_with(|s| s.tenants[0].finalise_in_proeve = false).await;
    let p = judged_exam(&app).await;
    let db = &app.app.db;
    for who in [p.first, p.second] {
        signing::sign(
            &app.exams("roc-a"),
            p.case.case_id,
            &Signer::Assessor {
                person_id: who,
                image: png(9),
            },
            "x",
            None,
        )
        .await
        .unwrap();
    }
    let refused = Signer::CandidateRefused {
        recorded_by: p.first,
        reason: "Kandidaat is het niet eens met de beoordeling en tekent niet".into(),
    };
    let signed = signing::sign(
        &app.exams("roc-a"),
        p.case.case_id,
        &refused,
        "jo@roc-a",
        None,
    )
    .await
    .unwrap();
    assert_eq!(signed.state.as_str(), "signed");
    let candidate = signing::signatures(db, "roc-a", p.case.case_id)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.role == "candidate")
        .unwrap();
    assert!(candidate.image.is_none() && candidate.refusal.is_some());
    let r = signing::finalise(&app.exams("roc-a"), &[p.case.case_id], id()).await;
    assert!(matches!(&r[0].1, Err(CaseError::Invalid(m)) if m.contains("SIS")));
}
