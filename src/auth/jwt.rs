//! Bearer JWT verification against a tenant's JWKS.
//!
//! The JWKS is fetched over HTTP on first use and cached; a token whose `kid` is unknown
//! triggers one refetch (key rotation), at most once per [`REFETCH_INTERVAL`] so a stream of
//! forged tokens cannot turn Proeve into a load generator against the identity provider.
//! Only asymmetric algorithms are accepted, and only the one the key declares.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// How long a fetched key set is trusted before it is fetched again.
const JWKS_TTL: Duration = Duration::from_secs(3600);
/// Minimum time between two fetches caused by unknown key ids.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// After a failed fetch, how long stale keys are used before trying again.
const STALE_RETRY: Duration = Duration::from_secs(30);
/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;
/// How long a verified token is taken on trust before its signature is checked again (it
/// still stops at its `exp`). This does not retire keys: a key the school removes from its
/// key set keeps verifying new tokens until the set is fetched again, after [`JWKS_TTL`] (an
/// hour) at most, sooner when a token with an unknown `kid` makes Proeve fetch it.
const TRUSTED_SECS: u64 = 300;
/// The largest key set Proeve reads (a real one is a few kB).
pub const JWKS_MAX_BYTES: usize = 256 * 1024;
/// How long fetching a key set may take.
const JWKS_TIMEOUT: Duration = Duration::from_secs(10);
/// The token types (`typ` header) a SIS's access token may declare (RFC 9068 and plain
/// JWT); a token without `typ` is taken as an access token too.
const ACCESS_TOKEN_TYPES: [&str; 3] = ["jwt", "at+jwt", "application/at+jwt"];
/// Verified tokens remembered per tenant at most.
const TRUSTED_MAX: usize = 4096;

/// A verification key with the algorithms it may be used with.
#[derive(Clone)]
struct VerifyKey {
    kid: Option<String>,
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
}

/// Where a tenant's verification keys come from.
pub enum KeySource {
    /// Fetched from the identity provider's JWKS URL.
    Remote(RemoteJwks),
    /// Fixed keys (the demo tenant: Proeve's own demo key).
    Static(Vec<Jwk>),
}

pub struct RemoteJwks {
    url: String,
    http: reqwest::Client,
    cache: RwLock<Option<(Vec<VerifyKey>, Instant)>>,
    /// Serialises fetches and remembers when they happened.
    fetch: Mutex<FetchLog>,
}

#[derive(Default)]
struct FetchLog {
    /// The last fetch caused by an unknown key id.
    last_refetch: Option<Instant>,
    /// The last fetch that failed.
    last_failure: Option<Instant>,
}

/// The HTTP client of key set fetches: at most three redirects, each on the same host and
/// scheme as the key set's URL (a key server cannot send Proeve elsewhere), a timeout.
pub fn jwks_client() -> reqwest::Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().cloned();
        let same_origin = first.as_ref().is_some_and(|f| {
            f.scheme() == attempt.url().scheme()
                && f.host_str() == attempt.url().host_str()
                && f.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if !same_origin {
            attempt.error("the key set's URL redirects to another host")
        } else if attempt.previous().len() > 3 {
            attempt.error("the key set's URL redirects more than three times")
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .user_agent(concat!("proeve/", env!("CARGO_PKG_VERSION")))
        .redirect(policy)
        .connect_timeout(Duration::from_secs(5))
        .timeout(JWKS_TIMEOUT)
        .build()
}

impl RemoteJwks {
    pub fn new(url: String, http: reqwest::Client) -> Self {
        Self {
            url,
            http,
            cache: RwLock::new(None),
            fetch: Mutex::new(FetchLog::default()),
        }
    }

    /// Current keys; fetches when nothing is cached, the cache is stale, or `kid` is unknown
    /// (at most once per [`REFETCH_INTERVAL`]).
    async fn keys(&self, kid: Option<&str>) -> Result<Vec<VerifyKey>, VerifyError> {
        let knows = |keys: &[VerifyKey]| {
            kid.is_none_or(|k| keys.iter().any(|v| v.kid.as_deref() == Some(k)))
        };
        if let Some((keys, at)) = self.cache.read().await.as_ref() {
            if knows(keys) && at.elapsed() < JWKS_TTL {
                return Ok(keys.clone());
            }
        }
        let mut log = self.fetch.lock().await;
        // Decide again: another request may have fetched while we waited.
        let unknown_kid = match self.cache.read().await.as_ref() {
            Some((keys, at)) if at.elapsed() < JWKS_TTL => {
                if knows(keys)
                    || log
                        .last_refetch
                        .is_some_and(|t| t.elapsed() < REFETCH_INTERVAL)
                {
                    return Ok(keys.clone());
                }
                true
            }
            // Stale, but the identity provider just failed us: keep using what we have.
            Some((keys, _)) if log.last_failure.is_some_and(|t| t.elapsed() < STALE_RETRY) => {
                return Ok(keys.clone());
            }
            Some(_) => false,
            None => {
                if log
                    .last_failure
                    .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
                {
                    return Err(self.unavailable());
                }
                false
            }
        };
        if unknown_kid {
            log.last_refetch = Some(Instant::now());
        }
        match self.fetch_now().await {
            Ok(keys) => {
                *self.cache.write().await = Some((keys.clone(), Instant::now()));
                Ok(keys)
            }
            Err(e) => {
                log.last_failure = Some(Instant::now());
                tracing::warn!(url = %self.url, error = %e, "fetching JWKS failed");
                // Stale keys are better than none while the identity provider is down.
                match self.cache.read().await.as_ref() {
                    Some((keys, _)) => Ok(keys.clone()),
                    None => Err(self.unavailable()),
                }
            }
        }
    }

    fn unavailable(&self) -> VerifyError {
        VerifyError::Unavailable(format!(
            "the signing keys at {} could not be fetched; try again shortly",
            self.url
        ))
    }

    async fn fetch_now(&self) -> anyhow::Result<Vec<VerifyKey>> {
        let mut resp = self
            .http
            .get(&self.url)
            .timeout(JWKS_TIMEOUT)
            .send()
            .await?
            .error_for_status()?;
        if resp
            .content_length()
            .is_some_and(|n| n > JWKS_MAX_BYTES as u64)
        {
            anyhow::bail!("the key set is larger than {JWKS_MAX_BYTES} bytes");
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if bytes.len() + chunk.len() > JWKS_MAX_BYTES {
                anyhow::bail!("the key set is larger than {JWKS_MAX_BYTES} bytes");
            }
            bytes.extend_from_slice(&chunk);
        }
        let body: serde_json::Value = serde_json::from_slice(&bytes)?;
        let raw_keys = body
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or_else(|| anyhow::anyhow!("JWKS has no `keys` array"))?;
        Ok(parse_keys(raw_keys.iter().filter_map(|k| {
            serde_json::from_value::<Jwk>(k.clone())
                .map_err(|e| tracing::warn!(error = %e, "skipping a JWKS key we cannot read"))
                .ok()
        })))
    }
}

/// Turns JWKs into verification keys, dropping symmetric keys and keys for anything but
/// RS256, PS256 and ES256.
fn parse_keys(jwks: impl Iterator<Item = Jwk>) -> Vec<VerifyKey> {
    jwks.filter_map(|jwk| {
        if jwk.common.public_key_use == Some(jsonwebtoken::jwk::PublicKeyUse::Encryption) {
            return None;
        }
        let family: &[Algorithm] = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => &[Algorithm::RS256, Algorithm::PS256],
            AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                &[Algorithm::ES256]
            }
            _ => return None,
        };
        let algorithms: Vec<Algorithm> = match jwk.common.key_algorithm {
            Some(declared) => {
                let alg: Algorithm = declared.to_string().parse().ok()?;
                if !family.contains(&alg) {
                    return None;
                }
                vec![alg]
            }
            None => family.to_vec(),
        };
        let key = DecodingKey::from_jwk(&jwk).ok()?;
        Some(VerifyKey {
            kid: jwk.common.key_id.clone(),
            key,
            algorithms,
        })
    })
    .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
}

/// A verified caller: the tenant it belongs to and the scopes it holds.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: Option<String>,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
}

impl Caller {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrList {
    Str(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
struct Claims {
    // NumericDate: seconds, possibly with a fraction.
    exp: f64,
    nbf: Option<f64>,
    iat: Option<f64>,
    sub: Option<String>,
    scope: Option<StrOrList>,
    scp: Option<StrOrList>,
    client_id: Option<String>,
    azp: Option<String>,
}

/// Tokens whose signature was verified, by their SHA-256: a SIS sends the same token with
/// every request until it expires, and an ECDSA or RSA verification costs far more than the
/// rest of a small request. An entry holds only until the token's `exp` (with the leeway)
/// and for [`TRUSTED_SECS`] at most.
#[derive(Default)]
struct Trusted {
    entries: std::sync::Mutex<std::collections::HashMap<[u8; 32], TrustedEntry>>,
}

struct TrustedEntry {
    caller: Caller,
    /// Unix seconds from which (`nbf`) and until which it may be used.
    from: u64,
    until: u64,
}

impl Trusted {
    fn key(token: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes()).into()
    }

    fn get(&self, token: &str, now: u64) -> Option<Caller> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&Self::key(token))
            .filter(|e| e.from <= now && now < e.until)
            .map(|e| e.caller.clone())
    }

    fn put(&self, token: &str, caller: &Caller, claims_exp: u64, nbf: Option<u64>, now: u64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= TRUSTED_MAX {
            entries.retain(|_, e| now < e.until);
            if entries.len() >= TRUSTED_MAX {
                entries.clear();
            }
        }
        entries.insert(
            Self::key(token),
            TrustedEntry {
                caller: caller.clone(),
                from: nbf.map_or(0, |n| n.saturating_sub(LEEWAY_SECS)),
                until: (claims_exp + LEEWAY_SECS).min(now + TRUSTED_SECS),
            },
        );
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Verifies the tokens of one tenant.
pub struct JwtVerifier {
    issuer: String,
    audience: String,
    client_id: Option<String>,
    /// The longest a token may live: from `iat` (or from now) to `exp`.
    max_lifetime: Duration,
    source: KeySource,
    static_keys: Vec<VerifyKey>,
    trusted: Trusted,
}

impl JwtVerifier {
    pub fn new(
        issuer: String,
        audience: String,
        client_id: Option<String>,
        max_lifetime: Duration,
        source: KeySource,
    ) -> Arc<Self> {
        let static_keys = match &source {
            KeySource::Static(jwks) => parse_keys(jwks.iter().cloned()),
            KeySource::Remote(_) => Vec::new(),
        };
        Arc::new(Self {
            issuer,
            audience,
            client_id,
            max_lifetime,
            source,
            static_keys,
            trusted: Trusted::default(),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<Caller, VerifyError> {
        let now = unix_now();
        if let Some(caller) = self.trusted.get(token, now) {
            return Ok(caller);
        }
        let invalid = |m: &str| VerifyError::Invalid(m.to_string());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("the token is not a JWT signed with a supported algorithm"))?;
        if !matches!(
            header.alg,
            Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256
        ) {
            return Err(invalid(
                "the token's algorithm is not accepted (use RS256, PS256 or ES256)",
            ));
        }
        if let Some(typ) = &header.typ {
            if !ACCESS_TOKEN_TYPES.contains(&typ.to_ascii_lowercase().as_str()) {
                return Err(invalid(
                    "the token is not an access token (its typ must be JWT or at+jwt)",
                ));
            }
        }
        let keys = match &self.source {
            KeySource::Static(_) => self.static_keys.clone(),
            KeySource::Remote(remote) => remote.keys(header.kid.as_deref()).await?,
        };
        let candidates: Vec<&VerifyKey> = keys
            .iter()
            .filter(|k| match (&header.kid, &k.kid) {
                (Some(want), Some(have)) => want == have,
                (Some(_), None) => false,
                (None, _) => true,
            })
            .filter(|k| k.algorithms.contains(&header.alg))
            .collect();
        if candidates.is_empty() {
            return Err(invalid(
                "the token is signed with a key this tenant does not know",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let mut last_error = invalid("the token's signature is not valid");
        for key in candidates {
            match jsonwebtoken::decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => {
                    let (exp, nbf) = (data.claims.exp as u64, data.claims.nbf.map(|n| n as u64));
                    let from = data.claims.iat.map_or(now, |i| (i as u64).min(now));
                    if exp.saturating_sub(from) > self.max_lifetime.as_secs() + LEEWAY_SECS {
                        return Err(invalid(&format!(
                            "the token lives longer than this school allows ({} minutes from iat to exp)",
                            self.max_lifetime.as_secs() / 60
                        )));
                    }
                    let caller = self.caller(data.claims)?;
                    self.trusted.put(token, &caller, exp, nbf, now);
                    return Ok(caller);
                }
                Err(e) => {
                    use jsonwebtoken::errors::ErrorKind as K;
                    last_error = invalid(match e.kind() {
                        K::ExpiredSignature => "the token has expired",
                        K::ImmatureSignature => "the token is not valid yet (nbf)",
                        K::InvalidIssuer => "the token's issuer is not this tenant's",
                        K::InvalidAudience => "the token's audience is not this tenant's",
                        K::MissingRequiredClaim(_) => "the token lacks exp, iss or aud",
                        K::InvalidSignature => "the token's signature is not valid",
                        _ => "the token is not valid",
                    });
                }
            }
        }
        Err(last_error)
    }

    fn caller(&self, claims: Claims) -> Result<Caller, VerifyError> {
        let client_id = claims.client_id.or(claims.azp);
        if let Some(want) = &self.client_id {
            if client_id.as_deref() != Some(want.as_str()) {
                return Err(VerifyError::Invalid(
                    "the token was issued to another client".into(),
                ));
            }
        }
        let mut scopes = Vec::new();
        for s in [claims.scope, claims.scp].into_iter().flatten() {
            match s {
                StrOrList::Str(s) => scopes.extend(s.split_whitespace().map(str::to_string)),
                StrOrList::List(l) => scopes.extend(l),
            }
        }
        Ok(Caller {
            subject: claims.sub,
            client_id,
            scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            subject: None,
            client_id: Some("sis".into()),
            scopes: vec!["nl-test-admin-flow-1-5".into()],
        }
    }

    #[test]
    fn a_trusted_token_holds_until_its_expiry_and_for_a_while_at_most() {
        let t = Trusted::default();
        let now = 1_000_000;
        t.put("a", &caller(), now + 60, None, now);
        assert!(t.get("a", now + 10).is_some());
        assert!(
            t.get("b", now + 10).is_none(),
            "another token is not trusted"
        );
        assert!(
            t.get("a", now + 60 + LEEWAY_SECS).is_none(),
            "past exp and the leeway"
        );
        t.put("long", &caller(), now + 86_400, None, now);
        assert!(t.get("long", now + TRUSTED_SECS - 1).is_some());
        assert!(
            t.get("long", now + TRUSTED_SECS).is_none(),
            "verified again after a while"
        );
        t.put("later", &caller(), now + 600, Some(now + 100), now);
        assert!(t.get("later", now).is_none(), "before nbf and the leeway");
        assert!(t.get("later", now + 100 - LEEWAY_SECS).is_some());
    }

    #[test]
    fn the_trusted_tokens_stay_bounded() {
        let t = Trusted::default();
        for i in 0..(TRUSTED_MAX + 10) {
            t.put(&i.to_string(), &caller(), 2_000, None, 1_000);
        }
        assert!(t.entries.lock().unwrap().len() <= TRUSTED_MAX);
    }
}
