//! A remote served over HTTP(S) (`dvc remote add NAME https://host/path`), typically a
//! public data set on a plain web server. Objects are read where DVC's http remote reads
//! them: `GET {url}/files/md5/xx/…`, and `HEAD` to ask whether one is there. DVC's
//! `auth = basic` with `user`/`password` and `ssl_verify = false` are honoured. A push
//! sends each object as DVC's does: the object's bytes to its URL with the remote's
//! `method` (`POST` unless set). Most web servers take no uploads; theirs answer is
//! named, with what to do.

use std::collections::BTreeMap;
use std::time::Duration;

use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// The object store of an http or https remote.
#[derive(Debug)]
pub struct Http {
    name: String,
    /// The remote's URL without a trailing slash.
    base: String,
    auth: Option<(String, String)>,
    verify: bool,
    /// How uploads are sent (DVC's `method`).
    method: attohttpc::Method,
}

impl Http {
    /// The remote `name` at `url` with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<Http> {
        let fail = |what: String| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let auth = match options.get("auth").map(String::as_str) {
            None => None,
            Some("basic") => Some((
                options.get("user").cloned().unwrap_or_default(),
                options.get("password").cloned().unwrap_or_default(),
            )),
            Some(other) => {
                return Err(fail(format!(
                    "auth = {other} is not supported here (basic is); use `dvc pull` for this remote"
                )));
            }
        };
        let verify = match options.get("ssl_verify").map(|v| v.to_ascii_lowercase()) {
            None => true,
            Some(v) if ["true", "1", "yes"].contains(&v.as_str()) => true,
            Some(v) if ["false", "0", "no"].contains(&v.as_str()) => false,
            Some(v) => {
                return Err(fail(format!(
                    "ssl_verify = {v}: a CA bundle is not supported here (true or false are); use `dvc pull` for this remote"
                )));
            }
        };
        let method = match options.get("method").map(|m| m.to_ascii_uppercase()) {
            None => attohttpc::Method::POST,
            Some(m) if m == "POST" => attohttpc::Method::POST,
            Some(m) if m == "PUT" => attohttpc::Method::PUT,
            Some(m) => {
                return Err(fail(format!(
                    "method = {m}: uploads are sent with POST or PUT; set one with `cairn remote modify {name} method POST`"
                )));
            }
        };
        // The path as an HTTP client sends it: spaces and other characters encoded once.
        let base = match url
            .split_once("://")
            .map(|(s, rest)| (s, rest.split_once('/')))
        {
            Some((scheme, Some((host, path)))) => format!(
                "{scheme}://{host}/{}",
                super::percent::normalize_path(path.trim_end_matches('/'))
            ),
            _ => url.to_string(),
        };
        Ok(Http {
            name: name.to_string(),
            base: base.trim_end_matches('/').to_string(),
            auth,
            verify,
            method,
        })
    }

    fn url(&self, hash: &str, kind: HashKind) -> String {
        super::object_path(&self.base, hash, kind)
    }

    fn request(&self, builder: attohttpc::RequestBuilder) -> attohttpc::RequestBuilder {
        let builder = builder
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .danger_accept_invalid_certs(!self.verify);
        match &self.auth {
            Some((user, password)) => builder.basic_auth(user, Some(password)),
            None => builder,
        }
    }

    fn error(&self, url: &str, what: impl std::fmt::Display) -> DataError {
        DataError::Remote(format!("remote `{}`: {url}: {what}", self.name))
    }

    fn refused(&self, url: &str, status: u16) -> DataError {
        let hint = match status {
            401 => {
                " (unauthorized): set `auth basic` with `user` and `password` on the remote (`cairn remote modify --local NAME user …`)"
            }
            403 => " (forbidden): check the server's permissions",
            405 | 501 => {
                " (the server takes no uploads): a plain web server serves files but is not written to this way; push to a remote that is (a folder, S3 or SSH) or to a server that takes DVC's uploads"
            }
            _ => "",
        };
        self.error(url, format!("HTTP {status}{hint}"))
    }
}

impl Store for Http {
    fn jobs(&self) -> Option<usize> {
        super::listing::network_jobs()
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        let url = self.url(hash, kind);
        let r = self
            .request(attohttpc::head(&url))
            .send()
            .map_err(|e| self.error(&url, e))?;
        super::found_by_head(r.status().as_u16(), |s| self.refused(&url, s))
    }

    /// Checked against its name before it leaves (a cache copy edited in place must not
    /// spread), then sent whole with its length.
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let (file, len) = super::checked_object(local, hash, kind)?;
        let url = self.url(hash, kind);
        let request = self
            .request(attohttpc::RequestBuilder::new(self.method.clone(), &url))
            .file(file);
        super::send_ok(
            request,
            |e| self.error(&url, e),
            |status, _| self.refused(&url, status),
        )?;
        Ok(len)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let url = self.url(hash, kind);
        let r = super::send_ok(
            self.request(attohttpc::get(&url)),
            |e| self.error(&url, e),
            |status, _| self.refused(&url, status),
        )?;
        super::store_response(local, r, hash, kind, &self.name, &url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_encoded_once() {
        let o = BTreeMap::new();
        for url in ["https://h/data sets/v1/", "https://h/data%20sets/v1"] {
            assert_eq!(
                Http::open("web", url, &o).unwrap().base,
                "https://h/data%20sets/v1"
            );
        }
        assert_eq!(
            Http::open("web", "http://127.0.0.1:8000", &o).unwrap().base,
            "http://127.0.0.1:8000"
        );
    }
}
