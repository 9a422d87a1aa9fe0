//! The demo signing key: an ES256 key pair kept in a PEM file next to the demo database, so
//! `proeve demo-token` and a running demo agree. It is only ever loaded in demo mode, for the
//! `demo` tenant; configured tenants never see it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use p256::SecretKey;
use std::path::Path;

pub const DEMO_KID: &str = "proeve-demo-1";

pub struct DemoKey {
    secret: SecretKey,
}

impl DemoKey {
    /// Loads the key, creating it (readable by the owner only) if the file does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            let pem = std::fs::read_to_string(path)?;
            let secret = SecretKey::from_pkcs8_pem(&pem)
                .map_err(|e| anyhow::anyhow!("{}: not a PKCS#8 P-256 key: {e}", path.display()))?;
            return Ok(Self { secret });
        }
        let secret = SecretKey::random(&mut rand_core::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("cannot encode the demo key: {e}"))?;
        write_private(path, pem.as_bytes())?;
        Ok(Self { secret })
    }

    /// The public half as a JWK, as Proeve serves it.
    pub fn jwk(&self) -> anyhow::Result<Jwk> {
        let point = self.secret.public_key().to_encoded_point(false);
        let (x, y) = match (point.x(), point.y()) {
            (Some(x), Some(y)) => (x, y),
            _ => anyhow::bail!("demo key has no affine coordinates"),
        };
        let value = serde_json::json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": DEMO_KID,
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        });
        Ok(serde_json::from_value(value)?)
    }

    /// A bearer token for the demo tenant with the given scopes, valid for `ttl_secs`.
    pub fn token(&self, scopes: &str, ttl_secs: i64) -> anyhow::Result<String> {
        let der = self
            .secret
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("cannot encode the demo key: {e}"))?;
        let key = EncodingKey::from_ec_der(der.as_bytes());
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(DEMO_KID.into());
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "iss": crate::config::DEMO_ISSUER,
            "aud": crate::config::DEMO_AUDIENCE,
            "sub": "demo-sis",
            "client_id": "demo-sis",
            "scope": scopes,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_secs,
        });
        Ok(jsonwebtoken::encode(&header, &claims, &key)?)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}
