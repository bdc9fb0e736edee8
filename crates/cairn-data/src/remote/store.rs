//! What push and fetch need from the far side of a remote, whatever it is.

use crate::error::Result;
use crate::hash::HashKind;
use crate::odb::Odb;

/// One remote's object store, in DVC 3's remote layout (`files/md5/xx/…`, or the legacy
/// `xx/…` for objects hashed by DVC 2).
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Whether the remote holds the object.
    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool>;
    /// Sends one object of `local` to the remote, checking on the way that it still
    /// matches its name: a cache object edited in place must not spread. Returns the
    /// bytes sent.
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64>;
    /// Brings one object into `local`, verified against its name before it is stored
    /// (see [`super::store_fetched`]). Returns the bytes received.
    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64>;
    /// Transfers to run at once; `None` for one per core (a store bound by the disk).
    fn jobs(&self) -> Option<usize> {
        None
    }
}

/// A store shared with its owner (a worker keeps using the connection it pushes over).
impl<T: Store> Store for std::sync::Arc<T> {
    fn contains(&self, hash: &str, kind: HashKind) -> Result<bool> {
        (**self).contains(hash, kind)
    }
    fn put(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        (**self).put(local, hash, kind)
    }
    fn get(&self, local: &Odb, hash: &str, kind: HashKind) -> Result<u64> {
        (**self).get(local, hash, kind)
    }
    fn jobs(&self) -> Option<usize> {
        (**self).jobs()
    }
}
