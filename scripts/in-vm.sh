#!/usr/bin/env bash
# Inside the VM (see kernel-vm.sh): a private engine on a tmpfs, the image loaded, the kernel tests run.
# $1: the directory shared with the host, for the image in and the results out; $2: the ENGINE (engine.sh).
set -uo pipefail
OUT=$1; ENGINE=$2; shift 2
cd "$(dirname "$0")/.."
. scripts/engine.sh
export PYTHONDONTWRITEBYTECODE=1 DOCKER_HOST=unix:///run/docker-vm.sock DOCKERLAB_REQUIRE_ENGINE=1
mkdir -p /var/lib/docker-vm && mount -t tmpfs tmpfs /var/lib/docker-vm
PATH=$(engine_path) "$DOCKERD" --data-root /var/lib/docker-vm --exec-root /run/docker-vm -H "$DOCKER_HOST" \
  --pidfile /run/docker-vm.pid "${DOCKERD_ARGS[@]}" > "$OUT/dockerd.log" 2>&1 &
for _ in $(seq 1 120); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
docker load -q -i "$OUT/image.tar" > /dev/null
t0=$(date +%s.%N); .venv/bin/dockerlab --version > /dev/null; t1=$(date +%s.%N)
echo "in-vm: engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), booted and ready after $(cut -d' ' -f1 /proc/uptime) s; dockerlab starts in $(echo "$t1 - $t0" | bc) s" > "$OUT/engine"
.venv/bin/python -m pytest -p no:cacheprovider -rA -m kernel "$@" > "$OUT/pytest.log" 2>&1
echo $? > "$OUT/rc"
kill "$(cat /run/docker-vm.pid)" 2>/dev/null
