//! Hand-picked single cases through both tools, each compared byte for byte
//! (and against DVC's documented output where the expected bytes are known).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::*;

/// Run `setup` in two fresh repos, `dvc init/add targets` in A and
/// `cairn init/add targets` in B, compare everything, and check that each
/// tool sees the other's result as clean.
fn both(label: &str, setup: impl Fn(&TestRepo), targets: &[&str]) -> (TestRepo, TestRepo, Checks) {
    let a = TestRepo::new();
    let b = TestRepo::new();
    setup(&a);
    setup(&b);
    init(Tool::Dvc, &a);
    init(Tool::Cairn, &b);
    add(Tool::Dvc, &a, targets);
    let mut c = Checks::new(label);
    let run = Tool::Cairn.run(&b, add_args(targets));
    if c.succeeded(&run) {
        compare_after_add(&mut c, &a, &b);
        expect_clean(&mut c, Tool::Dvc, &b, "dvc on cairn's add");
    }
    expect_clean(&mut c, Tool::Cairn, &a, "cairn on dvc's add");
    (a, b, c)
}

fn add_args(targets: &[&str]) -> Vec<String> {
    std::iter::once("add")
        .chain(targets.iter().copied())
        .map(str::to_owned)
        .collect()
}

fn chmod(repo: &TestRepo, rel: &str, mode: u32) {
    fs::set_permissions(repo.join(rel), fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn empty_dir() {
    let (a, _b, mut c) = both(
        "empty dir",
        |r| fs::create_dir(r.join("emptyd")).unwrap(),
        &["emptyd"],
    );
    let expected = "outs:\n- md5: d751713988987e9331980363e24189ce.dir\n  size: 0\n  nfiles: 0\n  hash: md5\n  path: emptyd\n";
    let got = String::from_utf8(a.read("emptyd.dvc")).unwrap();
    c.check(got == expected, || {
        format!("dvc wrote {got:?}, the notes say {expected:?}")
    });
    let manifest = a.read(".dvc/cache/files/md5/d7/51713988987e9331980363e24189ce.dir");
    c.check(manifest == b"[]", || format!("manifest {manifest:?}"));
    c.finish();
}

#[test]
fn empty_file() {
    let (a, _b, c) = both("empty file", |r| r.write("empty.txt", ""), &["empty.txt"]);
    assert_eq!(
        String::from_utf8(a.read("empty.txt.dvc")).unwrap(),
        "outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: empty.txt\n"
    );
    c.finish();
}

/// `dvc add sub/deeper/f.txt` puts `f.txt.dvc` and `.gitignore` in
/// `sub/deeper/`, with `path: f.txt`.
#[test]
fn nested_single_file() {
    let (a, _b, mut c) = both(
        "nested single file",
        |r| r.write("sub/deeper/f.txt", "nested\n"),
        &["sub/deeper/f.txt"],
    );
    c.check(a.join("sub/deeper/f.txt.dvc").is_file(), || {
        "dvc: no sub/deeper/f.txt.dvc".into()
    });
    c.check(a.read("sub/deeper/.gitignore") == b"/f.txt\n", || {
        "dvc: sub/deeper/.gitignore".into()
    });
    c.check(!a.join(".gitignore").exists(), || {
        "dvc wrote a root .gitignore".into()
    });
    c.finish();
}

/// An executable single file gets `isexec: true`, and each tool's checkout
/// of the other's add brings the exec bit back like DVC does.
#[test]
fn executable_single_file() {
    let setup = |r: &TestRepo| {
        r.write("run.sh", "#!/bin/sh\necho hi\n");
        chmod(r, "run.sh", 0o755);
    };
    let (a, b, mut c) = both("executable file", setup, &["run.sh"]);
    let dvcfile = String::from_utf8(a.read("run.sh.dvc")).unwrap();
    c.check(dvcfile.contains("\n  isexec: true\n  hash: md5\n"), || {
        format!("dvc: no isexec: {dvcfile:?}")
    });
    // Restore with both tools in both repos and compare modes.
    let a2 = a.duplicate();
    for (repo, tool) in [(&a, Tool::Cairn), (&a2, Tool::Dvc)] {
        repo.remove("run.sh");
        tool.ok(repo, ["checkout"]);
    }
    let mode = |r: &TestRepo| fs::metadata(r.join("run.sh")).unwrap().permissions().mode() & 0o7777;
    c.check(mode(&a) == mode(&a2), || {
        format!(
            "run.sh restored as {:o} by cairn, {:o} by dvc",
            mode(&a),
            mode(&a2)
        )
    });
    b.remove("run.sh");
    Tool::Dvc.ok(&b, ["checkout"]);
    c.check(mode(&b) & 0o100 != 0, || {
        format!("dvc restored cairn's run.sh as {:o}", mode(&b))
    });
    c.finish();
}

/// Names that need quoting in YAML (`path:` in the `.dvc` file) or escaping
/// in `.gitignore`, all added in one command.
#[test]
fn names_needing_quoting_or_escaping() {
    let names = [
        "123",
        "1e3",
        "0.5",
        "0x1F",
        "true",
        "False",
        "null",
        "yes",
        "no",
        "on",
        "off",
        "~",
        "2024-01-01",
        "12:30",
        "sub/-dash.txt",
        "sub/--",
        "key: value.txt",
        "#hash.txt",
        "a #comment",
        "café.txt",
        "e\u{301}cole.txt",
        "日本語.csv",
        "emoji_😀.txt",
        "it's.txt",
        "say \"hi\".txt",
        "[x].txt",
        "{y}.txt",
        "&anchor",
        "*alias",
        "!tag",
        "@at",
        "`tick`",
        "%pct",
        "a, b",
        "?q",
        "|pipe",
        ">gt",
        "back\\slash.txt",
        " lead.txt",
        "trail.txt ",
        "a  b.txt",
        "sub/- x",
        "=eq",
        "<<",
    ];
    let setup = |r: &TestRepo| {
        for (i, n) in names.iter().enumerate() {
            r.write(n, format!("file {i}\n"));
        }
    };
    let (_a, _b, c) = both("quoting/escaping", setup, &names);
    c.finish();
}

/// A tab in a file name: DVC writes `path: "tab\there.txt"` (a
/// double-quoted YAML scalar) and the raw tab in `.gitignore`.
#[test]
fn name_with_tab() {
    let (_a, _b, c) = both(
        "tab in name",
        |r| r.write("tab\there.txt", "t\n"),
        &["tab\there.txt"],
    );
    c.finish();
}

/// `path:` lines around and beyond ruamel's 80-column line width, with and
/// without spaces (plain scalars with spaces may be folded).
#[test]
fn long_names_near_80_columns() {
    let mut names = Vec::new();
    for len in [70usize, 73, 74, 75, 76, 77, 78, 80, 90, 130] {
        // `  path: ` is 8 columns.
        names.push(format!("{:x<width$}", "long", width = len - 8));
        let words: String = "word ".repeat(len / 5);
        names.push(format!("{:.<width$}", words.trim_end(), width = len - 8));
    }
    // A nested file: its path in the .dvc file is relative, so short, but
    // the .gitignore and the cache entry use the long location.
    names.push(format!(
        "{}/f.txt",
        "deep/".repeat(20).trim_end_matches('/')
    ));
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let setup = |r: &TestRepo| {
        for n in &refs {
            r.write(n, n.as_bytes());
        }
    };
    let (_a, _b, c) = both("long names", setup, &refs);
    c.finish();
}

/// A directory whose name needs quoting, containing awkward names.
#[test]
fn directory_with_awkward_names() {
    let setup = |r: &TestRepo| {
        for n in [
            "B.txt",
            "a.txt",
            "sp ace é.txt",
            "sub/b.txt",
            "sub-x.txt",
            "q\"uote\\x.txt",
            "emoji_😀.txt",
            "empty.txt",
            "tab\tname",
            "newline\nname",
        ] {
            r.write(
                format!("1: data/{n}"),
                if n == "empty.txt" { "" } else { n },
            );
        }
        fs::create_dir(r.join("1: data/emptydir")).unwrap();
    };
    let (_a, _b, c) = both("awkward dir", setup, &["1: data"]);
    c.finish();
}

/// `.gitignore` handling: an existing file without a final newline, a target
/// that git already ignores (no entry is added), and adding the same target
/// twice (no duplicate entry, unchanged `.dvc`).
#[test]
fn gitignore_edge_cases() {
    let setup = |r: &TestRepo| {
        r.write(".gitignore", "node_modules");
        r.write("sub/.gitignore", "*.bin\n");
        r.write("sub/model.bin", "weights");
        r.write("f.txt", "f\n");
    };
    let (a, b, mut c) = both("gitignore", setup, &["f.txt", "sub/model.bin"]);
    let root = String::from_utf8(a.read(".gitignore")).unwrap();
    c.check(root == "node_modules\n/f.txt\n", || {
        format!("dvc root .gitignore {root:?}")
    });
    let sub = String::from_utf8(a.read("sub/.gitignore")).unwrap();
    c.check(sub == "*.bin\n", || format!("dvc sub/.gitignore {sub:?}"));
    // Second add of unchanged data.
    add(Tool::Dvc, &a, &["f.txt"]);
    let run = Tool::Cairn.run(&b, ["add", "f.txt"]);
    if c.succeeded(&run) {
        compare_after_add(&mut c, &a, &b);
    }
    c.finish();
}

/// Re-adding a modified file and a grown directory updates the `.dvc` file
/// the same way and keeps the old objects in the cache.
#[test]
fn re_add_after_change() {
    let setup = |r: &TestRepo| {
        r.write("d/a.txt", "a\n");
        r.write("f.txt", "one\n");
    };
    let (a, b, mut c) = both("re-add", setup, &["d", "f.txt"]);
    for r in [&a, &b] {
        r.write("d/b.txt", "b\n");
        r.write("f.txt", "two\n");
    }
    add(Tool::Dvc, &a, &["d", "f.txt"]);
    let run = Tool::Cairn.run(&b, ["add", "d", "f.txt"]);
    if c.succeeded(&run) {
        compare_after_add(&mut c, &a, &b);
    }
    c.finish();
}

/// `checkout` over a modified tracked file: without `--force` DVC refuses
/// and keeps the file; with `--force` it restores it. Same outcome (exit
/// status class and workspace) for cairn.
#[test]
fn checkout_modified_needs_force() {
    let setup = |r: &TestRepo| {
        r.write("d/a.txt", "a\n");
        r.write("f.txt", "one\n");
    };
    let (a, b, mut c) = both("checkout --force", setup, &["d", "f.txt"]);
    drop(b);
    let a2 = a.duplicate();
    for r in [&a, &a2] {
        r.write("f.txt", "changed\n");
        r.write("d/a.txt", "changed\n");
    }
    let d = Tool::Dvc.run(&a2, ["checkout"]);
    let k = Tool::Cairn.run(&a, ["checkout"]);
    c.check(d.success() == k.success(), || {
        format!("checkout without --force: exit differs\n{d}\n{k}")
    });
    c.trees(
        "workspace after checkout without --force",
        ("dvc", &workspace(&a2.read_tree())),
        ("cairn", &workspace(&a.read_tree())),
    );
    let d = Tool::Dvc.run(&a2, ["checkout", "--force"]);
    let k = Tool::Cairn.run(&a, ["checkout", "--force"]);
    c.check(d.success() && k.success(), || {
        format!("checkout --force failed\n{d}\n{k}")
    });
    c.trees(
        "workspace after checkout --force",
        ("dvc", &workspace(&a2.read_tree())),
        ("cairn", &workspace(&a.read_tree())),
    );
    c.finish();
}

/// `checkout PATH` restores only that target.
#[test]
fn checkout_single_target() {
    let setup = |r: &TestRepo| {
        r.write("d/a.txt", "a\n");
        r.write("f.txt", "one\n");
    };
    let (a, _b, mut c) = both("checkout PATH", setup, &["d", "f.txt"]);
    let a2 = a.duplicate();
    for r in [&a, &a2] {
        r.remove("d");
        r.remove("f.txt");
    }
    Tool::Dvc.ok(&a2, ["checkout", "f.txt"]);
    let k = Tool::Cairn.run(&a, ["checkout", "f.txt"]);
    if c.succeeded(&k) {
        c.trees(
            "workspace after `checkout f.txt`",
            ("dvc", &workspace(&a2.read_tree())),
            ("cairn", &workspace(&a.read_tree())),
        );
    }
    c.finish();
}
