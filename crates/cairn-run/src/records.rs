//! Run records: every `repro` is kept in SQLite (per-user data dir) with its stages,
//! timings, exit codes, peak memory, the git commit it ran on, a params snapshot, the
//! environment, and full logs in files referenced from the database.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::RunError;

const MIGRATIONS: &[&str] = &["CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        git_commit TEXT,
        dirty INTEGER NOT NULL,
        params TEXT NOT NULL,
        environment TEXT NOT NULL,
        targets TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        status TEXT NOT NULL
    );
    CREATE INDEX runs_project ON runs(project, started_ms);
    CREATE TABLE run_stages (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        position INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        exit_code INTEGER,
        started_ms INTEGER,
        duration_ms INTEGER,
        peak_rss_kib INTEGER,
        message TEXT,
        log_path TEXT,
        PRIMARY KEY (run_id, stage)
    );"];

/// Where Cairn keeps per-user data: `$CAIRN_DATA_DIR`, else `$XDG_DATA_HOME/cairn`,
/// else `~/.local/share/cairn`.
pub fn data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CAIRN_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("cairn");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".local").join("share").join("cairn")
}

/// A new run id: start time plus a random suffix (`20261127-113045-3fa2`).
pub fn new_run_id() -> String {
    let now = now_ms();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{:04x}",
        timestamp(now),
        (nanos ^ std::process::id().rotate_left(16)) & 0xffff
    )
}

/// The log file of `stage` in run `run_id` under the data dir `dir`.
pub fn log_path(dir: &Path, run_id: &str, stage: &str) -> PathBuf {
    let safe: String = stage
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join("logs").join(run_id).join(format!("{safe}.log"))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `YYYYMMDD-HHMMSS` in UTC for `ms`.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = cairn_core::civil::from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A run as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunRecord {
    /// Run id.
    pub id: String,
    /// Project root.
    pub project: String,
    /// Commit the run started on.
    pub git_commit: Option<String>,
    /// Whether the work tree had uncommitted changes.
    pub dirty: bool,
    /// Stages requested (empty: all).
    pub targets: Vec<String>,
    /// Start time, ms since epoch.
    pub started_ms: i64,
    /// End time, if finished.
    pub ended_ms: Option<i64>,
    /// `running`, `succeeded`, `failed`, `cancelled`.
    pub status: String,
}

/// One stage of a recorded run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageRecord {
    /// Stage address.
    pub stage: String,
    /// How it ended (`succeeded`, `up_to_date`, `failed`, ...), `queued` until then.
    pub outcome: String,
    /// Exit code of the failing command.
    pub exit_code: Option<i32>,
    /// Start time.
    pub started_ms: Option<i64>,
    /// Duration.
    pub duration_ms: Option<i64>,
    /// Peak resident memory, KiB.
    pub peak_rss_kib: Option<i64>,
    /// Why it was skipped or failed.
    pub message: Option<String>,
    /// Full log file.
    pub log_path: Option<String>,
}

/// A run with its stages, params snapshot and environment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunDetail {
    /// The run.
    pub run: RunRecord,
    /// Its stages in plan order.
    pub stages: Vec<StageRecord>,
    /// Params files at the start of the run.
    pub params: serde_json::Value,
    /// OS, CPU, memory, python, dependency manifests.
    pub environment: serde_json::Value,
}

/// The run records database.
pub struct Records {
    conn: Connection,
    dir: PathBuf,
}

impl Records {
    /// Opens the database in [`data_dir`].
    pub fn open_default() -> Result<Records, RunError> {
        Records::open(&data_dir())
    }

    /// Opens (creating and migrating) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Records, RunError> {
        std::fs::create_dir_all(dir).map_err(|e| RunError::io(dir.display(), e))?;
        let mut conn = Connection::open(dir.join("runs.db"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // WAL + NORMAL: no fsync per statement; a power cut may lose the last updates
        // of a run record, never corrupt the database.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version < MIGRATIONS.len() {
            let tx = conn.transaction()?;
            for m in &MIGRATIONS[version..] {
                tx.execute_batch(m)?;
            }
            tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
            tx.commit()?;
        }
        Ok(Records {
            conn,
            dir: dir.to_path_buf(),
        })
    }

    /// The log file for a stage of a run.
    pub fn log_path(&self, run_id: &str, stage: &str) -> PathBuf {
        let safe: String = stage
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir
            .join("logs")
            .join(run_id)
            .join(format!("{safe}.log"))
    }

    /// Records a new run `id` and its planned stages.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &self,
        id: &str,
        project: &Path,
        git_commit: Option<&str>,
        dirty: bool,
        params: &serde_json::Value,
        env: &serde_json::Value,
        targets: &[String],
        plan: &[String],
    ) -> Result<(), RunError> {
        let started = now_ms();
        self.conn.execute(
            "INSERT INTO runs (id, project, git_commit, dirty, params, environment, targets, started_ms, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running')",
            params![id, project.to_string_lossy(), git_commit, dirty, params.to_string(), env.to_string(), serde_json::to_string(targets).unwrap_or_default(), started],
        )?;
        for (i, stage) in plan.iter().enumerate() {
            self.conn.execute("INSERT INTO run_stages (run_id, stage, position, outcome) VALUES (?1, ?2, ?3, 'queued')", params![id, stage, i as i64])?;
        }
        Ok(())
    }

    /// Updates one stage's record.
    #[allow(clippy::too_many_arguments)]
    pub fn stage(
        &self,
        run_id: &str,
        stage: &str,
        outcome: &str,
        exit_code: Option<i32>,
        started_ms: Option<i64>,
        duration_ms: Option<i64>,
        peak_rss_kib: Option<i64>,
        message: Option<&str>,
        log_path: Option<&Path>,
    ) -> Result<(), RunError> {
        self.conn.execute(
            "UPDATE run_stages SET outcome = ?3, exit_code = ?4, started_ms = ?5, duration_ms = ?6, peak_rss_kib = ?7, message = ?8, log_path = ?9 WHERE run_id = ?1 AND stage = ?2",
            params![run_id, stage, outcome, exit_code, started_ms, duration_ms, peak_rss_kib, message, log_path.map(|p| p.to_string_lossy().into_owned())],
        )?;
        Ok(())
    }

    /// Stores the environment the run saw.
    pub fn set_environment(&self, run_id: &str, env: &serde_json::Value) -> Result<(), RunError> {
        self.conn.execute(
            "UPDATE runs SET environment = ?2 WHERE id = ?1",
            params![run_id, env.to_string()],
        )?;
        Ok(())
    }

    /// Marks the run finished.
    pub fn finish(&self, run_id: &str, status: &str) -> Result<(), RunError> {
        self.conn.execute(
            "UPDATE runs SET status = ?2, ended_ms = ?3 WHERE id = ?1",
            params![run_id, status, now_ms()],
        )?;
        Ok(())
    }

    fn row_to_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
        let targets: String = r.get(4)?;
        Ok(RunRecord {
            id: r.get(0)?,
            project: r.get(1)?,
            git_commit: r.get(2)?,
            dirty: r.get(3)?,
            targets: serde_json::from_str(&targets).unwrap_or_default(),
            started_ms: r.get(5)?,
            ended_ms: r.get(6)?,
            status: r.get(7)?,
        })
    }

    /// Runs, newest first (of one project when given).
    pub fn list(&self, project: Option<&Path>) -> Result<Vec<RunRecord>, RunError> {
        let sql = "SELECT id, project, git_commit, dirty, targets, started_ms, ended_ms, status FROM runs WHERE (?1 IS NULL OR project = ?1) ORDER BY started_ms DESC, id DESC";
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(
            params![project.map(|p| p.to_string_lossy().into_owned())],
            Self::row_to_run,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One run with its stages.
    pub fn get(&self, id: &str) -> Result<Option<RunDetail>, RunError> {
        let row = self
            .conn
            .query_row("SELECT id, project, git_commit, dirty, targets, started_ms, ended_ms, status, params, environment FROM runs WHERE id = ?1", params![id], |r| {
                Ok((Self::row_to_run(r)?, r.get::<_, String>(8)?, r.get::<_, String>(9)?))
            })
            .optional()?;
        let Some((run, params_text, env_text)) = row else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare("SELECT stage, outcome, exit_code, started_ms, duration_ms, peak_rss_kib, message, log_path FROM run_stages WHERE run_id = ?1 ORDER BY position")?;
        let stages = stmt
            .query_map(params![id], |r| {
                Ok(StageRecord {
                    stage: r.get(0)?,
                    outcome: r.get(1)?,
                    exit_code: r.get(2)?,
                    started_ms: r.get(3)?,
                    duration_ms: r.get(4)?,
                    peak_rss_kib: r.get(5)?,
                    message: r.get(6)?,
                    log_path: r.get(7)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(RunDetail {
            run,
            stages,
            params: serde_json::from_str(&params_text).unwrap_or_default(),
            environment: serde_json::from_str(&env_text).unwrap_or_default(),
        }))
    }
}

/// What the run's results may depend on besides the code: OS, CPU, memory, the `python3`
/// on PATH, and hashes of dependency manifests in the project.
pub fn environment(root: &Path) -> serde_json::Value {
    let os_release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .ok();
    let mem_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
    });
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| {
        c.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    });
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.executable); print(sys.version.split()[0])",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let mut lines = text.lines();
            serde_json::json!({"path": lines.next(), "version": lines.next()})
        });
    let mut manifests = serde_json::Map::new();
    for name in [
        "requirements.txt",
        "uv.lock",
        "poetry.lock",
        "environment.yml",
        "pyproject.toml",
        "Pipfile.lock",
    ] {
        if let Ok(bytes) = std::fs::read(root.join(name)) {
            manifests.insert(
                name.into(),
                serde_json::Value::String(cairn_data::hash::md5_bytes(&bytes)),
            );
        }
    }
    serde_json::json!({
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "kernel": os_release,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu_model": cpu_model,
        "memory_kib": mem_kib,
        "python": python,
        "manifests": manifests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_migrations_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let r = Records::open(dir.path()).unwrap();
        let id = "run-1".to_string();
        r.start(
            &id,
            Path::new("/p"),
            Some("abc"),
            true,
            &serde_json::json!({"params.yaml": {"lr": 0.1}}),
            &serde_json::json!({}),
            &[],
            &["a".into(), "b".into()],
        )
        .unwrap();
        r.stage(
            &id,
            "a",
            "succeeded",
            Some(0),
            Some(1),
            Some(5),
            Some(100),
            None,
            None,
        )
        .unwrap();
        r.finish(&id, "succeeded").unwrap();
        drop(r);
        let r = Records::open(dir.path()).unwrap();
        let d = r.get(&id).unwrap().unwrap();
        assert_eq!(d.run.status, "succeeded");
        assert_eq!(
            d.stages
                .iter()
                .map(|s| s.outcome.as_str())
                .collect::<Vec<_>>(),
            ["succeeded", "queued"]
        );
        assert_eq!(d.params["params.yaml"]["lr"], 0.1);
        assert_eq!(r.list(Some(Path::new("/p"))).unwrap().len(), 1);
        assert!(r.list(Some(Path::new("/other"))).unwrap().is_empty());
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "19700101-000000");
        assert_eq!(timestamp(1_798_364_925_000), "20261227-094845");
    }
}
