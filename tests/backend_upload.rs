//! PUT through the Snowflake backend: the server answers with upload instructions
//! for an S3 stage, and the client encrypts and uploads the file itself. One local
//! server plays both parts — Snowflake's REST endpoints and a path-style S3 bucket
//! that checks each request's Signature V4 and keeps the objects — so the test can
//! decrypt what arrived with the stage master key and compare it to the file.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use aes::cipher::{BlockCipherDecrypt, KeyInit};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use floe::runtime::session::{BackendError, SqlSession};
use floe::snowflake::transfer::sigv4;
use floe::snowflake::{self, ConnectionConfig};

const MASTER_KEY: [u8; 16] = *b"stage-master-key";
const SECRET_KEY: &str = "SENTINEL-SECRET";
const TOKEN: &str = "SENTINEL-TOKEN";

/// One request the bucket received.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
}

#[derive(Default)]
struct Bucket {
    /// The PUT answer the query endpoint gives.
    answer: Value,
    /// The secret key the bucket verifies signatures with.
    secret: String,
    requests: Vec<Received>,
    /// path → (headers, body)
    objects: BTreeMap<String, (BTreeMap<String, String>, Vec<u8>)>,
    /// Signatures that did not verify.
    bad_signatures: usize,
    /// Answer this many storage requests with 503 Slow Down first.
    slow_down: usize,
}

type Shared = Arc<Mutex<Bucket>>;

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    if path == "/session/v1/login-request" {
        return axum::Json(
            json!({"success": true, "data": {"token": "t", "masterToken": "m",
            "validityInSeconds": 3600, "masterValidityInSeconds": 14400, "sessionId": 1,
            "sessionInfo": {"roleName": "R"}}}),
        )
        .into_response();
    }
    if path == "/queries/v1/query-request" {
        let answer = state.lock().unwrap().answer.clone();
        return axum::Json(json!({"success": true, "data": answer})).into_response();
    }
    if path == "/session" {
        return axum::Json(json!({"success": true, "data": null})).into_response();
    }
    // The bucket: verify the signature, then store or look up.
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut bucket = state.lock().unwrap();
    bucket.requests.push(Received {
        method: method.to_string(),
        path: path.clone(),
    });
    if bucket.slow_down > 0 {
        bucket.slow_down -= 1;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
        )
            .into_response();
    }
    if !signature_verifies(&method, &path, &headers, &body, &bucket.secret) {
        bucket.bad_signatures += 1;
        // S3 echoes the canonical request, session token included.
        let xml = format!(
            "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><CanonicalRequest>x-amz-security-token:{TOKEN}</CanonicalRequest></Error>"
        );
        return (StatusCode::FORBIDDEN, xml).into_response();
    }
    match method {
        Method::HEAD if bucket.objects.contains_key(&path) => StatusCode::OK.into_response(),
        Method::HEAD => StatusCode::NOT_FOUND.into_response(),
        Method::PUT => {
            bucket.objects.insert(path, (headers, body.to_vec()));
            StatusCode::OK.into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

/// Recomputes the Signature V4 of a request from what arrived on the wire.
fn signature_verifies(
    method: &Method,
    path: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
    secret: &str,
) -> bool {
    let Some(authorization) = headers.get("authorization") else {
        return false;
    };
    let Some(rest) = authorization.strip_prefix("AWS4-HMAC-SHA256 Credential=") else {
        return false;
    };
    let parts: Vec<&str> = rest.split(", ").collect();
    let [credential, signed, _signature] = parts[..] else {
        return false;
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, _date, region, "s3", "aws4_request"] = scope[..] else {
        return false;
    };
    let Some(signed) = signed.strip_prefix("SignedHeaders=") else {
        return false;
    };
    let signed_headers: Vec<(String, String)> = signed
        .split(';')
        .map(|name| {
            (
                name.to_string(),
                headers.get(name).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let payload = headers
        .get("x-amz-content-sha256")
        .cloned()
        .unwrap_or_default();
    if payload != hex::encode(Sha256::digest(body)) {
        return false;
    }
    let amz_date = headers.get("x-amz-date").cloned().unwrap_or_default();
    let expected = sigv4::authorization(&sigv4::Request {
        method: method.as_str(),
        canonical_uri: path,
        canonical_query: "",
        headers: &signed_headers,
        payload_sha256: &payload,
        region,
        service: "s3",
        amz_date: &amz_date,
        key_id,
        secret_key: secret,
    });
    expected == *authorization
}

fn start() -> (SocketAddr, Shared) {
    let state: Shared = Arc::new(Mutex::new(Bucket {
        secret: SECRET_KEY.to_string(),
        ..Bucket::default()
    }));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new()
        .fallback(handle)
        .with_state(state.clone());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    (addr, state)
}

fn put_answer(addr: SocketAddr, file: &Path, storage: &str, overwrite: bool) -> Value {
    json!({
        "command": "UPLOAD",
        "src_locations": [file.to_str().unwrap()],
        "autoCompress": false,
        "sourceCompression": "auto_detect",
        "overwrite": overwrite,
        "parallel": 4,
        "stageInfo": {
            "locationType": storage,
            "location": "sfc-stage-bucket/stages/abc123/",
            "path": "stages/abc123/",
            "region": "us-west-2",
            "endPoint": format!("http://{addr}"),
            "isClientSideEncrypted": true,
            "creds": {"AWS_KEY_ID": "SENTINEL-KEY", "AWS_SECRET_KEY": SECRET_KEY, "AWS_TOKEN": TOKEN}
        },
        "encryptionMaterial": {
            "queryStageMasterKey": BASE64.encode(MASTER_KEY),
            "queryId": "01b-query",
            "smkId": 4711
        },
        "queryId": "01b-query"
    })
}

fn session(addr: SocketAddr) -> snowflake::SnowflakeSession {
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    snowflake::connect_with(config).unwrap()
}

fn artifact(dir: &Path) -> (std::path::PathBuf, Vec<u8>) {
    let content: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.join("model.onnx");
    std::fs::write(&path, &content).unwrap();
    (path, content)
}

const PUT: &str =
    "PUT 'file:///x/model.onnx' @DB.S.MODELS/M/V1/ AUTO_COMPRESS = FALSE OVERWRITE = TRUE";

/// Decrypts an object as Snowflake does: unwrap the file key with the master key
/// (AES-ECB, PKCS#7), then AES-CBC with the IV from the metadata.
fn decrypt(headers: &BTreeMap<String, String>, body: &[u8]) -> Vec<u8> {
    let mut wrapped = BASE64.decode(&headers["x-amz-meta-x-amz-key"]).unwrap();
    assert_eq!(
        wrapped.len(),
        32,
        "a 128-bit file key, padded to two blocks"
    );
    let master = aes::Aes128::new_from_slice(&MASTER_KEY).unwrap();
    for chunk in wrapped.chunks_exact_mut(16) {
        master.decrypt_block(<&mut aes::Block>::try_from(chunk).unwrap());
    }
    assert_eq!(
        &wrapped[16..],
        &[16u8; 16],
        "PKCS#7 padding of the file key"
    );
    let iv = BASE64.decode(&headers["x-amz-meta-x-amz-iv"]).unwrap();
    assert_eq!(iv.len(), 16);
    cbc::Decryptor::<aes::Aes128>::new_from_slices(&wrapped[..16], &iv)
        .unwrap()
        .decrypt_padded_vec::<Pkcs7>(body)
        .unwrap()
}

#[test]
fn put_encrypts_and_uploads_the_file_to_the_s3_stage() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, content) = artifact(dir.path());
    state.lock().unwrap().answer = put_answer(addr, &file, "S3", true);
    let session = session(addr);

    let rows = session.execute(PUT).unwrap();
    let names: Vec<&str> = rows.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "source",
            "target",
            "source_size",
            "target_size",
            "source_compression",
            "target_compression",
            "status",
            "message"
        ]
    );
    let text = |s: &str| Some(s.to_string());
    assert_eq!(
        rows.rows,
        vec![vec![
            text("model.onnx"),
            text("model.onnx"),
            text("5000"),
            text("5000"),
            text("NONE"),
            text("NONE"),
            text("UPLOADED"),
            text(""),
        ]]
    );

    let bucket = state.lock().unwrap();
    assert_eq!(bucket.bad_signatures, 0);
    // OVERWRITE = TRUE: no existence check, one PutObject.
    let methods: Vec<&str> = bucket.requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["PUT"]);
    let (headers, body) = &bucket.objects["/sfc-stage-bucket/stages/abc123/model.onnx"];

    let authorization = &headers["authorization"];
    let today = &headers["x-amz-date"][..8];
    assert!(
        authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential=SENTINEL-KEY/{today}/us-west-2/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-sfc-digest;x-amz-meta-x-amz-iv;x-amz-meta-x-amz-key;x-amz-meta-x-amz-matdesc;x-amz-security-token, Signature="
        )),
        "{authorization}"
    );
    let signature = authorization.rsplit("Signature=").next().unwrap();
    assert_eq!(signature.len(), 64);
    assert!(signature.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(headers["x-amz-security-token"], TOKEN);

    // Encryption metadata, and the content back with the master key.
    let matdesc: Value = serde_json::from_str(&headers["x-amz-meta-x-amz-matdesc"]).unwrap();
    assert_eq!(
        matdesc,
        json!({"queryId": "01b-query", "smkId": "4711", "keySize": "128"})
    );
    assert_eq!(
        headers["x-amz-meta-sfc-digest"],
        BASE64.encode(Sha256::digest(&content))
    );
    assert_ne!(body, &content);
    assert_eq!(body.len(), 5008, "5000 bytes padded to whole AES blocks");
    assert_eq!(decrypt(headers, body), content);
}

#[test]
fn auto_compress_gzips_before_encrypting() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, content) = artifact(dir.path());
    let mut answer = put_answer(addr, &file, "S3", true);
    answer["autoCompress"] = json!(true);
    state.lock().unwrap().answer = answer;
    let rows = session(addr).execute(PUT).unwrap();
    let row = &rows.rows[0];
    assert_eq!(row[1].as_deref(), Some("model.onnx.gz"));
    assert_eq!(row[4].as_deref(), Some("NONE"));
    assert_eq!(row[5].as_deref(), Some("GZIP"));
    let bucket = state.lock().unwrap();
    let (headers, body) = &bucket.objects["/sfc-stage-bucket/stages/abc123/model.onnx.gz"];
    let gz = decrypt(headers, body);
    assert_eq!(row[3].as_deref(), Some(gz.len().to_string().as_str()));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, content);
}

#[test]
fn without_overwrite_an_existing_file_is_skipped() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = artifact(dir.path());
    state.lock().unwrap().answer = put_answer(addr, &file, "S3", false);
    let session = session(addr);

    // Not there yet: checked, then uploaded.
    let rows = session.execute(PUT).unwrap();
    assert_eq!(rows.rows[0][6].as_deref(), Some("UPLOADED"));
    // There now: checked, skipped, nothing written.
    let rows = session.execute(PUT).unwrap();
    assert_eq!(rows.rows[0][6].as_deref(), Some("SKIPPED"));
    let bucket = state.lock().unwrap();
    let methods: Vec<&str> = bucket.requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["HEAD", "PUT", "HEAD"]);
    assert!(
        bucket
            .requests
            .iter()
            .all(|r| r.path == "/sfc-stage-bucket/stages/abc123/model.onnx")
    );
    assert_eq!(bucket.bad_signatures, 0);
}

#[test]
fn a_rejected_upload_is_an_error_without_credentials() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = artifact(dir.path());
    {
        let mut bucket = state.lock().unwrap();
        bucket.answer = put_answer(addr, &file, "S3", true);
        // The bucket expects another secret: every signature fails.
        bucket.secret = "another-secret".to_string();
    }
    let err = session(addr).execute(PUT).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, BackendError::Network(_))
            && text.contains("403")
            && text.contains("SignatureDoesNotMatch")
            && text.contains("PUT 'file:///x/model.onnx'"),
        "{text}"
    );
    assert!(!text.contains("SENTINEL"), "{text}");
    assert_eq!(state.lock().unwrap().bad_signatures, 1);
}

#[test]
fn azure_and_gcs_stages_are_refused_by_name() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = artifact(dir.path());
    let session = session(addr);
    for storage in ["AZURE", "GCS"] {
        state.lock().unwrap().answer = put_answer(addr, &file, storage, true);
        let err = session.execute(PUT).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, BackendError::Protocol(_))
                && text.contains(&format!("{storage} stage storage is not supported"))
                && text.contains("nothing was uploaded"),
            "{text}"
        );
        assert!(!text.contains("SENTINEL"), "{text}");
    }
    assert!(state.lock().unwrap().requests.is_empty());
}

#[test]
fn a_missing_source_file_is_named() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.onnx");
    state.lock().unwrap().answer = put_answer(addr, &missing, "S3", true);
    let err = session(addr).execute(PUT).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("absent.onnx"), "{text}");
    assert!(!text.contains("SENTINEL"), "{text}");
}

#[test]
fn a_busy_bucket_is_retried() {
    let (addr, state) = start();
    let dir = tempfile::tempdir().unwrap();
    let (file, content) = artifact(dir.path());
    {
        let mut bucket = state.lock().unwrap();
        bucket.answer = put_answer(addr, &file, "S3", true);
        bucket.slow_down = 2;
    }
    let mut config = ConnectionConfig::password("bank", "u", "pw");
    config.base_url = Some(format!("http://{addr}"));
    config.options.retry_backoff = std::time::Duration::from_millis(10);
    let rows = snowflake::connect_with(config)
        .unwrap()
        .execute(PUT)
        .unwrap();
    assert_eq!(rows.rows[0][6].as_deref(), Some("UPLOADED"));
    let bucket = state.lock().unwrap();
    assert_eq!(bucket.requests.len(), 3);
    let (headers, body) = &bucket.objects["/sfc-stage-bucket/stages/abc123/model.onnx"];
    assert_eq!(decrypt(headers, body), content);
}
