#!/usr/bin/env bash
# Build (once) the Debian sid root file system that carries Asterisk 22.
#
# Debian 12 has no asterisk package; sid has 22.x. We debootstrap a minimal sid
# into a cache folder outside the repository and run Asterisk inside it with
# chroot. The rootfs is rebuilt when it is missing or broken (no asterisk binary
# or an unfinished build marker).
#
# The mirror is read from this machine's own apt configuration, so the script
# names no host. Override with KCC_DEBIAN_MIRROR.
set -euo pipefail

ROOT="${KCC_ROOTFS:-/var/cache/kcc/rootfs-sid}"
PACKAGES="asterisk,asterisk-modules,asterisk-core-sounds-en-gsm,ca-certificates"

mirror() {
  if [ -n "${KCC_DEBIAN_MIRROR:-}" ]; then echo "$KCC_DEBIAN_MIRROR"; return; fi
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {for (i=2;i<=NF;i++) if ($i !~ /security/) {print $i; exit}}' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "build-rootfs: no Debian mirror found in apt sources; set KCC_DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}

healthy() {
  [ -x "$ROOT/usr/sbin/asterisk" ] && [ -f "$ROOT/.kcc-complete" ] && \
    chroot "$ROOT" /usr/sbin/asterisk -V >/dev/null 2>&1
}

if healthy; then
  echo "rootfs ok: $ROOT ($(chroot "$ROOT" /usr/sbin/asterisk -V))"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "build-rootfs: debootstrap missing: run 'make deps'" >&2; exit 1; }
echo "building Debian sid rootfs with Asterisk in $ROOT (about a minute)"
# Unmount anything a crashed run left mounted before wiping.
for m in proc dev/pts dev sys; do umount -l "$ROOT/$m" 2>/dev/null || true; done
rm -rf "$ROOT.tmp"
mkdir -p "$(dirname "$ROOT")"
debootstrap --variant=minbase --include="$PACKAGES" sid "$ROOT.tmp" "$(mirror)"
touch "$ROOT.tmp/.kcc-complete"
rm -rf "$ROOT"
mv "$ROOT.tmp" "$ROOT"
echo "rootfs ready: $(chroot "$ROOT" /usr/sbin/asterisk -V)"
