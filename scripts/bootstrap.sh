#!/usr/bin/env bash
# Installs what jwt-sync needs on a fresh Debian machine with Node 20+: the Debian packages for
# browser and JavaScriptCore tests (only when missing), pnpm 12.4.2, and the workspace's
# dependencies from the lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# better-sqlite3 builds from source against Node's own headers (no download).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

packages=(chromium libjavascriptcoregtk-4.0-bin libjavascriptcoregtk-4.0-dev libcurl4-openssl-dev zlib1g-dev pkg-config gcc)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "12.4.2" ]; then
  echo "bootstrap: installing pnpm 12.4.2"
  npm install -g pnpm@12.4.2 >/dev/null
fi

pnpm install --frozen-lockfile
