//! cairn-testkit
