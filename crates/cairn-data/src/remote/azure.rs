//! A remote on Azure Blob Storage (`dvc remote add NAME azure://container/path`), with
//! DVC's settings: `connection_string`, or `account_name` with `account_key` or
//! `sas_token`, else the `AZURE_STORAGE_CONNECTION_STRING` / `AZURE_STORAGE_ACCOUNT` +
//! `AZURE_STORAGE_KEY` variables the Azure SDK reads. Requests are signed with the
//! account key (Shared Key) or carry the SAS token; Azure AD sign-in (DVC's default
//! without keys) is not offered here and is named as such. A connection string's
//! `BlobEndpoint` serves the Azurite emulator and sovereign clouds.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::listing::Listing;
use super::percent::{encode, encode_query};
use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// The Blob service version requests ask for (single uploads up to 5,000 MiB).
const VERSION: &str = "2021-08-06";
/// The largest object sent in one request at that version.
const MAX_PUT: u64 = 5000 << 20;

/// How requests prove who sends them.
#[derive(Debug)]
enum Auth {
    /// The account key, decoded (Shared Key signatures).
    Key(Vec<u8>),
    /// A shared access signature, as a query string without the `?`.
    Sas(String),
}

/// The object store of an Azure remote.
#[derive(Debug)]
pub struct Azure {
    name: String,
    url: String,
    /// The blob service's URL, no trailing slash (`https://ACCOUNT.blob.core.windows.net`).
    endpoint: String,
    account: String,
    auth: Auth,
    container: String,
    /// Blob name prefix, no slashes at either end.
    prefix: String,
    /// Every blob name under the prefix, listed once on first use.
    listed: Listing,
}

/// `key=value;…` pairs of a connection string.
fn parse_connection_string(s: &str) -> BTreeMap<String, String> {
    s.split(';')
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

impl Azure {
    /// The remote `name` at `url` (`azure://container[/prefix]`) with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<Azure> {
        let fail = |what: String| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let (container, prefix) = super::bucket_and_prefix(url, "azure");
        if container.is_empty() {
            return Err(fail(
                "the URL names no container (azure://CONTAINER/path)".into(),
            ));
        }
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let conn = options
            .get("connection_string")
            .cloned()
            .or_else(|| env("AZURE_STORAGE_CONNECTION_STRING"))
            .map(|c| parse_connection_string(&c))
            .unwrap_or_default();
        let account = options
            .get("account_name")
            .cloned()
            .or_else(|| conn.get("AccountName").cloned())
            .or_else(|| env("AZURE_STORAGE_ACCOUNT"));
        let key = options
            .get("account_key")
            .cloned()
            .or_else(|| conn.get("AccountKey").cloned())
            .or_else(|| env("AZURE_STORAGE_KEY"));
        let sas = options
            .get("sas_token")
            .cloned()
            .or_else(|| conn.get("SharedAccessSignature").cloned())
            .or_else(|| env("AZURE_STORAGE_SAS_TOKEN"));
        let Some(account) = account.filter(|a| !a.is_empty()) else {
            return Err(fail(format!(
                "no storage account: set `connection_string` (or `account_name` with `account_key`) with `cairn remote modify --local {name} connection_string '…'`, or AZURE_STORAGE_CONNECTION_STRING"
            )));
        };
        let auth = match (key, sas) {
            (Some(k), _) => Auth::Key(
                base64::engine::general_purpose::STANDARD
                    .decode(k.trim())
                    .map_err(|e| fail(format!("the account key is not base64: {e}")))?,
            ),
            (None, Some(s)) => Auth::Sas(s.trim_start_matches('?').to_string()),
            (None, None) => {
                return Err(fail(format!(
                    "no credentials: Cairn signs requests with the account key or a SAS token (Azure AD sign-in is left to `dvc push`); set `account_key` or `sas_token` with `cairn remote modify --local {name} account_key …`, or a connection string"
                )));
            }
        };
        let endpoint = conn
            .get("BlobEndpoint")
            .cloned()
            .unwrap_or_else(|| {
                let protocol = conn
                    .get("DefaultEndpointsProtocol")
                    .map_or("https", String::as_str);
                let suffix = conn
                    .get("EndpointSuffix")
                    .map_or("core.windows.net", String::as_str);
                format!("{protocol}://{account}.blob.{suffix}")
            })
            .trim_end_matches('/')
            .to_string();
        Ok(Azure {
            name: name.to_string(),
            url: url.to_string(),
            endpoint,
            account,
            auth,
            container: container.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            listed: Listing::default(),
        })
    }

    fn blob(&self, hash: &str, kind: HashKind) -> String {
        super::object_path(&self.prefix, hash, kind)
    }

    fn error(&self, what: impl std::fmt::Display) -> DataError {
        DataError::Remote(format!("remote `{}` ({}): {what}", self.name, self.url))
    }

    /// A signed request: `path` is the container-relative part of the URL (already
    /// encoded), `query` its parameters.
    fn request(
        &self,
        method: attohttpc::Method,
        path: &str,
        query: &[(&str, &str)],
        length: Option<u64>,
        extra: &[(&str, &str)],
    ) -> attohttpc::RequestBuilder {
        let mut url = format!("{}/{}{path}", self.endpoint, encode(&self.container));
        let mut params: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query(v)))
            .collect();
        if let Auth::Sas(sas) = &self.auth {
            params.push(sas.clone());
        }
        if !params.is_empty() {
            url = format!("{url}?{}", params.join("&"));
        }
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let mut headers: Vec<(String, String)> = vec![
            ("x-ms-date".into(), date),
            ("x-ms-version".into(), VERSION.into()),
        ];
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut builder = attohttpc::RequestBuilder::new(method.clone(), &url)
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(300));
        if length.is_some() {
            builder = builder.header("Content-Type", "application/octet-stream");
        }
        if let Auth::Key(key) = &self.auth {
            let signature = self.sign(key, &method, path, query, length, &headers);
            builder = builder.header(
                "Authorization",
                format!("SharedKey {}:{signature}", self.account),
            );
        }
        for (k, v) in headers {
            if let Ok(name) = attohttpc::header::HeaderName::from_bytes(k.as_bytes()) {
                builder = builder.header(name, v);
            }
        }
        builder
    }

    /// Shared Key: HMAC-SHA256 with the account key over the request's canonical form.
    fn sign(
        &self,
        key: &[u8],
        method: &attohttpc::Method,
        path: &str,
        query: &[(&str, &str)],
        length: Option<u64>,
        headers: &[(String, String)],
    ) -> String {
        let mut canonical_headers: Vec<(String, &str)> = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
            .filter(|(k, _)| k.starts_with("x-ms-"))
            .collect();
        canonical_headers.sort();
        // The resource is the account, then the URL's path as sent (for an endpoint
        // with a path, such as Azurite's `/devstoreaccount1`, that path too).
        let endpoint_path = self
            .endpoint
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("");
        let mut resource = format!(
            "/{}{endpoint_path}/{}{path}",
            self.account,
            encode(&self.container)
        );
        let mut params: Vec<(String, &str)> = query
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), *v))
            .collect();
        params.sort();
        for (k, v) in params {
            resource.push_str(&format!("\n{k}:{v}"));
        }
        // attohttpc sends a body from a file as `application/octet-stream`.
        let content_type = if length.is_some() {
            "application/octet-stream"
        } else {
            ""
        };
        let length = length
            .filter(|n| *n > 0)
            .map(|n| n.to_string())
            .unwrap_or_default();
        let mut text = format!(
            "{}\n\n\n{length}\n\n{content_type}\n\n\n\n\n\n\n",
            method.as_str()
        );
        for (k, v) in canonical_headers {
            text.push_str(&format!("{k}:{v}\n"));
        }
        text.push_str(&resource);
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(text.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    /// What a refused request means.
    fn refused(&self, what: &str, status: u16, body: &str) -> DataError {
        let code = xml_text(body, "Code").unwrap_or_default();
        let hint = match status {
            403 => {
                ": check the account key or SAS token (and that its permissions include read, write and list)"
            }
            404 if code == "ContainerNotFound" => ": the container does not exist; create it first",
            _ => "",
        };
        self.error(format!("{what}: HTTP {status} {code}{hint}"))
    }

    fn list(&self) -> std::result::Result<HashSet<String>, String> {
        let prefix = super::listing::folder_prefix(&self.prefix);
        let mut names = HashSet::new();
        let mut marker = String::new();
        loop {
            let mut query = vec![("comp", "list"), ("restype", "container")];
            if !prefix.is_empty() {
                query.push(("prefix", prefix.as_str()));
            }
            if !marker.is_empty() {
                query.push(("marker", marker.as_str()));
            }
            let r = self
                .request(attohttpc::Method::GET, "", &query, None, &[])
                .send()
                .map_err(|e| self.error(format!("listing failed: {e}")).to_string())?;
            let status = r.status().as_u16();
            let body = r.text().unwrap_or_default();
            if !(200..=299).contains(&status) {
                return Err(self.refused("listing failed", status, &body).to_string());
            }
            let (page, next) = list_page(&body);
            names.extend(page);
            match next {
                Some(m) if !m.is_empty() => marker = m,
                _ => return Ok(names),
            }
        }
    }
}

/// The blob names of one List Blobs page, and the marker of the next page.
fn list_page(xml: &str) -> (Vec<String>, Option<String>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut names = Vec::new();
    let mut next = None;
    let mut path: Vec<Vec<u8>> = Vec::new();
    // The current element's text; entities (`&amp;`) arrive as events of their own.
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                path.push(e.name().as_ref().to_vec());
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.decode().unwrap_or_default()),
            Ok(Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = r
                    .decode()
                    .ok()
                    .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
                {
                    text.push_str(s);
                }
            }
            Ok(Event::End(_)) => {
                match path
                    .iter()
                    .map(Vec::as_slice)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    [.., b"Blob", b"Name"] => names.push(std::mem::take(&mut text)),
                    [_, b"NextMarker"] => next = Some(std::mem::take(&mut text)),
                    _ => {}
                }
                path.pop();
            }
            Ok(Event::Eof) | Err(_) => return (names, next),
            _ => {}
        }
    }
}

/// The text of the first `<tag>` in an error body.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_string())
}

impl Store for Azure {
    fn jobs(&self) -> Option<usize> {
        super::listing::network_jobs()
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        self.listed.contains(&self.blob(hash, kind), || self.list())
    }

    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let (file, len) = super::checked_object(local, hash, kind)?;
        if len > MAX_PUT {
            return Err(self.error(format!(
                "{hash}: {} MiB is more than one upload takes here (5,000 MiB); push it with `dvc push`",
                len >> 20
            )));
        }
        let blob = self.blob(hash, kind);
        let path = format!("/{}", encode(&blob));
        let request = self
            .request(
                attohttpc::Method::PUT,
                &path,
                &[],
                Some(len),
                &[("x-ms-blob-type", "BlockBlob")],
            )
            .file(file);
        super::send_ok(
            request,
            |e| self.error(format!("{blob}: {e}")),
            |status, body| self.refused(&blob, status, &body),
        )?;
        Ok(len)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let blob = self.blob(hash, kind);
        let path = format!("/{}", encode(&blob));
        let r = super::send_ok(
            self.request(attohttpc::Method::GET, &path, &[], None, &[]),
            |e| self.error(format!("{blob}: {e}")),
            |status, body| self.refused(&blob, status, &body),
        )?;
        let source = format!("azure://{}/{blob}", self.container);
        super::store_response(local, r, hash, kind, &self.name, &source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Azurite's well-known development account.
    const DEV_KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    fn open(url: &str, options: &[(&str, &str)]) -> Result<Azure> {
        Azure::open("store", url, &crate::remote::options(options))
    }

    #[test]
    fn settings_as_dvc_reads_them() {
        let conn = format!(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DEV_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
        );
        let a = open("azure://box/team/store/", &[("connection_string", &conn)]).unwrap();
        assert_eq!(
            (
                a.endpoint.as_str(),
                a.account.as_str(),
                a.container.as_str(),
                a.prefix.as_str()
            ),
            (
                "http://127.0.0.1:10000/devstoreaccount1",
                "devstoreaccount1",
                "box",
                "team/store"
            )
        );
        assert_eq!(
            a.blob("abcdef", HashKind::Md5),
            "team/store/files/md5/ab/cdef"
        );
        let a = open(
            "azure://box",
            &[("account_name", "acct"), ("sas_token", "?sv=1&sig=x")],
        )
        .unwrap();
        assert_eq!(a.endpoint, "https://acct.blob.core.windows.net");
        assert!(matches!(&a.auth, Auth::Sas(s) if s == "sv=1&sig=x"));
        let err = open("azure://box", &[("account_name", "acct")]).unwrap_err();
        assert!(err.to_string().contains("Azure AD"), "{err}");
    }

    #[test]
    fn list_pages_and_error_codes_are_read() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="x" ContainerName="c"><Prefix>p/</Prefix><Blobs><Blob><Name>p/files/md5/ab/cd</Name><Properties><Content-Length>3</Content-Length></Properties></Blob><Blob><Name>p/a&amp;b</Name></Blob></Blobs><NextMarker>2!abc</NextMarker></EnumerationResults>"#;
        assert_eq!(
            list_page(xml),
            (
                vec!["p/files/md5/ab/cd".to_string(), "p/a&b".to_string()],
                Some("2!abc".to_string())
            )
        );
        assert_eq!(
            xml_text("<Error><Code>AuthenticationFailed</Code></Error>", "Code").as_deref(),
            Some("AuthenticationFailed")
        );
    }
}
