//! `dvc config` options in `.dvc/config` and `.dvc/config.local`, read and written as
//! `dvc config` does.

use cairn_data::config_edit::{self, ConfigFile, Setting};
use cairn_data::config_names;

use super::{Result, Workspace};

/// One option as `config --list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigRow {
    /// The file that sets it, relative to the repository root.
    pub file: String,
    /// `core.remote`, `remote.store.url`…
    pub name: String,
    /// Its value as written.
    pub value: String,
}

/// The files `level` names, in the order later ones win: both when none is named.
fn files(level: Option<ConfigFile>) -> Vec<ConfigFile> {
    match level {
        Some(f) => vec![f],
        None => vec![ConfigFile::Repo, ConfigFile::Local],
    }
}

impl Workspace {
    /// The value of option `name` (`core.remote`, `remote.store.url`): from `level`'s
    /// file, or the local file over the project's when none is named.
    pub fn config_get(&self, name: &str, level: Option<ConfigFile>) -> Result<Option<String>> {
        let option = config_names::parse(name)?;
        let mut found = None;
        for f in files(level) {
            for (section, key, value) in config_names::entries(&self.repo.dvc_dir(), f)? {
                if section == option.section && key == option.key {
                    found = Some(value);
                }
            }
        }
        Ok(found)
    }

    /// Sets option `name` in `level`'s file (the project's `.dvc/config` by default),
    /// refusing options and values DVC's schema refuses.
    pub fn config_set(&self, name: &str, value: &str, level: ConfigFile) -> Result<()> {
        let option = config_names::parse(name)?;
        config_names::check(&option, Some(value))?;
        config_edit::edit(
            &self.repo,
            level,
            &[Setting::set(option.section, option.key, value)],
        )?;
        Ok(())
    }

    /// Removes option `name` from `level`'s file (a section left empty goes with it, as
    /// with `dvc config -u`); an option that file does not set is an error.
    pub fn config_unset(&self, name: &str, level: ConfigFile) -> Result<()> {
        if self.config_get(name, Some(level))?.is_none() {
            return Err(cairn_data::DataError::Config(format!(
                "`{name}` is not set in .dvc/{}",
                level.name()
            ))
            .into());
        }
        let option = config_names::parse(name)?;
        config_edit::edit(
            &self.repo,
            level,
            &[Setting::unset(option.section, option.key)],
        )?;
        Ok(())
    }

    /// Every option set in `level`'s file (both files when none is named), in file order.
    pub fn config_list(&self, level: Option<ConfigFile>) -> Result<Vec<ConfigRow>> {
        let mut out = Vec::new();
        for f in files(level) {
            let entries = config_names::entries(&self.repo.dvc_dir(), f)?;
            for (section, key, value) in config_names::listing_order(entries) {
                out.push(ConfigRow {
                    file: format!(".dvc/{}", f.name()),
                    name: config_names::display(&section, &key),
                    value,
                });
            }
        }
        Ok(out)
    }
}
