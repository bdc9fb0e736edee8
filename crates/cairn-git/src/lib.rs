//! cairn-git
