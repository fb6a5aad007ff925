"""What a lab's hosts have, read together: each host observed with the same fixed number of calls, all hosts
at once. A host that does not answer stops everything before anything is changed anywhere."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

from dockerlab.core import labels as L
from dockerlab.core.drivers import driver
from dockerlab.core.model import Lab
from dockerlab.core.observed import Membership, Observed
from dockerlab.core.placement import manager, slice_for
from dockerlab.errors import DockerlabError, EngineGone
from dockerlab.host.endpointids import moved, recorded
from dockerlab.host.host import Host
from dockerlab.plan.diff import needs_inspect

T = TypeVar("T")
RIG = re.compile(r"unix:///run/dockerlab-h(\d+)\.sock")  # the engines `make hosts` runs in network namespaces


@dataclass(frozen=True)
class Site:
    """One host with its slice of the lab."""

    key: str
    host: Host
    lab: Lab
    boss: bool  # the swarm manager: swarm-scoped networks are made and removed here


@dataclass(frozen=True)
class View:
    lab: Lab
    sites: dict[str, Site]
    observed: dict[str, Observed]
    swarm: dict[str, Membership]  # read only when the lab has overlay networks or formed a swarm

    def site_of(self, container_key: str) -> Site:
        spec = self.lab.container(container_key)
        return self.sites[spec.host if spec else next(iter(self.sites))]

    def observed_of(self, container_key: str) -> Observed:
        return self.observed[self.site_of(container_key).key]


def sites(lab: Lab, hosts: dict[str, Host]) -> dict[str, Site]:
    boss = manager(lab)
    return {key: Site(key, host, slice_for(lab, key), key == boss) for key, host in hosts.items()}


def observe(site: Site) -> Observed:
    host, lab = site.host, site.lab
    observed = host.engine.observe()
    if not site.boss:  # a worker sees the swarm's networks, but only the manager may change them
        observed = replace(observed, swarm_manager=False)
    if host.links is not None and _may_have_host_links(lab, observed):  # `ip` in the engine's network namespace
        observed = replace(observed, host_links=host.links.observe())
    if host.shaper is not None:  # tc in the namespaces of the few containers with impairments
        observed = host.shaper.observe(observed, lab)
    ids = recorded(lab.name)  # memberships made anew since the last apply left the lab in sync: inspected
    return host.engine.with_endpoint_details(observed, needs_inspect(lab, observed, moved(lab.name, observed, ids)))


def _may_have_host_links(lab: Lab, observed: Observed) -> bool:
    """A host's own interface is on a macvlan network's parent: one the file asks for, or one the lab made once
    (an empty lab, as destroy has, looks always)."""
    drivers = [n.driver for n in lab.networks] + [n.driver for n in observed.lab_networks(lab.name)]
    return not (lab.networks or lab.containers) or any(driver(d).host_access for d in drivers)


def each_host(hosts: dict[str, Host], work: Callable[[str, Host], T]) -> dict[str, T]:
    """work on every host at once; hosts that do not answer are said together, before anything else."""
    with ThreadPoolExecutor(max(1, len(hosts))) as pool:
        futures = {key: pool.submit(work, key, host) for key, host in hosts.items()}
        gone: dict[str, EngineGone] = {}
        for key, future in futures.items():
            try:
                future.result()
            except EngineGone as exc:
                gone[key] = exc
    if gone:
        raise EngineGone(_not_answering(hosts, gone))
    return {key: future.result() for key, future in futures.items()}


def _not_answering(hosts: dict[str, Host], gone: dict[str, EngineGone]) -> str:
    """The hosts that do not answer, said together; for the rig's engines, how to start them."""
    lines = [f"{hosts[key].label} does not answer: {exc}" if len(hosts) > 1 else str(exc) for key, exc in gone.items()]
    lines += ["nothing was changed on any host"] if len(hosts) > 1 else []
    if any(RIG.fullmatch(hosts[key].address) for key in gone):
        rig = max(int(m.group(1)) for host in hosts.values() if (m := RIG.fullmatch(host.address)))
        lines.append(f"the rig's engines (scripts/hosts.sh) start with `make hosts N={rig}` in a dockerlab checkout")
    return "\n".join(lines)


def connect(hosts: dict[str, Host]) -> None:
    """Every host's engine answers, and each host is an engine of its own."""
    each_host(hosts, lambda key, host: host.engine)
    seen: dict[str, str] = {}
    for key, host in hosts.items():
        if (other := seen.setdefault(host.engine.identity, key)) != key:
            raise DockerlabError(f"hosts {other} and {key} are one engine ({host.address}); give each host of the "
                                 "lab its own docker_host; nothing was changed")


def marked(lab: Lab, hosts: dict[str, Host], key: str, label: str) -> str | None:
    """What a lab's marker network (core.labels.MARKERS) says, on whichever host has it."""
    return marked_in(lab, each_host(hosts, lambda _, host: host.engine.observe()).values(), key, label)


def marked_in(lab: Lab, seen: Iterable[Observed], key: str, label: str) -> str | None:
    """The same, of hosts observed already."""
    for observed in seen:
        if (net := observed.lab_network(lab.name, key)) and net.labels.get(label):
            return net.labels[label]
    return None


def stage_now(lab: Lab, hosts: dict[str, Host]) -> str | None:
    """The stage a staged lab is at: the label of its marker network (labfile.stages)."""
    return marked(lab, hosts, L.STAGE_NETWORK, L.STAGE)


def look(lab: Lab, hosts: dict[str, Host], swarm: bool) -> View:
    """Every host observed at once; `swarm`: read each host's swarm membership too."""
    places = sites(lab, hosts)

    def one(key: str, host: Host) -> tuple[Observed, Membership | None]:
        observed = observe(places[key])
        return observed, host.engine.swarm_membership(lab.name, observed) if swarm else None

    found = each_host(hosts, one)
    return View(lab, places, {k: v[0] for k, v in found.items()},
                {k: v[1] for k, v in found.items() if v[1] is not None})
