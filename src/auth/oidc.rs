//! School sign-in with OpenID Connect: the authorization code flow with PKCE, a nonce and a
//! state, against the provider configured in `[tenants.oidc]`. The provider's metadata and
//! keys come from its discovery document (cached for an hour). The ID token is verified
//! (signature, issuer, audience, expiry, nonce); the claim that identifies the person is read
//! from it, or from the UserInfo endpoint where the provider only puts it there.

use crate::config::OidcSettings;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SubjectIdentifier, TokenResponse, UserInfoClaims,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a provider's discovery document is trusted before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense.
    #[error("the school's sign-in service: {0}")]
    Provider(String),
    /// The answer that came back does not belong to the sign-in that was started, or does not
    /// hold up (state, nonce, signature, audience, expiry).
    #[error("the sign-in answer is not valid: {0}")]
    Rejected(String),
}

/// What the browser keeps (in a short-lived HttpOnly cookie) between leaving for the
/// provider and coming back: signed by the deployment's key, for one school, for
/// [`PENDING_FOR`], so a cookie Proeve did not write, or wrote for another school, is refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    nonce: String,
    verifier: String,
    school: String,
    /// Unix seconds.
    issued: i64,
}

/// How long a started school sign-in may take at the provider.
pub const PENDING_FOR: chrono::Duration = chrono::Duration::minutes(10);

/// The signature of `payload` under `key`, base64url (empty only if HMAC refused the key,
/// which it does for no 32-byte key; an empty signature matches nothing).
fn signature(key: &[u8; 32], payload: &str) -> String {
    use hmac::Mac;
    match hmac::Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(payload.as_bytes());
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

impl Pending {
    /// `payload.signature`, both base64url.
    fn encode(&self, key: &[u8; 32]) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let signed = signature(key, &payload);
        format!("{payload}.{signed}")
    }

    /// The pending sign-in, if Proeve signed it, for this school, less than
    /// [`PENDING_FOR`] ago.
    fn decode(key: &[u8; 32], school: &str, text: &str) -> Option<Pending> {
        let (payload, given) = text.split_once('.')?;
        let expected = signature(key, payload);
        if expected.is_empty() || !super::session::csrf_matches(&expected, given) {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let p: Pending = serde_json::from_slice(&bytes).ok()?;
        let age = chrono::Utc::now().timestamp() - p.issued;
        (p.school == school && (0..=PENDING_FOR.num_seconds()).contains(&age)).then_some(p)
    }
}

/// Every claim, as the provider sent it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AllClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}
impl AdditionalClaims for AllClaims {}

/// The signed-in account: its subject and the claims of the ID token and UserInfo.
#[derive(Debug, Clone)]
pub struct Account {
    pub subject: String,
    pub claims: Map<String, Value>,
}

impl Account {
    /// A claim as text (a string, or a number written out).
    pub fn text(&self, claim: &str) -> Option<String> {
        match self.claims.get(claim)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A claim holding one or more strings.
    pub fn strings(&self, claim: &str) -> Vec<String> {
        match self.claims.get(claim) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The value that identifies the person, by the configured claim. An e-mail address
    /// counts only when the provider vouches for it (`email_verified` true), unless the
    /// school said its provider never sends that claim (`trust_unverified_email`).
    pub fn identifier(&self, settings: &OidcSettings) -> Option<String> {
        if settings.claim == "email" && !settings.trust_unverified_email {
            let verified = match self.claims.get("email_verified") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s == "true",
                _ => false,
            };
            if !verified {
                return None;
            }
        }
        self.text(&settings.claim).filter(|v| !v.trim().is_empty())
    }
}

/// The OpenID Connect client side of Proeve, shared by all schools.
pub struct Oidc {
    /// Signs the pending cookie (`server_key` "oidc-pending").
    key: [u8; 32],
    http: reqwest::Client,
    metadata: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

impl Oidc {
    pub fn new(key: [u8; 32]) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("proeve/", env!("CARGO_PKG_VERSION")))
            // Following redirects would let a provider's answer send Proeve anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Oidc {
            key,
            http,
            metadata: Mutex::new(HashMap::new()),
        })
    }

    /// The provider's metadata and keys, cached; `fresh` fetches them again (the provider
    /// may have rotated its keys). The lock is never held while fetching, so one school's
    /// slow provider does not hold up the others.
    async fn provider(
        &self,
        settings: &OidcSettings,
        fresh: bool,
    ) -> Result<CoreProviderMetadata, OidcError> {
        if !fresh {
            let cache = self.metadata.lock().await;
            if let Some((at, m)) = cache.get(&settings.issuer) {
                if at.elapsed() < METADATA_TTL {
                    return Ok(m.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| OidcError::Provider(format!("issuer: {e}")))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Provider(format!("discovery failed: {}", chain(&e))))?;
        self.metadata
            .lock()
            .await
            .insert(settings.issuer.clone(), (Instant::now(), m.clone()));
        Ok(m)
    }

    /// The pending sign-in as its cookie holds it, signed.
    pub fn seal(&self, pending: &Pending) -> String {
        pending.encode(&self.key)
    }

    /// The pending sign-in of a cookie, if this deployment signed it for `school` and it is
    /// not too old.
    pub fn open(&self, school: &str, cookie: &str) -> Option<Pending> {
        Pending::decode(&self.key, school, cookie)
    }

    /// Where to send the browser to sign in, and what to keep until it comes back.
    pub async fn begin(
        &self,
        settings: &OidcSettings,
        school: &str,
        redirect_url: &str,
    ) -> Result<(String, Pending), OidcError> {
        let metadata = self.provider(settings, false).await?;
        let client = client_for(settings, metadata, redirect_url)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                school: school.to_string(),
                issued: chrono::Utc::now().timestamp(),
            },
        ))
    }

    /// Completes the sign-in with the code the provider sent back; `state` must be the one
    /// this browser was sent with.
    pub async fn finish(
        &self,
        settings: &OidcSettings,
        redirect_url: &str,
        pending: Pending,
        code: &str,
        state: &str,
    ) -> Result<Account, OidcError> {
        if !super::session::csrf_matches(&pending.state, state) {
            return Err(OidcError::Rejected(
                "the state does not match this browser's sign-in".into(),
            ));
        }
        let metadata = self.provider(settings, false).await?;
        let mut client = client_for(settings, metadata, redirect_url)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Rejected(format!("the code was refused: {}", chain(&e))))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::Rejected("no ID token came with the tokens".into()))?;
        let nonce = Nonce::new(pending.nonce);
        let first = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .map(|verified| verified.subject().clone())
            .map_err(|e| chain(&e));
        let subject = match first {
            Ok(subject) => subject,
            Err(first) => {
                // Perhaps the provider rotated its keys since they were cached: fetch them
                // again and verify once more.
                tracing::info!(error = %first, "ID token not verified; fetching the provider's keys again");
                client = client_for(settings, self.provider(settings, true).await?, redirect_url)?;
                id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::Rejected(format!("ID token: {}", chain(&e))))?
                    .subject()
                    .clone()
            }
        };
        // The token is verified; its payload is read again for the claims the core types
        // leave out (eckid, a student number, roles).
        let mut claims = payload(&id_token.to_string()).unwrap_or_default();
        let mut wanted: Vec<&str> = std::iter::once(settings.claim.as_str())
            .chain(settings.roles_claim.as_deref())
            .collect();
        if settings.claim == "email" {
            wanted.push("email_verified");
        }
        if wanted.iter().any(|c| !claims.contains_key(*c)) {
            if let Some(more) = self
                .user_info(&client, token.access_token().clone(), subject.clone())
                .await?
            {
                for (k, v) in more {
                    claims.entry(k).or_insert(v);
                }
            }
        }
        Ok(Account {
            subject: subject.to_string(),
            claims,
        })
    }

    async fn user_info(
        &self,
        client: &Client,
        access_token: AccessToken,
        subject: SubjectIdentifier,
    ) -> Result<Option<Map<String, Value>>, OidcError> {
        let Ok(request) = client.user_info(access_token, Some(subject)) else {
            return Ok(None); // the provider has no UserInfo endpoint
        };
        let info: UserInfoClaims<AllClaims, CoreGenderClaim> = request
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Provider(format!("UserInfo: {}", chain(&e))))?;
        let mut claims = info.additional_claims().claims.clone();
        if let Some(email) = info.email() {
            claims.insert("email".into(), Value::String(email.to_string()));
        }
        if let Some(v) = info.email_verified() {
            claims.insert("email_verified".into(), Value::Bool(v));
        }
        if let Some(u) = info.preferred_username() {
            claims.insert("preferred_username".into(), Value::String(u.to_string()));
        }
        Ok(Some(claims))
    }
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client_for(
    settings: &OidcSettings,
    metadata: CoreProviderMetadata,
    redirect_url: &str,
) -> Result<Client, OidcError> {
    let redirect = RedirectUrl::new(redirect_url.to_string())
        .map_err(|e| OidcError::Provider(format!("redirect URL: {e}")))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        Some(ClientSecret::new(
            settings.client_secret.expose_secret().to_string(),
        )),
    )
    .set_redirect_uri(redirect))
}

/// The claims in a JWT's payload (which must already be verified).
fn payload(jwt: &str) -> Option<Map<String, Value>> {
    let part = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// An error with its causes, for a log line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
