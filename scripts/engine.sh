# Sourced, not run: which Docker engine this machine's scripts start, and where its files are.
# ENGINE=20: Debian 12's own docker.io. ENGINE=28: Docker 28 from Debian's unstable suite, unpacked beside the
# system into a root-owned cache (nothing added to dpkg), with a data root of its own: an engine never opens
# another version's data. Without ENGINE: the version of the engine that answers, else 20.
# setup-engine.sh, hosts.sh and the VM read these names.
ENGINE_ASKED=${ENGINE:-}  # empty: any engine that answers will do; else this one, switched to if need be
if [ -z "$ENGINE_ASKED" ]; then
  case "$(docker version --format '{{.Server.Version}}' 2>/dev/null || true)" in
    28.*) ENGINE=28 ;;
    *) ENGINE=20 ;;
  esac
fi
ENGINE_CACHES=/opt/dockerlab  # not under /var: the VM of test-kernel sees a fresh /var

# The files of one version: its dockerd, roots, pidfile and log.
engine_layout() {
  case "$1" in
    20) ENGINE_ROOT=/; DATA_ROOT=/var/lib/docker; EXEC_ROOT=/var/run/docker; ENGINE_PID=/var/run/docker.pid ;;
    28) ENGINE_ROOT=$ENGINE_CACHES/engine-28/root; DATA_ROOT=/var/lib/docker28; EXEC_ROOT=/var/run/docker28
        ENGINE_PID=/var/run/docker28.pid ;;
    *) echo "engine: ENGINE=$1 is not one of 20 (Debian 12's docker.io) or 28 (Docker 28.5)" >&2; exit 2 ;;
  esac
  ENGINE_CACHE=$ENGINE_CACHES/engine-$1
  ENGINE_LOG=/var/log/dockerd-$1.log
  if [ "$ENGINE_ROOT" = / ]; then DOCKERD=/usr/sbin/dockerd; else DOCKERD=$ENGINE_ROOT/usr/sbin/dockerd; fi
  DOCKERD_ARGS=()  # what every dockerd of this version needs besides its roots and socket
  [ "$ENGINE_ROOT" = / ] || DOCKERD_ARGS=(--userland-proxy-path "$ENGINE_ROOT/usr/sbin/docker-proxy")
}
engine_layout "$ENGINE"
# a docker CLI for a machine that has none (the one already on PATH wins: it talks to both engines)
[ "$ENGINE_ROOT" = / ] || PATH=$PATH:$ENGINE_ROOT/usr/bin

# The chosen version's dockerd with its own containerd and shim first on PATH (runc and docker-init: Debian 12's).
engine_path() {
  if [ "$ENGINE_ROOT" = / ]; then echo "$PATH"; else echo "$ENGINE_ROOT/usr/sbin:$ENGINE_ROOT/usr/bin:$PATH"; fi
}
# Whether a server version (as `docker version` prints it) is the chosen engine's.
is_chosen() { case "$1" in "$ENGINE".*) return 0 ;; *) return 1 ;; esac; }
