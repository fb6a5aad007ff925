#!/usr/bin/env bash
# Makes sure a Docker engine answers and a local `busybox` image exists.
# On Debian as root it installs docker.io and starts dockerd itself; no registry is needed:
# the image is built FROM scratch out of Debian's busybox-static.
set -euo pipefail

IMAGE=${DOCKERLAB_IMAGE:-busybox}
SOCK=/var/run/docker.sock

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

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

start_engine() {
  engine_answers && return 0
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "setup: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST" >&2; exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "setup: no Docker engine answers at $SOCK; start one (sudo systemctl start docker)" >&2; exit 1
  fi
  echo "setup: starting dockerd (log: /var/log/dockerd.log)"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    engine_answers && return 0
    sleep 0.5
  done
  echo "setup: dockerd did not answer within 30 s; see /var/log/dockerd.log" >&2
  tail -5 /var/log/dockerd.log >&2 || true
  exit 1
}

build_busybox() {
  docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  echo "setup: building image $IMAGE from Debian's busybox-static"
  local ctx; ctx=$(mktemp -d)
  cp /bin/busybox "$ctx/busybox"
  cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
  local out
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" 2>&1); then
    echo "$out" >&2; rm -rf "$ctx"; exit 1
  fi
  rm -rf "$ctx"
}

install_packages
start_engine
build_busybox
echo "setup: engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), image $IMAGE ready"
