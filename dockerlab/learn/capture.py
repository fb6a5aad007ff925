"""`dockerlab capture`: where a lab's packets can be seen, and tcpdump there.

A network's traffic is on its Linux bridge (bridge driver). A container's on one network is on the host-side
veth peer of its interface there, found by the peer index its interface reports. macvlan, ipvlan and overlay
interfaces have no host side: those are captured inside the container's network namespace. Everything runs
in the engine's own network namespace (nsenter), so it needs a local engine and root; argument lists only.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from dockerlab.core.model import STANDALONE_NETWORKS, Lab
from dockerlab.errors import DockerlabError
from dockerlab.host.facts import links_in
from dockerlab.host.host import Host
from dockerlab.plan.ownership import not_ours, own_container

BRIDGE_NAME = "com.docker.network.bridge.name"


@dataclass(frozen=True)
class Tap:
    """An interface to listen on, in the network namespace of a process (the engine, or a container)."""

    interface: str
    pid: int
    how: str  # said before the capture starts: what this place shows


def tap(lab: Lab, host: Host, target: str) -> Tap:
    """target: a container key (its first network), KEY@NETWORK, or a network key."""
    engine_pid = host.facts.engine_pid
    if not host.is_local or engine_pid is None or os.geteuid() != 0:
        raise DockerlabError("capture runs tcpdump in the engine's network namespace: it needs a local engine "
                             "and root")
    key, at, network = target.partition("@")
    if lab.container(key) is None:
        if at or lab.network(key) is None:
            known = ", ".join([c.key for c in lab.containers] + [n.key for n in lab.networks])
            raise DockerlabError(f"'{target}' is neither a container nor a network of lab {lab.name} ({known})")
        return _network_tap(lab, host, key, engine_pid)
    return _container_tap(lab, host, key, network, engine_pid)


def _network_tap(lab: Lab, host: Host, key: str, engine_pid: int) -> Tap:
    spec = lab.network(key)
    assert spec is not None
    live = host.engine.observe().network_named(spec.name)
    if live is None:
        raise DockerlabError(f"network {key} is not on the engine; `dockerlab apply` first")
    if why := not_ours(lab, live):
        raise DockerlabError(f"network {key} ({spec.name}) is not lab {lab.name}'s: {why}")
    if spec.driver != "bridge":
        raise DockerlabError(f"a {spec.driver} network has no bridge to listen on; capture a container on it "
                             f"(KEY@{key}), inside its network namespace")
    bridge = dict(live.options).get(BRIDGE_NAME) or f"br-{live.id[:12]}"
    return Tap(bridge, engine_pid, f"network {key}: its bridge {bridge} (every container on it)")


def _container_tap(lab: Lab, host: Host, key: str, network: str, engine_pid: int) -> Tap:
    spec = lab.container(key)
    assert spec is not None
    att = next((a for a in spec.attachments if a.network == network), None) if network else spec.attachments[0]
    if att is None:
        raise DockerlabError(f"container {key} is not on network '{network}'")
    box = own_container(lab, host.engine.observe(), spec.name, key, host.label)
    if box is None or not box.running:
        raise DockerlabError(f"container {key} is not running; `dockerlab apply` first")
    pid = int(host.engine.state(box.id).get("Pid") or 0)
    if att.network in STANDALONE_NETWORKS:
        where = "the host's own interfaces" if att.network == "host" else "its loopback only"
        return Tap("any" if att.network == "host" else "lo", pid, f"container {key} on '{att.network}': {where}")
    ep = box.endpoints.get(lab.docker_network_name(att.network))
    inner = next((link for link in links_in(pid) if ep and link.get("address") == ep.mac), None)
    if ep is None or inner is None:
        raise DockerlabError(f"cannot find container {key}'s interface on {att.network}")
    net = lab.network(att.network)
    if net is not None and net.driver != "bridge":
        return Tap(inner["ifname"], pid, f"container {key} on {att.network}: inside its network namespace, on "
                   f"{inner['ifname']} ({net.driver} has no host-side interface)")
    peer = next((link for link in links_in(engine_pid) if link.get("ifindex") == inner.get("link_index")), None)
    if peer is None:
        return Tap(inner["ifname"], pid, f"container {key} on {att.network}: inside its network namespace")
    return Tap(peer["ifname"], engine_pid, f"container {key} on {att.network}: the host side of its veth, "
               f"{peer['ifname']}")


def tcpdump(where: Tap, write: str | None, count: int | None, seconds: float | None, words: tuple[str, ...]
            ) -> list[str]:
    """The capture's argv: decoded lines, or pcap to a file ("-": to stdout, for `wireshark -k -i -`)."""
    program = shutil.which("tcpdump")
    if program is None:
        raise DockerlabError("capture needs tcpdump on this machine (`apt-get install tcpdump`)")
    argv = ["nsenter", f"--net=/proc/{where.pid}/ns/net", program, "-i", where.interface, "-n"]
    argv += ["-U", "-w", "-"] if write else ["-l"]  # a file is opened by open_pcap and given as stdout
    argv += ["-c", str(count)] if count else []
    argv += ["--", *words] if words else []  # a filter, never an option: `-z CMD` would have tcpdump run CMD
    # --foreground: in dockerlab's process group, where Ctrl-C reaches tcpdump too
    return ["timeout", "--foreground", "--preserve-status", "-s", "INT", str(seconds), *argv] if seconds else argv


def open_pcap(path: str) -> int:
    """A new file for the pcap, opened here: never one that exists, never through a link (as root, a link a user
    planted would be written through and its target truncated)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        raise DockerlabError(f"capture: {path} exists; give a new file name (a capture never overwrites a file "
                             "or follows a link)") from None
    except OSError as exc:
        raise DockerlabError(f"capture: cannot make {path}: {exc.strerror}") from None
