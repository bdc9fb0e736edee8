//! Setting up the default remote from the app: what lands in `.dvc/config` and
//! `.dvc/config.local`, what the Data tab then shows, and that it is usable at once.

use crate::common::{api_with_demo, call};
use cairn_api::dispatch;
use serde_json::json;

#[test]
fn a_remote_set_up_in_the_app_is_written_as_dvc_writes_it_and_used() {
    let (_d, api, demo) = api_with_demo();
    let root = std::path::Path::new(&demo);
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_default();
    let before = read(".dvc/config");

    let store = tempfile::tempdir().unwrap();
    let view = call(
        &api,
        "set_remote",
        json!({"project": demo, "name": "shared", "url": store.path()}),
    );
    assert_eq!(
        (
            view["name"].as_str(),
            view["usable"].as_bool(),
            view["hasKeys"].as_bool()
        ),
        (Some("shared"), Some(true), Some(false)),
        "{view}"
    );
    assert_eq!(
        before, "[core]\n    autostage = true\n",
        "the demo's config"
    );
    assert_eq!(
        read(".dvc/config"),
        format!(
            "[core]\n    autostage = true\n    remote = shared\n['remote \"shared\"']\n    url = {}\n",
            store.path().display()
        ),
        "added to the existing [core], the remote after it"
    );
    let pushed = call(
        &api,
        "data_sync",
        json!({"project": demo, "direction": "push"}),
    );
    assert_eq!(pushed["transferred"], 1, "{pushed}");

    // An S3 remote: keys go to config.local (git-ignored), the rest to config.
    let view = call(
        &api,
        "set_remote",
        json!({"project": demo, "name": "cloud", "url": "s3://bucket/team", "endpointUrl": "http://127.0.0.1:9000",
               "region": "eu-west-1", "accessKeyId": "AK", "secretAccessKey": "SK"}),
    );
    assert_eq!(view["endpointUrl"], "http://127.0.0.1:9000");
    assert_eq!(view["region"], "eu-west-1");
    assert_eq!(view["hasKeys"], true);
    let config = read(".dvc/config");
    assert!(config.contains("    remote = cloud\n"), "{config}");
    assert!(
        config.contains("['remote \"cloud\"']\n    url = s3://bucket/team\n    endpointurl = http://127.0.0.1:9000\n    region = eu-west-1\n"),
        "{config}"
    );
    assert!(
        !config.contains("SK"),
        "no secret in the shared config: {config}"
    );
    assert_eq!(
        read(".dvc/config.local"),
        "['remote \"cloud\"']\n    access_key_id = AK\n    secret_access_key = SK\n"
    );
    let ignored = std::process::Command::new("git")
        .args(["check-ignore", "-q", ".dvc/config.local"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(ignored.success(), "config.local is git-ignored");

    // Editing: a blank endpoint removes it, blank keys keep the ones there.
    let view = call(
        &api,
        "set_remote",
        json!({"project": demo, "name": "cloud", "url": "s3://bucket/team", "endpointUrl": "", "region": "eu-west-1", "accessKeyId": ""}),
    );
    assert!(view["endpointUrl"].is_null(), "{view}");
    assert_eq!(view["hasKeys"], true);
    assert!(!read(".dvc/config").contains("endpointurl"));

    // Azure, Google Cloud Storage and SSH: what is a secret or a path on this machine goes
    // to config.local, the rest to config.
    for (args, shared, local) in [
        (
            json!({"name": "az", "url": "azure://box/team", "connectionString": "AccountName=a;AccountKey=k"}),
            "['remote \"az\"']\n    url = azure://box/team\n",
            "['remote \"az\"']\n    connection_string = AccountName=a;AccountKey=k\n",
        ),
        (
            json!({"name": "g", "url": "gs://bucket/team", "credentialPath": "/keys/sa.json"}),
            "['remote \"g\"']\n    url = gs://bucket/team\n",
            "['remote \"g\"']\n    credentialpath = /keys/sa.json\n",
        ),
        (
            json!({"name": "box", "url": "ssh://me@host/srv/store", "port": "2222", "keyfile": "/keys/id_ed25519"}),
            "['remote \"box\"']\n    url = ssh://me@host/srv/store\n    port = 2222\n",
            "['remote \"box\"']\n    keyfile = /keys/id_ed25519\n",
        ),
        (
            json!({"name": "dav", "url": "webdavs://cloud.example.org/remote.php/dav/files/me/store", "user": "me", "password": "app-token"}),
            "['remote \"dav\"']\n    url = webdavs://cloud.example.org/remote.php/dav/files/me/store\n",
            "['remote \"dav\"']\n    user = me\n    password = app-token\n",
        ),
    ] {
        let mut args = args;
        args["project"] = json!(demo);
        let port = args.get("port").cloned();
        let view = call(&api, "set_remote", args);
        if let Some(port) = port {
            assert_eq!(view["port"], port, "{view}");
        }
        assert_eq!(
            (view["usable"].as_bool(), view["hasKeys"].as_bool()),
            (Some(true), Some(true)),
            "{view}"
        );
        assert!(
            read(".dvc/config").contains(shared),
            "{}",
            read(".dvc/config")
        );
        assert!(
            read(".dvc/config.local").contains(local),
            "{}",
            read(".dvc/config.local")
        );
    }
    assert_eq!(
        call(&api, "data_status", json!({"project": demo}))["remote"]["user"],
        "me"
    );
    assert!(
        !read(".dvc/config").contains("app-token"),
        "no password in the shared config"
    );

    // Bad input is refused, naming what to do; nothing is written.
    let config = read(".dvc/config");
    for (args, says) in [
        (
            json!({"project": demo, "name": "x", "url": "  "}),
            "location",
        ),
        (
            json!({"project": demo, "name": "a\"b", "url": "/tmp/x"}),
            "cannot name a remote",
        ),
    ] {
        let err = dispatch(&api, "set_remote", args).unwrap_err();
        assert!(err.message.contains(says), "{err:?}");
    }
    assert_eq!(read(".dvc/config"), config);
}
