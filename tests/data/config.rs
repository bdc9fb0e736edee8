//! `cairn config` against `dvc config`: the same files after the same commands, the same
//! values and listings read back, the same refusals.

use crate::support::*;

#[test]
fn config_reads_and_writes_what_dvc_config_does() {
    let base = TestRepo::new();
    init(Tool::Dvc, &base);
    base.write(
        ".dvc/config",
        "[core]\n    remote = store\n['remote \"store\"']\n    url = /srv/store\n",
    );
    let (by_cairn, by_dvc) = (base.duplicate(), base.duplicate());
    let mut c = Checks::new("config");
    let steps: [&[&str]; 9] = [
        &["config", "cache.type", "symlink"],
        &["config", "--local", "core.autostage", "true"],
        &["config", "remote.store.url", "/srv/other"],
        &["config", "remote.backup.url", "/srv/backup"],
        &["config", "--local", "remote.store.verify", "true"],
        &["config", "core.remote", "backup"],
        &["config", "-u", "cache.type"],
        &["config", "--project", "core.checksum_jobs", "4"],
        &["config", "-u", "--local", "core.autostage"],
    ];
    for args in steps {
        let run = Tool::Cairn.run(&by_cairn, args);
        c.succeeded(&run);
        by_dvc.dvc_ok(args);
        for f in [".dvc/config", ".dvc/config.local"] {
            let read = |r: &TestRepo| std::fs::read_to_string(r.join(f)).ok();
            c.check(read(&by_cairn) == read(&by_dvc), || {
                format!(
                    "{f} after {args:?}\n--- dvc\n{:?}\n--- cairn\n{:?}",
                    read(&by_dvc),
                    read(&by_cairn)
                )
            });
        }
    }
    // Read back: one value, and the lists (both files, or one, with their origin).
    for args in [
        &["config", "core.remote"][..],
        &["config", "remote.store.url"],
        &["config", "--local", "remote.store.verify"],
        &["config", "core.autostage"],
        &["config", "-l"],
        &["config", "-l", "--local"],
        &["config", "-l", "--show-origin"],
    ] {
        let (ours, theirs) = (
            Tool::Cairn.run(&by_cairn, args),
            Tool::Dvc.run(&by_cairn, args),
        );
        c.check(ours.success() && ours.stdout() == theirs.stdout(), || {
            format!(
                "{args:?}\n--- dvc\n{}\n--- cairn\n{}",
                theirs.stdout(),
                ours.stdout()
            )
        });
    }
    // Refused by both, nothing written.
    for args in [
        &["config", "core.nope", "x"][..],
        &["config", "nosection.key", "x"],
        &["config", "-u", "cache.type"],
        &["config", "remote.url", "x"],
        &["config", "cache.type", "tape"],
    ] {
        let before = std::fs::read(by_cairn.join(".dvc/config")).unwrap();
        let ours = Tool::Cairn.run(&by_cairn, args);
        c.check(!ours.success() && !ours.stderr().trim().is_empty(), || {
            format!("cairn {args:?} is refused: {ours}")
        });
        c.check(
            std::fs::read(by_cairn.join(".dvc/config")).unwrap() == before,
            || format!("cairn {args:?} writes nothing"),
        );
        c.check(!by_dvc.dvc(args).status.success(), || {
            format!("dvc {args:?} is refused")
        });
    }
    // One deliberate difference: a comment someone wrote stays (dvc rewrites the file
    // without it), and so does every line the command does not change.
    let commented = format!(
        "# team settings\n{}",
        String::from_utf8(by_cairn.read(".dvc/config")).unwrap()
    );
    by_cairn.write(".dvc/config", &commented);
    c.succeeded(&Tool::Cairn.run(&by_cairn, ["config", "core.remote", "store"]));
    let now = String::from_utf8(by_cairn.read(".dvc/config")).unwrap();
    c.check(
        now == commented.replace("remote = backup", "remote = store"),
        || format!("only the changed line changes:\n{now}"),
    );
    c.finish();
}
