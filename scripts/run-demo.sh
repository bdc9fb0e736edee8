#!/usr/bin/env bash
# The first command on a fresh Debian/Ubuntu machine: installs what is missing, builds the
# desktop app and opens it on the bundled demo project (a small ML pipeline in
# standard-library Python, copied into ~/.local/share/cairn/projects/cairn-demo).
#
# Without a display (SSH session, container) it starts the browser mode instead and prints
# the URL to open (through an SSH tunnel: ssh -L 7780:127.0.0.1:7780 host).
#
#   scripts/run-demo.sh            desktop app (or browser mode without a display)
#   scripts/run-demo.sh --browser  browser mode even with a display
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

MODE=desktop
[[ "${1:-}" == "--browser" ]] && MODE=browser
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then MODE=browser; fi

SUDO=()
[[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null && SUDO=(sudo)
MISSING=()
command -v cc >/dev/null || MISSING+=(build-essential)
command -v pkg-config >/dev/null || MISSING+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || MISSING+=(libssl-dev)   # libcrypto's MD5
command -v curl >/dev/null || MISSING+=(curl ca-certificates)
command -v git >/dev/null || MISSING+=(git)
command -v python3 >/dev/null || MISSING+=(python3)   # the demo pipeline runs on it
command -v npm >/dev/null || MISSING+=(nodejs npm)
if [[ "$MODE" == desktop ]] && ! pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
  MISSING+=(libwebkit2gtk-4.1-dev)
fi
if ((${#MISSING[@]})); then
  command -v apt-get >/dev/null || die "please install: ${MISSING[*]}"
  say "apt-get install ${MISSING[*]}"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${MISSING[@]}"
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is needed to build the UI (found $(node --version)); see https://nodejs.org"

if ! command -v cargo >/dev/null && [[ -x "$HOME/.cargo/bin/cargo" ]]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
if ! command -v cargo >/dev/null; then
  say "installing Rust (rustup, minimal profile)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >/dev/null
  export PATH="$HOME/.cargo/bin:$PATH"
fi

say "building the UI (npm ci, vite build)"
npm --prefix ui ci --no-audit --no-fund --loglevel=error
npm --prefix ui run --silent build -- --logLevel warn

if [[ "$MODE" == desktop ]]; then
  say "building the desktop app and the cairn CLI beside it (debug; the first build takes a few minutes)"
  # *Run on* sends the CLI beside the app to SSH workers, as the installed package does.
  cargo build -p cairn-cli
  ui/node_modules/.bin/tauri build --debug --no-bundle
  say "starting Cairn on the demo project"
  exec "$REPO/target/debug/cairn-desktop" --demo
else
  say "no display: building the browser mode (cairn ui)"
  cargo build -p cairn-cli
  exec "$REPO/target/debug/cairn" ui --demo --no-open
fi
