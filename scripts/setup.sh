#!/usr/bin/env bash
# Installs what hoso needs to build, run and test on Debian 12, then builds it.
# Idempotent: skips apt when every package is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes (fuzz/run.sh); clang only
# recommends it, and recommends are not installed here.
PKGS=(build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
      libsqlite3-dev sqlite3 libcurl4-openssl-dev libqrencode-dev libhpdf-dev
      libmicrohttpd-dev libjansson-dev libsodium-dev libzint-dev
      fonts-dejavu-core python3 python3-fonttools
      poppler-utils zbar-tools qpdf curl valgrind)
if [ "${HOSO_WITH_BROWSER:-0}" = 1 ]; then PKGS+=(chromium); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$BUILD"
