# Sourced, not run: which Docker engine this machine's scripts start, and where its files are.
# ENGINE=20 (the default): Debian 12's own docker.io. ENGINE=28: Docker 28 from Debian's unstable suite,
# unpacked beside the system into a root-owned cache (nothing added to dpkg), with a data root of its own:
# an engine never opens another version's data. setup-engine.sh, hosts.sh and the VM read these names.
ENGINE_MARK=/run/dockerlab-engine  # "VERSION PID" of the engine these scripts started on the default socket
ENGINE_ASKED=${ENGINE:-}  # empty: any engine that answers will do; else this one, switched to if need be
[ -n "${ENGINE:-}" ] || { [ -f "$ENGINE_MARK" ] && ENGINE=$(cut -d. -f1 "$ENGINE_MARK"); }
ENGINE=${ENGINE:-20}
ENGINE_CACHE=/opt/dockerlab/engine-$ENGINE  # not under /var: the VM of test-kernel sees a fresh /var
case "$ENGINE" in
  20)
    ENGINE_ROOT=/
    DATA_ROOT=/var/lib/docker
    EXEC_ROOT=/var/run/docker
    ENGINE_PID=/var/run/docker.pid
    ;;
  28)
    ENGINE_ROOT=$ENGINE_CACHE/root
    DATA_ROOT=/var/lib/docker28
    EXEC_ROOT=/var/run/docker28
    ENGINE_PID=/var/run/docker28.pid
    ;;
  *) echo "engine: ENGINE=$ENGINE is not one of 20 (Debian 12's docker.io) or 28 (Docker 28.5)" >&2; exit 2 ;;
esac
ENGINE_LOG=/var/log/dockerd-$ENGINE.log
if [ "$ENGINE_ROOT" = / ]; then DOCKERD=/usr/sbin/dockerd; else DOCKERD=$ENGINE_ROOT/usr/sbin/dockerd; fi

# The chosen version's dockerd with its own containerd and shim first on PATH (runc and docker-init: Debian 12's).
engine_path() {
  if [ "$ENGINE_ROOT" = / ]; then echo "$PATH"; else echo "$ENGINE_ROOT/usr/sbin:$ENGINE_ROOT/usr/bin:$PATH"; fi
}
dockerd_args() {  # what every dockerd of this version needs besides its roots and socket
  [ "$ENGINE_ROOT" = / ] || echo "--userland-proxy-path $ENGINE_ROOT/usr/sbin/docker-proxy"
}
# Whether a server version (as `docker version` prints it) is the chosen engine's.
is_chosen() { case "$1" in "$ENGINE".*) return 0 ;; *) return 1 ;; esac; }
