//! `-S` overrides checked against what DVC 3.67.1 itself produces (one test binary, a
//! module per fixture: a binary per file would link the crate once each).

mod values;
mod yaml;
