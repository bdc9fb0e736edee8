//! S3 remotes, against a local S3 server (moto, installed with dvc by
//! `scripts/ensure-dvc.sh`) and dvc's own S3 plugin: what one tool pushes, the other
//! pulls, and both write the same keys.

use std::collections::BTreeSet;
use std::process::Command;

use crate::cloud::{Cloud, names_and_md5s, round_trip};
use crate::support::*;

/// A moto S3 server on a free loopback port, stopped when dropped.
struct S3Server {
    _service: Service,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let port = free_port();
        let mut cmd = Command::new(venv_bin("moto_server"));
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        S3Server {
            _service: Service::start(cmd, port, "moto_server"),
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Runs `code` in the venv's Python with `s3`, a boto3 client of this server.
    fn python(&self, code: &str) -> String {
        let prelude = format!(
            "import boto3\ns3 = boto3.client('s3', endpoint_url='{}', aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1')",
            self.endpoint
        );
        venv_python(&prelude, code)
    }

    fn create_bucket(&self, name: &str) {
        self.python(&format!("s3.create_bucket(Bucket='{name}')"));
    }
}

/// The keys in `config.local`, as a team would keep them (out of git).
fn credentials(r: &TestRepo) {
    for (key, value) in [
        ("access_key_id", "testing"),
        ("secret_access_key", "testing"),
    ] {
        r.dvc_ok(["remote", "modify", "--local", "store", key, value]);
    }
}

/// Buckets `by-dvc` and `by-cairn`, the store under `team/store` in each.
impl Cloud for S3Server {
    fn use_remote(&self, r: &TestRepo, location: &str) {
        r.dvc_ok([
            "remote",
            "add",
            "-f",
            "-d",
            "store",
            &format!("s3://{location}/team/store"),
        ]);
        r.dvc_ok(["remote", "modify", "store", "endpointurl", &self.endpoint]);
        credentials(r);
    }

    fn credentials(&self, r: &TestRepo) {
        credentials(r);
    }

    fn objects(&self, location: &str) -> BTreeSet<(String, String)> {
        names_and_md5s(&self.python(&format!(
            "import hashlib\nfor page in s3.get_paginator('list_objects_v2').paginate(Bucket='{location}'):\n    for o in page.get('Contents', []): print(o['Key'].removeprefix('team/store/'), hashlib.md5(s3.get_object(Bucket='{location}', Key=o['Key'])['Body'].read()).hexdigest())"
        )))
    }

    fn tamper(&self, location: &str, rel: &str) {
        self.python(&format!(
            "s3.put_object(Bucket='{location}', Key='team/store/{rel}', Body=b'tampered')"
        ));
    }
}

#[test]
fn s3_remote_push_and_pull_agree_with_dvc() {
    let mut c = Checks::new("push/pull with an S3 remote");
    let server = S3Server::start();
    server.create_bucket("by-dvc");
    server.create_bucket("by-cairn");
    let r = round_trip(&mut c, &server);

    // Missing credentials are named with what to do.
    let k = crate::remote::clone_of(&r);
    let no_keys = k
        .command(cairn_bin())
        .arg("pull")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env("HOME", k.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&no_keys.stderr);
    c.check(
        !no_keys.status.success()
            && stderr.contains("no credentials")
            && stderr.contains("access_key_id"),
        || format!("missing credentials are named: {stderr}"),
    );
    c.finish();
}
