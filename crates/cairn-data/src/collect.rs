//! Finding every `.dvc` pointer file in a repository.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};
use crate::ignore::DvcIgnore;
use crate::pointer::Pointer;

/// A pointer file and where it is.
#[derive(Debug, Clone)]
pub struct Tracked {
    /// Absolute path of the `.dvc` file.
    pub file: PathBuf,
    /// Its parsed content.
    pub pointer: Pointer,
}

impl Tracked {
    /// Absolute workspace path of output `i`.
    pub fn out_path(&self, i: usize) -> PathBuf {
        crate::paths::normalize(
            self.file.parent().expect("pointer files have a parent"),
            Path::new(&self.pointer.outs[i].path),
        )
    }
}

/// Every `.dvc` file under `root` that `.dvcignore` does not hide. Directories that are
/// themselves tracked outputs are not descended into (they can't hold pointers, and
/// can hold very many files). Unparsable pointers are returned as errors beside the rest.
pub fn pointers(root: &Path) -> Result<(Vec<Tracked>, Vec<DataError>)> {
    let mut ignore = DvcIgnore::load_for(root, root)?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        ignore.add_dir(&dir)?;
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs = Vec::new();
        let mut outs_here: HashSet<PathBuf> = HashSet::new();
        for entry in rd.flatten() {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !ignore.is_ignored(&path, true) {
                    subdirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "dvc")
                && ft.is_file()
                && !ignore.is_ignored(&path, false)
            {
                match Pointer::load(&path) {
                    Ok(pointer) => {
                        let t = Tracked {
                            file: path,
                            pointer,
                        };
                        outs_here.extend((0..t.pointer.outs.len()).map(|i| t.out_path(i)));
                        found.push(t);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        stack.extend(subdirs.into_iter().filter(|d| !outs_here.contains(d)));
    }
    found.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((found, errors))
}
