#!/usr/bin/env python3
"""Data-versioning benchmark: cairn against the reference dvc, side by side.

Workloads (each tool works on its own identical copy, in its own fresh git
repo, one run each):

  add-many     `add data` of N x 1 KiB files in one directory
  status       `status --json` right after that add
  data-status  `data status --granular --json` right after that add
  status-touch `status --json` after bumping the mtime of every file
  add-big      `add big.bin` of one large file; `md5sum` of the same file
               is timed as the physical reference (one read + MD5)

Sizes: N = 10,000 and 1 GiB by default; `--quick`: 1,000 and 64 MiB.

cairn is the release build (this script runs `cargo build --release -p
cairn-cli` first; `--no-build` with CAIRN_BENCH_BIN=/path/to/cairn uses
another binary); dvc comes from `.venv-dvc` (scripts/ensure-dvc.sh makes
it). Plain python3 stdlib. Results are printed (a table, or `--json`); they
are not written anywhere.

    python3 bench/data.py            # full run
    python3 bench/data.py --quick    # smoke run
    python3 bench/data.py --json     # machine-readable
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DVC = REPO / ".venv-dvc" / "bin" / "dvc"
CAIRN = Path(os.environ.get("CAIRN_BENCH_BIN") or REPO / "target" / "release" / "cairn")
TOOLS = ("dvc", "cairn")
# Repeatable timings go through hyperfine when it is installed (Debian: `apt install
# hyperfine`): it starts commands without a shell and with less overhead than Python's
# subprocess, which otherwise sets a floor of several ms under Cairn's timings.
HYPERFINE = shutil.which("hyperfine")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def tool_env(aux: Path) -> dict[str, str]:
    """Hermetic environment, as in the tests: no git config, no analytics,
    DVC's per-machine state in a private dir."""
    env = dict(os.environ)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(var, None)
    env.update(
        GIT_AUTHOR_NAME="Cairn Bench",
        GIT_AUTHOR_EMAIL="bench@cairn.invalid",
        GIT_COMMITTER_NAME="Cairn Bench",
        GIT_COMMITTER_EMAIL="bench@cairn.invalid",
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_CONFIG_NOSYSTEM="1",
        DVC_NO_ANALYTICS="1",
        DVC_SITE_CACHE_DIR=str(aux / "site-cache"),
        DVC_GLOBAL_CONFIG_DIR=str(aux / "global"),
        DVC_SYSTEM_CONFIG_DIR=str(aux / "system"),
        XDG_CACHE_HOME=str(aux / "cache"),
    )
    return env


class Repo:
    """A fresh git repo for one tool, with `init` already run."""

    def __init__(self, base: Path, tool: str, name: str):
        self.tool = tool
        self.root = base / tool / name
        self.aux = base / tool / (name + ".aux")
        self.root.mkdir(parents=True)
        self.aux.mkdir(parents=True)
        self.env = tool_env(self.aux)
        self.broken: str | None = None
        self.run(["git", "init", "-q"])
        try:
            self.run([self.exe(), "init"])
        except RuntimeError as e:
            self.broken = str(e)

    def exe(self) -> str:
        return str(DVC if self.tool == "dvc" else CAIRN)

    def run(self, argv: list[str]) -> subprocess.CompletedProcess:
        # Output goes to files, not pipes: reading pipes from Python costs milliseconds
        # per call, which would swamp timings of commands that take a few ms.
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.run(argv, cwd=self.root, env=self.env, stdout=out, stderr=err)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(argv)}` failed in {self.root} ({proc.returncode}):\n"
                f"{stdout}{stderr}"
            )
        return subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr)

    def timed_many(self, *args: str, runs: int = 10, warmup: int = 1) -> float:
        """Median wall time of `runs` runs of a command that leaves the repository as it
        found it (after `warmup` untimed runs)."""
        if self.broken:
            raise RuntimeError(f"init failed earlier:\n{self.broken}")
        argv = [self.exe(), *args]
        if HYPERFINE:
            with tempfile.TemporaryDirectory() as tmp:
                export = Path(tmp) / "times.json"
                proc = subprocess.run(
                    [HYPERFINE, "-N", "--style", "none", "--warmup", str(warmup),
                     "--runs", str(runs), "--export-json", str(export), shlex.join(argv)],
                    cwd=self.root, env=self.env, capture_output=True, text=True)
                if proc.returncode != 0:
                    raise RuntimeError(f"hyperfine {shlex.join(argv)} failed:\n{proc.stderr}")
                return json.loads(export.read_text())["results"][0]["median"]
        for _ in range(warmup):
            self.run(argv)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            self.run(argv)
            times.append(time.perf_counter() - start)
        return sorted(times)[len(times) // 2]

    def timed(self, *args: str) -> float:
        if self.broken:
            raise RuntimeError(f"init failed earlier:\n{self.broken}")
        start = time.perf_counter()
        self.run([self.exe(), *args])
        return time.perf_counter() - start


def make_many(dst: Path, n: int, size: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    dst.mkdir(parents=True)
    for i in range(n):
        (dst / f"f{i:06d}.bin").write_bytes(rng.randbytes(size))


def make_big(dst: Path, size: int) -> None:
    chunk = 16 << 20
    with open(dst, "wb") as f:
        left = size
        while left:
            n = min(chunk, left)
            f.write(os.urandom(n))
            left -= n


def copy_into(src: Path, repo: Repo) -> None:
    dst = repo.root / src.name
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copyfile(src, dst)


def touch_all(d: Path) -> None:
    now = time.time() + 5
    for p in d.iterdir():
        os.utime(p, (now, now))


def build_floor(base: Path) -> Path | None:
    """Compiles bench/create_floor.c (a plain-C reference for add-many: the reads and the
    creates, nothing else) if a C compiler is there."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        log("no C compiler: skipping the filesystem floor")
        return None
    out = base / "create_floor"
    subprocess.run([cc, "-O2", "-pthread", "-o", str(out), str(REPO / "bench" / "create_floor.c")],
                   check=True)
    return out


def floor_time(floor: Path, template: Path, base: Path, runs: int = 3) -> float:
    """Median time of reading the small files and creating the same number of 1 KiB files in
    256 shard dirs, one thread per CPU, in C: what any tool must spend on this filesystem
    (no hashing, no manifest, no pointer file). Each run writes into a new directory, and
    nothing is deleted before the timed tools run (see `bench`)."""
    times = []
    for rep in range(runs):
        out = subprocess.run([str(floor), str(template), str(base / f"floor{rep}"), str(os.cpu_count())],
                             check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip()))
    return sorted(times)[len(times) // 2]


def time_cmd(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(label: str, fn) -> float | str:
    try:
        return fn()
    except Exception as e:  # a tool failing is a result, not a crash
        log(f"  {label}: ERROR\n{e}")
        return "error"


def bench(base: Path, n_files: int, big_size: int) -> list[dict]:
    results: list[dict] = []

    def row(name: str, desc: str, times: dict, **extra) -> None:
        r = {"workload": name, "description": desc, **times, **extra}
        d, c = times.get("dvc"), times.get("cairn")
        r["ratio"] = d / c if isinstance(d, float) and isinstance(c, float) and c > 0 else None
        results.append(r)

    # Many small files.
    log(f"generating {n_files:,} x 1 KiB files")
    template = base / "template" / "data"
    make_many(template, n_files, 1024)
    # Each tool adds into three fresh copies; the median counts (single runs of a
    # few hundred ms move by 20% with the machine). Cairn goes first, all three runs:
    # on ext4 without a journal, creating files right after many were deleted is
    # several times slower for minutes (the inode allocator skips recently deleted
    # inodes one by one), and `dvc add` deletes every workspace file it adds (it
    # re-creates them from the cache). In this order each tool pays only for its own
    # deletions.
    add_runs = 3
    add_t, st_t, ds_t, touch_t, push_t, s3_t = {}, {}, {}, {}, {}, {}
    s3 = S3Server.start()
    floor, floor_s = build_floor(base), None
    many: dict[str, Repo] = {}
    for t in ("cairn", "dvc"):
        times = []
        for rep in range(add_runs):
            r = Repo(base, t, f"many{rep}")
            copy_into(template, r)
            log(f"{t}: add data ({n_files:,} files), run {rep + 1}/{add_runs}")
            times.append(measure(f"{t} add", lambda: r.timed("add", "data")))
            many[t] = r
        ok = sorted(x for x in times if isinstance(x, float))
        add_t[t] = ok[len(ok) // 2] if len(ok) == add_runs else "error"
        r = many[t]
        log(f"{t}: status")
        st_t[t] = measure(f"{t} status", lambda: r.timed_many("status", "--json",
                                                              runs=10 if t == "cairn" else 3))
        log(f"{t}: data status --granular")
        ds_t[t] = measure(f"{t} data status", lambda: r.timed_many(
            "data", "status", "--granular", "--json", runs=10 if t == "cairn" else 3))
        touch_all(r.root / "data")
        log(f"{t}: status after touch")
        touch_t[t] = measure(f"{t} status (touched)", lambda: r.timed("status", "--json"))
        # A folder remote of its own (configured through dvc for both tools, so the
        # config is the same), pushed to once: every object is new there.
        store = base / f"store-{t}"
        subprocess.run([str(DVC), "remote", "add", "-d", "store", str(store)], cwd=r.root,
                       env=r.env, check=True, stdout=subprocess.DEVNULL)
        log(f"{t}: push to a folder remote")
        push_t[t] = measure(f"{t} push", lambda: r.timed("push"))
        if s3:
            # The same objects to a fresh bucket on one local S3 server (moto): both
            # tools talk to the same server, so the ratio is about the client side.
            s3.create_bucket(f"bench-{t}")
            s3.use(r, f"bench-{t}")
            log(f"{t}: push to S3 (local moto server)")
            s3_t[t] = measure(f"{t} push s3", lambda: r.timed("push", "-r", "s3"))
        if t == "cairn" and floor:
            log("filesystem floor: read + create the same objects in C")
            floor_s = measure("floor", lambda: floor_time(floor, template, base))
    extra = {"floor": floor_s} if floor else {}
    row("add-many", f"add {n_files:,} x 1 KiB files (one dir; median of 3)", add_t,
        same_output=same_file(many, "data.dvc"), **extra)
    row("status", "status right after add (median of repeated runs)", st_t)
    row("data-status", "data status --granular right after add (every file listed; median)", ds_t)
    row("status-touch", "status after touching every file's mtime", touch_t)
    row("push-many", f"push {n_files:,} objects (and the manifest) to a new folder remote", push_t)
    if s3:
        s3.stop()
        row("push-s3", f"push the same {n_files:,} objects to a new bucket on a local S3 (moto)", s3_t)
    shutil.rmtree(template.parent)
    for t in TOOLS:
        make_writable_and_remove(base / t)

    # One big file.
    mib = big_size >> 20
    log(f"generating a {mib} MiB file")
    big = base / "template-big" / "big.bin"
    big.parent.mkdir()
    make_big(big, big_size)
    repos = {t: Repo(base, t, "big") for t in TOOLS}
    for r in repos.values():
        copy_into(big, r)
    md5 = time_cmd(["md5sum", str(repos["dvc"].root / "big.bin")])
    big_t = {}
    for t, r in repos.items():
        log(f"{t}: add big.bin ({mib} MiB)")
        big_t[t] = measure(f"{t} add big", lambda: r.timed("add", "big.bin"))
    row("add-big", f"add one {mib} MiB file", big_t, md5sum=md5,
        same_output=same_file(repos, "big.bin.dvc"))
    return results


class S3Server:
    """A local S3 (moto, installed beside dvc by scripts/ensure-dvc.sh); None when absent."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(DVC.parent / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.1)

    @staticmethod
    def start() -> "S3Server | None":
        return S3Server() if (DVC.parent / "moto_server").exists() else None

    def create_bucket(self, name: str) -> None:
        code = ("import boto3; boto3.client('s3', endpoint_url='%s', aws_access_key_id='k', "
                "aws_secret_access_key='k', region_name='us-east-1').create_bucket(Bucket='%s')"
                % (self.endpoint, name))
        subprocess.run([str(DVC.parent / "python"), "-c", code], check=True)

    def use(self, repo: "Repo", bucket: str) -> None:
        """Makes `s3://bucket/store` the repo's remote `s3` (keys in config.local)."""
        for args in (["remote", "add", "s3", f"s3://{bucket}/store"],
                     ["remote", "modify", "s3", "endpointurl", self.endpoint],
                     ["remote", "modify", "--local", "s3", "access_key_id", "k"],
                     ["remote", "modify", "--local", "s3", "secret_access_key", "k"]):
            subprocess.run([str(DVC), *args], cwd=repo.root, env=repo.env, check=True,
                           stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def same_file(repos: dict[str, Repo], rel: str) -> bool:
    """Whether both tools wrote the same bytes at `rel` (a sanity check that
    the timings compare the same work)."""
    try:
        return (repos["dvc"].root / rel).read_bytes() == (repos["cairn"].root / rel).read_bytes()
    except OSError:
        return False


def make_writable_and_remove(path: Path) -> None:
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
    shutil.rmtree(path, ignore_errors=True)


def fmt_time(v) -> str:
    return f"{v:8.3f}s" if isinstance(v, float) else f"{v:>9}"


def print_table(results: list[dict], meta: dict) -> None:
    print(f"cairn {meta['cairn_version']} ({CAIRN}) vs dvc {meta['dvc_version']}; "
          f"{meta['cpus']} CPUs, {meta['platform']}; workloads in {meta.get('dir', tempfile.gettempdir())}")
    header = f"{'workload':<14} {'dvc':>9} {'cairn':>9} {'dvc/cairn':>10}  description"
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r['ratio']:9.1f}x" if r["ratio"] else f"{'-':>10}"
        print(f"{r['workload']:<14} {fmt_time(r['dvc'])} {fmt_time(r['cairn'])} {ratio}  "
              f"{r['description']}")
        if r.get("same_output") is False:
            print(f"{'':<14} WARNING: the two tools' .dvc files differ for this workload")
        if isinstance(r.get("floor"), float):
            best = f"{r['dvc'] / r['floor']:9.1f}x" if isinstance(r["dvc"], float) else f"{'-':>10}"
            print(f"{'  plain C':<14} {'':>9} {fmt_time(r['floor'])} {best}  "
                  f"reference: a C program reading the files and creating as many 1 KiB "
                  f"files in 256 dirs, one thread per CPU, no hashing")
        if "md5sum" in r:
            print(f"{'  md5sum':<14} {fmt_time(r['md5sum'])} {'':>9} {'':>10}  "
                  f"physical reference: md5sum of the same file (warm page cache)")


def version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except Exception:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 files and 64 MiB (smoke run)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--files", type=int, help="override the number of small files")
    ap.add_argument("--big-mib", type=int, help="override the big file size, in MiB")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--no-build", action="store_true", help="skip `cargo build --release`")
    ap.add_argument("--dir", help="where to create the workloads (default: the system temp "
                    "dir); e.g. /dev/shm to take the disk and its filesystem out of the picture")
    args = ap.parse_args()

    n_files = args.files or (1_000 if args.quick else 10_000)
    big_size = (args.big_mib or (64 if args.quick else 1024)) << 20

    if not args.no_build:
        log("cargo build --release -p cairn-cli")
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "cairn-cli"], cwd=REPO, check=True)
    if not CAIRN.is_file():
        log(f"missing {CAIRN}")
        return 1
    if not DVC.is_file():
        subprocess.run([str(REPO / "scripts" / "ensure-dvc.sh")], check=True)

    meta = {
        "cairn_version": version([str(CAIRN), "--version"]).removeprefix("cairn "),
        "dvc_version": version([str(DVC), "--version"]),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "files": n_files,
        "big_file_bytes": big_size,
        "dir": args.dir or tempfile.gettempdir(),
    }
    base = Path(tempfile.mkdtemp(prefix="cairn-bench-", dir=args.dir))
    try:
        results = bench(base, n_files, big_size)
    finally:
        if args.keep:
            log(f"kept {base}")
        else:
            make_writable_and_remove(base)

    if args.json:
        print(json.dumps({"meta": meta, "results": results}, indent=2))
    else:
        print_table(results, meta)
    return 1 if any("error" in (r["dvc"], r["cairn"]) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
