//! `.dvcignore` is respected identically: same manifests (ignored files
//! left out), and changes to ignored files are invisible to `status`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::*;

fn dvcignore_respected(seed: u64) {
    let (src, fx) = Fixture::new(seed, &TreeSpec::with_dvcignore());
    let a = fx.added(&src, Tool::Dvc);
    let b = fx.added(&src, Tool::Cairn);
    let mut c = Checks::new(format!("seed {seed}: .dvcignore"));
    compare_after_add(&mut c, &a, &b);

    // The manifests dvc wrote list exactly the non-ignored files: this
    // checks the fixture's model of the patterns, so that the cairn-side
    // checks below mean something.
    let expected: BTreeSet<String> = fx.tracked_files().0.keys().cloned().collect();
    for (repo, tool) in [(&a, Tool::Dvc), (&b, Tool::Cairn)] {
        let listed = manifest_paths(repo);
        c.check(listed == expected, || {
            let extra: Vec<_> = listed.difference(&expected).collect();
            let missing: Vec<_> = expected.difference(&listed).collect();
            format!("{tool}: manifests list extra {extra:?}, miss {missing:?}")
        });
    }

    // Touch every ignored file and add new ignored ones: both tools still
    // see clean repos.
    let ignored: Vec<&std::path::PathBuf> = fx.files.iter().filter(|p| dvcignored(p)).collect();
    assert!(!ignored.is_empty(), "fixture has ignored files");
    for repo in [&a, &b] {
        for p in &ignored {
            repo.write(p, "changed, but ignored\n");
        }
        let dir = &fx.targets[0];
        if repo.join(dir).is_dir() {
            repo.write(format!("{dir}/new.log"), "ignored\n");
            repo.write(format!("{dir}/tmp/new"), "ignored\n");
        }
    }
    for tool in [Tool::Dvc, Tool::Cairn] {
        expect_clean(&mut c, tool, &a, "dvc-added repo, ignored files changed");
        expect_clean(&mut c, tool, &b, "cairn-added repo, ignored files changed");
    }
    c.finish();
}

/// Every `<dir>/<relpath>` listed by the `.dir` manifests the `.dvc` files
/// at the root point to, read from `repo`'s cache.
fn manifest_paths(repo: &TestRepo) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, entry) in dvc_files(&repo.read_tree()).0 {
        let text = String::from_utf8(entry.bytes).unwrap();
        let Some(md5) = text.lines().find_map(|l| l.strip_prefix("- md5: ")) else {
            continue;
        };
        let Some(hash) = md5.strip_suffix(".dir") else {
            out.insert(path.trim_end_matches(".dvc").to_owned());
            continue;
        };
        let dir = path.trim_end_matches(".dvc");
        let obj = format!(".dvc/cache/files/md5/{}/{}.dir", &hash[..2], &hash[2..]);
        if !repo.join(&obj).exists() {
            continue;
        }
        let manifest: Value = serde_json::from_slice(&repo.read(&obj)).unwrap();
        for e in manifest.as_array().unwrap() {
            out.insert(format!("{dir}/{}", e["relpath"].as_str().unwrap()));
        }
    }
    out
}

#[test]
fn dvcignore_seed_11() {
    dvcignore_respected(11);
}

#[test]
fn dvcignore_seed_12() {
    dvcignore_respected(12);
}
