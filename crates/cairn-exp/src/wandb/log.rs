//! The framing of W&B's `.wandb` files: LevelDB's log format behind a 7-byte header
//! (`:W&B`, magic `0xBEE1`, version 0). The file is cut in 32 KiB blocks; a record that
//! does not fit in what is left of a block is split into a FIRST, MIDDLES and a LAST
//! chunk, and a block tail too short for a chunk header is zero padding. Each chunk is
//! its CRC-32 (zlib's, of the chunk type then the data), its length (u16) and its type,
//! all little-endian. The writer flushes whole chunks but a record's chunks may straddle
//! flushes, so a file being written can end anywhere inside a record.

use std::borrow::Cow;

use crc::{CRC_32_ISO_HDLC, Crc, Table};

// Slice-by-16: the checksum is most of what reading a large file costs otherwise.
const CRC32: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISO_HDLC);

pub(super) const HEADER: [u8; 7] = [b':', b'W', b'&', b'B', 0xe1, 0xbe, 0];
const BLOCK: u64 = 32 * 1024;
const CHUNK_HEADER: usize = 7;

const FULL: u8 = 1;
const FIRST: u8 = 2;
const MIDDLE: u8 = 3;
const LAST: u8 = 4;

/// What starts at a position of the file.
#[derive(Debug, PartialEq)]
pub(super) enum Next<'a> {
    /// A whole record (borrowed unless it was split in chunks) and how many bytes it took
    /// with its framing (and any padding before it).
    Record(Cow<'a, [u8]>, usize),
    /// Part of a record, or nothing: the writer has not flushed the rest yet.
    Incomplete,
    /// Not a `.wandb` file, or a checksum or chunk sequence that does not hold: reading
    /// this file stops here.
    Corrupt,
}

/// The record at `buf`, which holds the file's bytes from `offset` on (the offset
/// places the block boundaries). At offset 0 the file header is checked and skipped.
pub(super) fn next(buf: &[u8], offset: u64) -> Next<'_> {
    let mut at = 0usize;
    if offset == 0 {
        match buf.get(..HEADER.len()) {
            None if HEADER.starts_with(buf) => return Next::Incomplete,
            Some(h) if h == HEADER => at = HEADER.len(),
            _ => return Next::Corrupt,
        }
    }
    let mut data = Vec::new();
    let mut started = false;
    loop {
        let pos = offset + at as u64;
        let left = (BLOCK - pos % BLOCK) as usize;
        if left < CHUNK_HEADER {
            match buf.get(at..at + left) {
                Some(pad) if pad.iter().all(|&b| b == 0) => at += left,
                Some(_) => return Next::Corrupt,
                None => return Next::Incomplete,
            }
            continue;
        }
        let Some(head) = buf.get(at..at + CHUNK_HEADER) else {
            return Next::Incomplete;
        };
        let crc = u32::from_le_bytes(head[..4].try_into().expect("4 bytes"));
        let len = u16::from_le_bytes([head[4], head[5]]) as usize;
        let kind = head[6];
        if CHUNK_HEADER + len > left {
            return Next::Corrupt;
        }
        let Some(chunk) = buf.get(at + CHUNK_HEADER..at + CHUNK_HEADER + len) else {
            return Next::Incomplete;
        };
        let mut digest = CRC32.digest();
        digest.update(&[kind]);
        digest.update(chunk);
        if digest.finalize() != crc {
            return Next::Corrupt;
        }
        at += CHUNK_HEADER + len;
        match (kind, started) {
            (FULL, false) => return Next::Record(Cow::Borrowed(chunk), at),
            (FIRST, false) => started = true,
            (MIDDLE, true) => {}
            (LAST, true) => {
                data.extend_from_slice(chunk);
                return Next::Record(Cow::Owned(data), at);
            }
            _ => return Next::Corrupt,
        }
        data.extend_from_slice(chunk);
    }
}

/// `records` framed as a `.wandb` file, as W&B's writer lays them out.
#[cfg(test)]
pub(super) fn file(records: &[&[u8]]) -> Vec<u8> {
    let mut out = HEADER.to_vec();
    let chunk = |out: &mut Vec<u8>, kind: u8, data: &[u8]| {
        let mut digest = CRC32.digest();
        digest.update(&[kind]);
        digest.update(data);
        out.extend(digest.finalize().to_le_bytes());
        out.extend((data.len() as u16).to_le_bytes());
        out.push(kind);
        out.extend(data);
    };
    for record in records {
        let mut rest: &[u8] = record;
        let mut first = true;
        loop {
            let left = (BLOCK - out.len() as u64 % BLOCK) as usize;
            if left < CHUNK_HEADER {
                out.extend(std::iter::repeat_n(0, left));
                continue;
            }
            let room = left - CHUNK_HEADER;
            if rest.len() <= room {
                chunk(&mut out, if first { FULL } else { LAST }, rest);
                break;
            }
            chunk(&mut out, if first { FIRST } else { MIDDLE }, &rest[..room]);
            rest = &rest[room..];
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(buf: &[u8]) -> (Vec<Vec<u8>>, usize, Next<'_>) {
        all_from(buf, 0)
    }

    #[test]
    fn the_checksum_is_zlibs_crc32_of_type_and_data() {
        // zlib.crc32(b"123456789") and the chunk W&B writes for an empty FULL record.
        assert_eq!(CRC32.checksum(b"123456789"), 0xcbf4_3926);
        let empty = file(&[b""]);
        assert_eq!(&empty[7..11], &CRC32.checksum(&[FULL]).to_le_bytes());
    }

    #[test]
    fn records_across_blocks_and_padding() {
        let big = vec![7u8; 80_000];
        let small = b"hello".to_vec();
        // A record that ends 3 bytes short of a block boundary forces padding.
        let filler = vec![1u8; BLOCK as usize - 7 - 7 - 3];
        let recs: Vec<&[u8]> = vec![&filler, &small, &big, &small];
        let buf = file(&recs);
        let (got, used, end) = all(&buf);
        assert_eq!(end, Next::Incomplete);
        assert_eq!(used, buf.len());
        assert_eq!(got, vec![filler.clone(), small.clone(), big, small]);
        // Cut anywhere: what is whole is read, the rest waits for the writer.
        for cut in [3, 7, 10, 40_000, 70_000, buf.len() - 1] {
            let (got, used, end) = all(&buf[..cut]);
            assert_eq!(end, Next::Incomplete, "cut at {cut}");
            assert!(used <= cut);
            // Reading on from `used` once the rest is there finds the remaining records.
            let (rest, _, _) = all_from(&buf, used);
            assert_eq!(got.len() + rest.len(), 4, "cut at {cut}");
        }
    }

    fn all_from(buf: &[u8], from: usize) -> (Vec<Vec<u8>>, usize, Next<'_>) {
        let mut out = Vec::new();
        let mut at = from;
        loop {
            match next(&buf[at..], at as u64) {
                Next::Record(r, used) => {
                    out.push(r.into_owned());
                    at += used;
                }
                end => return (out, at, end),
            }
        }
    }

    #[test]
    fn corrupt_chunks_and_foreign_files_stop_reading() {
        let mut buf = file(&[b"one", b"two"]);
        let second = 7 + 7 + 3;
        buf[second + 8] ^= 1;
        let (got, _, end) = all(&buf);
        assert_eq!((got, end), (vec![b"one".to_vec()], Next::Corrupt));
        assert_eq!(next(b"PK\x03\x04 not wandb", 0), Next::Corrupt);
        assert_eq!(next(b":W&", 0), Next::Incomplete);
        // A MIDDLE with no FIRST before it.
        let mut stray = HEADER.to_vec();
        let mut digest = CRC32.digest();
        digest.update(&[MIDDLE]);
        stray.extend(digest.finalize().to_le_bytes());
        stray.extend([0, 0, MIDDLE]);
        assert_eq!(next(&stray, 0), Next::Corrupt);
    }
}
