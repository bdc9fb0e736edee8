//! A remote on S3 or an S3-compatible service (MinIO, Ceph, R2…): `s3://bucket/prefix`
//! with DVC's settings (`endpointurl`, `region`, `profile`, `access_key_id`,
//! `secret_access_key`, `session_token`). Without keys in the config, credentials come
//! from the environment (`AWS_ACCESS_KEY_ID`…) or `~/.aws/credentials`, as boto finds
//! them for DVC.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek};

use s3::Region;
use s3::bucket::Bucket;
use s3::creds::Credentials;

use super::listing::Listing;
use super::store::Store;
use crate::error::{DataError, Result};
use crate::hash::{HashKind, LongMd5};
use crate::odb::Odb;

/// Objects up to this size go up in one request; larger ones in parts.
const SINGLE_PUT_MAX: u64 = 8 << 20;

/// The object store of an S3 remote.
#[derive(Debug)]
pub struct S3 {
    name: String,
    url: String,
    bucket: Box<Bucket>,
    /// Key prefix, without slashes at either end (empty for the bucket's root).
    prefix: String,
    /// Every key under the prefix, listed once on first use: one request per 1,000
    /// objects instead of one per object.
    listed: Listing,
}

impl S3 {
    /// The remote `name` at `url` (`s3://bucket[/prefix]`) with its config `options`.
    pub fn open(name: &str, url: &str, options: &BTreeMap<String, String>) -> Result<S3> {
        let fail = |what: String| DataError::Remote(format!("remote `{name}` ({url}): {what}"));
        let (bucket_name, prefix) = super::bucket_and_prefix(url, "s3");
        if bucket_name.is_empty() {
            return Err(fail("the URL names no bucket (s3://BUCKET/path)".into()));
        }
        let region_name = options
            .get("region")
            .cloned()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint = options.get("endpointurl");
        let region = match endpoint {
            Some(endpoint) => Region::Custom {
                region: region_name,
                endpoint: endpoint.trim_end_matches('/').to_string(),
            },
            None => region_name
                .parse()
                .map_err(|e| fail(format!("region `{region_name}`: {e}")))?,
        };
        let opt = |k: &str| options.get(k).map(String::as_str);
        let credentials = Credentials::new(
            opt("access_key_id"),
            opt("secret_access_key"),
            None,
            opt("session_token"),
            opt("profile"),
        )
        .map_err(|_| {
            fail(format!(
                "no credentials: enter the keys in the Data tab's Remote… dialog, run `cairn remote modify --local {name} access_key_id …` (and secret_access_key), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a profile to ~/.aws/credentials"
            ))
        })?;
        let mut bucket =
            Bucket::new(bucket_name, region, credentials).map_err(|e| fail(e.to_string()))?;
        if endpoint.is_some() {
            // Self-hosted services rarely have per-bucket host names.
            bucket = bucket.with_path_style();
        }
        Ok(S3 {
            name: name.to_string(),
            url: url.to_string(),
            bucket,
            prefix: prefix.trim_matches('/').to_string(),
            listed: Listing::default(),
        })
    }

    fn key(&self, hash: &str, kind: HashKind) -> String {
        super::object_path(&self.prefix, hash, kind)
    }

    fn error(&self, key: &str, what: impl std::fmt::Display) -> DataError {
        DataError::Remote(format!(
            "remote `{}` ({}): {key}: {what}",
            self.name, self.url
        ))
    }

    fn list(&self) -> std::result::Result<HashSet<String>, String> {
        let prefix = super::listing::folder_prefix(&self.prefix);
        let pages = self
            .bucket
            .list(prefix, None)
            .map_err(|e| format!("remote `{}` ({}): listing failed: {e}", self.name, self.url))?;
        Ok(pages
            .into_iter()
            .flat_map(|p| p.contents.into_iter().map(|o| o.key))
            .collect())
    }

    fn check(&self, key: &str, status: u16) -> Result<()> {
        match status {
            200..=299 => Ok(()),
            403 => Err(self.error(
                key,
                "access denied (HTTP 403): check the credentials and the bucket's policy",
            )),
            404 => Err(self.error(key, "not found (HTTP 404)")),
            s => Err(self.error(key, format!("HTTP {s}"))),
        }
    }
}

impl Store for S3 {
    fn jobs(&self) -> Option<usize> {
        super::listing::network_jobs()
    }

    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        self.listed.contains(&self.key(hash, kind), || self.list())
    }

    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let src = local.path(hash, kind);
        let key = self.key(hash, kind);
        let mut file = std::fs::File::open(&src).map_err(|e| DataError::io(&src, e))?;
        let len = file.metadata().map_err(|e| DataError::io(&src, e))?.len();
        // Legacy objects are named by another hash (md5 of dos2unix'ed text).
        let verify = kind == HashKind::Md5;
        let want = hash.strip_suffix(".dir").unwrap_or(hash);
        if len <= SINGLE_PUT_MAX {
            let mut bytes = Vec::with_capacity(len as usize);
            file.read_to_end(&mut bytes)
                .map_err(|e| DataError::io(&src, e))?;
            if verify && crate::hash::md5_bytes(&bytes) != want {
                return Err(super::changed_in_cache(&src));
            }
            let r = self
                .bucket
                .put_object(&key, &bytes)
                .map_err(|e| self.error(&key, e))?;
            self.check(&key, r.status_code())?;
            return Ok(bytes.len() as u64);
        }
        let mut reader = HashingReader {
            inner: file,
            md5: LongMd5::new(),
            read: 0,
        };
        let status = self
            .bucket
            .put_object_stream(&mut reader, &key)
            .map_err(|e| self.error(&key, e))?;
        self.check(&key, status)?;
        if verify && reader.md5.finish() != want {
            // Take the wrong copy back before anyone pulls it.
            let _ = self.bucket.delete_object(&key);
            return Err(super::changed_in_cache(&src));
        }
        Ok(reader.read)
    }

    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        let key = self.key(hash, kind);
        std::fs::create_dir_all(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        // An unnamed file in the cache: nothing to clean up if the download fails.
        let mut tmp =
            tempfile::tempfile_in(local.root()).map_err(|e| DataError::io(local.root(), e))?;
        let status = self
            .bucket
            .get_object_to_writer(&key, &mut tmp)
            .map_err(|e| self.error(&key, e))?;
        self.check(&key, status)?;
        let len = tmp
            .stream_position()
            .and_then(|n| tmp.rewind().map(|_| n))
            .map_err(|e| DataError::io(local.root(), e))?;
        let source = format!("s3://{}/{key}", self.bucket.name);
        super::store_fetched(local, tmp, len, hash, kind, &self.name, &source)
    }
}

/// Hashes what passes through, so a large upload is read once.
struct HashingReader {
    inner: std::fs::File,
    md5: LongMd5,
    read: u64,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}
