#!/usr/bin/env bash
# Debian packages the project needs on the host. Installs only what is missing,
# so a second run is instant.
set -euo pipefail
PACKAGES=(debootstrap sip-tester redis-server espeak-ng sox chromium postgresql ca-certificates make)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages ok"
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install ${missing[*]} (run as root or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start system-wide services we do not use; ours run on
# their own ports. Stop them so they hold no ports or memory.
for svc in redis-server postgresql; do
  command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null || true
  command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1 || true
done
echo "system packages installed"
