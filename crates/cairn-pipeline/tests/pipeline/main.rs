//! cairn-pipeline's integration tests: one binary, a module per area (a binary per file
//! would link the crate once each).

mod corpus;
mod dvc_dag;
mod edit_corpus;
mod model;
