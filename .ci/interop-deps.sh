#!/usr/bin/env bash
# Third-party WebRTC peers for the interop tests, all from Debian:
# - test/integration/whip/interop-janus.test.ts: Janus (apt) and Meetecho's simple-whip-server. Debian packages
#   simple-whip-server, but its node-* dependencies conflict with a nodejs that is not Debian's (libnode108 vs
#   nodejs-legacy), so the server and the node modules it needs are fetched with `apt-get download` and unpacked
#   (not installed) into $R58_INTEROP_DIR.
# - test/integration/relay/interop-chromium.test.ts: headless Chromium (apt, /usr/bin/chromium) on the relay's
#   guest page, driven by playwright-core (an npm dev dependency; it never downloads a browser).
# Both tests use unshare and ip (util-linux, iproute2). Idempotent: installs and unpacks only what is missing.
# Run by .ci/provision.sh; with --check it only prints what is missing (exit 1 when something is).
set -euo pipefail
dir="${R58_INTEROP_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/r58-interop}"
missing=()
command -v janus >/dev/null 2>&1 || missing+=(janus)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${1:-}" = --check ]; then
  [ -f "$dir/root/usr/share/simple-whip-server/src/server.js" ] || missing+=(simple-whip-server)
  echo "${missing[*]}"
  [ ${#missing[@]} -eq 0 ]
  exit
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
if [ -f "$dir/root/usr/share/simple-whip-server/src/server.js" ]; then
  echo "simple-whip-server already unpacked in $dir"
  exit 0
fi
packages=(
  simple-whip-server
  libjs-async libjs-inherits libjs-typedarray-to-buffer node-accepts node-array-flatten node-async
  node-body-parser node-bytes node-colors node-content-disposition node-content-type node-cookie-signature
  node-cookie node-cors node-debbundle-es-to-primitive node-debug node-deep-equal node-depd node-encodeurl
  node-escape-html node-etag node-express node-finalhandler node-fresh node-function-bind node-http-errors
  node-iconv-lite node-inherits node-ipaddr.js node-media-typer node-merge-descriptors node-methods
  node-mime-types node-mime node-ms node-negotiator node-object-assign node-object-inspect node-on-finished
  node-parseurl node-path-to-regexp node-proxy-addr node-qs node-range-parser node-raw-body node-safe-buffer
  node-send node-serve-static node-setprototypeof node-statuses node-toidentifier node-type-is
  node-typedarray-to-buffer node-unpipe node-utils-merge node-vary node-websocket
)
mkdir -p "$dir/debs" "$dir/root"
cd "$dir/debs"
if ! apt-get download "${packages[@]}" >/dev/null 2>&1; then
  apt-get update
  apt-get download "${packages[@]}"
fi
for deb in ./*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
echo "simple-whip-server and its node modules unpacked in $dir"
