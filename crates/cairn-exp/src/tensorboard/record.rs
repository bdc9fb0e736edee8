//! TFRecord framing, the container of TensorBoard's event files: each record is its
//! length (u64, little-endian), a masked CRC-32C of those 8 bytes, the data, and a masked
//! CRC-32C of the data. A writer appends whole records, so the end of a file that is being
//! written may hold part of one: it is left for the next read.

use crc::{CRC_32_ISCSI, Crc, Table};

// Slice-by-16: the checksum is most of what reading a large file costs otherwise.
const CRC32C: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISCSI);

/// What starts at the beginning of a buffer.
#[derive(Debug, PartialEq)]
pub(super) enum Next<'a> {
    /// A whole record: its data and how many bytes it took with its framing.
    Record(&'a [u8], usize),
    /// Part of a record (or nothing): a writer is still appending it.
    Incomplete,
    /// A checksum does not match: reading this file stops here, as TensorBoard's does.
    Corrupt,
}

/// TensorFlow's CRC mask: the checksum rotated right by 15 bits plus a constant, so
/// that a CRC of data holding CRCs stays meaningful.
fn masked_crc(bytes: &[u8]) -> u32 {
    let crc = CRC32C.checksum(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

fn u32_at(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

/// The record at the start of `buf`.
pub(super) fn next(buf: &[u8]) -> Next<'_> {
    let Some(len_bytes) = buf.get(..8) else {
        return Next::Incomplete;
    };
    let Some(len_crc) = u32_at(buf, 8) else {
        return Next::Incomplete;
    };
    if masked_crc(len_bytes) != len_crc {
        return Next::Corrupt;
    }
    let len = u64::from_le_bytes(len_bytes.try_into().expect("8 bytes"));
    let Ok(len) = usize::try_from(len) else {
        return Next::Corrupt;
    };
    let end = 12usize.saturating_add(len);
    let (Some(data), Some(data_crc)) = (buf.get(12..end), u32_at(buf, end)) else {
        return Next::Incomplete;
    };
    if masked_crc(data) != data_crc {
        return Next::Corrupt;
    }
    Next::Record(data, end + 4)
}

/// `data` framed as one record (what TensorFlow's writer appends).
#[cfg(test)]
pub(super) fn frame(data: &[u8]) -> Vec<u8> {
    let len = (data.len() as u64).to_le_bytes();
    let mut out = len.to_vec();
    out.extend(masked_crc(&len).to_le_bytes());
    out.extend(data);
    out.extend(masked_crc(data).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_mask_matches_tensorflow() {
        // From TensorFlow's crc32c_test: Mask(Value("foo")) and CRC-32C("123456789").
        assert_eq!(CRC32C.checksum(b"123456789"), 0xe306_9283);
        let crc = CRC32C.checksum(b"foo");
        assert_eq!(
            masked_crc(b"foo"),
            crc.rotate_right(15).wrapping_add(0xa282_ead8)
        );
    }

    #[test]
    fn whole_partial_and_corrupt_records() {
        let mut buf = frame(b"hello");
        buf.extend(frame(b"world"));
        let Next::Record(data, used) = next(&buf) else {
            panic!("a record")
        };
        assert_eq!((data, used), (&b"hello"[..], 21));
        assert_eq!(next(&buf[used..]), Next::Record(b"world", 21));
        for cut in [0, 5, 11, 12, 16, 20] {
            assert_eq!(
                next(&buf[used..used + cut]),
                Next::Incomplete,
                "cut at {cut}"
            );
        }
        let mut bad = frame(b"hello");
        bad[13] ^= 1;
        assert_eq!(next(&bad), Next::Corrupt);
        let mut bad_len = frame(b"hello");
        bad_len[0] ^= 1;
        assert_eq!(next(&bad_len), Next::Corrupt);
    }
}
