//! Percent-encoding for object names in URLs and for form fields: RFC 3986's unreserved
//! characters pass, everything else is `%XX`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

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
    }
}
