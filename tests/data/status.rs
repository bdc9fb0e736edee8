//! `status --json` after a sequence of changes, both tools on the same repo.

use crate::support::*;

/// Compare `dvc status --json` and `cairn status --json` in `repo`.
fn same_status(c: &mut Checks, repo: &TestRepo, step: &str) -> Option<serde_json::Value> {
    let d = Tool::Dvc.run(repo, ["status", "--json"]);
    let k = Tool::Cairn.run(repo, ["status", "--json"]);
    c.same_json(step, &d, &k)
}

fn setup(tool: Tool) -> TestRepo {
    let r = TestRepo::new();
    r.write("data/a.txt", "a\n");
    r.write("data/sub/b.txt", "b\n");
    r.write("data/c.bin", [0u8, 1, 2, 3]);
    r.write("f.txt", "f\n");
    r.write("g.txt", "g\n");
    r.write("h/i.txt", "i\n");
    init(tool, &r);
    add(tool, &r, &["data", "f.txt", "g.txt", "h/i.txt"]);
    r
}

fn object_path(md5: &str) -> String {
    format!(".dvc/cache/files/md5/{}/{}", &md5[..2], &md5[2..])
}

fn sequence(tool: Tool) {
    let r = setup(tool);
    let mut c = Checks::new(format!("status sequence ({tool}-added repo)"));
    same_status(&mut c, &r, "clean");

    r.write("data/new.txt", "new\n");
    same_status(&mut c, &r, "new file in tracked dir");
    r.remove("data/new.txt");

    r.write("data/sub/b.txt", "B\n"); // same size
    same_status(&mut c, &r, "file in dir modified, same size");
    r.write("data/sub/b.txt", "b\n");
    same_status(&mut c, &r, "file in dir modified back");

    r.remove("data");
    same_status(&mut c, &r, "tracked dir deleted");
    r.write("data", "now a file\n");
    same_status(&mut c, &r, "tracked dir replaced by a file");
    r.remove("data");
    Tool::Dvc.ok(&r, ["checkout", "data"]);

    r.write("f.txt", "ff\n");
    r.remove("g.txt");
    r.write("h/i.txt", "I\n");
    same_status(
        &mut c,
        &r,
        "file modified, file deleted, nested file modified",
    );
    Tool::Dvc.ok(&r, ["checkout", "--force"]);
    same_status(&mut c, &r, "after dvc checkout --force");

    // A member object of the directory gone (md5 of "a\n").
    r.remove(object_path("60b725f10c9c85c70d97880dfe8191b3"));
    same_status(&mut c, &r, "cache object of data/a.txt missing");

    // Cache object of f.txt gone, workspace intact; then the file too.
    let f_md5 = md5_of(&r, "f.txt.dvc");
    r.remove(object_path(&f_md5));
    same_status(&mut c, &r, "cache object of f.txt missing");
    r.remove("f.txt");
    same_status(
        &mut c,
        &r,
        "cache object and workspace file of f.txt missing",
    );
    c.finish();
}

/// The `md5:` of the first out in a `.dvc` file.
fn md5_of(r: &TestRepo, dvcfile: &str) -> String {
    let text = String::from_utf8(r.read(dvcfile)).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("- md5: "))
        .unwrap_or_else(|| panic!("no md5 in {dvcfile}: {text}"))
        .to_owned()
}

#[test]
fn sequence_in_dvc_added_repo() {
    sequence(Tool::Dvc);
}

#[test]
fn sequence_in_cairn_added_repo() {
    sequence(Tool::Cairn);
}

/// The contract promises that `status --json` prints what dvc prints, not
/// just an equal JSON value: Python's `json.dumps` formatting (`", "` and
/// `": "` separators, `ensure_ascii` escapes) and a final newline. The order
/// of the top-level keys is not compared (dvc's follows its internal index
/// walk).
#[test]
fn status_json_text_is_python_formatted() {
    let r = TestRepo::new();
    r.write("données/a.txt", "a\n");
    r.write("f.txt", "f\n");
    init(Tool::Dvc, &r);
    add(Tool::Dvc, &r, &["données", "f.txt"]);
    r.write("données/a.txt", "A\n");
    r.remove("f.txt");
    let d = Tool::Dvc.ok(&r, ["status", "--json"]);
    let k = Tool::Cairn.run(&r, ["status", "--json"]);
    let mut c = Checks::new("status --json text");
    c.same_json("status", &d, &k);
    // Sanity: dvc's own output is what py_json_dumps produces.
    let dt = d.stdout();
    c.check(
        d.json().map(|v| py_json_dumps(&v) + "\n") == Ok(dt.clone()),
        || format!("py_json_dumps does not reproduce dvc's {dt:?}"),
    );
    if let Ok(v) = k.json() {
        let (want, got) = (py_json_dumps(&v) + "\n", k.stdout());
        c.check(want == got, || {
            format!("cairn's stdout is not Python-formatted\n  dvc printed:  {dt:?}\n  cairn printed: {got:?}\n  expected:      {want:?}")
        });
    }
    let clean = TestRepo::new();
    init(Tool::Dvc, &clean);
    let d = Tool::Dvc.ok(&clean, ["status", "--json"]);
    let k = Tool::Cairn.run(&clean, ["status", "--json"]);
    c.check(d.stdout() == k.stdout(), || {
        format!("clean: dvc {:?}, cairn {:?}", d.stdout(), k.stdout())
    });
    c.finish();
}

/// Sets the mtime of `rel` to `secs_ago` seconds in the past (old enough that both
/// tools remember hashes and Cairn remembers whole directory listings).
fn age(r: &TestRepo, rel: &str, secs_ago: u64) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
    filetime::set_file_mtime(r.join(rel), filetime::FileTime::from_system_time(t)).unwrap();
}

/// With old mtimes Cairn answers a directory's status from the listing it remembered
/// (every file's path, inode, mtime and size) and the cache check from remembered shard
/// stamps. Each change below must still be seen, exactly as dvc sees it.
fn remembered_listings(tool: Tool) {
    let r = TestRepo::new();
    let files = ["data/a.txt", "data/sub/b.txt", "data/c.txt"];
    for f in files {
        r.write(f, format!("{f}\n"));
        age(&r, f, 3600);
    }
    init(tool, &r);
    add(tool, &r, &["data"]);
    let mut c = Checks::new(format!(
        "status from remembered listings ({tool}-added repo)"
    ));
    same_status(&mut c, &r, "clean");
    same_status(&mut c, &r, "clean again (answered from the listing)");

    r.write("data/sub/b.txt", "data/sub/B.txt\n"); // same size
    age(&r, "data/sub/b.txt", 1800);
    same_status(&mut c, &r, "same-size edit with an old mtime");
    r.write("data/sub/b.txt", "data/sub/b.txt\n");
    age(&r, "data/sub/b.txt", 1200);
    same_status(&mut c, &r, "edited back");
    same_status(&mut c, &r, "edited back, answered from the new listing");

    // Same inode, mtime and size, another name: only the listing's paths differ.
    std::fs::rename(r.join("data/c.txt"), r.join("data/d.txt")).unwrap();
    same_status(&mut c, &r, "file renamed inside the directory");
    std::fs::rename(r.join("data/d.txt"), r.join("data/c.txt")).unwrap();
    same_status(&mut c, &r, "renamed back");

    // A member object deleted after the cache check was remembered (md5 of data/a.txt).
    r.remove(object_path("f281f7a30e0b0202afadf032657275e0"));
    same_status(&mut c, &r, "member object deleted");
    Tool::Cairn.ok(&r, ["add", "data"]);
    same_status(&mut c, &r, "object stored again");
    c.finish();
}

#[test]
fn remembered_listings_in_dvc_added_repo() {
    remembered_listings(Tool::Dvc);
}

#[test]
fn remembered_listings_in_cairn_added_repo() {
    remembered_listings(Tool::Cairn);
}
