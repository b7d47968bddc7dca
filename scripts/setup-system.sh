#!/usr/bin/env bash
# Installs and starts the system components the tests need, from Debian's packages, when they
# are missing. Each later component (dockerd, bubblewrap, chromium) adds a block here.
# With CI=true a component that cannot be had fails the run; it is never skipped.
set -euo pipefail

need_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 24 ]; then
    echo "setup: Node $major is on PATH; run this through npm (npm test) so the pinned Node 26 is used" >&2
    exit 1
  fi
}

need_node
echo "setup: system components ok"
