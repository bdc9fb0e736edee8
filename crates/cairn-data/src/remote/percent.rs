//! Percent-encoding for object names in URLs and for form fields: RFC 3986's unreserved
//! characters pass, everything else is `%XX`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
const PATH: &AsciiSet = &QUERY.remove(b'/');

/// A path, `/` kept.
pub(super) fn encode(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// A URL path as the user typed it (`My Folder` or `My%20Folder`), encoded once: what
/// an HTTP client sends for either.
pub(super) fn normalize_path(s: &str) -> String {
    encode(&percent_decode_str(s).decode_utf8_lossy())
}

/// A query value (or a form field).
pub(super) fn encode_query(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_characters_pass() {
        assert_eq!(super::encode("a b/c~d"), "a%20b/c~d");
        assert_eq!(super::encode_query("team/store/"), "team%2Fstore%2F");
        assert_eq!(
            super::normalize_path("dav/My Folder/ü"),
            "dav/My%20Folder/%C3%BC"
        );
        assert_eq!(super::normalize_path("dav/My%20Folder"), "dav/My%20Folder");
    }
}
