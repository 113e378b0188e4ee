#!/usr/bin/env bash
# The NAT lab (test/lab, `npm run test:lab`, root only): network namespaces, veth and bridges (iproute2),
# NAT and UDP filters (iptables), sysctl (procps), coturn on the lab's "internet", and the third-party guests:
# GStreamer's simple-whip-client (its GStreamer plugins come as dependencies) and headless Chromium. gcc and
# libc6-dev build test/lab/support/gupnp-igd-stub.c, without which Debian 12's whip-client aborts (libsoup 2
# and 3 in one process). Idempotent: installs only what is missing; with --check it only prints what is missing.
set -euo pipefail
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v sysctl >/dev/null 2>&1 || missing+=(procps)
command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
command -v whip-client >/dev/null 2>&1 || missing+=(simple-whip-client)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${1:-}" = --check ]; then
  [ ${#missing[@]} -eq 0 ] || { echo "${missing[*]}"; exit 1; }
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
