#!/usr/bin/env bash
# Checks a .deb made by scripts/package.sh and unpacks it (for the desktop e2e to run the
# packaged app): the app and the `cairn` CLI side by side in /usr/bin, both runnable
# with nothing missing, the desktop entry, and the webkit2gtk dependency declared.
#
#   scripts/check-package.sh PACKAGE.deb DEST_DIR
set -euo pipefail
DEB="$1"
DEST="$2"
fail() { echo "package check: $*" >&2; exit 1; }

rm -rf "$DEST"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)" # absolute: the CLI is run from another directory below
dpkg-deb -x "$DEB" "$DEST"
for f in usr/bin/cairn-desktop usr/bin/cairn usr/share/applications/Cairn.desktop; do
  [[ -e "$DEST/$f" ]] || fail "$f is not in $DEB"
done
for bin in cairn-desktop cairn; do
  [[ -x "$DEST/usr/bin/$bin" ]] || fail "usr/bin/$bin is not executable"
  missing="$(ldd "$DEST/usr/bin/$bin" | grep 'not found' || true)"
  [[ -z "$missing" ]] || fail "usr/bin/$bin: libraries missing: $missing"
done
depends="$(dpkg-deb -f "$DEB" Depends)"
[[ "$depends" == *libwebkit2gtk-4.1-0* ]] || fail "Depends lacks libwebkit2gtk-4.1-0: $depends"
grep -q '^Exec=cairn-desktop' "$DEST/usr/share/applications/Cairn.desktop" \
  || fail "the desktop entry does not start cairn-desktop"
# The packaged CLI is a working cairn: it makes a DVC project in a fresh git repository.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
(cd "$work" && "$DEST/usr/bin/cairn" init >/dev/null) || fail "the packaged cairn could not init a repository"
[[ -f "$work/.dvc/config" ]] || fail "the packaged cairn's init wrote no .dvc/config"
echo "$DEB: cairn-desktop and cairn in /usr/bin, runnable; Depends: $depends"
