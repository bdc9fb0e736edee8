//! The project's own Python virtual environment (`.venv/`, `venv/` or `env/` with a
//! `pyvenv.cfg`), used for stage commands when no environment is active.
//!
//! A desktop app starts from the launcher, not from a shell where the user ran
//! `source .venv/bin/activate`, so `python` in a stage would be the system's. Activating
//! the project's venv the way `activate` does (`VIRTUAL_ENV`, its `bin/` first on
//! `PATH`) makes the app run what the terminal runs. An environment that is already
//! active in Cairn's own environment (`VIRTUAL_ENV`, `CONDA_PREFIX`) wins: someone who
//! activated one chose it.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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
        if !dir.join("bin").join("python").exists() || dir.join(MAKING).exists() {
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

/// The file an environment is made from.
pub const REQUIREMENTS: &str = "requirements.txt";
/// Where a venv Cairn made records the sha256 of the requirements it holds.
const STAMP: &str = ".cairn-requirements";
/// Present while Cairn makes a venv: a half-made one is not used (nor shown).
const MAKING: &str = ".cairn-making";

/// Whether the venv at `venv` holds exactly these requirements (Cairn made it from them).
pub fn holds(venv: &Path, requirements: &[u8]) -> bool {
    std::fs::read_to_string(venv.join(STAMP)).is_ok_and(|s| s.trim() == digest(requirements))
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    cairn_data::hash::hex(&sha2::Sha256::digest(bytes))
}

/// Makes the venv `venv` if it is missing (`python3 -m venv`, with a `.gitignore` of `*`
/// inside, as Python 3.13's venv writes, so git never lists it) and installs
/// `requirements` into it (`pip install -r`). Every output line goes to `log`; `cancelled`
/// is polled and stops the running command. The error says what to do.
pub fn make(
    venv: &Path,
    requirements: &Path,
    log: &(dyn Fn(&str) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(), String> {
    let bytes = std::fs::read(requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let write = |name: &str, text: &str| {
        let p = venv.join(name);
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    // Ignored and marked unfinished before the first file lands.
    std::fs::create_dir_all(venv).map_err(|e| format!("cannot make {}: {e}", venv.display()))?;
    write(MAKING, "")?;
    if !venv.join(".gitignore").exists() {
        write(".gitignore", "# Made by Cairn\n*\n")?;
    }
    if !venv.join("bin").join("python").exists() {
        log(&format!("python3 -m venv {}", venv.display()));
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "venv"]).arg(venv);
        run_logged(cmd, log, cancelled).map_err(|e| {
            format!(
                "making a Python environment failed ({e}); install python3 and its venv module (Debian/Ubuntu: apt-get install python3-venv)"
            )
        })?;
    }
    log(&format!("pip install -r {}", requirements.display()));
    let mut cmd = Command::new(venv.join("bin").join("python"));
    cmd.args(["-m", "pip", "install", "-r"]).arg(requirements);
    run_logged(cmd, log, cancelled).map_err(|e| {
        format!(
            "installing {} failed ({e}); its output says why",
            requirements.display()
        )
    })?;
    write(STAMP, &digest(&bytes))?;
    let making = venv.join(MAKING);
    std::fs::remove_file(&making).map_err(|e| format!("cannot remove {}: {e}", making.display()))
}

/// Runs `cmd` with both output streams into `log`; kills it once `cancelled` says so.
fn run_logged(
    mut cmd: Command,
    log: &(dyn Fn(&str) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Result<(), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let streams: Vec<Box<dyn std::io::Read + Send>> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    let status = std::thread::scope(|s| {
        for stream in streams {
            s.spawn(move || {
                for line in std::io::BufReader::new(stream)
                    .lines()
                    .map_while(Result::ok)
                {
                    log(&line);
                }
            });
        }
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                return Ok(status);
            }
            if cancelled() {
                let _ = child.kill();
                let _ = child.wait();
                return Err("cancelled".to_string());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("exit status {}", status.code().unwrap_or(-1)))
    }
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
