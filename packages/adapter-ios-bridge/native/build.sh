#!/bin/sh
# Builds the native JavaScriptCore host: native/build/host.
# Needs Debian packages libjavascriptcoregtk-4.0-dev, libcurl4-openssl-dev, zlib1g-dev, pkg-config and a C compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
command -v cc >/dev/null || { echo "build.sh: no C compiler (cc) found; apt-get install -y gcc" >&2; exit 1; }
command -v pkg-config >/dev/null || { echo "build.sh: pkg-config missing; apt-get install -y pkg-config" >&2; exit 1; }
pkg-config --exists javascriptcoregtk-4.0 || { echo "build.sh: JavaScriptCore headers missing; apt-get install -y libjavascriptcoregtk-4.0-dev" >&2; exit 1; }
pkg-config --exists zlib || { echo "build.sh: zlib headers missing (the host gzips request bodies); apt-get install -y zlib1g-dev" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$here/build/host" "$here/host.c" $(pkg-config --cflags --libs javascriptcoregtk-4.0 zlib) -lcurl
echo "$here/build/host"
