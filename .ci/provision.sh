#!/usr/bin/env bash
# Everything the tests need beyond node_modules, for `npm test` (its pretest step) and .ci/run alike: runs every
# .ci/*-deps.sh. Each of those is idempotent and installs only what is missing (apt-get, as root); with --check it
# installs nothing, prints what is missing on one line and exits 1 when something is. A new kind of dependency is
# a new .ci/<name>-deps.sh.
# Not root: installs nothing, and says in one line what to run when something is missing (tests that need it
# are then skipped, or fail with CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts=(.ci/*-deps.sh)
if [ "$(id -u)" -eq 0 ]; then
  for script in "${scripts[@]}"; do bash "$script"; done
  exit 0
fi
missing=()
for script in "${scripts[@]}"; do
  if ! found=$(bash "$script" --check 2>/dev/null); then missing+=(${found:-"$(basename "$script" .sh)"}); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  # HOME kept: the interop server is unpacked under the user's cache, where the tests look for it.
  printf 'r58 tests: %s missing; install with: sudo env HOME=%q %q\n' "${missing[*]}" "$HOME" "$(pwd)/.ci/provision.sh" >&2
fi
