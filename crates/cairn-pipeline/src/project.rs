//! A project: every `dvc.yaml` (and `.dvc` file) in the repository, found the way DVC's
//! `collect_files` does.
//!
//! DVC walks the tree top-down with `os.walk` (so in the order the OS lists directories),
//! skipping `.git`, `.hg`, `.dvc`, anything matched by `.dvcignore` files (which nest like
//! `.gitignore`), sub-repositories (directories holding their own `.dvc/`), and the
//! directories that are outputs of stages already loaded. Following the OS order means the
//! stage order, and hence `dag` output, matches DVC's on the same machine.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Serialize;

use crate::dvcfile::{PipelineFile, load_dvc_file, load_pipeline_file};
use crate::error::PipelineError;
use crate::fs::{LocalFs, RepoFs, join, url_scheme};
use crate::stage::Stage;

/// All pipeline files of a repository (`.dvc` files included, as one-stage files).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    /// Pipeline files in collection order.
    pub files: Vec<PipelineFile>,
}

impl Project {
    /// All stages, in DVC's index order.
    pub fn stages(&self) -> impl Iterator<Item = &Stage> {
        self.files.iter().flat_map(|f| f.stages.iter())
    }

    /// Finds a stage by its address (`train`, `sub/dvc.yaml:train@1`).
    pub fn stage(&self, addressing: &str) -> Option<&Stage> {
        self.stages().find(|s| s.addressing == addressing)
    }
}

/// Loads every pipeline of the working tree at `root`; the first broken file is an error
/// (like `dvc stage list --fail`).
pub fn load_project(root: &Path) -> Result<Project, PipelineError> {
    load_project_fs(&LocalFs::new(root))
}

/// Loads every pipeline through `fs`; the first broken file is an error.
pub fn load_project_fs(fs: &dyn RepoFs) -> Result<Project, PipelineError> {
    let mut files = Vec::new();
    collect(fs, |path| {
        let f = load_any(fs, path)?;
        let outs = out_dirs(&f);
        files.push(f);
        Ok(outs)
    })?;
    Ok(Project { files })
}

/// Like [`load_project_fs`] but keeps going past broken files (like plain `dvc stage list`):
/// returns what loaded and the errors of the rest.
pub fn load_project_lenient(fs: &dyn RepoFs) -> (Project, Vec<PipelineError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let _ = collect(fs, |path| {
        match load_any(fs, path) {
            Ok(f) => {
                let outs = out_dirs(&f);
                files.push(f);
                return Ok(outs);
            }
            Err(e) => errors.push(e),
        }
        Ok(Vec::new())
    });
    (Project { files }, errors)
}

/// Loads a `dvc.yaml` or a `.dvc` file.
fn load_any(fs: &dyn RepoFs, path: &str) -> Result<PipelineFile, PipelineError> {
    if path.ends_with(".dvc") {
        load_dvc_file(fs, path)
    } else {
        load_pipeline_file(fs, path)
    }
}

/// Repo-relative paths of the local outputs of a file's stages: the walk skips them.
fn out_dirs(f: &PipelineFile) -> Vec<String> {
    f.stages
        .iter()
        .flat_map(|s| {
            s.outs
                .iter()
                .filter(|o| url_scheme(&o.path).is_none())
                .filter_map(move |o| o.repo_path(s))
        })
        .collect()
}

/// Lists the repo-relative paths of all pipeline files, in collection order, without
/// loading them (outputs are then not excluded from the walk).
pub fn find_pipeline_files(fs: &dyn RepoFs) -> Vec<String> {
    let mut found = Vec::new();
    let _ = collect(fs, |p| {
        found.push(p.to_string());
        Ok(Vec::new())
    });
    found
}

/// Ignore rules from `.dvcignore` files, nested like `.gitignore`.
struct Ignores {
    /// (directory, matcher), outermost first.
    stack: Vec<(String, Gitignore)>,
}

fn virtual_path(rel: &str) -> PathBuf {
    let mut p = PathBuf::from("/");
    if !rel.is_empty() {
        p.push(rel);
    }
    p
}

impl Ignores {
    fn push_dir(&mut self, fs: &dyn RepoFs, dir: &str) {
        let file = join(dir, ".dvcignore");
        let Ok(text) = fs.read_to_string(&file) else {
            return;
        };
        let mut b = GitignoreBuilder::new(virtual_path(dir));
        for line in text.lines() {
            let _ = b.add_line(None, line);
        }
        if let Ok(g) = b.build() {
            self.stack.push((dir.to_string(), g));
        }
    }

    fn pop_to(&mut self, dir: &str) {
        self.stack
            .retain(|(d, _)| d.is_empty() || dir == d || dir.starts_with(&format!("{d}/")));
    }

    fn is_ignored(&self, rel: &str, is_dir: bool) -> bool {
        let p = virtual_path(rel);
        for (_, g) in self.stack.iter().rev() {
            let m = g.matched(&p, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

/// Walks the tree, calling `found` for each pipeline file; `found` returns output paths
/// the walk must not descend into.
fn collect(
    fs: &dyn RepoFs,
    mut found: impl FnMut(&str) -> Result<Vec<String>, PipelineError>,
) -> Result<(), PipelineError> {
    let mut ignores = Ignores { stack: Vec::new() };
    let mut outs: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Explicit stack of directories to visit, in os.walk's top-down order.
    let mut pending: Vec<String> = vec![String::new()];
    while let Some(dir) = pending.pop() {
        ignores.pop_to(&dir);
        ignores.push_dir(fs, &dir);
        let Ok(entries) = fs.list_dir(&dir) else {
            continue;
        };
        let mut subdirs = Vec::new();
        for (name, is_dir) in &entries {
            let rel = join(&dir, name);
            if *is_dir {
                subdirs.push((name.clone(), rel));
            } else if (name == "dvc.yaml" || name.ends_with(".dvc"))
                && !ignores.is_ignored(&rel, false)
            {
                outs.extend(found(&rel)?);
            }
        }
        let mut keep = Vec::new();
        for (name, rel) in subdirs {
            if matches!(name.as_str(), ".git" | ".hg" | ".dvc") {
                continue;
            }
            if ignores.is_ignored(&rel, true) || outs.contains(&rel) {
                continue;
            }
            if fs.is_dir(&join(&rel, ".dvc")) {
                continue; // a sub-repository
            }
            keep.push(rel);
        }
        // Push in reverse so the first listed directory is visited first.
        pending.extend(keep.into_iter().rev());
    }
    Ok(())
}
