#!/usr/bin/env bash
# THE test command of the project (`.ci/run` runs exactly this).
#
# On a fresh Debian/Ubuntu clone it installs what is missing, then runs:
#   1. prerequisites   apt packages (only if absent), Rust toolchain check
#   2. reference dvc   scripts/ensure-dvc.sh (.venv-dvc with dvc==3.67.1, dvc-s3 and
#                      moto, the local S3 server of the S3 remote tests), in the
#                      background until the tests need it
#   3. cargo fmt --all --check
#   4. cargo clippy --workspace --all-targets -- -D warnings
#   5. cargo build -p cairn-cli            (the binary the e2e tests run)
#   6. tests           cargo nextest run --workspace (or cargo test --workspace)
#   7. UI tests        installs chromium/xvfb/webkit2gtk-driver/tauri-driver if absent, then
#                      npm ci, eslint, tsc, vitest, bindings staleness, vite build,
#                      Playwright e2e (Debian chromium) against `cairn ui`, the desktop
#                      package (a .deb of the app with the cairn CLI, checked), and the
#                      desktop e2e of the packaged app under Xvfb via tauri-driver +
#                      WebKitWebDriver.
#                      Screenshots land in artifacts/screenshots/. CAIRN_SKIP_DESKTOP=1
#                      skips the desktop build and e2e.
# Steps 3-6 all run even if an earlier one fails (a build failure skips the
# tests); the script exits non-zero if any step failed.
#
# Extra arguments are passed to the test runner, e.g.
#   ./scripts/test.sh -E 'test(status)'      (nextest filter)
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

# This script builds everything once, from scratch on CI: incremental caches would only
# cost time and disk (1.4 GB of a 5 GB target/ measured on a fresh clone, and a CI
# machine has run out of disk in the test build).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

if [[ -t 1 ]]; then BOLD=$'\e[1m'; RED=$'\e[31m'; GREEN=$'\e[32m'; RESET=$'\e[0m'
else BOLD=""; RED=""; GREEN=""; RESET=""; fi

section() { printf '\n%s==> %s%s  [%d s in]\n' "$BOLD" "$*" "$RESET" "$SECONDS"; }
die() { printf '%sERROR: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

FAILED=()
step() { # step NAME CMD...: run CMD, record NAME on failure
  local name="$1"; shift
  local start=$SECONDS
  if "$@"; then
    printf '%sok%s: %s (%d s)\n' "$GREEN" "$RESET" "$name" $((SECONDS - start))
  else
    printf '%sFAILED%s: %s (%d s)\n' "$RED" "$RESET" "$name" $((SECONDS - start))
    FAILED+=("$name")
    return 1
  fi
}

# ---------------------------------------------------------------------------
section "1/7 prerequisites"

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); fi
fi
APT_UPDATED=0
apt_install() { # apt_install PKG...: install the given packages (update once)
  command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get: install them manually"
  if [[ "$APT_UPDATED" == 0 ]]; then
    echo "apt-get update"
    "${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  echo "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" \
    || die "apt-get install $* failed"
}

MISSING=()
command -v python3 >/dev/null || MISSING+=(python3)
# Debian splits venv/ensurepip out of the interpreter package.
python3 -c 'import venv, ensurepip' 2>/dev/null || MISSING+=(python3-venv)
command -v cc >/dev/null || MISSING+=(build-essential)   # vendored libgit2, bundled sqlite
command -v curl >/dev/null || MISSING+=(curl ca-certificates)
# libcrypto's MD5 (cairn-data hashes long inputs with it), found through pkg-config.
command -v pkg-config >/dev/null || MISSING+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || MISSING+=(libssl-dev)
# Cairn's SSH remotes run the OpenSSH client (the test's server is Python's asyncssh).
command -v ssh-keygen >/dev/null || MISSING+=(openssh-client)
# Zoned timestamps in previews (and pyarrow's reading of them) use the tz database.
[[ -e /usr/share/zoneinfo/Europe/Paris ]] || MISSING+=(tzdata)
# npm installs the UI's packages, and Azurite for the Azure remote test (step 2).
command -v npm >/dev/null || MISSING+=(nodejs npm)
if ((${#MISSING[@]})); then
  apt_install "${MISSING[@]}"
  # `python3-venv` is a meta package; if the interpreter is newer, ask again.
  python3 -c 'import venv, ensurepip' 2>/dev/null \
    || apt_install "python$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
fi

# Rust: the workspace needs a recent stable (edition 2024); distro cargo is
# too old, so use rustup.
if ! command -v cargo >/dev/null && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
  echo "installing Rust with rustup"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --component rustfmt,clippy >/dev/null \
    || die "could not install Rust; install it from https://rustup.rs"
  export PATH="$HOME/.cargo/bin:$PATH"
fi
for comp in rustfmt clippy; do
  sub="${comp/rustfmt/fmt}"
  if ! cargo "$sub" --version >/dev/null 2>&1; then
    command -v rustup >/dev/null || die "cargo $sub is missing and there is no rustup to add it"
    rustup component add "$comp" || die "rustup component add $comp failed"
  fi
done
cargo --version

# A full run needs ~8 GB here (target/ ~5 GB, .venv-dvc 1 GB, the UI's Debian packages);
# say so up front rather than fail in a linker with "Bus error".
AVAIL_KB=$(df -Pk "$REPO" | awk 'NR==2 {print $4}')
echo "free disk at $REPO: $((AVAIL_KB / 1024)) MB"
if ((AVAIL_KB < 8 * 1024 * 1024)); then
  printf '%swarning: less than 8 GB free; the build may run out of disk%s\n' "$RED" "$RESET" >&2
fi

# ---------------------------------------------------------------------------
section "2/7 reference dvc (.venv-dvc): installed in the background while 3-5 compile"
# pip and npm wait on the network and the disk, cargo on the CPU: side by side they
# save the ~3 minutes the install takes on a fresh clone.
DVC_LOG="$(mktemp)"
"$REPO/scripts/ensure-dvc.sh" >"$DVC_LOG" 2>&1 &
DVC_PID=$!
export CAIRN_DVC="$REPO/.venv-dvc/bin/dvc"
export CAIRN_BIN="$REPO/target/debug/cairn"
echo "CAIRN_BIN=$CAIRN_BIN"

# ---------------------------------------------------------------------------
section "3/7 cargo fmt --all --check"
step "rustfmt" cargo fmt --all --check

# ---------------------------------------------------------------------------
section "4/7 cargo clippy --workspace --all-targets -- -D warnings (the desktop shell: in 7/7)"
step "clippy" cargo clippy --workspace --exclude cairn-desktop --all-targets -- -D warnings

# ---------------------------------------------------------------------------
section "5/7 cargo build -p cairn-cli"
if step "build cairn-cli" cargo build -p cairn-cli; then
  BUILT=1
else
  BUILT=0
fi

# ---------------------------------------------------------------------------
section "reference dvc (waiting for step 2)"
DVC_OK=1
wait "$DVC_PID" || DVC_OK=0
cat "$DVC_LOG"
rm -f "$DVC_LOG"
[[ "$DVC_OK" == 1 ]] || die "could not provide the reference dvc"
echo "CAIRN_DVC=$CAIRN_DVC ($("$CAIRN_DVC" --version))"

if [[ "$BUILT" == 1 ]]; then
  if cargo nextest --version >/dev/null 2>&1; then
    section "6/7 tests: cargo nextest run --workspace"
    step "tests" cargo nextest run --workspace --exclude cairn-desktop --no-fail-fast "$@"
  else
    section "6/7 tests: cargo test --workspace (cargo-nextest not installed)"
    step "tests" cargo test --workspace --exclude cairn-desktop --no-fail-fast "$@"
  fi
else
  section "6/7 tests: skipped (cairn-cli did not build)"
  FAILED+=("tests (skipped)")
fi

# ---------------------------------------------------------------------------
section "7/7 UI tests (ui/, src-tauri/)"
# Packages measured in ../shared/desktop-notes.md: webkit2gtk for the desktop build,
# Debian's chromium for Playwright (it cannot download browsers), Xvfb + WebKitWebDriver
# for the desktop e2e. Only what is absent is installed.
UI_MISSING=()
command -v chromium >/dev/null || UI_MISSING+=(chromium)
command -v Xvfb >/dev/null || UI_MISSING+=(xvfb xauth)
command -v WebKitWebDriver >/dev/null || UI_MISSING+=(webkit2gtk-driver)
pkg-config --exists webkit2gtk-4.1 2>/dev/null || UI_MISSING+=(libwebkit2gtk-4.1-dev pkg-config)
command -v npm >/dev/null || UI_MISSING+=(nodejs npm)
if ((${#UI_MISSING[@]})); then apt_install "${UI_MISSING[@]}"; fi
node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; }
node_ok || die "Node.js >= 20.19 is needed for the UI (found $(node --version 2>/dev/null || echo none)); install it from https://nodejs.org"
if ! command -v tauri-driver >/dev/null; then
  echo "cargo install tauri-driver --locked --version ^2"
  cargo install tauri-driver --locked --version '^2' >/dev/null 2>&1 || die "could not install tauri-driver"
fi

if step "npm ci" npm --prefix ui ci --no-audit --no-fund --loglevel=error; then
  step "eslint" npm --prefix ui run --silent lint
  step "tsc --noEmit" npm --prefix ui run --silent typecheck
  step "vitest" npm --prefix ui run --silent test
  # The bindings test (run in step 6) rewrote the file from the Rust types; a
  # difference from the committed copy means someone forgot to regenerate it. Run over
  # the workspace, as step 6 built it: `-p cairn-api` alone resolves other features and
  # rebuilds the crates (a minute).
  step "bindings.ts up to date" bash -c 'cargo test -q --workspace --exclude cairn-desktop --test api bindings:: >/dev/null &&
    git ls-files --error-unmatch ui/src/ipc/bindings.ts >/dev/null &&
    git diff --exit-code -- ui/src/ipc/bindings.ts'
  if step "vite build" npm --prefix ui run --silent build -- --logLevel warn; then
    mkdir -p artifacts/screenshots
    if [[ "$BUILT" == 1 ]]; then
      step "browser e2e (Playwright + chromium vs cairn ui)" \
        env CAIRN_BIN="$CAIRN_BIN" node ui/e2e/browser.mjs
    fi
    if [[ "${CAIRN_SKIP_DESKTOP:-0}" != 1 ]]; then
      # A runnable debug binary with the frontend embedded (plain `cargo build`
      # would load devUrl instead).
      # src-tauri is outside steps 4 and 6: it needs webkit2gtk and a built ui/dist.
      step "clippy cairn-desktop" cargo clippy -p cairn-desktop --all-targets -- -D warnings
      step "cairn-desktop tests (mock runtime: api command, capabilities)" cargo test -q -p cairn-desktop
      # The app as it is installed: a .deb with the CLI beside the app, unpacked, and the
      # desktop e2e run on the packaged binary.
      if step "desktop package (scripts/package.sh --debug: the app and the cairn CLI in a .deb)" \
        scripts/package.sh --debug --no-ui-build \
        && step "package contents (scripts/check-package.sh)" \
          scripts/check-package.sh "$(ls -t target/debug/bundle/deb/*.deb | head -1)" artifacts/deb; then
        # Our own X server, stopped whatever happens.
        DISP=99
        while [[ -e "/tmp/.X11-unix/X$DISP" || -e "/tmp/.X$DISP-lock" ]]; do DISP=$((DISP + 1)); done
        Xvfb ":$DISP" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
        XVFB_PID=$!
        trap 'kill "$XVFB_PID" 2>/dev/null' EXIT
        for _ in $(seq 50); do [[ -e "/tmp/.X11-unix/X$DISP" ]] && break; sleep 0.1; done
        step "desktop e2e (tauri-driver + WebKitWebDriver under Xvfb)" \
          env DISPLAY=":$DISP" CAIRN_DESKTOP_BIN="$REPO/artifacts/deb/usr/bin/cairn-desktop" node ui/e2e/desktop.mjs
        kill "$XVFB_PID" 2>/dev/null
        wait "$XVFB_PID" 2>/dev/null
        trap - EXIT
      fi
    fi
    echo "screenshots: $REPO/artifacts/screenshots/"
  fi
fi

# ---------------------------------------------------------------------------
section "summary"
if ((${#FAILED[@]})); then
  printf '%sFAILED:%s %s\n' "$RED" "$RESET" "${FAILED[*]}"
  exit 1
fi
printf '%sall checks passed%s\n' "$GREEN" "$RESET"
