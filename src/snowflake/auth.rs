//! Key-pair authentication: the RS256 JWT Snowflake's login accepts.
//!
//! The key is an RSA private key in PEM: PKCS#8 (`BEGIN PRIVATE KEY`), encrypted
//! PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`, with a passphrase) or PKCS#1
//! (`BEGIN RSA PRIVATE KEY`). The token's issuer names the public key by the
//! SHA-256 fingerprint of its SubjectPublicKeyInfo, as Snowflake registers it
//! (`ALTER USER … SET RSA_PUBLIC_KEY`).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::PrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use sha2::{Digest, Sha256};

use super::secret::Secret;

/// How long a login JWT is valid (Snowflake accepts at most one hour).
const JWT_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Why a key could not be used. Messages never contain key material or passphrases.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read private key {path}: {message}")]
    Read { path: String, message: String },
    #[error(
        "private key is encrypted: set private_key_file_pwd or PRIVATE_KEY_PASSPHRASE to its passphrase"
    )]
    PassphraseRequired,
    #[error("cannot decrypt the private key (wrong passphrase or unsupported cipher)")]
    Decrypt,
    #[error("not an RSA private key in PEM (expected PKCS#8 or PKCS#1): {0}")]
    Format(String),
    #[error("cannot sign the login token: {0}")]
    Sign(String),
}

/// An RSA key ready to sign login tokens.
pub struct KeyPair {
    signing: SigningKey<Sha256>,
    /// `SHA256:<base64 of the SPKI DER digest>`.
    fingerprint: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    pub fn from_file(path: &Path, passphrase: Option<&Secret>) -> Result<Self, KeyError> {
        let pem = std::fs::read_to_string(path).map_err(|e| KeyError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_pem(&pem, passphrase)
    }

    pub fn from_pem(pem: &str, passphrase: Option<&Secret>) -> Result<Self, KeyError> {
        let key = if pem.contains("BEGIN ENCRYPTED PRIVATE KEY") {
            let passphrase = passphrase
                .filter(|p| !p.is_empty())
                .ok_or(KeyError::PassphraseRequired)?;
            PrivateKey::from_pkcs8_encrypted_pem(pem, passphrase.expose().as_bytes())
                .map_err(|_| KeyError::Decrypt)?
        } else if pem.contains("BEGIN RSA PRIVATE KEY") {
            PrivateKey::from_pkcs1_pem(pem).map_err(|e| KeyError::Format(e.to_string()))?
        } else {
            PrivateKey::from_pkcs8_pem(pem).map_err(|e| KeyError::Format(e.to_string()))?
        };
        let der = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| KeyError::Format(e.to_string()))?;
        let fingerprint = format!("SHA256:{}", STANDARD.encode(Sha256::digest(der.as_bytes())));
        Ok(KeyPair {
            signing: SigningKey::<Sha256>::new(key),
            fingerprint,
        })
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// A login token for `user` in `account`, issued at `now`.
    pub fn jwt(&self, account: &str, user: &str, now: SystemTime) -> Result<Secret, KeyError> {
        let qualified = format!("{}.{}", jwt_account(account), user.to_ascii_uppercase());
        let iat = now
            .duration_since(UNIX_EPOCH)
            .map_err(|e| KeyError::Sign(e.to_string()))?
            .as_secs();
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
        let claims = serde_json::json!({
            "iss": format!("{qualified}.{}", self.fingerprint),
            "sub": qualified,
            "iat": iat,
            "exp": iat + JWT_LIFETIME.as_secs(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .signing
            .try_sign(signing_input.as_bytes())
            .map_err(|e| KeyError::Sign(e.to_string()))?;
        Ok(Secret::new(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )))
    }
}

/// The account as Snowflake expects it in a JWT: upper case, without a region or
/// cloud suffix (`xy12345.us-east-1` → `XY12345`; `myorg-acct` stays whole).
pub fn jwt_account(account: &str) -> String {
    account
        .split('.')
        .next()
        .unwrap_or(account)
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = include_str!("../../tests/fixtures/keys/test_key.p8");
    const ENCRYPTED: &str = include_str!("../../tests/fixtures/keys/test_key_encrypted.p8");
    const PKCS1: &str = include_str!("../../tests/fixtures/keys/test_key_pkcs1.pem");

    fn claims(token: &Secret) -> serde_json::Value {
        let parts: Vec<&str> = token.expose().split('.').collect();
        assert_eq!(parts.len(), 3);
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
    }

    #[test]
    fn every_key_format_gives_the_same_fingerprint() {
        let plain = KeyPair::from_pem(PLAIN, None).unwrap();
        let encrypted =
            KeyPair::from_pem(ENCRYPTED, Some(&Secret::new("floe-test-passphrase"))).unwrap();
        let pkcs1 = KeyPair::from_pem(PKCS1, None).unwrap();
        assert_eq!(plain.fingerprint(), encrypted.fingerprint());
        assert_eq!(plain.fingerprint(), pkcs1.fingerprint());
        // Same as `openssl rsa -pubout -outform DER | openssl dgst -sha256 -binary | base64`.
        assert_eq!(
            plain.fingerprint(),
            include_str!("../../tests/fixtures/keys/test_key.fingerprint").trim()
        );
    }

    #[test]
    fn encrypted_keys_need_the_right_passphrase() {
        assert_eq!(
            KeyPair::from_pem(ENCRYPTED, None).unwrap_err(),
            KeyError::PassphraseRequired
        );
        let err = KeyPair::from_pem(ENCRYPTED, Some(&Secret::new("SENTINEL-WRONG"))).unwrap_err();
        assert_eq!(err, KeyError::Decrypt);
        assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        assert!(matches!(
            KeyPair::from_pem("not a key", None),
            Err(KeyError::Format(_))
        ));
    }

    #[test]
    fn jwt_claims_follow_snowflake() {
        let key = KeyPair::from_pem(PLAIN, None).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = key.jwt("myorg-bank.us-east-1", "floe_ci", now).unwrap();
        let claims = claims(&token);
        assert_eq!(claims["sub"], "MYORG-BANK.FLOE_CI");
        assert_eq!(
            claims["iss"],
            format!("MYORG-BANK.FLOE_CI.{}", key.fingerprint())
        );
        assert_eq!(claims["iat"], 1_700_000_000u64);
        assert_eq!(claims["exp"], 1_700_000_600u64);
        assert_eq!(format!("{token:?}"), "***");
    }

    #[test]
    fn jwt_signature_verifies_with_the_public_key() {
        use rsa::pkcs1v15::VerifyingKey;
        use rsa::signature::Verifier;
        let key = PrivateKey::from_pkcs8_pem(PLAIN).unwrap();
        let verifying = VerifyingKey::<Sha256>::new(key.to_public_key());
        let pair = KeyPair::from_pem(PLAIN, None).unwrap();
        let token = pair.jwt("acct", "u", SystemTime::now()).unwrap();
        let (input, sig) = token.expose().rsplit_once('.').unwrap();
        let sig =
            rsa::pkcs1v15::Signature::try_from(URL_SAFE_NO_PAD.decode(sig).unwrap().as_slice())
                .unwrap();
        verifying.verify(input.as_bytes(), &sig).unwrap();
    }
}
