//! Folder remotes: what one tool pushes, the other pulls, and both push the same
//! objects in the same layout.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::*;

/// A committed repo with tracked data (a folder and a file), a pipeline whose cached
/// output is in `dvc.lock` and another output is not cached, and a default folder remote.
pub(crate) fn project(store: &Path) -> TestRepo {
    let r = tracked_data();
    r.write(
        "dvc.yaml",
        "stages:\n  copy:\n    cmd: cp model.bin out.bin\n    deps:\n    - model.bin\n    outs:\n    - out.bin\n  plain:\n    cmd: cp model.bin plain.bin\n    deps:\n    - model.bin\n    outs:\n    - plain.bin:\n        cache: false\n",
    );
    r.dvc_ok(["repro", "-q"]);
    r.dvc_ok(["remote", "add", "-d", "store", &store.display().to_string()]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    r
}

/// A dvc repo tracking a folder (`data/`, a nested file) and a file (`model.bin`).
pub(crate) fn tracked_data() -> TestRepo {
    let r = TestRepo::new();
    r.write("data/a.txt", "a\n");
    r.write("data/sub/b.txt", "b\n");
    r.write("model.bin", [1u8, 2, 3]);
    r.dvc_ok(["init", "-q"]);
    r.dvc_ok(["add", "-q", "data", "model.bin"]);
    r
}

pub(crate) fn clone_of(r: &TestRepo) -> TestRepo {
    let k = TestRepo::empty();
    k.git_ok(["clone", "-q", &r.path().display().to_string(), "."]);
    k
}

/// Object files under a remote, relative to it.
pub(crate) fn objects(store: &Path) -> BTreeSet<String> {
    walk(store, store)
}

fn walk(base: &Path, dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(base, &p));
        } else {
            out.insert(p.strip_prefix(base).unwrap().display().to_string());
        }
    }
    out
}

const DATA: [&str; 4] = ["data/a.txt", "data/sub/b.txt", "model.bin", "out.bin"];

pub(crate) fn restored(c: &mut Checks, from: &TestRepo, to: &TestRepo, step: &str) {
    for f in DATA {
        c.check(to.join(f).is_file() && to.read(f) == from.read(f), || {
            format!("{step}: {f} is restored")
        });
    }
    for tool in [Tool::Dvc, Tool::Cairn] {
        let s = tool.ok(to, ["status", "--json"]);
        let v = s.json().unwrap_or_default();
        c.check(v == serde_json::json!({}), || {
            format!("{step}: `{tool} status --json` is clean: {v}")
        });
    }
}

#[test]
fn dvc_push_then_cairn_pull_and_the_reverse() {
    let mut c = Checks::new("push/pull with a folder remote");
    let store = tempfile::tempdir().unwrap();
    let r = project(store.path());
    r.dvc_ok(["push", "-q"]);
    let pushed_by_dvc = objects(store.path());
    // A manifest, the folder's two files, and model.bin (out.bin is the same bytes).
    c.check(pushed_by_dvc.len() == 4, || {
        format!("dvc pushed four objects: {pushed_by_dvc:?}")
    });

    let k = clone_of(&r);
    c.check(!k.join("model.bin").exists(), || {
        "a fresh clone has no data".into()
    });
    let pulled = Tool::Cairn.ok(&k, ["pull"]);
    c.check(pulled.stdout().contains("fetched from `store`"), || {
        format!("cairn pull says what it fetched: {pulled}")
    });
    restored(&mut c, &r, &k, "cairn pull after dvc push");
    let again = Tool::Cairn.ok(&k, ["pull"]);
    c.check(again.stdout().contains("Everything is up to date"), || {
        format!("a second pull has nothing to do: {again}")
    });

    // Cairn pushes to an empty store exactly the objects dvc pushed.
    let store2 = tempfile::tempdir().unwrap();
    r.dvc_ok([
        "remote",
        "add",
        "-f",
        "-d",
        "store",
        &store2.path().display().to_string(),
    ]);
    Tool::Cairn.ok(&r, ["push"]);
    let pushed_by_cairn = objects(store2.path());
    c.check(pushed_by_cairn == pushed_by_dvc, || {
        format!(
            "same objects, same layout:\n  dvc   {pushed_by_dvc:?}\n  cairn {pushed_by_cairn:?}"
        )
    });
    let nothing = Tool::Dvc.ok(&r, ["push"]);
    c.check(
        nothing.stdout().contains("Everything is up to date"),
        || format!("dvc finds nothing left to push after cairn's push: {nothing}"),
    );

    // A relative remote path is relative to .dvc/, as dvc writes and reads it.
    let rel_store = r.path().parent().unwrap().join(format!(
        "{}-store",
        r.path().file_name().unwrap().to_string_lossy()
    ));
    r.dvc_ok([
        "remote",
        "add",
        "-f",
        "-d",
        "rel",
        &format!("../{}", rel_store.file_name().unwrap().to_string_lossy()),
    ]);
    let config = String::from_utf8(r.read(".dvc/config")).unwrap();
    Tool::Cairn.ok(&r, ["push", "-r", "rel"]);
    let where_cairn_pushed = objects(
        &r.join(".dvc").join(
            config
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("url = "))
                .unwrap(),
        ),
    );
    c.check(where_cairn_pushed == pushed_by_dvc, || {
        format!("cairn reads a relative url as dvc wrote it:\n{config}\n{where_cairn_pushed:?}")
    });
    let up_to_date = Tool::Dvc.ok(&r, ["push", "-r", "rel"]);
    c.check(
        up_to_date.stdout().contains("Everything is up to date"),
        || format!("dvc finds cairn's push where it looks: {up_to_date}"),
    );
    let _ = std::fs::remove_dir_all(&rel_store);
    r.dvc_ok(["remote", "default", "store"]);

    // dvc pulls what cairn pushed.
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "store2"]);
    let k2 = clone_of(&r);
    Tool::Dvc.ok(&k2, ["pull", "-q"]);
    restored(&mut c, &r, &k2, "dvc pull after cairn push");
    c.finish();
}

#[test]
fn cloud_remotes_and_missing_data_are_named() {
    let mut c = Checks::new("remote errors");
    let store = tempfile::tempdir().unwrap();
    let r = project(store.path());
    // Nothing pushed yet: a clone cannot pull, and says which paths are missing.
    let k = clone_of(&r);
    let pull = Tool::Cairn.run(&k, ["pull"]);
    c.check(!pull.success(), || format!("pull fails: {pull}"));
    c.check(
        pull.stderr().contains("model.bin: not on the remote"),
        || format!("names what is missing: {pull}"),
    );
    // A cache object edited in place is not spread to the remote.
    let object = ".dvc/cache/files/md5/52/89df737df57326fcdd22597afb1fac"; // model.bin
    let mut perms = std::fs::metadata(r.join(object)).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(r.join(object), perms).unwrap();
    r.write(object, "tampered");
    let push = Tool::Cairn.run(&r, ["push"]);
    c.check(
        !push.success() && push.stderr().contains("cairn fsck"),
        || format!("a damaged cache object stops the push: {push}"),
    );
    c.check(
        !store
            .path()
            .join("files/md5/52/89df737df57326fcdd22597afb1fac")
            .exists(),
        || "nothing is written under the damaged object's name".into(),
    );
    // A kind Cairn does not speak (Alibaba's OSS) points at dvc.
    r.dvc_ok(["remote", "add", "-f", "-d", "store", "oss://bucket/path"]);
    let push = Tool::Cairn.run(&r, ["push"]);
    c.check(!push.success(), || format!("push to oss fails: {push}"));
    c.check(push.stderr().contains("use `dvc push`/`dvc pull`"), || {
        format!("points at dvc for other remote kinds: {push}")
    });
    c.finish();
}

#[test]
fn remote_setup_writes_what_dvc_writes() {
    let mut c = Checks::new("remote add/modify/default/remove");
    let repos: Vec<TestRepo> = [Tool::Dvc, Tool::Cairn]
        .iter()
        .map(|_| {
            let r = TestRepo::new();
            r.dvc_ok(["init", "-q"]);
            r
        })
        .collect();
    let steps: [&[&str]; 8] = [
        &["remote", "add", "-d", "store", "../store"],
        &["remote", "add", "s3r", "s3://bucket/team"],
        &[
            "remote",
            "modify",
            "s3r",
            "endpointurl",
            "http://127.0.0.1:9000",
        ],
        &["remote", "modify", "--local", "s3r", "access_key_id", "AK"],
        &["remote", "modify", "s3r", "region", "eu-west-1"],
        &["remote", "modify", "s3r", "--unset", "region"],
        &["remote", "default", "s3r"],
        &["remote", "remove", "store"],
    ];
    for step in steps {
        for (tool, r) in [Tool::Dvc, Tool::Cairn].iter().zip(&repos) {
            tool.ok(r, step);
        }
        for file in [".dvc/config", ".dvc/config.local"] {
            let read = |r: &TestRepo| std::fs::read_to_string(r.join(file)).unwrap_or_default();
            let (d, k) = (read(&repos[0]), read(&repos[1]));
            c.check(d == k, || {
                format!(
                    "after `{}`, {file}:\n--- dvc\n{d}--- cairn\n{k}",
                    step.join(" ")
                )
            });
        }
    }
    // Each reads what the other wrote.
    let listed = Tool::Dvc.ok(&repos[1], ["remote", "list"]).stdout();
    c.check(
        listed.starts_with("s3r") && listed.contains("s3://bucket/team"),
        || format!("dvc lists cairn's remote: {listed}"),
    );
    let refused = Tool::Cairn.run(&repos[1], ["remote", "add", "s3r", "/elsewhere"]);
    c.check(
        !refused.success() && refused.stderr().contains("already exists"),
        || format!("an existing name is refused without -f: {refused}"),
    );
    c.finish();
}

/// `status --cloud` (JSON, text, `-q`'s exit code, `-r`) as dvc tells it, as the cache
/// and the remote drift apart: nothing pushed, some pushed, all pushed, an object gone
/// from the cache, then from both. dvc orders its entries as its sets fall, so text
/// lines are compared sorted.
#[test]
fn cloud_status_agrees_with_dvc() {
    let store = tempfile::tempdir().unwrap();
    // tracked_data() and a stage whose cached output has content of its own (dvc names
    // content recorded twice by whichever path its directory walk meets first).
    let r = tracked_data();
    r.write(
        "dvc.yaml",
        "stages:\n  make:\n    cmd: echo made > out.bin\n    outs:\n    - out.bin\n",
    );
    r.dvc_ok(["repro", "-q"]);
    r.dvc_ok([
        "remote",
        "add",
        "-d",
        "store",
        &store.path().display().to_string(),
    ]);
    r.git_ok(["add", "-A"]);
    r.git_ok(["commit", "-qm", "v1"]);
    let mut c = Checks::new("status --cloud");
    let same = |c: &mut Checks, step: &str| {
        let (d, k) = (
            Tool::Dvc.run(&r, ["status", "-c", "--json"]),
            Tool::Cairn.run(&r, ["status", "-c", "--json"]),
        );
        c.same_json(&format!("{step}: status -c --json"), &d, &k);
        for args in [
            &["status", "-c"][..],
            &["status", "-r", "store"],
            &["status", "-c", "-q"],
        ] {
            let (d, k) = (Tool::Dvc.run(&r, args), Tool::Cairn.run(&r, args));
            let lines = |s: String| {
                let mut v: Vec<String> = s.lines().map(str::to_string).collect();
                v.sort();
                v
            };
            c.check(
                lines(d.stdout()) == lines(k.stdout()) && d.success() == k.success(),
                || format!("{step}: `{}` differs\n{d}\n{k}", args.join(" ")),
            );
        }
        d.json().unwrap_or_default()
    };
    let v = same(&mut c, "nothing pushed");
    // data's listing, its two files, model.bin and the pipeline's out.bin.
    c.check(v.as_object().is_some_and(|m| m.len() == 5), || {
        format!("all new: {v}")
    });
    r.dvc_ok(["push", "-q", "data.dvc"]);
    same(&mut c, "the folder pushed");
    r.dvc_ok(["push", "-q"]);
    let v = same(&mut c, "all pushed");
    c.check(v == serde_json::json!({}), || format!("in sync: {v}"));
    let a = "60b725f10c9c85c70d97880dfe8191b3"; // md5 of "a\n"
    r.remove(format!(".dvc/cache/files/md5/{}/{}", &a[..2], &a[2..]));
    let v = same(&mut c, "an object gone from the cache");
    c.check(v == serde_json::json!({"data/a.txt": "deleted"}), || {
        format!("deleted: {v}")
    });
    // model.bin's object from both. (Not a folder's file: dvc takes a folder whose
    // listing it once found on the remote as whole there, and would still say deleted.)
    let m = "5289df737df57326fcdd22597afb1fac"; // md5 of [1, 2, 3]
    r.remove(format!(".dvc/cache/files/md5/{}/{}", &m[..2], &m[2..]));
    std::fs::remove_file(store.path().join("files/md5").join(&m[..2]).join(&m[2..])).unwrap();
    let v = same(&mut c, "an object gone from both");
    c.check(
        v == serde_json::json!({"data/a.txt": "deleted", "model.bin": "missing"}),
        || format!("missing: {v}"),
    );
    c.finish();
}
