#!/usr/bin/env python3
"""Experiments benchmark: `exp show --json`, cairn against the reference dvc.

One repository (a small DVC pipeline: params.yaml with comments, a Python stage
writing metrics.json and a cached model) gets a reproduced, committed baseline,
then experiments recorded with `cairn exp run -S lr=... -S epochs=...` (the same
commits `dvc exp run` makes; the cross-tool tests check that). At each size both
tools run `exp show --json` on the same repository:

  show-N cold   both tools' per-commit caches cleared first (dvc's
                .dvc/tmp/exps/cache, cairn's .dvc/tmp/cairn/exp-show-cache.json)
  show-N warm   both caches filled by a previous run

N = 20 and 500 experiments (`--quick`: 5 and 50). The two tools' outputs are
compared byte for byte (`same_output`). cairn is the release build; dvc comes
from .venv-dvc. Uses bench/data.py's helpers. Results are printed.

    python3 bench/exp.py [--quick] [--json] [--no-build]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data as common  # noqa: E402

TRAIN = """import json, re
text = open("params.yaml").read()
def get(key):
    return re.search(r"^\\s*" + key + r":\\s*([^#\\n]+)", text, re.M).group(1).strip()
lr, epochs, depth = float(get("lr")), int(get("epochs")), int(get("depth"))
json.dump({"acc": lr * epochs, "loss": 1 - lr, "nested": {"f1": depth / 10}}, open("metrics.json", "w"))
open("model.txt", "w").write(str(depth) * 3)
"""

PARAMS = "# training params\nlr: 0.1   # learning rate\nepochs: 3\nmodel:\n  depth: 2  # layers\n  name: cnn\n"

DVC_YAML = """stages:
  train:
    cmd: python3 train.py
    deps:
    - train.py
    params:
    - lr
    - epochs
    - model
    outs:
    - model.txt
    metrics:
    - metrics.json:
        cache: false
"""


def best_of(n: int, fn) -> float:
    return min(fn() for _ in range(n))


def bench(base: Path, sizes: list[int], repeats: int) -> list[dict]:
    results: list[dict] = []
    repo = common.Repo(base, "dvc", "exp")  # `dvc init`
    (repo.root / "train.py").write_text(TRAIN)
    (repo.root / "params.yaml").write_text(PARAMS)
    (repo.root / "dvc.yaml").write_text(DVC_YAML)
    repo.run(["git", "add", "-A"])
    repo.run(["git", "commit", "-qm", "pipeline"])
    repo.run([str(common.DVC), "repro", "-q"])
    repo.run(["git", "add", "-A"])
    repo.run(["git", "commit", "-qm", "baseline"])
    made = 0
    out_file = base / "out.json"
    cpu: dict[str, float] = {}

    def show(exe: str, clear_cache: bool) -> float:
        if clear_cache:
            shutil.rmtree(repo.root / ".dvc" / "tmp" / "exps" / "cache", ignore_errors=True)
            (repo.root / ".dvc" / "tmp" / "cairn" / "exp-show-cache.json").unlink(missing_ok=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([exe, "exp", "show", "--json"], cwd=repo.root, env=repo.env,
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[Path(exe).name] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(f"{exe} exp show failed:\n{proc.stdout}{proc.stderr}")
        out_file.with_suffix("." + Path(exe).name).write_text(proc.stdout)
        return elapsed

    load = os.getloadavg()[0]
    common.log(f"load average before: {load:.2f}")
    for n in sizes:
        common.log(f"recording experiments {made + 1}..{n} with cairn exp run")
        t0 = time.perf_counter()
        while made < n:
            lr = round(0.01 * (made % 97 + 1), 2)
            epochs = 1 + made % 9
            repo.run([str(common.CAIRN), "exp", "run", "-S", f"lr={lr}", "-S",
                      f"epochs={epochs}", "-S", f"model.depth={made % 5 + 1}", "-n", f"e{made:04d}"])
            made += 1
        common.log(f"  {time.perf_counter() - t0:.1f}s")
        # Leave the workspace at the baseline (as a user comparing runs would).
        repo.run(["git", "checkout", "-q", "--", "."])
        cairn = str(common.CAIRN)
        dvc = str(common.DVC)
        common.log(f"n={n}: cairn exp show --json x{repeats} (cold: no cache)")
        c = common.measure("cairn", lambda: best_of(repeats, lambda: show(cairn, True)))
        c_cpu = cpu.get("cairn", 0.0)
        common.log(f"n={n}: dvc exp show --json (cold)")
        d_cold = common.measure("dvc cold", lambda: show(dvc, True))
        same = (out_file.with_suffix(".cairn").read_text()
                == out_file.with_suffix(".dvc").read_text())
        common.log(f"n={n}: cairn exp show --json x{repeats} (warm)")
        show(cairn, False)
        c_warm = common.measure("cairn warm", lambda: best_of(repeats, lambda: show(cairn, False)))
        c_warm_cpu = cpu.get("cairn", 0.0)
        if not same:
            keep = Path(tempfile.gettempdir()) / f"cairn-bench-exp-mismatch-{n}"
            keep.mkdir(exist_ok=True)
            for t in ("cairn", "dvc"):
                shutil.copy(out_file.with_suffix("." + t), keep / f"{t}.json")
            common.log(f"  outputs differ; kept in {keep}")
        common.log(f"n={n}: dvc exp show --json (warm)")
        d_warm = common.measure("dvc warm", lambda: best_of(2, lambda: show(dvc, False)))

        def row(name, desc, d, c, **extra):
            ratio = d / c if isinstance(d, float) and isinstance(c, float) and c > 0 else None
            results.append({"workload": name, "description": desc, "dvc": d, "cairn": c,
                            "ratio": ratio, **extra})

        row(f"show-{n} cold", f"exp show --json, baseline + {n} exps, both caches cleared "
            f"(cairn CPU {c_cpu:.3f}s)", d_cold, c, same_output=same)
        row(f"show-{n} warm", f"same, both tools' experiment caches filled "
            f"(cairn CPU {c_warm_cpu:.3f}s)", d_warm, c_warm)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 and 50 experiments")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--repeats", type=int, default=5, help="cairn runs per size (best is kept)")
    args = ap.parse_args()
    if not args.no_build:
        common.log("cargo build --release -p cairn-cli")
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "cairn-cli"], cwd=common.REPO,
                       check=True)
    if not common.DVC.is_file():
        subprocess.run([str(common.REPO / "scripts" / "ensure-dvc.sh")], check=True)
    sizes = [5, 50] if args.quick else [20, 500]
    meta = {
        "cairn_version": common.version([str(common.CAIRN), "--version"]).removeprefix("cairn "),
        "dvc_version": common.version([str(common.DVC), "--version"]),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    base = Path(tempfile.mkdtemp(prefix="cairn-bench-exp-"))
    os.environ["CAIRN_DATA_DIR"] = str(base / "cairn-data")
    try:
        results = bench(base, sizes, args.repeats)
    finally:
        common.make_writable_and_remove(base)
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        common.print_table(results, meta)
        for r in results:
            if r.get("same_output") is False:
                print(f"WARNING: {r['workload']}: exp show --json differs between the tools")
    return 1 if any("error" in (r["dvc"], r["cairn"]) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
