//! GTO's `.gto` file at the top of the repository: the stages (and artifact types) a
//! team allows. `gto assign` refuses a stage not in `stages:`; so does Cairn, and the
//! app offers exactly those stages.

use std::path::{Path, PathBuf};

use cairn_yaml::Node;

/// What `.gto` allows; `None` where it sets no list (anything goes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GtoConfig {
    /// `stages:`.
    pub stages: Option<Vec<String>>,
    /// `types:`.
    pub types: Option<Vec<String>>,
}

/// A `.gto` file GTO could not read either.
#[derive(Debug, thiserror::Error)]
#[error("{path}{}: {message}; fix the file or remove it", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// The file's name, at the repository's top.
pub const FILE: &str = ".gto";

impl GtoConfig {
    /// Reads `<root>/.gto`; no file is an empty config.
    pub fn load(root: &Path) -> Result<GtoConfig, ConfigError> {
        let path = root.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(GtoConfig::default()),
            Err(e) => {
                return Err(ConfigError {
                    path,
                    line: None,
                    message: e.to_string(),
                });
            }
        };
        let doc = cairn_yaml::parse(&text).map_err(|e| ConfigError {
            path: path.clone(),
            line: Some(e.line),
            message: e.message,
        })?;
        if matches!(doc.value, cairn_yaml::Value::Null) {
            return Ok(GtoConfig::default());
        }
        if doc.as_map().is_none() {
            return Err(ConfigError {
                path,
                line: Some(doc.mark.line),
                message: format!("expected a mapping, found a {}", doc.type_name()),
            });
        }
        let list = |key: &str| -> Result<Option<Vec<String>>, ConfigError> {
            let Some(node) = doc.get(key) else {
                return Ok(None);
            };
            if matches!(node.value, cairn_yaml::Value::Null) {
                return Ok(None);
            }
            let bad = |n: &Node, what: String| ConfigError {
                path: path.clone(),
                line: Some(n.mark.line),
                message: what,
            };
            let items = node
                .as_seq()
                .ok_or_else(|| bad(node, format!("`{key}` must be a list of names")))?;
            items
                .iter()
                .map(|n| {
                    n.as_str()
                        .filter(|s| super::tag::valid_name(s))
                        .map(str::to_string)
                        .ok_or_else(|| {
                            bad(
                                n,
                                format!("`{key}` holds something that is not a valid name"),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        };
        Ok(GtoConfig {
            stages: list("stages")?,
            types: list("types")?,
        })
    }

    /// Whether `stage` may be assigned.
    pub fn allows_stage(&self, stage: &str) -> bool {
        self.stages
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == stage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<GtoConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), text).unwrap();
        GtoConfig::load(dir.path())
    }

    #[test]
    fn reads_stages_and_types() {
        let c = load("types: [model, dataset]\nstages:\n  - dev\n  - prod\n").unwrap();
        assert_eq!(c.stages, Some(vec!["dev".into(), "prod".into()]));
        assert_eq!(c.types, Some(vec!["model".into(), "dataset".into()]));
        assert!(c.allows_stage("prod"));
        assert!(!c.allows_stage("staging"));
        assert_eq!(load("").unwrap(), GtoConfig::default());
        assert!(GtoConfig::default().allows_stage("anything"));
        let none = GtoConfig::load(tempfile::tempdir().unwrap().path()).unwrap();
        assert_eq!(none, GtoConfig::default());
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = load("stages: [dev, prod\n").unwrap_err();
        assert!(
            e.to_string().starts_with(&format!("{}:", e.path.display())),
            "{e}"
        );
        assert!(e.line.is_some(), "{e}");
        let e = load("types: [model]\nstages: prod\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.to_string().contains("`stages` must be a list"), "{e}");
        let e = load("stages: [dev, 'pro d']\n").unwrap_err();
        assert!(e.to_string().contains("not a valid name"), "{e}");
    }
}
