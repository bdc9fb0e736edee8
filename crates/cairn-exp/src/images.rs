//! Image plots of a revision: the images a pipeline declares as plots (`plots:` entries
//! that are, or hold, `.png`, `.jpg`, `.svg`… files, like a confusion matrix), and what
//! DVCLive's `log_image` writes under `dvclive/plots/images`, read at any revision —
//! from git, the work tree, or the cache for cached plots.

use std::path::Path;

use cairn_git::Git;

use crate::ExpError;
use crate::snapshot::{ReadError, RevFs, Snapshot};

/// DVCLive's folder for `log_image`, shown even when not declared.
const DVCLIVE_IMAGES: &str = "dvclive/plots/images";

/// The image formats DVC renders as image plots.
pub const IMAGE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// Whether `path` names an image plot, by its extension.
pub fn is_image(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// One image plot of a revision: its repo path and its bytes, or why they cannot be read.
pub type Image = (String, Result<Vec<u8>, ReadError>);

/// The image plots of the work tree (`rev = None`) or of a revision, in the order the
/// pipeline declares them (files of a declared folder sorted).
pub fn load(root: &Path, git: Option<&Git>, rev: Option<&str>) -> Result<Vec<Image>, ExpError> {
    match (rev, git) {
        (Some(r), Some(git)) => {
            let commit = crate::diff::resolve_rev(git, r)?;
            let snap = Snapshot::at(git, &commit);
            let tree = RevFs::new(git, &commit);
            Ok(files(&snap)
                .into_iter()
                .map(|f| {
                    let bytes = match tree.bytes(&f) {
                        Some(b) => Ok(b.to_vec()),
                        None => snap.read_cached(&f),
                    };
                    (f, bytes)
                })
                .collect())
        }
        _ => {
            let snap = Snapshot::workspace(root);
            Ok(files(&snap)
                .into_iter()
                .map(|f| {
                    let bytes = std::fs::read(root.join(&f)).or_else(|_| snap.read_cached(&f));
                    (f, bytes)
                })
                .collect())
        }
    }
}

/// The image files among a snapshot's declared plots and DVCLive's image folder.
fn files(snap: &Snapshot<'_>) -> Vec<String> {
    let mut paths: Vec<String> = crate::series::declared_plots(snap)
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    paths.push(DVCLIVE_IMAGES.to_string());
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let mut found: Vec<String> = snap
            .expand(&p)
            .into_iter()
            .filter(|f| is_image(f))
            .collect();
        found.sort();
        for f in found {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_extension() {
        for yes in ["eval/confusion.svg", "a/B.PNG", "x.jpeg", "plots/roc.webp"] {
            assert!(is_image(yes), "{yes}");
        }
        for no in ["metrics.json", "loss.tsv", "svg", "images/", "a.svg.txt"] {
            assert!(!is_image(no), "{no}");
        }
    }
}
