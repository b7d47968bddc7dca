#!/usr/bin/env bash
# Installs and starts the system components the tests need, from Debian's packages, when they
# are missing: dockerd (docker.io), bubblewrap, a static busybox for the test image, debootstrap
# for `palisade sandbox build` offline, chromium for the Control UI browser tests. Quick when
# everything is already there (no apt, no start).
# With CI=true a component that cannot be had fails the run; it is never skipped.
set -euo pipefail

ci() { [ "${CI:-}" = "true" ]; }
die() {
  echo "setup: $*" >&2
  exit 1
}
# Outside CI a developer without root gets a warning; the tests that need the part then fail
# with their own message. In CI the run stops here.
missing() {
  if ci || [ "$(id -u)" = "0" ]; then die "$*"; fi
  echo "setup: warning: $*" >&2
}

need_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 24 ]; then
    echo "setup: Node $major is on PATH; run this through npm (npm test) so the pinned Node 26 is used" >&2
    exit 1
  fi
}

# Debian package -> a file it installs, to tell whether it is there without asking apt.
declare -A PROBE=(
  [docker.io]=/usr/sbin/dockerd
  [bubblewrap]=/usr/bin/bwrap
  [busybox-static]=/usr/bin/busybox
  [debootstrap]=/usr/sbin/debootstrap
  [systemd]=/usr/bin/systemd-analyze  # security tests score the generated unit offline
  [chromium]=/usr/bin/chromium  # Control UI browser tests (playwright-core drives Debian's build)
)

apt_install() {
  local want=()
  for pkg in "${!PROBE[@]}"; do [ -x "${PROBE[$pkg]}" ] || want+=("$pkg"); done
  [ "${#want[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    missing "missing ${want[*]}; install them with: apt-get install ${want[*]}"
    return 0
  fi
  echo "setup: installing ${want[*]}"
  # apt hands a temp file to its unprivileged _apt user: use a world-traversable TMPDIR in case
  # /tmp is private (0700) on this machine.
  export TMPDIR=/var/tmp DEBIAN_FRONTEND=noninteractive
  if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] ||
    ! apt-get install -y -q --no-install-recommends "${want[@]}" >/var/tmp/palisade-apt.log 2>&1; then
    apt-get update -q >/var/tmp/palisade-apt.log 2>&1 || { cat /var/tmp/palisade-apt.log >&2; die "apt-get update failed"; }
    apt-get install -y -q --no-install-recommends "${want[@]}" >>/var/tmp/palisade-apt.log 2>&1 ||
      { tail -20 /var/tmp/palisade-apt.log >&2; die "apt-get install ${want[*]} failed"; }
  fi
  for pkg in "${want[@]}"; do [ -x "${PROBE[$pkg]}" ] || die "$pkg installed but ${PROBE[$pkg]} is missing"; done
}

SOCK=/var/run/docker.sock
# GET /_ping over the Engine API socket with the Node that runs the tests (curl may be absent).
docker_up() {
  [ -S "$SOCK" ] || return 1
  node -e '
    const r = require("node:http").get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 }, (res) =>
      process.exit(res.statusCode === 200 ? 0 : 1));
    r.on("error", () => process.exit(1));
    r.on("timeout", () => process.exit(1));' "$SOCK"
}

start_dockerd() {
  docker_up && return 0
  [ -x /usr/sbin/dockerd ] || return 0 # reported by apt_install
  if [ "$(id -u)" != "0" ]; then
    missing "dockerd is not running and only root can start it"
    return 0
  fi
  echo "setup: starting dockerd (log /var/log/palisade-dockerd.log)"
  # Detached so it outlives this script and the test run; no systemd on build machines.
  setsid nohup /usr/sbin/dockerd >/var/log/palisade-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker_up && return 0
    sleep 0.5
  done
  tail -20 /var/log/palisade-dockerd.log >&2 || true
  die "dockerd did not answer on $SOCK within 30 s"
}

check_bwrap() {
  [ -x /usr/bin/bwrap ] || return 0
  bwrap --unshare-all --ro-bind / / --die-with-parent true ||
    missing "bubblewrap cannot create namespaces on this machine"
}

need_node
apt_install
start_dockerd
check_bwrap
echo "setup: system components ok"
