#!/usr/bin/env bash
# THE test command of the project (`.ci/run` runs exactly this).
#
# On a fresh Debian/Ubuntu clone it installs what is missing, then runs:
#   1. prerequisites   apt packages (only if absent), Rust toolchain check
#   2. reference dvc   scripts/ensure-dvc.sh (.venv-dvc with dvc==3.67.1)
#   3. cargo fmt --all --check
#   4. cargo clippy --workspace --all-targets -- -D warnings
#   5. cargo build -p cairn-cli            (the binary the e2e tests run)
#   6. tests           cargo nextest run --workspace (or cargo test --workspace)
#   7. UI tests        (placeholder)
# Steps 3-6 all run even if an earlier one fails (a build failure skips the
# tests); the script exits non-zero if any step failed.
#
# Extra arguments are passed to the test runner, e.g.
#   ./scripts/test.sh -E 'test(status)'      (nextest filter)
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

if [[ -t 1 ]]; then BOLD=$'\e[1m'; RED=$'\e[31m'; GREEN=$'\e[32m'; RESET=$'\e[0m'
else BOLD=""; RED=""; GREEN=""; RESET=""; fi

section() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$RESET"; }
die() { printf '%sERROR: %s%s\n' "$RED" "$*" "$RESET" >&2; exit 1; }

FAILED=()
step() { # step NAME CMD...: run CMD, record NAME on failure
  local name="$1"; shift
  if "$@"; then
    printf '%sok%s: %s\n' "$GREEN" "$RESET" "$name"
  else
    printf '%sFAILED%s: %s\n' "$RED" "$RESET" "$name"
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

# ---------------------------------------------------------------------------
section "2/7 reference dvc (.venv-dvc)"
"$REPO/scripts/ensure-dvc.sh" || die "could not provide the reference dvc"
export CAIRN_DVC="$REPO/.venv-dvc/bin/dvc"
export CAIRN_BIN="$REPO/target/debug/cairn"
echo "CAIRN_DVC=$CAIRN_DVC ($("$CAIRN_DVC" --version))"
echo "CAIRN_BIN=$CAIRN_BIN"

# ---------------------------------------------------------------------------
section "3/7 cargo fmt --all --check"
step "rustfmt" cargo fmt --all --check

# ---------------------------------------------------------------------------
section "4/7 cargo clippy --workspace --all-targets -- -D warnings"
step "clippy" cargo clippy --workspace --all-targets -- -D warnings

# ---------------------------------------------------------------------------
section "5/7 cargo build -p cairn-cli"
if step "build cairn-cli" cargo build -p cairn-cli; then
  BUILT=1
else
  BUILT=0
fi

# ---------------------------------------------------------------------------
if [[ "$BUILT" == 1 ]]; then
  if cargo nextest --version >/dev/null 2>&1; then
    section "6/7 tests: cargo nextest run --workspace"
    step "tests" cargo nextest run --workspace --no-fail-fast "$@"
  else
    section "6/7 tests: cargo test --workspace (cargo-nextest not installed)"
    step "tests" cargo test --workspace --no-fail-fast "$@"
  fi
else
  section "6/7 tests: skipped (cairn-cli did not build)"
  FAILED+=("tests (skipped)")
fi

# ---------------------------------------------------------------------------
section "7/7 UI tests"
# Placeholder: UI tests (ui/, src-tauri/) will be added here.
echo "none yet"

# ---------------------------------------------------------------------------
section "summary"
if ((${#FAILED[@]})); then
  printf '%sFAILED:%s %s\n' "$RED" "$RESET" "${FAILED[*]}"
  exit 1
fi
printf '%sall checks passed%s\n' "$GREEN" "$RESET"
