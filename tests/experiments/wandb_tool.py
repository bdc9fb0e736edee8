"""W&B's own SDK writing offline runs, and those runs decoded with W&B's own protobuf
schema, for the cross-tool test of Cairn's `.wandb` reader.

    python wandb_tool.py write DIR      # offline runs as programs using wandb write them
    python wandb_tool.py read DIR       # each run's name, config, summary, history, exit, as JSON
    python wandb_tool.py fixture DIR    # the small run the API and UI tests use (checked in)
    python wandb_tool.py bench DIR RUNS STEPS   # a workload for benches/wandb.rs
    python wandb_tool.py time DIR       # seconds `read` takes over DIR, and the points it found

`read` unframes the file as W&B's format note describes it (LevelDB's log format behind
a `:W&B` header; W&B 0.31 no longer ships a Python reader) and decodes every record
with `wandb.proto.wandb_internal_pb2`, then applies it as W&B's run page shows a run.
"""

import json
import math
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

HEADER = b":W&B\xe1\xbe\x00"
BLOCK = 32768

# Each program runs in its own process, as a user's training script would.
PROGRAMS = {
    "baseline": r"""
import math, numpy as np, wandb
run = wandb.init(project="cairn", mode="offline", name="baseline",
                 config={"lr": 0.01, "model": {"layers": 3, "act": "relu"}, "sizes": [1, 2]})
for step in range(300):
    row = {"train/loss": 1.0 / (step + 1), "acc": step / 300, "nested": {"a": step * 2}}
    if step == 7:
        row["acc"] = float("nan")
    if step % 50 == 0:
        row["weights"] = wandb.Histogram(np.arange(10) * step)
    run.log(row)
run.log({"late": 3.5}, step=400)
run.config.update({"epochs": 300})
run.summary["best"] = 0.99
run.finish()
""",
    "min-summary": r"""
import wandb
run = wandb.init(project="cairn", mode="offline", name="min-summary", config={"opt": "adam", "wd": 1e-4})
run.define_metric("val_loss", summary="min")
for step, v in enumerate([0.9, 0.5, 0.3, 0.4, 0.6]):
    run.log({"val_loss": v, "epoch": step})
run.finish(exit_code=2)
""",
    "big": r"""
import wandb
run = wandb.init(project="cairn", mode="offline", name="big",
                 config={"notes_blob": "x" * 100_000, "seed": 7})
for step in range(2000):
    run.log({f"m{i:02d}": step * 0.001 + i for i in range(20)})
run.finish()
""",
    "unnamed": r"""
import wandb
run = wandb.init(project="cairn", mode="offline", dir="sub", config={"k": 1})
run.log({"x": 1.25}, step=5)
run.log({"x": 2.5}, step=9)
run.finish()
""",
}


def write(root):
    root = Path(root)
    (root / "sub").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, WANDB_SILENT="true", WANDB_MODE="offline",
               WANDB_DISABLE_GIT="true", WANDB_CONSOLE="off")
    for name, program in PROGRAMS.items():
        subprocess.run([sys.executable, "-c", program], cwd=root, env=env, check=True)


def fixture(root):
    """One small finished run for the API and UI tests."""
    root = Path(root)
    env = dict(os.environ, WANDB_SILENT="true", WANDB_MODE="offline",
               WANDB_DISABLE_GIT="true", WANDB_CONSOLE="off", WANDB_DISABLE_CODE="true",
               WANDB__DISABLE_STATS="true", WANDB_DISABLE_META="true")
    program = r"""
import wandb
run = wandb.init(project="demo", mode="offline", name="wandb-baseline",
                 config={"lr": 0.003, "batch_size": 64})
for step in range(20):
    run.log({"loss": round(1.0 / (step + 1), 4), "accuracy": round(0.5 + step * 0.02, 4)})
run.finish()
"""
    subprocess.run([sys.executable, "-c", program], cwd=root, env=env, check=True)


def bench(root, runs, steps):
    """RUNS finished runs of STEPS steps logging three numbers, each its own process."""
    root = Path(root)
    env = dict(os.environ, WANDB_SILENT="true", WANDB_MODE="offline",
               WANDB_DISABLE_GIT="true", WANDB_CONSOLE="off")
    program = r"""
import sys, wandb
run = wandb.init(project="bench", mode="offline", name=f"run-{sys.argv[1]}", config={"seed": int(sys.argv[1])})
for step in range(int(sys.argv[2])):
    run.log({"loss": 1.0 / (step + 1), "acc": step / 1e4, "lr": 0.1 * 0.999 ** step})
run.finish()
"""
    for i in range(int(runs)):
        subprocess.run([sys.executable, "-c", program, str(i), steps], cwd=root, env=env, check=True)


def time_read(root):
    import io
    import time
    from contextlib import redirect_stdout

    start = time.perf_counter()
    buf = io.StringIO()
    with redirect_stdout(buf):
        read(root)
    seconds = time.perf_counter() - start
    runs = json.loads(buf.getvalue())
    points = sum(len(p) for r in runs.values() for p in r["history"].values())
    print(f"{seconds} {points}")


def records(path):
    data = Path(path).read_bytes()
    assert data[:7] == HEADER, f"{path}: not a .wandb file"
    at, pending = 7, None
    while at < len(data):
        left = BLOCK - at % BLOCK
        if left < 7:
            assert data[at:at + left] == b"\0" * left
            at += left
            continue
        if at + 7 > len(data):
            return
        crc, n, kind = struct.unpack("<IHB", data[at:at + 7])
        chunk = data[at + 7:at + 7 + n]
        if len(chunk) < n:
            return
        assert crc == zlib.crc32(chunk, zlib.crc32(bytes([kind]))), f"{path}: bad checksum at {at}"
        at += 7 + n
        if kind == 1:
            yield chunk
        elif kind == 2:
            pending = chunk
        elif kind == 3:
            pending += chunk
        elif kind == 4:
            yield pending + chunk
            pending = None


def keypath(item):
    return [item.key] if item.key else list(item.nested_key)


def put(tree, path, value):
    for k in path[:-1]:
        if not isinstance(tree.get(k), dict):
            tree[k] = {}
        tree = tree[k]
    tree[path[-1]] = value


def drop(tree, path):
    for k in path[:-1]:
        tree = tree.get(k)
        if not isinstance(tree, dict):
            return
    tree.pop(path[-1], None)


def apply(tree, changes):
    for item in changes.update:
        # Python's json reads the NaN and Infinity W&B writes.
        put(tree, keypath(item), json.loads(item.value_json))
    for item in changes.remove:
        drop(tree, keypath(item))


def flat(prefix, value, out, numbers_only):
    if isinstance(value, dict) and (value or not prefix):
        if numbers_only and "_type" in value:
            return
        for k, v in value.items():
            flat(f"{prefix}.{k}" if prefix else k, v, out, numbers_only)
    elif not numbers_only:
        out[prefix] = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        out[prefix] = value


def read_run(path):
    from wandb.proto import wandb_internal_pb2 as pb

    run = {"run_id": "", "name": "", "exit": None}
    config, summary, history = {}, {}, {}
    for raw in records(path):
        r = pb.Record()
        r.ParseFromString(raw)
        kind = r.WhichOneof("record_type")
        if kind == "run":
            run["run_id"] = r.run.run_id or run["run_id"]
            run["name"] = r.run.display_name or run["name"]
            run["start_ms"] = r.run.start_time.seconds * 1000 + r.run.start_time.nanos // 1_000_000
            apply(config, r.run.config)
            apply(summary, r.run.summary)
        elif kind == "config":
            apply(config, r.config)
        elif kind == "summary":
            apply(summary, r.summary)
        elif kind == "history":
            row = {".".join(keypath(i)): json.loads(i.value_json) for i in r.history.item}
            step = row.get("_step", r.history.step.num)
            numbers = {}
            for k, v in row.items():
                if not k.startswith("_"):
                    flat(k, v, numbers, True)
            for k, v in numbers.items():
                history.setdefault(k, []).append([step, v])
        elif kind == "exit":
            run["exit"] = r.exit.exit_code
    config.pop("_wandb", None)
    run["config"] = {}
    flat("", config, run["config"], False)
    run["summary"] = {}
    flat("", {k: v for k, v in summary.items() if not k.startswith("_")}, run["summary"], True)
    run["history"] = {k: sorted(v, key=lambda p: p[0]) for k, v in history.items()}
    return run


def read(root):
    root = Path(root)
    out = {}
    for path in sorted(root.rglob("run-*.wandb")):
        # W&B's `latest-run` link names a run a second time.
        if any((root / p).is_symlink() for p in path.relative_to(root).parents):
            continue
        run = read_run(path)
        if run["run_id"]:
            out[path.parent.relative_to(root).as_posix()] = run
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    modes = {"write": write, "read": read, "fixture": fixture, "bench": bench, "time": time_read}
    modes[sys.argv[1]](*sys.argv[2:])
