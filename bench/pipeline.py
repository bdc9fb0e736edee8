#!/usr/bin/env python3
"""Pipeline benchmark: `cairn` against the reference dvc, side by side.

Workloads (each tool on its own identical copy, in its own fresh git repo):

  chain-N first     first `repro` of an N-stage chain of `cp` stages
  chain-N uptodate  `repro` again when everything is up to date
  chain-N status    `status --json` when everything is up to date
  chain-N dag       `dag --dot`
  fanout-64 jN      first `repro` of 64 independent stages that each sleep 0.1 s,
                    cairn with --jobs N (dvc has no parallel repro)

N = 50 and 200 (`--quick`: 10 and 30). Uses bench/data.py's helpers: release build
of cairn, dvc from .venv-dvc, hermetic environment. Results are printed.

    python3 bench/pipeline.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data as common  # noqa: E402


def chain_yaml(n: int) -> str:
    lines = ["stages:"]
    for i in range(n):
        src = "in.txt" if i == 0 else f"s{i - 1:03d}.txt"
        lines += [f"  s{i:03d}:", f"    cmd: cp {src} s{i:03d}.txt", f"    deps: [{src}]", f"    outs: [s{i:03d}.txt]"]
    return "\n".join(lines) + "\n"


def fanout_yaml(n: int) -> str:
    lines = ["stages:"]
    for i in range(n):
        lines += [f"  w{i:03d}:", f"    cmd: sleep 0.1 && cp in.txt w{i:03d}.txt", "    deps: [in.txt]", f"    outs: [w{i:03d}.txt]"]
    return "\n".join(lines) + "\n"


def setup(base: Path, name: str, yaml: str) -> dict[str, common.Repo]:
    repos = {t: common.Repo(base, t, name) for t in common.TOOLS}
    for r in repos.values():
        (r.root / "dvc.yaml").write_text(yaml)
        (r.root / "in.txt").write_text("seed\n")
        r.run(["git", "add", "-A"])
        r.run(["git", "commit", "-qm", "pipeline"])
    return repos


def bench(base: Path, sizes: list[int], fan: int) -> list[dict]:
    results: list[dict] = []

    def row(name: str, desc: str, times: dict, **extra) -> None:
        d, c = times.get("dvc"), times.get("cairn")
        ratio = d / c if isinstance(d, float) and isinstance(c, float) and c > 0 else None
        results.append({"workload": name, "description": desc, **times, "ratio": ratio, **extra})

    for n in sizes:
        repos = setup(base, f"chain{n}", chain_yaml(n))
        first, again, status, dag = {}, {}, {}, {}
        for t, r in repos.items():
            common.log(f"{t}: chain-{n} first repro")
            first[t] = common.measure(f"{t} repro", lambda: r.timed("repro"))
            runs = 10 if t == "cairn" else 3
            again[t] = common.measure(f"{t} repro again", lambda: r.timed_many("repro", runs=runs))
            status[t] = common.measure(f"{t} status", lambda: r.timed_many("status", "--json", runs=runs))
            dag[t] = common.measure(f"{t} dag", lambda: r.timed_many("dag", "--dot", runs=runs))
        same = common.same_file(repos, "dvc.lock")
        row(f"chain-{n} first", f"first repro of {n} chained cp stages", first, same_output=same)
        row(f"chain-{n} uptodate", "repro when everything is up to date", again)
        row(f"chain-{n} status", "status --json, up to date", status)
        row(f"chain-{n} dag", "dag --dot", dag)
        for r in repos.values():
            common.make_writable_and_remove(r.root)

    repos = setup(base, "fanout", fanout_yaml(fan))
    jobs = os.cpu_count() or 2
    times = {}
    common.log(f"dvc: fanout-{fan}")
    times["dvc"] = common.measure("dvc fanout", lambda: repos["dvc"].timed("repro"))
    common.log(f"cairn: fanout-{fan} --jobs 1")
    j1 = common.measure("cairn fanout j1", lambda: repos["cairn"].timed("repro", "--jobs", "1"))
    repos["cairn"].run(["rm", "-f", "dvc.lock"])
    repos["cairn"].run(["sh", "-c", "rm -rf .dvc/cache/runs w*.txt"])
    common.log(f"cairn: fanout-{fan} --jobs 8")
    times["cairn"] = common.measure("cairn fanout j8", lambda: repos["cairn"].timed("repro", "--jobs", "8"))
    row(f"fanout-{fan} j8", f"{fan} independent 0.1 s stages; cairn --jobs 8 (cairn --jobs 1: {j1:.2f}s)" if isinstance(j1, float) else "", times, cairn_jobs1=j1, cores=jobs)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="chains of 10 and 30 stages, fan-out of 16")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        common.log("cargo build --release -p cairn-cli")
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "cairn-cli"], cwd=common.REPO, check=True)
    if not common.DVC.is_file():
        subprocess.run([str(common.REPO / "scripts" / "ensure-dvc.sh")], check=True)
    sizes = [10, 30] if args.quick else [50, 200]
    fan = 16 if args.quick else 64
    meta = {
        "cairn_version": common.version([str(common.CAIRN), "--version"]).removeprefix("cairn "),
        "dvc_version": common.version([str(common.DVC), "--version"]),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    base = Path(tempfile.mkdtemp(prefix="cairn-bench-pipeline-"))
    # Run records of the benchmark go to a throwaway data dir.
    os.environ["CAIRN_DATA_DIR"] = str(base / "cairn-data")
    try:
        results = bench(base, sizes, fan)
    finally:
        common.make_writable_and_remove(base)
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        common.print_table(results, meta)
        for r in results:
            if r.get("same_output") is False:
                print(f"WARNING: {r['workload']}: dvc.lock differs between the tools")
    return 1 if any("error" in (r["dvc"], r["cairn"]) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
