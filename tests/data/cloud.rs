//! The round trip every remote kind passes against dvc (S3, Azure, Google Cloud Storage,
//! SSH): dvc pushes and cairn pulls; cairn pushes to an empty store exactly the objects
//! dvc pushed, byte for byte, and neither tool then finds anything left to push; dvc
//! pulls what cairn pushed; a damaged object is refused and never cached.

use std::collections::BTreeSet;
use std::process::Output;

use crate::support::*;

/// One remote kind's test server, as the round trip uses it.
pub(crate) trait Cloud {
    /// Points `r`'s default remote `store` at `location` (`by-dvc` or `by-cairn`), with
    /// this machine's credentials.
    fn use_remote(&self, r: &TestRepo, location: &str);
    /// This machine's credentials in a fresh clone (`config.local` is not cloned).
    fn credentials(&self, r: &TestRepo);
    /// The objects under the store at `location` (`files/md5/…`), each with the md5 of
    /// the bytes stored.
    fn objects(&self, location: &str) -> BTreeSet<(String, String)>;
    /// Overwrites the object `rel` (`files/md5/…`) at `location` with other bytes.
    fn tamper(&self, location: &str, rel: &str);
    /// `cairn args…` in `r`, with the environment this remote kind needs.
    fn cairn(&self, r: &TestRepo, args: &[&str]) -> Output {
        r.command(cairn_bin()).args(args).output().unwrap()
    }
}

const DATA: [&str; 3] = ["data/a.txt", "data/sub/b.txt", "model.bin"];

/// model.bin's object.
const MODEL: &str = "files/md5/52/89df737df57326fcdd22597afb1fac";

/// `name md5` lines (what the servers' listing scripts print) as pairs.
pub(crate) fn names_and_md5s(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, h)| (n.to_string(), h.to_string()))
        .collect()
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A clone of `r` with this machine's credentials.
pub(crate) fn clone_with(cloud: &dyn Cloud, r: &TestRepo) -> TestRepo {
    let k = crate::remote::clone_of(r);
    cloud.credentials(&k);
    k
}

fn restored(c: &mut Checks, from: &TestRepo, to: &TestRepo, step: &str) {
    for f in DATA {
        c.check(to.join(f).is_file() && to.read(f) == from.read(f), || {
            format!("{step}: {f} is restored")
        });
    }
    for tool in [Tool::Dvc, Tool::Cairn] {
        let v = tool.ok(to, ["status", "--json"]).json().unwrap_or_default();
        c.check(v == serde_json::json!({}), || {
            format!("{step}: `{tool} status --json` is clean: {v}")
        });
    }
}

/// Runs the round trip; returns the project, committed, its remote at `by-cairn`.
pub(crate) fn round_trip(c: &mut Checks, cloud: &dyn Cloud) -> TestRepo {
    let r = crate::remote::tracked_data();
    cloud.use_remote(&r, "by-dvc");
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r.dvc_ok(["push", "-q"]);
    let by_dvc = cloud.objects("by-dvc");
    c.check(by_dvc.len() == 4, || {
        format!("dvc pushed a manifest, two files and model.bin: {by_dvc:?}")
    });

    // A fresh clone pulls with cairn what dvc pushed.
    let k = clone_with(cloud, &r);
    let pulled = cloud.cairn(&k, &["pull"]);
    c.check(
        pulled.status.success()
            && String::from_utf8_lossy(&pulled.stdout).contains("fetched from `store`"),
        || format!("cairn pull says what it fetched: {}", text(&pulled)),
    );
    restored(c, &r, &k, "cairn pull after dvc push");

    // Cairn pushes to an empty store exactly the objects dvc pushed, byte for byte.
    cloud.use_remote(&r, "by-cairn");
    let pushed = cloud.cairn(&r, &["push"]);
    c.check(
        pushed.status.success()
            && String::from_utf8_lossy(&pushed.stdout).contains("4 files pushed"),
        || format!("cairn push counts four objects: {}", text(&pushed)),
    );
    let by_cairn = cloud.objects("by-cairn");
    c.check(by_cairn == by_dvc, || {
        format!("same objects, same bytes, nothing else:\n  dvc   {by_dvc:?}\n  cairn {by_cairn:?}")
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );
    let again = cloud.cairn(&r, &["push"]);
    c.check(
        String::from_utf8_lossy(&again.stdout).contains("Everything is up to date"),
        || format!("a second cairn push has nothing to do: {}", text(&again)),
    );

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "by-cairn"]);
    let k2 = clone_with(cloud, &r);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(c, &r, &k2, "dvc pull after cairn push");

    // A damaged object is refused, and nothing enters the cache under its name.
    c.check(by_cairn.iter().any(|(n, _)| n == MODEL), || {
        format!("model.bin's object: {by_cairn:?}")
    });
    cloud.tamper("by-cairn", MODEL);
    let k3 = clone_with(cloud, &r);
    let bad = cloud.cairn(&k3, &["pull"]);
    c.check(
        !bad.status.success()
            && String::from_utf8_lossy(&bad.stderr).contains("does not match its name"),
        || format!("a damaged remote object is named: {}", text(&bad)),
    );
    c.check(!k3.join(".dvc/cache").join(MODEL).exists(), || {
        "the damaged object is not cached".into()
    });
    r
}
