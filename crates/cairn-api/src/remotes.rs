//! The project's default remote, set up from the app: the same lines `dvc remote add -d`
//! and `dvc remote modify` write, so a user who never opens a terminal can push and pull.

use cairn_data::config::Config;
use cairn_data::config_edit::{self, ConfigFile, Setting};
use cairn_data::remote::setup::{self, NewRemote};

use crate::data::open_repo;
use crate::dto::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::{Api, project_root};

/// A field the user filled in (not absent, not blank), trimmed.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Api {
    /// `set_remote`: adds remote `name` as the default, or changes it.
    pub fn set_remote(&self, args: SetRemoteArgs) -> ApiResult<RemoteView> {
        let root = project_root(&args.project)?;
        let repo = open_repo(&root)?;
        let url = args.url.trim();
        if url.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidArguments,
                "give the remote a location: a folder such as /mnt/share/store, or s3://bucket/path",
            ));
        }
        let mut options = Vec::new();
        let mut unset = Vec::new();
        for (key, value) in [
            ("endpointurl", &args.endpoint_url),
            ("region", &args.region),
            ("port", &args.port),
        ] {
            match given(value) {
                Some(v) => options.push((key.to_string(), v.to_string())),
                None if value.is_some() => unset.push(key),
                None => {}
            }
        }
        let mut local = Vec::new();
        if let Some(id) = given(&args.access_key_id) {
            local.push(("access_key_id".to_string(), id.to_string()));
        }
        for (key, value) in [
            ("secret_access_key", &args.secret_access_key),
            ("connection_string", &args.connection_string),
            ("credentialpath", &args.credential_path),
            ("keyfile", &args.keyfile),
            ("user", &args.user),
            ("password", &args.password),
        ] {
            if let Some(v) = given(value) {
                local.push((key.to_string(), v.to_string()));
            }
        }
        let existed = repo.config().remotes.iter().any(|r| r.name == args.name);
        setup::add(
            &repo,
            &NewRemote {
                name: args.name.clone(),
                url: setup::config_url(&repo, &root, url),
                default: true,
                force: true,
                options,
                local,
                local_only: false,
            },
        )?;
        if existed && !unset.is_empty() {
            let section = config_edit::remote_section(&args.name);
            let settings: Vec<Setting> =
                unset.iter().map(|k| Setting::unset(&section, *k)).collect();
            config_edit::edit(&repo, ConfigFile::Repo, &settings)?;
        }
        let repo = open_repo(&root)?;
        remote_view(repo.config()).ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "the remote was written but does not read back",
            )
        })
    }
}

/// The default remote as the Data tab shows it.
pub(crate) fn remote_view(config: &Config) -> Option<RemoteView> {
    let name = config.default_remote.as_ref()?;
    let r = config.remotes.iter().find(|r| &r.name == name)?;
    Some(RemoteView {
        name: r.name.clone(),
        url: r.url.clone(),
        usable: cairn_data::remote::is_supported_url(&r.url),
        endpoint_url: r.options.get("endpointurl").cloned(),
        region: r.options.get("region").cloned(),
        port: r.options.get("port").cloned(),
        user: r.options.get("user").cloned(),
        has_keys: [
            "access_key_id",
            "connection_string",
            "credentialpath",
            "keyfile",
            "password",
        ]
        .iter()
        .any(|k| r.options.contains_key(*k)),
    })
}
