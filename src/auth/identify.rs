//! Which person of a school a sign-in names: an account is only let in when it matches
//! exactly one person the SIS sent through flow 1 (purged people never match).

use entity::person;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::Value;

/// What identifies the person, and where Proeve looks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// The person's `mail`, compared without regard to case.
    Mail(&'a str),
    /// An `otherCodes` entry of one of these code types, or (`primary`) the `primaryCode`.
    Code {
        value: &'a str,
        code_types: &'a [&'a str],
        primary: bool,
    },
}

impl<'a> Key<'a> {
    /// The key for an OpenID Connect claim, as `[tenants.oidc] claim` documents it.
    pub fn for_claim(claim: &str, value: &'a str) -> Key<'a> {
        match claim {
            "email" => Key::Mail(value),
            "eckid" => Key::Code {
                value,
                code_types: &["eckid"],
                primary: false,
            },
            "preferred_username" => Key::Code {
                value,
                code_types: &["userName", "accountId"],
                primary: false,
            },
            _ => Key::Code {
                value,
                code_types: &["studentNumber"],
                primary: true,
            },
        }
    }
}

#[derive(Debug)]
pub enum Found {
    One(Box<person::Model>),
    None,
    /// More than one person carries the key: nobody is let in.
    Several,
}

/// Whether the person's document carries `value` as a code of one of `code_types`: in
/// `otherCodes`, or (`primary`) as the `primaryCode`. The code type always counts: a staff
/// member's number that happens to equal a student number is not that student.
fn code_matches(doc: &Value, value: &str, code_types: &[&str], primary: bool) -> bool {
    let matches = |e: &Value| {
        e.get("code").and_then(Value::as_str) == Some(value)
            && e.get("codeType")
                .and_then(Value::as_str)
                .is_some_and(|t| code_types.contains(&t))
    };
    (primary && doc.get("primaryCode").is_some_and(matches))
        || doc
            .get("otherCodes")
            .and_then(Value::as_array)
            .is_some_and(|codes| codes.iter().any(matches))
}

/// Finds the one person of `tenant` that `key` names.
pub async fn find<C: ConnectionTrait>(db: &C, tenant: &str, key: Key<'_>) -> Result<Found, DbErr> {
    let query = person::Entity::find()
        .filter(person::Column::Tenant.eq(tenant))
        .filter(person::Column::PurgedAt.is_null());
    let mut people = match key {
        Key::Mail(mail) => {
            let mail = mail.trim().to_string();
            if mail.is_empty() {
                return Ok(Found::None);
            }
            // Lowered by the database on both sides, so both sides are lowered alike.
            query
                .filter(
                    Expr::expr(Func::lower(Expr::col(person::Column::Mail)))
                        .eq(Expr::expr(Func::lower(Expr::val(mail)))),
                )
                .all(db)
                .await?
        }
        Key::Code {
            value,
            code_types,
            primary,
        } => {
            if value.trim().is_empty() {
                return Ok(Found::None);
            }
            // Narrow in the database by the code as it is written in the stored JSON
            // document; then compare exactly.
            let written = serde_json::to_string(value).unwrap_or_default();
            let needle = written.trim_matches('"');
            let mut any = Condition::any().add(person::Column::Document.contains(needle));
            if primary {
                any = any.add(person::Column::PrimaryCode.eq(value));
            }
            query
                .filter(any)
                .all(db)
                .await?
                .into_iter()
                .filter(|p| {
                    p.document
                        .as_deref()
                        .and_then(|d| serde_json::from_str::<Value>(d).ok())
                        .is_some_and(|doc| code_matches(&doc, value, code_types, primary))
                })
                .collect()
        }
    };
    Ok(match people.len() {
        0 => Found::None,
        1 => people
            .pop()
            .map_or(Found::None, |p| Found::One(Box::new(p))),
        _ => Found::Several,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_match_only_their_own_type() {
        let doc = json!({
            "primaryCode": {"codeType": "studentNumber", "code": "1234567"},
            "otherCodes": [{"codeType": "eckid", "code": "urn:eck:1"},
                           {"codeType": "userName", "code": "mvdb"}],
        });
        assert!(code_matches(&doc, "urn:eck:1", &["eckid"], false));
        assert!(!code_matches(&doc, "mvdb", &["eckid"], false));
        assert!(code_matches(
            &doc,
            "mvdb",
            &["userName", "accountId"],
            false
        ));
        assert!(code_matches(&doc, "1234567", &["studentNumber"], true));
        assert!(!code_matches(&doc, "1234567", &["studentNumber"], false));
        let staff = json!({"primaryCode": {"codeType": "systemId", "code": "1234567"}});
        assert!(!code_matches(&staff, "1234567", &["studentNumber"], true));
        assert!(!code_matches(&doc, "123456", &["studentNumber"], true));
    }

    #[test]
    fn claims_choose_where_to_look() {
        assert_eq!(Key::for_claim("email", "a@b.nl"), Key::Mail("a@b.nl"));
        assert!(matches!(
            Key::for_claim("student_number", "1"),
            Key::Code { primary: true, .. }
        ));
        assert!(matches!(
            Key::for_claim("eckid", "1"),
            Key::Code {
                primary: false,
                code_types: ["eckid"],
                ..
            }
        ));
    }
}
