//! Storing a large file in the cache, reading it once.
//!
//! Where the filesystem can share extents (btrfs, XFS, bcachefs), the object is a
//! reflink of the source and only the hashing pass reads anything; the hash is taken
//! from the clone, so the object's name always matches the bytes stored under it.
//!
//! Elsewhere each chunk is hashed on this thread while a second thread writes the same
//! buffer to the object with `O_DIRECT`. Buffered writes make the kernel copy every byte
//! into the page cache (on the reference machine that costs 2.7 s of CPU per GiB, more
//! than the MD5 itself) and push the user's working set out of memory for data nobody
//! is about to read; a direct write hands the buffer to the disk instead. Filesystems
//! that refuse `O_DIRECT` (tmpfs, some network filesystems) get buffered writes.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::mpsc;

use crate::hash::{self, HashKind};

/// Alignment `O_DIRECT` needs for buffer addresses, offsets and lengths (covers 512-byte
/// and 4 KiB logical blocks).
const ALIGN: usize = 4096;

/// Copies `src` into the new file `tmp` (which must not exist) and returns the MD5 and
/// size of what was stored.
pub(crate) fn store(src: &mut File, tmp: &Path) -> io::Result<(String, u64)> {
    let out = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(tmp)?;
    if rustix::fs::ioctl_ficlone(&out, &*src).is_ok() {
        let mut clone = File::open(tmp)?;
        return hash::hash_reader(&mut clone, HashKind::Md5, None);
    }
    let direct = OpenOptions::new()
        .write(true)
        .custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32)
        .open(tmp)
        .ok();
    hash_while_writing(src, out, direct)
}

/// A chunk buffer whose data starts on an [`ALIGN`] boundary, as `O_DIRECT` requires
/// (built in safe code by over-allocating and starting at the aligned offset).
struct AlignedBuf {
    raw: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuf {
    fn new() -> Self {
        let raw = vec![0u8; hash::CHUNK + ALIGN];
        // Always possible for bytes; if not, writes fall back to buffered ones.
        let start = raw.as_ptr().align_offset(ALIGN).min(ALIGN);
        AlignedBuf { raw, start, len: 0 }
    }

    fn space(&mut self) -> &mut [u8] {
        &mut self.raw[self.start..self.start + hash::CHUNK]
    }

    fn data(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }
}

fn hash_while_writing(
    src: &mut File,
    out: File,
    mut direct: Option<File>,
) -> io::Result<(String, u64)> {
    let (tx, rx) = mpsc::sync_channel::<(u64, AlignedBuf)>(4);
    let (back_tx, back_rx) = mpsc::channel::<AlignedBuf>();
    let writer = std::thread::spawn(move || -> io::Result<()> {
        for (offset, buf) in rx {
            let data = buf.data();
            let mut done = 0;
            let aligned = data.len() / ALIGN * ALIGN;
            if aligned > 0
                && let Some(d) = &direct
            {
                match d.write_all_at(&data[..aligned], offset) {
                    Ok(()) => done = aligned,
                    // Refused after all (alignment rules of an odd device): buffered
                    // from here on.
                    Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {
                        direct = None
                    }
                    Err(e) => return Err(e),
                }
            }
            out.write_all_at(&data[done..], offset + done as u64)?;
            let _ = back_tx.send(buf);
        }
        Ok(())
    });
    let mut md5 = hash::LongMd5::new();
    let mut size = 0u64;
    let read_result = (|| -> io::Result<()> {
        loop {
            let mut buf = back_rx.try_recv().unwrap_or_else(|_| AlignedBuf::new());
            let n = hash::read_full(src, buf.space())?;
            if n == 0 {
                return Ok(());
            }
            buf.len = n;
            md5.update(buf.data());
            let offset = size;
            size += n as u64;
            if tx.send((offset, buf)).is_err() {
                return Err(io::Error::other("cache writer stopped"));
            }
            if n < hash::CHUNK {
                return Ok(());
            }
        }
    })();
    drop(tx);
    let write_result = writer
        .join()
        .map_err(|_| io::Error::other("cache writer panicked"))?;
    read_result?;
    write_result?;
    Ok((md5.finish(), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_exactly_the_hashed_bytes_with_an_unaligned_tail() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..(hash::CHUNK * 3 + 12345))
            .map(|i| (i * 31 % 253) as u8)
            .collect();
        std::fs::write(dir.path().join("src"), &data).unwrap();
        let mut src = File::open(dir.path().join("src")).unwrap();
        let tmp = dir.path().join("obj");
        let (md5, size) = store(&mut src, &tmp).unwrap();
        assert_eq!(md5, hash::md5_bytes(&data));
        assert_eq!(size, data.len() as u64);
        assert_eq!(std::fs::read(&tmp).unwrap(), data);
        assert!(store(&mut src, &tmp).is_err(), "never overwrites");
    }

    #[test]
    fn buffers_are_aligned() {
        let mut b = AlignedBuf::new();
        assert_eq!(b.space().as_ptr() as usize % ALIGN, 0);
        assert_eq!(b.space().len(), hash::CHUNK);
    }
}
