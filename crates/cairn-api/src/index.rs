//! The projects index: `<data dir>/cairn.db` (SQLite), with versioned migrations from day
//! one. It holds the projects the user opened or added and whether each is trusted to run.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::ApiResult;

/// Migrations in order; `PRAGMA user_version` is the number applied. Never edit one that
/// shipped: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: projects and the trust list.
    "CREATE TABLE projects (
        path TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        added_ms INTEGER NOT NULL,
        opened_ms INTEGER
     );
     CREATE TABLE trust (
        path TEXT PRIMARY KEY,
        trusted_ms INTEGER NOT NULL
     );",
    // 2: where the user dragged pipeline nodes, per project.
    "CREATE TABLE layouts (
        project TEXT NOT NULL,
        node TEXT NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        PRIMARY KEY (project, node)
     );",
];

/// A row of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedProject {
    /// Absolute root.
    pub path: String,
    /// Display name.
    pub name: String,
    /// Last opened, ms since the epoch.
    pub opened_ms: Option<i64>,
}

/// The open index.
pub struct ProjectIndex {
    conn: Connection,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl ProjectIndex {
    /// Opens (creating and migrating) the index at `file`.
    pub fn open(file: &Path) -> ApiResult<ProjectIndex> {
        let conn = Connection::open(file)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let mut idx = ProjectIndex { conn };
        idx.migrate()?;
        Ok(idx)
    }

    /// An index in memory (tests).
    pub fn in_memory() -> ApiResult<ProjectIndex> {
        let mut idx = ProjectIndex {
            conn: Connection::open_in_memory()?,
        };
        idx.migrate()?;
        Ok(idx)
    }

    fn migrate(&mut self) -> ApiResult<()> {
        let applied: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            as usize;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version (number of migrations applied).
    pub fn version(&self) -> ApiResult<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Adds a project (no-op if listed). Returns whether it was new.
    pub fn add(&self, path: &str, name: &str) -> ApiResult<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO projects (path, name, added_ms) VALUES (?1, ?2, ?3)",
            params![path, name, now_ms()],
        )?;
        Ok(n == 1)
    }

    /// Removes a project from the list (its files are untouched).
    pub fn remove(&self, path: &str) -> ApiResult<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM projects WHERE path = ?1", [path])?
            == 1)
    }

    /// Records that the project was opened now.
    pub fn touch(&self, path: &str) -> ApiResult<()> {
        self.conn.execute(
            "UPDATE projects SET opened_ms = ?2 WHERE path = ?1",
            params![path, now_ms()],
        )?;
        Ok(())
    }

    /// All projects, most recently opened first.
    pub fn list(&self) -> ApiResult<Vec<IndexedProject>> {
        let mut st = self.conn.prepare(
            "SELECT path, name, opened_ms FROM projects
             ORDER BY COALESCE(opened_ms, added_ms) DESC, name",
        )?;
        let rows = st.query_map([], |r| {
            Ok(IndexedProject {
                path: r.get(0)?,
                name: r.get(1)?,
                opened_ms: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether the project is listed.
    pub fn contains(&self, path: &str) -> ApiResult<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM projects WHERE path = ?1", [path], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Whether the user trusted the project to run its commands.
    pub fn is_trusted(&self, path: &str) -> ApiResult<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM trust WHERE path = ?1", [path], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Trusts or untrusts a project.
    pub fn set_trusted(&self, path: &str, trusted: bool) -> ApiResult<()> {
        if trusted {
            self.conn.execute(
                "INSERT OR REPLACE INTO trust (path, trusted_ms) VALUES (?1, ?2)",
                params![path, now_ms()],
            )?;
        } else {
            self.conn
                .execute("DELETE FROM trust WHERE path = ?1", [path])?;
        }
        Ok(())
    }
}

impl ProjectIndex {
    /// The node positions the user set in `project`'s pipeline, by node id.
    pub fn layout(&self, project: &str) -> ApiResult<Vec<(String, f64, f64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT node, x, y FROM layouts WHERE project = ?1 ORDER BY node")?;
        let rows = stmt
            .query_map([project], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Records node positions (replacing earlier ones of the same nodes); with `reset`,
    /// forgets all of the project's first.
    pub fn save_layout(
        &mut self,
        project: &str,
        positions: &[(String, f64, f64)],
        reset: bool,
    ) -> ApiResult<()> {
        let tx = self.conn.transaction()?;
        if reset {
            tx.execute("DELETE FROM layouts WHERE project = ?1", [project])?;
        }
        for (node, x, y) in positions {
            tx.execute(
                "INSERT OR REPLACE INTO layouts (project, node, x, y) VALUES (?1, ?2, ?3, ?4)",
                params![project, node, x, y],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_reopening_keeps_rows() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cairn.db");
        {
            let idx = ProjectIndex::open(&file).unwrap();
            assert_eq!(idx.version().unwrap(), MIGRATIONS.len() as i64);
            assert!(idx.add("/p/a", "a").unwrap());
            assert!(!idx.add("/p/a", "a").unwrap(), "adding twice is a no-op");
            idx.set_trusted("/p/a", true).unwrap();
        }
        let idx = ProjectIndex::open(&file).unwrap();
        assert_eq!(idx.list().unwrap().len(), 1);
        assert!(idx.is_trusted("/p/a").unwrap());
        idx.set_trusted("/p/a", false).unwrap();
        assert!(!idx.is_trusted("/p/a").unwrap());
        assert!(idx.remove("/p/a").unwrap());
        assert!(idx.list().unwrap().is_empty());
    }
}
