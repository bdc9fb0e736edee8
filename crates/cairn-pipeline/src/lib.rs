//! cairn-pipeline
