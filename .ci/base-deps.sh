#!/usr/bin/env bash
# System packages the tests drive for real: coturn (TURN server on loopback), openssl (test certificates) and
# util-linux's script (a pseudo-terminal, to see spinners as a person would).
# Run by .ci/provision.sh: as root it installs what is missing; with --check it only prints what is missing.
set -euo pipefail
missing=()
command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
if [ "${1:-}" = --check ]; then
  echo "${missing[*]}"
  [ ${#missing[@]} -eq 0 ]
  exit
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
