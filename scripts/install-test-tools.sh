#!/usr/bin/env bash
# Installs the programs some tests drive: Debian's `chromium` (the HTML report test in
# tests/bundle_show.rs opens the report headless) and `tmux` (the TUI test).
# Idempotent: exits at once when both are present. Needs root (or sudo) and apt-get.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-tools: chromium and tmux are present"
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
