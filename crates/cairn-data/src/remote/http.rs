//! A remote served over HTTP(S) (`dvc remote add NAME https://host/path`), typically a
//! public data set on a plain web server. Objects are read where DVC's http remote reads
//! them: `GET {url}/files/md5/xx/…`, and `HEAD` to ask whether one is there. DVC's
//! `auth = basic` with `user`/`password` and `ssl_verify = false` are honoured. Uploads
//! need a server that takes them DVC's way, so pushing stays with `dvc push`.

use std::collections::BTreeMap;
use std::io::Seek;
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
        Ok(Http {
            name: name.to_string(),
            base: url.trim_end_matches('/').to_string(),
            auth,
            verify,
        })
    }

    fn url(&self, hash: &str, kind: HashKind) -> String {
        let (a, b) = hash.split_at(2.min(hash.len()));
        match kind {
            HashKind::Md5 => format!("{}/files/md5/{a}/{b}", self.base),
            HashKind::LegacyDos2Unix => format!("{}/{a}/{b}", self.base),
        }
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
            _ => "",
        };
        self.error(url, format!("HTTP {status}{hint}"))
    }
}

impl Store for Http {
    /// Like DVC's default for network remotes: four transfers per core.
    fn jobs(&self) -> Option<usize> {
        Some(4 * std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    fn read_only(&self) -> Option<String> {
        Some(format!(
            "remote `{}` ({}) is an HTTP remote: Cairn pulls from it but does not push to it (uploads need a server that takes them DVC's way); use `dvc push` for it",
            self.name, self.base
        ))
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        let url = self.url(hash, kind);
        let r = self
            .request(attohttpc::head(&url))
            .send()
            .map_err(|e| self.error(&url, e))?;
        match r.status().as_u16() {
            200..=299 => Ok(true),
            404 | 410 => Ok(false),
            s => Err(self.refused(&url, s)),
        }
    }

    fn put(&self, _local: &Odb, _hash: &str, _kind: HashKind) -> Result<u64> {
        Err(DataError::Remote(self.read_only().unwrap_or_default()))
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let url = self.url(hash, kind);
        std::fs::create_dir_all(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        let r = self
            .request(attohttpc::get(&url))
            .send()
            .map_err(|e| self.error(&url, e))?;
        let status = r.status().as_u16();
        if !(200..=299).contains(&status) {
            return Err(self.refused(&url, status));
        }
        // An unnamed file in the cache: nothing to clean up if the download fails.
        let mut tmp =
            tempfile::tempfile_in(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        let len = r.write_to(&mut tmp).map_err(|e| self.error(&url, e))?;
        tmp.rewind().map_err(|e| DataError::io(local.root(), e))?;
        super::store_fetched(local, tmp, len, hash, kind, &self.name, &url)
    }
}
