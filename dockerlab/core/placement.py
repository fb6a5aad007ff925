"""Where a lab's objects go when it spans hosts. Pure.

Each host gets a slice of the lab: its containers, and the networks they use. Overlay networks are made by
the swarm manager and span the hosts; on the other hosts a container joins them by Docker name. Every other
network (bridge, macvlan, ipvlan) is per host: made on each host that has a container on it (a network no
container uses is made on the first host); a config-only network, on each host where a network takes its settings.
"""

from __future__ import annotations

from dataclasses import replace

from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import ContainerSpec, Lab, NetworkSpec, with_settings

ONE = ""  # the host key of a lab on one engine


def host_keys(lab: Lab) -> list[str]:
    return [h.key for h in lab.hosts] or [ONE]


def manager(lab: Lab) -> str:
    return lab.swarm.manager if lab.swarm else host_keys(lab)[0]


def swarm_networks(lab: Lab) -> set[str]:
    """Docker names of the lab's swarm-scoped networks."""
    return {n.name for n in lab.networks if n.spans_hosts}


def slice_for(lab: Lab, key: str) -> Lab:
    """The part of the lab on one host. A lab on one engine is its own slice."""
    if not lab.hosts:
        return lab
    boss = key == manager(lab)
    here = [c for c in lab.containers if c.host == key]
    used = {a.network for c in here for a in c.attachments}
    anywhere = {a.network for c in lab.containers for a in c.attachments}
    first = key == lab.hosts[0].key
    networks = [n for n in lab.networks if not n.config_only and (  # those go where their users are
        boss if n.spans_hosts else n.key in used or (n.key not in anywhere and first))]
    networks += _settings_here(lab, networks, used)
    if not boss:
        here = [_by_name(lab, c) for c in here]
    return replace(lab, networks=with_settings(tuple(n.on(key) for n in networks)), containers=tuple(here), checks=())


def _settings_here(lab: Lab, networks: list[NetworkSpec], used: set[str]) -> list[NetworkSpec]:
    """Config-only networks go where a network takes their settings: each host that makes it, and, for one that
    spans hosts, each host with a container on it too (the engine there makes it with that host's settings)."""
    users = {n.config_from for n in lab.networks if n.config_from and (n in networks or n.key in used)}
    return [n for n in lab.networks if n.config_only and n.name in users and n not in networks]


def _by_name(lab: Lab, spec: ContainerSpec) -> ContainerSpec:
    """On a worker a container names the overlays it joins by their Docker names: they are made elsewhere."""
    def ref(att: Attachment) -> Attachment:
        net = lab.network(att.network)
        return replace(att, network=net.name) if net and net.spans_hosts else att
    return replace(spec, attachments=tuple(ref(a) for a in spec.attachments))
