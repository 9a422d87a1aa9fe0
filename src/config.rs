//! Typed configuration: defaults, then a TOML file, then `PROEVE_<KEY>` environment variables.
//! Everything is validated here, at start-up; an invalid setting stops Proeve with a message
//! that names the key.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings of one running Proeve.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub public_url: String,
    pub database_url: String,
    pub contact_email: String,
    pub documentation_url: String,
    pub catalog_dir: PathBuf,
    pub tenants: Vec<TenantSettings>,
    /// Where sign-in links are mailed from; without it, no links are sent.
    pub smtp: Option<SmtpSettings>,
    /// Demo mode: the `demo` tenant verifies tokens with the demo key kept in this file.
    pub demo_key_file: Option<PathBuf>,
    /// How results are delivered to the SIS (flow 5).
    pub delivery: DeliverySettings,
    /// Whether concurrent flow 1 PUTs share one durable commit (default; see
    /// `intake::writer`). Off: each PUT commits on its own, as a benchmark's baseline.
    pub group_commit: bool,
    /// Who may read `GET /metrics`.
    pub metrics: MetricsAccess,
    /// Proeve runs behind a reverse proxy that sets `X-Forwarded-For` (or `Forwarded`): the
    /// client's address is taken from it (for the sign-in limits and the log), not from the
    /// connection, which is the proxy's. Only with a proxy that overwrites the header.
    pub behind_proxy: bool,
}

/// Who may read `GET /metrics` (it names every school of the deployment).
#[derive(Debug, Clone)]
pub enum MetricsAccess {
    /// Nobody: the default of a configured deployment.
    Off,
    /// Anyone: the demo's default.
    Open,
    /// Whoever sends `Authorization: Bearer <token>` (`metrics_token`, `PROEVE_METRICS_TOKEN`).
    Token(SecretString),
}

/// Delivery of flow 5 messages: how often the outbox is looked at, how long a SIS may take
/// to answer, and how retries back off (exponentially, with jitter, up to the cap).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    pub poll_ms: u64,
    pub timeout_secs: u64,
    pub retry_base_ms: u64,
    pub retry_cap_secs: u64,
    /// How long a claimed message belongs to its worker: one that died mid-send leaves it
    /// to be sent again after this.
    pub lease_secs: u64,
    /// A SIS on the OKE 1.1 draft hears `planningState: pending` for a new enrolment this long
    /// after it arrived, unless a later status replaced it by then (the exam was planned):
    /// a term start's thousands of enrolments go in at full speed, and planning statuses
    /// follow.
    pub pending_after_secs: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            poll_ms: 500,
            timeout_secs: 30,
            retry_base_ms: 2000,
            retry_cap_secs: 1800,
            lease_secs: 120,
            pending_after_secs: 300,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    pub slug: String,
    pub name: String,
    pub sis_auth: SisAuthSettings,
    #[serde(default)]
    pub sis: Option<SisSettings>,
    /// Codes of the catalogue tests this school holds a licence for; absent means all.
    #[serde(default)]
    pub licensed_components: Option<Vec<String>>,
    /// Whether the exam committee finalises results in Proeve (else the SIS does, and signed
    /// results go out as non-final).
    #[serde(default)]
    pub finalise_in_proeve: bool,
    /// People of the exam office (examenbureau): person ids or e-mail addresses as the SIS
    /// sent them.
    #[serde(default)]
    pub exam_office: Vec<String>,
    /// Members of the exam committee (examencommissie), likewise.
    #[serde(default)]
    pub exam_committee: Vec<String>,
    /// School sign-in with OpenID Connect.
    #[serde(default)]
    pub oidc: Option<OidcSettings>,
    /// How and until when a candidate may object to a result or appeal (the school's own
    /// words, in Dutch): shown with the result and printed on the documents.
    #[serde(default)]
    pub appeal: Option<String>,
    /// Whom a candidate contacts about an exam (questions, illness): the school's own words,
    /// shown on the planned exam and in its calendar entry.
    #[serde(default)]
    pub contact: Option<String>,
    /// Evidence the assessors add to exams (photos, clips, files): limits, and what the SIS
    /// gets of it.
    #[serde(default)]
    pub evidence: EvidenceSettings,
}

/// The school's rules for evidence on the exam record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceSettings {
    /// The largest file, in MB (10^6 bytes).
    pub max_file_mb: u64,
    /// The most evidence of one exam together, in MB.
    pub max_exam_mb: u64,
}

impl Default for EvidenceSettings {
    fn default() -> Self {
        EvidenceSettings {
            max_file_mb: 100,
            max_exam_mb: 500,
        }
    }
}

impl EvidenceSettings {
    pub fn max_file_bytes(&self) -> i64 {
        i64::try_from(self.max_file_mb.saturating_mul(1_000_000)).unwrap_or(i64::MAX)
    }

    pub fn max_exam_bytes(&self) -> i64 {
        i64::try_from(self.max_exam_mb.saturating_mul(1_000_000)).unwrap_or(i64::MAX)
    }
}

/// The school's OpenID Provider, for people signing in (authorization code flow with PKCE).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Which claim identifies the person among those the SIS sent: `email` (their `mail`),
    /// `eckid` or `preferred_username` (their `otherCodes` of type `eckid`, resp. `userName`
    /// or `accountId`), or the name of any other claim that carries the student number (a
    /// `primaryCode` or `otherCodes` entry of type `studentNumber`).
    #[serde(default = "email_claim")]
    pub claim: String,
    /// With `claim = "email"`: accept addresses the provider does not mark as verified
    /// (`email_verified` absent, as with Microsoft Entra ID). Only for a provider where
    /// nobody can give themselves someone else's address.
    #[serde(default)]
    pub trust_unverified_email: bool,
    /// The scopes asked for besides `openid`: those that release the claims above.
    #[serde(default = "oidc_scopes")]
    pub scopes: Vec<String>,
    /// A claim (a string or a list of strings) with the person's roles or groups. Where it
    /// holds one of `exam_office_roles` or `exam_committee_roles`, the person has that role.
    #[serde(default)]
    pub roles_claim: Option<String>,
    #[serde(default)]
    pub exam_office_roles: Vec<String>,
    #[serde(default)]
    pub exam_committee_roles: Vec<String>,
}

fn email_claim() -> String {
    "email".into()
}

fn oidc_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into()]
}

/// How Proeve verifies the bearer tokens of the school's SIS.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SisAuthSettings {
    pub issuer: String,
    /// Where the identity provider publishes its signing keys. Not used for the demo tenant.
    #[serde(default)]
    pub jwks_url: String,
    pub audience: String,
    /// When set, the token's `client_id` (or `azp`) claim must equal it.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The longest a token may live, from `iat` to `exp` (default 24 hours), so a leaked
    /// token does not open the school for ever.
    #[serde(default = "max_token_lifetime_minutes")]
    pub max_token_lifetime_minutes: u32,
}

fn max_token_lifetime_minutes() -> u32 {
    24 * 60
}

/// How Proeve reaches the school's SIS (flow 1 pull, flow 5).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SisSettings {
    pub base_url: String,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// For a SIS that does not push: fetch its planbare toetsen, enrolments and persons
    /// (flow 1 pull) this often. Absent: only when the exam office asks.
    #[serde(default)]
    pub pull_every_minutes: Option<u64>,
    /// Which OKE version the SIS speaks: `auto` (default: as its `GET /` says), `1.0.1`, or
    /// `1.1` (the draft that adds the planning status to flow 5).
    #[serde(default)]
    pub oke_version: OkeVersion,
}

impl TenantSettings {
    /// Whether the school's SIS may take planning statuses (`planningState`, the OKE 1.1
    /// draft): there is a SIS to send to, and it is not configured as 1.0.1. (On `auto`, the
    /// delivery asks it and skips them for a 1.0.1 SIS.)
    pub fn takes_planning_status(&self) -> bool {
        self.sis
            .as_ref()
            .is_some_and(|s| s.oke_version != OkeVersion::V1_0_1)
    }
}

/// The OKE version of a SIS, as configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum OkeVersion {
    /// Ask the SIS (`GET /`, `supportedConsumers`).
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "1.0.1")]
    V1_0_1,
    #[serde(rename = "1.1")]
    V1_1,
}

/// The mail server for sign-in links.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls`, or `none` (only to localhost).
    #[serde(default = "starttls")]
    pub security: String,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The sender, e.g. `Proeve <noreply@proeve.example.nl>`.
    pub from: String,
}

fn smtp_port() -> u16 {
    587
}

fn starttls() -> String {
    "starttls".into()
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    public_url: Option<String>,
    database_url: Option<String>,
    contact_email: Option<String>,
    documentation_url: Option<String>,
    catalog_dir: Option<String>,
    #[serde(default)]
    tenants: Vec<TenantSettings>,
    smtp: Option<SmtpSettings>,
    #[serde(default)]
    delivery: DeliverySettings,
    group_commit: Option<bool>,
    metrics_token: Option<SecretString>,
    behind_proxy: Option<bool>,
}

/// A configuration error; the message names the key (or file) that is wrong.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn err(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// Top-level keys that `PROEVE_<KEY>` environment variables may override.
const TOP_LEVEL_KEYS: [&str; 6] = [
    "bind",
    "public_url",
    "database_url",
    "contact_email",
    "documentation_url",
    "catalog_dir",
];

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_ISSUER: &str = "proeve-demo";
pub const DEMO_AUDIENCE: &str = "proeve";
pub const DEMO_KEY_FILE: &str = "proeve-demo-key.pem";
/// The demo school's exam office and committee (persons in `demo/seed.json`).
pub const DEMO_EXAM_OFFICE: &str = "4c915d7e-6f80-4a12-8d4e-5f6a7b8c9da4";
pub const DEMO_EXAM_COMMITTEE: &str = "5da26e8f-7091-4b23-9e5f-6a7b8c9daeb5";
/// The demo school's words on objecting and appealing.
pub const DEMO_APPEAL: &str = "Ben je het niet eens met de uitslag? Dien binnen zes weken na de \
    bekendmaking een bezwaar in bij de examencommissie (examencommissie@demo-roc.example). \
    Tegen het besluit op je bezwaar kun je in beroep gaan bij de Commissie van Beroep voor de \
    Examens.";

/// Whom the demo school's candidates contact.
pub const DEMO_CONTACT: &str = "Het examenbureau: examenbureau@demo-roc.example of 040 123 45 67 \
    (op werkdagen 8.30–16.30 uur).";

impl Settings {
    /// Settings from a configuration file, with environment overrides applied.
    pub fn from_file(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
        let file: FileSettings = toml::from_str(&text)
            .map_err(|e| err(format!("{}: {}", path.display(), e.to_string().trim())))?;
        if file.tenants.is_empty() {
            return Err(err(format!(
                "{}: `tenants`: configure at least one [[tenants]] block",
                path.display()
            )));
        }
        Self::build(file, env, None)
    }

    /// The demo: one tenant `demo` whose tokens `proeve demo-token` mints.
    pub fn demo(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file = FileSettings {
            tenants: vec![TenantSettings {
                slug: DEMO_TENANT.into(),
                name: "Demo ROC".into(),
                sis_auth: SisAuthSettings {
                    issuer: DEMO_ISSUER.into(),
                    jwks_url: String::new(),
                    audience: DEMO_AUDIENCE.into(),
                    client_id: None,
                    max_token_lifetime_minutes: max_token_lifetime_minutes(),
                },
                sis: None,
                licensed_components: None,
                finalise_in_proeve: true,
                exam_office: vec![DEMO_EXAM_OFFICE.into()],
                exam_committee: vec![DEMO_EXAM_COMMITTEE.into()],
                oidc: None,
                appeal: Some(DEMO_APPEAL.into()),
                contact: Some(DEMO_CONTACT.into()),
                evidence: Default::default(),
            }],
            ..FileSettings::default()
        };
        let key_file = env("PROEVE_DEMO_KEY_FILE").unwrap_or_else(|| DEMO_KEY_FILE.to_string());
        Self::build(file, env, Some(PathBuf::from(key_file)))
    }

    fn build(
        mut file: FileSettings,
        env: &dyn Fn(&str) -> Option<String>,
        demo_key_file: Option<PathBuf>,
    ) -> Result<Self, ConfigError> {
        for key in TOP_LEVEL_KEYS {
            if let Some(v) = env(&format!("PROEVE_{}", key.to_uppercase())) {
                let slot = match key {
                    "bind" => &mut file.bind,
                    "public_url" => &mut file.public_url,
                    "database_url" => &mut file.database_url,
                    "contact_email" => &mut file.contact_email,
                    "documentation_url" => &mut file.documentation_url,
                    _ => &mut file.catalog_dir,
                };
                *slot = Some(v);
            }
        }
        // The mail server, from the environment too (also in demo mode): a host sets it,
        // the other parts override the file's or take their defaults.
        if let Some(host) = env("PROEVE_SMTP_HOST") {
            let base = file.smtp.take();
            let port = match env("PROEVE_SMTP_PORT") {
                Some(p) => p
                    .parse()
                    .map_err(|_| err(format!("`PROEVE_SMTP_PORT`: {p:?} is not a port")))?,
                None => base.as_ref().map_or_else(smtp_port, |b| b.port),
            };
            file.smtp = Some(SmtpSettings {
                host,
                port,
                security: env("PROEVE_SMTP_SECURITY")
                    .or_else(|| base.as_ref().map(|b| b.security.clone()))
                    .unwrap_or_else(starttls),
                username: env("PROEVE_SMTP_USERNAME")
                    .or_else(|| base.as_ref().and_then(|b| b.username.clone())),
                password: env("PROEVE_SMTP_PASSWORD")
                    .map(SecretString::from)
                    .or_else(|| base.as_ref().and_then(|b| b.password.clone())),
                from: env("PROEVE_SMTP_FROM")
                    .or_else(|| base.as_ref().map(|b| b.from.clone()))
                    .unwrap_or_default(),
            });
        }
        for t in &mut file.tenants {
            let var = format!("PROEVE_TENANT_{}_SIS_CLIENT_SECRET", env_slug(&t.slug));
            if let (Some(secret), Some(sis)) = (env(&var), t.sis.as_mut()) {
                sis.client_secret = SecretString::from(secret);
            }
            let var = format!("PROEVE_TENANT_{}_OIDC_CLIENT_SECRET", env_slug(&t.slug));
            if let (Some(secret), Some(oidc)) = (env(&var), t.oidc.as_mut()) {
                oidc.client_secret = SecretString::from(secret);
            }
        }

        let bind_text = file.bind.unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            err(format!(
                "`bind`: {bind_text:?} is not an address like 127.0.0.1:8080"
            ))
        })?;
        let public_url = file
            .public_url
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        check_url("public_url", &public_url, false)?;
        let database_url = file
            .database_url
            .unwrap_or_else(|| "sqlite://proeve.db?mode=rwc".into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(err(
                "`database_url`: must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        let contact_email = file
            .contact_email
            .unwrap_or_else(|| "support@proeve.example".into());
        if !contact_email.contains('@') || contact_email.len() > 256 {
            return Err(err(
                "`contact_email`: must be an e-mail address of at most 256 characters",
            ));
        }
        let documentation_url = file
            .documentation_url
            .unwrap_or_else(|| format!("{public_url}/docs"));
        check_url("documentation_url", &documentation_url, false)?;

        let mut seen = HashSet::new();
        let mut auth_seen: Vec<(&str, &str, &str, Option<&str>)> = Vec::new();
        for (i, t) in file.tenants.iter().enumerate() {
            let at = format!("tenants[{i}]");
            if !valid_slug(&t.slug) {
                return Err(err(format!(
                    "`{at}.slug`: {:?} must be 1-40 characters a-z, 0-9 or '-'",
                    t.slug
                )));
            }
            if !seen.insert(t.slug.clone()) {
                return Err(err(format!("`{at}.slug`: {:?} is used twice", t.slug)));
            }
            if demo_key_file.is_none() && t.slug == DEMO_TENANT {
                return Err(err(format!(
                    "`{at}.slug`: \"demo\" is reserved for the demo mode"
                )));
            }
            if t.name.trim().is_empty() {
                return Err(err(format!("`{at}.name`: must not be empty")));
            }
            if t.sis_auth.issuer.trim().is_empty() {
                return Err(err(format!("`{at}.sis_auth.issuer`: must not be empty")));
            }
            if t.sis_auth.audience.trim().is_empty() {
                return Err(err(format!("`{at}.sis_auth.audience`: must not be empty")));
            }
            if !(1..=7 * 24 * 60).contains(&t.sis_auth.max_token_lifetime_minutes) {
                return Err(err(format!(
                    "`{at}.sis_auth.max_token_lifetime_minutes`: must be 1 to 10080 (a week)"
                )));
            }
            if demo_key_file.is_none() {
                if t.sis_auth.issuer == DEMO_ISSUER {
                    return Err(err(format!(
                        "`{at}.sis_auth.issuer`: {DEMO_ISSUER:?} is reserved for the demo mode"
                    )));
                }
                check_url(
                    &format!("{at}.sis_auth.jwks_url"),
                    &t.sis_auth.jwks_url,
                    true,
                )?;
            }
            if let Some(sis) = &t.sis {
                check_url(&format!("{at}.sis.base_url"), &sis.base_url, true)?;
                check_url(&format!("{at}.sis.token_url"), &sis.token_url, true)?;
                if sis.client_id.trim().is_empty() {
                    return Err(err(format!("`{at}.sis.client_id`: must not be empty")));
                }
            }
            if let Some(oidc) = &t.oidc {
                check_url(&format!("{at}.oidc.issuer"), &oidc.issuer, true)?;
                if oidc.client_id.trim().is_empty() {
                    return Err(err(format!("`{at}.oidc.client_id`: must not be empty")));
                }
                if oidc.claim.trim().is_empty() || oidc.claim == "sub" {
                    return Err(err(format!(
                        "`{at}.oidc.claim`: name the claim that identifies a person as the SIS \
                         knows them (email, eckid, preferred_username or a number claim); \
                         `sub` is the provider's own id, which the SIS does not have"
                    )));
                }
                let has_roles =
                    !oidc.exam_office_roles.is_empty() || !oidc.exam_committee_roles.is_empty();
                if has_roles != oidc.roles_claim.is_some() {
                    return Err(err(format!(
                        "`{at}.oidc.roles_claim`: give it together with exam_office_roles or \
                         exam_committee_roles, or neither"
                    )));
                }
            }
            // Tenants that trust the same identity provider are told apart by client_id;
            // an audience alone is not enough (a token may carry several).
            let key = (
                t.sis_auth.issuer.as_str(),
                t.sis_auth.audience.as_str(),
                t.slug.as_str(),
                t.sis_auth.client_id.as_deref(),
            );
            if let Some(other) = auth_seen
                .iter()
                .find(|o| o.0 == key.0 && (o.3.is_none() || key.3.is_none() || o.3 == key.3))
            {
                return Err(err(format!(
                    "`{at}.sis_auth`: tenants {:?} and {:?} trust the same issuer, so a token of \
                     one could open the other; give each its own sis_auth.client_id",
                    other.2, t.slug
                )));
            }
            auth_seen.push(key);
        }

        if let Some(smtp) = &file.smtp {
            if smtp.host.trim().is_empty() {
                return Err(err("`smtp.host`: must not be empty"));
            }
            if !["starttls", "tls", "none"].contains(&smtp.security.as_str()) {
                return Err(err("`smtp.security`: must be starttls, tls or none"));
            }
            if smtp.security == "none"
                && !matches!(smtp.host.as_str(), "localhost" | "127.0.0.1" | "::1")
            {
                return Err(err("`smtp.security`: none is only allowed to localhost"));
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(err(format!(
                    "`smtp.from`: {:?} is not a mail address",
                    smtp.from
                )));
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                return Err(err(
                    "`smtp.username` and `smtp.password`: give both or neither",
                ));
            }
        }
        let d = &file.delivery;
        if d.lease_secs <= d.timeout_secs {
            return Err(err(format!(
                "`delivery.lease_secs`: {} must be longer than `delivery.timeout_secs` ({}), or a \
                 slow answer could see its message sent twice at once",
                d.lease_secs, d.timeout_secs
            )));
        }
        let group_commit = match env("PROEVE_GROUP_COMMIT").as_deref() {
            None => file.group_commit.unwrap_or(true),
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                return Err(err(format!(
                    "PROEVE_GROUP_COMMIT: {other:?} is not true or false"
                )))
            }
        };
        if d.poll_ms == 0 || d.retry_base_ms == 0 || d.timeout_secs == 0 {
            return Err(err(
                "`delivery`: poll_ms, retry_base_ms and timeout_secs must be above 0",
            ));
        }
        let metrics = match env("PROEVE_METRICS_TOKEN")
            .map(SecretString::from)
            .or(file.metrics_token)
        {
            Some(t) if t.expose_secret().len() < 16 => {
                return Err(err(
                    "`metrics_token`: must be at least 16 characters (a random secret)",
                ))
            }
            Some(t) => MetricsAccess::Token(t),
            None if demo_key_file.is_some() => MetricsAccess::Open,
            None => MetricsAccess::Off,
        };
        Ok(Settings {
            bind,
            public_url,
            database_url,
            contact_email,
            documentation_url,
            catalog_dir: PathBuf::from(file.catalog_dir.unwrap_or_else(|| "catalog".into())),
            tenants: file.tenants,
            smtp: file.smtp,
            demo_key_file,
            delivery: file.delivery,
            group_commit,
            metrics,
            behind_proxy: file.behind_proxy.unwrap_or(false),
        })
    }

    pub fn is_demo(&self) -> bool {
        self.demo_key_file.is_some()
    }
}

/// `roc-a` → `ROC_A`, for per-tenant environment variables.
pub fn env_slug(slug: &str) -> String {
    slug.to_uppercase().replace('-', "_")
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// URLs must be absolute http(s); where `https_unless_loopback`, plain http is only allowed
/// to this machine, so tokens and secrets never travel unencrypted.
fn check_url(key: &str, url: &str, https_unless_loopback: bool) -> Result<(), ConfigError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| err(format!("`{key}`: {url:?} is not an absolute URL")))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = matches!(
                parsed.host_str(),
                Some("localhost") | Some("127.0.0.1") | Some("[::1]")
            );
            if https_unless_loopback && !loopback {
                Err(err(format!(
                    "`{key}`: must use https (plain http is only allowed to localhost)"
                )))
            } else {
                Ok(())
            }
        }
        _ => Err(err(format!("`{key}`: must be an http or https URL"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn from_text(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let path =
            std::env::temp_dir().join(format!("proeve-config-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        let result = Settings::from_file(&path, env).map_err(|e| e.to_string());
        let _ = std::fs::remove_file(&path);
        result
    }

    fn example() -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("proeve.example.toml"))
            .unwrap_or_default()
    }

    #[test]
    fn metrics_are_off_for_a_configured_deployment_open_in_the_demo_and_need_a_real_token() {
        let s = from_text(&example(), &no_env).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(s.metrics, MetricsAccess::Off));
        let s = Settings::demo(&no_env).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(s.metrics, MetricsAccess::Open));
        let token =
            |t: &'static str| move |k: &str| (k == "PROEVE_METRICS_TOKEN").then(|| t.to_string());
        let s =
            from_text(&example(), &token("0123456789abcdef0123")).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(s.metrics, MetricsAccess::Token(_)));
        let short = from_text(&example(), &token("secret"))
            .err()
            .unwrap_or_default();
        assert!(short.contains("`metrics_token`"), "{short}");
    }

    #[test]
    fn the_shipped_example_is_valid() {
        let s = from_text(&example(), &no_env);
        assert!(
            matches!(&s, Ok(s) if s.tenants.len() == 2 && !s.is_demo()),
            "{s:?}"
        );
    }

    #[test]
    fn environment_variables_override_top_level_keys_and_secrets() {
        let env = |k: &str| match k {
            "PROEVE_BIND" => Some("0.0.0.0:9000".to_string()),
            "PROEVE_DATABASE_URL" => Some("postgres://p@db/proeve".to_string()),
            "PROEVE_TENANT_ROC_A_SIS_CLIENT_SECRET" => Some("from-env".to_string()),
            "PROEVE_TENANT_ROC_A_OIDC_CLIENT_SECRET" => Some("oidc-from-env".to_string()),
            _ => None,
        };
        let s = from_text(&example(), &env).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.database_url, "postgres://p@db/proeve");
        use secrecy::ExposeSecret;
        let secret = s.tenants[0]
            .sis
            .as_ref()
            .map(|sis| sis.client_secret.expose_secret().to_string());
        assert_eq!(secret.as_deref(), Some("from-env"));
        let secret = s.tenants[0]
            .oidc
            .as_ref()
            .map(|o| o.client_secret.expose_secret().to_string());
        assert_eq!(secret.as_deref(), Some("oidc-from-env"));
        assert!(
            !format!("{s:?}").contains("from-env"),
            "secrets never print"
        );
    }

    #[test]
    fn invalid_settings_name_the_key() {
        let cases = [
            (
                "bind = \"127.0.0.1:8080\"",
                "bind = \"localhost\"",
                "`bind`",
            ),
            ("slug = \"roc-a\"", "slug = \"ROC A\"", "tenants[0].slug"),
            ("slug = \"roc-b\"", "slug = \"roc-a\"", "used twice"),
            (
                "jwks_url = \"https://login.roc-a.nl/jwks\"",
                "jwks_url = \"http://login.roc-a.nl/jwks\"",
                "tenants[0].sis_auth.jwks_url",
            ),
            (
                "database_url = \"sqlite",
                "database_url = \"mysql",
                "`database_url`",
            ),
            (
                "name = \"ROC A\"",
                "name = \"ROC A\"\ncolour = \"blue\"",
                "colour",
            ),
            (
                "issuer = \"https://idp.roc-b.nl/realms/school\"",
                "issuer = \"https://login.roc-a.nl\"",
                "trust the same issuer",
            ),
            ("slug = \"roc-b\"", "slug = \"demo\"", "reserved"),
            (
                "client_id = \"proeve-app\"",
                "client_id = \" \"",
                "tenants[0].oidc.client_id",
            ),
            (
                "claim = \"email\"",
                "claim = \"sub\"",
                "tenants[0].oidc.claim",
            ),
            (
                "roles_claim = \"groups\"",
                "",
                "tenants[0].oidc.roles_claim",
            ),
            (
                "issuer = \"https://login.roc-a.nl\"\nclient_id = \"proeve-app\"",
                "issuer = \"http://login.roc-a.nl\"\nclient_id = \"proeve-app\"",
                "tenants[0].oidc.issuer",
            ),
            (
                "security = \"starttls\"",
                "security = \"none\"",
                "smtp.security",
            ),
            (
                "from = \"Proeve <noreply@proeve.example.nl>\"",
                "from = \"nobody\"",
                "smtp.from",
            ),
        ];
        for (from, to, expected) in cases {
            let text = example().replacen(from, to, 1);
            let err = from_text(&text, &no_env).err().unwrap_or_default();
            assert!(
                err.contains(expected),
                "{to}: expected {expected:?} in {err:?}"
            );
        }
        let err = from_text("bind = \"127.0.0.1:1\"\n", &no_env)
            .err()
            .unwrap_or_default();
        assert!(err.contains("tenants"), "{err}");
    }

    #[test]
    fn tenants_may_share_an_issuer_with_their_own_client_ids() {
        let shared = example()
            .replace(
                "issuer = \"https://idp.roc-b.nl/realms/school\"",
                "issuer = \"https://login.roc-a.nl\"",
            )
            .replace("# client_id = \"sis-roc-a\"", "client_id = \"sis-roc-a\"");
        let with_b = shared.replacen(
            "jwks_url = \"https://idp.roc-b.nl/realms/school/protocol/openid-connect/certs\"",
            "jwks_url = \"https://login.roc-a.nl/jwks\"\nclient_id = \"sis-roc-b\"",
            1,
        );
        assert!(
            from_text(&with_b, &no_env).is_ok(),
            "{:?}",
            from_text(&with_b, &no_env).err()
        );
        let err = from_text(&shared, &no_env).err().unwrap_or_default();
        assert!(err.contains("client_id"), "{err}");
    }

    #[test]
    fn the_demo_has_one_tenant_and_its_key_file() {
        let s = Settings::demo(&no_env).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.is_demo());
        assert_eq!(s.tenants.len(), 1);
        assert_eq!(s.tenants[0].slug, DEMO_TENANT);
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://proeve.db?mode=rwc");
    }

    #[test]
    fn the_mail_server_comes_from_the_environment_too_and_is_checked() {
        let env = |port: &'static str| {
            move |k: &str| match k {
                "PROEVE_SMTP_HOST" => Some("127.0.0.1".to_string()),
                "PROEVE_SMTP_PORT" => Some(port.to_string()),
                "PROEVE_SMTP_SECURITY" => Some("none".to_string()),
                "PROEVE_SMTP_FROM" => Some("Proeve <noreply@demo-roc.example>".to_string()),
                _ => None,
            }
        };
        let s = Settings::demo(&env("2525")).unwrap_or_else(|e| panic!("{e}"));
        let smtp = s.smtp.unwrap_or_else(|| panic!("no smtp"));
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.security.as_str()),
            ("127.0.0.1", 2525, "none")
        );
        let bad = Settings::demo(&env("mail")).err().map(|e| e.to_string());
        assert!(
            bad.as_deref()
                .is_some_and(|e| e.contains("PROEVE_SMTP_PORT")),
            "{bad:?}"
        );
    }
}
