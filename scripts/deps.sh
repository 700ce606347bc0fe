#!/usr/bin/env bash
# Install the Debian packages newsidx needs to build and test, if any is missing.
# usage: scripts/deps.sh [extra-package...]
set -euo pipefail

pkgs=(cmake make gcc pkg-config libsqlite3-dev libxml2-dev zlib1g-dev libjansson-dev
      libstemmer-dev libmicrohttpd-dev nettle-dev libcmocka-dev python3 "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "newsidx: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "newsidx: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
