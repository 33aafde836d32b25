//! What keeps strangers out of the served emulator: unguessable tokens and ids,
//! comparisons that take the same time whatever the guess, bounded request
//! bodies (before and after gzip), and the RS256 check of key-pair login tokens.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::Sha256;

/// 16 bytes from the operating system's random source.
fn random_128() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    // The OS source failing is not something a server can carry on from safely.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

/// An opaque 128-bit random token: `<kind>-<32 hex digits>`.
pub fn token(kind: &str) -> String {
    format!("{kind}-{}", hex::encode(random_128()))
}

/// A 128-bit random query id in the UUID shape of Snowflake's query ids.
pub fn query_id() -> String {
    let h = hex::encode(random_128());
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Equal strings, compared in a time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Why a request body was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Over the compressed or the decompressed cap (answered with 413).
    TooLarge,
    /// The client stopped sending before the body was complete.
    TimedOut,
    /// The connection failed, or the gzip stream is broken.
    Unreadable,
}

/// The limits a request body is read under.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub max_decompressed: usize,
    pub timeout: Duration,
}

/// Reads a request body as sent, at most `max_bytes` of it, within `timeout`.
pub async fn read_body(body: Body, limits: BodyLimits) -> Result<Vec<u8>, BodyError> {
    let collected = tokio::time::timeout(
        limits.timeout,
        Limited::new(body, limits.max_bytes).collect(),
    )
    .await
    .map_err(|_| BodyError::TimedOut)?;
    match collected {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(error) if error.is::<LengthLimitError>() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Unreadable),
    }
}

/// The body itself, gunzipped when it is gzip (Snowflake's connectors compress
/// their requests). Decompression stops one byte past `max_decompressed`, so a
/// small body that inflates enormously costs at most that much memory.
pub fn decompress(body: Vec<u8>, max_decompressed: usize) -> Result<Vec<u8>, BodyError> {
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(body);
    }
    let cap = u64::try_from(max_decompressed)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|_| BodyError::Unreadable)?;
    if out.len() > max_decompressed {
        return Err(BodyError::TooLarge);
    }
    Ok(out)
}

/// A key-pair login token: its claims checked, its signature not yet.
pub struct Jwt<'a> {
    signing_input: &'a str,
    signature: Vec<u8>,
    /// The `SHA256:<fingerprint>` the issuer names.
    fingerprint: String,
}

fn invalid(why: &str) -> String {
    format!("JWT token is invalid: {why}.")
}

/// Checks a login token's shape and claims: RS256, subject `<ACCOUNT>.<USER>`,
/// issuer `<ACCOUNT>.<USER>.SHA256:<fingerprint>`, not expired.
pub fn parse_jwt<'a>(token: &'a str, account: &str, user: &str) -> Result<Jwt<'a>, String> {
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or_else(|| invalid("not a signed JWT"))?;
    let (header, claims) = signing_input
        .split_once('.')
        .ok_or_else(|| invalid("not a signed JWT"))?;
    let decode = |part: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let header = decode(header).ok_or_else(|| invalid("unreadable header"))?;
    if header["alg"].as_str() != Some("RS256") {
        return Err(invalid("the algorithm must be RS256"));
    }
    let claims = decode(claims).ok_or_else(|| invalid("unreadable claims"))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("not a signed JWT"))?;
    let expected = format!("{account}.{}", user.to_ascii_uppercase());
    if claims["sub"].as_str() != Some(expected.as_str()) {
        return Err(invalid(&format!("subject must be {expected}")));
    }
    let fingerprint = claims["iss"]
        .as_str()
        .and_then(|iss| iss.strip_prefix(&format!("{expected}.")))
        .filter(|fp| fp.starts_with("SHA256:"))
        .ok_or_else(|| invalid("issuer must be <ACCOUNT>.<USER>.SHA256:<fingerprint>"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if claims["exp"].as_u64().is_none_or(|exp| exp < now) {
        return Err(invalid("expired"));
    }
    Ok(Jwt {
        signing_input,
        signature,
        fingerprint: fingerprint.to_string(),
    })
}

/// A public key registered for a user, as `DESCRIBE USER` shows it.
pub struct RegisteredKey {
    /// RSA_PUBLIC_KEY: the base64 DER of the SubjectPublicKeyInfo.
    pub key: String,
    /// RSA_PUBLIC_KEY_FP: `SHA256:<base64 of the SHA-256 of that DER>`.
    pub fingerprint: String,
}

impl Jwt<'_> {
    /// Verifies the signature with the registered key the issuer names by its
    /// fingerprint.
    pub fn verify(&self, registered: &[RegisteredKey]) -> Result<(), String> {
        if registered.is_empty() {
            return Err(invalid("the user has no registered public key"));
        }
        let key = registered
            .iter()
            .find(|key| same(&key.fingerprint, &self.fingerprint))
            .and_then(|key| STANDARD.decode(&key.key).ok())
            .and_then(|der| rsa::PublicKey::from_public_key_der(&der).ok())
            .ok_or_else(|| invalid("the issuer's fingerprint matches no registered public key"))?;
        let signature = rsa::pkcs1v15::Signature::try_from(&self.signature[..])
            .map_err(|_| invalid("the signature is malformed"))?;
        rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
            .verify(self.signing_input.as_bytes(), &signature)
            .map_err(|_| invalid("the signature does not match the registered public key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn tokens_and_query_ids_are_distinct_and_128_bit() {
        let tokens: BTreeSet<String> = (0..1000).map(|_| token("st")).collect();
        assert_eq!(tokens.len(), 1000);
        assert!(tokens.iter().all(|t| t.len() == 3 + 32));
        let id = query_id();
        let digits: String = id.chars().filter(|c| *c != '-').collect();
        assert_eq!(digits.len(), 32);
        assert!(digits.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            id.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
    }

    #[test]
    fn comparison_needs_every_byte() {
        assert!(same("st-abc", "st-abc"));
        assert!(!same("st-abc", "st-abd"));
        assert!(!same("st-abc", "st-ab"));
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn decompression_stops_at_the_cap() {
        let bomb = gzip(&vec![b' '; 8 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(decompress(bomb, 1024 * 1024), Err(BodyError::TooLarge));
        let small = gzip(b"{\"a\": 1}");
        assert_eq!(decompress(small, 8).unwrap(), b"{\"a\": 1}");
        assert_eq!(decompress(gzip(b"123456789"), 8), Err(BodyError::TooLarge));
        assert_eq!(decompress(b"plain".to_vec(), 8).unwrap(), b"plain");
        assert_eq!(
            decompress(vec![0x1f, 0x8b, 1, 2, 3], 8),
            Err(BodyError::Unreadable)
        );
    }

    #[test]
    fn claims_are_checked_before_any_key() {
        let token = |sub: &str, exp: u64, alg: &str| {
            let header = serde_json::json!({"alg": alg, "typ": "JWT"});
            let claims =
                serde_json::json!({"sub": sub, "iss": format!("{sub}.SHA256:abc"), "exp": exp});
            format!(
                "{}.{}.c2ln",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            )
        };
        let future = 4_000_000_000;
        let ok = token("BANK.FLOE", future, "RS256");
        let parsed = parse_jwt(&ok, "BANK", "floe").unwrap();
        assert_eq!(parsed.fingerprint, "SHA256:abc");
        assert!(parse_jwt(&token("BANK.OTHER", future, "RS256"), "BANK", "floe").is_err());
        assert!(parse_jwt(&token("BANK.FLOE", 1, "RS256"), "BANK", "floe").is_err());
        assert!(parse_jwt(&token("BANK.FLOE", future, "none"), "BANK", "floe").is_err());
        assert!(parse_jwt("not-a-jwt", "BANK", "floe").is_err());
        // No registered key: nothing can verify it.
        assert!(parsed.verify(&[]).is_err());
        let not_a_key = RegisteredKey {
            key: "bm90IGEga2V5".to_string(),
            fingerprint: "SHA256:abc".to_string(),
        };
        assert!(parsed.verify(&[not_a_key]).is_err());
    }
}
