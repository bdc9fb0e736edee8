//! `dvc.yaml` and `dvc.lock` for Cairn: the pipeline model, `${…}` interpolation,
//! `foreach`/`matrix` expansion, the stage graph and its renderings, all matching DVC 3.67.1.
//!
//! Typical use:
//! ```no_run
//! let project = cairn_pipeline::load_project(std::path::Path::new("."))?;
//! let dag = cairn_pipeline::build_dag(&project)?;
//! print!("{}", cairn_pipeline::to_dot(&dag));
//! # Ok::<(), cairn_pipeline::PipelineError>(())
//! ```

pub mod context;
pub mod dag;
pub mod data;
pub mod dvcfile;
pub mod edit;
pub mod error;
pub mod expand;
pub mod fs;
pub mod interpolate;
pub mod lockfile;
pub mod params_file;
pub mod project;
pub mod pynum;
pub mod pyparams;
pub mod render;
pub mod schema;
pub mod stage;

pub use dag::{Dag, build_dag, check_paths_inside_repo};
pub use dvcfile::{PipelineFile, load_pipeline_file, parse_pipeline_file};
pub use error::{Location, PipelineError};
pub use fs::{LocalFs, RepoFs};
pub use lockfile::{LockEntry, LockFile, LockSchema, LockStage};
pub use project::{
    Project, find_pipeline_files, load_project, load_project_fs, load_project_lenient,
};
pub use render::{to_dot, to_mermaid, to_text};
pub use stage::{Cmd, Dep, Out, OutKind, ParamsDep, Stage};
