#!/usr/bin/env python3
"""Model registry benchmark: `cairn models --json` against `gto show --json` (GTO 1.10.1
from .venv-dvc), on the same generated repository.

The workload: M models, each with V registered versions on V commits and a stage
assignment every other version (dev, staging, prod in turn), written as GTO writes
them (annotated tags, one second apart). Both tools read the same repository; the
script checks they print the same JSON, then times them (hyperfine when installed,
else the median of repeated runs) and prints the ratio.

    python3 bench/registry.py [--models 10] [--versions 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data as common  # noqa: E402

GTO = common.REPO / ".venv-dvc" / "bin" / "gto"
STAGES = ["dev", "staging", "prod"]


def git(root: Path, *args: str, at: int | None = None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@e.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="b@e.invalid")
    if at is not None:
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"] = f"@{at} +0000"
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def make(root: Path, models: int, versions: int) -> int:
    git(root, "init", "-q")
    at = 1_700_000_000
    tags = 0
    for v in range(versions):
        (root / "model.txt").write_text(f"{v}\n")
        git(root, "add", "-A", at=at)
        git(root, "commit", "-qm", f"train {v}", at=at)
        for m in range(models):
            at += 1
            git(root, "tag", "-a", f"model-{m}@v1.{v}.0", "-m", "register", at=at)
            tags += 1
            if v % 2 == 0:
                at += 1
                stage = STAGES[(v // 2) % len(STAGES)]
                git(root, "tag", "-a", f"model-{m}#{stage}#{v + 1}", "-m", "assign", at=at)
                tags += 1
        at += 10
    return tags


def timed(argv: list[str], cwd: Path, runs: int) -> float:
    if common.HYPERFINE:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "t.json"
            subprocess.run([common.HYPERFINE, "-N", "--style", "none", "--warmup", "1", "--runs", str(runs),
                            "--export-json", str(export), " ".join(argv)], cwd=cwd, check=True,
                           stdout=subprocess.DEVNULL)
            return json.loads(export.read_text())["results"][0]["median"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--versions", type=int, default=20)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "registry"
        root.mkdir()
        tags = make(root, a.models, a.versions)
        gto = json.loads(subprocess.run([str(GTO), "show", "--json"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
        ours = json.loads(subprocess.run([str(common.CAIRN), "models", "--json"], cwd=root, check=True,
                                         capture_output=True, text=True).stdout)
        if gto != ours:
            print(f"MISMATCH\ngto   {gto}\ncairn {ours}", file=sys.stderr)
            return 1
        t_gto = timed([str(GTO), "show", "--json"], root, runs=5)
        t_cairn = timed([str(common.CAIRN), "models", "--json"], root, runs=20)
    print(f"registry: {a.models} models x {a.versions} versions, {tags} tags; same JSON from both")
    print(f"gto show --json      {t_gto:8.3f}s")
    print(f"cairn models --json  {t_cairn:8.3f}s   {t_gto / t_cairn:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
