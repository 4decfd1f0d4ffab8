#!/bin/sh
# Installs every Debian package diarium needs (when one is missing), then
# configures and builds into build/ (programs in build/bin/).
# Usage: scripts/setup.sh [extra cmake -D options...]
# DIARIUM_BUILD_DIR=dir builds elsewhere; DIARIUM_EXTRA_PKGS="..." installs
# more Debian packages (.ci/run: clang); CC and CXX choose the compilers;
# DIARIUM_WERROR=ON builds with warnings as errors (.ci/run).
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential cmake pkg-config libxapian-dev xapian-tools libstemmer-dev
      libutf8proc-dev libcmocka-dev zlib1g-dev liblz4-dev libmimalloc-dev
      python3 libmicrohttpd-dev chromium libpoppler-glib-dev libzip-dev
      libxml2-dev python3-reportlab python3-pil fonts-dejavu-core qpdf curl
      libcairo2-dev libtesseract-dev libleptonica-dev tesseract-ocr-swe
      tesseract-ocr-eng
      ${DIARIUM_EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
    || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing:$missing" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

BUILD_DIR=${DIARIUM_BUILD_DIR:-build}
if [ -n "${DIARIUM_WERROR:-}" ]; then
  set -- "-DDIARIUM_WERROR=$DIARIUM_WERROR" "$@"
fi
cmake -S . -B "$BUILD_DIR" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
