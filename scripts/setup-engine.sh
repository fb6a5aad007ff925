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
