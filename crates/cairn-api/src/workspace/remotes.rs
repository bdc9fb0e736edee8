//! Remotes in `.dvc/config` (and `.dvc/config.local`), edited as `dvc remote` edits them.

use cairn_data::config_edit::ConfigFile;
use cairn_data::remote::setup::{self, NewRemote};
use serde::Serialize;

use super::{Result, Workspace, WorkspaceError};

/// One configured remote, as `remote list --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteRow {
    /// Its name.
    pub name: String,
    /// Its URL as written.
    pub url: String,
    /// Whether it is `core.remote`.
    pub default: bool,
}

impl Workspace {
    /// Adds remote `name` at `url` (a folder relative to [`Workspace::cwd`], or a URL);
    /// `force` replaces one of that name; `local_only` writes to `.dvc/config.local`.
    pub fn add_remote(
        &self,
        name: &str,
        url: &str,
        default: bool,
        force: bool,
        local_only: bool,
    ) -> Result<()> {
        let url = setup::config_url(&self.repo, &self.cwd, url);
        setup::add(
            &self.repo,
            &NewRemote {
                name: name.to_string(),
                url,
                default,
                force,
                local_only,
                ..NewRemote::default()
            },
        )?;
        Ok(())
    }

    /// Sets (`Some`) or removes (`None`) one setting of remote `name`, in
    /// `.dvc/config.local` if `local`. A `url` that is a folder is relative to here.
    pub fn modify_remote(
        &self,
        name: &str,
        key: &str,
        value: Option<&str>,
        local: bool,
    ) -> Result<()> {
        let file = if local {
            ConfigFile::Local
        } else {
            ConfigFile::Repo
        };
        let value = match (key, value) {
            ("url", Some(v)) => Some(setup::config_url(&self.repo, &self.cwd, v)),
            (_, v) => v.map(str::to_string),
        };
        setup::modify(&self.repo, name, file, key, value.as_deref())?;
        Ok(())
    }

    /// The default remote's name.
    pub fn default_remote(&self) -> Result<String> {
        self.repo.config().default_remote.clone().ok_or_else(|| {
            WorkspaceError::NotFound(
                "no default remote: set one with `cairn remote default NAME`".into(),
            )
        })
    }

    /// Makes `name` the default remote, or (`None`) leaves none.
    pub fn set_default_remote(&self, name: Option<&str>) -> Result<()> {
        Ok(setup::set_default(&self.repo, name)?)
    }

    /// Removes remote `name` from both config files.
    pub fn remove_remote(&self, name: &str) -> Result<()> {
        Ok(setup::remove(&self.repo, name)?)
    }

    /// The configured remotes in file order.
    pub fn remotes(&self) -> Vec<RemoteRow> {
        let config = self.repo.config();
        config
            .remotes
            .iter()
            .map(|r| RemoteRow {
                name: r.name.clone(),
                url: r.url.clone(),
                default: config.default_remote.as_deref() == Some(r.name.as_str()),
            })
            .collect()
    }
}
