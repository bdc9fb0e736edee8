//! A WebDAV remote (`dvc remote add NAME webdav://host/path`, or `webdavs://` for
//! https): a Nextcloud or ownCloud folder, a university's file service, any server that
//! speaks WebDAV. Objects sit where DVC's webdav plugin puts them (`{url}/files/md5/xx/…`
//! over http(s)). The remote's `user`/`password` (basic auth), `token` (a bearer token),
//! `custom_auth_header` (with `password` as its value), `bearer_token_command`,
//! `ssl_verify` and `timeout` are read as DVC reads them.
//!
//! A push uploads each object under a temporary name and then `MOVE`s it onto its own
//! name without overwriting, so an interrupted upload never leaves a partial object
//! where a later push would take it for complete (DVC `PUT`s to the final name).
//! Missing folders are made with `MKCOL` on the first refusal, deepest missing first.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use attohttpc::Method;
use attohttpc::header::{HeaderName, HeaderValue};

use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::HashKind;
use crate::odb::Odb;

/// How requests prove who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    None,
    Basic {
        user: String,
        password: String,
    },
    /// A header and its value: `Authorization: Bearer …`, or `custom_auth_header`.
    Header {
        name: HeaderName,
        value: HeaderValue,
    },
}

impl Auth {
    fn header(name: &str, value: &str) -> std::result::Result<Auth, String> {
        Ok(Auth::Header {
            name: HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid header name"))?,
            value: HeaderValue::from_str(value)
                .map_err(|_| format!("the value for header `{name}` is not valid in a header"))?,
        })
    }
}

/// The object store of a `webdav://` or `webdavs://` remote.
#[derive(Debug)]
pub struct WebDav {
    name: String,
    /// The http(s) URL of the remote's folder, without a trailing slash.
    base: String,
    auth: Auth,
    verify: bool,
    timeout: Duration,
    /// Folders known to exist (made here or found there).
    folders: Mutex<HashSet<String>>,
}

impl WebDav {
    /// The remote `name` at `url` with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<WebDav> {
        let fail = |what: String| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| fail("not a webdav:// URL".into()))?;
        let http = match scheme {
            "webdav" => "http",
            "webdavs" => "https",
            other => return Err(fail(format!("`{other}` is not a WebDAV scheme"))),
        };
        let (netloc, path) = rest.split_once('/').unwrap_or((rest, ""));
        // `webdav://user@host/…`: DVC takes the user from the URL too.
        let (url_user, host) = match netloc.rsplit_once('@') {
            Some((user, host)) => (Some(user.to_string()), host),
            None => (None, netloc),
        };
        if host.is_empty() {
            return Err(fail("the URL names no server".into()));
        }
        let path = super::percent::normalize_path(path.trim_end_matches('/'));
        let base = if path.is_empty() {
            format!("{http}://{host}")
        } else {
            format!("{http}://{host}/{path}")
        };
        for unsupported in ["cert_path", "key_path"] {
            if options.contains_key(unsupported) {
                return Err(fail(format!(
                    "{unsupported} (a client certificate) is not supported here; use `dvc push`/`dvc pull` for this remote"
                )));
            }
        }
        let password = options.get("password").cloned();
        let no_password = |who: &str| {
            fail(format!(
                "no password for {who}: Cairn never prompts (ask_password); store it with `cairn remote modify --local {name} password …` (kept out of git in .dvc/config.local)"
            ))
        };
        // DVC's order: a token, else a user (basic auth), else a custom header.
        let auth = if let Some(token) = options.get("token") {
            Auth::header("Authorization", &format!("Bearer {token}")).map_err(fail)?
        } else if let Some(user) = options.get("user").cloned().or(url_user) {
            match password {
                Some(password) => Auth::Basic { user, password },
                None if is_true(options.get("ask_password")) => return Err(no_password(&user)),
                None => Auth::Basic {
                    user,
                    password: String::new(),
                },
            }
        } else if let Some(header) = options.get("custom_auth_header") {
            match password {
                Some(value) => Auth::header(header, &value).map_err(fail)?,
                None => return Err(no_password(header)),
            }
        } else if let Some(command) = options.get("bearer_token_command") {
            Auth::header(
                "Authorization",
                &format!("Bearer {}", token_from(command).map_err(fail)?),
            )
            .map_err(fail)?
        } else {
            Auth::None
        };
        let verify = match options.get("ssl_verify").map(|v| v.to_ascii_lowercase()) {
            None => true,
            Some(v) if ["true", "1", "yes"].contains(&v.as_str()) => true,
            Some(v) if ["false", "0", "no"].contains(&v.as_str()) => false,
            Some(v) => {
                return Err(fail(format!(
                    "ssl_verify = {v}: a CA bundle is not supported here (true or false are); use `dvc push`/`dvc pull` for this remote"
                )));
            }
        };
        let timeout = match options.get("timeout") {
            None => Duration::from_secs(30),
            Some(t) => Duration::from_secs_f64(
                t.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| fail(format!("timeout = {t}: give the seconds to wait")))?,
            ),
        };
        Ok(WebDav {
            name: name.to_string(),
            base,
            auth,
            verify,
            timeout,
            folders: Mutex::new(HashSet::new()),
        })
    }

    fn url(&self, hash: &str, kind: HashKind) -> String {
        super::object_path(&self.base, hash, kind)
    }

    fn request(&self, method: Method, url: &str) -> attohttpc::RequestBuilder {
        let builder = attohttpc::RequestBuilder::new(method, url)
            .connect_timeout(self.timeout)
            .read_timeout(self.timeout.max(Duration::from_secs(120)))
            .danger_accept_invalid_certs(!self.verify);
        match &self.auth {
            Auth::None => builder,
            Auth::Basic { user, password } => builder.basic_auth(user, Some(password)),
            Auth::Header { name, value } => builder.header(name.clone(), value.clone()),
        }
    }

    fn error(&self, url: &str, what: impl std::fmt::Display) -> DataError {
        DataError::Remote(format!("remote `{}`: {url}: {what}", self.name))
    }

    fn refused(&self, url: &str, status: u16) -> DataError {
        let hint = match status {
            401 => format!(
                " (unauthorized): set `user` and `password` (or `token`) on the remote, e.g. `cairn remote modify --local {} password …`",
                self.name
            ),
            403 => " (forbidden): check your permissions on that folder".into(),
            405 | 501 => {
                " (the server does not take WebDAV writes there): check the URL is a WebDAV folder"
                    .into()
            }
            507 => " (the server's storage is full)".into(),
            _ => String::new(),
        };
        self.error(url, format!("HTTP {status}{hint}"))
    }

    /// Makes the folder `url` (and those above it, up to the server's root) unless it
    /// exists. One at a time: servers answer two `MKCOL`s of one folder at once with an
    /// error rather than 405.
    fn make_folder(&self, url: &str) -> Result<()> {
        let mut known = self.folders.lock().unwrap_or_else(|p| p.into_inner());
        self.make_folder_locked(&mut known, url)
    }

    fn make_folder_locked(&self, known: &mut HashSet<String>, url: &str) -> Result<()> {
        if known.contains(url) {
            return Ok(());
        }
        let mkcol = || -> Result<u16> {
            let r = self
                .request(
                    Method::from_bytes(b"MKCOL").expect("a valid method name"),
                    &format!("{url}/"),
                )
                .send()
                .map_err(|e| self.error(url, e))?;
            Ok(r.status().as_u16())
        };
        let mut status = mkcol()?;
        if status == 409 {
            // The folder above is missing too; never above the server's root.
            let root = url.find("://").map_or(0, |i| i + 3);
            let parent = url
                .rsplit_once('/')
                .map(|(p, _)| p)
                .filter(|p| p.len() > root)
                .ok_or_else(|| self.refused(url, 409))?;
            self.make_folder_locked(known, parent)?;
            status = mkcol()?;
        }
        // Made, or there already (405: MKCOL on an existing resource; anything else:
        // another machine may have made it meanwhile, which a look settles).
        if !matches!(status, 200..=299 | 405) && !self.is_folder(url)? {
            return Err(self.refused(url, status));
        }
        known.insert(url.to_string());
        Ok(())
    }

    /// Whether `url` is a folder on the server (`PROPFIND`, depth 0).
    fn is_folder(&self, url: &str) -> Result<bool> {
        let r = self
            .request(
                Method::from_bytes(b"PROPFIND").expect("a valid method name"),
                &format!("{url}/"),
            )
            .header("Depth", "0")
            .send()
            .map_err(|e| self.error(url, e))?;
        Ok(matches!(r.status().as_u16(), 200 | 207))
    }

    fn known_folder(&self, url: &str) -> bool {
        self.folders
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(url)
    }

    /// Uploads the object to `tmp` (next to its own name), making its folder on the
    /// first refusal.
    fn upload(&self, local: &Odb, hash: &str, kind: HashKind, tmp: &str) -> Result<u64> {
        use std::io::Seek;
        let folder = tmp.rsplit_once('/').map_or(tmp, |(f, _)| f);
        // Checked against its name once; a second attempt sends the same file again.
        let (file, len) = super::checked_object(local, hash, kind)?;
        let src = local.path(hash, kind);
        for attempt in 0..2 {
            let mut body = file.try_clone().map_err(|e| DataError::io(&src, e))?;
            body.rewind().map_err(|e| DataError::io(&src, e))?;
            let r = self
                .request(Method::PUT, tmp)
                .header("Content-Length", len.to_string())
                .file(body)
                .send()
                .map_err(|e| self.error(tmp, e))?;
            match r.status().as_u16() {
                200..=299 => return Ok(len),
                // The folder is missing: 409 Conflict (some servers say 404).
                409 | 404 if attempt == 0 && !self.known_folder(folder) => {
                    self.make_folder(folder)?
                }
                s => return Err(self.refused(tmp, s)),
            }
        }
        Err(self.refused(tmp, 409))
    }

    fn delete(&self, url: &str) {
        let _ = self.request(Method::DELETE, url).send();
    }
}

fn is_true(v: Option<&String>) -> bool {
    v.is_some_and(|v| ["true", "1", "yes"].contains(&v.to_ascii_lowercase().as_str()))
}

/// The token `command` prints (DVC's `bearer_token_command`, run by the shell).
fn token_from(command: &str) -> std::result::Result<String, String> {
    let out = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("bearer_token_command could not start: {e}"))?;
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || token.is_empty() {
        return Err(format!(
            "bearer_token_command `{command}` gave no token ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(token)
}

/// A temporary name for an upload of `url`'s object, unique across the machines that
/// may push to one remote at once.
fn temp_url(url: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let (folder, name) = url.rsplit_once('/').unwrap_or(("", url));
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(url.as_bytes());
    let tmp = cairn_core::atomic::temp_name_for(&format!("{name}.{:016x}", h.finish()));
    format!("{folder}/{tmp}")
}

impl Store for WebDav {
    fn jobs(&self) -> Option<usize> {
        super::listing::network_jobs()
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        let url = self.url(hash, kind);
        let r = self
            .request(Method::HEAD, &url)
            .send()
            .map_err(|e| self.error(&url, e))?;
        super::found_by_head(r.status().as_u16(), |s| self.refused(&url, s))
    }

    /// Checked against its name before it leaves, uploaded under a temporary name, then
    /// moved onto its own without overwriting (an object already there holds the same
    /// bytes).
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let url = self.url(hash, kind);
        let tmp = temp_url(&url);
        let len = self.upload(local, hash, kind, &tmp)?;
        let moved = self
            .request(
                Method::from_bytes(b"MOVE").expect("a valid method name"),
                &tmp,
            )
            .header("Destination", url.as_str())
            .header("Overwrite", "F")
            .send();
        match moved.map(|r| r.status().as_u16()) {
            Ok(200..=299) => Ok(len),
            // 412: the object is there already (someone else pushed it meanwhile).
            Ok(412) => {
                self.delete(&tmp);
                Ok(len)
            }
            Ok(s) => {
                self.delete(&tmp);
                Err(self.refused(&url, s))
            }
            Err(e) => {
                self.delete(&tmp);
                Err(self.error(&url, e))
            }
        }
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let url = self.url(hash, kind);
        let r = super::send_ok(
            self.request(Method::GET, &url),
            |e| self.error(&url, e),
            |status, _| self.refused(&url, status),
        )?;
        super::store_response(local, r, hash, kind, &self.name, &url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::options;

    #[test]
    fn urls_map_to_http_as_dvc_maps_them() {
        let w = WebDav::open(
            "dav",
            "webdav://box:8080/remote.php/dav/files/me/store/",
            &options(&[]),
        )
        .unwrap();
        assert_eq!(w.base, "http://box:8080/remote.php/dav/files/me/store");
        assert_eq!(w.auth, Auth::None);
        assert_eq!(
            w.url("5289df737df57326fcdd22597afb1fac", HashKind::Md5),
            "http://box:8080/remote.php/dav/files/me/store/files/md5/52/89df737df57326fcdd22597afb1fac"
        );
        let s = WebDav::open(
            "dav",
            "webdavs://me@cloud.example.org/dav/My Folder",
            &options(&[("password", "pw")]),
        )
        .unwrap();
        assert_eq!(s.base, "https://cloud.example.org/dav/My%20Folder");
        assert_eq!(
            s.auth,
            Auth::Basic {
                user: "me".into(),
                password: "pw".into()
            }
        );
    }

    #[test]
    fn credentials_are_taken_in_dvcs_order() {
        let o = options(&[("token", "t0k"), ("user", "me"), ("password", "pw")]);
        let w = WebDav::open("dav", "webdav://h/p", &o).unwrap();
        assert_eq!(w.auth, Auth::header("Authorization", "Bearer t0k").unwrap());
        let o = options(&[("custom_auth_header", "X-Key"), ("password", "k")]);
        let w = WebDav::open("dav", "webdav://h/p", &o).unwrap();
        assert_eq!(w.auth, Auth::header("X-Key", "k").unwrap());
        let o = options(&[("bearer_token_command", "echo from-cmd")]);
        let w = WebDav::open("dav", "webdav://h/p", &o).unwrap();
        assert_eq!(
            w.auth,
            Auth::header("Authorization", "Bearer from-cmd").unwrap()
        );
        let o = options(&[("user", "me"), ("ask_password", "true")]);
        let e = WebDav::open("dav", "webdav://h/p", &o)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("never prompts") && e.contains("remote modify --local dav password"),
            "{e}"
        );
        let o = options(&[("cert_path", "/c.pem")]);
        assert!(WebDav::open("dav", "webdav://h/p", &o).is_err());
    }

    #[test]
    fn temp_names_sit_beside_the_object_and_differ() {
        let url = "http://h/p/files/md5/52/89df";
        let (a, b) = (temp_url(url), temp_url(url));
        assert!(
            a.starts_with("http://h/p/files/md5/52/.89df.") && a.ends_with(".tmp"),
            "{a}"
        );
        assert_ne!(a, b);
    }
}
