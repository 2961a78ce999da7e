#!/usr/bin/env bash
# Installs the programs some tests drive: Debian's `chromium` (the HTML report test in
# tests/bundle_show.rs opens the report headless), `tmux` (the TUI test), `etcd-server` (the
# sequencer lease, tests/etcd.rs), `openssl` (the local RFC 3161 time-stamping authority,
# tests/timestamps.rs), the Python packages cbor2 and cryptography from PyPI (the
# independent COSE receipt checker, tests/support/check_receipt.py), and Garage, the
# S3-compatible object store (tests/s3.rs), built from crates.io with
# `cargo install garage --locked` into ~/.cargo/bin: about 9 minutes the first time on a
# 2-core machine, then kept there.
# Idempotent: exits at once when all are present. Needs root (or sudo) and apt-get, and pip.
set -euo pipefail

GARAGE_VERSION=2.5.0
if ! command -v garage >/dev/null 2>&1 && ! [ -x "$HOME/.cargo/bin/garage" ]; then
    echo "install-test-tools: building garage $GARAGE_VERSION (cargo install, about 9 minutes once)"
    cargo install garage --locked --version "$GARAGE_VERSION" --quiet
fi

if ! python3 -c "import cbor2, cryptography" >/dev/null 2>&1; then
    echo "install-test-tools: installing the Python packages cbor2 and cryptography"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        cbor2 cryptography
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-tools: chromium, tmux, etcd, openssl, garage, cbor2 and cryptography are present"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: apt-get not found; install ${missing[*]} by hand" >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-test-tools: not root and no sudo; install ${missing[*]} by hand" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "install-test-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
