//! The project's own Python virtual environment (`.venv/`, `venv/` or `env/` with a
//! `pyvenv.cfg`), used for stage commands when no environment is active.
//!
//! A desktop app starts from the launcher, not from a shell where the user ran
//! `source .venv/bin/activate`, so `python` in a stage would be the system's. Activating
//! the project's venv the way `activate` does (`VIRTUAL_ENV`, its `bin/` first on
//! `PATH`) makes the app run what the terminal runs. An environment that is already
//! active in Cairn's own environment (`VIRTUAL_ENV`, `CONDA_PREFIX`) wins: someone who
//! activated one chose it.

use std::path::{Path, PathBuf};

/// Folder names checked, in order.
const CANDIDATES: [&str; 3] = [".venv", "venv", "env"];

/// A project's virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    /// Its folder.
    pub dir: PathBuf,
    /// `version` from its `pyvenv.cfg` (`3.11.2`), when written there.
    pub version: Option<String>,
}

impl Venv {
    /// `.venv (Python 3.11.2)`, for people.
    pub fn describe(&self, root: &Path) -> String {
        let name = self
            .dir
            .strip_prefix(root)
            .unwrap_or(&self.dir)
            .display()
            .to_string();
        match &self.version {
            Some(v) => format!("{name} (Python {v})"),
            None => name,
        }
    }
}

/// The virtual environment at the top of `root`, if there is one with a `python`.
pub fn find(root: &Path) -> Option<Venv> {
    CANDIDATES.iter().find_map(|name| {
        let dir = root.join(name);
        let cfg = std::fs::read_to_string(dir.join("pyvenv.cfg")).ok()?;
        if !dir.join("bin").join("python").exists() {
            return None;
        }
        let version = cfg.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            matches!(k.trim(), "version" | "version_info").then(|| v.trim().to_string())
        });
        Some(Venv { dir, version })
    })
}

/// Whether Cairn itself runs inside an activated environment (which then wins).
pub fn active_outside() -> bool {
    ["VIRTUAL_ENV", "CONDA_PREFIX"]
        .iter()
        .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()))
}

/// The variables that activate `root`'s venv for a stage command; none when there is no
/// venv or one is active already.
pub fn activation(root: &Path) -> Vec<(String, String)> {
    if active_outside() {
        return Vec::new();
    }
    let Some(venv) = find(root) else {
        return Vec::new();
    };
    let bin = venv.dir.join("bin");
    let path = match std::env::var_os("PATH") {
        Some(p) if !p.is_empty() => format!("{}:{}", bin.display(), p.to_string_lossy()),
        _ => bin.display().to_string(),
    };
    vec![
        ("VIRTUAL_ENV".into(), venv.dir.display().to_string()),
        ("PATH".into(), path),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venv(root: &Path, name: &str, cfg: &str) {
        std::fs::create_dir_all(root.join(name).join("bin")).unwrap();
        std::fs::write(root.join(name).join("bin").join("python"), "").unwrap();
        std::fs::write(root.join(name).join("pyvenv.cfg"), cfg).unwrap();
    }

    #[test]
    fn finds_the_project_venv_and_its_version() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(find(d.path()), None);
        // A folder called env without pyvenv.cfg (a dotenv-style folder) is not a venv.
        std::fs::create_dir_all(d.path().join("env/bin")).unwrap();
        assert_eq!(find(d.path()), None);
        venv(d.path(), "venv", "home = /usr/bin\nversion = 3.11.2\n");
        let v = find(d.path()).unwrap();
        assert_eq!(v.dir, d.path().join("venv"));
        assert_eq!(v.describe(d.path()), "venv (Python 3.11.2)");
        // `.venv` comes first; uv writes `version_info`.
        venv(d.path(), ".venv", "version_info = 3.12.1\n");
        assert_eq!(
            find(d.path()).unwrap().describe(d.path()),
            ".venv (Python 3.12.1)"
        );
    }
}
