//! Tokens for the SIS calls: RSA and EC keys with their JWKs, an identity provider that
//! serves each tenant's JWKS over real HTTP on 127.0.0.1 (and counts fetches, and rotates),
//! and tokens signed with them, well-formed or not.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};

pub const FLOW_0: &str = "nl-test-admin-flow-0";
pub const FLOW_1_5: &str = "nl-test-admin-flow-1-5";
pub const FLOW_2_3_4: &str = "nl-test-admin-flow-2-3-4";
pub const AUDIENCE: &str = "proeve";

/// An RSA signing key with its JWK.
pub struct RsaKey {
    pub private: rsa::RsaPrivateKey,
    pub kid: String,
}

impl RsaKey {
    fn generate(kid: &str) -> Self {
        let mut rng = rand_core::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("rsa key");
        RsaKey {
            private,
            kid: kid.into(),
        }
    }

    pub fn encoding(&self) -> EncodingKey {
        EncodingKey::from_rsa_der(self.private.to_pkcs1_der().expect("der").as_bytes())
    }

    /// The public JWK; `alg` is left out so the key serves RS256 and PS256 alike.
    pub fn jwk(&self) -> Value {
        let public = self.private.to_public_key();
        json!({
            "kty": "RSA", "use": "sig", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
        })
    }

    pub fn public_pem(&self) -> String {
        use rsa::pkcs8::EncodePublicKey;
        self.private
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .expect("pem")
    }
}

/// RSA keys are slow to make; each test process makes its few once.
pub fn rsa_key(name: &'static str) -> &'static RsaKey {
    static KEYS: OnceLock<Mutex<HashMap<&'static str, &'static RsaKey>>> = OnceLock::new();
    let map = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap();
    map.entry(name)
        .or_insert_with(|| Box::leak(Box::new(RsaKey::generate(name))))
}

pub struct EcKey {
    pub secret: p256::SecretKey,
    pub kid: String,
}

impl EcKey {
    pub fn generate(kid: &str) -> Self {
        EcKey {
            secret: p256::SecretKey::random(&mut rand_core::OsRng),
            kid: kid.into(),
        }
    }

    pub fn encoding(&self) -> EncodingKey {
        use p256::pkcs8::EncodePrivateKey;
        EncodingKey::from_ec_der(self.secret.to_pkcs8_der().expect("der").as_bytes())
    }

    pub fn jwk(&self) -> Value {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let p = self.secret.public_key().to_encoded_point(false);
        json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(p.x().unwrap()), "y": URL_SAFE_NO_PAD.encode(p.y().unwrap()),
        })
    }
}

// ------------------------------------------------------------------ identity provider

/// A JWKS endpoint per tenant on 127.0.0.1, served by a plain thread over real HTTP, so
/// Proeve's production fetch path is what the tests exercise. It counts fetches and its key
/// sets can change while Proeve runs (rotation).
pub struct Idp {
    pub port: u16,
    jwks: Mutex<HashMap<String, Vec<Value>>>,
    fetches: Mutex<HashMap<String, usize>>,
}

impl Idp {
    pub fn start() -> Arc<Idp> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let idp = Arc::new(Idp {
            port: listener.local_addr().unwrap().port(),
            jwks: Mutex::new(HashMap::new()),
            fetches: Mutex::new(HashMap::new()),
        });
        let served = idp.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let tenant = path
                    .trim_start_matches('/')
                    .trim_end_matches("/jwks")
                    .to_string();
                *served
                    .fetches
                    .lock()
                    .unwrap()
                    .entry(tenant.clone())
                    .or_default() += 1;
                let keys = served.jwks.lock().unwrap().get(&tenant).cloned();
                let (status, body) = match keys {
                    Some(k) => ("200 OK", json!({"keys": k}).to_string()),
                    None => ("404 Not Found", "{}".to_string()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        idp
    }

    pub fn jwks_url(&self, tenant: &str) -> String {
        format!("http://127.0.0.1:{}/{tenant}/jwks", self.port)
    }

    pub fn set_keys(&self, tenant: &str, keys: Vec<Value>) {
        self.jwks.lock().unwrap().insert(tenant.into(), keys);
    }

    pub fn fetches(&self, tenant: &str) -> usize {
        self.fetches
            .lock()
            .unwrap()
            .get(tenant)
            .copied()
            .unwrap_or(0)
    }
}

pub fn issuer(tenant: &str) -> String {
    format!("https://login.{tenant}.example")
}

/// A token for `tenant` signed with `key` (RS256), with the given scopes.
pub fn token(tenant: &str, scopes: &[&str]) -> String {
    token_with(
        Algorithm::RS256,
        &rsa_key(key_name(tenant)).encoding(),
        Some(key_name(tenant)),
        claims(tenant, scopes),
    )
}

pub fn key_name(tenant: &str) -> &'static str {
    match tenant {
        "roc-a" => "roc-a-1",
        _ => "roc-b-1",
    }
}

pub fn claims(tenant: &str, scopes: &[&str]) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": issuer(tenant), "aud": AUDIENCE, "sub": format!("sis-{tenant}"),
        "client_id": format!("sis-{tenant}"), "scope": scopes.join(" "),
        "iat": now, "exp": now + 600,
    })
}

pub fn token_with(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

/// A token with `alg: none` and no signature.
pub fn unsigned_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.")
}
