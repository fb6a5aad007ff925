"""Meaning checks of config-only networks, the networks that take their settings (config_from), and swarm scope:
what Docker refuses, said before anything is made."""

from __future__ import annotations

from itertools import combinations

from dockerlab.core.drivers import driver
from dockerlab.core.model import Lab, NetworkSpec
from dockerlab.labfile.yamlsource import Found, Path


def config_problems(lab: Lab) -> Found:
    for net in lab.networks:
        here: Path = ("networks", net.key)
        if net.config_only:
            yield from _config_only(lab, net, here)
            yield from _per_host(lab, net, here)
        elif net.per_host:
            yield here + ("per_host",), "per_host is a config-only network's: each host's settings for others"
        if net.config_from:
            yield from _config_from(lab, net, here)
        if net.scope == "swarm" and not driver(net.driver).parent and not driver(net.driver).swarm:
            yield here + ("scope",), f"scope swarm is for macvlan and ipvlan networks, not {net.driver}"
        elif net.scope == "swarm" and not lab.swarm:
            yield here + ("scope",), "a swarm-scoped network needs the lab's 'swarm:' (hosts that form one)"
        elif net.scope == "swarm" and not net.config_from:
            yield here + ("scope",), ("a swarm-scoped macvlan or ipvlan network takes each host's settings from a "
                                      "config-only network: give it config_from (and each host a range, per_host)")
        if net.scope == "local" and driver(net.driver).swarm:
            yield here + ("scope",), f"{net.driver} networks are swarm-scoped: drop 'scope: local'"


def _config_only(lab: Lab, net: NetworkSpec, here: Path) -> Found:
    if driver(net.driver).swarm:
        yield here + ("driver",), f"config-only networks hold settings for bridge, macvlan or ipvlan, not {net.driver}"
    if net.external or net.scope == "swarm" or net.internal or net.attachable:
        yield here + ("config_only",), ("a config-only network holds settings for others: it is the lab's, local, "
                                        "and neither internal nor attachable (say those on the networks that use it)")
    for box in lab.containers:
        if any(lab.docker_network_name(a.network) == net.name for a in box.attachments):
            yield ("containers", box.key, "networks"), (f"'{net.key}' is config-only: no container joins it; join "
                                                       "a network that takes its settings (config_from)")
    users = [n for n in lab.networks if n.config_from == net.name]
    if net.pools and len(users) > 1:
        yield ("networks", users[1].key, "config_from"), (
            f"'{users[0].key}' takes the settings of '{net.key}' too: two networks on one host cannot share its "
            "subnet; make a config-only network for each")


def _config_from(lab: Lab, net: NetworkSpec, here: Path) -> Found:
    source = next((n for n in lab.networks if n.name == net.config_from and n.config_only), None)
    if source is None:
        yield here + ("config_from",), "names no config-only network of this lab (a network with config_only: true)"
    elif source.driver != net.driver:
        yield here + ("driver",), f"'{source.key}' holds settings for {source.driver} networks, not {net.driver}"
    if net.config_only or driver(net.driver).swarm:
        yield here + ("config_from",), "config_from is for bridge, macvlan and ipvlan networks that are not config-only"


def _per_host(lab: Lab, net: NetworkSpec, here: Path) -> Found:
    """Each host's own settings: hosts of the lab, ranges inside the subnet and apart. A network across the
    swarm needs them: each host's engine hands out its addresses alone."""
    keys = [h.key for h in lab.hosts]
    for own in net.per_host:
        at = here + ("per_host", own.host)
        subnet = next((p.subnet for p in net.pools if own.ip_range and p.subnet.version == own.ip_range.version),
                      None)
        if own.host not in keys:
            yield at, f"no host '{own.host}' in this lab" + (f" (hosts: {', '.join(keys)})" if keys else "")
        elif own.ip_range and (subnet is None or not own.ip_range.subnet_of(subnet)):  # type: ignore[arg-type]
            yield at + ("ip_range",), (f"{own.ip_range} is not inside a subnet of this network of its IP version"
                                       f" ({', '.join(str(p.subnet) for p in net.pools) or 'none: give one'})")
    for a, b in combinations([h for h in net.per_host if h.ip_range], 2):
        if a.ip_range.version == b.ip_range.version and a.ip_range.overlaps(b.ip_range):  # type: ignore
            yield here + ("per_host", b.host, "ip_range"), (f"overlaps the range of host {a.host}; each host hands "
                                                            "out its own")
    spanning = [n for n in lab.networks if n.config_from == net.name and n.spans_hosts]
    ranged = {h.host for h in net.per_host if h.ip_range}
    on = {c.host for c in lab.containers for a in c.attachments if a.network in {n.key for n in spanning}}
    hosts = on | ({lab.swarm.manager} if lab.swarm else set())  # where each makes it with its own settings
    if spanning and len(hosts) > 1 and not hosts <= ranged:
        yield here, (f"'{spanning[0].key}' spans the swarm, whose hosts hand out its addresses each alone: give each "
                     "host a range of its own, per_host: {HOST: {ip_range: ...}}")
