//! Event files read incrementally through [`crate::tail`]: a refresh while a training
//! program appends parses only the new records.

use std::path::Path;
use std::sync::Arc;

use super::events::FileData;
use super::record::{self, Next};
use crate::tail::{Appended, Tail};

static FILES: Tail<FileData> = Tail::new();

impl Appended for FileData {
    fn append(&mut self, buf: &[u8], _offset: u64) -> usize {
        let mut at = 0;
        while let Next::Record(bytes, used) = record::next(&buf[at..]) {
            self.add_record(bytes);
            at += used;
        }
        at
    }
}

/// The file's contents up to its last whole record; `None` if it cannot be read.
pub(super) fn load(path: &Path) -> Option<Arc<FileData>> {
    FILES.load(path)
}

#[cfg(test)]
pub(super) fn forget(path: &Path) {
    FILES.forget(path);
}
