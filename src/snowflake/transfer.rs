//! Uploads for `PUT`: Snowflake answers a PUT with file-transfer instructions
//! (`data.command = "UPLOAD"`, the stage's cloud storage with temporary credentials,
//! the stage's encryption material) and the client moves the files itself.
//!
//! Supported: internal stages on AWS S3 — the common case. Each file is encrypted
//! on the client as Snowflake's connectors do for internal stages, then stored with
//! one S3 PutObject signed with AWS Signature Version 4:
//!
//! * a random file key of the stage master key's size and a random 16-byte IV;
//!   the content is encrypted with AES-CBC and PKCS#7 padding;
//! * the file key, PKCS#7-padded, is encrypted with the master key in AES-ECB;
//! * object metadata `x-amz-meta-x-amz-key` (base64 wrapped key),
//!   `x-amz-meta-x-amz-iv` (base64 IV), `x-amz-meta-x-amz-matdesc`
//!   (`{"queryId","smkId","keySize"}`) and `x-amz-meta-sfc-digest` (base64 SHA-256
//!   of the plain content).
//!
//! Azure and GCS stages are refused with an error naming the storage, never
//! skipped. The answer is the result Snowflake's connectors print for PUT: one row
//! per file with `source`, `target`, sizes, compressions, `status` (`UPLOADED` or
//! `SKIPPED`) and `message`.
//!
//! Credentials (the temporary AWS keys, the master key) are [`Secret`]s and are
//! redacted from every message, including what the storage answers.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::secret::{Secret, redact};
use crate::runtime::session::{BackendError, Column, Rows};

/// Why a transfer failed. Messages never hold credentials.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The server's instructions are incomplete or malformed.
    #[error("file-transfer instructions: {0}")]
    Instructions(String),
    /// The stage lives on storage this client cannot write to.
    #[error(
        "uploading to {0} stage storage is not supported by floe's Snowflake backend (only AWS S3 internal stages are); nothing was uploaded"
    )]
    UnsupportedStorage(String),
    /// A local source file could not be read.
    #[error("reading `{path}`: {message}")]
    LocalFile { path: PathBuf, message: String },
    #[error("encryption: {0}")]
    Crypto(String),
    /// The storage answered with an error status.
    #[error("stage storage answered HTTP {status} for {what}: {detail}")]
    Storage {
        status: u16,
        what: String,
        detail: String,
    },
    /// The storage could not be reached.
    #[error("stage storage unreachable: {0}")]
    Network(String),
}

impl From<TransferError> for BackendError {
    fn from(error: TransferError) -> Self {
        match error {
            TransferError::Network(_) | TransferError::Storage { .. } => {
                BackendError::Network(error.to_string())
            }
            other => BackendError::Protocol(other.to_string()),
        }
    }
}

/// Temporary credentials of an S3 stage.
#[derive(Clone, Debug)]
pub struct AwsCredentials {
    pub key_id: Secret,
    pub secret_key: Secret,
    pub token: Option<Secret>,
}

/// Where and how to reach the stage's storage.
#[derive(Clone, Debug)]
pub struct StageInfo {
    /// `S3`, `AZURE`, `GCS` (or `LOCAL_FS`).
    pub location_type: String,
    /// `bucket/path/prefix/`.
    pub location: String,
    pub region: Option<String>,
    /// `stageInfo.endPoint`: a host (`s3-fips.us-gov-west-1.amazonaws.com`, used as
    /// `<bucket>.<endPoint>`) or a full `http(s)://` base URL (path-style requests:
    /// S3-compatible endpoints and local tests).
    pub end_point: Option<String>,
    pub creds: AwsCredentials,
}

/// The stage's client-side encryption material.
#[derive(Clone, Debug)]
pub struct EncryptionMaterial {
    /// Base64 AES key (128 or 256 bits).
    pub master_key: Secret,
    pub query_id: String,
    pub smk_id: String,
}

/// What a PUT asked the client to do.
#[derive(Clone, Debug)]
pub struct UploadInstructions {
    pub sources: Vec<PathBuf>,
    pub auto_compress: bool,
    pub overwrite: bool,
    pub stage: StageInfo,
    pub encryption: Option<EncryptionMaterial>,
}

impl UploadInstructions {
    /// Reads the `data` object of a PUT answer.
    pub fn parse(data: &Value) -> Result<Self, TransferError> {
        let missing = |what: &str| TransferError::Instructions(format!("no {what}"));
        let stage = &data["stageInfo"];
        let location_type = stage["locationType"]
            .as_str()
            .ok_or_else(|| missing("stageInfo.locationType"))?
            .to_ascii_uppercase();
        if location_type != "S3" {
            return Err(TransferError::UnsupportedStorage(location_type));
        }
        let location = stage["location"]
            .as_str()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| missing("stageInfo.location"))?
            .to_string();
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        let creds = &stage["creds"];
        let creds = AwsCredentials {
            key_id: Secret::new(
                text(&creds["AWS_KEY_ID"]).ok_or_else(|| missing("stageInfo.creds.AWS_KEY_ID"))?,
            ),
            secret_key: Secret::new(
                text(&creds["AWS_SECRET_KEY"])
                    .ok_or_else(|| missing("stageInfo.creds.AWS_SECRET_KEY"))?,
            ),
            token: text(&creds["AWS_TOKEN"]).map(Secret::new),
        };
        // PUT carries one material object; GET a list (one per file).
        let material = match &data["encryptionMaterial"] {
            Value::Array(list) => list.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let encryption = match text(&material["queryStageMasterKey"]) {
            Some(key) => Some(EncryptionMaterial {
                master_key: Secret::new(key),
                query_id: text(&material["queryId"]).unwrap_or_default(),
                smk_id: match &material["smkId"] {
                    Value::Number(n) => n.to_string(),
                    Value::String(s) => s.clone(),
                    _ => return Err(missing("encryptionMaterial.smkId")),
                },
            }),
            None => None,
        };
        let sources: Vec<PathBuf> = data["src_locations"]
            .as_array()
            .ok_or_else(|| missing("src_locations"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(PathBuf::from)
                    .ok_or_else(|| TransferError::Instructions("a non-text src_location".into()))
            })
            .collect::<Result<_, _>>()?;
        if sources.is_empty() {
            return Err(missing("source file"));
        }
        Ok(UploadInstructions {
            sources,
            auto_compress: data["autoCompress"].as_bool().unwrap_or(true),
            overwrite: data["overwrite"].as_bool().unwrap_or(false),
            stage: StageInfo {
                location_type,
                location,
                region: text(&stage["region"]),
                end_point: text(&stage["endPoint"]),
                creds,
            },
            encryption,
        })
    }

    fn secrets(&self) -> Vec<&Secret> {
        let creds = &self.stage.creds;
        let mut secrets = vec![&creds.key_id, &creds.secret_key];
        secrets.extend(creds.token.as_ref());
        secrets.extend(self.encryption.as_ref().map(|e| &e.master_key));
        secrets
    }
}

/// HTTP settings for the storage requests.
#[derive(Clone, Copy, Debug)]
pub struct TransferOptions {
    pub max_retries: u32,
    pub retry_backoff: Duration,
}

/// Carries out the UPLOAD instructions in `data` and returns PUT's result rows.
pub fn upload(
    http: &Client,
    data: &Value,
    options: TransferOptions,
) -> Result<Rows, TransferError> {
    let instructions = UploadInstructions::parse(data)?;
    let result = upload_all(http, &instructions, options);
    // Last line of defence: no credential in any message.
    result.map_err(|error| scrub(error, &instructions.secrets()))
}

fn scrub(error: TransferError, secrets: &[&Secret]) -> TransferError {
    let clean = |s: String| redact(&s, secrets.iter().copied());
    match error {
        TransferError::Instructions(m) => TransferError::Instructions(clean(m)),
        TransferError::UnsupportedStorage(m) => TransferError::UnsupportedStorage(clean(m)),
        TransferError::LocalFile { path, message } => TransferError::LocalFile {
            path,
            message: clean(message),
        },
        TransferError::Crypto(m) => TransferError::Crypto(clean(m)),
        TransferError::Storage {
            status,
            what,
            detail,
        } => TransferError::Storage {
            status,
            what: clean(what),
            detail: clean(detail),
        },
        TransferError::Network(m) => TransferError::Network(clean(m)),
    }
}

fn upload_all(
    http: &Client,
    instructions: &UploadInstructions,
    options: TransferOptions,
) -> Result<Rows, TransferError> {
    let target = S3Target::new(&instructions.stage)?;
    let mut rows = Vec::new();
    for source in &instructions.sources {
        rows.push(upload_one(http, instructions, &target, source, options)?);
    }
    Ok(Rows {
        columns: result_columns(),
        rows,
    })
}

fn result_columns() -> Vec<Column> {
    [
        ("source", "TEXT"),
        ("target", "TEXT"),
        ("source_size", "FIXED"),
        ("target_size", "FIXED"),
        ("source_compression", "TEXT"),
        ("target_compression", "TEXT"),
        ("status", "TEXT"),
        ("message", "TEXT"),
    ]
    .into_iter()
    .map(|(name, type_name)| Column {
        name: name.to_string(),
        type_name: type_name.to_string(),
    })
    .collect()
}

fn upload_one(
    http: &Client,
    instructions: &UploadInstructions,
    target: &S3Target,
    source: &Path,
    options: TransferOptions,
) -> Result<Vec<Option<String>>, TransferError> {
    let text = source.to_string_lossy();
    if text.contains(['*', '?']) {
        return Err(TransferError::LocalFile {
            path: source.to_path_buf(),
            message: "wildcards in PUT source paths are not supported; name each file".into(),
        });
    }
    let plain = std::fs::read(source).map_err(|e| TransferError::LocalFile {
        path: source.to_path_buf(),
        message: e.to_string(),
    })?;
    let file_name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| TransferError::LocalFile {
            path: source.to_path_buf(),
            message: "not a file name".into(),
        })?;
    let source_compression = if plain.starts_with(&[0x1f, 0x8b]) {
        "GZIP"
    } else {
        "NONE"
    };
    let source_size = plain.len();
    // Whole files in memory: one PutObject per file (S3 takes up to 5 GB that way).
    let (content, target_name, target_compression) =
        if instructions.auto_compress && source_compression == "NONE" {
            let compressed = gzip(&plain).map_err(|e| TransferError::LocalFile {
                path: source.to_path_buf(),
                message: format!("compressing: {e}"),
            })?;
            (compressed, format!("{file_name}.gz"), "GZIP")
        } else {
            (plain, file_name.clone(), source_compression)
        };
    // `target_size` is the staged file's size before encryption, as the connectors
    // report it.
    let target_size = content.len();
    let row = |status: &str, message: &str| {
        vec![
            Some(file_name.clone()),
            Some(target_name.clone()),
            Some(source_size.to_string()),
            Some(target_size.to_string()),
            Some(source_compression.to_string()),
            Some(target_compression.to_string()),
            Some(status.to_string()),
            Some(message.to_string()),
        ]
    };
    let key = target.key(&target_name);
    if !instructions.overwrite && target.exists(http, &key, options)? {
        return Ok(row("SKIPPED", ""));
    }
    let mut metadata = vec![(
        "x-amz-meta-sfc-digest".to_string(),
        BASE64.encode(Sha256::digest(&content)),
    )];
    let body = match &instructions.encryption {
        Some(material) => {
            let encrypted = encrypt(&content, material)?;
            metadata.push(("x-amz-meta-x-amz-iv".to_string(), encrypted.iv));
            metadata.push(("x-amz-meta-x-amz-key".to_string(), encrypted.wrapped_key));
            metadata.push(("x-amz-meta-x-amz-matdesc".to_string(), encrypted.matdesc));
            encrypted.body
        }
        None => content,
    };
    target.put(http, &key, body, &metadata, options)?;
    Ok(row("UPLOADED", ""))
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

// ---- encryption ----

/// A file encrypted for an internal stage, with its metadata values.
pub struct Encrypted {
    pub body: Vec<u8>,
    /// Base64 of the file key encrypted with the master key.
    pub wrapped_key: String,
    /// Base64 of the IV.
    pub iv: String,
    /// `{"queryId":…,"smkId":…,"keySize":…}`.
    pub matdesc: String,
}

/// Encrypts `content` with a fresh random file key and IV, the file key wrapped
/// with the stage master key.
pub fn encrypt(content: &[u8], material: &EncryptionMaterial) -> Result<Encrypted, TransferError> {
    let master = BASE64
        .decode(material.master_key.expose().trim())
        .map_err(|_| TransferError::Crypto("the stage master key is not base64".into()))?;
    let mut file_key = vec![0u8; master.len()];
    let mut iv = [0u8; 16];
    getrandom::fill(&mut file_key)
        .and_then(|_| getrandom::fill(&mut iv))
        .map_err(|e| TransferError::Crypto(format!("no random numbers: {e}")))?;
    let body = cbc_encrypt(&file_key, &iv, content)?;
    let wrapped = ecb_encrypt(&master, &pkcs7(&file_key))?;
    let matdesc = serde_json::json!({
        "queryId": material.query_id,
        "smkId": material.smk_id,
        "keySize": (file_key.len() * 8).to_string(),
    });
    Ok(Encrypted {
        body,
        wrapped_key: BASE64.encode(wrapped),
        iv: BASE64.encode(iv),
        matdesc: matdesc.to_string(),
    })
}

fn pkcs7(data: &[u8]) -> Vec<u8> {
    let pad = 16 - data.len() % 16;
    let mut out = data.to_vec();
    out.extend(std::iter::repeat_n(pad as u8, pad));
    out
}

fn bad_key(len: usize) -> TransferError {
    TransferError::Crypto(format!(
        "a {}-bit key is not an AES key (128, 192 or 256 bits)",
        len * 8
    ))
}

macro_rules! with_aes {
    ($key:expr, |$cipher:ident| $body:expr) => {
        match $key.len() {
            16 => {
                type $cipher = aes::Aes128;
                $body
            }
            24 => {
                type $cipher = aes::Aes192;
                $body
            }
            32 => {
                type $cipher = aes::Aes256;
                $body
            }
            other => Err(bad_key(other)),
        }
    };
}

fn cbc_encrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, TransferError> {
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    with_aes!(key, |C| {
        let encryptor =
            cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| bad_key(key.len()))?;
        Ok(encryptor.encrypt_padded_vec::<Pkcs7>(data))
    })
}

/// AES-ECB over whole blocks (`data.len()` is a multiple of 16).
fn ecb_encrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>, TransferError> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    with_aes!(key, |C| {
        let cipher = C::new_from_slice(key).map_err(|_| bad_key(key.len()))?;
        let mut out = data.to_vec();
        for chunk in out.chunks_exact_mut(16) {
            let block = <&mut aes::Block>::try_from(chunk)
                .map_err(|_| TransferError::Crypto("a partial AES block".into()))?;
            cipher.encrypt_block(block);
        }
        Ok(out)
    })
}

// ---- S3 ----

/// The bucket and key prefix of an S3 stage, and how to reach it.
struct S3Target {
    bucket: String,
    prefix: String,
    /// Base URL of the bucket (`https://bucket.s3.region.amazonaws.com` or
    /// `http://host:port/bucket` path-style), without a trailing slash.
    base: String,
    /// The Host header value (authority of `base`).
    host: String,
    region: String,
    creds: AwsCredentials,
}

impl S3Target {
    fn new(stage: &StageInfo) -> Result<Self, TransferError> {
        let (bucket, prefix) = match stage.location.split_once('/') {
            Some((bucket, rest)) => (bucket.to_string(), rest.to_string()),
            None => (stage.location.clone(), String::new()),
        };
        if bucket.is_empty() {
            return Err(TransferError::Instructions(
                "stageInfo.location names no bucket".into(),
            ));
        }
        let prefix = if prefix.is_empty() || prefix.ends_with('/') {
            prefix
        } else {
            format!("{prefix}/")
        };
        let region = stage
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_string());
        let end_point = stage.end_point.as_deref().map(|e| e.trim_end_matches('/'));
        let (base, host) = match end_point {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let authority = url
                    .split_once("://")
                    .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
                    .unwrap_or_default()
                    .to_string();
                (format!("{url}/{}", uri_encode(&bucket, true)), authority)
            }
            Some(host) => {
                let host = format!("{bucket}.{host}");
                (format!("https://{host}"), host)
            }
            None => {
                let suffix = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                let host = format!("{bucket}.s3.{region}.{suffix}");
                (format!("https://{host}"), host)
            }
        };
        Ok(S3Target {
            bucket,
            prefix,
            base,
            host,
            region,
            creds: stage.creds.clone(),
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The request path relative to the host (what is signed).
    fn path(&self, key: &str) -> String {
        let base_path = self
            .base
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        format!("{base_path}/{}", uri_encode(key, false))
    }

    fn url(&self, key: &str) -> String {
        let origin = self
            .base
            .split_once("://")
            .map(|(scheme, rest)| {
                let authority = rest.split('/').next().unwrap_or(rest);
                format!("{scheme}://{authority}")
            })
            .unwrap_or_default();
        format!("{origin}{}", self.path(key))
    }

    /// Signed headers for `method` on `key` with a body whose SHA-256 is `payload`.
    fn headers(
        &self,
        method: &str,
        key: &str,
        payload: &str,
        extra: &[(String, String)],
    ) -> Vec<(String, String)> {
        let amz_date = amz_date(SystemTime::now());
        let mut headers = vec![
            ("host".to_string(), self.host.clone()),
            ("x-amz-content-sha256".to_string(), payload.to_string()),
            ("x-amz-date".to_string(), amz_date.clone()),
        ];
        if let Some(token) = &self.creds.token {
            headers.push((
                "x-amz-security-token".to_string(),
                token.expose().to_string(),
            ));
        }
        headers.extend(extra.iter().cloned());
        let authorization = sigv4::authorization(&sigv4::Request {
            method,
            canonical_uri: &self.path(key),
            canonical_query: "",
            headers: &headers,
            payload_sha256: payload,
            region: &self.region,
            service: "s3",
            amz_date: &amz_date,
            key_id: self.creds.key_id.expose(),
            secret_key: self.creds.secret_key.expose(),
        });
        headers.push(("authorization".to_string(), authorization));
        // reqwest sets Host from the URL itself.
        headers.retain(|(name, _)| name != "host");
        headers
    }

    fn exists(
        &self,
        http: &Client,
        key: &str,
        options: TransferOptions,
    ) -> Result<bool, TransferError> {
        let headers = self.headers("HEAD", key, EMPTY_SHA256, &[]);
        let status = self.send(http, "HEAD", key, &headers, Bytes::new(), options)?;
        match status {
            (StatusCode::OK, _) => Ok(true),
            (StatusCode::NOT_FOUND, _) => Ok(false),
            (status, detail) => Err(TransferError::Storage {
                status: status.as_u16(),
                what: format!("checking s3://{}/{key}", self.bucket),
                detail,
            }),
        }
    }

    fn put(
        &self,
        http: &Client,
        key: &str,
        body: Vec<u8>,
        metadata: &[(String, String)],
        options: TransferOptions,
    ) -> Result<(), TransferError> {
        let payload = hex::encode(Sha256::digest(&body));
        let mut extra = vec![(
            "content-type".to_string(),
            "application/octet-stream".to_string(),
        )];
        extra.extend(metadata.iter().cloned());
        let headers = self.headers("PUT", key, &payload, &extra);
        match self.send(http, "PUT", key, &headers, Bytes::from(body), options)? {
            (status, _) if status.is_success() => Ok(()),
            (status, detail) => Err(TransferError::Storage {
                status: status.as_u16(),
                what: format!("uploading s3://{}/{key}", self.bucket),
                detail,
            }),
        }
    }

    /// Sends one request, retrying connection failures and 500/503 (S3's
    /// "slow down"); PUT and HEAD of an object are idempotent.
    fn send(
        &self,
        http: &Client,
        method: &str,
        key: &str,
        headers: &[(String, String)],
        body: Bytes,
        options: TransferOptions,
    ) -> Result<(StatusCode, String), TransferError> {
        let url = self.url(key);
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| TransferError::Instructions(format!("bad method {method}")))?;
        let mut attempt = 0;
        loop {
            let mut request = http.request(method.clone(), &url).body(body.clone());
            for (name, value) in headers {
                request = request.header(name, value);
            }
            match request.send() {
                Ok(response) => {
                    let status = response.status();
                    let retry = matches!(
                        status,
                        StatusCode::INTERNAL_SERVER_ERROR | StatusCode::SERVICE_UNAVAILABLE
                    );
                    if !retry || attempt >= options.max_retries {
                        let detail = if status.is_success() {
                            String::new()
                        } else {
                            storage_error(&response.text().unwrap_or_default())
                        };
                        return Ok((status, detail));
                    }
                }
                Err(error) => {
                    if error.is_timeout() || !error.is_connect() || attempt >= options.max_retries {
                        return Err(TransferError::Network(format!(
                            "{} {}: {}",
                            method,
                            self.base,
                            error_text(&error)
                        )));
                    }
                }
            }
            std::thread::sleep(options.retry_backoff * 2u32.saturating_pow(attempt));
            attempt += 1;
        }
    }
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// `Code: Message` of an S3 error document; never the rest (S3 echoes the
/// canonical request, which holds the session token).
fn storage_error(body: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&close)? + start;
        Some(body[start..end].to_string())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => "no error document".to_string(),
    }
}

fn error_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// AWS's URI encoding: every byte but `A-Za-z0-9-_.~` as `%XX`; `/` kept in
/// object keys (S3 paths are encoded once).
fn uri_encode(value: &str, encode_slash: bool) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else if b == b'/' && !encode_slash {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
fn amz_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// AWS Signature Version 4 (header-based, `AWS4-HMAC-SHA256`).
pub mod sigv4 {
    use hmac::{KeyInit, Mac};
    use sha2::{Digest, Sha256};

    type HmacSha256 = hmac::Hmac<Sha256>;

    /// One request to sign. `headers` are the headers to sign (any case; values
    /// are trimmed); `canonical_uri` is already URI-encoded.
    pub struct Request<'a> {
        pub method: &'a str,
        pub canonical_uri: &'a str,
        pub canonical_query: &'a str,
        pub headers: &'a [(String, String)],
        pub payload_sha256: &'a str,
        pub region: &'a str,
        pub service: &'a str,
        /// `YYYYMMDDTHHMMSSZ`, as sent in `x-amz-date`.
        pub amz_date: &'a str,
        pub key_id: &'a str,
        pub secret_key: &'a str,
    }

    /// The canonical request and the signed-headers list.
    pub fn canonical_request(request: &Request<'_>) -> (String, String) {
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    value.split_whitespace().collect::<Vec<_>>().join(" "),
                )
            })
            .collect();
        headers.sort();
        let canonical_headers: String = headers
            .iter()
            .map(|(name, value)| format!("{name}:{value}\n"))
            .collect();
        let signed: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        let signed = signed.join(";");
        (
            format!(
                "{}\n{}\n{}\n{canonical_headers}\n{signed}\n{}",
                request.method,
                request.canonical_uri,
                request.canonical_query,
                request.payload_sha256
            ),
            signed,
        )
    }

    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = match HmacSha256::new_from_slice(key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts every key length"),
        };
        mac.update(data.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The `Authorization` header value.
    pub fn authorization(request: &Request<'_>) -> String {
        let (canonical, signed) = canonical_request(request);
        let date = &request.amz_date[..request.amz_date.len().min(8)];
        let scope = format!("{date}/{}/{}/aws4_request", request.region, request.service);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
            request.amz_date,
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = hmac(format!("AWS4{}", request.secret_key).as_bytes(), date);
        let key = hmac(&key, request.region);
        let key = hmac(&key, request.service);
        let key = hmac(&key, "aws4_request");
        let signature = hex::encode(hmac(&key, &string_to_sign));
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={signature}",
            request.key_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// `get-vanilla` of AWS's Signature Version 4 test suite.
    #[test]
    fn sigv4_matches_the_get_vanilla_vector() {
        let headers = headers(&[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
        ]);
        let request = sigv4::Request {
            method: "GET",
            canonical_uri: "/",
            canonical_query: "",
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
            region: "us-east-1",
            service: "service",
            amz_date: "20150830T123600Z",
            key_id: "AKIDEXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        };
        assert_eq!(
            sigv4::authorization(&request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// The GET Object example of the S3 API reference ("Signature Calculations for
    /// the Authorization Header").
    #[test]
    fn sigv4_matches_the_s3_get_object_example() {
        let headers = headers(&[
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY_SHA256),
            ("x-amz-date", "20130524T000000Z"),
        ]);
        let request = sigv4::Request {
            method: "GET",
            canonical_uri: "/test.txt",
            canonical_query: "",
            headers: &headers,
            payload_sha256: EMPTY_SHA256,
            region: "us-east-1",
            service: "s3",
            amz_date: "20130524T000000Z",
            key_id: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        };
        let (canonical, _) = sigv4::canonical_request(&request);
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        );
        assert_eq!(
            sigv4::authorization(&request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn amz_dates_are_utc() {
        let at = |secs: u64| amz_date(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(1_440_938_160), "20150830T123600Z");
        assert_eq!(at(951_782_400), "20000229T000000Z");
    }

    fn decrypt(master: &[u8], encrypted: &Encrypted) -> Vec<u8> {
        use aes::cipher::{BlockCipherDecrypt, KeyInit};
        use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
        let mut wrapped = BASE64.decode(&encrypted.wrapped_key).unwrap();
        let cipher = aes::Aes128::new_from_slice(master).unwrap();
        for chunk in wrapped.chunks_exact_mut(16) {
            cipher.decrypt_block(<&mut aes::Block>::try_from(chunk).unwrap());
        }
        let pad = *wrapped.last().unwrap() as usize;
        let file_key = &wrapped[..wrapped.len() - pad];
        let iv = BASE64.decode(&encrypted.iv).unwrap();
        cbc::Decryptor::<aes::Aes128>::new_from_slices(file_key, &iv)
            .unwrap()
            .decrypt_padded_vec::<Pkcs7>(&encrypted.body)
            .unwrap()
    }

    #[test]
    fn encryption_round_trips_with_the_master_key() {
        let master = [7u8; 16];
        let material = EncryptionMaterial {
            master_key: Secret::new(BASE64.encode(master)),
            query_id: "01b2".into(),
            smk_id: "42".into(),
        };
        for content in [&b""[..], b"0123456789abcdef", b"a model artifact"] {
            let encrypted = encrypt(content, &material).unwrap();
            assert_eq!(encrypted.body.len(), content.len() / 16 * 16 + 16);
            if !content.is_empty() {
                assert_ne!(&encrypted.body[..content.len()], content);
            }
            // A 16-byte file key, padded to two blocks before wrapping.
            assert_eq!(BASE64.decode(&encrypted.wrapped_key).unwrap().len(), 32);
            assert_eq!(decrypt(&master, &encrypted), content);
            let matdesc: Value = serde_json::from_str(&encrypted.matdesc).unwrap();
            assert_eq!(
                matdesc,
                json!({"queryId": "01b2", "smkId": "42", "keySize": "128"})
            );
        }
        // Fresh key and IV each time.
        let a = encrypt(b"same", &material).unwrap();
        let b = encrypt(b"same", &material).unwrap();
        assert_ne!(a.iv, b.iv);
        assert_ne!(a.wrapped_key, b.wrapped_key);
    }

    #[test]
    fn a_master_key_of_the_wrong_size_is_refused() {
        let material = EncryptionMaterial {
            master_key: Secret::new(BASE64.encode([1u8; 10])),
            query_id: String::new(),
            smk_id: "1".into(),
        };
        let err = encrypt(b"x", &material).err().unwrap();
        assert!(err.to_string().contains("80-bit"), "{err}");
    }

    fn answer(location_type: &str) -> Value {
        json!({
            "command": "UPLOAD",
            "src_locations": ["/tmp/a b.json"],
            "autoCompress": false,
            "overwrite": true,
            "stageInfo": {
                "locationType": location_type,
                "location": "bucket/stages/abc",
                "region": "us-west-2",
                "creds": {"AWS_KEY_ID": "KEY-SENTINEL", "AWS_SECRET_KEY": "SECRET-SENTINEL", "AWS_TOKEN": "TOKEN-SENTINEL"}
            },
            "encryptionMaterial": {"queryStageMasterKey": "MASTER-SENTINEL", "queryId": "q", "smkId": 9}
        })
    }

    #[test]
    fn instructions_are_read_and_targets_built() {
        let instructions = UploadInstructions::parse(&answer("S3")).unwrap();
        assert!(instructions.overwrite);
        assert!(!instructions.auto_compress);
        assert_eq!(instructions.encryption.as_ref().unwrap().smk_id, "9");
        let printed = format!("{instructions:?}");
        assert!(!printed.contains("SENTINEL"), "{printed}");

        let target = S3Target::new(&instructions.stage).unwrap();
        assert_eq!(target.key("a b.json"), "stages/abc/a b.json");
        assert_eq!(
            target.url("stages/abc/a b.json"),
            "https://bucket.s3.us-west-2.amazonaws.com/stages/abc/a%20b.json"
        );
        assert_eq!(target.host, "bucket.s3.us-west-2.amazonaws.com");

        let mut stage = instructions.stage.clone();
        stage.end_point = Some("http://127.0.0.1:9000/".into());
        let target = S3Target::new(&stage).unwrap();
        assert_eq!(target.host, "127.0.0.1:9000");
        assert_eq!(target.path("k/x.json"), "/bucket/k/x.json");
        assert_eq!(
            target.url("k/x.json"),
            "http://127.0.0.1:9000/bucket/k/x.json"
        );

        stage.end_point = Some("s3-fips.us-gov-west-1.amazonaws.com".into());
        let target = S3Target::new(&stage).unwrap();
        assert_eq!(
            target.url("k"),
            "https://bucket.s3-fips.us-gov-west-1.amazonaws.com/k"
        );
    }

    #[test]
    fn azure_and_gcs_are_named_in_a_clear_error() {
        for storage in ["AZURE", "GCS"] {
            let err = UploadInstructions::parse(&answer(storage)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(storage) && text.contains("not supported"),
                "{text}"
            );
            assert!(!text.contains("SENTINEL"), "{text}");
        }
    }

    #[test]
    fn storage_errors_keep_only_code_and_message() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message><CanonicalRequest>x-amz-security-token:TOKEN</CanonicalRequest></Error>";
        assert_eq!(storage_error(body), "SignatureDoesNotMatch: nope");
        assert_eq!(storage_error(""), "no error document");
    }
}
