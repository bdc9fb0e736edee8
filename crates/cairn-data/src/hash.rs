//! Content hashes exactly as DVC computes them.
//!
//! DVC 3 hashes a file as the plain MD5 of its bytes. Entries written by DVC 2 (no
//! `hash: md5` key) used "md5-dos2unix": chunks that look like text have CRLF folded
//! to LF before hashing. Both are here so legacy repositories read clean.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use md5::{Digest, Md5};

/// Read size; DVC also reads 1 MiB chunks, which matters for dos2unix's per-chunk test.
pub const CHUNK: usize = 1 << 20;

/// MD5 of an empty input.
pub const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

/// Which hash an output entry uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashKind {
    /// DVC 3: plain MD5 (`hash: md5` in the entry).
    Md5,
    /// DVC 2: md5 after CRLF→LF on text chunks (no `hash` key).
    LegacyDos2Unix,
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Inputs at least this long are hashed by libcrypto: see [`LongMd5`].
const LONG_INPUT: usize = 64 << 10;

/// MD5 of some bytes, hex.
pub fn md5_bytes(data: &[u8]) -> String {
    if data.len() >= LONG_INPUT {
        let mut h = LongMd5::new();
        h.update(data);
        return h.finish();
    }
    hex(&Md5::digest(data))
}

/// MD5 of a long input. OpenSSL's libcrypto has hand-scheduled MD5 assembly that runs
/// about 20% faster than the `md-5` crate (whose `asm` feature included) on the
/// reference machine — the difference between a 1 GiB `add` at `md5sum` speed or not.
/// Its per-hash setup costs more than hashing a small file, so short inputs keep
/// `md-5`; a libcrypto whose policy disables MD5 (FIPS mode) falls back to it too.
pub enum LongMd5 {
    /// libcrypto's implementation.
    Ssl(openssl::hash::Hasher),
    /// The pure-Rust one.
    Soft(Md5),
}

impl LongMd5 {
    /// A fresh hash.
    pub fn new() -> Self {
        match openssl::hash::Hasher::new(openssl::hash::MessageDigest::md5()) {
            Ok(h) => LongMd5::Ssl(h),
            Err(_) => LongMd5::Soft(Md5::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            LongMd5::Ssl(h) => {
                if h.update(data).is_err() {
                    // libcrypto refused mid-stream (not seen in practice): cannot resume
                    // there, so fail loudly rather than return a wrong digest.
                    panic!("libcrypto MD5 update failed");
                }
            }
            LongMd5::Soft(h) => h.update(data),
        }
    }

    /// The digest, lowercase hex.
    pub fn finish(self) -> String {
        match self {
            LongMd5::Ssl(mut h) => match h.finish() {
                Ok(d) => hex(&d),
                Err(_) => panic!("libcrypto MD5 finish failed"),
            },
            LongMd5::Soft(h) => hex(&h.finalize()),
        }
    }
}

impl Default for LongMd5 {
    fn default() -> Self {
        Self::new()
    }
}

/// Files up to this size are read whole (one `read`), larger ones streamed in chunks.
pub const SMALL_FILE: u64 = 8 << 20;

/// Hashes a file, returning `(hex, size)`.
pub fn hash_file(path: &Path, kind: HashKind) -> io::Result<(String, u64)> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    hash_open_file(file, len, kind)
}

/// Hashes an open file whose size a `stat` gave as `len`, returning `(hex, size)`.
pub fn hash_open_file(mut file: File, len: u64, kind: HashKind) -> io::Result<(String, u64)> {
    if len > SMALL_FILE {
        return hash_reader(&mut file, kind, None);
    }
    let data = read_small(&mut file, len)?;
    let hex = match kind {
        HashKind::Md5 => md5_bytes(&data),
        HashKind::LegacyDos2Unix => {
            let mut hasher = Md5::new();
            for chunk in data.chunks(CHUNK) {
                if is_text_chunk(chunk) {
                    hasher.update(dos2unix(chunk));
                } else {
                    hasher.update(chunk);
                }
            }
            hex(&hasher.finalize())
        }
    };
    Ok((hex, data.len() as u64))
}

/// Reads a file a `stat` said holds `len` bytes: usually one `read` into a buffer of
/// that size (plus one byte, which a short read leaves empty and so proves the end),
/// rather than a 1 MiB chunk buffer per small file. Growth after the `stat` is read too.
pub fn read_small(file: &mut File, len: u64) -> io::Result<Vec<u8>> {
    let len = len as usize;
    let mut buf = vec![0u8; len + 1];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let want = buf.len() - filled;
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            // A short read once the stated size is in means end of file; before that
            // (an interrupted or network read) keep going.
            Ok(n) if n < want && filled + n >= len => {
                filled += n;
                break;
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Hashes everything `reader` yields, copying each chunk to `sink` as it goes, so a file
/// is read once to both hash it and store it.
pub fn hash_reader(
    reader: &mut dyn Read,
    kind: HashKind,
    mut sink: Option<&mut dyn Write>,
) -> io::Result<(String, u64)> {
    let mut hasher = LongMd5::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        size += n as u64;
        if let Some(s) = sink.as_deref_mut() {
            s.write_all(chunk)?;
        }
        match kind {
            HashKind::Md5 => hasher.update(chunk),
            HashKind::LegacyDos2Unix if is_text_chunk(chunk) => hasher.update(&dos2unix(chunk)),
            HashKind::LegacyDos2Unix => hasher.update(chunk),
        }
        if n < buf.len() {
            break;
        }
    }
    Ok((hasher.finish(), size))
}

/// Fills `buf` as far as the reader allows (short reads from pipes would otherwise
/// shift dos2unix's chunk boundaries away from DVC's).
pub(crate) fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// DVC's `istextblock`: empty, or no NUL and at most 30% of the first 512 bytes outside
/// printable ASCII and `\n\r\t\f\b`.
fn is_text_chunk(chunk: &[u8]) -> bool {
    let block = &chunk[..chunk.len().min(512)];
    if block.is_empty() {
        return true;
    }
    if block.contains(&0) {
        return false;
    }
    let nontext = block
        .iter()
        .filter(|&&b| {
            !(b == b'\n'
                || b == b'\r'
                || b == b'\t'
                || b == 0x0c
                || b == 0x08
                || (0x20..=0x7e).contains(&b))
        })
        .count();
    nontext * 100 <= block.len() * 30
}

fn dos2unix(chunk: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len());
    let mut i = 0;
    while i < chunk.len() {
        if chunk[i] == b'\r' && chunk.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(chunk[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_md5_keeps_crlf() {
        let mut r: &[u8] = b"a,b\r\n1,2\r\n";
        assert_eq!(
            hash_reader(&mut r, HashKind::Md5, None).unwrap(),
            ("b202f333fba4fd38d4b8e5e693077aab".into(), 10)
        );
    }

    #[test]
    fn legacy_hash_folds_crlf_in_text_only() {
        let mut r: &[u8] = b"a,b\r\n1,2\r\n";
        assert_eq!(
            hash_reader(&mut r, HashKind::LegacyDos2Unix, None)
                .unwrap()
                .0,
            md5_bytes(b"a,b\n1,2\n")
        );
        let bin = b"a\0b\r\n";
        let mut r: &[u8] = bin;
        assert_eq!(
            hash_reader(&mut r, HashKind::LegacyDos2Unix, None)
                .unwrap()
                .0,
            md5_bytes(bin)
        );
    }

    #[test]
    fn small_reads_match_streaming_and_see_growth() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8 + b'a').collect();
        std::fs::write(&p, &data).unwrap();
        let mut r: &[u8] = &data;
        let streamed = hash_reader(&mut r, HashKind::LegacyDos2Unix, None).unwrap();
        assert_eq!(hash_file(&p, HashKind::LegacyDos2Unix).unwrap(), streamed);
        // A stat that under-reports the size (the file grew since) still reads it all.
        let mut f = File::open(&p).unwrap();
        assert_eq!(read_small(&mut f, 10).unwrap(), data);
        let mut f = File::open(&p).unwrap();
        assert_eq!(read_small(&mut f, 0).unwrap(), data);
    }

    #[test]
    fn long_and_short_inputs_hash_alike() {
        let data: Vec<u8> = (0..(LONG_INPUT * 3 + 7)).map(|i| (i % 251) as u8).collect();
        let soft = hex(&Md5::digest(&data));
        assert_eq!(md5_bytes(&data), soft);
        let mut h = LongMd5::new();
        assert!(matches!(h, LongMd5::Ssl(_)), "libcrypto provides MD5 here");
        h.update(&data[..10]);
        h.update(&data[10..]);
        assert_eq!(h.finish(), soft);
    }

    #[test]
    fn empty_input() {
        let mut r: &[u8] = b"";
        assert_eq!(
            hash_reader(&mut r, HashKind::Md5, None).unwrap(),
            (EMPTY_MD5.into(), 0)
        );
    }
}
