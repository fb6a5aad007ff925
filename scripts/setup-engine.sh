#!/usr/bin/env bash
# Makes sure a Docker engine answers and a local `busybox` image exists.
# On Debian as root it installs docker.io and starts dockerd itself; no registry is needed:
# the image is built FROM scratch out of Debian's busybox-static.
# ENGINE=20 (default) or ENGINE=28 (see engine.sh): switching stops the other engine, if these scripts started
# it, and starts the chosen one; each engine gets the image.
set -euo pipefail
. "$(dirname "$0")/engine.sh"

IMAGE=${DOCKERLAB_IMAGE:-busybox}
SOCK=/var/run/docker.sock

server_version() { docker version --format '{{.Server.Version}}' 2>/dev/null; }
engine_answers() { server_version >/dev/null; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
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

# Docker 28 from Debian's unstable suite: downloaded once with a private apt list (the system's dpkg and sources
# are left as they are), unpacked into the cache. The archive is the one this machine's own sources name.
fetch_engine28() {
  [ -x "$ENGINE_ROOT/usr/sbin/dockerd" ] && return 0
  local archive apt work
  archive=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [ -n "$archive" ] || archive=$(awk '$1 == "deb" && $0 ~ / main/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$archive" ] || { echo "setup: no Debian archive in this machine's apt sources to fetch Docker 28 from" >&2; exit 1; }
  echo "setup: fetching Docker 28 (docker.io, containerd, docker-compose) from Debian's unstable suite"
  work=$ENGINE_CACHE/apt
  rm -rf "$work" && mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $archive sid main" > "$work/sources.list"
  apt=(-qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Dir::State::status=/dev/null
       -o APT::Sandbox::User=root)
  apt-get "${apt[@]}" update || { echo "setup: could not read Debian's unstable suite (no network?)" >&2; exit 1; }
  local version; version=$(apt-cache "${apt[@]}" show docker.io 2>/dev/null | sed -n 's/^Version: //p' | head -1)
  is_chosen "$version" || { echo "setup: Debian's unstable suite has docker.io ${version:-(none)}, not $ENGINE.x" >&2; exit 1; }
  (cd "$work/debs" && apt-get "${apt[@]}" download docker.io containerd docker-compose) \
    || { echo "setup: could not download Docker $version" >&2; exit 1; }
  rm -rf "$ENGINE_ROOT.new" && mkdir -p "$ENGINE_ROOT.new"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$ENGINE_ROOT.new"; done
  rm -rf "$ENGINE_ROOT" && mv "$ENGINE_ROOT.new" "$ENGINE_ROOT"  # whole or not at all
  rm -rf "$work"
}

# The engine answering on the default socket, when these scripts started it: "VERSION PID", else nothing.
started_here() {
  [ -f "$ENGINE_MARK" ] || return 0
  local version pid; read -r version pid < "$ENGINE_MARK"
  if kill -0 "$pid" 2>/dev/null && [ "$(basename "$(readlink "/proc/$pid/exe")")" = dockerd ]; then
    echo "$version $pid"
  fi
}

stop_other_engine() {
  local running=$1 mine version pid
  mine=$(started_here)
  if [ -z "$mine" ]; then
    echo "setup: Docker $running answers at $SOCK, not ENGINE=$ENGINE, and these scripts did not start it;" \
         "stop it (sudo systemctl stop docker) and run again, or run with ENGINE=${running%%.*}" >&2
    exit 1
  fi
  read -r version pid <<< "$mine"
  bash "$(dirname "$0")/hosts.sh" down >/dev/null  # the rig runs the old version: it goes with it
  echo "setup: stopping Docker $running (ENGINE=${version%%.*}) to start ENGINE=$ENGINE"
  kill "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { echo "setup: Docker $running did not stop within 30 s (pid $pid)" >&2; exit 1; }
  rm -f "$ENGINE_MARK"
}

start_engine() {
  local running; running=$(server_version || true)
  if [ -n "$running" ] && { [ -z "$ENGINE_ASKED" ] || is_chosen "$running" || [ -n "${DOCKER_HOST:-}" ]; }; then
    return 0  # no ENGINE asked, or DOCKER_HOST named one: the engine that answers is the user's choice
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "setup: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST" >&2; exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "setup: no Docker $ENGINE engine answers at $SOCK${running:+ (Docker $running does)}; start one" \
         "(sudo systemctl start docker)" >&2; exit 1
  fi
  [ "$ENGINE" = 20 ] || fetch_engine28  # before anything stops: a failed fetch leaves the machine as it was
  [ -z "$running" ] || stop_other_engine "$running"
  echo "setup: starting Docker ENGINE=$ENGINE (log: $ENGINE_LOG)"
  # shellcheck disable=SC2046 # dockerd_args is words
  PATH=$(engine_path) setsid "$DOCKERD" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" --pidfile "$ENGINE_PID" \
    -H "unix://$SOCK" $(dockerd_args) > "$ENGINE_LOG" 2>&1 < /dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    if engine_answers; then echo "$(server_version) $pid" > "$ENGINE_MARK"; return 0; fi
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

install_packages
start_engine
build_busybox
echo "setup: engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), image $IMAGE ready"
