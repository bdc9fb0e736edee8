//! Adding, changing and removing remotes in `.dvc/config` as `dvc remote
//! add|modify|default|remove` do (same lines, so either tool reads what the other
//! wrote). Keys and secrets go to `.dvc/config.local`, which git ignores.

use std::path::Path;

use crate::config_edit::{self, ConfigFile, Setting, remote_section};
use crate::error::{DataError, Result};
use crate::repo::Repo;

/// Settings that hold secrets: written to `config.local` by the app.
pub const SECRET_KEYS: [&str; 4] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "password",
];

/// A remote to add or overwrite.
#[derive(Debug, Clone, Default)]
pub struct NewRemote {
    /// Its name.
    pub name: String,
    /// A URL (`s3://bucket/path`) or a folder, as the config should hold it (see
    /// [`config_url`]).
    pub url: String,
    /// Make it `core.remote`.
    pub default: bool,
    /// Replace a remote of that name; else an existing name is refused.
    pub force: bool,
    /// Other settings (`endpointurl`, `region`…) for `.dvc/config`.
    pub options: Vec<(String, String)>,
    /// Settings for `.dvc/config.local` (credentials).
    pub local: Vec<(String, String)>,
    /// Write the whole remote (and the default) to `.dvc/config.local`: this clone only.
    pub local_only: bool,
}

/// A folder given relative to `cwd` as the config must hold it: relative to `.dvc/`
/// (`dvc remote add store ../store` run at the root writes `url = ../../store`). URLs and
/// absolute paths are kept as given.
pub fn config_url(repo: &Repo, cwd: &Path, url: &str) -> String {
    let path = Path::new(url);
    if super::scheme(url).is_some() || path.is_absolute() {
        return url.to_string();
    }
    let abs = crate::paths::normalize(cwd, path);
    crate::paths::rel_slash(&abs, &repo.dvc_dir())
}

/// Adds `remote` (or replaces it with `force`).
pub fn add(repo: &Repo, remote: &NewRemote) -> Result<()> {
    config_edit::check_remote_name(&remote.name)?;
    if remote.url.trim().is_empty() {
        return Err(DataError::Remote(format!(
            "remote `{}` needs a location: a folder or a URL such as s3://bucket/path",
            remote.name
        )));
    }
    let exists = repo.config().remotes.iter().any(|r| r.name == remote.name);
    if exists && !remote.force {
        return Err(DataError::Remote(format!(
            "remote `{}` already exists; overwrite it with -f (--force), or change it with `remote modify`",
            remote.name
        )));
    }
    let section = remote_section(&remote.name);
    // `core` first: in a fresh config it then comes first, as DVC writes it.
    let mut shared = Vec::new();
    if remote.default {
        shared.push(Setting::set("core", "remote", &remote.name));
    }
    shared.push(Setting::set(&section, "url", &remote.url));
    shared.extend(
        remote
            .options
            .iter()
            .map(|(k, v)| Setting::set(&section, k, v)),
    );
    let file = if remote.local_only {
        ConfigFile::Local
    } else {
        ConfigFile::Repo
    };
    config_edit::edit(repo, file, &shared)?;
    if !remote.local.is_empty() {
        let local: Vec<Setting> = remote
            .local
            .iter()
            .map(|(k, v)| Setting::set(&section, k, v))
            .collect();
        config_edit::edit(repo, ConfigFile::Local, &local)?;
    }
    Ok(())
}

/// Sets (or with `None` removes) one setting of an existing remote.
pub fn modify(
    repo: &Repo,
    name: &str,
    file: ConfigFile,
    key: &str,
    value: Option<&str>,
) -> Result<()> {
    known(repo, name)?;
    if key == "url" && value.is_none() {
        return Err(DataError::Remote(format!(
            "remote `{name}` cannot lose its url; remove the remote instead"
        )));
    }
    let section = remote_section(name);
    let setting = match value {
        Some(v) => Setting::set(section, key, v),
        None => Setting::unset(section, key),
    };
    config_edit::edit(repo, file, &[setting])
}

/// Makes `name` the default remote, or (`None`) leaves no default.
pub fn set_default(repo: &Repo, name: Option<&str>) -> Result<()> {
    let setting = match name {
        Some(n) => {
            known(repo, n)?;
            Setting::set("core", "remote", n)
        }
        None => Setting::unset("core", "remote"),
    };
    config_edit::edit(repo, ConfigFile::Repo, &[setting])
}

/// Removes remote `name` from both config files, and as the default.
pub fn remove(repo: &Repo, name: &str) -> Result<()> {
    known(repo, name)?;
    let section = remote_section(name);
    config_edit::remove_section(repo, ConfigFile::Repo, &section)?;
    config_edit::remove_section(repo, ConfigFile::Local, &section)?;
    if repo.config().default_remote.as_deref() == Some(name) {
        config_edit::edit(repo, ConfigFile::Repo, &[Setting::unset("core", "remote")])?;
    }
    Ok(())
}

fn known(repo: &Repo, name: &str) -> Result<()> {
    if repo.config().remotes.iter().any(|r| r.name == name) {
        Ok(())
    } else {
        Err(DataError::Remote(format!(
            "remote `{name}` is not in .dvc/config; add it with `remote add {name} URL`"
        )))
    }
}
