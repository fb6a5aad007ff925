"""Where a lab's objects go when it spans hosts, and how the plans of the hosts join into one. Pure.

Each host gets a slice of the lab: its containers, and the networks they use. Overlay networks are made by
the swarm manager and span the hosts; on the other hosts a container joins them by Docker name. Every other
network (bridge, macvlan, ipvlan) is per host: made on each host that has a container on it (a network no
container uses is made on the first host). The host plans become one plan, with steps that wait across hosts:
a worker's container joins an overlay after the manager made it, and the manager removes one after the
workers' containers left it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

from dockerlab.core import scheduler
from dockerlab.core.model import Attachment, ContainerSpec, Lab
from dockerlab.labfile.yamlsource import Path
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step, on_host

ONE = ""  # the host key of a lab on one engine
A, K = Action, Kind


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
    networks = tuple(n for n in lab.networks if (boss if n.spans_hosts else
                                                   n.key in used or (n.key not in anywhere and first)))
    if not boss:
        here = [_by_name(lab, c) for c in here]
    return replace(lab, networks=networks, containers=tuple(here), checks=())


def _by_name(lab: Lab, spec: ContainerSpec) -> ContainerSpec:
    """On a worker a container names the overlays it joins by their Docker names: they are made elsewhere."""
    def ref(att: Attachment) -> Attachment:
        net = lab.network(att.network)
        return replace(att, network=net.name) if net and net.spans_hosts else att
    return replace(spec, attachments=tuple(ref(a) for a in spec.attachments))


def merge(lab: Lab, plans: dict[str, Plan], swarm_steps: list[Step], mode: Mode, notes: list[str]) -> Plan:
    """One plan from the host plans: ids qualified by host, with the steps that wait across hosts."""
    boss = manager(lab)
    # a swarm that ends takes its networks with it, also those a node long gone still holds: not removed apart
    ending = any(s.kind is K.SWARM and s.action is A.REMOVE and s.host == boss for s in swarm_steps)
    gone = [s for s in plans[boss].steps if s.kind is K.NETWORK and s.scope == "swarm"] if ending else []
    if gone:
        swarm_steps = [replace(s, detail=f"{s.detail}, and its networks with it "
                                         f"({', '.join(sorted(g.name for g in gone))})") if s.host == boss else s
                       for s in swarm_steps]
    steps = [*swarm_steps]
    for key, plan in plans.items():
        steps += [replace(s, host=key, after=tuple(on_host(key, a) for a in s.after)) for s in plan.steps
                  if not (key == boss and s in gone)]
    joins = _Across(lab, steps)
    steps = [replace(s, after=tuple(sorted({*s.after, *joins.of(s)}))) for s in steps]
    ordered = scheduler.order(steps, key=lambda s: s.id, deps=lambda s: s.after)
    all_notes = [f"{f'host {k}: ' if k else ''}{n}" for k, p in plans.items() for n in p.notes] + notes
    return Plan(lab.name, tuple(ordered), mode, tuple(all_notes))


class _Across:
    """What a step waits for on other hosts."""

    def __init__(self, lab: Lab, steps: list[Step]) -> None:
        self.overlays = swarm_networks(lab)
        self.boss = manager(lab)
        self.ids = {s.id for s in steps}
        self.swarm = {s.host: s.id for s in steps if s.kind is K.SWARM and s.action is not A.REMOVE}
        self.leaving = [s for s in steps if s.kind is K.CONTAINER
                        and (s.action.takes_down or s.action is A.DISCONNECT)]
        self.leaves = {s.id for s in steps if s.kind is K.SWARM and s.action is A.REMOVE}
        self.on_hosts: dict[str, list[str]] = {}
        for s in steps:
            if s.kind is not K.SWARM:
                self.on_hosts.setdefault(s.host, []).append(s.id)
        self.lab = lab

    def of(self, step: Step) -> set[str]:
        if step.kind is K.SWARM:
            return self._swarm(step)
        joined = {self.swarm[step.host]} if step.host in self.swarm else set()
        if step.kind is K.NETWORK and (step.name in self.overlays or step.scope == "swarm"):
            if step.action is not A.CREATE:
                joined |= {s.id for s in self.leaving if s.host != step.host}
            return joined
        if step.kind is K.CONTAINER and self._joins_overlay(step):
            if step.host != self.boss:
                joined |= {on_host(self.boss, f"{K.NETWORK}:{a}:{n}") for n in self.overlays
                           for a in (A.CREATE, A.RECREATE)} & self.ids
            return joined
        return set()

    def _swarm(self, step: Step) -> set[str]:
        if step.action is A.CONNECT:
            return {self.swarm[self.boss]} if self.boss in self.swarm else set()
        if step.action is not A.REMOVE:
            return set()
        # leaving comes last: a worker after its own steps; the manager after everything else
        if step.host != self.boss:
            return set(self.on_hosts.get(step.host, ()))
        return {i for ids in self.on_hosts.values() for i in ids} | (self.leaves - {step.id})

    def _joins_overlay(self, step: Step) -> bool:
        if step.network:
            return step.network in self.overlays
        spec = self.lab.container(step.key or "")
        return bool(spec and step.action.builds and any(self.lab.docker_network_name(a.network) in self.overlays
                                                        for a in spec.attachments))


def problems(lab: Lab) -> Iterator[tuple[Path, str]]:
    """What the schema cannot say about hosts and the swarm."""
    keys = [h.key for h in lab.hosts]
    for box in lab.containers:
        if box.host and box.host not in keys:
            where = f"hosts: {', '.join(keys)}" if keys else "the lab has no 'hosts:' section"
            yield ("containers", box.key, "host"), f"no host '{box.host}' in this lab ({where})"
    if lab.swarm and lab.swarm.manager not in keys:
        yield ("swarm", "manager"), (f"no host '{lab.swarm.manager}' in this lab" if keys else
                                     "'swarm:' needs a 'hosts:' section that names the manager and its address")
    if lab.swarm and lab.swarm.form:
        for h in lab.hosts:
            if not h.address:
                yield ("hosts", h.key), ("'swarm: {form: true}' needs an 'address' on each host: the address the "
                                         "other hosts reach it at (the swarm's advertise address)")
    yield from _engine_addresses(lab)
    if len(keys) > 1:
        for i, check in enumerate(lab.checks):
            if check.source == "host" or check.target == "host":
                yield ("checks", i, "from"), "'host' is ambiguous in a lab across hosts; check between containers"


def _engine_addresses(lab: Lab) -> Iterator[tuple[Path, str]]:
    """A docker_host Docker can parse (a context name has no '://'), and no engine named twice."""
    named: dict[str, str] = {}
    for host in lab.hosts:
        address = host.docker_host or "DOCKER_HOST"
        if (first := named.setdefault(address, host.key)) != host.key:
            yield ("hosts", host.key), f"host '{first}' names this engine too ({address}); give each its own"
        if "://" not in address:
            continue
        url = urlsplit(address)
        try:
            url.port  # noqa: B018 - reading it is the check: a port out of range or not a number raises
        except ValueError:
            yield ("hosts", host.key, "docker_host"), f"'{address}': the port is not a number from 1 to 65535"
            continue
        if url.scheme not in ("unix", "tcp", "ssh", "http", "https"):
            yield ("hosts", host.key, "docker_host"), f"'{address}': use unix://, tcp:// or ssh://, or a context name"
        elif url.scheme != "unix" and not url.hostname:
            yield ("hosts", host.key, "docker_host"), f"'{address}' names no host"
