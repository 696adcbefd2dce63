#!/usr/bin/env bash
# Installs what hoso needs to build, run and test on Debian 12, then builds it.
# Idempotent: skips apt when every package is already present.
#   ./scripts/setup.sh [--browser]
# --browser (or HOSO_WITH_BROWSER=1), as scripts/test.sh does: also Chromium, Node.js and
# npm for the browser tests, and playwright-core in tests/browser/node_modules (npm ci,
# again only when package-lock.json changed). It drives Debian's Chromium: no browser is
# downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=${HOSO_WITH_BROWSER:-0}
for arg in "$@"; do
  case "$arg" in
    --browser) WITH_BROWSER=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

# libclang-rt-14-dev: libFuzzer and clang's sanitizer runtimes (fuzz/run.sh); clang only
# recommends it, and recommends are not installed here. postgresql: the server binaries
# scripts/pg-cluster.sh runs a throwaway test cluster with (HOSO_TEST_DB=postgres); the
# package also sets up Debian's own cluster on port 5432, which the tests do not use.
PKGS=(build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
      libsqlite3-dev sqlite3 libpq-dev postgresql libcurl4-openssl-dev libqrencode-dev
      libhpdf-dev libmicrohttpd-dev libjansson-dev libsodium-dev libzint-dev
      fonts-dejavu-core python3 python3-fonttools
      poppler-utils zbar-tools qpdf curl valgrind)
if [ "$WITH_BROWSER" = 1 ]; then
  PKGS+=(chromium)
  # A node from elsewhere (e.g. NodeSource's, which bundles npm and conflicts with Debian's
  # npm package) is used as it is.
  command -v node >/dev/null || command -v nodejs >/dev/null || PKGS+=(nodejs)
  command -v npm >/dev/null || PKGS+=(npm)
fi

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

if [ "$WITH_BROWSER" = 1 ]; then
  lock=tests/browser/package-lock.json stamp=tests/browser/node_modules/.hoso-lock-sha256
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: npm ci in tests/browser" >&2
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" >"$stamp"
  fi
fi

BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=debugoptimized >/dev/null
fi
ninja -C "$BUILD"
