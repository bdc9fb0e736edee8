//! cairn-data
