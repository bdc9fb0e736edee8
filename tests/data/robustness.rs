//! Behaviour that goes beyond matching DVC's output: legacy (DVC 2) data, link types
//! and in-place corruption, the shared repository lock, and refusing bad input without
//! writing anything.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use crate::support::*;

fn md5_hex(data: &[u8]) -> String {
    let out = std::process::Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut out = out;
    out.stdin.take().unwrap().write_all(data).unwrap();
    let o = out.wait_with_output().unwrap();
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn legacy_dvc2_entries_read_clean_in_both_tools_and_check_out() {
    // A DVC 2 layout made by hand: no `hash: md5`, md5-dos2unix names, objects at
    // .dvc/cache/<xx>/<rest>.
    let repo = TestRepo::new();
    init(Tool::Dvc, &repo);
    let crlf = b"a,b\r\n1,2\r\n";
    let legacy_md5 = md5_hex(b"a,b\n1,2\n");
    repo.write("crlf.csv", crlf);
    repo.write(
        "crlf.csv.dvc",
        format!("outs:\n- md5: {legacy_md5}\n  size: 10\n  path: crlf.csv\n"),
    );
    let obj = format!(".dvc/cache/{}/{}", &legacy_md5[..2], &legacy_md5[2..]);
    repo.write(&obj, crlf);
    fs::set_permissions(repo.join(&obj), fs::Permissions::from_mode(0o444)).unwrap();
    let mut c = Checks::new("legacy");
    c.json_is(&Tool::Dvc.ok(&repo, ["status", "--json"]), &json("{}"));
    c.json_is(&Tool::Cairn.ok(&repo, ["status", "--json"]), &json("{}"));
    repo.remove("crlf.csv");
    let st = Tool::Cairn.ok(&repo, ["status", "--json"]);
    c.json_is(
        &st,
        &json(r#"{"crlf.csv.dvc": [{"changed outs": {"crlf.csv": "deleted"}}]}"#),
    );
    Tool::Cairn.ok(&repo, ["checkout"]);
    c.check(repo.read("crlf.csv") == crlf, || {
        "checkout from the legacy cache restored other bytes".into()
    });
    c.json_is(&Tool::Dvc.ok(&repo, ["status", "--json"]), &json("{}"));
    c.finish();
}

#[test]
fn hardlink_cache_makes_workspace_read_only_and_fsck_catches_in_place_edits() {
    let repo = TestRepo::new();
    init(Tool::Cairn, &repo);
    repo.write(".dvc/config", "[cache]\n    type = hardlink\n");
    repo.write("data/a.txt", "one\n");
    repo.write("data/b.txt", "two\n");
    Tool::Cairn.ok(&repo, ["add", "data"]);
    let meta = fs::metadata(repo.join("data/a.txt")).unwrap();
    assert_eq!(
        meta.nlink(),
        2,
        "workspace file should be a hardlink to the cache object"
    );
    assert_eq!(meta.permissions().mode() & 0o777, 0o444, "and read-only");
    // Root ignores the read-only bit: an in-place edit reaches the cache object.
    fs::OpenOptions::new()
        .append(true)
        .open(repo.join("data/a.txt"))
        .unwrap()
        .write_all_ext(b"corrupt\n");
    let run = Tool::Cairn.run(&repo, ["fsck", "--json"]);
    assert!(!run.success(), "fsck must fail when it finds corruption");
    let report = json(&run.stdout());
    assert_eq!(report["corrupt"].as_array().unwrap().len(), 1, "{report}");
    // The corrupt object is out of the cache: both tools now say so.
    let st = json(&repo.dvc_ok(["status", "--json"]));
    assert_eq!(
        st["data.dvc"][0]["changed outs"]["data"], "not in cache",
        "{st}"
    );
    assert_eq!(json(&repo.cairn_ok(["status", "--json"])), st);
}

trait WriteAllExt {
    fn write_all_ext(self, data: &[u8]);
}

impl WriteAllExt for fs::File {
    fn write_all_ext(mut self, data: &[u8]) {
        use std::io::Write;
        self.write_all(data).unwrap();
    }
}

#[test]
fn symlink_cache_links_to_absolute_cache_paths() {
    let repo = TestRepo::new();
    init(Tool::Cairn, &repo);
    repo.write(".dvc/config", "[cache]\n    type = symlink\n");
    repo.write("f.txt", "hello\n");
    Tool::Cairn.ok(&repo, ["add", "f.txt"]);
    let target = fs::read_link(repo.join("f.txt")).expect("f.txt should be a symlink");
    assert!(
        target.is_absolute() && target.ends_with("files/md5/b1/946ac92492d2347c6235b4d2611184"),
        "{}",
        target.display()
    );
    assert_eq!(json(&repo.dvc_ok(["status", "--json"])), json("{}"));
}

#[test]
fn a_second_writer_is_refused_while_the_repository_lock_is_held() {
    let repo = TestRepo::new();
    init(Tool::Cairn, &repo);
    repo.write("f.txt", "x\n");
    // Hold DVC's lock the way DVC does (flock on .dvc/tmp/lock) from another process.
    let mut holder = repo
        .command("python3")
        .args(["-c", "import fcntl,sys,time; f=open('.dvc/tmp/lock','a+'); fcntl.flock(f, fcntl.LOCK_EX|fcntl.LOCK_NB); f.write(' 4242\\n'); f.flush(); print('held', flush=True); time.sleep(30)"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "held");
    let run = Tool::Cairn.run(&repo, ["add", "f.txt"]);
    holder.kill().unwrap();
    let _ = holder.wait();
    assert!(!run.success());
    let err = String::from_utf8_lossy(&run.output.stderr);
    assert!(err.contains("locked by PID 4242"), "{err}");
    assert!(
        !repo.join("f.txt.dvc").exists(),
        "nothing may be written while locked"
    );
}

#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let repo = TestRepo::new();
    init(Tool::Cairn, &repo);
    repo.write("ok.txt", "fine\n");
    let before = repo.read_tree();
    for (target, needle) in [
        ("../outside.txt", "outside the repository"),
        ("/etc/hostname", "outside the repository"),
        (".dvc/config", ".dvc"),
        (".git/HEAD", ".git"),
        ("missing.txt", "does not exist"),
    ] {
        let run = Tool::Cairn.run(&repo, ["add", target]);
        assert!(!run.success(), "add {target} must fail");
        let err = String::from_utf8_lossy(&run.output.stderr);
        assert!(
            err.contains(needle)
                && err.contains(target.trim_start_matches("../").trim_start_matches('/')),
            "add {target}: {err}"
        );
    }
    // Checkout targets are held to the same rule (they used to be silently ignored).
    for (target, needle) in [
        ("../outside.txt", "outside the repository"),
        (".git/HEAD", ".git"),
    ] {
        let run = Tool::Cairn.run(&repo, ["checkout", target]);
        let err = String::from_utf8_lossy(&run.output.stderr);
        assert!(
            !run.success() && err.contains(needle),
            "checkout {target}: {err}"
        );
    }
    // Only DVC's internal scratch dir (.dvc/tmp: the lock file, the state table) may change.
    let changed =
        repo.read_tree()
            .without(".dvc/tmp")
            .diff(&before.without(".dvc/tmp"), "after", "before");
    assert!(
        changed.is_empty(),
        "refused adds wrote something: {changed:?}"
    );
    // A malformed pointer is named with file, line and column; other pointers still work.
    repo.write("broken.txt.dvc", "outs:\n- md5: abc\n  size: [1,\n");
    let run = Tool::Cairn.run(&repo, ["status"]);
    let err = String::from_utf8_lossy(&run.output.stderr);
    assert!(!run.success() && err.contains("broken.txt.dvc:"), "{err}");
    // A missing cache object on checkout names the path and says to pull.
    Tool::Cairn.ok(&repo, ["add", "ok.txt"]);
    repo.remove("broken.txt.dvc");
    let obj = repo.join(".dvc/cache/files/md5");
    make_writable_and_remove(&obj);
    repo.remove("ok.txt");
    let run = Tool::Cairn.run(&repo, ["checkout"]);
    let err = String::from_utf8_lossy(&run.output.stderr);
    assert!(
        !run.success() && err.contains("ok.txt") && err.contains("pull"),
        "{err}"
    );
}

fn make_writable_and_remove(dir: &std::path::Path) {
    for e in walk(dir) {
        let _ = fs::set_permissions(&e, fs::Permissions::from_mode(0o755));
    }
    fs::remove_dir_all(dir).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[test]
fn cache_dir_from_config_local_is_used_by_both_tools() {
    let mut c = Checks::new("cache.dir");
    let (a, b) = (TestRepo::new(), TestRepo::new());
    for (repo, tool) in [(&a, Tool::Dvc), (&b, Tool::Cairn)] {
        init(tool, repo);
        // Relative to .dvc/, as DVC resolves it.
        repo.write(
            ".dvc/config.local",
            "[cache]\n    dir = ../elsewhere/cache\n",
        );
        repo.write("data/x.txt", "x\n");
        tool.ok(repo, ["add", "data"]);
    }
    let objects = |r: &TestRepo| Tree::read(&r.join("elsewhere/cache")).files();
    c.trees(
        "objects under the configured cache dir",
        ("dvc", &objects(&a)),
        ("cairn", &objects(&b)),
    );
    c.check(!b.join(".dvc/cache").exists(), || {
        "cairn wrote to the default cache dir".into()
    });
    c.json_is(&Tool::Dvc.ok(&b, ["status", "--json"]), &json("{}"));
    c.json_is(&Tool::Cairn.ok(&a, ["status", "--json"]), &json("{}"));
    c.finish();
}

/// Objects under their final names in `cache`, and whatever else is there (temp files,
/// staged shard directories).
fn cache_entries(cache: &std::path::Path) -> (Vec<(String, Vec<u8>)>, Vec<String>) {
    let (mut objects, mut other) = (Vec::new(), Vec::new());
    let base = cache.join("files/md5");
    for shard in fs::read_dir(&base).into_iter().flatten().flatten() {
        let name = shard.file_name().to_string_lossy().into_owned();
        let is_shard = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
        for obj in fs::read_dir(shard.path()).into_iter().flatten().flatten() {
            let rest = obj.file_name().to_string_lossy().into_owned();
            if is_shard && !rest.starts_with('.') {
                objects.push((format!("{name}{rest}"), fs::read(obj.path()).unwrap()));
            } else {
                other.push(format!("{name}/{rest}"));
            }
        }
        if !is_shard {
            other.push(name);
        }
    }
    (objects, other)
}

#[test]
fn a_killed_add_leaves_only_whole_objects_and_gc_clears_its_leftovers() {
    // The first add into an empty cache builds shard directories under temp names and
    // renames them into place: killing it at any moment must leave every object under
    // its final name complete, and nothing dvc would mistake for an object.
    for delay_ms in [5u64, 20, 45, 90, 200] {
        let repo = TestRepo::new();
        init(Tool::Cairn, &repo);
        for i in 0..3000 {
            repo.write(format!("data/f{i:04}.bin"), format!("{i}").repeat(2000 + i));
        }
        let mut child = repo
            .command(cairn_bin())
            .args(["add", "data"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let cache = repo.join(".dvc/cache");
        let (objects, _) = cache_entries(&cache);
        for (hash, bytes) in &objects {
            if !hash.ends_with(".dir") {
                assert_eq!(
                    &md5_hex(bytes),
                    hash,
                    "killed after {delay_ms} ms: half object"
                );
            }
        }
        // dvc sees a consistent cache whatever was left.
        repo.dvc_ok(["status", "--json"]);
        // Cairn finishes the job, and gc clears what the killed run left over.
        repo.cairn_ok(["add", "data"]);
        repo.cairn_ok(["gc", "--workspace", "--force"]);
        let (objects, other) = cache_entries(&cache);
        assert!(
            other.is_empty(),
            "killed after {delay_ms} ms, left: {other:?}"
        );
        assert_eq!(objects.len(), 3001, "every file plus the manifest");
        assert_eq!(json(&repo.dvc_ok(["status", "--json"])), json("{}"));
    }
}

#[test]
fn gc_removes_what_interrupted_writes_left_and_dvc_ignores_it() {
    let repo = TestRepo::new();
    init(Tool::Cairn, &repo);
    repo.write("data/a.txt", "a\n");
    repo.cairn_ok(["add", "data"]);
    let base = repo.join(".dvc/cache/files/md5");
    // A PID above the kernel's maximum is certainly not running.
    let dead: u64 = fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse::<u64>()
        .unwrap()
        + 1;
    let staged = base.join(format!(".ab.cairn-{dead}-3.tmp"));
    fs::create_dir(&staged).unwrap();
    fs::write(staged.join("cdef"), "half").unwrap();
    let shard = fs::read_dir(&base)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().len() == 2)
        .unwrap()
        .path();
    let temp = shard.join(format!(".x.cairn-{dead}-4.tmp"));
    fs::write(&temp, "half").unwrap();
    // A live process's temp (ours) is left alone.
    let live = base.join(format!(".y.cairn-{}-5.tmp", std::process::id()));
    fs::write(&live, "in progress").unwrap();

    // dvc ignores all of it.
    assert_eq!(json(&repo.dvc_ok(["status", "--json"])), json("{}"));

    let dry = json(&repo.cairn_ok(["gc", "--workspace", "--json"]));
    let listed: Vec<String> = dry["stale_temps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        listed,
        [staged.display().to_string(), temp.display().to_string()],
        "dry run lists both leftovers, not the live temp"
    );
    assert!(
        staged.exists() && temp.exists(),
        "a dry run removes nothing"
    );
    repo.cairn_ok(["gc", "--workspace", "--force"]);
    assert!(!staged.exists() && !temp.exists());
    assert!(live.exists());
    fs::remove_file(&live).unwrap();
    assert_eq!(json(&repo.dvc_ok(["status", "--json"])), json("{}"));
    assert_eq!(json(&repo.cairn_ok(["status", "--json"])), json("{}"));
}
