"""Why a check did not come out as the lab expects, where that can be known: the confusions that fill Docker's
trackers. Pure: the lab, and the containers as the engine has them."""

from __future__ import annotations

from dockerlab.core.check import Check
from dockerlab.core.drivers import driver
from dockerlab.core.expect import By, Got, Probe
from dockerlab.core.model import PREDEFINED_NETWORKS, Lab
from dockerlab.core.observed import ObservedContainer

MACVLAN_HOST = ("a macvlan (or ipvlan) container and its own host cannot reach each other through the parent: "
                "the parent passes no frames between itself and its children (docker/docs#22607); give the "
                "network 'host_access' for a way in")
NO_DNS = ("is on Docker's default bridge only, where containers get no DNS by name; put both on a "
          "user-defined network, or check by ip")


def cause(lab: Lab, check: Check, got: Got) -> str | None:
    """Why a check that expects traffic or a name to get through got neither."""
    return blocked(lab, check, got) if check.expect.gets_through else None


def blocked(lab: Lab, check: Check, got: Got) -> str | None:
    """Why traffic or a name did not get through, whatever was expected (a learner who predicted it would)."""
    if check.expect.probe not in (Probe.REACH, Probe.DNS) or got not in (Got.UNREACHABLE, Got.UNRESOLVABLE):
        return None
    target = check.target_key
    if check.from_host or check.to_host:
        return _macvlan(lab, target if check.from_host else check.source)
    src, dst = lab.stack(check.source), lab.stack(target)  # one that shares a stack is on that one's networks
    if src is None:
        return None
    user = [a.network for a in src.attachments if a.network not in PREDEFINED_NETWORKS]
    by_name = check.by is By.NAME or check.expect.probe is Probe.DNS
    if by_name and not user and any(a.network == "bridge" for a in src.attachments):
        return f"{check.source} {NO_DNS}"
    if dst is None:
        return None
    mine, theirs = _networks(lab, check.source), _networks(lab, target)
    if not (mine.keys() & theirs.keys()) and not {"host"} & {n for n, _ in mine | theirs}:
        return (f"{check.source} is on {_names(mine)}, {target} on {_names(theirs)}: they share no network, and "
                "Docker keeps networks apart")
    return None


def _networks(lab: Lab, key: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(Docker name, where) -> (as the file names it, where). By Docker name, because a worker's part of a lab
    names an overlay so; a network per host is another network on another host, an overlay is one."""
    spec = lab.stack(key)
    if spec is None:
        return {}
    where = {a.network: "" if lab.spans_hosts(a.network) else spec.host for a in spec.attachments}
    return {(lab.docker_network_name(n), h): (n, h) for n, h in where.items()}


def _names(networks: dict[tuple[str, str], tuple[str, str]]) -> str:
    return ", ".join(sorted(f"{n} (host {h})" if h else n for n, h in networks.values())) or "no network"


def _macvlan(lab: Lab, key: str) -> str | None:
    spec = lab.container(key)
    for att in spec.attachments if spec else ():
        net = lab.network(att.network)
        if net is not None and driver(net.driver).parent and net.host_access is None:
            return MACVLAN_HOST
    return None


def missing(key: str) -> str:
    return f"container {key} is not on the engine; run `dockerlab apply` first"


def stopped(key: str, box: ObservedContainer, ended: tuple[str, str]) -> str:
    """A check's source or target that does not run: how it ended (exit code, last output)."""
    how, last = ended
    return f"container {key} is {box.state or 'stopped'} ({how}; its last output: {last})"
