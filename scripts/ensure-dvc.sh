#!/usr/bin/env bash
# Idempotently provide the reference `dvc` CLI that the cross-tool tests compare
# Cairn against: a private venv at <repo>/.venv-dvc with a pinned dvc.
#
# Quiet on success. Re-running is cheap: if the venv's dvc already reports the
# pinned version nothing is installed.
set -euo pipefail

DVC_VERSION="3.67.1"
# S3 remotes: dvc's plugin, and moto's local S3 server for the cross-tool tests.
DVC_S3_VERSION="3.3.0"
# SSH remotes: dvc's plugin (asyncssh, which also runs the test's SSH server).
DVC_SSH_VERSION="4.3.0"
# Azure remotes: dvc's plugin, and Azurite (npm), Microsoft's local Blob Storage emulator.
DVC_AZURE_VERSION="3.1.1"
# Google Cloud Storage remotes: dvc's plugin, and a local GCS emulator (pip).
DVC_GS_VERSION="3.1.0"
GCS_EMULATOR_VERSION="2026.7.19"
# WebDAV remotes: dvc's plugin, and WsgiDAV (with its cheroot server) as the test's server.
DVC_WEBDAV_VERSION="3.0.1"
WSGIDAV_VERSION="4.4.0"
CHEROOT_VERSION="11.1.2"
AZURITE_VERSION="3.35.0"
MOTO_VERSION="5.2.5"
# TensorBoard's own writer and reader, the judge of Cairn's event-file reader.
TENSORBOARD_VERSION="2.20.0"
# W&B's SDK, whose offline runs are the judge of Cairn's `.wandb` reader.
WANDB_VERSION="0.31.0"
# pyarrow, the judge of Cairn's Parquet previews.
PYARROW_VERSION="26.0.1"
# GTO, whose `gto show` is the judge of Cairn's model registry (git tags).
GTO_VERSION="1.10.1"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv-dvc"
AZURITE="$VENV/azurite/node_modules/.bin/azurite-blob"
PYTHON="${PYTHON:-python3}"

export DVC_NO_ANALYTICS=1

installed_version() {
  # `dvc --version` prints just the version, e.g. "3.67.1".
  "$VENV/bin/dvc" --version 2>/dev/null | tr -d '[:space:]' || true
}

extras_present() {
  [[ -x "$VENV/bin/moto_server" && -x "$AZURITE" ]] \
    && "$VENV/bin/python" -c "import dvc_s3, dvc_ssh, dvc_azure, dvc_gs, dvc_webdav, wsgidav, cheroot, gcp_storage_emulator, moto, tensorboard, wandb, pyarrow, gto; assert moto.__version__ == '$MOTO_VERSION'; assert tensorboard.__version__ == '$TENSORBOARD_VERSION'; assert wandb.__version__ == '$WANDB_VERSION'; assert pyarrow.__version__ == '$PYARROW_VERSION'; from importlib.metadata import version; assert version('gto') == '$GTO_VERSION'" 2>/dev/null
}

if [[ -x "$VENV/bin/dvc" && "$(installed_version)" == "$DVC_VERSION" ]] && extras_present; then
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

fail() {
  echo "ensure-dvc: $1" >&2
  echo "---- log ----" >&2
  cat "$log" >&2
  exit 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV" >"$log" 2>&1 \
    || fail "could not create $VENV (on Debian/Ubuntu: apt-get install python3-venv)"
fi

"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  "dvc==$DVC_VERSION" "dvc-s3==$DVC_S3_VERSION" "dvc-ssh==$DVC_SSH_VERSION" "dvc-azure==$DVC_AZURE_VERSION" "dvc-gs==$DVC_GS_VERSION" "gcp-storage-emulator==$GCS_EMULATOR_VERSION" \
  "dvc-webdav==$DVC_WEBDAV_VERSION" "wsgidav==$WSGIDAV_VERSION" "cheroot==$CHEROOT_VERSION" \
  "moto[server]==$MOTO_VERSION" \
  "tensorboard==$TENSORBOARD_VERSION" "wandb==$WANDB_VERSION" "pyarrow==$PYARROW_VERSION" "gto==$GTO_VERSION" "protobuf==7.36.2" "numpy==2.4.6" >"$log" 2>&1 \
  || fail "pip install dvc==$DVC_VERSION dvc-s3 dvc-ssh dvc-azure dvc-gs dvc-webdav wsgidav gcp-storage-emulator moto tensorboard wandb pyarrow gto failed"

if [[ ! -x "$AZURITE" ]]; then
  command -v npm >/dev/null || fail "npm is needed to install Azurite for the Azure remote test (apt-get install nodejs npm)"
  npm install --prefix "$VENV/azurite" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >"$log" 2>&1 \
    || fail "npm install azurite@$AZURITE_VERSION failed"
fi

got="$(installed_version)"
[[ "$got" == "$DVC_VERSION" ]] || fail "expected dvc $DVC_VERSION in $VENV, got '${got:-nothing}'"
extras_present || fail "dvc-s3 $DVC_S3_VERSION, dvc-ssh $DVC_SSH_VERSION, dvc-azure $DVC_AZURE_VERSION, dvc-gs $DVC_GS_VERSION, dvc-webdav $DVC_WEBDAV_VERSION, wsgidav $WSGIDAV_VERSION, gcp-storage-emulator $GCS_EMULATOR_VERSION, Azurite $AZURITE_VERSION, moto $MOTO_VERSION, tensorboard $TENSORBOARD_VERSION, wandb $WANDB_VERSION, pyarrow $PYARROW_VERSION or gto $GTO_VERSION is missing from $VENV"
