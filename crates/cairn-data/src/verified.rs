//! Remembered verification of directory objects.
//!
//! DVC decides whether a tracked directory is in the cache by checking every member
//! object, so a status of a 10,000-file directory costs 10,000 `stat`s of the cache
//! even when nothing changed. Objects are only ever added to or removed from their
//! shard directory, and either changes that directory's mtime. So once every member
//! of a manifest was found valid, we record the inode and mtime of each shard the
//! manifest uses; while none of those changed, no member can have gone, and the check
//! is a few hundred `stat`s of shards instead.
//!
//! What this trusts, like DVC trusts read-only objects without re-hashing them: that
//! nobody rewrites an object in place (they are 0444; `cairn fsck` finds one that was),
//! and that nobody deletes one within the same filesystem timestamp tick as the
//! previous change to its shard (writers hold the repository lock while recording).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::manifest::Manifest;
use crate::shards::Shards;

const HEADER: &str = "cairn-verified 1";

/// Records under `.dvc/tmp/cairn/verified/<manifest id>`.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedMemo {
    dir: PathBuf,
}

impl VerifiedMemo {
    pub fn new(dir: PathBuf) -> Self {
        VerifiedMemo { dir }
    }

    /// Whether `id` was recorded complete and none of its shards changed since.
    pub fn holds(&self, shards: &Shards, id: &str) -> bool {
        let Ok(text) = std::fs::read_to_string(self.dir.join(id)) else {
            return false;
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return false;
        }
        lines.all(|line| {
            let mut parts = line.split(' ');
            let (Some(shard), Some(ino), Some(mtime), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return false;
            };
            let (Ok(shard), Ok(ino), Ok(mtime)) = (
                u8::from_str_radix(shard, 16),
                ino.parse::<u64>(),
                mtime.parse::<i64>(),
            ) else {
                return false;
            };
            shards
                .shard_stamp(shard)
                .is_some_and(|m| m.ino == ino && m.mtime_ns == mtime)
        })
    }

    /// Records that every member of `manifest` (id `id`) is in the cache now.
    pub fn record(&self, shards: &Shards, id: &str, manifest: &Manifest) {
        let used: BTreeSet<u8> = manifest
            .entries()
            .iter()
            .filter_map(|e| e.md5.get(..2).and_then(|p| u8::from_str_radix(p, 16).ok()))
            .collect();
        let mut text = format!("{HEADER}\n");
        for shard in used {
            let Some(m) = shards.shard_stamp(shard) else {
                return;
            };
            let _ = writeln!(text, "{shard:02x} {} {}", m.ino, m.mtime_ns);
        }
        // Best effort: without the record the next check is only slower.
        let _ = cairn_core::write_atomic(&self.dir.join(id), text.as_bytes());
    }
}
