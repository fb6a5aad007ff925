#!/usr/bin/env bash
# Makes sure a Docker engine answers and a local `busybox` image exists.
# On Debian as root it installs what the engine needs and starts dockerd itself; no registry is needed:
# the image is built FROM scratch out of Debian's busybox-static.
# ENGINE=20 or ENGINE=28 (see engine.sh): switching stops the other engine, if these scripts started it, and
# starts the chosen one; each engine gets the image.
set -euo pipefail
. "$(dirname "$0")/engine.sh"

IMAGE=${DOCKERLAB_IMAGE:-busybox}
SOCK=/var/run/docker.sock

server_version() { docker version --format '{{.Server.Version}}' 2>/dev/null; }
engine_answers() { server_version >/dev/null; }

install_packages() {
  local missing=()
  if [ "$ENGINE_ROOT" = / ]; then
    command -v dockerd >/dev/null || missing+=(docker.io)
  else  # the engine comes from the cache; Debian 12's runc and tini serve it
    command -v runc >/dev/null || missing+=(runc)
    [ -x /usr/bin/tini-static ] || missing+=(tini)
  fi
  command -v iptables >/dev/null || missing+=(iptables)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v ip >/dev/null || missing+=(iproute2)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The pid of the dockerd of version $1 that these scripts started on the default socket; nothing when the engine
# that runs is someone else's (systemd's, Docker Desktop's), which is never stopped.
started_here() {
  (
    engine_layout "$1"
    pid=$(cat "$ENGINE_PID" 2>/dev/null) || exit 0
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- " --pidfile $ENGINE_PID -H unix://$SOCK " \
      && echo "$pid"
  ) || true
}

FIREWALL=/run/dockerlab-firewall  # the FORWARD policies before the first engine these scripts started

remember_firewall() {
  [ -f "$FIREWALL" ] && return 0
  { iptables -S FORWARD 2>/dev/null | sed -n 's/^-P FORWARD //p' || true
    ip6tables -S FORWARD 2>/dev/null | sed -n 's/^-P FORWARD //p' || true; } | tr '\n' ' ' > "$FIREWALL"
}

# An engine stopped leaves its firewall chains and FORWARD policies behind (Docker 28 drops IPv6 forwarding,
# which 20.10, not managing ip6tables, then inherits): its DOCKER* chains and their jumps go, the policies return.
forget_firewall() {
  local ipt table rule chain v4 v6
  for ipt in iptables ip6tables; do
    command -v "$ipt" >/dev/null || continue
    for table in filter nat raw mangle; do
      "$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) .*-j DOCKER' \
        | while read -ra rule; do "$ipt" -t "$table" -D "${rule[@]:1}" 2>/dev/null || true; done || true
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  [ -f "$FIREWALL" ] || return 0
  read -r v4 v6 < "$FIREWALL" || true
  [ -z "${v4:-}" ] || iptables -P FORWARD "$v4" 2>/dev/null || true
  [ -z "${v6:-}" ] || ip6tables -P FORWARD "$v6" 2>/dev/null || true
}

stop_other_engine() {
  local running=$1 major=${1%%.*} pid
  pid=$(started_here "$major")
  if [ -z "$pid" ]; then
    echo "setup: Docker $running answers at $SOCK, not ENGINE=$ENGINE, and these scripts did not start it, so they" \
         "leave it alone: stop it (sudo systemctl stop docker.socket docker.service) and run again, or use" \
         "ENGINE=$major" >&2
    exit 1
  fi
  bash "$(dirname "$0")/hosts.sh" down >/dev/null  # the rig runs the old version: it goes with it
  echo "setup: stopping Docker $running (ENGINE=$major) to start ENGINE=$ENGINE"
  kill "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then echo "setup: Docker $running did not stop within 30 s (pid $pid)" >&2; exit 1; fi
  forget_firewall
}

start_engine() {
  local running; running=$(server_version || true)
  if [ -n "$running" ] && { [ -z "$ENGINE_ASKED" ] || is_chosen "$running"; }; then
    return 0  # no ENGINE asked: the engine that answers is the user's choice
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then  # the user's own engine: never started or stopped here
    [ -z "$running" ] || { echo "setup: ENGINE=$ENGINE asked, but DOCKER_HOST=$DOCKER_HOST is Docker $running;" \
                                "unset DOCKER_HOST to let these scripts start Docker $ENGINE" >&2; exit 1; }
    echo "setup: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST" >&2; exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "setup: no Docker $ENGINE engine answers at $SOCK${running:+ (Docker $running does)}; as root," \
         "\`make engine ENGINE=$ENGINE\` starts one" >&2; exit 1
  fi
  bash "$(dirname "$0")/fetch-engine.sh"  # before anything stops: a failed fetch leaves the machine as it was
  [ -z "$running" ] || stop_other_engine "$running"
  remember_firewall
  echo "setup: starting Docker ENGINE=$ENGINE (log: $ENGINE_LOG)"
  PATH=$(engine_path) setsid "$DOCKERD" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --pidfile "$ENGINE_PID" \
    -H "unix://$SOCK" "${DOCKERD_ARGS[@]}" > "$ENGINE_LOG" 2>&1 < /dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    engine_answers && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "setup: dockerd (ENGINE=$ENGINE) did not answer within 30 s; see $ENGINE_LOG" >&2
  tail -5 "$ENGINE_LOG" >&2 || true
  exit 1
}

STAND_IN=2  # the version of the stand-in image below; a label on it

image_is_fine() {
  [ "$(docker image inspect -f '{{index .Config.Labels "io.dockerlab.stand-in"}}' "$IMAGE" 2>/dev/null)" = "$STAND_IN" ] \
    && return 0
  docker image inspect "$IMAGE" >/dev/null 2>&1 || return 1
  # an image of that name that is not ours: keep it if it has what a busybox image has (an older stand-in did not)
  docker run --rm --network none "$IMAGE" sh -c 'test -d /tmp -a -d /root -a -e /etc/passwd' >/dev/null 2>&1
}

build_busybox() {
  image_is_fine && return 0
  local old; old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)  # an older stand-in
  echo "setup: building image $IMAGE from Debian's busybox-static"
  local ctx; ctx=$(mktemp -d)
  # the whole root file system is made here, so the build runs nothing (a RUN step can hang under emulation)
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc" "$ctx/rootfs/root" "$ctx/rootfs/tmp" "$ctx/rootfs/var/tmp"
  chmod 1777 "$ctx/rootfs/tmp" "$ctx/rootfs/var/tmp"
  chmod 700 "$ctx/rootfs/root"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$ctx/rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$ctx/rootfs/etc/group"
  cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
LABEL io.dockerlab.stand-in=$STAND_IN
ENV PATH=/bin
CMD ["sh"]
DOCKERFILE
  local out
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" 2>&1); then
    echo "$out" >&2; rm -rf "$ctx"; exit 1
  fi
  rm -rf "$ctx"
  [ -z "$old" ] || docker image rm "$old" >/dev/null 2>&1 || true
}

# `setup-engine.sh restart`: the engine these scripts started, stopped as a reboot stops it and started again
# (for tests of what a restart does to a lab). Exit 3 when the engine is someone else's: it is never restarted.
restart_engine() {
  local running pid
  running=$(server_version) || { echo "setup: no engine answers at $SOCK" >&2; exit 1; }
  pid=$([ -z "${DOCKER_HOST:-}" ] && started_here "${running%%.*}")
  if [ -z "$pid" ] || { [ -n "$ENGINE_ASKED" ] && ! is_chosen "$running"; }; then
    echo "setup: Docker $running is not an engine these scripts started: it is not restarted" >&2; exit 3
  fi
  kill "$pid"
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then echo "setup: Docker $running did not stop within 60 s (pid $pid)" >&2; exit 1; fi
  start_engine
}

if [ "${1:-}" = restart ]; then restart_engine; exit 0; fi
install_packages
start_engine
build_busybox
echo "setup: engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), image $IMAGE ready"
