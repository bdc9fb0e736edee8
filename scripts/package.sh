#!/usr/bin/env bash
# Builds the installable desktop package: a .deb holding the app (`cairn-desktop`) and,
# beside it in /usr/bin, the `cairn` command-line program — which the app runs on SSH
# workers (*Run on*) and which terminal users and CI use on the same repositories.
#
#   scripts/package.sh           release build → target/release/bundle/deb/*.deb
#   scripts/package.sh --debug   debug build (quicker; what CI checks) → target/debug/bundle/deb/
#   --no-ui-build                use the ui/dist already built
#
# Needs what scripts/run-demo.sh installs (Rust, Node, webkit2gtk). The bundle settings are
# in src-tauri/tauri.bundle.json, merged over tauri.conf.json only here, so everyday
# builds need no `cairn` sidecar in place.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

PROFILE=release
CARGO_FLAGS=(--release)
TAURI_FLAGS=()
UI_BUILD=1
for arg in "$@"; do
  case "$arg" in
    --debug) PROFILE=debug CARGO_FLAGS=() TAURI_FLAGS=(--debug) ;;
    --no-ui-build) UI_BUILD=0 ;;
    *) echo "usage: scripts/package.sh [--debug] [--no-ui-build]" >&2; exit 2 ;;
  esac
done
if ! command -v cargo >/dev/null && [[ -x "$HOME/.cargo/bin/cargo" ]]; then export PATH="$HOME/.cargo/bin:$PATH"; fi

say "building the cairn CLI ($PROFILE)"
cargo build "${CARGO_FLAGS[@]}" -p cairn-cli
# Tauri takes a sidecar as NAME-<target triple> and installs it as NAME beside the app.
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
mkdir -p src-tauri/binaries
cp "target/$PROFILE/cairn" "src-tauri/binaries/cairn-$TRIPLE"

if [[ ! -d ui/node_modules ]]; then
  say "npm ci (ui)"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi
if ((UI_BUILD)); then
  say "building the UI"
  npm --prefix ui run --silent build -- --logLevel warn
fi

say "building the desktop package ($PROFILE, .deb)"
ui/node_modules/.bin/tauri build "${TAURI_FLAGS[@]}" --config src-tauri/tauri.bundle.json
ls "$REPO/target/$PROFILE/bundle/deb/"*.deb
