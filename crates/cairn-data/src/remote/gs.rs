//! A remote on Google Cloud Storage (`dvc remote add NAME gs://bucket/path`), through
//! the JSON API. Credentials are found as DVC's `gcsfs` finds them: the remote's
//! `credentialpath`, else `GOOGLE_APPLICATION_CREDENTIALS`, else gcloud's application
//! default credentials (`gcloud auth application-default login`). A service account key
//! is exchanged for an access token with a signed JWT; gcloud's user credentials with
//! their refresh token. Without any, requests go unsigned, as DVC falls back to: a
//! public bucket or an emulator (`endpointurl`) answers them, a private one's refusal is
//! named with what to set.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::Value;

use super::listing::Listing;
use super::percent::encode_query;
use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// What a token may do: read and write objects (gcsfs' `read_write`).
const SCOPE: &str = "https://www.googleapis.com/auth/devstorage.read_write";
const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Where access tokens come from.
#[derive(Debug)]
enum Credentials {
    /// Unsigned requests.
    Anonymous,
    /// A service account key: a JWT signed with its private key, exchanged for a token.
    ServiceAccount {
        email: String,
        key: openssl::pkey::PKey<openssl::pkey::Private>,
        token_uri: String,
    },
    /// gcloud's application default credentials for a user: a refresh token.
    User {
        client_id: String,
        client_secret: String,
        refresh_token: String,
        token_uri: String,
    },
}

/// The object store of a gs remote.
#[derive(Debug)]
pub struct Gs {
    name: String,
    url: String,
    /// The API's base URL, no trailing slash.
    endpoint: String,
    bucket: String,
    /// Object name prefix, no slashes at either end.
    prefix: String,
    credentials: Credentials,
    /// The current access token and when it stops being good.
    token: Mutex<Option<(String, Instant)>>,
    /// Every object name under the prefix, listed once on first use.
    listed: Listing,
}

impl Gs {
    /// The remote `name` at `url` (`gs://bucket[/prefix]`) with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<Gs> {
        let fail = |what: String| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let (bucket, prefix) = super::bucket_and_prefix(url, "gs");
        if bucket.is_empty() {
            return Err(fail("the URL names no bucket (gs://BUCKET/path)".into()));
        }
        let file = options
            .get("credentialpath")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from))
            .or_else(|| {
                let config = std::env::var_os("CLOUDSDK_CONFIG")
                    .map(PathBuf::from)
                    .or_else(|| {
                        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/gcloud"))
                    })?;
                let adc = config.join("application_default_credentials.json");
                adc.exists().then_some(adc)
            });
        let credentials = match file {
            None => Credentials::Anonymous,
            Some(path) => {
                read_credentials(&path).map_err(|e| fail(format!("{}: {e}", path.display())))?
            }
        };
        Ok(Gs {
            name: name.to_string(),
            url: url.to_string(),
            endpoint: options
                .get("endpointurl")
                .map_or("https://storage.googleapis.com", String::as_str)
                .trim_end_matches('/')
                .to_string(),
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            credentials,
            token: Mutex::new(None),
            listed: Listing::default(),
        })
    }

    fn object(&self, hash: &str, kind: HashKind) -> String {
        super::object_path(&self.prefix, hash, kind)
    }

    fn error(&self, what: impl std::fmt::Display) -> DataError {
        DataError::Remote(format!("remote `{}` ({}): {what}", self.name, self.url))
    }

    /// A request with the current access token (fetched or renewed when needed).
    fn request(&self, method: attohttpc::Method, url: &str) -> Result<attohttpc::RequestBuilder> {
        let builder = attohttpc::RequestBuilder::new(method, url)
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(300));
        Ok(match self.access_token()? {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        })
    }

    /// The access token, from the cache while it is good (signing a JWT per request
    /// would cost an RSA signature each time for nothing).
    fn access_token(&self) -> Result<Option<String>> {
        if matches!(self.credentials, Credentials::Anonymous) {
            return Ok(None);
        }
        let mut cached = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(Some(token.clone()));
        }
        let (form, token_uri) = self.grant()?;
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = attohttpc::post(token_uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .text(body)
            .connect_timeout(Duration::from_secs(30))
            .send()
            .map_err(|e| self.error(format!("signing in at {token_uri}: {e}")))?;
        let status = r.status().as_u16();
        let text = r.text().unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or_default();
        let Some(token) = v["access_token"]
            .as_str()
            .filter(|_| (200..=299).contains(&status))
        else {
            let why = match (v["error"].as_str(), v["error_description"].as_str()) {
                (Some(e), Some(d)) => format!("{e}: {d}"),
                (Some(e), None) => e.to_string(),
                _ => text.clone(),
            };
            return Err(self.error(format!(
                "signing in at {token_uri} failed (HTTP {status}): {why}; check the credentials file (`credentialpath`, GOOGLE_APPLICATION_CREDENTIALS)"
            )));
        };
        // Renewed a minute before it runs out.
        let lasts = v["expires_in"].as_u64().unwrap_or(3600).saturating_sub(60);
        *cached = Some((
            token.to_string(),
            Instant::now() + Duration::from_secs(lasts),
        ));
        Ok(Some(token.to_string()))
    }

    /// What the token endpoint is asked, and where.
    fn grant(&self) -> Result<(Vec<(&'static str, String)>, &str)> {
        Ok(match &self.credentials {
            Credentials::Anonymous => (Vec::new(), DEFAULT_TOKEN_URI),
            Credentials::ServiceAccount {
                email,
                key,
                token_uri,
            } => (
                vec![
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
                    ),
                    (
                        "assertion",
                        jwt(email, key, token_uri).map_err(|e| self.error(e))?,
                    ),
                ],
                token_uri,
            ),
            Credentials::User {
                client_id,
                client_secret,
                refresh_token,
                token_uri,
            } => (
                vec![
                    ("grant_type", "refresh_token".into()),
                    ("client_id", client_id.clone()),
                    ("client_secret", client_secret.clone()),
                    ("refresh_token", refresh_token.clone()),
                ],
                token_uri,
            ),
        })
    }

    fn refused(&self, what: &str, status: u16, body: &str) -> DataError {
        let message = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        let hint = match (status, &self.credentials) {
            (401 | 403, Credentials::Anonymous) => {
                ": no credentials were found; set `credentialpath` (`cairn remote modify --local NAME credentialpath key.json`), GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`"
            }
            (401 | 403, _) => ": check that the credentials may read and write this bucket",
            (404, _) if message.to_lowercase().contains("bucket") => ": the bucket does not exist",
            _ => "",
        };
        self.error(format!("{what}: HTTP {status} {message}{hint}"))
    }

    fn list(&self) -> std::result::Result<HashSet<String>, String> {
        let prefix = super::listing::folder_prefix(&self.prefix);
        let mut names = HashSet::new();
        let mut page = String::new();
        loop {
            let mut url = format!(
                "{}/storage/v1/b/{}/o?fields=items(name),nextPageToken&prefix={}",
                self.endpoint,
                encode_query(&self.bucket),
                encode_query(&prefix)
            );
            if !page.is_empty() {
                url.push_str(&format!("&pageToken={}", encode_query(&page)));
            }
            let body = self
                .request(attohttpc::Method::GET, &url)
                .and_then(|request| {
                    super::send_ok(
                        request,
                        |e| self.error(format!("listing failed: {e}")),
                        |status, body| self.refused("listing failed", status, &body),
                    )
                })
                .map_err(|e| e.to_string())?
                .text()
                .unwrap_or_default();
            let v: Value = serde_json::from_str(&body).unwrap_or_default();
            names.extend(
                v["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o["name"].as_str().map(str::to_string)),
            );
            match v["nextPageToken"].as_str() {
                Some(t) if !t.is_empty() => page = t.to_string(),
                _ => return Ok(names),
            }
        }
    }
}

/// The credentials in a JSON key file (a service account's, or gcloud's for a user).
fn read_credentials(path: &std::path::Path) -> std::result::Result<Credentials, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let field = |k: &str| {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no `{k}` in this credentials file"))
    };
    let token_uri = v["token_uri"]
        .as_str()
        .unwrap_or(DEFAULT_TOKEN_URI)
        .to_string();
    match v["type"].as_str() {
        Some("service_account") => Ok(Credentials::ServiceAccount {
            email: field("client_email")?,
            key: openssl::pkey::PKey::private_key_from_pem(field("private_key")?.as_bytes())
                .map_err(|e| format!("its private key cannot be read: {e}"))?,
            token_uri,
        }),
        Some("authorized_user") => Ok(Credentials::User {
            client_id: field("client_id")?,
            client_secret: field("client_secret")?,
            refresh_token: field("refresh_token")?,
            token_uri,
        }),
        other => Err(format!(
            "credentials of type {} are not supported here (service_account and authorized_user are); use `dvc push` with them",
            other.unwrap_or("(none)")
        )),
    }
}

/// A JWT asserting the service account for an hour, signed RS256 with its key.
fn jwt(
    email: &str,
    key: &openssl::pkey::PKey<openssl::pkey::Private>,
    aud: &str,
) -> std::result::Result<String, String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = b64.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = b64.encode(
        serde_json::json!({"iss": email, "scope": SCOPE, "aud": aud, "iat": now, "exp": now + 3600})
            .to_string(),
    );
    let signing_input = format!("{header}.{claims}");
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), key)
        .map_err(|e| format!("cannot sign with the service account's key: {e}"))?;
    let signature = signer
        .update(signing_input.as_bytes())
        .and_then(|_| signer.sign_to_vec())
        .map_err(|e| format!("cannot sign with the service account's key: {e}"))?;
    Ok(format!("{signing_input}.{}", b64.encode(signature)))
}

impl Store for Gs {
    fn jobs(&self) -> Option<usize> {
        super::listing::network_jobs()
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        self.listed
            .contains(&self.object(hash, kind), || self.list())
    }

    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let (file, len) = super::checked_object(local, hash, kind)?;
        let object = self.object(hash, kind);
        let url = format!(
            "{}/upload/storage/v1/b/{}/o?uploadType=media&name={}",
            self.endpoint,
            encode_query(&self.bucket),
            encode_query(&object)
        );
        let request = self
            .request(attohttpc::Method::POST, &url)?
            .header("Content-Type", "application/octet-stream")
            .file(file);
        super::send_ok(
            request,
            |e| self.error(format!("{object}: {e}")),
            |status, body| self.refused(&object, status, &body),
        )?;
        Ok(len)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let object = self.object(hash, kind);
        let url = format!(
            "{}/storage/v1/b/{}/o/{}?alt=media",
            self.endpoint,
            encode_query(&self.bucket),
            encode_query(&object)
        );
        let r = super::send_ok(
            self.request(attohttpc::Method::GET, &url)?,
            |e| self.error(format!("{object}: {e}")),
            |status, body| self.refused(&object, status, &body),
        )?;
        let source = format!("gs://{}/{object}", self.bucket);
        super::store_response(local, r, hash, kind, &self.name, &source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(url: &str, options: &[(&str, &str)]) -> Result<Gs> {
        Gs::open("store", url, &crate::remote::options(options))
    }

    #[test]
    fn urls_and_credentials_files() {
        let dir = tempfile::tempdir().unwrap();
        let key = openssl::rsa::Rsa::generate(2048).unwrap();
        let pem = String::from_utf8(key.private_key_to_pem().unwrap()).unwrap();
        let sa = dir.path().join("sa.json");
        std::fs::write(
            &sa,
            serde_json::json!({"type": "service_account", "client_email": "bot@p.iam", "private_key": pem, "token_uri": "http://127.0.0.1:1/token"}).to_string(),
        )
        .unwrap();
        let g = open(
            "gs://box/team/store/",
            &[
                ("credentialpath", sa.to_str().unwrap()),
                ("endpointurl", "http://127.0.0.1:9/"),
            ],
        )
        .unwrap();
        assert_eq!(
            (
                g.endpoint.as_str(),
                g.bucket.as_str(),
                g.object("abcdef", HashKind::Md5)
            ),
            (
                "http://127.0.0.1:9",
                "box",
                "team/store/files/md5/ab/cdef".to_string()
            )
        );
        assert!(
            matches!(&g.credentials, Credentials::ServiceAccount { email, .. } if email == "bot@p.iam")
        );
        // The JWT verifies with the key's public half.
        let Credentials::ServiceAccount { key: pkey, .. } = &g.credentials else {
            unreachable!()
        };
        let token = jwt("bot@p.iam", pkey, "aud").unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sig)
            .unwrap();
        let mut v =
            openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), pkey).unwrap();
        v.update(input.as_bytes()).unwrap();
        assert!(v.verify(&sig).unwrap());

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, r#"{"type": "external_account"}"#).unwrap();
        let err = open("gs://box", &[("credentialpath", bad.to_str().unwrap())]).unwrap_err();
        assert!(err.to_string().contains("external_account"), "{err}");
        assert!(open("gs://", &[]).is_err());
    }
}
