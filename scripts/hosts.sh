#!/usr/bin/env bash
# A multi-host rig on one machine (groundwork for labs across hosts): `hosts.sh up N` gives N-1 more Docker
# engines, each in a network namespace of its own (dlab-h2 ... dlab-hN), on one bridge with the machine's own
# engine (10.233.0.1 = h1, 10.233.0.K = hK), each with its own data root, exec root, socket
# (unix:///run/dockerlab-hK.sock) and the busybox image. Idempotent. `hosts.sh down` removes every namespace,
# daemon, data root, veth and the bridge, and takes the engines out of any swarm first. `hosts.sh status` lists.
# Each host also has an interface dlab-lan0 on one more bridge, dlab-lan, with no address: a LAN that a macvlan
# network of each host can take as its parent (labs/macvlan-swarm.yaml).
# The rig forms no swarm: whether a lab may form one is the lab's to say.
# The engines are of the version the machine's own engine is (ENGINE, see engine.sh).
set -euo pipefail
. "$(dirname "$0")/engine.sh"
BRIDGE=dlab-hbr
NET=10.233.0
STATE=/run/dockerlab-hosts
DATA=/var/lib/dockerlab-hosts
IMAGE=${DOCKERLAB_IMAGE:-busybox}
RULE=(DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT)  # Docker's FORWARD policy drops bridged traffic
LAN=dlab-lan
LAN_RULE=(DOCKER-USER -i "$LAN" -o "$LAN" -j ACCEPT)

sock() { echo "unix:///run/dockerlab-h$1.sock"; }
version_of() { docker -H "$(sock "$1")" version --format '{{.Server.Version}}' 2>/dev/null; }
answers() { version_of "$1" >/dev/null; }

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  iptables -C "${RULE[@]}" 2>/dev/null || iptables -I "${RULE[@]}"
  ip link show "$LAN" >/dev/null 2>&1 || ip link add "$LAN" type bridge
  ip link set "$LAN" up
  iptables -C "${LAN_RULE[@]}" 2>/dev/null || iptables -I "${LAN_RULE[@]}"
  if ! ip link show dlab-lan0 >/dev/null 2>&1; then  # h1's
    ip link add dlab-lan0 type veth peer name dlab-lan0p
    ip link set dlab-lan0p master "$LAN" up
    ip link set dlab-lan0 up
  fi
}

host_up() {
  local k=$1 ns=dlab-h$1
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
  if ! ip link show "dlabh${k}r" >/dev/null 2>&1; then
    ip link add "dlabh${k}r" type veth peer name "dlabh${k}n"
    ip link set "dlabh${k}n" netns "$ns"
    ip link set "dlabh${k}r" master "$BRIDGE" up
    ip -n "$ns" addr add "$NET.$k/24" dev "dlabh${k}n"
    ip -n "$ns" link set "dlabh${k}n" up
    ip -n "$ns" link set lo up
    ip -n "$ns" route add default via "$NET.1"
  fi
  if ! ip link show "dlabl${k}r" >/dev/null 2>&1; then  # its interface on the LAN
    ip link add "dlabl${k}r" type veth peer name "dlabl${k}n"
    ip link set "dlabl${k}n" netns "$ns"
    ip -n "$ns" link set "dlabl${k}n" name dlab-lan0
    ip -n "$ns" link set dlab-lan0 up
    ip link set "dlabl${k}r" master "$LAN" up
  fi
  if answers "$k"; then
    is_chosen "$(version_of "$k")" && return 0
    host_down "$k"  # another version: its data goes with it
  fi
  mkdir -p "$STATE/h$k" "$DATA/h$k"
  # nsenter, not `ip netns exec`: that remounts /sys, and dockerd then finds no devices cgroup
  PATH=$(engine_path) nsenter --net="/run/netns/$ns" setsid "$DOCKERD" --data-root "$DATA/h$k" \
    --exec-root "$STATE/h$k" -H "$(sock "$k")" --pidfile "$STATE/h$k.pid" --bip "172.$((29 + k)).0.1/24" "${DOCKERD_ARGS[@]}" \
    > "$STATE/h$k.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do answers "$k" && break; sleep 0.5; done
  answers "$k" || { echo "hosts: the engine of h$k did not start; see $STATE/h$k.log" >&2; tail -5 "$STATE/h$k.log" >&2; exit 1; }
  docker -H "$(sock "$k")" image inspect "$IMAGE" >/dev/null 2>&1 || docker save "$IMAGE" | docker -H "$(sock "$k")" load -q >/dev/null
}

host_down() {
  local k=$1 ns=dlab-h$1
  if answers "$k"; then
    docker -H "$(sock "$k")" swarm leave --force >/dev/null 2>&1 || true
    docker -H "$(sock "$k")" ps -aq | xargs -r docker -H "$(sock "$k")" rm -f >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/h$k.pid" ]; then
    local pid; pid=$(cat "$STATE/h$k.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # a daemon that died (killed, crashed) left its containers running: stop them, then undo their mounts
  for shim in $(pgrep -f "containerd-shim.* -address $STATE/h$k/" || true); do
    pkill -9 -P "$shim" 2>/dev/null || true
    kill -9 "$shim" 2>/dev/null || true
  done
  awk -v a="$DATA/h$k/" -v b="$STATE/h$k/" 'index($2, a) == 1 || index($2, b) == 1 {print $2}' /proc/mounts \
    | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  ip link del "dlabh${k}r" 2>/dev/null || true
  ip link del "dlabl${k}r" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "${STATE:?}/h$k" "$STATE/h$k.pid" "$STATE/h$k.log" "${DATA:?}/h$k"
}

existing() {  # namespaces, and what a host left behind without one (a daemon that died)
  { ip netns list | sed -n 's/^dlab-h\([0-9]\+\).*/\1/p'
    ls "$STATE" "$DATA" 2>/dev/null | sed -n 's/^h\([0-9]\+\)$/\1/p'; } | sort -nu
}

case "${1:-}" in
  up)
    n=${2:-2}
    [ "$n" -ge 2 ] || { echo "hosts: up N needs N >= 2 (h1 is this machine's engine)" >&2; exit 2; }
    docker image inspect "$IMAGE" >/dev/null 2>&1 || bash "$(dirname "$0")/setup-engine.sh" >/dev/null
    bridge_up
    for k in $(seq 2 "$n"); do host_up "$k"; done
    for k in $(existing); do [ "$k" -le "$n" ] || host_down "$k"; done
    echo "hosts: h1 = this machine's engine at $NET.1; $(for k in $(seq 2 "$n"); do printf 'h%s = %s at %s.%s; ' "$k" "$(sock "$k")" "$NET" "$k"; done)"
    ;;
  down)
    for k in $(existing); do host_down "$k"; done
    # the rig's nodes that the machine's engine, if it manages a swarm, still lists: known by their address
    if [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then
      for node in $(docker node ls -q); do
        case "$(docker node inspect -f '{{.Status.Addr}}' "$node")" in
          "$NET.1") ;;
          "$NET".*) docker node rm --force "$node" >/dev/null ;;
        esac
      done
    fi
    iptables -D "${RULE[@]}" 2>/dev/null || true
    iptables -D "${LAN_RULE[@]}" 2>/dev/null || true
    ip link del "$BRIDGE" 2>/dev/null || true
    ip link del dlab-lan0 2>/dev/null || true
    ip link del "$LAN" 2>/dev/null || true
    rmdir "$STATE" "$DATA" 2>/dev/null || true
    echo "hosts: down"
    ;;
  status)
    for k in $(existing); do printf 'h%s %s %s\n' "$k" "$(sock "$k")" "$(answers "$k" && echo answers || echo 'does not answer')"; done
    ;;
  *) echo "usage: $0 up N | down | status" >&2; exit 2 ;;
esac
